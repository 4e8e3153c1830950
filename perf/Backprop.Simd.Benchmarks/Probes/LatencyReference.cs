using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;

namespace Backprop.Simd.Benchmarks.Probes;

/// <summary>
/// The reference for latency-bound rows (W1, W5): fixed scalar work that nothing can overlap, one long dependent chain
/// of integer multiply-adds (a linear congruential generator, 3–4 cycles a step on current x64 and Arm cores). Its time
/// follows the core's clock and nothing else (no memory, no vector unit), so a latency row divided by it, in the same
/// run, keeps only what the engine does. About 1 µs at 2–4 GHz.
/// </summary>
[MemoryDiagnoser]
public class LatencyReference
{
    /// <summary>Steps of the chain per call.</summary>
    public const int Steps = 1024;

    // Knuth's MMIX constants, read from fields so the JIT cannot fold the chain or turn the multiply into shifts.
    private ulong _multiplier;
    private ulong _increment;
    private ulong _seed;

    [GlobalSetup]
    public void Setup()
    {
        _multiplier = 6364136223846793005UL;
        _increment = 1442695040888963407UL;
        _seed = SeededData.Seed;
    }

    [Benchmark(Description = "Latency reference: 1024 dependent integer multiply-adds (the core's clock; latency rows are divided by it)")]
    public ulong DependentChain() => Chain(_seed, _multiplier, _increment, Steps);

    // Every step needs the previous one: the loop runs at the multiply-add's latency, not its throughput. Fully
    // optimized from the first call, as the FMA probe is, so a short run times the steady-state loop.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static ulong Chain(ulong state, ulong multiplier, ulong increment, int steps)
    {
        for (int i = 0; i < steps; i++)
        {
            state = unchecked((state * multiplier) + increment);
        }

        return state;
    }
}
