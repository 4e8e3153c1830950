using System.Diagnostics;
using System.Numerics;
using System.Numerics.Tensors;
using Backprop.Simd.Data;
using Backprop.Simd.Model;

namespace Backprop.Simd.Cli;

/// <summary>The result of one epoch.</summary>
public readonly record struct EpochResult(int Epoch, double MeanLoss, double TrainAccuracy, double TestAccuracy, double SamplesPerSecond);

/// <summary>
/// Mini-batch SGD on a classification dataset: seeded shuffling every epoch, batches gathered into buffers
/// allocated once, and accuracy measured by batched prediction. Deterministic for a given seed.
/// </summary>
public sealed class ClassifierTrainer<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Network<T> _network;
    private readonly Split _train;
    private readonly Split _test;
    private readonly int _batchSize;
    private readonly T _learningRate;
    private readonly Random _random;
    private readonly int[] _order;
    private readonly T[] _batchInputs;
    private readonly T[] _batchTargets;
    private readonly T[] _predictions;

    public ClassifierTrainer(Network<T> network, LabeledDataset train, LabeledDataset test, int batchSize, double learningRate, int seed)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batchSize, network.MaxBatch);
        if (train.FeatureCount != network.InputSize || train.ClassCount > network.OutputSize)
        {
            throw new ArgumentException(
                $"train has {train.FeatureCount} features and {train.ClassCount} classes, but the network takes {network.InputSize} inputs and has {network.OutputSize} outputs.",
                nameof(train));
        }

        _network = network;
        _train = new Split(train, network.OutputSize);
        _test = new Split(test, network.OutputSize);
        _batchSize = batchSize;
        _learningRate = T.CreateTruncating(learningRate);
        _random = new Random(seed);
        _order = [.. Enumerable.Range(0, train.Count)];
        _batchInputs = new T[batchSize * network.InputSize];
        _batchTargets = new T[batchSize * network.OutputSize];
        _predictions = new T[Math.Max(train.Count, test.Count) * network.OutputSize];
    }

    /// <summary>Batches per epoch.</summary>
    public int BatchesPerEpoch => (_train.Count + _batchSize - 1) / _batchSize;

    /// <summary>One pass over the shuffled training set; <paramref name="progress"/> gets each finished batch's index.</summary>
    /// <exception cref="DivergenceException">The loss became NaN or infinite; the network keeps its last good weights.</exception>
    public EpochResult RunEpoch(int epoch, Action<int>? progress = null)
    {
        long start = Stopwatch.GetTimestamp();
        _random.Shuffle(_order);
        int inputs = _network.InputSize;
        int outputs = _network.OutputSize;
        double lossSum = 0;
        int batchIndex = 0;
        for (int first = 0; first < _order.Length; first += _batchSize, batchIndex++)
        {
            int count = Math.Min(_batchSize, _order.Length - first);
            for (int i = 0; i < count; i++)
            {
                int sample = _order[first + i];
                _train.Inputs.AsSpan(sample * inputs, inputs).CopyTo(_batchInputs.AsSpan(i * inputs));
                _train.Targets.AsSpan(sample * outputs, outputs).CopyTo(_batchTargets.AsSpan(i * outputs));
            }

            T loss = _network.TrainStep(_batchInputs.AsSpan(0, count * inputs), _batchTargets.AsSpan(0, count * outputs), count, _learningRate);
            lossSum += double.CreateTruncating(loss) * count;
            progress?.Invoke(batchIndex);
        }

        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return new EpochResult(
            epoch,
            lossSum / _order.Length,
            Accuracy(_train),
            Accuracy(_test),
            seconds > 0 ? _order.Length / seconds : double.PositiveInfinity);
    }

    /// <summary>The share of <paramref name="data"/>'s samples whose arg-max output is their label.</summary>
    public double Accuracy(LabeledDataset data) => Accuracy(new Split(data, _network.OutputSize));

    private double Accuracy(Split split)
    {
        if (split.Count == 0)
        {
            return double.NaN;
        }

        int outputs = _network.OutputSize;
        Span<T> predictions = _predictions.AsSpan(0, split.Count * outputs);
        _network.Predict(split.Inputs, predictions, split.Count);
        int correct = 0;
        for (int i = 0; i < split.Count; i++)
        {
            if (TensorPrimitives.IndexOfMax<T>(predictions.Slice(i * outputs, outputs)) == split.Labels[i])
            {
                correct++;
            }
        }

        return (double)correct / split.Count;
    }

    /// <summary>A dataset converted once to the network's precision, with one-hot targets.</summary>
    private sealed class Split
    {
        public Split(LabeledDataset data, int outputs)
        {
            Count = data.Count;
            Labels = data.Labels;
            Inputs = new T[data.Features.Length];
            for (int i = 0; i < Inputs.Length; i++)
            {
                Inputs[i] = T.CreateTruncating(data.Features[i]);
            }

            Targets = new T[data.Count * outputs];
            for (int i = 0; i < data.Count; i++)
            {
                Targets[(i * outputs) + data.Labels[i]] = T.One;
            }
        }

        public int Count { get; }

        public int[] Labels { get; }

        public T[] Inputs { get; }

        public T[] Targets { get; }
    }
}
