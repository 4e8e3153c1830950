using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;

namespace Backprop.Simd.Benchmarks.Probes;

/// <summary>
/// The FMA peak of one core, the ceiling for every GEMM (W3, W7). Twelve independent accumulator chains hide the
/// FMA latency (4 cycles × 2 pipes needs 8 in flight). Each operation is one flop, so the Mean, in ns per op, gives
/// GFLOP/s = 1 / Mean.
/// </summary>
[MemoryDiagnoser]
public class FmaPeak
{
    private const int Iterations = 1 << 18;
    private const int Accumulators = 12;

    // 2 flops per lane per FMA.
    private const int Vector512Flops = Iterations * Accumulators * 16 * 2;
    private const int Vector256Flops = Iterations * Accumulators * 8 * 2;

    private float[] _starts = [];
    private float _scale;
    private float _offset;

    private void Seed()
    {
        // acc ← acc·a + b converges to b/(1 − a) ≈ 0.1: no overflow, no subnormals to slow the pipes.
        _starts = SeededData.Uniform(new Random(SeededData.Seed), Accumulators, 0f, 1f);

        _scale = 0.999999f;
        _offset = 1e-7f;
    }

    [GlobalSetup(Target = nameof(Vector512FusedMultiplyAdd))]
    public void SetupVector512()
    {
        HardwareCategories.Require(HardwareCategories.Vector512);
        Seed();
    }

    [GlobalSetup(Target = nameof(Vector256FusedMultiplyAdd))]
    public void SetupVector256()
    {
        HardwareCategories.Require(HardwareCategories.Vector256Fma);
        Seed();
    }

    [Benchmark(OperationsPerInvoke = Vector512Flops, Description = "FMA peak, Vector512 (ns per flop; GFLOP/s = 1/Mean)")]
    [BenchmarkCategory(HardwareCategories.Vector512)]
    public float Vector512FusedMultiplyAdd() => Vector512Chains(_starts, _scale, _offset, Iterations);

    [Benchmark(OperationsPerInvoke = Vector256Flops, Description = "FMA peak, Vector256 (ns per flop; GFLOP/s = 1/Mean)")]
    [BenchmarkCategory(HardwareCategories.Vector256Fma)]
    public float Vector256FusedMultiplyAdd() => Vector256Chains(_starts, _scale, _offset, Iterations);

    // Each accumulator starts from its own seeded value so the JIT cannot prove two chains equal and merge them.
    // Fully optimized from the first call (no tier-0 spills, no OSR), so even a short run times the register loop.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Vector512Chains(float[] starts, float scale, float offset, int iterations)
    {
        Vector512<float> a = Vector512.Create(scale), b = Vector512.Create(offset);
        Vector512<float> c0 = Vector512.Create(starts[0]), c1 = Vector512.Create(starts[1]), c2 = Vector512.Create(starts[2]);
        Vector512<float> c3 = Vector512.Create(starts[3]), c4 = Vector512.Create(starts[4]), c5 = Vector512.Create(starts[5]);
        Vector512<float> c6 = Vector512.Create(starts[6]), c7 = Vector512.Create(starts[7]), c8 = Vector512.Create(starts[8]);
        Vector512<float> c9 = Vector512.Create(starts[9]), c10 = Vector512.Create(starts[10]), c11 = Vector512.Create(starts[11]);
        for (int i = 0; i < iterations; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(c0, a, b);
            c1 = Vector512.FusedMultiplyAdd(c1, a, b);
            c2 = Vector512.FusedMultiplyAdd(c2, a, b);
            c3 = Vector512.FusedMultiplyAdd(c3, a, b);
            c4 = Vector512.FusedMultiplyAdd(c4, a, b);
            c5 = Vector512.FusedMultiplyAdd(c5, a, b);
            c6 = Vector512.FusedMultiplyAdd(c6, a, b);
            c7 = Vector512.FusedMultiplyAdd(c7, a, b);
            c8 = Vector512.FusedMultiplyAdd(c8, a, b);
            c9 = Vector512.FusedMultiplyAdd(c9, a, b);
            c10 = Vector512.FusedMultiplyAdd(c10, a, b);
            c11 = Vector512.FusedMultiplyAdd(c11, a, b);
        }

        return Vector512.Sum(((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11)));
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Vector256Chains(float[] starts, float scale, float offset, int iterations)
    {
        Vector256<float> a = Vector256.Create(scale), b = Vector256.Create(offset);
        Vector256<float> c0 = Vector256.Create(starts[0]), c1 = Vector256.Create(starts[1]), c2 = Vector256.Create(starts[2]);
        Vector256<float> c3 = Vector256.Create(starts[3]), c4 = Vector256.Create(starts[4]), c5 = Vector256.Create(starts[5]);
        Vector256<float> c6 = Vector256.Create(starts[6]), c7 = Vector256.Create(starts[7]), c8 = Vector256.Create(starts[8]);
        Vector256<float> c9 = Vector256.Create(starts[9]), c10 = Vector256.Create(starts[10]), c11 = Vector256.Create(starts[11]);
        for (int i = 0; i < iterations; i++)
        {
            c0 = Vector256.FusedMultiplyAdd(c0, a, b);
            c1 = Vector256.FusedMultiplyAdd(c1, a, b);
            c2 = Vector256.FusedMultiplyAdd(c2, a, b);
            c3 = Vector256.FusedMultiplyAdd(c3, a, b);
            c4 = Vector256.FusedMultiplyAdd(c4, a, b);
            c5 = Vector256.FusedMultiplyAdd(c5, a, b);
            c6 = Vector256.FusedMultiplyAdd(c6, a, b);
            c7 = Vector256.FusedMultiplyAdd(c7, a, b);
            c8 = Vector256.FusedMultiplyAdd(c8, a, b);
            c9 = Vector256.FusedMultiplyAdd(c9, a, b);
            c10 = Vector256.FusedMultiplyAdd(c10, a, b);
            c11 = Vector256.FusedMultiplyAdd(c11, a, b);
        }

        return Vector256.Sum(((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11)));
    }
}
