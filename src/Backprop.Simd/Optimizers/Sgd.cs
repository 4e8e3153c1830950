using System.Numerics;
using Backprop.Simd.Kernels;

namespace Backprop.Simd.Optimizers;

/// <summary>
/// Stochastic gradient descent with optional momentum and Nesterov momentum, as PyTorch's <c>torch.optim.SGD</c>
/// (no dampening): <c>g' = s·g + λ·w</c>; <c>v = μ·v + g'</c> (on the first step <c>v = g'</c>);
/// <c>d = nesterov ? g' + μ·v : v</c>; <c>w −= lr·d</c>. With μ = 0 this is plain SGD and keeps no state.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Sgd<T> : Optimizer<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T[] _velocity;

    /// <param name="parameterCount">The number of parameters every step updates.</param>
    /// <param name="momentum">μ in [0, 1).</param>
    /// <param name="nesterov">Nesterov momentum; requires μ &gt; 0.</param>
    /// <param name="weightDecay">λ ≥ 0, the coupled L2 penalty added to the gradient.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of its range.</exception>
    /// <exception cref="ArgumentException"><paramref name="nesterov"/> is set without momentum.</exception>
    public Sgd(int parameterCount, double momentum = 0, bool nesterov = false, double weightDecay = 0)
        : base(parameterCount)
    {
        Momentum = InRange(momentum, 0, 1, maxInclusive: false, nameof(momentum));
        WeightDecay = InRange(weightDecay, 0, double.PositiveInfinity, maxInclusive: false, nameof(weightDecay));
        if (nesterov && momentum == 0)
        {
            throw new ArgumentException("Nesterov momentum requires a positive momentum.", nameof(nesterov));
        }

        Nesterov = nesterov;
        _velocity = momentum > 0 ? new T[parameterCount] : [];
    }

    /// <summary>μ; zero for plain SGD.</summary>
    public double Momentum { get; }

    /// <summary>Whether the step looks ahead along the velocity (<c>d = g' + μ·v</c>).</summary>
    public bool Nesterov { get; }

    /// <summary>λ, the coupled L2 weight decay.</summary>
    public double WeightDecay { get; }

    private protected override T StepCore(Span<T> parameters, Span<T> gradients, T learningRate, T gradientScale, long step, bool clearGradients)
    {
        var coefficients = new MomentumCoefficients<T>(learningRate, Momentum, Nesterov, WeightDecay, gradientScale);
        return UpdateKernels.MomentumUpdate<T>(parameters, gradients, _velocity, coefficients, clearGradients);
    }

    private protected override void ResetState() => Array.Clear(_velocity);
}
