using Backprop.Simd.Compare.Contract;
using Xunit;

namespace Backprop.Simd.Compare.Tests;

/// <summary>Rounds of one job merged into one file, and the row thresholds that widen to their spread.</summary>
public sealed class RoundsTests : IDisposable
{
    private readonly Runs _runs = new();

    public void Dispose() => _runs.Dispose();

    [Fact]
    public void MergingPoolsTheIterationsAndKeepsEachRoundsMedian()
    {
        ResultsFile fast = Runs.File(Runs.Baseline(allocated: 24));
        ResultsFile slow = Runs.File(Runs.Baseline(slowdown: 1.25, allocated: 32), new ProbeFigures(100, 30, 3000));
        ResultsFile merged = Rounds.Merge([("fast.json", fast), ("slow.json", slow)]);

        Assert.Equal(3, merged.Benchmarks.Count);
        BenchmarkResult gemm = merged.Benchmarks.Single(b => b.Id == Runs.Gemm);
        Assert.Equal(30, gemm.RawNanoseconds.Count);
        Assert.Equal([fast.Benchmarks[0].RawMedianNanoseconds, slow.Benchmarks[0].RawMedianNanoseconds], gemm.RawRoundMedians);
        Assert.Equal([fast.Benchmarks[0].Normalized!.Median, slow.Benchmarks[0].Normalized!.Median], gemm.Normalized!.RoundMedians);
        Assert.Equal(Normalization.Median([.. gemm.Normalized.Values]), gemm.Normalized.Median);
        Assert.Equal(24, gemm.AllocatedBytesPerOperation); // the least of the rounds: what every round allocated
        Assert.Equal(new ProbeFigures(150, 40, 2000), merged.Probes);

        // A merged file merges again: its rounds count as rounds.
        ResultsFile again = Rounds.Merge([("merged.json", merged), ("fast.json", fast)]);
        Assert.Equal(3, again.Benchmarks.Single(b => b.Id == Runs.Gemm).RawRoundMedians.Count);
    }

    [Fact]
    public void RoundsOfAnotherMachineAreRejected()
    {
        ResultsFileException error = Assert.Throws<ResultsFileException>(() => Rounds.Merge(
            [("a.json", Runs.File(Runs.Baseline())), ("b.json", Runs.File(Runs.Baseline(), cpu: "Other CPU"))]));
        Assert.Equal("b.json", error.FilePath);
        Assert.Contains("not a round of the same job as a.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARowsThresholdWidensToTheSpreadOfItsRounds()
    {
        // The same 15% worsening (17.6% longer for the rates, 15% for the latency row): a regression against a steady
        // baseline, "same" against one whose rounds differ by 20%.
        string candidate = _runs.Write(Runs.File(Runs.WorseBy(15)));
        string steady = Merged(1.0, 1.01);
        string noisy = Merged(1.0, 1.2); // rounds 20% apart

        (int code, string output) = Compare(steady, candidate);
        Assert.Equal(CompareCommand.Regressed, code);
        Assert.Contains("3 regressed", output, StringComparison.Ordinal);

        (code, output) = Compare(noisy, candidate);
        Assert.Equal(CompareCommand.Passed, code);
        Assert.Contains("3 same", output, StringComparison.Ordinal);
        Assert.Contains("±20.0%", output, StringComparison.Ordinal);

        // Far beyond the spread is still a regression.
        string worse40 = _runs.Write(Runs.File(Runs.WorseBy(40)));
        (code, _) = Compare(noisy, worse40);
        Assert.Equal(CompareCommand.Regressed, code);

        // Reporting mode fails only beyond --fail-only-beyond plus the spread: 25 + 20 = 45% longer. Against the noisy
        // baseline's pooled median (between its two rounds), 30% worse rates take ~30% longer; 50% worse, ~80%.
        (code, output) = Compare(noisy, _runs.Write(Runs.File(Runs.WorseBy(30))), "--fail-only-beyond", "25");
        Assert.Equal(CompareCommand.Passed, code);
        Assert.Contains("2 regressed", output, StringComparison.Ordinal); // the rates; the latency row stays within ±20%
        Assert.DoesNotContain("(fails)", output, StringComparison.Ordinal);
        (code, _) = Compare(noisy, _runs.Write(Runs.File(Runs.WorseBy(50))), "--fail-only-beyond", "25");
        Assert.Equal(CompareCommand.Regressed, code);
    }

    [Fact]
    public void ACandidatesOwnSpreadDoesNotHideItsRegression()
    {
        // Half of the candidate's rounds 50% slower: its median moves ~25%, beyond the steady baseline's 5%. Its own
        // 50% spread between rounds comes from the regression and must not widen the threshold.
        string steady = Merged(1.0, 1.01);
        ResultsFile candidate = Rounds.Merge([("1", Runs.File(Runs.Baseline(1.0))), ("2", Runs.File(Runs.Baseline(1.5)))]);
        (int code, string output) = Compare(steady, _runs.Write(candidate));
        Assert.Equal(CompareCommand.Regressed, code);
        Assert.Contains("±5.0%", output, StringComparison.Ordinal);
    }

    [Fact]
    public void SpreadIsTheSlowestRoundOverTheFastest()
    {
        Assert.Equal(0, Comparison.Spread([5.0]));
        Assert.Equal(62.5, Comparison.Spread([80.0, 100.0, 130.0]), 12);
    }

    [Fact]
    public void TheMergeCommandWritesAComparableFile()
    {
        string a = _runs.Write(Runs.File(Runs.Baseline()));
        string b = _runs.Write(Runs.File(Runs.Baseline(slowdown: 1.02)));
        string merged = Path.Combine(Path.GetDirectoryName(a)!, "merged-normalized.json");
        var output = new StringWriter();
        Assert.Equal(CompareCommand.Passed, CompareCommand.Run(["merge", merged, a, b], output, new StringWriter()));
        Assert.Contains("merged 2 round(s) of 3 benchmark(s)", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(CompareCommand.Passed, Compare(merged, a).Code);

        var error = new StringWriter();
        Assert.Equal(CompareCommand.BadInput, CompareCommand.Run(["merge", merged], new StringWriter(), error));
        Assert.Contains("merge expects <out.json> <round.json>...", error.ToString(), StringComparison.Ordinal);

        error = new StringWriter();
        Assert.Equal(CompareCommand.BadInput, CompareCommand.Run(["merge", merged, a, a], new StringWriter(), error));
        Assert.Contains("more than once", error.ToString(), StringComparison.Ordinal);

        error = new StringWriter();
        string unwritable = Path.Combine(Path.GetDirectoryName(a)!, "no-such-folder", "merged.json");
        Assert.Equal(CompareCommand.BadInput, CompareCommand.Run(["merge", unwritable, a, b], new StringWriter(), error));
        Assert.Contains("cannot write the merged file", error.ToString(), StringComparison.Ordinal);
    }

    // A baseline of two rounds, the second `slowdown` times slower than the first.
    private string Merged(double first, double second)
    {
        ResultsFile merged = Rounds.Merge([("1", Runs.File(Runs.Baseline(first))), ("2", Runs.File(Runs.Baseline(second)))]);
        return _runs.Write(merged);
    }

    private static (int Code, string Output) Compare(params string[] args)
    {
        var output = new StringWriter();
        int code = CompareCommand.Run(args, output, new StringWriter());
        return (code, output.ToString());
    }
}
