using System.Numerics;
using Backprop.Simd.Kernels;
using Backprop.Simd.Model;
using Backprop.Simd.Tests.Support;
using Xunit;

namespace Backprop.Simd.Tests.Model;

/// <summary>After construction and warm-up, the network's hot paths allocate exactly 0 bytes, in float and double.</summary>
public class NetworkAllocationTests
{
    [Fact]
    public void HotPathsAllocateNothing_Float() => HotPathsAllocateNothing<float>();

    [Fact]
    public void HotPathsAllocateNothing_Double() => HotPathsAllocateNothing<double>();

    private static void HotPathsAllocateNothing<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        const int maxBatch = 8, batch = 6, large = 21;
        var network = new Network<T>(NetworkSpec.Parse("13-17:gelu-9:tanh-5:leakyrelu-4:identity", loss: Loss.SoftmaxCrossEntropy), maxBatch, seed: 1);
        var random = new Random(2);
        T[] inputs = TestData.Uniform<T>(random, large * 13, -1, 1);
        T[] targets = TestData.Targets<T>(random, Loss.SoftmaxCrossEntropy, batch, 4);
        T[] outputs = new T[large * 4], inputGradients = new T[batch * 13];
        T learningRate = T.CreateTruncating(1e-6);

        Allocations.AssertNone("Predict one", () => network.Predict(inputs.AsSpan(0, 13), outputs.AsSpan(0, 4)));
        Allocations.AssertNone("Predict batch > MaxBatch", () => network.Predict(inputs, outputs, large));
        Allocations.AssertNone("Forward", () => network.Forward(inputs.AsSpan(0, batch * 13), batch));
        Allocations.AssertNone("Evaluate", () => network.Evaluate(inputs.AsSpan(0, batch * 13), targets, batch));
        Allocations.AssertNone("Backpropagate", () => network.Backpropagate(inputs.AsSpan(0, batch * 13), targets, batch));
        Allocations.AssertNone("Backpropagate with input gradients", () => network.Backpropagate(inputs.AsSpan(0, batch * 13), targets, batch, inputGradients));
        Allocations.AssertNone("Update", () => network.Update(learningRate));
        Allocations.AssertNone("TrainStep", () => network.TrainStep(inputs.AsSpan(0, batch * 13), targets, batch, learningRate));
        Allocations.AssertNone("ClearGradients", network.ClearGradients);
    }
}
