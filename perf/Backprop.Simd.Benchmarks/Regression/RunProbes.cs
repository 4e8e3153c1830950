using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Running;
using Backprop.Simd.Benchmarks.Probes;

namespace Backprop.Simd.Benchmarks.Regression;

/// <summary>
/// The three probes every run includes, so each engine row can be normalized by limits measured in the same run:
/// the Vector512 FMA peak, the triad at 16 Mi floats (past the caches) and the latency reference.
/// </summary>
public static class RunProbes
{
    /// <summary>The triad size whose bandwidth is the reference (the largest W4 size).</summary>
    public const int TriadElements = 16_777_216;

    /// <summary>One core's Vector512 FMA peak: the reference of compute rows.</summary>
    public static readonly string FmaPeakId = $"{typeof(FmaPeak).FullName}.{nameof(FmaPeak.Vector512FusedMultiplyAdd)}";

    /// <summary>The triad past the caches: the reference of bandwidth rows.</summary>
    public static readonly string TriadId =
        $"{typeof(Triad).FullName}.{nameof(Triad.Vector512Triad)}({nameof(Triad.Elements)}: {TriadElements})";

    /// <summary>The fixed dependent chain: the reference of latency rows.</summary>
    public static readonly string LatencyReferenceId = $"{typeof(LatencyReference).FullName}.{nameof(LatencyReference.DependentChain)}";

    /// <summary>The probes' IDs, also their filter patterns: exact names, no wildcards.</summary>
    public static IReadOnlyList<string> Ids { get; } = [FmaPeakId, TriadId, LatencyReferenceId];

    /// <summary>
    /// <paramref name="args"/> with the probes added to the values of <c>--filter</c> (or <c>-f</c>), when it has one;
    /// a run without a filter (the interactive menu, <c>--list</c>) is left alone.
    /// </summary>
    public static string[] AddToFilter(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        int filter = Array.FindIndex(args, a => a is "--filter" or "-f");
        return filter < 0 ? args : [.. args[..(filter + 1)], .. Ids, .. args[(filter + 1)..]];
    }

    /// <summary>Whether <paramref name="benchmarkCase"/> is one of the probes' benchmarks (any size or width).</summary>
    public static bool IsProbe(BenchmarkCase benchmarkCase)
        => benchmarkCase.Descriptor.Type.Namespace == typeof(FmaPeak).Namespace;
}
