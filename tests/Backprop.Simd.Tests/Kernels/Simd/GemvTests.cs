using System.Numerics;
using Backprop.Simd.Kernels;
using Backprop.Simd.Kernels.Simd;
using Backprop.Simd.Tests.Support;
using CsCheck;
using Xunit;

namespace Backprop.Simd.Tests.Kernels.Simd;

/// <summary>
/// The single-sample kernel from transposed weights against a naive loop, at every width that fits n (forced):
/// n around every multiple of the vector count up to past 8 vectors (the accumulator chunk), odd and even depths (the
/// two interleaved halves), with and without bias and the fused activation.
/// </summary>
public class GemvTests
{
    private static readonly Gen<(int N, int K, bool Bias, bool Relu, int Seed)> Cases =
        from n in Gen.Int[1, 150]
        from k in Gen.Int[1, 70]
        from bias in Gen.Bool
        from relu in Gen.Bool
        from seed in Gen.Int
        select (n, k, bias, relu, seed);

    [Fact]
    public void MatchesNaive_Float() => Cases.Sample(c => Check<float>(c), iter: PropertySettings.Iter(200, 5000), seed: PropertySettings.Seed);

    [Fact]
    public void MatchesNaive_Double() => Cases.Sample(c => Check<double>(c), iter: PropertySettings.Iter(200, 5000), seed: PropertySettings.Seed);

    private static void Check<T>((int N, int K, bool Bias, bool Relu, int Seed) c)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new Random(c.Seed);
        T[] x = TestData.Uniform<T>(random, c.K, -1, 1);
        T[] wt = TestData.Uniform<T>(random, c.K * c.N, -1, 1);
        T[] bias = c.Bias ? TestData.Uniform<T>(random, c.N, -1, 1) : [];
        var expected = new double[c.N];
        var bound = new double[c.N];
        for (int j = 0; j < c.N; j++)
        {
            double sum = c.Bias ? double.CreateTruncating(bias[j]) : 0;
            double magnitude = Math.Abs(sum);
            for (int p = 0; p < c.K; p++)
            {
                double term = double.CreateTruncating(x[p]) * double.CreateTruncating(wt[(p * c.N) + j]);
                sum += term;
                magnitude += Math.Abs(term);
            }

            expected[j] = sum;
            bound[j] = magnitude;
        }

        foreach (Width width in Widths.Available.Where(w => Widths.Count<T>(w) <= c.N))
        {
            T[] z = TestData.Nan<T>(c.N);
            T[] a = TestData.Nan<T>(c.N);
            string where = $"n={c.N} k={c.K} bias={c.Bias} relu={c.Relu} {typeof(T).Name} {width}";
            if (c.Relu)
            {
                var kernel = new Gemv<T, ActivationKernels.ReluForward<T>>(z, a, x, wt, bias, c.N, c.K);
                Widths.Run<T, Gemv<T, ActivationKernels.ReluForward<T>>>(width, ref kernel);
            }
            else
            {
                var kernel = new Gemv<T, NoActivation<T>>(z, default, x, wt, bias, c.N, c.K);
                Widths.Run<T, Gemv<T, NoActivation<T>>>(width, ref kernel);
            }

            Tolerance.Close<double, T>(expected, z, 2 * (c.K + 3) * Tolerance.UnitRoundoff<T>(), 1e-30, where, bound);
            if (c.Relu)
            {
                T[] relu = z.Select(v => T.Max(v, T.Zero)).ToArray();
                Assert.Equal(relu, a);
            }
        }
    }
}
