/*
 * Shared helpers for the librelu tests (header only, everything static
 * inline): bit access, ULP distances, a deterministic RNG, guarded buffers
 * with canaries, special-value lists, ISA iteration, and long double
 * reference functions. Tests use the public API only.
 *
 * Include after defining _GNU_SOURCE / _POSIX_C_SOURCE (posix_memalign).
 */
#ifndef RELU_TEST_UTIL_H
#define RELU_TEST_UTIL_H

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <relu.h>

#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
#error "the exact references need FLT_EVAL_METHOD == 0 (one rounding per operation)"
#endif

#define TU_CAT_(a, b) a##_##b
#define TU_CAT(a, b) TU_CAT_(a, b)
#define TU_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------ bit access */

static inline uint32_t tu_f32_bits(float v) { uint32_t u; memcpy(&u, &v, sizeof u); return u; }
static inline uint64_t tu_f64_bits(double v) { uint64_t u; memcpy(&u, &v, sizeof u); return u; }
static inline float tu_f32_from(uint32_t u) { float v; memcpy(&v, &u, sizeof v); return v; }
static inline double tu_f64_from(uint64_t u) { double v; memcpy(&v, &u, sizeof v); return v; }

#define TU_F32_QUIET 0x00400000u
#define TU_F64_QUIET UINT64_C(0x0008000000000000)

/* Monotonic map to integers; -0 and +0 both map to 0. */
static inline int64_t tu_f32_ord(float v)
{
    uint32_t u = tu_f32_bits(v);
    return (u & 0x80000000u) ? -(int64_t)(u & 0x7fffffffu) : (int64_t)u;
}

/* Distance in representable values (ULPs); UINT64_MAX if either is NaN. */
static inline uint64_t tu_f32_ulpdist(float a, float b)
{
    if (isnan(a) || isnan(b)) return UINT64_MAX;
    int64_t d = tu_f32_ord(a) - tu_f32_ord(b);
    return (uint64_t)(d < 0 ? -d : d);
}

static inline uint64_t tu_f64_ulpdist(double a, double b)
{
    if (isnan(a) || isnan(b)) return UINT64_MAX;
    uint64_t ua = tu_f64_bits(a), ub = tu_f64_bits(b);
    uint64_t ma = ua & ~(UINT64_C(1) << 63), mb = ub & ~(UINT64_C(1) << 63);
    int sa = (ua >> 63) && ma, sb = (ub >> 63) && mb; /* -0 counts as +0 */
    if (sa == sb) return ma > mb ? ma - mb : mb - ma;
    return (ma + mb < ma) ? UINT64_MAX : ma + mb;
}

/* Spacing of the type at |v| (v given in long double): the ULP that the
 * accuracy bounds use; the smallest subnormal below the smallest normal. */
static inline long double tu_ulp_f32(long double v)
{
    int e;
    v = fabsl(v);
    if (v < (long double)FLT_MIN) return 0x1p-149L;
    frexpl(v, &e);
    return ldexpl(1.0L, e - FLT_MANT_DIG);
}
static inline long double tu_ulp_f64(long double v)
{
    int e;
    v = fabsl(v);
    if (v < (long double)DBL_MIN) return 0x1p-1074L;
    frexpl(v, &e);
    return ldexpl(1.0L, e - DBL_MANT_DIG);
}

/* Same NaN up to the quiet bit (a signalling NaN may come back quiet). */
static inline int tu_f32_same_nan(float got, float in)
{
    return isnan(got) && ((tu_f32_bits(got) | TU_F32_QUIET) == (tu_f32_bits(in) | TU_F32_QUIET));
}
static inline int tu_f64_same_nan(double got, double in)
{
    return isnan(got) && ((tu_f64_bits(got) | TU_F64_QUIET) == (tu_f64_bits(in) | TU_F64_QUIET));
}

/* ------------------------------------------------------------------- RNG */

typedef struct tu_rng { uint64_t s; } tu_rng;

static inline void tu_rng_seed(tu_rng *r, uint64_t seed) { r->s = seed * UINT64_C(0x9E3779B97F4A7C15) + 12345; }
static inline uint64_t tu_rng_u64(tu_rng *r) /* splitmix64 */
{
    uint64_t z = (r->s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}
static inline uint32_t tu_rng_below(tu_rng *r, uint32_t n) /* multiply-shift, n > 0 */
{
    return (uint32_t)(((tu_rng_u64(r) >> 32) * (uint64_t)n) >> 32);
}
static inline double tu_rng_unit(tu_rng *r) { return (double)(tu_rng_u64(r) >> 11) * 0x1p-53; }

/* Log-uniform over every finite magnitude (subnormals included), both signs. */
static inline float tu_rand_f32_wide(tu_rng *r)
{
    uint64_t z = tu_rng_u64(r);
    uint32_t e = (uint32_t)(((z >> 32) * 255u) >> 32); /* 0..254: never inf/NaN */
    return tu_f32_from((uint32_t)(z & 0x807fffffu) | (e << 23));
}
static inline double tu_rand_f64_wide(tu_rng *r)
{
    uint64_t z = tu_rng_u64(r), e = ((tu_rng_u64(r) >> 32) * 2047u) >> 32;
    return tu_f64_from((z & UINT64_C(0x800fffffffffffff)) | (e << 52));
}
/* Log-uniform with exponent in [emin, emax] (within [-1022, 1023]), random
 * mantissa and sign. */
static inline double tu_rand_logu(tu_rng *r, int emin, int emax)
{
    uint64_t z = tu_rng_u64(r);
    uint64_t e = (uint64_t)(emin + 1023) + (((z >> 32) * (uint64_t)(emax - emin + 1)) >> 32);
    uint64_t w = tu_rng_u64(r);
    return tu_f64_from((w & UINT64_C(0x800fffffffffffff)) | (e << 52));
}
static inline float tu_rand_f32_logu(tu_rng *r, int emin, int emax)
{
    int e = emin + (int)tu_rng_below(r, (uint32_t)(emax - emin + 1));
    float m = 1.0f + (float)(tu_rng_u64(r) >> 41) * 0x1p-23f;
    float v = ldexpf(m, e);
    return (tu_rng_u64(r) & 1) ? -v : v;
}

/* ------------------------------------------------------- guarded buffers */

/* A buffer of n elements of `elem` bytes, `off` elements past a 64-byte
 * aligned base, with TU_CANARY elements of a position-dependent byte
 * pattern before and after. */
#define TU_CANARY 16

typedef struct tu_gbuf {
    unsigned char *mem;
    size_t total, lo, hi; /* canary [0, lo) and [hi, total) in bytes */
    void *p;
} tu_gbuf;

static inline unsigned char tu_canary_byte(size_t i) { return (unsigned char)(0x5Au + 131u * (unsigned)i); }

static inline void *tu_gbuf_init(tu_gbuf *g, size_t elem, size_t n, size_t off)
{
    size_t i;
    void *m = NULL;
    g->total = (n + 2 * TU_CANARY + off) * elem;
    if (posix_memalign(&m, 64, g->total ? g->total : 64) != 0) {
        fprintf(stderr, "out of memory (%zu bytes)\n", g->total);
        abort();
    }
    g->mem = (unsigned char *)m;
    g->lo = (TU_CANARY + off) * elem;
    g->hi = g->lo + n * elem;
    for (i = 0; i < g->lo; i++) g->mem[i] = tu_canary_byte(i);
    memset(g->mem + g->lo, 0xA5, g->hi - g->lo); /* interior: a fixed junk pattern */
    for (i = g->hi; i < g->total; i++) g->mem[i] = tu_canary_byte(i);
    g->p = g->mem + g->lo;
    return g->p;
}
static inline int tu_gbuf_canaries_ok(const tu_gbuf *g)
{
    size_t i;
    for (i = 0; i < g->lo; i++) if (g->mem[i] != tu_canary_byte(i)) return 0;
    for (i = g->hi; i < g->total; i++) if (g->mem[i] != tu_canary_byte(i)) return 0;
    return 1;
}
static inline void tu_gbuf_free(tu_gbuf *g) { free(g->mem); g->mem = NULL; g->p = NULL; }

static inline void *tu_xmalloc(size_t bytes)
{
    void *m = NULL;
    if (posix_memalign(&m, 64, bytes ? bytes : 64) != 0) {
        fprintf(stderr, "out of memory (%zu bytes)\n", bytes);
        abort();
    }
    return m;
}

/* ------------------------------------------------------------------- ISA */

#define TU_ISA_FIRST RELU_ISA_SCALAR
#define TU_ISA_LAST RELU_ISA_NEON

/* Switch to `isa` if the CPU/build offers it; returns 1 when active. */
static inline int tu_isa_enter(int isa)
{
    if (!relu_isa_available((relu_isa)isa)) return 0;
    if (relu_use_isa((relu_isa)isa) != RELU_OK) return -1;
    return relu_active_isa() == (relu_isa)isa ? 1 : -1;
}

/* The best available ISA, as the library picks it without RELU_ISA. */
static inline relu_isa tu_best_isa(void)
{
    if (relu_isa_available(RELU_ISA_AVX512)) return RELU_ISA_AVX512;
    if (relu_isa_available(RELU_ISA_AVX2)) return RELU_ISA_AVX2;
    if (relu_isa_available(RELU_ISA_NEON)) return RELU_ISA_NEON;
    return RELU_ISA_SCALAR;
}

/* ------------------------------------------------- special input values */

static const uint32_t tu_f32_special_bits[] = {
    0x00000000u, 0x80000000u,             /* +-0 */
    0x7f800000u, 0xff800000u,             /* +-inf */
    0x7fc00000u, 0xffc00000u,             /* default quiet NaNs */
    0x7fc12345u, 0xffd55555u, 0x7fffffffu,/* quiet NaNs with payloads */
    0x7f800001u, 0x7fa00abcu, 0xff800777u,/* signalling NaNs */
    0x00000001u, 0x80000001u,             /* smallest subnormal */
    0x00000002u, 0x80000003u,
    0x007fffffu, 0x807fffffu,             /* largest subnormal */
    0x00800000u, 0x80800000u,             /* FLT_MIN */
    0x00800001u, 0x80800001u,
    0x7f7fffffu, 0xff7fffffu,             /* FLT_MAX */
    0x7f7ffffeu, 0xff7ffffeu,
};
static const float tu_f32_special_vals[] = {
    1.0f, -1.0f, 0.5f, -0.5f, 2.0f, -2.0f, 3.0f, -3.0f, 6.0f, -6.0f, 0.1f, -0.1f,
    1e-3f, -1e-3f, 1e-7f, -1e-7f, 0x1p-12f, -0x1p-12f, 0x1p-25f, -0x1p-25f, 1e-30f, -1e-30f,
    0.3f, -0.3f, 0.7f, -0.7f, 4.0f, -4.0f, 9.0f, -9.0f, 10.0f, -10.0f, 15.0f, -15.0f,
    17.0f, 20.0f, -20.0f, 44.0f, 45.0f, 50.0f, 88.0f, 88.7f, 89.0f, 100.0f, 1e10f, -1e10f,
    -16.6f, -17.4f, -80.0f, -87.0f, -87.3f, -87.5f, -90.0f, -100.0f, -103.0f, -103.9f,
    -104.0f, -110.0f, -200.0f, 1e30f, -1e30f, 3.4e38f, -3.4e38f,
};

static const uint64_t tu_f64_special_bits[] = {
    UINT64_C(0x0000000000000000), UINT64_C(0x8000000000000000),
    UINT64_C(0x7ff0000000000000), UINT64_C(0xfff0000000000000),
    UINT64_C(0x7ff8000000000000), UINT64_C(0xfff8000000000000),
    UINT64_C(0x7ff8000000012345), UINT64_C(0xfffd555555555555), UINT64_C(0x7fffffffffffffff),
    UINT64_C(0x7ff0000000000001), UINT64_C(0x7ff4000000000abc), UINT64_C(0xfff0000000000777),
    UINT64_C(0x0000000000000001), UINT64_C(0x8000000000000001),
    UINT64_C(0x0000000000000002), UINT64_C(0x8000000000000003),
    UINT64_C(0x000fffffffffffff), UINT64_C(0x800fffffffffffff),
    UINT64_C(0x0010000000000000), UINT64_C(0x8010000000000000),
    UINT64_C(0x0010000000000001), UINT64_C(0x8010000000000001),
    UINT64_C(0x7fefffffffffffff), UINT64_C(0xffefffffffffffff),
    UINT64_C(0x7feffffffffffffe), UINT64_C(0xffeffffffffffffe),
};
static const double tu_f64_special_vals[] = {
    1.0, -1.0, 0.5, -0.5, 2.0, -2.0, 3.0, -3.0, 6.0, -6.0, 0.1, -0.1,
    1e-3, -1e-3, 1e-7, -1e-7, 0x1p-27, -0x1p-27, 0x1p-54, -0x1p-54, 1e-30, -1e-30,
    0.3, -0.3, 0.7, -0.7, 4.0, -4.0, 9.0, -9.0, 10.0, -10.0, 19.0, 20.0, -20.0, 37.0,
    50.0, 100.0, 200.0, 354.0, 355.0, 372.0, 373.0, 380.0, 400.0, 709.0, 709.8, 710.0,
    1000.0, -36.7, -37.5, -100.0, -700.0, -708.0, -708.4, -709.0, -720.0, -744.0, -745.1,
    -746.0, -1000.0, 1e10, -1e10, 1e30, -1e30, 1e300, -1e300, 3.4e38, -3.4e38,
    1.401298464324817e-45, -1.401298464324817e-45, 1.1754943508222875e-38,
};

/* ------------------------------------------------ long double references */

#define TU_SELU_L 1.0507009873554804934193349852946L
#define TU_SELU_A 1.6732632423543772848170429916717L
#define TU_SELU_LA 1.7580993408473768599402175208123L

/* Forward in long double (the true value to ~2^-63 relative). */
static inline long double tu_elu_ld(long double x, long double alpha)
{
    return x > 0 ? x : alpha * expm1l(x);
}
static inline long double tu_selu_ld(long double x)
{
    return x > 0 ? TU_SELU_L * x : TU_SELU_LA * expm1l(x);
}
static inline long double tu_tanh_ld(long double x)
{
    return x > 0 ? tanhl(x) : 0.0L;
}
/* Derivatives with PyTorch's kink convention (else branch at x == 0). */
static inline long double tu_elu_d_ld(long double x, long double alpha)
{
    return x > 0 ? 1.0L : alpha * expl(x);
}
static inline long double tu_selu_d_ld(long double x)
{
    return x > 0 ? TU_SELU_L : TU_SELU_LA * expl(x);
}
static inline long double tu_tanh_d_ld(long double x) /* sech^2, no cancellation */
{
    long double t;
    if (!(x > 0)) return 0.0L;
    t = expl(-2.0L * x);
    return 4.0L * t / ((1.0L + t) * (1.0L + t));
}

#endif /* RELU_TEST_UTIL_H */
