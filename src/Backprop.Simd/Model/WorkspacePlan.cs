using Backprop.Simd.Kernels;

namespace Backprop.Simd.Model;

/// <summary>
/// Where a forward pass keeps each layer's pre-activations Z and activations A, each [maxBatch, outputs], in one
/// workspace buffer (an identity layer's A is its Z). Planned once; the backward pass reads both.
/// </summary>
internal sealed class WorkspacePlan
{
    private readonly int[] _preActivations;
    private readonly int[] _activations;

    public WorkspacePlan(ReadOnlySpan<DenseLayer> layers, int maxBatch)
    {
        _preActivations = new int[layers.Length];
        _activations = new int[layers.Length];
        long offset = 0;
        for (int l = 0; l < layers.Length; l++)
        {
            long size = (long)maxBatch * layers[l].Outputs;
            _preActivations[l] = checked((int)offset);
            offset += size;
            if (layers[l].Activation == Activation.Identity)
            {
                _activations[l] = _preActivations[l];
            }
            else
            {
                _activations[l] = checked((int)offset);
                offset += size;
            }
        }

        MaxBatch = maxBatch;
        Length = checked((int)offset);
    }

    public int MaxBatch { get; }

    /// <summary>Elements the plan needs.</summary>
    public int Length { get; }

    public int PreActivationOffset(int layer) => _preActivations[layer];

    public int ActivationOffset(int layer) => _activations[layer];
}

/// <summary>The forward pass of a multilayer perceptron over a planned workspace, shared by training and inference.</summary>
internal static class ForwardPass
{
    /// <summary>
    /// Runs every layer, <c>Z = X·Wᵀ + b</c> then <c>A = f(Z)</c>, keeping Z and A where <paramref name="plan"/> says,
    /// and returns the last layer's A, [batch, outputs], as a slice of <paramref name="workspace"/>.
    /// Callers validate the batch and the input length.
    /// </summary>
    public static ReadOnlySpan<T> Run<T>(
        ReadOnlySpan<DenseLayer> layers, ReadOnlySpan<T> parameters, WorkspacePlan plan, Span<T> workspace, ReadOnlySpan<T> inputs, int batch)
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        ReadOnlySpan<T> x = inputs;
        for (int l = 0; l < layers.Length; l++)
        {
            DenseLayer layer = layers[l];
            int n = batch * layer.Outputs;
            Span<T> z = workspace.Slice(plan.PreActivationOffset(l), n);
            DenseKernels.DenseForward<T>(
                z,
                x,
                parameters.Slice(layer.WeightOffset, layer.WeightCount),
                parameters.Slice(layer.BiasOffset, layer.Outputs),
                batch,
                layer.Inputs,
                layer.Outputs);
            Span<T> a = workspace.Slice(plan.ActivationOffset(l), n);
            if (layer.Activation != Activation.Identity)
            {
                ActivationKernels.ActivationForward<T>(layer.Activation, z, a);
            }

            x = a;
        }

        return x;
    }
}
