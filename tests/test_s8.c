/*
 * int8 API: every s8 function, through the public API only, on every ISA
 * this CPU and build can run.
 *
 *  - forward: all 256 inputs x a grid of quantizations x op parameters,
 *    exact against a long double reference written here (either neighbour
 *    where the value lies within 1e-12, relative, of a rounding boundary);
 *  - backward: all 256 x against many dy (all 256 for some quantizations),
 *    exact except within 1e-5 (relative) of a rounding boundary, and never
 *    more than 1 LSB away (API.md promises 1 LSB);
 *  - lengths 0..300 and large, odd addresses, in place and out of place,
 *    canaries around every output;
 *  - PReLU shapes, NaN/inf alpha, dalpha against the exact sum;
 *  - every error code, error precedence, and that an error writes nothing;
 *  - bit identity across ISAs and thread counts; concurrent callers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__aarch64__)
#include <fenv.h>
#define S8T_HAVE_FENV 1
#endif

#include <relu.h>

/* ---------------------------------------------------------------- helpers */

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

enum { OP_RELU, OP_LEAKY, OP_ELU, OP_SELU, OP_CLIPPED, OP_TANH };

typedef struct variant {
    const char *name;
    int op;
    float p;
} variant;

static const variant variants[] = {
    {"relu", OP_RELU, 0.0f},          {"leaky 0", OP_LEAKY, 0.0f},
    {"leaky 0.01", OP_LEAKY, 0.01f},  {"leaky -0.5", OP_LEAKY, -0.5f},
    {"leaky 3", OP_LEAKY, 3.0f},      {"leaky 1e-30", OP_LEAKY, 1e-30f},
    {"elu 0", OP_ELU, 0.0f},          {"elu 1", OP_ELU, 1.0f},
    {"elu 2.5", OP_ELU, 2.5f},        {"selu", OP_SELU, 0.0f},
    {"clipped 0.1", OP_CLIPPED, 0.1f}, {"clipped 6", OP_CLIPPED, 6.0f},
    {"clipped 1e5", OP_CLIPPED, 1e5f}, {"tanh", OP_TANH, 0.0f},
};

/* one variant per op, for the tests that are not about parameters */
static const variant op_variants[] = {
    {"relu", OP_RELU, 0.0f},   {"leaky", OP_LEAKY, -0.25f}, {"elu", OP_ELU, 1.5f},
    {"selu", OP_SELU, 0.0f},   {"clipped", OP_CLIPPED, 6.0f}, {"tanh", OP_TANH, 0.0f},
};

static relu_status fwd(const variant *v, const int8_t *x, int8_t *y, size_t n,
                       const relu_quant *xq, const relu_quant *yq)
{
    switch (v->op) {
    case OP_RELU: return relu_forward_s8(x, y, n, xq, yq);
    case OP_LEAKY: return relu_leaky_forward_s8(x, y, n, v->p, xq, yq);
    case OP_ELU: return relu_elu_forward_s8(x, y, n, v->p, xq, yq);
    case OP_SELU: return relu_selu_forward_s8(x, y, n, xq, yq);
    case OP_CLIPPED: return relu_clipped_forward_s8(x, y, n, v->p, xq, yq);
    default: return relu_tanh_forward_s8(x, y, n, xq, yq);
    }
}

static relu_status bwd(const variant *v, const int8_t *x, const int8_t *dy, int8_t *dx,
                       size_t n, const relu_quant *xq, const relu_quant *dyq,
                       const relu_quant *dxq)
{
    switch (v->op) {
    case OP_RELU: return relu_backward_s8(x, dy, dx, n, xq, dyq, dxq);
    case OP_LEAKY: return relu_leaky_backward_s8(x, dy, dx, n, v->p, xq, dyq, dxq);
    case OP_ELU: return relu_elu_backward_s8(x, dy, dx, n, v->p, xq, dyq, dxq);
    case OP_SELU: return relu_selu_backward_s8(x, dy, dx, n, xq, dyq, dxq);
    case OP_CLIPPED: return relu_clipped_backward_s8(x, dy, dx, n, v->p, xq, dyq, dxq);
    default: return relu_tanh_backward_s8(x, dy, dx, n, xq, dyq, dxq);
    }
}

/* ISAs this CPU and build can run; the scalar tier first. */
static int isa_list(relu_isa *out)
{
    int i, n = 0;
    for (i = RELU_ISA_SCALAR; i <= RELU_ISA_NEON; i++)
        if (relu_isa_available((relu_isa)i))
            out[n++] = (relu_isa)i;
    return n;
}

static void use_isa(relu_isa isa) { assert_int_equal(relu_use_isa(isa), RELU_OK); }

static uint64_t rng_state = 0x243F6A8885A308D3ull;
static uint64_t rng(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static int8_t rng_s8(void) { return (int8_t)(uint8_t)rng(); }
static void fill_random(int8_t *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        p[i] = rng_s8();
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    assert_non_null(p);
    return p;
}

/* ------------------------------------------------- the long double reference */

static const long double SELU_L = 1.0507009873554804934193349852946L;
static const long double SELU_A = 1.6732632423543772848170429916717L;

static long double ref_f(int op, long double a, long double v)
{
    switch (op) {
    case OP_RELU: return v > 0 ? v : 0;
    case OP_LEAKY: return v > 0 ? v : a * v;
    case OP_ELU: return v > 0 ? v : a * expm1l(v);
    case OP_SELU: return SELU_L * (v > 0 ? v : SELU_A * expm1l(v));
    case OP_CLIPPED: return v <= 0 ? 0 : (v < a ? v : a);
    default: return v > 0 ? tanhl(v) : 0;
    }
}

static long double ref_fprime(int op, long double a, long double v)
{
    switch (op) {
    case OP_RELU: return v > 0 ? 1 : 0;
    case OP_LEAKY: return v > 0 ? 1 : a;
    case OP_ELU: return v > 0 ? 1 : a * expl(v);
    case OP_SELU: return v > 0 ? SELU_L : SELU_L * SELU_A * expl(v);
    case OP_CLIPPED: return v > 0 && v < a ? 1 : 0;
    default: {
        long double c;
        if (v <= 0)
            return 0;
        c = coshl(v); /* sech^2: no cancellation for large v */
        return 1 / (c * c);
    }
    }
}

static int clamp8(long v) { return v < -128 ? -128 : v > 127 ? 127 : (int)v; }

/*
 * The accepted outputs for a real value r (before the zero point): the
 * round-half-even one, or both neighbours when r is within `tie` (relative
 * to the larger of r and the boundary) of a rounding boundary.
 */
typedef struct accept {
    int lo, hi;
} accept;

static accept expect_q(long double r, int zp, long double tie)
{
    accept a;
    long fl;
    long double frac, b;
    if (r != r)
        r = 0;
    if (r > 1000)
        r = 1000;
    if (r < -1000)
        r = -1000;
    fl = (long)r;
    if ((long double)fl > r)
        fl--;
    frac = r - (long double)fl;
    b = (long double)fl + 0.5L;
    if (fabsl(r - b) <= tie * fmaxl(fabsl(r), fabsl(b))) {
        a.lo = clamp8(fl + zp);
        a.hi = clamp8(fl + 1 + zp);
        return a;
    }
    if (frac > 0.5L)
        fl++;
    a.lo = a.hi = clamp8(fl + zp);
    return a;
}

#define FWD_TIE 1e-12L
#define BWD_TIE 1e-5L

static int accepted(accept a, int got) { return got >= a.lo && got <= a.hi; }

static long double x_real(const relu_quant *q, int x)
{
    return (long double)q->scale * (long double)(x - q->zero_point);
}

/* ------------------------------------------------------- quantization grid */

static const float grid_scales[] = {1e-3f, 0.05f, 1.0f, 37.5f, 1e4f};
static const int32_t grid_zps[] = {-128, -1, 0, 5, 127};
#define NGRID (NELEM(grid_scales) * NELEM(grid_zps))

static relu_quant grid_q(size_t k)
{
    relu_quant q;
    q.scale = grid_scales[k / NELEM(grid_zps)];
    q.zero_point = grid_zps[k % NELEM(grid_zps)];
    return q;
}

/* Saturating and extreme scales, tried in every combination. */
static const float extreme_scales[] = {1.4e-45f /* smallest subnormal */, 1.17549435e-38f,
                                       3.4028235e38f, 3e-7f, 2.5e6f};

static int8_t all_x[256];

static void init_all_x(void)
{
    int i;
    for (i = 0; i < 256; i++)
        all_x[i] = (int8_t)(i - 128);
}

/* --------------------------------------------------- forward, exhaustive */

/* Checks every ISA on the 256 inputs against the reference and against the
 * first ISA (scalar) bit for bit. Returns the number of checks. */
static long check_forward(const variant *v, const relu_quant *xq, const relu_quant *yq,
                          const long double *f, const relu_isa *isas, int nisa)
{
    int8_t y[256], y0[256];
    int k, i;
    for (k = 0; k < nisa; k++) {
        use_isa(isas[k]);
        memset(y, 0x55, sizeof y);
        assert_int_equal(fwd(v, all_x, y, 256, xq, yq), RELU_OK);
        if (k == 0) {
            for (i = 0; i < 256; i++) {
                accept a = expect_q(f[i] / (long double)yq->scale, yq->zero_point, FWD_TIE);
                if (!accepted(a, y[i]))
                    fail_msg("%s forward x=%d xq=(%g,%d) yq=(%g,%d): got %d, want %d..%d",
                             v->name, i - 128, (double)xq->scale, xq->zero_point,
                             (double)yq->scale, yq->zero_point, y[i], a.lo, a.hi);
            }
            memcpy(y0, y, sizeof y);
        } else if (memcmp(y, y0, sizeof y) != 0) {
            fail_msg("%s forward: %s differs from scalar", v->name, relu_isa_name(isas[k]));
        }
    }
    return 256;
}

static void test_forward_exhaustive(void **state)
{
    relu_isa isas[4];
    const int nisa = isa_list(isas);
    const relu_isa saved = relu_active_isa();
    size_t vi, a, b;
    long checks = 0;
    long double f[256];
    (void)state;
    for (vi = 0; vi < NELEM(variants); vi++) {
        const variant *v = &variants[vi];
        for (a = 0; a < NGRID; a++) {
            relu_quant xq = grid_q(a);
            int i;
            for (i = 0; i < 256; i++)
                f[i] = ref_f(v->op, v->p, x_real(&xq, i - 128));
            for (b = 0; b < NGRID; b++) {
                relu_quant yq = grid_q(b);
                checks += check_forward(v, &xq, &yq, f, isas, nisa);
            }
        }
        /* extreme and saturating scales, zero points at the ends */
        for (a = 0; a < NELEM(extreme_scales); a++)
            for (b = 0; b < NELEM(extreme_scales); b++) {
                relu_quant xq, yq;
                int i;
                xq.scale = extreme_scales[a];
                xq.zero_point = (int32_t)(a % 3) * 127 - 127;
                yq.scale = extreme_scales[b];
                yq.zero_point = (int32_t)(b % 2) * 255 - 128;
                for (i = 0; i < 256; i++)
                    f[i] = ref_f(v->op, v->p, x_real(&xq, i - 128));
                checks += check_forward(v, &xq, &yq, f, isas, nisa);
            }
    }
    use_isa(saved);
    print_message("forward: %ld values checked on %d ISA(s)\n", checks, nisa);
}

/* -------------------------------------------------- backward, exhaustive */

static int dy_set(const relu_quant *dyq, int8_t *out)
{
    static const int base[] = {-128, -127, -100, -64, -17, -2, -1, 0, 1, 2, 3, 17, 64, 100, 126, 127};
    int n = 0, d;
    size_t i;
    for (i = 0; i < NELEM(base); i++)
        out[n++] = (int8_t)base[i];
    for (d = -1; d <= 1; d++)
        out[n++] = (int8_t)clamp8(dyq->zero_point + d);
    return n;
}

/* expect_q in double, for the hot loop: r within BWD_TIE of a boundary
 * accepts either neighbour; otherwise exactly round half to even. */
static int bwd_ok(double r, int zp, int got)
{
    long fl;
    double frac, b, m;
    int lo, hi;
    r = r > 1000 ? 1000 : r < -1000 ? -1000 : r;
    fl = (long)r;
    if ((double)fl > r)
        fl--;
    frac = r - (double)fl;
    b = (double)fl + 0.5;
    m = fabs(r) > fabs(b) ? fabs(r) : fabs(b);
    if (fabs(r - b) <= (double)BWD_TIE * m) {
        lo = clamp8(fl + zp);
        hi = clamp8(fl + 1 + zp);
    } else {
        lo = hi = clamp8(fl + (frac > 0.5) + zp);
    }
    return got >= lo && got <= hi;
}

static void check_backward(const variant *v, const relu_quant *xq, const relu_quant *dyq,
                           const relu_quant *dxq, const int8_t *x, const int8_t *dy, size_t n,
                           const long double *fprime, const relu_isa *isas, int nisa,
                           int8_t *dx, int8_t *dx0)
{
    double factor[256]; /* dyq.scale * f'(x) / dxq.scale, from long double */
    int k;
    size_t i;
    for (i = 0; i < 256; i++)
        factor[i] = (double)((long double)dyq->scale * fprime[i] / (long double)dxq->scale);
    for (k = 0; k < nisa; k++) {
        use_isa(isas[k]);
        memset(dx, 0x55, n);
        assert_int_equal(bwd(v, x, dy, dx, n, xq, dyq, dxq), RELU_OK);
        if (k == 0) {
            for (i = 0; i < n; i++) {
                const double r = (double)(dy[i] - dyq->zero_point) * factor[(uint8_t)x[i]];
                if (!bwd_ok(r, dxq->zero_point, dx[i])) {
                    const accept a = expect_q(r, dxq->zero_point, BWD_TIE);
                    fail_msg("%s backward x=%d dy=%d xq=(%g,%d) dyq=(%g,%d) dxq=(%g,%d): "
                             "got %d, want %d..%d",
                             v->name, x[i], dy[i], (double)xq->scale, xq->zero_point,
                             (double)dyq->scale, dyq->zero_point, (double)dxq->scale,
                             dxq->zero_point, dx[i], a.lo, a.hi);
                }
            }
            memcpy(dx0, dx, n);
        } else if (memcmp(dx, dx0, n) != 0) {
            fail_msg("%s backward: %s differs from scalar", v->name, relu_isa_name(isas[k]));
        }
    }
}

static void test_backward_exhaustive(void **state)
{
    relu_isa isas[4];
    const int nisa = isa_list(isas);
    const relu_isa saved = relu_active_isa();
    int8_t *x = xmalloc(65536), *dy = xmalloc(65536), *dx = xmalloc(65536),
           *dx0 = xmalloc(65536);
    long double fprime[256];
    size_t vi, a, s, t;
    long checks = 0;
    (void)state;
    for (vi = 0; vi < NELEM(variants); vi++) {
        const variant *v = &variants[vi];
        for (a = 0; a < NGRID; a++) {
            const relu_quant xq = grid_q(a);
            int i;
            for (i = 0; i < 256; i++)
                fprime[(uint8_t)(int8_t)(i - 128)] = ref_fprime(v->op, v->p, x_real(&xq, i - 128));
            /* every dy scale against every dx scale, zero points rotating */
            for (s = 0; s < NELEM(grid_scales); s++)
                for (t = 0; t < NELEM(grid_scales); t++) {
                    relu_quant dyq, dxq;
                    int8_t ds[32];
                    int nd, j;
                    size_t n = 0;
                    dyq.scale = grid_scales[s];
                    dyq.zero_point = grid_zps[(s + a) % NELEM(grid_zps)];
                    dxq.scale = grid_scales[t];
                    dxq.zero_point = grid_zps[(t + 2 * a + s) % NELEM(grid_zps)];
                    if ((a + s + t) % 64 == 0) {
                        /* all 65536 (x, dy) pairs */
                        for (i = 0; i < 256; i++)
                            for (j = 0; j < 256; j++, n++) {
                                x[n] = (int8_t)(i - 128);
                                dy[n] = (int8_t)(j - 128);
                            }
                    } else {
                        nd = dy_set(&dyq, ds);
                        for (i = 0; i < 256; i++)
                            for (j = 0; j < nd; j++, n++) {
                                x[n] = (int8_t)(i - 128);
                                dy[n] = ds[j];
                            }
                    }
                    check_backward(v, &xq, &dyq, &dxq, x, dy, n, fprime, isas, nisa, dx, dx0);
                    checks += (long)n;
                }
        }
        /* extreme scales */
        for (a = 0; a < NELEM(extreme_scales); a++)
            for (s = 0; s < NELEM(extreme_scales); s++) {
                relu_quant xq, dyq, dxq;
                size_t n = 0;
                int i, j;
                xq.scale = extreme_scales[a];
                xq.zero_point = (int32_t)(a % 3) * 127 - 127;
                dyq.scale = extreme_scales[s];
                dyq.zero_point = 3;
                dxq.scale = extreme_scales[(a + s) % NELEM(extreme_scales)];
                dxq.zero_point = (int32_t)(s % 2) * 255 - 128;
                for (i = 0; i < 256; i++)
                    fprime[(uint8_t)(int8_t)(i - 128)] = ref_fprime(v->op, v->p, x_real(&xq, i - 128));
                for (i = 0; i < 256; i++)
                    for (j = 0; j < 256; j += 5, n++) {
                        x[n] = (int8_t)(i - 128);
                        dy[n] = (int8_t)(j - 128);
                    }
                check_backward(v, &xq, &dyq, &dxq, x, dy, n, fprime, isas, nisa, dx, dx0);
                checks += (long)n;
            }
    }
    use_isa(saved);
    free(x);
    free(dy);
    free(dx);
    free(dx0);
    print_message("backward: %ld values checked on %d ISA(s)\n", checks, nisa);
}

/* ------------------------------------------------ lengths, alignment, in place */

#define GUARD 32
#define CANARY(i) ((int8_t)(0xA5 ^ (int)((i) * 7)))

typedef struct gbuf {
    int8_t *mem, *p;
    size_t n;
} gbuf;

static void gbuf_init(gbuf *g, size_t n, size_t misalign)
{
    size_t i;
    g->mem = xmalloc(n + 2 * GUARD + 64);
    g->n = n;
    g->p = g->mem + GUARD + misalign;
    for (i = 0; i < n + 2 * GUARD + 64; i++)
        g->mem[i] = CANARY(i);
}

static void gbuf_check(const gbuf *g, const char *what, size_t n)
{
    size_t i, total = g->n + 2 * GUARD + 64;
    const size_t start = (size_t)(g->p - g->mem);
    for (i = 0; i < total; i++) {
        if (i >= start && i < start + g->n)
            continue;
        if (g->mem[i] != CANARY(i))
            fail_msg("%s n=%zu: byte %td outside the output was written", what, n,
                     (ptrdiff_t)i - (ptrdiff_t)start);
    }
}

static void test_lengths_inplace(void **state)
{
    relu_isa isas[4];
    const int nisa = isa_list(isas);
    const relu_isa saved = relu_active_isa();
    static const size_t big[] = {1000, 4097, 100003};
    const relu_quant xq = {0.0625f, -3}, dyq = {0.5f, 2}, dxq = {0.03f, -7}, yq = {0.04f, -100};
    size_t vi, ni;
    int k;
    (void)state;
    for (vi = 0; vi < NELEM(op_variants); vi++) {
        const variant *v = &op_variants[vi];
        int8_t map[256];
        int8_t *gmap = xmalloc(65536), *gx = xmalloc(65536), *gdy = xmalloc(65536);
        size_t i;
        use_isa(RELU_ISA_SCALAR);
        /* elementwise: the result for (x, dy) never depends on the rest */
        assert_int_equal(fwd(v, all_x, map, 256, &xq, &yq), RELU_OK);
        for (i = 0; i < 65536; i++) {
            gx[i] = (int8_t)(i >> 8);
            gdy[i] = (int8_t)i;
        }
        assert_int_equal(bwd(v, gx, gdy, gmap, 65536, &xq, &dyq, &dxq), RELU_OK);
        free(gx);
        free(gdy);
        for (k = 0; k < nisa; k++) {
            use_isa(isas[k]);
            for (ni = 0; ni < 301 + NELEM(big); ni++) {
                const size_t n = ni < 301 ? ni : big[ni - 301];
                const size_t mis = 1 + 2 * (ni % 5); /* odd addresses */
                int mode;
                for (mode = 0; mode < 3; mode++) {
                    gbuf gxb, gdyb, gout;
                    int8_t *x, *dy, *out;
                    gbuf_init(&gxb, n, mis);
                    gbuf_init(&gdyb, n, mis + 2);
                    gbuf_init(&gout, n, mis + 4);
                    x = gxb.p;
                    dy = gdyb.p;
                    fill_random(x, n);
                    fill_random(dy, n);
                    /* forward: mode 0 out of place, otherwise y == x */
                    out = gout.p;
                    if (mode == 0) {
                        assert_int_equal(fwd(v, x, out, n, &xq, &yq), RELU_OK);
                    } else {
                        memcpy(out, x, n);
                        assert_int_equal(fwd(v, out, out, n, &xq, &yq), RELU_OK);
                    }
                    for (i = 0; i < n; i++)
                        if (out[i] != map[x[i] + 128])
                            fail_msg("%s forward %s n=%zu mode %d i=%zu", v->name,
                                     relu_isa_name(isas[k]), n, mode, i);
                    gbuf_check(&gout, v->name, n);
                    /* backward: 0 out of place, 1 dx == dy, 2 dx == x */
                    free(gout.mem);
                    gbuf_init(&gout, n, mis + 4);
                    out = gout.p;
                    if (mode == 0) {
                        assert_int_equal(bwd(v, x, dy, out, n, &xq, &dyq, &dxq), RELU_OK);
                    } else if (mode == 1) {
                        memcpy(out, dy, n);
                        assert_int_equal(bwd(v, x, out, out, n, &xq, &dyq, &dxq), RELU_OK);
                    } else {
                        memcpy(out, x, n);
                        assert_int_equal(bwd(v, out, dy, out, n, &xq, &dyq, &dxq), RELU_OK);
                    }
                    for (i = 0; i < n; i++)
                        if (out[i] != gmap[(size_t)(uint8_t)x[i] << 8 | (uint8_t)dy[i]])
                            fail_msg("%s backward %s n=%zu mode %d i=%zu", v->name,
                                     relu_isa_name(isas[k]), n, mode, i);
                    gbuf_check(&gout, v->name, n);
                    gbuf_check(&gxb, "input x", n);
                    gbuf_check(&gdyb, "input dy", n);
                    free(gxb.mem);
                    free(gdyb.mem);
                    free(gout.mem);
                }
            }
        }
        free(gmap);
    }
    use_isa(saved);
}

/* ------------------------------------------------------ lookup plan shapes */

/*
 * The vpshufb lookups (AVX2, and AVX-512 without VBMI) give each cached
 * table a shape and run one loop per shape: whether the input is clamped
 * first to where the table stops being flat (below, above or both); which
 * halves of the input range (x >= 0, x < 0) then occur; and for each of
 * them whether it is looked up from a bare first row of the table, as x
 * plus a looked-up correction (affine; the identity where the correction is
 * zero), or as a "ramp" (row base + column profile + a carry compared per
 * row and column, saturated: affine pieces of any slope, chosen only where
 * every reached entry fits it, else the rows stay); with both halves, they
 * are joined by a blend on the sign or, where that gives the table, by
 * max, and then a clamp below may become the x < 0 half's index ("indexed
 * from the clamp": subs_epu8(x, lo), no clamp). A table that is the identity wherever the clamped input reaches
 * (flat tables included) runs as the clamp alone.
 * The quantization grid of test_forward_exhaustive reaches some shapes only
 * through one or two of its tables. These parameter sets exist to reach
 * every shape, and every kind of half within it, on purpose; each is named
 * after the shape it was chosen for (found by instrumenting the lookup).
 * Without a clamp every input occurs, so both halves are always used.
 */
typedef struct shape_case {
    const char *name;
    int op;
    float p;
    relu_quant xq, yq;
} shape_case;

static const shape_case shape_cases[] = {
    /* unclamped (or clamped above only) */
    {"identity", OP_LEAKY, 0.0f, {0.05f, -128}, {0.05f, -128}},
    {"x >= 0 identity, x < 0 affine", OP_ELU, 2.5f, {0.05f, -64}, {0.05f, -64}},
    {"both affine", OP_LEAKY, -1.0f, {0.001f, -64}, {0.001f, -128}},
    {"clamped above, x < 0 affine", OP_ELU, 2.5f, {0.1f, -128}, {0.1f, 0}},
    {"x >= 0 bare, x < 0 identity", OP_LEAKY, 0.25f, {4.0f, 0}, {1.0f, 0}},
    {"x >= 0 affine, x < 0 bare", OP_TANH, 0.0f, {0.001f, -1}, {0.001f, 0}},
    {"x >= 0 identity, x < 0 ramp", OP_LEAKY, 0.25f, {0.05f, -1}, {0.05f, -1}},
    {"clamped above, x < 0 bare", OP_SELU, 0.0f, {0.05f, -64}, {0.05f, 127}},
    /* clamped, x >= 0 only */
    {"flat", OP_ELU, 2.5f, {1.0f, -1}, {37.5f, 127}},
    {"clamped below, x >= 0 affine", OP_TANH, 0.0f, {0.001f, 64}, {0.001f, -64}},
    {"clamped below, x >= 0 ramp", OP_SELU, 0.0f, {0.5f, 64}, {1.0f, 5}},
    /* clamped, x < 0 only */
    {"clamped, x < 0 identity", OP_CLIPPED, 0.1f, {4.0f, -64}, {0.1f, -64}},
    {"clamped, x < 0 affine", OP_ELU, 2.5f, {0.1f, -64}, {0.1f, 64}},
    {"clamped, x < 0 bare", OP_ELU, 2.5f, {1.0f, -1}, {0.01f, 127}},
    /* clamped, both halves */
    {"clamped, identity", OP_LEAKY, 0.0f, {0.5f, -64}, {0.5f, -64}},
    {"clamped below, x >= 0 identity, x < 0 affine", OP_LEAKY, 3.0f, {0.5f, -64}, {0.5f, -64}},
    {"clamped below, x >= 0 affine, x < 0 identity", OP_ELU, 0.5f, {0.5f, 0}, {0.5f, -1}},
    {"clamped, both affine, joined by max", OP_TANH, 0.0f, {0.001f, -64}, {0.001f, -1}},
    {"clamped below, x >= 0 bare, x < 0 affine", OP_TANH, 0.0f, {0.01f, -64}, {0.01f, -64}},
    {"clamped below, x >= 0 ramp, x < 0 identity, joined by max", OP_SELU, 0.0f, {1.0f, 0},
     {1.0f, 0}},
    {"clamped, x >= 0 affine, x < 0 bare, joined by max", OP_ELU, 2.5f, {0.05f, -1}, {0.05f, 64}},
    {"clamped below, x >= 0 identity, x < 0 bare", OP_ELU, 2.5f, {0.05f, 0}, {0.05f, 0}},
    {"clamped, x >= 0 ramp, x < 0 bare, joined by max", OP_ELU, 2.5f, {0.1f, 0}, {0.05f, 5}},
    /* ramps: every shape with one, then the ramp's edge cases */
    {"x >= 0 ramp, x < 0 affine", OP_LEAKY, 2.0f, {0.25f, 0}, {0.5f, 5}},
    {"x >= 0 ramp, x < 0 bare", OP_ELU, 2.0f, {0.0625f, -1}, {0.05f, -128}},
    {"x >= 0 affine, x < 0 ramp", OP_LEAKY, 0.3f, {8.0f / 255.0f, 64}, {8.0f / 255.0f, 0}},
    {"clamped above, x < 0 ramp (127 clamped)", OP_SELU, 0.0f, {8.0f / 255.0f, -128},
     {8.0f / 255.0f, 0}},
    {"both ramps", OP_RELU, 0.0f, {0.03f, -128}, {0.25f, 3}},
    {"clamped, x >= 0 ramp", OP_CLIPPED, 1.0f, {0.01f, 5}, {0.04f, 0}},
    {"clamped above, x < 0 ramp", OP_CLIPPED, 6.0f, {8.0f / 255.0f, -128}, {0.03f, -1}},
    {"clamped above, x >= 0 ramp, x < 0 affine", OP_LEAKY, 0.8f, {0.0625f, 0}, {0.05f, 3}},
    {"clamped, x >= 0 affine, x < 0 ramp, joined by max", OP_LEAKY, -1.0f, {0.08f, 3}, {0.08f, 64}},
    {"clamped above, x >= 0 ramp, x < 0 bare", OP_SELU, 0.0f, {0.1f, -64}, {0.1f, 3}},
    {"clamped, x >= 0 bare, x < 0 ramp, joined by max", OP_CLIPPED, 2.5f, {0.03f, -64},
     {8.0f / 255.0f, 3}},
    {"clamped above, both ramps", OP_SELU, 0.0f, {1.0f / 255.0f, 64}, {0.05f, 127}},
    {"clamped below, x >= 0 ramp, 127 in its stride", OP_RELU, 0.0f, {0.0625f, 0}, {0.03f, -128}},
    {"clamped below, x >= 0 ramp, first row from below -128", OP_RELU, 0.0f, {0.0625f, 3},
     {0.07f, -128}},
    /* slope 1/2, ties to even: no ramp fits, the rows stay */
    {"clamped below, x >= 0 bare (affine, ties to even: no ramp fits)", OP_RELU, 0.0f,
     {0.5f, 3}, {1.0f, 0}},
    /* the other shapes the cases above miss (one-sided clamps mostly) */
    {"clamped, x >= 0 affine", OP_RELU, 0.0f, {0.03f, 5}, {0.03f, 100}},
    {"clamped above, both affine", OP_LEAKY, 0.1f, {0.01f, 64}, {0.001f, 100}},
    {"clamped below, x >= 0 ramp, x < 0 affine", OP_LEAKY, 0.8f, {0.1f, -1}, {0.08f, -64}},
    {"clamped above, x >= 0 affine, x < 0 bare", OP_ELU, 1.0f, {1.0f / 255.0f, 64},
     {1.0f / 255.0f, 100}},
    {"clamped below, both bare", OP_ELU, 0.8f, {8.0f / 255.0f, 5}, {0.07f, 3}},
    {"clamped above, both bare", OP_SELU, 0.0f, {0.08f, -100}, {0.08f, -1}},
    {"clamped, both bare", OP_SELU, 0.0f, {0.01f, -100}, {1.0f, -128}},
    {"x >= 0 ramp, x < 0 bare, joined by max, x < 0 indexed from the clamp", OP_SELU, 0.0f,
     {0.04f, -1},
     {0.1f, 5}},
    /* slope 1.05: within 1/16 of 1 */
    {"x >= 0 step ramp, x < 0 bare, joined by max, x < 0 indexed from the clamp", OP_SELU, 0.0f,
     {0.0625f, 0}, {0.0625f, 0}},
    {"clamped, x < 0 ramp", OP_CLIPPED, 2.0f, {0.03f, -64}, {0.25f, 5}},
    {"clamped below, x >= 0 affine, x < 0 ramp", OP_LEAKY, 2.5f, {8.0f / 255.0f, 0},
     {8.0f / 255.0f, -1}},
    {"clamped above, x >= 0 affine, x < 0 ramp", OP_LEAKY, 0.8f, {0.03f, 3}, {0.03f, 5}},
    {"x >= 0 bare, x < 0 ramp", OP_LEAKY, 2.5f, {0.08f, 64}, {0.5f, 5}},
    {"clamped below, x >= 0 bare, x < 0 ramp, joined by max", OP_LEAKY, -1.0f, {0.0625f, 64},
     {0.08f, 0}},
    {"clamped above, x >= 0 bare, x < 0 ramp", OP_CLIPPED, 6.0f, {0.04f, -128}, {0.0625f, -1}},
    {"clamped below, both ramps, joined by max", OP_ELU, 0.5f, {2.0f, -100}, {4.0f, -64}},
    {"clamped, x >= 0 bare", OP_TANH, 0.0f, {1.0f, 100}, {0.001f, -128}},
    {"both bare", OP_CLIPPED, 2.5f, {4.0f, -1}, {0.03f, -128}},
    {"clamped, both ramps, joined by max", OP_LEAKY, 1.0f, {0.08f, 64}, {0.05f, 127}},
    {"clamped, x >= 0 bare, x < 0 affine", OP_LEAKY, 0.1f, {0.1f, -1}, {0.01f, -100}},
    {"clamped, x >= 0 ramp, x < 0 affine", OP_LEAKY, 0.8f, {0.05f, 3}, {0.04f, 0}},
    {"clamped above, x >= 0 bare, x < 0 affine", OP_LEAKY, 1.0f, {0.0625f, 5}, {0.0625f, 127}},
    {"clamped, both bare, joined by max", OP_TANH, 0.0f, {0.08f, -100}, {0.08f, 64}},
    {"clamped, x >= 0 bare, x < 0 ramp", OP_LEAKY, 0.3f, {0.25f, 3}, {8.0f / 255.0f, 127}},
    {"clamped, x >= 0 ramp, x < 0 bare", OP_ELU, 1.0f, {0.0625f, 3}, {0.03f, 5}},
    {"clamped below, x >= 0 bare, x < 0 ramp", OP_TANH, 0.0f, {1.0f / 255.0f, -100}, {0.03f, 5}},
    {"clamped below, x >= 0 ramp, x < 0 bare", OP_ELU, 0.5f, {0.04f, -1}, {0.1f, -64}},
    {"both bare, joined by max, x < 0 indexed from the clamp", OP_ELU, 2.5f, {0.03f, 5},
     {0.25f, 64}},
    {"clamped, x >= 0 affine, x < 0 ramp", OP_LEAKY, 2.0f, {1.0f / 255.0f, 64},
     {1.0f / 255.0f, 100}},
    {"clamped below, x >= 0 affine, x < 0 bare, joined by max", OP_ELU, 0.1f, {0.04f, 5},
     {0.04f, 3}},
    {"clamped below, x >= 0 identity, x < 0 affine, joined by max", OP_ELU, 0.8f, {0.25f, -64},
     {0.25f, -64}},
    {"clamped, x >= 0 affine, x < 0 bare", OP_LEAKY, 2.5f, {4.0f, 3}, {4.0f, 5}},
    {"clamped below, x >= 0 affine, x < 0 ramp, joined by max", OP_LEAKY, -1.0f, {0.01f, 64},
     {0.01f, -1}},
    {"clamped, both affine", OP_LEAKY, 6.0f, {0.001f, -100}, {0.001f, -64}},
    {"clamped, x >= 0 bare, x < 0 affine, joined by max", OP_CLIPPED, 0.3f, {1.0f / 255.0f, -64},
     {1.0f / 255.0f, 5}},
    {"clamped, x >= 0 ramp, x < 0 affine, joined by max", OP_TANH, 0.0f, {0.001f, -100},
     {0.001f, -64}},
    {"clamped below, x >= 0 bare, x < 0 affine, joined by max", OP_TANH, 0.0f, {1.0f / 255.0f, -64},
     {1.0f / 255.0f, 64}},
    {"clamped below, both bare, joined by max", OP_LEAKY, 0.8f, {8.0f / 255.0f, -64}, {2.0f, 3}},
    {"clamped below, x >= 0 ramp, x < 0 bare, joined by max", OP_LEAKY, -1.0f, {0.0625f, 127},
     {0.07f, 5}},
    {"x >= 0 identity, x < 0 bare, joined by max, x < 0 indexed from the clamp", OP_LEAKY,
     0.01f, {0.01f, -1}, {0.01f, -1}},
};

/* A length past the one from which the lookups write with non-temporal
 * stores (12 MiB), with a tail. */
#define SHAPE_NT_N (((size_t)12 << 20) + 4099)

/* Each shape case: all 256 inputs against the reference on every ISA, then
 * lengths with tails for both vector widths, odd addresses, in place, and
 * once in place at SHAPE_NT_N from an odd address. */
static void test_lookup_shapes(void **state)
{
    relu_isa isas[4];
    const int nisa = isa_list(isas);
    const relu_isa saved = relu_active_isa();
    static const size_t lens[] = {31, 33, 64, 95, 96, 127, 128, 200, 256, 383, 1000, 4099};
    int8_t *big = xmalloc(SHAPE_NT_N + 1), *bx = big + 1;
    long double f[256];
    int8_t map[256];
    size_t ci, li, i;
    int k, mode;
    (void)state;
    for (ci = 0; ci < NELEM(shape_cases); ci++) {
        const shape_case *c = &shape_cases[ci];
        const variant v = {c->name, c->op, c->p};
        for (i = 0; i < 256; i++)
            f[i] = ref_f(c->op, c->p, x_real(&c->xq, (int)i - 128));
        check_forward(&v, &c->xq, &c->yq, f, isas, nisa);
        use_isa(RELU_ISA_SCALAR);
        assert_int_equal(fwd(&v, all_x, map, 256, &c->xq, &c->yq), RELU_OK);
        for (k = 0; k < nisa; k++) {
            use_isa(isas[k]);
            for (li = 0; li < NELEM(lens); li++) {
                const size_t n = lens[li];
                for (mode = 0; mode < 2; mode++) {
                    gbuf gxb, gout;
                    int8_t *out;
                    gbuf_init(&gxb, n, 1 + 2 * (li % 4));
                    gbuf_init(&gout, n, 3 + 2 * (li % 3));
                    /* an odd step: every byte value within each 256 */
                    for (i = 0; i < n; i++)
                        gxb.p[i] = (int8_t)(uint8_t)(167 * i + 29 * li);
                    out = gout.p;
                    if (mode == 0) {
                        assert_int_equal(fwd(&v, gxb.p, out, n, &c->xq, &c->yq), RELU_OK);
                    } else {
                        memcpy(out, gxb.p, n);
                        assert_int_equal(fwd(&v, out, out, n, &c->xq, &c->yq), RELU_OK);
                    }
                    for (i = 0; i < n; i++)
                        if (out[i] != map[gxb.p[i] + 128])
                            fail_msg("%s %s n=%zu mode %d i=%zu", c->name,
                                     relu_isa_name(isas[k]), n, mode, i);
                    gbuf_check(&gout, c->name, n);
                    gbuf_check(&gxb, "input x", n);
                    free(gxb.mem);
                    free(gout.mem);
                }
            }
            for (i = 0; i < SHAPE_NT_N; i++)
                bx[i] = (int8_t)(uint8_t)(167 * i + ci);
            assert_int_equal(fwd(&v, bx, bx, SHAPE_NT_N, &c->xq, &c->yq), RELU_OK);
            for (i = 0; i < SHAPE_NT_N; i++)
                if (bx[i] != map[(int8_t)(uint8_t)(167 * i + ci) + 128])
                    fail_msg("%s %s n=%zu in place i=%zu", c->name, relu_isa_name(isas[k]),
                             SHAPE_NT_N, i);
        }
    }
    free(big);
    use_isa(saved);
}

/* n == 0: OK with NULL everywhere, nothing touched. */
static void test_empty(void **state)
{
    const relu_quant q = {1.0f, 0};
    size_t vi;
    float dalpha[3] = {7.0f, 7.0f, 7.0f};
    (void)state;
    for (vi = 0; vi < NELEM(op_variants); vi++) {
        const variant *v = &op_variants[vi];
        assert_int_equal(fwd(v, NULL, NULL, 0, NULL, NULL), RELU_OK);
        assert_int_equal(fwd(v, NULL, NULL, 0, &q, &q), RELU_OK);
        assert_int_equal(bwd(v, NULL, NULL, NULL, 0, NULL, NULL, NULL), RELU_OK);
        assert_int_equal(bwd(v, NULL, NULL, NULL, 0, &q, NULL, &q), RELU_OK);
    }
    assert_int_equal(relu_prelu_forward_s8(NULL, NULL, NULL, 0, 0, 0, NULL, NULL), RELU_OK);
    assert_int_equal(relu_prelu_forward_s8(NULL, NULL, NULL, 5, 3, 0, NULL, NULL), RELU_OK);
    assert_int_equal(relu_prelu_backward_s8(NULL, NULL, NULL, NULL, NULL, 4, 0, 9, NULL, NULL, NULL),
                     RELU_OK);
    /* channels > 0 but outer*inner == 0: dalpha is written with zeros */
    assert_int_equal(relu_prelu_backward_s8(NULL, NULL, NULL, NULL, dalpha, 0, 3, 5, NULL, NULL, NULL),
                     RELU_OK);
    assert_true(dalpha[0] == 0.0f && dalpha[1] == 0.0f && dalpha[2] == 0.0f);
    dalpha[1] = 7.0f;
    assert_int_equal(relu_prelu_backward_s8(NULL, NULL, NULL, NULL, dalpha, 2, 3, 0, &q, &q, &q),
                     RELU_OK);
    assert_true(dalpha[1] == 0.0f);
    assert_int_equal(relu_prelu_backward_s8(NULL, NULL, NULL, NULL, NULL, 0, 3, 5, NULL, NULL, NULL),
                     RELU_ERR_NULL);
}

/* ------------------------------------------------------------------ PReLU */

static void prelu_ref_check(const int8_t *x, const int8_t *dy, const float *alpha,
                            const int8_t *y, const int8_t *dx, const float *dalpha, size_t outer,
                            size_t channels, size_t inner, const relu_quant *xq,
                            const relu_quant *yq, const relu_quant *dyq, const relu_quant *dxq)
{
    size_t o, c, i;
    for (c = 0; c < channels; c++) {
        const long double a = (long double)alpha[c];
        long long sum = 0, abs_sum = 0;
        for (o = 0; o < outer; o++)
            for (i = 0; i < inner; i++) {
                const size_t e = (o * channels + c) * inner + i;
                const long double v = x_real(xq, x[e]);
                long double f = v > 0 ? v : a * v;
                accept ay, adx;
                long double fp, r;
                if (f != f)
                    f = 0; /* a NaN alpha: the real result NaN counts as 0 */
                ay = expect_q(f / (long double)yq->scale, yq->zero_point, FWD_TIE);
                if (y != NULL && !accepted(ay, y[e]))
                    fail_msg("prelu forward (%zu,%zu,%zu) x=%d alpha=%g: got %d want %d..%d", o,
                             c, i, x[e], (double)alpha[c], y[e], ay.lo, ay.hi);
                if (dx == NULL)
                    continue;
                fp = v > 0 ? 1 : a;
                r = dy[e] == dyq->zero_point
                        ? 0 /* 0 times an infinite or NaN alpha: 0 */
                        : (long double)dyq->scale * (long double)(dy[e] - dyq->zero_point) * fp /
                              (long double)dxq->scale;
                adx = expect_q(r, dxq->zero_point, BWD_TIE);
                if (!accepted(adx, dx[e]))
                    fail_msg("prelu backward (%zu,%zu,%zu) x=%d dy=%d alpha=%g: got %d want "
                             "%d..%d",
                             o, c, i, x[e], dy[e], (double)alpha[c], dx[e], adx.lo, adx.hi);
                if (!(v > 0)) {
                    long long p = (long long)(x[e] - xq->zero_point) * (dy[e] - dyq->zero_point);
                    sum += p;
                    abs_sum += p < 0 ? -p : p;
                }
            }
        if (dalpha != NULL) {
            const long double k = (long double)xq->scale * (long double)dyq->scale;
            const long double want = k * (long double)sum, S = k * (long double)abs_sum;
            const long double tol = 1e-5L * S + 0x1p-127L;
            if (fabsl(want) - tol > (long double)FLT_MAX) {
                if (!(isinf(dalpha[c]) && (dalpha[c] > 0) == (want > 0)))
                    fail_msg("prelu dalpha[%zu] = %g, want %Lg (overflow)", c, (double)dalpha[c],
                             want);
            } else if (!(fabsl((long double)dalpha[c] - want) <= tol) &&
                       !(isinf(dalpha[c]) && fabsl(want) + tol > (long double)FLT_MAX)) {
                fail_msg("prelu dalpha[%zu] = %.9g, want %.12Lg (S = %Lg)", c, (double)dalpha[c],
                         want, S);
            }
        }
    }
}

static float random_alpha(size_t c)
{
    static const float special[] = {0.0f, -0.0f, 1.0f, -1.0f, 3.5f, 0.25f, -0.125f, 1e-20f, 7e3f};
    if (c % 11 == 5)
        return NAN;
    if (c % 13 == 7)
        return c % 2 ? INFINITY : -INFINITY;
    if (c % 3 == 0)
        return special[(c / 3) % NELEM(special)];
    return (float)((double)(rng() % 2001) / 500.0 - 2.0);
}

typedef struct prelu_case {
    size_t outer, channels, inner;
    int subnormal_alphas; /* every third alpha a subnormal float */
} prelu_case;

/* Runs one shape on every ISA, all three in-place modes, checking the
 * reference once and bit identity with the scalar results elsewhere. */
static void run_prelu_case(const prelu_case *pc, const relu_quant *xq, const relu_quant *yq,
                           const relu_quant *dyq, const relu_quant *dxq, const relu_isa *isas,
                           int nisa)
{
    const size_t n = pc->outer * pc->channels * pc->inner, C = pc->channels;
    int8_t *x = xmalloc(n), *dy = xmalloc(n), *y0 = xmalloc(n), *dx0 = xmalloc(n);
    float *alpha = xmalloc(C * sizeof(float) + 1), *dalpha0 = xmalloc((C + 2) * sizeof(float));
    size_t c;
    int k, mode;
    fill_random(x, n);
    fill_random(dy, n);
    for (c = 0; c < C; c++)
        alpha[c] = pc->subnormal_alphas && c % 3 == 1 ? (c % 2 ? -0x1.8p-140f : 0x1p-149f)
                                                      : random_alpha(c);
    for (k = 0; k < nisa; k++) {
        use_isa(isas[k]);
        for (mode = 0; mode < 3; mode++) {
            gbuf gy, gdx;
            float *dalpha = dalpha0 + 1, guard = -9.0f;
            gbuf_init(&gy, n, 3);
            gbuf_init(&gdx, n, 5);
            /* forward: mode 0 out of place, else y == x */
            if (mode == 0) {
                assert_int_equal(relu_prelu_forward_s8(x, gy.p, alpha, pc->outer, C, pc->inner,
                                                       xq, yq),
                                 RELU_OK);
            } else {
                memcpy(gy.p, x, n);
                assert_int_equal(relu_prelu_forward_s8(gy.p, gy.p, alpha, pc->outer, C,
                                                       pc->inner, xq, yq),
                                 RELU_OK);
            }
            gbuf_check(&gy, "prelu forward", n);
            /* backward: 0 out of place, 1 dx == dy, 2 dx == x */
            {
                float *da = xmalloc((C + 2) * sizeof(float));
                size_t i;
                for (i = 0; i < C + 2; i++)
                    da[i] = guard;
                if (mode == 0) {
                    assert_int_equal(relu_prelu_backward_s8(x, dy, alpha, gdx.p, da + 1,
                                                            pc->outer, C, pc->inner, xq, dyq, dxq),
                                     RELU_OK);
                } else if (mode == 1) {
                    memcpy(gdx.p, dy, n);
                    assert_int_equal(relu_prelu_backward_s8(x, gdx.p, alpha, gdx.p, da + 1,
                                                            pc->outer, C, pc->inner, xq, dyq, dxq),
                                     RELU_OK);
                } else {
                    memcpy(gdx.p, x, n);
                    assert_int_equal(relu_prelu_backward_s8(gdx.p, dy, alpha, gdx.p, da + 1,
                                                            pc->outer, C, pc->inner, xq, dyq, dxq),
                                     RELU_OK);
                }
                assert_true(da[0] == guard && da[C + 1] == guard);
                gbuf_check(&gdx, "prelu backward", n);
                if (k == 0 && mode == 0) {
                    prelu_ref_check(x, dy, alpha, gy.p, gdx.p, da + 1, pc->outer, C, pc->inner,
                                    xq, yq, dyq, dxq);
                    memcpy(y0, gy.p, n);
                    memcpy(dx0, gdx.p, n);
                    memcpy(dalpha, da + 1, C * sizeof(float));
                } else {
                    if (memcmp(gy.p, y0, n) != 0 || memcmp(gdx.p, dx0, n) != 0 ||
                        memcmp(da + 1, dalpha, C * sizeof(float)) != 0)
                        fail_msg("prelu (%zu,%zu,%zu) %s mode %d differs from scalar", pc->outer,
                                 C, pc->inner, relu_isa_name(isas[k]), mode);
                }
                free(da);
            }
            free(gy.mem);
            free(gdx.mem);
        }
    }
    free(x);
    free(dy);
    free(y0);
    free(dx0);
    free(alpha);
    free(dalpha0);
}

static void test_prelu_shapes(void **state)
{
    relu_isa isas[4];
    const int nisa = isa_list(isas);
    const relu_isa saved = relu_active_isa();
    static const size_t dims[] = {0, 1, 2, 3, 7};
    static const prelu_case large[] = {
        {2, 16, 300},   /* NCHW */
        {600, 16, 1},   /* NHWC */
        {1, 3, 5000},   /* one image, long rows */
        {3, 700, 5},    /* more channels than one stack group */
        {50, 1200, 1},  /* channels-last, many channels */
        {1, 2000, 3},
        /* short strips: 16, 36, 45 and 64 lanes (the kernels compute only
         * the sixteens a strip fills) */
        {1, 4, 4},
        {1, 4, 9},
        {2, 5, 9},
        {1, 16, 4},
        /* runs of 64..207 with 64+ per channel: the cached maps */
        {1, 4, 100},
        {2, 3, 70},
        /* channels last, hundreds of channels: tiles from the cached maps */
        {80, 600, 1},
    };
    size_t a, b, c, qi;
    (void)state;
    for (qi = 0; qi < 4; qi++) {
        const relu_quant xq = grid_q((qi * 7 + 3) % NGRID), yq = grid_q((qi * 11 + 5) % NGRID);
        const relu_quant dyq = grid_q((qi * 13 + 1) % NGRID), dxq = grid_q((qi * 3 + 17) % NGRID);
        for (a = 0; a < NELEM(dims); a++)
            for (b = 0; b < NELEM(dims); b++)
                for (c = 0; c < NELEM(dims); c++) {
                    prelu_case pc;
                    pc.outer = dims[a];
                    pc.channels = dims[b];
                    pc.inner = dims[c];
                    pc.subnormal_alphas = 0;
                    run_prelu_case(&pc, &xq, &yq, &dyq, &dxq, isas, nisa);
                }
        for (a = 0; a < NELEM(large); a++)
            run_prelu_case(&large[a], &xq, &yq, &dyq, &dxq, isas, nisa);
    }
    /* every input value against every quantization of the grid, one channel
     * per alpha of interest */
    {
        int8_t x[256 * 8], y[256 * 8], dy[256 * 8], dx[256 * 8];
        float alpha[8] = {0.0f, 1.0f, -0.5f, 3.0f, 0.01f, NAN, INFINITY, -INFINITY};
        float dalpha[8];
        size_t i;
        use_isa(RELU_ISA_SCALAR);
        for (i = 0; i < sizeof x; i++) {
            x[i] = (int8_t)(i & 255);
            dy[i] = (int8_t)(i * 37 + 11);
        }
        for (a = 0; a < NGRID; a++)
            for (b = 0; b < NGRID; b++) {
                const relu_quant xq = grid_q(a), yq = grid_q(b), dxq = grid_q((a + b) % NGRID);
                assert_int_equal(relu_prelu_forward_s8(x, y, alpha, 1, 8, 256, &xq, &yq), RELU_OK);
                assert_int_equal(relu_prelu_backward_s8(x, dy, alpha, dx, dalpha, 1, 8, 256, &xq,
                                                        &yq, &dxq),
                                 RELU_OK);
                prelu_ref_check(x, dy, alpha, y, dx, dalpha, 1, 8, 256, &xq, &yq, &yq, &dxq);
            }
    }
    use_isa(saved);
}

/*
 * Every shape of at most 64 elements (the whole-call short path of the
 * tiers that have one, kernels.h RELU_S8_PRELU_SMALL) and shapes of 65, on
 * every tier, out of place and in place, against the reference and the
 * scalar bits; quantizations with normal, tiny (factors and dalpha below
 * 2^-126), subnormal and huge scales, and alphas with subnormal floats,
 * which the short path declines.
 */
static void test_prelu_small(void **state)
{
    relu_isa isas[4];
    const int nisa = isa_list(isas);
    const relu_isa saved = relu_active_isa();
    const relu_quant qs[][4] = {
        {{0.05f, 3}, {0.0173f, -2}, {0.11f, 1}, {0.0371f, 0}},
        {{0.0625f, 0}, {0.0625f, 0}, {0.015625f, 0}, {0.015625f, 0}},
        {{1e-3f, -128}, {37.5f, 127}, {1e4f, -1}, {1e-3f, 5}},
        {{0x1p-70f, 7}, {0x1p-60f, -5}, {0x1p-70f, 2}, {0x1p40f, -3}}, /* tiny products */
        {{1.4e-45f, 1}, {0.05f, 0}, {3e-41f, 0}, {0.5f, 0}},          /* subnormal scales */
        {{3.4028235e38f, -7}, {0x1p-20f, 0}, {1e30f, 9}, {1e-30f, 0}}, /* dalpha overflows */
    };
    size_t o, c, i, qi;
    int sub;
    (void)state;
    for (qi = 0; qi < NELEM(qs); qi++)
        for (sub = 0; sub < 2; sub++)
            for (o = 1; o <= 65; o++)
                for (c = 1; o * c <= 65; c++)
                    for (i = 1; o * c * i <= 65; i++) {
                        prelu_case pc;
                        if (o * c * i == 65 && o * i > 1)
                            continue; /* past the short path: one shape of 65 is enough */
                        pc.outer = o;
                        pc.channels = c;
                        pc.inner = i;
                        pc.subnormal_alphas = sub;
                        run_prelu_case(&pc, &qs[qi][0], &qs[qi][1], &qs[qi][2], &qs[qi][3], isas,
                                       nisa);
                    }
    use_isa(saved);
}

/*
 * Channels last (and other short runs) with rows enough for the kernels'
 * per-lane paths (several channels per vector, transposed tiles, or the
 * float arithmetic checked against a rounding margin). Each tier is called
 * first with alpha values it has not seen (maps built in the call), then in
 * place with the same ones (the thread's cached maps), and both must equal
 * the scalar results, which are checked against the reference.
 *
 * The alphas come in kinds: the mixed ones of random_alpha; alphas whose
 * products hit half-integers exactly or nearly (0.25, 0.5, decimals), which
 * the float arithmetic must hand to the exact path, most of all with equal
 * scales; non-dyadic ones as training leaves them (the float arithmetic
 * alone); and the extremes (NaN, infinities, the largest and smallest
 * floats, signed zeros).
 */
static float cl_alpha(int kind, size_t c, const relu_quant *xq, const relu_quant *yq)
{
    static const float ties[] = {0.25f, 0.5f, -0.5f, 1.5f, 0.125f, -0.25f, 2.5f, 0.75f, 0.01f, 0.1f, 0.3f};
    static const float extreme[] = {NAN,     INFINITY, -INFINITY, 3.4028235e38f, -3.4028235e38f,
                                    1.4e-45f, -1.4e-45f, 0.0f,    -0.0f,         1e10f,
                                    -7.0f,   1e-30f,   1.17549435e-38f};
    switch (kind) {
    case 1:
        if (c % 2 == 0)
            return ties[c / 2 % NELEM(ties)];
        /* the float nearest to a tie of T = alpha * x_scale * xi / y_scale
         * at xi = -1 - c % 97: a little off it, on either side */
        return (float)(((double)(c % 7) + 0.5) * (double)yq->scale /
                       ((double)xq->scale * -(double)(1 + c % 97)));
    case 2:
        return (float)(0.01 + 0.29 * (double)(rng() % 1000003) / 1000003.0) *
               (c % 5 == 4 ? -3.0f : 1.0f);
    case 3:
        return extreme[c % NELEM(extreme)];
    default:
        return random_alpha(c);
    }
}

/* Quantizations past the grid's: equal scales (k_pos = 1, ties with the
 * dyadic alphas), a ratio of 2, and the extreme ratios with the zero points
 * at the ends. */
static void cl_quants(size_t qi, relu_quant *xq, relu_quant *yq)
{
    static const relu_quant extra[][2] = {
        {{0.05f, -128}, {0.05f, 127}},
        {{0.05f, 3}, {0.05f, -7}},
        {{0.1f, 3}, {0.05f, -7}},
        {{3.4028235e38f, 127}, {1.4e-45f, -128}},
        {{1.4e-45f, -128}, {3.4028235e38f, 127}},
        {{2.5e6f, 127}, {3e-7f, 127}},
        /* 7 x_scale / y_scale near 2.5: x > x_zp near a tie too */
        {{0.05f, 0}, {0.14f, 0}},
    };
    if (qi < 6) {
        *xq = grid_q(qi * 6 % NGRID);
        *yq = grid_q((qi * 7 + 3) % NGRID);
    } else {
        *xq = extra[qi - 6][0];
        *yq = extra[qi - 6][1];
    }
}

static void test_prelu_channels_last(void **state)
{
    relu_isa isas[4];
    const int nisa = isa_list(isas);
    const relu_isa saved = relu_active_isa();
    static const prelu_case shapes[] = {
        {300, 1, 1},  {300, 2, 1},  {300, 3, 1},  {300, 5, 1},  {300, 16, 1}, {300, 63, 1},
        {300, 64, 1}, {300, 65, 1}, {300, 200, 1}, {150, 5, 3}, {200, 4, 2},  {97, 6, 2},
        {100, 20, 3}, {70, 17, 1},  {90, 9, 7},   {300, 32, 1}, {100, 12, 1}, {37, 32, 1},
        /* odd row counts (a last odd row, a partial tile of 16) and packed
         * tails: 257 * 300 and 131 * 64 strips, 301 * 3 packed */
        {257, 300, 1}, {131, 64, 1}, {301, 3, 1},
        /* packed rows that do not divide a vector, just past and at the
         * length of whole-vector stores */
        {21, 3, 1}, {22, 3, 1}, {11, 7, 1}, {5, 1, 17}, {9, 1, 17}, {40, 5, 1},
        /* rows enough for the float arithmetic's patches (strips and
         * packed, whole and partial vectors) */
        {400, 40, 1}, {4000, 3, 1}, {800, 16, 1}, {600, 70, 1},
    };
    size_t si, qi;
    int k;
    (void)state;
    for (qi = 0; qi < 13; qi++) {
        relu_quant xq, yq;
        cl_quants(qi, &xq, &yq);
        for (si = 0; si < NELEM(shapes); si++) {
            const prelu_case *pc = &shapes[si];
            const size_t C = pc->channels, n = pc->outer * C * pc->inner;
            int8_t *x = xmalloc(n), *y0 = xmalloc(n);
            float *alpha = xmalloc(C * sizeof(float));
            fill_random(x, n);
            for (k = 1; k < nisa; k++) {
                const size_t salt = (size_t)(rng() % 1000);
                gbuf gy, gin;
                size_t c;
                for (c = 0; c < C; c++)
                    alpha[c] = cl_alpha((int)((qi + si + (size_t)k) % 4), c + salt, &xq, &yq);
                gbuf_init(&gy, n, 1);
                gbuf_init(&gin, n, 5);
                for (c = 0; c < n; c++)
                    gin.p[c] = x[c];
                use_isa(isas[k]);
                assert_int_equal(relu_prelu_forward_s8(x, gy.p, alpha, pc->outer, C, pc->inner,
                                                       &xq, &yq),
                                 RELU_OK);
                assert_int_equal(relu_prelu_forward_s8(gin.p, gin.p, alpha, pc->outer, C,
                                                       pc->inner, &xq, &yq),
                                 RELU_OK);
                gbuf_check(&gy, "prelu forward", n);
                gbuf_check(&gin, "prelu forward in place", n);
                use_isa(RELU_ISA_SCALAR);
                assert_int_equal(relu_prelu_forward_s8(x, y0, alpha, pc->outer, C, pc->inner,
                                                       &xq, &yq),
                                 RELU_OK);
                prelu_ref_check(x, NULL, alpha, y0, NULL, NULL, pc->outer, C, pc->inner, &xq,
                                &yq, &yq, &yq);
                if (memcmp(gy.p, y0, n) != 0 || memcmp(gin.p, y0, n) != 0)
                    fail_msg("prelu forward (%zu,%zu,%zu) %s differs from scalar", pc->outer, C,
                             pc->inner, relu_isa_name(isas[k]));
                free(gy.mem);
                free(gin.mem);
            }
            free(x);
            free(y0);
            free(alpha);
        }
    }
    use_isa(saved);
}

/* --------------------------------------------------------------- errors */

static const float bad_scales[] = {0.0f, -0.0f, -1.0f, NAN, -NAN, INFINITY, -INFINITY};
static const int32_t bad_zps[] = {-129, 128, INT32_MIN, INT32_MAX, 1000};

/* Each entry point, called uniformly: every pointer overridable. */
typedef struct call {
    int fn; /* 0..5 forward variants, 6..11 backward, 12 prelu fwd, 13 prelu bwd */
    float p;
    const int8_t *x, *dy;
    int8_t *out;
    const float *alpha;
    float *dalpha;
    size_t n, outer, channels, inner;
    const relu_quant *q0, *q1, *q2;
} call;

static relu_status do_call(const call *c)
{
    variant v;
    v.name = "";
    v.p = c->p;
    if (c->fn < 6) {
        v.op = c->fn;
        return fwd(&v, c->x, c->out, c->n, c->q0, c->q1);
    }
    if (c->fn < 12) {
        v.op = c->fn - 6;
        return bwd(&v, c->x, c->dy, c->out, c->n, c->q0, c->q1, c->q2);
    }
    if (c->fn == 12)
        return relu_prelu_forward_s8(c->x, c->out, c->alpha, c->outer, c->channels, c->inner,
                                     c->q0, c->q1);
    return relu_prelu_backward_s8(c->x, c->dy, c->alpha, c->out, c->dalpha, c->outer,
                                  c->channels, c->inner, c->q0, c->q1, c->q2);
}

static int fn_op(int fn) { return fn < 6 ? fn : fn < 12 ? fn - 6 : -1; }
static int fn_nquants(int fn) { return fn < 6 || fn == 12 ? 2 : 3; }

/* Memory the error calls use: outputs are checked untouched afterwards. */
static union {
    int8_t b[64];
    float f[16];
} e_xu, e_dyu, e_outu;
#define e_x e_xu.b
#define e_dy e_dyu.b
#define e_out e_outu.b
static float e_alpha[8], e_dalpha[8];
static relu_quant e_q[3];

static void reset_call(call *c, int fn)
{
    size_t i;
    memset(c, 0, sizeof *c);
    c->fn = fn;
    c->p = fn_op(fn) == OP_CLIPPED ? 6.0f : 0.5f;
    for (i = 0; i < 64; i++) {
        e_x[i] = (int8_t)(i * 5);
        e_dy[i] = (int8_t)(i * 3);
        e_out[i] = 0x5A;
    }
    for (i = 0; i < 8; i++) {
        e_alpha[i] = 0.25f;
        e_dalpha[i] = 42.0f;
    }
    for (i = 0; i < 3; i++) {
        e_q[i].scale = 0.5f;
        e_q[i].zero_point = 1;
    }
    c->x = e_x;
    c->dy = e_dy;
    c->out = e_out;
    c->alpha = e_alpha;
    c->dalpha = e_dalpha;
    c->n = 40;
    c->outer = 2;
    c->channels = 4;
    c->inner = 5;
    c->q0 = &e_q[0];
    c->q1 = &e_q[1];
    c->q2 = &e_q[2];
}

static void expect_status(const call *c, relu_status want, const char *what)
{
    relu_status got = do_call(c);
    size_t i;
    if (got != want)
        fail_msg("fn %d %s: got status %d, want %d", c->fn, what, (int)got, (int)want);
    if (want == RELU_OK)
        return;
    for (i = 0; i < 64; i++)
        if (e_out[i] != 0x5A || e_x[i] != (int8_t)(i * 5) || e_dy[i] != (int8_t)(i * 3))
            fail_msg("fn %d %s: an erroring call wrote memory", c->fn, what);
    for (i = 0; i < 8; i++)
        if (e_dalpha[i] != 42.0f)
            fail_msg("fn %d %s: an erroring call wrote dalpha", c->fn, what);
}

static const relu_quant **quant_slot(call *c, int k) { return k == 0 ? &c->q0 : k == 1 ? &c->q1 : &c->q2; }

static void test_errors(void **state)
{
    int fn, k;
    size_t i;
    (void)state;
    for (fn = 0; fn < 14; fn++) {
        const int op = fn_op(fn), nq = fn_nquants(fn);
        call c;
        relu_quant bad;
        reset_call(&c, fn);
        expect_status(&c, RELU_OK, "valid");

        /* PARAM: the op's parameter, also with n == 0 and NULL pointers */
        if (op == OP_LEAKY || op == OP_ELU || op == OP_CLIPPED) {
            const float bads_leaky[] = {NAN, INFINITY, -INFINITY};
            const float bads_elu[] = {NAN, INFINITY, -INFINITY, -1e-30f, -1.0f, -FLT_MIN};
            const float bads_cap[] = {NAN, INFINITY, -INFINITY, 0.0f, -0.0f, -1.0f, -1e-40f};
            const float *bads = op == OP_LEAKY ? bads_leaky : op == OP_ELU ? bads_elu : bads_cap;
            const size_t nb = op == OP_LEAKY ? NELEM(bads_leaky)
                              : op == OP_ELU ? NELEM(bads_elu) : NELEM(bads_cap);
            for (i = 0; i < nb; i++) {
                reset_call(&c, fn);
                c.p = bads[i];
                expect_status(&c, RELU_ERR_PARAM, "bad parameter");
                c.n = 0;
                c.x = c.dy = NULL;
                c.out = NULL;
                c.q0 = c.q1 = c.q2 = NULL;
                expect_status(&c, RELU_ERR_PARAM, "bad parameter, n == 0");
                c.x = e_x;
                c.out = e_x + 1; /* overlap too: PARAM wins */
                c.n = 40;
                expect_status(&c, RELU_ERR_PARAM, "bad parameter and overlap");
            }
            /* the edges of the domains are valid */
            reset_call(&c, fn);
            c.p = op == OP_CLIPPED ? 1.4e-45f : op == OP_ELU ? -0.0f : -FLT_MAX;
            expect_status(&c, RELU_OK, "edge parameter");
            c.p = op == OP_CLIPPED ? FLT_MAX : op == OP_ELU ? 0.0f : FLT_MAX;
            expect_status(&c, RELU_OK, "edge parameter");
        }

        /* PARAM: each relu_quant, bad scale or zero point, even when n == 0 */
        for (k = 0; k < nq; k++) {
            for (i = 0; i < NELEM(bad_scales) + NELEM(bad_zps); i++) {
                reset_call(&c, fn);
                bad.scale = i < NELEM(bad_scales) ? bad_scales[i] : 1.0f;
                bad.zero_point = i < NELEM(bad_scales) ? 0 : bad_zps[i - NELEM(bad_scales)];
                *quant_slot(&c, k) = &bad;
                expect_status(&c, RELU_ERR_PARAM, "bad quant");
                c.n = c.outer = c.channels = c.inner = 0;
                c.x = c.dy = NULL;
                c.out = NULL;
                c.alpha = NULL;
                c.dalpha = NULL;
                expect_status(&c, RELU_ERR_PARAM, "bad quant, n == 0");
                if (fn >= 12) {
                    /* PARAM before SIZE */
                    c.outer = SIZE_MAX / 2;
                    c.channels = 3;
                    c.inner = 1;
                    expect_status(&c, RELU_ERR_PARAM, "bad quant and size");
                }
            }
            /* valid extremes */
            reset_call(&c, fn);
            bad.scale = 1.4e-45f;
            bad.zero_point = -128;
            *quant_slot(&c, k) = &bad;
            expect_status(&c, RELU_OK, "tiny scale");
            bad.scale = FLT_MAX;
            bad.zero_point = 127;
            expect_status(&c, RELU_OK, "huge scale");
        }

        /* NULL: each pointer when there are elements; a NULL quant */
        reset_call(&c, fn);
        c.x = NULL;
        expect_status(&c, RELU_ERR_NULL, "NULL x");
        reset_call(&c, fn);
        c.out = NULL;
        expect_status(&c, RELU_ERR_NULL, "NULL output");
        if (fn >= 6 && fn != 12) {
            reset_call(&c, fn);
            c.dy = NULL;
            expect_status(&c, RELU_ERR_NULL, "NULL dy");
        }
        for (k = 0; k < nq; k++) {
            reset_call(&c, fn);
            *quant_slot(&c, k) = NULL;
            expect_status(&c, RELU_ERR_NULL, "NULL quant");
            /* NULL before OVERLAP */
            c.out = (int8_t *)e_x + 1;
            expect_status(&c, RELU_ERR_NULL, "NULL quant and overlap");
        }

        /* OVERLAP: partial overlaps of the output with each input */
        reset_call(&c, fn);
        c.out = e_x + 1;
        expect_status(&c, RELU_ERR_OVERLAP, "output = x + 1");
        reset_call(&c, fn);
        c.out = e_x + 39;
        expect_status(&c, RELU_ERR_OVERLAP, "output = x + 39");
        reset_call(&c, fn);
        c.n = 20;
        c.outer = 1; /* 1 x 4 x 5 = 20 */
        c.out = e_x + 20;
        c.dy = e_dy;
        expect_status(&c, RELU_OK, "output just after x");
        reset_call(&c, fn);
        c.x = e_out + 3;
        c.n = 20;
        c.outer = 1;
        c.channels = 4;
        c.inner = 5;
        expect_status(&c, RELU_ERR_OVERLAP, "x inside the output");
        if (fn >= 6 && fn != 12) {
            reset_call(&c, fn);
            c.dy = e_out + 1;
            expect_status(&c, RELU_ERR_OVERLAP, "dy = output + 1");
            reset_call(&c, fn);
            c.dy = e_out;
            c.x = e_x;
            expect_status(&c, RELU_OK, "dx == dy");
        }
        /* a relu_quant inside the output buffer */
        {
            union {
                relu_quant q[4];
                int8_t b[64];
            } u;
            reset_call(&c, fn);
            u.q[1] = e_q[0];
            u.q[2] = e_q[0];
            c.out = u.b;
            c.n = 40;
            *quant_slot(&c, 0) = &u.q[1];
            if (do_call(&c) != RELU_ERR_OVERLAP)
                fail_msg("fn %d: quant inside the output not OVERLAP", fn);
        }
        if (fn >= 12) {
            /* alpha overlapping the output */
            reset_call(&c, fn);
            c.alpha = (const float *)(void *)(e_out + 8);
            expect_status(&c, RELU_ERR_OVERLAP, "alpha inside the output");
            /* SIZE: outer*channels*inner overflows, before NULL */
            reset_call(&c, fn);
            c.outer = SIZE_MAX / 2;
            c.channels = 3;
            c.inner = 1;
            expect_status(&c, RELU_ERR_SIZE, "size overflow");
            c.x = NULL;
            c.out = NULL;
            c.q0 = NULL;
            expect_status(&c, RELU_ERR_SIZE, "size overflow and NULL");
            c.outer = (size_t)1 << (sizeof(size_t) * 4);
            c.channels = 1;
            c.inner = (size_t)1 << (sizeof(size_t) * 4);
            expect_status(&c, RELU_ERR_SIZE, "size overflow 2^64");
            /* empty box: alpha and quants may be NULL */
            reset_call(&c, fn);
            c.outer = 0;
            c.alpha = NULL;
            c.q0 = c.q1 = c.q2 = NULL;
            c.x = c.dy = NULL;
            c.out = NULL;
            assert_int_equal(do_call(&c), RELU_OK);
            reset_call(&c, fn);
            c.alpha = NULL;
            expect_status(&c, RELU_ERR_NULL, "NULL alpha");
        }
        if (fn == 13) {
            float fa[16];
            reset_call(&c, fn);
            c.dalpha = NULL;
            expect_status(&c, RELU_ERR_NULL, "NULL dalpha");
            c.outer = 0;
            c.x = c.dy = NULL;
            c.out = NULL;
            expect_status(&c, RELU_ERR_NULL, "NULL dalpha, outer == 0");
            c.channels = 0;
            expect_status(&c, RELU_OK, "NULL dalpha, no channels");
            /* dalpha overlapping alpha (even exactly), x, dy, dx */
            reset_call(&c, fn);
            memcpy(fa, e_alpha, sizeof e_alpha);
            c.alpha = fa;
            c.dalpha = fa;
            expect_status(&c, RELU_ERR_OVERLAP, "dalpha == alpha");
            c.dalpha = fa + 2;
            expect_status(&c, RELU_ERR_OVERLAP, "dalpha overlaps alpha");
            reset_call(&c, fn);
            c.dalpha = (float *)(void *)(e_x + 4);
            expect_status(&c, RELU_ERR_OVERLAP, "dalpha inside x");
            reset_call(&c, fn);
            c.dalpha = (float *)(void *)(e_dy + 4);
            expect_status(&c, RELU_ERR_OVERLAP, "dalpha inside dy");
            reset_call(&c, fn);
            c.dalpha = (float *)(void *)(e_out + 36);
            {
                relu_status st = do_call(&c);
                assert_int_equal(st, RELU_ERR_OVERLAP);
            }
            /* dalpha overlapping dx even when outer*inner == 0 is fine:
             * empty buffers overlap nothing */
            reset_call(&c, fn);
            c.inner = 0;
            c.dalpha = (float *)(void *)e_out;
            assert_int_equal(do_call(&c), RELU_OK);
        }
    }
}

/* ------------------------------------------------------------- threads */

static void test_threads(void **state)
{
    const size_t N = (size_t)3 << 20;
    int8_t *x = xmalloc(N), *dy = xmalloc(N), *out[3];
    float alpha[1024], *da[3];
    const relu_quant xq = {0.05f, 3}, yq = {0.03f, -5}, dyq = {0.2f, -1}, dxq = {0.1f, 2};
    static const prelu_case shapes[] = {
        {4, 3, 262144}, {49152, 64, 1}, {3072, 1024, 1}, {1, 3, 1048576}, {96, 512, 64},
    };
    static const int counts[3] = {1, 2, 4};
    const int saved = relu_get_num_threads();
    size_t vi, si, c;
    int t;
    (void)state;
    fill_random(x, N);
    fill_random(dy, N);
    for (t = 0; t < 3; t++) {
        out[t] = xmalloc(N);
        da[t] = xmalloc(1024 * sizeof(float));
    }
    for (c = 0; c < 1024; c++)
        alpha[c] = random_alpha(c);
    for (vi = 0; vi < NELEM(op_variants); vi++) {
        const variant *v = &op_variants[vi];
        for (t = 0; t < 3; t++) {
            assert_int_equal(relu_set_num_threads(counts[t]), RELU_OK);
            assert_int_equal(fwd(v, x, out[t], N, &xq, &yq), RELU_OK);
        }
        assert_memory_equal(out[0], out[1], N);
        assert_memory_equal(out[0], out[2], N);
        for (t = 0; t < 3; t++) {
            assert_int_equal(relu_set_num_threads(counts[t]), RELU_OK);
            assert_int_equal(bwd(v, x, dy, out[t], N, &xq, &dyq, &dxq), RELU_OK);
        }
        assert_memory_equal(out[0], out[1], N);
        assert_memory_equal(out[0], out[2], N);
    }
    for (si = 0; si < NELEM(shapes); si++) {
        const prelu_case *pc = &shapes[si];
        assert_true(pc->outer * pc->channels * pc->inner == N);
        for (t = 0; t < 3; t++) {
            assert_int_equal(relu_set_num_threads(counts[t]), RELU_OK);
            assert_int_equal(relu_prelu_forward_s8(x, out[t], alpha, pc->outer, pc->channels,
                                                   pc->inner, &xq, &yq),
                             RELU_OK);
        }
        assert_memory_equal(out[0], out[1], N);
        assert_memory_equal(out[0], out[2], N);
        for (t = 0; t < 3; t++) {
            assert_int_equal(relu_set_num_threads(counts[t]), RELU_OK);
            assert_int_equal(relu_prelu_backward_s8(x, dy, alpha, out[t], da[t], pc->outer,
                                                    pc->channels, pc->inner, &xq, &dyq, &dxq),
                             RELU_OK);
        }
        assert_memory_equal(out[0], out[1], N);
        assert_memory_equal(out[0], out[2], N);
        assert_memory_equal(da[0], da[1], pc->channels * sizeof(float));
        assert_memory_equal(da[0], da[2], pc->channels * sizeof(float));
        prelu_ref_check(x, dy, alpha, NULL, out[0], da[0], pc->outer, pc->channels,
                            pc->inner, &xq, &yq, &dyq, &dxq);
    }
    assert_int_equal(relu_set_num_threads(saved), RELU_OK);
    for (t = 0; t < 3; t++) {
        free(out[t]);
        free(da[t]);
    }
    free(x);
    free(dy);
}

/* -------------------------------------- caching, concurrency, environment */

/*
 * Cache keys: a base and keys that differ from it in one field each (op,
 * parameter, each scale, each zero point), more of them than a thread
 * caches. Expected results are computed after flushing the cache, so a key
 * that forgot a field would show up as a stale table.
 */
#define NKEYS 12

typedef struct tkey {
    variant v;
    relu_quant a, b, c; /* forward uses a, b; backward a, b, c */
} tkey;

static tkey key_of(int k)
{
    tkey t;
    t.v.name = "key";
    t.v.op = OP_ELU;
    t.v.p = 0.5f;
    t.a.scale = 0.05f;
    t.a.zero_point = -2;
    t.b.scale = 0.02f;
    t.b.zero_point = 3;
    t.c.scale = 0.015f;
    t.c.zero_point = -4;
    switch (k) {
    case 1: t.v.op = OP_LEAKY; break;
    case 2: t.v.p = 1.5f; break;
    case 3: t.a.scale *= 1.25f; break;
    case 4: t.a.zero_point = 5; break;
    case 5: t.b.scale *= 1.25f; break;
    case 6: t.b.zero_point = -3; break;
    case 7: t.c.scale *= 1.25f; break;
    case 8: t.c.zero_point = 7; break;
    case 9: t.v.op = OP_TANH; break;
    case 10: t.v.op = OP_CLIPPED; break;
    case 11: t.v.op = OP_SELU; t.v.p = 0.0f; break;
    default: break;
    }
    return t;
}

static void flush_cache(void)
{
    int8_t y[256];
    int j;
    for (j = 0; j < 9; j++) {
        const relu_quant q = {0.9f + (float)j * 0.01f, 1};
        const variant v = {"flush", OP_RELU, 0.0f};
        assert_int_equal(fwd(&v, all_x, y, 256, &q, &q), RELU_OK);
        assert_int_equal(bwd(&v, all_x, all_x, y, 256, &q, &q, &q), RELU_OK);
    }
}

static void run_key(int k, int8_t *fw, int8_t *bw, const int8_t *gx, const int8_t *gdy)
{
    const tkey t = key_of(k);
    assert_int_equal(fwd(&t.v, all_x, fw, 256, &t.a, &t.b), RELU_OK);
    assert_int_equal(bwd(&t.v, gx, gdy, bw, 65536, &t.a, &t.b, &t.c), RELU_OK);
}

typedef struct conc_arg {
    int8_t (*fw)[256];
    int8_t **bw;
    const int8_t *gx, *gdy;
    int seed, failures;
} conc_arg;

static void *conc_main(void *p)
{
    conc_arg *arg = (conc_arg *)p;
    int8_t y[256], *dx = malloc(65536);
    int it;
    if (dx == NULL) {
        arg->failures++;
        return NULL;
    }
    for (it = 0; it < 200; it++) {
        const int k = (it * 7 + arg->seed) % NKEYS;
        const tkey t = key_of(k);
        if (fwd(&t.v, all_x, y, 256, &t.a, &t.b) != RELU_OK || memcmp(y, arg->fw[k], 256) != 0)
            arg->failures++;
        if (it % 8 == 0 && (bwd(&t.v, arg->gx, arg->gdy, dx, 65536, &t.a, &t.b, &t.c) != RELU_OK ||
                            memcmp(dx, arg->bw[k], 65536) != 0))
            arg->failures++;
    }
    free(dx);
    return NULL;
}

static void test_cache_and_concurrency(void **state)
{
    int8_t fw[NKEYS][256], fw2[256], *bw[NKEYS], *bw2 = xmalloc(65536);
    int8_t *gx = xmalloc(65536), *gdy = xmalloc(65536);
    pthread_t th[4];
    conc_arg args[4];
    int k, round, i;
    (void)state;
    for (i = 0; i < 65536; i++) {
        gx[i] = (int8_t)(i >> 8);
        gdy[i] = (int8_t)i;
    }
    for (k = 0; k < NKEYS; k++) {
        bw[k] = xmalloc(65536);
        flush_cache();
        run_key(k, fw[k], bw[k], gx, gdy);
    }
    /* each one-field change must matter, or the test would prove nothing */
    for (k = 1; k <= 8; k++) {
        if (k <= 6 && memcmp(fw[k], fw[0], 256) == 0)
            fail_msg("key %d: the forward table does not depend on the field", k);
        if (memcmp(bw[k], bw[0], 65536) == 0)
            fail_msg("key %d: the backward table does not depend on the field", k);
    }
    /* back to back, in several orders, without flushing */
    for (round = 0; round < 4; round++)
        for (i = 0; i < NKEYS; i++) {
            k = round == 0 ? i : round == 1 ? NKEYS - 1 - i : round == 2 ? (i * 5) % NKEYS : i / 2;
            run_key(k, fw2, bw2, gx, gdy);
            if (memcmp(fw2, fw[k], 256) != 0 || memcmp(bw2, bw[k], 65536) != 0)
                fail_msg("key %d (round %d): a cached table was stale", k, round);
        }
    for (i = 0; i < 4; i++) {
        args[i].fw = fw;
        args[i].bw = bw;
        args[i].gx = gx;
        args[i].gdy = gdy;
        args[i].seed = i * 5;
        args[i].failures = 0;
        assert_int_equal(pthread_create(&th[i], NULL, conc_main, &args[i]), 0);
    }
    for (i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(args[i].failures, 0);
    }
    for (k = 0; k < NKEYS; k++)
        free(bw[k]);
    free(bw2);
    free(gx);
    free(gdy);
}

/* The caller's rounding mode and flags neither change results nor get
 * changed: tables and dalpha are computed in the library's environment. */
static void test_fp_environment(void **state)
{
#if defined(S8T_HAVE_FENV)
    static const int modes[] = {FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO};
    int8_t want_f[256], got_f[256], *x = xmalloc(65536), *dy = xmalloc(65536);
    int8_t *want_b = xmalloc(65536), *got_b = xmalloc(65536);
    int8_t *want_p = xmalloc(65536), *got_p = xmalloc(65536);
    float alpha[256], want_da[256], got_da[256];
    size_t m, vi, i;
    (void)state;
    for (i = 0; i < 65536; i++) {
        x[i] = (int8_t)(i >> 8);
        dy[i] = (int8_t)(i * 7);
    }
    for (i = 0; i < 256; i++)
        alpha[i] = 0.3f + (float)i / 7.0f;
    for (vi = 0; vi < NELEM(op_variants); vi++) {
        const variant *v = &op_variants[vi];
        for (m = 0; m < NELEM(modes); m++) {
            const relu_quant xq = {0.0371f + (float)(m * 8 + vi) * 1e-4f, 1};
            const relu_quant yq = {0.0173f, -2}, dq = {0.11f, 0};
            int j, flags, mode;
            relu_status st[4];
            assert_int_equal(fwd(v, all_x, want_f, 256, &xq, &yq), RELU_OK);
            assert_int_equal(bwd(v, x, dy, want_b, 65536, &xq, &dq, &yq), RELU_OK);
            assert_int_equal(relu_prelu_forward_s8(x, want_p, alpha, 1, 256, 256, &xq, &yq),
                             RELU_OK);
            assert_int_equal(relu_prelu_backward_s8(x, dy, alpha, want_p, want_da, 1, 256, 256,
                                                    &xq, &dq, &yq),
                             RELU_OK);
            /* push the tables out of this thread's cache */
            for (j = 0; j < 8; j++) {
                const relu_quant other = {0.9f + (float)j * 0.01f, 0};
                assert_int_equal(fwd(v, all_x, got_f, 256, &other, &yq), RELU_OK);
                assert_int_equal(bwd(v, all_x, all_x, got_f, 256, &other, &dq, &yq), RELU_OK);
            }
            assert_int_equal(fesetround(modes[m]), 0);
            feclearexcept(FE_ALL_EXCEPT);
            st[0] = fwd(v, all_x, got_f, 256, &xq, &yq);
            st[1] = bwd(v, x, dy, got_b, 65536, &xq, &dq, &yq);
            st[2] = relu_prelu_forward_s8(x, got_p, alpha, 1, 256, 256, &xq, &yq);
            st[3] = relu_prelu_backward_s8(x, dy, alpha, got_p, got_da, 1, 256, 256, &xq, &dq, &yq);
            flags = fetestexcept(FE_ALL_EXCEPT);
            mode = fegetround();
            fesetround(FE_TONEAREST);
            for (j = 0; j < 4; j++)
                assert_int_equal(st[j], RELU_OK);
            assert_int_equal(flags, 0);
            assert_int_equal(mode, modes[m]);
            assert_memory_equal(got_f, want_f, 256);
            assert_memory_equal(got_b, want_b, 65536);
            assert_memory_equal(got_p, want_p, 65536);
            assert_memory_equal(got_da, want_da, sizeof want_da);
        }
    }
    free(x);
    free(dy);
    free(want_b);
    free(got_b);
    free(want_p);
    free(got_p);
#else
    (void)state;
    skip();
#endif
}

#if defined(S8T_HAVE_FENV) && defined(__x86_64__)
#include <xmmintrin.h>
#define S8T_CSR_FTZ_DAZ 0x8040u
#endif

#if defined(S8T_HAVE_FENV)
/* The caller's floating-point state a call must leave as found. */
typedef struct s8t_fpstate {
    int flags, mode;
    unsigned csr; /* MXCSR where the tests set FTZ/DAZ, else 0 */
} s8t_fpstate;

/* Installs a caller's environment: rounding mode `mode`, FTZ/DAZ where the
 * CPU has them and `ftz_daz` asks, the flags clear or (`pre`) raised. */
static s8t_fpstate s8t_env_enter(int mode, int ftz_daz, int pre)
{
    s8t_fpstate st;
    assert_int_equal(fesetround(mode), 0);
#if defined(S8T_CSR_FTZ_DAZ)
    if (ftz_daz)
        _mm_setcsr(_mm_getcsr() | S8T_CSR_FTZ_DAZ);
#else
    (void)ftz_daz;
#endif
    feclearexcept(FE_ALL_EXCEPT);
    if (pre)
        feraiseexcept(FE_INEXACT | FE_UNDERFLOW);
    st.flags = fetestexcept(FE_ALL_EXCEPT);
    st.mode = mode;
    st.csr = 0;
#if defined(S8T_CSR_FTZ_DAZ)
    st.csr = _mm_getcsr();
#endif
    return st;
}

/* The state a call left, then the default environment back. */
static s8t_fpstate s8t_env_leave(void)
{
    s8t_fpstate st;
    st.flags = fetestexcept(FE_ALL_EXCEPT);
    st.mode = fegetround();
    st.csr = 0;
#if defined(S8T_CSR_FTZ_DAZ)
    st.csr = _mm_getcsr();
    _mm_setcsr(st.csr & ~S8T_CSR_FTZ_DAZ);
#endif
    fesetround(FE_TONEAREST);
    feclearexcept(FE_ALL_EXCEPT);
    return st;
}
#endif

/* Short backward calls under every rounding mode, FTZ/DAZ where the CPU has
 * them, with the caller's flags clear or raised, on every tier: the same
 * bytes as in the default environment and the caller's state untouched,
 * whether a kernel sets the environment or needs none. The quantizations
 * include factors below 2^-126 (subnormal floats), where DAZ/FTZ act. */
static void test_fp_environment_short(void **state)
{
#if defined(S8T_HAVE_FENV)
    enum { ENVS = 5, LEN = 1500 };
    static const int modes[ENVS] = {FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO, FE_TONEAREST,
                                    FE_UPWARD};
    static const size_t lens[] = {16, 64, 200, 1100, LEN};
    const relu_quant qs[][3] = {
        {{0.0371f, 1}, {0.11f, -3}, {0.0173f, 2}},
        {{0.05f, -20}, {0x1p-100f, 5}, {0x1p20f, -1}}, /* factors 2^-120 and below */
        {{0.0625f, 0}, {1e-20f, 0}, {1e20f, 0}},       /* ratio 1e-40: subnormal */
    };
    relu_isa isas[4];
    const int ni = isa_list(isas);
    int8_t x[LEN], dy[LEN], want[LEN], got[LEN];
    size_t vi, qi, li;
    int ii, e, pre, j;
    (void)state;
    for (j = 0; j < LEN; j++) {
        x[j] = (int8_t)(j * 37);
        dy[j] = (int8_t)(j * 11 + 3);
    }
    for (ii = 0; ii < ni; ii++) {
        use_isa(isas[ii]);
        for (vi = 0; vi < NELEM(variants); vi++)
            for (qi = 0; qi < NELEM(qs); qi++)
                for (li = 0; li < NELEM(lens); li++) {
                    const variant *v = &variants[vi];
                    const size_t n = lens[li];
                    assert_int_equal(bwd(v, x, dy, want, n, &qs[qi][0], &qs[qi][1], &qs[qi][2]),
                                     RELU_OK);
                    for (e = 0; e < ENVS; e++)
                        for (pre = 0; pre < 2; pre++) {
                            s8t_fpstate before, after;
                            relu_status st;
                            if (pre) /* a table built inside the caller's environment too */
                                for (j = 0; j < 5; j++) {
                                    const relu_quant other = {0.5f + (float)j, 0};
                                    assert_int_equal(bwd(v, x, dy, got, 16, &other, &qs[qi][1],
                                                         &qs[qi][2]),
                                                     RELU_OK);
                                }
                            before = s8t_env_enter(modes[e], e >= 3, pre);
                            memset(got, 0x5A, sizeof got);
                            st = bwd(v, x, dy, got, n, &qs[qi][0], &qs[qi][1], &qs[qi][2]);
                            after = s8t_env_leave();
                            if (st != RELU_OK || after.flags != before.flags ||
                                after.mode != before.mode || after.csr != before.csr ||
                                memcmp(got, want, n) != 0)
                                fail_msg("%s bwd %s quant %zu n=%zu env %d pre %d: status %d, "
                                         "flags %#x -> %#x, mode %d, csr %#x -> %#x, bytes %s",
                                         relu_isa_name(isas[ii]), v->name, qi, n, e, pre, (int)st,
                                         before.flags, after.flags, after.mode, before.csr,
                                         after.csr, memcmp(got, want, n) ? "differ" : "same");
                        }
                }
    }
    use_isa(isas[ni - 1]);
#else
    (void)state;
    skip();
#endif
}

/* Small PReLU calls (the whole-call short path where a tier has one) under
 * every rounding mode, FTZ/DAZ where the CPU has them, with the caller's
 * flags clear or raised, on every tier: the bytes and dalpha bits of the
 * default environment and the caller's state untouched. The quantizations
 * and alphas reach subnormal factors, products and dalpha, a subnormal scale
 * or alpha (declined by the short path), a signaling NaN alpha and dalpha
 * past FLT_MAX. */
static void test_fp_environment_prelu_small(void **state)
{
#if defined(S8T_HAVE_FENV)
    enum { ENVS = 5, C = 8 };
    static const int modes[ENVS] = {FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO, FE_TONEAREST,
                                    FE_UPWARD};
    static const prelu_case shapes[] = {{1, 4, 4, 0}, {2, 3, 5, 0}, {1, 8, 8, 0}, {8, 8, 1, 0},
                                        {1, 1, 1, 0}, {3, 7, 3, 0}, {1, 5, 13, 0}}; /* 65 */
    const relu_quant qs[][4] = {
        {{0.0625f, 0}, {0.0625f, 0}, {0.015625f, 0}, {0.015625f, 0}},
        {{0.0371f, 1}, {0.0173f, 2}, {0.11f, -3}, {0.0173f, 2}},
        {{0x1p-70f, 7}, {0x1p-60f, -5}, {0x1p-70f, 2}, {0x1p40f, -3}},
        {{0.05f, -20}, {3e-39f, 4}, {0x1p-100f, 5}, {0x1p20f, -1}},
        {{3.4028235e38f, -7}, {0x1p-20f, 0}, {1e30f, 9}, {1e-30f, 0}},
    };
    float alphas[2][C];
    relu_isa isas[4];
    const int ni = isa_list(isas);
    int8_t x[65], dy[65], want_y[65], want_dx[65], got_y[65], got_dx[65];
    float want_da[C], got_da[C];
    size_t si, qi, ai;
    int ii, e, pre, j;
    uint32_t snan_bits = 0x7FA00000u;
    (void)state;
    for (j = 0; j < 65; j++) {
        x[j] = (int8_t)(j * 37 + 5);
        dy[j] = (int8_t)(j * 11 - 60);
    }
    for (j = 0; j < C; j++)
        alphas[0][j] = (float)(j - 3) * 0.37f;
    memcpy(&alphas[1][0], &snan_bits, sizeof(float));
    alphas[1][1] = NAN;
    alphas[1][2] = -INFINITY;
    alphas[1][3] = 0x1p-140f; /* subnormal */
    alphas[1][4] = 1e-30f;
    alphas[1][5] = -3e38f;
    alphas[1][6] = -0.0f;
    alphas[1][7] = 0.25f;
    for (ii = 0; ii < ni; ii++) {
        use_isa(isas[ii]);
        for (si = 0; si < NELEM(shapes); si++)
            for (qi = 0; qi < NELEM(qs); qi++)
                for (ai = 0; ai < 2; ai++) {
                    const prelu_case *pc = &shapes[si];
                    const relu_quant *q = qs[qi];
                    const float *alpha = alphas[ai];
                    const size_t n = pc->outer * pc->channels * pc->inner;
                    assert_int_equal(relu_prelu_forward_s8(x, want_y, alpha, pc->outer,
                                                           pc->channels, pc->inner, &q[0], &q[1]),
                                     RELU_OK);
                    assert_int_equal(relu_prelu_backward_s8(x, dy, alpha, want_dx, want_da,
                                                            pc->outer, pc->channels, pc->inner,
                                                            &q[0], &q[2], &q[3]),
                                     RELU_OK);
                    for (e = 0; e < ENVS; e++)
                        for (pre = 0; pre < 2; pre++) {
                            s8t_fpstate before, after;
                            relu_status st[2];
                            before = s8t_env_enter(modes[e], e >= 3, pre);
                            memset(got_y, 0x5A, sizeof got_y);
                            memset(got_dx, 0x5A, sizeof got_dx);
                            st[0] = relu_prelu_forward_s8(x, got_y, alpha, pc->outer,
                                                          pc->channels, pc->inner, &q[0], &q[1]);
                            st[1] = relu_prelu_backward_s8(x, dy, alpha, got_dx, got_da,
                                                           pc->outer, pc->channels, pc->inner,
                                                           &q[0], &q[2], &q[3]);
                            after = s8t_env_leave();
                            if (st[0] != RELU_OK || st[1] != RELU_OK ||
                                after.flags != before.flags || after.mode != before.mode ||
                                after.csr != before.csr || memcmp(got_y, want_y, n) != 0 ||
                                memcmp(got_dx, want_dx, n) != 0 ||
                                memcmp(got_da, want_da, pc->channels * sizeof(float)) != 0)
                                fail_msg("%s prelu (%zu,%zu,%zu) quant %zu alphas %zu env %d "
                                         "pre %d: status %d %d, flags %#x -> %#x, mode %d, csr "
                                         "%#x -> %#x, y %s, dx %s, dalpha %s",
                                         relu_isa_name(isas[ii]), pc->outer, pc->channels,
                                         pc->inner, qi, ai, e, pre, (int)st[0], (int)st[1],
                                         before.flags, after.flags, after.mode, before.csr,
                                         after.csr, memcmp(got_y, want_y, n) ? "differ" : "same",
                                         memcmp(got_dx, want_dx, n) ? "differ" : "same",
                                         memcmp(got_da, want_da, pc->channels * sizeof(float))
                                             ? "differ"
                                             : "same");
                        }
                }
    }
    use_isa(isas[ni - 1]);
#else
    (void)state;
    skip();
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forward_exhaustive),
        cmocka_unit_test(test_backward_exhaustive),
        cmocka_unit_test(test_lengths_inplace),
        cmocka_unit_test(test_lookup_shapes),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_prelu_shapes),
        cmocka_unit_test(test_prelu_small),
        cmocka_unit_test(test_prelu_channels_last),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_cache_and_concurrency),
        cmocka_unit_test(test_fp_environment),
        cmocka_unit_test(test_fp_environment_short),
        cmocka_unit_test(test_fp_environment_prelu_small),
    };
    init_all_x();
    return cmocka_run_group_tests_name("s8", tests, NULL, NULL);
}
