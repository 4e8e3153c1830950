using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Running;
using Backprop.Simd.Benchmarks.Probes;
using Backprop.Simd.Benchmarks.Regression;

namespace Backprop.Simd.Benchmarks;

/// <summary>Entry point: <c>dotnet run -c Release --project perf/Backprop.Simd.Benchmarks -- --filter '*'</c>.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        IConfig config = DefaultConfig.Instance
            // JSON (full, with every measurement) beside the default CSV; both land in BenchmarkDotNet.Artifacts/results/,
            // which is git-ignored and never under bin/.
            .AddExporter(JsonExporter.Full)
            // The regression baseline: every row raw and normalized by the probes of the same run (perf/README.md).
            .AddExporter(NormalizedJsonExporter.Default)
            .AddColumn(NormalizedColumn.Default)
            .AddValidator(NormalizeValidator.Default)
            // One summary, so one normalized file holds the probes and the rows they normalize.
            .WithOptions(ConfigOptions.JoinSummary)
            // The engine's rows must show Allocated = 0 B; the attribute is on every class too, this covers any new one.
            .AddDiagnoser(MemoryDiagnoser.Default)
            // A probe that would run in software emulation measures nothing about the machine: leave it out.
            .AddFilter(new HardwareFilter());

        // A [GlobalSetup] that throws (a peer disagreeing with the oracle, an emulated probe) fails its benchmark
        // in BenchmarkDotNet's own child process; that, like a validation error, makes the exit code 1.
        // (ExecutionValidator is not used: in-process it rejects FmaPeak's [GlobalSetup(Target = ...)] pair and ran
        // DenseKernelsBenchmarks' setup with Shape unset, failing where the real runner succeeds.)
        // A filtered run also runs the probes its rows are normalized by.
        string[] withProbes = RunProbes.AddToFilter(args);
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(withProbes, config);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
