namespace Backprop.Simd.Training;

/// <summary>How <see cref="Trainer{T}"/> trains. Defaults: 10 epochs of batch 32 at a constant rate of 0.01.</summary>
public sealed record TrainerOptions
{
    /// <summary>Passes over the training set.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Samples per step (the network's MaxBatch must be at least this).</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Seed of the per-epoch shuffling.</summary>
    public int Seed { get; init; }

    /// <summary>The learning rate per step.</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant(0.01);

    /// <summary>
    /// Stop when the validation loss has not improved for this many epochs, and restore the best epoch's weights;
    /// null to train every epoch. Needs a validation set.
    /// </summary>
    public int? EarlyStoppingPatience { get; init; }

    /// <summary>
    /// Measure, per step, the actual decrease of the loss on the step's batch against the optimizer's first-order
    /// prediction (one extra forward pass per step) and summarise it per epoch.
    /// </summary>
    public bool DescentDiagnostics { get; init; }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Epochs, nameof(Epochs));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize, nameof(BatchSize));
        ArgumentNullException.ThrowIfNull(Schedule, nameof(Schedule));
        if (EarlyStoppingPatience is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(EarlyStoppingPatience), EarlyStoppingPatience, "EarlyStoppingPatience must be positive (or null for none).");
        }
    }
}
