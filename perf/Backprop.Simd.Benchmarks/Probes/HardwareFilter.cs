using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Running;

namespace Backprop.Simd.Benchmarks.Probes;

/// <summary>The categories of benchmarks that only mean something when their vector width runs in hardware.</summary>
public static class HardwareCategories
{
    /// <summary>Needs <see cref="Vector512.IsHardwareAccelerated"/> (AVX-512).</summary>
    public const string Vector512 = "Vector512";

    /// <summary>Needs <see cref="Vector256.IsHardwareAccelerated"/> and a hardware FMA.</summary>
    public const string Vector256Fma = "Vector256Fma";

    /// <summary>Whether <paramref name="category"/>'s instructions run in hardware here.</summary>
    public static bool IsAccelerated(string category) => category switch
    {
        Vector512 => System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated,
        Vector256Fma => System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated && Fma.IsSupported,
        _ => true,
    };

    /// <summary>Throws when <paramref name="category"/> is emulated: a [GlobalSetup] guard for runs that bypass the filter.</summary>
    public static void Require(string category)
    {
        if (!IsAccelerated(category))
        {
            throw new PlatformNotSupportedException(
                $"{category} is not hardware-accelerated on this machine; the probe would time a software fallback.");
        }
    }
}

/// <summary>Drops the benchmarks whose hardware category is not accelerated on this machine.</summary>
internal sealed class HardwareFilter : IFilter
{
    public bool Predicate(BenchmarkCase benchmarkCase)
        => benchmarkCase.Descriptor.Categories.All(HardwareCategories.IsAccelerated);
}
