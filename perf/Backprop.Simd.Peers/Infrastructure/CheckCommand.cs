using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Runtime.Intrinsics;
using Backprop.Simd.Peers.OpenBlas;
using Backprop.Simd.Peers.Workloads;

namespace Backprop.Simd.Peers.Infrastructure;

/// <summary>
/// The <c>check</c> verb: runs the [GlobalSetup] of every workload once, in this process, so every peer's result is
/// compared with the engine's (and the engine's with the naive oracle) without timing anything, and prints one line
/// per peer and workload with its largest relative error. Exit code 1 if any disagrees or cannot run.
/// Launch it with <c>OPENBLAS_CORETYPE=SkylakeX</c> in the environment, so the OpenBLAS kernels checked are the ones
/// the benchmarks time (it warns otherwise).
/// </summary>
internal static class CheckCommand
{
    public static int Run()
    {
        PeerSetup.CheckOnly = true;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"peers check, {DateTime.UtcNow:yyyy-MM-dd}: {CpuModel()}; .NET {Environment.Version}; Vector512.IsHardwareAccelerated {Vector512.IsHardwareAccelerated}; Vector<float>.Count {Vector<float>.Count}"));
        int failures = 0;
        try
        {
            Console.WriteLine(OpenBlasLibrary.Describe());
        }
        catch (DllNotFoundException e)
        {
            Console.WriteLine($"OpenBLAS did not load ({e.Message}); apt-get install libopenblas0-pthread");
            failures++;
        }

        (string Name, object Suite, Action<object> Configure)[] suites =
        [
            ("W1", new W1PredictBenchmarks(), _ => { }),
            ("W2", new W2TrainStepBenchmarks(), _ => { }),
            ("W3", new W3DenseLayerBenchmarks(), _ => { }),
            ("W5", new W5OnlineStepBenchmarks(), _ => { }),
            ("W7-1024", new W7GemmBenchmarks(), _ => { }),
            .. W7LayerGemmBenchmarks.Shapes.Select(shape =>
                ($"W7-{shape}", (object)new W7LayerGemmBenchmarks(), (Action<object>)(s => ((W7LayerGemmBenchmarks)s).Shape = shape))),
        ];

        var stopwatch = Stopwatch.StartNew();
        int printed = 0;
        foreach ((string name, object suite, Action<object> configure) in suites)
        {
            configure(suite);
            try
            {
                Invoke(suite, "Setup");
            }
            catch (PeerDisagreesException)
            {
                // Its lines follow, marked DISAGREES.
            }
            catch (Exception e)
            {
                failures++;
                Console.WriteLine($"{name}: setup failed: {e.GetType().Name}: {e.Message.Split(Environment.NewLine)[0]}");
                if (e is DllNotFoundException && e.Message.Contains("LibTorchSharp", StringComparison.Ordinal))
                {
                    Console.WriteLine("  (on Debian 12, patch the build output: bash ../shared/tools/torchsharp-debian12/apply.sh <bin dir>)");
                }
            }
            finally
            {
                Invoke(suite, "Cleanup");
            }

            IReadOnlyList<AgreementResult> results = Agreement.All;
            foreach (AgreementResult result in results.Skip(printed))
            {
                Console.WriteLine(result);
            }

            printed = results.Count;
        }

        int agree = Agreement.All.Count(r => r.Agrees);
        int disagree = Agreement.All.Count - agree;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"check: {agree} agree, {disagree} disagree, {failures} setup failure(s), tolerance {Agreement.Tolerance:0e0}, {stopwatch.Elapsed.TotalSeconds:F1} s"));
        return disagree == 0 && failures == 0 ? 0 : 1;
    }

    // The benchmark classes' [GlobalSetup] and [GlobalCleanup] are public methods of these names.
    private static void Invoke(object suite, string method)
    {
        try
        {
            suite.GetType().GetMethod(method)!.Invoke(suite, null);
        }
        catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
        }
    }

    private static string CpuModel()
    {
        const string Key = "model name";
        try
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith(Key, StringComparison.Ordinal));
            return line is null ? "CPU ?" : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return "CPU ?";
        }
    }
}
