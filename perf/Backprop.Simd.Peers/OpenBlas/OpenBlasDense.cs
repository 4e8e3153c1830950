using static Backprop.Simd.Peers.OpenBlas.OpenBlasLibrary;

namespace Backprop.Simd.Peers.OpenBlas;

/// <summary>
/// A dense layer's three products on OpenBLAS, in the engine's layout (X [batch, inputs], W [outputs, inputs], Y and dY
/// [batch, outputs], all row-major) and with the engine's semantics (the backward passes accumulate dW and db).
/// </summary>
internal static unsafe class OpenBlasDense
{
    /// <summary><c>Y = X·Wᵀ + b</c>: Y's rows start as b, then one sgemm (NT) with β = 1. An empty b gives <c>Y = X·Wᵀ</c> (β = 0).</summary>
    public static void Forward(Span<float> y, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> b, int batch, int inputs, int outputs)
    {
        for (int row = 0; row < batch && !b.IsEmpty; row++)
        {
            b.CopyTo(y.Slice(row * outputs, outputs));
        }

        fixed (float* px = x, pw = w, py = y)
        {
            Sgemm(RowMajor, NoTrans, Trans, batch, outputs, inputs, 1f, px, inputs, pw, inputs, b.IsEmpty ? 0f : 1f, py, outputs);
        }
    }

    /// <summary><c>dX = dY·W</c>: sgemm (NN).</summary>
    public static void BackwardData(Span<float> dx, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, int batch, int inputs, int outputs)
    {
        fixed (float* pdy = dy, pw = w, pdx = dx)
        {
            Sgemm(RowMajor, NoTrans, NoTrans, batch, inputs, outputs, 1f, pdy, outputs, pw, inputs, 0f, pdx, inputs);
        }
    }

    /// <summary><c>dW += dYᵀ·X</c>: sgemm (TN) with β = 1.</summary>
    public static void BackwardWeights(Span<float> dw, ReadOnlySpan<float> dy, ReadOnlySpan<float> x, int batch, int inputs, int outputs)
    {
        fixed (float* pdy = dy, px = x, pdw = dw)
        {
            Sgemm(RowMajor, Trans, NoTrans, outputs, inputs, batch, 1f, pdy, outputs, px, inputs, 1f, pdw, inputs);
        }
    }

    /// <summary><c>db += Σ_rows dY</c>, a loop (BLAS has no column sum worth a call).</summary>
    public static void BackwardBias(Span<float> db, ReadOnlySpan<float> dy, int batch, int outputs)
    {
        for (int row = 0; row < batch; row++)
        {
            ReadOnlySpan<float> r = dy.Slice(row * outputs, outputs);
            for (int o = 0; o < outputs; o++)
            {
                db[o] += r[o];
            }
        }
    }
}
