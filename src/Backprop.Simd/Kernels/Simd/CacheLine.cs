using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Backprop.Simd.Kernels.Simd;

/// <summary>
/// Starting a buffer on a 64-byte cache line: a Vector512 load from it then never straddles two lines (a split load
/// costs a second L1 access). .NET aligns array data to 8 bytes only, so buffers that kernels stream are allocated a
/// little longer and used from their first cache line; they are pinned, so the alignment holds.
/// </summary>
internal static class CacheLine
{
    /// <summary>Bytes in a cache line.</summary>
    public const int Size = 64;

    /// <summary>The elements a buffer needs beyond its use to start that use on a cache line.</summary>
    public static int Slack<T>()
        where T : unmanaged
        => (Size / Unsafe.SizeOf<T>()) - 1;

    /// <summary>Elements from the start of <paramref name="buffer"/> to its first 64-byte boundary. Only the address is
    /// read: were a movable buffer moved later, results would stay right and only the alignment be lost.</summary>
    public static unsafe int Offset<T>(Span<T> buffer)
        where T : unmanaged
    {
        nuint address = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(buffer));
        return (int)(((Size - (address % Size)) % Size) / (nuint)Unsafe.SizeOf<T>());
    }
}

/// <summary>A pinned buffer of <see cref="Length"/> elements starting on a cache line (see <see cref="CacheLine"/>): the
/// network's parameters and gradients and the inference model's Wᵀ, which the kernels stream from L1/L2. (The
/// optimizers' moments stay plain arrays: aligning them changed nothing measurable, e.g. an Adam step of 784-256-128-10
/// 138.6 vs 140.1 µs, as their updates are bound by bandwidth, not by L1 accesses.)</summary>
internal readonly struct AlignedBuffer<T>
    where T : unmanaged
{
    private readonly T[] _storage;
    private readonly int _start;

    public AlignedBuffer(int length)
    {
        _storage = GC.AllocateArray<T>(checked(length + CacheLine.Slack<T>()), pinned: true);
        _start = CacheLine.Offset(_storage.AsSpan());
        Length = length;
    }

    /// <summary>The elements in use.</summary>
    public int Length { get; }

    /// <summary>The buffer: <see cref="Length"/> elements from the first cache line.</summary>
    public Span<T> Span => _storage.AsSpan(_start, Length);
}
