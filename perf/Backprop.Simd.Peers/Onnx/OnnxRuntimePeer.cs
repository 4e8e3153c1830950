using Microsoft.ML.OnnxRuntime;

namespace Backprop.Simd.Peers.Onnx;

/// <summary>
/// An ONNX Runtime session on its fastest .NET call path, one thread: every input and the output are float32 buffers
/// allocated once on the pinned object heap, wrapped in <see cref="OrtValue"/>s without a copy and bound once with
/// <see cref="OrtIoBinding"/>; <see cref="Run"/> is then one <c>RunWithBinding</c>, which reads the inputs and writes the
/// output in place. Fill <see cref="Inputs"/> before calling it and read <see cref="Output"/> after.
/// </summary>
internal sealed class OnnxRuntimePeer : IDisposable
{
    private readonly SessionOptions _options;
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly OrtIoBinding _binding;
    private readonly List<OrtValue> _values = [];

    /// <param name="model">A serialized ModelProto (see <see cref="OnnxGraph"/>).</param>
    /// <param name="inputs">Name and shape of each graph input, in order.</param>
    /// <param name="output">Name and shape of the one graph output.</param>
    public OnnxRuntimePeer(byte[] model, IReadOnlyList<(string Name, long[] Shape)> inputs, (string Name, long[] Shape) output)
    {
        _options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(model, _options);
        _binding = _session.CreateIoBinding();
        Inputs = new float[inputs.Count][];
        for (int i = 0; i < inputs.Count; i++)
        {
            Inputs[i] = Bind(inputs[i].Shape, out OrtValue value);
            _binding.BindInput(inputs[i].Name, value);
        }

        Output = Bind(output.Shape, out OrtValue result);
        _binding.BindOutput(output.Name, result);
    }

    /// <summary>The bound input buffers, one per graph input, in the order given to the constructor.</summary>
    public float[][] Inputs { get; }

    /// <summary>The bound output buffer.</summary>
    public float[] Output { get; }

    /// <summary>A session for an MLP graph (<see cref="OnnxGraph.Mlp"/>) at a fixed batch.</summary>
    public static OnnxRuntimePeer ForMlp(IReadOnlyList<PeerLayer> layers, int batch)
        => new(OnnxGraph.Mlp(layers, batch), [("x", [batch, layers[0].Inputs])], ("y", [batch, layers[^1].Outputs]));

    /// <summary>A session for <c>c = a·bᵀ</c> (<see cref="OnnxGraph.Gemm"/>): a [m, k], b [n, k].</summary>
    public static OnnxRuntimePeer ForGemm(int m, int n, int k)
        => new(OnnxGraph.Gemm(m, n, k), [("a", [m, k]), ("b", [n, k])], ("c", [m, n]));

    /// <summary>Runs the graph on the bound buffers.</summary>
    public void Run() => _session.RunWithBinding(_runOptions, _binding);

    public void Dispose()
    {
        _binding.Dispose();
        _values.ForEach(v => v.Dispose());
        _session.Dispose();
        _runOptions.Dispose();
        _options.Dispose();
    }

    private float[] Bind(long[] shape, out OrtValue value)
    {
        // Pinned for the life of the process, so the native side may keep the pointer the OrtValue hands it.
        float[] buffer = GC.AllocateArray<float>(checked((int)shape.Aggregate(1L, (a, d) => a * d)), pinned: true);
        value = OrtValue.CreateTensorValueFromMemory(buffer, shape);
        _values.Add(value);
        return buffer;
    }
}
