using System.Globalization;
using System.IO.Compression;

namespace Backprop.Simd.Data;

/// <summary>
/// Reads a numeric CSV file (optionally gzip-compressed, by its <c>.gz</c> extension) of one sample per line:
/// feature values and an integer class label in a chosen column. Every malformed line is reported with its
/// file and line number.
/// </summary>
public static class CsvDatasetReader
{
    /// <summary>The largest class label accepted (the network gets one output per class up to the largest).</summary>
    public const int MaxLabel = 65_535;

    /// <summary>Reads <paramref name="path"/>.</summary>
    /// <param name="path">The file; <c>.gz</c> is decompressed.</param>
    /// <param name="labelColumn">0-based column of the label; negative counts from the end (−1: last).</param>
    /// <param name="hasHeader">Skip the first line.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A line is malformed: the message names the file and line.</exception>
    public static LabeledDataset Read(string path, int labelColumn = -1, bool hasHeader = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file.", path);
        }

        using Stream file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(stream);
        try
        {
            return Read(reader, path, labelColumn, hasHeader);
        }
        catch (InvalidDataException e) when (!DataFormatError.IsLocated(e))
        {
            throw DataFormatError.At(path, 0, $"not a valid gzip file ({e.Message})");
        }
    }

    /// <summary>Reads CSV text from <paramref name="reader"/>; <paramref name="name"/> is used in error messages.</summary>
    public static LabeledDataset Read(TextReader reader, string name, int labelColumn = -1, bool hasHeader = false)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var features = new List<float>();
        var labels = new List<int>();
        int columns = -1;
        int lineNumber = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if ((hasHeader && lineNumber == 1) || string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            string[] fields = line.Split(',');
            if (columns < 0)
            {
                columns = fields.Length;
                if (columns < 2)
                {
                    throw DataFormatError.At(name, lineNumber, $"expected at least 2 comma-separated fields (features and a label), found {columns}");
                }
            }
            else if (fields.Length != columns)
            {
                throw DataFormatError.At(name, lineNumber, $"expected {columns} fields like the first row, found {fields.Length}");
            }

            int label = labelColumn < 0 ? columns + labelColumn : labelColumn;
            if (label < 0 || label >= columns)
            {
                throw DataFormatError.At(name, lineNumber, $"label column {labelColumn} is outside the {columns} fields");
            }

            for (int j = 0; j < columns; j++)
            {
                string field = fields[j].Trim();
                if (j == label)
                {
                    if (!int.TryParse(field, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < 0 || value > MaxLabel)
                    {
                        throw DataFormatError.At(name, lineNumber, $"field {j + 1} is the label and must be an integer in 0..{MaxLabel}, but is '{field}'");
                    }

                    labels.Add(value);
                }
                else
                {
                    if (!float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
                    {
                        throw DataFormatError.At(name, lineNumber, $"field {j + 1} must be a finite number, but is '{field}'");
                    }

                    features.Add(value);
                }
            }
        }

        if (labels.Count == 0)
        {
            throw DataFormatError.At(name, 0, "no samples (the file is empty)");
        }

        int classes = labels.Max() + 1;
        return new LabeledDataset([.. features], [.. labels], columns - 1, classes);
    }
}
