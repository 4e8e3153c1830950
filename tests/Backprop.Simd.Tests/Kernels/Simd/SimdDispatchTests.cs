using System.Runtime.Intrinsics;
using Backprop.Simd.Kernels.Simd;
using Xunit;

namespace Backprop.Simd.Tests.Kernels.Simd;

/// <summary>
/// The width the dispatcher picks, and the <c>BACKPROP_SIMD_MAX_WIDTH</c> switch that caps it. The switch is read
/// once per process, so its parsing and the capped dispatch are tested directly, not through the environment.
/// </summary>
public class SimdDispatchTests
{
    [Theory]
    [InlineData(null, 512)]
    [InlineData("", 512)]
    [InlineData("  ", 512)]
    [InlineData("0", 0)]
    [InlineData("128", 128)]
    [InlineData(" 256 ", 256)]
    [InlineData("512", 512)]
    public void ParsesEveryWidth(string? value, int expected)
        => Assert.Equal(expected, SimdDispatch.ParseMaxWidth(value));

    [Theory]
    [InlineData("64")]
    [InlineData("1024")]
    [InlineData("-1")]
    [InlineData("scalar")]
    [InlineData("256bits")]
    public void RejectsWhatIsNotAWidth(string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => SimdDispatch.ParseMaxWidth(value));
        Assert.Contains(SimdDispatch.MaxWidthVariable, error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(128)]
    [InlineData(256)]
    [InlineData(512)]
    public void PicksTheWidestAcceleratedWidthUnderTheCap(int maxWidth)
    {
        var kernel = new WidthProbe();
        SimdDispatch.Run<float, WidthProbe>(ref kernel, int.MaxValue, maxWidth);
        Assert.Equal(Expected(maxWidth), kernel.Bits);
    }

    [Fact]
    public void ShortLengthsStillStepDownUnderTheCap()
    {
        var kernel = new WidthProbe();
        SimdDispatch.Run<float, WidthProbe>(ref kernel, Vector128<float>.Count, SimdDispatch.Uncapped);
        Assert.Equal(Vector128.IsHardwareAccelerated ? 128 : 0, kernel.Bits);
    }

    [Fact]
    public void RunAppliesTheSwitchOfThisProcess()
    {
        // Unset here (so no cap) unless whoever runs the tests sets it; either way Run follows the parsed value.
        int cap = SimdDispatch.ParseMaxWidth(Environment.GetEnvironmentVariable(SimdDispatch.MaxWidthVariable));
        var viaSwitch = new WidthProbe();
        var explicitCap = new WidthProbe();
        SimdDispatch.Run<float, WidthProbe>(ref viaSwitch, int.MaxValue);
        SimdDispatch.Run<float, WidthProbe>(ref explicitCap, int.MaxValue, cap);
        Assert.Equal(explicitCap.Bits, viaSwitch.Bits);
    }

    private static int Expected(int maxWidth)
    {
        int[] accelerated =
        [
            Vector512.IsHardwareAccelerated ? 512 : 0,
            Vector256.IsHardwareAccelerated ? 256 : 0,
            Vector128.IsHardwareAccelerated ? 128 : 0,
        ];
        return accelerated.Where(bits => bits <= maxWidth).DefaultIfEmpty(0).Max();
    }

    /// <summary>Records the register width, in bits, it was run at (0 for the scalar width).</summary>
    private struct WidthProbe : ISimdKernel<float>
    {
        public int Bits { get; private set; }

        public void Run<TVec, TSimd>()
            where TVec : struct
            where TSimd : struct, ISimd<TVec, float>
            => Bits = typeof(TVec) == typeof(float) ? 0 : TSimd.Count * sizeof(float) * 8;
    }
}
