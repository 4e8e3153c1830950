namespace Backprop.Simd.IO;

/// <summary>
/// One tensor of a safetensors header, already checked: its byte range lies in the data section and holds exactly
/// shape × dtype size bytes.
/// </summary>
/// <param name="Name">The tensor's name in the file.</param>
/// <param name="DType">Its element type.</param>
/// <param name="Shape">Its dimensions, each non-negative.</param>
/// <param name="Begin">First byte, relative to the data section.</param>
/// <param name="End">One past the last byte, relative to the data section.</param>
internal sealed record TensorEntry(string Name, TensorDType DType, long[] Shape, long Begin, long End)
{
    /// <summary>The shape as the message of an error shows it: <c>[10, 64]</c>.</summary>
    public string ShapeText => FormatShape(Shape);

    public static string FormatShape(ReadOnlySpan<long> shape) => $"[{string.Join(", ", shape.ToArray())}]";
}
