using System.Text.Json;
using System.Text.Json.Serialization;

namespace Backprop.Simd.Compare.Contract;

// The normalized results file: written by perf/Backprop.Simd.Benchmarks' exporter, read by the comparer. This file
// and Normalization.cs are compiled into both (linked), so the two cannot drift apart.

/// <summary>One benchmark run: the machine, the probes measured in it, and every benchmark, raw and normalized.</summary>
/// <param name="SchemaVersion">Raised whenever a reader of an older file could misread this one.</param>
/// <param name="Title">BenchmarkDotNet's title of the run (the file's name without <c>-normalized.json</c>).</param>
public sealed record ResultsFile(
    int SchemaVersion,
    string Title,
    MachineInfo Machine,
    ProbeFigures Probes,
    IReadOnlyList<BenchmarkResult> Benchmarks)
{
    /// <summary>The version this code writes and the only one it reads.</summary>
    public const int CurrentSchemaVersion = 2;

    /// <summary>The JSON text of <paramref name="results"/> (indented, camelCase).</summary>
    public static string Serialize(ResultsFile results) => JsonSerializer.Serialize(results, ResultsJsonContext.Default.ResultsFile);

    /// <summary>Reads and checks the file at <paramref name="path"/>.</summary>
    /// <exception cref="ResultsFileException">The file is missing, unreadable, not JSON, of another schema version, or
    /// lacks a required member.</exception>
    public static ResultsFile Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ResultsFileException(path, e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.Message, e);
        }

        return Parse(path, text);
    }

    /// <summary>Parses <paramref name="text"/>, read from <paramref name="path"/> (named in any error).</summary>
    /// <exception cref="ResultsFileException">See <see cref="Read"/>.</exception>
    public static ResultsFile Parse(string path, string text)
    {
        try
        {
            // The version first: a file of another version fails on that, not on whichever member changed.
            using (JsonDocument document = JsonDocument.Parse(text))
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object
                    || !document.RootElement.TryGetProperty("schemaVersion", out JsonElement version)
                    || version.ValueKind != JsonValueKind.Number)
                {
                    throw new ResultsFileException(path, "not a normalized results file (no schemaVersion; expected a BenchmarkRun-*-normalized.json)");
                }

                if (!version.TryGetInt32(out int number) || number != CurrentSchemaVersion)
                {
                    throw new ResultsFileException(path, $"schema version {version.GetRawText()}, but this comparer reads version {CurrentSchemaVersion}");
                }
            }

            ResultsFile results = JsonSerializer.Deserialize(text, ResultsJsonContext.Default.ResultsFile)
                ?? throw new ResultsFileException(path, "the JSON is null");
            var ids = new HashSet<string>(StringComparer.Ordinal);
            foreach (BenchmarkResult benchmark in results.Benchmarks)
            {
                if (!ids.Add(benchmark.Id))
                {
                    throw new ResultsFileException(path, $"benchmark '{benchmark.Id}' appears twice");
                }
            }

            return results;
        }
        catch (JsonException e)
        {
            throw new ResultsFileException(path, $"malformed JSON: {e.Message}", e);
        }
    }
}

/// <summary>Where a run was measured, as BENCHMARKS.md asks every report to say.</summary>
/// <param name="Cpu">The CPU model line, as <c>lscpu</c> prints it after "Model name:".</param>
/// <param name="Vector512Accelerated"><c>Vector512.IsHardwareAccelerated</c>.</param>
/// <param name="VectorFloatCount"><c>Vector&lt;float&gt;.Count</c>.</param>
/// <param name="DotNet">The runtime, e.g. ".NET 10.0.12".</param>
/// <param name="GitCommit">The commit measured, when known.</param>
/// <param name="SimdMaxWidth">The <c>BACKPROP_SIMD_MAX_WIDTH</c> switch the run was made with; null when unset.</param>
public sealed record MachineInfo(
    string Cpu,
    bool Vector512Accelerated,
    int VectorFloatCount,
    string DotNet,
    string Os,
    DateTime DateUtc,
    string? GitCommit,
    string? SimdMaxWidth);

/// <summary>The machine's limits measured in the run (medians); null when that probe did not run.</summary>
/// <param name="FmaPeakGflops">One core's Vector512 FMA peak, GFLOP/s: the reference of compute-bound rows.</param>
/// <param name="TriadGBPerSecond">The Vector512 triad at 16 Mi floats, GB/s: the reference of bandwidth-bound rows.</param>
/// <param name="LatencyReferenceNanoseconds">The fixed dependent chain, ns: the reference of latency rows.</param>
public sealed record ProbeFigures(double? FmaPeakGflops, double? TriadGBPerSecond, double? LatencyReferenceNanoseconds);

/// <summary>One benchmark of the run.</summary>
/// <param name="Id">BenchmarkDotNet's FullName, parameters included: the permanent ID.</param>
/// <param name="Kind">How the benchmark is normalized; null when it declares nothing.</param>
/// <param name="Work">Flops (compute) or bytes (bandwidth) per operation; null for latency rows and probes.</param>
/// <param name="RawNanoseconds">Per iteration, ns per operation after BenchmarkDotNet's overhead subtraction (of every
/// round, in a merged file).</param>
/// <param name="RawRoundMedians">The raw median of each round: one for a single run, several in a file merged from
/// rounds (<c>merge</c>), whose spread is the run-to-run noise the comparer allows for.</param>
/// <param name="Normalized">The same iterations against this run's probe; null when the probe is missing.</param>
/// <param name="NormalizationUnavailable">Why <paramref name="Normalized"/> is null, when it is.</param>
/// <param name="AllocatedBytesPerOperation">From the memory diagnoser; null when it did not run.</param>
public sealed record BenchmarkResult(
    string Id,
    BenchmarkKind? Kind,
    double? Work,
    IReadOnlyList<double> RawNanoseconds,
    double RawMedianNanoseconds,
    IReadOnlyList<double> RawRoundMedians,
    NormalizedFigures? Normalized,
    string? NormalizationUnavailable,
    long? AllocatedBytesPerOperation);

/// <summary>A benchmark's iterations as a fraction of, or a multiple of, the machine's reference.</summary>
/// <param name="Unit">"% of FMA peak", "% of triad" or "× reference".</param>
/// <param name="HigherIsBetter">True for the percentages, false for the latency ratio.</param>
/// <param name="RoundMedians">The median of each round (one for a single run), each against its own round's probes.</param>
public sealed record NormalizedFigures(string Unit, bool HigherIsBetter, IReadOnlyList<double> Values, double Median, IReadOnlyList<double> RoundMedians);

/// <summary>A results file that cannot be used; the message names the file.</summary>
public sealed class ResultsFileException(string path, string problem, Exception? inner = null)
    : Exception($"{path}: {problem}", inner)
{
    public string FilePath { get; } = path;
}

/// <summary>Reflection-free (source-generated) serialization of the results file; every member is required.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    UseStringEnumConverter = true,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(ResultsFile))]
public sealed partial class ResultsJsonContext : JsonSerializerContext;
