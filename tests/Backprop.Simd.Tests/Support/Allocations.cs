using Xunit;

namespace Backprop.Simd.Tests.Support;

/// <summary>Asserts that a call allocates nothing on the managed heap once warmed up (JIT tiers and statics settled).</summary>
internal static class Allocations
{
    public delegate void Body();

    public static void AssertNone(string what, Body body)
    {
        for (int i = 0; i < 50; i++)
        {
            body();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            body();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"{what} allocated {allocated} bytes over 20 calls");
    }
}
