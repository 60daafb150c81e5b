/*
 * relu-info: what librelu sees on this machine and how fast it runs here.
 * Prints the version, the CPU features that matter for dispatch, the ISA
 * tiers available and active, and a quick throughput table (GB/s of bytes
 * read + written, median of 5 timings) per op, direction and dtype for every
 * available tier, next to memcpy of the same bytes.
 *
 *   relu-info            full table, 64 Ki elements per call (L2-resident)
 *   relu-info -n N       another element count
 *   relu-info --quick    forward ops only
 */
#define _POSIX_C_SOURCE 199309L
#include <relu.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cpu_features/cpu_features_macros.h>
#if defined(CPU_FEATURES_ARCH_X86)
#include <cpu_features/cpuinfo_x86.h>
#endif

#include "cpu.h" /* RELU_CPU_MASK, read the library's way */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

enum { OP_RELU, OP_LEAKY, OP_PRELU, OP_ELU, OP_SELU, OP_CLIPPED, OP_TANH, OP_COUNT };
static const char *const op_names[OP_COUNT] = {"relu", "leaky", "prelu", "elu",
                                               "selu", "clipped", "tanh"};
enum { DT_F32, DT_F64, DT_S8, DT_COUNT };
static const char *const dt_names[DT_COUNT] = {"f32", "f64", "s8"};
static const size_t dt_size[DT_COUNT] = {4, 8, 1};

typedef struct {
    void *x, *dy, *out;
    float *alpha_f32;
    double *alpha_f64;
    float dalpha_f32[16];
    double dalpha_f64[16];
    size_t n;
} bufs;

static const relu_quant q = {0.05f, 3};

static relu_status run(int op, int dt, int backward, bufs *b)
{
    const size_t n = b->n;
    if (dt == DT_F32) {
        const float *x = b->x, *dy = b->dy;
        float *o = b->out;
        switch (op * 2 + backward) {
        case 0: return relu_forward_f32(x, o, n);
        case 1: return relu_backward_f32(x, dy, o, n);
        case 2: return relu_leaky_forward_f32(x, o, n, 0.01f);
        case 3: return relu_leaky_backward_f32(x, dy, o, n, 0.01f);
        case 4: return relu_prelu_forward_f32(x, o, b->alpha_f32, n / 1024, 16, 64);
        case 5: return relu_prelu_backward_f32(x, dy, b->alpha_f32, o, b->dalpha_f32, n / 1024, 16, 64);
        case 6: return relu_elu_forward_f32(x, o, n, 1.0f);
        case 7: return relu_elu_backward_f32(x, dy, o, n, 1.0f);
        case 8: return relu_selu_forward_f32(x, o, n);
        case 9: return relu_selu_backward_f32(x, dy, o, n);
        case 10: return relu_clipped_forward_f32(x, o, n, 6.0f);
        case 11: return relu_clipped_backward_f32(x, dy, o, n, 6.0f);
        case 12: return relu_tanh_forward_f32(x, o, n);
        default: return relu_tanh_backward_f32(x, dy, o, n);
        }
    }
    if (dt == DT_F64) {
        const double *x = b->x, *dy = b->dy;
        double *o = b->out;
        switch (op * 2 + backward) {
        case 0: return relu_forward_f64(x, o, n);
        case 1: return relu_backward_f64(x, dy, o, n);
        case 2: return relu_leaky_forward_f64(x, o, n, 0.01);
        case 3: return relu_leaky_backward_f64(x, dy, o, n, 0.01);
        case 4: return relu_prelu_forward_f64(x, o, b->alpha_f64, n / 1024, 16, 64);
        case 5: return relu_prelu_backward_f64(x, dy, b->alpha_f64, o, b->dalpha_f64, n / 1024, 16, 64);
        case 6: return relu_elu_forward_f64(x, o, n, 1.0);
        case 7: return relu_elu_backward_f64(x, dy, o, n, 1.0);
        case 8: return relu_selu_forward_f64(x, o, n);
        case 9: return relu_selu_backward_f64(x, dy, o, n);
        case 10: return relu_clipped_forward_f64(x, o, n, 6.0);
        case 11: return relu_clipped_backward_f64(x, dy, o, n, 6.0);
        case 12: return relu_tanh_forward_f64(x, o, n);
        default: return relu_tanh_backward_f64(x, dy, o, n);
        }
    }
    {
        const int8_t *x = b->x, *dy = b->dy;
        int8_t *o = b->out;
        switch (op * 2 + backward) {
        case 0: return relu_forward_s8(x, o, n, &q, &q);
        case 1: return relu_backward_s8(x, dy, o, n, &q, &q, &q);
        case 2: return relu_leaky_forward_s8(x, o, n, 0.01f, &q, &q);
        case 3: return relu_leaky_backward_s8(x, dy, o, n, 0.01f, &q, &q, &q);
        case 4: return relu_prelu_forward_s8(x, o, b->alpha_f32, n / 1024, 16, 64, &q, &q);
        case 5: return relu_prelu_backward_s8(x, dy, b->alpha_f32, o, b->dalpha_f32, n / 1024, 16, 64, &q, &q, &q);
        case 6: return relu_elu_forward_s8(x, o, n, 1.0f, &q, &q);
        case 7: return relu_elu_backward_s8(x, dy, o, n, 1.0f, &q, &q, &q);
        case 8: return relu_selu_forward_s8(x, o, n, &q, &q);
        case 9: return relu_selu_backward_s8(x, dy, o, n, &q, &q, &q);
        case 10: return relu_clipped_forward_s8(x, o, n, 6.0f, &q, &q);
        case 11: return relu_clipped_backward_s8(x, dy, o, n, 6.0f, &q, &q, &q);
        case 12: return relu_tanh_forward_s8(x, o, n, &q, &q);
        default: return relu_tanh_backward_s8(x, dy, o, n, &q, &q, &q);
        }
    }
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median over 5 timings of enough repetitions to fill ~4 ms each. */
static double median_seconds_per_call(int op, int dt, int backward, bufs *b)
{
    double t[5], t0;
    long reps = 1, r;
    int k;
    for (;;) {
        t0 = now();
        for (r = 0; r < reps; r++)
            run(op, dt, backward, b);
        if (now() - t0 > 0.004 || reps > (1L << 24))
            break;
        reps *= 2;
    }
    for (k = 0; k < 5; k++) {
        t0 = now();
        for (r = 0; r < reps; r++)
            run(op, dt, backward, b);
        t[k] = (now() - t0) / (double)reps;
    }
    qsort(t, 5, sizeof t[0], cmp_double);
    return t[2];
}

static double memcpy_gbs(bufs *b, size_t bytes)
{
    double t[5], t0;
    long reps = 1, r;
    int k;
    for (;;) {
        t0 = now();
        for (r = 0; r < reps; r++) {
            memcpy(b->out, b->x, bytes);
            __asm__ volatile("" : : "r"(b->out) : "memory");
        }
        if (now() - t0 > 0.004 || reps > (1L << 24))
            break;
        reps *= 2;
    }
    for (k = 0; k < 5; k++) {
        t0 = now();
        for (r = 0; r < reps; r++) {
            memcpy(b->out, b->x, bytes);
            __asm__ volatile("" : : "r"(b->out) : "memory");
        }
        t[k] = (now() - t0) / (double)reps;
    }
    qsort(t, 5, sizeof t[0], cmp_double);
    return 2.0 * (double)bytes / t[2] * 1e-9;
}

static void print_cpu(void)
{
#if defined(CPU_FEATURES_ARCH_X86)
    const X86Info info = GetX86Info();
    const X86Features f = info.features;
    const char *mask = getenv(RELU_CPU_MASK_ENV);
    const int vbmi_masked = mask != NULL && relu__cpu_mask_names(mask, "avx512vbmi");
    printf("cpu:       %s (family %d model %d)\n", info.brand_string, info.family, info.model);
    printf("features: %s%s%s%s%s%s%s%s\n", f.sse4_2 ? " sse4.2" : "", f.avx ? " avx" : "",
           f.avx2 ? " avx2" : "", f.fma3 ? " fma" : "", f.avx512f ? " avx512f" : "",
           f.avx512bw ? " avx512bw" : "", f.avx512dq ? " avx512dq" : "",
           f.avx512vl ? " avx512vl" : "");
    printf("           %s%s%s\n", f.avx512vbmi ? " avx512vbmi" : "",
           f.avx512vbmi && vbmi_masked ? " (masked: " RELU_CPU_MASK_ENV ")" : "",
           f.avx512vnni ? " avx512vnni" : "");
#elif defined(CPU_FEATURES_ARCH_AARCH64)
    printf("cpu:       aarch64 (Advanced SIMD is architectural)\n");
#else
    printf("cpu:       no SIMD tier for this architecture\n");
#endif
}

int main(int argc, char **argv)
{
    size_t n = 65536;
    int quick = 0, i, isa, op, dt, dir;
    int isas[4], nisa = 0;
    relu_isa start;
    bufs b;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0)
            quick = 1;
        else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
            n = (size_t)strtoull(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "usage: %s [--quick] [-n elements]\n", argv[0]);
            return 2;
        }
    }
    n = n < 1024 ? 1024 : n - n % 1024;

    printf("librelu %s\n", relu_version_string());
    print_cpu();
    start = relu_active_isa();
    printf("isa:       ");
    for (isa = RELU_ISA_SCALAR; isa <= RELU_ISA_NEON; isa++) {
        if (relu_isa_available((relu_isa)isa)) {
            isas[nisa++] = isa;
            printf(" %s%s", relu_isa_name((relu_isa)isa), isa == (int)start ? " (active)" : "");
        }
    }
    printf("\nthreads:   %d\n", relu_get_num_threads());

    b.n = n;
    b.x = malloc(n * 8);
    b.dy = malloc(n * 8);
    b.out = malloc(n * 8);
    b.alpha_f32 = malloc(16 * sizeof(float));
    b.alpha_f64 = malloc(16 * sizeof(double));
    if (!b.x || !b.dy || !b.out || !b.alpha_f32 || !b.alpha_f64)
        return 1;
    for (i = 0; i < 16; i++) {
        b.alpha_f32[i] = 0.25f;
        b.alpha_f64[i] = 0.25;
    }

    printf("\nthroughput, %zu elements per call, GB/s (bytes read + written), median of 5\n", n);
    printf("%-8s %-4s %-3s", "op", "dir", "dt");
    for (i = 0; i < nisa; i++)
        printf(" %9s", relu_isa_name((relu_isa)isas[i]));
    printf(" %9s %s\n", "memcpy", "best/memcpy");
    for (dir = 0; dir < (quick ? 1 : 2); dir++)
        for (op = 0; op < OP_COUNT; op++)
            for (dt = 0; dt < DT_COUNT; dt++) {
                const size_t bytes = n * dt_size[dt] * (dir ? 3 : 2);
                double best = 0.0, mc;
                size_t k;
                /* Inputs straddle every branch: half negative, some past 6. */
                for (k = 0; k < n; k++) {
                    const double v = ((double)((k * 2654435761u) % 2001) - 1000.0) / 100.0;
                    if (dt == DT_F32) {
                        ((float *)b.x)[k] = (float)v;
                        ((float *)b.dy)[k] = 1.0f;
                    } else if (dt == DT_F64) {
                        ((double *)b.x)[k] = v;
                        ((double *)b.dy)[k] = 1.0;
                    } else {
                        ((int8_t *)b.x)[k] = (int8_t)(k * 37);
                        ((int8_t *)b.dy)[k] = (int8_t)(k * 11);
                    }
                }
                printf("%-8s %-4s %-3s", op_names[op], dir ? "bwd" : "fwd", dt_names[dt]);
                for (i = 0; i < nisa; i++) {
                    double s, gbs;
                    relu_use_isa((relu_isa)isas[i]);
                    if (run(op, dt, dir, &b) != RELU_OK) {
                        printf(" %9s", "error");
                        continue;
                    }
                    s = median_seconds_per_call(op, dt, dir, &b);
                    gbs = (double)bytes / s * 1e-9;
                    if (gbs > best)
                        best = gbs;
                    printf(" %9.1f", gbs);
                }
                mc = memcpy_gbs(&b, n * dt_size[dt]);
                printf(" %9.1f %9.2fx\n", mc, best / mc);
            }
    relu_use_isa(start);
    free(b.x);
    free(b.dy);
    free(b.out);
    free(b.alpha_f32);
    free(b.alpha_f64);
    return 0;
}
