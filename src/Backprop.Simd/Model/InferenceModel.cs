using System.Numerics;
using Backprop.Simd.Kernels;
using Backprop.Simd.Kernels.Simd;

namespace Backprop.Simd.Model;

/// <summary>
/// An immutable trained network for serving: its weights never change after construction, so one instance is
/// shared by any number of threads without locks. It keeps a second copy of the weights, transposed once (twice the
/// weights' memory): one sample streams each layer's Wᵀ front to back, and batches pack it by copying. Each call runs in a workspace that is either passed in
/// (<see cref="CreateWorkspace"/>, one per thread or per call) or, for the overloads without one, cached per
/// thread. After the first call on a thread, prediction allocates nothing.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class InferenceModel<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private const int DefaultWorkspaceBatch = 16;

    private readonly DenseLayer[] _layers;
    private readonly T[] _parameters;

    // The parameters with each weight block transposed to Wᵀ [inputs, outputs], packed once at construction: a single
    // sample then reads each layer's weights in one sequential stream (Gemv), and batches pack them by copying. Pinned
    // and used from its first cache line (AlignedBuffer), so no load of Gemv's stream straddles two lines: 784-128-10
    // predicted in 3.4 µs instead of 5.4 µs misaligned by 16 bytes (stopwatch, both models in one process).
    private readonly AlignedBuffer<T> _transposed;
    private readonly ThreadLocal<InferenceWorkspace<T>> _threadWorkspace;

    // The spec as text, computed once: workspaces are interchangeable between models of one architecture (e.g. two
    // loads of the same file), and comparing two stored strings allocates nothing per call.
    private readonly string _architecture;

    /// <summary>A model of architecture <paramref name="spec"/> with a copy of <paramref name="parameters"/>.</summary>
    /// <param name="spec">The architecture.</param>
    /// <param name="parameters">Weights and biases in the layout of <see cref="Network{T}.Parameters"/> (W then b, layer after layer).</param>
    /// <exception cref="ArgumentException">parameters is not <see cref="NetworkSpec.ParameterCount"/> long.</exception>
    public InferenceModel(NetworkSpec spec, ReadOnlySpan<T> parameters)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Guard.Length(parameters.Length, spec.ParameterCount, nameof(parameters), "spec.ParameterCount");
        Spec = spec;
        _layers = spec.CreateLayers();
        _parameters = parameters.ToArray();
        _transposed = new AlignedBuffer<T>(_parameters.Length);
        _parameters.CopyTo(Transposed);
        foreach (DenseLayer layer in _layers)
        {
            Span<T> transposed = Transposed.Slice(layer.WeightOffset, layer.WeightCount);
            ReadOnlySpan<T> weights = _parameters.AsSpan(layer.WeightOffset, layer.WeightCount);
            for (int o = 0; o < layer.Outputs; o++)
            {
                for (int i = 0; i < layer.Inputs; i++)
                {
                    transposed[(i * layer.Outputs) + o] = weights[(o * layer.Inputs) + i];
                }
            }
        }
        _architecture = spec.ToString();
        _threadWorkspace = new ThreadLocal<InferenceWorkspace<T>>(() => CreateWorkspace(DefaultWorkspaceBatch));
    }

    /// <summary>The architecture.</summary>
    public NetworkSpec Spec { get; }

    internal Span<T> Transposed => _transposed.Span;

    /// <summary>Features per sample.</summary>
    public int InputSize => Spec.InputSize;

    /// <summary>Outputs per sample (logits when the loss is a cross-entropy).</summary>
    public int OutputSize => Spec.OutputSize;

    /// <summary>The weights and biases, read-only.</summary>
    public ReadOnlySpan<T> Parameters => _parameters;

    /// <summary>The layers, with their offsets into <see cref="Parameters"/>.</summary>
    public ReadOnlySpan<DenseLayer> Layers => _layers;

    /// <summary>A workspace for batches of up to <paramref name="maxBatch"/> samples, for one thread at a time.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBatch"/> is not positive.</exception>
    public InferenceWorkspace<T> CreateWorkspace(int maxBatch = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatch);
        return new InferenceWorkspace<T>(Spec, _architecture, new WorkspacePlan(_layers, maxBatch, System.Runtime.CompilerServices.Unsafe.SizeOf<T>()));
    }

    /// <summary>Outputs for one sample, in this thread's cached workspace.</summary>
    /// <exception cref="ArgumentException">input is not InputSize long, or output not OutputSize long.</exception>
    public void Predict(ReadOnlySpan<T> input, Span<T> output)
    {
        Guard.Length(input.Length, InputSize, nameof(input), "InputSize");
        Guard.Length(output.Length, OutputSize, nameof(output), "OutputSize");
        InferenceWorkspace<T> workspace = _threadWorkspace.Value!;
        ForwardPass.Run<T>(_layers, Transposed, workspace.Plan, workspace.Buffer, input, 1, transposedWeights: true).CopyTo(output);
    }

    /// <summary>Outputs for a batch of any size, in this thread's cached workspace.</summary>
    /// <exception cref="ArgumentException">A length disagrees with the batch.</exception>
    public void Predict(ReadOnlySpan<T> inputs, Span<T> outputs, int batch) => Predict(inputs, outputs, batch, _threadWorkspace.Value!);

    /// <summary>Outputs for a batch of any size (in chunks of the workspace's MaxBatch), in <paramref name="workspace"/>.</summary>
    /// <param name="inputs">[batch, InputSize].</param>
    /// <param name="outputs">[batch, OutputSize] destination.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="workspace">From <see cref="CreateWorkspace"/> of a model with the same architecture; used by one thread at a time.</param>
    /// <exception cref="ArgumentException">A length disagrees with the batch, or the workspace is for another architecture.</exception>
    public void Predict(ReadOnlySpan<T> inputs, Span<T> outputs, int batch, InferenceWorkspace<T> workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        if (!string.Equals(workspace.Architecture, _architecture, StringComparison.Ordinal))
        {
            throw new ArgumentException($"workspace was created for {workspace.Spec}, not for this model's {Spec}.", nameof(workspace));
        }

        Guard.Positive(batch, nameof(batch));
        Guard.Length(inputs.Length, batch, InputSize, nameof(inputs), "batch × InputSize");
        Guard.Length(outputs.Length, batch, OutputSize, nameof(outputs), "batch × OutputSize");
        int chunk = workspace.MaxBatch;
        for (int start = 0; start < batch; start += chunk)
        {
            int count = Math.Min(chunk, batch - start);
            ForwardPass.Run<T>(_layers, Transposed, workspace.Plan, workspace.Buffer, inputs.Slice(start * InputSize, count * InputSize), count, transposedWeights: true)
                .CopyTo(outputs.Slice(start * OutputSize, count * OutputSize));
        }
    }

    /// <summary>A trainable network initialised with these weights (for fine-tuning a served model on a private copy).</summary>
    public Network<T> ToNetwork(int maxBatch)
    {
        var network = new Network<T>(Spec, maxBatch);
        _parameters.CopyTo(network.Parameters);
        return network;
    }
}

/// <summary>
/// Scratch memory for <see cref="InferenceModel{T}.Predict(ReadOnlySpan{T}, Span{T}, int, InferenceWorkspace{T})"/>:
/// cheap to create, reusable across calls and models of the same architecture, but used by one thread at a time.
/// </summary>
public sealed class InferenceWorkspace<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    internal InferenceWorkspace(NetworkSpec spec, string architecture, WorkspacePlan plan)
    {
        Spec = spec;
        Architecture = architecture;
        Plan = plan;
        // Pinned, so the packed GEMM's panels keep the cache-line alignment it gives them.
        Buffer = GC.AllocateArray<T>(plan.Length, pinned: true);
    }

    /// <summary>The largest batch one forward pass in this workspace may hold; larger batches are chunked.</summary>
    public int MaxBatch => Plan.MaxBatch;

    internal NetworkSpec Spec { get; }

    internal string Architecture { get; }

    internal WorkspacePlan Plan { get; }

    internal T[] Buffer { get; }
}
