/*
 * The AVX-512 tier's int8 kernels (F+BW+DQ+VL, compiled with those flags).
 * The kernels that look bytes up in 256-entry tables live in s8_avx512.inc,
 * instantiated twice: with VBMI (vpermi2b, registered when the CPU has it)
 * and without (vpshufb). Bit-identical to src/scalar/s8_scalar.c:
 *
 *  - lookups return table bytes, and every table here is built with the
 *    scalar kernel's own arithmetic, so looking up equals computing;
 *  - float and double arithmetic is the scalar kernels' operation for
 *    operation (one multiply, one divide ...), each IEEE-rounded the same way,
 *    and round-half-even to an integer is a conversion with explicit
 *    round-to-nearest-even, which equals the scalar "clamp to +-512, add and
 *    subtract 1.5*2^p" for every value whose result is not saturated anyway;
 *  - int8 saturation is the pack instructions' signed saturation;
 *  - the PReLU forward's float arithmetic is not the scalar operations: its
 *    results are kept only where they are proven to round like the scalar
 *    double ones (s8_simd.inc, "PReLU forward in float, checked"), the rest
 *    are the scalar arithmetic's.
 *
 * How each kernel finds its speed (every choice below changes no result):
 *  - s8_lut: one 256-entry lookup per 64 bytes;
 *  - s8_grad: with at most four distinct factors (relu, leaky, clipped) dx
 *    is a per-class 256-entry function of dy, looked up; otherwise the
 *    factors are looked up as four byte planes (VBMI: of x clamped to the
 *    factor window, one permute each, when the window spans <= 128 values)
 *    and the float math is done;
 *  - PReLU forward: a channel with enough elements gets its 256-entry map
 *    (the alpha-free half built once per call, or the call's cached maps);
 *    channels-last boxes with many rows look each vector up in the maps of
 *    its lanes' channels when they are at most 8, else 16 vectors are
 *    transposed as 16x16 dwords so that a vector holds at most 4 (VBMI:
 *    vpermi2b; F+BW: two vpermi2w and a byte select) when the maps are
 *    cached or the rows pay for building them; other channels-last boxes
 *    take the float arithmetic checked against a rounding margin (or
 *    patched, s8_simd.inc), 16 lanes at a time; the rest is the double
 *    arithmetic, 8 lanes at a time;
 *  - PReLU backward: per channel two dy tables (VBMI) or the float math with
 *    per-lane factors, and the int64 channel sums from int16 products.
 *
 * Tails use masked loads and stores: no byte outside a buffer is touched.
 */
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../kernels.h"
#include "../s8_tables.h"
#include "s8_x86.h"

#define S8_INLINE static inline __attribute__((always_inline))

/* ------------------------------------------------------------ small helpers */

S8_INLINE __mmask64 s8_mask(size_t r)
{
    return r >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << r) - 1);
}

/*
 * Loads and stores of the `left` bytes from p on (all 64 if left >= 64).
 * Only partial vectors use masks: on this CPU (Zen 5) a byte-masked store
 * with a full mask streams to DRAM at half the rate of a plain store (a
 * 16 MiB copy loop, one 64-byte vector per step, median of 7: vmovdqu8 with
 * an all-ones mask 21.6 GB/s, vmovdqu64 47.9 GB/s; at 1 MiB 111 vs 115).
 */
S8_INLINE __m512i s8_ld(const int8_t *p, size_t left)
{
    return left >= 64 ? _mm512_loadu_si512(p) : _mm512_maskz_loadu_epi8(s8_mask(left), p);
}

/* ... with `fill` in the bytes past the end */
S8_INLINE __m512i s8_ld_fill(const int8_t *p, size_t left, __m512i fill)
{
    return left >= 64 ? _mm512_loadu_si512(p) : _mm512_mask_loadu_epi8(fill, s8_mask(left), p);
}

S8_INLINE void s8_st(int8_t *p, __m512i v, size_t left)
{
    if (left >= 64)
        _mm512_storeu_si512(p, v);
    else
        _mm512_mask_storeu_epi8(p, s8_mask(left), v);
}

/* The vocabulary of s8_simd.inc (the code shared with s8_avx2.c). */
#define S8_W 64
#define S8_MAP_CHUNK 16
#define S8_PLAN_K 2
/* no step ramp loop: one more shaped loop in this function cost F+BW leaky
 * and elu 8-20% at 64 KiB (the compiler's layout and spills of the other
 * loops), more than selu gained (x1.10) */
#define S8_PLAN_STEP 0
typedef __m512i s8v;
typedef __m512d s8d;
typedef __m256i s8di;
typedef __m512i s8i;
#define S8V_SET1(b) _mm512_set1_epi8((char)(b))
#define S8V_BCAST128(m) _mm512_broadcast_i32x4(m)
#define S8V_ADD8 _mm512_add_epi8
#define S8V_AND _mm512_and_si512
#define S8V_XOR _mm512_xor_si512
#define S8V_MIN8 _mm512_min_epi8
#define S8V_MAX8 _mm512_max_epi8
#define S8V_SHUF _mm512_shuffle_epi8
#define S8V_STREAM(p, v) _mm512_stream_si512((void *)(p), v)
#define S8V_SEL7(a, b, s) _mm512_mask_blend_epi8(_mm512_movepi8_mask(s), a, b)
#define S8V_SRL16_4(v) _mm512_srli_epi16(v, 4)
#define S8V_ADDS8 _mm512_adds_epi8
#define S8V_SUBSU8 _mm512_subs_epu8
#define S8V_INC_GT(y, a, b) \
    _mm512_mask_subs_epi8(y, _mm512_cmpgt_epi8_mask(a, b), y, _mm512_set1_epi8(-1))
#define S8V_FROM_BITS(p) _mm512_movm_epi8((__mmask64)*(p))
/* Round half to even, exceptions suppressed: the caller's rounding mode is
 * never read and no flag is raised (the small calls below rely on it). */
#define S8_RNE (_MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
#define S8D_SET1 _mm512_set1_pd
#define S8D_MUL(a, b) _mm512_mul_round_pd(a, b, S8_RNE)
#define S8D_DIV(a, b) _mm512_div_round_pd(a, b, S8_RNE)
#define S8D_MIN(a, b) _mm512_min_round_pd(a, b, _MM_FROUND_NO_EXC)
#define S8D_MAX(a, b) _mm512_max_round_pd(a, b, _MM_FROUND_NO_EXC)
#define S8D_RNE(t) _mm512_cvt_roundpd_epi32(t, S8_RNE)
#define S8I_SET1 _mm512_set1_epi32
#define S8I_MULLO _mm512_mullo_epi32
#define S8I_SUB _mm512_sub_epi32
#define S8I_SRL16(v) _mm512_srli_epi32(v, 16)

S8_INLINE uint64_t s8_eq64(const float *f, uint32_t bits)
{
    const __m512i c = _mm512_set1_epi32((int)bits);
    uint64_t m = 0;
    int s;
    for (s = 0; s < 4; s++)
        m |= (uint64_t)_mm512_cmpeq_epi32_mask(_mm512_loadu_si512(f + 16 * s), c) << (16 * s);
    return m;
}

#include "s8_simd.inc"

/* S8_RNE (above) rounds the backward's float arithmetic too, so the VBMI
 * s8_grad needs no environment (kernels.h s8_grad_any_fpenv). DAZ/FTZ still
 * apply, and change nothing: they only touch products below 2^-126 in
 * magnitude, which round to dx's zero point either way, and never an
 * operand (dy is an integer, a subnormal factor times it is such a
 * product). */

/* A 4x4 transpose of 128-bit lanes: lane L of p[j] is lane j of a_L. */
S8_INLINE void s8_tr4x128(__m512i a0, __m512i a1, __m512i a2, __m512i a3, __m512i p[4])
{
    const __m512i t0 = _mm512_shuffle_i64x2(a0, a1, 0x44), t1 = _mm512_shuffle_i64x2(a0, a1, 0xEE);
    const __m512i t2 = _mm512_shuffle_i64x2(a2, a3, 0x44), t3 = _mm512_shuffle_i64x2(a2, a3, 0xEE);
    p[0] = _mm512_shuffle_i64x2(t0, t2, 0x88);
    p[1] = _mm512_shuffle_i64x2(t0, t2, 0xDD);
    p[2] = _mm512_shuffle_i64x2(t1, t3, 0x88);
    p[3] = _mm512_shuffle_i64x2(t1, t3, 0xDD);
}

/* z[r] dword c <-> z[c] dword r (its own inverse): dwords paired, then
 * quadwords, within 128-bit lanes, then the lanes (s8_tr4x128). */
S8_INLINE void s8_tr16x32(__m512i z[16])
{
    __m512i sq[4][4];
    int q, m;
    for (q = 0; q < 4; q++) {
        const __m512i lo01 = _mm512_unpacklo_epi32(z[4 * q], z[4 * q + 1]);
        const __m512i hi01 = _mm512_unpackhi_epi32(z[4 * q], z[4 * q + 1]);
        const __m512i lo23 = _mm512_unpacklo_epi32(z[4 * q + 2], z[4 * q + 3]);
        const __m512i hi23 = _mm512_unpackhi_epi32(z[4 * q + 2], z[4 * q + 3]);
        sq[0][q] = _mm512_unpacklo_epi64(lo01, lo23);
        sq[1][q] = _mm512_unpackhi_epi64(lo01, lo23);
        sq[2][q] = _mm512_unpacklo_epi64(hi01, hi23);
        sq[3][q] = _mm512_unpackhi_epi64(hi01, hi23);
    }
    for (m = 0; m < 4; m++) {
        __m512i p[4];
        int k;
        s8_tr4x128(sq[m][0], sq[m][1], sq[m][2], sq[m][3], p);
        for (k = 0; k < 4; k++)
            z[4 * k + m] = p[k];
    }
}

/*
 * 64 floats (four vectors of 16, in order) as four byte planes: byte j of
 * plane k is byte k of float j. Per 128-bit lane a byte shuffle groups the
 * bytes by plane, a dword permute gathers each plane's 16 bytes into one
 * lane, and a 4x4 transpose of 128-bit lanes finishes.
 */
S8_INLINE void s8_float_planes(const __m512i f[4], __m512i p[4])
{
    const __m512i by_plane = _mm512_broadcast_i32x4(
        _mm_setr_epi8(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15));
    const __m512i gather = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
    __m512i a[4];
    int i;
    for (i = 0; i < 4; i++)
        a[i] = _mm512_permutexvar_epi32(gather, _mm512_shuffle_epi8(f[i], by_plane));
    s8_tr4x128(a[0], a[1], a[2], a[3], p);
}

/*
 * Four byte planes of 64 floats back to floats, in "unpack order": f[g]
 * holds, in each 128-bit lane l, the floats of bytes 16l+4g .. 16l+4g+3.
 * Everything else below that works on dword lanes uses the same order, and
 * the final packs (which interleave per 128-bit lane the same way) undo it.
 */
S8_INLINE void s8_planes_to_floats(__m512i b0, __m512i b1, __m512i b2, __m512i b3, __m512 f[4])
{
    const __m512i lo01 = _mm512_unpacklo_epi8(b0, b1), hi01 = _mm512_unpackhi_epi8(b0, b1);
    const __m512i lo23 = _mm512_unpacklo_epi8(b2, b3), hi23 = _mm512_unpackhi_epi8(b2, b3);
    f[0] = _mm512_castsi512_ps(_mm512_unpacklo_epi16(lo01, lo23));
    f[1] = _mm512_castsi512_ps(_mm512_unpackhi_epi16(lo01, lo23));
    f[2] = _mm512_castsi512_ps(_mm512_unpacklo_epi16(hi01, hi23));
    f[3] = _mm512_castsi512_ps(_mm512_unpackhi_epi16(hi01, hi23));
}

/* Bytes 0-7 (lo) and 8-15 (hi) of each 128-bit lane, sign-extended to int16,
 * minus zp (exact: |result| <= 255). */
S8_INLINE __m512i s8_lo16(__m512i v, __m512i zp16)
{
    return _mm512_sub_epi16(_mm512_srai_epi16(_mm512_unpacklo_epi8(v, v), 8), zp16);
}

S8_INLINE __m512i s8_hi16(__m512i v, __m512i zp16)
{
    return _mm512_sub_epi16(_mm512_srai_epi16(_mm512_unpackhi_epi8(v, v), 8), zp16);
}

/*
 * The canonical gradient of 64 elements: dlo/dhi are dy - dy_zero_point as
 * int16 (s8_lo16/s8_hi16 order), f the factors in unpack order.
 *   t = (float)d * factor        one rounding, as the scalar
 *   dx = sat(rhe(t) + dx_zp)     rhe by conversion; |t| <= 255 * 65536 fits
 *                                int32, and beyond +-512 the scalar clamp
 *                                saturates exactly like the packs do.
 */
/* Sixteen lanes of it, d = dy - dy_zp as int32: rhe_f32(t) + dx_zp, unsaturated. */
S8_INLINE __m512i s8_grad16(__m512i d, __m512 f, __m512i dx_zp)
{
    const __m512 t = _mm512_mul_round_ps(_mm512_cvt_roundepi32_ps(d, S8_RNE), f, S8_RNE);
    return _mm512_add_epi32(_mm512_cvt_roundps_epi32(t, S8_RNE), dx_zp);
}

S8_INLINE __m512i s8_grad_core(const __m512 f[4], __m512i dlo, __m512i dhi, __m512i dx_zp)
{
    __m512i d[4], r[4];
    int g;
    d[0] = _mm512_srai_epi32(_mm512_unpacklo_epi16(dlo, dlo), 16);
    d[1] = _mm512_srai_epi32(_mm512_unpackhi_epi16(dlo, dlo), 16);
    d[2] = _mm512_srai_epi32(_mm512_unpacklo_epi16(dhi, dhi), 16);
    d[3] = _mm512_srai_epi32(_mm512_unpackhi_epi16(dhi, dhi), 16);
    for (g = 0; g < 4; g++)
        r[g] = s8_grad16(d[g], f[g], dx_zp);
    return _mm512_packs_epi16(_mm512_packs_epi32(r[0], r[1]), _mm512_packs_epi32(r[2], r[3]));
}

/*
 * dx as a function of dy alone for one factor f, as a 256-entry table
 * indexed by (uint8_t)dy: the canonical gradient of the 256 dy values.
 * s8_iota + 128 holds dy = 0..127, s8_iota dy = -128..-1.
 */
S8_INLINE void s8_dy_table(uint32_t fbits, __m512i dy_zp16, __m512i dx_zp32, __m512i g[4])
{
    float fv;
    __m512 f[4];
    int w;
    memcpy(&fv, &fbits, sizeof fv);
    f[0] = f[1] = f[2] = f[3] = _mm512_set1_ps(fv);
    for (w = 0; w < 4; w++) {
        const __m512i d = _mm512_load_si512(s8_iota + ((64 * w + 128) & 255));
        g[w] = s8_grad_core(f, s8_lo16(d, dy_zp16), s8_hi16(d, dy_zp16), dx_zp32);
    }
}

/* Below this many elements the per-call set-up of the class tables costs
 * more than it saves. */
#define S8_FEW_MIN 1024

/* ----------------------------------------------------- PReLU forward math */

/*
 * Eight elements of s8_prelu_forward__scalar's prelu_fwd_one, xi = x - x_zp:
 *   v = x_scale * xi                    exact
 *   f = v > 0 ? v : a * v               (v > 0 iff xi > 0; v * 1 == v)
 *   f = f == f ? f : 0
 *   t = f / y_scale, clamped to +-512, round half even (before the zero
 *   point, as rhe_f64), as int32.
 */
S8_INLINE __m256i s8_pf8(__m256i xi, __m512d a, const s8_pf *k)
{
    const __mmask8 pos = _mm256_cmpgt_epi32_mask(xi, _mm256_setzero_si256());
    const __m512d v = S8D_MUL(k->xs, _mm512_cvtepi32_pd(xi));
    __m512d f = S8D_MUL(_mm512_mask_blend_pd(pos, a, k->one), v);
    f = _mm512_maskz_mov_pd(_mm512_cmp_round_pd_mask(f, f, _CMP_ORD_Q, _MM_FROUND_NO_EXC), f);
    return s8_pf_quot(f, k);
}

/* Sixteen elements; a_lo for the first eight, a_hi for the rest. */
S8_INLINE __m128i s8_pf16(__m128i x, __m512d a_lo, __m512d a_hi, const s8_pf *k)
{
    const __m512i xi = _mm512_sub_epi32(_mm512_cvtepi8_epi32(x), k->x_zp);
    const __m256i r0 = s8_pf8(_mm512_castsi512_si256(xi), a_lo, k);
    const __m256i r1 = s8_pf8(_mm512_extracti64x4_epi64(xi, 1), a_hi, k);
    const __m512i r = _mm512_inserti64x4(_mm512_castsi256_si512(r0), r1, 1);
    return _mm512_cvtsepi32_epi8(_mm512_add_epi32(r, k->y_zp));
}

/* Sixteen map entries with x <= x_zp (v = x_scale * xi given): f = a * v,
 * and the NaN test only for an alpha that is not finite. */
S8_INLINE __m128i s8_pf16_neg(__m512d v0, __m512d v1, __m512d a, int finite, const s8_pf *k)
{
    __m512d f0 = _mm512_mul_pd(a, v0), f1 = _mm512_mul_pd(a, v1);
    __m512i r;
    if (!finite) {
        f0 = _mm512_maskz_mov_pd(_mm512_cmp_pd_mask(f0, f0, _CMP_ORD_Q), f0);
        f1 = _mm512_maskz_mov_pd(_mm512_cmp_pd_mask(f1, f1, _CMP_ORD_Q), f1);
    }
    r = _mm512_inserti64x4(_mm512_castsi256_si512(s8_pf_quot(f0, k)), s8_pf_quot(f1, k), 1);
    return _mm512_cvtsepi32_epi8(_mm512_add_epi32(r, k->y_zp));
}

/*
 * The fast form of s8_pf8 (the same reasoning as s8_pf16_neg_fast): when
 * y_scale is a power of two, every alpha is finite and |alpha| (and 1, the
 * factor of x > x_zp) times max|x_real / y_scale| is at most 2^29,
 * t = (xi > 0 ? 1 : a) * (xi * sc) with sc = x_scale / y_scale (exact) is
 * f / y_scale exactly, finite, not NaN, and needs no clamp before the final
 * saturation.
 */
S8_INLINE __m256i s8_pf8_fast(__m256i xi, __m512d a, __m512d sc, const s8_pf *k)
{
    const __mmask8 pos = _mm256_cmpgt_epi32_mask(xi, _mm256_setzero_si256());
    const __m512d vs = _mm512_mul_pd(_mm512_cvtepi32_pd(xi), sc);
    return _mm512_cvt_roundpd_epi32(_mm512_mul_pd(_mm512_mask_blend_pd(pos, a, k->one), vs), S8_RNE);
}

S8_INLINE __m128i s8_pf16_fast(__m128i x, __m512d a_lo, __m512d a_hi, __m512d sc, const s8_pf *k)
{
    const __m512i xi = _mm512_sub_epi32(_mm512_cvtepi8_epi32(x), k->x_zp);
    const __m256i r0 = s8_pf8_fast(_mm512_castsi512_si256(xi), a_lo, sc, k);
    const __m256i r1 = s8_pf8_fast(_mm512_extracti64x4_epi64(xi, 1), a_hi, sc, k);
    const __m512i r = _mm512_inserti64x4(_mm512_castsi256_si512(r0), r1, 1);
    return _mm512_cvtsepi32_epi8(_mm512_add_epi32(r, k->y_zp));
}

/* Whether the box's alphas (alpha[0..chans)) all allow the fast form; sc
 * as above. One pass per call. */
S8_INLINE int s8_pf_box_fast(const float *alpha, size_t chans, const s8_pf *k,
                             const relu__s8_prelu_quant *q, __m512d *sc)
{
    const double vmax = q->x_scale * 255.0 / q->y_scale;
    const __m512d vm = _mm512_set1_pd(vmax), lim = _mm512_set1_pd(0x1p29);
    size_t c;
    *sc = _mm512_mul_pd(k->xs, k->rcp);
    if (!k->pow2 || !(vmax <= 0x1p29))
        return 0;
    for (c = 0; c < chans; c += 8) {
        const size_t left = chans - c;
        const __mmask8 m = (__mmask8)(left >= 8 ? 0xFFu : (1u << left) - 1u);
        const __m512d a = _mm512_abs_pd(_mm512_cvtps_pd(_mm256_maskz_loadu_ps(m, alpha + c)));
        /* a NaN or an infinity fails the compare */
        if (_mm512_mask_cmp_pd_mask(m, _mm512_mul_pd(a, vm), lim, _CMP_LE_OQ) != m)
            return 0;
    }
    return 1;
}

/* The 16-lane groups that hold the first `len` lanes of 64 (a short strip
 * computes only those: s8_pf64, s8_strip_spread). */
S8_INLINE int s8_groups16(size_t len)
{
    return len >= 64 ? 4 : (int)((len + 15) / 16);
}

/* 64 elements, a[j] the alphas of elements 8j..8j+7; fast and sc from
 * s8_pf_box_fast. Only the first `groups` (s8_groups16) sixteens are
 * computed, the other bytes are 0: a short run pays for its own lanes. */
S8_INLINE __m512i s8_pf64(__m512i v, const __m512d a[8], const s8_pf *k, int fast, __m512d sc,
                          int groups)
{
    __m128i x[4], c[4];
    int j;
    x[0] = _mm512_castsi512_si128(v);
    x[1] = _mm512_extracti32x4_epi32(v, 1);
    x[2] = _mm512_extracti32x4_epi32(v, 2);
    x[3] = _mm512_extracti32x4_epi32(v, 3);
    for (j = 0; j < 4; j++)
        c[j] = j >= groups ? _mm_setzero_si128()
               : fast      ? s8_pf16_fast(x[j], a[2 * j], a[2 * j + 1], sc, k)
                           : s8_pf16(x[j], a[2 * j], a[2 * j + 1], k);
    return _mm512_inserti32x4(
        _mm512_inserti32x4(_mm512_inserti32x4(_mm512_castsi128_si512(c[0]), c[1], 1), c[2], 2),
        c[3], 3);
}


/*
 * The checked float form (s8_simd.inc, "PReLU forward in float, checked"),
 * 64 elements in the unpack order of s8_planes_to_floats: group g holds,
 * in 128-bit lane l, elements 16l+4g .. 16l+4g+3, and the packs put them
 * back. xi becomes a float without conversion (2^23 + u - (2^23 + 128 +
 * x_zp), exact), its sign picks k (xi == 0 is +0: k_pos, 0 either way), and
 * a group of sixteen with any lane within the margin of a half-integer is
 * computed in double (s8_pf8) instead.
 */
typedef struct s8_pff {
    __m512 kpos, bias, thr; /* k_pos; 2^23 + 128 + x_zp; 0.5 - margin */
    __m512i y_zp16;
} s8_pff;

S8_INLINE void s8_pff_init(s8_pff *f, const relu__s8_prelu_quant *q, double ratio)
{
    f->kpos = _mm512_set1_ps(s8_pff_k(1.0f, ratio));
    f->bias = _mm512_set1_ps((float)(8388608 + 128 + q->x_zero_point));
    f->thr = _mm512_set1_ps(0.5f - S8_PFF_MARGIN);
    f->y_zp16 = _mm512_set1_epi16((short)q->y_zero_point);
}

/* The x <= x_zp factors (kn) and the alphas (aa, eight a vector) of the
 * 64 lanes in unpack order, from the lanes' alphas la in element order. */
S8_INLINE void s8_pff_lanes(const float la[64], double ratio, __m512 kn[4], __m512d aa[8])
{
    float kl[64], al[64];
    int g, p;
    for (g = 0; g < 4; g++)
        for (p = 0; p < 16; p++) {
            const float a = la[16 * (p / 4) + 4 * g + p % 4];
            kl[16 * g + p] = s8_pff_k(a, ratio);
            al[16 * g + p] = a;
        }
    for (g = 0; g < 4; g++) {
        kn[g] = _mm512_loadu_ps(kl + 16 * g);
        aa[2 * g] = _mm512_cvtps_pd(_mm256_loadu_ps(al + 16 * g));
        aa[2 * g + 1] = _mm512_cvtps_pd(_mm256_loadu_ps(al + 16 * g + 8));
    }
}

/* Group g: xi as a float, the rounded F, and the lanes failing the margin. */
S8_INLINE __m512i s8_pff16(__m512i v, int g, __m512 kn, const s8_pff *f, __m512 *xf,
                           __mmask16 *bad)
{
    const __m512i sel = _mm512_broadcast_i32x4(_mm_setr_epi8(
        (char)(4 * g), -1, -1, -1, (char)(4 * g + 1), -1, -1, -1, (char)(4 * g + 2), -1, -1, -1,
        (char)(4 * g + 3), -1, -1, -1));
    __m512 F;
    *xf = _mm512_sub_ps(_mm512_castsi512_ps(_mm512_xor_si512(_mm512_shuffle_epi8(v, sel),
                                                             _mm512_set1_epi32(0x4B000080))),
                        f->bias);
    F = _mm512_mul_ps(*xf, _mm512_mask_blend_ps(_mm512_movepi32_mask(_mm512_castps_si512(*xf)),
                                                f->kpos, kn));
    /* F - rne(F); not below the threshold in magnitude, or unordered */
    *bad = _mm512_cmp_ps_mask(_mm512_abs_ps(_mm512_reduce_ps(F, _MM_FROUND_TO_NEAREST_INT |
                                                                  _MM_FROUND_NO_EXC)),
                              f->thr, _CMP_NLT_UQ);
    return _mm512_cvt_roundps_epi32(F, S8_RNE);
}

S8_INLINE __m512i s8_pff_pack(__m512i r0, __m512i r1, __m512i r2, __m512i r3, const s8_pff *f)
{
    return _mm512_packs_epi16(_mm512_adds_epi16(_mm512_packs_epi32(r0, r1), f->y_zp16),
                              _mm512_adds_epi16(_mm512_packs_epi32(r2, r3), f->y_zp16));
}

/* A vector with a lane that fails: its failing groups in double, out of line. */
static __attribute__((noinline)) __m512i s8_pff64_exact(__m512i v, const __m512 kn[4],
                                                        const __m512d aa[8], const s8_pff *f,
                                                        const s8_pf *k)
{
    __m512i r[4];
    int g;
    for (g = 0; g < 4; g++) {
        __m512 xf;
        __mmask16 bad;
        r[g] = s8_pff16(v, g, kn[g], f, &xf, &bad);
        if (bad != 0) {
            const __m512i xi = _mm512_cvt_roundps_epi32(xf, S8_RNE);
            r[g] = _mm512_inserti64x4(
                _mm512_castsi256_si512(s8_pf8(_mm512_castsi512_si256(xi), aa[2 * g], k)),
                s8_pf8(_mm512_extracti64x4_epi64(xi, 1), aa[2 * g + 1], k), 1);
        }
    }
    return s8_pff_pack(r[0], r[1], r[2], r[3], f);
}

S8_INLINE __m512i s8_pff64(__m512i v, const __m512 kn[4], const __m512d aa[8], const s8_pff *f,
                           const s8_pf *k)
{
    __m512 xf;
    __mmask16 b0, b1, b2, b3;
    const __m512i r0 = s8_pff16(v, 0, kn[0], f, &xf, &b0);
    const __m512i r1 = s8_pff16(v, 1, kn[1], f, &xf, &b1);
    const __m512i r2 = s8_pff16(v, 2, kn[2], f, &xf, &b2);
    const __m512i r3 = s8_pff16(v, 3, kn[3], f, &xf, &b3);
    if (__builtin_expect((b0 | b1 | b2 | b3) != 0, 0))
        return s8_pff64_exact(v, kn, aa, f, k);
    return s8_pff_pack(r0, r1, r2, r3, f);
}

/* 64 elements: np < 0 the tested s8_pff64, 0 untested, 1 untested and
 * patched (s8_simd.inc, s8_pff_patch). */
S8_INLINE __m512i s8_pff_vec(__m512i v, const __m512 kn[4], const __m512d aa[8],
                             const s8_pff *f, const s8_pf *k, const s8_pff_patch *pt,
                             const int np)
{
    __m512i r[4], res;
    int g;
    if (np < 0)
        return s8_pff64(v, kn, aa, f, k);
    for (g = 0; g < 4; g++) {
        __m512 xf;
        __mmask16 bad;
        r[g] = s8_pff16(v, g, kn[g], f, &xf, &bad); /* bad unused: no test */
    }
    res = s8_pff_pack(r[0], r[1], r[2], r[3], f);
    if (np > 0)
        for (g = 0; g < pt->n; g++)
            res = _mm512_mask_blend_epi8(_mm512_cmpeq_epi8_mask(v, pt->x[g]), res, pt->y[g]);
    return res;
}

/* A strip's rows (or, packed, every vector), np as in s8_pff_vec. */
S8_INLINE void s8_pff_rows(const int8_t *x, int8_t *y, const relu__box *b, int layout, size_t p0,
                           size_t w, const __m512 kn[4], const __m512d aa[8], const s8_pff *f,
                           const s8_pf *k, const s8_pff_patch *pt, const int np)
{
    const size_t row = b->chans * b->len;
    if (layout == S8_PACKED) {
        const size_t total = b->rows * row;
        size_t off;
        for (off = 0; off < total; off += w) {
            const size_t left = total - off, ww = left < w ? left : w;
            s8_st(y + off, s8_pff_vec(s8_ld(x + off, ww), kn, aa, f, k, pt, np), ww);
        }
    } else {
        size_t r;
        for (r = 0; r < b->rows; r++) {
            const size_t off = r * b->row_stride + p0;
            s8_st(y + off, s8_pff_vec(s8_ld(x + off, w), kn, aa, f, k, pt, np), w);
        }
    }
}

/*
 * A channel's map in x order (tab[x + 128]): the entries x > x_zp do not
 * depend on alpha and are built once (s8_pf_map_init, into pos); then per
 * channel the nneg 16-entry chunks holding an x <= x_zp, the first nfull of
 * them holding nothing else (s8_pf16_neg from the precomputed v).
 */
typedef struct s8_pf_maps {
    int8_t pos[256] __attribute__((aligned(64))); /* zeros where alpha matters */
    __m512d v[32];
    __m512d vs[32]; /* v / y_scale, exact, when y_scale is a power of two */
    double vmax;    /* the largest |vs| */
    size_t nneg, nfull;
} s8_pf_maps;

S8_INLINE void s8_pf_map_init(s8_pf_maps *m, const s8_pf *k, int32_t x_zp)
{
    const size_t K = (size_t)(x_zp + 129);
    size_t s;
    m->nneg = (K + 15) / 16;
    m->nfull = K / 16;
    for (s = 0; s < m->nneg; s++)
        _mm_store_si128((__m128i *)(m->pos + 16 * s), _mm_setzero_si128());
    for (s = m->nneg; s < 16; s++)
        _mm_store_si128((__m128i *)(m->pos + 16 * s),
                        s8_pf16(_mm_load_si128((const __m128i *)(s8_iota + 16 * s)), k->one,
                                k->one, k));
    for (s = 0; s < 2 * m->nfull; s++) {
        m->v[s] = _mm512_mul_pd(
            k->xs, _mm512_cvtepi32_pd(_mm256_sub_epi32(
                       _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(s8_iota + 8 * s))),
                       _mm512_castsi512_si256(k->x_zp))));
        m->vs[s] = _mm512_mul_pd(m->v[s], k->rcp);
    }
    /* |x - x_zp| <= 128 + x_zp where x <= x_zp */
    m->vmax = _mm512_cvtsd_f64(k->xs) * (double)(128 + x_zp) * _mm512_cvtsd_f64(k->rcp);
}

/*
 * Sixteen map entries with x <= x_zp when y_scale is a power of two and
 * |alpha| * vmax <= 2^29: t = alpha * vs is f / y_scale exactly (a scaling
 * by a power of two commutes with the rounding of alpha * v: no result is
 * subnormal or infinite for float operands), finite, and far inside int32,
 * so the clamp to +-512 can be left to the final saturation (any |t| > 512
 * saturates either way).
 */
S8_INLINE __m128i s8_pf16_neg_fast(__m512d vs0, __m512d vs1, __m512d a, const s8_pf *k)
{
    const __m256i r0 = _mm512_cvt_roundpd_epi32(_mm512_mul_pd(a, vs0), S8_RNE);
    const __m256i r1 = _mm512_cvt_roundpd_epi32(_mm512_mul_pd(a, vs1), S8_RNE);
    const __m512i r = _mm512_inserti64x4(_mm512_castsi256_si512(r0), r1, 1);
    return _mm512_cvtsepi32_epi8(_mm512_add_epi32(r, k->y_zp));
}

/* Chunk s (16 entries, x order) of the channel's map, s < nneg. */
S8_INLINE __m128i s8_pf_chunk(const s8_pf_maps *m, const s8_pf *k, __m512d a, int fin, int fast,
                              size_t s)
{
    if (s >= m->nfull)
        return s8_pf16(_mm_load_si128((const __m128i *)(s8_iota + 16 * s)), a, a, k);
    if (fast)
        return s8_pf16_neg_fast(m->vs[2 * s], m->vs[2 * s + 1], a, k);
    return s8_pf16_neg(m->v[2 * s], m->v[2 * s + 1], a, fin, k);
}

S8_INLINE int s8_pf_fast(const s8_pf_maps *m, const s8_pf *k, float alpha)
{
    const double ad = (double)alpha;
    return k->pow2 && s8_finite(alpha) && (ad < 0 ? -ad : ad) * m->vmax <= 0x1p29;
}

/* The channel's map in x order (tab[x + 128]). */
S8_INLINE void s8_pf_map(const s8_pf_maps *m, const s8_pf *k, float alpha, int8_t *tab)
{
    const __m512d a = _mm512_set1_pd((double)alpha);
    const int fin = s8_finite(alpha), fast = s8_pf_fast(m, k, alpha);
    size_t s;
    for (s = 0; s < 4; s++)
        _mm512_store_si512(tab + 64 * s, _mm512_load_si512(m->pos + 64 * s));
    for (s = 0; s < m->nneg; s++)
        _mm_store_si128((__m128i *)(tab + 16 * s), s8_pf_chunk(m, k, a, fin, fast, s));
}

/* The same as four vectors in registers (no store-to-load round trip):
 * q[j] holds entries 64j..64j+63 of the x-order map. */
S8_INLINE void s8_pf_map_vecs(const s8_pf_maps *m, const s8_pf *k, float alpha, __m512i q[4])
{
    const __m512d a = _mm512_set1_pd((double)alpha);
    const int fin = s8_finite(alpha), fast = s8_pf_fast(m, k, alpha);
    size_t j, s;
    for (j = 0; j < 4; j++) {
        __m512i v = _mm512_load_si512(m->pos + 64 * j);
        for (s = 4 * j; s < 4 * j + 4 && s < m->nneg; s++)
            v = _mm512_mask_blend_epi32((__mmask16)(0xFu << (4 * (s & 3))), v,
                                        _mm512_broadcast_i32x4(s8_pf_chunk(m, k, a, fin, fast, s)));
        q[j] = v;
    }
}

/* ------------------------------------------------------------------ clamp */

void s8_clamp__avx512(const int8_t *x, int8_t *y, size_t n, int8_t lo, int8_t hi)
{
    s8_clamp_run(x, y, n, lo, hi);
}

/* ---------------------------------------------------------- PReLU backward */

/*
 * Per element (xi = x - x_zp, di = dy - dy_zp):
 *   dx = grad(dy, xi > 0 ? pos_factor : neg_factor(c))
 *   chan_sum[c] += min(xi, 0) * di
 * The factor of each lane is put together byte plane by byte plane (a byte
 * blend on x > x_zp between the positive factor's bytes and the channel's),
 * then widened like s8_grad's table lookups. The products are int16 x int16
 * (|xi|, |di| <= 255) summed in int32 lanes, flushed to int64 long before
 * they could overflow.
 */
typedef struct s8_pb {
    __m512i x_zp8, x_zp16, dy_zp16, dx_zp32, zero;
    __m512i pos[4]; /* bytes of pos_factor, broadcast */
} s8_pb;

/* vectors between int32 flushes: 4096 * 2 * 2 * 255 * 255 < 2^31 */
#define S8_PB_FLUSH 4096

S8_INLINE __m512i s8_pb_dx(__m512i v, __m512i d, const __m512i neg[4], const s8_pb *k,
                           __m512i *xlo, __m512i *xhi, __m512i *dlo, __m512i *dhi)
{
    const __mmask64 pos = _mm512_cmpgt_epi8_mask(v, k->x_zp8);
    __m512 f[4];
    s8_planes_to_floats(_mm512_mask_blend_epi8(pos, neg[0], k->pos[0]),
                        _mm512_mask_blend_epi8(pos, neg[1], k->pos[1]),
                        _mm512_mask_blend_epi8(pos, neg[2], k->pos[2]),
                        _mm512_mask_blend_epi8(pos, neg[3], k->pos[3]), f);
    *dlo = s8_lo16(d, k->dy_zp16);
    *dhi = s8_hi16(d, k->dy_zp16);
    *xlo = _mm512_min_epi16(s8_lo16(v, k->x_zp16), k->zero);
    *xhi = _mm512_min_epi16(s8_hi16(v, k->x_zp16), k->zero);
    return s8_grad_core(f, *dlo, *dhi, k->dx_zp32);
}

/* One vector whose lanes are all channel c: pairwise products are fine. */
S8_INLINE void s8_pb_vec_bcast(const int8_t *x, const int8_t *dy, int8_t *dx, size_t left,
                               const __m512i neg[4], const s8_pb *k, __m512i *acc)
{
    const __m512i v = s8_ld_fill(x, left, k->x_zp8); /* padding: xi = 0 */
    const __m512i d = s8_ld(dy, left);
    __m512i xlo, xhi, dlo, dhi;
    const __m512i r = s8_pb_dx(v, d, neg, k, &xlo, &xhi, &dlo, &dhi);
    s8_st(dx, r, left);
    *acc = _mm512_add_epi32(*acc, _mm512_add_epi32(_mm512_madd_epi16(xlo, dlo),
                                                    _mm512_madd_epi16(xhi, dhi)));
}

S8_INLINE int64_t s8_sum_epi32(__m512i acc)
{
    const __m512i a = _mm512_cvtepi32_epi64(_mm512_castsi512_si256(acc));
    const __m512i b = _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(acc, 1));
    return (int64_t)_mm512_reduce_add_epi64(_mm512_add_epi64(a, b));
}

/* relu__s8_factor(a * r) for the 8 alphas of a, every operation with
 * S8_RNE (a subnormal alpha still reads as 0 under DAZ). */
S8_INLINE __m256 s8_neg_factors8(__m256 a, __m512d r)
{
    const __m512d lim = _mm512_set1_pd((double)RELU_S8_FACTOR_MAX);
    const __m512d nlim = _mm512_set1_pd(-(double)RELU_S8_FACTOR_MAX);
    __m512d f = S8D_MUL(_mm512_cvt_roundps_pd(a, _MM_FROUND_NO_EXC), r);
    f = _mm512_maskz_mov_pd(_mm512_cmp_round_pd_mask(f, f, _CMP_ORD_Q, _MM_FROUND_NO_EXC), f);
    return _mm512_cvt_roundpd_ps(S8D_MAX(S8D_MIN(f, lim), nlim), S8_RNE);
}

/* ... for the 16 of a */
S8_INLINE __m512 s8_neg_factors(__m512 a, __m512d r)
{
    const __m256 hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(a), 1));
    return _mm512_insertf32x8(_mm512_castps256_ps512(s8_neg_factors8(_mm512_castps512_ps256(a), r)),
                              s8_neg_factors8(hi, r), 1);
}

/* float bytes of relu__s8_factor(alpha[c] * dy_over_dx) for `count` (<= 16)
 * consecutive channels, computed as the scalar does: in double, NaN -> 0,
 * clamped, rounded to float. */
S8_INLINE __m512 s8_neg_factors16(const float *alpha, size_t count, double dy_over_dx)
{
    const __mmask16 m = (__mmask16)((count >= 16 ? 0x10000u : (1u << count)) - 1u);
    return s8_neg_factors(_mm512_maskz_loadu_ps(m, alpha), _mm512_set1_pd(dy_over_dx));
}

/* Lane-wise parameters of a strip or packed vector: the byte planes of each
 * lane's negative factor and each lane's channel. */
/*
 * A strip's lane-wise values without a scalar loop: lane j (< 64) of a strip
 * starting at row position p0 = c0 * len + i0 belongs to channel
 * c0 + (i0 + j) / len. For len >= 2 that is at most 33 channels; cv[0..2]
 * hold their values (channels c0..c0+47). (i0 + j + 0.5) / len in float
 * never lands within 1/128 of an integer, far beyond its rounding error, so
 * the truncation is the exact quotient. Only the first `groups` sixteens of
 * out and rel are computed (s8_groups16), the rest are 0.
 */
S8_INLINE void s8_strip_spread(const __m512 cv[3], size_t i0, size_t len, __m512 out[4],
                               __m512i rel[4], int groups)
{
    const __m512 inv = _mm512_set1_ps(1.0f / (float)len), half = _mm512_set1_ps(0.5f);
    const __m512i base = _mm512_add_epi32(
        _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
        _mm512_set1_epi32((int)i0));
    int g;
    for (g = 0; g < 4; g++) {
        if (g < groups) {
            const __m512 n =
                _mm512_cvtepi32_ps(_mm512_add_epi32(base, _mm512_set1_epi32(16 * g)));
            const __m512i q = _mm512_cvttps_epi32(_mm512_mul_ps(_mm512_add_ps(n, half), inv));
            const __m512 lo = _mm512_permutex2var_ps(cv[0], q, cv[1]);
            const __m512 hi = _mm512_permutexvar_ps(q, cv[2]);
            out[g] =
                _mm512_mask_blend_ps(_mm512_cmpge_epi32_mask(q, _mm512_set1_epi32(32)), lo, hi);
            rel[g] = q;
        } else {
            out[g] = _mm512_setzero_ps();
            rel[g] = _mm512_setzero_si512();
        }
    }
}

/* The first `count` (any number) of p as three vectors of 16, zero beyond. */
S8_INLINE void s8_load48(const float *p, size_t count, __m512 v[3])
{
    int g;
    for (g = 0; g < 3; g++) {
        const size_t first = (size_t)g * 16, cnt = first < count ? count - first : 0;
        const __mmask16 m = (__mmask16)(cnt >= 16 ? 0xFFFFu : (1u << cnt) - 1u);
        v[g] = _mm512_maskz_loadu_ps(m, p + first);
    }
}

/* Lane-wise parameters of a strip or packed vector: the byte planes of each
 * lane's negative factor and each lane's channel. */
S8_INLINE void s8_pb_lanes(const float *alpha, size_t p0, size_t w, const relu__box *b,
                           int packed, double dy_over_dx, __m512i neg[4], uint32_t ch[64])
{
    __m512i f[4];
    int g;
    if (b->len == 1 && p0 + w <= b->chans) {
        /* lane j is channel p0 + j: the alphas are contiguous */
        for (g = 0; g < 4; g++) {
            const size_t first = (size_t)g * 16;
            f[g] = _mm512_castps_si512(
                first < w ? s8_neg_factors16(alpha + p0 + first, w - first, dy_over_dx)
                          : _mm512_setzero_ps());
            _mm512_storeu_si512(ch + 16 * g,
                                _mm512_add_epi32(_mm512_set1_epi32((int)(p0 + first)),
                                                 _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
                                                                   10, 11, 12, 13, 14, 15)));
        }
    } else if (!packed) {
        const size_t c0 = p0 / b->len, left = b->chans - c0;
        __m512 cv[3], out[4];
        __m512i rel[4];
        for (g = 0; g < 3; g++)
            cv[g] = (size_t)g * 16 < left
                        ? s8_neg_factors16(alpha + c0 + 16 * g, left - 16 * (size_t)g, dy_over_dx)
                        : _mm512_setzero_ps();
        s8_strip_spread(cv, p0 % b->len, b->len, out, rel, s8_groups16(w));
        for (g = 0; g < 4; g++) {
            f[g] = _mm512_castps_si512(out[g]);
            _mm512_storeu_si512(ch + 16 * g, _mm512_add_epi32(rel[g], _mm512_set1_epi32((int)c0)));
        }
    } else {
        float la[64] __attribute__((aligned(64)));
        s8_lane_alphas(p0, w, b, alpha, ch, la);
        for (g = 0; g < 4; g++)
            f[g] = _mm512_castps_si512(s8_neg_factors16(la + 16 * g, 16, dy_over_dx));
    }
    s8_float_planes(f, neg);
}

/* The per-lane product sums: four int32 accumulators, whose dword q of
 * 128-bit lane l holds the byte 16l + {0, 1, 8, 9} + 2q of the vector, and
 * their int64 totals in byte order (wide[i]: bytes 8i..8i+7). */
typedef struct s8_pb_acc {
    __m512i a[4];
    __m512i wide[8];
} s8_pb_acc;

/* Adds the int32 accumulators to the int64 totals, in byte order: an
 * interleave of even and odd bytes, then a 4x4 transpose of 128-bit lanes. */
S8_INLINE void s8_pb_acc_flush(s8_pb_acc *s)
{
    const __m512i p0 = _mm512_unpacklo_epi32(s->a[0], s->a[1]); /* bytes 16l + 0..3 */
    const __m512i p1 = _mm512_unpackhi_epi32(s->a[0], s->a[1]); /* 16l + 4..7 */
    const __m512i p2 = _mm512_unpacklo_epi32(s->a[2], s->a[3]); /* 16l + 8..11 */
    const __m512i p3 = _mm512_unpackhi_epi32(s->a[2], s->a[3]); /* 16l + 12..15 */
    __m512i nat[4];
    int g;
    s8_tr4x128(p0, p1, p2, p3, nat);
    for (g = 0; g < 4; g++) {
        s->wide[2 * g] = _mm512_add_epi64(
            s->wide[2 * g], _mm512_cvtepi32_epi64(_mm512_castsi512_si256(nat[g])));
        s->wide[2 * g + 1] = _mm512_add_epi64(
            s->wide[2 * g + 1], _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(nat[g], 1)));
        s->a[g] = _mm512_setzero_si512();
    }
}

S8_INLINE void s8_pb_vec_lanes(const int8_t *x, const int8_t *dy, int8_t *dx, size_t left,
                               const __m512i neg[4], const s8_pb *k, s8_pb_acc *s)
{
    const __m512i even = _mm512_set1_epi32(0xFFFF);
    const __m512i v = s8_ld_fill(x, left, k->x_zp8);
    const __m512i d = s8_ld(dy, left);
    __m512i xlo, xhi, dlo, dhi;
    const __m512i r = s8_pb_dx(v, d, neg, k, &xlo, &xhi, &dlo, &dhi);
    s8_st(dx, r, left);
    s->a[0] = _mm512_add_epi32(s->a[0], _mm512_madd_epi16(xlo, _mm512_and_si512(dlo, even)));
    s->a[1] = _mm512_add_epi32(s->a[1], _mm512_madd_epi16(xlo, _mm512_andnot_si512(even, dlo)));
    s->a[2] = _mm512_add_epi32(s->a[2], _mm512_madd_epi16(xhi, _mm512_and_si512(dhi, even)));
    s->a[3] = _mm512_add_epi32(s->a[3], _mm512_madd_epi16(xhi, _mm512_andnot_si512(even, dhi)));
}

/* int32 lanes take one product (<= 65025) per vector: flush well before 2^31 */
#define S8_PB_LANE_FLUSH 16384

/* A channel of at least this many elements gets its own dy table (without
 * VBMI: if the two tables' lookups take at most S8_PB_TAB_ROWS shuffles). */
#define S8_PB_TAB_MIN 512
#define S8_PB_TAB_ROWS 4

/* ------------------------------------------------------------ small calls */

/*
 * Whole PReLU calls of at most RELU_S8_PRELU_SMALL elements (kernels.h): one
 * pass of 16-lane groups, each lane's channel computed from its index, no
 * layout choice, and no floating-point environment. Every floating-point
 * operation on the way (S8D_*, s8_grad16, s8_neg_factors and the explicit
 * forms below) rounds half to even by its encoding with exceptions
 * suppressed, so the caller's rounding mode is never read and no flag is
 * raised. DAZ and FTZ still apply, and change nothing here:
 *
 *  - the call is declined when a scale or an alpha is a subnormal float,
 *    whose conversion to double would read as zero under DAZ; every double
 *    operand is then zero, infinite, NaN or normal;
 *  - forward: |v| = |x_scale * xi| is 0 or in [2^-126, 2^136), |a * v| 0,
 *    inf, NaN or in [2^-252, 2^264), their quotients by y_scale (and
 *    1 / y_scale) 0, inf, NaN or in [2^-380, 2^390): normal doubles;
 *  - backward: dy_over_dx and a * dy_over_dx are normal doubles likewise; a
 *    factor whose float is subnormal (flushed to 0 under FTZ, or read as 0
 *    under DAZ) and a float product below 2^-126 only ever make a t of
 *    magnitude below 2^-118, which rounds to 0 either way; dalpha is
 *    (xs * dys) * sum, which is at least 2^-126 in magnitude unless sum is
 *    0, once the call is declined for xs * dys < 2^-126 (that product is
 *    exact: a normal double).
 */

/* v[ch] per lane, from up to 64 per-channel values (v[0..3], 16 each). */
S8_INLINE __m512 s8_small_pick(const s8_small *s, const __m512 v[4], __m512i ch)
{
    __m512 r = _mm512_permutex2var_ps(v[0], ch, v[1]);
    if (s->channels > 32)
        r = _mm512_mask_blend_ps(_mm512_cmpgt_epi32_mask(ch, _mm512_set1_epi32(31)), r,
                                 _mm512_permutex2var_ps(v[2], ch, v[3]));
    return r;
}

S8_INLINE int s8_subnormal_f32(float f)
{
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    return (b & 0x7F800000u) == 0 && (b & 0x007FFFFFu) != 0;
}

/* alpha[0..channels) into a[0..3], zero beyond; 0 if one is subnormal. */
S8_INLINE __mmask16 s8_small_mask(size_t left)
{
    return (__mmask16)(left >= 16 ? 0xFFFFu : (1u << left) - 1u);
}

/* The lanes of v that hold subnormal floats. */
S8_INLINE __mmask16 s8_subnormal_ps(__m512 v)
{
    const __m512i b = _mm512_castps_si512(v);
    return _mm512_testn_epi32_mask(b, _mm512_set1_epi32(0x7F800000)) &
           _mm512_test_epi32_mask(b, _mm512_set1_epi32(0x007FFFFF));
}

/* alpha[0..channels) into a[0..3], zero beyond; 0 if one is subnormal. */
S8_INLINE int s8_small_alphas(const float *alpha, size_t channels, __m512 a[4])
{
    __mmask16 sub;
    size_t g;
    a[0] = _mm512_maskz_loadu_ps(s8_small_mask(channels), alpha);
    a[1] = a[2] = a[3] = _mm512_setzero_ps();
    sub = s8_subnormal_ps(a[0]);
    if (channels > 16)
        for (g = 1; 16 * g < channels; g++) {
            a[g] = _mm512_maskz_loadu_ps(s8_small_mask(channels - 16 * g), alpha + 16 * g);
            sub |= s8_subnormal_ps(a[g]);
        }
    return sub == 0;
}

S8_INLINE __m512d s8_lo8_pd(__m512 v)
{
    return _mm512_cvt_roundps_pd(_mm512_castps512_ps256(v), _MM_FROUND_NO_EXC);
}

S8_INLINE __m512d s8_hi8_pd(__m512 v)
{
    return _mm512_cvt_roundps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)),
                                 _MM_FROUND_NO_EXC);
}

int s8_prelu_forward_small__avx512(const int8_t *x, int8_t *y, const float *alpha, size_t outer,
                                   size_t channels, size_t inner, const relu_quant *xq,
                                   const relu_quant *yq)
{
    const size_t total = outer * channels * inner;
    relu__s8_prelu_quant q;
    s8_small s;
    s8_pf k;
    __m512 a[4];
    __m512i e = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    size_t g;
    if (s8_subnormal_f32(xq->scale) || s8_subnormal_f32(yq->scale) ||
        !s8_small_alphas(alpha, channels, a))
        return 0;
    q.x_scale = (double)xq->scale; /* exact: normal floats */
    q.y_scale = (double)yq->scale;
    q.x_zero_point = xq->zero_point;
    q.y_zero_point = yq->zero_point;
    q.maps = NULL;
    s8_pf_init(&k, &q);
    s8_small_init(&s, outer, channels, inner);
    for (g = 0; g < total; g += 16) {
        const __mmask16 m = s8_small_mask(total - g);
        const __m512 al = s8_small_pick(&s, a, s8_small_channels(&s, e));
        _mm_mask_storeu_epi8(y + g, m,
                             s8_pf16(_mm_maskz_loadu_epi8(m, x + g), s8_lo8_pd(al), s8_hi8_pd(al),
                                     &k));
        e = _mm512_add_epi32(e, _mm512_set1_epi32(16));
    }
    return 1;
}

/* The lanes' values of the table t[0..3] (64 int32) at idx, 0 where idx < 0. */
S8_INLINE __m512i s8_small_look(const __m512i t[4], __m512i idx, size_t total)
{
    __m512i r = _mm512_permutex2var_epi32(t[0], idx, t[1]);
    if (total > 32)
        r = _mm512_mask_blend_epi32(_mm512_cmpgt_epi32_mask(idx, _mm512_set1_epi32(31)), r,
                                    _mm512_permutex2var_epi32(t[2], idx, t[3]));
    return _mm512_maskz_mov_epi32(_mm512_cmpge_epi32_mask(idx, _mm512_setzero_si512()), r);
}

/* Inclusive prefix sums of the 16 lanes. */
S8_INLINE __m512i s8_prefix16(__m512i v)
{
    const __m512i zero = _mm512_setzero_si512();
    v = _mm512_add_epi32(v, _mm512_alignr_epi32(v, zero, 15));
    v = _mm512_add_epi32(v, _mm512_alignr_epi32(v, zero, 14));
    v = _mm512_add_epi32(v, _mm512_alignr_epi32(v, zero, 12));
    return _mm512_add_epi32(v, _mm512_alignr_epi32(v, zero, 8));
}

/*
 * The channel sums of a small backward: with p[4] the products of the
 * elements (0 where x > x_zp) and cum[e] = p[0] + ... + p[e] (an inclusive
 * prefix sum: four shifted adds per vector), a row's sum is the difference
 * of two cum values, and channel c's the sum of its rows over outer. A
 * single channel is one row. |sum| <= 64 * 255 * 255: int32.
 */
S8_INLINE void s8_small_dalpha(const __m512i p[4], const s8_small *s, size_t outer,
                               size_t channels, size_t inner, __m128d ds, float *dalpha,
                               size_t groups)
{
    const __m512i zero = _mm512_setzero_si512(), one = _mm512_set1_epi32(1);
    const size_t total = outer * channels * inner;
    const size_t rows = channels == 1 ? 1 : outer;
    const size_t run = channels == 1 ? total : inner;
    const __m512i plane = _mm512_set1_epi32((int)(channels * run));
    const __m512d dsv = _mm512_broadcastsd_pd(ds);
    __m512i cum[4];
    size_t g, o;

    cum[0] = s8_prefix16(p[0]);
    cum[1] = cum[2] = cum[3] = zero;
    if (groups > 1 && total > 16) {
        const __m512i last = _mm512_set1_epi32(15);
        cum[1] = _mm512_add_epi32(s8_prefix16(p[1]), _mm512_permutexvar_epi32(last, cum[0]));
        if (total > 32) {
            cum[2] = _mm512_add_epi32(s8_prefix16(p[2]), _mm512_permutexvar_epi32(last, cum[1]));
            if (total > 48)
                cum[3] =
                    _mm512_add_epi32(s8_prefix16(p[3]), _mm512_permutexvar_epi32(last, cum[2]));
        }
    }
    if (groups == 1 && s->one_plane) {
        /* one vector, one row per channel: the prefix sums where a row
         * ends, packed, less each one's predecessor */
        const __m512i e = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        const __mmask16 ends = _mm512_cmpneq_epi32_mask(
            s8_small_channels(s, e), s8_small_channels(s, _mm512_add_epi32(e, one)));
        const __m512i at = _mm512_maskz_compress_epi32(ends & s8_small_mask(total), cum[0]);
        const __m512i sum = _mm512_sub_epi32(at, _mm512_alignr_epi32(at, zero, 15));
        const __m512d d0 = S8D_MUL(dsv, _mm512_cvtepi32_pd(_mm512_castsi512_si256(sum)));
        _mm256_mask_storeu_ps(dalpha, (__mmask8)s8_small_mask(channels),
                              _mm512_cvt_roundpd_ps(d0, S8_RNE));
        if (channels > 8) {
            const __m512d d1 = S8D_MUL(dsv, _mm512_cvtepi32_pd(_mm512_extracti64x4_epi64(sum, 1)));
            _mm256_mask_storeu_ps(dalpha + 8, (__mmask8)(s8_small_mask(channels) >> 8),
                                  _mm512_cvt_roundpd_ps(d1, S8_RNE));
        }
        return;
    }
    for (g = 0; g < groups && 16 * g < channels; g++) {
        const size_t left = channels - 16 * g;
        const __m512i c = _mm512_add_epi32(
            _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
            _mm512_set1_epi32((int)(16 * g)));
        /* the last element before row (0, c) and the row's last */
        __m512i before = _mm512_sub_epi32(_mm512_mullo_epi32(c, _mm512_set1_epi32((int)run)), one);
        __m512i last = _mm512_add_epi32(before, _mm512_set1_epi32((int)run));
        __m512i sum = zero;
        __m512d d0, d1;
        __mmask16 m = s8_small_mask(left);
        for (o = 0; o < rows; o++) {
            sum = _mm512_add_epi32(sum, _mm512_sub_epi32(s8_small_look(cum, last, total),
                                                         s8_small_look(cum, before, total)));
            before = _mm512_add_epi32(before, plane);
            last = _mm512_add_epi32(last, plane);
        }
        d0 = S8D_MUL(dsv, _mm512_cvtepi32_pd(_mm512_castsi512_si256(sum)));
        _mm256_mask_storeu_ps(dalpha + 16 * g, (__mmask8)m, _mm512_cvt_roundpd_ps(d0, S8_RNE));
        if (left > 8) {
            d1 = S8D_MUL(dsv, _mm512_cvtepi32_pd(_mm512_extracti64x4_epi64(sum, 1)));
            _mm256_mask_storeu_ps(dalpha + 16 * g + 8, (__mmask8)(m >> 8),
                                  _mm512_cvt_roundpd_ps(d1, S8_RNE));
        }
    }
}

/* groups: 1 when total <= 16 (a constant: the compiler keeps everything in
 * registers), else 4 */
S8_INLINE int s8_small_backward(const int8_t *x, const int8_t *dy, const float *alpha, int8_t *dx,
                                float *dalpha, size_t outer, size_t channels, size_t inner,
                                const relu_quant *xq, const relu_quant *dyq,
                                const relu_quant *dxq, size_t groups)
{
    const size_t total = outer * channels * inner;
    s8_small s;
    __m512 a[4], neg[4];
    __m512i p[4];
    __m512i e = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i x_zp = _mm512_set1_epi32(xq->zero_point);
    const __m512i dy_zp = _mm512_set1_epi32(dyq->zero_point);
    const __m512i dx_zp = _mm512_set1_epi32(dxq->zero_point);
    __m512d dod;
    __m128d ds;
    __m512 pos;
    size_t g;
    if (s8_subnormal_f32(xq->scale) || s8_subnormal_f32(dyq->scale) ||
        s8_subnormal_f32(dxq->scale) || !s8_small_alphas(alpha, channels, a))
        return 0;
    /* exact products of normal floats: no rounding, no flag */
    ds = _mm_set_sd((double)xq->scale * (double)dyq->scale);
    if (_mm_cvtsd_f64(ds) < 0x1p-126)
        return 0;
    {
        /* dy_over_dx, and relu__s8_factor of it: positive and finite, only
         * the upper clamp can act */
        const __m128d q = _mm_div_round_sd(_mm_set_sd((double)dyq->scale),
                                           _mm_set_sd((double)dxq->scale), S8_RNE);
        dod = _mm512_broadcastsd_pd(q);
        pos = _mm512_broadcastss_ps(_mm_cvt_roundsd_ss(
            _mm_setzero_ps(),
            _mm_min_round_sd(q, _mm_set_sd((double)RELU_S8_FACTOR_MAX), _MM_FROUND_NO_EXC),
            S8_RNE));
    }
    /* (a lane past the channels is never picked) */
    neg[0] = channels > 8 ? s8_neg_factors(a[0], dod)
                          : _mm512_castps256_ps512(
                                s8_neg_factors8(_mm512_castps512_ps256(a[0]), dod));
    for (g = 1; g < 4; g++)
        neg[g] = g < groups && 16 * g < channels ? s8_neg_factors(a[g], dod)
                                                 : _mm512_setzero_ps();
    s8_small_init(&s, outer, channels, inner);
    for (g = 0; g < groups; g++) {
        const __mmask16 m = 16 * g < total ? s8_small_mask(total - 16 * g) : 0;
        const __m512i xi =
            _mm512_sub_epi32(_mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, x + 16 * g)), x_zp);
        const __m512i di =
            _mm512_sub_epi32(_mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, dy + 16 * g)), dy_zp);
        const __mmask16 up = _mm512_cmpgt_epi32_mask(xi, _mm512_setzero_si512());
        const __m512 f =
            _mm512_mask_blend_ps(up, s8_small_pick(&s, neg, s8_small_channels(&s, e)), pos);
        _mm_mask_storeu_epi8(dx + 16 * g, m, _mm512_cvtsepi32_epi8(s8_grad16(di, f, dx_zp)));
        p[g] = _mm512_maskz_mullo_epi32((__mmask16)(m & ~up), xi, di);
        e = _mm512_add_epi32(e, _mm512_set1_epi32(16));
        if (16 * g + 16 >= total)
            break;
    }
    s8_small_dalpha(p, &s, outer, channels, inner, ds, dalpha, groups);
    return 1;
}

int s8_prelu_backward_small__avx512(const int8_t *x, const int8_t *dy, const float *alpha,
                                    int8_t *dx, float *dalpha, size_t outer, size_t channels,
                                    size_t inner, const relu_quant *xq, const relu_quant *dyq,
                                    const relu_quant *dxq)
{
    if (outer * channels * inner <= 16)
        return s8_small_backward(x, dy, alpha, dx, dalpha, outer, channels, inner, xq, dyq, dxq,
                                 1);
    return s8_small_backward(x, dy, alpha, dx, dalpha, outer, channels, inner, xq, dyq, dxq, 4);
}

/* ------------------------------------------- lookups: BW and VBMI variants */

#define S8_VBMI 0
#define S8_FN
#define S8_NAME(base) base##__avx512
#define S8_LOCAL(name) s8_bw_##name
#include "s8_avx512.inc"
#undef S8_VBMI
#undef S8_FN
#undef S8_NAME
#undef S8_LOCAL

#define S8_VBMI 1
#define S8_FN __attribute__((target("avx512vbmi")))
#define S8_NAME(base) base##__avx512vbmi
#define S8_LOCAL(name) s8_vbmi_##name
#include "s8_avx512.inc"
#undef S8_VBMI
#undef S8_FN
#undef S8_NAME
#undef S8_LOCAL
