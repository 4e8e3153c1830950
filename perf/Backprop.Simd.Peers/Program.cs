namespace Backprop.Simd.Peers;

/// <summary>
/// Peers run in the same process as the engine, on the same data and recipe, so their ratio holds on a noisy machine.
/// <c>w6</c> trains Fashion-MNIST (engine vs TorchSharp); anything else goes to BenchmarkDotNet.
/// </summary>
public static class Program
{
    public static int Main(string[] args) => args.Length > 0 && args[0] == "w6"
        ? W6Command.Run(args[1..])
        : Usage();

    private static int Usage()
    {
        Console.Error.WriteLine("usage: Backprop.Simd.Peers w6 [--epochs N] [--seeds 1,2,3] [--data DIR]");
        return 2;
    }
}
