using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using Backprop.Simd.Benchmarks.Regression;
using Backprop.Simd.Compare.Contract;
using Backprop.Simd.Kernels;

namespace Backprop.Simd.Benchmarks.Kernels;

/// <summary>
/// W4: the fused SGD update <c>W −= μ·g</c>, 12 bytes per element, so GB/s = 12·Elements / Mean and % of triad
/// bandwidth is <c>Triad.Vector512Triad</c>'s Mean over this one's at the same Elements. Beside it, the peer a C#
/// developer would write first, <c>TensorPrimitives.MultiplyAdd</c>, which switches to non-temporal stores above
/// 256 KiB per array; the Ratio column is engine over peer.
/// </summary>
[MemoryDiagnoser]
public class UpdateKernelsBenchmarks
{
    private const float LearningRate = 1e-3f;

    private float[] _weights = [];
    private float[] _gradients = [];

    /// <summary>8 MiB for both arrays and 128 MiB: past any L2; the larger is DRAM-bound unless the L3 holds it.</summary>
    [Params(1_048_576, 16_777_216)]
    public int Elements { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(SeededData.Seed);
        _weights = SeededData.Uniform(random, Elements);
        _gradients = SeededData.Uniform(random, Elements);
        CheckPeerAgainstReference();
    }

    // The gradients are kept (clearGradients: false) so every call streams the same data; w drifts by μ·g a call.
    [Normalize(BenchmarkKind.Bandwidth, Work = 12, Per = nameof(Elements))]
    [Benchmark(Description = "SgdUpdate W -= mu*g (streams past L2: L3/DRAM bandwidth; vs Triad)")]
    public void SgdUpdate() => UpdateKernels.SgdUpdate<float>(_weights, _gradients, LearningRate);

    // What Network.Update runs: the same update fused with g = 0, 16 bytes per element (GB/s = 16·Elements / Mean).
    // After the first call g is zero, which changes no instruction and no byte moved.
    [Normalize(BenchmarkKind.Bandwidth, Work = 16, Per = nameof(Elements))]
    [Benchmark(Description = "SgdUpdate W -= mu*g; g = 0 (Network.Update's pass, 16 B/elem; L3/DRAM bandwidth)")]
    public void SgdUpdateClearingGradients() => UpdateKernels.SgdUpdate<float>(_weights, _gradients, LearningRate, clearGradients: true);

    [Normalize(BenchmarkKind.Bandwidth, Work = 12, Per = nameof(Elements))]
    [Benchmark(Baseline = true, Description = "Peer: TensorPrimitives.MultiplyAdd(g, -mu, w, w) (same bounds)")]
    public void TensorPrimitivesMultiplyAdd() => TensorPrimitives.MultiplyAdd(_gradients, -LearningRate, _weights, _weights);

    /// <summary>The engine and the peer must both equal the scalar oracle before either is timed.</summary>
    private void CheckPeerAgainstReference()
    {
        float[] expected = [.. _weights];
        ScalarReference.SgdUpdate<float>(expected, _gradients, LearningRate);

        float[] actual = [.. _weights];
        UpdateKernels.SgdUpdate<float>(actual, _gradients, LearningRate);
        OutputCheck.AssertClose("UpdateKernels.SgdUpdate", expected, actual);

        _weights.CopyTo(actual, 0);
        TensorPrimitives.MultiplyAdd(_gradients, -LearningRate, actual, actual);
        OutputCheck.AssertClose("TensorPrimitives.MultiplyAdd", expected, actual);
    }
}
