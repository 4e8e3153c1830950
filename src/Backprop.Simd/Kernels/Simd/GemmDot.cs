using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Backprop.Simd.Kernels.Simd;

/// <summary>
/// <c>C = A·Bᵀ + bias</c> (β = 0: C is never read), with A [m, k] and B [n, k] both row-major, so every
/// product is a dot product of two contiguous rows. This is the dense forward pass, <c>Y = X·Wᵀ + b</c>,
/// straight from the layouts the layer stores. Register tile: up to 4 rows of A × 3 rows of B, twelve
/// vector accumulators along k, reduced horizontally once per tile; k's remainder is added in scalar.
/// </summary>
internal readonly ref struct GemmDot<T> : ISimdKernel<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Span<T> _c;
    private readonly ReadOnlySpan<T> _a;
    private readonly ReadOnlySpan<T> _b;
    private readonly ReadOnlySpan<T> _bias;
    private readonly int _m;
    private readonly int _n;
    private readonly int _k;

    /// <param name="c">[m, n] output.</param>
    /// <param name="a">[m, k].</param>
    /// <param name="b">[n, k].</param>
    /// <param name="bias">[n], or empty for none.</param>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="n">Rows of B, columns of C.</param>
    /// <param name="k">The shared (contiguous) dimension.</param>
    public GemmDot(Span<T> c, ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> bias, int m, int n, int k)
    {
        _c = c;
        _a = a;
        _b = b;
        _bias = bias;
        _m = m;
        _n = n;
        _k = k;
    }

    // Cache blocking: the rows of B (W) are taken in blocks of about 192 KiB, each reused from L2 by every row
    // strip of A (X), instead of streaming all of B from L3 for every strip.
    private const int BlockBytes = 192 * 1024;

    public void Run<TVec, TSimd>()
        where TVec : struct
        where TSimd : struct, ISimd<TVec, T>
    {
        int blockRows = Math.Max(3, BlockBytes / Math.Max(1, _k * Unsafe.SizeOf<T>()) / 3 * 3);
        for (int col0 = 0; col0 < _n; col0 += blockRows)
        {
            int col1 = Math.Min(col0 + blockRows, _n);
            int row = 0;
            for (; row + 4 <= _m; row += 4)
            {
                RowStrip<TVec, TSimd, Four>(row, col0, col1);
            }

            if (_m - row >= 2)
            {
                RowStrip<TVec, TSimd, Two>(row, col0, col1);
                row += 2;
            }

            if (row < _m)
            {
                RowStrip<TVec, TSimd, One>(row, col0, col1);
            }
        }
    }

    private void RowStrip<TVec, TSimd, TRows>(int row, int col0, int col1)
        where TVec : struct
        where TSimd : struct, ISimd<TVec, T>
        where TRows : struct, ITileCount
    {
        int col = col0;
        for (; col + 3 <= col1; col += 3)
        {
            Tile<TVec, TSimd, TRows, Three>(row, col);
        }

        if (col1 - col == 2)
        {
            Tile<TVec, TSimd, TRows, Two>(row, col);
        }
        else if (col1 - col == 1)
        {
            Tile<TVec, TSimd, TRows, One>(row, col);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Tile<TVec, TSimd, TRows, TCols>(int row, int col)
        where TVec : struct
        where TSimd : struct, ISimd<TVec, T>
        where TRows : struct, ITileCount
        where TCols : struct, ITileCount
    {
        int k = _k;
        nuint width = (nuint)TSimd.Count;
        nuint vectorEnd = (nuint)(k - (k % TSimd.Count));

        // Rows past the tile's count alias row 0: never loaded, since their accumulators are folded away.
        ref T a0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(_a), (nint)row * k);
        ref T a1 = ref TRows.Value > 1 ? ref Unsafe.Add(ref a0, k) : ref a0;
        ref T a2 = ref TRows.Value > 2 ? ref Unsafe.Add(ref a0, 2 * k) : ref a0;
        ref T a3 = ref TRows.Value > 3 ? ref Unsafe.Add(ref a0, 3 * k) : ref a0;
        ref T b0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(_b), (nint)col * k);
        ref T b1 = ref TCols.Value > 1 ? ref Unsafe.Add(ref b0, k) : ref b0;
        ref T b2 = ref TCols.Value > 2 ? ref Unsafe.Add(ref b0, 2 * k) : ref b0;

        TVec c00 = TSimd.Zero, c01 = TSimd.Zero, c02 = TSimd.Zero;
        TVec c10 = TSimd.Zero, c11 = TSimd.Zero, c12 = TSimd.Zero;
        TVec c20 = TSimd.Zero, c21 = TSimd.Zero, c22 = TSimd.Zero;
        TVec c30 = TSimd.Zero, c31 = TSimd.Zero, c32 = TSimd.Zero;

        for (nuint i = 0; i < vectorEnd; i += width)
        {
            TVec w0 = TSimd.Load(ref b0, i);
            TVec w1 = TCols.Value > 1 ? TSimd.Load(ref b1, i) : default;
            TVec w2 = TCols.Value > 2 ? TSimd.Load(ref b2, i) : default;

            TVec x = TSimd.Load(ref a0, i);
            c00 = TSimd.MultiplyAdd(x, w0, c00);
            if (TCols.Value > 1) { c01 = TSimd.MultiplyAdd(x, w1, c01); }
            if (TCols.Value > 2) { c02 = TSimd.MultiplyAdd(x, w2, c02); }

            if (TRows.Value > 1)
            {
                x = TSimd.Load(ref a1, i);
                c10 = TSimd.MultiplyAdd(x, w0, c10);
                if (TCols.Value > 1) { c11 = TSimd.MultiplyAdd(x, w1, c11); }
                if (TCols.Value > 2) { c12 = TSimd.MultiplyAdd(x, w2, c12); }
            }

            if (TRows.Value > 2)
            {
                x = TSimd.Load(ref a2, i);
                c20 = TSimd.MultiplyAdd(x, w0, c20);
                if (TCols.Value > 1) { c21 = TSimd.MultiplyAdd(x, w1, c21); }
                if (TCols.Value > 2) { c22 = TSimd.MultiplyAdd(x, w2, c22); }
            }

            if (TRows.Value > 3)
            {
                x = TSimd.Load(ref a3, i);
                c30 = TSimd.MultiplyAdd(x, w0, c30);
                if (TCols.Value > 1) { c31 = TSimd.MultiplyAdd(x, w1, c31); }
                if (TCols.Value > 2) { c32 = TSimd.MultiplyAdd(x, w2, c32); }
            }
        }

        int start = (int)vectorEnd;
        ref T c = ref Unsafe.Add(ref MemoryMarshal.GetReference(_c), ((nint)row * _n) + col);
        Finish<TVec, TSimd>(ref c, 0, c00, ref a0, ref b0, col, start);
        if (TCols.Value > 1) { Finish<TVec, TSimd>(ref c, 1, c01, ref a0, ref b1, col + 1, start); }
        if (TCols.Value > 2) { Finish<TVec, TSimd>(ref c, 2, c02, ref a0, ref b2, col + 2, start); }
        if (TRows.Value > 1)
        {
            c = ref Unsafe.Add(ref c, _n);
            Finish<TVec, TSimd>(ref c, 0, c10, ref a1, ref b0, col, start);
            if (TCols.Value > 1) { Finish<TVec, TSimd>(ref c, 1, c11, ref a1, ref b1, col + 1, start); }
            if (TCols.Value > 2) { Finish<TVec, TSimd>(ref c, 2, c12, ref a1, ref b2, col + 2, start); }
        }

        if (TRows.Value > 2)
        {
            c = ref Unsafe.Add(ref c, _n);
            Finish<TVec, TSimd>(ref c, 0, c20, ref a2, ref b0, col, start);
            if (TCols.Value > 1) { Finish<TVec, TSimd>(ref c, 1, c21, ref a2, ref b1, col + 1, start); }
            if (TCols.Value > 2) { Finish<TVec, TSimd>(ref c, 2, c22, ref a2, ref b2, col + 2, start); }
        }

        if (TRows.Value > 3)
        {
            c = ref Unsafe.Add(ref c, _n);
            Finish<TVec, TSimd>(ref c, 0, c30, ref a3, ref b0, col, start);
            if (TCols.Value > 1) { Finish<TVec, TSimd>(ref c, 1, c31, ref a3, ref b1, col + 1, start); }
            if (TCols.Value > 2) { Finish<TVec, TSimd>(ref c, 2, c32, ref a3, ref b2, col + 2, start); }
        }
    }

    // c[j] = Σ lanes + Σ_{i ≥ start} a[i]·b[i] + bias[col]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Finish<TVec, TSimd>(ref T c, int j, TVec accumulator, ref T a, ref T b, int col, int start)
        where TVec : struct
        where TSimd : struct, ISimd<TVec, T>
    {
        T sum = TSimd.Sum(accumulator);
        for (int i = start; i < _k; i++)
        {
            sum += Unsafe.Add(ref a, i) * Unsafe.Add(ref b, i);
        }

        if (!_bias.IsEmpty)
        {
            sum += _bias[col];
        }

        Unsafe.Add(ref c, j) = sum;
    }
}
