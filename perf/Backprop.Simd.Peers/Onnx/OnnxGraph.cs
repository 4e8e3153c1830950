namespace Backprop.Simd.Peers.Onnx;

/// <summary>
/// Builds a small ONNX model (a <c>ModelProto</c> holding one <c>GraphProto</c>) of float32 tensors with static shapes.
/// There is no ONNX builder for .NET, so the few messages needed are written with <see cref="ProtoWriter"/>; the field
/// numbers are those of onnx/onnx.proto (noted beside each write). Weights are initializers that are not graph inputs
/// (allowed since IR version 4), so ONNX Runtime treats them as constants and may pre-pack them.
/// </summary>
internal sealed class OnnxGraph
{
    // The IR version and opset written into the model: IR 8 (ONNX 1.10+) with the default domain at opset 17, where
    // Gemm (opset 13) takes an optional C and Relu (opset 14) is plain max(x, 0).
    private const long IrVersion = 8;
    private const long Opset = 17;

    // TensorProto.DataType.FLOAT and AttributeProto.AttributeType.INT.
    private const long Float = 1;
    private const long IntAttribute = 2;

    private readonly List<Action<ProtoWriter>> _nodes = [];
    private readonly List<Action<ProtoWriter>> _initializers = [];
    private readonly List<Action<ProtoWriter>> _inputs = [];
    private readonly List<Action<ProtoWriter>> _outputs = [];

    /// <summary>
    /// The MLP as Gemm (transB = 1: <c>Y = X·Wᵀ + b</c>, W kept [outputs, inputs] as the engine stores it) and Relu
    /// nodes, input <c>x</c> [batch, inputs], output <c>y</c> [batch, outputs].
    /// </summary>
    public static byte[] Mlp(IReadOnlyList<PeerLayer> layers, int batch)
    {
        var graph = new OnnxGraph().Input("x", batch, layers[0].Inputs).Output("y", batch, layers[^1].Outputs);
        string x = "x";
        for (int l = 0; l < layers.Count; l++)
        {
            PeerLayer layer = layers[l];
            string w = $"W{l}", b = $"b{l}";
            graph.Initializer(w, layer.Weights, layer.Outputs, layer.Inputs).Initializer(b, layer.Biases, layer.Outputs);
            string z = l == layers.Count - 1 && !layer.Relu ? "y" : $"z{l}";
            graph.Node("Gemm", [x, w, b], z, ("transB", 1));
            x = z;
            if (layer.Relu)
            {
                string a = l == layers.Count - 1 ? "y" : $"a{l}";
                graph.Node("Relu", [z], a);
                x = a;
            }
        }

        return graph.ToModel();
    }

    /// <summary>One Gemm node <c>c = a·bᵀ</c> with both operands graph inputs: a [m, k], b [n, k], c [m, n].</summary>
    public static byte[] Gemm(int m, int n, int k)
        => new OnnxGraph().Input("a", m, k).Input("b", n, k).Output("c", m, n).Node("Gemm", ["a", "b"], "c", ("transB", 1)).ToModel();

    /// <summary>A graph input (<c>GraphProto.input</c>, 11) of type float32 and the given shape.</summary>
    public OnnxGraph Input(string name, params long[] dims)
    {
        _inputs.Add(w => ValueInfo(w, name, dims));
        return this;
    }

    /// <summary>A graph output (<c>GraphProto.output</c>, 12).</summary>
    public OnnxGraph Output(string name, params long[] dims)
    {
        _outputs.Add(w => ValueInfo(w, name, dims));
        return this;
    }

    /// <summary>A constant float32 tensor (<c>GraphProto.initializer</c>, 5) stored as raw little-endian bytes.</summary>
    public OnnxGraph Initializer(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        float[] copy = values.ToArray();
        _initializers.Add(w =>
        {
            foreach (long dim in dims)
            {
                w.Int64(1, dim);                 // TensorProto.dims
            }

            w.Int64(2, Float)                    // TensorProto.data_type
                .String(8, name)                 // TensorProto.name
                .RawFloats(9, copy);             // TensorProto.raw_data
        });
        return this;
    }

    /// <summary>A node (<c>GraphProto.node</c>, 1) of the default domain with integer attributes.</summary>
    public OnnxGraph Node(string opType, string[] inputs, string output, params (string Name, long Value)[] attributes)
    {
        _nodes.Add(w =>
        {
            foreach (string input in inputs)
            {
                w.String(1, input);              // NodeProto.input
            }

            w.String(2, output)                  // NodeProto.output
                .String(3, $"{opType}_{output}") // NodeProto.name
                .String(4, opType);              // NodeProto.op_type
            foreach ((string name, long value) in attributes)
            {
                w.Message(5, a => a              // NodeProto.attribute
                    .String(1, name)             // AttributeProto.name
                    .Int64(20, IntAttribute)     // AttributeProto.type
                    .Int64(3, value));           // AttributeProto.i
            }
        });
        return this;
    }

    /// <summary>The serialized <c>ModelProto</c>, ready for <c>new InferenceSession(bytes, options)</c>.</summary>
    public byte[] ToModel() => new ProtoWriter()
        .Int64(1, IrVersion)                                         // ModelProto.ir_version
        .Message(8, o => o.String(1, string.Empty).Int64(2, Opset))  // ModelProto.opset_import: OperatorSetIdProto domain, version
        .String(2, "Backprop.Simd.Peers")                            // ModelProto.producer_name
        .Message(7, g =>                                             // ModelProto.graph
        {
            _nodes.ForEach(node => g.Message(1, node));              // GraphProto.node
            g.String(2, "peer");                                     // GraphProto.name
            _initializers.ForEach(tensor => g.Message(5, tensor));   // GraphProto.initializer
            _inputs.ForEach(value => g.Message(11, value));          // GraphProto.input
            _outputs.ForEach(value => g.Message(12, value));         // GraphProto.output
        })
        .ToArray();

    // ValueInfoProto { name = 1; type = 2 } with TypeProto { tensor_type = 1 }, TypeProto.Tensor { elem_type = 1;
    // shape = 2 }, TensorShapeProto { dim = 1 } and Dimension { dim_value = 1 }.
    private static void ValueInfo(ProtoWriter w, string name, long[] dims) => w
        .String(1, name)
        .Message(2, type => type.Message(1, tensor =>
        {
            tensor.Int64(1, Float);
            tensor.Message(2, shape =>
            {
                foreach (long dim in dims)
                {
                    shape.Message(1, d => d.Int64(1, dim));
                }
            });
        }));
}
