/*
 * librelu on Windows: a self-contained test (no cmocka: it is not packaged
 * for mingw-w64), run under Wine by scripts/test-windows.sh against the
 * cross-built librelu-1.dll through its import library.
 *
 * Every function of relu.h, on every tier the CPU offers (scalar, AVX2,
 * AVX-512): exact ops bit for bit against their formulas, elu/selu/tanh
 * against long double references within API.md's bounds, int8 against the
 * quantization formulas; every tier and thread count bit-identical to the
 * scalar tier; the error rules; the floating-point environment; concurrent
 * callers on Windows threads; dispatch and thread-count controls.
 *
 *   relu_wintest                      run everything
 *   relu_wintest --expect-isa NAME    only check that NAME is active (RELU_ISA)
 *   relu_wintest --expect-threads N   only check relu_get_num_threads() == N
 *
 * Last line: "relu_wintest: N passed, M failed"; exit status 1 on a failure.
 */
#define __USE_MINGW_ANSI_STDIO 1 /* C99 printf (%a, long long) on msvcrt */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(_WIN32)
#include <process.h>
#include <windows.h>
#endif
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

#include <relu.h>

#include "../../src/port/fma.h" /* correctly rounded fma for the references */

#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
#error "the exact references need FLT_EVAL_METHOD == 0"
#endif

#define WT_STR_(x) #x
#define WT_STR(x) WT_STR_(x)

enum { OP_RELU, OP_LEAKY, OP_PRELU, OP_ELU, OP_SELU, OP_CLIPPED, OP_TANH };
enum { K_FWD, K_BWD, K_BWDY };
static const char *const wt_op_name[] = {"relu", "leaky", "prelu", "elu", "selu", "clipped", "tanh"};

#define SELU_A_LD 1.6732632423543772848170429916717L
#define SELU_L_LD 1.0507009873554804934193349852946L
#define SELU_LA_LD 1.7580993408473768599402175208123L

static long wt_passed, wt_failed;
static relu_isa wt_best_isa;

static void wt_check(int ok, const char *fmt, ...)
{
    if (ok) {
        wt_passed++;
        return;
    }
    if (wt_failed++ < 40) {
        va_list ap;
        va_start(ap, fmt);
        printf("FAIL: ");
        vprintf(fmt, ap);
        printf("\n");
        va_end(ap);
    }
}

static uint64_t wt_rng = 0x243F6A8885A308D3u;
static uint64_t wt_rand(void) /* splitmix64 */
{
    uint64_t z = (wt_rng += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static void *wt_alloc(size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);
    if (p == NULL) {
        printf("out of memory\n");
        exit(2);
    }
    memset(p, 0, bytes);
    return p;
}

static uint32_t f32_bits(float v) { uint32_t u; memcpy(&u, &v, sizeof u); return u; }
static uint64_t f64_bits(double v) { uint64_t u; memcpy(&u, &v, sizeof u); return u; }

/* ------------------------------------------------------------ f32 / f64 */
#define T float
#define SUF f32
#define T_MAXV FLT_MAX
#define T_MINN FLT_MIN
#define T_TRUE_MIN 0x1p-149f
#define T_MANT FLT_MANT_DIG
#define FMA_REF relu__fmaf_soft
#define SELU_L_T 0x1.0cfabep+0f
#define SELU_LA_T 0x1.c212ccp+0f
#define DALPHA_TOL 1e-5L
#define T_BITS f32_bits
#include "wintest_float.inc"
#undef T
#undef SUF
#undef T_MAXV
#undef T_MINN
#undef T_TRUE_MIN
#undef T_MANT
#undef FMA_REF
#undef SELU_L_T
#undef SELU_LA_T
#undef DALPHA_TOL
#undef T_BITS

#define T double
#define SUF f64
#define T_MAXV DBL_MAX
#define T_MINN DBL_MIN
#define T_TRUE_MIN 0x1p-1074
#define T_MANT DBL_MANT_DIG
#define FMA_REF relu__fma_soft
#define SELU_L_T 0x1.0cfabd6a91132p+0
#define SELU_LA_T 0x1.c212cc640f031p+0
#define DALPHA_TOL 1e-13L
#define T_BITS f64_bits
#include "wintest_float.inc"

/* ------------------------------------------------------------------ int8 */

static long double s8_f(int op, long double x, long double p)
{
    switch (op) {
    case OP_RELU:    return x > 0 ? x : 0;
    case OP_LEAKY:
    case OP_PRELU:   return x > 0 ? x : p * x;
    case OP_ELU:     return x > 0 ? x : p * expm1l(x);
    case OP_SELU:    return x > 0 ? SELU_L_LD * x : SELU_LA_LD * expm1l(x);
    case OP_CLIPPED: return x > p ? p : x > 0 ? x : 0;
    default:         return x > 0 ? tanhl(x) : 0;
    }
}
static long double s8_df(int op, long double x, long double p)
{
    long double c;
    switch (op) {
    case OP_RELU:    return x > 0;
    case OP_LEAKY:
    case OP_PRELU:   return x > 0 ? 1 : p;
    case OP_ELU:     return x > 0 ? 1 : p * expl(x);
    case OP_SELU:    return x > 0 ? SELU_L_LD : SELU_LA_LD * expl(x);
    case OP_CLIPPED: return x > 0 && x < p;
    default:         c = coshl(x); return x > 0 ? 1 / (c * c) : 0;
    }
}

static int clamp8(long double v) { return v < -128 ? -128 : v > 127 ? 127 : (int)v; }

/* The two acceptable answers for value v quantized by q: equal unless v/scale
 * is within 1e-9 (relative) of a halfway point. */
static void s8_quant(long double v, const relu_quant *q, int *lo, int *hi)
{
    const long double u = v / q->scale, fl = floorl(u), b = fl + 0.5L;
    const long double r = nearbyintl(u); /* ties to even */
    *lo = *hi = clamp8(r + q->zero_point);
    if (fabsl(u - b) <= 1e-9L * fmaxl(fabsl(u), fabsl(b))) {
        *lo = clamp8(fl + q->zero_point);
        *hi = clamp8(fl + 1 + q->zero_point);
    }
}

static relu_status s8_fwd(int op, const int8_t *x, int8_t *y, size_t n, float p, const float *al,
                          size_t outer, size_t ch, size_t inner, const relu_quant *xq,
                          const relu_quant *yq)
{
    switch (op) {
    case OP_RELU:    return relu_forward_s8(x, y, n, xq, yq);
    case OP_LEAKY:   return relu_leaky_forward_s8(x, y, n, p, xq, yq);
    case OP_PRELU:   return relu_prelu_forward_s8(x, y, al, outer, ch, inner, xq, yq);
    case OP_ELU:     return relu_elu_forward_s8(x, y, n, p, xq, yq);
    case OP_SELU:    return relu_selu_forward_s8(x, y, n, xq, yq);
    case OP_CLIPPED: return relu_clipped_forward_s8(x, y, n, p, xq, yq);
    default:         return relu_tanh_forward_s8(x, y, n, xq, yq);
    }
}
static relu_status s8_bwd(int op, const int8_t *x, const int8_t *dy, int8_t *dx, size_t n, float p,
                          const float *al, float *da, size_t outer, size_t ch, size_t inner,
                          const relu_quant *xq, const relu_quant *dyq, const relu_quant *dxq)
{
    switch (op) {
    case OP_RELU:    return relu_backward_s8(x, dy, dx, n, xq, dyq, dxq);
    case OP_LEAKY:   return relu_leaky_backward_s8(x, dy, dx, n, p, xq, dyq, dxq);
    case OP_PRELU:   return relu_prelu_backward_s8(x, dy, al, dx, da, outer, ch, inner, xq, dyq, dxq);
    case OP_ELU:     return relu_elu_backward_s8(x, dy, dx, n, p, xq, dyq, dxq);
    case OP_SELU:    return relu_selu_backward_s8(x, dy, dx, n, xq, dyq, dxq);
    case OP_CLIPPED: return relu_clipped_backward_s8(x, dy, dx, n, p, xq, dyq, dxq);
    default:         return relu_tanh_backward_s8(x, dy, dx, n, xq, dyq, dxq);
    }
}

static void test_s8(void)
{
    static const relu_quant xqs[] = {{0.05f, -10}, {0.5f, 3}}, yqs[] = {{0.03f, -100}, {0.25f, 0}};
    static const relu_quant dyq = {0.02f, 5}, dxq = {0.015f, -3};
    static const float al[4] = {0.25f, -0.5f, 0.0f, 1.5f};
    const size_t ch = 4, inner = 64, outer = 65536 / (ch * inner) + 1; /* 65792 elements */
    const size_t n = outer * ch * inner;
    int8_t *x = (int8_t *)wt_alloc(n), *dy = (int8_t *)wt_alloc(n);
    int8_t *r = (int8_t *)wt_alloc(n), *o = (int8_t *)wt_alloc(n), *ip = (int8_t *)wt_alloc(n);
    float da0[4], da[4];
    long before_pass = wt_passed, before_fail = wt_failed;
    size_t i;
    int op, qi, isa, dir;
    for (i = 0; i < n; i++) {
        x[i] = (int8_t)(i & 255);         /* every x against every dy */
        dy[i] = (int8_t)((i >> 8) & 255);
    }
    for (op = OP_RELU; op <= OP_TANH; op++) {
        const float p = op == OP_LEAKY ? 0.1f : op == OP_ELU ? 1.0f : op == OP_CLIPPED ? 2.5f : 0.0f;
        for (qi = 0; qi < 2; qi++) {
            const relu_quant *xq = &xqs[qi], *yq = &yqs[qi];
            for (dir = 0; dir < 2; dir++) {
                size_t bad = 0, first = 0;
                relu_use_isa(RELU_ISA_SCALAR);
                if (dir == 0)
                    wt_check(s8_fwd(op, x, r, n, p, al, outer, ch, inner, xq, yq) == RELU_OK,
                             "s8 %s forward: status", wt_op_name[op]);
                else
                    wt_check(s8_bwd(op, x, dy, r, n, p, al, da0, outer, ch, inner, xq, &dyq, &dxq) == RELU_OK,
                             "s8 %s backward: status", wt_op_name[op]);
                for (i = 0; i < n; i++) {
                    const size_t c = (i / inner) % ch;
                    const long double pp = op == OP_PRELU ? al[c] : p;
                    const long double xr = (long double)xq->scale * (x[i] - xq->zero_point);
                    int lo, hi;
                    if (dir == 0) {
                        s8_quant(s8_f(op, xr, pp), yq, &lo, &hi);
                    } else {
                        const long double g = (long double)dyq.scale * (dy[i] - dyq.zero_point);
                        s8_quant(g * s8_df(op, xr, pp), &dxq, &lo, &hi);
                        lo = lo > -128 ? lo - 1 : lo; /* backward: within 1 LSB */
                        hi = hi < 127 ? hi + 1 : hi;
                    }
                    if (r[i] < lo || r[i] > hi) {
                        if (bad++ == 0)
                            first = i;
                    }
                }
                wt_check(bad == 0, "s8 %s %s (quant set %d): %lu wrong, first x=%d dy=%d got %d",
                         wt_op_name[op], dir ? "backward" : "forward", qi, (unsigned long)bad,
                         x[first], dy[first], r[first]);
                if (dir == 1 && op == OP_PRELU) {
                    size_t c;
                    for (c = 0; c < ch; c++) {
                        long double s = 0, S = 0;
                        size_t oo, ii;
                        for (oo = 0; oo < outer; oo++)
                            for (ii = 0; ii < inner; ii++) {
                            i = (oo * ch + c) * inner + ii;
                            {
                            const long double xr = (long double)xq->scale * (x[i] - xq->zero_point);
                            const long double g = (long double)dyq.scale * (dy[i] - dyq.zero_point);
                            if (xr <= 0) {
                                s += xr * g;
                                S += fabsl(xr * g);
                            }
                            }
                            }
                        wt_check(fabsl((long double)da0[c] - s) <= 1e-5L * S + 0x1p-127L,
                                 "s8 prelu dalpha[%lu] = %a, expected %La", (unsigned long)c,
                                 (double)da0[c], s);
                    }
                }
                for (isa = RELU_ISA_SCALAR; isa <= RELU_ISA_NEON; isa++) {
                    if (!relu_isa_available((relu_isa)isa))
                        continue;
                    relu_use_isa((relu_isa)isa);
                    if (dir == 0) {
                        s8_fwd(op, x, o, n, p, al, outer, ch, inner, xq, yq);
                        memcpy(ip, x, n);
                        s8_fwd(op, ip, ip, n, p, al, outer, ch, inner, xq, yq);
                    } else {
                        s8_bwd(op, x, dy, o, n, p, al, da, outer, ch, inner, xq, &dyq, &dxq);
                        memcpy(ip, dy, n);
                        s8_bwd(op, x, ip, ip, n, p, al, da, outer, ch, inner, xq, &dyq, &dxq);
                    }
                    wt_check(memcmp(o, r, n) == 0 && memcmp(ip, r, n) == 0 &&
                             (dir == 0 || op != OP_PRELU || memcmp(da, da0, sizeof da) == 0),
                             "s8 %s %s: %s differs from scalar", wt_op_name[op],
                             dir ? "backward" : "forward", relu_isa_name((relu_isa)isa));
                }
            }
        }
    }
    relu_use_isa(wt_best_isa);

    /* error rules, every s8 function */
    {
        int8_t b[16], keep[16];
        relu_quant bad_scale = {0.0f, 0}, bad_zp = {1.0f, 128};
        const relu_quant *q = &xqs[0];
        for (i = 0; i < 16; i++)
            b[i] = (int8_t)i;
        memcpy(keep, b, sizeof b);
        for (op = OP_RELU; op <= OP_TANH; op++) {
            const float p = op == OP_CLIPPED ? 6.0f : 0.5f;
            const int has_p = op == OP_LEAKY || op == OP_ELU || op == OP_CLIPPED;
            const size_t n4 = op == OP_PRELU ? 0 : 4, o4 = op == OP_PRELU ? 4 : 0;
            const size_t c1 = op == OP_PRELU ? 1 : 0, i1 = c1;
            wt_check(s8_fwd(op, NULL, NULL, 0, p, NULL, 0, 0, 0, NULL, NULL) == RELU_OK &&
                     s8_bwd(op, NULL, NULL, NULL, 0, p, NULL, NULL, 0, 0, 0, NULL, NULL, NULL) == RELU_OK,
                     "s8 %s: n == 0 with NULLs", wt_op_name[op]);
            wt_check(s8_fwd(op, b, b + 8, n4, p, al, o4, c1, i1, NULL, q) == RELU_ERR_NULL &&
                     s8_bwd(op, b, b + 4, b + 8, n4, p, al, da, o4, c1, i1, q, q, NULL) == RELU_ERR_NULL,
                     "s8 %s: NULL quant", wt_op_name[op]);
            wt_check(s8_fwd(op, b, b + 8, n4, p, al, o4, c1, i1, &bad_scale, q) == RELU_ERR_PARAM &&
                     s8_fwd(op, NULL, NULL, 0, p, al, 0, 0, 0, q, &bad_zp) == RELU_ERR_PARAM &&
                     s8_bwd(op, b, b + 4, b + 8, n4, p, al, da, o4, c1, i1, q, &bad_zp, q) == RELU_ERR_PARAM,
                     "s8 %s: bad quant", wt_op_name[op]);
            wt_check(s8_fwd(op, b, b + 1, n4, p, al, o4, c1, i1, q, q) == RELU_ERR_OVERLAP &&
                     s8_bwd(op, b, b + 8, b + 2, n4, p, al, da, o4, c1, i1, q, q, q) == RELU_ERR_OVERLAP,
                     "s8 %s: partial overlap", wt_op_name[op]);
            if (has_p)
                wt_check(s8_fwd(op, b, b + 8, 4, (float)NAN, al, 0, 0, 0, q, q) == RELU_ERR_PARAM &&
                         s8_bwd(op, b, b + 4, b + 8, 4, (float)INFINITY, al, da, 0, 0, 0, q, q, q) == RELU_ERR_PARAM,
                         "s8 %s: bad parameter", wt_op_name[op]);
            wt_check(memcmp(b, keep, sizeof b) == 0, "s8 %s: an error wrote", wt_op_name[op]);
        }
    }
    printf("  s8: %ld passed, %ld failed\n", wt_passed - before_pass, wt_failed - before_fail);
    free(x); free(dy); free(r); free(o); free(ip);
}

/* ---------------------------------------------------- dispatch and misc */

static void test_misc(void)
{
    long before_pass = wt_passed, before_fail = wt_failed;
    char want[16];
    int s, bad = 0;
    snprintf(want, sizeof want, "%d.%d.%d", RELU_VERSION_MAJOR, RELU_VERSION_MINOR, RELU_VERSION_PATCH);
    wt_check(strcmp(relu_version_string(), want) == 0 && strcmp(want, "1.0.0") == 0,
             "version %s, header %s", relu_version_string(), want);
    for (s = -1; s <= 6; s++)
        bad += relu_status_string((relu_status)s) == NULL || relu_status_string((relu_status)s)[0] == 0;
    wt_check(bad == 0, "relu_status_string returned NULL or empty");
    wt_check(strcmp(relu_isa_name(RELU_ISA_SCALAR), "scalar") == 0 &&
             strcmp(relu_isa_name(RELU_ISA_AVX2), "avx2") == 0 &&
             strcmp(relu_isa_name(RELU_ISA_AVX512), "avx512") == 0 &&
             strcmp(relu_isa_name(RELU_ISA_NEON), "neon") == 0 &&
             strcmp(relu_isa_name((relu_isa)9), "unknown") == 0, "relu_isa_name");
    wt_check(relu_isa_available(RELU_ISA_SCALAR) == 1 && relu_isa_available((relu_isa)-1) == 0 &&
             relu_isa_available((relu_isa)4) == 0 && relu_isa_available(RELU_ISA_NEON) == 0,
             "relu_isa_available");
    wt_check(relu_use_isa((relu_isa)4) == RELU_ERR_PARAM && relu_use_isa(RELU_ISA_NEON) == RELU_ERR_UNSUPPORTED &&
             relu_active_isa() == wt_best_isa, "relu_use_isa errors leave the ISA alone");
    /* AVX-512 implies AVX2 in this build's tiers */
    wt_check(!relu_isa_available(RELU_ISA_AVX512) || relu_isa_available(RELU_ISA_AVX2), "tier order");
    wt_check(relu_set_num_threads(0) == RELU_ERR_PARAM && relu_set_num_threads(1025) == RELU_ERR_PARAM &&
             relu_set_num_threads(1024) == RELU_OK && relu_get_num_threads() == 1024 &&
             relu_set_num_threads(1) == RELU_OK && relu_get_num_threads() == 1, "thread count controls");

#if defined(__x86_64__) || defined(__i386__)
    {
        /* FP environment: round-up, FTZ and DAZ and a sticky flag set by the
         * caller; the results are the default-environment ones and MXCSR is
         * left exactly as it was. */
        enum { N = 4096 };
        static float xf[N], y1[N], y2[N];
        static double xd[N], z1[N], z2[N];
        const unsigned saved = _mm_getcsr();
        unsigned odd, after;
        int i;
        for (i = 0; i < N; i++) {
            xf[i] = (float)((double)(i - N / 2) / 97.0) * ((i & 7) == 0 ? 1e-38f : 1.0f);
            xd[i] = (double)(i - N / 2) / 97.0 * ((i & 7) == 0 ? 1e-308 : 1.0);
        }
        relu_elu_forward_f32(xf, y1, N, 1.0f);
        relu_tanh_backward_f64(xd, xd, z1, N);
        odd = (saved & ~0x6000u) | 0x4000u /* round up */ | 0x8040u /* FTZ, DAZ */ | 0x20u /* PE */;
        _mm_setcsr(odd);
        relu_elu_forward_f32(xf, y2, N, 1.0f);
        relu_tanh_backward_f64(xd, xd, z2, N);
        after = _mm_getcsr();
        _mm_setcsr(saved);
        wt_check(after == odd, "MXCSR changed by the call: %#x -> %#x", odd, after);
        wt_check(memcmp(y1, y2, sizeof y1) == 0 && memcmp(z1, z2, sizeof z1) == 0,
                 "results depend on the caller's rounding mode / FTZ / DAZ");
    }
#endif
    printf("  misc: %ld passed, %ld failed\n", wt_passed - before_pass, wt_failed - before_fail);
}

#if defined(_WIN32)
/* Concurrent callers on Windows threads while the pool is in use and the ISA
 * is switched under them: every result must be the reference bits. */
enum { CC_THREADS = 4, CC_N = 600000, CC_ROUNDS = 3 };
static float *cc_x, *cc_ref;
static volatile LONG cc_bad;

static unsigned __stdcall cc_worker(void *arg)
{
    float *out = (float *)wt_alloc(CC_N * sizeof(float));
    int round;
    (void)arg;
    for (round = 0; round < CC_ROUNDS; round++) {
        if (relu_selu_forward_f32(cc_x, out, CC_N) != RELU_OK || memcmp(out, cc_ref, CC_N * sizeof(float)) != 0)
            InterlockedIncrement(&cc_bad);
    }
    free(out);
    return 0;
}

static void test_concurrency(void)
{
    HANDLE th[CC_THREADS];
    long before_pass = wt_passed, before_fail = wt_failed;
    int i, isa;
    cc_x = (float *)wt_alloc(CC_N * sizeof(float));
    cc_ref = (float *)wt_alloc(CC_N * sizeof(float));
    for (i = 0; i < CC_N; i++)
        cc_x[i] = (float)((double)(wt_rand() >> 11) * 0x1p-53 * 20.0 - 10.0);
    relu_use_isa(RELU_ISA_SCALAR);
    relu_selu_forward_f32(cc_x, cc_ref, CC_N);
    relu_set_num_threads(3);
    for (i = 0; i < CC_THREADS; i++)
        th[i] = (HANDLE)_beginthreadex(NULL, 0, cc_worker, NULL, 0, NULL);
    for (isa = 0; isa < 200; isa++) /* switch tiers while they run */
        relu_use_isa((relu_isa)(isa % 3));
    for (i = 0; i < CC_THREADS; i++) {
        wt_check(th[i] != 0, "_beginthreadex failed");
        if (th[i] != 0) {
            WaitForSingleObject(th[i], INFINITE);
            CloseHandle(th[i]);
        }
    }
    wt_check(cc_bad == 0, "%ld concurrent calls gave wrong results", (long)cc_bad);
    relu_set_num_threads(1);
    relu_use_isa(wt_best_isa);
    free(cc_x);
    free(cc_ref);
    printf("  concurrency: %ld passed, %ld failed\n", wt_passed - before_pass, wt_failed - before_fail);
}
#endif

int main(int argc, char **argv)
{
    int i;
    wt_best_isa = relu_active_isa();
    if (argc == 3 && strcmp(argv[1], "--expect-isa") == 0) {
        wt_check(strcmp(relu_isa_name(relu_active_isa()), argv[2]) == 0, "active ISA %s, expected %s",
                 relu_isa_name(relu_active_isa()), argv[2]);
        printf("relu_wintest: active ISA %s\n", relu_isa_name(relu_active_isa()));
        printf("relu_wintest: %ld passed, %ld failed\n", wt_passed, wt_failed);
        return wt_failed != 0;
    }
    if (argc == 3 && strcmp(argv[1], "--expect-threads") == 0) {
        wt_check(relu_get_num_threads() == atoi(argv[2]), "%d threads, expected %s",
                 relu_get_num_threads(), argv[2]);
        printf("relu_wintest: %ld passed, %ld failed\n", wt_passed, wt_failed);
        return wt_failed != 0;
    }
    printf("relu_wintest: librelu %s, tiers:", relu_version_string());
    for (i = RELU_ISA_SCALAR; i <= RELU_ISA_NEON; i++)
        if (relu_isa_available((relu_isa)i))
            printf(" %s", relu_isa_name((relu_isa)i));
    printf(" (active %s), scalar fma: %s\n", relu_isa_name(wt_best_isa),
           relu__fma_hw_available() ? "FMA instruction" : "software");
    test_misc();
    test_all_f32();
    test_all_f64();
    test_s8();
#if defined(_WIN32)
    test_concurrency();
#endif
    printf("relu_wintest: %ld passed, %ld failed\n", wt_passed, wt_failed);
    return wt_failed != 0;
}
