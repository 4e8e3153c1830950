using Backprop.Simd.Model;

namespace Backprop.Simd.IO;

/// <summary>How <see cref="ModelFile.Load{T}(ReadOnlySpan{byte}, ModelLoadOptions?)"/> reads a file.</summary>
public sealed record ModelLoadOptions
{
    /// <summary>The default cap on the JSON header: 100 MiB, far above any dense network's header.</summary>
    public const int DefaultMaxHeaderBytes = 100 * 1024 * 1024;

    private readonly int _maxHeaderBytes = DefaultMaxHeaderBytes;

    /// <summary>
    /// The architecture, required when the file carries none (a PyTorch <c>state_dict</c>). When the file has one too,
    /// both must agree on sizes and activations, and this one (its loss included) is used.
    /// </summary>
    public NetworkSpec? Spec { get; init; }

    /// <summary>Accept NaN and ±∞ weights; by default they are rejected (including F64 values that overflow float).</summary>
    public bool AllowNonFinite { get; init; }

    /// <summary>The largest JSON header accepted, in bytes; a file that declares more is rejected before reading it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public int MaxHeaderBytes
    {
        get => _maxHeaderBytes;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _maxHeaderBytes = value;
        }
    }
}
