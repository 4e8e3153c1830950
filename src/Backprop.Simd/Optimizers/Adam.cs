using System.Numerics;
using Backprop.Simd.Kernels;

namespace Backprop.Simd.Optimizers;

/// <summary>
/// Adam (Kingma &amp; Ba 2015), as PyTorch's <c>torch.optim.Adam</c>, with bias correction. At step t:
/// <c>g' = s·g + λ·w</c> (coupled L2); <c>m = β1·m + (1 − β1)·g'</c>; <c>v = β2·v + (1 − β2)·g'²</c>;
/// <c>w −= lr·(m/(1 − β1ᵗ)) / (√(v/(1 − β2ᵗ)) + ε)</c>.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public class Adam<T> : Optimizer<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T[] _firstMoment;
    private readonly T[] _secondMoment;

    /// <param name="parameterCount">The number of parameters every step updates.</param>
    /// <param name="beta1">β1 in [0, 1), the decay of the first moment.</param>
    /// <param name="beta2">β2 in [0, 1), the decay of the second moment.</param>
    /// <param name="epsilon">ε &gt; 0, added to the denominator.</param>
    /// <param name="weightDecay">λ ≥ 0, the coupled L2 penalty added to the gradient (use <see cref="AdamW{T}"/> for decoupled).</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of its range.</exception>
    public Adam(int parameterCount, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0)
        : this(parameterCount, beta1, beta2, epsilon, weightDecay, decoupled: false)
    {
    }

    /// <summary>The shared constructor of Adam and <see cref="AdamW{T}"/>, which differ only in where λ acts.</summary>
    private protected Adam(int parameterCount, double beta1, double beta2, double epsilon, double weightDecay, bool decoupled)
        : base(parameterCount)
    {
        DecoupledWeightDecay = decoupled;
        Beta1 = InRange(beta1, 0, 1, maxInclusive: false, nameof(beta1));
        Beta2 = InRange(beta2, 0, 1, maxInclusive: false, nameof(beta2));
        Epsilon = Positive(epsilon, nameof(epsilon));
        WeightDecay = InRange(weightDecay, 0, double.PositiveInfinity, maxInclusive: false, nameof(weightDecay));
        _firstMoment = new T[parameterCount];
        _secondMoment = new T[parameterCount];
    }

    /// <summary>β1, the decay of the first-moment average.</summary>
    public double Beta1 { get; }

    /// <summary>β2, the decay of the second-moment average.</summary>
    public double Beta2 { get; }

    /// <summary>ε, for numerical stability.</summary>
    public double Epsilon { get; }

    /// <summary>λ, the weight decay: coupled L2 for Adam, decoupled for <see cref="AdamW{T}"/>.</summary>
    public double WeightDecay { get; }

    /// <summary>Whether λ shrinks the weights directly (AdamW) instead of adding λ·w to the gradient (Adam).</summary>
    public bool DecoupledWeightDecay { get; }

    private protected override T StepCore(Span<T> parameters, Span<T> gradients, T learningRate, T gradientScale, long step, bool clearGradients)
    {
        var coefficients = new AdamCoefficients<T>(learningRate, Beta1, Beta2, Epsilon, WeightDecay, DecoupledWeightDecay, step, gradientScale);
        return UpdateKernels.AdamUpdate<T>(parameters, gradients, _firstMoment, _secondMoment, coefficients, clearGradients);
    }

    private protected override void ResetState()
    {
        Array.Clear(_firstMoment);
        Array.Clear(_secondMoment);
    }
}
