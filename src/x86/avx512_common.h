/*
 * Helpers shared by the AVX-512 (F+BW+DQ+VL) kernel files. Everything here is
 * static inline: a non-static inline function compiled with -mavx512f could be
 * chosen by the linker for a caller on a CPU without AVX-512.
 */
#ifndef RELU_X86_AVX512_COMMON_H
#define RELU_X86_AVX512_COMMON_H

#include <immintrin.h>
#include <stddef.h>

/* Lane masks for a tail of r elements (1 <= r < lanes). Masked loads and
 * stores never touch the lanes past r, so a tail reads and writes exactly
 * [p, p + r) — no fault at a page end, no write past the buffer. */
static inline __mmask16 relu__avx512_tail_f32(size_t r)
{
    return (__mmask16)((1u << r) - 1u);
}

static inline __mmask8 relu__avx512_tail_f64(size_t r)
{
    return (__mmask8)((1u << r) - 1u);
}

/*
 * One TwoSum step per lane (src/dalpha.h, relu__two_sum_acc): the same four
 * operations in the same order, so every lane's (s, e) has the scalar bits.
 */
static inline void relu__avx512_two_sum(__m512d *s, __m512d *e, __m512d p)
{
    const __m512d t = _mm512_add_pd(*s, p);
    const __m512d z = _mm512_sub_pd(t, *s);
    const __m512d err = _mm512_add_pd(_mm512_sub_pd(*s, _mm512_sub_pd(t, z)), _mm512_sub_pd(p, z));
    *s = t;
    *e = _mm512_add_pd(*e, err);
}

/* The canonical block result r = ((s0+e0) + (s1+e1)) + ... + (s7+e7), in
 * lane order. */
static inline double relu__avx512_block_result(__m512d s, __m512d e)
{
    double se[8], r;
    int j;
    _mm512_storeu_pd(se, _mm512_add_pd(s, e));
    r = se[0];
    for (j = 1; j < 8; j++)
        r = r + se[j];
    return r;
}

/*
 * Channels-last (len == 1) dalpha: each lane holds lane 0 of one channel's
 * accumulator; that channel's lanes 1..7 only ever see +0 + +0 and stay +0.
 * Its block result is then (s0+e0) + (+0) seven times, which is what this
 * computes lane-wise. (s0 and e0 start at +0 and a round-to-nearest sum is -0
 * only when both addends are, so s0+e0 is never -0 and the +0s do not change
 * it; writing them out keeps the identity obvious rather than argued.)
 */
static inline __m512d relu__avx512_lane0_result(__m512d s, __m512d e)
{
    const __m512d zero = _mm512_setzero_pd();
    __m512d r = _mm512_add_pd(s, e);
    int j;
    for (j = 1; j < 8; j++)
        r = _mm512_add_pd(r, zero);
    return r;
}

#endif /* RELU_X86_AVX512_COMMON_H */
