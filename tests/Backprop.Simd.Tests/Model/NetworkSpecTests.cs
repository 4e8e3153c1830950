using Backprop.Simd.Kernels;
using Backprop.Simd.Model;
using Xunit;

namespace Backprop.Simd.Tests.Model;

public class NetworkSpecTests
{
    [Fact]
    public void ParsesSizesAndDefaultActivations()
    {
        NetworkSpec spec = NetworkSpec.Parse("784-256-128-10", Activation.Relu, Activation.Identity, Loss.SoftmaxCrossEntropy);
        Assert.Equal([784, 256, 128, 10], spec.Sizes);
        Assert.Equal([Activation.Relu, Activation.Relu, Activation.Identity], spec.Activations);
        Assert.Equal(Loss.SoftmaxCrossEntropy, spec.Loss);
        Assert.Equal(784, spec.InputSize);
        Assert.Equal(10, spec.OutputSize);
        Assert.Equal(3, spec.LayerCount);
    }

    [Fact]
    public void ParsesPerLayerActivationsAndRoundTrips()
    {
        NetworkSpec spec = NetworkSpec.Parse("64-32:tanh-16:leakyrelu-8:gelu-10:identity", loss: Loss.SoftmaxCrossEntropy);
        Assert.Equal([Activation.Tanh, Activation.LeakyRelu, Activation.Gelu, Activation.Identity], spec.Activations);
    }

    // ToString writes (and the docs name) the leaky ReLU "leaky-relu", but Parse splits the text on '-' first,
    // so "16:leaky-relu" becomes "16:leaky" and "relu": Parse("4-3:leaky-relu") throws "'leaky' is not an activation".
    [Fact]
    public void ToStringRoundTripsThroughParse()
    {
        NetworkSpec spec = NetworkSpec.Parse("64-32:tanh-16:leakyrelu-8:gelu-10:identity", loss: Loss.SoftmaxCrossEntropy);
        NetworkSpec again = NetworkSpec.Parse(spec.ToString(), loss: spec.Loss);
        Assert.Equal(spec.Sizes, again.Sizes);
        Assert.Equal(spec.Activations, again.Activations);
    }

    [Fact]
    public void ToStringRoundTripsWithoutLeakyRelu()
    {
        NetworkSpec spec = NetworkSpec.Parse("64-32:tanh-16:relu-8:gelu-9:sigmoid-10:identity", loss: Loss.SoftmaxCrossEntropy);
        NetworkSpec again = NetworkSpec.Parse(spec.ToString(), loss: spec.Loss);
        Assert.Equal(spec.Sizes, again.Sizes);
        Assert.Equal(spec.Activations, again.Activations);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("10")]
    [InlineData("a-b")]
    [InlineData("10-0-3")]
    [InlineData("10--3")]
    [InlineData("10-3-")]
    [InlineData("-10-3")]
    [InlineData("10:relu-3")]
    [InlineData("10-3:swish")]
    [InlineData("10-3:")]
    [InlineData("10-+3")]
    [InlineData("10-99999999999")]
    [InlineData("10-5:relu-3:relu")]
    public void RejectsBadStrings(string layers)
        => Assert.ThrowsAny<ArgumentException>(() => NetworkSpec.Parse(layers, Activation.Relu, Activation.Identity, Loss.SoftmaxCrossEntropy));

    [Theory]
    [InlineData(Loss.SoftmaxCrossEntropy)]
    [InlineData(Loss.SigmoidCrossEntropy)]
    public void CrossEntropyRequiresIdentityOutput(Loss loss)
    {
        Assert.ThrowsAny<ArgumentException>(() => NetworkSpec.Parse("4-3", output: Activation.Sigmoid, loss: loss));
        Assert.ThrowsAny<ArgumentException>(() => NetworkSpec.Parse("4-5-3:relu", loss: loss));
        Assert.Equal("activations", Assert.ThrowsAny<ArgumentException>(() => new NetworkSpec([4, 3], [Activation.Tanh], loss)).ParamName);
        _ = NetworkSpec.Parse("4-3", output: Activation.Sigmoid, loss: Loss.SquaredError);
    }

    [Fact]
    public void ConstructorRejectsInconsistentArguments()
    {
        Assert.Equal("sizes", Assert.ThrowsAny<ArgumentException>(() => new NetworkSpec([4], [], Loss.SquaredError)).ParamName);
        Assert.Equal("sizes", Assert.ThrowsAny<ArgumentException>(() => new NetworkSpec([4, -1], [Activation.Relu], Loss.SquaredError)).ParamName);
        Assert.Equal("activations", Assert.ThrowsAny<ArgumentException>(() => new NetworkSpec([4, 3], [Activation.Relu, Activation.Relu], Loss.SquaredError)).ParamName);
        Assert.Equal("activations", Assert.ThrowsAny<ArgumentException>(() => new NetworkSpec([4, 3], [(Activation)77], Loss.SquaredError)).ParamName);
        Assert.Equal("loss", Assert.ThrowsAny<ArgumentException>(() => new NetworkSpec([4, 3], [Activation.Identity], (Loss)77)).ParamName);
    }
}
