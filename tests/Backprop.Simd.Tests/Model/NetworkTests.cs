using System.Numerics;
using Backprop.Simd.Kernels;
using Backprop.Simd.Model;
using Backprop.Simd.Tests.Support;
using Xunit;

namespace Backprop.Simd.Tests.Model;

public class NetworkTests
{
    private static readonly float[] s_xorInputs = [0, 0, 0, 1, 1, 0, 1, 1];
    private static readonly float[] s_xorTargets = [0, 1, 1, 0];

    [Fact]
    public void TrainStepLearnsXor()
    {
        var network = new Network<float>(NetworkSpec.Parse("2-8:tanh-1:identity", loss: Loss.SigmoidCrossEntropy), maxBatch: 4, seed: 1);
        float first = network.Evaluate(s_xorInputs, s_xorTargets, 4);
        float loss = first;
        for (int step = 0; step < 2000; step++)
        {
            loss = network.TrainStep(s_xorInputs, s_xorTargets, 4, 0.5f);
        }

        float last = network.Evaluate(s_xorInputs, s_xorTargets, 4);
        Assert.True(last < 0.1f * first, $"loss {first} → {last}");
        Assert.True(last <= loss, $"the final evaluate {last} is not above the last step's loss {loss}");
        var logits = new float[4];
        network.Predict(s_xorInputs, logits, 4);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(s_xorTargets[i] > 0.5f, logits[i] > 0);
        }
    }

    [Fact]
    public void SameSeedGivesIdenticalParameters()
    {
        float[] a = Train(seed: 3);
        float[] b = Train(seed: 3);
        float[] c = Train(seed: 4);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);

        static float[] Train(int seed)
        {
            var network = new Network<float>(NetworkSpec.Parse("2-5:gelu-4:relu-1:identity", loss: Loss.SigmoidCrossEntropy), 4, seed);
            for (int step = 0; step < 50; step++)
            {
                network.TrainStep(s_xorInputs, s_xorTargets, 4, 0.1f);
            }

            return network.Parameters.ToArray();
        }
    }

    [Fact]
    public void InitializeIsSeededAndClearsGradients()
    {
        var network = new Network<double>(NetworkSpec.Parse("3-4-2"), 2, seed: 9);
        double[] initial = network.Parameters.ToArray();
        network.Backpropagate(new double[6], [1, 0, 0, 1], 2);
        network.Update(0.5);
        network.Backpropagate(new double[6], [1, 0, 0, 1], 2);
        network.Initialize(9);
        Assert.Equal(initial, network.Parameters.ToArray());
        Assert.All(network.Gradients.ToArray(), g => Assert.Equal(0, g));
        Assert.All(network.Biases(0).ToArray(), b => Assert.Equal(0, b));
    }

    [Theory]
    [InlineData(Loss.SquaredError)]
    [InlineData(Loss.SoftmaxCrossEntropy)]
    [InlineData(Loss.SigmoidCrossEntropy)]
    public void DivergenceLeavesWeightsAndGradientsUnchanged(Loss loss)
    {
        var network = new Network<double>(new NetworkSpec([3, 4, 2], [Activation.Relu, Activation.Identity], loss), 2, seed: 2);
        double[] inputs = [0.5, -1, 2, 1, 0.25, -0.5];
        double[] targets = [1, 0, 0, 1];
        network.Backpropagate(inputs, targets, 2);
        double[] parameters = network.Parameters.ToArray();
        double[] gradients = network.Gradients.ToArray();

        double[] bad = (double[])inputs.Clone();
        bad[4] = double.NaN;
        DivergenceException exception = Assert.Throws<DivergenceException>(() => network.Backpropagate(bad, targets, 2));
        Assert.True(double.IsNaN(exception.Loss));
        Assert.Throws<DivergenceException>(() => network.TrainStep(bad, targets, 2, 0.1));
        var inputGradients = new double[6];
        Assert.Throws<DivergenceException>(() => network.Backpropagate(bad, targets, 2, inputGradients));

        double[] badTargets = [1, double.NaN, 0, 1];
        Assert.Throws<DivergenceException>(() => network.TrainStep(inputs, badTargets, 2, 0.1));

        Assert.Equal(parameters, network.Parameters.ToArray());
        Assert.Equal(gradients, network.Gradients.ToArray());
    }

    [Theory]
    [InlineData("5-7:relu-3:leakyrelu-4:identity", true)]
    [InlineData("5-9:sigmoid-6:tanh-4:gelu", false)]
    public void PredictOnBatchLargerThanMaxBatchEqualsPerSamplePredict(string layers, bool exact)
    {
        var network = new Network<double>(NetworkSpec.Parse(layers, loss: Loss.SquaredError), maxBatch: 3, seed: 5);
        const int batch = 11;
        double[] inputs = TestData.Uniform<double>(new Random(1), batch * 5, -2, 2);
        var outputs = new double[batch * 4];
        network.Predict(inputs, outputs, batch);
        for (int n = 0; n < batch; n++)
        {
            var one = new double[4];
            network.Predict(inputs.AsSpan(n * 5, 5), one);

            // ReLU-family and identity layers are exact in any chunking; sigmoid/tanh/GELU are vectorized over the
            // whole chunk, whose length picks the width, so they may differ from one sample by a few ulps.
            if (exact)
            {
                Assert.Equal(one, outputs.AsSpan(n * 4, 4).ToArray());
            }
            else
            {
                Tolerance.Close<double, double>(one, outputs.AsSpan(n * 4, 4), 1e-13, 1e-15, $"sample {n}");
            }
        }
    }

    [Fact]
    public void PredictOneEqualsForward()
    {
        var network = new Network<float>(NetworkSpec.Parse("6-8:gelu-3"), maxBatch: 4, seed: 8);
        float[] input = TestData.Uniform<float>(new Random(2), 6, -1, 1);
        var output = new float[3];
        network.Predict(input, output);
        Assert.Equal(network.Forward(input, 1).ToArray(), output);
    }

    // The fused step (W −= μ·dYᵀ·X in the product's store) against Backpropagate + Update: the unpacked kernels (batch
    // 1, 3, 9), the packed forward (batch 40) and the packed weight product with α = −μ (batch 64, 300→256), every
    // activation, float and double.
    [Theory]
    [InlineData("20-40:relu-7", 1)]
    [InlineData("20-40:gelu-33:tanh-7", 3)]
    [InlineData("70-64:leakyrelu-48:sigmoid-10", 40)]
    [InlineData("70-64:relu-48:identity-10", 9)]
    [InlineData("300-256:relu-64:tanh-10", 64)]
    public void FusedTrainStepEqualsBackpropagateThenUpdate(string layers, int batch)
    {
        FusedTrainStepMatches<double>(layers, batch, 1e-12);
        FusedTrainStepMatches<float>(layers, batch, 2e-5);
    }

    private static void FusedTrainStepMatches<T>(string layers, int batch, double tolerance)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        NetworkSpec spec = NetworkSpec.Parse(layers);
        var fused = new Network<T>(spec, maxBatch: batch, seed: 5);
        var separate = new Network<T>(spec, maxBatch: batch, seed: 5);
        var random = new Random(6);
        for (int step = 0; step < 3; step++)
        {
            T[] inputs = TestData.Uniform<T>(random, batch * spec.InputSize, -1, 1);
            T[] targets = TestData.Targets<T>(random, spec.Loss, batch, spec.OutputSize);
            T lossFused = fused.TrainStep(inputs, targets, batch, T.CreateTruncating(0.05));
            Assert.True(fused.LastStepFused, "the step did not take the fused path");
            T lossSeparate = separate.Backpropagate(inputs, targets, batch);
            separate.Update(T.CreateTruncating(0.05));
            Tolerance.Scalar(double.CreateTruncating(lossSeparate), double.CreateTruncating(lossFused), tolerance, $"{layers} b{batch} step {step} loss");
        }

        T[] fusedParameters = fused.Parameters.ToArray();
        Tolerance.Close<T, T>(separate.Parameters.ToArray(), fusedParameters, tolerance, tolerance, $"{layers} b{batch} {typeof(T).Name} parameters");
        Assert.All(fused.Gradients.ToArray(), g => Assert.Equal(T.Zero, g));
    }

    [Fact]
    public void FusedTrainStepDivergenceLeavesWeightsUnchanged()
    {
        var network = new Network<float>(NetworkSpec.Parse("4-40:relu-3"), maxBatch: 8, seed: 4);
        float[] parameters = network.Parameters.ToArray();
        float[] inputs = TestData.Uniform<float>(new Random(1), 8 * 4, -1, 1);
        inputs[5] = float.PositiveInfinity;
        float[] targets = TestData.Targets<float>(new Random(2), network.Spec.Loss, 8, 3);
        Assert.Throws<DivergenceException>(() => network.TrainStep(inputs, targets, 8, 0.1f));
        Assert.Equal(parameters, network.Parameters.ToArray());
    }

    // Gradients accumulated before TrainStep are applied with the step's own, as Backpropagate + Update would.
    [Fact]
    public void TrainStepAppliesPendingGradients()
    {
        NetworkSpec spec = NetworkSpec.Parse("6-40:relu-3");
        var network = new Network<double>(spec, maxBatch: 9, seed: 2);
        var reference = new Network<double>(spec, maxBatch: 9, seed: 2);
        var random = new Random(3);
        double[] first = TestData.Uniform<double>(random, 9 * 6, -1, 1), second = TestData.Uniform<double>(random, 9 * 6, -1, 1);
        double[] targets = TestData.Targets<double>(random, spec.Loss, 9, 3);

        network.Backpropagate(first, targets, 9);
        network.TrainStep(second, targets, 9, 0.1);
        reference.Backpropagate(first, targets, 9);
        reference.Backpropagate(second, targets, 9);
        reference.Update(0.1);

        Tolerance.Close<double, double>(reference.Parameters.ToArray(), network.Parameters.ToArray(), 1e-12, 1e-12, "pending gradients");
        Assert.All(network.Gradients.ToArray(), g => Assert.Equal(0.0, g));
    }

    [Fact]
    public void UpdateIsGradientDescentAndClearsGradients()
    {
        var network = new Network<double>(NetworkSpec.Parse("3-4:tanh-2", loss: Loss.SquaredError), 2, seed: 6);
        network.Backpropagate([0.1, 0.2, 0.3, -1, 0, 1], [1, -1, 0.5, 0], 2);
        double[] before = network.Parameters.ToArray();
        double[] gradients = network.Gradients.ToArray();
        Assert.Contains(gradients, g => g != 0);
        network.Update(0.25);
        for (int i = 0; i < before.Length; i++)
        {
            Assert.Equal(before[i] - (0.25 * gradients[i]), network.Parameters[i], 1e-15);
        }

        Assert.All(network.Gradients.ToArray(), g => Assert.Equal(0, g));
    }

    [Fact]
    public void BackpropagateAccumulatesGradients()
    {
        var network = new Network<double>(NetworkSpec.Parse("3-4:relu-2", loss: Loss.SquaredError), 2, seed: 6);
        double[] inputs = [0.1, 0.2, 0.3, -1, 0, 1];
        double[] targets = [1, -1, 0.5, 0];
        network.Backpropagate(inputs, targets, 2);
        double[] once = network.Gradients.ToArray();
        network.Backpropagate(inputs, targets, 2);
        Tolerance.Close<double, double>(once.Select(g => 2 * g).ToArray(), network.Gradients, 1e-15, 0, "twice");
    }

    [Fact]
    public void LayerViewsMatchTheParameterLayout()
    {
        var network = new Network<float>(NetworkSpec.Parse("3-4-2"), 1);
        Assert.Equal(3 * 4 + 4 + (4 * 2) + 2, network.Parameters.Length);
        Assert.Equal(12, network.Weights(0).Length);
        Assert.Equal(4, network.Biases(0).Length);
        Assert.Equal(8, network.Weights(1).Length);
        Assert.Equal(2, network.BiasGradients(1).Length);
        network.Weights(1)[0] = 42;
        Assert.Equal(42, network.Parameters[16]);
        Assert.ThrowsAny<ArgumentException>(() => network.Weights(2));
        Assert.ThrowsAny<ArgumentException>(() => network.Biases(-1));
    }

    // Predict(input, output) forwards to Predict(inputs, outputs, 1), so its exceptions name the batch overload's
    // parameters ("inputs", "outputs") instead of its own ("input", "output").
    [Fact]
    public void PredictOneNamesItsOwnArguments()
    {
        var network = new Network<double>(NetworkSpec.Parse("3-4-2"), maxBatch: 4);
        Kernels.DenseKernelsTests.AssertLength("output", 3, 2, () => network.Predict(new double[3], new double[3]));
        Kernels.DenseKernelsTests.AssertLength("input", 4, 3, () => network.Predict(new double[4], new double[2]));
    }

    [Fact]
    public void ValidationNamesTheArgument()
    {
        var network = new Network<double>(NetworkSpec.Parse("3-4-2"), maxBatch: 4);
        double[] x = new double[3 * 5], t = new double[2 * 5];

        Assert.Equal("batch", Assert.ThrowsAny<ArgumentException>(() => network.Forward(x, 5)).ParamName);
        Assert.Equal("batch", Assert.ThrowsAny<ArgumentException>(() => network.Forward([], 0)).ParamName);
        Assert.Equal("batch", Assert.ThrowsAny<ArgumentException>(() => network.Backpropagate(x, t, 5)).ParamName);
        Assert.Equal("batch", Assert.ThrowsAny<ArgumentException>(() => network.TrainStep(x, t, 5, 0.1)).ParamName);
        Assert.Equal("batch", Assert.ThrowsAny<ArgumentException>(() => network.Evaluate(x, t, 5)).ParamName);
        Assert.Equal("batch", Assert.ThrowsAny<ArgumentException>(() => network.Predict([], [], 0)).ParamName);

        Kernels.DenseKernelsTests.AssertLength("inputs", 7, 6, () => network.Forward(new double[7], 2));
        Kernels.DenseKernelsTests.AssertLength("inputs", 5, 6, () => network.Backpropagate(new double[5], new double[4], 2));
        Kernels.DenseKernelsTests.AssertLength("targets", 5, 4, () => network.Backpropagate(new double[6], new double[5], 2));
        Kernels.DenseKernelsTests.AssertLength("targets", 3, 4, () => network.Evaluate(new double[6], new double[3], 2));
        Kernels.DenseKernelsTests.AssertLength("inputGradients", 5, 6, () => network.Backpropagate(new double[6], new double[4], 2, new double[5]));
        Kernels.DenseKernelsTests.AssertLength("inputs", 16, 15, () => network.Predict(new double[16], new double[10], 5));
        Kernels.DenseKernelsTests.AssertLength("outputs", 9, 10, () => network.Predict(new double[15], new double[9], 5));

        Assert.ThrowsAny<ArgumentException>(() => new Network<double>(NetworkSpec.Parse("3-4-2"), maxBatch: 0));
        Assert.Throws<ArgumentNullException>(() => new Network<double>(null!, maxBatch: 1));
    }
}
