using System.Numerics;

namespace Backprop.Simd.IO;

/// <summary>The safetensors element types this library reads and writes.</summary>
internal enum TensorDType
{
    F32,
    F64,
}

/// <summary>Names and sizes of <see cref="TensorDType"/>, and which one a .NET type is stored as.</summary>
internal static class TensorDTypes
{
    // Every dtype the safetensors format defines, so an unsupported one is told apart from a misspelt one.
    private static readonly string[] s_known =
    [
        "BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "I16", "U16", "F16", "BF16",
        "I32", "U32", "F32", "F64", "I64", "U64", "C64",
    ];

    public static int Size(TensorDType dtype) => dtype == TensorDType.F32 ? sizeof(float) : sizeof(double);

    public static string Name(TensorDType dtype) => dtype == TensorDType.F32 ? "F32" : "F64";

    /// <summary>The dtype <typeparamref name="T"/> is written as.</summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    public static TensorDType Of<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => typeof(T) == typeof(float) ? TensorDType.F32
            : typeof(T) == typeof(double) ? TensorDType.F64
            : throw new NotSupportedException($"Model files hold float or double parameters, not {typeof(T).Name}.");

    /// <summary>Parses a dtype name from a file, case-sensitively as the format requires.</summary>
    /// <exception cref="InvalidDataException">The name is not F32 or F64.</exception>
    public static TensorDType Parse(string name, string tensor)
        => name switch
        {
            "F32" => TensorDType.F32,
            "F64" => TensorDType.F64,
            _ => throw ModelFileError.Create(Array.IndexOf(s_known, name) >= 0
                ? $"tensor {ModelFileError.Quote(tensor)} has dtype {name}, which is unsupported (only F32 and F64 are read)."
                : $"tensor {ModelFileError.Quote(tensor)} has dtype {ModelFileError.Quote(name)}, which is unknown and unsupported (only F32 and F64 are read)."),
        };
}
