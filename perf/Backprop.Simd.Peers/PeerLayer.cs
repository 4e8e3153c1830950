using Backprop.Simd.Kernels;
using Backprop.Simd.Model;

namespace Backprop.Simd.Peers;

/// <summary>
/// One dense layer as every peer receives it: a copy of the engine network's W ([outputs, inputs], row-major) and b,
/// so that all contestants compute with exactly the same numbers.
/// </summary>
internal sealed record PeerLayer(int Inputs, int Outputs, bool Relu, float[] Weights, float[] Biases)
{
    /// <summary>The layers of <paramref name="network"/>, copied from its parameter buffer (ReLU or identity only).</summary>
    /// <exception cref="NotSupportedException">A layer uses another activation.</exception>
    public static PeerLayer[] From(Network<float> network)
    {
        var layers = new PeerLayer[network.Layers.Length];
        for (int l = 0; l < layers.Length; l++)
        {
            DenseLayer layer = network.Layers[l];
            if (layer.Activation is not (Activation.Identity or Activation.Relu))
            {
                throw new NotSupportedException($"The peers implement identity and ReLU layers, not {layer.Activation}.");
            }

            layers[l] = new PeerLayer(
                layer.Inputs, layer.Outputs, layer.Activation == Activation.Relu, network.Weights(l).ToArray(), network.Biases(l).ToArray());
        }

        return layers;
    }

    /// <summary>Flops of one forward pass over <paramref name="batch"/> samples: 2·batch·Σ inputs·outputs (the GEMMs).</summary>
    public static double ForwardFlops(IEnumerable<PeerLayer> layers, int batch) => 2.0 * batch * layers.Sum(l => (double)l.Inputs * l.Outputs);
}
