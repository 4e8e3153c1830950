using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Backprop.Simd.Kernels;
using Backprop.Simd.Peers.Infrastructure;

namespace Backprop.Simd.Peers.Workloads;

/// <summary>
/// W3: a dense layer 1024→1024 at batch 256 (4 MiB of weights; FMA-bound if blocked well), forward
/// (<c>Y = X·Wᵀ + b</c>, 0.54 GFLOP) and forward + backward (also <c>dX = dY·W</c>, <c>dW += dYᵀ·X</c>, <c>db</c>;
/// 1.61 GFLOP). The engine's <c>DenseKernels</c> are the baseline; every peer is checked against them in [GlobalSetup].
/// ONNX Runtime is inference only.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class W3DenseLayerBenchmarks
{
    private const string Forward = "W3-forward";
    private const string ForwardBackward = "W3-forward-backward";

    private DenseContestants _layer = null!;
    private GemmWorkers _workers = null!;

    [GlobalSetup]
    public void Setup()
    {
        PeerSetup.Prepare();
        var agreement = new Agreement();
        _layer = new DenseContestants(batch: 256, inputs: 1024, outputs: 1024, bias: true, backward: true);
        _workers = new GemmWorkers(2);
        _layer.CheckForward(Forward, agreement);
        _layer.CheckForwardBackward(ForwardBackward, agreement);
        agreement.ThrowIfAnyDisagrees();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _layer?.Dispose();
        _workers?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "engine DenseForward")]
    [BenchmarkCategory(Forward), Flops(WorkloadFlops.W3Forward)]
    public void EngineForward() => _layer.EngineForward();

    // BENCHMARKS.md: W1–W3 also with 2 threads where the engine offers parallelism (the peers stay on one).
    [Benchmark(Description = "engine DenseForward, 2 threads (GemmWorkers)")]
    [BenchmarkCategory(Forward), Flops(WorkloadFlops.W3Forward)]
    public void EngineForwardTwoThreads() => _layer.EngineForward(_workers);

    [Benchmark(Description = "ONNX Runtime Gemm, IO binding")]
    [BenchmarkCategory(Forward), Flops(WorkloadFlops.W3Forward)]
    public void OnnxRuntimeForward() => _layer.OnnxRuntime.Run();

    [Benchmark(Description = "OpenBLAS sgemm NT")]
    [BenchmarkCategory(Forward), Flops(WorkloadFlops.W3Forward)]
    public void OpenBlasForward() => _layer.OpenBlasForward();

    [Benchmark(Description = "TorchSharp nn.Linear, no_grad")]
    [BenchmarkCategory(Forward), Flops(WorkloadFlops.W3Forward)]
    public void TorchSharpForward() => _layer.TorchSharp.Forward();

    [Benchmark(Description = "plain C# TensorPrimitives.Dot")]
    [BenchmarkCategory(Forward), Flops(WorkloadFlops.W3Forward)]
    public void PlainCSharpForward() => _layer.PlainCSharpForward();

    // The weight and bias gradients accumulate on every call; the values only grow linearly, far from overflow in any run.
    [Benchmark(Baseline = true, Description = "engine DenseForward + Backward{Data,Weights,Bias}")]
    [BenchmarkCategory(ForwardBackward), Flops(WorkloadFlops.W3ForwardBackward)]
    public void EngineForwardBackward() => _layer.EngineForwardBackward();

    [Benchmark(Description = "engine forward + backward, 2 threads (GemmWorkers)")]
    [BenchmarkCategory(ForwardBackward), Flops(WorkloadFlops.W3ForwardBackward)]
    public void EngineForwardBackwardTwoThreads() => _layer.EngineForwardBackward(_workers);

    [Benchmark(Description = "OpenBLAS sgemm NT, NN, TN")]
    [BenchmarkCategory(ForwardBackward), Flops(WorkloadFlops.W3ForwardBackward)]
    public void OpenBlasForwardBackward() => _layer.OpenBlasForwardBackward();

    [Benchmark(Description = "TorchSharp nn.Linear, autograd backward")]
    [BenchmarkCategory(ForwardBackward), Flops(WorkloadFlops.W3ForwardBackward)]
    public void TorchSharpForwardBackward() => _layer.TorchSharp.ForwardBackward();

    [Benchmark(Description = "plain C# TensorPrimitives Dot/MultiplyAdd")]
    [BenchmarkCategory(ForwardBackward), Flops(WorkloadFlops.W3ForwardBackward)]
    public void PlainCSharpForwardBackward() => _layer.PlainCSharpForwardBackward();
}
