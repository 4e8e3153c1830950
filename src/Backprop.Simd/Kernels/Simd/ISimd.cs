using System.Numerics;
using System.Runtime.CompilerServices;

namespace Backprop.Simd.Kernels.Simd;

/// <summary>
/// One vector width, described by static members, so that each kernel is written once and
/// instantiated for <c>Vector512&lt;T&gt;</c>, <c>Vector256&lt;T&gt;</c>, <c>Vector128&lt;T&gt;</c> and plain
/// <typeparamref name="T"/> (width 1, the scalar path). Generic struct parameters give static dispatch:
/// the JIT and NativeAOT specialise and inline every call, with no delegates and no virtual calls.
/// </summary>
/// <typeparam name="TVec">The register type (a vector of <typeparamref name="T"/>, or <typeparamref name="T"/> itself).</typeparam>
/// <typeparam name="T">The element type, <see cref="float"/> or <see cref="double"/>.</typeparam>
internal interface ISimd<TVec, T>
    where TVec : struct
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Elements per register.</summary>
    static abstract int Count { get; }

    static abstract TVec Zero { get; }

    static abstract TVec AllBitsSet { get; }

    static abstract TVec Create(T value);

    static abstract TVec Load(ref T source, nuint offset);

    static abstract void Store(TVec value, ref T destination, nuint offset);

    static abstract TVec Add(TVec a, TVec b);

    static abstract TVec Subtract(TVec a, TVec b);

    static abstract TVec Multiply(TVec a, TVec b);

    static abstract TVec Divide(TVec a, TVec b);

    /// <summary><c>a·b + c</c>: one fused instruction where the hardware has one, otherwise a multiply then
    /// an add (never a software-emulated FMA, which NativeAOT's baseline ISA would otherwise produce).</summary>
    static abstract TVec MultiplyAdd(TVec a, TVec b, TVec c);

    /// <summary>IEEE maximum: NaN in either operand gives NaN.</summary>
    static abstract TVec Max(TVec a, TVec b);

    static abstract TVec Abs(TVec x);

    /// <summary>The correctly rounded square root of each lane.</summary>
    static abstract TVec Sqrt(TVec x);

    static abstract TVec Exp(TVec x);

    static abstract TVec Log(TVec x);

    /// <summary>All bits set in each lane where <c>a &gt; b</c>, zero elsewhere.</summary>
    static abstract TVec GreaterThan(TVec a, TVec b);

    /// <summary>Lane-wise <c>mask ? a : b</c>, where every lane of <paramref name="mask"/> is all ones or all zeros.</summary>
    static abstract TVec Select(TVec mask, TVec a, TVec b);

    /// <summary>The lanes of <paramref name="value"/> where <paramref name="mask"/> is set, zero elsewhere.</summary>
    static abstract TVec KeepLanes(TVec value, TVec mask);

    /// <summary>A mask with the last <paramref name="count"/> lanes set: it picks the lanes of an overlapping
    /// final vector (loaded at <c>length − Count</c>) that no earlier full vector covered.</summary>
    static abstract TVec TailMask(int count);

    /// <summary>The sum of all lanes.</summary>
    static abstract T Sum(TVec x);
}

/// <summary>Chooses the widest accelerated width that fits a length, and runs a kernel at that width.</summary>
internal static class SimdDispatch
{
    /// <summary>
    /// The diagnostic switch that caps the width <see cref="Run{T, TKernel}(ref TKernel, int)"/> picks: <c>0</c>
    /// (scalar), <c>128</c>, <c>256</c> or <c>512</c> bits; unset or empty means no cap. Read once, at first use.
    /// </summary>
    public const string MaxWidthVariable = "BACKPROP_SIMD_MAX_WIDTH";

    /// <summary>The cap that leaves every width available: Vector512 is the widest there is.</summary>
    public const int Uncapped = 512;

    // A static readonly that tier-1 JIT code reads as a constant: with the switch unset, the tests against it fold
    // away and the dispatch is what it was. A value that is not a width fails the first kernel call loudly (a
    // TypeInitializationException around the message below) rather than silently timing the wrong code.
    private static readonly int s_maxWidth = ParseMaxWidth(Environment.GetEnvironmentVariable(MaxWidthVariable));

    /// <summary>The width cap, in bits, that <paramref name="value"/> (the switch's text) asks for.</summary>
    /// <exception cref="InvalidOperationException"><paramref name="value"/> is not 0, 128, 256, 512 or blank.</exception>
    internal static int ParseMaxWidth(string? value) => value?.Trim() switch
    {
        null or "" => Uncapped,
        "0" => 0,
        "128" => 128,
        "256" => 256,
        "512" => 512,
        _ => throw new InvalidOperationException(
            $"{MaxWidthVariable}='{value}' is not a vector width: use 0 (scalar), 128, 256 or 512 bits, or leave it unset."),
    };

    /// <summary>
    /// Runs <paramref name="kernel"/> with the widest hardware-accelerated vector whose element count does not
    /// exceed <paramref name="length"/>, falling back to the scalar width.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<T, TKernel>(ref TKernel kernel, int length)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TKernel : struct, ISimdKernel<T>, allows ref struct
        => Run<T, TKernel>(ref kernel, length, s_maxWidth);

    /// <summary>As <see cref="Run{T, TKernel}(ref TKernel, int)"/>, with no width above <paramref name="maxWidth"/> bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Run<T, TKernel>(ref TKernel kernel, int length, int maxWidth)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TKernel : struct, ISimdKernel<T>, allows ref struct
    {
        if (maxWidth >= 512 && System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated && length >= Simd512<T>.Count)
        {
            kernel.Run<System.Runtime.Intrinsics.Vector512<T>, Simd512<T>>();
        }
        else if (maxWidth >= 256 && System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated && length >= Simd256<T>.Count)
        {
            kernel.Run<System.Runtime.Intrinsics.Vector256<T>, Simd256<T>>();
        }
        else if (maxWidth >= 128 && System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated && length >= Simd128<T>.Count)
        {
            kernel.Run<System.Runtime.Intrinsics.Vector128<T>, Simd128<T>>();
        }
        else
        {
            kernel.Run<T, SimdScalar<T>>();
        }
    }

    /// <summary>Runs <paramref name="kernel"/> at the scalar width only: the oracle path, for tests.</summary>
    public static void RunScalar<T, TKernel>(ref TKernel kernel)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TKernel : struct, ISimdKernel<T>, allows ref struct
        => kernel.Run<T, SimdScalar<T>>();
}

/// <summary>A kernel body written once for every width; <see cref="SimdDispatch"/> picks the width.</summary>
internal interface ISimdKernel<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    void Run<TVec, TSimd>()
        where TVec : struct
        where TSimd : struct, ISimd<TVec, T>;
}
