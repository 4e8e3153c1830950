using System.Buffers.Binary;
using System.Text;
using Backprop.Simd.IO;
using Backprop.Simd.Kernels;
using Backprop.Simd.Model;
using Xunit;

namespace Backprop.Simd.Tests.IO;

/// <summary>
/// One test per way a file can be malformed: each throws <see cref="InvalidDataException"/>, and the message says
/// what and where. The base case is a one-layer 3 → 2 network: 0.weight [2, 3] at data bytes [0, 24], 0.bias [2] at [24, 32].
/// </summary>
public class CorruptModelFileTests
{
    private const string Weight = "\"0.weight\": {\"dtype\": \"F32\", \"shape\": [2, 3], \"data_offsets\": [0, 24]}";
    private const string Bias = "\"0.bias\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [24, 32]}";

    private static readonly ModelLoadOptions s_spec = new() { Spec = NetworkSpec.Parse("3-2") };

    [Fact]
    public void TheBaseCaseLoads() => Assert.Equal(8, ModelFile.Load<float>(SafetensorsFiles.WithHeader($"{{{Weight}, {Bias}}}"), s_spec).Parameters.Length);

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void FileShorterThanTheLengthPrefix(int length) => Rejects(new byte[length], $"the file is {length} bytes, too short");

    [Fact]
    public void HeaderLengthBeyondTheFile()
    {
        byte[] file = SafetensorsFiles.WithHeader($"{{{Weight}, {Bias}}}");
        BinaryPrimitives.WriteUInt64LittleEndian(file, ulong.MaxValue);
        Rejects(file, $"header length at file offset 0 is {ulong.MaxValue} bytes, but only {file.Length - 8} bytes follow");
    }

    [Fact]
    public void HeaderOverTheCap()
        => Rejects(SafetensorsFiles.WithHeader($"{{{Weight}, {Bias}}}"), "over the limit of 64", s_spec with { MaxHeaderBytes = 64 });

    [Fact]
    public void TheCapMustBePositive() => Assert.Throws<ArgumentOutOfRangeException>(() => new ModelLoadOptions { MaxHeaderBytes = 0 });

    [Fact]
    public void HeaderThatIsNotUtf8()
    {
        byte[] header = [.. "{\"0."u8, 0xFF, .. "weight\": 1}"u8];
        Rejects(SafetensorsFiles.Assemble(header, []), "not valid UTF-8 (file offset 12)");
    }

    [Theory]
    [InlineData("", "header is empty")]
    [InlineData("   ", "header is empty")]
    [InlineData("{\"0.weight\": ", "not valid JSON")]
    [InlineData("{,}", "not valid JSON")]
    [InlineData("{} {}", "not valid JSON")]
    [InlineData("{}\0", "not valid JSON")]
    [InlineData("{/* comment */}", "not valid JSON")]
    public void HeaderThatIsNotJson(string header, string fragment) => Rejects(SafetensorsFiles.WithHeader(header, 0), fragment);

    [Theory]
    [InlineData("[1, 2]", "a JSON StartArray, not an object")]
    [InlineData("\"model\"", "a JSON String, not an object")]
    [InlineData("42", "a JSON Number, not an object")]
    [InlineData("null", "a JSON Null, not an object")]
    public void HeaderThatIsNotAnObject(string header, string fragment) => Rejects(SafetensorsFiles.WithHeader(header, 0), fragment);

    [Theory]
    [InlineData("BF16", "dtype BF16, which is unsupported")]
    [InlineData("I64", "dtype I64, which is unsupported")]
    [InlineData("F16", "dtype F16, which is unsupported")]
    [InlineData("f32", "dtype 'f32', which is unknown and unsupported")]
    [InlineData("Q7", "dtype 'Q7', which is unknown and unsupported")]
    public void UnsupportedDtypes(string dtype, string fragment)
        => Rejects(SafetensorsFiles.WithHeader($"{{{Weight.Replace("F32", dtype, StringComparison.Ordinal)}, {Bias}}}"), $"tensor '0.weight' has {fragment}");

    [Theory]
    [InlineData("[2, -3]", "contains '-3', which is not an integer")]
    [InlineData("[2, 1.5]", "contains '1.5', which is not an integer")]
    [InlineData("[2, 3e0]", "contains '3e0', which is not an integer")]
    [InlineData("[2, 99999999999999999999]", "contains '99999999999999999999', which is not an integer")]
    [InlineData("[2, \"3\"]", "contains a JSON String, not an integer")]
    [InlineData("[[2, 3]]", "contains a JSON StartArray, not an integer")]
    [InlineData("6", "the shape of tensor '0.weight' is a JSON Number, expected StartArray")]
    [InlineData("[4294967296, 4294967296, 2]", "has more elements than a file can hold (overflow)")]
    [InlineData("[2147483648, 2147483648]", "has more elements than a file can hold (overflow)")]
    public void BadShapes(string shape, string fragment)
        => Rejects(SafetensorsFiles.WithHeader($"{{{Weight.Replace("[2, 3]", shape, StringComparison.Ordinal)}, {Bias}}}"), fragment);

    [Theory]
    [InlineData("[0, 40]", "[0, 40], run past the data section's 32 bytes")]
    [InlineData("[24, 0]", "begin after they end ([24, 0])")]
    [InlineData("[0, 24, 32]", "have 3 entries")]
    [InlineData("[-1, 24]", "contains '-1', which is not an integer")]
    [InlineData("[0, 20]", "it needs 24 bytes, but its data_offsets [0, 20] span 20")]
    public void BadOffsets(string offsets, string fragment)
        => Rejects(SafetensorsFiles.WithHeader($"{{{Weight.Replace("[0, 24]", offsets, StringComparison.Ordinal)}, {Bias}}}"), fragment);

    [Fact]
    public void OverlappingTensors()
        => Rejects(
            SafetensorsFiles.WithHeader($"{{{Weight}, {Bias.Replace("[24, 32]", "[20, 28]", StringComparison.Ordinal)}}}", 28),
            "tensor '0.bias' at data bytes [20, 28] overlaps tensor '0.weight' at [0, 24]");

    [Fact]
    public void GapBetweenTensorsIsRejected()
        => Rejects(
            SafetensorsFiles.WithHeader($"{{{Weight}, {Bias.Replace("[24, 32]", "[28, 36]", StringComparison.Ordinal)}}}", 36),
            "data bytes [24, 28] (file offset");

    [Fact]
    public void TrailingBytesAreRejected()
        => Rejects(SafetensorsFiles.WithHeader($"{{{Weight}, {Bias}}}", 36), "the data section is 36 bytes, but its tensors end at byte 32: 4 trailing bytes");

    [Fact]
    public void MissingTensor()
        => Rejects(SafetensorsFiles.WithHeader($"{{{Weight}}}", 24), "tensor '0.bias' (layer 0 of 3-2:identity) is missing");

    [Fact]
    public void DuplicateTensorName() => Rejects(SafetensorsFiles.WithHeader($"{{{Weight}, {Weight}, {Bias}}}"), "tensor '0.weight' appears twice");

    [Theory]
    [InlineData("{\"dtype\": \"F32\", \"shape\": [2, 3]}", "has no data_offsets")]
    [InlineData("{\"shape\": [2, 3], \"data_offsets\": [0, 24]}", "has no dtype")]
    [InlineData("{\"dtype\": \"F32\", \"shape\": [2, 3], \"data_offsets\": [0, 24], \"extra\": 1}", "unexpected or repeated property 'extra'")]
    [InlineData("{\"dtype\": \"F32\", \"dtype\": \"F32\", \"shape\": [2, 3], \"data_offsets\": [0, 24]}", "unexpected or repeated property 'dtype'")]
    [InlineData("{\"dtype\": 32, \"shape\": [2, 3], \"data_offsets\": [0, 24]}", "the dtype of tensor '0.weight' is a JSON Number")]
    [InlineData("[0, 24]", "tensor '0.weight' is a JSON StartArray, expected StartObject")]
    public void MalformedTensorEntries(string entry, string fragment)
        => Rejects(SafetensorsFiles.WithHeader($"{{\"0.weight\": {entry}, {Bias}}}"), fragment);

    [Fact]
    public void LoneSurrogateInAName() => Rejects(SafetensorsFiles.WithHeader($"{{\"\\uD800\": 1, {Weight}, {Bias}}}"), "is not a valid JSON string");

    [Fact]
    public void LoneSurrogateInAPropertyOfATensor()
        => Rejects(SafetensorsFiles.WithHeader($"{{\"0.weight\": {{\"\\uDC00x\": 1}}, {Bias}}}"), "a property name of tensor '0.weight' is not a valid JSON string");

    [Theory]
    [InlineData("{\"format\": 1}", "entry 'format' is a JSON Number, but metadata values must be strings")]
    [InlineData("[]", "__metadata__ is a JSON StartArray, expected StartObject")]
    [InlineData("{\"a\": \"1\", \"a\": \"2\"}", "__metadata__ has two entries named 'a'")]
    [InlineData("{\"format\": \"backprop.simd\", \"loss\": \"SquaredError\"}", "says format backprop.simd but has no spec")]
    [InlineData("{\"format\": \"backprop.simd\", \"spec\": \"3-2\"}", "says format backprop.simd but has no loss")]
    [InlineData("{\"format\": \"backprop.simd\", \"spec\": \"3-x\", \"loss\": \"SquaredError\"}", "the spec in __metadata__, '3-x', is not valid")]
    [InlineData("{\"format\": \"backprop.simd\", \"spec\": \"3-2:relu\", \"loss\": \"SoftmaxCrossEntropy\"}", "the spec in __metadata__, '3-2:relu', is not valid")]
    [InlineData("{\"format\": \"backprop.simd\", \"spec\": \"3-2\", \"loss\": \"1\"}", "the loss in __metadata__, '1', is not one of")]
    [InlineData("{\"format\": \"backprop.simd\", \"spec\": \"3-2\", \"loss\": \"SquaredError, SigmoidCrossEntropy\"}", "is not one of")]
    public void BadMetadata(string metadata, string fragment)
        => Rejects(SafetensorsFiles.WithHeader($"{{\"__metadata__\": {metadata}, {Weight}, {Bias}}}"), fragment, new ModelLoadOptions());

    [Fact]
    public void TwoMetadataEntries()
        => Rejects(SafetensorsFiles.WithHeader($"{{\"__metadata__\": {{}}, {Weight}, \"__metadata__\": {{}}, {Bias}}}"), "two __metadata__ entries");

    [Fact]
    public void MetadataSpecWithWrongShapes()
    {
        string metadata = "{\"format\": \"backprop.simd\", \"spec\": \"3-4:identity\", \"loss\": \"SquaredError\"}";
        Rejects(SafetensorsFiles.WithHeader($"{{\"__metadata__\": {metadata}, {Weight}, {Bias}}}"), "tensor '0.weight' has shape [2, 3], but layer 0 of 3-4:identity needs [4, 3]", new ModelLoadOptions());
    }

    [Theory]
    [InlineData(float.NaN, "is NaN")]
    [InlineData(float.PositiveInfinity, "is Infinity")]
    [InlineData(float.NegativeInfinity, "is -Infinity")]
    public void NonFiniteWeights(float value, string fragment)
    {
        float[] parameters = [1, 2, 3, 4, 5, 6, 7, 8];
        parameters[4] = value;
        byte[] file = SafetensorsFiles.Written<float>(NetworkSpec.Parse("3-2"), parameters);
        InvalidDataException error = Rejects(file, $"tensor '0.weight' element 4 (file offset {file.Length - 32 + 16}) {fragment}", new ModelLoadOptions());
        Assert.Contains("AllowNonFinite", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void F64BeyondFloatRangeIsNonFiniteInFloatOnly()
    {
        double[] parameters = [1, 2, 3, 4, 5, 6, 7, 1e300];
        byte[] file = SafetensorsFiles.Written<double>(NetworkSpec.Parse("3-2", loss: Loss.SquaredError), parameters);

        Rejects(file, "tensor '0.bias' element 1", new ModelLoadOptions(), asDouble: false);
        Assert.Equal(1e300, ModelFile.Load<double>(file).Parameters[7]);
    }

    [Fact]
    public void HugeNamesAreCutShortInMessages()
    {
        string name = new('x', 10_000);
        InvalidDataException error = Rejects(
            SafetensorsFiles.WithHeader($"{{\"{name}\": {{\"dtype\": \"BF16\", \"shape\": [1], \"data_offsets\": [0, 2]}}}}", 2), "(10000 characters)");
        Assert.True(error.Message.Length < 500, error.Message);
    }

    [Fact]
    public void MessagesAreUtf8Clean() => Assert.True(Encoding.UTF8.GetByteCount(Rejects(new byte[3], "too short").Message) > 0);

    private static InvalidDataException Rejects(byte[] file, string fragment, ModelLoadOptions? options = null, bool asDouble = true)
    {
        options ??= s_spec;
        InvalidDataException error = Assert.Throws<InvalidDataException>(() => ModelFile.Load<float>(file, options));
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        if (asDouble)
        {
            Assert.Equal(error.Message, Assert.Throws<InvalidDataException>(() => ModelFile.Load<double>(file, options)).Message);
        }

        return error;
    }
}
