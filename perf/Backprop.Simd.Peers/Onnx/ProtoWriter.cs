using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Backprop.Simd.Peers.Onnx;

/// <summary>
/// The encoding half of the Protocol Buffers wire format, just what an ONNX model needs: each field is a key
/// (<c>field_number &lt;&lt; 3 | wire_type</c>, as a varint) followed by its value, either a varint (wire type 0:
/// int32, int64, enums) or length-delimited bytes (wire type 2: strings, bytes, nested messages, packed arrays).
/// Fields may come in any order and repeated fields are simply written again, so a message is written field by field.
/// </summary>
internal sealed class ProtoWriter
{
    private const int Varint = 0;
    private const int LengthDelimited = 2;

    private readonly MemoryStream _buffer = new();

    /// <summary>An int32/int64/enum field. A negative value takes ten bytes (two's complement as a uint64), as in protobuf.</summary>
    public ProtoWriter Int64(int field, long value)
    {
        WriteKey(field, Varint);
        WriteVarint((ulong)value);
        return this;
    }

    /// <summary>A string field, UTF-8 encoded.</summary>
    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>A bytes field.</summary>
    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        WriteKey(field, LengthDelimited);
        WriteVarint((ulong)value.Length);
        _buffer.Write(value);
        return this;
    }

    /// <summary>A bytes field holding float32 values little-endian, as ONNX's <c>TensorProto.raw_data</c> wants them.</summary>
    public ProtoWriter RawFloats(int field, ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            return Bytes(field, MemoryMarshal.AsBytes(values));
        }

        var bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        }

        return Bytes(field, bytes);
    }

    /// <summary>A nested message field: <paramref name="build"/> writes the message, which is then length-prefixed.</summary>
    public ProtoWriter Message(int field, Action<ProtoWriter> build)
    {
        var nested = new ProtoWriter();
        build(nested);
        return Bytes(field, nested.ToArray());
    }

    /// <summary>The encoded message.</summary>
    public byte[] ToArray() => _buffer.ToArray();

    private void WriteKey(int field, int wireType) => WriteVarint((ulong)((field << 3) | wireType));

    // Seven bits a byte, least significant group first; the high bit says another byte follows.
    private void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        _buffer.WriteByte((byte)value);
    }
}
