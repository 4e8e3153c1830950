using System.Numerics;
using System.Numerics.Tensors;
using Backprop.Simd.Kernels.Simd;

namespace Backprop.Simd.Kernels;

/// <summary>
/// The three products and the bias terms of a dense layer, <c>Y = X·Wᵀ + b</c>, with X [batch, inputs],
/// W [outputs, inputs] and Y [batch, outputs], all row-major. Each backward product is computed from these
/// stored layouts directly: no transposed temporaries. Arguments follow llm.c's order: outputs first, then
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
    /// <exception cref="ArgumentException">A length disagrees with the dimensions, or y overlaps a source.</exception>
    public static void DenseForward<T>(Span<T> y, ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> b, int batch, int inputs, int outputs)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ValidateDimensions(batch, inputs, outputs);
        Guard.Length(y.Length, batch, outputs, nameof(y), "batch × outputs");
        Guard.Length(x.Length, batch, inputs, nameof(x), "batch × inputs");
        Guard.Length(w.Length, outputs, inputs, nameof(w), "outputs × inputs");
        if (!b.IsEmpty)
        {
            Guard.Length(b.Length, outputs, nameof(b), "outputs");
        }

        Guard.NoOverlap<T>(y, x, nameof(y), nameof(x));
        Guard.NoOverlap<T>(y, w, nameof(y), nameof(w));
        Guard.NoOverlap<T>(y, b, nameof(y), nameof(b));

        var kernel = new GemmDot<T>(y, x, w, b, batch, outputs, inputs);
        SimdDispatch.Run<T, GemmDot<T>>(ref kernel, inputs);
    }

    /// <summary>Backward to the inputs: <c>dx[n, i] = Σ_o dy[n, o]·w[o, i]</c>, i.e. <c>dX = dY·W</c> (overwrites dx).</summary>
    /// <param name="dx">[batch, inputs] destination; must not overlap the sources.</param>
    /// <param name="dy">[batch, outputs].</param>
    /// <param name="w">[outputs, inputs].</param>
    /// <param name="batch">Rows of the batch (0 is allowed and does nothing).</param>
    /// <param name="inputs">Features into the layer.</param>
    /// <param name="outputs">Units of the layer.</param>
    /// <exception cref="ArgumentException">A length disagrees with the dimensions, or dx overlaps a source.</exception>
    public static void DenseBackwardData<T>(Span<T> dx, ReadOnlySpan<T> dy, ReadOnlySpan<T> w, int batch, int inputs, int outputs)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ValidateDimensions(batch, inputs, outputs);
        Guard.Length(dx.Length, batch, inputs, nameof(dx), "batch × inputs");
        Guard.Length(dy.Length, batch, outputs, nameof(dy), "batch × outputs");
        Guard.Length(w.Length, outputs, inputs, nameof(w), "outputs × inputs");
        Guard.NoOverlap<T>(dx, dy, nameof(dx), nameof(dy));
        Guard.NoOverlap<T>(dx, w, nameof(dx), nameof(w));

        // A(n, o) = dy[n·outputs + o]; B = W [outputs, inputs].
        var kernel = new GemmAxpy<T>(dx, dy, w, batch, inputs, outputs, rowStride: outputs, depthStride: 1, accumulate: false);
        SimdDispatch.Run<T, GemmAxpy<T>>(ref kernel, inputs);
    }

    /// <summary>Weight gradient, accumulated: <c>dw[o, i] += Σ_n dy[n, o]·x[n, i]</c>, i.e. <c>dW += dYᵀ·X</c>.</summary>
    /// <param name="dw">[outputs, inputs], accumulated into; must not overlap the sources.</param>
    /// <param name="dy">[batch, outputs].</param>
    /// <param name="x">[batch, inputs].</param>
    /// <param name="batch">Rows of the batch (0 is allowed and does nothing).</param>
    /// <param name="inputs">Features into the layer.</param>
    /// <param name="outputs">Units of the layer.</param>
    /// <exception cref="ArgumentException">A length disagrees with the dimensions, or dw overlaps a source.</exception>
    public static void DenseBackwardWeights<T>(Span<T> dw, ReadOnlySpan<T> dy, ReadOnlySpan<T> x, int batch, int inputs, int outputs)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ValidateDimensions(batch, inputs, outputs);
        Guard.Length(dw.Length, outputs, inputs, nameof(dw), "outputs × inputs");
        Guard.Length(dy.Length, batch, outputs, nameof(dy), "batch × outputs");
        Guard.Length(x.Length, batch, inputs, nameof(x), "batch × inputs");
        Guard.NoOverlap<T>(dw, dy, nameof(dw), nameof(dy));
        Guard.NoOverlap<T>(dw, x, nameof(dw), nameof(x));

        // A(o, n) = dy[n·outputs + o], i.e. dYᵀ read through strides; B = X [batch, inputs].
        var kernel = new GemmAxpy<T>(dw, dy, x, outputs, inputs, batch, rowStride: 1, depthStride: outputs, accumulate: true);
        SimdDispatch.Run<T, GemmAxpy<T>>(ref kernel, inputs);
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

    private static void ValidateDimensions(int batch, int inputs, int outputs)
    {
        Guard.NonNegative(batch, nameof(batch));
        Guard.Positive(inputs, nameof(inputs));
        Guard.Positive(outputs, nameof(outputs));
    }
}
