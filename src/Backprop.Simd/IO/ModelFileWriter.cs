using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Backprop.Simd.Kernels;
using Backprop.Simd.Model;

namespace Backprop.Simd.IO;

/// <summary>
/// Writes a network as safetensors, named like PyTorch's <c>nn.Sequential</c> of Linear and activation modules, so
/// layer l is <c>{2l}.weight</c> [out, in] and <c>{2l}.bias</c> [out]. The parameter buffer's layout (W then b, layer
/// after layer) is already the data section's, so the data is the buffer in little-endian order.
/// </summary>
internal static class ModelFileWriter
{
    public const string FormatName = "backprop.simd";

    // Data starts at a multiple of 8 (the header is padded with spaces), so F64 values are aligned in a mapped file.
    private const int DataAlignment = 8;
    private const int ChunkBytes = 1 << 16;

    public static void Write<T>(NetworkSpec spec, ReadOnlySpan<T> parameters, Stream destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(destination);
        TensorDType dtype = TensorDTypes.Of<T>();
        Guard.Length(parameters.Length, spec.ParameterCount, nameof(parameters), "spec.ParameterCount");

        byte[] header = Header(spec, dtype);
        Span<byte> length = stackalloc byte[SafetensorsHeader.LengthPrefixBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        destination.Write(length);
        destination.Write(header);
        WriteData(parameters, destination);
    }

    /// <summary>The name of layer <paramref name="layer"/>'s module: its index in an nn.Sequential that alternates Linear and activation.</summary>
    public static string ModuleName(int layer) => (2 * layer).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static byte[] Header(NetworkSpec spec, TensorDType dtype)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject(SafetensorsHeader.MetadataKey);
            json.WriteString("format", FormatName);
            json.WriteString("spec", spec.ToString());
            json.WriteString("loss", spec.Loss.ToString());
            json.WriteEndObject();

            int size = TensorDTypes.Size(dtype);
            DenseLayer[] layers = spec.CreateLayers();
            for (int l = 0; l < layers.Length; l++)
            {
                DenseLayer layer = layers[l];
                string module = ModuleName(l);
                Tensor(json, $"{module}.weight", dtype, [layer.Outputs, layer.Inputs], (long)layer.WeightOffset * size, (long)layer.BiasOffset * size);
                Tensor(json, $"{module}.bias", dtype, [layer.Outputs], (long)layer.BiasOffset * size, (long)(layer.BiasOffset + layer.Outputs) * size);
            }

            json.WriteEndObject();
        }

        int padding = (DataAlignment - ((SafetensorsHeader.LengthPrefixBytes + buffer.WrittenCount) % DataAlignment)) % DataAlignment;
        buffer.GetSpan(padding)[..padding].Fill((byte)' ');
        buffer.Advance(padding);
        return buffer.WrittenSpan.ToArray();
    }

    private static void Tensor(Utf8JsonWriter json, string name, TensorDType dtype, ReadOnlySpan<int> shape, long begin, long end)
    {
        json.WriteStartObject(name);
        json.WriteString("dtype", TensorDTypes.Name(dtype));
        json.WriteStartArray("shape");
        foreach (int dimension in shape)
        {
            json.WriteNumberValue(dimension);
        }

        json.WriteEndArray();
        json.WriteStartArray("data_offsets");
        json.WriteNumberValue(begin);
        json.WriteNumberValue(end);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    // Converted to little-endian in chunks, so the same code is right on any machine and the buffer stays small.
    private static void WriteData<T>(ReadOnlySpan<T> parameters, Stream destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        bool single = TensorDTypes.Of<T>() == TensorDType.F32;
        int size = single ? sizeof(float) : sizeof(double);
        byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            int perChunk = ChunkBytes / size;
            for (int start = 0; start < parameters.Length; start += perChunk)
            {
                ReadOnlySpan<T> values = parameters.Slice(start, Math.Min(perChunk, parameters.Length - start));
                for (int i = 0; i < values.Length; i++)
                {
                    // Bit casts, not conversions: NaN payloads survive too.
                    if (single)
                    {
                        BinaryPrimitives.WriteSingleLittleEndian(chunk.AsSpan(i * size), Unsafe.BitCast<T, float>(values[i]));
                    }
                    else
                    {
                        BinaryPrimitives.WriteDoubleLittleEndian(chunk.AsSpan(i * size), Unsafe.BitCast<T, double>(values[i]));
                    }
                }

                destination.Write(chunk, 0, values.Length * size);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }
}
