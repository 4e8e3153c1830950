using System.Numerics;
using System.Runtime.CompilerServices;
using Backprop.Simd.Kernels.Simd;

namespace Backprop.Simd.Kernels;

public static partial class UpdateKernels
{
    /// <summary>
    /// One step of SGD with momentum (PyTorch's <c>torch.optim.SGD</c>, no dampening), fused in one pass:
    /// <c>g' = s·g + λ·w</c>; <c>v = μ·v + g'</c>; <c>d = nesterov ? g' + μ·v : v</c>; <c>w −= lr·d</c>; optionally
    /// <c>g = 0</c>. With μ = 0 (plain SGD) <paramref name="velocity"/> is neither read nor written and may be empty.
    /// PyTorch starts the buffer at <c>v = g'</c>; a velocity cleared to zero gives exactly that (μ·0 + g' = g').
    /// </summary>
    /// <returns>The first-order predicted decrease of the loss, <c>−Σ g·Δw</c> (raw g, applied Δw).</returns>
    internal static T MomentumUpdate<T>(Span<T> parameters, Span<T> gradients, Span<T> velocity, in MomentumCoefficients<T> coefficients, bool clearGradients)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => FusedUpdate(parameters, gradients, velocity, default, coefficients, clearGradients);
}

/// <summary>The per-step scalars of <see cref="UpdateKernels.MomentumUpdate"/>, computed once outside the loop, and its rule.</summary>
internal readonly struct MomentumCoefficients<T> : IUpdateRule<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public MomentumCoefficients(T learningRate, double momentum, bool nesterov, double weightDecay, T gradientScale)
    {
        NegativeLearningRate = -learningRate;
        Momentum = T.CreateTruncating(momentum);
        Nesterov = nesterov;
        WeightDecay = T.CreateTruncating(weightDecay);
        GradientScale = gradientScale;
    }

    /// <summary>−lr, so that the step is one multiply.</summary>
    public T NegativeLearningRate { get; }

    /// <summary>μ; zero means plain SGD, with no velocity buffer.</summary>
    public T Momentum { get; }

    public bool Nesterov { get; }

    /// <summary>λ of the coupled L2 penalty, added to the gradient.</summary>
    public T WeightDecay { get; }

    /// <summary>s: the clipping factor, 1 for none.</summary>
    public T GradientScale { get; }

    public bool HasMomentum => Momentum != T.Zero;

    public bool UsesFirstState => HasMomentum;

    public bool UsesSecondState => false;

    // g' = s·g + λ·w;  v = μ·v + g';  d = nesterov ? g' + μ·v : v;  Δw = −lr·d   (first state: v)
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Delta<TVec, TSimd>(TVec weights, TVec gradient, TVec first, TVec second, out TVec newFirst, out TVec newSecond)
        where TVec : struct
        where TSimd : struct, ISimd<TVec, T>
    {
        TVec scaled = TSimd.MultiplyAdd(weights, TSimd.Create(WeightDecay), TSimd.Multiply(gradient, TSimd.Create(GradientScale)));
        TVec direction = scaled;
        newFirst = default;
        newSecond = default;
        if (HasMomentum)
        {
            TVec momentum = TSimd.Create(Momentum);
            newFirst = TSimd.MultiplyAdd(first, momentum, scaled);
            direction = Nesterov ? TSimd.MultiplyAdd(newFirst, momentum, scaled) : newFirst;
        }

        return TSimd.Multiply(direction, TSimd.Create(NegativeLearningRate));
    }
}
