using static Backprop.Simd.Peers.OpenBlas.OpenBlasLibrary;

namespace Backprop.Simd.Peers.OpenBlas;

/// <summary>
/// One SGD step (forward, softmax cross-entropy, backward, update) of a ReLU MLP on OpenBLAS, written as a competent
/// BLAS user would: every product is one BLAS call on row-major buffers allocated once, and the update is folded into
/// the weight-gradient product, <c>W = W − μ·dZᵀ·A</c> (one sgemm with α = −μ, β = 1), after <c>dA = dZ·W</c> has used
/// the old W — so dW is never stored. At batch 1 the products are matrix-vector: sgemv forward and for dA, and the
/// rank-1 update <c>W −= μ·dz·aᵀ</c> with sger. Elementwise steps (bias, ReLU, softmax) are scalar loops.
/// </summary>
internal sealed unsafe class OpenBlasTrainer
{
    private readonly PeerLayer[] _layers;
    private readonly float[][] _activations; // A_l = f(Z_l), [maxBatch, outputs_l]; the ReLU mask comes from A > 0
    private readonly float[][] _deltas;      // ∂E/∂Z_l, [maxBatch, outputs_l]
    private readonly int _maxBatch;

    /// <param name="layers">Weights to train, modified in place; the last layer's outputs are logits.</param>
    /// <param name="maxBatch">The largest batch a step takes.</param>
    public OpenBlasTrainer(PeerLayer[] layers, int maxBatch)
    {
        Initialize();
        _layers = layers;
        _maxBatch = maxBatch;
        _activations = [.. layers.Select(l => new float[maxBatch * l.Outputs])];
        _deltas = [.. layers.Select(l => new float[maxBatch * l.Outputs])];
    }

    /// <summary>The layers being trained.</summary>
    public IReadOnlyList<PeerLayer> Layers => _layers;

    /// <summary>One step on <paramref name="batch"/> samples with one-hot <paramref name="targets"/>.</summary>
    /// <returns>The mean softmax cross-entropy before the step.</returns>
    public float TrainStep(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batch, float learningRate)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batch, _maxBatch);
        fixed (float* px = inputs)
        {
            Forward(px, batch);
            float loss = SoftmaxCrossEntropy(targets, batch);
            Backward(px, batch, learningRate);
            return loss;
        }
    }

    private void Forward(float* input, int batch)
    {
        for (int l = 0; l < _layers.Length; l++)
        {
            PeerLayer layer = _layers[l];
            float[] z = _activations[l];
            for (int row = 0; row < batch; row++)
            {
                layer.Biases.CopyTo(z, row * layer.Outputs);
            }

            fixed (float* pw = layer.Weights, pz = z, paPrev = l > 0 ? _activations[l - 1] : null)
            {
                // Z = X·Wᵀ + Z, where Z starts as b in every row.
                float* x = l > 0 ? paPrev : input;
                if (batch == 1)
                {
                    Sgemv(RowMajor, NoTrans, layer.Outputs, layer.Inputs, 1f, pw, layer.Inputs, x, 1, 1f, pz, 1);
                }
                else
                {
                    Sgemm(RowMajor, NoTrans, Trans, batch, layer.Outputs, layer.Inputs, 1f, x, layer.Inputs, pw, layer.Inputs, 1f, pz, layer.Outputs);
                }
            }

            if (layer.Relu)
            {
                for (int i = 0; i < batch * layer.Outputs; i++)
                {
                    z[i] = Math.Max(z[i], 0f);
                }
            }
        }
    }

    // dZ_L = (softmax(Z_L) − T) / B, written to the last delta buffer; returns the mean cross-entropy.
    private float SoftmaxCrossEntropy(ReadOnlySpan<float> targets, int batch)
    {
        int classes = _layers[^1].Outputs;
        float[] logits = _activations[^1];
        float[] delta = _deltas[^1];
        float inverseBatch = 1f / batch;
        float loss = 0f;
        for (int row = 0; row < batch; row++)
        {
            int offset = row * classes;
            float max = float.NegativeInfinity;
            for (int c = 0; c < classes; c++)
            {
                max = Math.Max(max, logits[offset + c]);
            }

            float sum = 0f;
            for (int c = 0; c < classes; c++)
            {
                float e = MathF.Exp(logits[offset + c] - max);
                delta[offset + c] = e;
                sum += e;
            }

            float logSum = max + MathF.Log(sum);
            for (int c = 0; c < classes; c++)
            {
                float t = targets[offset + c];
                loss += t * (logSum - logits[offset + c]);
                delta[offset + c] = ((delta[offset + c] / sum) - t) * inverseBatch;
            }
        }

        return loss * inverseBatch;
    }

    private void Backward(float* input, int batch, float learningRate)
    {
        for (int l = _layers.Length - 1; l >= 0; l--)
        {
            PeerLayer layer = _layers[l];
            float[] dz = _deltas[l];
            fixed (float* pdz = dz, pw = layer.Weights, paPrev = l > 0 ? _activations[l - 1] : null, pdaPrev = l > 0 ? _deltas[l - 1] : null)
            {
                float* aPrev = l > 0 ? paPrev : input;

                // dA_{l−1} = dZ_l·W_l with the old W, then dZ_{l−1} = dA_{l−1} ⊙ [A_{l−1} > 0].
                if (l > 0)
                {
                    if (batch == 1)
                    {
                        Sgemv(RowMajor, Trans, layer.Outputs, layer.Inputs, 1f, pw, layer.Inputs, pdz, 1, 0f, pdaPrev, 1);
                    }
                    else
                    {
                        Sgemm(RowMajor, NoTrans, NoTrans, batch, layer.Inputs, layer.Outputs, 1f, pdz, layer.Outputs, pw, layer.Inputs, 0f, pdaPrev, layer.Inputs);
                    }

                    if (_layers[l - 1].Relu)
                    {
                        for (int i = 0; i < batch * layer.Inputs; i++)
                        {
                            pdaPrev[i] = paPrev[i] > 0f ? pdaPrev[i] : 0f;
                        }
                    }
                }

                // W −= μ·dZᵀ·A_{l−1} and b −= μ·Σ_rows dZ.
                if (batch == 1)
                {
                    Sger(RowMajor, layer.Outputs, layer.Inputs, -learningRate, pdz, 1, aPrev, 1, pw, layer.Inputs);
                }
                else
                {
                    Sgemm(RowMajor, Trans, NoTrans, layer.Outputs, layer.Inputs, batch, -learningRate, pdz, layer.Outputs, aPrev, layer.Inputs, 1f, pw, layer.Inputs);
                }

                float[] b = layer.Biases;
                for (int row = 0; row < batch; row++)
                {
                    for (int o = 0; o < layer.Outputs; o++)
                    {
                        b[o] -= learningRate * dz[(row * layer.Outputs) + o];
                    }
                }
            }
        }
    }
}
