using System.Diagnostics.CodeAnalysis;

namespace Backprop.Simd.Kernels;

/// <summary>Validation at the public boundary: every message names the argument, the expected and the actual size.</summary>
internal static class Guard
{
    public static void Length(int actual, long expected, string paramName, string shape)
    {
        if (actual != expected)
        {
            ThrowLength(actual, expected, paramName, shape);
        }
    }

    /// <summary>Checks a length against a product of two dimensions; the message is only built on failure.</summary>
    public static void Length(int actual, int rows, int columns, string paramName, string shape)
    {
        long expected = (long)rows * columns;
        if (actual != expected)
        {
            ThrowLength(actual, expected, paramName, $"{shape} = {rows} × {columns}");
        }
    }

    public static void Positive(int value, string paramName)
    {
        if (value <= 0)
        {
            ThrowOutOfRange(value, paramName, "must be positive");
        }
    }

    public static void NonNegative(int value, string paramName)
    {
        if (value < 0)
        {
            ThrowOutOfRange(value, paramName, "must not be negative");
        }
    }

    /// <summary>Rejects a destination that shares memory with a source it is not allowed to alias.</summary>
    public static void NoOverlap<T>(ReadOnlySpan<T> destination, ReadOnlySpan<T> source, string destinationName, string sourceName)
    {
        if (destination.Overlaps(source))
        {
            throw new ArgumentException($"{destinationName} must not overlap {sourceName}.", destinationName);
        }
    }

    /// <summary>Allows exact aliasing (in place) but rejects a partial overlap.</summary>
    public static void SameOrNoOverlap<T>(ReadOnlySpan<T> destination, ReadOnlySpan<T> source, string destinationName, string sourceName)
    {
        if (destination.Overlaps(source, out int offset) && offset != 0)
        {
            throw new ArgumentException(
                $"{destinationName} partially overlaps {sourceName} (offset {offset}); it may alias it exactly or not at all.",
                destinationName);
        }
    }

    [DoesNotReturn]
    private static void ThrowLength(int actual, long expected, string paramName, string shape)
        => throw new ArgumentException(
            $"{paramName} has length {actual}, but {shape} requires {expected}.", paramName);

    [DoesNotReturn]
    private static void ThrowOutOfRange(int value, string paramName, string what)
        => throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} {what}; it is {value}.");
}
