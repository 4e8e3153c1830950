namespace Backprop.Simd.Kernels;

/// <summary>The element-wise nonlinearity applied after a dense layer's affine map.</summary>
public enum Activation
{
    /// <summary><c>a = z</c>. Use for the output layer when the loss takes logits.</summary>
    Identity,

    /// <summary><c>a = 1 / (1 + e^(−z))</c>, with <c>a' = a·(1 − a)</c>: the one the classic derivations use.</summary>
    Sigmoid,

    /// <summary><c>a = tanh z</c>, with <c>a' = 1 − a²</c>.</summary>
    Tanh,

    /// <summary><c>a = max(z, 0)</c>, with <c>a' = 1</c> for <c>z &gt; 0</c>, else 0.</summary>
    Relu,

    /// <summary><c>a = z</c> for <c>z &gt; 0</c>, else <c>0.01·z</c> (PyTorch's default slope).</summary>
    LeakyRelu,

    /// <summary>GELU in its tanh form (PyTorch's <c>approximate='tanh'</c>):
    /// <c>a = ½·z·(1 + tanh(√(2/π)·(z + 0.044715·z³)))</c>.</summary>
    Gelu,
}
