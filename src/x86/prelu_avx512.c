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

#define RELU__CAT_(a, b) a##b
#define RELU__CAT(a, b) RELU__CAT_(a, b)

/* Longest channel period (chans*len elements) served by the periodic-alpha
 * path; its pattern holds lcm(period, lanes) elements, at most period*lanes
 * (4 KiB on the stack); 64 channels-last channels need only 64. */
#define PRELU_MAX_PERIOD 64

/* A contiguous box (chan_stride == len, row_stride == chans*len) whose
 * period chans*len is at most PRELU_MAX_PERIOD: element k uses
 * alpha[(k % period) / len]; pattern[] holds lcm(period, lanes) of them, a
 * multiple of the vector width, so vector i reads the slice starting at
 * (i*lanes) % lcm(period, lanes). */
static int relu__prelu_periodic_box(const relu__box *b, size_t lanes, size_t *period)
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

#define RELU__FIXUP_NAN_TO_SRC 0x11 /* classes QNaN, SNaN -> token 1 (src); others -> 0 (dest) */

/* ------------------------------------------------------ dalpha feeders, f32 */

/* (double)x * (double)dy in the lanes of m, +0 elsewhere, for lanes 0..7 (lo)
 * and 8..15 (hi). The product of two widened floats is exact, as in the
 * scalar kernel. */
static inline __m512d f32_prod_lo(__m512 v, __m512 g, __mmask8 m)
{
    return _mm512_maskz_mul_pd(m, _mm512_cvtps_pd(_mm512_castps512_ps256(v)),
                               _mm512_cvtps_pd(_mm512_castps512_ps256(g)));
}

/* The upper eight: converted straight from memory when the vector came from
 * a plain load (xp, gp), which saves the two VEXTRACTF32X8; measured NCHW
 * f32 64 channels, 64 Ki: 9.6-9.8 -> 9.0-9.3 us, 1 Mi: 163-169 -> 156-162 us
 * (medians of 11 interleaved runs, twice, with the dx of the same commit).
 * The tiled channels-last loop keeps the extracts: there the extra loads
 * cost more than they saved. */
static inline __m512d f32_prod_hi(const float *xp, const float *gp, __m512 v, __m512 g,
                                  __mmask8 m)
{
    if (xp != NULL)
        return _mm512_maskz_mul_pd(m, _mm512_cvtps_pd(_mm256_loadu_ps(xp + 8)),
                                   _mm512_cvtps_pd(_mm256_loadu_ps(gp + 8)));
    return _mm512_maskz_mul_pd(m, _mm512_cvtps_pd(_mm512_extractf32x8_ps(v, 1)),
                               _mm512_cvtps_pd(_mm512_extractf32x8_ps(g, 1)));
}

/* One channel row: the first group, and the second when the row has an
 * element at its start (rem > 8), into the same (s, e). */
static inline void f32_acc_same(const float *xp, const float *gp, __m512 v, __m512 g,
                                __mmask16 notgt, size_t rem, __m512d *s, __m512d *e)
{
    relu__avx512_two_sum(s, e, f32_prod_lo(v, g, (__mmask8)notgt));
    if (rem > 8)
        relu__avx512_two_sum(s, e, f32_prod_hi(xp, gp, v, g, (__mmask8)(notgt >> 8)));
}

static inline void f32_acc_lanes(const float *xp, const float *gp, __m512 v, __m512 g,
                                 __mmask16 notgt, __m512d *s, __m512d *e)
{
    relu__avx512_two_sum(&s[0], &e[0], f32_prod_lo(v, g, (__mmask8)notgt));
    relu__avx512_two_sum(&s[1], &e[1], f32_prod_hi(xp, gp, v, g, (__mmask8)(notgt >> 8)));
}

/* ------------------------------------------------------ dalpha feeders, f64 */

static inline void f64_acc_same(const double *xp, const double *gp, __m512d v, __m512d g,
                                __mmask8 notgt, size_t rem, __m512d *s, __m512d *e)
{
    (void)xp;
    (void)gp;
    (void)rem;
    relu__avx512_two_sum(s, e, _mm512_maskz_mul_pd(notgt, v, g));
}

static inline void f64_acc_lanes(const double *xp, const double *gp, __m512d v, __m512d g,
                                 __mmask8 notgt, __m512d *s, __m512d *e)
{
    (void)xp;
    (void)gp;
    relu__avx512_two_sum(&s[0], &e[0], _mm512_maskz_mul_pd(notgt, v, g));
}

/* ---------------------------------------------------------------------- f32 */
#include "avx512_def_f32.h"
#define ACC_SAME f32_acc_same
#define ACC_LANES f32_acc_lanes
#include "prelu_avx512.inc"
#include "avx512_undef.h"
#undef ACC_SAME
#undef ACC_LANES

/* ---------------------------------------------------------------------- f64 */
#include "avx512_def_f64.h"
#define ACC_SAME f64_acc_same
#define ACC_LANES f64_acc_lanes
#include "prelu_avx512.inc"
