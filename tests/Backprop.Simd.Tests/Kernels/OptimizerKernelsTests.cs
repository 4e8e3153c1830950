using System.Globalization;
using System.Numerics;
using Backprop.Simd.Kernels;
using Backprop.Simd.Tests.Support;
using Xunit;

namespace Backprop.Simd.Tests.Kernels;

/// <summary>
/// The fused optimizer kernels against their <see cref="ScalarReference"/> transcriptions at every length 0..130,
/// at every width this machine has (forced) and through the dispatcher, float and double.
/// </summary>
/// <remarks>
/// Tolerance: the kernels fuse some multiply-adds the references round twice and sum the predicted decrease in
/// another order; every value is O(1) by construction (w, m, b in ±1, v in [¼, 1], g in ±3), so each element
/// may differ by 32·u·(1 + |expected|), and the decrease by (2n + 64)·u·Σ|g|·(|Δw| + lr). A skipped element, a
/// missed bias correction or a lost clipping factor is off by far more. A buffer a configuration does not use is
/// NaN-filled and must come back NaN-filled and must not leak into the weights.
/// </remarks>
public class OptimizerKernelsTests
{
    private const double LearningRate = 0.05;

    public static TheoryData<int, bool> Configurations() => new() { { 0, false }, { 1, true }, { 2, false }, { 2, true } };

    [Theory]
    [MemberData(nameof(Configurations))]
    public void MomentumMatchesScalarReference_Float(int configuration, bool clear) => Momentum<float>(configuration, clear);

    [Theory]
    [MemberData(nameof(Configurations))]
    public void MomentumMatchesScalarReference_Double(int configuration, bool clear) => Momentum<double>(configuration, clear);

    [Theory]
    [MemberData(nameof(Configurations))]
    public void AdamMatchesScalarReference_Float(int configuration, bool clear) => Adam<float>(configuration, clear);

    [Theory]
    [MemberData(nameof(Configurations))]
    public void AdamMatchesScalarReference_Double(int configuration, bool clear) => Adam<double>(configuration, clear);

    [Theory]
    [MemberData(nameof(Configurations))]
    public void RmsPropMatchesScalarReference_Float(int configuration, bool clear) => RmsProp<float>(configuration, clear);

    [Theory]
    [MemberData(nameof(Configurations))]
    public void RmsPropMatchesScalarReference_Double(int configuration, bool clear) => RmsProp<double>(configuration, clear);

    private static IEnumerable<(Width? Width, int Length)> Cases<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int length = 0; length <= ActivationKernelsTests.MaxLength; length++)
        {
            yield return (null, length);
            foreach (Width width in Widths.Available)
            {
                // A width only ever runs on at least one full vector.
                if (length >= Math.Max(1, Widths.Count<T>(width)))
                {
                    yield return (width, length);
                }
            }
        }
    }

    private static void Momentum<T>(int configuration, bool clear)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T lr = T.CreateTruncating(LearningRate);
        var coefficients = configuration switch
        {
            0 => new MomentumCoefficients<T>(lr, 0, false, 0, T.One),
            1 => new MomentumCoefficients<T>(lr, 0.9, false, 0.01, T.CreateTruncating(0.5)),
            _ => new MomentumCoefficients<T>(lr, 0.8, true, 0.1, T.One),
        };
        var random = new Random(10 + configuration);
        foreach ((Width? width, int length) in Cases<T>())
        {
            var data = new Buffers<T>(random, length, secondPositive: false);
            T[] velocity = coefficients.HasMomentum ? data.First : TestData.Nan<T>(length);
            var expected = new Buffers<T>(data);
            T[] expectedVelocity = (T[])velocity.Clone();
            T expectedDecrease = ScalarReference.MomentumUpdate<T>(expected.W, expected.G, expectedVelocity, coefficients, clear);

            T decrease;
            if (width is Width forced)
            {
                var kernel = new FusedUpdateKernel<T, MomentumCoefficients<T>>(data.W, data.G, velocity, default, coefficients, clear);
                Widths.Run<T, FusedUpdateKernel<T, MomentumCoefficients<T>>>(forced, ref kernel);
                decrease = kernel.PredictedDecrease;
            }
            else
            {
                decrease = UpdateKernels.MomentumUpdate<T>(data.W, data.G, velocity, coefficients, clear);
            }

            string where = Describe<T>("momentum", configuration, clear, width, length);
            Check(expected, data, expectedDecrease, decrease, where);
            Tolerance.Close<T, T>(expectedVelocity, velocity, Relative<T>(), Relative<T>(), where + " velocity");
        }
    }

    private static void Adam<T>(int configuration, bool clear)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T lr = T.CreateTruncating(LearningRate);
        var coefficients = configuration switch
        {
            0 => new AdamCoefficients<T>(lr, 0.9, 0.999, 1e-8, 0, decoupled: false, step: 1, T.One),
            1 => new AdamCoefficients<T>(lr, 0.8, 0.99, 1e-6, 0.01, decoupled: false, step: 7, T.CreateTruncating(0.3)),
            _ => new AdamCoefficients<T>(lr, 0.9, 0.999, 1e-8, 0.05, decoupled: true, step: 100, T.One),
        };
        var random = new Random(20 + configuration);
        foreach ((Width? width, int length) in Cases<T>())
        {
            var data = new Buffers<T>(random, length, secondPositive: true);
            var expected = new Buffers<T>(data);
            T expectedDecrease = ScalarReference.AdamUpdate<T>(expected.W, expected.G, expected.First, expected.Second, coefficients, clear);

            T decrease;
            if (width is Width forced)
            {
                var kernel = new FusedUpdateKernel<T, AdamCoefficients<T>>(data.W, data.G, data.First, data.Second, coefficients, clear);
                Widths.Run<T, FusedUpdateKernel<T, AdamCoefficients<T>>>(forced, ref kernel);
                decrease = kernel.PredictedDecrease;
            }
            else
            {
                decrease = UpdateKernels.AdamUpdate<T>(data.W, data.G, data.First, data.Second, coefficients, clear);
            }

            string where = Describe<T>("adam", configuration, clear, width, length);
            Check(expected, data, expectedDecrease, decrease, where);
            Tolerance.Close<T, T>(expected.First, data.First, Relative<T>(), Relative<T>(), where + " m");
            Tolerance.Close<T, T>(expected.Second, data.Second, Relative<T>(), Relative<T>(), where + " v");
        }
    }

    private static void RmsProp<T>(int configuration, bool clear)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T lr = T.CreateTruncating(LearningRate);
        var coefficients = configuration switch
        {
            0 => new RmsPropCoefficients<T>(lr, 0.99, 1e-8, 0, 0, T.One),
            1 => new RmsPropCoefficients<T>(lr, 0.9, 1e-6, 0.9, 0.01, T.CreateTruncating(0.5)),
            _ => new RmsPropCoefficients<T>(lr, 0.99, 1e-8, 0.5, 0.1, T.One),
        };
        var random = new Random(30 + configuration);
        foreach ((Width? width, int length) in Cases<T>())
        {
            var data = new Buffers<T>(random, length, secondPositive: true);
            T[] momentum = coefficients.HasMomentum ? data.First : TestData.Nan<T>(length);
            var expected = new Buffers<T>(data);
            T[] expectedMomentum = (T[])momentum.Clone();
            T expectedDecrease = ScalarReference.RmsPropUpdate<T>(expected.W, expected.G, expected.Second, expectedMomentum, coefficients, clear);

            T decrease;
            if (width is Width forced)
            {
                var kernel = new FusedUpdateKernel<T, RmsPropCoefficients<T>>(data.W, data.G, data.Second, momentum, coefficients, clear);
                Widths.Run<T, FusedUpdateKernel<T, RmsPropCoefficients<T>>>(forced, ref kernel);
                decrease = kernel.PredictedDecrease;
            }
            else
            {
                decrease = UpdateKernels.RmsPropUpdate<T>(data.W, data.G, data.Second, momentum, coefficients, clear);
            }

            string where = Describe<T>("rmsprop", configuration, clear, width, length);
            Check(expected, data, expectedDecrease, decrease, where);
            Tolerance.Close<T, T>(expected.Second, data.Second, Relative<T>(), Relative<T>(), where + " v");
            Tolerance.Close<T, T>(expectedMomentum, momentum, Relative<T>(), Relative<T>(), where + " momentum");
        }
    }

    private static double Relative<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => 32 * Tolerance.UnitRoundoff<T>();

    private static string Describe<T>(string kernel, int configuration, bool clear, Width? width, int length)
        => string.Create(
            CultureInfo.InvariantCulture,
            $"{typeof(T).Name} {kernel} configuration={configuration} clear={clear} width={width?.ToString() ?? "dispatch"} length={length}");

    private static void Check<T>(Buffers<T> expected, Buffers<T> actual, T expectedDecrease, T decrease, string where)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Tolerance.Close<T, T>(expected.W, actual.W, Relative<T>(), Relative<T>(), where + " parameters");

        // Gradients are cleared exactly, or left bit for bit as they were.
        Assert.Equal(expected.G, actual.G);

        double bound = 0;
        for (int i = 0; i < expected.W.Length; i++)
        {
            double delta = double.CreateTruncating(expected.W[i]) - double.CreateTruncating(actual.Original[i]);
            bound += Math.Abs(double.CreateTruncating(actual.OriginalG[i])) * (Math.Abs(delta) + LearningRate);
        }

        double allowance = ((2 * expected.W.Length) + 64) * Tolerance.UnitRoundoff<T>() * bound;
        Tolerance.Scalar(double.CreateTruncating(expectedDecrease), double.CreateTruncating(decrease), allowance, where + " decrease");
    }

    /// <summary>Weights, gradients and two state buffers, plus copies of the inputs.</summary>
    private sealed class Buffers<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public Buffers(Random random, int length, bool secondPositive)
        {
            W = TestData.Uniform<T>(random, length, -1, 1);
            G = TestData.Uniform<T>(random, length, -3, 3);
            First = TestData.Uniform<T>(random, length, -1, 1);
            Second = secondPositive ? TestData.Uniform<T>(random, length, 0.25, 1) : TestData.Uniform<T>(random, length, -1, 1);
            Original = (T[])W.Clone();
            OriginalG = (T[])G.Clone();
        }

        public Buffers(Buffers<T> source)
        {
            W = (T[])source.W.Clone();
            G = (T[])source.G.Clone();
            First = (T[])source.First.Clone();
            Second = (T[])source.Second.Clone();
            Original = source.Original;
            OriginalG = source.OriginalG;
        }

        public T[] W { get; }

        public T[] G { get; }

        public T[] First { get; }

        public T[] Second { get; }

        public T[] Original { get; }

        public T[] OriginalG { get; }
    }
}
