using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;
using Backprop.Simd.Data;
using Backprop.Simd.Kernels;
using Backprop.Simd.Model;
using Backprop.Simd.Optimizers;

namespace Backprop.Simd.Training;

/// <summary>
/// Mini-batch training of a classifier: seeded shuffling every epoch, batches gathered into buffers allocated
/// once, an optimizer and a learning-rate schedule, validation, early stopping with best-weights restore, descent
/// diagnostics, and metrics. Deterministic for a given seed (and network initialization). A step allocates nothing.
/// </summary>
/// <remarks>
/// If a step's loss comes out NaN or infinite, training stops with a <see cref="DivergenceException"/> naming the
/// epoch and step, and the network is left with the weights from before the previous update: the last ones whose
/// loss was finite.
/// </remarks>
public sealed class Trainer<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Network<T> _network;
    private readonly Optimizer<T> _optimizer;
    private readonly TrainerOptions _options;
    private readonly T[] _lastGood;
    private readonly T[] _best;
    private readonly T[] _scratch;

    /// <summary>A trainer of <paramref name="network"/> with <paramref name="optimizer"/>.</summary>
    /// <exception cref="ArgumentException">The optimizer is for another parameter count, the batch exceeds the network's
    /// MaxBatch, or an option is out of range.</exception>
    public Trainer(Network<T> network, Optimizer<T> optimizer, TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (optimizer.ParameterCount != network.Parameters.Length)
        {
            throw new ArgumentException(
                $"optimizer was built for {optimizer.ParameterCount} parameters, but the network has {network.Parameters.Length}.", nameof(optimizer));
        }

        if (options.BatchSize > network.MaxBatch)
        {
            throw new ArgumentException($"options.BatchSize is {options.BatchSize}, more than the network's MaxBatch {network.MaxBatch}.", nameof(options));
        }

        _network = network;
        _optimizer = optimizer;
        _options = options;
        _lastGood = new T[network.Parameters.Length];
        _best = new T[network.Parameters.Length];
        _scratch = new T[network.MaxBatch * network.OutputSize];
    }

    /// <summary>Trains on <paramref name="train"/>, evaluating on <paramref name="validation"/> after each epoch.</summary>
    /// <param name="train">Training samples; their features must match the network's inputs and their classes its outputs.</param>
    /// <param name="validation">Held-out samples for validation and early stopping, or null.</param>
    /// <param name="onEpoch">Called after each epoch.</param>
    /// <param name="onStep">Called after each step (keep it cheap: it runs inside the training loop).</param>
    /// <exception cref="ArgumentException">A dataset does not fit the network, or early stopping has no validation set.</exception>
    /// <exception cref="DivergenceException">The loss became NaN or infinite; the message names the epoch and step.</exception>
    public TrainingReport Fit(LabeledDataset train, LabeledDataset? validation = null, Action<EpochMetrics>? onEpoch = null, Action<StepProgress>? onStep = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        Samples trainSet = Convert(train, nameof(train));
        Samples? validationSet = validation is null ? null : Convert(validation, nameof(validation));
        if (_options.EarlyStoppingPatience is not null && validationSet is null)
        {
            throw new ArgumentException("early stopping needs a validation set.", nameof(validation));
        }

        int inputs = _network.InputSize;
        int outputs = _network.OutputSize;
        int batchSize = _options.BatchSize;
        int stepsPerEpoch = (trainSet.Count + batchSize - 1) / batchSize;
        var order = Enumerable.Range(0, trainSet.Count).ToArray();
        var random = new Random(_options.Seed);
        var batchInputs = new T[batchSize * inputs];
        var batchTargets = new T[batchSize * outputs];
        double[] ratios = _options.DescentDiagnostics ? new double[stepsPerEpoch] : [];
        var epochs = new List<EpochMetrics>(_options.Epochs);
        var warnings = new List<string>();
        double bestLoss = double.PositiveInfinity;
        int bestEpoch = 0;
        int sinceBest = 0;
        long step = _optimizer.Steps;
        bool updated = false;

        // Epoch 0: the weights training starts from, so a restore always has weights to restore.
        _network.Parameters.CopyTo(_best);

        for (int epoch = 1; epoch <= _options.Epochs; epoch++)
        {
            long start = Stopwatch.GetTimestamp();
            random.Shuffle(order);
            double lossSum = 0;
            double rate = 0;
            int measured = 0;
            for (int s = 0; s < stepsPerEpoch; s++, step++)
            {
                int first = s * batchSize;
                int count = Math.Min(batchSize, trainSet.Count - first);
                for (int i = 0; i < count; i++)
                {
                    int sample = order[first + i];
                    trainSet.Inputs.AsSpan(sample * inputs, inputs).CopyTo(batchInputs.AsSpan(i * inputs));
                    trainSet.Targets.AsSpan(sample * outputs, outputs).CopyTo(batchTargets.AsSpan(i * outputs));
                }

                ReadOnlySpan<T> x = batchInputs.AsSpan(0, count * inputs);
                ReadOnlySpan<T> t = batchTargets.AsSpan(0, count * outputs);
                T loss;
                try
                {
                    loss = _network.Backpropagate(x, t, count);
                }
                catch (DivergenceException e)
                {
                    // The weights that produced this loss came from the previous update: go back to the ones before it.
                    if (updated)
                    {
                        _lastGood.CopyTo(_network.Parameters);
                    }

                    _network.ClearGradients();
                    throw new DivergenceException(
                        e.Loss,
                        string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}, step {s + 1}: the loss is {e.Loss}. Training stopped; the network keeps the last weights whose loss was finite. Lower the learning rate (or clip the gradients) and check the inputs for NaN."));
                }

                rate = _options.Schedule.Rate(step);
                _network.Parameters.CopyTo(_lastGood);
                T predicted;
                try
                {
                    predicted = _network.Update(_optimizer, T.CreateTruncating(rate));
                }
                catch (ArithmeticException e) when (e is not DivergenceException)
                {
                    // Clipping met a non-finite gradient norm: the optimizer took no step; the gradients go.
                    _network.ClearGradients();
                    throw new DivergenceException(
                        double.CreateTruncating(loss),
                        string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}, step {s + 1}: {e.Message} Training stopped with the weights before this step. Lower the learning rate and check the inputs for NaN."));
                }

                updated = true;
                double expected = double.CreateTruncating(predicted);
                if (_options.DescentDiagnostics && expected != 0 && double.IsFinite(expected))
                {
                    // A step with no predicted decrease (rate 0 during warm-up, or g = 0) has no ratio to report.
                    double after = double.CreateTruncating(_network.Evaluate(x, t, count));
                    ratios[measured++] = (double.CreateTruncating(loss) - after) / expected;
                }

                lossSum += double.CreateTruncating(loss) * count;
                onStep?.Invoke(new StepProgress(epoch, s + 1, stepsPerEpoch, double.CreateTruncating(loss)));
            }

            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            Evaluation trainEvaluation = Evaluate(trainSet, null);
            Evaluation? validationEvaluation = validationSet is null ? null : Evaluate(validationSet, null);
            if (validationEvaluation is { Loss: double validationLoss } && !double.IsFinite(validationLoss))
            {
                _lastGood.CopyTo(_network.Parameters);
                throw new DivergenceException(
                    validationLoss,
                    string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}: the validation loss is {validationLoss}. Training stopped with the weights before the epoch's last step; check the validation inputs for NaN, or lower the learning rate."));
            }

            DescentSummary? descent = _options.DescentDiagnostics ? Summarize(ratios.AsSpan(0, measured)) : null;
            var metrics = new EpochMetrics(
                epoch,
                lossSum / trainSet.Count,
                trainEvaluation.Accuracy,
                validationEvaluation?.Loss ?? double.NaN,
                validationEvaluation?.Accuracy ?? double.NaN,
                rate,
                seconds > 0 ? trainSet.Count / seconds : double.PositiveInfinity,
                descent);
            epochs.Add(metrics);
            if (descent is { IsFailing: true } failing)
            {
                warnings.Add(string.Create(
                    CultureInfo.InvariantCulture,
                    $"epoch {epoch}: steps stopped descending (median actual/predicted decrease {failing.MedianRatio:G3}, {failing.NonDescending} of {failing.Steps} steps raised the loss); lower the learning rate (it is {rate:G3})."));
            }
            else if (descent is { IsOvershooting: true } overshooting)
            {
                warnings.Add(string.Create(
                    CultureInfo.InvariantCulture,
                    $"epoch {epoch}: steps realise only {overshooting.MedianRatio:G3} of their first-order decrease (median), so the rate is near the edge of stability; lower the learning rate (it is {rate:G3})."));
            }

            onEpoch?.Invoke(metrics);

            double monitored = validationEvaluation?.Loss ?? metrics.TrainLoss;
            if (monitored < bestLoss)
            {
                bestLoss = monitored;
                bestEpoch = epoch;
                sinceBest = 0;
                _network.Parameters.CopyTo(_best);
            }
            else if (_options.EarlyStoppingPatience is int patience && ++sinceBest >= patience)
            {
                _best.CopyTo(_network.Parameters);
                return new TrainingReport(epochs, bestEpoch, StoppedEarly: true, warnings);
            }
        }

        if (_options.EarlyStoppingPatience is not null && bestEpoch != epochs.Count)
        {
            _best.CopyTo(_network.Parameters);
        }
        else
        {
            bestEpoch = epochs.Count;
        }

        return new TrainingReport(epochs, bestEpoch, StoppedEarly: false, warnings);
    }

    /// <summary>Loss, accuracy and confusion matrix of the network on <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException">The dataset does not fit the network.</exception>
    public Evaluation Evaluate(LabeledDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Evaluate(Convert(data, nameof(data)), null);
    }

    private Evaluation Evaluate(Samples set, ConfusionMatrix? confusion)
    {
        confusion ??= new ConfusionMatrix(_network.OutputSize);
        int inputs = _network.InputSize;
        int outputs = _network.OutputSize;
        double lossSum = 0;
        for (int first = 0; first < set.Count; first += _network.MaxBatch)
        {
            int count = Math.Min(_network.MaxBatch, set.Count - first);
            ReadOnlySpan<T> predictions = _network.Forward(set.Inputs.AsSpan(first * inputs, count * inputs), count);
            lossSum += double.CreateTruncating(LossKernels.Compute(
                _network.Spec.Loss, predictions, set.Targets.AsSpan(first * outputs, count * outputs), _scratch.AsSpan(0, count * outputs), count)) * count;
            for (int i = 0; i < count; i++)
            {
                confusion.Add(set.Labels[first + i], TensorPrimitives.IndexOfMax(predictions.Slice(i * outputs, outputs)));
            }
        }

        return new Evaluation(lossSum / set.Count, confusion.Accuracy, confusion);
    }

    private static DescentSummary Summarize(Span<double> ratios)
    {
        if (ratios.IsEmpty)
        {
            return new DescentSummary(0, double.NaN, double.NaN, 0);
        }

        ratios.Sort();
        int nonDescending = 0;
        foreach (double ratio in ratios)
        {
            if (!(ratio > 0))
            {
                nonDescending++;
            }
        }

        double median = (ratios[(ratios.Length - 1) / 2] + ratios[ratios.Length / 2]) / 2;
        return new DescentSummary(ratios.Length, median, ratios[0], nonDescending);
    }

    private Samples Convert(LabeledDataset data, string paramName)
    {
        if (data.FeatureCount != _network.InputSize || data.ClassCount > _network.OutputSize)
        {
            throw new ArgumentException(
                $"{paramName} has {data.FeatureCount} features and {data.ClassCount} classes, but the network takes {_network.InputSize} inputs and has {_network.OutputSize} outputs.",
                paramName);
        }

        return new Samples(data, _network.OutputSize);
    }

    /// <summary>A dataset converted once to the network's precision, with one-hot targets.</summary>
    private sealed class Samples
    {
        public Samples(LabeledDataset data, int outputs)
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
