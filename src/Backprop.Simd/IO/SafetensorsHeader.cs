using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Backprop.Simd.IO;

/// <summary>
/// The header of a safetensors file, parsed and checked against the file it came from: an 8-byte little-endian
/// length N, N bytes of UTF-8 JSON (tensor name → dtype, shape, data_offsets; optional string → string
/// <c>__metadata__</c>; trailing spaces allowed), then the data section. Every number from the file is checked
/// against the file's real length before it is used, and every failure is an <see cref="InvalidDataException"/>.
/// </summary>
internal sealed class SafetensorsHeader
{
    public const int LengthPrefixBytes = sizeof(ulong);
    public const string MetadataKey = "__metadata__";

    private SafetensorsHeader(List<TensorEntry> tensors, Dictionary<string, string> metadata, int dataStart)
    {
        Tensors = tensors;
        Metadata = metadata;
        DataStart = dataStart;
    }

    /// <summary>The tensors, in the order the header lists them.</summary>
    public IReadOnlyList<TensorEntry> Tensors { get; }

    /// <summary>The <c>__metadata__</c> entries (empty if there were none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>File offset of the data section.</summary>
    public int DataStart { get; }

    /// <summary>Parses and validates the header of <paramref name="file"/>, and checks that its tensors tile the data section.</summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed safetensors file.</exception>
    public static SafetensorsHeader Parse(ReadOnlySpan<byte> file, int maxHeaderBytes)
    {
        if (file.Length < LengthPrefixBytes)
        {
            throw ModelFileError.Create(
                $"the file is {file.Length} bytes, too short for the {LengthPrefixBytes}-byte header length a safetensors file starts with.");
        }

        ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(file);
        int available = file.Length - LengthPrefixBytes;
        if (declared > (ulong)available)
        {
            throw ModelFileError.Create(
                $"the header length at file offset 0 is {declared} bytes, but only {available} bytes follow it (truncated, or not a safetensors file).");
        }

        if (declared > (ulong)maxHeaderBytes)
        {
            throw ModelFileError.Create($"the header is {declared} bytes, over the limit of {maxHeaderBytes} (ModelLoadOptions.MaxHeaderBytes).");
        }

        int headerLength = (int)declared;
        ReadOnlySpan<byte> json = file.Slice(LengthPrefixBytes, headerLength);
        CheckUtf8(json);

        int dataStart = LengthPrefixBytes + headerLength;
        var tensors = new List<TensorEntry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            ParseJson(json, file.Length - dataStart, tensors, metadata);
        }
        catch (JsonException e)
        {
            throw ModelFileError.Create($"the header is not valid JSON: {e.Message}");
        }

        CheckLayout(tensors, file.Length - dataStart, dataStart);
        return new SafetensorsHeader(tensors, metadata, dataStart);
    }

    private static void CheckUtf8(ReadOnlySpan<byte> json)
    {
        if (System.Text.Unicode.Utf8.IsValid(json))
        {
            return;
        }

        int offset = 0;
        while (Rune.DecodeFromUtf8(json[offset..], out _, out int consumed) == System.Buffers.OperationStatus.Done)
        {
            offset += consumed;
        }

        throw ModelFileError.Create($"the header is not valid UTF-8 (file offset {LengthPrefixBytes + offset}).");
    }

    private static void ParseJson(ReadOnlySpan<byte> json, long dataLength, List<TensorEntry> tensors, Dictionary<string, string> metadata)
    {
        // Utf8JsonReader reports an empty input as a JsonException whose message does not say "empty".
        if (json.Trim(" \t\r\n"u8).IsEmpty)
        {
            throw ModelFileError.Create("the header is empty; expected a JSON object.");
        }

        // A header is at most three levels deep (root, tensor, shape); anything deeper is malformed anyway.
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 8 });
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw ModelFileError.Create($"the header is a JSON {reader.TokenType}, not an object (file offset {LengthPrefixBytes + reader.TokenStartIndex}).");
        }

        bool sawMetadata = false;
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            long at = LengthPrefixBytes + reader.TokenStartIndex;
            string name = GetString(ref reader, "a tensor name");
            if (name == MetadataKey)
            {
                if (sawMetadata)
                {
                    throw ModelFileError.Create($"the header has two {MetadataKey} entries (the second at file offset {at}).");
                }

                sawMetadata = true;
                ReadMetadata(ref reader, metadata);
            }
            else
            {
                if (!names.Add(name))
                {
                    throw ModelFileError.Create($"tensor {ModelFileError.Quote(name)} appears twice in the header (again at file offset {at}).");
                }

                tensors.Add(ReadTensor(ref reader, name, dataLength));
            }
        }

        // Utf8JsonReader itself rejects anything but whitespace after the root object, so reaching the end is enough.
        while (reader.Read())
        {
        }
    }

    private static void ReadMetadata(ref Utf8JsonReader reader, Dictionary<string, string> metadata)
    {
        Expect(ref reader, JsonTokenType.StartObject, $"{MetadataKey}");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string key = GetString(ref reader, $"a {MetadataKey} key");
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
            {
                throw ModelFileError.Create(
                    $"{MetadataKey} entry {ModelFileError.Quote(key)} is a JSON {reader.TokenType}, but metadata values must be strings (file offset {LengthPrefixBytes + reader.TokenStartIndex}).");
            }

            if (!metadata.TryAdd(key, GetString(ref reader, $"{MetadataKey} entry {ModelFileError.Quote(key)}")))
            {
                throw ModelFileError.Create($"{MetadataKey} has two entries named {ModelFileError.Quote(key)}.");
            }
        }
    }

    private static TensorEntry ReadTensor(ref Utf8JsonReader reader, string name, long dataLength)
    {
        string what = $"tensor {ModelFileError.Quote(name)}";
        Expect(ref reader, JsonTokenType.StartObject, what);
        string? dtypeName = null;
        long[]? shape = null, offsets = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            long at = LengthPrefixBytes + reader.TokenStartIndex;

            // Compared as strings, not with ValueTextEquals, which throws InvalidOperationException on a bad escape.
            string property = GetString(ref reader, $"a property name of {what}");
            if (property == "dtype" && dtypeName is null)
            {
                Expect(ref reader, JsonTokenType.String, $"the dtype of {what}");
                dtypeName = GetString(ref reader, $"the dtype of {what}");
            }
            else if (property == "shape" && shape is null)
            {
                shape = ReadIntegers(ref reader, $"the shape of {what}");
            }
            else if (property == "data_offsets" && offsets is null)
            {
                offsets = ReadIntegers(ref reader, $"the data_offsets of {what}");
            }
            else
            {
                throw ModelFileError.Create(
                    $"{what} has an unexpected or repeated property {ModelFileError.Quote(property)} (file offset {at}); "
                    + "expected dtype, shape and data_offsets once each.");
            }
        }

        if (dtypeName is null || shape is null || offsets is null)
        {
            string missing = dtypeName is null ? "dtype" : shape is null ? "shape" : "data_offsets";
            throw ModelFileError.Create($"{what} has no {missing}.");
        }

        TensorDType dtype = TensorDTypes.Parse(dtypeName, name);
        if (offsets.Length != 2)
        {
            throw ModelFileError.Create($"the data_offsets of {what} have {offsets.Length} entries; expected [begin, end].");
        }

        long begin = offsets[0], end = offsets[1];
        if (begin > end)
        {
            throw ModelFileError.Create($"the data_offsets of {what} begin after they end ([{begin}, {end}]).");
        }

        if (end > dataLength)
        {
            throw ModelFileError.Create(
                $"the data_offsets of {what}, [{begin}, {end}], run past the data section's {dataLength} bytes.");
        }

        long bytes;
        try
        {
            long count = 1;
            foreach (long dimension in shape)
            {
                count = checked(count * dimension);
            }

            bytes = checked(count * TensorDTypes.Size(dtype));
        }
        catch (OverflowException)
        {
            throw ModelFileError.Create($"the shape of {what}, {TensorEntry.FormatShape(shape)}, has more elements than a file can hold (overflow).");
        }

        if (bytes != end - begin)
        {
            throw ModelFileError.Create(
                $"{what} is {TensorDTypes.Name(dtype)} of shape {TensorEntry.FormatShape(shape)}, so it needs {bytes} bytes, but its data_offsets [{begin}, {end}] span {end - begin}.");
        }

        return new TensorEntry(name, dtype, shape, begin, end);
    }

    // An array of non-negative integers that fit a long; 1.5, -1, 1e3 and 2^63 are all rejected.
    private static long[] ReadIntegers(ref Utf8JsonReader reader, string what)
    {
        Expect(ref reader, JsonTokenType.StartArray, what);
        var values = new List<long>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            long at = LengthPrefixBytes + reader.TokenStartIndex;
            if (reader.TokenType != JsonTokenType.Number)
            {
                throw ModelFileError.Create($"{what} contains a JSON {reader.TokenType}, not an integer (file offset {at}).");
            }

            if (!reader.TryGetInt64(out long value) || value < 0)
            {
                string text = Encoding.UTF8.GetString(reader.ValueSpan);
                throw ModelFileError.Create(
                    $"{what} contains {ModelFileError.Quote(text)}, which is not an integer in 0..{long.MaxValue} (file offset {at}).");
            }

            values.Add(value);
        }

        return [.. values];
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType expected, string what)
    {
        reader.Read();
        if (reader.TokenType != expected)
        {
            throw ModelFileError.Create(
                $"{what} is a JSON {reader.TokenType}, expected {expected} (file offset {LengthPrefixBytes + reader.TokenStartIndex}).");
        }
    }

    // Utf8JsonReader validates escapes only when unescaping, and reports a lone surrogate (\uD800) as InvalidOperationException.
    private static string GetString(ref Utf8JsonReader reader, string what)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            throw ModelFileError.Create($"{what} is not a valid JSON string (file offset {LengthPrefixBytes + reader.TokenStartIndex}): {e.Message}");
        }
    }

    // The tensors must tile the data section exactly, as the reference implementation requires: no two overlap, no
    // byte belongs to none (a gap or trailing bytes would be unread, and could hide anything).
    private static void CheckLayout(List<TensorEntry> tensors, long dataLength, int dataStart)
    {
        var sorted = tensors.ToArray();
        Array.Sort(sorted, static (a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long expected = 0;
        TensorEntry? previous = null;
        foreach (TensorEntry tensor in sorted)
        {
            if (tensor.Begin < expected)
            {
                throw ModelFileError.Create(
                    $"tensor {ModelFileError.Quote(tensor.Name)} at data bytes [{tensor.Begin}, {tensor.End}] overlaps tensor {ModelFileError.Quote(previous!.Name)} at [{previous.Begin}, {previous.End}].");
            }

            if (tensor.Begin > expected)
            {
                throw ModelFileError.Create(
                    $"data bytes [{expected}, {tensor.Begin}] (file offset {dataStart + expected}) belong to no tensor: a gap before tensor {ModelFileError.Quote(tensor.Name)}.");
            }

            expected = tensor.End;
            previous = tensor;
        }

        if (expected != dataLength)
        {
            throw ModelFileError.Create(
                $"the data section is {dataLength} bytes, but its tensors end at byte {expected}: {dataLength - expected} trailing bytes from file offset {dataStart + expected}.");
        }
    }
}
