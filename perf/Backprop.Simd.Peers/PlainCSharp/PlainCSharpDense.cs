using System.Numerics.Tensors;

namespace Backprop.Simd.Peers.PlainCSharp;

/// <summary>
/// A dense layer as a C# developer would write it first, on <see cref="TensorPrimitives"/>: the forward pass is one
/// <c>Dot</c> per output over a row of X and a row of W; the backward passes are one <c>MultiplyAdd</c> (axpy) per
/// (sample, output) pair. Same layout and semantics as the engine's kernels (dW and db accumulate).
/// </summary>
internal static class PlainCSharpDense
{
    /// <summary><c>y[r, o] = b[o] + Σ_i x[r, i]·w[o, i]</c> (no b if empty).</summary>
    public static void Forward(Span<float> y, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> b, int batch, int inputs, int outputs)
    {
        for (int r = 0; r < batch; r++)
        {
            ReadOnlySpan<float> xr = x.Slice(r * inputs, inputs);
            for (int o = 0; o < outputs; o++)
            {
                y[(r * outputs) + o] = (b.IsEmpty ? 0f : b[o]) + TensorPrimitives.Dot(xr, w.Slice(o * inputs, inputs));
            }
        }
    }

    /// <summary><c>dx[r, :] = Σ_o dy[r, o]·w[o, :]</c>.</summary>
    public static void BackwardData(Span<float> dx, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, int batch, int inputs, int outputs)
    {
        dx[..(batch * inputs)].Clear();
        for (int r = 0; r < batch; r++)
        {
            Span<float> dxr = dx.Slice(r * inputs, inputs);
            for (int o = 0; o < outputs; o++)
            {
                TensorPrimitives.MultiplyAdd(w.Slice(o * inputs, inputs), dy[(r * outputs) + o], dxr, dxr);
            }
        }
    }

    /// <summary><c>dw[o, :] += Σ_r dy[r, o]·x[r, :]</c>.</summary>
    public static void BackwardWeights(Span<float> dw, ReadOnlySpan<float> dy, ReadOnlySpan<float> x, int batch, int inputs, int outputs)
    {
        for (int r = 0; r < batch; r++)
        {
            ReadOnlySpan<float> xr = x.Slice(r * inputs, inputs);
            for (int o = 0; o < outputs; o++)
            {
                Span<float> dwo = dw.Slice(o * inputs, inputs);
                TensorPrimitives.MultiplyAdd(xr, dy[(r * outputs) + o], dwo, dwo);
            }
        }
    }

    /// <summary><c>db += Σ_r dy[r, :]</c>.</summary>
    public static void BackwardBias(Span<float> db, ReadOnlySpan<float> dy, int batch, int outputs)
    {
        for (int r = 0; r < batch; r++)
        {
            TensorPrimitives.Add(db, dy.Slice(r * outputs, outputs), db);
        }
    }
}
