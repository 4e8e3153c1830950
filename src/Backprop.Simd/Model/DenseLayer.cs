using Backprop.Simd.Kernels;

namespace Backprop.Simd.Model;

/// <summary>
/// A dense layer's shape and where its parameters live in the network's one contiguous buffer:
/// W [outputs, inputs] row-major at <see cref="WeightOffset"/>, then b [outputs] at <see cref="BiasOffset"/>.
/// The gradient buffer has the same layout.
/// </summary>
public readonly record struct DenseLayer(int Inputs, int Outputs, Activation Activation, int WeightOffset)
{
    /// <summary>Elements of W.</summary>
    public int WeightCount => Inputs * Outputs;

    /// <summary>Offset of b, right after W.</summary>
    public int BiasOffset => WeightOffset + WeightCount;

    /// <summary>Elements of W and b together.</summary>
    public int ParameterCount => WeightCount + Outputs;
}
