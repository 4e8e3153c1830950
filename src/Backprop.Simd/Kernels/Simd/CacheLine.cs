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

    /// <summary>A pinned array of <paramref name="length"/> + <see cref="Slack{T}"/> elements, and the index of its
    /// first element on a cache line: use <c>storage.AsSpan(start, length)</c>.</summary>
    public static (T[] Storage, int Start) Allocate<T>(int length)
        where T : unmanaged
    {
        T[] storage = GC.AllocateArray<T>(checked(length + Slack<T>()), pinned: true);
        return (storage, Offset(storage.AsSpan()));
    }
}
