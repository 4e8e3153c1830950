using System.Numerics;
using Backprop.Simd.Kernels;
using Backprop.Simd.Model;
using Backprop.Simd.Optimizers;
using Backprop.Simd.Tests.Kernels;
using Backprop.Simd.Tests.Support;
using Backprop.Simd.Training;
using Xunit;

namespace Backprop.Simd.Tests.Model;

/// <summary><see cref="Network{T}.Update(Optimizer{T}, T)"/>: one fused optimizer step over the network's buffers.</summary>
public class NetworkOptimizerTests
{
    private static readonly double[] s_xorInputs = [0, 0, 0, 1, 1, 0, 1, 1];
    private static readonly double[] s_xorTargets = [0, 1, 1, 0];

    [Fact]
    public void UpdateWithOptimizerStepsTheBuffersAndClearsTheGradients()
    {
        var network = new Network<double>(NetworkSpec.Parse("3-5:tanh-2", loss: Loss.SquaredError), 4, seed: 3);
        var random = new Random(4);
        double[] inputs = TestData.Uniform<double>(random, 12, -1, 1), targets = TestData.Uniform<double>(random, 8, -1, 1);
        network.Backpropagate(inputs, targets, 4);
        double[] parameters = network.Parameters.ToArray(), gradients = network.Gradients.ToArray();

        var twin = new Adam<double>(parameters.Length);
        double expectedDecrease = twin.Step(parameters, gradients, 0.01);
        double decrease = network.Update(new Adam<double>(parameters.Length), 0.01);

        Assert.Equal(parameters, network.Parameters.ToArray());
        Assert.All(network.Gradients.ToArray(), g => Assert.Equal(0, g));
        Assert.Equal(expectedDecrease, decrease);
        Assert.True(decrease > 0);
    }

    [Fact]
    public void OptimizerOfAnotherSizeIsRejected()
    {
        var network = new Network<float>(NetworkSpec.Parse("3-2"), 1);
        DenseKernelsTests.AssertLength("optimizer", 7, network.Parameters.Length, () => network.Update(new Sgd<float>(7), 0.1f));
        Assert.Throws<ArgumentNullException>(() => network.Update(null!, 0.1f));
    }

    [Fact]
    public void UpdateWithOptimizerAllocatesNothing()
    {
        AssertUpdateAllocatesNothing<float>();
        AssertUpdateAllocatesNothing<double>();
    }

    [Fact]
    public void AdamTrainsXorDeterministically()
    {
        (double loss, double[] parameters) = TrainXor();
        Assert.True(loss < 1e-3, $"XOR loss after Adam training is {loss}");
        (double again, double[] parametersAgain) = TrainXor();
        Assert.Equal(loss, again);
        Assert.Equal(parameters, parametersAgain);
    }

    private static (double Loss, double[] Parameters) TrainXor()
    {
        var network = new Network<double>(NetworkSpec.Parse("2-8:tanh-1", loss: Loss.SigmoidCrossEntropy), 4, seed: 7);
        var adam = new Adam<double>(network.Parameters.Length) { ClipNorm = 5 };
        LearningRateSchedule schedule = LearningRateSchedule.CosineWithWarmup(0.05, warmupSteps: 20, totalSteps: 600, minRate: 0.005);
        for (long step = 0; step < 600; step++)
        {
            network.Backpropagate(s_xorInputs, s_xorTargets, 4);
            network.Update(adam, schedule.Rate(step));
        }

        return (network.Evaluate(s_xorInputs, s_xorTargets, 4), network.Parameters.ToArray());
    }

    private static void AssertUpdateAllocatesNothing<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var network = new Network<T>(NetworkSpec.Parse("13-17:gelu-4", loss: Loss.SoftmaxCrossEntropy), 4, seed: 1);
        T learningRate = T.CreateTruncating(1e-6);
        foreach (string kind in new[] { "sgd", "momentum", "adam", "adamw", "rmsprop" })
        {
            Optimizer<T> optimizer = Backprop.Simd.Tests.Optimizers.OptimizerTests.Create<T>(kind, clipNorm: 1, network.Parameters.Length);
            Allocations.AssertNone($"{typeof(T).Name} Update({kind})", () => network.Update(optimizer, learningRate));
        }
    }
}
