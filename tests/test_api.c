/*
 * Everything that is not numeric, through the public API only: every error
 * code of every function (PARAM, SIZE, NULL, OVERLAP and their precedence),
 * outputs untouched on error, n == 0, status/version/ISA strings, ISA
 * selection, thread-count setting, and the floating-point environment
 * (rounding mode, FTZ/DAZ, exception flags untouched; results independent of
 * the caller's environment).
 */
#define _GNU_SOURCE 1
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fenv.h>
#include <limits.h>

#include "test_util.h"

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#define HAVE_MXCSR 1
#endif

static relu_isa g_initial_isa;
static long g_printed;
static void report(const char *fmt, ...)
{
    va_list ap;
    if (g_printed++ >= 80) return;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------ function table */

typedef struct args {
    const void *a, *b;  /* x (or y), dy */
    void *out;          /* y or dx */
    const void *alpha;  /* prelu */
    void *dalpha;       /* prelu backward */
    size_t n, outer, channels, inner;
    double p;
    const relu_quant *q[3];
} args;

enum { SH_FWD, SH_BWD, SH_PFWD, SH_PBWD };
enum { PT_NONE, PT_FINITE, PT_POSITIVE, PT_NONNEG };
enum { SLOT_A, SLOT_B, SLOT_OUT, SLOT_ALPHA, SLOT_DALPHA, NSLOTS };

typedef struct fdesc {
    const char *name;
    relu_status (*fn)(const args *);
    size_t esz;   /* element size of x/dy/y/dx */
    size_t asz;   /* element size of alpha/dalpha */
    int shape, ptype, nq;
} fdesc;

#define WF(name, T) \
    static relu_status w_##name(const args *g) { return name((const T *)g->a, (T *)g->out, g->n); }
#define WFP(name, T) \
    static relu_status w_##name(const args *g) { return name((const T *)g->a, (T *)g->out, g->n, (T)g->p); }
#define WB(name, T) \
    static relu_status w_##name(const args *g) { return name((const T *)g->a, (const T *)g->b, (T *)g->out, g->n); }
#define WBP(name, T)                                                                          \
    static relu_status w_##name(const args *g)                                                \
    {                                                                                         \
        return name((const T *)g->a, (const T *)g->b, (T *)g->out, g->n, (T)g->p);            \
    }
#define WPF(name, T)                                                                          \
    static relu_status w_##name(const args *g)                                                \
    {                                                                                         \
        return name((const T *)g->a, (T *)g->out, (const T *)g->alpha, g->outer, g->channels, \
                    g->inner);                                                                \
    }
#define WPB(name, T)                                                                          \
    static relu_status w_##name(const args *g)                                                \
    {                                                                                         \
        return name((const T *)g->a, (const T *)g->b, (const T *)g->alpha, (T *)g->out,      \
                    (T *)g->dalpha, g->outer, g->channels, g->inner);                         \
    }
#define WF8(name) \
    static relu_status w_##name(const args *g) { return name((const int8_t *)g->a, (int8_t *)g->out, g->n, g->q[0], g->q[1]); }
#define WFP8(name)                                                                            \
    static relu_status w_##name(const args *g)                                                \
    {                                                                                         \
        return name((const int8_t *)g->a, (int8_t *)g->out, g->n, (float)g->p, g->q[0], g->q[1]); \
    }
#define WB8(name)                                                                             \
    static relu_status w_##name(const args *g)                                                \
    {                                                                                         \
        return name((const int8_t *)g->a, (const int8_t *)g->b, (int8_t *)g->out, g->n, g->q[0], \
                    g->q[1], g->q[2]);                                                        \
    }
#define WBP8(name)                                                                            \
    static relu_status w_##name(const args *g)                                                \
    {                                                                                         \
        return name((const int8_t *)g->a, (const int8_t *)g->b, (int8_t *)g->out, g->n,       \
                    (float)g->p, g->q[0], g->q[1], g->q[2]);                                  \
    }

#define FLOAT_WRAPPERS(S, T)                                                                  \
    WF(relu_forward_##S, T) WFP(relu_leaky_forward_##S, T) WPF(relu_prelu_forward_##S, T)     \
    WFP(relu_elu_forward_##S, T) WF(relu_selu_forward_##S, T) WFP(relu_clipped_forward_##S, T) \
    WF(relu_tanh_forward_##S, T)                                                              \
    WB(relu_backward_##S, T) WBP(relu_leaky_backward_##S, T) WPB(relu_prelu_backward_##S, T)  \
    WBP(relu_elu_backward_##S, T) WB(relu_selu_backward_##S, T)                               \
    WBP(relu_clipped_backward_##S, T) WB(relu_tanh_backward_##S, T)                           \
    WB(relu_backward_from_output_##S, T) WBP(relu_leaky_backward_from_output_##S, T)          \
    WBP(relu_elu_backward_from_output_##S, T) WB(relu_selu_backward_from_output_##S, T)       \
    WBP(relu_clipped_backward_from_output_##S, T) WB(relu_tanh_backward_from_output_##S, T)

FLOAT_WRAPPERS(f32, float)
FLOAT_WRAPPERS(f64, double)

WF8(relu_forward_s8) WFP8(relu_leaky_forward_s8) WFP8(relu_elu_forward_s8)
WF8(relu_selu_forward_s8) WFP8(relu_clipped_forward_s8) WF8(relu_tanh_forward_s8)
WB8(relu_backward_s8) WBP8(relu_leaky_backward_s8) WBP8(relu_elu_backward_s8)
WB8(relu_selu_backward_s8) WBP8(relu_clipped_backward_s8) WB8(relu_tanh_backward_s8)

static relu_status w_relu_prelu_forward_s8(const args *g)
{
    return relu_prelu_forward_s8((const int8_t *)g->a, (int8_t *)g->out, (const float *)g->alpha,
                                 g->outer, g->channels, g->inner, g->q[0], g->q[1]);
}
static relu_status w_relu_prelu_backward_s8(const args *g)
{
    return relu_prelu_backward_s8((const int8_t *)g->a, (const int8_t *)g->b, (const float *)g->alpha,
                                  (int8_t *)g->out, (float *)g->dalpha, g->outer, g->channels,
                                  g->inner, g->q[0], g->q[1], g->q[2]);
}

#define FD(name, esz, asz, sh, pt, nq) {#name, w_##name, esz, asz, sh, pt, nq}
#define FLOAT_TABLE(S, T)                                                                      \
    FD(relu_forward_##S, sizeof(T), 0, SH_FWD, PT_NONE, 0),                                    \
    FD(relu_leaky_forward_##S, sizeof(T), 0, SH_FWD, PT_FINITE, 0),                            \
    FD(relu_prelu_forward_##S, sizeof(T), sizeof(T), SH_PFWD, PT_NONE, 0),                     \
    FD(relu_elu_forward_##S, sizeof(T), 0, SH_FWD, PT_NONNEG, 0),                              \
    FD(relu_selu_forward_##S, sizeof(T), 0, SH_FWD, PT_NONE, 0),                               \
    FD(relu_clipped_forward_##S, sizeof(T), 0, SH_FWD, PT_POSITIVE, 0),                        \
    FD(relu_tanh_forward_##S, sizeof(T), 0, SH_FWD, PT_NONE, 0),                               \
    FD(relu_backward_##S, sizeof(T), 0, SH_BWD, PT_NONE, 0),                                   \
    FD(relu_leaky_backward_##S, sizeof(T), 0, SH_BWD, PT_FINITE, 0),                           \
    FD(relu_prelu_backward_##S, sizeof(T), sizeof(T), SH_PBWD, PT_NONE, 0),                    \
    FD(relu_elu_backward_##S, sizeof(T), 0, SH_BWD, PT_NONNEG, 0),                             \
    FD(relu_selu_backward_##S, sizeof(T), 0, SH_BWD, PT_NONE, 0),                              \
    FD(relu_clipped_backward_##S, sizeof(T), 0, SH_BWD, PT_POSITIVE, 0),                       \
    FD(relu_tanh_backward_##S, sizeof(T), 0, SH_BWD, PT_NONE, 0),                              \
    FD(relu_backward_from_output_##S, sizeof(T), 0, SH_BWD, PT_NONE, 0),                       \
    FD(relu_leaky_backward_from_output_##S, sizeof(T), 0, SH_BWD, PT_POSITIVE, 0),             \
    FD(relu_elu_backward_from_output_##S, sizeof(T), 0, SH_BWD, PT_NONNEG, 0),                 \
    FD(relu_selu_backward_from_output_##S, sizeof(T), 0, SH_BWD, PT_NONE, 0),                  \
    FD(relu_clipped_backward_from_output_##S, sizeof(T), 0, SH_BWD, PT_POSITIVE, 0),           \
    FD(relu_tanh_backward_from_output_##S, sizeof(T), 0, SH_BWD, PT_NONE, 0)

static const fdesc g_funcs[] = {
    FLOAT_TABLE(f32, float),
    FLOAT_TABLE(f64, double),
    FD(relu_forward_s8, 1, 0, SH_FWD, PT_NONE, 2),
    FD(relu_leaky_forward_s8, 1, 0, SH_FWD, PT_FINITE, 2),
    FD(relu_prelu_forward_s8, 1, sizeof(float), SH_PFWD, PT_NONE, 2),
    FD(relu_elu_forward_s8, 1, 0, SH_FWD, PT_NONNEG, 2),
    FD(relu_selu_forward_s8, 1, 0, SH_FWD, PT_NONE, 2),
    FD(relu_clipped_forward_s8, 1, 0, SH_FWD, PT_POSITIVE, 2),
    FD(relu_tanh_forward_s8, 1, 0, SH_FWD, PT_NONE, 2),
    FD(relu_backward_s8, 1, 0, SH_BWD, PT_NONE, 3),
    FD(relu_leaky_backward_s8, 1, 0, SH_BWD, PT_FINITE, 3),
    FD(relu_prelu_backward_s8, 1, sizeof(float), SH_PBWD, PT_NONE, 3),
    FD(relu_elu_backward_s8, 1, 0, SH_BWD, PT_NONNEG, 3),
    FD(relu_selu_backward_s8, 1, 0, SH_BWD, PT_NONE, 3),
    FD(relu_clipped_backward_s8, 1, 0, SH_BWD, PT_POSITIVE, 3),
    FD(relu_tanh_backward_s8, 1, 0, SH_BWD, PT_NONE, 3),
};
#define NFUNCS TU_ARRAY_LEN(g_funcs)

static int has_slot(const fdesc *f, int s)
{
    switch (s) {
    case SLOT_A: case SLOT_OUT: return 1;
    case SLOT_B: return f->shape == SH_BWD || f->shape == SH_PBWD;
    case SLOT_ALPHA: return f->shape == SH_PFWD || f->shape == SH_PBWD;
    case SLOT_DALPHA: return f->shape == SH_PBWD;
    }
    return 0;
}
static int is_output(int s) { return s == SLOT_OUT || s == SLOT_DALPHA; }
static int is_prelu(const fdesc *f) { return f->shape == SH_PFWD || f->shape == SH_PBWD; }
static const char *const slot_names[NSLOTS] = {"x", "dy", "out", "alpha", "dalpha"};

/* --------------------------------------------------------------- a call */

/* Standard work: n = 24 elements (PReLU: outer 2, channels 3, inner 4). */
#define STD_N 24
#define STD_C 3
#define ARENA 8192
#define SLOT_SPACING 1024

typedef struct call {
    const fdesc *f;
    unsigned char *arena;
    unsigned char *ptr[NSLOTS];
    size_t n, outer, channels, inner;
    double p;
    relu_quant qv[3];
    const relu_quant *q[3];
} call;

static unsigned char g_arena_mem[ARENA + 128];
static unsigned char g_snapshot[ARENA + 128];

static double valid_param(const fdesc *f)
{
    switch (f->ptype) {
    case PT_FINITE: return 0.1;
    case PT_NONNEG: return 1.0;
    case PT_POSITIVE: return 6.0;
    }
    return 0;
}

static void call_init(call *c, const fdesc *f)
{
    int s, i;
    memset(c, 0, sizeof *c);
    c->f = f;
    c->arena = (unsigned char *)(((uintptr_t)g_arena_mem + 63) & ~(uintptr_t)63);
    for (i = 0; i < ARENA; i++) c->arena[i] = (unsigned char)(i * 37 + 11);
    /* valid, finite-ish data in every slot: int8 patterns and small floats */
    for (s = 0; s < NSLOTS; s++) {
        c->ptr[s] = has_slot(f, s) ? c->arena + 256 + (size_t)s * SLOT_SPACING : NULL;
        if (c->ptr[s] && !is_output(s)) {
            size_t k, cnt = s == SLOT_ALPHA ? STD_C : STD_N, esz = s == SLOT_ALPHA ? f->asz : f->esz;
            for (k = 0; k < cnt; k++) {
                unsigned char *p = c->ptr[s] + k * esz;
                if (esz == 1) *(int8_t *)p = (int8_t)(k * 13 - 100);
                else if (esz == 4) { float v = (float)k * 0.25f - 2.0f; memcpy(p, &v, 4); }
                else { double v = (double)k * 0.25 - 2.0; memcpy(p, &v, 8); }
            }
        }
    }
    c->n = STD_N;
    c->outer = 2;
    c->channels = STD_C;
    c->inner = 4;
    c->p = valid_param(f);
    for (i = 0; i < 3; i++) {
        c->qv[i].scale = 0.05f + 0.01f * (float)i;
        c->qv[i].zero_point = i - 1;
        c->q[i] = i < f->nq ? &c->qv[i] : NULL;
    }
}

static relu_status call_run(call *c)
{
    args g;
    memset(&g, 0, sizeof g);
    g.a = c->ptr[SLOT_A];
    g.b = c->ptr[SLOT_B];
    g.out = c->ptr[SLOT_OUT];
    g.alpha = c->ptr[SLOT_ALPHA];
    g.dalpha = c->ptr[SLOT_DALPHA];
    g.n = c->n;
    g.outer = c->outer;
    g.channels = c->channels;
    g.inner = c->inner;
    g.p = c->p;
    g.q[0] = c->q[0];
    g.q[1] = c->q[1];
    g.q[2] = c->q[2];
    return c->f->fn(&g);
}

/* Elements of work: n, or outer*channels*inner. */
static void call_set_count(call *c, size_t n)
{
    c->n = n;
    if (is_prelu(c->f)) {
        c->outer = n;
        c->channels = n ? STD_C : 0;
        c->inner = 1;
    }
}

/* Runs and expects `want`; on any error the arena must be untouched. */
static int expect(call *c, relu_status want, const char *what)
{
    relu_status got;
    memcpy(g_snapshot, c->arena, ARENA);
    got = call_run(c);
    if (got != want) {
        report("%s: %s: got status %d (%s), expected %d\n", c->f->name, what, (int)got,
               relu_status_string(got), (int)want);
        return 1;
    }
    if (want != RELU_OK && memcmp(g_snapshot, c->arena, ARENA) != 0) {
        report("%s: %s: returned %d but wrote to memory\n", c->f->name, what, (int)got);
        return 1;
    }
    return 0;
}

/* --------------------------------------------------------------- PARAM */

static size_t invalid_params(int ptype, double *out)
{
    size_t k = 0;
    if (ptype == PT_NONE) return 0;
    out[k++] = NAN;
    out[k++] = -NAN;
    out[k++] = INFINITY;
    out[k++] = -INFINITY;
    if (ptype == PT_NONNEG) { out[k++] = -1; out[k++] = -1e-30; out[k++] = -(double)0x1p-149f; }
    if (ptype == PT_POSITIVE) { out[k++] = 0.0; out[k++] = -0.0; out[k++] = -1; }
    return k;
}
static size_t valid_params(int ptype, double *out)
{
    size_t k = 0;
    out[k++] = (double)FLT_MAX;
    out[k++] = (double)0x1p-149f;
    out[k++] = 1e30;
    if (ptype == PT_FINITE) { out[k++] = 0.0; out[k++] = -0.0; out[k++] = -1; out[k++] = -(double)FLT_MAX; }
    if (ptype == PT_NONNEG) { out[k++] = 0.0; out[k++] = -0.0; }
    return k;
}

static void test_param_errors(void **state)
{
    size_t fi, k;
    long fails = 0;
    (void)state;
    for (fi = 0; fi < NFUNCS; fi++) {
        const fdesc *f = &g_funcs[fi];
        double bad[16], good[16];
        size_t nb = invalid_params(f->ptype, bad), ng = valid_params(f->ptype, good);
        call c;
        for (k = 0; k < nb; k++) {
            char what[96];
            int s;
            snprintf(what, sizeof what, "param %g with valid buffers", bad[k]);
            call_init(&c, f);
            c.p = bad[k];
            fails += expect(&c, RELU_ERR_PARAM, what);
            snprintf(what, sizeof what, "param %g, n == 0, NULL pointers", bad[k]);
            call_init(&c, f);
            c.p = bad[k];
            call_set_count(&c, 0);
            for (s = 0; s < NSLOTS; s++) c.ptr[s] = NULL;
            for (s = 0; s < 3; s++) c.q[s] = NULL;
            fails += expect(&c, RELU_ERR_PARAM, what);
            snprintf(what, sizeof what, "param %g, n == 0, valid pointers", bad[k]);
            call_init(&c, f);
            c.p = bad[k];
            call_set_count(&c, 0);
            fails += expect(&c, RELU_ERR_PARAM, what);
            /* precedence: PARAM before SIZE, NULL, OVERLAP */
            snprintf(what, sizeof what, "param %g with NULL x (PARAM > NULL)", bad[k]);
            call_init(&c, f);
            c.p = bad[k];
            c.ptr[SLOT_A] = NULL;
            fails += expect(&c, RELU_ERR_PARAM, what);
            snprintf(what, sizeof what, "param %g with overlap (PARAM > OVERLAP)", bad[k]);
            call_init(&c, f);
            c.p = bad[k];
            c.ptr[SLOT_OUT] = c.ptr[SLOT_A] + f->esz;
            fails += expect(&c, RELU_ERR_PARAM, what);
            if (f->esz > 1 && !is_prelu(f)) {
                snprintf(what, sizeof what, "param %g, n = SIZE_MAX/2, NULL (PARAM > SIZE)", bad[k]);
                call_init(&c, f);
                c.p = bad[k];
                c.n = SIZE_MAX / 2;
                c.ptr[SLOT_A] = NULL;
                fails += expect(&c, RELU_ERR_PARAM, what);
            }
        }
        for (k = 0; k < ng; k++) {
            char what[96];
            snprintf(what, sizeof what, "valid param %g", good[k]);
            call_init(&c, f);
            c.p = good[k];
            fails += expect(&c, RELU_OK, what);
        }
    }
    assert_int_equal(fails, 0);
}

static void test_quant_errors(void **state)
{
    static const struct { float scale; int32_t zp; } bad[] = {
        {0.0f, 0}, {-0.0f, 0}, {-1.0f, 0}, {NAN, 0}, {INFINITY, 0}, {-INFINITY, 0},
        {1.0f, -129}, {1.0f, 128}, {1.0f, INT32_MIN}, {1.0f, INT32_MAX},
    };
    size_t fi, k;
    int qi;
    long fails = 0;
    (void)state;
    for (fi = 0; fi < NFUNCS; fi++) {
        const fdesc *f = &g_funcs[fi];
        call c;
        for (qi = 0; qi < f->nq; qi++) {
            char what[128];
            for (k = 0; k < TU_ARRAY_LEN(bad); k++) {
                int s;
                snprintf(what, sizeof what, "quant %d = {%g, %d}", qi, (double)bad[k].scale, (int)bad[k].zp);
                call_init(&c, f);
                c.qv[qi].scale = bad[k].scale;
                c.qv[qi].zero_point = bad[k].zp;
                fails += expect(&c, RELU_ERR_PARAM, what);
                snprintf(what, sizeof what, "quant %d = {%g, %d}, n == 0, NULL buffers", qi,
                         (double)bad[k].scale, (int)bad[k].zp);
                call_set_count(&c, 0);
                for (s = 0; s < NSLOTS; s++) c.ptr[s] = NULL;
                fails += expect(&c, RELU_ERR_PARAM, what);
                snprintf(what, sizeof what, "quant %d invalid, other quant NULL", qi);
                call_init(&c, f);
                c.qv[qi].scale = bad[k].scale;
                c.qv[qi].zero_point = bad[k].zp;
                c.q[(qi + 1) % f->nq] = NULL;
                fails += expect(&c, RELU_ERR_PARAM, what);
            }
            /* valid boundary quantizations */
            call_init(&c, f);
            c.qv[qi].scale = 0x1p-149f;
            c.qv[qi].zero_point = -128;
            fails += expect(&c, RELU_OK, "quant {0x1p-149f, -128}");
            call_init(&c, f);
            c.qv[qi].scale = FLT_MAX;
            c.qv[qi].zero_point = 127;
            fails += expect(&c, RELU_OK, "quant {FLT_MAX, 127}");
            /* NULL quant with work -> NULL; without work -> OK */
            snprintf(what, sizeof what, "quant %d NULL with elements", qi);
            call_init(&c, f);
            c.q[qi] = NULL;
            fails += expect(&c, RELU_ERR_NULL, what);
            snprintf(what, sizeof what, "quant %d NULL, n == 0", qi);
            call_init(&c, f);
            call_set_count(&c, 0);
            c.q[qi] = NULL;
            fails += expect(&c, RELU_OK, what);
        }
    }
    assert_int_equal(fails, 0);
}

/* ---------------------------------------------------------------- SIZE */

static void test_size_errors(void **state)
{
    size_t fi;
    long fails = 0;
    (void)state;
    for (fi = 0; fi < NFUNCS; fi++) {
        const fdesc *f = &g_funcs[fi];
        call c;
        int s;
        if (!is_prelu(f)) {
            size_t ns[3];
            int k;
            if (f->esz == 1) continue; /* n bytes never overflow */
            ns[0] = SIZE_MAX / 2;
            ns[1] = SIZE_MAX / f->esz + 1;
            ns[2] = SIZE_MAX;
            for (k = 0; k < 3; k++) {
                char what[96];
                snprintf(what, sizeof what, "n = %zu (n*%zu overflows), valid pointers", ns[k], f->esz);
                call_init(&c, f);
                c.n = ns[k];
                fails += expect(&c, RELU_ERR_SIZE, what);
                snprintf(what, sizeof what, "n = %zu, NULL pointers (SIZE > NULL)", ns[k]);
                for (s = 0; s < NSLOTS; s++) c.ptr[s] = NULL;
                fails += expect(&c, RELU_ERR_SIZE, what);
                snprintf(what, sizeof what, "n = %zu, overlapping output (SIZE > OVERLAP)", ns[k]);
                call_init(&c, f);
                c.n = ns[k];
                c.ptr[SLOT_OUT] = c.ptr[SLOT_A] + f->esz;
                fails += expect(&c, RELU_ERR_SIZE, what);
            }
        } else {
            static const size_t h = (size_t)1 << (sizeof(size_t) * 4);
            const size_t shapes[][3] = {
                {SIZE_MAX / 2 + 1, 2, 1}, {1, SIZE_MAX / 2 + 1, 2}, {3, 1, SIZE_MAX / 3 + 1},
                {h, h, 1}, {h, 1, h}, {1, h, h}, {SIZE_MAX, SIZE_MAX, SIZE_MAX},
                {SIZE_MAX / 4 + 1, 1, 1}, /* count fits, bytes overflow (for esz >= 4) */
                {2, 3, SIZE_MAX / 4},
            };
            size_t k;
            for (k = 0; k < TU_ARRAY_LEN(shapes); k++) {
                char what[128];
                if (k == 7 && f->esz == 1) continue;
                snprintf(what, sizeof what, "shape (%zu,%zu,%zu) overflows", shapes[k][0], shapes[k][1], shapes[k][2]);
                call_init(&c, f);
                c.outer = shapes[k][0];
                c.channels = shapes[k][1];
                c.inner = shapes[k][2];
                fails += expect(&c, RELU_ERR_SIZE, what);
                snprintf(what, sizeof what, "shape (%zu,%zu,%zu), NULL pointers (SIZE > NULL)",
                         shapes[k][0], shapes[k][1], shapes[k][2]);
                for (s = 0; s < NSLOTS; s++) c.ptr[s] = NULL;
                for (s = 0; s < 3; s++) c.q[s] = NULL;
                fails += expect(&c, RELU_ERR_SIZE, what);
                snprintf(what, sizeof what, "shape (%zu,%zu,%zu), overlap (SIZE > OVERLAP)",
                         shapes[k][0], shapes[k][1], shapes[k][2]);
                call_init(&c, f);
                c.outer = shapes[k][0];
                c.channels = shapes[k][1];
                c.inner = shapes[k][2];
                c.ptr[SLOT_OUT] = c.ptr[SLOT_A] + 1;
                fails += expect(&c, RELU_ERR_SIZE, what);
            }
        }
    }
    assert_int_equal(fails, 0);
}

/* ---------------------------------------------------------------- NULL */

static void test_null_errors(void **state)
{
    size_t fi;
    long fails = 0;
    (void)state;
    for (fi = 0; fi < NFUNCS; fi++) {
        const fdesc *f = &g_funcs[fi];
        call c;
        int s, t;
        for (s = 0; s < NSLOTS; s++) {
            char what[96];
            if (!has_slot(f, s)) continue;
            snprintf(what, sizeof what, "%s NULL with elements", slot_names[s]);
            call_init(&c, f);
            c.ptr[s] = NULL;
            fails += expect(&c, RELU_ERR_NULL, what);
            /* with n == 1 too */
            call_init(&c, f);
            call_set_count(&c, 1);
            c.ptr[s] = NULL;
            fails += expect(&c, RELU_ERR_NULL, "NULL, one element");
        }
        /* n == 0: everything may be NULL */
        call_init(&c, f);
        call_set_count(&c, 0);
        for (s = 0; s < NSLOTS; s++) c.ptr[s] = NULL;
        for (t = 0; t < 3; t++) c.q[t] = NULL;
        fails += expect(&c, RELU_OK, "n == 0, all NULL");
        call_init(&c, f);
        call_set_count(&c, 0);
        fails += expect(&c, RELU_OK, "n == 0, valid pointers");
        if (memcmp(g_snapshot, c.arena, ARENA) != 0) {
            report("%s: n == 0 wrote to memory\n", f->name);
            fails++;
        }
        if (is_prelu(f)) {
            /* channels > 0 but outer*inner == 0: only dalpha is needed */
            size_t k;
            const size_t shapes[][3] = {{0, 3, 4}, {2, 3, 0}, {0, 3, 0}};
            for (k = 0; k < TU_ARRAY_LEN(shapes); k++) {
                call_init(&c, f);
                c.outer = shapes[k][0];
                c.channels = shapes[k][1];
                c.inner = shapes[k][2];
                c.ptr[SLOT_A] = c.ptr[SLOT_B] = c.ptr[SLOT_OUT] = c.ptr[SLOT_ALPHA] = NULL;
                for (t = 0; t < 3; t++) c.q[t] = NULL;
                fails += expect(&c, RELU_OK, "outer*inner == 0, only dalpha non-NULL");
                if (f->shape == SH_PBWD) {
                    size_t ch;
                    for (ch = 0; ch < 3; ch++) {
                        float fv;
                        double dv;
                        int zero;
                        if (f->asz == 4) { memcpy(&fv, c.ptr[SLOT_DALPHA] + ch * 4, 4); zero = fv == 0; }
                        else { memcpy(&dv, c.ptr[SLOT_DALPHA] + ch * 8, 8); zero = dv == 0; }
                        if (!zero) {
                            report("%s: shape (%zu,3,%zu): dalpha[%zu] not written with zero\n",
                                   f->name, shapes[k][0], shapes[k][2], ch);
                            fails++;
                        }
                    }
                    call_init(&c, f);
                    c.outer = shapes[k][0];
                    c.channels = shapes[k][1];
                    c.inner = shapes[k][2];
                    c.ptr[SLOT_DALPHA] = NULL;
                    fails += expect(&c, RELU_ERR_NULL, "outer*inner == 0, channels > 0, dalpha NULL");
                }
            }
            /* channels == 0: nothing needed at all */
            call_init(&c, f);
            c.outer = 5;
            c.channels = 0;
            c.inner = 7;
            for (s = 0; s < NSLOTS; s++) c.ptr[s] = NULL;
            for (t = 0; t < 3; t++) c.q[t] = NULL;
            fails += expect(&c, RELU_OK, "channels == 0, all NULL");
        }
    }
    assert_int_equal(fails, 0);
}

/* ------------------------------------------------------------- OVERLAP */

static size_t slot_bytes(const fdesc *f, int s, const call *c)
{
    size_t elems = (s == SLOT_ALPHA || s == SLOT_DALPHA) ? c->channels
                   : is_prelu(f) ? c->outer * c->channels * c->inner : c->n;
    return elems * ((s == SLOT_ALPHA || s == SLOT_DALPHA) ? f->asz : f->esz);
}

static void test_overlap_errors(void **state)
{
    size_t fi;
    long fails = 0;
    (void)state;
    for (fi = 0; fi < NFUNCS; fi++) {
        const fdesc *f = &g_funcs[fi];
        int o, s;
        for (o = 0; o < NSLOTS; o++) {
            if (!has_slot(f, o) || !is_output(o)) continue;
            for (s = 0; s < NSLOTS; s++) {
                call c;
                size_t ob, sb, oe;
                long d;
                char what[128];
                if (s == o || !has_slot(f, s)) continue;
                call_init(&c, f);
                ob = slot_bytes(f, o, &c);
                sb = slot_bytes(f, s, &c);
                oe = o == SLOT_DALPHA ? f->asz : f->esz;
                {
                    /* partial overlaps: by one element / one byte either way, and
                     * the output starting at the other's last byte */
                    const long deltas[] = {(long)oe, 1, -(long)oe, -1, (long)sb - 1, -(long)ob + 1};
                    size_t k;
                    for (k = 0; k < TU_ARRAY_LEN(deltas); k++) {
                        d = deltas[k];
                        call_init(&c, f);
                        c.ptr[o] = c.ptr[s] + d;
                        snprintf(what, sizeof what, "%s = %s %+ld bytes", slot_names[o], slot_names[s], d);
                        fails += expect(&c, RELU_ERR_OVERLAP, what);
                    }
                }
                /* exactly equal: OK only for an output onto an input of equal size */
                call_init(&c, f);
                c.ptr[o] = c.ptr[s];
                snprintf(what, sizeof what, "%s == %s exactly", slot_names[o], slot_names[s]);
                fails += expect(&c, (o == SLOT_OUT && !is_output(s) && sb == ob) ? RELU_OK : RELU_ERR_OVERLAP, what);
                /* adjacent, no overlap: OK */
                call_init(&c, f);
                c.ptr[o] = c.ptr[s] + sb;
                snprintf(what, sizeof what, "%s right after %s", slot_names[o], slot_names[s]);
                fails += expect(&c, RELU_OK, what);
                call_init(&c, f);
                c.ptr[o] = c.ptr[s] - ob;
                snprintf(what, sizeof what, "%s right before %s", slot_names[o], slot_names[s]);
                fails += expect(&c, RELU_OK, what);
            }
        }
        /* inputs may overlap each other freely */
        if (has_slot(f, SLOT_B)) {
            call c;
            call_init(&c, f);
            c.ptr[SLOT_B] = c.ptr[SLOT_A] + f->esz;
            fails += expect(&c, RELU_OK, "dy overlapping x (inputs only)");
            call_init(&c, f);
            c.ptr[SLOT_B] = c.ptr[SLOT_A];
            fails += expect(&c, RELU_OK, "dy == x");
        }
        if (has_slot(f, SLOT_ALPHA)) {
            call c;
            call_init(&c, f);
            /* Offset by one alpha element: C requires element alignment. */
            c.ptr[SLOT_ALPHA] = c.ptr[SLOT_A] + (f->esz == 8 ? 8 : 4);
            fails += expect(&c, RELU_OK, "alpha overlapping x (inputs only)");
        }
        /* NULL > OVERLAP */
        if (has_slot(f, SLOT_B)) {
            call c;
            call_init(&c, f);
            c.ptr[SLOT_A] = NULL;
            c.ptr[SLOT_OUT] = c.ptr[SLOT_B] + f->esz;
            fails += expect(&c, RELU_ERR_NULL, "x NULL and dx overlapping dy (NULL > OVERLAP)");
        } else {
            call c;
            call_init(&c, f);
            c.ptr[SLOT_OUT] = NULL;
            if (has_slot(f, SLOT_ALPHA)) c.ptr[SLOT_ALPHA] = c.ptr[SLOT_A] + (f->esz == 8 ? 8 : 4);
            fails += expect(&c, RELU_ERR_NULL, "y NULL (NULL > OVERLAP)");
        }
        if (has_slot(f, SLOT_DALPHA)) {
            call c;
            call_init(&c, f);
            c.ptr[SLOT_DALPHA] = NULL;
            c.ptr[SLOT_OUT] = c.ptr[SLOT_A] + 1;
            fails += expect(&c, RELU_ERR_NULL, "dalpha NULL and dx overlapping x (NULL > OVERLAP)");
        }
    }
    assert_int_equal(fails, 0);
}

/* In place must also compute the right thing (a quick sanity check; the
 * numeric suite covers it in depth). */
static void test_in_place_ok(void **state)
{
    float x[5] = {-2, -0.5f, 0, 0.5f, 2}, dy[5] = {1, 2, 3, 4, 5};
    (void)state;
    assert_int_equal(relu_forward_f32(x, x, 5), RELU_OK);
    assert_true(x[0] == 0 && x[1] == 0 && x[2] == 0 && x[3] == 0.5f && x[4] == 2);
    assert_int_equal(relu_backward_from_output_f32(x, dy, dy, 5), RELU_OK);
    assert_true(dy[0] == 0 && dy[1] == 0 && dy[2] == 0 && dy[3] == 4 && dy[4] == 5);
}

/* ------------------------------------------------------ strings, ISA etc */

static void test_status_strings(void **state)
{
    const char *s[8];
    int i, j;
    (void)state;
    for (i = 0; i <= 5; i++) {
        s[i] = relu_status_string((relu_status)i);
        assert_non_null(s[i]);
        assert_true(strlen(s[i]) > 0);
    }
    s[6] = relu_status_string((relu_status)99);
    s[7] = relu_status_string((relu_status)-1);
    assert_non_null(s[6]);
    assert_non_null(s[7]);
    for (i = 0; i < 7; i++)
        for (j = i + 1; j < 7; j++)
            if (strcmp(s[i], s[j]) == 0) fail_msg("status strings %d and %d are equal: \"%s\"", i, j, s[i]);
    for (i = 0; i < 6; i++) assert_true(strcmp(s[7], s[i]) != 0);
}

static void test_version(void **state)
{
    char buf[64];
    (void)state;
    assert_non_null(relu_version_string());
    assert_string_equal(relu_version_string(), "1.0.0");
    assert_int_equal(RELU_VERSION_MAJOR, 1);
    assert_int_equal(RELU_VERSION_MINOR, 0);
    assert_int_equal(RELU_VERSION_PATCH, 0);
    snprintf(buf, sizeof buf, "%d.%d.%d", RELU_VERSION_MAJOR, RELU_VERSION_MINOR, RELU_VERSION_PATCH);
    assert_string_equal(relu_version_string(), buf);
}

static void test_isa_names(void **state)
{
    (void)state;
    assert_string_equal(relu_isa_name(RELU_ISA_SCALAR), "scalar");
    assert_string_equal(relu_isa_name(RELU_ISA_AVX2), "avx2");
    assert_string_equal(relu_isa_name(RELU_ISA_AVX512), "avx512");
    assert_string_equal(relu_isa_name(RELU_ISA_NEON), "neon");
    assert_string_equal(relu_isa_name((relu_isa)42), "unknown");
    assert_string_equal(relu_isa_name((relu_isa)-1), "unknown");
    assert_string_equal(relu_isa_name((relu_isa)4), "unknown");
}

static void test_isa_select(void **state)
{
    int isa;
    relu_isa before = relu_active_isa();
    (void)state;
    assert_int_equal(relu_isa_available(RELU_ISA_SCALAR), 1);
    assert_int_equal(relu_isa_available((relu_isa)42), 0);
    assert_int_equal(relu_isa_available((relu_isa)-1), 0);
    assert_int_equal(relu_isa_available((relu_isa)4), 0);
#if defined(__x86_64__) || defined(__i386__)
    assert_int_equal(relu_isa_available(RELU_ISA_NEON), 0);
#endif
#if defined(__aarch64__)
    assert_int_equal(relu_isa_available(RELU_ISA_AVX2), 0);
    assert_int_equal(relu_isa_available(RELU_ISA_AVX512), 0);
#endif
    /* the active ISA at load is available and (no RELU_ISA set) the best */
    assert_int_equal(relu_isa_available(before), 1);
    if (!getenv("RELU_ISA")) assert_int_equal(before, tu_best_isa());
    /* avx512 implies avx2 on x86 builds with both tiers */
    assert_int_equal(relu_use_isa((relu_isa)42), RELU_ERR_PARAM);
    assert_int_equal(relu_active_isa(), before);
    assert_int_equal(relu_use_isa((relu_isa)-1), RELU_ERR_PARAM);
    assert_int_equal(relu_active_isa(), before);
    assert_int_equal(relu_use_isa((relu_isa)4), RELU_ERR_PARAM);
    assert_int_equal(relu_active_isa(), before);
    for (isa = TU_ISA_FIRST; isa <= TU_ISA_LAST; isa++) {
        if (relu_isa_available((relu_isa)isa)) {
            assert_int_equal(relu_use_isa((relu_isa)isa), RELU_OK);
            assert_int_equal(relu_active_isa(), isa);
        } else {
            relu_isa cur = relu_active_isa();
            assert_int_equal(relu_use_isa((relu_isa)isa), RELU_ERR_UNSUPPORTED);
            assert_int_equal(relu_active_isa(), cur);
        }
    }
    /* invalid/unavailable after a switch keep that switch */
    assert_int_equal(relu_use_isa(RELU_ISA_SCALAR), RELU_OK);
    assert_int_equal(relu_use_isa((relu_isa)42), RELU_ERR_PARAM);
    assert_int_equal(relu_active_isa(), RELU_ISA_SCALAR);
    for (isa = TU_ISA_FIRST; isa <= TU_ISA_LAST; isa++) {
        if (!relu_isa_available((relu_isa)isa)) {
            assert_int_equal(relu_use_isa((relu_isa)isa), RELU_ERR_UNSUPPORTED);
            assert_int_equal(relu_active_isa(), RELU_ISA_SCALAR);
        }
    }
    assert_int_equal(relu_use_isa(before), RELU_OK);
}

static void test_threads_setting(void **state)
{
    static const int bad[] = {0, -1, 1025, INT_MIN, INT_MAX, 100000};
    static const int good[] = {1, 1024, 7, 2, 1};
    size_t k;
    (void)state;
    for (k = 0; k < TU_ARRAY_LEN(good); k++) {
        assert_int_equal(relu_set_num_threads(good[k]), RELU_OK);
        assert_int_equal(relu_get_num_threads(), good[k]);
    }
    assert_int_equal(relu_set_num_threads(3), RELU_OK);
    for (k = 0; k < TU_ARRAY_LEN(bad); k++) {
        assert_int_equal(relu_set_num_threads(bad[k]), RELU_ERR_PARAM);
        assert_int_equal(relu_get_num_threads(), 3);
    }
    /* more threads than cores works and computes the same */
    {
        size_t n = (size_t)1 << 20, i;
        float *x = tu_xmalloc(n * sizeof(float)), *y1 = tu_xmalloc(n * sizeof(float)),
              *y2 = tu_xmalloc(n * sizeof(float));
        tu_rng r;
        tu_rng_seed(&r, 5);
        for (i = 0; i < n; i++) x[i] = tu_rand_f32_logu(&r, -10, 5);
        assert_int_equal(relu_set_num_threads(1), RELU_OK);
        assert_int_equal(relu_elu_forward_f32(x, y1, n, 1.0f), RELU_OK);
        assert_int_equal(relu_set_num_threads(1024), RELU_OK);
        assert_int_equal(relu_elu_forward_f32(x, y2, n, 1.0f), RELU_OK);
        assert_memory_equal(y1, y2, n * sizeof(float));
        free(x); free(y1); free(y2);
    }
    assert_int_equal(relu_set_num_threads(1), RELU_OK);
}

/* --------------------------------------------------- floating-point env */

#define FPE_N 4096                 /* small: runs on the calling thread    */
#define FPE_BIG ((size_t)1 << 19)  /* 2-4 MiB touched: uses the pool       */

typedef struct fpe_fn {
    const char *name;
    void (*run)(const void *x, const void *dy, void *out, size_t n);
    size_t esz;
} fpe_fn;

#define FPE_F32(nm, call) \
    static void fpe_##nm(const void *x_, const void *dy_, void *o_, size_t n) \
    { const float *x = x_, *dy = dy_; float *o = o_; (void)dy; assert_int_equal(call, RELU_OK); }
#define FPE_F64(nm, call) \
    static void fpe_##nm(const void *x_, const void *dy_, void *o_, size_t n) \
    { const double *x = x_, *dy = dy_; double *o = o_; (void)dy; assert_int_equal(call, RELU_OK); }

FPE_F32(elu32, relu_elu_forward_f32(x, o, n, 1.5f))
FPE_F32(selu32, relu_selu_forward_f32(x, o, n))
FPE_F32(tanh32, relu_tanh_forward_f32(x, o, n))
FPE_F32(leaky32, relu_leaky_forward_f32(x, o, n, 0.01f))
FPE_F32(elub32, relu_elu_backward_f32(x, dy, o, n, 1.5f))
FPE_F32(selub32, relu_selu_backward_f32(x, dy, o, n))
FPE_F32(tanhb32, relu_tanh_backward_f32(x, dy, o, n))
FPE_F32(leakyb32, relu_leaky_backward_f32(x, dy, o, n, 0.01f))
FPE_F32(eluy32, relu_elu_backward_from_output_f32(x, dy, o, n, 1.5f))
FPE_F32(seluy32, relu_selu_backward_from_output_f32(x, dy, o, n))
FPE_F32(tanhy32, relu_tanh_backward_from_output_f32(x, dy, o, n))
FPE_F32(leakyy32, relu_leaky_backward_from_output_f32(x, dy, o, n, 0.01f))
FPE_F64(elu64, relu_elu_forward_f64(x, o, n, 1.5))
FPE_F64(selu64, relu_selu_forward_f64(x, o, n))
FPE_F64(tanh64, relu_tanh_forward_f64(x, o, n))
FPE_F64(leaky64, relu_leaky_forward_f64(x, o, n, 0.01))
FPE_F64(elub64, relu_elu_backward_f64(x, dy, o, n, 1.5))
FPE_F64(selub64, relu_selu_backward_f64(x, dy, o, n))
FPE_F64(tanhb64, relu_tanh_backward_f64(x, dy, o, n))
FPE_F64(leakyb64, relu_leaky_backward_f64(x, dy, o, n, 0.01))
FPE_F64(eluy64, relu_elu_backward_from_output_f64(x, dy, o, n, 1.5))
FPE_F64(seluy64, relu_selu_backward_from_output_f64(x, dy, o, n))
FPE_F64(tanhy64, relu_tanh_backward_from_output_f64(x, dy, o, n))
FPE_F64(leakyy64, relu_leaky_backward_from_output_f64(x, dy, o, n, 0.01))
/* PReLU backward: dx then dalpha (16 channels) appended after dx */
static void fpe_prelu32(const void *x_, const void *dy_, void *o_, size_t n)
{
    const float *x = x_, *dy = dy_;
    float *o = o_, al[16];
    int c;
    for (c = 0; c < 16; c++) al[c] = 0.125f * (float)(c - 5);
    assert_int_equal(relu_prelu_backward_f32(x, dy, al, o, o + n, n / 16, 16, 1), RELU_OK);
}
static void fpe_prelu64(const void *x_, const void *dy_, void *o_, size_t n)
{
    const double *x = x_, *dy = dy_;
    double *o = o_, al[16];
    int c;
    for (c = 0; c < 16; c++) al[c] = 0.125 * (double)(c - 5);
    assert_int_equal(relu_prelu_backward_f64(x, dy, al, o, o + n, n / 16, 16, 1), RELU_OK);
}

static const fpe_fn g_fpe[] = {
    {"elu_forward_f32", fpe_elu32, 4}, {"selu_forward_f32", fpe_selu32, 4},
    {"tanh_forward_f32", fpe_tanh32, 4}, {"leaky_forward_f32", fpe_leaky32, 4},
    {"elu_backward_f32", fpe_elub32, 4}, {"selu_backward_f32", fpe_selub32, 4},
    {"tanh_backward_f32", fpe_tanhb32, 4}, {"leaky_backward_f32", fpe_leakyb32, 4},
    {"elu_backward_from_output_f32", fpe_eluy32, 4}, {"selu_backward_from_output_f32", fpe_seluy32, 4},
    {"tanh_backward_from_output_f32", fpe_tanhy32, 4}, {"leaky_backward_from_output_f32", fpe_leakyy32, 4},
    {"prelu_backward_f32", fpe_prelu32, 4},
    {"elu_forward_f64", fpe_elu64, 8}, {"selu_forward_f64", fpe_selu64, 8},
    {"tanh_forward_f64", fpe_tanh64, 8}, {"leaky_forward_f64", fpe_leaky64, 8},
    {"elu_backward_f64", fpe_elub64, 8}, {"selu_backward_f64", fpe_selub64, 8},
    {"tanh_backward_f64", fpe_tanhb64, 8}, {"leaky_backward_f64", fpe_leakyb64, 8},
    {"elu_backward_from_output_f64", fpe_eluy64, 8}, {"selu_backward_from_output_f64", fpe_seluy64, 8},
    {"tanh_backward_from_output_f64", fpe_tanhy64, 8}, {"leaky_backward_from_output_f64", fpe_leakyy64, 8},
    {"prelu_backward_f64", fpe_prelu64, 8},
};

/* Caller environments to try. */
enum { ENV_UP, ENV_DOWN, ENV_ZERO, ENV_FTZDAZ, ENV_UP_FTZDAZ, ENV_COUNT };
static const char *const env_names[ENV_COUNT] = {"FE_UPWARD", "FE_DOWNWARD", "FE_TOWARDZERO", "FTZ|DAZ", "FE_UPWARD+FTZ|DAZ"};

#if defined(__aarch64__)
static uint64_t read_fpcr(void) { uint64_t v; __asm__ volatile("mrs %0, fpcr" : "=r"(v)); return v; }
static void write_fpcr(uint64_t v) { __asm__ volatile("msr fpcr, %0" : : "r"(v)); }
#endif

static int set_ftz(int on)
{
#if defined(HAVE_MXCSR)
    unsigned int csr = _mm_getcsr();
    _mm_setcsr(on ? (csr | 0x8040u) : (csr & ~0x8040u));
    return 1;
#elif defined(__aarch64__)
    uint64_t v = read_fpcr();
    write_fpcr(on ? (v | ((uint64_t)1 << 24)) : (v & ~((uint64_t)1 << 24)));
    return 1;
#else
    (void)on;
    return 0;
#endif
}

static int env_enter(int e)
{
    int ok = 1;
    switch (e) {
    case ENV_UP: ok = fesetround(FE_UPWARD) == 0; break;
    case ENV_DOWN: ok = fesetround(FE_DOWNWARD) == 0; break;
    case ENV_ZERO: ok = fesetround(FE_TOWARDZERO) == 0; break;
    case ENV_FTZDAZ: ok = set_ftz(1); break;
    case ENV_UP_FTZDAZ: ok = fesetround(FE_UPWARD) == 0 && set_ftz(1); break;
    }
    return ok;
}
static void env_leave(void)
{
    fesetround(FE_TONEAREST);
    set_ftz(0);
    feclearexcept(FE_ALL_EXCEPT);
}

/* A snapshot of the caller-visible FP state. */
typedef struct fpstate {
    int round, flags;
    unsigned long long ctl; /* MXCSR or FPCR */
} fpstate;
static fpstate fp_read(void)
{
    fpstate s;
#if defined(HAVE_MXCSR)
    s.ctl = _mm_getcsr();
#elif defined(__aarch64__)
    s.ctl = read_fpcr();
#else
    s.ctl = 0;
#endif
    s.round = fegetround();
    s.flags = fetestexcept(FE_ALL_EXCEPT);
    return s;
}

static void fill_fpe_inputs(void *x, void *dy, size_t n, size_t esz)
{
    size_t i;
    tu_rng r;
    tu_rng_seed(&r, 8080 + esz);
    for (i = 0; i < n; i++) {
        uint32_t u = tu_rng_below(&r, 8);
        if (esz == 4) {
            float xv, dv;
            /* many subnormals and values whose results are subnormal */
            if (u == 0) xv = tu_f32_from((uint32_t)(tu_rng_u64(&r) & 0x807fffffu));
            else if (u == 1) xv = tu_rand_f32_wide(&r);
            else if (u == 2) xv = -tu_rand_f32_logu(&r, 6, 7) - 80.0f; /* exp() subnormal */
            else xv = tu_rand_f32_logu(&r, -30, 5);
            dv = u == 3 ? tu_f32_from((uint32_t)(tu_rng_u64(&r) & 0x807fffffu)) : tu_rand_f32_logu(&r, -140, 20);
            ((float *)x)[i] = xv;
            ((float *)dy)[i] = dv;
        } else {
            double xv, dv;
            if (u == 0) xv = tu_f64_from(tu_rng_u64(&r) & UINT64_C(0x800fffffffffffff));
            else if (u == 1) xv = tu_rand_f64_wide(&r);
            else if (u == 2) xv = -fabs(tu_rand_logu(&r, 9, 9)) - 200.0; /* exp() subnormal */
            else xv = tu_rand_logu(&r, -60, 5);
            dv = u == 3 ? tu_f64_from(tu_rng_u64(&r) & UINT64_C(0x800fffffffffffff)) : tu_rand_logu(&r, -1000, 50);
            ((double *)x)[i] = xv;
            ((double *)dy)[i] = dv;
        }
    }
}

static long fpenv_check_one(const fpe_fn *f, size_t n, const void *x, const void *dy, void *ref, void *got)
{
    long fails = 0;
    size_t bytes = (n + 16) * f->esz;
    int e;
    env_leave();
    f->run(x, dy, ref, n);
    for (e = 0; e < ENV_COUNT; e++) {
        fpstate before, after;
        int pre;
        for (pre = 0; pre < 2; pre++) {
            memset(got, 0xEE, bytes);
            if (!env_enter(e)) { env_leave(); continue; }
            /* pre = 0: no flags raised; pre = 1: caller has inexact+underflow raised */
            if (pre) feraiseexcept(FE_INEXACT | FE_UNDERFLOW);
            else feclearexcept(FE_ALL_EXCEPT);
            before = fp_read();
            f->run(x, dy, got, n);
            after = fp_read();
            env_leave();
            if (before.round != after.round || before.flags != after.flags || before.ctl != after.ctl) {
                report("%s n=%zu under %s (flags pre-raised %d): FP state changed: round %d->%d, "
                       "flags 0x%x->0x%x, control 0x%llx->0x%llx\n", f->name, n, env_names[e], pre,
                       before.round, after.round, before.flags, after.flags, before.ctl, after.ctl);
                fails++;
            }
            if (memcmp(ref, got, (f->run == fpe_prelu32 || f->run == fpe_prelu64 ? n + 16 : n) * f->esz) != 0) {
                size_t i = 0;
                const unsigned char *a = ref, *b = got;
                while (a[i] == b[i]) i++;
                report("%s n=%zu under %s [%s]: result differs from the default environment at element %zu\n",
                       f->name, n, env_names[e], relu_isa_name(relu_active_isa()), i / f->esz);
                fails++;
            }
        }
    }
    return fails;
}

static void test_fp_environment(void **state)
{
    long fails = 0;
    size_t fi, maxb = (FPE_BIG + 16) * 8;
    void *x = tu_xmalloc(maxb), *dy = tu_xmalloc(maxb), *ref = tu_xmalloc(maxb), *got = tu_xmalloc(maxb);
    int isa;
    (void)state;
    env_leave();
    for (isa = TU_ISA_FIRST; isa <= TU_ISA_LAST; isa++) {
        int en = tu_isa_enter(isa);
        if (en == 0) continue;
        assert_int_equal(en, 1);
        for (fi = 0; fi < TU_ARRAY_LEN(g_fpe); fi++) {
            fill_fpe_inputs(x, dy, FPE_N, g_fpe[fi].esz);
            fails += fpenv_check_one(&g_fpe[fi], FPE_N, x, dy, ref, got);
        }
    }
    /* large calls on the pool: workers must compute in the default
     * environment too, and the caller's state must survive */
    relu_use_isa(tu_best_isa());
    assert_int_equal(relu_set_num_threads(2), RELU_OK);
    for (fi = 0; fi < TU_ARRAY_LEN(g_fpe); fi++) {
        fill_fpe_inputs(x, dy, FPE_BIG, g_fpe[fi].esz);
        fails += fpenv_check_one(&g_fpe[fi], FPE_BIG, x, dy, ref, got);
    }
    assert_int_equal(relu_set_num_threads(1), RELU_OK);
    env_leave();
    free(x); free(dy); free(ref); free(got);
    assert_int_equal(fails, 0);
}

/* Errors and n == 0 leave the environment alone as well. */
static void test_fp_environment_errors(void **state)
{
    float x[4] = {1, 2, 3, 4}, y[4];
    fpstate before, after;
    (void)state;
    assert_true(env_enter(ENV_UP_FTZDAZ));
    feraiseexcept(FE_INEXACT);
    before = fp_read();
    (void)relu_elu_forward_f32(x, y, 4, -1.0f);
    (void)relu_elu_forward_f32(x, x + 1, 3, 1.0f);
    (void)relu_elu_forward_f32(NULL, NULL, 0, 1.0f);
    (void)relu_tanh_forward_f32(x, y, 0);
    after = fp_read();
    env_leave();
    assert_int_equal(before.round, after.round);
    assert_int_equal(before.flags, after.flags);
    assert_true(before.ctl == after.ctl);
}

static int setup(void **state)
{
    (void)state;
    relu_use_isa(g_initial_isa);
    relu_set_num_threads(1);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_param_errors, setup),
        cmocka_unit_test_setup(test_quant_errors, setup),
        cmocka_unit_test_setup(test_size_errors, setup),
        cmocka_unit_test_setup(test_null_errors, setup),
        cmocka_unit_test_setup(test_overlap_errors, setup),
        cmocka_unit_test_setup(test_in_place_ok, setup),
        cmocka_unit_test_setup(test_status_strings, setup),
        cmocka_unit_test_setup(test_version, setup),
        cmocka_unit_test_setup(test_isa_names, setup),
        cmocka_unit_test_setup(test_isa_select, setup),
        cmocka_unit_test_setup(test_threads_setting, setup),
        cmocka_unit_test_setup(test_fp_environment, setup),
        cmocka_unit_test_setup(test_fp_environment_errors, setup),
    };
    g_initial_isa = relu_active_isa();
    if (getenv("RELU_TEST_FILTER")) cmocka_set_test_filter(getenv("RELU_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
