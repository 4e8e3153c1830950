using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Backprop.Simd.IO;
using Backprop.Simd.Model;

namespace Backprop.Simd.Tests.IO;

/// <summary>
/// Builds safetensors files from the format's description alone, independently of the library's writer: this is the
/// "PyTorch-style writer" (what <c>safetensors.torch.save_file(model.state_dict(), …)</c> produces for an
/// <c>nn.Sequential</c>: F32, names <c>0.weight</c>, <c>0.bias</c>, <c>2.weight</c>, …, no metadata).
/// </summary>
internal static class SafetensorsFiles
{
    /// <summary>8-byte little-endian length, the header text followed by <paramref name="padding"/> spaces, then the data.</summary>
    public static byte[] Assemble(string headerJson, ReadOnlySpan<byte> data, int padding = 0)
    {
        byte[] header = Encoding.UTF8.GetBytes(headerJson + new string(' ', padding));
        return Assemble(header, data);
    }

    public static byte[] Assemble(ReadOnlySpan<byte> header, ReadOnlySpan<byte> data)
    {
        var file = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file.AsSpan(8));
        data.CopyTo(file.AsSpan(8 + header.Length));
        return file;
    }

    /// <summary>
    /// A state dict of F32 tensors, in the given order, laid out back to back; the header lists them in reverse order
    /// (the format does not tie header order to data order) and is padded with spaces.
    /// </summary>
    public static byte[] StateDict(IReadOnlyList<(string Name, int[] Shape, float[] Values)> tensors, int padding = 5, string? metadataJson = null)
    {
        var entries = new List<string>();
        var data = new List<byte>();
        foreach ((string name, int[] shape, float[] values) in tensors)
        {
            int begin = data.Count;
            foreach (float value in values)
            {
                var bytes = new byte[4];
                BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
                data.AddRange(bytes);
            }

            entries.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"\"{name}\": {{\"dtype\": \"F32\", \"shape\": [{string.Join(", ", shape)}], \"data_offsets\": [{begin}, {data.Count}]}}"));
        }

        entries.Reverse();
        if (metadataJson is not null)
        {
            entries.Add($"\"__metadata__\": {metadataJson}");
        }

        return Assemble("{" + string.Join(", ", entries) + "}", data.ToArray(), padding);
    }

    /// <summary>The state dict of an nn.Sequential(Linear, activation, Linear, …) holding <paramref name="network"/>'s weights.</summary>
    public static byte[] StateDictOf(Network<float> network, string prefix = "", int moduleStride = 2)
    {
        var tensors = new List<(string, int[], float[])>();
        for (int l = 0; l < network.Layers.Length; l++)
        {
            DenseLayer layer = network.Layers[l];
            string module = prefix + (moduleStride * l).ToString(CultureInfo.InvariantCulture);
            tensors.Add(($"{module}.weight", [layer.Outputs, layer.Inputs], network.Weights(l).ToArray()));
            tensors.Add(($"{module}.bias", [layer.Outputs], network.Biases(l).ToArray()));
        }

        return StateDict(tensors);
    }

    /// <summary>A file written by the library, as bytes.</summary>
    public static byte[] Written<T>(NetworkSpec spec, ReadOnlySpan<T> parameters)
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        using var stream = new MemoryStream();
        ModelFile.Write(spec, parameters, stream);
        return stream.ToArray();
    }

    /// <summary>A minimal one-layer 3 → 2 file of the given header, with <paramref name="dataBytes"/> bytes of data (1.0f each).</summary>
    public static byte[] WithHeader(string headerJson, int dataBytes = 32)
    {
        var data = new byte[dataBytes];
        for (int i = 0; i + 4 <= dataBytes; i += 4)
        {
            BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i), 1f);
        }

        return Assemble(headerJson, data);
    }
}
