using System.Reflection;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Backprop.Simd.Compare.Contract;

namespace Backprop.Simd.Benchmarks.Regression;

/// <summary>
/// A BenchmarkDotNet summary as a normalized results file: the probes' medians, then every benchmark's iterations raw
/// and against the probe of its kind. The arithmetic is <see cref="Normalization"/>'s; this only gathers its inputs.
/// </summary>
internal static class NormalizedResults
{
    public static ResultsFile Build(Summary summary)
    {
        ProbeFigures probes = ProbesOf(summary);
        BenchmarkResult[] benchmarks = [.. summary.Reports.Where(Measured).Select(report => Benchmark(report, probes))];
        return new ResultsFile(ResultsFile.CurrentSchemaVersion, summary.Title, MachineDescription.Current(), probes, benchmarks);
    }

    /// <summary>The probe figures of the run (null where a probe did not run or failed).</summary>
    public static ProbeFigures ProbesOf(Summary summary)
    {
        var raw = summary.Reports.Where(Measured).ToDictionary(
            report => FullNameProvider.GetBenchmarkName(report.BenchmarkCase), report => report.ResultStatistics!.OriginalValues);
        return Normalization.Probes(
            raw.GetValueOrDefault(RunProbes.FmaPeakId),
            raw.GetValueOrDefault(RunProbes.TriadId),
            RunProbes.TriadElements,
            raw.GetValueOrDefault(RunProbes.LatencyReferenceId));
    }

    /// <summary>One benchmark: its per-iteration ns per operation (BenchmarkDotNet's result measurements, overhead
    /// subtracted: <c>Statistics.OriginalValues</c>), normalized by <paramref name="probes"/>.</summary>
    public static BenchmarkResult Benchmark(BenchmarkReport report, ProbeFigures probes)
    {
        BenchmarkCase benchmarkCase = report.BenchmarkCase;
        NormalizeAttribute? declared = Declared(benchmarkCase);
        BenchmarkKind? kind = RunProbes.IsProbe(benchmarkCase) ? BenchmarkKind.Probe : declared?.Kind;
        double? work = declared is null ? null : WorkOf(benchmarkCase, declared);
        IReadOnlyList<double> raw = report.ResultStatistics?.OriginalValues ?? [];
        NormalizedFigures? normalized = Normalization.Normalize(kind, work, raw, probes, out string? unavailable);
        double rawMedian = Normalization.Median([.. raw]);
        return new BenchmarkResult(
            FullNameProvider.GetBenchmarkName(benchmarkCase),
            kind,
            work,
            raw,
            rawMedian,
            [rawMedian],
            normalized,
            unavailable,
            benchmarkCase.Config.HasMemoryDiagnoser() ? report.GcStats.GetBytesAllocatedPerOperation(benchmarkCase) : null);
    }

    public static NormalizeAttribute? Declared(BenchmarkCase benchmarkCase)
        => benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttribute<NormalizeAttribute>();

    /// <summary>Flops or bytes per operation of a compute or bandwidth row; null for the other kinds, or when
    /// <see cref="NormalizeAttribute.Per"/> names no parameter with a usable value.</summary>
    public static double? WorkOf(BenchmarkCase benchmarkCase, NormalizeAttribute declared)
    {
        if (declared.Kind is not (BenchmarkKind.Compute or BenchmarkKind.Bandwidth))
        {
            return null;
        }

        if (declared.Per is null)
        {
            return declared.Work;
        }

        object? value = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == declared.Per)?.Value;
        double? units = value switch
        {
            IHasWork sized => sized.Work,
            int count => count,
            long count => count,
            double count => count,
            _ => null,
        };
        return declared.Work * units;
    }

    private static bool Measured(BenchmarkReport report) => report.ResultStatistics is { N: > 0 };
}
