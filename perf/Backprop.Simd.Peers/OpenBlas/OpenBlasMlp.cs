using static Backprop.Simd.Peers.OpenBlas.OpenBlasLibrary;

namespace Backprop.Simd.Peers.OpenBlas;

/// <summary>
/// W1 on OpenBLAS, batch 1: per layer <c>y = b</c>, then <c>y = W·x + y</c> with one <c>cblas_sgemv</c> (W row-major
/// [outputs, inputs]), then ReLU in a loop. Buffers are allocated once; <see cref="Predict"/> allocates nothing.
/// </summary>
internal sealed unsafe class OpenBlasMlp
{
    private readonly PeerLayer[] _layers;
    private readonly float[][] _activations;

    public OpenBlasMlp(PeerLayer[] layers)
    {
        Initialize();
        _layers = layers;
        _activations = [.. layers.Select(l => new float[l.Outputs])];
    }

    /// <summary>Outputs for one sample.</summary>
    public void Predict(ReadOnlySpan<float> input, Span<float> output)
    {
        ReadOnlySpan<float> x = input;
        for (int l = 0; l < _layers.Length; l++)
        {
            PeerLayer layer = _layers[l];
            float[] y = _activations[l];
            layer.Biases.CopyTo(y, 0);
            fixed (float* pw = layer.Weights, px = x, py = y)
            {
                Sgemv(RowMajor, NoTrans, layer.Outputs, layer.Inputs, 1f, pw, layer.Inputs, px, 1, 1f, py, 1);
            }

            if (layer.Relu)
            {
                for (int o = 0; o < y.Length; o++)
                {
                    y[o] = Math.Max(y[o], 0f);
                }
            }

            x = y;
        }

        x.CopyTo(output);
    }
}
