using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Simd.Kernels.Simd;

/// <summary>
/// <c>C (+)= A·B</c> in the BLIS structure: loops over NC columns and KC depths of B, each block packed once into
/// zero-padded panels NR columns wide, then MC rows of A, around one register-blocked micro-kernel of MR = 6 rows
/// by NR = 4 vectors (Vector512; 2 vectors at the narrower widths, which have 16 registers) with fully unrolled FMA
/// accumulators. Both operands are read through strides, so every product of a dense layer is served from its
/// stored layout and no transpose is ever materialized:
/// <c>A(i, p) = a[i·aRowStride + p·aDepthStride]</c> is broadcast 6 rows at a time, in place when its depth is
/// contiguous and from a packed copy when it is strided (see RunBlocks), <c>B(p, j) = b[p·bDepthStride + j·bColumnStride]</c> is
/// packed (a copy when B's rows are contiguous, a transpose otherwise), and <c>C(i, j) = c[i·ldc + j]</c>.
/// β = 0 never reads C. On the last depth block the epilogue adds a bias per column and writes
/// <c>activated = f(C)</c> while the tile is still in registers.
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
/// <typeparam name="TActivation">The activation of the epilogue, or <see cref="NoActivation{T}"/>.</typeparam>
internal readonly ref struct PackedGemm<T, TActivation> : ISimdKernel<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
    where TActivation : struct, IElementwiseOp<T>
{
    // Every method on the path is fully optimized from its first call (AggressiveOptimization): a service's first
    // requests must not run tier-0 packing loops, which measured 1.5× slower on the first call of a forward pass.

    /// <summary>Rows of the micro-kernel.</summary>
    public const int RowsPerTile = 6;

    private readonly Span<T> _c;
    private readonly Span<T> _activated;
    private readonly ReadOnlySpan<T> _a;
    private readonly ReadOnlySpan<T> _b;
    private readonly ReadOnlySpan<T> _columnBias;
    private readonly Span<T> _pack;
    private readonly int _suppliedPack;
    private readonly int _m;
    private readonly int _n;
    private readonly int _ldc;
    private readonly int _k;
    private readonly int _aRowStride;
    private readonly int _aDepthStride;
    private readonly int _bDepthStride;
    private readonly int _bColumnStride;
    private readonly bool _accumulate;
    private readonly T _alpha;
    private readonly TActivation _activation;
    private readonly GemmBlocking _blocking;

    /// <param name="c">[m, n] row-major output.</param>
    /// <param name="a">A(i, p) at <c>i·aRowStride + p·aDepthStride</c>.</param>
    /// <param name="b">B(p, j) at <c>p·bDepthStride + j·bColumnStride</c>.</param>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="n">Columns of B and C.</param>
    /// <param name="k">The shared dimension.</param>
    /// <param name="aRowStride">Distance between A(i, p) and A(i + 1, p).</param>
    /// <param name="aDepthStride">Distance between A(i, p) and A(i, p + 1).</param>
    /// <param name="bDepthStride">Distance between B(p, j) and B(p + 1, j).</param>
    /// <param name="bColumnStride">Distance between B(p, j) and B(p, j + 1).</param>
    /// <param name="accumulate">true: C += A·B; false: C = A·B and C is never read.</param>
    /// <param name="pack">At least <see cref="PackLength"/>(n, k) elements of scratch.</param>
    /// <param name="columnBias">[n] added to every row of the result, or empty.</param>
    /// <param name="activated">[m, n] receiving f(C), or empty (then <paramref name="activation"/> is unused).</param>
    /// <param name="activation">f.</param>
    /// <param name="ldc">Distance between rows of C and of <paramref name="activated"/>: n, unless C is a column slice of a wider matrix.</param>
    /// <param name="blocking">Cache blocks; <see cref="GemmBlocking.Default"/> unless a test wants small ones.</param>
    /// <param name="alpha">Scales the product: C (+)= α·A·B (1 when 0 is passed, i.e. by default). With β = 1 and
    /// α = −μ this is a fused SGD step on C = W.</param>
    public PackedGemm(
        Span<T> c,
        ReadOnlySpan<T> a,
        ReadOnlySpan<T> b,
        int m,
        int n,
        int k,
        int aRowStride,
        int aDepthStride,
        int bDepthStride,
        int bColumnStride,
        bool accumulate,
        Span<T> pack,
        ReadOnlySpan<T> columnBias = default,
        Span<T> activated = default,
        TActivation activation = default,
        int ldc = 0,
        GemmBlocking blocking = default,
        T alpha = default)
    {
        _alpha = alpha == T.Zero ? T.One : alpha;
        _ldc = ldc == 0 ? n : ldc;
        _blocking = blocking.Depth == 0 ? GemmBlocking.Default : blocking;
        _c = c;
        _a = a;
        _b = b;
        _m = m;
        _n = n;
        _k = k;
        _aRowStride = aRowStride;
        _aDepthStride = aDepthStride;
        _bDepthStride = bDepthStride;
        _bColumnStride = bColumnStride;
        _accumulate = accumulate;
        // Panels start on a cache line, so no load of the micro-kernel splits two lines (misaligned by 16 bytes, the
        // packed products measured 1-12% slower, typically 4-7%).
        _suppliedPack = pack.Length;
        _pack = pack.Slice(Math.Min(pack.Length, CacheLine.Offset(pack)));
        _columnBias = columnBias;
        _activated = activated;
        _activation = activation;
    }

    /// <summary>Scratch elements for packing: one KC × NC block of B, its columns rounded up to the widest panel; one
    /// MC × KC block of A when A's depth is strided far apart (<paramref name="aDepthStride"/>, see RunBlocks); and the
    /// slack to start the panels on a 64-byte boundary.</summary>
    public static int PackLength(int n, int k, GemmBlocking blocking = default, int aDepthStride = 1)
        => checked(PanelsLength(n, k, blocking) + (PacksA(k, aDepthStride, blocking) ? PackedALength(k, blocking) : 0) + CacheLine.Slack<T>());

    // An A whose depth is strided far apart (dW += dYᵀ·X reads dY down its columns: at 1024 outputs, a new page every
    // depth step, 256 pages a tile) is packed per MC × KC block into [tile][p][6], contiguous. Read in place, the
    // broadcasts missed the first-level TLB on every step unless the OS had backed dY with huge pages: the product ran
    // at 50% of peak in one benchmark process and 78% in the next. Packed, it measured 5-17% faster with huge pages
    // too. A tile spanning at most 128 KiB (32 pages) stays in place, where the copy cost more than it saved (small
    // shapes, stopwatch: 1-6% slower), as does an A with contiguous depth (packing gained nothing).
    private static bool PacksA(int k, int aDepthStride, GemmBlocking blocking)
    {
        blocking = blocking.Depth == 0 ? GemmBlocking.Default : blocking;
        return aDepthStride != 1 && (long)Math.Min(k, blocking.Depth) * aDepthStride * Unsafe.SizeOf<T>() > 128 * 1024;
    }

    // One MC × KC block of A in whole tiles, for an A whose depth is strided.
    private static int PackedALength(int k, GemmBlocking blocking)
    {
        blocking = blocking.Depth == 0 ? GemmBlocking.Default : blocking;
        int rows = (blocking.Rows + RowsPerTile - 1) / RowsPerTile * RowsPerTile;
        return checked(rows * Math.Max(1, Math.Min(k, blocking.Depth)));
    }

    private static int PanelsLength(int n, int k, GemmBlocking blocking)
    {
        blocking = blocking.Depth == 0 ? GemmBlocking.Default : blocking;
        int widestPanel = GemmBlocking.WidestPanel<T>();
        long columns = Math.Min(n, blocking.Columns);
        return checked((int)(Math.Max(1, Math.Min(k, blocking.Depth)) * ((columns + widestPanel - 1) / widestPanel * widestPanel)));
    }

    public void Run<TVec, TSimd>()
        where TVec : struct
        where TSimd : struct, ISimd<TVec, T>
    {
        // The packing loops write through unchecked references: a short scratch must fail here, not corrupt memory.
        int needed = PackLength(_n, _k, _blocking, _aDepthStride);
        if (_suppliedPack < needed)
        {
            throw new ArgumentException($"pack has length {_suppliedPack}, but n = {_n}, k = {_k} need {needed}.", "pack");
        }

        // 4 vectors per row need 24 accumulators + 4 B registers + 1 broadcast: only AVX-512 has 32 registers.
        if (TSimd.Count * Unsafe.SizeOf<T>() == 64)
        {
            RunBlocks<TVec, TSimd, Four>();
        }
        else
        {
            RunBlocks<TVec, TSimd, Two>();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunBlocks<TVec, TSimd, TVectors>()
        where TVec : struct
        where TSimd : struct, ISimd<TVec, T>
        where TVectors : struct, ITileCount
    {
        int panelWidth = TVectors.Value * TSimd.Count;
        int depthBlock = _blocking.Depth;
        int rowBlock = _blocking.Rows;
        int columnBlock = _blocking.Columns;
        Span<T> stage = stackalloc T[RowsPerTile * GemmBlocking.WidestPanel<T>()];

        bool packA = PacksA(_k, _aDepthStride, _blocking);
        ref T packedA = ref Unsafe.Add(ref MemoryMarshal.GetReference(_pack), PanelsLength(_n, _k, _blocking));
        for (int jc = 0; jc < _n; jc += columnBlock)
        {
            int nc = Math.Min(columnBlock, _n - jc);
            for (int pc = 0; pc < _k || pc == 0; pc += depthBlock)
            {
                int kc = Math.Min(depthBlock, _k - pc);
                bool accumulate = _accumulate || pc > 0;
                bool finish = pc + kc >= _k;
                PackB(jc, nc, pc, kc, panelWidth);
                for (int ic = 0; ic < _m; ic += rowBlock)
                {
                    int mc = Math.Min(rowBlock, _m - ic);
                    if (packA)
                    {
                        PackA(ref packedA, ic, mc, pc, kc);
                    }

                    for (int jr = 0; jr < nc; jr += panelWidth)
                    {
                        ref T panel = ref Unsafe.Add(ref MemoryMarshal.GetReference(_pack), jr * kc);
                        int columns = Math.Min(panelWidth, nc - jr);
                        for (int ir = 0; ir < mc; ir += RowsPerTile)
                        {
                            int rows = Math.Min(RowsPerTile, mc - ir);
                            ref T aTile = ref packA
                                ? ref Unsafe.Add(ref packedA, ir * kc)
                                : ref Unsafe.Add(ref MemoryMarshal.GetReference(_a), ((nint)(ic + ir) * _aRowStride) + ((nint)pc * _aDepthStride));
                            Tile<TVec, TSimd, TVectors>(
                                ic + ir, jc + jr, rows, columns, ref aTile, packA ? 1 : _aRowStride, packA ? RowsPerTile : _aDepthStride,
                                kc, ref panel, accumulate, finish, stage);
                        }
                    }
                }
            }
        }
    }

    // Packs A(ic .. ic + mc, pc .. pc + kc) as tiles of 6 rows, each [kc][6]; rows past mc repeat the last row.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PackA(ref T packed, int ic, int mc, int pc, int kc)
    {
        nint rowStride = _aRowStride;
        nint depthStride = _aDepthStride;
        for (int ir = 0; ir < mc; ir += RowsPerTile)
        {
            int last = Math.Min(RowsPerTile, mc - ir) - 1;
            ref T source = ref Unsafe.Add(ref MemoryMarshal.GetReference(_a), ((ic + ir) * rowStride) + (pc * depthStride));
            ref T to = ref Unsafe.Add(ref packed, ir * kc);
            if (last == RowsPerTile - 1 && rowStride == 1)
            {
                // A full tile of dYᵀ: six neighbours per depth step.
                for (int p = 0; p < kc; p++)
                {
                    ref T from = ref Unsafe.Add(ref source, p * depthStride);
                    Unsafe.Add(ref to, 0) = Unsafe.Add(ref from, 0);
                    Unsafe.Add(ref to, 1) = Unsafe.Add(ref from, 1);
                    Unsafe.Add(ref to, 2) = Unsafe.Add(ref from, 2);
                    Unsafe.Add(ref to, 3) = Unsafe.Add(ref from, 3);
                    Unsafe.Add(ref to, 4) = Unsafe.Add(ref from, 4);
                    Unsafe.Add(ref to, 5) = Unsafe.Add(ref from, 5);
                    to = ref Unsafe.Add(ref to, RowsPerTile);
                }

                continue;
            }

            for (int p = 0; p < kc; p++)
            {
                ref T from = ref Unsafe.Add(ref source, p * depthStride);
                for (int r = 0; r < RowsPerTile; r++)
                {
                    Unsafe.Add(ref to, r) = Unsafe.Add(ref from, Math.Min(r, last) * rowStride);
                }

                to = ref Unsafe.Add(ref to, RowsPerTile);
            }
        }
    }

    // Packs B(pc .. pc + kc, jc .. jc + nc) as panels of `width` columns, each [kc][width], columns past n zeroed.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PackB(int jc, int nc, int pc, int kc, int width)
    {
        ref T b = ref MemoryMarshal.GetReference(_b);
        ref T pack = ref MemoryMarshal.GetReference(_pack);
        for (int jr = 0; jr < nc; jr += width)
        {
            int columns = Math.Min(width, nc - jr);
            ref T panel = ref Unsafe.Add(ref pack, jr * kc);
            ref T source = ref Unsafe.Add(ref b, ((nint)pc * _bDepthStride) + ((nint)(jc + jr) * _bColumnStride));
            if (_bColumnStride == 1)
            {
                // B's rows are contiguous (dX = dY·W, dW += dYᵀ·X): copy `columns` elements per depth step.
                for (int p = 0; p < kc; p++)
                {
                    ref T from = ref Unsafe.Add(ref source, (nint)p * _bDepthStride);
                    ref T to = ref Unsafe.Add(ref panel, p * width);
                    MemoryMarshal.CreateReadOnlySpan(ref from, columns).CopyTo(MemoryMarshal.CreateSpan(ref to, columns));
                    MemoryMarshal.CreateSpan(ref Unsafe.Add(ref to, columns), width - columns).Clear();
                }
            }
            else
            {
                // B = Wᵀ (the forward pass): column j of B is row j of W.
                if (!TransposeByGather(ref source, ref panel, columns, kc, width))
                {
                    // Written panel row by panel row, so the stores are sequential and each cache line read from W
                    // serves the next 16 depth steps.
                    for (int p = 0; p < kc; p++)
                    {
                        ref T from = ref Unsafe.Add(ref source, (nint)p * _bDepthStride);
                        ref T to = ref Unsafe.Add(ref panel, p * width);
                        for (int j = 0; j < columns; j++)
                        {
                            Unsafe.Add(ref to, j) = Unsafe.Add(ref from, (nint)j * _bColumnStride);
                        }
                    }
                }

                for (int p = 0; p < kc && columns < width; p++)
                {
                    MemoryMarshal.CreateSpan(ref Unsafe.Add(ref panel, (p * width) + columns), width - columns).Clear();
                }
            }
        }
    }

    // The transposing pack with AVX2 gathers (8 floats or 4 doubles per instruction): faster than the scalar loop,
    // which matters because the forward pass packs all of W on every call. Full panels only.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe bool TransposeByGather(ref T source, ref T panel, int columns, int kc, int width)
    {
        int lanes = 32 / Unsafe.SizeOf<T>();
        if (!Avx2.IsSupported || columns != width || width % lanes != 0
            || (long)_bColumnStride * lanes > int.MaxValue || _bDepthStride != 1)
        {
            return false;
        }

        fixed (T* from = &source)
        fixed (T* to = &panel)
        {
            if (typeof(T) == typeof(float))
            {
                Vector256<int> rows = Vector256<int>.Indices * _bColumnStride;
                for (int v = 0; v < width; v += lanes)
                {
                    float* column = (float*)from + ((nint)v * _bColumnStride);
                    float* destination = (float*)to + v;
                    for (int p = 0; p < kc; p++)
                    {
                        Avx2.GatherVector256(column + p, rows, sizeof(float)).Store(destination + (p * width));
                    }
                }
            }
            else
            {
                Vector128<int> rows = Vector128<int>.Indices * _bColumnStride;
                for (int v = 0; v < width; v += lanes)
                {
                    double* column = (double*)from + ((nint)v * _bColumnStride);
                    double* destination = (double*)to + v;
                    for (int p = 0; p < kc; p++)
                    {
                        Avx2.GatherVector256(column + p, rows, sizeof(double)).Store(destination + (p * width));
                    }
                }
            }
        }

        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Tile<TVec, TSimd, TVectors>(
        int row, int col, int rows, int columns, ref T a0, nint rowStride, nint depthStride, int kc, ref T panel, bool accumulate, bool finish, Span<T> stage)
        where TVec : struct
        where TSimd : struct, ISimd<TVec, T>
        where TVectors : struct, ITileCount
    {
        nuint width = (nuint)TSimd.Count;
        int panelWidth = TVectors.Value * TSimd.Count;

        // A(row + r, pc + p) = a0[r·rowStride + p·depthStride]. Rows past m repeat the last row (computed, never
        // stored), so edge tiles run the same loop.
        ref T a1 = ref Unsafe.Add(ref a0, Math.Min(1, rows - 1) * rowStride);
        ref T a2 = ref Unsafe.Add(ref a0, Math.Min(2, rows - 1) * rowStride);
        ref T a3 = ref Unsafe.Add(ref a0, Math.Min(3, rows - 1) * rowStride);
        ref T a4 = ref Unsafe.Add(ref a0, Math.Min(4, rows - 1) * rowStride);
        ref T a5 = ref Unsafe.Add(ref a0, Math.Min(5, rows - 1) * rowStride);

        TVec c00 = TSimd.Zero, c01 = TSimd.Zero, c02 = TSimd.Zero, c03 = TSimd.Zero;
        TVec c10 = TSimd.Zero, c11 = TSimd.Zero, c12 = TSimd.Zero, c13 = TSimd.Zero;
        TVec c20 = TSimd.Zero, c21 = TSimd.Zero, c22 = TSimd.Zero, c23 = TSimd.Zero;
        TVec c30 = TSimd.Zero, c31 = TSimd.Zero, c32 = TSimd.Zero, c33 = TSimd.Zero;
        TVec c40 = TSimd.Zero, c41 = TSimd.Zero, c42 = TSimd.Zero, c43 = TSimd.Zero;
        TVec c50 = TSimd.Zero, c51 = TSimd.Zero, c52 = TSimd.Zero, c53 = TSimd.Zero;

        ref T b = ref panel;
        nint offset = 0;
        int p = 0;
        for (; p + 2 <= kc; p += 2)
        {
            Step<TVec, TSimd, TVectors>(ref b, offset, ref a0, ref a1, ref a2, ref a3, ref a4, ref a5,
                ref c00, ref c01, ref c02, ref c03, ref c10, ref c11, ref c12, ref c13, ref c20, ref c21, ref c22, ref c23,
                ref c30, ref c31, ref c32, ref c33, ref c40, ref c41, ref c42, ref c43, ref c50, ref c51, ref c52, ref c53);
            Step<TVec, TSimd, TVectors>(ref Unsafe.Add(ref b, panelWidth), offset + depthStride, ref a0, ref a1, ref a2, ref a3, ref a4, ref a5,
                ref c00, ref c01, ref c02, ref c03, ref c10, ref c11, ref c12, ref c13, ref c20, ref c21, ref c22, ref c23,
                ref c30, ref c31, ref c32, ref c33, ref c40, ref c41, ref c42, ref c43, ref c50, ref c51, ref c52, ref c53);
            offset += 2 * depthStride;
            b = ref Unsafe.Add(ref b, 2 * panelWidth);
        }

        if (p < kc)
        {
            Step<TVec, TSimd, TVectors>(ref b, offset, ref a0, ref a1, ref a2, ref a3, ref a4, ref a5,
                ref c00, ref c01, ref c02, ref c03, ref c10, ref c11, ref c12, ref c13, ref c20, ref c21, ref c22, ref c23,
                ref c30, ref c31, ref c32, ref c33, ref c40, ref c41, ref c42, ref c43, ref c50, ref c51, ref c52, ref c53);
        }

        if (rows == RowsPerTile && columns == panelWidth)
        {
            ref T c = ref Unsafe.Add(ref MemoryMarshal.GetReference(_c), ((nint)row * _ldc) + col);
            StoreRow<TVec, TSimd, TVectors>(ref c, row, col, c00, c01, c02, c03, accumulate, finish);
            StoreRow<TVec, TSimd, TVectors>(ref Unsafe.Add(ref c, _ldc), row + 1, col, c10, c11, c12, c13, accumulate, finish);
            StoreRow<TVec, TSimd, TVectors>(ref Unsafe.Add(ref c, 2 * _ldc), row + 2, col, c20, c21, c22, c23, accumulate, finish);
            StoreRow<TVec, TSimd, TVectors>(ref Unsafe.Add(ref c, 3 * _ldc), row + 3, col, c30, c31, c32, c33, accumulate, finish);
            StoreRow<TVec, TSimd, TVectors>(ref Unsafe.Add(ref c, 4 * _ldc), row + 4, col, c40, c41, c42, c43, accumulate, finish);
            StoreRow<TVec, TSimd, TVectors>(ref Unsafe.Add(ref c, 5 * _ldc), row + 5, col, c50, c51, c52, c53, accumulate, finish);
            return;
        }

        // An edge tile: through a staging buffer, then whole vectors and the remaining elements into the part of C that exists.
        ref T s = ref MemoryMarshal.GetReference(stage);
        StageRow<TVec, TSimd, TVectors>(ref s, c00, c01, c02, c03);
        StageRow<TVec, TSimd, TVectors>(ref Unsafe.Add(ref s, panelWidth), c10, c11, c12, c13);
        StageRow<TVec, TSimd, TVectors>(ref Unsafe.Add(ref s, 2 * panelWidth), c20, c21, c22, c23);
        StageRow<TVec, TSimd, TVectors>(ref Unsafe.Add(ref s, 3 * panelWidth), c30, c31, c32, c33);
        StageRow<TVec, TSimd, TVectors>(ref Unsafe.Add(ref s, 4 * panelWidth), c40, c41, c42, c43);
        StageRow<TVec, TSimd, TVectors>(ref Unsafe.Add(ref s, 5 * panelWidth), c50, c51, c52, c53);
        for (int r = 0; r < rows; r++)
        {
            ref T staged = ref Unsafe.Add(ref s, r * panelWidth);
            ref T c = ref Unsafe.Add(ref MemoryMarshal.GetReference(_c), ((nint)(row + r) * _ldc) + col);
            int j = 0;
            for (; j + TSimd.Count <= columns; j += TSimd.Count)
            {
                StoreVector<TVec, TSimd>(ref c, row + r, col, (nuint)j, TSimd.Load(ref staged, (nuint)j), accumulate, finish);
            }

            for (; j < columns; j++)
            {
                StoreScalar(row + r, col + j, Unsafe.Add(ref staged, j), accumulate, finish);
            }
        }
    }

    // One depth step of the micro-kernel: 4 (or 2) vectors of a packed B row against 6 broadcast elements of A.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step<TVec, TSimd, TVectors>(
        ref T b, nint offset, ref T a0, ref T a1, ref T a2, ref T a3, ref T a4, ref T a5,
        ref TVec c00, ref TVec c01, ref TVec c02, ref TVec c03, ref TVec c10, ref TVec c11, ref TVec c12, ref TVec c13,
        ref TVec c20, ref TVec c21, ref TVec c22, ref TVec c23, ref TVec c30, ref TVec c31, ref TVec c32, ref TVec c33,
        ref TVec c40, ref TVec c41, ref TVec c42, ref TVec c43, ref TVec c50, ref TVec c51, ref TVec c52, ref TVec c53)
        where TVec : struct
        where TSimd : struct, ISimd<TVec, T>
        where TVectors : struct, ITileCount
    {
        nuint width = (nuint)TSimd.Count;
        TVec b0 = TSimd.Load(ref b, 0);
        TVec b1 = TSimd.Load(ref b, width);
        TVec b2 = TVectors.Value > 2 ? TSimd.Load(ref b, 2 * width) : default;
        TVec b3 = TVectors.Value > 3 ? TSimd.Load(ref b, 3 * width) : default;

        TVec x = TSimd.Create(Unsafe.Add(ref a0, offset));
        c00 = TSimd.MultiplyAdd(x, b0, c00);
        c01 = TSimd.MultiplyAdd(x, b1, c01);
        if (TVectors.Value > 2) { c02 = TSimd.MultiplyAdd(x, b2, c02); c03 = TSimd.MultiplyAdd(x, b3, c03); }

        x = TSimd.Create(Unsafe.Add(ref a1, offset));
        c10 = TSimd.MultiplyAdd(x, b0, c10);
        c11 = TSimd.MultiplyAdd(x, b1, c11);
        if (TVectors.Value > 2) { c12 = TSimd.MultiplyAdd(x, b2, c12); c13 = TSimd.MultiplyAdd(x, b3, c13); }

        x = TSimd.Create(Unsafe.Add(ref a2, offset));
        c20 = TSimd.MultiplyAdd(x, b0, c20);
        c21 = TSimd.MultiplyAdd(x, b1, c21);
        if (TVectors.Value > 2) { c22 = TSimd.MultiplyAdd(x, b2, c22); c23 = TSimd.MultiplyAdd(x, b3, c23); }

        x = TSimd.Create(Unsafe.Add(ref a3, offset));
        c30 = TSimd.MultiplyAdd(x, b0, c30);
        c31 = TSimd.MultiplyAdd(x, b1, c31);
        if (TVectors.Value > 2) { c32 = TSimd.MultiplyAdd(x, b2, c32); c33 = TSimd.MultiplyAdd(x, b3, c33); }

        x = TSimd.Create(Unsafe.Add(ref a4, offset));
        c40 = TSimd.MultiplyAdd(x, b0, c40);
        c41 = TSimd.MultiplyAdd(x, b1, c41);
        if (TVectors.Value > 2) { c42 = TSimd.MultiplyAdd(x, b2, c42); c43 = TSimd.MultiplyAdd(x, b3, c43); }

        x = TSimd.Create(Unsafe.Add(ref a5, offset));
        c50 = TSimd.MultiplyAdd(x, b0, c50);
        c51 = TSimd.MultiplyAdd(x, b1, c51);
        if (TVectors.Value > 2) { c52 = TSimd.MultiplyAdd(x, b2, c52); c53 = TSimd.MultiplyAdd(x, b3, c53); }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void StoreRow<TVec, TSimd, TVectors>(ref T c, int row, int col, TVec v0, TVec v1, TVec v2, TVec v3, bool accumulate, bool finish)
        where TVec : struct
        where TSimd : struct, ISimd<TVec, T>
        where TVectors : struct, ITileCount
    {
        nuint width = (nuint)TSimd.Count;
        StoreVector<TVec, TSimd>(ref c, row, col, 0, v0, accumulate, finish);
        StoreVector<TVec, TSimd>(ref c, row, col, width, v1, accumulate, finish);
        if (TVectors.Value > 2)
        {
            StoreVector<TVec, TSimd>(ref c, row, col, 2 * width, v2, accumulate, finish);
            StoreVector<TVec, TSimd>(ref c, row, col, 3 * width, v3, accumulate, finish);
        }
    }

    // C (+)= value, then on the last depth block: + bias, and activated = f(C).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void StoreVector<TVec, TSimd>(ref T c, int row, int col, nuint offset, TVec value, bool accumulate, bool finish)
        where TVec : struct
        where TSimd : struct, ISimd<TVec, T>
    {
        if (accumulate)
        {
            value = _alpha == T.One ? TSimd.Add(TSimd.Load(ref c, offset), value) : TSimd.MultiplyAdd(value, TSimd.Create(_alpha), TSimd.Load(ref c, offset));
        }
        else if (_alpha != T.One)
        {
            value = TSimd.Multiply(value, TSimd.Create(_alpha));
        }

        if (finish && !_columnBias.IsEmpty)
        {
            value = TSimd.Add(value, TSimd.Load(ref MemoryMarshal.GetReference(_columnBias), (nuint)col + offset));
        }

        TSimd.Store(value, ref c, offset);
        if (finish && !_activated.IsEmpty)
        {
            TVec f = _activation.Invoke<TVec, TSimd>(value, default, default);
            TSimd.Store(f, ref MemoryMarshal.GetReference(_activated), ((nuint)row * (nuint)_ldc) + (nuint)col + offset);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StageRow<TVec, TSimd, TVectors>(ref T s, TVec v0, TVec v1, TVec v2, TVec v3)
        where TVec : struct
        where TSimd : struct, ISimd<TVec, T>
        where TVectors : struct, ITileCount
    {
        nuint width = (nuint)TSimd.Count;
        TSimd.Store(v0, ref s, 0);
        TSimd.Store(v1, ref s, width);
        if (TVectors.Value > 2)
        {
            TSimd.Store(v2, ref s, 2 * width);
            TSimd.Store(v3, ref s, 3 * width);
        }
    }

    private void StoreScalar(int row, int col, T value, bool accumulate, bool finish)
    {
        int index = (row * _ldc) + col;
        if (accumulate)
        {
            value = SimdScalar<T>.MultiplyAdd(value, _alpha, _c[index]);
        }
        else
        {
            value *= _alpha;
        }

        if (finish && !_columnBias.IsEmpty)
        {
            value += _columnBias[col];
        }

        _c[index] = value;
        if (finish && !_activated.IsEmpty)
        {
            _activated[index] = _activation.Invoke<T, SimdScalar<T>>(value, default, default);
        }
    }
}

/// <summary>The epilogue's activation when there is none: f(z) = z.</summary>
internal readonly struct NoActivation<T> : IElementwiseOp<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static int Arity => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Invoke<TVec, TSimd>(TVec z, TVec unused1, TVec unused2)
        where TVec : struct
        where TSimd : struct, ISimd<TVec, T>
        => z;
}

/// <summary>
/// The cache blocks of <see cref="PackedGemm{T, TActivation}"/>, in elements: KC (depth), MC (rows, a multiple of 6) and
/// NC (columns, a multiple of the widest panel). Tuned on the machine of the README's figures (48 KiB L1d, 2 MiB L2):
/// a KC × NR panel of B is reused by every row tile of an MC block, the MC × KC strip of A meets every panel from L2,
/// and a KC × NC block of B is packed once per (NC, KC) step.
/// </summary>
internal readonly record struct GemmBlocking(int Depth, int Rows, int Columns)
{
    public static GemmBlocking Default { get; } = new(Depth: 256, Rows: 96, Columns: 1024);

    /// <summary>The widest panel of any width: 4 vectors of 64 bytes.</summary>
    public static int WidestPanel<T>()
        where T : unmanaged
        => 256 / Unsafe.SizeOf<T>();
}
