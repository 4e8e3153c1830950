using System.Numerics;
using System.Runtime.Intrinsics;
using Backprop.Simd.Kernels.Simd;

namespace Backprop.Simd.Tests.Support;

/// <summary>A vector width a kernel can be forced to.</summary>
internal enum Width
{
    Scalar,
    Vector128,
    Vector256,
    Vector512,
}

/// <summary>Runs the internal GEMM kernels at one forced width, so every width is tested on every machine that has it.</summary>
internal static class Widths
{
    /// <summary>The scalar width and every width this machine accelerates.</summary>
    public static IReadOnlyList<Width> Available { get; } = BuildAvailable();

    public static int Count<T>(Width width)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => width switch
        {
            Width.Vector128 => Vector128<T>.Count,
            Width.Vector256 => Vector256<T>.Count,
            Width.Vector512 => Vector512<T>.Count,
            _ => 1,
        };

    /// <summary>Runs any <see cref="ISimdKernel{T}"/> at one forced width; the kernel's results stay in it.</summary>
    public static void Run<T, TKernel>(Width width, ref TKernel kernel)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TKernel : struct, ISimdKernel<T>, allows ref struct
    {
        switch (width)
        {
            case Width.Vector128:
                kernel.Run<Vector128<T>, Simd128<T>>();
                break;
            case Width.Vector256:
                kernel.Run<Vector256<T>, Simd256<T>>();
                break;
            case Width.Vector512:
                kernel.Run<Vector512<T>, Simd512<T>>();
                break;
            default:
                kernel.Run<T, SimdScalar<T>>();
                break;
        }
    }

    private static List<Width> BuildAvailable()
    {
        var widths = new List<Width> { Width.Scalar };
        if (Vector128.IsHardwareAccelerated)
        {
            widths.Add(Width.Vector128);
        }

        if (Vector256.IsHardwareAccelerated)
        {
            widths.Add(Width.Vector256);
        }

        if (Vector512.IsHardwareAccelerated)
        {
            widths.Add(Width.Vector512);
        }

        return widths;
    }
}
