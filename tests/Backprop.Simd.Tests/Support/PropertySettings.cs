namespace Backprop.Simd.Tests.Support;

/// <summary>Iteration counts of the property tests: modest by default, raised with <c>BACKPROP_LONG=1</c>.</summary>
internal static class PropertySettings
{
    public static bool Long { get; } = Environment.GetEnvironmentVariable("BACKPROP_LONG") == "1";

    public static long Iter(long quick, long thorough) => Long ? thorough : quick;
}
