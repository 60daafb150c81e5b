/*
 * The AVX-512 tier's PReLU f32/f64 kernels.
 *
 * Forward: y = v <= 0 ? alpha[c]*v : v, per lane exactly as the scalar kernel.
 * Rows of one channel broadcast alpha[c]; a contiguous box whose channel
 * pattern repeats with a short period (channels-last, or small inner) runs
 * over the whole box with a precomputed periodic alpha vector instead.
 *
 * Backward: dx lane by lane, and the canonical dalpha block (kernels.h): the
 * eight double TwoSum lanes of one channel are one __m512d, fed one group of
 * eight elements at a time from the row's first element; positions past the
 * row contribute +0 through the same TwoSum, and a group starting past the row
 * is not fed at all — exactly the scalar loop. Channels-last (len == 1,
 * chan_stride == 1) runs across channels: one lane per channel holding that
 * channel's lane 0 (lanes 1..7 of a channel there only ever add +0).
 */
#include "../kernels.h"
#include "avx512_common.h"

RELU__DECLARE_KERNEL(f32, prelu_forward, prelu_fwd, avx512)
RELU__DECLARE_KERNEL(f32, prelu_backward, prelu_bwd, avx512)
RELU__DECLARE_KERNEL(f64, prelu_forward, prelu_fwd, avx512)
RELU__DECLARE_KERNEL(f64, prelu_backward, prelu_bwd, avx512)

/* Longest channel period (chans*len elements) served by the periodic-alpha
 * path; its pattern holds period*lanes elements (4 KiB on the stack). */
#define PRELU_MAX_PERIOD 64

/* ================================================================== forward */

static inline __m512 f32_prelu_sel(__m512 v, __m512 a)
{
    return _mm512_mask_mul_ps(v, _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_LE_OQ), a, v);
}

static inline __m512d f64_prelu_sel(__m512d v, __m512d a)
{
    return _mm512_mask_mul_pd(v, _mm512_cmp_pd_mask(v, _mm512_setzero_pd(), _CMP_LE_OQ), a, v);
}

/* One run of n elements sharing alpha a. */
static inline void f32_prelu_run(const float *x, float *y, size_t n, __m512 a)
{
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        const __m512 v0 = _mm512_loadu_ps(x + i), v1 = _mm512_loadu_ps(x + i + 16);
        const __m512 v2 = _mm512_loadu_ps(x + i + 32), v3 = _mm512_loadu_ps(x + i + 48);
        _mm512_storeu_ps(y + i, f32_prelu_sel(v0, a));
        _mm512_storeu_ps(y + i + 16, f32_prelu_sel(v1, a));
        _mm512_storeu_ps(y + i + 32, f32_prelu_sel(v2, a));
        _mm512_storeu_ps(y + i + 48, f32_prelu_sel(v3, a));
    }
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(y + i, f32_prelu_sel(_mm512_loadu_ps(x + i), a));
    if (i < n) {
        const __mmask16 m = relu__avx512_tail_f32(n - i);
        _mm512_mask_storeu_ps(y + i, m, f32_prelu_sel(_mm512_maskz_loadu_ps(m, x + i), a));
    }
}

static inline void f64_prelu_run(const double *x, double *y, size_t n, __m512d a)
{
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        const __m512d v0 = _mm512_loadu_pd(x + i), v1 = _mm512_loadu_pd(x + i + 8);
        const __m512d v2 = _mm512_loadu_pd(x + i + 16), v3 = _mm512_loadu_pd(x + i + 24);
        _mm512_storeu_pd(y + i, f64_prelu_sel(v0, a));
        _mm512_storeu_pd(y + i + 8, f64_prelu_sel(v1, a));
        _mm512_storeu_pd(y + i + 16, f64_prelu_sel(v2, a));
        _mm512_storeu_pd(y + i + 24, f64_prelu_sel(v3, a));
    }
    for (; i + 8 <= n; i += 8)
        _mm512_storeu_pd(y + i, f64_prelu_sel(_mm512_loadu_pd(x + i), a));
    if (i < n) {
        const __mmask8 m = relu__avx512_tail_f64(n - i);
        _mm512_mask_storeu_pd(y + i, m, f64_prelu_sel(_mm512_maskz_loadu_pd(m, x + i), a));
    }
}

/* A contiguous box (chan_stride == len, row_stride == chans*len) whose
 * period chans*len is at most PRELU_MAX_PERIOD: element k uses
 * alpha[(k % period) / len]; pattern[] holds period*lanes of them, a multiple
 * of the vector width, so vector i reads the slice starting at
 * (i*lanes) % (period*lanes). */
static int periodic_box(const relu__box *b, size_t lanes, size_t *period)
{
    const size_t p = b->chans * b->len;
    /* Only when the box is at least one pattern long, so that building the
     * pattern costs less than the masked per-row operations it replaces. */
    if (b->len >= lanes || b->chan_stride != b->len || p > PRELU_MAX_PERIOD ||
        b->rows < lanes || b->row_stride != p)
        return 0;
    *period = p;
    return 1;
}

void f32_prelu_forward__avx512(const float *x, float *y, const float *alpha, const relu__box *b)
{
    size_t r, c, period;
    if (periodic_box(b, 16, &period)) {
        float pattern[PRELU_MAX_PERIOD * 16];
        const size_t plen = period * 16, total = b->rows * period;
        size_t k, i = 0, j = 0;
        for (c = 0; c < b->chans; c++)
            for (k = 0; k < b->len; k++)
                pattern[c * b->len + k] = alpha[c];
        for (k = period; k < plen; k++)
            pattern[k] = pattern[k - period];
        for (; i + 16 <= total; i += 16) {
            _mm512_storeu_ps(y + i, f32_prelu_sel(_mm512_loadu_ps(x + i), _mm512_loadu_ps(pattern + j)));
            j += 16;
            if (j == plen)
                j = 0;
        }
        if (i < total) {
            const __mmask16 m = relu__avx512_tail_f32(total - i);
            _mm512_mask_storeu_ps(y + i, m, f32_prelu_sel(_mm512_maskz_loadu_ps(m, x + i),
                                                          _mm512_loadu_ps(pattern + j)));
        }
        return;
    }
    if (b->len == 1 && b->chan_stride == 1) {
        for (r = 0; r < b->rows; r++) {
            const float *xr = x + r * b->row_stride;
            float *yr = y + r * b->row_stride;
            for (c = 0; c + 16 <= b->chans; c += 16)
                _mm512_storeu_ps(yr + c, f32_prelu_sel(_mm512_loadu_ps(xr + c),
                                                       _mm512_loadu_ps(alpha + c)));
            if (c < b->chans) {
                const __mmask16 m = relu__avx512_tail_f32(b->chans - c);
                _mm512_mask_storeu_ps(yr + c, m, f32_prelu_sel(_mm512_maskz_loadu_ps(m, xr + c),
                                                               _mm512_maskz_loadu_ps(m, alpha + c)));
            }
        }
        return;
    }
    {
        /* Locals: the stores could alias *b as far as the compiler knows. */
        const size_t rows = b->rows, chans = b->chans, len = b->len;
        const size_t rs = b->row_stride, cs = b->chan_stride;
        for (r = 0; r < rows; r++)
            for (c = 0; c < chans; c++) {
                const size_t off = r * rs + c * cs;
                f32_prelu_run(x + off, y + off, len, _mm512_set1_ps(alpha[c]));
            }
    }
}

void f64_prelu_forward__avx512(const double *x, double *y, const double *alpha, const relu__box *b)
{
    size_t r, c, period;
    if (periodic_box(b, 8, &period)) {
        double pattern[PRELU_MAX_PERIOD * 8];
        const size_t plen = period * 8, total = b->rows * period;
        size_t k, i = 0, j = 0;
        for (c = 0; c < b->chans; c++)
            for (k = 0; k < b->len; k++)
                pattern[c * b->len + k] = alpha[c];
        for (k = period; k < plen; k++)
            pattern[k] = pattern[k - period];
        for (; i + 8 <= total; i += 8) {
            _mm512_storeu_pd(y + i, f64_prelu_sel(_mm512_loadu_pd(x + i), _mm512_loadu_pd(pattern + j)));
            j += 8;
            if (j == plen)
                j = 0;
        }
        if (i < total) {
            const __mmask8 m = relu__avx512_tail_f64(total - i);
            _mm512_mask_storeu_pd(y + i, m, f64_prelu_sel(_mm512_maskz_loadu_pd(m, x + i),
                                                          _mm512_loadu_pd(pattern + j)));
        }
        return;
    }
    if (b->len == 1 && b->chan_stride == 1) {
        for (r = 0; r < b->rows; r++) {
            const double *xr = x + r * b->row_stride;
            double *yr = y + r * b->row_stride;
            for (c = 0; c + 8 <= b->chans; c += 8)
                _mm512_storeu_pd(yr + c, f64_prelu_sel(_mm512_loadu_pd(xr + c),
                                                       _mm512_loadu_pd(alpha + c)));
            if (c < b->chans) {
                const __mmask8 m = relu__avx512_tail_f64(b->chans - c);
                _mm512_mask_storeu_pd(yr + c, m, f64_prelu_sel(_mm512_maskz_loadu_pd(m, xr + c),
                                                               _mm512_maskz_loadu_pd(m, alpha + c)));
            }
        }
        return;
    }
    {
        /* Locals: the stores could alias *b as far as the compiler knows. */
        const size_t rows = b->rows, chans = b->chans, len = b->len;
        const size_t rs = b->row_stride, cs = b->chan_stride;
        for (r = 0; r < rows; r++)
            for (c = 0; c < chans; c++) {
                const size_t off = r * rs + c * cs;
                f64_prelu_run(x + off, y + off, len, _mm512_set1_pd(alpha[c]));
            }
    }
}

/* ================================================================= backward */

/*
 * dx = v > 0 ? g : v <= 0 ? (isnan(g) ? g : a*g) : v, in three steps with the
 * same result in every lane: r = isnan(g) ? g : a*g (the product only where g
 * is a number); then VFIXUPIMM keeps r unless v is a NaN, where it returns v
 * itself (token 1: the source, unmodified, so a signalling NaN keeps its
 * bits, as the scalar select does); then g where v > 0. One compare fewer
 * than three selects, which matters: this kernel is compute-bound.
 * *notgt = !(v > 0), the lanes whose x*dy enter dalpha.
 */
#define RELU__FIXUP_NAN_TO_SRC 0x11 /* classes QNaN, SNaN -> token 1 (src); others -> 0 (dest) */

static inline __m512 f32_prelu_dx(__m512 v, __m512 g, __m512 a, __mmask16 *notgt)
{
    const __mmask16 gt = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_GT_OQ);
    const __mmask16 gnum = _mm512_cmp_ps_mask(g, g, _CMP_ORD_Q);
    const __m512 r = _mm512_mask_mul_ps(g, gnum, a, g);
    *notgt = (__mmask16)~gt;
    return _mm512_mask_mov_ps(
        _mm512_fixupimm_ps(r, v, _mm512_set1_epi32(RELU__FIXUP_NAN_TO_SRC), 0), gt, g);
}

static inline __m512d f64_prelu_dx(__m512d v, __m512d g, __m512d a, __mmask8 *notgt)
{
    const __mmask8 gt = _mm512_cmp_pd_mask(v, _mm512_setzero_pd(), _CMP_GT_OQ);
    const __mmask8 gnum = _mm512_cmp_pd_mask(g, g, _CMP_ORD_Q);
    const __m512d r = _mm512_mask_mul_pd(g, gnum, a, g);
    *notgt = (__mmask8)~gt;
    return _mm512_mask_mov_pd(
        _mm512_fixupimm_pd(r, v, _mm512_set1_epi64(RELU__FIXUP_NAN_TO_SRC), 0), gt, g);
}

/* (double)x * (double)dy in the lanes of m, +0 elsewhere. The product of two
 * widened floats is exact, as in the scalar kernel. */
static inline __m512d f32_prod_lo(__m512 v, __m512 g, __mmask8 m)
{
    return _mm512_maskz_mul_pd(m, _mm512_cvtps_pd(_mm512_castps512_ps256(v)),
                               _mm512_cvtps_pd(_mm512_castps512_ps256(g)));
}

static inline __m512d f32_prod_hi(__m512 v, __m512 g, __mmask8 m)
{
    return _mm512_maskz_mul_pd(m, _mm512_cvtps_pd(_mm512_extractf32x8_ps(v, 1)),
                               _mm512_cvtps_pd(_mm512_extractf32x8_ps(g, 1)));
}

/*
 * Sixteen elements of one channel row (the lanes of m; full means all 16,
 * with plain loads): dx, then their one or two groups of eight into the
 * channel's (s, e). A group exists when the row has an element at its start:
 * `two` says whether the second one does.
 */
static inline void f32_bwd_step(const float *xp, const float *gp, float *dp, __m512 a,
                                int full, __mmask16 m, int two, __m512d *s, __m512d *e)
{
    const __m512 v = full ? _mm512_loadu_ps(xp) : _mm512_maskz_loadu_ps(m, xp);
    const __m512 g = full ? _mm512_loadu_ps(gp) : _mm512_maskz_loadu_ps(m, gp);
    __mmask16 notgt;
    const __m512 d = f32_prelu_dx(v, g, a, &notgt);
    if (full) {
        _mm512_storeu_ps(dp, d);
    } else {
        _mm512_mask_storeu_ps(dp, m, d);
        notgt &= m;
    }
    relu__avx512_two_sum(s, e, f32_prod_lo(v, g, (__mmask8)notgt));
    if (two)
        relu__avx512_two_sum(s, e, f32_prod_hi(v, g, (__mmask8)(notgt >> 8)));
}

static inline void f64_bwd_step(const double *xp, const double *gp, double *dp, __m512d a,
                                int full, __mmask8 m, __m512d *s, __m512d *e)
{
    const __m512d v = full ? _mm512_loadu_pd(xp) : _mm512_maskz_loadu_pd(m, xp);
    const __m512d g = full ? _mm512_loadu_pd(gp) : _mm512_maskz_loadu_pd(m, gp);
    __mmask8 notgt;
    const __m512d d = f64_prelu_dx(v, g, a, &notgt);
    if (full) {
        _mm512_storeu_pd(dp, d);
    } else {
        _mm512_mask_storeu_pd(dp, m, d);
        notgt &= m;
    }
    relu__avx512_two_sum(s, e, _mm512_maskz_mul_pd(notgt, v, g));
}

/*
 * Channel rows (NCHW-like boxes). One channel's TwoSum chain is sequential
 * (each step adds to the previous s), so four channels are walked together
 * to keep four independent chains in flight; the order within each channel
 * is untouched.
 */
#define RELU__ROWS_4(T, step, W, tail, MT, two_expr)                                      \
    do {                                                                                  \
        for (r = 0; r < b->rows; r++) {                                                   \
            const size_t off = r * b->row_stride + c * cs;                                \
            const T *xr = x + off, *gr = dy + off;                                        \
            T *dr = dx + off;                                                             \
            for (i = 0; i + W <= len; i += W) {                                           \
                step(xr + i, gr + i, dr + i, a0, 1, (MT)~0 two_expr(W), &s0, &e0);         \
                step(xr + cs + i, gr + cs + i, dr + cs + i, a1, 1, (MT)~0 two_expr(W), &s1, &e1); \
                step(xr + 2 * cs + i, gr + 2 * cs + i, dr + 2 * cs + i, a2, 1, (MT)~0 two_expr(W), &s2, &e2); \
                step(xr + 3 * cs + i, gr + 3 * cs + i, dr + 3 * cs + i, a3, 1, (MT)~0 two_expr(W), &s3, &e3); \
            }                                                                             \
            if (i < len) {                                                                \
                const MT m = tail(len - i);                                               \
                step(xr + i, gr + i, dr + i, a0, 0, m two_expr(len - i), &s0, &e0);       \
                step(xr + cs + i, gr + cs + i, dr + cs + i, a1, 0, m two_expr(len - i), &s1, &e1); \
                step(xr + 2 * cs + i, gr + 2 * cs + i, dr + 2 * cs + i, a2, 0, m two_expr(len - i), &s2, &e2); \
                step(xr + 3 * cs + i, gr + 3 * cs + i, dr + 3 * cs + i, a3, 0, m two_expr(len - i), &s3, &e3); \
            }                                                                             \
        }                                                                                 \
    } while (0)

#define RELU__ROWS_1(T, step, W, tail, MT, two_expr)                                      \
    do {                                                                                  \
        for (r = 0; r < b->rows; r++) {                                                   \
            const size_t off = r * b->row_stride + c * cs;                                \
            for (i = 0; i + W <= len; i += W)                                             \
                step(x + off + i, dy + off + i, dx + off + i, a0, 1, (MT)~0 two_expr(W), &s0, &e0); \
            if (i < len)                                                                  \
                step(x + off + i, dy + off + i, dx + off + i, a0, 0, tail(len - i)        \
                     two_expr(len - i), &s0, &e0);                                        \
        }                                                                                 \
    } while (0)

/* f32 only: whether the second group of eight of a 16-lane step exists. */
#define RELU__TWO_F32(rem) , ((rem) > 8)
#define RELU__TWO_F64(rem)

/* Channels-last: channels [c, c + 16*nv) (the last vector masked by m) across
 * the box's rows, lane k of a vector holding lane 0 of channel c + k. */
static inline void f32_bwd_cl(const float *x, const float *dy, const float *alpha, float *dx,
                              const relu__box *b, size_t c, int nv, __mmask16 m, double *block_sum)
{
    const __mmask16 m0 = nv == 2 ? (__mmask16)0xFFFF : m;
    const __m512 a0 = _mm512_maskz_loadu_ps(m0, alpha + c);
    const __m512 a1 = nv == 2 ? _mm512_maskz_loadu_ps(m, alpha + c + 16) : a0;
    __m512d s0 = _mm512_setzero_pd(), e0 = s0, s1 = s0, e1 = s0, s2 = s0, e2 = s0, s3 = s0, e3 = s0;
    size_t r;
    for (r = 0; r < b->rows; r++) {
        const size_t off = r * b->row_stride + c;
        const __m512 v0 = _mm512_maskz_loadu_ps(m0, x + off), g0 = _mm512_maskz_loadu_ps(m0, dy + off);
        __mmask16 n0, n1;
        if (nv == 2) {
            const __m512 v1 = _mm512_maskz_loadu_ps(m, x + off + 16);
            const __m512 g1 = _mm512_maskz_loadu_ps(m, dy + off + 16);
            _mm512_mask_storeu_ps(dx + off, m0, f32_prelu_dx(v0, g0, a0, &n0));
            _mm512_mask_storeu_ps(dx + off + 16, m, f32_prelu_dx(v1, g1, a1, &n1));
            n0 &= m0;
            n1 &= m;
            relu__avx512_two_sum(&s2, &e2, f32_prod_lo(v1, g1, (__mmask8)n1));
            relu__avx512_two_sum(&s3, &e3, f32_prod_hi(v1, g1, (__mmask8)(n1 >> 8)));
        } else {
            _mm512_mask_storeu_ps(dx + off, m0, f32_prelu_dx(v0, g0, a0, &n0));
            n0 &= m0;
        }
        relu__avx512_two_sum(&s0, &e0, f32_prod_lo(v0, g0, (__mmask8)n0));
        relu__avx512_two_sum(&s1, &e1, f32_prod_hi(v0, g0, (__mmask8)(n0 >> 8)));
    }
    _mm512_mask_storeu_pd(block_sum + c, (__mmask8)m0, relu__avx512_lane0_result(s0, e0));
    _mm512_mask_storeu_pd(block_sum + c + 8, (__mmask8)(m0 >> 8), relu__avx512_lane0_result(s1, e1));
    if (nv == 2) {
        _mm512_mask_storeu_pd(block_sum + c + 16, (__mmask8)m, relu__avx512_lane0_result(s2, e2));
        _mm512_mask_storeu_pd(block_sum + c + 24, (__mmask8)(m >> 8), relu__avx512_lane0_result(s3, e3));
    }
}

void f32_prelu_backward__avx512(const float *x, const float *dy, const float *alpha, float *dx,
                                const relu__box *b, double *block_sum)
{
    const size_t len = b->len, cs = b->chan_stride;
    size_t r, c = 0, i;
    if (len == 1 && cs == 1) {
        for (; c + 32 <= b->chans; c += 32)
            f32_bwd_cl(x, dy, alpha, dx, b, c, 2, (__mmask16)0xFFFF, block_sum);
        if (c + 16 < b->chans)
            f32_bwd_cl(x, dy, alpha, dx, b, c, 2, relu__avx512_tail_f32(b->chans - c - 16), block_sum);
        else if (c + 16 == b->chans)
            f32_bwd_cl(x, dy, alpha, dx, b, c, 1, (__mmask16)0xFFFF, block_sum);
        else if (c < b->chans)
            f32_bwd_cl(x, dy, alpha, dx, b, c, 1, relu__avx512_tail_f32(b->chans - c), block_sum);
        return;
    }
    for (; c + 4 <= b->chans; c += 4) {
        const __m512 a0 = _mm512_set1_ps(alpha[c]), a1 = _mm512_set1_ps(alpha[c + 1]);
        const __m512 a2 = _mm512_set1_ps(alpha[c + 2]), a3 = _mm512_set1_ps(alpha[c + 3]);
        __m512d s0 = _mm512_setzero_pd(), e0 = s0, s1 = s0, e1 = s0, s2 = s0, e2 = s0, s3 = s0, e3 = s0;
        RELU__ROWS_4(float, f32_bwd_step, 16, relu__avx512_tail_f32, __mmask16, RELU__TWO_F32);
        block_sum[c] = relu__avx512_block_result(s0, e0);
        block_sum[c + 1] = relu__avx512_block_result(s1, e1);
        block_sum[c + 2] = relu__avx512_block_result(s2, e2);
        block_sum[c + 3] = relu__avx512_block_result(s3, e3);
    }
    for (; c < b->chans; c++) {
        const __m512 a0 = _mm512_set1_ps(alpha[c]);
        __m512d s0 = _mm512_setzero_pd(), e0 = s0;
        RELU__ROWS_1(float, f32_bwd_step, 16, relu__avx512_tail_f32, __mmask16, RELU__TWO_F32);
        block_sum[c] = relu__avx512_block_result(s0, e0);
    }
}

/* Channels-last f64: channels [c, c + 8*nv), the last vector masked by m. */
static inline void f64_bwd_cl(const double *x, const double *dy, const double *alpha, double *dx,
                              const relu__box *b, size_t c, int nv, __mmask8 m, double *block_sum)
{
    const __mmask8 m0 = nv == 2 ? (__mmask8)0xFF : m;
    const __m512d a0 = _mm512_maskz_loadu_pd(m0, alpha + c);
    const __m512d a1 = nv == 2 ? _mm512_maskz_loadu_pd(m, alpha + c + 8) : a0;
    __m512d s0 = _mm512_setzero_pd(), e0 = s0, s1 = s0, e1 = s0;
    size_t r;
    for (r = 0; r < b->rows; r++) {
        const size_t off = r * b->row_stride + c;
        f64_bwd_step(x + off, dy + off, dx + off, a0, 0, m0, &s0, &e0);
        if (nv == 2)
            f64_bwd_step(x + off + 8, dy + off + 8, dx + off + 8, a1, 0, m, &s1, &e1);
    }
    _mm512_mask_storeu_pd(block_sum + c, m0, relu__avx512_lane0_result(s0, e0));
    if (nv == 2)
        _mm512_mask_storeu_pd(block_sum + c + 8, m, relu__avx512_lane0_result(s1, e1));
}

void f64_prelu_backward__avx512(const double *x, const double *dy, const double *alpha, double *dx,
                                const relu__box *b, double *block_sum)
{
    const size_t len = b->len, cs = b->chan_stride;
    size_t r, c = 0, i;
    if (len == 1 && cs == 1) {
        for (; c + 16 <= b->chans; c += 16)
            f64_bwd_cl(x, dy, alpha, dx, b, c, 2, (__mmask8)0xFF, block_sum);
        if (c + 8 < b->chans)
            f64_bwd_cl(x, dy, alpha, dx, b, c, 2, relu__avx512_tail_f64(b->chans - c - 8), block_sum);
        else if (c < b->chans)
            f64_bwd_cl(x, dy, alpha, dx, b, c, 1,
                       c + 8 == b->chans ? (__mmask8)0xFF : relu__avx512_tail_f64(b->chans - c),
                       block_sum);
        return;
    }
    for (; c + 4 <= b->chans; c += 4) {
        const __m512d a0 = _mm512_set1_pd(alpha[c]), a1 = _mm512_set1_pd(alpha[c + 1]);
        const __m512d a2 = _mm512_set1_pd(alpha[c + 2]), a3 = _mm512_set1_pd(alpha[c + 3]);
        __m512d s0 = _mm512_setzero_pd(), e0 = s0, s1 = s0, e1 = s0, s2 = s0, e2 = s0, s3 = s0, e3 = s0;
        RELU__ROWS_4(double, f64_bwd_step, 8, relu__avx512_tail_f64, __mmask8, RELU__TWO_F64);
        block_sum[c] = relu__avx512_block_result(s0, e0);
        block_sum[c + 1] = relu__avx512_block_result(s1, e1);
        block_sum[c + 2] = relu__avx512_block_result(s2, e2);
        block_sum[c + 3] = relu__avx512_block_result(s3, e3);
    }
    for (; c < b->chans; c++) {
        const __m512d a0 = _mm512_set1_pd(alpha[c]);
        __m512d s0 = _mm512_setzero_pd(), e0 = s0;
        RELU__ROWS_1(double, f64_bwd_step, 8, relu__avx512_tail_f64, __mmask8, RELU__TWO_F64);
        block_sum[c] = relu__avx512_block_result(s0, e0);
    }
}
