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
 * most four distinct factors and gathers the factors otherwise; PReLU
 * forward maps channels with enough elements and does the double arithmetic
 * four lanes at a time elsewhere.
 *
 * AVX2 has no byte-masked loads and stores: partial vectors use dword
 * masked moves plus up to three single bytes, so no byte outside a buffer is
 * read or written.
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

/* ------------------------------------------------------------------ clamp */

void s8_clamp__avx2(const int8_t *x, int8_t *y, size_t n, int8_t lo, int8_t hi)
{
    const __m256i vlo = _mm256_set1_epi8(lo), vhi = _mm256_set1_epi8(hi);
    size_t i = 0;
    for (; i + 128 <= n; i += 128) {
        const __m256i a = _mm256_loadu_si256((const __m256i *)(x + i));
        const __m256i b = _mm256_loadu_si256((const __m256i *)(x + i + 32));
        const __m256i c = _mm256_loadu_si256((const __m256i *)(x + i + 64));
        const __m256i d = _mm256_loadu_si256((const __m256i *)(x + i + 96));
        _mm256_storeu_si256((__m256i *)(y + i), _mm256_min_epi8(_mm256_max_epi8(a, vlo), vhi));
        _mm256_storeu_si256((__m256i *)(y + i + 32), _mm256_min_epi8(_mm256_max_epi8(b, vlo), vhi));
        _mm256_storeu_si256((__m256i *)(y + i + 64), _mm256_min_epi8(_mm256_max_epi8(c, vlo), vhi));
        _mm256_storeu_si256((__m256i *)(y + i + 96), _mm256_min_epi8(_mm256_max_epi8(d, vlo), vhi));
    }
    for (; i + 32 <= n; i += 32) {
        const __m256i a = _mm256_loadu_si256((const __m256i *)(x + i));
        _mm256_storeu_si256((__m256i *)(y + i), _mm256_min_epi8(_mm256_max_epi8(a, vlo), vhi));
    }
    for (; i < n; i++) {
        const int8_t v = x[i] < lo ? lo : x[i];
        y[i] = v > hi ? hi : v;
    }
}

/* ---------------------------------------------------------------- lookups */

/*
 * A 256-entry byte lookup with vpshufb over the table's sixteen 16-byte
 * rows. vpshufb returns row[i & 15], or 0 where bit 7 of i is set. For an
 * index u with high nibble h, split in halves of eight rows: in the low half
 * (u < 128), id_k = u - 16k (bytes, wrapping) has bit 7 clear exactly for
 * k <= h and keeps u's low nibble; so adding vpshufb(D_k, id_k) over k = 0..7,
 * where D_0 = E_0 and D_k = E_k - E_(k-1) (bytes, mod 256), telescopes to
 * E_h[u & 15]. The high half does the same from u - 128 with rows 8..15, and
 * bit 7 of u picks the half.
 *
 * E is the table itself ("plain") or the table minus the index ("affine":
 * y = u + E[u], the sum starting at u instead of 0), whichever has fewer
 * non-zero rows D_k, and rows with D_k == 0 are skipped. Activation tables
 * are mostly flat (saturated) or the identity, so most lookups take a few
 * shuffles instead of sixteen; an arbitrary table takes sixteen.
 */
typedef struct s8_plan {
    int n[2];        /* rows used in each half */
    __m256i base[2]; /* all-ones where the half is affine */
    __m256i d[2][8]; /* the used rows' deltas, broadcast */
    __m256i o[2][8]; /* -16 * (row within the half), broadcast */
} s8_plan;

/* lo: table entries 0..127, hi: entries 128..255 */
S8_INLINE void s8_plan_init(s8_plan *p, const int8_t *lo, const int8_t *hi)
{
    const __m128i step = _mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    int h, k;
    for (h = 0; h < 2; h++) {
        const int8_t *t = h ? hi : lo;
        __m128i dp[8], da[8], prevp = _mm_setzero_si128(), preva = _mm_setzero_si128();
        int np = 0, na = 0, aff, cnt = 0;
        for (k = 0; k < 8; k++) {
            const __m128i r = _mm_loadu_si128((const __m128i *)(t + 16 * k));
            const __m128i e = _mm_sub_epi8(r, _mm_add_epi8(step, _mm_set1_epi8((char)(16 * (8 * h + k)))));
            dp[k] = _mm_sub_epi8(r, prevp);
            da[k] = _mm_sub_epi8(e, preva);
            prevp = r;
            preva = e;
            np += !_mm_testz_si128(dp[k], dp[k]);
            na += !_mm_testz_si128(da[k], da[k]);
        }
        aff = na < np;
        p->base[h] = aff ? _mm256_set1_epi8(-1) : _mm256_setzero_si256();
        for (k = 0; k < 8; k++) {
            const __m128i dk = aff ? da[k] : dp[k];
            if (_mm_testz_si128(dk, dk))
                continue;
            p->d[h][cnt] = _mm256_broadcastsi128_si256(dk);
            p->o[h][cnt] = _mm256_set1_epi8((char)(-16 * k));
            cnt++;
        }
        p->n[h] = cnt;
    }
}

S8_INLINE __m256i s8_look(const s8_plan *p, __m256i v)
{
    const __m256i w = _mm256_xor_si256(v, _mm256_set1_epi8((char)0x80));
    __m256i a = _mm256_and_si256(v, p->base[0]), b = _mm256_and_si256(v, p->base[1]);
    int j;
    for (j = 0; j < p->n[0]; j++)
        a = _mm256_add_epi8(a, _mm256_shuffle_epi8(p->d[0][j], _mm256_add_epi8(v, p->o[0][j])));
    for (j = 0; j < p->n[1]; j++)
        b = _mm256_add_epi8(b, _mm256_shuffle_epi8(p->d[1][j], _mm256_add_epi8(w, p->o[1][j])));
    return _mm256_blendv_epi8(a, b, v);
}

/* Two vectors at once: each row's delta and offset are loaded once. */
S8_INLINE void s8_look2(const s8_plan *p, __m256i v0, __m256i v1, __m256i *y0, __m256i *y1)
{
    const __m256i hb = _mm256_set1_epi8((char)0x80);
    const __m256i w0 = _mm256_xor_si256(v0, hb), w1 = _mm256_xor_si256(v1, hb);
    __m256i a0 = _mm256_and_si256(v0, p->base[0]), a1 = _mm256_and_si256(v1, p->base[0]);
    __m256i b0 = _mm256_and_si256(v0, p->base[1]), b1 = _mm256_and_si256(v1, p->base[1]);
    int j;
    for (j = 0; j < p->n[0]; j++) {
        const __m256i d = p->d[0][j], o = p->o[0][j];
        a0 = _mm256_add_epi8(a0, _mm256_shuffle_epi8(d, _mm256_add_epi8(v0, o)));
        a1 = _mm256_add_epi8(a1, _mm256_shuffle_epi8(d, _mm256_add_epi8(v1, o)));
    }
    for (j = 0; j < p->n[1]; j++) {
        const __m256i d = p->d[1][j], o = p->o[1][j];
        b0 = _mm256_add_epi8(b0, _mm256_shuffle_epi8(d, _mm256_add_epi8(w0, o)));
        b1 = _mm256_add_epi8(b1, _mm256_shuffle_epi8(d, _mm256_add_epi8(w1, o)));
    }
    *y0 = _mm256_blendv_epi8(a0, b0, v0);
    *y1 = _mm256_blendv_epi8(a1, b1, v1);
}

void s8_lut__avx2(const int8_t *x, int8_t *y, size_t n, const relu__s8_table *t)
{
    s8_plan p;
    size_t i = 0;
    /* below ~100 bytes the plan costs more than byte-by-byte lookups */
    if (n < 96) {
        for (; i < n; i++)
            y[i] = t->map[(uint8_t)x[i]];
        return;
    }
    s8_plan_init(&p, t->map, t->map + 128);
    for (; i + 64 <= n; i += 64) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(x + i));
        __m256i b = _mm256_loadu_si256((const __m256i *)(x + i + 32));
        s8_look2(&p, a, b, &a, &b);
        _mm256_storeu_si256((__m256i *)(y + i), a);
        _mm256_storeu_si256((__m256i *)(y + i + 32), b);
    }
    for (; i < n; i += 32) {
        const size_t w = n - i;
        s8_store(y + i, s8_look(&p, s8_load(x + i, w, 0)), w);
    }
}

/* All 256 inputs, in x order (-128 first): the maps are built from these;
 * s8_iota + 128 is (int8_t)q for q = 0..127, s8_iota for q = 128..255. */
static const int8_t s8_iota[256] __attribute__((aligned(32))) = {
#define S8_R16(b) (int8_t)(b), (int8_t)(b + 1), (int8_t)(b + 2), (int8_t)(b + 3), \
    (int8_t)(b + 4), (int8_t)(b + 5), (int8_t)(b + 6), (int8_t)(b + 7),            \
    (int8_t)(b + 8), (int8_t)(b + 9), (int8_t)(b + 10), (int8_t)(b + 11),         \
    (int8_t)(b + 12), (int8_t)(b + 13), (int8_t)(b + 14), (int8_t)(b + 15)
    S8_R16(-128), S8_R16(-112), S8_R16(-96), S8_R16(-80),
    S8_R16(-64), S8_R16(-48), S8_R16(-32), S8_R16(-16),
    S8_R16(0), S8_R16(16), S8_R16(32), S8_R16(48),
    S8_R16(64), S8_R16(80), S8_R16(96), S8_R16(112)
#undef S8_R16
};

/* ----------------------------------------------------------------- s8_grad */

/* Eight elements: t = (float)(dy - dy_zp) * f, rhe, + dx_zp (int32). */
S8_INLINE __m256i s8_grad8(__m256 f, __m256i d32, __m256i dy_zp, __m256i dx_zp)
{
    const __m256 t = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(d32, dy_zp)), f);
    return _mm256_add_epi32(_mm256_cvtps_epi32(t), dx_zp);
}

/* Any factors: eight per gather. */
S8_INLINE __m256i s8_grad32(__m256i v, __m256i d, const float *factor, __m256i dy_zp,
                            __m256i dx_zp)
{
    const __m256i m = _mm256_set1_epi32(0xFF);
    __m256i r[4];
    int g;
    for (g = 0; g < 4; g++)
        r[g] = s8_grad8(_mm256_i32gather_ps(factor, _mm256_and_si256(s8_x32(v, g), m), 4),
                        s8_x32(d, g), dy_zp, dx_zp);
    return s8_pack(r[0], r[1], r[2], r[3]);
}

/*
 * The distinct factors of a gradient table when there are at most four
 * (relu, leaky and clipped have two): their bit patterns and, per class, the
 * 256-bit mask (eight 32-bit words) of the entries holding it. Returns the
 * number of classes, or 0 if there are more than four.
 */
S8_INLINE int s8_classes(const float *factor, uint32_t val[4], uint32_t eq[4][8])
{
    uint32_t left[8];
    int k = 0, w, s;
    for (w = 0; w < 8; w++)
        left[w] = ~0u;
    for (;;) {
        __m256i c;
        for (w = 0; w < 8 && left[w] == 0; w++)
            ;
        if (w == 8)
            break;
        if (k == 4)
            return 0;
        memcpy(&val[k], factor + 32 * w + __builtin_ctz(left[w]), sizeof val[k]);
        c = _mm256_set1_epi32((int)val[k]);
        for (w = 0; w < 8; w++) {
            uint32_t m = 0;
            for (s = 0; s < 4; s++) {
                const __m256i f = _mm256_loadu_si256((const __m256i *)(factor + 32 * w + 8 * s));
                m |= (uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(f, c)))
                     << (8 * s);
            }
            eq[k][w] = m;
            left[w] &= ~m;
        }
        k++;
    }
    for (s = k; s < 4; s++)
        for (w = 0; w < 8; w++)
            eq[s][w] = 0;
    return k;
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

/* The class code table: byte bit 7 = class bit 0, byte bit 6 = class bit 1. */
S8_INLINE void s8_class_code(uint32_t eq[4][8], int8_t code[256])
{
    int w;
    for (w = 0; w < 8; w++) {
        const __m256i b0 = s8_bits_to_bytes(eq[1][w] | eq[3][w]);
        const __m256i b1 = s8_bits_to_bytes(eq[2][w] | eq[3][w]);
        _mm256_storeu_si256((__m256i *)(code + 32 * w),
                            _mm256_or_si256(_mm256_and_si256(b0, _mm256_set1_epi8((char)0x80)),
                                            _mm256_and_si256(b1, _mm256_set1_epi8(0x40))));
    }
}

/* dx as a function of dy alone for the factor with bits fbits: the
 * canonical gradient of the 256 dy values, indexed by (uint8_t)dy. */
S8_INLINE void s8_dy_table(uint32_t fbits, __m256i dy_zp, __m256i dx_zp, int8_t g[256])
{
    float fv;
    __m256 f;
    int w, k;
    memcpy(&fv, &fbits, sizeof fv);
    f = _mm256_set1_ps(fv);
    for (w = 0; w < 8; w++) {
        const __m256i d = _mm256_load_si256((const __m256i *)(s8_iota + ((32 * w + 128) & 255)));
        __m256i r[4];
        for (k = 0; k < 4; k++)
            r[k] = s8_grad8(f, s8_x32(d, k), dy_zp, dx_zp);
        _mm256_storeu_si256((__m256i *)(g + 32 * w), s8_pack(r[0], r[1], r[2], r[3]));
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
                           uint32_t eq[4][8])
{
    const __m256i dy_zp = _mm256_set1_epi32(g->dy_zero_point);
    const __m256i dx_zp = _mm256_set1_epi32(g->dx_zero_point);
    s8_plan G[4], C;
    int8_t t[256] __attribute__((aligned(32)));
    size_t i;
    int c;
    for (c = 0; c < k; c++) {
        s8_dy_table(val[c], dy_zp, dx_zp, t);
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
        s8_look2(&G[0], d0, d1, &r0, &r1);
        if (k > 1) {
            __m256i c0, c1, g0, g1;
            s8_look2(&C, v0, v1, &c0, &c1);
            s8_look2(&G[1], d0, d1, &g0, &g1);
            r0 = _mm256_blendv_epi8(r0, g0, c0);
            r1 = _mm256_blendv_epi8(r1, g1, c1);
            if (k > 2) {
                __m256i h0, h1;
                s8_look2(&G[2], d0, d1, &g0, &g1);
                s8_look2(&G[3], d0, d1, &h0, &h1);
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
        __m256i r = s8_look(&G[0], d);
        if (k > 1) {
            const __m256i cv = s8_look(&C, v);
            r = _mm256_blendv_epi8(r, s8_look(&G[1], d), cv);
            if (k > 2) {
                const __m256i r23 = _mm256_blendv_epi8(s8_look(&G[2], d), s8_look(&G[3], d), cv);
                r = _mm256_blendv_epi8(r, r23, _mm256_add_epi8(cv, cv));
            }
        }
        s8_store(dx + i, r, w);
    }
}

void s8_grad__avx2(const int8_t *x, const int8_t *dy, int8_t *dx, size_t n,
                   const relu__s8_grad *g)
{
    const __m256i dy_zp = _mm256_set1_epi32(g->dy_zero_point);
    const __m256i dx_zp = _mm256_set1_epi32(g->dx_zero_point);
    size_t i;
    if (n >= S8_FEW_MIN) {
        uint32_t val[4], eq[4][8];
        const int k = s8_classes(g->factor, val, eq);
        if (k != 0) {
            s8_grad_few(x, dy, dx, n, g, k, val, eq);
            return;
        }
    }
    for (i = 0; i < n; i += 32) {
        const size_t w = n - i;
        const __m256i v = s8_load(x + i, w, 0), d = s8_load(dy + i, w, 0);
        s8_store(dx + i, s8_grad32(v, d, g->factor, dy_zp, dx_zp), w);
    }
}

/* ----------------------------------------------------- PReLU forward math */

typedef struct s8_pf {
    __m256d xs, ys, rcp, one, lo, hi;
    __m128i x_zp; /* int32 */
    __m256i y_zp; /* int32 */
    int pow2;     /* y_scale is a power of two: f / y_scale == f * rcp exactly */
} s8_pf;

S8_INLINE void s8_pf_init(s8_pf *k, const relu__s8_prelu_quant *q)
{
    uint64_t bits;
    memcpy(&bits, &q->y_scale, sizeof bits);
    /* a float scale is a normal double: a power of two iff no mantissa bits;
     * then the quotient is exact either way (no double overflow/underflow
     * for |f| <= 2^266 and scales >= 2^-149) */
    k->pow2 = (bits & 0x000FFFFFFFFFFFFFull) == 0;
    k->xs = _mm256_set1_pd(q->x_scale);
    k->ys = _mm256_set1_pd(q->y_scale);
    k->rcp = _mm256_set1_pd(1.0 / q->y_scale);
    k->one = _mm256_set1_pd(1.0);
    k->lo = _mm256_set1_pd(-512.0);
    k->hi = _mm256_set1_pd(512.0);
    k->x_zp = _mm_set1_epi32(q->x_zero_point);
    k->y_zp = _mm256_set1_epi32(q->y_zero_point);
}

/* t = f / y_scale, clamped to +-512, round half even to int32. */
S8_INLINE __m128i s8_pf_quot(__m256d f, const s8_pf *k)
{
    __m256d t = k->pow2 ? _mm256_mul_pd(f, k->rcp) : _mm256_div_pd(f, k->ys);
    t = _mm256_min_pd(_mm256_max_pd(t, k->lo), k->hi);
    return _mm256_cvtpd_epi32(t);
}

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

S8_INLINE int s8_finite(float a)
{
    uint32_t b;
    memcpy(&b, &a, sizeof b);
    return (b & 0x7F800000u) != 0x7F800000u;
}

/* 32 elements, a[j] the alphas of elements 4j..4j+3. */
S8_INLINE __m256i s8_pf32(__m256i v, const __m256d a[8], const s8_pf *k)
{
    __m256i r[4];
    int g;
    for (g = 0; g < 4; g++) {
        const __m256i xi = _mm256_sub_epi32(s8_x32(v, g), _mm256_set_m128i(k->x_zp, k->x_zp));
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
        const __m256i xi = _mm256_sub_epi32(s8_x32(v, g), _mm256_set_m128i(k->x_zp, k->x_zp));
        const __m128i r0 = 8 * (size_t)g < n ? s8_pf4(_mm256_castsi256_si128(xi), a[2 * g], k)
                                             : _mm_setzero_si128();
        const __m128i r1 = 8 * (size_t)g + 4 < n
                               ? s8_pf4(_mm256_extracti128_si256(xi, 1), a[2 * g + 1], k)
                               : _mm_setzero_si128();
        r[g] = _mm256_add_epi32(_mm256_set_m128i(r1, r0), k->y_zp);
    }
    return s8_pack(r[0], r[1], r[2], r[3]);
}


/* Box layouts, as in s8_avx512.c with 32-byte vectors. */
enum { S8_SEGMENTS, S8_STRIPS, S8_PACKED };

S8_INLINE int s8_layout(const relu__box *b)
{
    const size_t row = b->chans * b->len;
    if (b->len >= 32 || (b->chans > 1 && b->chan_stride != b->len))
        return S8_SEGMENTS;
    if (b->rows > 1 && row < 32 && b->row_stride == row)
        return S8_PACKED;
    return S8_STRIPS;
}

/* A channel's map pays off from about this many elements. */
#define S8_MAP_MIN(nneg) (32 * (size_t)(nneg) + 64)

/* The forward: runs of 16 or more whose channels each have enough elements
 * for a map take the segments (one channel per vector, mapped). */
S8_INLINE int s8_layout_fwd(const relu__box *b, int32_t x_zp)
{
    const int layout = s8_layout(b);
    const size_t nneg = ((size_t)(x_zp + 129) + 31) / 32;
    if (layout != S8_SEGMENTS && b->len >= 16 && b->rows * b->len >= S8_MAP_MIN(nneg))
        return S8_SEGMENTS;
    return layout;
}

/* The backward and the forward without maps: with few rows, runs of 8 or
 * more are cheaper one channel per vector than with per-lane set-up. */
S8_INLINE int s8_layout_few_rows(const relu__box *b, int layout)
{
    if (layout == S8_STRIPS && b->rows < 4 && b->len >= 8)
        return S8_SEGMENTS;
    return layout;
}

S8_INLINE void s8_lane_channels(size_t p0, size_t w, const relu__box *b, uint16_t ch[32])
{
    size_t c = p0 / b->len, i = p0 % b->len, j;
    for (j = 0; j < w; j++) {
        ch[j] = (uint16_t)c;
        if (++i == b->len) {
            i = 0;
            if (++c == b->chans)
                c = 0;
        }
    }
    for (; j < 32; j++)
        ch[j] = 0;
}

/* ------------------------------------------------------------ PReLU forward */

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
        const int use_map = per_channel >= S8_MAP_MIN(nneg);
        int8_t tab[256] __attribute__((aligned(32)));
        __m256d aa[8], v[64];
        size_t c, r, i, s;
        if (use_map) {
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
                for (s = 0; s < nfull; s++)
                    _mm256_store_si256((__m256i *)(tab + 32 * s), s8_pf32_neg(v + 8 * s, a, fin, &k));
                for (; s < nneg; s++)
                    _mm256_store_si256(
                        (__m256i *)(tab + 32 * s),
                        s8_pf32(_mm256_load_si256((const __m256i *)(s8_iota + 32 * s)), aa, &k));
                /* map[(uint8_t)x]: x = 0..127 first, then -128..-1 */
                s8_plan_init(&l, tab + 128, tab);
                for (r = 0; r < b->rows; r++) {
                    const size_t off = r * b->row_stride + c * b->chan_stride;
                    for (i = 0; i < b->len; i += 32) {
                        const size_t w = b->len - i;
                        s8_store(y + off + i, s8_look(&l, s8_load(x + off + i, w, 0)), w);
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
        size_t p0;
        for (p0 = 0; p0 < row; p0 += 32) {
            __m256d aa[8];
            uint16_t ch[32];
            float la[32] __attribute__((aligned(32)));
            size_t w;
            if (layout == S8_PACKED)
                w = (32 / row) * row;
            else
                w = row - p0 < 32 ? row - p0 : 32;
            s8_lane_channels(p0, w, b, ch);
            for (j = 0; j < 32; j++)
                la[j] = j < w ? alpha[ch[j]] : 0.0f;
            for (j = 0; j < 8; j++)
                aa[j] = _mm256_cvtps_pd(_mm_load_ps(la + 4 * j));
            if (layout == S8_PACKED) {
                const size_t total = b->rows * row;
                size_t off;
                for (off = 0; off < total; off += w) {
                    const size_t left = total - off, ww = left < w ? left : w;
                    s8_store(y + off, s8_pf32(s8_load(x + off, ww, 0), aa, &k), ww);
                }
                break;
            } else {
                size_t r;
                for (r = 0; r < b->rows; r++) {
                    const size_t off = r * b->row_stride + p0;
                    s8_store(y + off, s8_pf32(s8_load(x + off, w, 0), aa, &k), w);
                }
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
        const __m256i dy_zp32 = _mm256_set1_epi32(g->dy_zero_point);
        const __m256i dx_zp32 = _mm256_set1_epi32(g->dx_zero_point);
        const __m256i x_zp8 = _mm256_set1_epi8((char)xz), x_zp16 = _mm256_set1_epi16((short)xz);
        const __m256i dy_zp16 = _mm256_set1_epi16((short)g->dy_zero_point);
        const int use_tab = b->rows * b->len >= S8_PB_TAB_MIN;
        s8_plan gpos, gneg;
        int8_t t[256] __attribute__((aligned(32)));
        uint32_t posbits;
        size_t c, r, i;
        memcpy(&posbits, &g->pos_factor, sizeof posbits);
        if (use_tab) {
            s8_dy_table(posbits, dy_zp32, dx_zp32, t);
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
                    s8_dy_table(nb, dy_zp32, dx_zp32, t);
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
                                     _mm256_blendv_epi8(s8_look(gn, d), s8_look(&gpos, d), pos), w);
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
            uint16_t ch[32];
            float nf[32] __attribute__((aligned(32)));
            unsigned vecs = 0;
            size_t w, jj;
            if (layout == S8_PACKED)
                w = (32 / row) * row;
            else
                w = row - p0 < 32 ? row - p0 : 32;
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
            {
                /* one memory update per run of equal channels: a chained
                 * read-modify-write of one int64 per lane would cost a
                 * store-forwarding round trip each */
                int64_t run = 0;
                uint16_t cur = ch[0];
                for (jj = 0; jj < w; jj++) {
                    if (ch[jj] != cur) {
                        chan_sum[cur] += run;
                        run = 0;
                        cur = ch[jj];
                    }
                    run += lane[jj];
                }
                chan_sum[cur] += run;
            }
            if (layout == S8_PACKED)
                break;
        }
    }
}
