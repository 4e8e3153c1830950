namespace Backprop.Simd.Kernels.Simd;

/// <summary>
/// A compile-time count (of rows or registers in a tile). Kernels are generic over it, so each tile size is
/// one specialisation of the same body, with the unused accumulators and loads folded away by the JIT.
/// </summary>
internal interface ITileCount
{
    static abstract int Value { get; }
}

internal readonly struct One : ITileCount
{
    public static int Value => 1;
}

internal readonly struct Two : ITileCount
{
    public static int Value => 2;
}

internal readonly struct Three : ITileCount
{
    public static int Value => 3;
}

internal readonly struct Four : ITileCount
{
    public static int Value => 4;
}

internal readonly struct Five : ITileCount
{
    public static int Value => 5;
}

internal readonly struct Six : ITileCount
{
    public static int Value => 6;
}

internal readonly struct Seven : ITileCount
{
    public static int Value => 7;
}

internal readonly struct Eight : ITileCount
{
    public static int Value => 8;
}
