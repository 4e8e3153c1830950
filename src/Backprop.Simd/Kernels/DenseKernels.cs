using System.Numerics;
using System.Numerics.Tensors;
using Backprop.Simd.Kernels.Simd;

namespace Backprop.Simd.Kernels;

/// <summary>
/// The three products and the bias terms of a dense layer, <c>Y = X·Wᵀ + b</c>, with X [batch, inputs],
/// W [outputs, inputs] and Y [batch, outputs], all row-major. Each product is computed from these stored layouts
/// directly: no transposed matrix is ever materialized (transposes are absorbed by packing blocks into scratch). Arguments follow llm.c's order: outputs first, then
/// inputs, then dimensions. <see cref="ScalarReference"/> holds the plain loops each kernel must equal.
/// </summary>
public static class DenseKernels
{
    /// <summary>Forward pass: <c>y[n, o] = b[o] + Σ_i x[n, i]·w[o, i]</c> (β = 0: <paramref name="y"/> is only written).</summary>
    /// <param name="y">[batch, outputs] destination; must not overlap the sources.</param>
    /// <param name="x">[batch, inputs].</param>
    /// <param name="w">[outputs, inputs].</param>
    /// <param name="b">[outputs], or empty for a layer without bias.</param>
    /// <param name="batch">Rows of the batch (0 is allowed and does nothing).</param>
    /// <param name="inputs">Features into the layer.</param>
    /// <param name="outputs">Units of the layer.</param>
    /// <param name="workers">Threads to share a large product, or null (the default) for the calling thread alone.</param>
    /// <exception cref="ArgumentException">A length disagrees with the dimensions, or y overlaps a source.</exception>
    public static void DenseForward<T>(
        Span<T> y, ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> b, int batch, int inputs, int outputs, GemmWorkers? workers = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ValidateForward<T>(y, nameof(y), x, w, b, batch, inputs, outputs);
        workers?.ThrowIfDisposed();
        ForwardCore(y, default, Activation.Identity, x, w, b, batch, inputs, outputs, pack: default, workers: workers);
    }

    /// <summary>
    /// Forward pass with the activation fused: <c>z[n, o] = b[o] + Σ_i x[n, i]·w[o, i]</c> and <c>a[n, o] = f(z[n, o])</c>,
    /// the bias and (for ReLU, leaky ReLU and GELU) the activation applied while each output tile is still in registers.
    /// </summary>
    /// <param name="z">[batch, outputs] pre-activations, written.</param>
    /// <param name="a">[batch, outputs] activations, written; must not overlap z (for <see cref="Activation.Identity"/> it receives a copy).</param>
    /// <param name="activation">f.</param>
    /// <param name="x">[batch, inputs].</param>
    /// <param name="w">[outputs, inputs].</param>
    /// <param name="b">[outputs], or empty for a layer without bias.</param>
    /// <param name="batch">Rows of the batch (0 is allowed and does nothing).</param>
    /// <param name="inputs">Features into the layer.</param>
    /// <param name="outputs">Units of the layer.</param>
    /// <exception cref="ArgumentException">A length disagrees with the dimensions, or a destination overlaps a source or the other destination.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The activation is not defined.</exception>
    /// <param name="workers">Threads to share a large product, or null (the default) for the calling thread alone.</param>
    public static void DenseForward<T>(
        Span<T> z,
        Span<T> a,
        Activation activation,
        ReadOnlySpan<T> x,
        ReadOnlySpan<T> w,
        ReadOnlySpan<T> b,
        int batch,
        int inputs,
        int outputs,
        GemmWorkers? workers = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (!Enum.IsDefined(activation))
        {
            throw ActivationKernels.UnknownActivation(activation);
        }

        ValidateForward<T>(z, nameof(z), x, w, b, batch, inputs, outputs);
        Guard.Length(a.Length, batch, outputs, nameof(a), "batch × outputs");
        Guard.NoOverlap<T>(a, z, nameof(a), nameof(z));
        Guard.NoOverlap<T>(a, x, nameof(a), nameof(x));
        Guard.NoOverlap<T>(a, w, nameof(a), nameof(w));
        Guard.NoOverlap<T>(a, b, nameof(a), nameof(b));
        workers?.ThrowIfDisposed();

        ForwardCore(z, a, activation, x, w, b, batch, inputs, outputs, pack: default, workers: workers);
        if (activation == Activation.Identity)
        {
            z.CopyTo(a);
        }
    }

    /// <summary>Backward to the inputs: <c>dx[n, i] = Σ_o dy[n, o]·w[o, i]</c>, i.e. <c>dX = dY·W</c> (overwrites dx).</summary>
    /// <param name="dx">[batch, inputs] destination; must not overlap the sources.</param>
    /// <param name="dy">[batch, outputs].</param>
    /// <param name="w">[outputs, inputs].</param>
    /// <param name="batch">Rows of the batch (0 is allowed and does nothing).</param>
    /// <param name="inputs">Features into the layer.</param>
    /// <param name="outputs">Units of the layer.</param>
    /// <exception cref="ArgumentException">A length disagrees with the dimensions, or dx overlaps a source.</exception>
    /// <param name="workers">Threads to share a large product, or null (the default) for the calling thread alone.</param>
    public static void DenseBackwardData<T>(
        Span<T> dx, ReadOnlySpan<T> dy, ReadOnlySpan<T> w, int batch, int inputs, int outputs, GemmWorkers? workers = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ValidateDimensions(batch, inputs, outputs);
        Guard.Length(dx.Length, batch, inputs, nameof(dx), "batch × inputs");
        Guard.Length(dy.Length, batch, outputs, nameof(dy), "batch × outputs");
        Guard.Length(w.Length, outputs, inputs, nameof(w), "outputs × inputs");
        Guard.NoOverlap<T>(dx, dy, nameof(dx), nameof(dy));
        Guard.NoOverlap<T>(dx, w, nameof(dx), nameof(w));

        workers?.ThrowIfDisposed();
        BackwardDataCore(dx, dy, w, batch, inputs, outputs, pack: default, workers);
    }

    /// <summary>Weight gradient, accumulated: <c>dw[o, i] += Σ_n dy[n, o]·x[n, i]</c>, i.e. <c>dW += dYᵀ·X</c>.</summary>
    /// <param name="dw">[outputs, inputs], accumulated into; must not overlap the sources.</param>
    /// <param name="dy">[batch, outputs].</param>
    /// <param name="x">[batch, inputs].</param>
    /// <param name="batch">Rows of the batch (0 is allowed and does nothing).</param>
    /// <param name="inputs">Features into the layer.</param>
    /// <param name="outputs">Units of the layer.</param>
    /// <exception cref="ArgumentException">A length disagrees with the dimensions, or dw overlaps a source.</exception>
    /// <param name="workers">Threads to share a large product, or null (the default) for the calling thread alone.</param>
    public static void DenseBackwardWeights<T>(
        Span<T> dw, ReadOnlySpan<T> dy, ReadOnlySpan<T> x, int batch, int inputs, int outputs, GemmWorkers? workers = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ValidateDimensions(batch, inputs, outputs);
        Guard.Length(dw.Length, outputs, inputs, nameof(dw), "outputs × inputs");
        Guard.Length(dy.Length, batch, outputs, nameof(dy), "batch × outputs");
        Guard.Length(x.Length, batch, inputs, nameof(x), "batch × inputs");
        Guard.NoOverlap<T>(dw, dy, nameof(dw), nameof(dy));
        Guard.NoOverlap<T>(dw, x, nameof(dw), nameof(x));

        workers?.ThrowIfDisposed();
        BackwardWeightsCore(dw, dy, x, batch, inputs, outputs, pack: default, workers: workers);
    }

    /// <summary>Bias gradient, accumulated: <c>db[o] += Σ_n dy[n, o]</c>.</summary>
    /// <param name="db">[outputs], accumulated into; must not overlap dy.</param>
    /// <param name="dy">[batch, outputs].</param>
    /// <param name="batch">Rows of the batch.</param>
    /// <param name="outputs">Units of the layer.</param>
    /// <exception cref="ArgumentException">A length disagrees with the dimensions, or db overlaps dy.</exception>
    public static void DenseBackwardBias<T>(Span<T> db, ReadOnlySpan<T> dy, int batch, int outputs)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Guard.NonNegative(batch, nameof(batch));
        Guard.Positive(outputs, nameof(outputs));
        Guard.Length(db.Length, outputs, nameof(db), "outputs");
        Guard.Length(dy.Length, batch, outputs, nameof(dy), "batch × outputs");
        Guard.NoOverlap<T>(db, dy, nameof(db), nameof(dy));
        for (int n = 0; n < batch; n++)
        {
            TensorPrimitives.Add(db, dy.Slice(n * outputs, outputs), db);
        }
    }

    // Where packing pays. Packing B costs about as much per element as a few rows of the product, so small batches and
    // narrow layers keep the unpacked kernels (GemmDot / GemmAxpy: batch-1 inference and online learning are GEMV
    // shapes, limited by streaming W). Measured on the README's machine (stopwatch, best of 11): the packed forward
    // wins from batch 32 (from 16 when W is under 256 KiB; its transposing pack of a larger W from L2 costs more),
    // the packed dX = dY·W from batch 32 on weights of at least 256 KiB, the packed dW += dYᵀ·X from batch 48 on at
    // least 128 KiB (e.g. 784→256 at batch 64: forward 249 vs 410 µs, dX 238 vs 316, dW 217 vs 314; at batch 8 the
    // unpacked kernels are 1.3–2× faster).
    private const int PackedMinimumColumns = 32;

    private static bool PackedForward(int batch, int inputs, int outputs)
        => outputs >= PackedMinimumColumns && (batch >= 32 || (batch >= 16 && (long)inputs * outputs <= 65536));

    private static bool PackedBackwardData(int batch, int inputs, int outputs)
        => inputs >= PackedMinimumColumns && batch >= 32 && (long)inputs * outputs >= 65536;

    private static bool PackedBackwardWeights(int batch, int inputs, int outputs)
        => inputs >= PackedMinimumColumns && batch >= 48 && (long)inputs * outputs >= 32768;

    /// <summary>Scratch the forward pass packs into (0 when it runs unpacked).</summary>
    internal static int ForwardPackLength<T>(int batch, int inputs, int outputs)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => PackedForward(batch, inputs, outputs) ? PackedGemm<T, NoActivation<T>>.PackLength(outputs, inputs) : 0;

    internal static int BackwardDataPackLength<T>(int batch, int inputs, int outputs)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => PackedBackwardData(batch, inputs, outputs) ? PackedGemm<T, NoActivation<T>>.PackLength(inputs, outputs) : 0;

    internal static int BackwardWeightsPackLength<T>(int batch, int inputs, int outputs)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => PackedBackwardWeights(batch, inputs, outputs) ? PackedGemm<T, NoActivation<T>>.PackLength(inputs, batch, aDepthStride: outputs) : 0;

    /// <summary>
    /// <c>z = x·wᵀ + b</c>, and <c>a = f(z)</c> when <paramref name="a"/> is not empty (left alone for the identity).
    /// Arguments are validated by the caller; <paramref name="pack"/> holds <see cref="ForwardPackLength"/> elements, or is
    /// empty for the calling thread's scratch.
    /// With <paramref name="transposedWeights"/>, <paramref name="w"/> holds Wᵀ [inputs, outputs] (an inference model's
    /// layout): a single sample then streams it once with <see cref="Gemv{T, TActivation}"/>, and packing it is a copy.
    /// </summary>
    internal static void ForwardCore<T>(
        Span<T> z,
        Span<T> a,
        Activation activation,
        ReadOnlySpan<T> x,
        ReadOnlySpan<T> w,
        ReadOnlySpan<T> b,
        int batch,
        int inputs,
        int outputs,
        Span<T> pack,
        bool transposedWeights = false,
        GemmWorkers? workers = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (batch == 0)
        {
            return;
        }

        Activation fused = a.IsEmpty ? Activation.Identity : activation;
        bool epilogue;
        if (PackedForward(batch, inputs, outputs))
        {
            // C = Y [batch, outputs]: A = X (A(n, i) = x[n·inputs + i]); B(i, o) = W[o, i], transposed by packing, or
            // read row by row from Wᵀ.
            (int depthStride, int columnStride) = transposedWeights ? (outputs, 1) : (1, inputs);
            Span<T> activated = fused is Activation.Relu or Activation.LeakyRelu or Activation.Gelu ? a : default;
            if (Parallel(workers, z, activated, fused, x, w, b, batch, outputs, inputs, inputs, 1, depthStride, columnStride, accumulate: false, T.One))
            {
                epilogue = !activated.IsEmpty;
            }
            else
            {
                pack = Scratch(pack, ForwardPackLength<T>(batch, inputs, outputs));
                epilogue = fused switch
                {
                    Activation.Relu => PackedForward<T, ActivationKernels.ReluForward<T>>(z, a, x, w, b, batch, inputs, outputs, depthStride, columnStride, pack),
                    Activation.LeakyRelu => PackedForward<T, ActivationKernels.LeakyReluForward<T>>(z, a, x, w, b, batch, inputs, outputs, depthStride, columnStride, pack),
                    Activation.Gelu => PackedForward<T, ActivationKernels.GeluForward<T>>(z, a, x, w, b, batch, inputs, outputs, depthStride, columnStride, pack),
                    _ => PackedForward<T, NoActivation<T>>(z, default, x, w, b, batch, inputs, outputs, depthStride, columnStride, pack),
                };
            }
        }
        else if (transposedWeights && batch == 1)
        {
            epilogue = fused switch
            {
                Activation.Relu => VectorForward<T, ActivationKernels.ReluForward<T>>(z, a, x, w, b, inputs, outputs),
                Activation.LeakyRelu => VectorForward<T, ActivationKernels.LeakyReluForward<T>>(z, a, x, w, b, inputs, outputs),
                Activation.Gelu => VectorForward<T, ActivationKernels.GeluForward<T>>(z, a, x, w, b, inputs, outputs),
                _ => VectorForward<T, NoActivation<T>>(z, default, x, w, b, inputs, outputs),
            };
        }
        else if (transposedWeights)
        {
            // z = b (each row), then z += x·Wᵀ with x's rows broadcast against Wᵀ's rows.
            for (int n = 0; n < batch && !b.IsEmpty; n++)
            {
                b.CopyTo(z.Slice(n * outputs, outputs));
            }

            var kernel = new GemmAxpy<T>(z, x, w, batch, outputs, inputs, rowStride: inputs, depthStride: 1, accumulate: !b.IsEmpty);
            SimdDispatch.Run<T, GemmAxpy<T>>(ref kernel, outputs);
            epilogue = false;
        }
        else
        {
            var kernel = new GemmDot<T>(z, x, w, b, batch, outputs, inputs);
            SimdDispatch.Run<T, GemmDot<T>>(ref kernel, inputs);
            epilogue = false;
        }

        // Identity needs no second output; sigmoid and tanh (and the unpacked paths) take a pass over Z.
        if (!epilogue && !a.IsEmpty && activation != Activation.Identity)
        {
            ActivationKernels.ActivationForward<T>(activation, z, a);
        }
    }

    // Returns whether f was applied (false for NoActivation).
    private static bool PackedForward<T, TActivation>(
        Span<T> z, Span<T> a, ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> b, int batch, int inputs, int outputs, int depthStride, int columnStride, Span<T> pack)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TActivation : struct, IElementwiseOp<T>
    {
        var kernel = new PackedGemm<T, TActivation>(
            z, x, w, batch, outputs, inputs, aRowStride: inputs, aDepthStride: 1, bDepthStride: depthStride, bColumnStride: columnStride,
            accumulate: false, pack, columnBias: b, activated: a);
        SimdDispatch.Run<T, PackedGemm<T, TActivation>>(ref kernel, int.MaxValue);
        return typeof(TActivation) != typeof(NoActivation<T>);
    }

    private static bool VectorForward<T, TActivation>(Span<T> z, Span<T> a, ReadOnlySpan<T> x, ReadOnlySpan<T> wt, ReadOnlySpan<T> b, int inputs, int outputs)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TActivation : struct, IElementwiseOp<T>
    {
        var kernel = new Gemv<T, TActivation>(z, a, x, wt, b, outputs, inputs);
        SimdDispatch.Run<T, Gemv<T, TActivation>>(ref kernel, outputs);
        return typeof(TActivation) != typeof(NoActivation<T>);
    }

    /// <summary><c>dx = dy·w</c> (overwrites), validated by the caller; <paramref name="pack"/> holds <see cref="BackwardDataPackLength"/> elements, or is empty for the thread's scratch.</summary>
    internal static void BackwardDataCore<T>(
        Span<T> dx, ReadOnlySpan<T> dy, ReadOnlySpan<T> w, int batch, int inputs, int outputs, Span<T> pack, GemmWorkers? workers = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (batch == 0)
        {
            return;
        }

        if (!PackedBackwardData(batch, inputs, outputs))
        {
            // A(n, o) = dy[n·outputs + o]; B = W [outputs, inputs].
            var kernel = new GemmAxpy<T>(dx, dy, w, batch, inputs, outputs, rowStride: outputs, depthStride: 1, accumulate: false);
            SimdDispatch.Run<T, GemmAxpy<T>>(ref kernel, inputs);
            return;
        }

        // C = dX [batch, inputs]: A = dY, B = W (B(o, i) = w[o·inputs + i], rows copied by packing).
        if (Parallel(workers, dx, default, Activation.Identity, dy, w, default, batch, inputs, outputs, outputs, 1, inputs, 1, accumulate: false, T.One))
        {
            return;
        }

        pack = Scratch(pack, BackwardDataPackLength<T>(batch, inputs, outputs));
        var packed = new PackedGemm<T, NoActivation<T>>(
            dx, dy, w, batch, inputs, outputs, aRowStride: outputs, aDepthStride: 1, bDepthStride: inputs, bColumnStride: 1,
            accumulate: false, pack);
        SimdDispatch.Run<T, PackedGemm<T, NoActivation<T>>>(ref packed, int.MaxValue);
    }

    /// <summary>
    /// <c>dw += α·dyᵀ·x</c>, validated by the caller; <paramref name="pack"/> holds <see cref="BackwardWeightsPackLength"/>
    /// elements, or is empty for the thread's scratch. With dw = W and α = −μ this is the SGD step fused into the product (the gradient never stored).
    /// </summary>
    internal static void BackwardWeightsCore<T>(
        Span<T> dw, ReadOnlySpan<T> dy, ReadOnlySpan<T> x, int batch, int inputs, int outputs, Span<T> pack, T alpha = default, GemmWorkers? workers = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (batch == 0)
        {
            return;
        }

        if (!PackedBackwardWeights(batch, inputs, outputs))
        {
            // A(o, n) = dy[n·outputs + o], i.e. dYᵀ read through strides; B = X [batch, inputs].
            var kernel = new GemmAxpy<T>(dw, dy, x, outputs, inputs, batch, rowStride: 1, depthStride: outputs, accumulate: true, alpha);
            SimdDispatch.Run<T, GemmAxpy<T>>(ref kernel, inputs);
            return;
        }

        // C = dW [outputs, inputs]: A = dYᵀ (A(o, n) = dy[n·outputs + o]), B = X (rows copied by packing), β = 1.
        if (Parallel(workers, dw, default, Activation.Identity, dy, x, default, outputs, inputs, batch, 1, outputs, inputs, 1, accumulate: true, alpha == T.Zero ? T.One : alpha))
        {
            return;
        }

        pack = Scratch(pack, BackwardWeightsPackLength<T>(batch, inputs, outputs));
        var packed = new PackedGemm<T, NoActivation<T>>(
            dw, dy, x, outputs, inputs, batch, aRowStride: 1, aDepthStride: outputs, bDepthStride: inputs, bColumnStride: 1,
            accumulate: true, pack, alpha: alpha);
        SimdDispatch.Run<T, PackedGemm<T, NoActivation<T>>>(ref packed, int.MaxValue);
    }

    // A network passes the scratch of its planned workspace; the public calls pass none and, only when a product really
    // packs on the calling thread, get the thread's own buffer.
    private static Span<T> Scratch<T>(Span<T> pack, int length)
        where T : unmanaged
        => pack.IsEmpty ? GemmScratch<T>.Get(length) : pack;

    // Runs the packed product on every thread of `workers` when that pays (see ParallelGemm.Worthwhile), with every
    // operand pinned until all blocks are done; false when the caller should run it alone.
    private static unsafe bool Parallel<T>(
        GemmWorkers? workers,
        Span<T> c,
        Span<T> activated,
        Activation activation,
        ReadOnlySpan<T> a,
        ReadOnlySpan<T> b,
        ReadOnlySpan<T> bias,
        int m,
        int n,
        int k,
        int aRowStride,
        int aDepthStride,
        int bDepthStride,
        int bColumnStride,
        bool accumulate,
        T alpha)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        workers?.ThrowIfDisposed();
        if (!ParallelGemm<T>.Worthwhile(workers, m, n, k))
        {
            return false;
        }

        using (workers!.Enter())
        {
            ParallelGemm<T> job = workers.Job<T>();
            fixed (T* pc = c, pActivated = activated, pa = a, pb = b, pBias = bias)
            {
                job.C = pc;
                job.Activated = activated.IsEmpty ? null : pActivated;
                job.A = pa;
                job.B = pb;
                job.Bias = bias.IsEmpty ? null : pBias;
                job.M = m;
                job.N = n;
                job.K = k;
                job.ARowStride = aRowStride;
                job.ADepthStride = aDepthStride;
                job.BDepthStride = bDepthStride;
                job.BColumnStride = bColumnStride;
                job.Accumulate = accumulate;
                job.Alpha = alpha;
                job.Activation = activation;
                job.Prepare(workers.Threads);
                try
                {
                    workers.Run(job);
                }
                finally
                {
                    job.C = job.Activated = job.A = job.B = job.Bias = null;
                }
            }
        }

        return true;
    }

    // The forward pass's shapes, and its destination overlapping none of the sources.
    private static void ValidateForward<T>(
        ReadOnlySpan<T> destination, string destinationName, ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> b, int batch, int inputs, int outputs)
    {
        ValidateDimensions(batch, inputs, outputs);
        Guard.Length(destination.Length, batch, outputs, destinationName, "batch × outputs");
        Guard.Length(x.Length, batch, inputs, nameof(x), "batch × inputs");
        Guard.Length(w.Length, outputs, inputs, nameof(w), "outputs × inputs");
        if (!b.IsEmpty)
        {
            Guard.Length(b.Length, outputs, nameof(b), "outputs");
        }

        Guard.NoOverlap<T>(destination, x, destinationName, nameof(x));
        Guard.NoOverlap<T>(destination, w, destinationName, nameof(w));
        Guard.NoOverlap<T>(destination, b, destinationName, nameof(b));
    }

    private static void ValidateDimensions(int batch, int inputs, int outputs)
    {
        Guard.NonNegative(batch, nameof(batch));
        Guard.Positive(inputs, nameof(inputs));
        Guard.Positive(outputs, nameof(outputs));
    }
}
