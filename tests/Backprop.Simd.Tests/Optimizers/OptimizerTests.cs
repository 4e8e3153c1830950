using System.Numerics;
using System.Numerics.Tensors;
using Backprop.Simd.Optimizers;
using Backprop.Simd.Tests.Kernels;
using Backprop.Simd.Tests.Support;
using Xunit;

namespace Backprop.Simd.Tests.Optimizers;

/// <summary>What every optimizer promises beyond its rule: clipping, refusal of a non-finite norm, validation,
/// state reset, gradients kept on request, and zero allocations per step.</summary>
public class OptimizerTests
{
    private const int Length = 45;

    public static TheoryData<string> Kinds() => new() { "sgd", "momentum", "adam", "adamw", "rmsprop" };

    [Fact]
    public void ClippedGradientHasExactlyTheClipNorm()
    {
        // Plain SGD at lr 1 applies Δw = −s·g, so ‖Δw‖ is the norm of the gradient the kernel used.
        var random = new Random(1);
        double[] g = TestData.Uniform<double>(random, Length, -3, 3);
        double norm = TensorPrimitives.Norm<double>(g);
        Assert.True(norm > 2);
        var optimizer = new Sgd<double>(Length) { ClipNorm = 2 };
        double[] w = new double[Length];
        double[] raw = (double[])g.Clone();

        double decrease = optimizer.Step(w, g, 1.0);

        Assert.Equal(2.0, TensorPrimitives.Norm<double>(w), 1e-14);
        for (int i = 0; i < Length; i++)
        {
            Assert.Equal(-raw[i] * 2 / norm, w[i], 1e-14);
        }

        // Plain SGD: the predicted decrease is lr·s·‖g‖².
        Assert.Equal(2 / norm * norm * norm, decrease, 1e-12);
    }

    [Fact]
    public void GradientBelowClipNormIsNotScaled()
    {
        double[] g = [0.3, -0.4];
        var optimizer = new Sgd<double>(2) { ClipNorm = 1 };
        double[] w = new double[2];
        optimizer.Step(w, g, 1.0);
        Assert.Equal([-0.3, 0.4], w);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void NonFiniteNormWithClippingThrowsAndTouchesNothing(string kind)
    {
        foreach (double bad in new[] { double.NaN, double.PositiveInfinity })
        {
            Optimizer<float> optimizer = Create<float>(kind, clipNorm: 1);
            Optimizer<float> twin = Create<float>(kind, clipNorm: 1);
            var random = new Random(3);
            float[] w = TestData.Uniform<float>(random, Length, -1, 1);
            float[] first = TestData.Uniform<float>(random, Length, -1, 1);
            float[] next = TestData.Uniform<float>(random, Length, -1, 1);
            float[] wTwin = (float[])w.Clone();
            optimizer.Step(w, (float[])first.Clone(), 0.1f);
            twin.Step(wTwin, (float[])first.Clone(), 0.1f);
            float[] g = TestData.Uniform<float>(random, Length, -1, 1);
            g[Length / 2] = (float)bad;
            float[] wBefore = (float[])w.Clone(), gBefore = (float[])g.Clone();

            Assert.Throws<ArithmeticException>(() => optimizer.Step(w, g, 0.1f));

            Assert.Equal(wBefore, w);
            Assert.Equal(gBefore, g);
            Assert.Equal(1, optimizer.Steps);

            // The state is untouched too: the next step matches a twin that never saw the bad gradient.
            optimizer.Step(w, (float[])next.Clone(), 0.1f);
            twin.Step(wTwin, (float[])next.Clone(), 0.1f);
            Assert.Equal(wTwin, w);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ResetForgetsTheState(string kind)
    {
        Optimizer<double> optimizer = Create<double>(kind, clipNorm: null);
        var random = new Random(5);
        double[] w0 = TestData.Uniform<double>(random, Length, -1, 1);
        double[] g1 = TestData.Uniform<double>(random, Length, -1, 1);
        double[] g2 = TestData.Uniform<double>(random, Length, -1, 1);

        double[] fresh = (double[])w0.Clone();
        optimizer.Step(fresh, (double[])g2.Clone(), 0.1);

        optimizer.Reset();
        Assert.Equal(0, optimizer.Steps);
        optimizer.Step(new double[Length], g1, 0.1);
        optimizer.Reset();
        double[] again = (double[])w0.Clone();
        optimizer.Step(again, (double[])g2.Clone(), 0.1);

        Assert.Equal(fresh, again);
        Assert.Equal(1, optimizer.Steps);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void GradientsAreKeptWhenNotCleared(string kind)
    {
        Optimizer<float> optimizer = Create<float>(kind, clipNorm: 0.5);
        var random = new Random(6);
        float[] w = TestData.Uniform<float>(random, Length, -1, 1);
        float[] g = TestData.Uniform<float>(random, Length, -1, 1);
        float[] gBefore = (float[])g.Clone();
        optimizer.Step(w, g, 0.1f, clearGradients: false);
        Assert.Equal(gBefore, g);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void StepAllocatesNothing(string kind)
    {
        AssertStepAllocatesNothing<float>(kind);
        AssertStepAllocatesNothing<double>(kind);
    }

    [Fact]
    public void WrongLengthsNameTheArgumentAndBothSizes()
    {
        var optimizer = new Adam<double>(6);
        DenseKernelsTests.AssertLength("parameters", 5, 6, () => optimizer.Step(new double[5], new double[6], 0.1));
        DenseKernelsTests.AssertLength("gradients", 7, 6, () => optimizer.Step(new double[6], new double[7], 0.1));
    }

    [Fact]
    public void OverlapIsRejected()
    {
        var buffer = new double[12];
        var optimizer = new Sgd<double>(6);
        Assert.Equal("parameters", Assert.Throws<ArgumentException>(() => optimizer.Step(buffer.AsSpan(0, 6), buffer.AsSpan(3, 6), 0.1)).ParamName);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void BadLearningRateIsRejected(double learningRate)
        => Assert.Equal(
            "learningRate",
            Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd<double>(2).Step(new double[2], new double[2], learningRate)).ParamName);

    [Fact]
    public void HyperParametersAreValidated()
    {
        AssertOutOfRange("parameterCount", () => new Sgd<float>(-1));
        AssertOutOfRange("momentum", () => new Sgd<float>(1, momentum: 1));
        AssertOutOfRange("momentum", () => new Sgd<float>(1, momentum: -0.1));
        AssertOutOfRange("weightDecay", () => new Sgd<float>(1, weightDecay: -1));
        AssertOutOfRange("weightDecay", () => new Sgd<float>(1, weightDecay: double.PositiveInfinity));
        Assert.Equal("nesterov", Assert.Throws<ArgumentException>(() => new Sgd<float>(1, nesterov: true)).ParamName);
        AssertOutOfRange("beta1", () => new Adam<float>(1, beta1: 1));
        AssertOutOfRange("beta2", () => new Adam<float>(1, beta2: double.NaN));
        AssertOutOfRange("epsilon", () => new Adam<float>(1, epsilon: 0));
        AssertOutOfRange("weightDecay", () => new AdamW<float>(1, weightDecay: -0.01));
        AssertOutOfRange("alpha", () => new RmsProp<float>(1, alpha: 1.5));
        AssertOutOfRange("epsilon", () => new RmsProp<float>(1, epsilon: -1));
        AssertOutOfRange("momentum", () => new RmsProp<float>(1, momentum: 1));
        AssertOutOfRange("ClipNorm", () => new Sgd<float>(1) { ClipNorm = 0 });
        AssertOutOfRange("ClipNorm", () => new Sgd<float>(1) { ClipNorm = double.NaN });
    }

    [Fact]
    public void DefaultsArePyTorchs()
    {
        var adam = new Adam<float>(1);
        Assert.Equal((0.9, 0.999, 1e-8, 0.0), (adam.Beta1, adam.Beta2, adam.Epsilon, adam.WeightDecay));
        Assert.Equal(0.01, new AdamW<float>(1).WeightDecay);
        var rms = new RmsProp<float>(1);
        Assert.Equal((0.99, 1e-8, 0.0, 0.0), (rms.Alpha, rms.Epsilon, rms.Momentum, rms.WeightDecay));
        Assert.Null(rms.ClipNorm);
    }

    internal static Optimizer<T> Create<T>(string kind, double? clipNorm, int length = Length)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => kind switch
        {
            "sgd" => new Sgd<T>(length) { ClipNorm = clipNorm },
            "momentum" => new Sgd<T>(length, momentum: 0.9, nesterov: true, weightDecay: 1e-3) { ClipNorm = clipNorm },
            "adam" => new Adam<T>(length, weightDecay: 1e-3) { ClipNorm = clipNorm },
            "adamw" => new AdamW<T>(length) { ClipNorm = clipNorm },
            _ => new RmsProp<T>(length, momentum: 0.5, weightDecay: 1e-3) { ClipNorm = clipNorm },
        };

    private static void AssertOutOfRange(string paramName, Action action)
        => Assert.Equal(paramName, Assert.Throws<ArgumentOutOfRangeException>(action).ParamName);

    private static void AssertStepAllocatesNothing<T>(string kind)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new Random(7);
        T[] w = TestData.Uniform<T>(random, 1000, -1, 1);
        T[] g = TestData.Uniform<T>(random, 1000, -1, 1);
        Optimizer<T> plain = Create<T>(kind, clipNorm: null, length: 1000);
        Optimizer<T> clipped = Create<T>(kind, clipNorm: 1, length: 1000);
        T lr = T.CreateTruncating(1e-6);
        Allocations.AssertNone($"{typeof(T).Name} {kind} Step", () => plain.Step(w, g, lr, clearGradients: false));
        Allocations.AssertNone($"{typeof(T).Name} {kind} Step clipped", () => clipped.Step(w, g, lr));
    }

    [Fact]
    public void ClippingHandlesAFloatGradientWhoseSquaresOverflow()
    {
        // ‖g‖² overflows float here (each g² is 1e40), which is exactly when clipping matters: the step is still taken,
        // with the gradient scaled to norm 1.
        var optimizer = new Sgd<float>(4) { ClipNorm = 1 };
        float[] parameters = [0, 0, 0, 0];
        float[] gradients = [1e20f, -1e20f, 1e20f, -1e20f];

        optimizer.Step(parameters, gradients, 0.5f);

        Assert.All(parameters, w => Assert.Equal(0.25f, Math.Abs(w), 1e-6f));
        Assert.Equal(1, optimizer.Steps);
    }
}
