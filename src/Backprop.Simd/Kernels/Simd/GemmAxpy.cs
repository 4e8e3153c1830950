using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Backprop.Simd.Kernels.Simd;

/// <summary>
/// <c>C (+)= A·B</c> with B [k, n] row-major (contiguous along n) and A read element by element through two
/// strides, <c>A(i, p) = a[i·rowStride + p·depthStride]</c>, so A may be stored either way round. One kernel
/// serves both backward products of a dense layer from their stored layouts, with no transposed copy:
/// <c>dX = dY·W</c> (A = dY, B = W) and <c>dW += dYᵀ·X</c> (A = dYᵀ via the strides, B = X).
/// Register tile: up to 4 rows × 3 vectors of C, each step broadcasting one A element against a row of B.
/// The columns past the last full vector are one overlapping vector whose already-written lanes are masked.
/// </summary>
internal readonly ref struct GemmAxpy<T> : ISimdKernel<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Span<T> _c;
    private readonly ReadOnlySpan<T> _a;
    private readonly ReadOnlySpan<T> _b;
    private readonly int _m;
    private readonly int _n;
    private readonly int _k;
    private readonly int _rowStride;
    private readonly int _depthStride;
    private readonly bool _accumulate;
    private readonly T _alpha;

    /// <param name="c">[m, n] output, row-major.</param>
    /// <param name="a">A(i, p) at <c>i·rowStride + p·depthStride</c>.</param>
    /// <param name="m">Rows of C and A.</param>
    /// <param name="n">Columns of C and B.</param>
    /// <param name="k">The shared dimension: columns of A, rows of B.</param>
    /// <param name="rowStride">Distance between A(i, p) and A(i + 1, p).</param>
    /// <param name="depthStride">Distance between A(i, p) and A(i, p + 1).</param>
    /// <param name="b">[k, n], row-major.</param>
    /// <param name="accumulate">true: C += A·B; false: C = A·B and C's old values are never used.</param>
    /// <param name="alpha">Scales the product, C (+)= α·A·B (1 when 0 is passed, i.e. by default).</param>
    public GemmAxpy(Span<T> c, ReadOnlySpan<T> a, ReadOnlySpan<T> b, int m, int n, int k, int rowStride, int depthStride, bool accumulate, T alpha = default)
    {
        _alpha = alpha == T.Zero ? T.One : alpha;
        _c = c;
        _a = a;
        _b = b;
        _m = m;
        _n = n;
        _k = k;
        _rowStride = rowStride;
        _depthStride = depthStride;
        _accumulate = accumulate;
    }

    // Cache blocking: a block of KC rows by NC vector columns of B (256 × 15 vectors: 240 KiB of floats at
    // Vector512) is reused by every row strip of C from L2, instead of streaming all of B from L3 per strip.
    private const int DepthBlock = 256;
    private const int VectorsPerColumnBlock = 15;

    public void Run<TVec, TSimd>()
        where TVec : struct
        where TSimd : struct, ISimd<TVec, T>
    {
        int width = TSimd.Count;
        int fullVectors = _n / width;
        int remainder = _n - (fullVectors * width);
        for (int v0 = 0; v0 < fullVectors || (v0 == 0 && remainder != 0); v0 += VectorsPerColumnBlock)
        {
            int v1 = Math.Min(v0 + VectorsPerColumnBlock, fullVectors);
            bool lastColumns = v1 == fullVectors;
            for (int k0 = 0; k0 < _k || k0 == 0; k0 += DepthBlock)
            {
                // The first depth block applies β; the later ones add their partial products to it.
                var block = new Block(k0, Math.Min(k0 + DepthBlock, _k), v0, v1, lastColumns ? remainder : 0, _accumulate || k0 > 0);
                int row = 0;
                for (; row + 4 <= _m; row += 4)
                {
                    RowStrip<TVec, TSimd, Four>(row, block);
                }

                if (_m - row >= 2)
                {
                    RowStrip<TVec, TSimd, Two>(row, block);
                    row += 2;
                }

                if (row < _m)
                {
                    RowStrip<TVec, TSimd, One>(row, block);
                }
            }
        }
    }

    private void RowStrip<TVec, TSimd, TRows>(int row, in Block block)
        where TVec : struct
        where TSimd : struct, ISimd<TVec, T>
        where TRows : struct, ITileCount
    {
        int width = TSimd.Count;
        int v = block.FirstVector;
        for (; v + 3 <= block.EndVector; v += 3)
        {
            Tile<TVec, TSimd, TRows, Three>(row, v * width, block, TSimd.AllBitsSet, partial: false);
        }

        if (block.EndVector - v == 2)
        {
            Tile<TVec, TSimd, TRows, Two>(row, v * width, block, TSimd.AllBitsSet, partial: false);
        }
        else if (block.EndVector - v == 1)
        {
            Tile<TVec, TSimd, TRows, One>(row, v * width, block, TSimd.AllBitsSet, partial: false);
        }

        if (block.Remainder != 0)
        {
            // One vector ending at column n − 1; only its last `remainder` lanes are new.
            Tile<TVec, TSimd, TRows, One>(row, _n - width, block, TSimd.TailMask(block.Remainder), partial: true);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Tile<TVec, TSimd, TRows, TVectors>(int row, int col, in Block block, TVec mask, bool partial)
        where TVec : struct
        where TSimd : struct, ISimd<TVec, T>
        where TRows : struct, ITileCount
        where TVectors : struct, ITileCount
    {
        nuint width = (nuint)TSimd.Count;
        nuint ldb = (nuint)_n;
        nint depthStride = _depthStride;

        ref T b = ref Unsafe.Add(ref MemoryMarshal.GetReference(_b), col);
        ref T a0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(_a), (nint)row * _rowStride);
        ref T a1 = ref TRows.Value > 1 ? ref Unsafe.Add(ref a0, _rowStride) : ref a0;
        ref T a2 = ref TRows.Value > 2 ? ref Unsafe.Add(ref a0, 2 * _rowStride) : ref a0;
        ref T a3 = ref TRows.Value > 3 ? ref Unsafe.Add(ref a0, 3 * _rowStride) : ref a0;

        TVec c00 = TSimd.Zero, c01 = TSimd.Zero, c02 = TSimd.Zero;
        TVec c10 = TSimd.Zero, c11 = TSimd.Zero, c12 = TSimd.Zero;
        TVec c20 = TSimd.Zero, c21 = TSimd.Zero, c22 = TSimd.Zero;
        TVec c30 = TSimd.Zero, c31 = TSimd.Zero, c32 = TSimd.Zero;

        nint p = (nint)block.DepthStart * depthStride;
        nuint offset = (nuint)block.DepthStart * ldb;
        for (int step = block.DepthStart; step < block.DepthEnd; step++, p += depthStride, offset += ldb)
        {
            TVec y0 = TSimd.Load(ref b, offset);
            TVec y1 = TVectors.Value > 1 ? TSimd.Load(ref b, offset + width) : default;
            TVec y2 = TVectors.Value > 2 ? TSimd.Load(ref b, offset + (2 * width)) : default;

            TVec s = TSimd.Create(Unsafe.Add(ref a0, p));
            c00 = TSimd.MultiplyAdd(s, y0, c00);
            if (TVectors.Value > 1) { c01 = TSimd.MultiplyAdd(s, y1, c01); }
            if (TVectors.Value > 2) { c02 = TSimd.MultiplyAdd(s, y2, c02); }

            if (TRows.Value > 1)
            {
                s = TSimd.Create(Unsafe.Add(ref a1, p));
                c10 = TSimd.MultiplyAdd(s, y0, c10);
                if (TVectors.Value > 1) { c11 = TSimd.MultiplyAdd(s, y1, c11); }
                if (TVectors.Value > 2) { c12 = TSimd.MultiplyAdd(s, y2, c12); }
            }

            if (TRows.Value > 2)
            {
                s = TSimd.Create(Unsafe.Add(ref a2, p));
                c20 = TSimd.MultiplyAdd(s, y0, c20);
                if (TVectors.Value > 1) { c21 = TSimd.MultiplyAdd(s, y1, c21); }
                if (TVectors.Value > 2) { c22 = TSimd.MultiplyAdd(s, y2, c22); }
            }

            if (TRows.Value > 3)
            {
                s = TSimd.Create(Unsafe.Add(ref a3, p));
                c30 = TSimd.MultiplyAdd(s, y0, c30);
                if (TVectors.Value > 1) { c31 = TSimd.MultiplyAdd(s, y1, c31); }
                if (TVectors.Value > 2) { c32 = TSimd.MultiplyAdd(s, y2, c32); }
            }
        }

        if (_alpha != T.One)
        {
            TVec alpha = TSimd.Create(_alpha);
            c00 = TSimd.Multiply(c00, alpha); c01 = TSimd.Multiply(c01, alpha); c02 = TSimd.Multiply(c02, alpha);
            c10 = TSimd.Multiply(c10, alpha); c11 = TSimd.Multiply(c11, alpha); c12 = TSimd.Multiply(c12, alpha);
            c20 = TSimd.Multiply(c20, alpha); c21 = TSimd.Multiply(c21, alpha); c22 = TSimd.Multiply(c22, alpha);
            c30 = TSimd.Multiply(c30, alpha); c31 = TSimd.Multiply(c31, alpha); c32 = TSimd.Multiply(c32, alpha);
        }

        ref T c = ref Unsafe.Add(ref MemoryMarshal.GetReference(_c), ((nint)row * _n) + col);
        StoreRow<TVec, TSimd, TVectors>(ref c, c00, c01, c02, mask, partial, block.Accumulate);
        if (TRows.Value > 1) { StoreRow<TVec, TSimd, TVectors>(ref Unsafe.Add(ref c, _n), c10, c11, c12, mask, partial, block.Accumulate); }
        if (TRows.Value > 2) { StoreRow<TVec, TSimd, TVectors>(ref Unsafe.Add(ref c, 2 * _n), c20, c21, c22, mask, partial, block.Accumulate); }
        if (TRows.Value > 3) { StoreRow<TVec, TSimd, TVectors>(ref Unsafe.Add(ref c, 3 * _n), c30, c31, c32, mask, partial, block.Accumulate); }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TVec, TSimd, TVectors>(ref T c, TVec v0, TVec v1, TVec v2, TVec mask, bool partial, bool accumulate)
        where TVec : struct
        where TSimd : struct, ISimd<TVec, T>
        where TVectors : struct, ITileCount
    {
        nuint width = (nuint)TSimd.Count;
        StoreOne<TVec, TSimd>(ref c, 0, v0, mask, partial, accumulate);
        if (TVectors.Value > 1) { StoreOne<TVec, TSimd>(ref c, width, v1, mask, partial, accumulate); }
        if (TVectors.Value > 2) { StoreOne<TVec, TSimd>(ref c, 2 * width, v2, mask, partial, accumulate); }
    }

    // C (+)= value. A partial (tail) vector keeps the lanes outside its mask as this call already wrote them;
    // a full vector with β = 0 never reads C.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreOne<TVec, TSimd>(ref T c, nuint offset, TVec value, TVec mask, bool partial, bool accumulate)
        where TVec : struct
        where TSimd : struct, ISimd<TVec, T>
    {
        if (accumulate)
        {
            value = TSimd.Add(TSimd.Load(ref c, offset), partial ? TSimd.KeepLanes(value, mask) : value);
        }
        else if (partial)
        {
            value = TSimd.Select(mask, value, TSimd.Load(ref c, offset));
        }

        TSimd.Store(value, ref c, offset);
    }

    /// <summary>The part of the product one pass computes: depth rows [DepthStart, DepthEnd) of B and vector columns
    /// [FirstVector, EndVector), plus the masked tail vector when <see cref="Remainder"/> is not 0.</summary>
    private readonly record struct Block(int DepthStart, int DepthEnd, int FirstVector, int EndVector, int Remainder, bool Accumulate);
}
