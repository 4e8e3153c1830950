/*
 * Tests the C ABI of libbackprop.so against the managed engine.
 *
 *   backprop_test MODEL.safetensors INPUTS.csv EXPECTED.csv
 *
 * INPUTS.csv: one sample per line, features then a label (the label is ignored); EXPECTED.csv: the managed
 * engine's outputs for the same samples, one line each (written by `backprop predict --outputs`).
 * Prints one line per check and a closing "N passed, M failed"; exits non-zero on any failure.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backprop.h"

static int passed, failed;

static void check(int ok, const char* what)
{
    printf("%s %s\n", ok ? "ok  " : "FAIL", what);
    if (ok)
        passed++;
    else
        failed++;
}

/* Reads a numeric CSV into a malloc'd row-major matrix; *rows and *cols receive its shape. */
static float* read_csv(const char* path, int* rows, int* cols)
{
    FILE* file = fopen(path, "r");
    if (!file)
        return NULL;
    size_t capacity = 1 << 16, count = 0;
    float* values = malloc(capacity * sizeof(float));
    char line[1 << 16];
    *rows = 0;
    *cols = 0;
    while (fgets(line, sizeof line, file))
    {
        int fields = 0;
        for (char* token = strtok(line, ",\n"); token; token = strtok(NULL, ",\n"))
        {
            if (count == capacity)
                values = realloc(values, (capacity *= 2) * sizeof(float));
            values[count++] = strtof(token, NULL);
            fields++;
        }
        if (fields == 0)
            continue;
        if (*cols == 0)
            *cols = fields;
        (*rows)++;
    }
    fclose(file);
    return values;
}

static int argmax(const float* v, int n)
{
    int best = 0;
    for (int i = 1; i < n; i++)
        if (v[i] > v[best])
            best = i;
    return best;
}

struct worker
{
    const bp_model* model;
    const float* inputs;
    const float* reference;
    int samples, in, out, mismatches;
};

static void* predict_all(void* argument)
{
    struct worker* w = argument;
    float* output = malloc(w->out * sizeof(float));
    for (int round = 0; round < 20; round++)
        for (int i = 0; i < w->samples; i++)
        {
            if (bp_model_predict(w->model, w->inputs + (size_t)i * w->in, w->in, output, w->out, 1) != BP_OK
                || memcmp(output, w->reference + (size_t)i * w->out, w->out * sizeof(float)) != 0)
                w->mismatches++;
        }
    free(output);
    return NULL;
}

int main(int argc, char** argv)
{
    if (argc != 4)
    {
        fprintf(stderr, "usage: %s MODEL.safetensors INPUTS.csv EXPECTED.csv\n", argv[0]);
        return 2;
    }

    printf("library: %s\n", bp_version());

    bp_model* model = NULL;
    check(bp_model_load_file(argv[1], &model) == BP_OK && model != NULL, "load the model file");
    if (!model)
    {
        printf("  %s\n0 passed, 1 failed\n", bp_last_error());
        return 1;
    }

    int in = bp_model_input_size(model), out = bp_model_output_size(model);
    int rows, cols, expected_rows, expected_cols;
    float* data = read_csv(argv[2], &rows, &cols);
    float* expected = read_csv(argv[3], &expected_rows, &expected_cols);
    check(data && expected && cols == in + 1 && expected_cols == out && rows == expected_rows,
          "input and expected files match the model's sizes");
    if (!data || !expected || cols != in + 1 || expected_cols != out || rows != expected_rows)
        return 1;

    /* The features without the label column. */
    float* inputs = malloc((size_t)rows * in * sizeof(float));
    for (int i = 0; i < rows; i++)
        memcpy(inputs + (size_t)i * in, data + (size_t)i * cols, in * sizeof(float));

    /* One sample at a time, then the whole set as one batch: both agree with the managed outputs. */
    float* single = malloc((size_t)rows * out * sizeof(float));
    float* batch = malloc((size_t)rows * out * sizeof(float));
    int status = BP_OK;
    for (int i = 0; i < rows && status == BP_OK; i++)
        status = bp_model_predict(model, inputs + (size_t)i * in, in, single + (size_t)i * out, out, 1);
    check(status == BP_OK, "predict every sample one by one");
    check(bp_model_predict(model, inputs, (size_t)rows * in, batch, (size_t)rows * out, rows) == BP_OK,
          "predict all samples as one batch");

    double worst = 0;
    int same_class = 0;
    for (int i = 0; i < rows; i++)
    {
        for (int j = 0; j < out; j++)
        {
            double e = expected[(size_t)i * out + j];
            double a = single[(size_t)i * out + j], b = batch[(size_t)i * out + j];
            double scale = fmax(1.0, fabs(e));
            worst = fmax(worst, fmax(fabs(a - e), fabs(b - e)) / scale);
        }
        same_class += argmax(single + (size_t)i * out, out) == argmax(expected + (size_t)i * out, out);
    }
    printf("  %d samples, worst relative difference from the managed engine %.3g\n", rows, worst);
    check(worst <= 1e-4, "outputs equal the managed engine's (relative 1e-4: the library may run another SIMD width)");
    check(same_class == rows, "every predicted class equals the managed engine's");

    /* Loading the same bytes from memory gives the same model. */
    FILE* file = fopen(argv[1], "rb");
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    fseek(file, 0, SEEK_SET);
    unsigned char* bytes = malloc(size);
    size_t read = fread(bytes, 1, size, file);
    fclose(file);
    bp_model* from_memory = NULL;
    check(read == (size_t)size && bp_model_load_memory(bytes, size, &from_memory) == BP_OK, "load the model from memory");
    float* again = malloc(out * sizeof(float));
    check(from_memory && bp_model_predict(from_memory, inputs, in, again, out, 1) == BP_OK
              && memcmp(again, single, out * sizeof(float)) == 0,
          "the model from memory predicts bit for bit like the one from the file");

    /* Four threads share one model; every output equals the single-threaded one bit for bit. */
    pthread_t threads[4];
    struct worker workers[4];
    for (int t = 0; t < 4; t++)
    {
        workers[t] = (struct worker){ model, inputs, single, rows < 200 ? rows : 200, in, out, 0 };
        pthread_create(&threads[t], NULL, predict_all, &workers[t]);
    }
    int mismatches = 0;
    for (int t = 0; t < 4; t++)
    {
        pthread_join(threads[t], NULL);
        mismatches += workers[t].mismatches;
    }
    check(mismatches == 0, "4 threads on one model reproduce the single-threaded outputs exactly");

    /* Errors come back as statuses with a message, never as a crash. */
    bp_model* none = NULL;
    check(bp_model_load_file("/nonexistent/model.safetensors", &none) == BP_IO_ERROR && none == NULL
              && strlen(bp_last_error()) > 0,
          "a missing file is BP_IO_ERROR with a message");
    bytes[8] ^= 0x5a; /* corrupt the JSON header */
    check(bp_model_load_memory(bytes, size, &none) == BP_INVALID_DATA && none == NULL && strlen(bp_last_error()) > 0,
          "a corrupt header is BP_INVALID_DATA with a message");
    check(bp_model_load_memory(bytes, 5, &none) == BP_INVALID_DATA, "a truncated file is BP_INVALID_DATA");
    check(bp_model_predict(model, inputs, in - 1, again, out, 1) == BP_INVALID_ARGUMENT
              && strstr(bp_last_error(), "needs") != NULL,
          "a wrong input count is BP_INVALID_ARGUMENT naming the sizes");
    check(bp_model_predict(model, inputs, in, again, out, 0) == BP_INVALID_ARGUMENT, "batch 0 is BP_INVALID_ARGUMENT");
    check(bp_model_predict(NULL, inputs, in, again, out, 1) == BP_INVALID_ARGUMENT, "a null model is BP_INVALID_ARGUMENT");
    check(bp_model_input_size(NULL) == -1 && bp_model_output_size(NULL) == -1, "sizes of a null model are -1");
    check(bp_model_load_file(NULL, &none) == BP_INVALID_ARGUMENT, "a null path is BP_INVALID_ARGUMENT");

    bp_model_free(from_memory);
    bp_model_free(model);
    bp_model_free(NULL);
    free(bytes);
    free(again);
    free(single);
    free(batch);
    free(inputs);
    free(data);
    free(expected);

    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
