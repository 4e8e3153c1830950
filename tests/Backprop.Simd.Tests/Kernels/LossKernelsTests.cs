using System.Globalization;
using System.Numerics;
using Backprop.Simd.Kernels;
using Backprop.Simd.Tests.Support;
using Xunit;

namespace Backprop.Simd.Tests.Kernels;

/// <summary>
/// Every loss at every total length 1..130, split into several batch × width shapes, against
/// <see cref="ScalarReference"/>, with the gradient destination prefilled with NaN.
/// </summary>
/// <remarks>
/// Tolerance. Loss: |E − E_ref| ≤ 256·u·(|E_ref| + 1)·log₂(length + 2): the kernel sums in another order and the
/// softmax cross-entropy is formed as lse·Σt − t·z, whose terms (≈ |z| + log width) exceed E. Gradient:
/// |g − g_ref| ≤ 64·u·(|g_ref| + 1/B), the softmax and sigmoid being a few ulps off the scalar exp.
/// </remarks>
public class LossKernelsTests
{
    public static TheoryData<Loss> Losses => [.. Enum.GetValues<Loss>()];

    [Theory]
    [MemberData(nameof(Losses))]
    public void MatchScalarReference_Float(Loss loss) => MatchScalarReference<float>(loss);

    [Theory]
    [MemberData(nameof(Losses))]
    public void MatchScalarReference_Double(Loss loss) => MatchScalarReference<double>(loss);

    [Theory]
    [MemberData(nameof(Losses))]
    public void FloatAgreesWithDouble(Loss loss)
    {
        var random = new Random(11 + (int)loss);
        double u = Tolerance.UnitRoundoff<float>();
        for (int length = 1; length <= ActivationKernelsTests.MaxLength; length++)
        {
            foreach (int batch in Batches(length))
            {
                int width = length / batch;
                float[] y = TestData.Uniform<float>(random, length, -4, 4);
                float[] t = TestData.Targets<float>(random, loss, batch, width);
                var gf = new float[length];
                var gd = new double[length];
                float ef = LossKernels.Compute<float>(loss, y, t, gf, batch);
                double ed = LossKernels.Compute<double>(loss, TestData.Convert<float, double>(y), TestData.Convert<float, double>(t), gd, batch);
                string where = string.Create(CultureInfo.InvariantCulture, $"{loss} float vs double batch={batch} width={width}");
                Tolerance.Scalar(ed, ef, 256 * u * (Math.Abs(ed) + 1) * Math.Log2(length + 2), where + " loss");
                Tolerance.Close<double, float>(gd, gf, 64 * u, 64 * u / batch, where + " gradient");
            }
        }
    }

    // Logits far beyond exp's range: the losses are stated and implemented "stably", and the scalar reference
    // (max-shifted log-sum-exp) stays finite, so the kernel must too.
    [Theory]
    [InlineData(Loss.SigmoidCrossEntropy, false, 100)]
    [InlineData(Loss.SigmoidCrossEntropy, false, -100)]
    [InlineData(Loss.SigmoidCrossEntropy, true, 1000)]
    [InlineData(Loss.SigmoidCrossEntropy, true, -1000)]
    [InlineData(Loss.SoftmaxCrossEntropy, false, 80)]
    [InlineData(Loss.SoftmaxCrossEntropy, true, 700)]
    public void LargeLogitsStayFinite(Loss loss, bool inDouble, double magnitude)
    {
        if (inDouble)
        {
            LargeLogits<double>(loss, magnitude);
        }
        else
        {
            LargeLogits<float>(loss, magnitude);
        }
    }

    // Regression: the kernel once used TensorPrimitives.SoftMax, which does not subtract the row maximum, so exp
    // overflowed and the loss and gradient came out NaN where the max-shifted reference is finite.
    [Theory]
    [InlineData(false, 100)]
    [InlineData(true, 1000)]
    public void SoftmaxCrossEntropyLargeLogitsStayFinite(bool inDouble, double magnitude)
        => LargeLogitsStayFinite(Loss.SoftmaxCrossEntropy, inDouble, magnitude);

    [Fact]
    public void SoftmaxCrossEntropyOfAnAllZeroTargetRowIsZeroWithZeroGradient()
    {
        // The loss is lse(z)·Σt − t·z, so its gradient is softmax(z)·Σt − t: a masked (all-zero) row contributes nothing.
        double[] logits = [2, -1, 0.5, 3, 0, 1];
        double[] targets = [0, 0, 0, 0.2, 0.3, 0.1];
        var gradient = new double[6];

        double loss = LossKernels.SoftmaxCrossEntropy<double>(logits, targets, gradient, 2);

        Assert.Equal([0.0, 0.0, 0.0], gradient.AsSpan(0, 3).ToArray());
        double[] z = [3, 0, 1];
        double lse = Math.Log(z.Sum(Math.Exp));
        double expectedLoss = ((lse * 0.6) - ((0.2 * 3) + (0.3 * 0) + (0.1 * 1))) / 2;
        Assert.Equal(expectedLoss, loss, 1e-12);
        for (int j = 0; j < 3; j++)
        {
            Assert.Equal(((Math.Exp(z[j] - lse) * 0.6) - targets[3 + j]) / 2, gradient[3 + j], 1e-12);
        }
    }

    [Fact]
    public void WrongLengthsNameTheArgumentAndBothSizes()
    {
        foreach (Loss loss in Enum.GetValues<Loss>())
        {
            DenseKernelsTests.AssertLength("targets", 5, 6, () => LossKernels.Compute<double>(loss, new double[6], new double[5], new double[6], 2));
            DenseKernelsTests.AssertLength("gradient", 7, 6, () => LossKernels.Compute<double>(loss, new double[6], new double[6], new double[7], 2));
            ArgumentException notRows = Assert.ThrowsAny<ArgumentException>(() => LossKernels.Compute<double>(loss, new double[7], new double[7], new double[7], 2));
            Assert.Equal("outputs", notRows.ParamName);
            Assert.Contains("7", notRows.Message, StringComparison.Ordinal);
            Assert.Equal("outputs", Assert.ThrowsAny<ArgumentException>(() => LossKernels.Compute<double>(loss, [], [], [], 1)).ParamName);
            Assert.Equal("batch", Assert.ThrowsAny<ArgumentException>(() => LossKernels.Compute<double>(loss, new double[6], new double[6], new double[6], 0)).ParamName);
        }

        Assert.Equal("loss", Assert.ThrowsAny<ArgumentException>(() => LossKernels.Compute<double>((Loss)42, new double[6], new double[6], new double[6], 2)).ParamName);
    }

    [Fact]
    public void OverlapIsRejected()
    {
        var buffer = new double[20];
        foreach (Loss loss in Enum.GetValues<Loss>())
        {
            Assert.Equal("gradient", Assert.Throws<ArgumentException>(() => LossKernels.Compute<double>(loss, buffer.AsSpan(0, 6), new double[6], buffer.AsSpan(3, 6), 2)).ParamName);
            Assert.Equal("gradient", Assert.Throws<ArgumentException>(() => LossKernels.Compute<double>(loss, new double[6], buffer.AsSpan(10, 6), buffer.AsSpan(10, 6), 2)).ParamName);
        }
    }

    /// <summary>Batch sizes that divide <paramref name="length"/>: 1, the whole length (width 1), and a few between.</summary>
    internal static IEnumerable<int> Batches(int length)
        => new[] { 1, 2, 3, 4, 5, 7, 16, length }.Where(b => b <= length && length % b == 0).Distinct();

    private static void MatchScalarReference<T>(Loss loss)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new Random(21 + (int)loss);
        double u = Tolerance.UnitRoundoff<T>();
        for (int length = 1; length <= ActivationKernelsTests.MaxLength; length++)
        {
            foreach (int batch in Batches(length))
            {
                int width = length / batch;
                T[] y = TestData.Uniform<T>(random, length, -4, 4);
                T[] t = TestData.Targets<T>(random, loss, batch, width);
                var expectedGradient = new T[length];
                T expected = ScalarReference.Loss<T>(loss, y, t, expectedGradient, batch);

                T[] gradient = TestData.Nan<T>(length);
                T actual = LossKernels.Compute<T>(loss, y, t, gradient, batch);
                string where = string.Create(CultureInfo.InvariantCulture, $"{typeof(T).Name} {loss} batch={batch} width={width}");
                double e = double.CreateTruncating(expected);
                Tolerance.Scalar(e, double.CreateTruncating(actual), 256 * u * (Math.Abs(e) + 1) * Math.Log2(length + 2), where + " loss");
                Tolerance.Close<T, T>(expectedGradient, gradient, 64 * u, 64 * u / batch, where + " gradient");
            }
        }
    }

    private static void LargeLogits<T>(Loss loss, double magnitude)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        const int batch = 2, width = 3;
        T[] y = [T.CreateTruncating(magnitude), T.Zero, T.One, T.CreateTruncating(magnitude), T.CreateTruncating(magnitude - 1), T.Zero];
        T[] t = loss == Loss.SoftmaxCrossEntropy ? [T.One, T.Zero, T.Zero, T.Zero, T.One, T.Zero] : [T.One, T.Zero, T.One, T.Zero, T.One, T.Zero];
        var expectedGradient = new T[batch * width];
        T expected = ScalarReference.Loss<T>(loss, y, t, expectedGradient, batch);
        Assert.True(T.IsFinite(expected), "the reference is finite");

        T[] gradient = TestData.Nan<T>(batch * width);
        T actual = LossKernels.Compute<T>(loss, y, t, gradient, batch);
        string where = string.Create(CultureInfo.InvariantCulture, $"{typeof(T).Name} {loss} logits ±{magnitude}");
        double e = double.CreateTruncating(expected);
        Tolerance.Scalar(e, double.CreateTruncating(actual), 1e-4 * (Math.Abs(e) + 1), where + " loss");
        Tolerance.Close<T, T>(expectedGradient, gradient, 1e-4, 1e-6, where + " gradient");
    }
}
