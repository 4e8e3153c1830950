using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Backprop.Simd.Kernels;
using Backprop.Simd.Peers.Infrastructure;

namespace Backprop.Simd.Peers.Workloads;

/// <summary>
/// W7: the GEMM <c>C = A·Bᵀ</c>, A [m, k], B [n, k] row-major (the engine's <c>DenseForward</c> with no bias; OpenBLAS
/// sgemm NT; ONNX Runtime Gemm transB = 1 with both operands as inputs; TorchSharp <c>nn.Linear</c> without bias, i.e. <c>F.linear(A, B)</c>), square
/// 1024³ (2.15 GFLOP, FMA peak). The engine is the baseline; every peer is checked against it in [GlobalSetup].
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class W7GemmBenchmarks
{
    private const string Square = "W7-1024";

    private DenseContestants _gemm = null!;
    private GemmWorkers _workers = null!;

    [GlobalSetup]
    public void Setup()
    {
        PeerSetup.Prepare();
        var agreement = new Agreement();
        _gemm = new DenseContestants(batch: 1024, inputs: 1024, outputs: 1024, bias: false, backward: false);
        _workers = new GemmWorkers(2);
        _gemm.CheckForward(Square, agreement);
        agreement.ThrowIfAnyDisagrees();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _gemm?.Dispose();
        _workers?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "engine DenseForward, no bias")]
    [BenchmarkCategory(Square), Flops(WorkloadFlops.W7Square)]
    public void Engine() => _gemm.EngineForward();

    [Benchmark(Description = "engine DenseForward, no bias, 2 threads (GemmWorkers)")]
    [BenchmarkCategory(Square), Flops(WorkloadFlops.W7Square)]
    public void EngineTwoThreads() => _gemm.EngineForward(_workers);

    [Benchmark(Description = "ONNX Runtime Gemm transB, IO binding")]
    [BenchmarkCategory(Square), Flops(WorkloadFlops.W7Square)]
    public void OnnxRuntime() => _gemm.OnnxRuntime.Run();

    [Benchmark(Description = "OpenBLAS sgemm NT")]
    [BenchmarkCategory(Square), Flops(WorkloadFlops.W7Square)]
    public void OpenBlas() => _gemm.OpenBlasForward();

    [Benchmark(Description = "TorchSharp nn.Linear (no bias), no_grad")]
    [BenchmarkCategory(Square), Flops(WorkloadFlops.W7Square)]
    public void TorchSharp() => _gemm.TorchSharp.Forward();

    [Benchmark(Description = "plain C# TensorPrimitives.Dot")]
    [BenchmarkCategory(Square), Flops(WorkloadFlops.W7Square)]
    public void PlainCSharp() => _gemm.PlainCSharpForward();
}

/// <summary>
/// W7 at the W2 layer shapes, batch 64: <c>C = A·Bᵀ</c> for 784→256, 256→128 and 128→10 (forward, no bias), where
/// call overhead and edge handling weigh more than at 1024³. Same contestants and check as <see cref="W7GemmBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class W7LayerGemmBenchmarks
{
    private const string Layers = "W7-W2-layers-b64";

    private DenseContestants _gemm = null!;

    /// <summary>The three layer products of W2's forward pass at batch 64.</summary>
    public static IEnumerable<GemmShape> Shapes => [new(64, 784, 256), new(64, 256, 128), new(64, 128, 10)];

    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        PeerSetup.Prepare();
        var agreement = new Agreement();
        _gemm = new DenseContestants(Shape.Batch, Shape.Inputs, Shape.Outputs, bias: false, backward: false);
        _gemm.CheckForward($"W7-{Shape}", agreement);
        agreement.ThrowIfAnyDisagrees();
    }

    [GlobalCleanup]
    public void Cleanup() => _gemm?.Dispose();

    [Benchmark(Baseline = true, Description = "engine DenseForward, no bias")]
    [BenchmarkCategory(Layers)]
    public void Engine() => _gemm.EngineForward();

    [Benchmark(Description = "ONNX Runtime Gemm transB, IO binding")]
    [BenchmarkCategory(Layers)]
    public void OnnxRuntime() => _gemm.OnnxRuntime.Run();

    [Benchmark(Description = "OpenBLAS sgemm NT")]
    [BenchmarkCategory(Layers)]
    public void OpenBlas() => _gemm.OpenBlasForward();

    [Benchmark(Description = "TorchSharp nn.Linear (no bias), no_grad")]
    [BenchmarkCategory(Layers)]
    public void TorchSharp() => _gemm.TorchSharp.Forward();

    [Benchmark(Description = "plain C# TensorPrimitives.Dot")]
    [BenchmarkCategory(Layers)]
    public void PlainCSharp() => _gemm.PlainCSharpForward();
}

/// <summary>A GEMM <c>[Batch, Inputs]·[Outputs, Inputs]ᵀ</c>; its text is part of the benchmark's permanent ID.</summary>
public readonly record struct GemmShape(int Batch, int Inputs, int Outputs) : IHasFlops
{
    public double Flops => 2.0 * Batch * Inputs * Outputs;

    public override string ToString() => $"{Inputs}->{Outputs} b{Batch}";
}
