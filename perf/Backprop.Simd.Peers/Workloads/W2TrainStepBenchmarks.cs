using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Backprop.Simd.Benchmarks;
using Backprop.Simd.Kernels;
using Backprop.Simd.Model;
using Backprop.Simd.Peers.Infrastructure;

namespace Backprop.Simd.Peers.Workloads;

/// <summary>
/// W2: one SGD training step of 784-256-128-10 (ReLU, softmax cross-entropy) at batch 64: GEMMs of the layer shapes
/// (FMA peak) over ~1 MB of parameters (L2/L3). The engine's <c>Network.TrainStep</c> is the baseline; every peer starts
/// from the engine's weights and is checked after one step in [GlobalSetup]. ONNX Runtime is inference only.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class W2TrainStepBenchmarks
{
    private const string W2 = "W2";
    private const int Batch = 64;

    private TrainStepContestants _step = null!;
    private Network<float> _twoThreads = null!;
    private GemmWorkers _workers = null!;

    [GlobalSetup]
    public void Setup()
    {
        PeerSetup.Prepare();
        var agreement = new Agreement();
        _step = new TrainStepContestants(W2, NetworkSpec.Parse("784-256-128-10"), Batch, new Random(SeededData.Seed), agreement);
        _workers = new GemmWorkers(2);
        _twoThreads = new Network<float>(_step.Engine.Spec, maxBatch: Batch, seed: SeededData.Seed) { Workers = _workers };
        agreement.ThrowIfAnyDisagrees();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _step?.Dispose();
        _workers?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "engine Network.TrainStep")]
    [BenchmarkCategory(W2), Flops(WorkloadFlops.W2)]
    public float Engine() => _step.Engine.TrainStep(_step.Inputs, _step.Targets, Batch, TrainStepContestants.LearningRate);

    [Benchmark(Description = "engine Network.TrainStep, 2 threads (GemmWorkers)")]
    [BenchmarkCategory(W2), Flops(WorkloadFlops.W2)]
    public float EngineTwoThreads() => _twoThreads.TrainStep(_step.Inputs, _step.Targets, Batch, TrainStepContestants.LearningRate);

    [Benchmark(Description = "OpenBLAS sgemm, update fused in dW sgemm")]
    [BenchmarkCategory(W2), Flops(WorkloadFlops.W2)]
    public float OpenBlas() => _step.OpenBlas.TrainStep(_step.Inputs, _step.Targets, Batch, TrainStepContestants.LearningRate);

    [Benchmark(Description = "TorchSharp nn.Sequential, optim.SGD")]
    [BenchmarkCategory(W2), Flops(WorkloadFlops.W2)]
    public float TorchSharp() => _step.TorchSharp.TrainStep();

    [Benchmark(Description = "plain C# TensorPrimitives Dot/MultiplyAdd")]
    [BenchmarkCategory(W2), Flops(WorkloadFlops.W2)]
    public float PlainCSharp() => _step.PlainCSharp.TrainStep(_step.Inputs, _step.Targets, Batch, TrainStepContestants.LearningRate);
}
