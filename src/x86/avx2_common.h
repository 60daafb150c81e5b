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

/*
 * Non-temporal stores for large out-of-place calls, as in the AVX-512 tier
 * (avx512_common.h): from this many bytes read + written by one kernel
 * call, the select loops stream their 32-byte aligned stores (VMOVNTPS/PD)
 * and fence before returning. Measured (AVX2 tier, f32, A/B interleaved in
 * one process, 11 reps, median GB/s, plain / NT, builds forcing NT off / on:
 * `ab 1 f32 N 11 memcpy,relu_f,clipped_f,relu_b,clipped_b off.so on.so`):
 *   in 6 MiB:  fwd 121 / 87, 108 / 83;   bwd 78 / 125, 111 / 124
 *   in 8 MiB:  fwd 112 / 83, 96 / 88;    bwd 71 / 108, 82 / 123
 *   in 12 MiB: fwd 67 / 83, 67 / 82;     bwd 52 / 75, 58 / 83
 *   in 16 MiB: fwd 47 / 58, 44 / 63;     bwd 41 / 60, 45 / 62
 * forward (2 streams) wins from 24 MiB touched, loses at 16; backward
 * (3 streams) wins from 18: the switch at 20 MiB, as on AVX-512 (on that
 * machine, Zen 5; dispatch.c sets it per CPU).
 */
#ifndef RELU__AVX2_NT_MIN_BYTES
#define RELU__AVX2_NT_MIN_BYTES relu__nt.select
#endif

/* Whether a call of n elements of size es over `streams` buffers may stream
 * its output y: large enough, y element-aligned, y not the input x. */
RELU__AVX2_INLINE int relu__avx2_use_nt(const void *x, const void *y, size_t n, size_t es,
                                        size_t streams)
{
    return n >= RELU__AVX2_NT_MIN_BYTES / (es * streams) && x != y &&
           ((uintptr_t)y % es) == 0;
}

/* Elements before y's first 32-byte boundary (y element-aligned), at most n. */
RELU__AVX2_INLINE size_t relu__avx2_head32(const void *y, size_t es, size_t n)
{
    const size_t h = ((32u - ((uintptr_t)y & 31u)) & 31u) / es;
    return h < n ? h : n;
}

#endif /* RELU_X86_AVX2_COMMON_H */
