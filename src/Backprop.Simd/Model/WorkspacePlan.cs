using Backprop.Simd.Kernels;

namespace Backprop.Simd.Model;

/// <summary>
/// Where a forward pass keeps each layer's pre-activations Z and activations A, each [maxBatch, outputs], in one
/// workspace buffer (an identity layer's A is its Z), followed by the GEMMs' packing scratch, sized for the largest
/// product of any layer (forward only, or also both backward products when planned for training). Planned once; the
/// backward pass reads Z and A.
/// </summary>
internal sealed class WorkspacePlan
{
    private readonly int[] _preActivations;
    private readonly int[] _activations;

    /// <param name="layers">The network's layers.</param>
    /// <param name="maxBatch">The largest batch a pass may hold.</param>
    /// <param name="elementSize">Bytes per element (4 for float, 8 for double): panels are 256 bytes wide.</param>
    /// <param name="training">Whether the backward products need packing scratch too.</param>
    public WorkspacePlan(ReadOnlySpan<DenseLayer> layers, int maxBatch, int elementSize, bool training = false)
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

        int pack = 0;
        foreach (DenseLayer layer in layers)
        {
            pack = Math.Max(pack, elementSize == sizeof(double)
                ? ScratchFor<double>(layer, maxBatch, training)
                : ScratchFor<float>(layer, maxBatch, training));
        }

        MaxBatch = maxBatch;
        PackOffset = checked((int)offset);
        PackLength = pack;
        Length = checked((int)(offset + pack));
    }

    public int MaxBatch { get; }

    /// <summary>Elements the plan needs.</summary>
    public int Length { get; }

    /// <summary>Where the packing scratch starts.</summary>
    public int PackOffset { get; }

    /// <summary>Elements of packing scratch.</summary>
    public int PackLength { get; }

    /// <summary>The packing scratch of <paramref name="workspace"/>.</summary>
    public Span<T> Pack<T>(Span<T> workspace) => workspace.Slice(PackOffset, PackLength);

    private static int ScratchFor<T>(DenseLayer layer, int maxBatch, bool training)
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        int forward = DenseKernels.ForwardPackLength<T>(maxBatch, layer.Inputs, layer.Outputs);
        return training
            ? Math.Max(forward, Math.Max(
                DenseKernels.BackwardDataPackLength<T>(maxBatch, layer.Inputs, layer.Outputs),
                DenseKernels.BackwardWeightsPackLength<T>(maxBatch, layer.Inputs, layer.Outputs)))
            : forward;
    }

    public int PreActivationOffset(int layer) => _preActivations[layer];

    public int ActivationOffset(int layer) => _activations[layer];
}

/// <summary>The forward pass of a multilayer perceptron over a planned workspace, shared by training and inference.</summary>
internal static class ForwardPass
{
    /// <summary>
    /// Runs every layer, <c>Z = X·Wᵀ + b</c> then <c>A = f(Z)</c>, keeping Z and A where <paramref name="plan"/> says,
    /// and returns the last layer's A, [batch, outputs], as a slice of <paramref name="workspace"/>.
    /// Callers validate the batch and the input length. With <paramref name="transposedWeights"/>, each layer's
    /// weight block in <paramref name="parameters"/> holds Wᵀ [inputs, outputs] (see <see cref="InferenceModel{T}"/>).
    /// </summary>
    public static ReadOnlySpan<T> Run<T>(
        ReadOnlySpan<DenseLayer> layers,
        ReadOnlySpan<T> parameters,
        WorkspacePlan plan,
        Span<T> workspace,
        ReadOnlySpan<T> inputs,
        int batch,
        bool transposedWeights = false,
        GemmWorkers? workers = null)
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        ReadOnlySpan<T> x = inputs;
        for (int l = 0; l < layers.Length; l++)
        {
            DenseLayer layer = layers[l];
            int n = batch * layer.Outputs;
            Span<T> z = workspace.Slice(plan.PreActivationOffset(l), n);
            Span<T> a = workspace.Slice(plan.ActivationOffset(l), n);

            // Z = X·Wᵀ + b and A = f(Z) in one pass over the output tiles (an identity layer's A is its Z).
            DenseKernels.ForwardCore<T>(
                z,
                layer.Activation == Activation.Identity ? default : a,
                layer.Activation,
                x,
                parameters.Slice(layer.WeightOffset, layer.WeightCount),
                parameters.Slice(layer.BiasOffset, layer.Outputs),
                batch,
                layer.Inputs,
                layer.Outputs,
                plan.Pack(workspace),
                transposedWeights,
                workers);
            x = a;
        }

        return x;
    }
}
