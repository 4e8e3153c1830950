using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;

namespace Backprop.Simd.Benchmarks.Probes;

/// <summary>
/// The streaming ceiling for the fused update (W4) and for anything that streams weights: <c>w[i] = w[i] − μ·g[i]</c>,
/// hand-vectorized with plain stores, 12 bytes per element (read w and g, write w), so GB/s = 12·Elements / Mean.
/// 1 Mi floats (8 MiB for both arrays) streams from L3; 16 Mi (128 MiB) from DRAM, unless the L3 is larger (say so
/// when reporting: lscpu's L3 line). Ordinary managed
/// arrays, as the engine's parameter buffer is, so a ratio against <c>UpdateKernelsBenchmarks.SgdUpdate</c> isolates
/// the kernel.
/// </summary>
[MemoryDiagnoser]
public class Triad
{
    private const float LearningRate = 1e-3f;

    private float[] _weights = [];
    private float[] _gradients = [];

    /// <summary>Elements of each array: the two W4 sizes.</summary>
    [Params(1_048_576, 16_777_216)]
    public int Elements { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        HardwareCategories.Require(HardwareCategories.Vector512);
        var random = new Random(SeededData.Seed);
        _weights = SeededData.Uniform(random, Elements);
        _gradients = SeededData.Uniform(random, Elements);
    }

    [Benchmark(Description = "Triad w -= mu*g, Vector512 (L3/DRAM bandwidth; GB/s = 12*Elements/Mean)")]
    [BenchmarkCategory(HardwareCategories.Vector512)]
    public void Vector512Triad() => Vector512Update(_weights, _gradients, LearningRate);

    private static void Vector512Update(float[] weights, float[] gradients, float learningRate)
    {
        ref float w = ref MemoryMarshal.GetArrayDataReference(weights);
        ref float g = ref MemoryMarshal.GetArrayDataReference(gradients);
        Vector512<float> step = Vector512.Create(-learningRate);
        nuint length = (nuint)weights.Length;
        nuint i = 0;
        for (; i + (nuint)Vector512<float>.Count <= length; i += (nuint)Vector512<float>.Count)
        {
            Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref g, i), step, Vector512.LoadUnsafe(ref w, i)).StoreUnsafe(ref w, i);
        }

        for (; i < length; i++)
        {
            weights[i] = MathF.FusedMultiplyAdd(gradients[i], -learningRate, weights[i]);
        }
    }
}
