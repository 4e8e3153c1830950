using System.Numerics;
using Backprop.Simd.Kernels;
using Backprop.Simd.Tests.Support;
using Xunit;

namespace Backprop.Simd.Tests.Kernels;

public class DenseKernelsTests
{
    [Fact]
    public void MatchScalarReference_Float() => MatchScalarReference<float>();

    [Fact]
    public void MatchScalarReference_Double() => MatchScalarReference<double>();

    // The float kernels against the double kernels on the same (float) data: the float result carries the
    // float rounding of a k-term sum, (k + 2)·u_float·Σ|terms|; we allow twice that.
    [Fact]
    public void FloatAgreesWithDouble()
    {
        foreach ((int batch, int inputs, int outputs) in DenseShapes.All<float>().Where((_, i) => i % 7 == 0))
        {
            DenseCase<float> f = DenseCase<float>.Create(batch, inputs, outputs);
            double[] x = TestData.Convert<float, double>(f.X), w = TestData.Convert<float, double>(f.W), b = TestData.Convert<float, double>(f.B);
            double[] dy = TestData.Convert<float, double>(f.Dy);
            string where = f.Describe("float vs double");

            var yf = new float[batch * outputs];
            var yd = new double[batch * outputs];
            DenseKernels.DenseForward<float>(yf, f.X, f.W, f.B, batch, inputs, outputs);
            DenseKernels.DenseForward<double>(yd, x, w, b, batch, inputs, outputs);
            Tolerance.Close<double, float>(yd, yf, DenseCase<float>.Relative(inputs + 1), 1e-30, where + " forward", TestData.Convert<float, double>(f.YBound));

            var dxf = new float[batch * inputs];
            var dxd = new double[batch * inputs];
            DenseKernels.DenseBackwardData<float>(dxf, f.Dy, f.W, batch, inputs, outputs);
            DenseKernels.DenseBackwardData<double>(dxd, dy, w, batch, inputs, outputs);
            Tolerance.Close<double, float>(dxd, dxf, DenseCase<float>.Relative(outputs), 1e-30, where + " backward-data", TestData.Convert<float, double>(f.DxBound));

            float[] dwf = (float[])f.DwPrefill.Clone();
            double[] dwd = TestData.Convert<float, double>(f.DwPrefill);
            DenseKernels.DenseBackwardWeights<float>(dwf, f.Dy, f.X, batch, inputs, outputs);
            DenseKernels.DenseBackwardWeights<double>(dwd, dy, x, batch, inputs, outputs);
            Tolerance.Close<double, float>(dwd, dwf, DenseCase<float>.Relative(batch + 1), 1e-30, where + " backward-weights", TestData.Convert<float, double>(f.DwBound));

            float[] dbf = (float[])f.DbPrefill.Clone();
            double[] dbd = TestData.Convert<float, double>(f.DbPrefill);
            DenseKernels.DenseBackwardBias<float>(dbf, f.Dy, batch, outputs);
            DenseKernels.DenseBackwardBias<double>(dbd, dy, batch, outputs);
            Tolerance.Close<double, float>(dbd, dbf, DenseCase<float>.Relative(batch + 1), 1e-30, where + " backward-bias", TestData.Convert<float, double>(f.DbBound));
        }
    }

    [Fact]
    public void FusedActivationMatchesSeparatePasses_Float() => FusedActivationMatchesSeparatePasses<float>();

    [Fact]
    public void FusedActivationMatchesSeparatePasses_Double() => FusedActivationMatchesSeparatePasses<double>();

    // DenseForward(z, a, f, …) writes the same Z as DenseForward(y, …) and a = f(Z) to a few ulps of the scalar f,
    // whether f is fused into the GEMM's epilogue (ReLU, leaky ReLU, GELU) or run after it (sigmoid, tanh, identity).
    private static void FusedActivationMatchesSeparatePasses<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        foreach ((int batch, int inputs, int outputs) in DenseShapes.All<T>().Where((_, i) => i % 3 == 0))
        {
            DenseCase<T> c = DenseCase<T>.Create(batch, inputs, outputs);
            foreach (Activation activation in Enum.GetValues<Activation>())
            {
                T[] z = TestData.Nan<T>(batch * outputs);
                T[] a = TestData.Nan<T>(batch * outputs);
                DenseKernels.DenseForward<T>(z, a, activation, c.X, c.W, c.B, batch, inputs, outputs);
                c.CheckForward(z, bias: true, $"fused {activation}");

                var expected = new T[batch * outputs];
                ScalarReference.ActivationForward<T>(activation, z, expected);
                double ulps = 16 * Tolerance.UnitRoundoff<T>();
                Tolerance.Close<T, T>(expected, a, ulps, ulps, c.Describe($"fused {activation} a = f(z)"));
            }
        }
    }

    [Fact]
    public void FusedForwardRejectsBadArguments()
    {
        double[] x = new double[2 * 3], w = new double[4 * 3], b = new double[4], z = new double[2 * 4], a = new double[2 * 4];
        AssertLength("z", 9, 8, () => DenseKernels.DenseForward<double>(new double[9], a, Activation.Relu, x, w, b, 2, 3, 4));
        AssertLength("a", 7, 8, () => DenseKernels.DenseForward<double>(z, new double[7], Activation.Relu, x, w, b, 2, 3, 4));
        AssertLength("x", 5, 6, () => DenseKernels.DenseForward<double>(z, a, Activation.Relu, new double[5], w, b, 2, 3, 4));
        var shared = new double[16];
        Assert.Equal("a", Assert.Throws<ArgumentException>(() => DenseKernels.DenseForward<double>(shared.AsSpan(0, 8), shared.AsSpan(4, 8), Activation.Tanh, x, w, b, 2, 3, 4)).ParamName);
        Assert.Equal("z", Assert.Throws<ArgumentException>(() => DenseKernels.DenseForward<double>(shared.AsSpan(0, 8), a, Activation.Tanh, shared.AsSpan(7, 6), w, b, 2, 3, 4)).ParamName);
        Assert.Equal("activation", Assert.Throws<ArgumentOutOfRangeException>(() => DenseKernels.DenseForward<double>(z, a, (Activation)99, x, w, b, 2, 3, 4)).ParamName);
    }

    [Fact]
    public void WrongLengthsNameTheArgumentAndBothSizes()
    {
        double[] x = new double[2 * 3], w = new double[4 * 3], b = new double[4], y = new double[2 * 4], dy = new double[2 * 4];
        double[] dx = new double[2 * 3], dw = new double[4 * 3], db = new double[4];

        AssertLength("y", 9, 8, () => DenseKernels.DenseForward<double>(new double[9], x, w, b, 2, 3, 4));
        AssertLength("x", 7, 6, () => DenseKernels.DenseForward<double>(y, new double[7], w, b, 2, 3, 4));
        AssertLength("w", 11, 12, () => DenseKernels.DenseForward<double>(y, x, new double[11], b, 2, 3, 4));
        AssertLength("b", 5, 4, () => DenseKernels.DenseForward<double>(y, x, w, new double[5], 2, 3, 4));

        AssertLength("dx", 5, 6, () => DenseKernels.DenseBackwardData<double>(new double[5], dy, w, 2, 3, 4));
        AssertLength("dy", 9, 8, () => DenseKernels.DenseBackwardData<double>(dx, new double[9], w, 2, 3, 4));
        AssertLength("w", 13, 12, () => DenseKernels.DenseBackwardData<double>(dx, dy, new double[13], 2, 3, 4));

        AssertLength("dw", 11, 12, () => DenseKernels.DenseBackwardWeights<double>(new double[11], dy, x, 2, 3, 4));
        AssertLength("dy", 7, 8, () => DenseKernels.DenseBackwardWeights<double>(dw, new double[7], x, 2, 3, 4));
        AssertLength("x", 5, 6, () => DenseKernels.DenseBackwardWeights<double>(dw, dy, new double[5], 2, 3, 4));

        AssertLength("db", 3, 4, () => DenseKernels.DenseBackwardBias<double>(new double[3], dy, 2, 4));
        AssertLength("dy", 10, 8, () => DenseKernels.DenseBackwardBias<double>(db, new double[10], 2, 4));
    }

    [Fact]
    public void BadDimensionsAreRejected()
    {
        double[] empty = [];
        Assert.Equal("batch", Assert.ThrowsAny<ArgumentException>(() => DenseKernels.DenseForward<double>(empty, empty, new double[3], empty, -1, 3, 1)).ParamName);
        Assert.Equal("inputs", Assert.ThrowsAny<ArgumentException>(() => DenseKernels.DenseForward<double>(empty, empty, empty, empty, 0, 0, 1)).ParamName);
        Assert.Equal("outputs", Assert.ThrowsAny<ArgumentException>(() => DenseKernels.DenseBackwardData<double>(empty, empty, empty, 0, 1, 0)).ParamName);
        Assert.Equal("outputs", Assert.ThrowsAny<ArgumentException>(() => DenseKernels.DenseBackwardBias<double>(empty, empty, 0, 0)).ParamName);
    }

    [Fact]
    public void OverlapIsRejected()
    {
        var buffer = new double[64];
        Span<double> all = buffer;

        // y [2, 2] sharing memory with x [2, 3], w [2, 3] or b [2].
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => DenseKernels.DenseForward<double>(buffer.AsSpan(2, 4), buffer.AsSpan(0, 6), new double[6], new double[2], 2, 3, 2)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => DenseKernels.DenseForward<double>(buffer.AsSpan(0, 4), new double[6], buffer.AsSpan(3, 6), new double[2], 2, 3, 2)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => DenseKernels.DenseForward<double>(buffer.AsSpan(0, 4), new double[6], new double[6], buffer.AsSpan(3, 2), 2, 3, 2)).ParamName);
        Assert.Equal("dx", Assert.Throws<ArgumentException>(() => DenseKernels.DenseBackwardData<double>(buffer.AsSpan(0, 6), buffer.AsSpan(5, 4), new double[6], 2, 3, 2)).ParamName);
        Assert.Equal("dx", Assert.Throws<ArgumentException>(() => DenseKernels.DenseBackwardData<double>(buffer.AsSpan(0, 6), new double[4], buffer.AsSpan(0, 6), 2, 3, 2)).ParamName);
        Assert.Equal("dw", Assert.Throws<ArgumentException>(() => DenseKernels.DenseBackwardWeights<double>(buffer.AsSpan(0, 6), buffer.AsSpan(1, 4), new double[6], 2, 3, 2)).ParamName);
        Assert.Equal("dw", Assert.Throws<ArgumentException>(() => DenseKernels.DenseBackwardWeights<double>(buffer.AsSpan(10, 6), new double[4], buffer.AsSpan(15, 6), 2, 3, 2)).ParamName);
        Assert.Equal("db", Assert.Throws<ArgumentException>(() => DenseKernels.DenseBackwardBias<double>(buffer.AsSpan(0, 2), buffer.AsSpan(1, 4), 2, 2)).ParamName);
        Assert.True(all.Length == 64);
    }

    internal static void AssertLength(string paramName, int actual, int expected, Action action)
    {
        ArgumentException exception = Assert.ThrowsAny<ArgumentException>(action);
        Assert.Equal(paramName, exception.ParamName);
        Assert.Contains(actual.ToString(System.Globalization.CultureInfo.InvariantCulture), exception.Message, StringComparison.Ordinal);
        Assert.Contains(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), exception.Message, StringComparison.Ordinal);
    }

    private static void MatchScalarReference<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        foreach ((int batch, int inputs, int outputs) in DenseShapes.All<T>())
        {
            DenseCase<T> c = DenseCase<T>.Create(batch, inputs, outputs);

            // β = 0: destinations start as NaN, so reading an old value or skipping an element fails.
            T[] y = TestData.Nan<T>(batch * outputs);
            DenseKernels.DenseForward<T>(y, c.X, c.W, c.B, batch, inputs, outputs);
            c.CheckForward(y, bias: true, "dispatch");

            y = TestData.Nan<T>(batch * outputs);
            DenseKernels.DenseForward<T>(y, c.X, c.W, default, batch, inputs, outputs);
            c.CheckForward(y, bias: false, "dispatch");

            T[] dx = TestData.Nan<T>(batch * inputs);
            DenseKernels.DenseBackwardData<T>(dx, c.Dy, c.W, batch, inputs, outputs);
            c.CheckBackwardData(dx, "dispatch");

            // β = 1: a non-zero prefill must be accumulated into.
            T[] dw = (T[])c.DwPrefill.Clone();
            DenseKernels.DenseBackwardWeights<T>(dw, c.Dy, c.X, batch, inputs, outputs);
            c.CheckBackwardWeights(dw, "dispatch");

            T[] db = (T[])c.DbPrefill.Clone();
            DenseKernels.DenseBackwardBias<T>(db, c.Dy, batch, outputs);
            c.CheckBackwardBias(db, "dispatch");
        }
    }
}
