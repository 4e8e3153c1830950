using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Backprop.Simd.Compare.Contract;

namespace Backprop.Simd.Benchmarks.Regression;

/// <summary>The median iteration against this run's probe, as the results file records it: "78.3% peak".</summary>
internal sealed class NormalizedColumn : IColumn
{
    public static readonly NormalizedColumn Default = new();

    public string Id => nameof(NormalizedColumn);

    public string ColumnName => "Normalized";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => false;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Median iteration against this run's probes: % of the Vector512 FMA peak (compute), % of the "
        + "16 Mi-float triad (bandwidth), multiple of the latency reference (latency; lower is better)";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        ArgumentNullException.ThrowIfNull(summary);
        if (summary[benchmarkCase] is not { ResultStatistics: not null } report)
        {
            return "-";
        }

        BenchmarkResult result = NormalizedResults.Benchmark(report, NormalizedResults.ProbesOf(summary));
        return result switch
        {
            { Normalized: { } figures } => Normalization.Format(figures.Unit, figures.Median),
            { Kind: BenchmarkKind.Probe } => "probe",
            _ => "n/a",
        };
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public override string ToString() => ColumnName;
}
