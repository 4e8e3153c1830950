using System.Numerics;
using System.Runtime.CompilerServices;
using Backprop.Simd.Kernels.Simd;

namespace Backprop.Simd.Kernels;

public static partial class UpdateKernels
{
    /// <summary>
    /// One step of RMSprop (PyTorch's <c>torch.optim.RMSprop</c>, not centered), fused in one pass:
    /// <c>g' = s·g + λ·w</c>; <c>v = α·v + (1 − α)·g'²</c>; without momentum <c>w −= lr·g'/(√v + ε)</c>, with it
    /// <c>b = μ·b + g'/(√v + ε)</c>, <c>w −= lr·b</c>; optionally <c>g = 0</c>. With μ = 0
    /// <paramref name="momentumBuffer"/> is neither read nor written and may be empty.
    /// </summary>
    /// <returns>The first-order predicted decrease of the loss, <c>−Σ g·Δw</c> (raw g, applied Δw).</returns>
    internal static T RmsPropUpdate<T>(
        Span<T> parameters, Span<T> gradients, Span<T> squareAverage, Span<T> momentumBuffer, in RmsPropCoefficients<T> coefficients, bool clearGradients)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => FusedUpdate(parameters, gradients, squareAverage, momentumBuffer, coefficients, clearGradients);
}

/// <summary>The per-step scalars of <see cref="UpdateKernels.RmsPropUpdate"/>.</summary>
internal readonly struct RmsPropCoefficients<T> : IUpdateRule<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public RmsPropCoefficients(T learningRate, double alpha, double epsilon, double momentum, double weightDecay, T gradientScale)
    {
        NegativeLearningRate = -learningRate;
        Alpha = T.CreateTruncating(alpha);
        OneMinusAlpha = T.CreateTruncating(1 - alpha);
        Epsilon = T.CreateTruncating(epsilon);
        Momentum = T.CreateTruncating(momentum);
        WeightDecay = T.CreateTruncating(weightDecay);
        GradientScale = gradientScale;
    }

    public T NegativeLearningRate { get; }

    public T Alpha { get; }

    public T OneMinusAlpha { get; }

    public T Epsilon { get; }

    /// <summary>μ; zero means no momentum buffer.</summary>
    public T Momentum { get; }

    /// <summary>λ of the coupled L2 penalty, added to the gradient.</summary>
    public T WeightDecay { get; }

    /// <summary>s: the clipping factor, 1 for none.</summary>
    public T GradientScale { get; }

    public bool HasMomentum => Momentum != T.Zero;

    public bool UsesFirstState => true;

    public bool UsesSecondState => HasMomentum;

    // g' = s·g + λ·w;  v = α·v + (1 − α)·g'²;  u = g'/(√v + ε);  b = μ·b + u;  Δw = −lr·(μ ? b : u)
    // (first state: v, second: b)
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Delta<TVec, TSimd>(TVec weights, TVec gradient, TVec first, TVec second, out TVec newFirst, out TVec newSecond)
        where TVec : struct
        where TSimd : struct, ISimd<TVec, T>
    {
        TVec scaled = TSimd.MultiplyAdd(weights, TSimd.Create(WeightDecay), TSimd.Multiply(gradient, TSimd.Create(GradientScale)));
        newFirst = TSimd.MultiplyAdd(first, TSimd.Create(Alpha), TSimd.Multiply(TSimd.Multiply(scaled, scaled), TSimd.Create(OneMinusAlpha)));
        TVec direction = TSimd.Divide(scaled, TSimd.Add(TSimd.Sqrt(newFirst), TSimd.Create(Epsilon)));
        newSecond = default;
        if (HasMomentum)
        {
            newSecond = TSimd.MultiplyAdd(second, TSimd.Create(Momentum), direction);
            direction = newSecond;
        }

        return TSimd.Multiply(direction, TSimd.Create(NegativeLearningRate));
    }
}
