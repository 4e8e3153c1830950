using System.Numerics;
using System.Runtime.CompilerServices;
using Backprop.Simd.Kernels.Simd;

namespace Backprop.Simd.Kernels;

public static partial class UpdateKernels
{
    /// <summary>
    /// One step of Adam (Kingma &amp; Ba 2015) or AdamW (Loshchilov &amp; Hutter 2019), in PyTorch's form, fused in
    /// one pass. At step t: <c>w ← w·(1 − lr·λ_decoupled)</c>; <c>g' = s·g + λ_coupled·w</c>;
    /// <c>m = β1·m + (1 − β1)·g'</c>; <c>v = β2·v + (1 − β2)·g'²</c>;
    /// <c>w −= lr·(m/(1 − β1ᵗ)) / (√(v/(1 − β2ᵗ)) + ε)</c>; optionally <c>g = 0</c>.
    /// </summary>
    /// <returns>The first-order predicted decrease of the loss, <c>−Σ g·Δw</c> (raw g, applied Δw).</returns>
    internal static T AdamUpdate<T>(
        Span<T> parameters, Span<T> gradients, Span<T> firstMoment, Span<T> secondMoment, in AdamCoefficients<T> coefficients, bool clearGradients)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => FusedUpdate(parameters, gradients, firstMoment, secondMoment, coefficients, clearGradients);
}

/// <summary>The per-step scalars of <see cref="UpdateKernels.AdamUpdate"/>, bias corrections included.</summary>
internal readonly struct AdamCoefficients<T> : IUpdateRule<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <param name="learningRate">lr.</param>
    /// <param name="beta1">β1.</param>
    /// <param name="beta2">β2.</param>
    /// <param name="epsilon">ε, added to the bias-corrected √v.</param>
    /// <param name="weightDecay">λ.</param>
    /// <param name="decoupled">AdamW: λ shrinks w directly instead of being added to the gradient.</param>
    /// <param name="step">t, counted from 1.</param>
    /// <param name="gradientScale">s: the clipping factor, 1 for none.</param>
    public AdamCoefficients(T learningRate, double beta1, double beta2, double epsilon, double weightDecay, bool decoupled, long step, T gradientScale)
    {
        Beta1 = T.CreateTruncating(beta1);
        OneMinusBeta1 = T.CreateTruncating(1 - beta1);
        Beta2 = T.CreateTruncating(beta2);
        OneMinusBeta2 = T.CreateTruncating(1 - beta2);
        Epsilon = T.CreateTruncating(epsilon);
        CoupledDecay = decoupled ? T.Zero : T.CreateTruncating(weightDecay);
        NegativeDecoupledDecay = decoupled ? -(learningRate * T.CreateTruncating(weightDecay)) : T.Zero;
        GradientScale = gradientScale;

        // PyTorch's arrangement: √(v/c2) + ε = √v·(1/√c2) + ε, and lr·m/c1 = m·(lr/c1); c = 1 − βᵗ in double.
        double correction1 = 1 - Math.Pow(beta1, step);
        double correction2 = 1 - Math.Pow(beta2, step);
        InverseSqrtCorrection2 = T.CreateTruncating(1 / Math.Sqrt(correction2));
        NegativeStepSize = -(learningRate / T.CreateTruncating(correction1));
    }

    public T Beta1 { get; }

    public T OneMinusBeta1 { get; }

    public T Beta2 { get; }

    public T OneMinusBeta2 { get; }

    public T Epsilon { get; }

    /// <summary>λ added to the gradient (Adam), or zero.</summary>
    public T CoupledDecay { get; }

    /// <summary>−lr·λ applied to w directly (AdamW), or zero.</summary>
    public T NegativeDecoupledDecay { get; }

    public T GradientScale { get; }

    /// <summary>1/√(1 − β2ᵗ).</summary>
    public T InverseSqrtCorrection2 { get; }

    /// <summary>−lr/(1 − β1ᵗ).</summary>
    public T NegativeStepSize { get; }

    public bool UsesFirstState => true;

    public bool UsesSecondState => true;

    // g' = s·g + λ·w;  m = β1·m + (1 − β1)·g';  v = β2·v + (1 − β2)·g'²;
    // Δw = −lr·λ_decoupled·w − (lr/c1)·m / (√v/√c2 + ε)   (first state: m, second: v)
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Delta<TVec, TSimd>(TVec weights, TVec gradient, TVec first, TVec second, out TVec newFirst, out TVec newSecond)
        where TVec : struct
        where TSimd : struct, ISimd<TVec, T>
    {
        TVec scaled = TSimd.MultiplyAdd(weights, TSimd.Create(CoupledDecay), TSimd.Multiply(gradient, TSimd.Create(GradientScale)));
        newFirst = TSimd.MultiplyAdd(first, TSimd.Create(Beta1), TSimd.Multiply(scaled, TSimd.Create(OneMinusBeta1)));
        newSecond = TSimd.MultiplyAdd(second, TSimd.Create(Beta2), TSimd.Multiply(TSimd.Multiply(scaled, scaled), TSimd.Create(OneMinusBeta2)));
        TVec denominator = TSimd.MultiplyAdd(TSimd.Sqrt(newSecond), TSimd.Create(InverseSqrtCorrection2), TSimd.Create(Epsilon));
        TVec adam = TSimd.Multiply(TSimd.Divide(newFirst, denominator), TSimd.Create(NegativeStepSize));
        return TSimd.MultiplyAdd(weights, TSimd.Create(NegativeDecoupledDecay), adam);
    }
}
