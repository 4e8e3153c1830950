using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
    {
        if (parameters.IsEmpty)
        {
            return T.Zero;
        }

        var kernel = new RmsPropKernel<T>(parameters, gradients, squareAverage, momentumBuffer, coefficients, clearGradients);
        SimdDispatch.Run<T, RmsPropKernel<T>>(ref kernel, parameters.Length);
        return kernel.PredictedDecrease;
    }
}

/// <summary>The per-step scalars of <see cref="UpdateKernels.RmsPropUpdate"/>.</summary>
internal readonly struct RmsPropCoefficients<T>
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
}

/// <summary>The body of <see cref="UpdateKernels.RmsPropUpdate"/>, at one width.</summary>
internal ref struct RmsPropKernel<T> : ISimdKernel<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Span<T> _parameters;
    private readonly Span<T> _gradients;
    private readonly Span<T> _squareAverage;
    private readonly Span<T> _momentumBuffer;
    private readonly RmsPropCoefficients<T> _coefficients;
    private readonly bool _clearGradients;

    public RmsPropKernel(
        Span<T> parameters, Span<T> gradients, Span<T> squareAverage, Span<T> momentumBuffer, in RmsPropCoefficients<T> coefficients, bool clearGradients)
    {
        _parameters = parameters;
        _gradients = gradients;
        _squareAverage = squareAverage;
        _momentumBuffer = momentumBuffer;
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
        ref T v = ref MemoryMarshal.GetReference(_squareAverage);
        ref T b = ref MemoryMarshal.GetReference(_momentumBuffer);
        nuint width = (nuint)TSimd.Count;
        nuint length = (nuint)_parameters.Length;
        nuint last = length - width;

        // The overlapping last vector is computed from the buffers as they are before the loop writes, and stored
        // after it, so its lanes are updated exactly once; only the lanes no full vector covered enter the sum.
        TVec tailW = Compute<TVec, TSimd>(ref w, ref g, ref v, ref b, last, out TVec tailV, out TVec tailB, out TVec tailProduct);
        TVec sum = TSimd.Zero;
        for (nuint i = 0; i < last; i += width)
        {
            TSimd.Store(Compute<TVec, TSimd>(ref w, ref g, ref v, ref b, i, out TVec newV, out TVec newB, out TVec product), ref w, i);
            Store<TVec, TSimd>(ref g, ref v, ref b, i, newV, newB);
            sum = TSimd.Add(sum, product);
        }

        TSimd.Store(tailW, ref w, last);
        Store<TVec, TSimd>(ref g, ref v, ref b, last, tailV, tailB);
        nuint covered = (last + width - 1) / width * width;
        sum = TSimd.Add(sum, TSimd.KeepLanes(tailProduct, TSimd.TailMask((int)(length - covered))));
        PredictedDecrease = -TSimd.Sum(sum);
    }

    // Returns the new w; newV and newB are the new buffers and product is g·Δw.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly TVec Compute<TVec, TSimd>(ref T w, ref T g, ref T v, ref T b, nuint i, out TVec newV, out TVec newB, out TVec product)
        where TVec : struct
        where TSimd : struct, ISimd<TVec, T>
    {
        TVec weights = TSimd.Load(ref w, i);
        TVec gradient = TSimd.Load(ref g, i);

        // g' = s·g + λ·w;  v = α·v + (1 − α)·g'²;  u = g'/(√v + ε)
        TVec scaled = TSimd.MultiplyAdd(weights, TSimd.Create(_coefficients.WeightDecay), TSimd.Multiply(gradient, TSimd.Create(_coefficients.GradientScale)));
        newV = TSimd.MultiplyAdd(
            TSimd.Load(ref v, i), TSimd.Create(_coefficients.Alpha), TSimd.Multiply(TSimd.Multiply(scaled, scaled), TSimd.Create(_coefficients.OneMinusAlpha)));
        TVec direction = TSimd.Divide(scaled, TSimd.Add(TSimd.Sqrt(newV), TSimd.Create(_coefficients.Epsilon)));
        newB = default;
        if (_coefficients.HasMomentum)
        {
            // b = μ·b + u
            newB = TSimd.MultiplyAdd(TSimd.Load(ref b, i), TSimd.Create(_coefficients.Momentum), direction);
            direction = newB;
        }

        TVec delta = TSimd.Multiply(direction, TSimd.Create(_coefficients.NegativeLearningRate));
        product = TSimd.Multiply(gradient, delta);
        return TSimd.Add(weights, delta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly void Store<TVec, TSimd>(ref T g, ref T v, ref T b, nuint i, TVec newV, TVec newB)
        where TVec : struct
        where TSimd : struct, ISimd<TVec, T>
    {
        TSimd.Store(newV, ref v, i);
        if (_coefficients.HasMomentum)
        {
            TSimd.Store(newB, ref b, i);
        }

        if (_clearGradients)
        {
            TSimd.Store(TSimd.Zero, ref g, i);
        }
    }
}
