using System.Globalization;
using System.Numerics;
using System.Runtime.Intrinsics;
using Backprop.Simd.Kernels;

namespace Backprop.Simd.Tests.Support;

/// <summary>
/// One dense-layer shape with seeded data, the <see cref="ScalarReference"/> results of all four dense kernels,
/// and for each result a bound Σ|terms| (the same reference run on absolute values) that scales the tolerance.
/// </summary>
/// <remarks>
/// Tolerance: a sum of k products computed in any order, with or without FMA, is within γ·Σ|terms| of the exact
/// sum, γ = (k + 2)·u (u = 2⁻²⁴ float, 2⁻⁵³ double); the kernel and the reference each carry that error, so two
/// results may differ by 2·(k + 2)·u·Σ|terms|. The absolute floor 1e-30 only matters where Σ|terms| is 0.
/// </remarks>
internal sealed class DenseCase<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public const double AbsoluteFloor = 1e-30;

    private DenseCase(Random random, int batch, int inputs, int outputs)
    {
        Batch = batch;
        Inputs = inputs;
        Outputs = outputs;
        X = TestData.Uniform<T>(random, batch * inputs, -1, 1);
        W = TestData.Uniform<T>(random, outputs * inputs, -1, 1);
        B = TestData.Uniform<T>(random, outputs, -1, 1);
        Dy = TestData.Uniform<T>(random, batch * outputs, -1, 1);
        DwPrefill = TestData.Uniform<T>(random, outputs * inputs, -1, 1);
        DbPrefill = TestData.Uniform<T>(random, outputs, -1, 1);

        Y = new T[batch * outputs];
        YBound = new T[batch * outputs];
        ScalarReference.DenseForward<T>(Y, X, W, B, batch, inputs, outputs);
        ScalarReference.DenseForward<T>(YBound, TestData.Abs<T>(X), TestData.Abs<T>(W), TestData.Abs<T>(B), batch, inputs, outputs);
        YNoBias = new T[batch * outputs];
        YNoBiasBound = new T[batch * outputs];
        ScalarReference.DenseForward<T>(YNoBias, X, W, default, batch, inputs, outputs);
        ScalarReference.DenseForward<T>(YNoBiasBound, TestData.Abs<T>(X), TestData.Abs<T>(W), default, batch, inputs, outputs);

        Dx = new T[batch * inputs];
        DxBound = new T[batch * inputs];
        ScalarReference.DenseBackwardData<T>(Dx, Dy, W, batch, inputs, outputs);
        ScalarReference.DenseBackwardData<T>(DxBound, TestData.Abs<T>(Dy), TestData.Abs<T>(W), batch, inputs, outputs);

        Dw = (T[])DwPrefill.Clone();
        DwBound = TestData.Abs<T>(DwPrefill);
        ScalarReference.DenseBackwardWeights<T>(Dw, Dy, X, batch, inputs, outputs);
        ScalarReference.DenseBackwardWeights<T>(DwBound, TestData.Abs<T>(Dy), TestData.Abs<T>(X), batch, inputs, outputs);

        Db = (T[])DbPrefill.Clone();
        DbBound = TestData.Abs<T>(DbPrefill);
        ScalarReference.DenseBackwardBias<T>(Db, Dy, batch, outputs);
        ScalarReference.DenseBackwardBias<T>(DbBound, TestData.Abs<T>(Dy), batch, outputs);
    }

    public int Batch { get; }

    public int Inputs { get; }

    public int Outputs { get; }

    public T[] X { get; }

    public T[] W { get; }

    public T[] B { get; }

    public T[] Dy { get; }

    public T[] DwPrefill { get; }

    public T[] DbPrefill { get; }

    public T[] Y { get; }

    public T[] YBound { get; }

    public T[] YNoBias { get; }

    public T[] YNoBiasBound { get; }

    public T[] Dx { get; }

    public T[] DxBound { get; }

    public T[] Dw { get; }

    public T[] DwBound { get; }

    public T[] Db { get; }

    public T[] DbBound { get; }

    public static DenseCase<T> Create(int batch, int inputs, int outputs)
        => new(new Random(HashCode.Combine(batch, inputs, outputs)), batch, inputs, outputs);

    /// <summary>2·(k + 2)·u for a sum of <paramref name="k"/> products (see the remarks).</summary>
    public static double Relative(int k) => 2.0 * (k + 2) * Tolerance.UnitRoundoff<T>();

    public string Describe(string how)
        => string.Create(CultureInfo.InvariantCulture, $"{typeof(T).Name} {how} batch={Batch} inputs={Inputs} outputs={Outputs}");

    public void CheckForward(ReadOnlySpan<T> y, bool bias, string how)
        => Tolerance.Close<T, T>(bias ? Y : YNoBias, y, Relative(Inputs + 1), AbsoluteFloor, Describe(how + " forward"), bias ? YBound : YNoBiasBound);

    public void CheckBackwardData(ReadOnlySpan<T> dx, string how)
        => Tolerance.Close<T, T>(Dx, dx, Relative(Outputs), AbsoluteFloor, Describe(how + " backward-data"), DxBound);

    public void CheckBackwardWeights(ReadOnlySpan<T> dw, string how)
        => Tolerance.Close<T, T>(Dw, dw, Relative(Batch + 1), AbsoluteFloor, Describe(how + " backward-weights"), DwBound);

    public void CheckBackwardBias(ReadOnlySpan<T> db, string how)
        => Tolerance.Close<T, T>(Db, db, Relative(Batch + 1), AbsoluteFloor, Describe(how + " backward-bias"), DbBound);
}

/// <summary>Dense shapes that reach every tile and tail of the GEMM kernels at every width.</summary>
internal static class DenseShapes
{
    public static readonly int[] Batches = [0, 1, 2, 3, 4, 5, 7, 9];

    /// <summary>
    /// batch × inputs × outputs: inputs (the vector dimension of all three products) takes every value up to
    /// 2·Vector512.Count + 3 and a few past three vectors; outputs (the 3-wide column tile of the forward product
    /// and the 4-row tile of the weight gradient) takes every value up to 9 and a few larger; plus larger shapes,
    /// some past the cache blocks.
    /// </summary>
    public static IEnumerable<(int Batch, int Inputs, int Outputs)> All<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int c = Vector512<T>.Count;
        var inputs = Enumerable.Range(1, (2 * c) + 3).Concat([(3 * c) - 1, 3 * c, (3 * c) + 1, (4 * c) + 5]).Distinct().ToArray();
        var outputs = Enumerable.Range(1, 9).Concat([11, 16, 17, (2 * c) + 3]).Distinct().ToArray();
        foreach (int batch in Batches)
        {
            foreach (int i in inputs)
            {
                foreach (int o in outputs)
                {
                    yield return (batch, i, o);
                }
            }
        }

        yield return (64, 130, 33);
        yield return (33, 67, 65);
        yield return (17, 200, 10);

        // Past GemmAxpy's cache blocks (256 deep, 15 vectors wide): several depth blocks for dX (depth = outputs) and
        // for dW (depth = batch), several column blocks with a tail (inputs), and a block boundary hit exactly.
        yield return (5, (31 * c) + 3, 517);
        yield return (300, (15 * c) + 1, 7);
        yield return (257, 15 * c, 256);

        // Past GemmDot's blocks of W rows (about 192 KiB): several blocks, the last one partial.
        yield return (6, 1031, 101);
    }
}
