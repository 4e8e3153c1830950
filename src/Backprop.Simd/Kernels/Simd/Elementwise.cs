using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Backprop.Simd.Kernels.Simd;

/// <summary>
/// An element-wise operation of up to three inputs, written once for every width. An operator is a
/// <c>readonly struct</c> (it may carry parameters such as a slope), so calls are static and inlined.
/// </summary>
internal interface IElementwiseOp<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>How many of the inputs the operation reads (1 to 3); the others are not loaded.</summary>
    static abstract int Arity { get; }

    TVec Invoke<TVec, TSimd>(TVec x, TVec y, TVec z)
        where TVec : struct
        where TSimd : struct, ISimd<TVec, T>;
}

/// <summary>The one vectorized loop behind every element-wise kernel.</summary>
internal static class Elementwise
{
    /// <summary><c>destination[i] = op(x[i], y[i], z[i])</c>. Callers validate lengths; a source may alias
    /// the destination exactly (in place). Inputs beyond the operator's arity may be empty.</summary>
    public static void Map<T, TOp>(TOp op, ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> z, Span<T> destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOp : struct, IElementwiseOp<T>
    {
        if (destination.IsEmpty)
        {
            return;
        }

        var kernel = new MapKernel<T, TOp>(op, x, y, z, destination);
        SimdDispatch.Run<T, MapKernel<T, TOp>>(ref kernel, destination.Length);
    }

    /// <summary>The same map, forced to the scalar width (the oracle for tests).</summary>
    public static void MapScalar<T, TOp>(TOp op, ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> z, Span<T> destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOp : struct, IElementwiseOp<T>
    {
        var kernel = new MapKernel<T, TOp>(op, x, y, z, destination);
        SimdDispatch.RunScalar<T, MapKernel<T, TOp>>(ref kernel);
    }

    private readonly ref struct MapKernel<T, TOp>(TOp op, ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> z, Span<T> destination)
        : ISimdKernel<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOp : struct, IElementwiseOp<T>
    {
        private readonly ReadOnlySpan<T> _x = x;
        private readonly ReadOnlySpan<T> _y = y;
        private readonly ReadOnlySpan<T> _z = z;
        private readonly Span<T> _destination = destination;

        public void Run<TVec, TSimd>()
            where TVec : struct
            where TSimd : struct, ISimd<TVec, T>
        {
            int length = _destination.Length;
            if (length == 0)
            {
                return;
            }

            ref T x = ref MemoryMarshal.GetReference(_x);
            ref T y = ref MemoryMarshal.GetReference(_y);
            ref T z = ref MemoryMarshal.GetReference(_z);
            ref T d = ref MemoryMarshal.GetReference(_destination);
            nuint width = (nuint)TSimd.Count;
            nuint last = (nuint)length - width;

            // The tail is one overlapping vector ending at the last element. It is computed before any store
            // and stored after the loop, so a source that aliases the destination is read unchanged.
            TVec tail = Step<TVec, TSimd>(ref x, ref y, ref z, last);
            for (nuint i = 0; i < last; i += width)
            {
                TSimd.Store(Step<TVec, TSimd>(ref x, ref y, ref z, i), ref d, i);
            }

            TSimd.Store(tail, ref d, last);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private TVec Step<TVec, TSimd>(ref T x, ref T y, ref T z, nuint i)
            where TVec : struct
            where TSimd : struct, ISimd<TVec, T>
        {
            TVec a = TSimd.Load(ref x, i);
            TVec b = TOp.Arity >= 2 ? TSimd.Load(ref y, i) : default;
            TVec c = TOp.Arity >= 3 ? TSimd.Load(ref z, i) : default;
            return op.Invoke<TVec, TSimd>(a, b, c);
        }
    }
}
