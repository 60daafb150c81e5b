/*
 * The AVX2 tier's int8 kernels (compiled with -mavx2 -mfma; no FMA is used:
 * every multiply and divide is rounded on its own, as in the scalar code).
 * Bit-identical to src/scalar/s8_scalar.c for the reasons given at the top of
 * s8_avx512.c; conversions to int32 use the current rounding mode, which
 * every entry point sets to round-to-nearest-even (src/fpenv.h), exactly as
 * the scalar kernels' "add and subtract 1.5*2^p" relies on.
 *
 * Byte lookups are vpshufb "plans" (below) that skip the table rows an
 * activation does not need; s8_grad looks dx up per dy when there are at
 * most four distinct factors and loads the factors one by one otherwise; PReLU
 * forward maps runs of one channel with enough elements, computes channels
 * last (strips and packed vectors) in float, eight lanes a vector, checked
 * against a rounding margin (s8_simd.inc; with rows enough, the few (lane,
 * x) pairs that need it patched instead of testing every vector), and does
 * the double arithmetic four lanes at a time elsewhere.
 *
 * AVX2 has no byte-masked loads and stores: partial vectors use dword
 * masked moves plus up to three single bytes, so no byte outside a buffer is
 * read or written.
 */
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../fpenv.h"
#include "../kernels.h"
#include "../s8_tables.h"
#include "s8_x86.h"

#define S8_INLINE static inline __attribute__((always_inline))

/* ------------------------------------------------------------ small helpers */

/* The first w (< 32) bytes of p, the rest `fill`: whole dwords with a
 * masked load (masked-off dwords are not accessed), the last 0-3 bytes one
 * by one. Out of line: tails only, and it keeps the callers' loops small. */
static __attribute__((noinline)) __m256i s8_load_part(const int8_t *p, size_t w, int8_t fill)
{
    const size_t nd = w / 4, r = w % 4;
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i m = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)nd), lane);
    uint32_t tail = (uint32_t)(uint8_t)fill * 0x01010101u;
    size_t i;
    __m256i v;
    for (i = 0; i < r; i++)
        tail = (tail & ~(0xFFu << (8 * i))) | (uint32_t)(uint8_t)p[4 * nd + i] << (8 * i);
    v = _mm256_blendv_epi8(_mm256_set1_epi8(fill), _mm256_maskload_epi32((const int *)p, m), m);
    return _mm256_blendv_epi8(v, _mm256_set1_epi32((int)tail),
                              _mm256_cmpeq_epi32(_mm256_set1_epi32((int)nd), lane));
}

static __attribute__((noinline)) void s8_store_part(int8_t *p, __m256i v, size_t w)
{
    const size_t nd = w / 4, r = w % 4;
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    size_t i;
    uint32_t tail;
    _mm256_maskstore_epi32((int *)p, _mm256_cmpgt_epi32(_mm256_set1_epi32((int)nd), lane), v);
    if (r == 0)
        return;
    tail = (uint32_t)_mm256_extract_epi32(
        _mm256_permutevar8x32_epi32(v, _mm256_set1_epi32((int)nd)), 0);
    for (i = 0; i < r; i++)
        p[4 * nd + i] = (int8_t)(tail >> (8 * i));
}

S8_INLINE __m256i s8_load(const int8_t *p, size_t w, int8_t fill)
{
    return w >= 32 ? _mm256_loadu_si256((const __m256i *)p) : s8_load_part(p, w, fill);
}

S8_INLINE void s8_store(int8_t *p, __m256i v, size_t w)
{
    if (w >= 32)
        _mm256_storeu_si256((__m256i *)p, v);
    else
        s8_store_part(p, v, w);
}

/* Eight bytes (at byte offset 8*g of v) sign-extended to int32. */
S8_INLINE __m256i s8_x32(__m256i v, int g)
{
    const __m128i h = g < 2 ? _mm256_castsi256_si128(v) : _mm256_extracti128_si256(v, 1);
    return _mm256_cvtepi8_epi32((g & 1) ? _mm_unpackhi_epi64(h, h) : h);
}

/* int32 results of elements 0-7, 8-15, 16-23, 24-31 to 32 saturated bytes. */
S8_INLINE __m256i s8_pack(__m256i r0, __m256i r1, __m256i r2, __m256i r3)
{
    const __m256i p = _mm256_packs_epi16(_mm256_packs_epi32(r0, r1), _mm256_packs_epi32(r2, r3));
    return _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

/* The vocabulary of s8_simd.inc (the code shared with s8_avx512.c). */
#define S8_W 32
#define S8_MAP_CHUNK 32
#define S8_PLAN_K 4
/* the step ramp's loop: AVX2 selu 64 KiB x1.08 */
#define S8_PLAN_STEP 1
typedef __m256i s8v;
typedef __m256d s8d;
typedef __m128i s8di;
typedef __m256i s8i;
#define S8V_SET1(b) _mm256_set1_epi8((char)(b))
#define S8V_BCAST128(m) _mm256_broadcastsi128_si256(m)
#define S8V_ADD8 _mm256_add_epi8
#define S8V_AND _mm256_and_si256
#define S8V_XOR _mm256_xor_si256
#define S8V_MIN8 _mm256_min_epi8
#define S8V_MAX8 _mm256_max_epi8
#define S8V_SHUF _mm256_shuffle_epi8
#define S8V_STREAM(p, v) _mm256_stream_si256((__m256i *)(p), v)
#define S8V_SEL7(a, b, s) _mm256_blendv_epi8(a, b, s)
#define S8V_SRL16_4(v) _mm256_srli_epi16(v, 4)
#define S8V_ADDS8 _mm256_adds_epi8
#define S8V_SUBSU8 _mm256_subs_epu8
#define S8V_INC_GT(y, a, b) _mm256_subs_epi8(y, _mm256_cmpgt_epi8(a, b))
#define S8V_FROM_BITS(p) s8_bits_to_bytes((uint32_t)*(p))
/* the conversion rounds in the current mode: round-to-nearest-even in every
 * call (src/fpenv.h) */
#define S8D_SET1 _mm256_set1_pd
#define S8D_MUL _mm256_mul_pd
#define S8D_DIV _mm256_div_pd
#define S8D_MIN _mm256_min_pd
#define S8D_MAX _mm256_max_pd
#define S8D_RNE _mm256_cvtpd_epi32
#define S8I_SET1 _mm256_set1_epi32
#define S8I_MULLO _mm256_mullo_epi32
#define S8I_SUB _mm256_sub_epi32
#define S8I_SRL16(v) _mm256_srli_epi32(v, 16)

S8_INLINE __m256i s8_ld(const int8_t *p, size_t left)
{
    return s8_load(p, left, 0);
}

S8_INLINE void s8_st(int8_t *p, __m256i v, size_t left)
{
    s8_store(p, v, left);
}

/* 32 mask bits to 32 bytes: 0xFF where the bit is set. */
S8_INLINE __m256i s8_bits_to_bytes(uint32_t bits)
{
    const __m256i sel = _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1,
                                         2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
    const __m256i bit = _mm256_set1_epi64x((long long)0x8040201008040201ull);
    const __m256i b = _mm256_shuffle_epi8(_mm256_set1_epi32((int)bits), sel);
    return _mm256_cmpeq_epi8(_mm256_and_si256(b, bit), bit);
}

S8_INLINE uint64_t s8_eq64(const float *f, uint32_t bits)
{
    const __m256i c = _mm256_set1_epi32((int)bits);
    uint64_t m = 0;
    int s;
    for (s = 0; s < 8; s++) {
        const __m256i v = _mm256_loadu_si256((const __m256i *)(f + 8 * s));
        m |= (uint64_t)(uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(v, c)))
             << (8 * s);
    }
    return m;
}

#include "s8_simd.inc"

/* ------------------------------------------------------------------ clamp */

void s8_clamp__avx2(const int8_t *x, int8_t *y, size_t n, int8_t lo, int8_t hi)
{
    s8_clamp_run(x, y, n, lo, hi);
}

/* ---------------------------------------------------------------- lookups */

void s8_lut_prep__avx2(relu__s8_table *t)
{
    s8_plan_prep(t, RELU_S8_PREP_AVX2);
}

void s8_lut__avx2(const int8_t *x, int8_t *y, size_t n, const relu__s8_table *t)
{
    s8_plan p;
    size_t i = 0;
    if (n < S8_PLAN_SHORT &&
        (n < 32 || s8_plan_rows(t, RELU_S8_PREP_AVX2) > S8_PLAN_SHORT_ROWS)) {
        for (; i < n; i++)
            y[i] = t->map[(uint8_t)x[i]];
        return;
    }
    s8_plan_of(&p, t, RELU_S8_PREP_AVX2);
    if (s8_plan_is_clamp(&p)) {
        s8_clamp_run(x, y, n, p.lo, p.hi);
        return;
    }
    i = s8_plan_run(&p, x, y, n);
    for (; i < n; i += 32) {
        const size_t w = n - i;
        s8_store(y + i, s8_plan_look(&p, s8_load(x + i, w, 0)), w);
    }
}

/* ----------------------------------------------------------------- s8_grad */

/*
 * The canonical gradient of 32 elements, dy in d, in "lane order": f[g]
 * holds the factors of elements 4g..4g+3 in its low half and 16+4g..16+4g+3
 * in its high half, which is where an in-lane byte shuffle puts dy and from
 * where the packs return the bytes in place. dy becomes a float without sign
 * extension or conversion: its byte, sign bit flipped (u = dy + 128),
 * shuffled into a zero dword and combined with 2^23's bits is 2^23 + u, and
 * subtracting dy_bias = 2^23 + 128 + zp is exact. The zero point is added
 * after the first pack: a saturated int16 stays beyond int8 whatever zero
 * point is added.
 */
S8_INLINE __m256i s8_grad_lanes(const __m256 f[4], __m256i d, __m256 dy_bias, __m256i dx_zp16)
{
    const __m256i magic = _mm256_set1_epi32(0x4B000080);
    __m256i r[4];
    int g;
    for (g = 0; g < 4; g++) {
        const __m256i sel = _mm256_setr_epi8(
            (char)(4 * g), -1, -1, -1, (char)(4 * g + 1), -1, -1, -1, (char)(4 * g + 2), -1, -1, -1,
            (char)(4 * g + 3), -1, -1, -1, (char)(4 * g), -1, -1, -1, (char)(4 * g + 1), -1, -1, -1,
            (char)(4 * g + 2), -1, -1, -1, (char)(4 * g + 3), -1, -1, -1);
        const __m256 dg = _mm256_sub_ps(
            _mm256_castsi256_ps(_mm256_xor_si256(_mm256_shuffle_epi8(d, sel), magic)), dy_bias);
        r[g] = _mm256_cvtps_epi32(_mm256_mul_ps(dg, f[g]));
    }
    return _mm256_packs_epi16(_mm256_adds_epi16(_mm256_packs_epi32(r[0], r[1]), dx_zp16),
                              _mm256_adds_epi16(_mm256_packs_epi32(r[2], r[3]), dx_zp16));
}

S8_INLINE __m256 s8_dy_bias(int32_t dy_zp)
{
    return _mm256_set1_ps((float)(8388608 + 128 + dy_zp));
}

/* The factors of the four x bytes of b (lowest first), loaded one by one:
 * a gather of eight costs about as much as all the rest of 32 elements. */
S8_INLINE __m128 s8_factors4(const float *factor, uint32_t b)
{
    return _mm_setr_ps(factor[b & 0xFF], factor[(b >> 8) & 0xFF], factor[(b >> 16) & 0xFF],
                       factor[b >> 24]);
}

/* Any factors: 32 elements, x in memory at xp. */
S8_INLINE __m256i s8_grad32(const int8_t *xp, __m256i d, const float *factor, __m256 dy_bias,
                            __m256i dx_zp16)
{
    __m256 f[4];
    int g;
    for (g = 0; g < 4; g++) {
        uint32_t lo, hi;
        memcpy(&lo, xp + 4 * g, sizeof lo);
        memcpy(&hi, xp + 16 + 4 * g, sizeof hi);
        f[g] = _mm256_insertf128_ps(_mm256_castps128_ps256(s8_factors4(factor, lo)),
                                    s8_factors4(factor, hi), 1);
    }
    return s8_grad_lanes(f, d, dy_bias, dx_zp16);
}

/* dx as a function of dy alone for the factor with bits fbits: the
 * canonical gradient of the 256 dy values, indexed by (uint8_t)dy. */
S8_INLINE void s8_dy_table(uint32_t fbits, __m256 dy_bias, __m256i dx_zp16, int8_t g[256])
{
    float fv;
    __m256 f[4];
    int w;
    memcpy(&fv, &fbits, sizeof fv);
    f[0] = f[1] = f[2] = f[3] = _mm256_set1_ps(fv);
    for (w = 0; w < 8; w++) {
        const __m256i d = _mm256_load_si256((const __m256i *)(s8_iota + ((32 * w + 128) & 255)));
        _mm256_storeu_si256((__m256i *)(g + 32 * w), s8_grad_lanes(f, d, dy_bias, dx_zp16));
    }
}

/* Below this many elements the class tables cost more than they save. */
#define S8_FEW_MIN 2048

/*
 * At most four distinct factors: dx is one of k functions of dy alone, each
 * a 256-entry table, picked per element by a class code looked up with x.
 */
S8_INLINE void s8_grad_few(const int8_t *x, const int8_t *dy, int8_t *dx, size_t n,
                           const relu__s8_grad *g, int k, const uint32_t val[4],
                           uint64_t eq[4][4])
{
    const __m256 dy_bias = s8_dy_bias(g->dy_zero_point);
    const __m256i dx_zp16 = _mm256_set1_epi16((short)g->dx_zero_point);
    s8_plan G[4], C;
    int8_t t[256] __attribute__((aligned(32)));
    size_t i;
    int c;
    for (c = 0; c < k; c++) {
        s8_dy_table(val[c], dy_bias, dx_zp16, t);
        s8_plan_init(&G[c], t, t + 128);
    }
    s8_class_code(eq, t);
    s8_plan_init(&C, t, t + 128);
    if (k == 3)
        G[3] = G[2];
    for (i = 0; i + 64 <= n; i += 64) {
        const __m256i v0 = _mm256_loadu_si256((const __m256i *)(x + i));
        const __m256i v1 = _mm256_loadu_si256((const __m256i *)(x + i + 32));
        const __m256i d0 = _mm256_loadu_si256((const __m256i *)(dy + i));
        const __m256i d1 = _mm256_loadu_si256((const __m256i *)(dy + i + 32));
        __m256i r0, r1;
        s8_plan_look2(&G[0], d0, d1, &r0, &r1);
        if (k > 1) {
            __m256i c0, c1, g0, g1;
            s8_plan_look2(&C, v0, v1, &c0, &c1);
            s8_plan_look2(&G[1], d0, d1, &g0, &g1);
            r0 = _mm256_blendv_epi8(r0, g0, c0);
            r1 = _mm256_blendv_epi8(r1, g1, c1);
            if (k > 2) {
                __m256i h0, h1;
                s8_plan_look2(&G[2], d0, d1, &g0, &g1);
                s8_plan_look2(&G[3], d0, d1, &h0, &h1);
                r0 = _mm256_blendv_epi8(r0, _mm256_blendv_epi8(g0, h0, c0), _mm256_add_epi8(c0, c0));
                r1 = _mm256_blendv_epi8(r1, _mm256_blendv_epi8(g1, h1, c1), _mm256_add_epi8(c1, c1));
            }
        }
        _mm256_storeu_si256((__m256i *)(dx + i), r0);
        _mm256_storeu_si256((__m256i *)(dx + i + 32), r1);
    }
    for (; i < n; i += 32) {
        const size_t w = n - i;
        const __m256i v = s8_load(x + i, w, 0), d = s8_load(dy + i, w, 0);
        __m256i r = s8_plan_look(&G[0], d);
        if (k > 1) {
            const __m256i cv = s8_plan_look(&C, v);
            r = _mm256_blendv_epi8(r, s8_plan_look(&G[1], d), cv);
            if (k > 2) {
                const __m256i r23 = _mm256_blendv_epi8(s8_plan_look(&G[2], d), s8_plan_look(&G[3], d), cv);
                r = _mm256_blendv_epi8(r, r23, _mm256_add_epi8(cv, cv));
            }
        }
        s8_store(dx + i, r, w);
    }
}

void s8_grad__avx2(const int8_t *x, const int8_t *dy, int8_t *dx, size_t n,
                   const relu__s8_grad *g)
{
    const __m256 dy_bias = s8_dy_bias(g->dy_zero_point);
    const __m256i dx_zp16 = _mm256_set1_epi16((short)g->dx_zero_point);
    size_t i;
    if (n >= S8_FEW_MIN) {
        uint32_t val[4];
        uint64_t eq[4][4];
        const int k = s8_classes(g->factor, val, eq);
        if (k != 0) {
            s8_grad_few(x, dy, dx, n, g, k, val, eq);
            return;
        }
    }
    for (i = 0; i + 32 <= n; i += 32)
        _mm256_storeu_si256((__m256i *)(dx + i),
                            s8_grad32(x + i, _mm256_loadu_si256((const __m256i *)(dy + i)),
                                      g->factor, dy_bias, dx_zp16));
    if (i < n) {
        const size_t w = n - i;
        int8_t xb[32] __attribute__((aligned(32)));
        _mm256_store_si256((__m256i *)xb, s8_load(x + i, w, 0));
        s8_store(dx + i, s8_grad32(xb, s8_load(dy + i, w, 0), g->factor, dy_bias, dx_zp16), w);
    }
}

/* ----------------------------------------------------- PReLU forward math */

/*
 * Four elements of s8_prelu_forward__scalar's prelu_fwd_one, xi = x - x_zp:
 *   v = x_scale * xi; f = v > 0 ? v : a * v (v > 0 iff xi > 0, v * 1 == v);
 *   f = f == f ? f : 0; t = f / y_scale clamped to +-512; rhe -> int32.
 */
S8_INLINE __m128i s8_pf4(__m128i xi, __m256d a, const s8_pf *k)
{
    const __m256d pos = _mm256_castsi256_pd(
        _mm256_cvtepi32_epi64(_mm_cmpgt_epi32(xi, _mm_setzero_si128())));
    const __m256d v = _mm256_mul_pd(k->xs, _mm256_cvtepi32_pd(xi));
    __m256d f = _mm256_mul_pd(_mm256_blendv_pd(a, k->one, pos), v);
    f = _mm256_and_pd(f, _mm256_cmp_pd(f, f, _CMP_ORD_Q));
    return s8_pf_quot(f, k);
}

/* 32 map entries with x <= x_zp, v[j] = x_scale * xi of entries 4j..4j+3:
 * f = a * v, and the NaN test only for an alpha that is not finite. */
S8_INLINE __m256i s8_pf32_neg(const __m256d v[8], __m256d a, int finite, const s8_pf *k)
{
    __m256i r[4];
    int g;
    for (g = 0; g < 4; g++) {
        __m256d f0 = _mm256_mul_pd(a, v[2 * g]), f1 = _mm256_mul_pd(a, v[2 * g + 1]);
        if (!finite) {
            f0 = _mm256_and_pd(f0, _mm256_cmp_pd(f0, f0, _CMP_ORD_Q));
            f1 = _mm256_and_pd(f1, _mm256_cmp_pd(f1, f1, _CMP_ORD_Q));
        }
        r[g] = _mm256_add_epi32(_mm256_set_m128i(s8_pf_quot(f1, k), s8_pf_quot(f0, k)), k->y_zp);
    }
    return s8_pack(r[0], r[1], r[2], r[3]);
}

/* 32 elements, a[j] the alphas of elements 4j..4j+3. */
S8_INLINE __m256i s8_pf32(__m256i v, const __m256d a[8], const s8_pf *k)
{
    __m256i r[4];
    int g;
    for (g = 0; g < 4; g++) {
        const __m256i xi = _mm256_sub_epi32(s8_x32(v, g), k->x_zp);
        const __m128i r0 = s8_pf4(_mm256_castsi256_si128(xi), a[2 * g], k);
        const __m128i r1 = s8_pf4(_mm256_extracti128_si256(xi, 1), a[2 * g + 1], k);
        r[g] = _mm256_add_epi32(_mm256_set_m128i(r1, r0), k->y_zp);
    }
    return s8_pack(r[0], r[1], r[2], r[3]);
}

/* The same for the first n (1..32) elements only (the rest: garbage). */
S8_INLINE __m256i s8_pf32n(__m256i v, const __m256d a[8], const s8_pf *k, size_t n)
{
    __m256i r[4];
    int g;
    if (n >= 32)
        return s8_pf32(v, a, k);
    for (g = 0; g < 4; g++) {
        const __m256i xi = _mm256_sub_epi32(s8_x32(v, g), k->x_zp);
        const __m128i r0 = 8 * (size_t)g < n ? s8_pf4(_mm256_castsi256_si128(xi), a[2 * g], k)
                                             : _mm_setzero_si128();
        const __m128i r1 = 8 * (size_t)g + 4 < n
                               ? s8_pf4(_mm256_extracti128_si256(xi, 1), a[2 * g + 1], k)
                               : _mm_setzero_si128();
        r[g] = _mm256_add_epi32(_mm256_set_m128i(r1, r0), k->y_zp);
    }
    return s8_pack(r[0], r[1], r[2], r[3]);
}


/* ------------------------------------------------------ PReLU forward in float */

/*
 * The checked float form of s8_pf32 (s8_simd.inc, "PReLU forward in float,
 * checked"), 32 elements in the lane order of s8_grad_lanes: kn[g] holds
 * the x <= x_zp factors of elements 4g..4g+3 in its low half and
 * 16+4g..16+4g+3 in its high half. xi becomes a float as dy does there
 * (2^23 + u - (2^23 + 128 + x_zp), exact), its sign picks k (xi == 0 is
 * +0 and takes k_pos: 0 either way), and a group of eight with any lane
 * within the margin of a half-integer is computed in double (s8_pf4,
 * aa[j] the alphas of elements 4j..4j+3) instead.
 */
typedef struct s8_pff {
    __m256 kpos, bias, thr, mag; /* k_pos; 2^23 + 128 + x_zp; 0.5 - margin; ~sign */
    __m256i y_zp16;
} s8_pff;

S8_INLINE void s8_pff_init(s8_pff *f, const relu__s8_prelu_quant *q, double ratio)
{
    f->kpos = _mm256_set1_ps(s8_pff_k(1.0f, ratio));
    f->bias = _mm256_set1_ps((float)(8388608 + 128 + q->x_zero_point));
    f->thr = _mm256_set1_ps(0.5f - S8_PFF_MARGIN);
    f->mag = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
    f->y_zp16 = _mm256_set1_epi16((short)q->y_zero_point);
}

/* kn in lane order from the 32 lanes' alphas la (element order). */
S8_INLINE void s8_pff_lanes(const float la[32], double ratio, __m256 kn[4])
{
    float kf[32];
    int j;
    for (j = 0; j < 32; j++)
        kf[j] = s8_pff_k(la[j], ratio);
    for (j = 0; j < 4; j++)
        kn[j] = _mm256_set_m128(_mm_loadu_ps(kf + 16 + 4 * j), _mm_loadu_ps(kf + 4 * j));
}

/* Group g of s8_pff32: xi as a float, the rounded F, and the lanes that
 * fail the margin (all ones). */
S8_INLINE __m256i s8_pff8(__m256i v, int g, __m256 kn, const s8_pff *f, __m256 *xf, __m256 *bad)
{
    const __m256i sel = _mm256_setr_epi8(
        (char)(4 * g), -1, -1, -1, (char)(4 * g + 1), -1, -1, -1, (char)(4 * g + 2), -1, -1, -1,
        (char)(4 * g + 3), -1, -1, -1, (char)(4 * g), -1, -1, -1, (char)(4 * g + 1), -1, -1, -1,
        (char)(4 * g + 2), -1, -1, -1, (char)(4 * g + 3), -1, -1, -1);
    __m256 F, d;
    *xf = _mm256_sub_ps(_mm256_castsi256_ps(_mm256_xor_si256(_mm256_shuffle_epi8(v, sel),
                                                             _mm256_set1_epi32(0x4B000080))),
                        f->bias);
    F = _mm256_mul_ps(*xf, _mm256_blendv_ps(f->kpos, kn, *xf));
    d = _mm256_sub_ps(F, _mm256_round_ps(F, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    /* not below the threshold, or unordered */
    *bad = _mm256_cmp_ps(_mm256_and_ps(d, f->mag), f->thr, _CMP_NLT_UQ);
    return _mm256_cvtps_epi32(F);
}

S8_INLINE __m256i s8_pff_pack(__m256i r0, __m256i r1, __m256i r2, __m256i r3, const s8_pff *f)
{
    return _mm256_packs_epi16(_mm256_adds_epi16(_mm256_packs_epi32(r0, r1), f->y_zp16),
                              _mm256_adds_epi16(_mm256_packs_epi32(r2, r3), f->y_zp16));
}

/* The vectors with a lane that fails: the failing groups in double. Out of
 * line, so that the common path keeps its results in registers. */
static __attribute__((noinline)) __m256i s8_pff32_exact(__m256i v, const __m256 kn[4],
                                                        const __m256d aa[8], const s8_pff *f,
                                                        const s8_pf *k)
{
    __m256i r[4];
    int g;
    for (g = 0; g < 4; g++) {
        __m256 xf, bad;
        r[g] = s8_pff8(v, g, kn[g], f, &xf, &bad);
        if (_mm256_movemask_ps(bad) != 0) {
            const __m256i xi = _mm256_cvtps_epi32(xf);
            r[g] = _mm256_set_m128i(s8_pf4(_mm256_extracti128_si256(xi, 1), aa[4 + g], k),
                                    s8_pf4(_mm256_castsi256_si128(xi), aa[g], k));
        }
    }
    return s8_pff_pack(r[0], r[1], r[2], r[3], f);
}

S8_INLINE __m256i s8_pff32(__m256i v, const __m256 kn[4], const __m256d aa[8], const s8_pff *f,
                           const s8_pf *k)
{
    __m256 xf, b0, b1, b2, b3, any;
    const __m256i r0 = s8_pff8(v, 0, kn[0], f, &xf, &b0);
    const __m256i r1 = s8_pff8(v, 1, kn[1], f, &xf, &b1);
    const __m256i r2 = s8_pff8(v, 2, kn[2], f, &xf, &b2);
    const __m256i r3 = s8_pff8(v, 3, kn[3], f, &xf, &b3);
    any = _mm256_or_ps(_mm256_or_ps(b0, b1), _mm256_or_ps(b2, b3));
    if (__builtin_expect(!_mm256_testz_ps(any, any), 0))
        return s8_pff32_exact(v, kn, aa, f, k);
    return s8_pff_pack(r0, r1, r2, r3, f);
}

/* 32 elements: np < 0 the tested s8_pff32, 0 untested, 1 untested and
 * patched (pt->n patches). */
S8_INLINE __m256i s8_pff_vec(__m256i v, const __m256 kn[4], const __m256d aa[8],
                             const s8_pff *f, const s8_pf *k, const s8_pff_patch *pt,
                             const int np)
{
    __m256i r[4], res;
    int g;
    if (np < 0)
        return s8_pff32(v, kn, aa, f, k);
    for (g = 0; g < 4; g++) {
        __m256 xf, bad;
        r[g] = s8_pff8(v, g, kn[g], f, &xf, &bad); /* bad unused: no test */
    }
    res = s8_pff_pack(r[0], r[1], r[2], r[3], f);
    if (np > 0)
        for (g = 0; g < pt->n; g++)
            res = _mm256_blendv_epi8(res, pt->y[g], _mm256_cmpeq_epi8(v, pt->x[g]));
    return res;
}

/* A strip's rows (or, packed, every vector), np as in s8_pff_vec. */
S8_INLINE void s8_pff_rows(const int8_t *x, int8_t *y, const relu__box *b, int layout, size_t p0,
                           size_t w, const __m256 kn[4], const __m256d aa[8], const s8_pff *f,
                           const s8_pf *k, const s8_pff_patch *pt, const int np)
{
    const size_t row = b->chans * b->len;
    if (layout == S8_PACKED) {
        const size_t total = b->rows * row;
        size_t off = 0;
        if (w < 32 && total >= w + 32) {
            /* whole-vector loads and stores: a store's last 32 - w bytes
             * are the next vector's, which its own store rewrites, and
             * which were loaded before (in place) */
            __m256i v = _mm256_loadu_si256((const __m256i *)x), res;
            do {
                res = s8_pff_vec(v, kn, aa, f, k, pt, np);
                v = _mm256_loadu_si256((const __m256i *)(x + off + w));
                _mm256_storeu_si256((__m256i *)(y + off), res);
                off += w;
            } while (off + w + 32 <= total);
            s8_store(y + off, s8_pff_vec(v, kn, aa, f, k, pt, np), w);
            off += w;
        }
        for (; off < total; off += w) {
            const size_t left = total - off, ww = left < w ? left : w;
            s8_store(y + off, s8_pff_vec(s8_load(x + off, ww, 0), kn, aa, f, k, pt, np), ww);
        }
    } else {
        size_t r;
        for (r = 0; r < b->rows; r++) {
            const size_t off = r * b->row_stride + p0;
            s8_store(y + off, s8_pff_vec(s8_load(x + off, w, 0), kn, aa, f, k, pt, np), w);
        }
    }
}

/* ------------------------------------------------------------ PReLU forward */

/* s8_lane_alphas, and the alphas as doubles (aa[j]: lanes 4j..4j+3). */
S8_INLINE void s8_strip_alphas(size_t p0, size_t w, const relu__box *b, const float *alpha,
                               uint32_t ch[32], float la[32], __m256d aa[8])
{
    int j;
    s8_lane_alphas(p0, w, b, alpha, ch, la);
    for (j = 0; j < 8; j++)
        aa[j] = _mm256_cvtps_pd(_mm_load_ps(la + 4 * j));
}

/* Strips and packed boxes of S8_PFF_MIN_VECS vectors or more: the float
 * arithmetic, tested or patched. Out of line: small calls keep the short
 * frame of the double arithmetic. */
static __attribute__((noinline)) void s8_pff_box(const int8_t *x, int8_t *y, const float *alpha,
                                                 const relu__box *b,
                                                 const relu__s8_prelu_quant *q, int layout,
                                                 size_t vecs, const s8_pf *k)
{
    const size_t row = b->chans * b->len;
    const double ratio = q->x_scale / q->y_scale;
    s8_pff f;
    s8_pff_patch pt;
    s8_pff_pos pos;
    size_t p0;
    s8_pff_init(&f, q, ratio);
    pos.n = vecs >= S8_PFF_PATCH_MIN ? S8_PFF_POS_LATER : -1;
    pt.n = 0;
    for (p0 = 0; p0 < row; p0 += 32) {
        __m256d aa[8];
        __m256 kn[4];
        uint32_t ch[32];
        float la[32] __attribute__((aligned(32)));
        const size_t w = s8_strip_width(layout, row, p0);
        s8_strip_alphas(p0, w, b, alpha, ch, la, aa);
        s8_pff_lanes(la, ratio, kn);
        if (s8_pff_patch_init(&pt, &pos, alpha, ch, w, ratio, q)) {
            if (pt.n == 0)
                s8_pff_rows(x, y, b, layout, p0, w, kn, aa, &f, k, &pt, 0);
            else
                s8_pff_rows(x, y, b, layout, p0, w, kn, aa, &f, k, &pt, 1);
        } else {
            s8_pff_rows(x, y, b, layout, p0, w, kn, aa, &f, k, &pt, -1);
        }
        if (layout == S8_PACKED)
            break;
    }
}

void s8_prelu_forward__avx2(const int8_t *x, int8_t *y, const float *alpha, const relu__box *b,
                            const relu__s8_prelu_quant *q)
{
    s8_pf k;
    const int layout = s8_layout_few_rows(b, s8_layout_fwd(b, q->x_zero_point));
    size_t j;
    if (b->rows == 0 || b->chans == 0 || b->len == 0)
        return;
    s8_pf_init(&k, q);

    if (layout == S8_SEGMENTS) {
        /* entries 0 .. K-1 of the x-order map (x <= x_zp) depend on alpha:
         * blocks 0 .. nneg-1, of which the first nfull hold no x > x_zp */
        const size_t K = (size_t)(q->x_zero_point + 129), nneg = (K + 31) / 32, nfull = K / 32;
        const size_t per_channel = b->rows * b->len;
        /* ready maps cost nothing to take */
        const int use_map = q->maps != NULL || per_channel >= S8_MAP_MIN(nneg);
        int8_t tab[256] __attribute__((aligned(32)));
        __m256d aa[8], v[64];
        size_t c, r, i, s;
        if (use_map && q->maps == NULL) {
            for (j = 0; j < 8; j++)
                aa[j] = k.one;
            for (s = nneg; s < 8; s++)
                _mm256_store_si256((__m256i *)(tab + 32 * s),
                                   s8_pf32(_mm256_load_si256((const __m256i *)(s8_iota + 32 * s)),
                                           aa, &k));
            for (s = 0; s < 8 * nfull; s++) {
                int32_t e[4];
                for (j = 0; j < 4; j++)
                    e[j] = (int32_t)s8_iota[4 * s + j] - q->x_zero_point;
                v[s] = _mm256_mul_pd(k.xs, _mm256_cvtepi32_pd(_mm_loadu_si128((const __m128i *)e)));
            }
        }
        for (c = 0; c < b->chans; c++) {
            const __m256d a = _mm256_set1_pd((double)alpha[c]);
            for (j = 0; j < 8; j++)
                aa[j] = a;
            if (use_map) {
                s8_plan l;
                const int fin = s8_finite(alpha[c]);
                if (q->maps != NULL) {
                    /* ready, x order: x = 0..127 first, then -128..-1 */
                    const int8_t *m = q->maps + 256 * c;
                    s8_plan_init(&l, m + 128, m);
                    goto mapped;
                }
                for (s = 0; s < nfull; s++)
                    _mm256_store_si256((__m256i *)(tab + 32 * s), s8_pf32_neg(v + 8 * s, a, fin, &k));
                for (; s < nneg; s++)
                    _mm256_store_si256(
                        (__m256i *)(tab + 32 * s),
                        s8_pf32(_mm256_load_si256((const __m256i *)(s8_iota + 32 * s)), aa, &k));
                /* map[(uint8_t)x]: x = 0..127 first, then -128..-1 */
                s8_plan_init(&l, tab + 128, tab);
            mapped:
                for (r = 0; r < b->rows; r++) {
                    const size_t off = r * b->row_stride + c * b->chan_stride;
                    for (i = 0; i < b->len; i += 32) {
                        const size_t w = b->len - i;
                        s8_store(y + off + i, s8_plan_look(&l, s8_load(x + off + i, w, 0)), w);
                    }
                }
            } else {
                for (r = 0; r < b->rows; r++) {
                    const size_t off = r * b->row_stride + c * b->chan_stride;
                    for (i = 0; i < b->len; i += 32) {
                        const size_t w = b->len - i;
                        s8_store(y + off + i, s8_pf32n(s8_load(x + off + i, w, 0), aa, &k, w), w);
                    }
                }
            }
        }
        return;
    }

    {
        const size_t row = b->chans * b->len;
        /* vectors a strip has (packed: about, without a division) */
        const size_t vecs = layout == S8_PACKED ? b->rows * row / 32 : b->rows;
        size_t p0;
        if (vecs >= S8_PFF_MIN_VECS) {
            s8_pff_box(x, y, alpha, b, q, layout, vecs, &k);
            return;
        }
        /* the double arithmetic: its set-up is the cheaper */
        for (p0 = 0; p0 < row; p0 += 32) {
            __m256d aa[8];
            uint32_t ch[32];
            float la[32] __attribute__((aligned(32)));
            const size_t w = s8_strip_width(layout, row, p0);
            s8_strip_alphas(p0, w, b, alpha, ch, la, aa);
            if (layout == S8_PACKED) {
                const size_t total = b->rows * row;
                size_t off;
                for (off = 0; off < total; off += w) {
                    const size_t left = total - off, ww = left < w ? left : w;
                    s8_store(y + off, s8_pf32(s8_load(x + off, ww, 0), aa, &k), ww);
                }
                break;
            }
            for (j = 0; j < b->rows; j++) {
                const size_t off = j * b->row_stride + p0;
                s8_store(y + off, s8_pf32(s8_load(x + off, w, 0), aa, &k), w);
            }
        }
    }
}

/* ----------------------------------------------------------- PReLU backward */

typedef struct s8_pb {
    __m256i x_zp, dy_zp, dx_zp; /* int32 */
    __m256 pos;
} s8_pb;

/*
 * Eight elements (xi = x - x_zp, di = dy - dy_zp):
 *   dx = sat(rhe((float)di * (xi > 0 ? pos : neg)) + dx_zp)    (int32 here)
 *   *acc += min(xi, 0) * di                                     (int32 lanes)
 */
S8_INLINE __m256i s8_pb8(__m256i x32, __m256i d32, __m256 neg, const s8_pb *k, __m256i *acc)
{
    const __m256i xi = _mm256_sub_epi32(x32, k->x_zp);
    const __m256i di = _mm256_sub_epi32(d32, k->dy_zp);
    const __m256 f = _mm256_blendv_ps(neg, k->pos,
                                      _mm256_castsi256_ps(_mm256_cmpgt_epi32(xi, _mm256_setzero_si256())));
    const __m256 t = _mm256_mul_ps(_mm256_cvtepi32_ps(di), f);
    *acc = _mm256_add_epi32(*acc, _mm256_mullo_epi32(_mm256_min_epi32(xi, _mm256_setzero_si256()), di));
    return _mm256_add_epi32(_mm256_cvtps_epi32(t), k->dx_zp);
}

/* 32 elements, neg[g] the negative factors of elements 8g..8g+7. The padding
 * of a partial vector must be x_zp (xi = 0 adds nothing). */
S8_INLINE __m256i s8_pb32(__m256i v, __m256i d, const __m256 neg[4], const s8_pb *k,
                          __m256i acc[4])
{
    __m256i r[4];
    int g;
    for (g = 0; g < 4; g++)
        r[g] = s8_pb8(s8_x32(v, g), s8_x32(d, g), neg[g], k, &acc[g]);
    return s8_pack(r[0], r[1], r[2], r[3]);
}

/* int32 lanes take one product (<= 65025) per vector */
#define S8_PB_FLUSH 16384

/* A channel of at least this many elements may take dx from dy tables, if
 * the two tables' lookups take at most S8_PB_TAB_ROWS shuffles. */
#define S8_PB_TAB_MIN 512
#define S8_PB_TAB_ROWS 4

S8_INLINE int64_t s8_sum_epi32(__m256i a)
{
    const __m256i s = _mm256_add_epi64(_mm256_cvtepi32_epi64(_mm256_castsi256_si128(a)),
                                       _mm256_cvtepi32_epi64(_mm256_extracti128_si256(a, 1)));
    int64_t t[4];
    _mm256_storeu_si256((__m256i *)t, s);
    return t[0] + t[1] + t[2] + t[3];
}

void s8_prelu_backward__avx2(const int8_t *x, const int8_t *dy, const float *alpha, int8_t *dx,
                             const relu__box *b, const relu__s8_prelu_grad *g,
                             int64_t *chan_sum)
{
    s8_pb k;
    const int layout = s8_layout_few_rows(b, s8_layout(b));
    const int8_t xz = (int8_t)g->x_zero_point;
    int j;
    if (b->rows == 0 || b->chans == 0 || b->len == 0)
        return;
    k.x_zp = _mm256_set1_epi32(g->x_zero_point);
    k.dy_zp = _mm256_set1_epi32(g->dy_zero_point);
    k.dx_zp = _mm256_set1_epi32(g->dx_zero_point);
    k.pos = _mm256_set1_ps(g->pos_factor);

    if (layout == S8_SEGMENTS) {
        const __m256 dy_bias = s8_dy_bias(g->dy_zero_point);
        const __m256i dx_zp16 = _mm256_set1_epi16((short)g->dx_zero_point);
        const __m256i x_zp8 = _mm256_set1_epi8((char)xz), x_zp16 = _mm256_set1_epi16((short)xz);
        const __m256i dy_zp16 = _mm256_set1_epi16((short)g->dy_zero_point);
        const int use_tab = b->rows * b->len >= S8_PB_TAB_MIN;
        s8_plan gpos, gneg;
        int8_t t[256] __attribute__((aligned(32)));
        uint32_t posbits;
        size_t c, r, i;
        memcpy(&posbits, &g->pos_factor, sizeof posbits);
        if (use_tab) {
            s8_dy_table(posbits, dy_bias, dx_zp16, t);
            s8_plan_init(&gpos, t, t + 128);
        }
        for (c = 0; c < b->chans; c++) {
            const float nfs = relu__s8_factor((double)alpha[c] * g->dy_over_dx);
            const __m256 nf = _mm256_set1_ps(nfs);
            __m256 neg[4];
            __m256i acc[4];
            int64_t sum = 0;
            unsigned vecs = 0;
            for (j = 0; j < 4; j++)
                acc[j] = _mm256_setzero_si256();
            if (use_tab) {
                /* dx from the dy tables of the two factors, picked by x > x_zp,
                 * when their lookups are cheaper than the arithmetic */
                const s8_plan *gn = &gpos;
                uint32_t nb;
                memcpy(&nb, &nfs, sizeof nb);
                /* only a factor equal to the positive one or too small to move
                 * any dx off the zero point has a cheap table: skip the rest */
                if (nb != posbits && nfs * 255.0f < 0.5f && nfs * 255.0f > -0.5f) {
                    s8_dy_table(nb, dy_bias, dx_zp16, t);
                    s8_plan_init(&gneg, t, t + 128);
                    gn = &gneg;
                }
                if ((nb == posbits || gn != &gpos) &&
                    gn->n[0] + gn->n[1] + gpos.n[0] + gpos.n[1] <= S8_PB_TAB_ROWS) {
                    for (r = 0; r < b->rows; r++) {
                        const size_t off = r * b->row_stride + c * b->chan_stride;
                        for (i = 0; i < b->len; i += 32) {
                            const size_t w = b->len - i;
                            const __m256i v = s8_load(x + off + i, w, xz);
                            const __m256i d = s8_load(dy + off + i, w, 0);
                            const __m256i pos = _mm256_cmpgt_epi8(v, x_zp8);
                            const __m256i xlo = _mm256_sub_epi16(
                                _mm256_srai_epi16(_mm256_unpacklo_epi8(v, v), 8), x_zp16);
                            const __m256i xhi = _mm256_sub_epi16(
                                _mm256_srai_epi16(_mm256_unpackhi_epi8(v, v), 8), x_zp16);
                            const __m256i dlo = _mm256_sub_epi16(
                                _mm256_srai_epi16(_mm256_unpacklo_epi8(d, d), 8), dy_zp16);
                            const __m256i dhi = _mm256_sub_epi16(
                                _mm256_srai_epi16(_mm256_unpackhi_epi8(d, d), 8), dy_zp16);
                            const __m256i z = _mm256_setzero_si256();
                            s8_store(dx + off + i,
                                     _mm256_blendv_epi8(s8_plan_look(gn, d), s8_plan_look(&gpos, d), pos), w);
                            acc[0] = _mm256_add_epi32(
                                acc[0], _mm256_add_epi32(
                                            _mm256_madd_epi16(_mm256_min_epi16(xlo, z), dlo),
                                            _mm256_madd_epi16(_mm256_min_epi16(xhi, z), dhi)));
                            /* per dword and vector: <= 2 * 2 * 255 * 255 */
                            if (++vecs == S8_PB_FLUSH / 4) {
                                sum += s8_sum_epi32(acc[0]);
                                acc[0] = _mm256_setzero_si256();
                                vecs = 0;
                            }
                        }
                    }
                    chan_sum[c] += sum + s8_sum_epi32(acc[0]);
                    continue;
                }
            }
            for (j = 0; j < 4; j++)
                neg[j] = nf;
            for (r = 0; r < b->rows; r++) {
                const size_t off = r * b->row_stride + c * b->chan_stride;
                for (i = 0; i < b->len; i += 32) {
                    const size_t w = b->len - i;
                    const __m256i v = s8_load(x + off + i, w, xz), d = s8_load(dy + off + i, w, 0);
                    s8_store(dx + off + i, s8_pb32(v, d, neg, &k, acc), w);
                    if (++vecs == S8_PB_FLUSH) {
                        for (j = 0; j < 4; j++) {
                            sum += s8_sum_epi32(acc[j]);
                            acc[j] = _mm256_setzero_si256();
                        }
                        vecs = 0;
                    }
                }
            }
            for (j = 0; j < 4; j++)
                sum += s8_sum_epi32(acc[j]);
            chan_sum[c] += sum;
        }
        return;
    }

    {
        const size_t row = b->chans * b->len;
        size_t p0;
        for (p0 = 0; p0 < row; p0 += 32) {
            __m256 neg[4];
            __m256i acc[4];
            int64_t lane[32];
            uint32_t ch[32];
            float nf[32] __attribute__((aligned(32)));
            unsigned vecs = 0;
            size_t w, jj;
            w = s8_strip_width(layout, row, p0);
            s8_lane_channels(p0, w, b, ch);
            for (jj = 0; jj < 32; jj++) {
                /* one factor per channel: lanes of a channel are adjacent */
                if (jj >= w)
                    nf[jj] = 0.0f;
                else if (jj > 0 && ch[jj] == ch[jj - 1])
                    nf[jj] = nf[jj - 1];
                else
                    nf[jj] = relu__s8_factor((double)alpha[ch[jj]] * g->dy_over_dx);
                lane[jj] = 0;
            }
            for (j = 0; j < 4; j++) {
                neg[j] = _mm256_load_ps(nf + 8 * j);
                acc[j] = _mm256_setzero_si256();
            }
#define S8_PB_LANE_FLUSH()                                                   \
    do {                                                                     \
        int32_t t_[8];                                                       \
        int g_, e_;                                                          \
        for (g_ = 0; g_ < 4; g_++) {                                         \
            _mm256_storeu_si256((__m256i *)t_, acc[g_]);                     \
            for (e_ = 0; e_ < 8; e_++)                                       \
                lane[8 * g_ + e_] += t_[e_];                                 \
            acc[g_] = _mm256_setzero_si256();                                \
        }                                                                    \
    } while (0)
            if (layout == S8_PACKED) {
                const size_t total = b->rows * row;
                size_t off;
                for (off = 0; off < total; off += w) {
                    const size_t left = total - off, ww = left < w ? left : w;
                    const __m256i v = s8_load(x + off, ww, xz), d = s8_load(dy + off, ww, 0);
                    s8_store(dx + off, s8_pb32(v, d, neg, &k, acc), ww);
                    if (++vecs == S8_PB_FLUSH) {
                        S8_PB_LANE_FLUSH();
                        vecs = 0;
                    }
                }
            } else {
                size_t r;
                for (r = 0; r < b->rows; r++) {
                    const size_t off = r * b->row_stride + p0;
                    const __m256i v = s8_load(x + off, w, xz), d = s8_load(dy + off, w, 0);
                    s8_store(dx + off, s8_pb32(v, d, neg, &k, acc), w);
                    if (++vecs == S8_PB_FLUSH) {
                        S8_PB_LANE_FLUSH();
                        vecs = 0;
                    }
                }
            }
            S8_PB_LANE_FLUSH();
#undef S8_PB_LANE_FLUSH
            s8_fold_runs(chan_sum, ch, lane, w);
            if (layout == S8_PACKED)
                break;
        }
    }
}

/* ------------------------------------------------------------ small calls */

/*
 * Whole PReLU calls of at most RELU_S8_PRELU_SMALL elements (kernels.h):
 * each lane's channel from its index and its parameter gathered, no layout
 * choice. AVX2 arithmetic rounds in the current mode, so these enter the
 * library's environment themselves (src/fpenv.h), as the driver would.
 */

/* v[channel] for the 8 elements from e0 on: with at most 8 channels a
 * permute of first8 (v[0..7]), else gathered, 0 past the last element
 * (whose lanes are not read). */
S8_INLINE __m256 s8_small_pick(const float *v, __m256 first8, const s8_small *s, size_t e0,
                               size_t total)
{
    const __m256i e = _mm256_add_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
                                       _mm256_set1_epi32((int)e0));
    const __m256i ch = s8_small_channels(s, e);
    if (s->channels <= 8)
        return _mm256_permutevar8x32_ps(first8, ch);
    return _mm256_mask_i32gather_ps(
        _mm256_setzero_ps(), v, ch,
        _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_set1_epi32((int)total), e)), 4);
}

/* The first min(count, 8) of v, 0 beyond (masked: nothing past them is read). */
S8_INLINE __m256 s8_small_first8(const float *v, size_t count)
{
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_maskload_ps(
        v, _mm256_cmpgt_epi32(_mm256_set1_epi32(count < 8 ? (int)count : 8), lane));
}

/* relu__s8_factor(a * r) of 8 alphas, in the library's environment. */
S8_INLINE __m256 s8_small_factors8(__m256 a, double r)
{
    const __m256d rv = _mm256_set1_pd(r), lim = _mm256_set1_pd((double)RELU_S8_FACTOR_MAX);
    const __m256d nlim = _mm256_set1_pd(-(double)RELU_S8_FACTOR_MAX);
    __m256d f[2];
    int h;
    for (h = 0; h < 2; h++) {
        f[h] = _mm256_mul_pd(_mm256_cvtps_pd(h ? _mm256_extractf128_ps(a, 1)
                                               : _mm256_castps256_ps128(a)),
                             rv);
        f[h] = _mm256_and_pd(f[h], _mm256_cmp_pd(f[h], f[h], _CMP_ORD_Q));
        f[h] = _mm256_max_pd(_mm256_min_pd(f[h], lim), nlim);
    }
    return _mm256_set_m128(_mm256_cvtpd_ps(f[1]), _mm256_cvtpd_ps(f[0]));
}

int s8_prelu_forward_small__avx2(const int8_t *x, int8_t *y, const float *alpha, size_t outer,
                                 size_t channels, size_t inner, const relu_quant *xq,
                                 const relu_quant *yq)
{
    const size_t total = outer * channels * inner;
    const relu__fpenv env = relu__fpenv_enter();
    relu__s8_prelu_quant q;
    s8_pf k;
    s8_small s;
    __m256 first8;
    size_t p0;
    int j;
    q.x_scale = (double)xq->scale;
    q.y_scale = (double)yq->scale;
    q.x_zero_point = xq->zero_point;
    q.y_zero_point = yq->zero_point;
    q.maps = NULL;
    s8_pf_init(&k, &q);
    s8_small_init(&s, outer, channels, inner);
    first8 = s8_small_first8(alpha, channels);
    for (p0 = 0; p0 < total; p0 += 32) {
        const size_t w = total - p0 < 32 ? total - p0 : 32;
        __m256d a[8];
        for (j = 0; j < 4; j++) {
            const size_t e0 = p0 + 8 * (size_t)j;
            const __m256 al =
                e0 < total ? s8_small_pick(alpha, first8, &s, e0, total) : _mm256_setzero_ps();
            a[2 * j] = _mm256_cvtps_pd(_mm256_castps256_ps128(al));
            a[2 * j + 1] = _mm256_cvtps_pd(_mm256_extractf128_ps(al, 1));
        }
        s8_store(y + p0, s8_pf32n(s8_load(x + p0, w, 0), a, &k, w), w);
    }
    relu__fpenv_leave(env);
    return 1;
}

int s8_prelu_backward_small__avx2(const int8_t *x, const int8_t *dy, const float *alpha,
                                  int8_t *dx, float *dalpha, size_t outer, size_t channels,
                                  size_t inner, const relu_quant *xq, const relu_quant *dyq,
                                  const relu_quant *dxq)
{
    const size_t total = outer * channels * inner;
    const relu__fpenv env = relu__fpenv_enter();
    const double dy_over_dx = (double)dyq->scale / (double)dxq->scale;
    const int32_t x_zp = xq->zero_point, dy_zp = dyq->zero_point;
    float neg[RELU_S8_PRELU_SMALL];
    int32_t sums[RELU_S8_PRELU_SMALL]; /* |sum| <= 64 * 255 * 255 */
    __m256 neg8;
    s8_pb k;
    s8_small s;
    size_t c, e, p0;
    int j;
    k.x_zp = _mm256_set1_epi32(x_zp);
    k.dy_zp = _mm256_set1_epi32(dy_zp);
    k.dx_zp = _mm256_set1_epi32(dxq->zero_point);
    k.pos = _mm256_set1_ps(relu__s8_factor(dy_over_dx));
    neg8 = s8_small_factors8(s8_small_first8(alpha, channels), dy_over_dx);
    for (c = 0; c < channels; c++) {
        if (channels > 8) /* gathered */
            neg[c] = relu__s8_factor((double)alpha[c] * dy_over_dx);
        sums[c] = 0;
    }
    /* the sums before dx is written: dx may be x or dy */
    for (e = 0, c = 0; e < total; c = c + 1 == channels ? 0 : c + 1) {
        const size_t end = e + inner;
        int32_t t = 0;
        for (; e < end; e++) {
            const int32_t xi = x[e] - x_zp;
            t += xi > 0 ? 0 : xi * (dy[e] - dy_zp);
        }
        sums[c] += t;
    }
    s8_small_init(&s, outer, channels, inner);
    for (p0 = 0; p0 < total; p0 += 32) {
        const size_t w = total - p0 < 32 ? total - p0 : 32;
        __m256 nf[4];
        __m256i acc[4]; /* (the sums are above) */
        for (j = 0; j < 4; j++) {
            const size_t e0 = p0 + 8 * (size_t)j;
            nf[j] = e0 < total ? s8_small_pick(neg, neg8, &s, e0, total) : _mm256_setzero_ps();
            acc[j] = _mm256_setzero_si256();
        }
        s8_store(dx + p0,
                 s8_pb32(s8_load(x + p0, w, (int8_t)x_zp), s8_load(dy + p0, w, 0), nf, &k, acc),
                 w);
    }
    for (c = 0; c < channels; c++)
        dalpha[c] = (float)((double)xq->scale * (double)dyq->scale * (double)sums[c]);
    relu__fpenv_leave(env);
    return 1;
}
