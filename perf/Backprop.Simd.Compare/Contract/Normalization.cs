using System.Globalization;

namespace Backprop.Simd.Compare.Contract;

/// <summary>What bounds a benchmark, and so which of the run's probes its time is normalized by.</summary>
public enum BenchmarkKind
{
    /// <summary>Flops per operation over the time, as a percentage of the FMA peak (higher is better).</summary>
    Compute,

    /// <summary>Bytes moved per operation over the time, as a percentage of the triad bandwidth (higher is better).</summary>
    Bandwidth,

    /// <summary>The time as a multiple of the latency reference's (lower is better).</summary>
    Latency,

    /// <summary>A probe: measures the machine, is not normalized and never regresses.</summary>
    Probe,
}

/// <summary>
/// The arithmetic of normalization, free of BenchmarkDotNet so that it is tested on its own: a benchmark's time per
/// iteration is turned into a fraction of a limit measured in the same run, which drifts with the machine as the
/// benchmark does.
/// </summary>
public static class Normalization
{
    /// <summary>Bytes one element of the triad moves: read w and g, write w (4 bytes each).</summary>
    public const int TriadBytesPerElement = 12;

    /// <summary>The median; NaN for no values.</summary>
    public static double Median(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        double[] sorted = [.. values];
        Array.Sort(sorted);
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>The probe figures of a run from their raw iterations (each null when its probe did not run).</summary>
    /// <param name="fmaNanosecondsPerFlop">FmaPeak.Vector512FusedMultiplyAdd: ns per flop, so GFLOP/s = 1 / ns.</param>
    /// <param name="triadNanoseconds">Triad.Vector512Triad: ns per pass over <paramref name="triadElements"/> floats.</param>
    /// <param name="referenceNanoseconds">LatencyReference: ns per fixed dependent chain.</param>
    public static ProbeFigures Probes(
        IReadOnlyCollection<double>? fmaNanosecondsPerFlop,
        IReadOnlyCollection<double>? triadNanoseconds,
        int triadElements,
        IReadOnlyCollection<double>? referenceNanoseconds)
        => new(
            Positive(fmaNanosecondsPerFlop, median => 1 / median),
            Positive(triadNanoseconds, median => (double)TriadBytesPerElement * triadElements / median),
            Positive(referenceNanoseconds, median => median));

    /// <summary>The unit of <paramref name="kind"/>'s normalized figure.</summary>
    public static string Unit(BenchmarkKind kind) => kind switch
    {
        BenchmarkKind.Compute => "% of FMA peak",
        BenchmarkKind.Bandwidth => "% of triad",
        BenchmarkKind.Latency => "× reference",
        _ => "ns",
    };

    /// <summary>Whether a larger normalized figure of <paramref name="kind"/> is the better one.</summary>
    public static bool HigherIsBetter(BenchmarkKind kind) => kind is BenchmarkKind.Compute or BenchmarkKind.Bandwidth;

    /// <summary>
    /// Each iteration of a benchmark against the run's probe: compute, <c>100·(work / ns) / FMA peak GFLOP/s</c>
    /// (flops per ns is GFLOP/s); bandwidth, <c>100·(work / ns) / triad GB/s</c> (bytes per ns is GB/s); latency,
    /// <c>ns / reference ns</c>. Null, with the reason in <paramref name="unavailable"/>, when the probe or the work
    /// is missing or the kind has no normalization.
    /// </summary>
    public static NormalizedFigures? Normalize(
        BenchmarkKind? kind, double? work, IReadOnlyList<double> rawNanoseconds, ProbeFigures probes, out string? unavailable)
    {
        (double? reference, string probe) = kind switch
        {
            BenchmarkKind.Compute => (probes.FmaPeakGflops, "FmaPeak.Vector512FusedMultiplyAdd"),
            BenchmarkKind.Bandwidth => (probes.TriadGBPerSecond, "Triad.Vector512Triad(Elements: 16777216)"),
            BenchmarkKind.Latency => (probes.LatencyReferenceNanoseconds, "LatencyReference.DependentChain"),
            _ => ((double?)null, string.Empty),
        };

        unavailable = kind switch
        {
            null => "the benchmark declares no kind ([Normalize])",
            BenchmarkKind.Probe => "a probe is the reference, not normalized",
            _ when reference is null => $"no {probe} in this run",
            BenchmarkKind.Compute or BenchmarkKind.Bandwidth when work is not > 0 => "no work per operation declared",
            _ => null,
        };
        if (unavailable is not null || rawNanoseconds.Count == 0)
        {
            unavailable ??= "no measurements";
            return null;
        }

        BenchmarkKind known = kind!.Value;
        double[] values = new double[rawNanoseconds.Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = known == BenchmarkKind.Latency
                ? rawNanoseconds[i] / reference!.Value
                : 100 * (work!.Value / rawNanoseconds[i]) / reference!.Value;
        }

        double median = Median(values);
        return new NormalizedFigures(Unit(known), HigherIsBetter(known), values, median, [median]);
    }

    /// <summary>A normalized figure as a column shows it: "78.3% peak", "95.1% triad", "1.23× ref".</summary>
    public static string Format(string unit, double value) => unit switch
    {
        "% of FMA peak" => Invariant($"{value:F1}% peak"),
        "% of triad" => Invariant($"{value:F1}% triad"),
        "× reference" => Invariant($"{value:F3}× ref"),
        _ => Invariant($"{value:N1} {unit}"),
    };

    private static double? Positive(IReadOnlyCollection<double>? values, Func<double, double> figure)
        => values is { Count: > 0 } && Median(values) is > 0 and var median ? figure(median) : null;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
