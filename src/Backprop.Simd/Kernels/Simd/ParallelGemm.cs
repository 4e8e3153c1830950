using System.Numerics;

namespace Backprop.Simd.Kernels.Simd;

/// <summary>
/// One packed GEMM (<see cref="PackedGemm{T, TActivation}"/>'s operands, as pointers) split among the threads of a
/// <see cref="GemmWorkers"/> by blocks of whole panels of output columns. The caller pins every operand for the
/// duration of <see cref="GemmWorkers.Run"/>, which returns only when every block is done; each worker packs into
/// its own scratch, grown on the caller's thread before the run (so a run allocates nothing once warm).
/// </summary>
internal sealed unsafe class ParallelGemm<T> : IGemmWork
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T[][] _packs;

    public ParallelGemm(int workers)
    {
        _packs = new T[workers][];
        for (int i = 0; i < workers; i++)
        {
            _packs[i] = [];
        }
    }

    public T* C { get; set; }

    public T* Activated { get; set; }

    public T* A { get; set; }

    public T* B { get; set; }

    public T* Bias { get; set; }

    public int M { get; set; }

    public int N { get; set; }

    public int K { get; set; }

    public int ARowStride { get; set; }

    public int ADepthStride { get; set; }

    public int BDepthStride { get; set; }

    public int BColumnStride { get; set; }

    public bool Accumulate { get; set; }

    public T Alpha { get; set; }

    public Activation Activation { get; set; }

    /// <summary>Whether splitting a product of this size among <paramref name="workers"/> threads pays.</summary>
    public static bool Worthwhile(GemmWorkers? workers, int m, int n, int k)
        => workers is { Threads: > 1 } && (long)m * n * k >= GemmWorkers.MinimumParallelWork && n >= 2 * GemmBlocking.WidestPanel<T>();

    /// <summary>Sizes every worker's packing scratch for the product just described (call before running it).</summary>
    public void Prepare(int workers)
    {
        int length = PackedGemm<T, NoActivation<T>>.PackLength(Columns(workers), K, aDepthStride: ADepthStride);
        for (int i = 0; i < _packs.Length; i++)
        {
            if (_packs[i].Length < length)
            {
                // Pinned, so the packed GEMM's panels keep the cache-line alignment it gives them.
                _packs[i] = GC.AllocateUninitializedArray<T>(length, pinned: true);
            }
        }
    }

    public void Execute(int worker, int workers)
    {
        int columns = Columns(workers);
        int first = worker * columns;
        int count = Math.Min(N - first, columns);
        if (count <= 0)
        {
            return;
        }

        // The spans cover exactly what the kernel may touch of each operand: rows of C (and activations) at stride N,
        // A whole, the columns of B from `first` on.
        int cLength = ((M - 1) * N) + count;
        var c = new Span<T>(C + first, cLength);
        Span<T> activated = Activated == null ? default : new Span<T>(Activated + first, cLength);
        var a = new ReadOnlySpan<T>(A, ((M - 1) * ARowStride) + ((K - 1) * ADepthStride) + 1);
        var b = new ReadOnlySpan<T>(B + ((nint)first * BColumnStride), ((K - 1) * BDepthStride) + ((count - 1) * BColumnStride) + 1);
        ReadOnlySpan<T> bias = Bias == null ? default : new ReadOnlySpan<T>(Bias + first, count);
        Span<T> pack = _packs[worker];
        switch (Activated == null ? Activation.Identity : Activation)
        {
            case Activation.Relu:
                Run<ActivationKernels.ReluForward<T>>(c, activated, a, b, bias, count, pack);
                break;
            case Activation.LeakyRelu:
                Run<ActivationKernels.LeakyReluForward<T>>(c, activated, a, b, bias, count, pack);
                break;
            case Activation.Gelu:
                Run<ActivationKernels.GeluForward<T>>(c, activated, a, b, bias, count, pack);
                break;
            default:
                Run<NoActivation<T>>(c, default, a, b, bias, count, pack);
                break;
        }
    }

    // Columns per worker: whole panels of the widest width, so no panel is split.
    private int Columns(int workers)
    {
        int panel = GemmBlocking.WidestPanel<T>();
        int panels = (N + panel - 1) / panel;
        return (panels + workers - 1) / workers * panel;
    }

    private void Run<TActivation>(Span<T> c, Span<T> activated, ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> bias, int count, Span<T> pack)
        where TActivation : struct, IElementwiseOp<T>
    {
        var kernel = new PackedGemm<T, TActivation>(
            c, a, b, M, count, K, ARowStride, ADepthStride, BDepthStride, BColumnStride, Accumulate, pack,
            bias, activated, ldc: N, alpha: Alpha);
        SimdDispatch.Run<T, PackedGemm<T, TActivation>>(ref kernel, int.MaxValue);
    }
}
