namespace Backprop.Simd.IO;

/// <summary>Builds the one exception type a malformed model file may cause, with names kept short enough to read.</summary>
internal static class ModelFileError
{
    private const int MaxQuotedLength = 80;

    public static InvalidDataException Create(string message) => new($"Invalid model file: {message}");

    /// <summary>A tensor name or other file text, quoted and cut short (names come from the file and may be huge).</summary>
    public static string Quote(string text)
        => text.Length <= MaxQuotedLength ? $"'{text}'" : $"'{text[..MaxQuotedLength]}…' ({text.Length} characters)";
}
