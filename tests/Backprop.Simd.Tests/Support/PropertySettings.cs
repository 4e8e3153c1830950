namespace Backprop.Simd.Tests.Support;

/// <summary>
/// Iteration counts and seeds of the property tests. The default run is modest and reproducible: every property
/// starts from a fixed seed, so CI sees the same cases each time. <c>BACKPROP_LONG=1</c> raises the counts and
/// draws fresh random seeds, to explore; <c>BACKPROP_SEED=…</c> replays the seed a failure printed.
/// </summary>
internal static class PropertySettings
{
    private const string DefaultSeed = "4eq2KL6KuBA3";

    public static bool Long { get; } = Environment.GetEnvironmentVariable("BACKPROP_LONG") == "1";

    /// <summary>The seed to start from: <c>BACKPROP_SEED</c>, else random in a long run, else the fixed default.</summary>
    public static string? Seed { get; } = Environment.GetEnvironmentVariable("BACKPROP_SEED") is { Length: > 0 } seed
        ? seed
        : Long ? null : DefaultSeed;

    public static long Iter(long quick, long thorough) => Long ? thorough : quick;
}
