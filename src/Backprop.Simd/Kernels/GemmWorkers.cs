using System.Runtime.ExceptionServices;
using Backprop.Simd.Kernels.Simd;

namespace Backprop.Simd.Kernels;

/// <summary>
/// Opt-in parallelism for large dense products: a fixed set of worker threads, started once, among which each large
/// packed GEMM is split by blocks of output columns (each worker packs its own columns of B, so the workers share
/// nothing but the read-only A). The calling thread works too and returns when every block is done. Once warm (each
/// worker's packing scratch sized), a call allocates nothing (no closures, no tasks); products too small to gain from
/// it run on the calling thread alone. Single-threaded stays the default everywhere: pass an instance to
/// <see cref="Model.Network{T}.Workers"/> or to a <see cref="DenseKernels"/> call. One instance may serve several
/// networks; their calls then take turns. Dispose it when done: its threads keep it alive until then.
/// </summary>
public sealed class GemmWorkers : IDisposable
{
    // Below this many multiply-adds (about 100 µs on one core) waking the workers costs more than they save: measured,
    // the batch-64 training step of 784-256-128-10 (products of up to 12.8M) ran 1.2× slower with 2 threads at 4M.
    internal const long MinimumParallelWork = 1L << 24;

    private readonly Thread[] _threads;
    private readonly ManualResetEventSlim[] _start;
    private readonly ManualResetEventSlim _done = new(initialState: false);
    private readonly Lock _gate = new();
    private readonly object?[] _jobs = new object?[2];
    private IGemmWork? _work;
    private Exception? _workerError;
    private int _pending;
    private volatile bool _disposed;

    /// <summary>Starts <paramref name="threads"/> − 1 background threads; the caller of each product is the last one.</summary>
    /// <param name="threads">Threads per product, the caller's included: 1 to 256 (1 runs everything on the caller).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is out of 1..256.</exception>
    public GemmWorkers(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(threads, 256);
        _threads = new Thread[threads - 1];
        _start = new ManualResetEventSlim[threads - 1];
        for (int i = 0; i < _threads.Length; i++)
        {
            _start[i] = new ManualResetEventSlim(initialState: false);
            _threads[i] = new Thread(WorkerLoop) { IsBackground = true, Name = $"Backprop.Simd GEMM worker {i + 1}" };
            _threads[i].Start(i);
        }
    }

    /// <summary>Threads that share each product, the caller's included.</summary>
    public int Threads => _threads.Length + 1;

    /// <summary>Products run on the workers so far (tests check that the parallel path really ran).</summary>
    internal long Runs { get; private set; }

    /// <summary>
    /// Stops the worker threads (after any product in progress) and waits for them to exit. Every later call given this
    /// instance throws <see cref="ObjectDisposedException"/>, whatever the size of its products.
    /// </summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (ManualResetEventSlim start in _start)
            {
                start.Set();
            }
        }

        foreach (Thread thread in _threads)
        {
            thread.Join();
        }
    }

    /// <summary>Throws if disposed: checked when a call starts, before anything is written.</summary>
    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>The reusable job description for element type <typeparamref name="T"/> (created on first use).</summary>
    internal ParallelGemm<T> Job<T>()
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        int slot = typeof(T) == typeof(float) ? 0 : 1;
        return (ParallelGemm<T>)(_jobs[slot] ??= new ParallelGemm<T>(Threads));
    }

    /// <summary>Runs <paramref name="work"/> on every thread (index 0 is the caller) and returns when all are done.</summary>
    internal void Run(IGemmWork work)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Runs++;
        _work = work;
        _workerError = null;
        _pending = _threads.Length;
        _done.Reset();
        foreach (ManualResetEventSlim start in _start)
        {
            start.Set();
        }

        Exception? error = null;
        try
        {
            work.Execute(0, Threads);
        }
        catch (Exception exception)
        {
            error = exception;
        }

        if (_threads.Length > 0)
        {
            WaitForWorkers();
        }

        _work = null;
        if ((error ?? _workerError) is { } failure)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    // The workers write through pointers into memory the caller pinned: Run must not return before they finish, so
    // this wait cannot be cut short. A Thread.Interrupt that arrives meanwhile is kept and raised again afterwards.
    private void WaitForWorkers()
    {
        bool interrupted = false;
        while (true)
        {
            try
            {
                _done.Wait();
                break;
            }
            catch (ThreadInterruptedException)
            {
                interrupted = true;
            }
        }

        if (interrupted)
        {
            Thread.CurrentThread.Interrupt();
        }
    }

    /// <summary>Serializes the products of the networks that share this instance.</summary>
    internal Lock.Scope Enter() => _gate.EnterScope();

    private void WorkerLoop(object? state)
    {
        int index = (int)state!;
        ManualResetEventSlim start = _start[index];
        while (true)
        {
            start.Wait();
            start.Reset();
            if (_disposed)
            {
                return;
            }

            try
            {
                _work!.Execute(index + 1, Threads);
            }
            catch (Exception exception)
            {
                _workerError = exception;
            }

            if (Interlocked.Decrement(ref _pending) == 0)
            {
                _done.Set();
            }
        }
    }
}

/// <summary>A piece of work that every thread of a <see cref="GemmWorkers"/> runs its share of.</summary>
internal interface IGemmWork
{
    void Execute(int worker, int workers);
}
