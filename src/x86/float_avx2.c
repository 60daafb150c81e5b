/* The AVX2 + FMA tier's float kernels: float_avx2.inc instantiated twice. */
#include <immintrin.h>
#include <math.h>

#include "../kernels.h"
#include "avx2_common.h"
#include "staged_block.h"
/* The transcendental algorithms, the same source as the scalar tier's,
 * instantiated on AVX2 registers. */
#include "../math/vec_avx2.h"
#include "../math/act_f32.inc"
#include "../math/act_f64.inc"

#define RELU__CAT_(a, b) a##b
#define RELU__CAT(a, b) RELU__CAT_(a, b)

#define RELU__DECLARE_AVX2(dt, name, kind) RELU__DECLARE_KERNEL(dt, name, kind, avx2)
RELU_FLOAT_KERNELS(RELU__DECLARE_AVX2, f32)
RELU_FLOAT_KERNELS(RELU__DECLARE_AVX2, f64)
#undef RELU__DECLARE_AVX2

/* --------------------------------------- lane compaction (staged_block.h) */

/*
 * AVX2 has no vcompressps: a 256-entry table, indexed by the movmskps of a
 * lane mask m, holds the vpermps indices that gather m's lanes to the front
 * (pack) and the ones that spread them back (unpack). An unpack index has
 * its sign bit set on m's lanes, so sign-extended it is also the blendv
 * mask. f64 uses the same table: the movmskps of a double compare has two
 * bits a lane, whose f32 indices move the lane's two halves together.
 * Built by the preprocessor: 4 KiB, plus a popcount table (the AVX2 tier
 * does not assume POPCNT).
 */
#define RELU__BIT(m, i) (((m) >> (i)) & 1)
#define RELU__POP8(m)                                                          \
    (RELU__BIT(m, 0) + RELU__BIT(m, 1) + RELU__BIT(m, 2) + RELU__BIT(m, 3) +   \
     RELU__BIT(m, 4) + RELU__BIT(m, 5) + RELU__BIT(m, 6) + RELU__BIT(m, 7))
/* The lane of m's (j+1)-th set bit: how many prefixes 0..i of m hold at
 * most j set bits (8, read as 0 by vpermps, past the last one). */
#define RELU__NTH(m, j)                                                        \
    ((RELU__POP8((m) & 0x01) <= (j)) + (RELU__POP8((m) & 0x03) <= (j)) +       \
     (RELU__POP8((m) & 0x07) <= (j)) + (RELU__POP8((m) & 0x0F) <= (j)) +       \
     (RELU__POP8((m) & 0x1F) <= (j)) + (RELU__POP8((m) & 0x3F) <= (j)) +       \
     (RELU__POP8((m) & 0x7F) <= (j)) + (RELU__POP8((m) & 0xFF) <= (j)))
/* Lane i of m takes the dense element numbered by m's set bits below i. */
#define RELU__UNP(m, i) (RELU__POP8((m) & ((1 << (i)) - 1)) - 128 * RELU__BIT(m, i))
#define RELU__LANE_PERM(m)                                                     \
    {{RELU__NTH(m, 0), RELU__NTH(m, 1), RELU__NTH(m, 2), RELU__NTH(m, 3),      \
      RELU__NTH(m, 4), RELU__NTH(m, 5), RELU__NTH(m, 6), RELU__NTH(m, 7)},     \
     {RELU__UNP(m, 0), RELU__UNP(m, 1), RELU__UNP(m, 2), RELU__UNP(m, 3),      \
      RELU__UNP(m, 4), RELU__UNP(m, 5), RELU__UNP(m, 6), RELU__UNP(m, 7)}}
#define RELU__X4(F, m) F(m), F((m) + 1), F((m) + 2), F((m) + 3)
#define RELU__X16(F, m)                                                        \
    RELU__X4(F, m), RELU__X4(F, (m) + 4), RELU__X4(F, (m) + 8), RELU__X4(F, (m) + 12)
#define RELU__X64(F, m)                                                        \
    RELU__X16(F, m), RELU__X16(F, (m) + 16), RELU__X16(F, (m) + 32), RELU__X16(F, (m) + 48)
#define RELU__X256(F) RELU__X64(F, 0), RELU__X64(F, 64), RELU__X64(F, 128), RELU__X64(F, 192)

static const struct {
    int8_t pack[8], unpack[8];
} relu__avx2_lane_perm[256] __attribute__((aligned(64))) = {RELU__X256(RELU__LANE_PERM)};
static const uint8_t relu__avx2_lane_count[256] = {RELU__X256(RELU__POP8)};

#undef RELU__BIT
#undef RELU__POP8
#undef RELU__NTH
#undef RELU__UNP
#undef RELU__LANE_PERM
#undef RELU__X4
#undef RELU__X16
#undef RELU__X64
#undef RELU__X256

/* m's lanes of v, moved to the front. */
RELU__AVX2_INLINE __m256 relu__avx2_pack(__m256 v, unsigned m)
{
    const __m128i i8 = _mm_loadl_epi64((const __m128i *)relu__avx2_lane_perm[m].pack);
    return _mm256_permutevar8x32_ps(v, _mm256_cvtepu8_epi32(i8));
}

/* c with m's lanes replaced, in order, by the leading elements of d. */
RELU__AVX2_INLINE __m256 relu__avx2_unpack(__m256 c, unsigned m, __m256 d)
{
    const __m128i i8 = _mm_loadl_epi64((const __m128i *)relu__avx2_lane_perm[m].unpack);
    const __m256i idx = _mm256_cvtepi8_epi32(i8);
    return _mm256_blendv_ps(c, _mm256_permutevar8x32_ps(d, idx), _mm256_castsi256_ps(idx));
}

/* ------------------------------------------------ PReLU backward, f32 groups */

/* dx = v > 0 ? g : v <= 0 ? (isnan(g) ? g : a*g) : v, given gt = (v > 0). */
RELU__AVX2_INLINE __m256 f32_avx2_prelu_dx(__m256 v, __m256 g, __m256 a, __m256 gt)
{
    const __m256 neg = _mm256_blendv_ps(_mm256_mul_ps(a, g), g, _mm256_cmp_ps(g, g, _CMP_UNORD_Q));
    return _mm256_blendv_ps(_mm256_blendv_ps(v, neg, _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LE_OQ)),
                            g, gt);
}

/* p = !(v > 0) ? (double)v * (double)g : +0.0, lanes 0..3 and 4..7: where
 * v > 0 both factors are replaced by +0 first, and +0 * +0 = +0. */
RELU__AVX2_INLINE void f32_avx2_prelu_prod(__m256 v, __m256 g, __m256 gt, __m256d *p0, __m256d *p1)
{
    const __m256 vz = _mm256_andnot_ps(gt, v), gz = _mm256_andnot_ps(gt, g);
    *p0 = _mm256_mul_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(vz)),
                        _mm256_cvtps_pd(_mm256_castps256_ps128(gz)));
    *p1 = _mm256_mul_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(vz, 1)),
                        _mm256_cvtps_pd(_mm256_extractf128_ps(gz, 1)));
}

/* One group of eight elements; r < 8 valid ones are loaded masked (the rest
 * read as +0, whose product is +0 — the padding kernels.h asks for). */
RELU__AVX2_INLINE void f32_avx2_pbwd(const float *x, const float *dy, float *dx, __m256 a,
                                     __m256d *p0, __m256d *p1)
{
    const __m256 v = _mm256_loadu_ps(x), g = _mm256_loadu_ps(dy);
    const __m256 gt = _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_GT_OQ);
    f32_avx2_prelu_prod(v, g, gt, p0, p1);
    _mm256_storeu_ps(dx, f32_avx2_prelu_dx(v, g, a, gt));
}

RELU__AVX2_INLINE void f32_avx2_pbwd_masked(const float *x, const float *dy, float *dx,
                                            __m256 a, __m256i m, __m256d *p0, __m256d *p1)
{
    const __m256 v = _mm256_maskload_ps(x, m), g = _mm256_maskload_ps(dy, m);
    const __m256 gt = _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_GT_OQ);
    f32_avx2_prelu_prod(v, g, gt, p0, p1);
    _mm256_maskstore_ps(dx, m, f32_avx2_prelu_dx(v, g, a, gt));
}

#define F32_PBWD_GROUP(x, dy, a, dx, p0, p1) f32_avx2_pbwd(x, dy, dx, a, p0, p1)
#define F32_PBWD_GROUP_MASKED(x, dy, a, dx, r, p0, p1) \
    f32_avx2_pbwd_masked(x, dy, dx, a, relu__avx2_tail_mask32(r), p0, p1)
#define F32_PBWD_GROUP_VEC_ALPHA(x, dy, ap, dx, p0, p1) \
    f32_avx2_pbwd(x, dy, dx, _mm256_loadu_ps(ap), p0, p1)
#define F32_PBWD_GROUP_VEC_ALPHA_MASKED(x, dy, ap, dx, r, p0, p1)                         \
    do {                                                                                 \
        const __m256i m__ = relu__avx2_tail_mask32(r);                                   \
        f32_avx2_pbwd_masked(x, dy, dx, _mm256_maskload_ps(ap, m__), m__, p0, p1);       \
    } while (0)

/* ------------------------------------------------ PReLU backward, f64 groups */

RELU__AVX2_INLINE __m256d f64_avx2_prelu_dx(__m256d v, __m256d g, __m256d a, __m256d gt)
{
    const __m256d neg = _mm256_blendv_pd(_mm256_mul_pd(a, g), g, _mm256_cmp_pd(g, g, _CMP_UNORD_Q));
    return _mm256_blendv_pd(_mm256_blendv_pd(v, neg, _mm256_cmp_pd(v, _mm256_setzero_pd(), _CMP_LE_OQ)),
                            g, gt);
}

/* One half-group of four elements: dx, and the dalpha products. */
RELU__AVX2_INLINE __m256d f64_avx2_pbwd4(__m256d v, __m256d g, __m256d a, __m256d *p)
{
    const __m256d gt = _mm256_cmp_pd(v, _mm256_setzero_pd(), _CMP_GT_OQ);
    *p = _mm256_andnot_pd(gt, _mm256_mul_pd(v, g));
    return f64_avx2_prelu_dx(v, g, a, gt);
}

RELU__AVX2_INLINE void f64_avx2_pbwd(const double *x, const double *dy, double *dx, __m256d a0,
                                     __m256d a1, __m256d *p0, __m256d *p1)
{
    const __m256d v0 = _mm256_loadu_pd(x), v1 = _mm256_loadu_pd(x + 4);
    const __m256d g0 = _mm256_loadu_pd(dy), g1 = _mm256_loadu_pd(dy + 4);
    const __m256d d0 = f64_avx2_pbwd4(v0, g0, a0, p0), d1 = f64_avx2_pbwd4(v1, g1, a1, p1);
    _mm256_storeu_pd(dx, d0);
    _mm256_storeu_pd(dx + 4, d1);
}

/* Masks for r (1..7) valid elements of a group: lanes < r, lanes < r - 4. */
RELU__AVX2_INLINE __m256i f64_avx2_group_mask(size_t r, int half)
{
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x((long long)r - 4 * half),
                              _mm256_setr_epi64x(0, 1, 2, 3));
}

RELU__AVX2_INLINE void f64_avx2_pbwd_masked(const double *x, const double *dy, double *dx,
                                            __m256d a0, __m256d a1, __m256i m0, __m256i m1,
                                            __m256d *p0, __m256d *p1)
{
    const __m256d v0 = _mm256_maskload_pd(x, m0), v1 = _mm256_maskload_pd(x + 4, m1);
    const __m256d g0 = _mm256_maskload_pd(dy, m0), g1 = _mm256_maskload_pd(dy + 4, m1);
    const __m256d d0 = f64_avx2_pbwd4(v0, g0, a0, p0), d1 = f64_avx2_pbwd4(v1, g1, a1, p1);
    _mm256_maskstore_pd(dx, m0, d0);
    _mm256_maskstore_pd(dx + 4, m1, d1);
}

#define F64_PBWD_GROUP(x, dy, a, dx, p0, p1) f64_avx2_pbwd(x, dy, dx, a, a, p0, p1)
#define F64_PBWD_GROUP_MASKED(x, dy, a, dx, r, p0, p1)                                    \
    f64_avx2_pbwd_masked(x, dy, dx, a, a, f64_avx2_group_mask(r, 0), f64_avx2_group_mask(r, 1), \
                         p0, p1)
#define F64_PBWD_GROUP_VEC_ALPHA(x, dy, ap, dx, p0, p1) \
    f64_avx2_pbwd(x, dy, dx, _mm256_loadu_pd(ap), _mm256_loadu_pd((ap) + 4), p0, p1)
#define F64_PBWD_GROUP_VEC_ALPHA_MASKED(x, dy, ap, dx, r, p0, p1)                         \
    do {                                                                                 \
        const __m256i m0__ = f64_avx2_group_mask(r, 0), m1__ = f64_avx2_group_mask(r, 1); \
        f64_avx2_pbwd_masked(x, dy, dx, _mm256_maskload_pd(ap, m0__),                    \
                             _mm256_maskload_pd((ap) + 4, m1__), m0__, m1__, p0, p1);    \
    } while (0)

/* ------------------------------------------------------------------- f32 */

#define T float
#define DT f32
#define V __m256
#define W 8
#define IM __m256i
#define LD _mm256_loadu_ps
#define ST _mm256_storeu_ps
#define NTST _mm256_stream_ps
#define MLD _mm256_maskload_ps
#define MST _mm256_maskstore_ps
#define TAILMASK relu__avx2_tail_mask32
#define SET1 _mm256_set1_ps
#define VZERO _mm256_setzero_ps()
#define VMUL _mm256_mul_ps
#define VADD _mm256_add_ps
#define VMAX _mm256_max_ps
#define VMIN _mm256_min_ps
#define VFNMA _mm256_fnmadd_ps
#define VFMA _mm256_fmadd_ps
#define VCMP _mm256_cmp_ps
#define VBLEND _mm256_blendv_ps
#define VAND _mm256_and_ps
#define VOR _mm256_or_ps
#define VANDN _mm256_andnot_ps
#define VMOVEMASK _mm256_movemask_ps
#define VFULLMASK 0xFF
#define SELU_L 0x1.0cfabep+0f
#define SELU_LA 0x1.c212ccp+0f
#define MIN_NORMAL 0x1p-126f /* smallest normal */
#define TANH_TINY 0x1p-12f  /* act_f32.inc: tanh(x) rounds to x below it */
#define VM(name) vm_f32_##name
#define EXP_NEAR RELU__F32_EXP_NEAR
#define TANH_NEAR RELU__F32_TANH_NEAR
#define PBWD_GROUP F32_PBWD_GROUP
#define PBWD_GROUP_MASKED F32_PBWD_GROUP_MASKED
#define PBWD_GROUP_VEC_ALPHA F32_PBWD_GROUP_VEC_ALPHA
#define PBWD_GROUP_VEC_ALPHA_MASKED F32_PBWD_GROUP_VEC_ALPHA_MASKED
/* act_<dt>.inc's forward stages, run block by block (STAGED_UNARY_LOOP). */
#define LANES(c) ((unsigned)_mm256_movemask_ps(c))
#define LANES_COUNT(m) ((unsigned)relu__avx2_lane_count[m])
#define PACK(dst, v, m) _mm256_storeu_ps((dst), relu__avx2_pack((v), (m)))
#define UNPACK(c, m, src) relu__avx2_unpack((c), (m), _mm256_loadu_ps(src))
#define RELU__STAGED 1
#include "float_avx2.inc"
#undef RELU__STAGED
#undef LANES
#undef LANES_COUNT
#undef PACK
#undef UNPACK
#undef EXP_NEAR
#undef TANH_NEAR
#undef T
#undef DT
#undef V
#undef W
#undef IM
#undef LD
#undef ST
#undef NTST
#undef MLD
#undef MST
#undef TAILMASK
#undef SET1
#undef VZERO
#undef VMUL
#undef VADD
#undef VMAX
#undef VMIN
#undef VFNMA
#undef VFMA
#undef VCMP
#undef VBLEND
#undef VAND
#undef VOR
#undef VANDN
#undef VMOVEMASK
#undef VFULLMASK
#undef SELU_L
#undef SELU_LA
#undef MIN_NORMAL
#undef TANH_TINY
#undef VM
#undef PBWD_GROUP
#undef PBWD_GROUP_MASKED
#undef PBWD_GROUP_VEC_ALPHA
#undef PBWD_GROUP_VEC_ALPHA_MASKED

/* ------------------------------------------------------------------- f64 */

#define T double
#define DT f64
#define V __m256d
#define W 4
#define IM __m256i
#define LD _mm256_loadu_pd
#define ST _mm256_storeu_pd
#define NTST _mm256_stream_pd
#define MLD _mm256_maskload_pd
#define MST _mm256_maskstore_pd
#define TAILMASK relu__avx2_tail_mask64
#define SET1 _mm256_set1_pd
#define VZERO _mm256_setzero_pd()
#define VMUL _mm256_mul_pd
#define VADD _mm256_add_pd
#define VMAX _mm256_max_pd
#define VMIN _mm256_min_pd
#define VFNMA _mm256_fnmadd_pd
#define VFMA _mm256_fmadd_pd
#define VCMP _mm256_cmp_pd
#define VBLEND _mm256_blendv_pd
#define VAND _mm256_and_pd
#define VOR _mm256_or_pd
#define VANDN _mm256_andnot_pd
#define VMOVEMASK _mm256_movemask_pd
#define VFULLMASK 0xF
#define SELU_L 0x1.0cfabd6a91132p+0
#define SELU_LA 0x1.c212cc640f031p+0
#define MIN_NORMAL 0x1p-1022
#define TANH_TINY 0x1p-27 /* act_f64.inc */
#define VM(name) vm_f64_##name
#define EXP_NEAR RELU__F64_EXP_NEAR
#define TANH_NEAR RELU__F64_TANH_NEAR
#define PBWD_GROUP F64_PBWD_GROUP
#define PBWD_GROUP_MASKED F64_PBWD_GROUP_MASKED
#define PBWD_GROUP_VEC_ALPHA F64_PBWD_GROUP_VEC_ALPHA
#define PBWD_GROUP_VEC_ALPHA_MASKED F64_PBWD_GROUP_VEC_ALPHA_MASKED
/* Two mask bits a lane (relu__avx2_lane_perm). */
#define LANES(c) ((unsigned)_mm256_movemask_ps(_mm256_castpd_ps(c)))
#define LANES_COUNT(m) ((unsigned)relu__avx2_lane_count[m] / 2)
#define PACK(dst, v, m)                                                        \
    _mm256_storeu_pd((dst), _mm256_castps_pd(relu__avx2_pack(_mm256_castpd_ps(v), (m))))
#define UNPACK(c, m, src)                                                      \
    _mm256_castps_pd(relu__avx2_unpack(_mm256_castpd_ps(c), (m),               \
                                       _mm256_castpd_ps(_mm256_loadu_pd(src))))
#define RELU__STAGED 1
#include "float_avx2.inc"
#undef RELU__STAGED
#undef LANES
#undef LANES_COUNT
#undef PACK
#undef UNPACK
