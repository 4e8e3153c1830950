using System.Numerics;
using Backprop.Simd.Model;

namespace Backprop.Simd.IO;

/// <summary>
/// Saves and loads networks as <a href="https://github.com/huggingface/safetensors">safetensors</a> files, named like a
/// PyTorch <c>nn.Sequential</c> of Linear and activation modules (layer l is <c>{2l}.weight</c> [out, in] and
/// <c>{2l}.bias</c> [out]), with the architecture in <c>__metadata__</c>. Loading also reads a PyTorch
/// <c>state_dict</c> saved with <c>safetensors.torch.save_file</c>, given its <see cref="ModelLoadOptions.Spec"/>.
/// </summary>
public static class ModelFile
{
    /// <summary>Saves <paramref name="model"/>'s architecture and parameters to <paramref name="path"/>, atomically.</summary>
    /// <remarks>
    /// The file is written to a temporary file in the same directory, flushed to disk and renamed over
    /// <paramref name="path"/>: readers see the old file or the new one, never a part. On failure the temporary file is
    /// deleted and an existing file at <paramref name="path"/> is left untouched.
    /// </remarks>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    /// <exception cref="IOException">The file could not be written (and the old one, if any, is unchanged).</exception>
    public static void Save<T>(InferenceModel<T> model, string path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        Save(model.Spec, model.Parameters, path, wrapDestination: null);
    }

    /// <summary>Saves <paramref name="network"/>'s architecture and current parameters to <paramref name="path"/>, atomically.</summary>
    /// <inheritdoc cref="Save{T}(InferenceModel{T}, string)" path="/remarks"/>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    /// <exception cref="IOException">The file could not be written (and the old one, if any, is unchanged).</exception>
    public static void Save<T>(Network<T> network, string path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        Save(network.Spec, network.Parameters, path, wrapDestination: null);
    }

    /// <summary>
    /// Writes a safetensors file of <paramref name="spec"/> with <paramref name="parameters"/> (in the layout of
    /// <see cref="Network{T}.Parameters"/>) to <paramref name="destination"/>: F32 for float, F64 for double. The stream is
    /// neither flushed nor closed.
    /// </summary>
    /// <exception cref="ArgumentException">parameters is not <see cref="NetworkSpec.ParameterCount"/> long.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    public static void Write<T>(NetworkSpec spec, ReadOnlySpan<T> parameters, Stream destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => ModelFileWriter.Write(spec, parameters, destination);

    /// <summary>Loads the model in the file at <paramref name="path"/>; see <see cref="Load{T}(ReadOnlySpan{byte}, ModelLoadOptions?)"/>.</summary>
    /// <remarks>The file is read whole in one read bounded by its length on disk, never by a length it declares.</remarks>
    /// <exception cref="InvalidDataException">The content is not a valid model file (see the other overload).</exception>
    /// <exception cref="IOException">The file could not be read (FileNotFoundException and the like).</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public static InferenceModel<T> Load<T>(string path, ModelLoadOptions? options = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _ = TensorDTypes.Of<T>();
        byte[] file;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1))
        {
            long length = stream.Length;
            if (length > Array.MaxLength)
            {
                throw ModelFileError.Create($"{path} is {length} bytes, more than one buffer can hold.");
            }

            file = GC.AllocateUninitializedArray<byte>((int)length);
            int read = stream.ReadAtLeast(file, file.Length, throwOnEndOfStream: false);
            if (read < file.Length)
            {
                // The file shrank while being read: what is there is checked like any other truncated file.
                Array.Resize(ref file, read);
            }
        }

        return Load<T>(file, options);
    }

    /// <summary>
    /// Loads a model from the bytes of a safetensors file. F32 data loaded as double is converted exactly; F64 loaded as
    /// float is rounded to nearest (a value beyond float's range counts as non-finite).
    /// </summary>
    /// <remarks>
    /// The architecture comes from the file's <c>__metadata__</c> (format <c>backprop.simd</c>), from
    /// <see cref="ModelLoadOptions.Spec"/>, or from both when they agree. Tensors are matched to layers by PyTorch
    /// <c>nn.Sequential</c> names: <c>{prefix}{index}.weight</c> [out, in] and <c>.bias</c> [out], ordered by the index.
    /// </remarks>
    /// <exception cref="InvalidDataException">
    /// The bytes are not a valid model file: the message says what is wrong and where (tensor name, file offset,
    /// expected and actual). This is the only exception any content can cause.
    /// </exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    public static InferenceModel<T> Load<T>(ReadOnlySpan<byte> file, ModelLoadOptions? options = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => ModelFileReader.Read<T>(file, options ?? new ModelLoadOptions());

    /// <summary>The one path every save takes; <paramref name="wrapDestination"/> lets tests inject a failing stream.</summary>
    internal static void Save<T>(NetworkSpec spec, ReadOnlySpan<T> parameters, string path, Func<Stream, Stream>? wrapDestination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _ = TensorDTypes.Of<T>();
        using var file = new AtomicFile(path);
        Stream destination = wrapDestination is null ? file.Stream : wrapDestination(file.Stream);
        ModelFileWriter.Write(spec, parameters, destination);
        destination.Flush();
        file.Commit();
    }
}
