using Backprop.Simd.Kernels;
using Backprop.Simd.Model;
using Backprop.Simd.Tests.Support;
using Xunit;

namespace Backprop.Simd.Tests.Model;

public sealed class InferenceModelTests
{
    private static readonly NetworkSpec s_spec = NetworkSpec.Parse("37-29:tanh-17:gelu-10");

    [Fact]
    public void PredictsLikeTheNetworkItWasTakenFrom()
    {
        var network = new Network<double>(s_spec, maxBatch: 7, seed: 3);
        InferenceModel<double> model = network.ToInferenceModel();
        double[] inputs = TestData.Uniform<double>(new Random(1), 7 * 37, -1, 1);

        double[] expected = network.Forward(inputs, 7).ToArray();
        double[] batch = new double[70];
        model.Predict(inputs, batch, 7, model.CreateWorkspace(maxBatch: 7));
        double[] one = new double[10];
        model.Predict(inputs.AsSpan(0, 37), one);

        // The model reads transposed weights (another summation order than the network's kernels): equal to rounding.
        Tolerance.Close<double, double>(expected, batch, 1e-13, 1e-13, "batch of 7");
        Tolerance.Close<double, double>(expected.AsSpan(0, 10), one, 1e-13, 1e-13, "one sample");
    }

    // Batches of 16 through layers at least 32 wide take the packed product from the model's transposed weights (a copy
    // pack); one sample takes Gemv; 5 samples the axpy kernel on Wᵀ. Each against the network's own kernels.
    [Theory]
    [InlineData(16)]
    [InlineData(5)]
    [InlineData(1)]
    public void TransposedWeightPathsMatchTheNetwork(int batch)
    {
        NetworkSpec spec = NetworkSpec.Parse("50-64:gelu-40:relu-33");
        var network = new Network<double>(spec, maxBatch: batch, seed: 8);
        InferenceModel<double> model = network.ToInferenceModel();
        double[] inputs = TestData.Uniform<double>(new Random(9), batch * 50, -1, 1);
        double[] expected = network.Forward(inputs, batch).ToArray();
        double[] actual = new double[batch * 33];
        model.Predict(inputs, actual, batch, model.CreateWorkspace(maxBatch: batch));
        Tolerance.Close<double, double>(expected, actual, 1e-12, 1e-12, $"batch {batch}");
    }

    [Fact]
    public void IsASnapshotThatLaterTrainingDoesNotChange()
    {
        var network = new Network<float>(s_spec, maxBatch: 4, seed: 1);
        InferenceModel<float> model = network.ToInferenceModel();
        float[] before = model.Parameters.ToArray();
        float[] inputs = TestData.Uniform<float>(new Random(2), 4 * 37, -1, 1);
        float[] targets = new float[40];
        for (int i = 0; i < 4; i++)
        {
            targets[(i * 10) + i] = 1;
        }

        network.TrainStep(inputs, targets, 4, 0.5f);

        Assert.Equal(before, model.Parameters.ToArray());
        Assert.NotEqual(before, network.Parameters.ToArray());
    }

    [Fact]
    public void ChunksBatchesLargerThanTheWorkspace()
    {
        InferenceModel<float> model = new Network<float>(s_spec, 1, seed: 5).ToInferenceModel();
        float[] inputs = TestData.Uniform<float>(new Random(3), 23 * 37, -2, 2);
        float[] whole = new float[230];
        float[] chunked = new float[230];

        model.Predict(inputs, whole, 23, model.CreateWorkspace(23));
        model.Predict(inputs, chunked, 23, model.CreateWorkspace(4));

        Assert.Equal(whole, chunked, new RelativeComparer(1e-6f));
    }

    [Fact]
    public void ManyThreadsOnOneModelMatchASingleThreadBitForBit()
    {
        InferenceModel<float> model = new Network<float>(NetworkSpec.Parse("64-96-48:leaky-relu-10"), 1, seed: 9).ToInferenceModel();
        const int Samples = 200;
        float[] inputs = TestData.Uniform<float>(new Random(4), Samples * 64, -1, 1);
        float[] expected = new float[Samples * 10];
        for (int i = 0; i < Samples; i++)
        {
            model.Predict(inputs.AsSpan(i * 64, 64), expected.AsSpan(i * 10, 10));
        }

        const int Threads = 8;
        int mismatches = 0;
        using var start = new Barrier(Threads);
        Thread[] threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            var output = new float[10];
            InferenceWorkspace<float> own = model.CreateWorkspace();
            start.SignalAndWait();
            for (int round = 0; round < 20; round++)
            {
                for (int k = 0; k < Samples; k++)
                {
                    int i = (k * 7 + t * 13 + round) % Samples;
                    if (t % 2 == 0)
                    {
                        model.Predict(inputs.AsSpan(i * 64, 64), output);
                    }
                    else
                    {
                        model.Predict(inputs.AsSpan(i * 64, 64), output, 1, own);
                    }

                    if (!output.AsSpan().SequenceEqual(expected.AsSpan(i * 10, 10)))
                    {
                        Interlocked.Increment(ref mismatches);
                    }
                }
            }
        })).ToArray();

        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        Assert.Equal(0, mismatches);
    }

    [Fact]
    public void ReadersOfASlotAlwaysSeeAWholeModelWhileATrainerPublishes()
    {
        // Each published model has every weight and bias equal to one value v, so a reader that saw a mix of
        // two models would get an output that is no model's output.
        NetworkSpec spec = NetworkSpec.Parse("8-4:identity-2:identity", loss: Loss.SquaredError);
        InferenceModel<double> Uniform(double v)
        {
            var parameters = new double[spec.ParameterCount];
            Array.Fill(parameters, v);
            return new InferenceModel<double>(spec, parameters);
        }

        // With all parameters v and an input of ones: hidden = 8v + v = 9v, output = 4·v·9v + v = 36v² + v.
        static double Output(double v) => (36 * v * v) + v;

        var slot = new ModelSlot<double>(Uniform(0));
        var input = new double[8];
        Array.Fill(input, 1.0);
        int torn = 0;
        bool done = false;
        var readers = Enumerable.Range(0, 3).Select(_ => new Thread(() =>
        {
            var output = new double[2];
            while (!Volatile.Read(ref done))
            {
                slot.Current.Predict(input, output);
                double y = output[0];
                double v = (-1 + Math.Sqrt(1 + (144 * y))) / 72;
                double nearest = Math.Round(v * 1000) / 1000;
                if (Math.Abs(Output(nearest) - y) > 1e-9 || output[1] != y)
                {
                    Interlocked.Increment(ref torn);
                }
            }
        })).ToArray();
        foreach (Thread reader in readers)
        {
            reader.Start();
        }

        for (int i = 1; i <= 2000; i++)
        {
            slot.Publish(Uniform(i / 1000.0));
        }

        Volatile.Write(ref done, true);
        foreach (Thread reader in readers)
        {
            reader.Join();
        }

        Assert.Equal(0, torn);
        Assert.Equal(2.0, slot.Current.Parameters[0]);
    }

    [Fact]
    public void SlotRejectsAModelOfAnotherShape()
    {
        var slot = new ModelSlot<float>(new Network<float>(s_spec, 1).ToInferenceModel());

        ArgumentException error = Assert.Throws<ArgumentException>(() => slot.Publish(new Network<float>(NetworkSpec.Parse("36-10"), 1).ToInferenceModel()));

        Assert.Equal("model", error.ParamName);
        Assert.Contains("36", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PredictAllocatesNothingAfterWarmUp()
    {
        InferenceModel<float> model = new Network<float>(s_spec, 1, seed: 2).ToInferenceModel();
        float[] inputs = TestData.Uniform<float>(new Random(5), 5 * 37, -1, 1);
        float[] outputs = new float[50];
        InferenceWorkspace<float> workspace = model.CreateWorkspace(2);

        Allocations.AssertNone("InferenceModel.Predict(one)", () => model.Predict(inputs.AsSpan(0, 37), outputs.AsSpan(0, 10)));
        Allocations.AssertNone("InferenceModel.Predict(batch)", () => model.Predict(inputs, outputs, 5));
        Allocations.AssertNone("InferenceModel.Predict(batch, workspace)", () => model.Predict(inputs, outputs, 5, workspace));

        // A workspace from another model of the same architecture (e.g. a second load of one file) is accepted, free.
        InferenceModel<float> twin = new InferenceModel<float>(NetworkSpec.Parse(s_spec.ToString()), model.Parameters);
        Allocations.AssertNone("InferenceModel.Predict(batch, twin's workspace)", () => twin.Predict(inputs, outputs, 5, workspace));
    }

    [Fact]
    public void ValidatesItsArguments()
    {
        InferenceModel<float> model = new Network<float>(s_spec, 1).ToInferenceModel();

        Assert.Equal("parameters", Assert.Throws<ArgumentException>(() => new InferenceModel<float>(s_spec, new float[3])).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => model.Predict(new float[36], new float[10])).ParamName);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => model.Predict(new float[37], new float[11])).ParamName);
        Assert.Equal("outputs", Assert.Throws<ArgumentException>(() => model.Predict(new float[74], new float[10], 2)).ParamName);
        Assert.Equal("maxBatch", Assert.Throws<ArgumentOutOfRangeException>(() => model.CreateWorkspace(0)).ParamName);
        InferenceWorkspace<float> other = new Network<float>(NetworkSpec.Parse("37-10"), 1).ToInferenceModel().CreateWorkspace();
        Assert.Equal("workspace", Assert.Throws<ArgumentException>(() => model.Predict(new float[37], new float[10], 1, other)).ParamName);
    }

    private sealed class RelativeComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance * Math.Max(1, Math.Max(Math.Abs(x), Math.Abs(y)));

        public int GetHashCode(float obj) => 0;
    }
}
