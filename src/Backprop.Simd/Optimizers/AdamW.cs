using System.Numerics;

namespace Backprop.Simd.Optimizers;

/// <summary>
/// AdamW (Loshchilov &amp; Hutter 2019), as PyTorch's <c>torch.optim.AdamW</c>: the weight decay is decoupled from
/// the gradient. At step t: <c>w ← w·(1 − lr·λ)</c> first; then, with <c>g' = s·g</c>,
/// <c>m = β1·m + (1 − β1)·g'</c>; <c>v = β2·v + (1 − β2)·g'²</c>; <c>w −= lr·(m/(1 − β1ᵗ)) / (√(v/(1 − β2ᵗ)) + ε)</c>.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class AdamW<T> : Adam<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <param name="parameterCount">The number of parameters every step updates.</param>
    /// <param name="beta1">β1 in [0, 1), the decay of the first moment.</param>
    /// <param name="beta2">β2 in [0, 1), the decay of the second moment.</param>
    /// <param name="epsilon">ε &gt; 0, added to the denominator.</param>
    /// <param name="weightDecay">λ ≥ 0, the decoupled decay: each step multiplies w by 1 − lr·λ.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of its range.</exception>
    public AdamW(int parameterCount, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0.01)
        : base(parameterCount, beta1, beta2, epsilon, weightDecay, decoupled: true)
    {
    }
}
