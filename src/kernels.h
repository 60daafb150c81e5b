/*
 * The kernel contract: every kernel signature, the parameter blocks, and the
 * one list (RELU_KERNEL_LIST) that generates the dispatch table fields, the
 * per-ISA declarations and the per-ISA registrations.
 *
 * Kernels never validate, never allocate, never read the environment and may
 * assume n > 0 is small enough that n * sizeof(T) fits in size_t. Every tier
 * must return exactly the bits of the scalar kernel (src/scalar), which is the
 * specification in code. To make that hold by construction, the scalar
 * kernels use only operations every tier has with the same IEEE semantics:
 * + - * / fma, ordered compares, selects, and integer operations on the bit
 * pattern. Min/max are written as selects with the x86 MINPS/MAXPS rule
 * (relu__max_sel(a, b) = a > b ? a : b), so a NaN in `a` yields `b`; NEON must
 * use compare + bit-select, not FMAX/FMIN.
 *
 * NaN rule (see relu.h): an arithmetic result never combines two values that
 * can be different NaNs (x86 and ARM pick different payloads, and compilers
 * commute operands freely); where two could meet, an explicit select decides:
 * x (or y) first, then dy, then alpha[c].
 */
#ifndef RELU_KERNELS_H
#define RELU_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "relu.h"

/*
 * Sizes from which the x86 kernels store their output non-temporally (a
 * large out-of-place call), in bytes touched (read + written; s8: of x).
 * Where that pays depends on how fast the caches between L2 and DRAM take
 * a core's write-backs, which differs between CPU families far more than
 * any constant could cover, so dispatch.c sets them once at load, before
 * any kernel runs (nt_sizes_for_cpu, with the measurements); the
 * kernels only read them.
 */
typedef struct relu__nt_sizes {
    size_t select; /* selects, backwards, PReLU (avx512_common.h, avx2_common.h) */
    size_t math;   /* elu/selu/tanh forward (avx512_common.h)                    */
    size_t s8;     /* int8 forward, bytes of x (s8_simd.inc)                     */
} relu__nt_sizes;
extern relu__nt_sizes relu__nt;

typedef struct relu__params_f32 {
    float alpha; /* leaky, elu */
    float cap;   /* clipped    */
} relu__params_f32;

typedef struct relu__params_f64 {
    double alpha;
    double cap;
} relu__params_f64;

/*
 * A PReLU box: `rows` rows `row_stride` elements apart; in each row `chans`
 * channels `chan_stride` elements apart; in each channel `len` contiguous
 * elements. Element (r, c, i) is at r*row_stride + c*chan_stride + i and uses
 * alpha[c] (the caller offsets x, y and alpha to the box's first element).
 * thread_bytes: the bytes that the thread running the box reads and writes
 * over the whole call (x, dy and dx of a float backward: its share of the
 * call), for a kernel's choice of non-temporal stores, which must not
 * depend on how a thread's share was cut into boxes; 0 where the builder
 * does not say.
 */
typedef struct relu__box {
    size_t rows, row_stride;
    size_t chans, chan_stride;
    size_t len;
    size_t thread_bytes;
} relu__box;

/*
 * Whether a leaky/PReLU slope lets a forward compute the select
 * x <= 0 ? a*x : x as max(a*x, x), bit for bit (src/x86/prelu_avx512.inc,
 * F(sel), says why): 0 < a <= 1, false for a NaN.
 */
static inline int relu__unit_slope(double a)
{
    return a > 0 && a <= 1;
}

/*
 * PReLU dalpha (f32 and f64), the canonical order that every tier and every
 * thread split reproduces bit for bit:
 *
 *  - Channel c's elements are cut into blocks. If inner >= RELU_DALPHA_BLOCK,
 *    a block is one row o and RELU_DALPHA_BLOCK consecutive i (the last one
 *    shorter), starting at i multiple of RELU_DALPHA_BLOCK. Otherwise a block
 *    is RELU_DALPHA_BLOCK / inner consecutive rows (the last one fewer), whole.
 *  - Within a block: eight double lanes s[8], e[8] start at +0. Each row of
 *    the block is walked in groups of eight elements from the block's first i;
 *    element j of a group (lane j) contributes p = (double)x*(double)dy if
 *    !(x > 0), else +0.0; positions past the end of the row contribute +0.0
 *    too. f64: each lane accumulates with TwoSum: t = s+p; z = t-s;
 *    err = (s-(t-z)) + (p-z); s = t; e = e+err. f32: each lane adds,
 *    s = s+p, and e stays +0. (An f32 product is exact in double, and a
 *    lane adds at most RELU_DALPHA_BLOCK / 8 = 1024 of them in a block, so
 *    its error is within 2^-43 of the sum of their magnitudes, far inside
 *    API.md's 1e-5; TwoSum cost f32 PReLU backward a third of its time.)
 *    The block result is r = ((((s0+e0) + (s1+e1)) + (s2+e2)) ... + (s7+e7)).
 *  - The block results of channel c are accumulated in block order with the
 *    same TwoSum into (S, E), starting at +0; dalpha[c] = S + E, rounded to
 *    the type; a NaN there becomes the default quiet NaN.
 *
 * The prelu_backward kernel computes dx over its box and writes one block
 * result per channel into block_sum[0..chans): the driver (src/prelu.c) only
 * ever passes a box that is one canonical block in the row and i directions.
 */
#define RELU_DALPHA_BLOCK 8192
#define RELU_DALPHA_LANES 8

/* ------------------------------------------------------------- int8 blocks */

/*
 * Forward of every op but PReLU: y[i] = table[(uint8_t)x[i]].
 *
 * `prep` holds what one tier's s8_lut derives from the map (the AVX2 and
 * AVX-512 F+BW vpshufb plans), built by that tier's s8_lut_prep into the
 * table's cache entry (src/s8_tables.h) so that a cached call does not pay
 * for it. `prep_tag` names the builder (RELU_S8_PREP_* below; NONE after
 * relu__s8_build_table): a kernel uses the area only when the tag is its
 * own and otherwise derives its data locally, as without the area, so a table
 * prepared under another tier (relu_use_isa) is never misread. The area is
 * reached through relu__s8_prep_area, 64-byte aligned.
 */
#define RELU_S8_PREP_BYTES 2304
#define RELU_S8_PREP_NONE 0u
#define RELU_S8_PREP_AVX2 0x32585641u   /* "AVX2" */
#define RELU_S8_PREP_AVX512 0x35585641u /* "AVX5" */
#define RELU_S8_PREP_VBMI 0x494D4256u   /* "VBMI" */
typedef struct relu__s8_table {
    int8_t map[256];
    uint32_t prep_tag;
    unsigned char prep[RELU_S8_PREP_BYTES + 63];
} relu__s8_table;

static inline unsigned char *relu__align64(const unsigned char *p)
{
    return (unsigned char *)(p + (-(uintptr_t)p & 63));
}

static inline unsigned char *relu__s8_prep_area(const relu__s8_table *t)
{
    return relu__align64(t->prep);
}

/*
 * Backward of every op but PReLU, the canonical float computation:
 *   t = (float)(dy - dy_zero_point) * factor[(uint8_t)x]   (one rounding)
 *   dx = clamp(round_half_even(t) + dx_zero_point, -128, 127)
 * factor[q] = f'(x_real(q)) * dyq.scale / dxq.scale, computed in double and
 * rounded to float, clamped to [-RELU_S8_FACTOR_MAX, RELU_S8_FACTOR_MAX]
 * (beyond it any non-zero dy saturates anyway, and 0*factor stays 0).
 */
#define RELU_S8_FACTOR_MAX 65536.0f
#define RELU_S8_GRAD_PREP_BYTES 1024
typedef struct relu__s8_grad {
    float factor[256];
    int32_t dy_zero_point;
    int32_t dx_zero_point;
    /*
     * The factors of x < window_lo give every dy the dx of window_lo's
     * factor, those of x > window_hi the dx of window_hi's (window_lo <=
     * window_hi; s8_tables.h says when two factors do): a kernel may clamp
     * x to the window before looking its factor up.
     */
    int32_t window_lo, window_hi;
    /* What one tier's s8_grad derives from the factors (the AVX-512 VBMI
     * byte planes), built by its s8_grad_prep: tagged and reached like
     * relu__s8_table's prep area (relu__s8_grad_prep_area). */
    uint32_t prep_tag;
    unsigned char prep[RELU_S8_GRAD_PREP_BYTES + 63];
} relu__s8_grad;

static inline unsigned char *relu__s8_grad_prep_area(const relu__s8_grad *g)
{
    return relu__align64(g->prep);
}

/*
 * PReLU s8. Forward, exactly the double-precision definition per element:
 *   v = (double)xq.scale * (x - xq.zero_point);
 *   f = v > 0 ? v : (double)alpha[c] * v;  (a NaN f counts as 0)
 *   y = clamp(round_half_even(f / yq.scale) + yq.zero_point, -128, 127).
 * Backward: dx as in relu__s8_grad with factor = pos_factor where
 * x > x_zero_point and neg_factor(c) = (float)((double)alpha[c] * dy_over_dx)
 * (NaN -> 0, clamped like factor) elsewhere; chan_sum[c] (int64, exact, any
 * order) += sum over x <= x_zero_point of (x - x_zero_point)*(dy - dy_zero_point).
 */
typedef struct relu__s8_prelu_quant {
    double x_scale, y_scale;
    int32_t x_zero_point, y_zero_point;
    /* NULL, or the box's channels' 256-entry maps, ready: channel c's result
     * for x at maps[256*c + x + 128] (x order, like alpha offset to the box's
     * first channel). They hold exactly the per-element results, so a kernel
     * may use them wherever it would build a map, or ignore them. */
    const int8_t *maps;
} relu__s8_prelu_quant;

typedef struct relu__s8_prelu_grad {
    double dy_over_dx;          /* dyq.scale / dxq.scale in double */
    float pos_factor;           /* (float)dy_over_dx, clamped      */
    int32_t x_zero_point, dy_zero_point, dx_zero_point;
} relu__s8_prelu_grad;

/* ------------------------------------------------------- kernel signatures */

#define RELU__FLOAT_KINDS(T, dt)                                                   \
    typedef void relu__##dt##_unary_fn(const T *x, T *y, size_t n,                 \
                                        const relu__params_##dt *p);              \
    typedef void relu__##dt##_binary_fn(const T *x, const T *dy, T *dx, size_t n,  \
                                         const relu__params_##dt *p);             \
    typedef void relu__##dt##_prelu_fwd_fn(const T *x, T *y, const T *alpha,      \
                                            const relu__box *b);                   \
    typedef void relu__##dt##_prelu_bwd_fn(const T *x, const T *dy, const T *alpha,\
                                            T *dx, const relu__box *b,             \
                                            double *block_sum);
RELU__FLOAT_KINDS(float, f32)
RELU__FLOAT_KINDS(double, f64)
#undef RELU__FLOAT_KINDS

typedef void relu__s8_lut_fn(const int8_t *x, int8_t *y, size_t n, const relu__s8_table *t);
/* Fills t->prep for this tier's s8_lut (nothing if it needs none, or if
 * prep_tag already names this tier); integer work only. Called by the thread
 * that owns t before any kernel reads it, never while one does. */
typedef void relu__s8_lut_prep_fn(relu__s8_table *t);
/* relu / clipped with equal input and output quantization: a clamp is the
 * table, exactly (x*s/s == x in double, and the clipped table is monotone). */
typedef void relu__s8_clamp_fn(const int8_t *x, int8_t *y, size_t n, int8_t lo, int8_t hi);
typedef void relu__s8_grad_fn(const int8_t *x, const int8_t *dy, int8_t *dx, size_t n,
                              const relu__s8_grad *g);
/* Fills g->prep for this tier's s8_grad, as relu__s8_lut_prep_fn does t->prep. */
typedef void relu__s8_grad_prep_fn(relu__s8_grad *g);
typedef void relu__s8_prelu_fwd_fn(const int8_t *x, int8_t *y, const float *alpha,
                                   const relu__box *b, const relu__s8_prelu_quant *q);
/*
 * Whole small PReLU calls, optional per tier: [outer][channels][inner] of
 * at most RELU_S8_PRELU_SMALL elements, none of the three 0, the
 * quantizations as the caller passed them, everything validated. They are
 * called outside the library's floating-point environment (src/fpenv.h)
 * and must give the general path's bytes (and dalpha bits) in any caller
 * environment and leave it as found: AVX-512's never read MXCSR, whose read
 * is the largest fixed cost of a small call; AVX2's enter the environment
 * themselves. They return 0, having written nothing, to decline a call (the
 * driver then takes the general path); NULL where a tier has none.
 */
#define RELU_S8_PRELU_SMALL 64
typedef int relu__s8_prelu_fwd_small_fn(const int8_t *x, int8_t *y, const float *alpha,
                                        size_t outer, size_t channels, size_t inner,
                                        const relu_quant *xq, const relu_quant *yq);
typedef int relu__s8_prelu_bwd_small_fn(const int8_t *x, const int8_t *dy, const float *alpha,
                                        int8_t *dx, float *dalpha, size_t outer,
                                        size_t channels, size_t inner, const relu_quant *xq,
                                        const relu_quant *dyq, const relu_quant *dxq);
typedef void relu__s8_prelu_bwd_fn(const int8_t *x, const int8_t *dy, const float *alpha,
                                   int8_t *dx, const relu__box *b,
                                   const relu__s8_prelu_grad *g, int64_t *chan_sum);

/*
 * The one kernel list: X(dtype, name, kind). Field `dtype_name` in the table,
 * kernel symbol `dtype_name__isa`, type relu__dtype_kind_fn.
 */
#define RELU_FLOAT_KERNELS(X, dt)                                   \
    X(dt, relu_forward, unary)                                      \
    X(dt, leaky_forward, unary)                                     \
    X(dt, elu_forward, unary)                                       \
    X(dt, selu_forward, unary)                                      \
    X(dt, clipped_forward, unary)                                   \
    X(dt, tanh_forward, unary)                                      \
    X(dt, relu_backward, binary)                                    \
    X(dt, leaky_backward, binary)                                   \
    X(dt, elu_backward, binary)                                     \
    X(dt, selu_backward, binary)                                    \
    X(dt, clipped_backward, binary)                                 \
    X(dt, tanh_backward, binary)                                    \
    X(dt, relu_backward_from_output, binary)                        \
    X(dt, leaky_backward_from_output, binary)                       \
    X(dt, elu_backward_from_output, binary)                         \
    X(dt, selu_backward_from_output, binary)                        \
    X(dt, clipped_backward_from_output, binary)                     \
    X(dt, tanh_backward_from_output, binary)                        \
    X(dt, prelu_forward, prelu_fwd)                                 \
    X(dt, prelu_backward, prelu_bwd)

#define RELU_S8_KERNELS(X)                                          \
    X(s8, lut, lut)                                                 \
    X(s8, grad, grad)                                               \
    X(s8, prelu_forward, prelu_fwd)                                 \
    X(s8, prelu_backward, prelu_bwd)

/* The clamp and the preps are listed apart from RELU_S8_KERNELS so a tier
 * that implements the four s8 kernels (NEON) need not implement them and
 * keeps the scalar ones (the scalar preps do nothing). */
#define RELU_KERNEL_LIST(X)                                         \
    RELU_FLOAT_KERNELS(X, f32)                                      \
    RELU_FLOAT_KERNELS(X, f64)                                      \
    RELU_S8_KERNELS(X)                                              \
    X(s8, clamp, clamp)                                             \
    X(s8, lut_prep, lut_prep)                                       \
    X(s8, grad_prep, grad_prep)
#define RELU_S8_HAVE_CLAMP 1

#define RELU__TABLE_FIELD(dt, name, kind) relu__##dt##_##kind##_fn *dt##_##name;
typedef struct relu__kernels {
    RELU_KERNEL_LIST(RELU__TABLE_FIELD)
    /* Nonzero when s8_grad gives the same bytes in any floating-point
     * environment and leaves the caller's flags alone (embedded rounding
     * with exceptions suppressed throughout): the driver then skips the
     * environment (src/fpenv.h) around it. */
    int s8_grad_any_fpenv;
    relu__s8_prelu_fwd_small_fn *s8_prelu_forward_small;
    relu__s8_prelu_bwd_small_fn *s8_prelu_backward_small;
} relu__kernels;
#undef RELU__TABLE_FIELD

/* Every tier declares its kernels the same way; a tier may implement a subset. */
#define RELU__DECLARE_KERNEL(dt, name, kind, isa) \
    relu__##dt##_##kind##_fn dt##_##name##__##isa;

#define RELU__DECLARE_SCALAR(dt, name, kind) RELU__DECLARE_KERNEL(dt, name, kind, scalar)
RELU_KERNEL_LIST(RELU__DECLARE_SCALAR)
#undef RELU__DECLARE_SCALAR

/*
 * Per-tier registration: overwrite the entries the tier implements and leave
 * the rest (already filled from the tier below). Defined in
 * src/<arch>/table_<isa>.c, compiled only when the tier is built.
 */
void relu__fill_table_scalar(relu__kernels *t);
void relu__fill_table_avx2(relu__kernels *t);
void relu__fill_table_avx512(relu__kernels *t);
/* The x86 int8 kernels register separately (src/x86/table_s8_<isa>.c). */
void relu__fill_table_s8_avx2(relu__kernels *t);
void relu__fill_table_s8_avx512(relu__kernels *t);
void relu__fill_table_neon(relu__kernels *t);

/* x86 MINPS/MAXPS selects: a NaN in `a` yields `b`. */
#define relu__max_sel(a, b) ((a) > (b) ? (a) : (b))
#define relu__min_sel(a, b) ((a) < (b) ? (a) : (b))

#endif /* RELU_KERNELS_H */
