using Xunit;

namespace Backprop.Simd.Tests.Support;

/// <summary>Asserts that a call allocates nothing on the managed heap once warmed up (JIT tiers and statics settled).</summary>
internal static class Allocations
{
    public delegate void Body();

    /// <summary>
    /// Warms <paramref name="body"/> up, then measures windows of 20 calls until one allocates nothing (at most five).
    /// A call that allocates shows in every window; a one-off runtime allocation (a tier-up of the JIT landing in the
    /// window, seen once on CI) shows in one, so the smallest window decides.
    /// </summary>
    public static void AssertNone(string what, Body body)
    {
        for (int i = 0; i < 50; i++)
        {
            body();
        }

        long smallest = long.MaxValue;
        for (int window = 0; window < 5 && smallest != 0; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++)
            {
                body();
            }

            smallest = Math.Min(smallest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.True(smallest == 0, $"{what} allocated {smallest} bytes over 20 calls, in each of 5 windows");
    }
}
