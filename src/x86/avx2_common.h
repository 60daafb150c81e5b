/*
 * Helpers shared by the AVX2 (+FMA) kernel files. Everything here is
 * `static inline`: a non-static inline compiled with -mavx2 could be picked
 * by the linker for a caller on a CPU without AVX2 (DESIGN.md).
 */
#ifndef RELU_X86_AVX2_COMMON_H
#define RELU_X86_AVX2_COMMON_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define RELU__AVX2_INLINE static inline __attribute__((always_inline))
#else
#define RELU__AVX2_INLINE static inline
#endif

/* Lane mask for a tail of r elements (0 < r < lanes): lane j is all-ones iff
 * j < r. maskload/maskstore never touch memory of a masked-off lane. */
RELU__AVX2_INLINE __m256i relu__avx2_tail_mask32(size_t r)
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)r),
                              _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

RELU__AVX2_INLINE __m256i relu__avx2_tail_mask64(size_t r)
{
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x((long long)r),
                              _mm256_setr_epi64x(0, 1, 2, 3));
}

/* TwoSum accumulation, lane-wise, in the order of src/dalpha.h. */
RELU__AVX2_INLINE void relu__avx2_two_sum_acc(__m256d *s, __m256d *e, __m256d p)
{
    const __m256d t = _mm256_add_pd(*s, p);
    const __m256d z = _mm256_sub_pd(t, *s);
    const __m256d err = _mm256_add_pd(_mm256_sub_pd(*s, _mm256_sub_pd(t, z)),
                                      _mm256_sub_pd(p, z));
    *s = t;
    *e = _mm256_add_pd(*e, err);
}

#endif /* RELU_X86_AVX2_COMMON_H */
