using BenchmarkDotNet.Attributes;
using Backprop.Simd.Benchmarks.Regression;
using Backprop.Simd.Compare.Contract;
using Backprop.Simd.Kernels;

namespace Backprop.Simd.Benchmarks.Kernels;

/// <summary>
/// The three products of a dense layer (W3, and the W7 GEMM shapes). Each is 2·Batch·Inputs·Outputs flops, so
/// GFLOP/s = 2·B·I·O / Mean and % of FMA peak is that over <c>FmaPeak.Vector512FusedMultiplyAdd</c>. Forward + backward
/// is the sum of the three rows.
/// </summary>
[MemoryDiagnoser]
public class DenseKernelsBenchmarks
{
    private float[] _x = [];
    private float[] _w = [];
    private float[] _b = [];
    private float[] _y = [];
    private float[] _dy = [];
    private float[] _dx = [];
    private float[] _dw = [];

    /// <summary>W3's 1024→1024 at batch 256 (4 MiB of weights: FMA-bound if blocked well), W7's square 1024³ and the
    /// three layers of 784-256-128-10 at batch 64, and an odd shape whose every dimension leaves a tail, where call
    /// overhead and edge handling dominate.</summary>
    public static IEnumerable<DenseShape> Shapes =>
        [new(256, 1024, 1024), new(1024, 1024, 1024), new(64, 784, 256), new(64, 256, 128), new(64, 128, 10), new(9, 127, 33)];

    [ParamsSource(nameof(Shapes))]
    public DenseShape Shape { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(SeededData.Seed);
        (int batch, int inputs, int outputs) = Shape;
        _x = SeededData.Uniform(random, batch * inputs);
        _w = SeededData.Uniform(random, outputs * inputs);
        _b = SeededData.Uniform(random, outputs);
        _dy = SeededData.Uniform(random, batch * outputs);
        _y = new float[batch * outputs];
        _dx = new float[batch * inputs];
        _dw = new float[outputs * inputs];
    }

    [Normalize(BenchmarkKind.Compute, Per = nameof(Shape))]
    [Benchmark(Description = "DenseForward Y = X*W^T + b (FMA peak at 1024; overhead-bound when odd)")]
    public void DenseForward() => DenseKernels.DenseForward<float>(_y, _x, _w, _b, Shape.Batch, Shape.Inputs, Shape.Outputs);

    [Normalize(BenchmarkKind.Compute, Per = nameof(Shape))]
    [Benchmark(Description = "DenseBackwardData dX = dY*W (FMA peak at 1024; overhead-bound when odd)")]
    public void DenseBackwardData() => DenseKernels.DenseBackwardData<float>(_dx, _dy, _w, Shape.Batch, Shape.Inputs, Shape.Outputs);

    // Accumulates into dW on every call; the values only grow linearly, far from overflow in any run.
    [Normalize(BenchmarkKind.Compute, Per = nameof(Shape))]
    [Benchmark(Description = "DenseBackwardWeights dW += dY^T*X (FMA peak at 1024; overhead-bound when odd)")]
    public void DenseBackwardWeights() => DenseKernels.DenseBackwardWeights<float>(_dw, _dy, _x, Shape.Batch, Shape.Inputs, Shape.Outputs);
}

/// <summary>A dense layer's dimensions; its text is part of the benchmark's permanent ID.</summary>
public readonly record struct DenseShape(int Batch, int Inputs, int Outputs) : IHasWork
{
    /// <summary>The flops of one of the layer's products: 2·B·I·O.</summary>
    public double Work => 2.0 * Batch * Inputs * Outputs;

    public override string ToString() => $"{Inputs}->{Outputs} b{Batch}";
}
