using Backprop.Simd.Cli;
using Backprop.Simd.Data;
using Xunit;

namespace Backprop.Simd.Tests.Data;

public sealed class CsvDatasetReaderTests
{
    [Fact]
    public void ReadsTheBundledDigits()
    {
        LabeledDataset digits = CsvDatasetReader.Read(TrainOptions.BundledDataPath);

        Assert.Equal(1797, digits.Count);
        Assert.Equal(64, digits.FeatureCount);
        Assert.Equal(10, digits.ClassCount);
        Assert.All(digits.Features, v => Assert.InRange(v, 0f, 16f));
    }

    [Fact]
    public void ReadsLabelColumnAndHeader()
    {
        LabeledDataset data = CsvDatasetReader.Read(new StringReader("label,a,b\n1,0.5,2\n0,-1,3e2\n"), "mem.csv", labelColumn: 0, hasHeader: true);

        Assert.Equal([1, 0], data.Labels);
        Assert.Equal([0.5f, 2f, -1f, 300f], data.Features);
        Assert.Equal(2, data.FeatureCount);
        Assert.Equal(2, data.ClassCount);
    }

    [Theory]
    [InlineData("1,2,3\n4,5\n", 2, "expected 3 fields")]
    [InlineData("1,2,3\n4,x,1\n", 2, "field 2 must be a finite number")]
    [InlineData("1,2,3\n4,5,NaN\n", 2, "field 3 is the label")]
    [InlineData("1,2,-1\n", 1, "integer in 0..65535")]
    [InlineData("1,2,1.5\n", 1, "integer in 0..65535")]
    [InlineData("1,2,2147483647\n", 1, "integer in 0..65535")]
    [InlineData("1,2,65536\n", 1, "integer in 0..65535")]
    [InlineData("1,inf,1\n", 1, "finite number")]
    [InlineData("7\n", 1, "at least 2")]
    public void MalformedLineIsNamedWithFileAndLine(string text, int line, string problem)
    {
        InvalidDataException error = Assert.Throws<InvalidDataException>(() => CsvDatasetReader.Read(new StringReader(text), "bad.csv"));

        Assert.StartsWith($"bad.csv:{line}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.Equal(line, error.Data[DataFormatError.LineKey]);
    }

    [Fact]
    public void EmptyFileIsAnError()
    {
        InvalidDataException error = Assert.Throws<InvalidDataException>(() => CsvDatasetReader.Read(new StringReader("\n\n"), "empty.csv"));

        Assert.Equal("empty.csv: no samples (the file is empty)", error.Message);
    }

    [Fact]
    public void MissingFileNamesThePath()
    {
        string path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.csv");

        FileNotFoundException error = Assert.Throws<FileNotFoundException>(() => CsvDatasetReader.Read(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CorruptGzipIsInvalidData()
    {
        string path = Path.Combine(Path.GetTempPath(), $"corrupt-{Guid.NewGuid():N}.csv.gz");
        File.WriteAllBytes(path, [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
        try
        {
            InvalidDataException error = Assert.Throws<InvalidDataException>(() => CsvDatasetReader.Read(path));

            Assert.StartsWith(path, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
