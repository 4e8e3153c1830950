using System.Numerics;
using System.Numerics.Tensors;
using Backprop.Simd.Kernels;

namespace Backprop.Simd.Optimizers;

/// <summary>
/// A first-order optimizer for a fixed number of parameters. It owns its state buffers (allocated once, in the
/// constructor) and updates parameters, state and, optionally, the cleared gradients in one fused pass, so
/// <see cref="Step"/> allocates nothing. Not thread-safe: one optimizer, one caller at a time.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public abstract class Optimizer<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly double? _clipNorm;

    // Only this library derives: the fused kernels behind StepCore are internal.
    private protected Optimizer(int parameterCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parameterCount);
        ParameterCount = parameterCount;
    }

    /// <summary>The length of the parameter and gradient spans every <see cref="Step"/> takes.</summary>
    public int ParameterCount { get; }

    /// <summary>Steps taken since construction or the last <see cref="Reset"/>.</summary>
    public long Steps { get; private set; }

    /// <summary>
    /// Gradient clipping by global L2 norm: when set, a gradient whose norm exceeds it is scaled by
    /// <c>ClipNorm/‖g‖</c> before the update (PyTorch's <c>clip_grad_norm_</c>, fused into the step; the gradient
    /// buffer itself is not rescaled). Null (the default) disables clipping.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive and finite.</exception>
    public double? ClipNorm
    {
        get => _clipNorm;
        init
        {
            if (value is double clip && !(clip > 0 && double.IsFinite(clip)))
            {
                throw new ArgumentOutOfRangeException(nameof(ClipNorm), clip, $"ClipNorm must be positive and finite; it is {clip}.");
            }

            _clipNorm = value;
        }
    }

    /// <summary>
    /// One optimization step: updates <paramref name="parameters"/> from <paramref name="gradients"/> and the
    /// optimizer's state, and clears the gradients in the same pass when <paramref name="clearGradients"/> is set.
    /// </summary>
    /// <param name="parameters">The parameters, updated in place; <see cref="ParameterCount"/> long.</param>
    /// <param name="gradients">∂E/∂parameters, in the same layout.</param>
    /// <param name="learningRate">lr, non-negative and finite.</param>
    /// <param name="clearGradients">Set the gradients to zero, ready for the next accumulation.</param>
    /// <returns>
    /// The first-order predicted decrease of the loss, <c>−Σ g·Δw</c>, with g the raw (unclipped) gradient and Δw
    /// the change applied; for plain SGD it is <c>lr·s·‖g‖²</c>, s the clipping factor.
    /// </returns>
    /// <exception cref="ArgumentException">A span is not <see cref="ParameterCount"/> long, or the two overlap.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="learningRate"/> is negative or not finite.</exception>
    /// <exception cref="ArithmeticException">
    /// Clipping is on and the gradient holds NaN or ∞ (a norm that merely overflows <typeparamref name="T"/> is
    /// recomputed in double and clipped as usual). Nothing was changed: parameters, gradients, state
    /// and <see cref="Steps"/> are as they were. (Without clipping a non-finite gradient is applied as it is.)
    /// </exception>
    public T Step(Span<T> parameters, Span<T> gradients, T learningRate, bool clearGradients = true)
    {
        Guard.Length(parameters.Length, ParameterCount, nameof(parameters), "the optimizer's ParameterCount");
        Guard.Length(gradients.Length, ParameterCount, nameof(gradients), "the optimizer's ParameterCount");
        Guard.NoOverlap<T>(parameters, gradients, nameof(parameters), nameof(gradients));
        if (!(learningRate >= T.Zero && T.IsFinite(learningRate)))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, $"learningRate must be non-negative and finite; it is {learningRate}.");
        }

        T scale = T.One;
        if (_clipNorm is double clip)
        {
            // One pass for the norm; the scale min(1, clip/‖g‖) then rides along in the fused update.
            double norm = double.CreateTruncating(TensorPrimitives.Norm<T>(gradients));
            if (double.IsPositiveInfinity(norm))
            {
                // The squares overflowed T (float: ‖g‖ beyond ~1.8e19), which is exactly when clipping matters:
                // take the norm again in double, scaled by the largest magnitude (a rare, slower path).
                norm = ScaledNorm(gradients);
            }

            if (!double.IsFinite(norm))
            {
                throw new ArithmeticException($"The gradient norm is {norm}; the step was not taken, so the parameters stay finite.");
            }

            if (norm > clip)
            {
                scale = T.CreateTruncating(clip / norm);
            }
        }

        T decrease = StepCore(parameters, gradients, learningRate, scale, Steps + 1, clearGradients);
        Steps++;
        return decrease;
    }

    private static double ScaledNorm(ReadOnlySpan<T> gradients)
    {
        double largest = double.CreateTruncating(T.Abs(TensorPrimitives.MaxMagnitude(gradients)));
        if (!double.IsFinite(largest) || largest == 0)
        {
            return largest;
        }

        double sum = 0;
        foreach (T value in gradients)
        {
            double scaled = double.CreateTruncating(value) / largest;
            sum += scaled * scaled;
        }

        return largest * Math.Sqrt(sum);
    }

    /// <summary>Forgets all state (moments, velocities) and sets <see cref="Steps"/> to zero, as if newly constructed.</summary>
    public void Reset()
    {
        ResetState();
        Steps = 0;
    }

    /// <summary>The fused update of one step; the arguments are validated and <paramref name="step"/> counts from 1.</summary>
    private protected abstract T StepCore(Span<T> parameters, Span<T> gradients, T learningRate, T gradientScale, long step, bool clearGradients);

    /// <summary>Clears the state buffers.</summary>
    private protected abstract void ResetState();

    /// <summary>Checks a hyper-parameter lies in [min, max) (or [min, max] when <paramref name="maxInclusive"/>).</summary>
    private protected static double InRange(double value, double min, double max, bool maxInclusive, string paramName)
    {
        bool ok = value >= min && (maxInclusive ? value <= max : value < max);
        if (!ok)
        {
            string range = maxInclusive ? $"[{min}, {max}]" : $"[{min}, {max})";
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be in {range}; it is {value}.");
        }

        return value;
    }

    /// <summary>Checks a hyper-parameter is positive and finite.</summary>
    private protected static double Positive(double value, string paramName)
    {
        if (!(value > 0 && double.IsFinite(value)))
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be positive and finite; it is {value}.");
        }

        return value;
    }
}
