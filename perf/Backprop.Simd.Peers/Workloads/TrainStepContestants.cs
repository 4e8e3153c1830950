using Backprop.Simd.Benchmarks;
using Backprop.Simd.Model;
using Backprop.Simd.Peers.Infrastructure;
using Backprop.Simd.Peers.OpenBlas;
using Backprop.Simd.Peers.PlainCSharp;
using Backprop.Simd.Peers.Torch;

namespace Backprop.Simd.Peers.Workloads;

/// <summary>
/// Everyone who runs one SGD training step (forward, softmax cross-entropy, backward, update) of one network on one
/// batch, all starting from the weights of one seeded engine network. The check runs one step each and compares the
/// loss, the updated weights and the step itself (W after − W before, which is −μ·∂E/∂W and so checks the gradients
/// at the tolerance of the comparison, not of the much larger weights).
/// </summary>
internal sealed class TrainStepContestants : IDisposable
{
    /// <summary>
    /// μ of the checked and the timed steps. Large enough that a step stands well above the rounding of W (at μ = 0.01 the
    /// unavoidable error of W after − W before, half an ulp of W, reached 1e-4 of the step); the time does not depend on
    /// it, and training one batch again and again only lowers its loss: no divergence in any run length.
    /// </summary>
    public const float LearningRate = 0.1f;

    public TrainStepContestants(string workload, NetworkSpec spec, int batch, Random random, Agreement agreement)
    {
        Batch = batch;
        Engine = new Network<float>(spec, maxBatch: batch, seed: SeededData.Seed);
        Inputs = SeededData.Uniform(random, batch * spec.InputSize, 0f, 1f);
        Targets = SeededData.OneHot(random, batch, spec.OutputSize);

        PeerLayer[] before = PeerLayer.From(Engine);
        OpenBlas = new OpenBlasTrainer(PeerLayer.From(Engine), batch);
        TorchSharp = new TorchSharpMlp(PeerLayer.From(Engine), Inputs, batch, Targets, LearningRate);
        PlainCSharp = new PlainCSharpTrainer(PeerLayer.From(Engine), batch);

        float engineLoss = Engine.TrainStep(Inputs, Targets, batch, LearningRate);
        PeerLayer[] engine = PeerLayer.From(Engine);
        Compare("OpenBLAS", OpenBlas.TrainStep(Inputs, Targets, batch, LearningRate), l => (OpenBlas.Layers[l].Weights, OpenBlas.Layers[l].Biases));
        Compare("TorchSharp", TorchSharp.TrainStep(), TorchSharp.Parameters);
        Compare("plain C#", PlainCSharp.TrainStep(Inputs, Targets, batch, LearningRate), l => (PlainCSharp.Layers[l].Weights, PlainCSharp.Layers[l].Biases));

        void Compare(string peer, float loss, Func<int, (float[] Weights, float[] Biases)> after)
        {
            var tensors = new List<(string, float[], float[])> { ("loss", [engineLoss], [loss]) };
            for (int l = 0; l < engine.Length; l++)
            {
                (float[] weights, float[] biases) = after(l);
                tensors.Add(($"W{l}", engine[l].Weights, weights));
                tensors.Add(($"b{l}", engine[l].Biases, biases));
                tensors.Add(($"ΔW{l}", Step(before[l].Weights, engine[l].Weights), Step(before[l].Weights, weights)));
                tensors.Add(($"Δb{l}", Step(before[l].Biases, engine[l].Biases), Step(before[l].Biases, biases)));
            }

            agreement.Compare(workload, peer, [.. tensors]);
        }
    }

    public int Batch { get; }

    public Network<float> Engine { get; }

    public OpenBlasTrainer OpenBlas { get; }

    public TorchSharpMlp TorchSharp { get; }

    public PlainCSharpTrainer PlainCSharp { get; }

    public float[] Inputs { get; }

    public float[] Targets { get; }

    public void Dispose() => TorchSharp.Dispose();

    private static float[] Step(float[] before, float[] after) => [.. after.Select((a, i) => a - before[i])];
}
