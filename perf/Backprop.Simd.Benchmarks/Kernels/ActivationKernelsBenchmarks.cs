using BenchmarkDotNet.Attributes;
using Backprop.Simd.Benchmarks.Regression;
using Backprop.Simd.Compare.Contract;
using Backprop.Simd.Kernels;

namespace Backprop.Simd.Benchmarks.Kernels;

/// <summary>
/// Activations over 6·512+7 elements: every width's tail is exercised, and the ~36 KiB touched stays in L1/L2,
/// so ReLU is bound by load/store bandwidth and GELU by its exp and divide throughput.
/// </summary>
[MemoryDiagnoser]
public class ActivationKernelsBenchmarks
{
    private const int Length = (6 * 512) + 7;

    private float[] _z = [];
    private float[] _a = [];
    private float[] _da = [];
    private float[] _dz = [];

    [Params(Activation.Relu, Activation.Gelu)]
    public Activation Activation { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(SeededData.Seed);
        _z = SeededData.Uniform(random, Length, -4f, 4f);
        _da = SeededData.Uniform(random, Length);
        _a = new float[Length];
        _dz = new float[Length];
        ActivationKernels.ActivationForward<float>(Activation, _z, _a);
    }

    // Reads z, writes a: 8 bytes per element (GELU is bound by its exp, but the figure still tracks it in one run).
    [Normalize(BenchmarkKind.Bandwidth, Work = 8 * Length)]
    [Benchmark(Description = "ActivationForward a = f(z), 3079 floats (L1 bandwidth for ReLU; exp throughput for GELU)")]
    public void ActivationForward() => ActivationKernels.ActivationForward<float>(Activation, _z, _a);

    // Reads da and one of z or a, writes dz: 12 bytes per element.
    [Normalize(BenchmarkKind.Bandwidth, Work = 12 * Length)]
    [Benchmark(Description = "ActivationBackward dz = da*f'(z), 3079 floats (L1 bandwidth for ReLU; exp throughput for GELU)")]
    public void ActivationBackward() => ActivationKernels.ActivationBackward<float>(Activation, _dz, _da, _z, _a);
}
