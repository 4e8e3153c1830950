using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Backprop.Simd.Benchmarks;
using Backprop.Simd.Kernels;
using Backprop.Simd.Model;
using Backprop.Simd.Peers.Infrastructure;

namespace Backprop.Simd.Peers.Workloads;

/// <summary>
/// W1: single-sample inference, 784-128-10 (ReLU hidden, logits; ~400 KB of weights, in L2: L2 load bandwidth and
/// per-call overhead) and 16-32-1 (2.2 KB, in L1: per-call overhead is all there is). The engine's
/// <c>Network.Predict</c> is the baseline of each category; every peer computes with the engine's weights and input and
/// is checked against it (the engine against the naive oracle) in [GlobalSetup].
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class W1PredictBenchmarks
{
    private const string Mnist = "W1-784-128-10";
    private const string Tiny = "W1-16-32-1";

    private PredictContestants _mnist = null!;
    private PredictContestants _tiny = null!;

    [GlobalSetup]
    public void Setup()
    {
        PeerSetup.Prepare();
        var random = new Random(SeededData.Seed);
        var agreement = new Agreement();
        _mnist = new PredictContestants(Mnist, NetworkSpec.Parse("784-128-10"), SeededData.Uniform(random, 784, 0f, 1f), agreement);
        _tiny = new PredictContestants(Tiny, NetworkSpec.Parse("16-32-1", loss: Loss.SquaredError), SeededData.Uniform(random, 16), agreement);
        agreement.ThrowIfAnyDisagrees();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _mnist?.Dispose();
        _tiny?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "engine Network.Predict")]
    [BenchmarkCategory(Mnist), Flops(WorkloadFlops.W1Mnist)]
    public void EngineMnist() => _mnist.Engine.Predict(_mnist.Input, _mnist.Output);

    [Benchmark(Description = "engine InferenceModel.Predict")]
    [BenchmarkCategory(Mnist), Flops(WorkloadFlops.W1Mnist)]
    public void EngineInferenceModelMnist() => _mnist.Model.Predict(_mnist.Input, _mnist.Output);

    [Benchmark(Description = "ONNX Runtime Gemm+Relu, IO binding")]
    [BenchmarkCategory(Mnist), Flops(WorkloadFlops.W1Mnist)]
    public void OnnxRuntimeMnist() => _mnist.OnnxRuntime.Run();

    [Benchmark(Description = "OpenBLAS sgemv")]
    [BenchmarkCategory(Mnist), Flops(WorkloadFlops.W1Mnist)]
    public void OpenBlasMnist() => _mnist.OpenBlas.Predict(_mnist.Input, _mnist.Output);

    [Benchmark(Description = "TorchSharp nn.Sequential, no_grad")]
    [BenchmarkCategory(Mnist), Flops(WorkloadFlops.W1Mnist)]
    public void TorchSharpMnist() => _mnist.TorchSharp.Predict(_mnist.Output);

    [Benchmark(Description = "plain C# TensorPrimitives.Dot")]
    [BenchmarkCategory(Mnist), Flops(WorkloadFlops.W1Mnist)]
    public void PlainCSharpMnist() => _mnist.PlainCSharp.Predict(_mnist.Input, _mnist.Output);

    [Benchmark(Baseline = true, Description = "engine Network.Predict")]
    [BenchmarkCategory(Tiny), Flops(WorkloadFlops.W1Tiny)]
    public void EngineTiny() => _tiny.Engine.Predict(_tiny.Input, _tiny.Output);

    [Benchmark(Description = "engine InferenceModel.Predict")]
    [BenchmarkCategory(Tiny), Flops(WorkloadFlops.W1Tiny)]
    public void EngineInferenceModelTiny() => _tiny.Model.Predict(_tiny.Input, _tiny.Output);

    [Benchmark(Description = "ONNX Runtime Gemm+Relu, IO binding")]
    [BenchmarkCategory(Tiny), Flops(WorkloadFlops.W1Tiny)]
    public void OnnxRuntimeTiny() => _tiny.OnnxRuntime.Run();

    [Benchmark(Description = "OpenBLAS sgemv")]
    [BenchmarkCategory(Tiny), Flops(WorkloadFlops.W1Tiny)]
    public void OpenBlasTiny() => _tiny.OpenBlas.Predict(_tiny.Input, _tiny.Output);

    [Benchmark(Description = "TorchSharp nn.Sequential, no_grad")]
    [BenchmarkCategory(Tiny), Flops(WorkloadFlops.W1Tiny)]
    public void TorchSharpTiny() => _tiny.TorchSharp.Predict(_tiny.Output);

    [Benchmark(Description = "plain C# TensorPrimitives.Dot")]
    [BenchmarkCategory(Tiny), Flops(WorkloadFlops.W1Tiny)]
    public void PlainCSharpTiny() => _tiny.PlainCSharp.Predict(_tiny.Input, _tiny.Output);
}
