using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Backprop.Simd.Kernels.Simd;
using Backprop.Simd.Model;
using Xunit;

namespace Backprop.Simd.Tests.Kernels.Simd;

/// <summary>The buffers the kernels stream start on a 64-byte cache line (a split vector load costs a second L1 access:
/// misaligned, the batch-1 step measured 1.4× slower).</summary>
public sealed class CacheLineTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(100_003)]
    public void AllocatedBuffersStartOnACacheLine(int length)
    {
        var floats = new AlignedBuffer<float>(length);
        Assert.Equal(length, floats.Span.Length);
        Assert.Equal(0u, Address(floats.Span) % CacheLine.Size);
        var doubles = new AlignedBuffer<double>(length);
        Assert.Equal(length, doubles.Span.Length);
        Assert.Equal(0u, Address(doubles.Span) % CacheLine.Size);
    }

    [Fact]
    public void OffsetIsTheDistanceToTheFirstBoundary()
    {
        float[] buffer = GC.AllocateArray<float>(64, pinned: true);
        for (int skip = 0; skip < 16; skip++)
        {
            Span<float> span = buffer.AsSpan(skip);
            int offset = CacheLine.Offset(span);
            Assert.InRange(offset, 0, CacheLine.Slack<float>());
            Assert.Equal(0u, Address(span[offset..]) % CacheLine.Size);
        }
    }

    [Theory]
    [InlineData("784-128-10")]
    [InlineData("3-5-2")]
    public void NetworkAndModelBuffersStartOnACacheLine(string architecture)
    {
        var network = new Network<float>(NetworkSpec.Parse(architecture), maxBatch: 4, seed: 1);
        Assert.Equal(0u, Address(network.Parameters) % CacheLine.Size);
        Assert.Equal(0u, Address(network.Gradients) % CacheLine.Size);
        Assert.Equal(0u, Address(network.ToInferenceModel().Transposed) % CacheLine.Size);

        var precise = new Network<double>(NetworkSpec.Parse(architecture), maxBatch: 4, seed: 1);
        Assert.Equal(0u, Address(precise.Parameters) % CacheLine.Size);
        Assert.Equal(0u, Address(precise.ToInferenceModel().Transposed) % CacheLine.Size);
    }

    private static unsafe nuint Address<T>(Span<T> span)
        where T : unmanaged
        => (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(span));
}
