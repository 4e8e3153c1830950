namespace Backprop.Simd.Kernels;

/// <summary>The objective <c>E</c> minimised by training, averaged over the batch.</summary>
public enum Loss
{
    /// <summary><c>E = (1/B)·Σ ½·(y − t)²</c>, with <c>∂E/∂y = (y − t)/B</c>: the seed objective of backpropagation.</summary>
    SquaredError,

    /// <summary>Softmax fused with cross-entropy over each row of logits:
    /// <c>E = (1/B)·Σ_rows −Σ_j t_j·log softmax(z)_j</c>, with <c>∂E/∂z = (softmax(z)·Σ_j t_j − t)/B</c>, that is
    /// <c>(softmax(z) − t)/B</c> for probability rows (one-hot for classification).</summary>
    SoftmaxCrossEntropy,

    /// <summary>Sigmoid fused with binary cross-entropy, element-wise on logits:
    /// <c>E = (1/B)·Σ −[t·log σ(z) + (1 − t)·log(1 − σ(z))]</c>, with <c>∂E/∂z = (σ(z) − t)/B</c>.</summary>
    SigmoidCrossEntropy,
}
