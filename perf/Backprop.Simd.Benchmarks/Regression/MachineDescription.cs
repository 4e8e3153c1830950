using System.ComponentModel;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Backprop.Simd.Compare.Contract;
using Backprop.Simd.Kernels.Simd;

namespace Backprop.Simd.Benchmarks.Regression;

/// <summary>The machine a run was measured on, in the terms BENCHMARKS.md asks every report for; best effort.</summary>
internal static class MachineDescription
{
    /// <summary>Names the commit when git cannot (an exported tree, a CI checkout without .git).</summary>
    public const string CommitVariable = "BACKPROP_GIT_COMMIT";

    public static MachineInfo Current() => new(
        CpuModel(),
        Vector512.IsHardwareAccelerated,
        Vector<float>.Count,
        RuntimeInformation.FrameworkDescription,
        RuntimeInformation.OSDescription,
        DateTime.UtcNow,
        NonEmpty(Environment.GetEnvironmentVariable(CommitVariable)) ?? NonEmpty(Output("git", "rev-parse", "HEAD")),
        NonEmpty(Environment.GetEnvironmentVariable(SimdDispatch.MaxWidthVariable)));

    // lscpu's "Model name:" line (as the README quotes it), else /proc/cpuinfo's "model name", else the architecture.
    private static string CpuModel()
    {
        string? line = Output("lscpu")?.Split('\n').FirstOrDefault(l => l.StartsWith("Model name:", StringComparison.Ordinal))
            ?? (File.Exists("/proc/cpuinfo")
                ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))
                : null);
        return NonEmpty(line?[(line.IndexOf(':', StringComparison.Ordinal) + 1)..]) ?? RuntimeInformation.ProcessArchitecture.ToString();
    }

    /// <summary>The standard output of a short command, or null if it cannot run, fails or hangs.</summary>
    private static string? Output(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["LC_ALL"] = "C";
        try
        {
            using Process process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd();
            return process.WaitForExit(5_000) && process.ExitCode == 0 ? output : null;
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException or PlatformNotSupportedException)
        {
            return null;
        }
    }

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
