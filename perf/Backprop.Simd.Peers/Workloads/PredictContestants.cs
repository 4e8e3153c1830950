using Backprop.Simd.Benchmarks;
using Backprop.Simd.Benchmarks.Peers;
using Backprop.Simd.Model;
using Backprop.Simd.Peers.Infrastructure;
using Backprop.Simd.Peers.Onnx;
using Backprop.Simd.Peers.OpenBlas;
using Backprop.Simd.Peers.Torch;

namespace Backprop.Simd.Peers.Workloads;

/// <summary>
/// Everyone who runs one W1 network at batch 1, built from one seeded engine network, and checked: the engine against
/// the naive oracle, every peer against the engine. Each peer reads the sample from a buffer it owns (set up once).
/// </summary>
internal sealed class PredictContestants : IDisposable
{
    public PredictContestants(string workload, NetworkSpec spec, float[] input, Agreement agreement)
    {
        Engine = new Network<float>(spec, maxBatch: 1, seed: SeededData.Seed);
        Model = Engine.ToInferenceModel();
        Input = input;
        Output = new float[spec.OutputSize];
        PeerLayer[] layers = PeerLayer.From(Engine);
        OnnxRuntime = OnnxRuntimePeer.ForMlp(layers, batch: 1);
        input.CopyTo(OnnxRuntime.Inputs[0], 0);
        OpenBlas = new OpenBlasMlp(layers);
        TorchSharp = new TorchSharpMlp(layers, input, batch: 1);
        PlainCSharp = new PlainCSharpMlp(Engine);

        float[] reference = new float[Output.Length];
        Engine.Predict(input, reference);
        agreement.Compare(workload, "engine Network vs naive oracle", ("y", NaiveMlp.Forward(Engine, input, 1), reference));
        agreement.Compare(workload, "engine InferenceModel", ("y", reference, Run(() => Model.Predict(Input, Output))));
        agreement.Compare(workload, "ONNX Runtime", ("y", reference, Run(() => { OnnxRuntime.Run(); OnnxRuntime.Output.CopyTo(Output, 0); })));
        agreement.Compare(workload, "OpenBLAS", ("y", reference, Run(() => OpenBlas.Predict(Input, Output))));
        agreement.Compare(workload, "TorchSharp", ("y", reference, Run(() => TorchSharp.Predict(Output))));
        agreement.Compare(workload, "plain C#", ("y", reference, Run(() => PlainCSharp.Predict(Input, Output))));
    }

    public Network<float> Engine { get; }

    public InferenceModel<float> Model { get; }

    public OnnxRuntimePeer OnnxRuntime { get; }

    public OpenBlasMlp OpenBlas { get; }

    public TorchSharpMlp TorchSharp { get; }

    public PlainCSharpMlp PlainCSharp { get; }

    public float[] Input { get; }

    public float[] Output { get; }

    public void Dispose()
    {
        OnnxRuntime.Dispose();
        TorchSharp.Dispose();
    }

    private float[] Run(Action predict)
    {
        Array.Fill(Output, float.NaN);
        predict();
        return [.. Output];
    }
}
