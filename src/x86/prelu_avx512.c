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
 * channel's lane 0 (lanes 1..7 of a channel there only ever add +0). A box
 * whose rows fit one vector (at most 8 channels of at most 8 elements) keeps
 * a whole row per vector, every lane its own accumulator, and gathers the
 * channels' lanes at the end (F(bwd_small)).
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
/* f32 lanes add (kernels.h); e stays +0. */
static inline void f32_acc_same(const float *xp, const float *gp, __m512 v, __m512 g,
                                __mmask16 notgt, size_t rem, __m512d *s, __m512d *e)
{
    (void)e;
    *s = _mm512_add_pd(*s, f32_prod_lo(v, g, (__mmask8)notgt));
    if (rem > 8)
        *s = _mm512_add_pd(*s, f32_prod_hi(xp, gp, v, g, (__mmask8)(notgt >> 8)));
}

static inline void f32_acc_lanes(const float *xp, const float *gp, __m512 v, __m512 g,
                                 __mmask16 notgt, __m512d *s, __m512d *e)
{
    (void)e;
    s[0] = _mm512_add_pd(s[0], f32_prod_lo(v, g, (__mmask8)notgt));
    s[1] = _mm512_add_pd(s[1], f32_prod_hi(xp, gp, v, g, (__mmask8)(notgt >> 8)));
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

/* ------------------------------------------------- small boxes (F(bwd_small)) */

/* Lane k of a small box's row belongs to channel k / len (len = 1..8). */
#define RELU__LANE_CHANNELS(len)                                                             \
    {0 / (len),  1 / (len),  2 / (len),  3 / (len),  4 / (len),  5 / (len),  6 / (len),    \
     7 / (len),  8 / (len),  9 / (len),  10 / (len), 11 / (len), 12 / (len), 13 / (len),   \
     14 / (len), 15 / (len)}
static const unsigned char relu__lane_channel[8][16] = {
    RELU__LANE_CHANNELS(1), RELU__LANE_CHANNELS(2), RELU__LANE_CHANNELS(3),
    RELU__LANE_CHANNELS(4), RELU__LANE_CHANNELS(5), RELU__LANE_CHANNELS(6),
    RELU__LANE_CHANNELS(7), RELU__LANE_CHANNELS(8)};
#undef RELU__LANE_CHANNELS

/* c * len for lanes c = 0..7 (len = 1..8): where channel c's row starts. */
#define RELU__CHANNEL_STARTS(len) {0, (len), 2 * (len), 3 * (len), 4 * (len), 5 * (len), 6 * (len), 7 * (len)}
static const unsigned char relu__channel_start[8][8] = {
    RELU__CHANNEL_STARTS(1), RELU__CHANNEL_STARTS(2), RELU__CHANNEL_STARTS(3),
    RELU__CHANNEL_STARTS(4), RELU__CHANNEL_STARTS(5), RELU__CHANNEL_STARTS(6),
    RELU__CHANNEL_STARTS(7), RELU__CHANNEL_STARTS(8)};
#undef RELU__CHANNEL_STARTS

/* alpha of every lane's channel */
static inline __m512 f32_small_alpha(const float *alpha, size_t chans, size_t len)
{
    const __m512i idx = _mm512_cvtepu8_epi32(
        _mm_loadu_si128((const __m128i *)(const void *)relu__lane_channel[len - 1]));
    return _mm512_permutexvar_ps(idx, _mm512_maskz_loadu_ps(relu__avx512_tail_f32(chans), alpha));
}
static inline __m512d f64_small_alpha(const double *alpha, size_t chans, size_t len)
{
    const __m512i idx = _mm512_cvtepu8_epi64(
        _mm_loadl_epi64((const __m128i *)(const void *)relu__lane_channel[len - 1]));
    return _mm512_permutexvar_pd(idx, _mm512_maskz_loadu_pd(relu__avx512_tail_f64(chans), alpha));
}

/* The x*dy of a small box's row (p[h]: lanes 8h..8h+7), +0 outside notgt. */
static inline void f32_small_prods(__m512 v, __m512 g, __mmask16 notgt, __m512d *p)
{
    p[0] = f32_prod_lo(v, g, (__mmask8)notgt);
    p[1] = f32_prod_hi(NULL, NULL, v, g, (__mmask8)(notgt >> 8));
}
static inline void f64_small_prods(__m512d v, __m512d g, __mmask8 notgt, __m512d *p)
{
    p[0] = _mm512_maskz_mul_pd(notgt, v, g);
}

/* Lane c of the result: element idx[c] of the row's per-lane sums q
 * (f32: two vectors, elements 0..15). */
static inline __m512d f32_small_gather(const __m512d *q, __m512i idx)
{
    return _mm512_permutex2var_pd(q[0], idx, q[1]);
}
static inline __m512d f64_small_gather(const __m512d *q, __m512i idx)
{
    return _mm512_permutexvar_pd(idx, q[0]);
}

/* ---------------------------------------------------------------------- f32 */
#include "avx512_def_f32.h"
#define ACC_SAME f32_acc_same
#define ACC_LANES f32_acc_lanes
#define SMALL_ALPHA f32_small_alpha
#define SMALL_GATHER f32_small_gather
#define SMALL_PRODS f32_small_prods
#include "prelu_avx512.inc"
#include "avx512_undef.h"
#undef ACC_SAME
#undef ACC_LANES
#undef SMALL_ALPHA
#undef SMALL_GATHER
#undef SMALL_PRODS

/* ---------------------------------------------------------------------- f64 */
#include "avx512_def_f64.h"
#define ACC_SAME f64_acc_same
#define ACC_LANES f64_acc_lanes
#define SMALL_ALPHA f64_small_alpha
#define SMALL_GATHER f64_small_gather
#define SMALL_PRODS f64_small_prods
#include "prelu_avx512.inc"
