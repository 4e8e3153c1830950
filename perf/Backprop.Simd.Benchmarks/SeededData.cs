namespace Backprop.Simd.Benchmarks;

/// <summary>Deterministic inputs for the [GlobalSetup]s, so every run times the same numbers.</summary>
internal static class SeededData
{
    /// <summary>The seed every benchmark starts from.</summary>
    public const int Seed = 42;

    /// <summary><paramref name="length"/> values uniform in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static float[] Uniform(Random random, int length, float low = -1f, float high = 1f)
    {
        var values = new float[length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = low + ((high - low) * (float)random.NextDouble());
        }

        return values;
    }

    /// <summary><paramref name="rows"/> one-hot rows of width <paramref name="classes"/>, a seeded class each.</summary>
    public static float[] OneHot(Random random, int rows, int classes)
    {
        var values = new float[rows * classes];
        for (int row = 0; row < rows; row++)
        {
            values[(row * classes) + random.Next(classes)] = 1f;
        }

        return values;
    }
}
