using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Backprop.Simd.IO;
using Backprop.Simd.Model;

namespace Backprop.Simd.Native;

/// <summary>
/// The C ABI declared in <c>include/backprop.h</c>. Each export validates its pointers, runs inside one try/catch
/// so no exception crosses the boundary, and reports failures as a status plus a thread-local message.
/// </summary>
public static unsafe class NativeExports
{
    private const int Ok = 0;
    private const int InvalidArgument = 1;
    private const int InvalidData = 2;
    private const int IoError = 3;
    private const int InternalError = 4;

    // UTF-8, NUL-terminated, owned here: freed when this thread reports its next error.
    [ThreadStatic]
    private static IntPtr t_lastError;

    private static readonly IntPtr s_version = Marshal.StringToCoTaskMemUTF8(
        $"backprop {typeof(NativeExports).Assembly.GetName().Version?.ToString(3)} (Vector512 {YesNo(Vector512.IsHardwareAccelerated)}, "
        + $"Vector256 {YesNo(Vector256.IsHardwareAccelerated)}, Vector128 {YesNo(Vector128.IsHardwareAccelerated)})");

    /// <summary><c>bp_model_load_file</c>: loads a model from a UTF-8 path into a new handle. See include/backprop.h.</summary>
    [UnmanagedCallersOnly(EntryPoint = "bp_model_load_file")]
    public static int LoadFile(byte* path, IntPtr* model)
    {
        try
        {
            if (path is null || model is null)
            {
                return Fail(InvalidArgument, "bp_model_load_file: path and model must not be null.");
            }

            *model = IntPtr.Zero;
            string? text = Marshal.PtrToStringUTF8((IntPtr)path);
            if (string.IsNullOrEmpty(text))
            {
                return Fail(InvalidArgument, "bp_model_load_file: path is empty.");
            }

            *model = GCHandle.ToIntPtr(GCHandle.Alloc(ModelFile.Load<float>(text)));
            return Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    /// <summary><c>bp_model_load_memory</c>: loads a model from a buffer (copied) into a new handle. See include/backprop.h.</summary>
    [UnmanagedCallersOnly(EntryPoint = "bp_model_load_memory")]
    public static int LoadMemory(byte* data, nuint length, IntPtr* model)
    {
        try
        {
            if (data is null || model is null)
            {
                return Fail(InvalidArgument, "bp_model_load_memory: data and model must not be null.");
            }

            *model = IntPtr.Zero;
            if (length > int.MaxValue)
            {
                return Fail(InvalidArgument, $"bp_model_load_memory: length {length} exceeds {int.MaxValue} bytes.");
            }

            *model = GCHandle.ToIntPtr(GCHandle.Alloc(ModelFile.Load<float>(new ReadOnlySpan<byte>(data, (int)length))));
            return Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    /// <summary><c>bp_model_input_size</c>: features per sample, or −1 for a null handle. See include/backprop.h.</summary>
    [UnmanagedCallersOnly(EntryPoint = "bp_model_input_size")]
    public static int InputSize(IntPtr model)
    {
        try
        {
            return model == IntPtr.Zero ? -1 : Resolve(model).InputSize;
        }
        catch (Exception e)
        {
            Fail(e);
            return -1;
        }
    }

    /// <summary><c>bp_model_output_size</c>: outputs per sample, or −1 for a null handle. See include/backprop.h.</summary>
    [UnmanagedCallersOnly(EntryPoint = "bp_model_output_size")]
    public static int OutputSize(IntPtr model)
    {
        try
        {
            return model == IntPtr.Zero ? -1 : Resolve(model).OutputSize;
        }
        catch (Exception e)
        {
            Fail(e);
            return -1;
        }
    }

    /// <summary><c>bp_model_predict</c>: runs the model on a batch, with the counts checked against it. See include/backprop.h.</summary>
    [UnmanagedCallersOnly(EntryPoint = "bp_model_predict")]
    public static int Predict(IntPtr model, float* inputs, nuint inputCount, float* outputs, nuint outputCount, int batch)
    {
        try
        {
            if (model == IntPtr.Zero || inputs is null || outputs is null)
            {
                return Fail(InvalidArgument, "bp_model_predict: model, inputs and outputs must not be null.");
            }

            InferenceModel<float> served = Resolve(model);
            if (batch <= 0)
            {
                return Fail(InvalidArgument, $"bp_model_predict: batch must be positive, it is {batch}.");
            }

            ulong expectedInputs = (ulong)batch * (ulong)served.InputSize;
            ulong expectedOutputs = (ulong)batch * (ulong)served.OutputSize;
            if (inputCount != expectedInputs || outputCount != expectedOutputs)
            {
                return Fail(
                    InvalidArgument,
                    $"bp_model_predict: batch {batch} needs {expectedInputs} inputs and {expectedOutputs} outputs, got {inputCount} and {outputCount}.");
            }

            served.Predict(new ReadOnlySpan<float>(inputs, (int)inputCount), new Span<float>(outputs, (int)outputCount), batch);
            return Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    /// <summary><c>bp_model_free</c>: releases a handle; null is ignored. See include/backprop.h.</summary>
    [UnmanagedCallersOnly(EntryPoint = "bp_model_free")]
    public static void Free(IntPtr model)
    {
        try
        {
            if (model != IntPtr.Zero)
            {
                GCHandle.FromIntPtr(model).Free();
            }
        }
        catch (Exception e)
        {
            Fail(e);
        }
    }

    /// <summary><c>bp_last_error</c>: this thread's last failure message. See include/backprop.h.</summary>
    [UnmanagedCallersOnly(EntryPoint = "bp_last_error")]
    public static byte* LastError() => (byte*)t_lastError;

    /// <summary><c>bp_version</c>: the version and the active SIMD widths. See include/backprop.h.</summary>
    [UnmanagedCallersOnly(EntryPoint = "bp_version")]
    public static byte* Version() => (byte*)s_version;

    private static InferenceModel<float> Resolve(IntPtr model)
        => GCHandle.FromIntPtr(model).Target as InferenceModel<float>
            ?? throw new ArgumentException("the model handle does not refer to a loaded model.", nameof(model));

    private static int Fail(Exception error) => error switch
    {
        InvalidDataException => Fail(InvalidData, error.Message),
        ArgumentException => Fail(InvalidArgument, error.Message),
        IOException or UnauthorizedAccessException => Fail(IoError, error.Message),
        _ => Fail(InternalError, $"{error.GetType().Name}: {error.Message}"),
    };

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Fail(int status, string message)
    {
        IntPtr previous = t_lastError;
        t_lastError = Marshal.StringToCoTaskMemUTF8(message);
        Marshal.FreeCoTaskMem(previous);
        return status;
    }

    private static string YesNo(bool value) => value ? "yes" : "no";
}
