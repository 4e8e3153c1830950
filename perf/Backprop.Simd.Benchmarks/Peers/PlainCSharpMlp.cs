using System.Numerics.Tensors;
using Backprop.Simd.Kernels;
using Backprop.Simd.Model;

namespace Backprop.Simd.Benchmarks.Peers;

/// <summary>
/// The W1 peer "a C# developer would write first": one <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/>
/// per output unit over a row of W, then the activation in a scalar loop. Buffers are allocated once, so
/// <see cref="Predict"/> allocates nothing and the comparison is about the arithmetic, not the GC.
/// </summary>
internal sealed class PlainCSharpMlp
{
    private readonly int[] _sizes;
    private readonly bool[] _relu;
    private readonly float[][] _weights;
    private readonly float[][] _biases;
    private readonly float[][] _activations;

    /// <summary>Copies the weights and biases of <paramref name="network"/> (identity and ReLU layers only).</summary>
    /// <exception cref="NotSupportedException">A layer uses another activation.</exception>
    public PlainCSharpMlp(Network<float> network)
    {
        int layers = network.Layers.Length;
        _sizes = [.. network.Spec.Sizes];
        _relu = new bool[layers];
        _weights = new float[layers][];
        _biases = new float[layers][];
        _activations = new float[layers][];
        for (int l = 0; l < layers; l++)
        {
            Activation activation = network.Layers[l].Activation;
            if (activation is not (Activation.Identity or Activation.Relu))
            {
                throw new NotSupportedException($"The plain C# peer implements identity and ReLU layers, not {activation}.");
            }

            _relu[l] = activation == Activation.Relu;
            _weights[l] = network.Weights(l).ToArray();
            _biases[l] = network.Biases(l).ToArray();
            _activations[l] = new float[_sizes[l + 1]];
        }
    }

    /// <summary>Outputs for one sample: <c>y[o] = f(b[o] + Σ_i x[i]·w[o, i])</c>, layer by layer.</summary>
    public void Predict(ReadOnlySpan<float> input, Span<float> output)
    {
        ReadOnlySpan<float> x = input;
        for (int l = 0; l < _weights.Length; l++)
        {
            int inputs = _sizes[l];
            float[] w = _weights[l];
            float[] b = _biases[l];
            float[] y = _activations[l];
            for (int o = 0; o < y.Length; o++)
            {
                float sum = b[o] + TensorPrimitives.Dot(x, w.AsSpan(o * inputs, inputs));
                y[o] = _relu[l] && sum < 0f ? 0f : sum;
            }

            x = y;
        }

        x.CopyTo(output);
    }
}
