using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
    {
        if (parameters.IsEmpty)
        {
            return T.Zero;
        }

        var kernel = new AdamKernel<T>(parameters, gradients, firstMoment, secondMoment, coefficients, clearGradients);
        SimdDispatch.Run<T, AdamKernel<T>>(ref kernel, parameters.Length);
        return kernel.PredictedDecrease;
    }
}

/// <summary>The per-step scalars of <see cref="UpdateKernels.AdamUpdate"/>, bias corrections included.</summary>
internal readonly struct AdamCoefficients<T>
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
}

/// <summary>The body of <see cref="UpdateKernels.AdamUpdate"/>, at one width.</summary>
internal ref struct AdamKernel<T> : ISimdKernel<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Span<T> _parameters;
    private readonly Span<T> _gradients;
    private readonly Span<T> _firstMoment;
    private readonly Span<T> _secondMoment;
    private readonly AdamCoefficients<T> _coefficients;
    private readonly bool _clearGradients;

    public AdamKernel(
        Span<T> parameters, Span<T> gradients, Span<T> firstMoment, Span<T> secondMoment, in AdamCoefficients<T> coefficients, bool clearGradients)
    {
        _parameters = parameters;
        _gradients = gradients;
        _firstMoment = firstMoment;
        _secondMoment = secondMoment;
        _coefficients = coefficients;
        _clearGradients = clearGradients;
    }

    /// <summary><c>−Σ g·Δw</c>, set by <see cref="Run"/>.</summary>
    public T PredictedDecrease { get; private set; }

    public void Run<TVec, TSimd>()
        where TVec : struct
        where TSimd : struct, ISimd<TVec, T>
    {
        ref T w = ref MemoryMarshal.GetReference(_parameters);
        ref T g = ref MemoryMarshal.GetReference(_gradients);
        ref T m = ref MemoryMarshal.GetReference(_firstMoment);
        ref T v = ref MemoryMarshal.GetReference(_secondMoment);
        nuint width = (nuint)TSimd.Count;
        nuint length = (nuint)_parameters.Length;
        nuint last = length - width;

        // The overlapping last vector is computed from the buffers as they are before the loop writes, and stored
        // after it, so its lanes are updated exactly once; only the lanes no full vector covered enter the sum.
        TVec tailW = Compute<TVec, TSimd>(ref w, ref g, ref m, ref v, last, out TVec tailM, out TVec tailV, out TVec tailProduct);
        TVec sum = TSimd.Zero;
        for (nuint i = 0; i < last; i += width)
        {
            TSimd.Store(Compute<TVec, TSimd>(ref w, ref g, ref m, ref v, i, out TVec newM, out TVec newV, out TVec product), ref w, i);
            TSimd.Store(newM, ref m, i);
            TSimd.Store(newV, ref v, i);
            if (_clearGradients)
            {
                TSimd.Store(TSimd.Zero, ref g, i);
            }

            sum = TSimd.Add(sum, product);
        }

        TSimd.Store(tailW, ref w, last);
        TSimd.Store(tailM, ref m, last);
        TSimd.Store(tailV, ref v, last);
        if (_clearGradients)
        {
            TSimd.Store(TSimd.Zero, ref g, last);
        }

        nuint covered = (last + width - 1) / width * width;
        sum = TSimd.Add(sum, TSimd.KeepLanes(tailProduct, TSimd.TailMask((int)(length - covered))));
        PredictedDecrease = -TSimd.Sum(sum);
    }

    // Returns the new w; newM and newV are the new moments and product is g·Δw.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly TVec Compute<TVec, TSimd>(ref T w, ref T g, ref T m, ref T v, nuint i, out TVec newM, out TVec newV, out TVec product)
        where TVec : struct
        where TSimd : struct, ISimd<TVec, T>
    {
        TVec weights = TSimd.Load(ref w, i);
        TVec gradient = TSimd.Load(ref g, i);

        // g' = s·g + λ·w;  m = β1·m + (1 − β1)·g';  v = β2·v + (1 − β2)·g'²
        TVec scaled = TSimd.MultiplyAdd(weights, TSimd.Create(_coefficients.CoupledDecay), TSimd.Multiply(gradient, TSimd.Create(_coefficients.GradientScale)));
        newM = TSimd.MultiplyAdd(TSimd.Load(ref m, i), TSimd.Create(_coefficients.Beta1), TSimd.Multiply(scaled, TSimd.Create(_coefficients.OneMinusBeta1)));
        newV = TSimd.MultiplyAdd(
            TSimd.Load(ref v, i), TSimd.Create(_coefficients.Beta2), TSimd.Multiply(TSimd.Multiply(scaled, scaled), TSimd.Create(_coefficients.OneMinusBeta2)));

        // Δw = −lr·λ·w − (lr/c1)·m / (√v/√c2 + ε)
        TVec denominator = TSimd.MultiplyAdd(TSimd.Sqrt(newV), TSimd.Create(_coefficients.InverseSqrtCorrection2), TSimd.Create(_coefficients.Epsilon));
        TVec adam = TSimd.Multiply(TSimd.Divide(newM, denominator), TSimd.Create(_coefficients.NegativeStepSize));
        TVec delta = TSimd.MultiplyAdd(weights, TSimd.Create(_coefficients.NegativeDecoupledDecay), adam);
        product = TSimd.Multiply(gradient, delta);
        return TSimd.Add(weights, delta);
    }
}
