/*
 * backprop.h: the C ABI of Backprop.Simd (libbackprop.so, a NativeAOT shared library).
 *
 * A model is loaded once from a safetensors file (or a memory buffer holding one) written by Backprop.Simd or by
 * PyTorch with Backprop.Simd metadata, and is then immutable: bp_model_predict may be called on one model from
 * any number of threads at once. Every function returns a status; on failure bp_last_error() describes it.
 * No C++ exception or .NET exception ever crosses this boundary.
 */
#ifndef BACKPROP_H
#define BACKPROP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bp_model bp_model;

typedef enum bp_status
{
    BP_OK = 0,
    BP_INVALID_ARGUMENT = 1, /* a null pointer, a wrong length or batch */
    BP_INVALID_DATA = 2,     /* a corrupt or unsupported model file */
    BP_IO_ERROR = 3,         /* the file could not be read */
    BP_INTERNAL_ERROR = 4    /* anything else: a bug; see bp_last_error() */
} bp_status;

/* Loads a model from a UTF-8 path. On success *model receives a handle to release with bp_model_free. */
bp_status bp_model_load_file(const char* path, bp_model** model);

/* Loads a model from `length` bytes at `data` (copied; the buffer may be freed afterwards). */
bp_status bp_model_load_memory(const void* data, size_t length, bp_model** model);

/* Features per sample, or -1 for a null model. */
int32_t bp_model_input_size(const bp_model* model);

/* Outputs per sample (logits for a cross-entropy model), or -1 for a null model. */
int32_t bp_model_output_size(const bp_model* model);

/*
 * Runs the model on `batch` samples: `inputs` holds batch * input_size floats (row-major), `outputs` receives
 * batch * output_size floats. The counts are checked against the model; nothing is written on failure.
 */
bp_status bp_model_predict(const bp_model* model, const float* inputs, size_t input_count,
                           float* outputs, size_t output_count, int32_t batch);

/* Releases a model; null is ignored. Freeing a handle twice, or passing a pointer that no bp_model_load_* returned,
 * is undefined behaviour (as with free()): the library cannot tell such a pointer from a valid one. */
void bp_model_free(bp_model* model);

/* The message of this thread's last failure (UTF-8, owned by the library, valid until this thread's next failure;
 * one message per thread is kept for the thread's lifetime). NULL if this thread has not failed yet. */
const char* bp_last_error(void);

/* The library version and the SIMD widths it runs with, e.g. "backprop 0.1.0 (Vector512 no, Vector256 yes, ...)". */
const char* bp_version(void);

#ifdef __cplusplus
}
#endif

#endif /* BACKPROP_H */
