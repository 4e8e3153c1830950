using Backprop.Simd.Compare.Contract;

namespace Backprop.Simd.Compare.Tests;

/// <summary>Builds results files as the exporter would write them, and writes them to a temporary folder.</summary>
internal sealed class Runs : IDisposable
{
    public const string Gemm = "Backprop.Simd.Benchmarks.Kernels.DenseKernelsBenchmarks.DenseForward(Shape: 1024->1024 b256)";
    public const string Update = "Backprop.Simd.Benchmarks.Kernels.UpdateKernelsBenchmarks.SgdUpdate(Elements: 1048576)";
    public const string Predict = "Backprop.Simd.Benchmarks.Model.NetworkBenchmarks.PredictTiny";

    /// <summary>FMA peak 200 GFLOP/s, triad 50 GB/s, reference 1000 ns.</summary>
    public static readonly ProbeFigures Probes = new(200, 50, 1000);

    private readonly string _folder = Directory.CreateTempSubdirectory("compare-tests-").FullName;
    private int _files;

    /// <summary>15 iterations spread ±1.4% around <paramref name="medianNs"/>, in a fixed shuffled order.</summary>
    public static double[] Iterations(double medianNs)
        => [.. new[] { 7, 2, 12, 0, 9, 4, 14, 1, 11, 6, 3, 13, 8, 5, 10 }.Select(i => medianNs * (1 + ((i - 7) * 0.002)))];

    /// <summary>A benchmark whose iterations take <paramref name="rawNs"/>, normalized against <paramref name="probes"/>.</summary>
    public static BenchmarkResult Benchmark(string id, BenchmarkKind kind, double? work, double[] rawNs, long allocated = 0, ProbeFigures? probes = null)
        => new(
            id,
            kind,
            work,
            rawNs,
            Normalization.Median(rawNs),
            [Normalization.Median(rawNs)],
            Normalization.Normalize(kind, work, rawNs, probes ?? Probes, out string? unavailable),
            unavailable,
            allocated);

    /// <summary>The three kinds, every time scaled by <paramref name="slowdown"/>: at 1, GEMM at 80% of peak, the update
    /// at 90% of triad, W1 at 0.1× reference.</summary>
    public static BenchmarkResult[] Baseline(double slowdown = 1, long allocated = 0, ProbeFigures? probes = null)
        => At(slowdown, slowdown, allocated, probes);

    /// <summary>The baseline with every normalized figure <paramref name="percent"/> worse: the percentages of a limit
    /// that much lower, the latency ratio that much higher.</summary>
    public static BenchmarkResult[] WorseBy(double percent) => At(1 / (1 - (percent / 100)), 1 + (percent / 100), 0, null);

    private static BenchmarkResult[] At(double throughputSlowdown, double latencySlowdown, long allocated, ProbeFigures? probes) =>
    [
        Benchmark(Gemm, BenchmarkKind.Compute, 536870912, Iterations(throughputSlowdown * 536870912 / 160), allocated, probes),
        Benchmark(Update, BenchmarkKind.Bandwidth, 12 * 1048576, Iterations(throughputSlowdown * 12 * 1048576 / 45), allocated, probes),
        Benchmark(Predict, BenchmarkKind.Latency, null, Iterations(latencySlowdown * 100), allocated, probes),
    ];

    public static ResultsFile File(IReadOnlyList<BenchmarkResult> benchmarks, ProbeFigures? probes = null, string cpu = "Test CPU")
        => new(
            ResultsFile.CurrentSchemaVersion,
            "BenchmarkRun-joined-test",
            new MachineInfo(cpu, true, 8, ".NET 10.0.0", "Linux", new DateTime(2026, 11, 30, 12, 0, 0, DateTimeKind.Utc), "abc1234", null),
            probes ?? Probes,
            benchmarks);

    /// <summary>Writes <paramref name="results"/> to a new file and returns its path.</summary>
    public string Write(ResultsFile results) => WriteText(ResultsFile.Serialize(results));

    public string WriteText(string text)
    {
        string path = Path.Combine(_folder, $"run{++_files}-normalized.json");
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
