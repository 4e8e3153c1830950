using Backprop.Simd.IO;
using Backprop.Simd.Model;
using Xunit;

namespace Backprop.Simd.Tests.IO;

/// <summary>
/// A save that fails at any point leaves the previous file byte-identical and no temporary file behind: the new file
/// is written beside the target and only renamed over it once complete and flushed.
/// </summary>
public sealed class AtomicSaveTests : IDisposable
{
    private static readonly NetworkSpec s_spec = NetworkSpec.Parse("6-5-4");

    private readonly string _directory = Directory.CreateTempSubdirectory("backprop-atomic-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(100)]
    [InlineData(300)]
    public void FailureMidWriteLeavesTheOldFileAndNoTemporary(int failAfter)
    {
        string path = Path.Combine(_directory, "model.safetensors");
        ModelFile.Save(new Network<float>(s_spec, 1, seed: 1), path);
        byte[] before = File.ReadAllBytes(path);
        float[] parameters = new Network<float>(s_spec, 1, seed: 2).Parameters.ToArray();

        IOException error = Assert.Throws<IOException>(
            () => ModelFile.Save<float>(s_spec, parameters, path, inner => new FailingStream(inner, failAfter)));

        Assert.Equal(FailingStream.Message, error.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_directory));
    }

    [Fact]
    public void FailureWithoutAPreviousFileLeavesNothing()
    {
        string path = Path.Combine(_directory, "new.safetensors");
        Assert.Throws<IOException>(() => ModelFile.Save<double>(s_spec, new double[s_spec.ParameterCount], path, inner => new FailingStream(inner, 50)));
        Assert.Empty(Directory.GetFileSystemEntries(_directory));
    }

    [Fact]
    public void FailedRenameLeavesTheTargetAndNoTemporary()
    {
        // The target is a directory: everything is written and flushed, then the rename fails.
        string path = Path.Combine(_directory, "taken");
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "inside.txt"), "kept");

        Exception error = Assert.ThrowsAny<Exception>(() => ModelFile.Save(new Network<float>(s_spec, 1), path));

        Assert.True(error is IOException or UnauthorizedAccessException, error.ToString());
        Assert.Equal("kept", File.ReadAllText(Path.Combine(path, "inside.txt")));
        Assert.Equal([path], Directory.GetFileSystemEntries(_directory));
    }

    [Fact]
    public void AMissingDirectoryFailsBeforeWritingAnything()
        => Assert.Throws<DirectoryNotFoundException>(() => ModelFile.Save(new Network<float>(s_spec, 1), Path.Combine(_directory, "absent", "m.safetensors")));

    [Fact]
    public void ASuccessfulSaveLeavesOnlyTheTarget()
    {
        string path = Path.Combine(_directory, "ok.safetensors");
        var network = new Network<double>(s_spec, 1, seed: 3);
        ModelFile.Save(network, path);
        ModelFile.Save(network, path);
        Assert.Equal([path], Directory.GetFiles(_directory));
        Assert.Equal(SafetensorsFiles.Written<double>(s_spec, network.Parameters), File.ReadAllBytes(path));
    }

    /// <summary>Passes the first <c>failAfter</c> bytes through, then throws, as a full disk or a pulled drive would.</summary>
    private sealed class FailingStream(Stream inner, int failAfter) : Stream
    {
        public const string Message = "injected write failure";

        private long _written;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _written;
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            int allowed = (int)Math.Min(buffer.Length, Math.Max(0, failAfter - _written));
            inner.Write(buffer[..allowed]);
            _written += allowed;
            if (allowed < buffer.Length)
            {
                throw new IOException(Message);
            }
        }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
