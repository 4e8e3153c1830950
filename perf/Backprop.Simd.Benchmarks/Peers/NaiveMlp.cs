using Backprop.Simd.Kernels;
using Backprop.Simd.Model;

namespace Backprop.Simd.Benchmarks.Peers;

/// <summary>
/// The correctness oracle for the W1 rows: the network's forward pass through <see cref="ScalarReference"/>'s naive
/// triple loops. Setup only; it allocates and is never timed.
/// </summary>
internal static class NaiveMlp
{
    /// <summary>Outputs of <paramref name="network"/> for <paramref name="batch"/> samples.</summary>
    public static float[] Forward(Network<float> network, ReadOnlySpan<float> inputs, int batch)
    {
        float[] x = inputs.ToArray();
        for (int l = 0; l < network.Layers.Length; l++)
        {
            DenseLayer layer = network.Layers[l];
            var z = new float[batch * layer.Outputs];
            ScalarReference.DenseForward<float>(z, x, network.Weights(l), network.Biases(l), batch, layer.Inputs, layer.Outputs);
            var a = new float[z.Length];
            ScalarReference.ActivationForward<float>(layer.Activation, z, a);
            x = a;
        }

        return x;
    }
}
