using System.Buffers.Binary;
using System.IO.Compression;

namespace Backprop.Simd.Data;

/// <summary>
/// Reads the IDX format of the MNIST family (MNIST, Fashion-MNIST): a 4-byte magic (0, 0, type, dimensions), one
/// big-endian 32-bit size per dimension, then the values. Only unsigned bytes (type 0x08) are read, as those sets
/// use. Files may be raw or gzip-compressed (recognised by content, not by name). Every problem is an
/// <see cref="InvalidDataException"/> naming the file, the record or byte offset, and what was expected.
/// </summary>
public static class IdxDatasetReader
{
    private const byte UnsignedByte = 0x08;
    private const long MaxBytes = 0x7FFFFFC7; // Array.MaxLength: the largest byte[] there is.

    /// <summary>The file names of the MNIST-family sets inside their directory.</summary>
    public static (string Images, string Labels) FileNames(bool training)
        => training
            ? ("train-images-idx3-ubyte", "train-labels-idx1-ubyte")
            : ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    /// <summary>
    /// Reads the training or test set from an MNIST-family directory (files with or without <c>.gz</c>).
    /// Pixels are 0..255 as floats; scale them with <see cref="FeatureScaler"/> or divide by 255.
    /// </summary>
    /// <exception cref="FileNotFoundException">A file of the set is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or the two disagree.</exception>
    public static LabeledDataset ReadDirectory(string directory, bool training)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        (string images, string labels) = FileNames(training);
        return Read(Find(directory, images), Find(directory, labels));
    }

    /// <summary>Reads images (IDX, at least one dimension after the count) and their labels (IDX, one dimension).</summary>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or the two disagree.</exception>
    public static LabeledDataset Read(string imagesPath, string labelsPath)
    {
        (byte[] pixels, int[] imageShape) = ReadFile(imagesPath);
        (byte[] labelBytes, int[] labelShape) = ReadFile(labelsPath);
        if (imageShape.Length < 2)
        {
            throw DataFormatError.At(imagesPath, 0, $"images need at least 2 dimensions (count and pixels), found {imageShape.Length}");
        }

        if (labelShape.Length != 1)
        {
            throw DataFormatError.At(labelsPath, 0, $"labels need exactly 1 dimension, found {labelShape.Length}");
        }

        if (labelShape[0] != imageShape[0])
        {
            throw DataFormatError.At(labelsPath, 0, $"has {labelShape[0]} labels, but {imagesPath} has {imageShape[0]} images");
        }

        int count = imageShape[0];
        int features = pixels.Length / Math.Max(count, 1);
        if (count == 0)
        {
            throw DataFormatError.At(imagesPath, 0, "no samples (the count is 0)");
        }

        var labels = new int[count];
        int classes = 0;
        for (int i = 0; i < count; i++)
        {
            labels[i] = labelBytes[i];
            classes = Math.Max(classes, labels[i] + 1);
        }

        var values = new float[pixels.Length];
        for (int i = 0; i < pixels.Length; i++)
        {
            values[i] = pixels[i];
        }

        return new LabeledDataset(values, labels, features, classes);
    }

    /// <summary>Reads one IDX file of unsigned bytes: its values and its dimensions.</summary>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    /// <exception cref="InvalidDataException">The file is malformed.</exception>
    public static (byte[] Values, int[] Shape) ReadFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file.", path);
        }

        using Stream file = File.OpenRead(path);
        bool gzip = file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
        file.Position = 0;
        using Stream stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
        try
        {
            return Read(stream, path);
        }
        catch (InvalidDataException e) when (!DataFormatError.IsLocated(e))
        {
            throw DataFormatError.At(path, 0, $"not a valid gzip file ({e.Message})");
        }
    }

    private static (byte[] Values, int[] Shape) Read(Stream stream, string path)
    {
        Span<byte> magic = stackalloc byte[4];
        if (stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) < 4)
        {
            throw DataFormatError.At(path, 0, "truncated: the 4-byte IDX magic number is missing");
        }

        if (magic[0] != 0 || magic[1] != 0)
        {
            throw DataFormatError.At(path, 0, $"not an IDX file: the magic number starts {magic[0]:x2} {magic[1]:x2}, expected 00 00");
        }

        if (magic[2] != UnsignedByte)
        {
            throw DataFormatError.At(path, 0, $"IDX type 0x{magic[2]:x2} is not supported (only 0x08, unsigned bytes)");
        }

        int dimensions = magic[3];
        if (dimensions == 0)
        {
            throw DataFormatError.At(path, 0, "the IDX header declares 0 dimensions");
        }

        var shape = new int[dimensions];
        long total = 1;
        Span<byte> size = stackalloc byte[4];
        for (int d = 0; d < dimensions; d++)
        {
            if (stream.ReadAtLeast(size, 4, throwOnEndOfStream: false) < 4)
            {
                throw DataFormatError.At(path, 0, $"truncated header: dimension {d + 1} of {dimensions} is missing (byte {4 + (4 * d)})");
            }

            int value = BinaryPrimitives.ReadInt32BigEndian(size);
            if (value < 0)
            {
                throw DataFormatError.At(path, 0, $"dimension {d + 1} is {value}, negative");
            }

            shape[d] = value;
            total *= value;
            if (total > MaxBytes)
            {
                throw DataFormatError.At(path, 0, $"the dimensions {string.Join(" × ", shape[..(d + 1)])} exceed {MaxBytes} bytes");
            }
        }

        // The declared size is only trusted as far as data arrives: the buffer grows with what is read (from 16 MiB,
        // doubling), so a small file that declares gigabytes costs no more than its own data. The data must end
        // exactly where the header says.
        var values = new byte[Math.Min(total, 1 << 24)];
        int read = 0;
        while (read < total)
        {
            if (read == values.Length)
            {
                Array.Resize(ref values, (int)Math.Min(total, 2L * values.Length));
            }

            int chunk = stream.Read(values, read, values.Length - read);
            if (chunk == 0)
            {
                break;
            }

            read += chunk;
        }

        if (read < total)
        {
            long recordBytes = dimensions > 1 ? total / Math.Max(shape[0], 1) : 1;
            throw DataFormatError.At(
                path, 0, $"truncated: record {(read / Math.Max(recordBytes, 1)) + 1} of {shape[0]} is incomplete ({read} of {total} data bytes)");
        }

        if (stream.ReadByte() >= 0)
        {
            throw DataFormatError.At(path, 0, $"has bytes after the {total} data bytes its header declares");
        }

        return (values, shape);
    }

    private static string Find(string directory, string name)
    {
        string raw = Path.Combine(directory, name);
        string gz = raw + ".gz";
        return File.Exists(gz) ? gz : File.Exists(raw) ? raw : throw new FileNotFoundException($"{gz}: no such file (nor {name}).", gz);
    }
}
