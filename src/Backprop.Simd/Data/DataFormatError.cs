namespace Backprop.Simd.Data;

/// <summary>
/// Builds the <see cref="InvalidDataException"/> for a data file that cannot be read as expected: the message
/// names the file and the line, and <see cref="Exception.Data"/> carries both under <see cref="PathKey"/> and
/// <see cref="LineKey"/>.
/// </summary>
public static class DataFormatError
{
    /// <summary>The <see cref="Exception.Data"/> key of the file path.</summary>
    public const string PathKey = "Backprop.Path";

    /// <summary>The <see cref="Exception.Data"/> key of the 1-based line (0: the whole file).</summary>
    public const string LineKey = "Backprop.Line";

    /// <summary>The error for <paramref name="path"/>, line <paramref name="line"/> (1-based; 0 for the whole file).</summary>
    public static InvalidDataException At(string path, int line, string problem)
    {
        var error = new InvalidDataException(line > 0 ? $"{path}:{line}: {problem}" : $"{path}: {problem}");
        error.Data[PathKey] = path;
        error.Data[LineKey] = line;
        return error;
    }

    /// <summary>Whether <paramref name="error"/> was built by <see cref="At"/> (and so already names file and line).</summary>
    public static bool IsLocated(Exception error) => error.Data.Contains(PathKey);
}
