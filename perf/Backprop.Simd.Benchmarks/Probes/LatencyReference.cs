using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;

namespace Backprop.Simd.Benchmarks.Probes;

/// <summary>
/// The reference for latency-bound rows (W1, W5): fixed scalar work that nothing can overlap, one long dependent chain
/// of integer multiply-adds (a linear congruential generator: a multiply, 3 cycles, then an add, 1, on current x64
/// cores). Its time follows the core's clock and nothing else (no memory, no vector unit), so a latency row divided by
/// it, in the same run, keeps what the engine does. 512 steps, ~2,048 cycles: 639-749 ns measured in this VM's runs.
/// </summary>
[MemoryDiagnoser]
public class LatencyReference
{
    /// <summary>Steps of the chain per call.</summary>
    public const int Steps = 512;

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

    [Benchmark(Description = "Latency reference: 512 dependent integer multiply-adds (the core's clock; latency rows are divided by it)")]
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
