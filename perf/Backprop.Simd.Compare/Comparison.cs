using Backprop.Simd.Compare.Contract;

namespace Backprop.Simd.Compare;

/// <summary>What a benchmark's change amounts to.</summary>
public enum Verdict
{
    /// <summary>Significantly better, by more than the threshold.</summary>
    Improved,

    /// <summary>Significantly worse, by more than the threshold.</summary>
    Regressed,

    /// <summary>Within the threshold (significant or not).</summary>
    Same,

    /// <summary>Moved by more than the threshold, but not significantly: the iterations overlap too much to tell.</summary>
    Noise,
}

/// <summary>The thresholds of a comparison.</summary>
/// <param name="ThresholdPercent">A change smaller than this is "same"; a significant worsening beyond it regresses.</param>
/// <param name="FailBeyondPercent">Reporting mode: only significant regressions beyond this plus the row's spread
/// between rounds fail (null: strict mode, every regression fails). Allocation rises fail in both modes.</param>
/// <param name="Alpha">The significance level of the Mann-Whitney test.</param>
public sealed record ComparisonOptions(double ThresholdPercent = 5, double? FailBeyondPercent = null, double Alpha = 0.05)
{
    /// <summary>The worsening, in percent, beyond which a significant regression fails the comparison.</summary>
    public double FailingPercent => FailBeyondPercent ?? ThresholdPercent;

    /// <summary>No regression fails, however large (<c>--allocations-only</c>): only allocation rises do.</summary>
    public bool AllocationsOnly => double.IsPositiveInfinity(FailingPercent);
}

/// <summary>One benchmark found in both files.</summary>
/// <param name="Normalized">False when the raw medians were compared (normalization missing in a file).</param>
/// <param name="ChangePercent">(candidate − baseline) / baseline, of the figure compared, in percent.</param>
/// <param name="WorseningPercent">How much longer the candidate takes, in percent: the ratio of the figures (the other
/// way up for rates) minus one; negative when faster.</param>
/// <param name="ThresholdPercent">The threshold that applied to this row, on <paramref name="WorseningPercent"/>:
/// <c>--threshold</c>, or the spread of the baseline's rounds when that is larger (<see cref="Rounds"/>).</param>
/// <param name="Fails">A significant regression beyond the failing threshold.</param>
public sealed record BenchmarkComparison(
    string Id,
    BenchmarkKind? Kind,
    string Unit,
    bool Normalized,
    double BaselineMedian,
    double CandidateMedian,
    double ChangePercent,
    double WorseningPercent,
    double ThresholdPercent,
    MannWhitneyResult Test,
    Verdict Verdict,
    bool Fails,
    long? BaselineAllocated,
    long? CandidateAllocated)
{
    /// <summary>Any rise in allocated bytes per operation: always a failure.</summary>
    public bool AllocationRose => BaselineAllocated is { } before && CandidateAllocated is { } after && after > before;
}

/// <summary>The comparison of two runs: the benchmarks in both, those in one only, and what to warn about.</summary>
public sealed record ComparisonResult(
    IReadOnlyList<BenchmarkComparison> Benchmarks,
    IReadOnlyList<string> Added,
    IReadOnlyList<string> Removed,
    IReadOnlyList<string> Warnings)
{
    public bool Failed => Benchmarks.Any(b => b.Fails || b.AllocationRose);
}

/// <summary>Matches two runs by benchmark ID and judges each change against the thresholds.</summary>
public static class Comparison
{
    /// <exception cref="ResultsFileException">The runs have no benchmark (other than probes) in common.</exception>
    public static ComparisonResult Compare(
        ResultsFile baseline, string baselinePath, ResultsFile candidate, string candidatePath, ComparisonOptions options)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(options);
        Dictionary<string, BenchmarkResult> before = Engine(baseline).ToDictionary(b => b.Id, StringComparer.Ordinal);
        Dictionary<string, BenchmarkResult> after = Engine(candidate).ToDictionary(b => b.Id, StringComparer.Ordinal);

        var rows = new List<BenchmarkComparison>();
        var rawFallbacks = new List<string>();
        foreach (BenchmarkResult old in before.Values)
        {
            if (after.TryGetValue(old.Id, out BenchmarkResult? current))
            {
                BenchmarkComparison row = CompareOne(old, current, options);
                rows.Add(row);
                if (!row.Normalized)
                {
                    rawFallbacks.Add($"{old.Id}: {Why(old, baselinePath) ?? Why(current, candidatePath) ?? "its kind differs between the files"}");
                }
            }
        }

        if (rows.Count == 0)
        {
            throw new ResultsFileException(candidatePath, $"no benchmark in common with {baselinePath} (compare runs of the same suite)");
        }

        var warnings = new List<string>();
        if (baseline.Machine.Cpu != candidate.Machine.Cpu)
        {
            warnings.Add($"the runs come from different CPUs ('{baseline.Machine.Cpu}' and '{candidate.Machine.Cpu}'): normalized "
                + "figures travel better than times, but a different core is a different machine.");
        }

        if (baseline.Machine.Vector512Accelerated != candidate.Machine.Vector512Accelerated
            || baseline.Machine.VectorFloatCount != candidate.Machine.VectorFloatCount)
        {
            warnings.Add($"the vector hardware differs (Vector512 accelerated {baseline.Machine.Vector512Accelerated} and "
                + $"{candidate.Machine.Vector512Accelerated}, Vector<float>.Count {baseline.Machine.VectorFloatCount} and "
                + $"{candidate.Machine.VectorFloatCount}): the engine runs other code paths.");
        }

        if (baseline.Machine.SimdMaxWidth != candidate.Machine.SimdMaxWidth)
        {
            warnings.Add($"BACKPROP_SIMD_MAX_WIDTH differs: '{baseline.Machine.SimdMaxWidth ?? "unset"}' in the baseline, "
                + $"'{candidate.Machine.SimdMaxWidth ?? "unset"}' in the candidate.");
        }

        if (rawFallbacks.Count > 0)
        {
            warnings.Add($"normalization unavailable for {rawFallbacks.Count} benchmark(s); their raw ns medians are compared "
                + "instead (lower is better, same thresholds), and raw times drift with the machine:"
                + string.Concat(rawFallbacks.Select(line => Environment.NewLine + "    " + line)));
        }

        string[] added = [.. after.Keys.Where(id => !before.ContainsKey(id)).Order(StringComparer.Ordinal)];
        string[] removed = [.. before.Keys.Where(id => !after.ContainsKey(id)).Order(StringComparer.Ordinal)];
        return new ComparisonResult([.. rows.OrderBy(r => r.Id, StringComparer.Ordinal)], added, removed, warnings);
    }

    /// <summary>One benchmark: normalized figures when both files have them (of the same unit), raw ns otherwise.</summary>
    public static BenchmarkComparison CompareOne(BenchmarkResult baseline, BenchmarkResult candidate, ComparisonOptions options)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(options);
        bool normalized = baseline.Normalized is { } b && candidate.Normalized is { } c && b.Unit == c.Unit;
        (string unit, bool higherIsBetter, IReadOnlyList<double> x, double baseMedian, IReadOnlyList<double> baseRounds,
            IReadOnlyList<double> y, double candidateMedian, IReadOnlyList<double> candidateRounds) = normalized
            ? (baseline.Normalized!.Unit, baseline.Normalized.HigherIsBetter, baseline.Normalized.Values, baseline.Normalized.Median,
                baseline.Normalized.RoundMedians, candidate.Normalized!.Values, candidate.Normalized.Median, candidate.Normalized.RoundMedians)
            : ("ns", false, baseline.RawNanoseconds, baseline.RawMedianNanoseconds, baseline.RawRoundMedians,
                candidate.RawNanoseconds, candidate.RawMedianNanoseconds, candidate.RawRoundMedians);

        double change = 100 * (candidateMedian - baseMedian) / baseMedian;

        // Judged as time: how much longer the candidate takes (the figures' ratio, the other way up for rates), so a
        // 2× slowdown is +100% whatever the row's unit (as a fall in % of peak it could never pass 100%).
        double worsening = 100 * ((higherIsBetter ? baseMedian / candidateMedian : candidateMedian / baseMedian) - 1);

        // A change within the run-to-run spread the baseline's rounds showed is not evidence of anything. (The
        // candidate's own spread is left out: a regression that hits some of its rounds must not widen its own threshold.)
        double noise = Spread(baseRounds);
        double threshold = Math.Max(options.ThresholdPercent, noise);
        MannWhitneyResult test = MannWhitney.Test(x, y);
        bool significant = test.PValue < options.Alpha;
        Verdict verdict = Math.Abs(worsening) <= threshold ? Verdict.Same
            : !significant ? Verdict.Noise
            : worsening > 0 ? Verdict.Regressed
            : Verdict.Improved;
        // Strict mode fails on any regression beyond the row's threshold; reporting mode only beyond its noise plus
        // --fail-only-beyond ("far beyond noise": a CI machine's bad minutes must not turn it red).
        double failing = options.FailBeyondPercent is { } beyond ? beyond + noise : threshold;
        bool fails = verdict == Verdict.Regressed && worsening > failing;
        return new BenchmarkComparison(
            baseline.Id, baseline.Kind, unit, normalized, baseMedian, candidateMedian, change, worsening, threshold, test, verdict, fails,
            baseline.AllocatedBytesPerOperation, candidate.AllocatedBytesPerOperation);
    }

    /// <summary>The spread of a file's round medians as a time ratio, in percent: (max / min − 1); 0 for one round.</summary>
    public static double Spread(IReadOnlyList<double> roundMedians)
    {
        ArgumentNullException.ThrowIfNull(roundMedians);
        if (roundMedians.Count < 2)
        {
            return 0;
        }

        double min = roundMedians.Min();
        return min > 0 ? 100 * ((roundMedians.Max() / min) - 1) : 0;
    }

    // Probes measure the machine: they are the references, shown beside the table, never judged.
    private static IEnumerable<BenchmarkResult> Engine(ResultsFile run) => run.Benchmarks.Where(b => b.Kind != BenchmarkKind.Probe);

    private static string? Why(BenchmarkResult result, string path)
        => result.Normalized is null ? $"{result.NormalizationUnavailable ?? "not normalized"} ({Path.GetFileName(path)})" : null;
}
