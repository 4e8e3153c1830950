using System.Globalization;
using System.Numerics;
using Backprop.Simd.Kernels;
using Backprop.Simd.Kernels.Simd;
using Backprop.Simd.Tests.Support;
using CsCheck;
using Xunit;

namespace Backprop.Simd.Tests.Kernels.Simd;

/// <summary>
/// The packed GEMM against a naive triple loop, at every width this machine has (forced), for the three operand
/// layouts of a dense layer, β = 0 (over NaN: C must never be read) and β = 1, with and without the fused
/// bias + activation epilogue, writing a column slice of a wider C. Shapes straddle the 6-row micro-tile, every
/// panel width (2 to 64 columns) and, with small blocks, the KC, MC and NC block edges; 1 and primes included.
/// </summary>
public class PackedGemmTests
{
    private static readonly int[] Sizes = [1, 2, 3, 5, 6, 7, 11, 12, 13, 17, 31, 32, 33, 63, 64, 65, 67, 97, 129];

    // Tiny blocks put several KC, MC and NC steps (and their edges) in every small product.
    private static readonly GemmBlocking[] SmallBlocks = [new(5, 6, 64), new(7, 12, 64), new(16, 18, 128)];

    /// <summary>How A and B are stored: the three products of a dense layer.</summary>
    public enum Layout
    {
        /// <summary>Y = X·Wᵀ: A row-major [m, k], B(p, j) = w[j·k + p] (transposed by packing).</summary>
        Forward,

        /// <summary>dX = dY·W: A row-major [m, k], B row-major [k, n].</summary>
        BackwardData,

        /// <summary>dW += dYᵀ·X: A(i, p) = a[p·m + i] (transposed, read in place), B row-major [k, n].</summary>
        BackwardWeights,
    }

    /// <summary>The epilogue under test.</summary>
    public enum Epilogue
    {
        None,
        Bias,
        BiasRelu,
        BiasGelu,
    }

    public sealed record Case(int M, int N, int K, Layout Layout, bool Accumulate, Epilogue Epilogue, int Blocks, int ExtraColumns, int Seed, double Alpha = 1)
    {
        public override string ToString() => string.Create(
            CultureInfo.InvariantCulture,
            $"m={M} n={N} k={K} {Layout} {(Accumulate ? "β=1" : "β=0")} α={Alpha} {Epilogue} blocks={(Blocks < 0 ? "default" : SmallBlocks[Blocks].ToString())} ldc=n+{ExtraColumns} seed={Seed}");
    }

    private static readonly Gen<Case> Cases =
        from m in Gen.Int[0, Sizes.Length - 1].Select(i => Sizes[i])
        from n in Gen.Int[0, Sizes.Length - 1].Select(i => Sizes[i])
        from k in Gen.Int[0, Sizes.Length - 1].Select(i => Sizes[i])
        from layout in Gen.Enum<Layout>()
        from accumulate in Gen.Bool
        from epilogue in Gen.Enum<Epilogue>()
        from blocks in Gen.Int[-1, SmallBlocks.Length - 1]
        from extra in Gen.Int[0, 1].Select(e => 3 * e)
        from seed in Gen.Int
        from alpha in Gen.Int[0, 1].Select(a => a == 0 ? 1.0 : -0.25)
        select new Case(m, n, k, layout, accumulate, epilogue, blocks, extra, seed, alpha);

    [Fact]
    public void MatchesNaiveProduct_Float()
        => Cases.Sample(c => Check<float>(c), iter: PropertySettings.Iter(150, 5000), seed: PropertySettings.Seed);

    [Fact]
    public void MatchesNaiveProduct_Double()
        => Cases.Sample(c => Check<double>(c), iter: PropertySettings.Iter(100, 3000), seed: PropertySettings.Seed);

    // The default blocks at their edges: KC = 256 and MC = 96 straddled, NC = 1024 crossed (n = 1031). The last two
    // read A's depth with a stride wide enough (m·KC elements past 128 KiB) for A to be packed, edge tiles included.
    [Theory]
    [InlineData(97, 1031, 257, Layout.Forward)]
    [InlineData(95, 70, 513, Layout.BackwardData)]
    [InlineData(193, 65, 255, Layout.BackwardWeights)]
    [InlineData(200, 70, 300, Layout.BackwardWeights)]
    public void DefaultBlockEdges(int m, int n, int k, Layout layout)
    {
        Check<float>(new Case(m, n, k, layout, Accumulate: false, Epilogue.BiasRelu, Blocks: -1, ExtraColumns: 0, Seed: 7));
        Check<double>(new Case(m, n, k, layout, Accumulate: true, Epilogue.Bias, Blocks: -1, ExtraColumns: 1, Seed: 8));
    }

    [Fact]
    public void ShortPackingScratchIsRejectedBeforeAnyWrite()
    {
        var c = new float[6 * 70];
        var a = new float[6 * 9];
        var b = new float[9 * 70];
        var pack = new float[PackedGemm<float, NoActivation<float>>.PackLength(70, 9) - 1];
        ArgumentException exception = Assert.Throws<ArgumentException>(() =>
        {
            var kernel = new PackedGemm<float, NoActivation<float>>(c, a, b, 6, 70, 9, 9, 1, 70, 1, accumulate: false, pack);
            SimdDispatch.Run<float, PackedGemm<float, NoActivation<float>>>(ref kernel, int.MaxValue);
        });
        Assert.Equal("pack", exception.ParamName);
    }

    // The panels are moved to the scratch's first 64-byte boundary: any start of the scratch, and a scratch of exactly
    // PackLength elements, gives the same bits; one element less is rejected wherever it starts.
    [Fact]
    public void PackingScratchAtEveryAlignmentGivesTheSameProduct()
    {
        var random = new Random(11);
        const int m = 13, n = 70, k = 37;
        float[] a = TestData.Uniform<float>(random, m * k, -1, 1);
        float[] b = TestData.Uniform<float>(random, k * n, -1, 1);
        int length = PackedGemm<float, NoActivation<float>>.PackLength(n, k);
        float[] scratch = GC.AllocateArray<float>(length + 16, pinned: true);
        float[]? first = null;
        for (int offset = 0; offset < 16; offset++)
        {
            var c = new float[m * n];
            var kernel = new PackedGemm<float, NoActivation<float>>(c, a, b, m, n, k, k, 1, 1, k, accumulate: false, scratch.AsSpan(offset, length));
            SimdDispatch.Run<float, PackedGemm<float, NoActivation<float>>>(ref kernel, int.MaxValue);
            first ??= c;
            Assert.Equal(first, c);
            Assert.Throws<ArgumentException>(() =>
            {
                var shortKernel = new PackedGemm<float, NoActivation<float>>(c, a, b, m, n, k, k, 1, 1, k, accumulate: false, scratch.AsSpan(offset, length - 1));
                SimdDispatch.Run<float, PackedGemm<float, NoActivation<float>>>(ref shortKernel, int.MaxValue);
            });
        }

        var product = new Case(m, n, k, Layout.Forward, Accumulate: false, Epilogue.None, Blocks: -1, ExtraColumns: 0, Seed: 11);
        (double[] expected, double[] bound) = Naive(product, a, b, [], new float[m * n], n, k, 1, 1, k);
        Tolerance.Close<double, float>(expected, first, 2 * (k + 3) * Tolerance.UnitRoundoff<float>(), 1e-30, "C", bound);
    }

    private static void Check<T>(Case c)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new Random(c.Seed);
        int ldc = c.N + c.ExtraColumns;
        T[] a = TestData.Uniform<T>(random, c.M * c.K, -1, 1);
        T[] b = TestData.Uniform<T>(random, c.K * c.N, -1, 1);
        T[] bias = c.Epilogue == Epilogue.None ? [] : TestData.Uniform<T>(random, c.N, -1, 1);
        T[] prefill = TestData.Uniform<T>(random, c.M * ldc, -1, 1);

        (int aRow, int aDepth) = c.Layout == Layout.BackwardWeights ? (1, c.M) : (c.K, 1);
        (int bDepth, int bColumn) = c.Layout == Layout.Forward ? (1, c.K) : (c.N, 1);
        (double[] expected, double[] bound) = Naive(c, a, b, bias, prefill, ldc, aRow, aDepth, bDepth, bColumn);
        Activation activation = c.Epilogue switch
        {
            Epilogue.BiasRelu => Activation.Relu,
            Epilogue.BiasGelu => Activation.Gelu,
            _ => Activation.Identity,
        };

        GemmBlocking blocking = c.Blocks < 0 ? GemmBlocking.Default : SmallBlocks[c.Blocks];
        foreach (Width width in Widths.Available)
        {
            string where = $"{c} {typeof(T).Name} {width}";
            T[] result = c.Accumulate ? (T[])prefill.Clone() : TestData.Nan<T>(c.M * ldc);
            T[] activated = TestData.Nan<T>(c.M * ldc);
            if (c.Accumulate)
            {
                // Columns outside the slice must keep their values in both outputs; NaN there only checks β = 0.
                Array.Copy(prefill, activated, prefill.Length);
            }

            var pack = new T[PackedGemm<T, NoActivation<T>>.PackLength(c.N, c.K, blocking, aDepth)];
            switch (activation)
            {
                case Activation.Relu:
                    Run<T, ActivationKernels.ReluForward<T>>(width, c, result, activated, a, b, bias, pack, ldc, aRow, aDepth, bDepth, bColumn, blocking);
                    break;
                case Activation.Gelu:
                    Run<T, ActivationKernels.GeluForward<T>>(width, c, result, activated, a, b, bias, pack, ldc, aRow, aDepth, bDepth, bColumn, blocking);
                    break;
                default:
                    Run<T, NoActivation<T>>(width, c, result, default, a, b, bias, pack, ldc, aRow, aDepth, bDepth, bColumn, blocking);
                    break;
            }

            // |C − C*| ≤ 2·(k + 3)·u·Σ|terms| (see DenseCase), the bias and the old C counted among the terms.
            double relative = 2 * (c.K + 3) * Tolerance.UnitRoundoff<T>();
            Tolerance.Close<double, T>(expected, result, relative, 1e-30, where + " C", bound);
            if (activation != Activation.Identity)
            {
                CheckActivated(c, activation, result, activated, prefill, ldc, where);
            }
        }
    }

    private static void Run<T, TActivation>(
        Width width, Case c, T[] result, T[]? activated, T[] a, T[] b, T[] bias, T[] pack, int ldc, int aRow, int aDepth, int bDepth, int bColumn, GemmBlocking blocking)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TActivation : struct, IElementwiseOp<T>
    {
        // C and the activations are column slices [c.ExtraColumns / 2, … + n) of [m, ldc] matrices.
        int first = c.ExtraColumns / 2;
        int length = ((c.M - 1) * ldc) + c.N;
        var kernel = new PackedGemm<T, TActivation>(
            result.AsSpan(first, length), a, b, c.M, c.N, c.K, aRow, aDepth, bDepth, bColumn, c.Accumulate, pack,
            bias, activated is null ? default : activated.AsSpan(first, length), ldc: ldc, blocking: blocking, alpha: T.CreateTruncating(c.Alpha));
        Widths.Run<T, PackedGemm<T, TActivation>>(width, ref kernel);
    }

    // C(i, j) = [old C] + α·Σ_p A(i, p)·B(p, j) + bias(j) in double, and the bound Σ|terms|; columns outside the slice
    // keep the prefill (or NaN for β = 0, which Tolerance matches to NaN).
    private static (double[] Expected, double[] Bound) Naive<T>(
        Case c, T[] a, T[] b, T[] bias, T[] prefill, int ldc, int aRow, int aDepth, int bDepth, int bColumn)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int first = c.ExtraColumns / 2;
        var expected = new double[c.M * ldc];
        var bound = new double[c.M * ldc];
        for (int i = 0; i < c.M; i++)
        {
            for (int col = 0; col < ldc; col++)
            {
                int index = (i * ldc) + col;
                int j = col - first;
                if (j < 0 || j >= c.N)
                {
                    expected[index] = c.Accumulate ? double.CreateTruncating(prefill[index]) : double.NaN;
                    bound[index] = Math.Abs(expected[index]);
                    continue;
                }

                double sum = c.Accumulate ? double.CreateTruncating(prefill[index]) : 0;
                double magnitude = Math.Abs(sum);
                for (int p = 0; p < c.K; p++)
                {
                    double term = c.Alpha * double.CreateTruncating(a[(i * aRow) + (p * aDepth)]) * double.CreateTruncating(b[(p * bDepth) + (j * bColumn)]);
                    sum += term;
                    magnitude += Math.Abs(term);
                }

                if (bias.Length > 0)
                {
                    sum += double.CreateTruncating(bias[j]);
                    magnitude += Math.Abs(double.CreateTruncating(bias[j]));
                }

                expected[index] = sum;
                bound[index] = magnitude;
            }
        }

        return (expected, bound);
    }

    // The activations are f of the C the kernel wrote (so C's rounding does not enter), to a few ulps of f.
    private static void CheckActivated<T>(Case c, Activation activation, T[] result, T[] activated, T[] prefill, int ldc, string where)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int first = c.ExtraColumns / 2;
        var expected = new T[result.Length];
        ScalarReference.ActivationForward<T>(activation, result, expected);
        for (int i = 0; i < c.M; i++)
        {
            for (int col = 0; col < ldc; col++)
            {
                int index = (i * ldc) + col;
                if (col < first || col >= first + c.N)
                {
                    expected[index] = c.Accumulate ? prefill[index] : T.NaN;
                }
            }
        }

        Tolerance.Close<T, T>(expected, activated, 16 * Tolerance.UnitRoundoff<T>(), 16 * Tolerance.UnitRoundoff<T>(), where + " f(C)");
    }
}
