namespace Backprop.Simd.Peers.Workloads;

/// <summary>
/// Flops of one call of each workload, counting the products only (2 per multiply-add); bias, activation, loss and
/// update passes are O(parameters) and left out. A training step is the forward pass, dW for every layer (as many flops
/// again) and dX for every layer but the first.
/// </summary>
internal static class WorkloadFlops
{
    /// <summary>W1 784-128-10, batch 1.</summary>
    public const double W1Mnist = 2.0 * ((784 * 128) + (128 * 10));

    /// <summary>W1 16-32-1, batch 1.</summary>
    public const double W1Tiny = 2.0 * ((16 * 32) + (32 * 1));

    /// <summary>W2: 784-256-128-10 at batch 64.</summary>
    public const double W2 = (2 * 2.0 * 64 * ((784 * 256) + (256 * 128) + (128 * 10))) + (2.0 * 64 * ((256 * 128) + (128 * 10)));

    /// <summary>W5: 784-128-10 at batch 1.</summary>
    public const double W5 = (2 * 2.0 * ((784 * 128) + (128 * 10))) + (2.0 * 128 * 10);

    /// <summary>W3 forward: 1024→1024 at batch 256.</summary>
    public const double W3Forward = 2.0 * 256 * 1024 * 1024;

    /// <summary>W3 forward + backward: Y, dX and dW, three products of the same size.</summary>
    public const double W3ForwardBackward = 3 * W3Forward;

    /// <summary>W7 1024×1024×1024.</summary>
    public const double W7Square = 2.0 * 1024 * 1024 * 1024;
}
