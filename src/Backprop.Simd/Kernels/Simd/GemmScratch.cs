namespace Backprop.Simd.Kernels.Simd;

/// <summary>
/// Packing scratch for the public <see cref="DenseKernels"/> calls, which take no workspace: one buffer per thread,
/// grown to the largest request and then reused, so after a thread's first call of a given size nothing is allocated.
/// A <see cref="Model.Network{T}"/> packs into its own planned workspace instead.
/// </summary>
internal static class GemmScratch<T>
    where T : unmanaged
{
    [ThreadStatic]
    private static T[]? t_buffer;

    public static Span<T> Get(int length)
    {
        if (length == 0)
        {
            return default;
        }

        T[]? buffer = t_buffer;
        if (buffer is null || buffer.Length < length)
        {
            // Pinned, so the packed GEMM's panels keep the cache-line alignment it gives them.
            buffer = GC.AllocateUninitializedArray<T>(length, pinned: true);
            t_buffer = buffer;
        }

        return buffer.AsSpan(0, length);
    }
}
