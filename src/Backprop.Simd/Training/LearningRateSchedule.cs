namespace Backprop.Simd.Training;

/// <summary>
/// A learning rate as a function of the step number (counted from 0), to be passed to each optimizer step.
/// Schedules are immutable and stateless, so one can be shared and queried at any step in any order.
/// </summary>
public abstract class LearningRateSchedule
{
    // Only the schedules below derive; each is a closed form of the step.
    private protected LearningRateSchedule()
    {
    }

    /// <summary>The learning rate at <paramref name="step"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is negative.</exception>
    public double Rate(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        return RateCore(step);
    }

    /// <summary>The same rate at every step.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rate"/> is negative or not finite.</exception>
    public static LearningRateSchedule Constant(double rate) => new ConstantSchedule(NonNegative(rate, nameof(rate)));

    /// <summary><c>rate·γ^⌊step/stepSize⌋</c>: multiplied by γ every <paramref name="stepSize"/> steps (PyTorch's <c>StepLR</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">rate is negative, stepSize not positive, or γ not positive; or one is not finite.</exception>
    public static LearningRateSchedule StepDecay(double rate, long stepSize, double gamma)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepSize);
        return new StepDecaySchedule(NonNegative(rate, nameof(rate)), stepSize, Positive(gamma, nameof(gamma)));
    }

    /// <summary><c>rate·γ^step</c> (PyTorch's <c>ExponentialLR</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">rate is negative or γ not positive; or one is not finite.</exception>
    public static LearningRateSchedule Exponential(double rate, double gamma)
        => new ExponentialSchedule(NonNegative(rate, nameof(rate)), Positive(gamma, nameof(gamma)));

    /// <summary>
    /// Linear warm-up from 0 at step 0 to <paramref name="rate"/> at <paramref name="warmupSteps"/>, then a cosine
    /// from <paramref name="rate"/> down to <paramref name="minRate"/> at <paramref name="totalSteps"/>, then
    /// <paramref name="minRate"/>: <c>minRate + (rate − minRate)·(1 + cos(π·p))/2</c>, with
    /// <c>p = (step − warmupSteps)/(totalSteps − warmupSteps)</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// rate is negative, warmupSteps negative, totalSteps not above warmupSteps, or minRate outside [0, rate].
    /// </exception>
    public static LearningRateSchedule CosineWithWarmup(double rate, long warmupSteps, long totalSteps, double minRate = 0)
    {
        NonNegative(rate, nameof(rate));
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(totalSteps, warmupSteps);
        if (!(minRate >= 0 && minRate <= rate))
        {
            throw new ArgumentOutOfRangeException(nameof(minRate), minRate, $"minRate must be in [0, rate = {rate}]; it is {minRate}.");
        }

        return new CosineSchedule(rate, warmupSteps, totalSteps, minRate);
    }

    /// <summary>The rate at a validated, non-negative step.</summary>
    private protected abstract double RateCore(long step);

    private static double NonNegative(double value, string paramName)
        => value >= 0 && double.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be non-negative and finite; it is {value}.");

    private static double Positive(double value, string paramName)
        => value > 0 && double.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be positive and finite; it is {value}.");

    private sealed class ConstantSchedule(double rate) : LearningRateSchedule
    {
        private protected override double RateCore(long step) => rate;
    }

    private sealed class StepDecaySchedule(double rate, long stepSize, double gamma) : LearningRateSchedule
    {
        private protected override double RateCore(long step) => rate * Math.Pow(gamma, step / stepSize);
    }

    private sealed class ExponentialSchedule(double rate, double gamma) : LearningRateSchedule
    {
        private protected override double RateCore(long step) => rate * Math.Pow(gamma, step);
    }

    private sealed class CosineSchedule(double rate, long warmupSteps, long totalSteps, double minRate) : LearningRateSchedule
    {
        private protected override double RateCore(long step)
        {
            if (step < warmupSteps)
            {
                return rate * step / warmupSteps;
            }

            if (step >= totalSteps)
            {
                return minRate;
            }

            double progress = (double)(step - warmupSteps) / (totalSteps - warmupSteps);
            return minRate + ((rate - minRate) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
        }
    }
}
