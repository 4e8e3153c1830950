using System.Diagnostics;
using System.Globalization;
using Backprop.Simd.Data;
using Backprop.Simd.Kernels;
using Backprop.Simd.Model;
using Backprop.Simd.Optimizers;

namespace Backprop.Simd.Peers;

/// <summary>
/// W6: Fashion-MNIST training, engine vs TorchSharp-cpu, in one process, on the same data, recipe and batch order.
/// Usage: <c>Backprop.Simd.Peers w6 [--epochs N] [--seeds 1,2,3] [--data DIR]</c>.
/// </summary>
internal static class W6Command
{
    /// <param name="args">The options after the verb.</param>
    /// <returns>The exit code: 0, or 2 for an unknown option.</returns>
    public static int Run(string[] args)
    {
        int epochs = 15;
        int[] seeds = [1, 2, 3];
        string directory = "/usr/share/datasets/fashion-mnist";
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--epochs":
                    epochs = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--seeds":
                    seeds = [.. args[i + 1].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
                    break;
                case "--data":
                    directory = args[i + 1];
                    break;
                default:
                    Console.Error.WriteLine($"unknown option {args[i]}");
                    return 2;
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"W6 Fashion-MNIST, MLP 784-256-128-10 (ReLU), softmax cross-entropy, Adam μ = 0.001, batch 64, {epochs} epochs, one thread each"));
        var rows = new List<(int Seed, W6Result Engine, W6Result Torch)>();
        foreach (int seed in seeds)
        {
            W6Data data = W6Data.Load(directory, seed);
            W6Result torch = TorchSharpW6.Train(data, epochs, seed);
            W6Result engine = EngineW6.Train(data, epochs, seed);
            rows.Add((seed, engine, torch));
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"seed {seed}: engine {engine.Seconds:F1} s, test accuracy {engine.Accuracy:F4}; TorchSharp {torch.Seconds:F1} s, test accuracy {torch.Accuracy:F4}; TorchSharp/engine time {torch.Seconds / engine.Seconds:F2}"));
        }

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"mean: engine {rows.Average(r => r.Engine.Seconds):F1} s at {rows.Average(r => r.Engine.Accuracy):F4}; TorchSharp {rows.Average(r => r.Torch.Seconds):F1} s at {rows.Average(r => r.Torch.Accuracy):F4}; ratio {rows.Average(r => r.Torch.Seconds) / rows.Average(r => r.Engine.Seconds):F2}"));
        return 0;
    }
}

/// <summary>Training time (steps only, the same shuffled batches for both) and the final test accuracy.</summary>
internal readonly record struct W6Result(double Seconds, double Accuracy);

/// <summary>Fashion-MNIST as both contestants see it: min-max scaled on the training set, the same permutation per epoch.</summary>
internal sealed class W6Data
{
    private W6Data(LabeledDataset train, LabeledDataset test, int seed)
    {
        Train = train;
        Test = test;
        Seed = seed;
    }

    public LabeledDataset Train { get; }

    public LabeledDataset Test { get; }

    public int Seed { get; }

    public static W6Data Load(string directory, int seed)
    {
        LabeledDataset train = IdxDatasetReader.ReadDirectory(directory, training: true);
        LabeledDataset test = IdxDatasetReader.ReadDirectory(directory, training: false);
        FeatureScaler scaler = FeatureScaler.FitMinMax(train);
        scaler.Transform(train);
        scaler.Transform(test);
        return new W6Data(train, test, seed);
    }

    /// <summary>The order of the training samples in each epoch (the same for both contestants).</summary>
    public int[][] Orders(int epochs)
    {
        var random = new Random(Seed);
        var order = Enumerable.Range(0, Train.Count).ToArray();
        var orders = new int[epochs][];
        for (int e = 0; e < epochs; e++)
        {
            random.Shuffle(order);
            orders[e] = [.. order];
        }

        return orders;
    }
}

/// <summary>The engine on the W6 recipe: Backpropagate and a fused Adam step per batch.</summary>
internal static class EngineW6
{
    public static W6Result Train(W6Data data, int epochs, int seed)
    {
        const int Batch = 64;
        var network = new Network<float>(NetworkSpec.Parse("784-256-128-10"), Batch, seed);
        var adam = new Adam<float>(network.Parameters.Length);
        int[][] orders = data.Orders(epochs);
        var inputs = new float[Batch * 784];
        var targets = new float[Batch * 10];
        LabeledDataset train = data.Train;
        var stopwatch = Stopwatch.StartNew();
        foreach (int[] order in orders)
        {
            for (int first = 0; first < order.Length; first += Batch)
            {
                int count = Math.Min(Batch, order.Length - first);
                Array.Clear(targets);
                for (int i = 0; i < count; i++)
                {
                    train.Row(order[first + i]).CopyTo(inputs.AsSpan(i * 784));
                    targets[(i * 10) + train.Labels[order[first + i]]] = 1;
                }

                network.Backpropagate(inputs.AsSpan(0, count * 784), targets.AsSpan(0, count * 10), count);
                network.Update(adam, 0.001f);
            }
        }

        double seconds = stopwatch.Elapsed.TotalSeconds;
        var outputs = new float[data.Test.Count * 10];
        network.Predict(data.Test.Features, outputs, data.Test.Count);
        int correct = 0;
        for (int i = 0; i < data.Test.Count; i++)
        {
            correct += System.Numerics.Tensors.TensorPrimitives.IndexOfMax<float>(outputs.AsSpan(i * 10, 10)) == data.Test.Labels[i] ? 1 : 0;
        }

        return new W6Result(seconds, (double)correct / data.Test.Count);
    }
}
