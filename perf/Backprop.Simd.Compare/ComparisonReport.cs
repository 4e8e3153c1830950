using System.Globalization;
using Backprop.Simd.Compare.Contract;

namespace Backprop.Simd.Compare;

/// <summary>Prints a comparison: the two runs, their probes, one row per benchmark, then what fails and why.</summary>
public static class ComparisonReport
{
    public static void Write(
        TextWriter output,
        ResultsFile baseline,
        string baselinePath,
        ResultsFile candidate,
        string candidatePath,
        ComparisonResult result,
        ComparisonOptions options)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(options);

        output.WriteLine($"baseline:  {baselinePath}  {Describe(baseline.Machine)}");
        output.WriteLine($"candidate: {candidatePath}  {Describe(candidate.Machine)}");
        output.WriteLine();
        WriteTable(output, "LRRR", ["probe (median)", "baseline", "candidate", "change"],
        [
            ProbeRow("FMA peak, Vector512", "GFLOP/s", baseline.Probes.FmaPeakGflops, candidate.Probes.FmaPeakGflops),
            ProbeRow("triad, 16 Mi floats", "GB/s", baseline.Probes.TriadGBPerSecond, candidate.Probes.TriadGBPerSecond),
            ProbeRow("latency reference", "ns", baseline.Probes.LatencyReferenceNanoseconds, candidate.Probes.LatencyReferenceNanoseconds),
        ]);
        output.WriteLine();

        output.WriteLine(options.AllocationsOnly
            ? Invariant($"Allocations-only mode: verdicts at ±{options.ThresholdPercent}% are printed, only allocation rises fail.")
            : options.FailBeyondPercent is { } failBeyond
            ? Invariant($"Reporting mode: verdicts at ±{options.ThresholdPercent}%, but only significant regressions beyond {failBeyond}% plus the row's spread, and allocation rises, fail.")
            : Invariant($"Strict mode: a significant regression beyond {options.ThresholdPercent}%, or any allocation rise, fails."));
        output.WriteLine(Invariant($"Significant: two-sided Mann-Whitney U over the iterations, p < {options.Alpha}. Compute and bandwidth figures: higher is better; latency (× reference) and raw ns: lower is better."));
        string prefix = CommonNamespace(result.Benchmarks.Select(b => b.Id));
        if (prefix.Length > 0)
        {
            output.WriteLine($"IDs below follow '{prefix}'.");
        }

        output.WriteLine("'time' is how much longer the candidate takes (the figures' ratio); a row's threshold applies to it and is the larger of the above and the spread of the baseline's rounds (max / min − 1).");
        output.WriteLine();
        WriteTable(output, "LLRRRRRRLR", ["benchmark", "kind", "baseline", "candidate", "change", "time", "threshold", "p", "verdict", "allocated B/op"],
            [.. result.Benchmarks.Select(b => BenchmarkRow(b, prefix))]);

        foreach (string id in result.Added)
        {
            output.WriteLine($"added (only in the candidate): {id}");
        }

        foreach (string id in result.Removed)
        {
            output.WriteLine($"removed (only in the baseline): {id}");
        }

        foreach (string warning in result.Warnings)
        {
            output.WriteLine($"warning: {warning}");
        }

        int regressed = result.Benchmarks.Count(b => b.Verdict == Verdict.Regressed);
        int failing = result.Benchmarks.Count(b => b.Fails);
        int allocations = result.Benchmarks.Count(b => b.AllocationRose);
        output.WriteLine();
        output.WriteLine(Invariant(
            $"{result.Benchmarks.Count} compared: {result.Benchmarks.Count(b => b.Verdict == Verdict.Improved)} improved, {regressed} regressed, ")
            + Invariant($"{result.Benchmarks.Count(b => b.Verdict == Verdict.Same)} same, {result.Benchmarks.Count(b => b.Verdict == Verdict.Noise)} noise; ")
            + Invariant($"{result.Added.Count} added, {result.Removed.Count} removed."));
        output.WriteLine(options.AllocationsOnly
            ? (result.Failed ? Invariant($"FAILED: {allocations} allocation rise(s).") : "PASSED: no allocation rise.")
            : result.Failed
            ? Invariant($"FAILED: {failing} significant regression(s) beyond {options.FailingPercent}%, {allocations} allocation rise(s).")
            : Invariant($"PASSED: no significant regression beyond {options.FailingPercent}%{(options.FailBeyondPercent is null ? string.Empty : " plus the row's spread")}, no allocation rise."));
    }

    private static string Describe(MachineInfo machine)
        => Invariant($"({machine.DateUtc:yyyy-MM-dd HH:mm} UTC, {machine.Cpu}, {machine.DotNet}, Vector512 {machine.Vector512Accelerated}")
            + (machine.GitCommit is { Length: > 0 } commit ? $", commit {commit[..Math.Min(12, commit.Length)]}" : string.Empty)
            + (machine.SimdMaxWidth is { } cap ? $", BACKPROP_SIMD_MAX_WIDTH={cap}" : string.Empty)
            + ")";

    private static string[] ProbeRow(string name, string unit, double? before, double? after)
        => [name, Figure(before, unit), Figure(after, unit), before is > 0 && after is { } a ? Percent(100 * (a - before.Value) / before.Value) : "-"];

    private static string[] BenchmarkRow(BenchmarkComparison b, string prefix)
    {
        string verdict = b.Verdict.ToString().ToLowerInvariant()
            + (b.Fails ? " (fails)" : string.Empty)
            + (b.Normalized ? string.Empty : " [raw]");
        string allocated = b.BaselineAllocated == b.CandidateAllocated
            ? Bytes(b.CandidateAllocated)
            : $"{Bytes(b.BaselineAllocated)} -> {Bytes(b.CandidateAllocated)}{(b.AllocationRose ? " (fails)" : string.Empty)}";
        return
        [
            b.Id[prefix.Length..],
            b.Kind?.ToString().ToLowerInvariant() ?? "none",
            Normalization.Format(b.Unit, b.BaselineMedian),
            Normalization.Format(b.Unit, b.CandidateMedian),
            Percent(b.ChangePercent),
            Percent(b.WorseningPercent),
            Invariant($"±{b.ThresholdPercent:F1}%"),
            Invariant($"{b.Test.PValue:F3}"),
            verdict,
            allocated,
        ];
    }

    /// <summary>A plain-text table; <paramref name="alignment"/> has an L (left) or R (right) per column.</summary>
    private static void WriteTable(TextWriter output, string alignment, string[] header, IReadOnlyList<string[]> rows)
    {
        int[] widths = [.. header.Select((h, column) => rows.Select(r => r[column].Length).Append(h.Length).Max())];
        output.WriteLine(Line(header));
        output.WriteLine(string.Join("-+-", widths.Select(w => new string('-', w))));
        foreach (string[] row in rows)
        {
            output.WriteLine(Line(row));
        }

        string Line(string[] cells) => string.Join(" | ", cells.Select((c, i) => alignment[i] == 'L' ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd();
    }

    // The namespace and class every ID shares, so the table shows what differs: "Backprop.Simd.Benchmarks.Kernels.".
    private static string CommonNamespace(IEnumerable<string> ids)
    {
        string? common = null;
        foreach (string id in ids)
        {
            string name = id.Split('(')[0];
            common = common is null ? name : common[..common.AsSpan().CommonPrefixLength(name)];
        }

        return common is null ? string.Empty : common[..(common.LastIndexOf('.') + 1)];
    }

    private static string Figure(double? value, string unit) => value is { } v ? Invariant($"{v:N1} {unit}") : "not measured";

    private static string Percent(double value) => Invariant($"{value:+0.0;-0.0;0.0}%");

    private static string Bytes(long? bytes) => bytes?.ToString("N0", CultureInfo.InvariantCulture) ?? "?";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
