using System.Globalization;
using System.Numerics;
using Backprop.Simd.Kernels;
using Backprop.Simd.Tests.Support;
using Xunit;

namespace Backprop.Simd.Tests.Kernels;

/// <summary>
/// The fused SGD step at every length 0..130 against <see cref="ScalarReference"/>. Tolerance: the kernel may fuse
/// w − μ·g into one FMA where the reference rounds μ·g first, so they may differ by u·(|w| + |μ·g|) plus the final
/// rounding; we allow 4·u·(|w| + |μ·g|).
/// </summary>
public class UpdateKernelsTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SgdUpdateMatchesScalarReference_Float(bool clearGradients) => SgdUpdateMatchesScalarReference<float>(clearGradients);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SgdUpdateMatchesScalarReference_Double(bool clearGradients) => SgdUpdateMatchesScalarReference<double>(clearGradients);

    [Fact]
    public void FloatAgreesWithDouble()
    {
        var random = new Random(5);
        for (int length = 0; length <= ActivationKernelsTests.MaxLength; length++)
        {
            float[] wf = TestData.Uniform<float>(random, length, -1, 1);
            float[] gf = TestData.Uniform<float>(random, length, -1, 1);
            double[] wd = TestData.Convert<float, double>(wf);
            double[] gd = TestData.Convert<float, double>(gf);
            double[] bound = Bound(wd, gd, 0.1);
            UpdateKernels.SgdUpdate(wf, gf, 0.1f);
            UpdateKernels.SgdUpdate(wd, gd, 0.1);
            Tolerance.Close<double, float>(wd, wf, 4 * Tolerance.UnitRoundoff<float>(), 0, $"float vs double length={length}", bound);
        }
    }

    [Fact]
    public void WrongLengthsNameTheArgumentAndBothSizes()
        => DenseKernelsTests.AssertLength("gradients", 6, 5, () => UpdateKernels.SgdUpdate<double>(new double[5], new double[6], 0.1));

    [Fact]
    public void OverlapIsRejected()
    {
        var buffer = new double[20];
        Assert.Equal("parameters", Assert.Throws<ArgumentException>(() => UpdateKernels.SgdUpdate<double>(buffer.AsSpan(0, 10), buffer.AsSpan(5, 10), 0.1)).ParamName);
        Assert.Equal("parameters", Assert.Throws<ArgumentException>(() => UpdateKernels.SgdUpdate<double>(buffer.AsSpan(0, 10), buffer.AsSpan(0, 10), 0.1)).ParamName);
    }

    private static double[] Bound<T>(ReadOnlySpan<T> w, ReadOnlySpan<T> g, double learningRate)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var bound = new double[w.Length];
        for (int i = 0; i < w.Length; i++)
        {
            bound[i] = Math.Abs(double.CreateTruncating(w[i])) + Math.Abs(learningRate * double.CreateTruncating(g[i]));
        }

        return bound;
    }

    private static void SgdUpdateMatchesScalarReference<T>(bool clearGradients)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new Random(clearGradients ? 3 : 4);
        T learningRate = T.CreateTruncating(0.37);
        for (int length = 0; length <= ActivationKernelsTests.MaxLength; length++)
        {
            T[] w = TestData.Uniform<T>(random, length, -1, 1);
            T[] g = TestData.Uniform<T>(random, length, -3, 3);
            T[] expectedW = (T[])w.Clone();
            T[] expectedG = (T[])g.Clone();
            ScalarReference.SgdUpdate<T>(expectedW, expectedG, learningRate, clearGradients);
            T[] bound = TestData.Convert<double, T>(Bound<T>(w, g, 0.37));

            UpdateKernels.SgdUpdate<T>(w, g, learningRate, clearGradients);
            string where = string.Create(CultureInfo.InvariantCulture, $"{typeof(T).Name} clear={clearGradients} length={length}");
            Tolerance.Close<T, T>(expectedW, w, 4 * Tolerance.UnitRoundoff<T>(), 0, where + " parameters", bound);

            // Gradients are cleared exactly, or left bit for bit as they were.
            Assert.Equal(expectedG, g);
        }
    }
}
