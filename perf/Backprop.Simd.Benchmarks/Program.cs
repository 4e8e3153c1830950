using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters.Csv;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Validators;
using Backprop.Simd.Benchmarks.Probes;

namespace Backprop.Simd.Benchmarks;

/// <summary>Entry point: <c>dotnet run -c Release --project perf/Backprop.Simd.Benchmarks -- --filter '*'</c>.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        IConfig config = DefaultConfig.Instance
            // JSON (full, with every measurement) and CSV are the regression baseline; both land in
            // BenchmarkDotNet.Artifacts/results/, which is git-ignored and never under bin/.
            .AddExporter(JsonExporter.Full, CsvExporter.Default)
            // The engine's rows must show Allocated = 0 B; the attribute is on every class too, this covers any new one.
            .AddDiagnoser(MemoryDiagnoser.Default)
            // Runs every [GlobalSetup] and benchmark once in-process before any timing, so a peer whose output
            // disagrees with the oracle (the setups throw) stops the run instead of producing a number.
            .AddValidator(ExecutionValidator.FailOnError)
            // A probe that would run in software emulation measures nothing about the machine: leave it out.
            .AddFilter(new HardwareFilter());

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
