using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Backprop.Simd.Kernels.Simd;

namespace Backprop.Simd.Kernels;

/// <summary>
/// An optimizer's update rule for one vector of parameters: from w, g and up to two state buffers, the change Δw and
/// the new state. The per-step scalars (rate, bias corrections, clipping scale) live in the implementing struct.
/// </summary>
internal interface IUpdateRule<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Whether the first state buffer is read and written.</summary>
    bool UsesFirstState { get; }

    /// <summary>Whether the second state buffer is read and written.</summary>
    bool UsesSecondState { get; }

    TVec Delta<TVec, TSimd>(TVec weights, TVec gradient, TVec first, TVec second, out TVec newFirst, out TVec newSecond)
        where TVec : struct
        where TSimd : struct, ISimd<TVec, T>;
}

public static partial class UpdateKernels
{
    /// <summary>Runs <paramref name="rule"/> over the buffers in one pass and returns <c>−Σ g·Δw</c>.</summary>
    internal static T FusedUpdate<T, TRule>(
        Span<T> parameters, Span<T> gradients, Span<T> firstState, Span<T> secondState, in TRule rule, bool clearGradients)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TRule : struct, IUpdateRule<T>
    {
        if (parameters.IsEmpty)
        {
            return T.Zero;
        }

        var kernel = new FusedUpdateKernel<T, TRule>(parameters, gradients, firstState, secondState, rule, clearGradients);
        SimdDispatch.Run<T, FusedUpdateKernel<T, TRule>>(ref kernel, parameters.Length);
        return kernel.PredictedDecrease;
    }
}

/// <summary>
/// The one pass every optimizer shares: load w, g and the state, apply the rule, store w and the state, optionally
/// clear g, and reduce <c>g·Δw</c> in vector accumulators.
/// </summary>
internal ref struct FusedUpdateKernel<T, TRule> : ISimdKernel<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
    where TRule : struct, IUpdateRule<T>
{
    private readonly Span<T> _parameters;
    private readonly Span<T> _gradients;
    private readonly Span<T> _first;
    private readonly Span<T> _second;
    private readonly TRule _rule;
    private readonly bool _clearGradients;

    public FusedUpdateKernel(Span<T> parameters, Span<T> gradients, Span<T> firstState, Span<T> secondState, in TRule rule, bool clearGradients)
    {
        _parameters = parameters;
        _gradients = gradients;
        _first = firstState;
        _second = secondState;
        _rule = rule;
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
        ref T s0 = ref MemoryMarshal.GetReference(_first);
        ref T s1 = ref MemoryMarshal.GetReference(_second);
        nuint width = (nuint)TSimd.Count;
        nuint length = (nuint)_parameters.Length;
        nuint last = length - width;

        // The overlapping last vector is computed from the buffers as they are before the loop writes, and stored
        // after it, so its lanes are updated exactly once; only the lanes no full vector covered enter the sum.
        TVec tailW = Step<TVec, TSimd>(ref w, ref g, ref s0, ref s1, last, out TVec tailFirst, out TVec tailSecond, out TVec tailProduct);
        TVec sum = TSimd.Zero;
        for (nuint i = 0; i < last; i += width)
        {
            TVec newW = Step<TVec, TSimd>(ref w, ref g, ref s0, ref s1, i, out TVec newFirst, out TVec newSecond, out TVec product);
            Store<TVec, TSimd>(ref w, ref g, ref s0, ref s1, i, newW, newFirst, newSecond);
            sum = TSimd.Add(sum, product);
        }

        Store<TVec, TSimd>(ref w, ref g, ref s0, ref s1, last, tailW, tailFirst, tailSecond);
        nuint covered = (last + width - 1) / width * width;
        sum = TSimd.Add(sum, TSimd.KeepLanes(tailProduct, TSimd.TailMask((int)(length - covered))));
        PredictedDecrease = -TSimd.Sum(sum);
    }

    // Returns the new w; product is g·Δw.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly TVec Step<TVec, TSimd>(ref T w, ref T g, ref T s0, ref T s1, nuint i, out TVec newFirst, out TVec newSecond, out TVec product)
        where TVec : struct
        where TSimd : struct, ISimd<TVec, T>
    {
        TVec weights = TSimd.Load(ref w, i);
        TVec gradient = TSimd.Load(ref g, i);
        TVec first = _rule.UsesFirstState ? TSimd.Load(ref s0, i) : default;
        TVec second = _rule.UsesSecondState ? TSimd.Load(ref s1, i) : default;
        TVec delta = _rule.Delta<TVec, TSimd>(weights, gradient, first, second, out newFirst, out newSecond);
        product = TSimd.Multiply(gradient, delta);
        return TSimd.Add(weights, delta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly void Store<TVec, TSimd>(ref T w, ref T g, ref T s0, ref T s1, nuint i, TVec newW, TVec newFirst, TVec newSecond)
        where TVec : struct
        where TSimd : struct, ISimd<TVec, T>
    {
        TSimd.Store(newW, ref w, i);
        if (_rule.UsesFirstState)
        {
            TSimd.Store(newFirst, ref s0, i);
        }

        if (_rule.UsesSecondState)
        {
            TSimd.Store(newSecond, ref s1, i);
        }

        if (_clearGradients)
        {
            TSimd.Store(TSimd.Zero, ref g, i);
        }
    }
}
