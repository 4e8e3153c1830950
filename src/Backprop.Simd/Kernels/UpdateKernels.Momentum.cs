using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
    {
        if (parameters.IsEmpty)
        {
            return T.Zero;
        }

        var kernel = new MomentumKernel<T>(parameters, gradients, velocity, coefficients, clearGradients);
        SimdDispatch.Run<T, MomentumKernel<T>>(ref kernel, parameters.Length);
        return kernel.PredictedDecrease;
    }
}

/// <summary>The per-step scalars of <see cref="UpdateKernels.MomentumUpdate"/>, computed once outside the loop.</summary>
internal readonly struct MomentumCoefficients<T>
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
}

/// <summary>The body of <see cref="UpdateKernels.MomentumUpdate"/>, at one width.</summary>
internal ref struct MomentumKernel<T> : ISimdKernel<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Span<T> _parameters;
    private readonly Span<T> _gradients;
    private readonly Span<T> _velocity;
    private readonly MomentumCoefficients<T> _coefficients;
    private readonly bool _clearGradients;

    public MomentumKernel(Span<T> parameters, Span<T> gradients, Span<T> velocity, in MomentumCoefficients<T> coefficients, bool clearGradients)
    {
        _parameters = parameters;
        _gradients = gradients;
        _velocity = velocity;
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
        ref T v = ref MemoryMarshal.GetReference(_velocity);
        nuint width = (nuint)TSimd.Count;
        nuint length = (nuint)_parameters.Length;
        nuint last = length - width;

        // The overlapping last vector is computed from the buffers as they are before the loop writes, and stored
        // after it, so its lanes are updated exactly once; only the lanes no full vector covered enter the sum.
        TVec tailW = Compute<TVec, TSimd>(ref w, ref g, ref v, last, out TVec tailV, out TVec tailProduct);
        TVec sum = TSimd.Zero;
        for (nuint i = 0; i < last; i += width)
        {
            TSimd.Store(Compute<TVec, TSimd>(ref w, ref g, ref v, i, out TVec newV, out TVec product), ref w, i);
            Store<TVec, TSimd>(ref g, ref v, i, newV);
            sum = TSimd.Add(sum, product);
        }

        TSimd.Store(tailW, ref w, last);
        Store<TVec, TSimd>(ref g, ref v, last, tailV);
        nuint covered = (last + width - 1) / width * width;
        sum = TSimd.Add(sum, TSimd.KeepLanes(tailProduct, TSimd.TailMask((int)(length - covered))));
        PredictedDecrease = -TSimd.Sum(sum);
    }

    // Returns the new w; newV is the new velocity and product is g·Δw.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly TVec Compute<TVec, TSimd>(ref T w, ref T g, ref T v, nuint i, out TVec newV, out TVec product)
        where TVec : struct
        where TSimd : struct, ISimd<TVec, T>
    {
        TVec weights = TSimd.Load(ref w, i);
        TVec gradient = TSimd.Load(ref g, i);

        // g' = s·g + λ·w
        TVec scaled = TSimd.MultiplyAdd(weights, TSimd.Create(_coefficients.WeightDecay), TSimd.Multiply(gradient, TSimd.Create(_coefficients.GradientScale)));
        TVec direction = scaled;
        newV = default;
        if (_coefficients.HasMomentum)
        {
            // v = μ·v + g';  d = nesterov ? g' + μ·v : v
            TVec momentum = TSimd.Create(_coefficients.Momentum);
            newV = TSimd.MultiplyAdd(TSimd.Load(ref v, i), momentum, scaled);
            direction = _coefficients.Nesterov ? TSimd.MultiplyAdd(newV, momentum, scaled) : newV;
        }

        TVec delta = TSimd.Multiply(direction, TSimd.Create(_coefficients.NegativeLearningRate));
        product = TSimd.Multiply(gradient, delta);
        return TSimd.Add(weights, delta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly void Store<TVec, TSimd>(ref T g, ref T v, nuint i, TVec newV)
        where TVec : struct
        where TSimd : struct, ISimd<TVec, T>
    {
        if (_coefficients.HasMomentum)
        {
            TSimd.Store(newV, ref v, i);
        }

        if (_clearGradients)
        {
            TSimd.Store(TSimd.Zero, ref g, i);
        }
    }
}
