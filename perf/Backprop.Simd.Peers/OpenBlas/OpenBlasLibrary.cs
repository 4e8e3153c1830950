using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Simd.Peers.OpenBlas;

/// <summary>
/// The few CBLAS and OpenBLAS entry points the peer calls, from Debian's <c>libopenblas0-pthread</c>
/// (<c>libopenblas.so.0</c>, OpenBLAS 0.3.21 built with DYNAMIC_ARCH: it picks its kernels for the CPU when it loads).
/// All arguments are blittable, so each call is a plain native call with no marshalling.
/// </summary>
/// <remarks>
/// OpenBLAS reads <c>OPENBLAS_CORETYPE</c> from the native environment once, when the library loads, and on Linux
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach that environment. This machine sets
/// <c>OPENBLAS_CORETYPE=Haswell</c>, which runs AVX2 kernels at about half the AVX-512 speed; so the launching shell, or
/// the BenchmarkDotNet job, must set <c>OPENBLAS_CORETYPE=SkylakeX</c>. <see cref="CoreName"/> tells what was picked.
/// </remarks>
internal static unsafe partial class OpenBlasLibrary
{
    public const string Library = "libopenblas.so.0";

    // CBLAS_ORDER and CBLAS_TRANSPOSE.
    public const int RowMajor = 101;
    public const int NoTrans = 111;
    public const int Trans = 112;

    private static readonly Lazy<string> s_coreName = new(() =>
    {
        // One thread, as for every peer: openblas_set_num_threads(1) as soon as the library is loaded.
        SetNumThreads(1);
        return Marshal.PtrToStringAnsi((nint)GetCoreName()) ?? "?";
    });

    /// <summary>The kernel set OpenBLAS picked at load (e.g. <c>SkylakeX</c>, <c>Haswell</c>); loading sets one thread.</summary>
    public static string CoreName => s_coreName.Value;

    /// <summary><c>openblas_get_config()</c>: version and build options.</summary>
    public static string Config
    {
        get
        {
            _ = CoreName;
            return Marshal.PtrToStringAnsi((nint)GetConfig()) ?? "?";
        }
    }

    /// <summary>Loads the library and sets it to one thread; every peer calls this before its first BLAS call.</summary>
    public static void Initialize() => _ = CoreName;

    /// <summary>Whether OpenBLAS runs with AVX-512 kernels, or the CPU has none to offer.</summary>
    public static bool UsesBestKernels => !Avx512F.IsSupported
        || CoreName.Contains("SkylakeX", StringComparison.OrdinalIgnoreCase)
        || CoreName.Contains("Cooperlake", StringComparison.OrdinalIgnoreCase)
        || CoreName.Contains("SapphireRapids", StringComparison.OrdinalIgnoreCase);

    /// <summary>A line for logs: config, core, threads, and a warning when the AVX-512 kernels are not in use.</summary>
    public static string Describe()
    {
        string line = $"OpenBLAS: {Config.Trim()}; core {CoreName}; {GetNumThreads()} thread(s); OPENBLAS_CORETYPE={Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") ?? "(unset)"}";
        return UsesBestKernels
            ? line
            : line + Environment.NewLine + "warning: the CPU has AVX-512 but OpenBLAS picked its " + CoreName
                + " kernels (half the speed or less); launch with OPENBLAS_CORETYPE=SkylakeX in the environment.";
    }

    /// <summary><c>C = α·op(A)·op(B) + β·C</c>, op(A) m×k, op(B) k×n.</summary>
    [LibraryImport(Library, EntryPoint = "cblas_sgemm")]
    public static partial void Sgemm(
        int order, int transA, int transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc);

    /// <summary><c>y = α·op(A)·x + β·y</c>, A m×n.</summary>
    [LibraryImport(Library, EntryPoint = "cblas_sgemv")]
    public static partial void Sgemv(int order, int trans, int m, int n, float alpha, float* a, int lda, float* x, int incX, float beta, float* y, int incY);

    /// <summary><c>A = α·x·yᵀ + A</c>, A m×n (the rank-1 update).</summary>
    [LibraryImport(Library, EntryPoint = "cblas_sger")]
    public static partial void Sger(int order, int m, int n, float alpha, float* x, int incX, float* y, int incY, float* a, int lda);

    [LibraryImport(Library, EntryPoint = "openblas_set_num_threads")]
    private static partial void SetNumThreads(int threads);

    [LibraryImport(Library, EntryPoint = "openblas_get_num_threads")]
    private static partial int GetNumThreads();

    [LibraryImport(Library, EntryPoint = "openblas_get_corename")]
    private static partial byte* GetCoreName();

    [LibraryImport(Library, EntryPoint = "openblas_get_config")]
    private static partial byte* GetConfig();
}
