namespace Backprop.Simd.Benchmarks;

/// <summary>The equality a peer's output must meet before it is timed: a relative tolerance with an absolute floor.</summary>
internal static class OutputCheck
{
    private const float Relative = 1e-4f;
    private const float Absolute = 1e-5f;

    /// <exception cref="InvalidOperationException"><paramref name="actual"/> differs from <paramref name="expected"/>.</exception>
    public static void AssertClose(string who, ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        if (expected.Length != actual.Length)
        {
            throw new InvalidOperationException($"{who}: {actual.Length} outputs, but the reference has {expected.Length}.");
        }

        for (int i = 0; i < expected.Length; i++)
        {
            float tolerance = Math.Max(Absolute, Relative * Math.Abs(expected[i]));
            if (!(Math.Abs(actual[i] - expected[i]) <= tolerance))
            {
                throw new InvalidOperationException(
                    $"{who}: output[{i}] = {actual[i]:R}, but the reference gives {expected[i]:R} (tolerance {tolerance:R}); "
                    + "a peer that computes something else must not be timed.");
            }
        }
    }
}
