using System.Runtime.Intrinsics.X86;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using Backprop.Simd.Peers.Infrastructure;

namespace Backprop.Simd.Peers;

/// <summary>
/// Peers run in the same process as the engine, on the same data and recipe, so their ratio holds on a noisy machine.
/// <c>w6</c> trains Fashion-MNIST (engine vs TorchSharp); <c>check</c> runs every peer's correctness check once;
/// anything else goes to BenchmarkDotNet (<c>--filter '*'</c>, <c>--list flat</c>, <c>--job dry</c>, ...).
/// </summary>
public static class Program
{
    public static int Main(string[] args) => args.FirstOrDefault() switch
    {
        "w6" => W6Command.Run(args[1..]),
        "check" => CheckCommand.Run(),
        _ => RunBenchmarks(args),
    };

    private static int RunBenchmarks(string[] args)
    {
        // Every job (the default one, or --job dry/short/...) launches each benchmark process with OpenBLAS set to one
        // thread and, on an AVX-512 CPU, to its AVX-512 kernels: OpenBLAS reads OPENBLAS_CORETYPE only from the native
        // environment when it loads, so it must be set for the child process (this machine sets Haswell). A mutator is
        // applied to whichever jobs run; a custom default job would instead replace the job given on the command line.
        var environment = new List<EnvironmentVariable> { new("OPENBLAS_NUM_THREADS", "1") };
        if (Avx512F.IsSupported)
        {
            environment.Add(new("OPENBLAS_CORETYPE", "SkylakeX"));
        }

        IConfig config = DefaultConfig.Instance
            .AddJob(Job.Default.WithEnvironmentVariables([.. environment]).AsMutator())
            // JSON (full, with every measurement) beside the default CSV is the regression baseline; both land in
            // BenchmarkDotNet.Artifacts/results/ under the current directory, never under bin/.
            .AddExporter(JsonExporter.Full)
            .AddDiagnoser(MemoryDiagnoser.Default)
            // Ratios are quoted from medians, so the table always shows them (BenchmarkDotNet hides them by default).
            .AddColumn(StatisticColumn.Median, new FlopsColumn());

        // A [GlobalSetup] that throws (a peer disagreeing with the engine) fails its benchmark in BenchmarkDotNet's
        // child process; that, like a validation error, makes the exit code 1.
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
