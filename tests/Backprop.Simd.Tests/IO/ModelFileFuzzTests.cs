using System.Buffers.Binary;
using Backprop.Simd.IO;
using Backprop.Simd.Kernels;
using Backprop.Simd.Model;
using Backprop.Simd.Tests.Support;
using CsCheck;
using Xunit;

namespace Backprop.Simd.Tests.IO;

/// <summary>
/// Load on mutated valid files (bit flips, byte overwrites, truncations, splices of two files, random header lengths)
/// and on random JSON headers: it either succeeds or throws <see cref="InvalidDataException"/>, never anything else.
/// </summary>
public class ModelFileFuzzTests
{
    private static readonly byte[][] s_valid =
    [
        SafetensorsFiles.Written<float>(NetworkSpec.Parse("3-4:relu-2:identity"), Enumerable.Range(0, 26).Select(i => i * 0.25f).ToArray()),
        SafetensorsFiles.Written<double>(NetworkSpec.Parse("3-2", loss: Loss.SquaredError), [1, 2, 3, 4, 5, 6, 7, 8]),
        SafetensorsFiles.StateDict([("net.0.weight", [2, 3], [1, 2, 3, 4, 5, 6]), ("net.0.bias", [2], [7, 8])]),
        SafetensorsFiles.StateDict([("0.weight", [4, 3], new float[12]), ("0.bias", [4], new float[4]), ("2.weight", [2, 4], new float[8]), ("2.bias", [2], new float[2])], metadataJson: "{\"format\": \"pt\"}"),
    ];

    private static readonly NetworkSpec?[] s_specs = [null, NetworkSpec.Parse("3-2"), NetworkSpec.Parse("3-4:relu-2:identity")];

    private static readonly byte[] s_interesting = "{}[]\",:- 0129eE.\\"u8.ToArray().Concat(new byte[] { 0, 0x7F, 0x80, 0xFF }).ToArray();

    // A mutation: which kind, and three numbers it interprets.
    private static readonly Gen<(int Kind, int A, int B, ulong C)> s_mutation = Gen.Select(Gen.Int[0, 5], Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue], Gen.ULong);

    private static readonly Gen<string> s_number = Gen.OneOf("0", "2", "3", "24", "32", "-1", "1.5", "1e3", "-0", "99999999999999999999", "2147483648", "4294967296", "9223372036854775807");

    private static readonly Gen<string> s_string = Gen.OneOf(
        "\"F32\"", "\"F64\"", "\"BF16\"", "\"\"", "\"3-2\"", "\"3-x\"", "\"backprop.simd\"", "\"SquaredError\"", "\"\\uD800\"", "\"format\"", "\"0.weight\"");

    private static readonly Gen<string> s_array = Gen.OneOf(s_number, s_string).Array[0, 3].Select(items => $"[{string.Join(",", items)}]");

    private static readonly Gen<string> s_key = Gen.OneOf(
        "\"dtype\"", "\"shape\"", "\"data_offsets\"", "\"x\"", "\"format\"", "\"spec\"", "\"loss\"", "\"0.weight\"", "\"0.bias\"", "\"2.weight\"",
        "\"2.bias\"", "\"__metadata__\"", "\"net.0.weight\"", "\"\\uD800\"");

    private static readonly Gen<string> s_object = Gen.Select(s_key, Gen.OneOf(s_number, s_string, s_array)).Array[0, 4]
        .Select(entries => "{" + string.Join(",", entries.Select(e => $"{e.Item1}:{e.Item2}")) + "}");

    private static readonly Gen<string> s_header = Gen.Frequency(
        (8, Gen.Select(s_key, Gen.Frequency((4, s_object), (1, s_number), (1, s_string), (1, s_array))).Array[0, 5]
            .Select(entries => "{" + string.Join(",", entries.Select(e => $"{e.Item1}:{e.Item2}")) + "}")),
        (1, s_array),
        (1, s_object));

    [Fact]
    public void MutatedFilesLoadOrThrowInvalidDataException()
        => Gen.Select(Gen.Int[0, s_valid.Length - 1], s_mutation.Array[1, 4], Gen.Int[0, s_specs.Length - 1], Gen.Bool).Sample(
            (seed, mutations, spec, allowNonFinite) =>
            {
                byte[] file = s_valid[seed];
                foreach ((int kind, int a, int b, ulong c) in mutations)
                {
                    file = Mutate(file, kind, a, b, c);
                }

                LoadOrReject(file, spec, allowNonFinite);
            },
            iter: PropertySettings.Iter(2000, 200_000),
            seed: PropertySettings.Seed);

    [Fact]
    public void RandomHeadersLoadOrThrowInvalidDataException()
        => Gen.Select(s_header, Gen.Int[0, 3], Gen.Int[0, 40], Gen.Int[0, s_specs.Length - 1]).Sample(
            (header, padding, dataBytes, spec) => LoadOrReject(SafetensorsFiles.Assemble(header, new byte[dataBytes], padding), spec, allowNonFinite: false),
            iter: PropertySettings.Iter(2000, 200_000),
            seed: PropertySettings.Seed);

    [Theory]
    [InlineData("9E_IU0AFTym2")] // A lone surrogate escape in a tensor's property name: ValueTextEquals threw InvalidOperationException.
    public void PinnedRandomHeaders(string seed)
        => Gen.Select(s_header, Gen.Int[0, 3], Gen.Int[0, 40], Gen.Int[0, s_specs.Length - 1]).Sample(
            (header, padding, dataBytes, spec) => LoadOrReject(SafetensorsFiles.Assemble(header, new byte[dataBytes], padding), spec, allowNonFinite: false),
            iter: 1,
            seed: seed);

    private static byte[] Mutate(byte[] file, int kind, int a, int b, ulong c)
    {
        byte[] result = [.. file];
        switch (kind)
        {
            case 0 when result.Length > 0:
                result[a % result.Length] ^= (byte)(1 << (b & 7));
                return result;
            case 1 when result.Length > 0:
                result[a % result.Length] = b % 2 == 0 ? s_interesting[b / 2 % s_interesting.Length] : (byte)b;
                return result;
            case 2:
                return result[..(a % (result.Length + 1))];
            case 3:
                byte[] other = s_valid[b % s_valid.Length];
                return [.. result[..(a % (result.Length + 1))], .. other[(int)(c % (ulong)(other.Length + 1))..]];
            case 4 when result.Length >= 8:
                // Mostly plausible lengths near the real one, sometimes any 64-bit value.
                BinaryPrimitives.WriteUInt64LittleEndian(result, b % 4 == 0 ? c : c % (ulong)(2 * result.Length));
                return result;
            default:
                int at = a % (result.Length + 1);
                return [.. result[..at], s_interesting[b % s_interesting.Length], .. result[at..]];
        }
    }

    private static void LoadOrReject(byte[] file, int spec, bool allowNonFinite)
    {
        var options = new ModelLoadOptions { Spec = s_specs[spec], AllowNonFinite = allowNonFinite };
        try
        {
            InferenceModel<float> model = ModelFile.Load<float>(file, options);
            Assert.Equal(model.Spec.ParameterCount, model.Parameters.Length);
        }
        catch (InvalidDataException)
        {
            // The one allowed failure.
        }

        try
        {
            ModelFile.Load<double>(file, options);
        }
        catch (InvalidDataException)
        {
        }
    }
}
