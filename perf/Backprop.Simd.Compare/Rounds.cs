using Backprop.Simd.Compare.Contract;

namespace Backprop.Simd.Compare;

/// <summary>
/// Merges rounds of one job (the same filtered suite run several times in a row, as <c>perf/short-run.sh</c> does)
/// into one results file. A shared machine's speed drifts from minute to minute, and some effects hold for a whole
/// benchmark process (which pages the OS backed with huge pages, where the JIT placed a loop); the iterations of one
/// process cannot show either, the medians of several rounds can. Each benchmark keeps every round's iterations (each
/// normalized against its own round's probes) and each round's median; the comparer widens a row's threshold to the
/// spread of those medians, so a row this noisy on this machine is not called a regression on noise alone.
/// </summary>
public static class Rounds
{
    /// <summary>One file holding every round of <paramref name="rounds"/> (at least one; merged files may be merged again).</summary>
    /// <exception cref="ResultsFileException">A round comes from another machine or setting than the first, or a
    /// benchmark's kind differs between rounds.</exception>
    public static ResultsFile Merge(IReadOnlyList<(string Path, ResultsFile Run)> rounds)
    {
        ArgumentNullException.ThrowIfNull(rounds);
        if (rounds.Count == 0)
        {
            throw new ArgumentException("merge needs at least one round", nameof(rounds));
        }

        (string firstPath, ResultsFile first) = rounds[0];
        foreach ((string path, ResultsFile run) in rounds.Skip(1))
        {
            MachineInfo a = first.Machine, b = run.Machine;
            if (a.Cpu != b.Cpu || a.Vector512Accelerated != b.Vector512Accelerated || a.VectorFloatCount != b.VectorFloatCount
                || a.DotNet != b.DotNet || a.SimdMaxWidth != b.SimdMaxWidth || a.GitCommit != b.GitCommit)
            {
                throw new ResultsFileException(path, $"not a round of the same job as {firstPath}: the machine, runtime, commit or BACKPROP_SIMD_MAX_WIDTH differ");
            }
        }

        string[] ids = [.. rounds.SelectMany(r => r.Run.Benchmarks).Select(b => b.Id).Distinct(StringComparer.Ordinal)];
        var benchmarks = new List<BenchmarkResult>(ids.Length);
        foreach (string id in ids)
        {
            (string Path, BenchmarkResult Result)[] entries =
                [.. rounds.SelectMany(r => r.Run.Benchmarks.Where(b => b.Id == id).Select(b => (r.Path, b)))];
            if (entries.FirstOrDefault(e => e.Result.Kind != entries[0].Result.Kind || e.Result.Work != entries[0].Result.Work) is { Path: { } other })
            {
                throw new ResultsFileException(other, $"benchmark '{id}' has another kind or work per operation than in {entries[0].Path}");
            }

            benchmarks.Add(MergeOne([.. entries.Select(e => e.Result)]));
        }

        ProbeFigures probes = new(
            MedianOf(rounds.Select(r => r.Run.Probes.FmaPeakGflops)),
            MedianOf(rounds.Select(r => r.Run.Probes.TriadGBPerSecond)),
            MedianOf(rounds.Select(r => r.Run.Probes.LatencyReferenceNanoseconds)));
        int count = benchmarks.Count == 0 ? rounds.Count : benchmarks.Max(b => b.RawRoundMedians.Count);
        string title = count == 1 ? first.Title : $"{first.Title} ({count} rounds)";
        return new ResultsFile(ResultsFile.CurrentSchemaVersion, title, first.Machine, probes, benchmarks);
    }

    private static BenchmarkResult MergeOne(BenchmarkResult[] entries)
    {
        BenchmarkResult first = entries[0];
        double[] raw = [.. entries.SelectMany(e => e.RawNanoseconds)];
        NormalizedFigures? normalized = null;
        string? unavailable = entries.Select(e => e.NormalizationUnavailable).FirstOrDefault(why => why is not null);
        if (entries.All(e => e.Normalized is { } n && n.Unit == first.Normalized!.Unit && n.HigherIsBetter == first.Normalized.HigherIsBetter))
        {
            double[] values = [.. entries.SelectMany(e => e.Normalized!.Values)];
            normalized = new NormalizedFigures(
                first.Normalized!.Unit, first.Normalized.HigherIsBetter, values, Normalization.Median(values), [.. entries.SelectMany(e => e.Normalized!.RoundMedians)]);
        }
        else
        {
            unavailable ??= "normalized in some rounds only";
        }

        long?[] allocated = [.. entries.Select(e => e.AllocatedBytesPerOperation)];
        return new BenchmarkResult(
            first.Id,
            first.Kind,
            first.Work,
            raw,
            Normalization.Median(raw),
            [.. entries.SelectMany(e => e.RawRoundMedians)],
            normalized,
            normalized is null ? unavailable : null,
            // The least any round allocated: a benchmark that allocates does so in every round, while BenchmarkDotNet's
            // memory diagnoser also counts what the tiered JIT's background thread allocates now and then (seen here as
            // 1-4 B per operation on TrainStep in one round of three, which allocates nothing in 10,000 steps measured
            // on its own thread; dotnet/BenchmarkDotNet#1542).
            allocated.All(a => a is null) ? null : allocated.Min());
    }

    private static double? MedianOf(IEnumerable<double?> values)
    {
        double[] known = [.. values.OfType<double>()];
        return known.Length == 0 ? null : Normalization.Median(known);
    }
}
