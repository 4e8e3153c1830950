using Backprop.Simd.Peers.OpenBlas;

namespace Backprop.Simd.Peers.Infrastructure;

/// <summary>What every [GlobalSetup] does first: load OpenBLAS (one thread) and make sure it runs its best kernels.</summary>
internal static class PeerSetup
{
    /// <summary>Set by the check verb, which compares results and times nothing: slow kernels get a warning, not an error.</summary>
    public static bool CheckOnly { get; set; }

    /// <summary>Logs the OpenBLAS configuration (it lands in BenchmarkDotNet's log) and refuses to time slow kernels.</summary>
    /// <exception cref="InvalidOperationException">The CPU has AVX-512 but OpenBLAS picked other kernels, and this is a benchmark run.</exception>
    public static void Prepare()
    {
        if (CheckOnly)
        {
            OpenBlasLibrary.Initialize();
            return;
        }

        Console.WriteLine(OpenBlasLibrary.Describe());
        if (!OpenBlasLibrary.UsesBestKernels)
        {
            throw new InvalidOperationException(
                $"OpenBLAS runs its {OpenBlasLibrary.CoreName} kernels on an AVX-512 CPU: timing it would understate the peer. "
                + "The default job sets OPENBLAS_CORETYPE=SkylakeX for the benchmark process; a custom or in-process job must too.");
        }
    }
}
