using System.Buffers.Binary;
using System.IO.Compression;
using Backprop.Simd.Data;
using Xunit;

namespace Backprop.Simd.Tests.Data;

public sealed class IdxDatasetReaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("backprop-idx-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsImagesAndLabelsRawOrGzip(bool gzip)
    {
        string images = Write("images", Idx(0x08, [3, 2, 2], [0, 1, 2, 3, 10, 11, 12, 13, 255, 254, 253, 252]), gzip);
        string labels = Write("labels", Idx(0x08, [3], [4, 0, 9]), gzip);

        LabeledDataset data = IdxDatasetReader.Read(images, labels);

        Assert.Equal(3, data.Count);
        Assert.Equal(4, data.FeatureCount);
        Assert.Equal(10, data.ClassCount);
        Assert.Equal([4, 0, 9], data.Labels);
        Assert.Equal([10f, 11f, 12f, 13f], data.Row(1).ToArray());
        Assert.Equal(255f, data.Features[8]);
    }

    [Fact]
    public void ReadsAnMnistFamilyDirectory()
    {
        (string imageName, string labelName) = IdxDatasetReader.FileNames(training: false);
        File.WriteAllBytes(Path.Combine(_directory, imageName), Idx(0x08, [2, 1, 3], [1, 2, 3, 4, 5, 6]));
        Write(labelName, Idx(0x08, [2], [1, 0]), gzip: true);

        LabeledDataset data = IdxDatasetReader.ReadDirectory(_directory, training: false);

        Assert.Equal([1, 0], data.Labels);
        Assert.Throws<FileNotFoundException>(() => IdxDatasetReader.ReadDirectory(_directory, training: true));
    }

    [Theory]
    [InlineData(new byte[] { 0, 0 }, "magic number is missing")]
    [InlineData(new byte[] { 1, 0, 8, 1, 0, 0, 0, 1, 7 }, "not an IDX file")]
    [InlineData(new byte[] { 0, 0, 0x0D, 1, 0, 0, 0, 1, 7 }, "type 0x0d is not supported")]
    [InlineData(new byte[] { 0, 0, 8, 0 }, "0 dimensions")]
    [InlineData(new byte[] { 0, 0, 8, 2, 0, 0, 0, 2 }, "dimension 2 of 2 is missing")]
    [InlineData(new byte[] { 0, 0, 8, 1, 0xFF, 0xFF, 0xFF, 0xFF }, "negative")]
    [InlineData(new byte[] { 0, 0, 8, 2, 0x7F, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF }, "exceed")]
    [InlineData(new byte[] { 0, 0, 8, 2, 0, 0, 0, 2, 0x40, 0, 0, 0 }, "exceed")]
    [InlineData(new byte[] { 0, 0, 8, 2, 0, 0, 0, 3, 0, 0, 0, 2, 1, 2, 3 }, "record 2 of 3 is incomplete")]
    [InlineData(new byte[] { 0, 0, 8, 1, 0, 0, 0, 1, 7, 8 }, "bytes after")]
    public void MalformedFilesAreInvalidDataNamingTheFile(byte[] bytes, string problem)
    {
        string path = Write("bad", bytes, gzip: false);

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => IdxDatasetReader.ReadFile(path));

        Assert.StartsWith(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ASmallFileDeclaringGigabytesIsRejectedWithoutAllocatingThem(bool gzip)
    {
        // About 2 GiB declared (2 × 0x3FFFFF00 bytes), 3 present: the reader must not size a buffer by the header.
        string path = Write("huge", [0, 0, 8, 2, 0, 0, 0, 2, 0x3F, 0xFF, 0xFF, 0x00, 1, 2, 3], gzip);
        long before = GC.GetAllocatedBytesForCurrentThread();

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => IdxDatasetReader.ReadFile(path));

        Assert.Contains("incomplete", error.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64L << 20, "allocated more than 64 MiB for a 15-byte file");
    }

    [Fact]
    public void ImagesAndLabelsMustAgree()
    {
        string images = Write("images", Idx(0x08, [2, 2], [1, 2, 3, 4]), gzip: false);
        string labels = Write("labels", Idx(0x08, [3], [1, 2, 3]), gzip: false);
        string notLabels = Write("labels2", Idx(0x08, [2, 1], [1, 2]), gzip: false);

        Assert.Contains("has 3 labels, but", Assert.Throws<InvalidDataException>(() => IdxDatasetReader.Read(images, labels)).Message, StringComparison.Ordinal);
        Assert.Contains("exactly 1 dimension", Assert.Throws<InvalidDataException>(() => IdxDatasetReader.Read(images, notLabels)).Message, StringComparison.Ordinal);
        Assert.Contains("at least 2 dimensions", Assert.Throws<InvalidDataException>(() => IdxDatasetReader.Read(labels, labels)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadsFashionMnistWhenInstalled()
    {
        const string Directory = "/usr/share/datasets/fashion-mnist";
        if (!System.IO.Directory.Exists(Directory))
        {
            return; // Debian's dataset-fashion-mnist is optional for the tests; the CLI documents how to install it.
        }

        LabeledDataset test = IdxDatasetReader.ReadDirectory(Directory, training: false);

        Assert.Equal(10_000, test.Count);
        Assert.Equal(784, test.FeatureCount);
        Assert.Equal(10, test.ClassCount);
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(1000, test.Labels.Count(l => l == c)));
    }

    private static byte[] Idx(byte type, int[] shape, byte[] values)
    {
        var bytes = new byte[4 + (4 * shape.Length) + values.Length];
        bytes[2] = type;
        bytes[3] = (byte)shape.Length;
        for (int d = 0; d < shape.Length; d++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + (4 * d)), shape[d]);
        }

        values.CopyTo(bytes, 4 + (4 * shape.Length));
        return bytes;
    }

    private string Write(string name, byte[] bytes, bool gzip)
    {
        string path = Path.Combine(_directory, gzip ? name + ".gz" : name);
        using FileStream file = File.Create(path);
        using Stream stream = gzip ? new GZipStream(file, CompressionLevel.Fastest) : file;
        stream.Write(bytes);
        return path;
    }
}
