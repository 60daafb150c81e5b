/*
 * relu-accuracy: measures elu, selu and rectified tanh, forward and backward,
 * against independent references, on every available ISA tier, and checks
 * that every tier returns the scalar tier's bits.
 *
 *   relu-accuracy           f32: every 397th bit pattern (sweep_bits); f64: 400 samples
 *                           per binade. A few seconds; what ctest runs.
 *   relu-accuracy --full    f32: all 2^32 bit patterns; f64: 20000 samples
 *                           per binade (every binade, both signs).
 *   --isa NAME              only that tier (still compared with scalar).
 *
 * f32 references are glibc's double-precision expm1/exp/tanh (relative
 * error ~2^-52, far below anything an f32 ULP can show); f64 references are
 * long double (expm1l, expl, tanhl). Forward: ULP distance from the correctly
 * rounded value (the contract: <= 2). Backward: |dx - dy*f'(x)| against
 * API.md's bound 2 ulp(dy*f'(x)) + 2|dy|*min_subnormal ("over bound" must
 * be 0), reported in units of ulp + |dy|*min_subnormal (bound 2). Exit status 1 if any bound is
 * exceeded or any tier differs from scalar.
 */
#define _GNU_SOURCE
#include <relu.h>

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { F_ELU1, F_ELU05, F_ELU17, F_SELU, F_TANH, F_ELU_B1, F_ELU_BR, F_SELU_B1, F_SELU_BR,
       F_TANH_B1, F_TANH_BR, F_COUNT };
static const char *const fn_names[F_COUNT] = {
    "elu forward (alpha 1)", "elu forward (alpha 0.5)", "elu forward (alpha 1.7)",
    "selu forward", "tanh forward", "elu backward (dy 1)", "elu backward (dy random)",
    "selu backward (dy 1)", "selu backward (dy random)", "tanh backward (dy 1)",
    "tanh backward (dy random)"};
static const long double SELU_LA = 1.7580993408473768599402175208123L;
static const long double SELU_L = 1.0507009873554804934193349852946L;

typedef struct stats {
    double max_ulp;       /* forward: integer distance; backward: error in ULPs */
    uint64_t over1, over_bound, mismatches, count;
    double worst_x;
} stats;

static int tiers[4], ntiers;
static stats results[2][4][F_COUNT]; /* [dtype][tier][fn] */

static void merge(stats *into, const stats *s)
{
    if (s->max_ulp > into->max_ulp) {
        into->max_ulp = s->max_ulp;
        into->worst_x = s->worst_x;
    }
    into->over1 += s->over1;
    into->over_bound += s->over_bound;
    into->mismatches += s->mismatches;
    into->count += s->count;
}

/* ------------------------------------------------------------------ f32 */

static double ulp_f32(double v)
{
    int e;
    v = fabs(v);
    if (v < FLT_MIN)
        return 0x1p-149;
    if (v >= FLT_MAX)
        return 0x1p104;
    frexp(v, &e);
    return ldexp(1.0, e - 24);
}

static int64_t ordered_f32(float f)
{
    int32_t i;
    memcpy(&i, &f, 4);
    return i < 0 ? -(int64_t)(i & 0x7fffffff) : (int64_t)i;
}

static void score_forward_f32(stats *s, float got, double ref, float x)
{
    const float cr = (float)ref;
    double d;
    s->count++;
    if (isnan(ref) || isnan(got)) {
        if (isnan(ref) != isnan(got)) {
            s->over_bound++;
            s->max_ulp = INFINITY;
            s->worst_x = x;
        }
        return;
    }
    d = (double)llabs(ordered_f32(got) - ordered_f32(cr));
    if (d > 1)
        s->over1++;
    if (d > 2)
        s->over_bound++;
    if (d > s->max_ulp) {
        s->max_ulp = d;
        s->worst_x = x;
    }
}

static void score_backward(stats *s, double got, long double ref, long double dy, double ulp,
                           double min_sub, double x)
{
    long double err, bound;
    double u;
    s->count++;
    if (isnan(ref) || isinf((double)ref) || isinf(dy)) /* unspecified: +-inf or NaN */
        return;
    if (isnan(got)) {
        s->over_bound++;
        s->max_ulp = INFINITY;
        s->worst_x = x;
        return;
    }
    err = fabsl((long double)got - ref);
    bound = 2.0L * ulp + 2.0L * fabsl(dy) * min_sub;
    /* In units of (ulp + |dy|*min_subnormal): the bound is 2 of them. */
    u = (double)(err / (bound / 2.0L));
    if (u > 1)
        s->over1++;
    if (err > bound)
        s->over_bound++;
    if (u > s->max_ulp) {
        s->max_ulp = u;
        s->worst_x = x;
    }
}

static float dy_for(uint32_t bits)
{
    /* A deterministic dy per x, over many magnitudes and both signs. */
    uint32_t h = bits * 2654435761u;
    h ^= h >> 15;
    return (float)ldexp((double)((h & 0xffff) + 1) / 65536.0 * ((h & 0x10000) ? -1 : 1),
                        (int)((h >> 17) % 60) - 30);
}

#define CHUNK 4096

/*
 * The sweep's b-th input: a bijection of the 2^32 patterns that keeps the
 * magnitudes in order but mixes the signs within a chunk, a quarter or
 * three quarters negative (by magnitude bit 24), the other sign coming in
 * the second half of the sweep. A chunk of consecutive patterns has one
 * sign, and the x86 elu/selu/tanh forwards pack only the lanes that need
 * the evaluation when they are few (src/x86/staged_block.h): with mixed
 * signs every input goes through that packing as well as the dense path.
 */
static uint32_t sweep_bits(uint64_t b)
{
    const uint32_t m = (uint32_t)b & 0x7fffffffu, second = (uint32_t)(b >> 31) & 1u;
    const uint32_t quarter = (m * 2654435761u) >> 30 == 0; /* a quarter of m */
    const uint32_t neg = (m >> 24 & 1u) ? !quarter : quarter;
    return m | (neg ^ second) << 31;
}

typedef struct f32_job {
    uint64_t begin, end, step;
    stats local[4][F_COUNT];
} f32_job;

static void eval_f32(float *out, const float *x, const float *dy, size_t n, int fn)
{
    switch (fn) {
    case F_ELU1: relu_elu_forward_f32(x, out, n, 1.0f); break;
    case F_ELU05: relu_elu_forward_f32(x, out, n, 0.5f); break;
    case F_ELU17: relu_elu_forward_f32(x, out, n, 1.7f); break;
    case F_SELU: relu_selu_forward_f32(x, out, n); break;
    case F_TANH: relu_tanh_forward_f32(x, out, n); break;
    case F_ELU_B1: case F_ELU_BR: relu_elu_backward_f32(x, dy, out, n, 1.0f); break;
    case F_SELU_B1: case F_SELU_BR: relu_selu_backward_f32(x, dy, out, n); break;
    default: relu_tanh_backward_f32(x, dy, out, n); break;
    }
}

/* The active tier is process-wide: a thread switches it and calls the
 * library under this lock, then scores (the slow part) outside it. */
static pthread_mutex_t tier_lock = PTHREAD_MUTEX_INITIALIZER;

static void *f32_worker(void *arg)
{
    f32_job *job = arg;
    static __thread float x[CHUNK], dy1[CHUNK], dyr[CHUNK], out[4][F_COUNT][CHUNK];
    /* The libm references, once per input rather than once per function:
     * the sweep spends most of its time here. */
    static __thread double em1[CHUNK], ex[CHUNK], th[CHUNK], sech2[CHUNK];
    uint64_t b = job->begin;
    while (b < job->end) {
        size_t n = 0, i;
        int fn, t;
        for (; b < job->end && n < CHUNK; b += job->step, n++) {
            const uint32_t bits = sweep_bits(b);
            memcpy(&x[n], &bits, 4);
            dy1[n] = 1.0f;
            dyr[n] = dy_for(bits);
        }
        for (i = 0; i < n; i++) {
            const double v = x[i];
            em1[i] = ex[i] = th[i] = sech2[i] = 0;
            if (v <= 0) {
                em1[i] = expm1(v);
                ex[i] = exp(v);
            } else if (v > 0) {
                const double e = exp(-2.0 * v);
                th[i] = tanh(v);
                sech2[i] = (double)(4.0L * e / ((1.0L + e) * (1.0L + e)));
            }
        }
        pthread_mutex_lock(&tier_lock);
        for (t = 0; t < ntiers; t++) {
            relu_use_isa((relu_isa)tiers[t]);
            for (fn = 0; fn < F_COUNT; fn++) {
                const int random_dy = fn == F_ELU_BR || fn == F_SELU_BR || fn == F_TANH_BR;
                eval_f32(out[t][fn], x, random_dy ? dyr : dy1, n, fn);
            }
        }
        pthread_mutex_unlock(&tier_lock);
        for (fn = 0; fn < F_COUNT; fn++) {
            const int random_dy = fn == F_ELU_BR || fn == F_SELU_BR || fn == F_TANH_BR;
            const float *dy = random_dy ? dyr : dy1;
            for (i = 0; i < n; i++) {
                const double v = x[i];
                double ref = 0;
                long double r = 0;
                if (isnan(v)) {
                    for (t = 0; t < ntiers; t++) {
                        job->local[t][fn].count++;
                        if (!isnan(out[t][fn][i]))
                            job->local[t][fn].over_bound++;
                    }
                    continue;
                }
                switch (fn) {
                case F_ELU1: case F_ELU05: case F_ELU17: {
                    const double a = fn == F_ELU1 ? 1.0 : fn == F_ELU05 ? 0.5 : (double)1.7f;
                    ref = v > 0 ? v : a * em1[i];
                    break;
                }
                case F_SELU:
                    ref = v > 0 ? (double)(SELU_L * v) : (double)(SELU_LA * em1[i]);
                    break;
                case F_TANH:
                    ref = v > 0 ? th[i] : 0.0;
                    break;
                default: {
                    long double d;
                    if (fn == F_ELU_B1 || fn == F_ELU_BR)
                        d = v > 0 ? 1.0L : (long double)ex[i];
                    else if (fn == F_SELU_B1 || fn == F_SELU_BR)
                        d = v > 0 ? SELU_L : SELU_LA * (long double)ex[i];
                    else
                        d = v > 0 ? (long double)sech2[i] : 0;
                    r = (long double)dy[i] * d;
                    break;
                }
                }
                for (t = 0; t < ntiers; t++) {
                    stats *s = &job->local[t][fn];
                    if (t > 0 && memcmp(&out[t][fn][i], &out[0][fn][i], 4) != 0)
                        s->mismatches++;
                    if (fn <= F_TANH)
                        score_forward_f32(s, out[t][fn][i], ref, x[i]);
                    else
                        score_backward(s, out[t][fn][i], r, dy[i], ulp_f32((double)r), 0x1p-149, v);
                }
            }
        }
    }
    return NULL;
}

static void run_f32(int full)
{
    const uint64_t step = full ? 1 : 397;
    enum { NTHREADS = 2 };
    static f32_job jobs[NTHREADS];
    pthread_t th[NTHREADS];
    int t, k, fn;
    for (k = 0; k < NTHREADS; k++) {
        /* Interleaved, so both threads see every range of exponents. */
        memset(&jobs[k], 0, sizeof jobs[k]);
        jobs[k].begin = (uint64_t)k * step;
        jobs[k].end = (uint64_t)1 << 32;
        jobs[k].step = step * NTHREADS;
        pthread_create(&th[k], NULL, f32_worker, &jobs[k]);
    }
    for (k = 0; k < NTHREADS; k++)
        pthread_join(th[k], NULL);
    for (k = 0; k < NTHREADS; k++)
        for (t = 0; t < ntiers; t++)
            for (fn = 0; fn < F_COUNT; fn++)
                merge(&results[0][t][fn], &jobs[k].local[t][fn]);
}

/* ------------------------------------------------------------------ f64 */

static double ulp_f64(long double v)
{
    int e;
    v = fabsl(v);
    if (v < DBL_MIN)
        return 0x1p-1074;
    if (v >= DBL_MAX)
        return 0x1p971;
    frexpl(v, &e);
    return ldexp(1.0, e - 53);
}

static int64_t ordered_f64(double f)
{
    int64_t i;
    memcpy(&i, &f, 8);
    return i < 0 ? -(i & INT64_MAX) : i;
}

static void eval_f64(double *out, const double *x, const double *dy, size_t n, int fn)
{
    switch (fn) {
    case F_ELU1: relu_elu_forward_f64(x, out, n, 1.0); break;
    case F_ELU05: relu_elu_forward_f64(x, out, n, 0.5); break;
    case F_ELU17: relu_elu_forward_f64(x, out, n, 1.7); break;
    case F_SELU: relu_selu_forward_f64(x, out, n); break;
    case F_TANH: relu_tanh_forward_f64(x, out, n); break;
    case F_ELU_B1: case F_ELU_BR: relu_elu_backward_f64(x, dy, out, n, 1.0); break;
    case F_SELU_B1: case F_SELU_BR: relu_selu_backward_f64(x, dy, out, n); break;
    default: relu_tanh_backward_f64(x, dy, out, n); break;
    }
}

static void run_f64(int full)
{
    const int per_binade = full ? 20000 : 400;
    uint64_t state = 0x9E3779B97F4A7C15ull;
    double *x = malloc((size_t)per_binade * sizeof *x), *dy = malloc((size_t)per_binade * sizeof *dy);
    double *out = malloc((size_t)per_binade * 4 * sizeof *out);
    double *ones = malloc((size_t)per_binade * sizeof *ones);
    int t, e, sign, fn, i;
    if (!x || !dy || !out || !ones)
        exit(2);
    for (i = 0; i < per_binade; i++)
        ones[i] = 1.0;
    /* Every binade, subnormals (e = -1075) to the largest; the first two
     * samples of each are its ends (mantissa 1 and 2 - 2^-52). */
    for (e = -1075; e <= 1023; e++)
        for (sign = 0; sign < 2; sign++) {
            for (i = 0; i < per_binade; i++) {
                double m;
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                m = i == 0 ? 1.0 : i == 1 ? 2.0 - 0x1p-52 : 1.0 + (double)(state >> 11) * 0x1p-53;
                x[i] = e < -1022 ? ldexp(m - 1.0, -1022) : ldexp(m, e); /* subnormals */
                if (sign)
                    x[i] = -x[i];
                dy[i] = ldexp((double)((state >> 20) & 0xffff) / 65536.0 + 0.5, (int)(state % 80) - 40);
            }
            for (fn = 0; fn < F_COUNT; fn++) {
                const double *g = (fn == F_ELU_B1 || fn == F_SELU_B1 || fn == F_TANH_B1) ? ones : dy;
                for (t = 0; t < ntiers; t++) {
                    relu_use_isa((relu_isa)tiers[t]);
                    eval_f64(out + (size_t)t * per_binade, x, g, (size_t)per_binade, fn);
                }
                for (i = 0; i < per_binade; i++) {
                    const long double v = x[i];
                    long double ref, dref = 0;
                    if (fn == F_TANH)
                        ref = v > 0 ? tanhl(v) : 0.0L;
                    else if (fn == F_SELU)
                        ref = v > 0 ? SELU_L * v : SELU_LA * expm1l(v);
                    else if (fn <= F_ELU17)
                        ref = v > 0 ? v : (fn == F_ELU1 ? 1.0L : fn == F_ELU05 ? 0.5L : 1.7L) * expm1l(v);
                    else {
                        if (fn == F_ELU_B1 || fn == F_ELU_BR)
                            dref = v > 0 ? 1.0L : expl(v);
                        else if (fn == F_SELU_B1 || fn == F_SELU_BR)
                            dref = v > 0 ? SELU_L : SELU_LA * expl(v);
                        else if (v > 0) {
                            const long double g = expl(-2.0L * v);
                            dref = 4.0L * g / ((1.0L + g) * (1.0L + g));
                        }
                        ref = (long double)g[i] * dref;
                    }
                    for (t = 0; t < ntiers; t++) {
                        stats *s = &results[1][t][fn];
                        const double got = out[(size_t)t * per_binade + i];
                        if (t > 0 && memcmp(&got, &out[i], 8) != 0)
                            s->mismatches++;
                        if (fn <= F_TANH) {
                            const double d = (double)llabs(ordered_f64(got) - ordered_f64((double)ref));
                            s->count++;
                            if (d > 1) s->over1++;
                            if (d > 2) s->over_bound++;
                            if (d > s->max_ulp) { s->max_ulp = d; s->worst_x = x[i]; }
                        } else {
                            score_backward(s, got, ref, g[i], ulp_f64(ref), 0x1p-1074, x[i]);
                        }
                    }
                }
            }
        }
    free(x);
    free(dy);
    free(out);
    free(ones);
}

int main(int argc, char **argv)
{
    int full = 0, only = -1, i, t, fn, d, bad = 0;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--full") == 0)
            full = 1;
        else if (strcmp(argv[i], "--isa") == 0 && i + 1 < argc) {
            const char *name = argv[++i];
            for (t = RELU_ISA_SCALAR; t <= RELU_ISA_NEON; t++)
                if (strcmp(name, relu_isa_name((relu_isa)t)) == 0)
                    only = t;
            if (only < 0 || !relu_isa_available((relu_isa)only)) {
                fprintf(stderr, "relu-accuracy: tier '%s' is not available\n", name);
                return 2;
            }
        } else {
            fprintf(stderr, "usage: %s [--full] [--isa scalar|avx2|avx512|neon]\n", argv[0]);
            return 2;
        }
    }
    /* Scalar always runs first: it is what the other tiers are compared with. */
    tiers[ntiers++] = RELU_ISA_SCALAR;
    for (t = RELU_ISA_AVX2; t <= RELU_ISA_NEON; t++)
        if (relu_isa_available((relu_isa)t) && (only < 0 || only == t))
            tiers[ntiers++] = t;

    run_f32(full);
    run_f64(full);

    printf("librelu %s accuracy, %s sweep (f32: %s; f64: %s)\n\n", relu_version_string(),
           full ? "full" : "strided", full ? "all 2^32 inputs" : "every 397th input",
           full ? "20000 samples per binade" : "400 samples per binade");
    printf("| function | dtype | tier | inputs | max ULP | > 1 ULP | over bound | differs from scalar |\n");
    printf("|---|---|---|---|---|---|---|---|\n");
    for (d = 0; d < 2; d++)
        for (fn = 0; fn < F_COUNT; fn++)
            for (t = 0; t < ntiers; t++) {
                const stats *s = &results[d][t][fn];
                printf("| %s | %s | %s | %llu | %.2f | %llu | %llu | %s |\n", fn_names[fn],
                       d ? "f64" : "f32", relu_isa_name((relu_isa)tiers[t]),
                       (unsigned long long)s->count, s->max_ulp,
                       (unsigned long long)s->over1, (unsigned long long)s->over_bound,
                       t == 0 ? "-" : (s->mismatches ? "MISMATCH" : "0"));
                if (s->over_bound || s->mismatches) {
                    bad = 1;
                    if (s->mismatches)
                        printf("|   | | | %llu mismatches | | | | |\n",
                               (unsigned long long)s->mismatches);
                    else
                        printf("|   worst x = %a | | | | | | | |\n", s->worst_x);
                }
            }
    printf("\nmax ULP: forward = distance from the correctly rounded value (bound 2);\n"
           "backward = |dx - dy*f'(x)| in units of ulp(dy*f'(x)) + |dy|*min_subnormal (bound 2).\n");
    return bad;
}
