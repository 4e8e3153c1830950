namespace Backprop.Simd.IO;

/// <summary>
/// A file replaced all at once or not at all: writes go to a temporary file in the target's directory (so the rename
/// stays on one file system), which <see cref="Commit"/> flushes to disk and renames over the target. Disposing
/// without committing, or after a failed commit, deletes the temporary file and leaves the target as it was.
/// </summary>
internal sealed class AtomicFile : IDisposable
{
    private readonly string _path;
    private readonly string _temporaryPath;
    private readonly FileStream _stream;
    private bool _committed;

    public AtomicFile(string path)
    {
        _path = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(_path) ?? throw new ArgumentException($"'{path}' names no file.", nameof(path));
        _temporaryPath = Path.Combine(directory, $".{Path.GetFileName(_path)}.{Path.GetRandomFileName()}.tmp");
        _stream = new FileStream(_temporaryPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
    }

    /// <summary>The temporary file, for the new content.</summary>
    public Stream Stream => _stream;

    /// <summary>The path of the temporary file (for tests).</summary>
    internal string TemporaryPath => _temporaryPath;

    /// <summary>Makes the new content durable, then atomically replaces the target with it.</summary>
    public void Commit()
    {
        // Flush(true) fsyncs, so the rename cannot reach the disk before the data it points to.
        _stream.Flush(flushToDisk: true);
        _stream.Dispose();
        File.Move(_temporaryPath, _path, overwrite: true);
        _committed = true;
    }

    public void Dispose()
    {
        if (_committed)
        {
            return;
        }

        try
        {
            // Disposing flushes what is buffered, which may fail again (a full disk): it must not skip the delete.
            _stream.Dispose();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The original failure is the one to report.
        }

        try
        {
            File.Delete(_temporaryPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The original failure is the one to report; a leftover temporary file does not affect the target.
        }
    }
}
