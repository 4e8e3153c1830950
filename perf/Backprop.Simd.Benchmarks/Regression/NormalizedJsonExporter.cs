using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using Backprop.Simd.Compare.Contract;

namespace Backprop.Simd.Benchmarks.Regression;

/// <summary>
/// Writes <c>BenchmarkDotNet.Artifacts/results/&lt;title&gt;-normalized.json</c>, the file perf/Backprop.Simd.Compare
/// reads: the machine, the probes of the run, and every benchmark raw and normalized. A run without the probes still
/// gets its file, with the raw figures and the reason normalization is missing.
/// </summary>
internal sealed class NormalizedJsonExporter : ExporterBase
{
    public static readonly NormalizedJsonExporter Default = new();

    protected override string FileExtension => "json";

    protected override string FileCaption => "normalized";

    public override void ExportToLog(Summary summary, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        logger.WriteLine(ResultsFile.Serialize(NormalizedResults.Build(summary)));
    }
}
