using System.Numerics;
using Backprop.Simd.Kernels;

namespace Backprop.Simd.Optimizers;

/// <summary>
/// RMSprop, as PyTorch's <c>torch.optim.RMSprop</c> (not centered): <c>g' = s·g + λ·w</c>;
/// <c>v = α·v + (1 − α)·g'²</c>; without momentum <c>w −= lr·g'/(√v + ε)</c>; with momentum μ,
/// <c>b = μ·b + g'/(√v + ε)</c> and <c>w −= lr·b</c>.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class RmsProp<T> : Optimizer<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T[] _squareAverage;
    private readonly T[] _momentumBuffer;

    /// <param name="parameterCount">The number of parameters every step updates.</param>
    /// <param name="alpha">α in [0, 1), the decay of the squared-gradient average.</param>
    /// <param name="epsilon">ε &gt; 0, added to the denominator.</param>
    /// <param name="momentum">μ in [0, 1); zero keeps no momentum buffer.</param>
    /// <param name="weightDecay">λ ≥ 0, the coupled L2 penalty added to the gradient.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of its range.</exception>
    public RmsProp(int parameterCount, double alpha = 0.99, double epsilon = 1e-8, double momentum = 0, double weightDecay = 0)
        : base(parameterCount)
    {
        Alpha = InRange(alpha, 0, 1, maxInclusive: false, nameof(alpha));
        Epsilon = Positive(epsilon, nameof(epsilon));
        Momentum = InRange(momentum, 0, 1, maxInclusive: false, nameof(momentum));
        WeightDecay = InRange(weightDecay, 0, double.PositiveInfinity, maxInclusive: false, nameof(weightDecay));
        _squareAverage = new T[parameterCount];
        _momentumBuffer = momentum > 0 ? new T[parameterCount] : [];
    }

    /// <summary>α, the decay of the squared-gradient average.</summary>
    public double Alpha { get; }

    /// <summary>ε, for numerical stability.</summary>
    public double Epsilon { get; }

    /// <summary>μ; zero for none.</summary>
    public double Momentum { get; }

    /// <summary>λ, the coupled L2 weight decay.</summary>
    public double WeightDecay { get; }

    private protected override T StepCore(Span<T> parameters, Span<T> gradients, T learningRate, T gradientScale, long step, bool clearGradients)
    {
        var coefficients = new RmsPropCoefficients<T>(learningRate, Alpha, Epsilon, Momentum, WeightDecay, gradientScale);
        return UpdateKernels.RmsPropUpdate<T>(parameters, gradients, _squareAverage, _momentumBuffer, coefficients, clearGradients);
    }

    private protected override void ResetState()
    {
        Array.Clear(_squareAverage);
        Array.Clear(_momentumBuffer);
    }
}
