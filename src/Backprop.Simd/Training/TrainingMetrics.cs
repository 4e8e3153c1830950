namespace Backprop.Simd.Training;

/// <summary>Loss, accuracy and confusion matrix of a model on a labelled dataset.</summary>
/// <param name="Loss">Mean loss per sample.</param>
/// <param name="Accuracy">Share of samples whose arg-max output is their label.</param>
/// <param name="Confusion">Counts by true class (rows) and predicted class (columns).</param>
public sealed record Evaluation(double Loss, double Accuracy, ConfusionMatrix Confusion);

/// <summary>Counts of samples by true class (rows) and predicted class (columns).</summary>
public sealed class ConfusionMatrix
{
    private readonly int[] _counts;

    /// <summary>An empty matrix for <paramref name="classes"/> classes.</summary>
    public ConfusionMatrix(int classes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        Classes = classes;
        _counts = new int[classes * classes];
    }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>Samples of class <paramref name="actual"/> predicted as <paramref name="predicted"/>.</summary>
    public int this[int actual, int predicted] => _counts[(actual * Classes) + predicted];

    /// <summary>All samples counted.</summary>
    public int Total => _counts.Sum();

    /// <summary>Share of samples on the diagonal.</summary>
    public double Accuracy
    {
        get
        {
            int correct = 0;
            for (int c = 0; c < Classes; c++)
            {
                correct += this[c, c];
            }

            return Total == 0 ? double.NaN : (double)correct / Total;
        }
    }

    /// <summary>Of the samples of class <paramref name="actual"/>, the share predicted correctly (recall).</summary>
    public double Recall(int actual)
    {
        int row = 0;
        for (int p = 0; p < Classes; p++)
        {
            row += this[actual, p];
        }

        return row == 0 ? double.NaN : (double)this[actual, actual] / row;
    }

    internal void Add(int actual, int predicted) => _counts[(actual * Classes) + predicted]++;

    internal void Clear() => Array.Clear(_counts);
}

/// <summary>What one epoch did.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="TrainLoss">Mean training loss over the epoch's steps (before each step's update).</param>
/// <param name="TrainAccuracy">Accuracy on the training set at the end of the epoch.</param>
/// <param name="ValidationLoss">Loss on the validation set at the end of the epoch, or NaN without one.</param>
/// <param name="ValidationAccuracy">Accuracy on the validation set, or NaN without one.</param>
/// <param name="LearningRate">The rate of the epoch's last step.</param>
/// <param name="SamplesPerSecond">Training throughput of the epoch (steps only, evaluation excluded).</param>
/// <param name="Descent">The descent diagnostic of the epoch, when enabled.</param>
public readonly record struct EpochMetrics(
    int Epoch,
    double TrainLoss,
    double TrainAccuracy,
    double ValidationLoss,
    double ValidationAccuracy,
    double LearningRate,
    double SamplesPerSecond,
    DescentSummary? Descent);

/// <summary>
/// Per step, the actual decrease of the loss on the step's batch against the first-order prediction of the
/// optimizer, <c>−g·Δw</c> (<c>μ·‖g‖²</c> for plain SGD): by Taylor, their ratio tends to 1 for small steps.
/// A ratio ≤ 0 means the step did not descend.
/// </summary>
/// <param name="Steps">Steps measured.</param>
/// <param name="MedianRatio">Median of actual/predicted decrease.</param>
/// <param name="MinRatio">Smallest ratio.</param>
/// <param name="NonDescending">Steps whose loss did not fall (ratio ≤ 0).</param>
public readonly record struct DescentSummary(int Steps, double MedianRatio, double MinRatio, int NonDescending)
{
    /// <summary>Whether the epoch's steps stopped descending: the median ratio is ≤ 0, or most steps rose.</summary>
    public bool IsFailing => MedianRatio <= 0 || NonDescending * 2 > Steps;

    /// <summary>
    /// Whether the steps realise less than a quarter of their first-order decrease (median ratio below 0.25). On a
    /// quadratic the ratio is <c>1 − μL/2</c>: ½ at the best rate 1/L, 0 at the edge of stability 2/L, so a ratio
    /// this low means the rate is close to that edge.
    /// </summary>
    public bool IsOvershooting => !IsFailing && MedianRatio < 0.25;
}

/// <summary>Progress inside an epoch, reported after every step.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Step">1-based step within the epoch.</param>
/// <param name="StepsPerEpoch">Steps in an epoch.</param>
/// <param name="Loss">The step's loss.</param>
public readonly record struct StepProgress(int Epoch, int Step, int StepsPerEpoch, double Loss);

/// <summary>The outcome of <see cref="Trainer{T}.Fit"/>.</summary>
/// <param name="Epochs">Metrics of every epoch run.</param>
/// <param name="BestEpoch">The epoch whose weights the network holds at the end (the best validation loss with
/// early stopping, else the last).</param>
/// <param name="StoppedEarly">Whether early stopping ended training before the last epoch.</param>
/// <param name="Warnings">Warnings raised, e.g. steps that stopped descending.</param>
public sealed record TrainingReport(IReadOnlyList<EpochMetrics> Epochs, int BestEpoch, bool StoppedEarly, IReadOnlyList<string> Warnings);
