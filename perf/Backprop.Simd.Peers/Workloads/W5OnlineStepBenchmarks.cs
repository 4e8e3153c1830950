using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Backprop.Simd.Benchmarks;
using Backprop.Simd.Model;
using Backprop.Simd.Peers.Infrastructure;

namespace Backprop.Simd.Peers.Workloads;

/// <summary>
/// W5: online learning, one SGD training step of 784-128-10 (ReLU, softmax cross-entropy) at batch 1: matrix-vector
/// products (L2 bandwidth: W and dW streamed several times a step). The engine's <c>Network.TrainStep</c> is the baseline; every peer starts
/// from the engine's weights and is checked after one step in [GlobalSetup]. ONNX Runtime is inference only.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class W5OnlineStepBenchmarks
{
    private const string W5 = "W5";
    private const int Batch = 1;

    private TrainStepContestants _step = null!;

    [GlobalSetup]
    public void Setup()
    {
        PeerSetup.Prepare();
        var agreement = new Agreement();
        _step = new TrainStepContestants(W5, NetworkSpec.Parse("784-128-10"), Batch, new Random(SeededData.Seed), agreement);
        agreement.ThrowIfAnyDisagrees();
    }

    [GlobalCleanup]
    public void Cleanup() => _step?.Dispose();

    [Benchmark(Baseline = true, Description = "engine Network.TrainStep")]
    [BenchmarkCategory(W5), Flops(WorkloadFlops.W5)]
    public float Engine() => _step.Engine.TrainStep(_step.Inputs, _step.Targets, Batch, TrainStepContestants.LearningRate);

    [Benchmark(Description = "OpenBLAS sgemv, update fused in sger")]
    [BenchmarkCategory(W5), Flops(WorkloadFlops.W5)]
    public float OpenBlas() => _step.OpenBlas.TrainStep(_step.Inputs, _step.Targets, Batch, TrainStepContestants.LearningRate);

    [Benchmark(Description = "TorchSharp nn.Sequential, optim.SGD")]
    [BenchmarkCategory(W5), Flops(WorkloadFlops.W5)]
    public float TorchSharp() => _step.TorchSharp.TrainStep();

    [Benchmark(Description = "plain C# TensorPrimitives Dot/MultiplyAdd")]
    [BenchmarkCategory(W5), Flops(WorkloadFlops.W5)]
    public float PlainCSharp() => _step.PlainCSharp.TrainStep(_step.Inputs, _step.Targets, Batch, TrainStepContestants.LearningRate);
}
