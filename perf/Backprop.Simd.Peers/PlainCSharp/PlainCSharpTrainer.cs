using System.Numerics.Tensors;

namespace Backprop.Simd.Peers.PlainCSharp;

/// <summary>
/// One SGD step of a ReLU MLP with softmax cross-entropy, as a C# developer would write it first: the layer products of
/// <see cref="PlainCSharpDense"/>, the softmax in a scalar loop, then <c>W −= μ·dW</c> with
/// <see cref="TensorPrimitives.MultiplyAdd(ReadOnlySpan{float}, float, ReadOnlySpan{float}, Span{float})"/> and the
/// gradients cleared. Buffers are allocated once.
/// </summary>
internal sealed class PlainCSharpTrainer
{
    private readonly PeerLayer[] _layers;
    private readonly float[][] _activations; // A_l, [maxBatch, outputs_l]
    private readonly float[][] _deltas;      // ∂E/∂Z_l, [maxBatch, outputs_l]
    private readonly float[][] _weightGradients;
    private readonly float[][] _biasGradients;
    private readonly int _maxBatch;

    /// <param name="layers">Weights to train, modified in place; the last layer's outputs are logits.</param>
    /// <param name="maxBatch">The largest batch a step takes.</param>
    public PlainCSharpTrainer(PeerLayer[] layers, int maxBatch)
    {
        _layers = layers;
        _maxBatch = maxBatch;
        _activations = [.. layers.Select(l => new float[maxBatch * l.Outputs])];
        _deltas = [.. layers.Select(l => new float[maxBatch * l.Outputs])];
        _weightGradients = [.. layers.Select(l => new float[l.Weights.Length])];
        _biasGradients = [.. layers.Select(l => new float[l.Outputs])];
    }

    /// <summary>The layers being trained.</summary>
    public IReadOnlyList<PeerLayer> Layers => _layers;

    /// <summary>One step on <paramref name="batch"/> samples with one-hot <paramref name="targets"/>.</summary>
    /// <returns>The mean softmax cross-entropy before the step.</returns>
    public float TrainStep(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batch, float learningRate)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batch, _maxBatch);
        for (int l = 0; l < _layers.Length; l++)
        {
            PeerLayer layer = _layers[l];
            Span<float> a = _activations[l].AsSpan(0, batch * layer.Outputs);
            ReadOnlySpan<float> x = l == 0 ? inputs : _activations[l - 1].AsSpan(0, batch * layer.Inputs);
            PlainCSharpDense.Forward(a, x, layer.Weights, layer.Biases, batch, layer.Inputs, layer.Outputs);
            if (layer.Relu)
            {
                for (int i = 0; i < a.Length; i++)
                {
                    a[i] = a[i] < 0f ? 0f : a[i];
                }
            }
        }

        float loss = SoftmaxCrossEntropy(targets, batch);
        for (int l = _layers.Length - 1; l >= 0; l--)
        {
            PeerLayer layer = _layers[l];
            ReadOnlySpan<float> dz = _deltas[l].AsSpan(0, batch * layer.Outputs);
            ReadOnlySpan<float> x = l == 0 ? inputs : _activations[l - 1].AsSpan(0, batch * layer.Inputs);
            PlainCSharpDense.BackwardWeights(_weightGradients[l], dz, x, batch, layer.Inputs, layer.Outputs);
            PlainCSharpDense.BackwardBias(_biasGradients[l], dz, batch, layer.Outputs);
            if (l > 0)
            {
                Span<float> dzPrevious = _deltas[l - 1].AsSpan(0, batch * layer.Inputs);
                PlainCSharpDense.BackwardData(dzPrevious, dz, layer.Weights, batch, layer.Inputs, layer.Outputs);
                if (_layers[l - 1].Relu)
                {
                    for (int i = 0; i < dzPrevious.Length; i++)
                    {
                        dzPrevious[i] = x[i] > 0f ? dzPrevious[i] : 0f;
                    }
                }
            }
        }

        for (int l = 0; l < _layers.Length; l++)
        {
            TensorPrimitives.MultiplyAdd(_weightGradients[l], -learningRate, _layers[l].Weights, _layers[l].Weights);
            TensorPrimitives.MultiplyAdd(_biasGradients[l], -learningRate, _layers[l].Biases, _layers[l].Biases);
            Array.Clear(_weightGradients[l]);
            Array.Clear(_biasGradients[l]);
        }

        return loss;
    }

    // dZ_L = (softmax(Z_L) − T) / B into the last delta buffer; returns the mean cross-entropy.
    private float SoftmaxCrossEntropy(ReadOnlySpan<float> targets, int batch)
    {
        int classes = _layers[^1].Outputs;
        float[] logits = _activations[^1];
        float[] delta = _deltas[^1];
        float loss = 0f;
        for (int row = 0; row < batch; row++)
        {
            Span<float> z = logits.AsSpan(row * classes, classes);
            Span<float> g = delta.AsSpan(row * classes, classes);
            ReadOnlySpan<float> t = targets.Slice(row * classes, classes);
            float max = TensorPrimitives.Max(z);
            float sum = 0f;
            for (int c = 0; c < classes; c++)
            {
                g[c] = MathF.Exp(z[c] - max);
                sum += g[c];
            }

            float logSum = max + MathF.Log(sum);
            for (int c = 0; c < classes; c++)
            {
                loss += t[c] * (logSum - z[c]);
                g[c] = ((g[c] / sum) - t[c]) / batch;
            }
        }

        return loss / batch;
    }
}
