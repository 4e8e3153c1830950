using Backprop.Simd.Compare.Contract;
using Xunit;

namespace Backprop.Simd.Compare.Tests;

/// <summary>
/// The comparer end to end, through its command line: exit codes in strict and reporting mode, direction-aware verdicts,
/// allocation rises, raw fallback, and a named error for every unusable file.
/// </summary>
public sealed class CompareCommandTests : IDisposable
{
    private readonly Runs _runs = new();

    public void Dispose() => _runs.Dispose();

    [Fact]
    public void IdenticalRunsPass()
    {
        string file = _runs.Write(Runs.File(Runs.Baseline()));
        (int code, string output, _) = Compare(file, file);
        Assert.Equal(CompareCommand.Passed, code);
        Assert.Contains("3 compared: 0 improved, 0 regressed, 3 same", output, StringComparison.Ordinal);
        Assert.Contains("PASSED", output, StringComparison.Ordinal);
    }

    [Fact]
    public void ATwentyPercentSlowdownFailsStrictButNotReportingMode()
    {
        (string baseline, string candidate) = WritePair(Runs.Baseline(), Runs.WorseBy(20));

        (int strict, string strictOutput, _) = Compare(baseline, candidate);
        Assert.Equal(CompareCommand.Regressed, strict);
        Assert.Contains("3 regressed", strictOutput, StringComparison.Ordinal);
        Assert.Contains("regressed (fails)", strictOutput, StringComparison.Ordinal);

        (int reporting, string reportingOutput, _) = Compare(baseline, candidate, "--fail-only-beyond", "25");
        Assert.Equal(CompareCommand.Passed, reporting);
        Assert.Contains("3 regressed", reportingOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("(fails)", reportingOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void AFortyPercentSlowdownFailsBothModes()
    {
        (string baseline, string candidate) = WritePair(Runs.Baseline(), Runs.WorseBy(40));
        Assert.Equal(CompareCommand.Regressed, Compare(baseline, candidate).Code);
        Assert.Equal(CompareCommand.Regressed, Compare(baseline, candidate, "--fail-only-beyond", "25").Code);
    }

    [Fact]
    public void AllocationsOnlyModeReportsRegressionsButFailsOnlyOnAllocations()
    {
        (string baseline, string slower) = WritePair(Runs.Baseline(), Runs.WorseBy(40));
        (int code, string output, _) = Compare(baseline, slower, "--allocations-only");
        Assert.Equal(CompareCommand.Passed, code);
        Assert.Contains("3 regressed", output, StringComparison.Ordinal);
        Assert.Contains("PASSED: no allocation rise.", output, StringComparison.Ordinal);

        (string same, string allocating) = WritePair(Runs.Baseline(), Runs.Baseline(allocated: 24));
        Assert.Equal(CompareCommand.Regressed, Compare(same, allocating, "--allocations-only").Code);
        Assert.Equal(CompareCommand.BadInput, Compare(same, allocating, "--allocations-only", "--fail-only-beyond", "25").Code);
    }

    [Fact]
    public void AnAllocationRiseFailsBothModes()
    {
        (string baseline, string candidate) = WritePair(Runs.Baseline(), Runs.Baseline(allocated: 24));
        (int strict, string output, _) = Compare(baseline, candidate);
        Assert.Equal(CompareCommand.Regressed, strict);
        Assert.Contains("0 -> 24 (fails)", output, StringComparison.Ordinal);
        Assert.Equal(CompareCommand.Regressed, Compare(baseline, candidate, "--fail-only-beyond", "25").Code);
    }

    [Fact]
    public void FewerAllocationsPass()
    {
        (string baseline, string candidate) = WritePair(Runs.Baseline(allocated: 24), Runs.Baseline());
        Assert.Equal(CompareCommand.Passed, Compare(baseline, candidate).Code);
    }

    [Fact]
    public void DirectionDependsOnTheKind()
    {
        // Everything takes 20% longer: the latency ratio rises, the compute and bandwidth percentages fall.
        ResultsFile baseline = Runs.File(Runs.Baseline());
        ResultsFile slower = Runs.File(Runs.Baseline(slowdown: 1.2));
        ComparisonResult result = Comparison.Compare(baseline, "b", slower, "c", new ComparisonOptions());
        BenchmarkComparison latency = result.Benchmarks.Single(b => b.Id == Runs.Predict);
        BenchmarkComparison compute = result.Benchmarks.Single(b => b.Id == Runs.Gemm);
        BenchmarkComparison bandwidth = result.Benchmarks.Single(b => b.Id == Runs.Update);
        Assert.Equal(20, latency.ChangePercent, 1e-9);
        Assert.Equal(-100.0 / 6, compute.ChangePercent, 1e-9);
        Assert.Equal(-100.0 / 6, bandwidth.ChangePercent, 1e-9);
        Assert.All(result.Benchmarks, b => Assert.Equal(20, b.WorseningPercent, 1e-9)); // judged as time, whatever the unit
        Assert.All(result.Benchmarks, b => Assert.Equal(Verdict.Regressed, b.Verdict));

        // And 20% faster is an improvement for all three.
        ComparisonResult faster = Comparison.Compare(baseline, "b", Runs.File(Runs.Baseline(slowdown: 0.8)), "c", new ComparisonOptions());
        Assert.All(faster.Benchmarks, b => Assert.Equal(Verdict.Improved, b.Verdict));
        Assert.False(faster.Failed);
    }

    [Fact]
    public void ALargeButOverlappingChangeIsNoise()
    {
        BenchmarkResult Spread(double scale) => Runs.Benchmark(Runs.Predict, BenchmarkKind.Latency, null, [100 * scale, 300 * scale, 50 * scale, 500, 80]);
        ComparisonResult result = Comparison.Compare(
            Runs.File([Spread(1)]), "b", Runs.File([Spread(1.3)]), "c", new ComparisonOptions());
        Assert.Equal(Verdict.Noise, Assert.Single(result.Benchmarks).Verdict);
        Assert.False(result.Failed);
    }

    [Fact]
    public void ASignificantChangeWithinTheThresholdIsSame()
    {
        ComparisonResult result = Comparison.Compare(
            Runs.File(Runs.Baseline()), "b", Runs.File(Runs.Baseline(slowdown: 1.04)), "c", new ComparisonOptions());
        Assert.All(result.Benchmarks, b => Assert.True(b.Test.PValue < 0.05 && b.Verdict == Verdict.Same));
        Assert.Equal(Verdict.Regressed, Comparison.Compare(
            Runs.File(Runs.Baseline()), "b", Runs.File(Runs.Baseline(slowdown: 1.04)), "c", new ComparisonOptions(ThresholdPercent: 2)).Benchmarks[0].Verdict);
    }

    [Fact]
    public void ProbesAreShownButNotJudged()
    {
        BenchmarkResult probe = Runs.Benchmark(
            "Backprop.Simd.Benchmarks.Probes.LatencyReference.DependentChain", BenchmarkKind.Probe, null, Runs.Iterations(1000));
        BenchmarkResult slowerProbe = Runs.Benchmark(
            "Backprop.Simd.Benchmarks.Probes.LatencyReference.DependentChain", BenchmarkKind.Probe, null, Runs.Iterations(2000));
        string baseline = _runs.Write(Runs.File([.. Runs.Baseline(), probe]));
        string candidate = _runs.Write(Runs.File([.. Runs.Baseline(), slowerProbe], new ProbeFigures(100, 25, 2000)));
        (int code, string output, _) = Compare(baseline, candidate);
        Assert.Equal(CompareCommand.Passed, code);
        Assert.Contains("3 compared", output, StringComparison.Ordinal);
        Assert.Contains("latency reference", output, StringComparison.Ordinal);
        Assert.Contains("+100.0%", output, StringComparison.Ordinal);
    }

    [Fact]
    public void AddedAndRemovedBenchmarksAreListedNotFailed()
    {
        BenchmarkResult[] all = Runs.Baseline();
        (string baseline, string candidate) = WritePair([all[0], all[1]], [all[0], all[2]]);
        (int code, string output, _) = Compare(baseline, candidate);
        Assert.Equal(CompareCommand.Passed, code);
        Assert.Contains($"added (only in the candidate): {Runs.Predict}", output, StringComparison.Ordinal);
        Assert.Contains($"removed (only in the baseline): {Runs.Update}", output, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutProbesTheRawMediansAreComparedWithAWarning()
    {
        var none = new ProbeFigures(null, null, null);
        string baseline = _runs.Write(Runs.File(Runs.Baseline()));
        string candidate = _runs.Write(Runs.File(Runs.Baseline(slowdown: 1.1, probes: none), none));
        (int code, string output, _) = Compare(baseline, candidate);
        Assert.Equal(CompareCommand.Regressed, code);
        Assert.Contains("warning: normalization unavailable for 3 benchmark(s)", output, StringComparison.Ordinal);
        Assert.Contains("no FmaPeak.Vector512FusedMultiplyAdd in this run", output, StringComparison.Ordinal);
        Assert.Contains("regressed (fails) [raw]", output, StringComparison.Ordinal);
        Assert.Contains("+10.0%", output, StringComparison.Ordinal);
    }

    [Fact]
    public void TheRunsOwnProbesCancelAMachineSlowdown()
    {
        // The whole machine at 70% speed: every time and every probe 1/0.7 longer. Raw, that is a 43% regression;
        // normalized, nothing changed.
        var slowMachine = new ProbeFigures(200 * 0.7, 50 * 0.7, 1000 / 0.7);
        string baseline = _runs.Write(Runs.File(Runs.Baseline()));
        string candidate = _runs.Write(Runs.File(Runs.Baseline(slowdown: 1 / 0.7, probes: slowMachine), slowMachine));
        (int code, string output, _) = Compare(baseline, candidate);
        Assert.Equal(CompareCommand.Passed, code);
        Assert.Contains("3 same", output, StringComparison.Ordinal);
    }

    [Fact]
    public void MachineDifferencesAreWarnedNotFailed()
    {
        ResultsFile other = Runs.File(Runs.Baseline(), cpu: "Other CPU");
        other = other with { Machine = other.Machine with { Vector512Accelerated = false, SimdMaxWidth = "0" } };
        string baseline = _runs.Write(Runs.File(Runs.Baseline()));
        (int code, string output, _) = Compare(baseline, _runs.Write(other));
        Assert.Equal(CompareCommand.Passed, code);
        Assert.Contains("warning: the runs come from different CPUs ('Test CPU' and 'Other CPU')", output, StringComparison.Ordinal);
        Assert.Contains("warning: the vector hardware differs", output, StringComparison.Ordinal);
        Assert.Contains("warning: BACKPROP_SIMD_MAX_WIDTH differs: 'unset' in the baseline, '0' in the candidate.", output, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingFileIsBadInput()
    {
        string file = _runs.Write(Runs.File(Runs.Baseline()));
        string missing = Path.Combine(Path.GetTempPath(), "no-such-run-normalized.json");
        (int code, _, string error) = Compare(file, missing);
        Assert.Equal(CompareCommand.BadInput, code);
        Assert.Contains($"{missing}: no such file", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ \"schemaVersion\": 1, \"title\": ", "malformed JSON")]
    [InlineData("[1, 2, 3]", "not a normalized results file")]
    [InlineData("{ \"Title\": \"x\" }", "not a normalized results file")]
    [InlineData("{ \"schemaVersion\": 99, \"title\": \"future\" }", "schema version 99, but this comparer reads version 2")]
    [InlineData("{ \"schemaVersion\": 2, \"title\": \"x\" }", "malformed JSON")]
    public void AnUnusableFileIsNamedWithItsProblem(string text, string problem)
    {
        string good = _runs.Write(Runs.File(Runs.Baseline()));
        string bad = _runs.WriteText(text);
        (int code, _, string error) = Compare(good, bad);
        Assert.Equal(CompareCommand.BadInput, code);
        Assert.Contains($"{bad}: {problem}", error, StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateIdsAreBadInput()
    {
        BenchmarkResult[] all = Runs.Baseline();
        string bad = _runs.Write(Runs.File([all[0], all[0]]));
        (int code, _, string error) = Compare(bad, bad);
        Assert.Equal(CompareCommand.BadInput, code);
        Assert.Contains($"{bad}: benchmark '{Runs.Gemm}' appears twice", error, StringComparison.Ordinal);
    }

    [Fact]
    public void NoBenchmarkInCommonIsBadInput()
    {
        BenchmarkResult[] all = Runs.Baseline();
        (string baseline, string candidate) = WritePair([all[0]], [all[1]]);
        (int code, _, string error) = Compare(baseline, candidate);
        Assert.Equal(CompareCommand.BadInput, code);
        Assert.Contains($"{candidate}: no benchmark in common with {baseline}", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("only-one.json")]
    [InlineData("a.json", "b.json", "--threshold")]
    [InlineData("a.json", "b.json", "--threshold", "five")]
    [InlineData("a.json", "b.json", "--alpha", "2")]
    [InlineData("a.json", "b.json", "--fail-only-beyond", "3")]
    [InlineData("a.json", "b.json", "--strict")]
    public void BadOptionsAreBadInput(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(CompareCommand.BadInput, CompareCommand.Run(args, output, error));
        Assert.Contains("see --help", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void HelpDocumentsEveryOption()
    {
        var output = new StringWriter();
        Assert.Equal(CompareCommand.Passed, CompareCommand.Run(["--help"], output, new StringWriter()));
        foreach (string option in new[] { "--threshold", "--fail-only-beyond", "--alpha", "Exit codes" })
        {
            Assert.Contains(option, output.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TheFileRoundTrips()
    {
        ResultsFile original = Runs.File(Runs.Baseline());
        ResultsFile read = ResultsFile.Read(_runs.Write(original));
        Assert.Equal(ResultsFile.Serialize(original), ResultsFile.Serialize(read));
        Assert.Equal(original.Benchmarks[0].Normalized!.Values, read.Benchmarks[0].Normalized!.Values);
    }

    /// <summary>Writes a baseline and a candidate file of these benchmarks, with the default probes.</summary>
    private (string Baseline, string Candidate) WritePair(BenchmarkResult[] baseline, BenchmarkResult[] candidate)
        => (_runs.Write(Runs.File(baseline)), _runs.Write(Runs.File(candidate)));

    private static (int Code, string Output, string Error) Compare(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CompareCommand.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
