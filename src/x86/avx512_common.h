/*
 * Helpers shared by the AVX-512 (F+BW+DQ+VL) kernel files. Everything here is
 * static inline: a non-static inline function compiled with -mavx512f could be
 * chosen by the linker for a caller on a CPU without AVX-512.
 */
#ifndef RELU_X86_AVX512_COMMON_H
#define RELU_X86_AVX512_COMMON_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

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
 * One TwoSum step per lane (src/dalpha.h, relu__two_sum_acc; f64 PReLU's
 * dalpha lanes and every tier's block results; f32 lanes add) with the scalar
 * bits of (s, e), computed as Fast2Sum on the operands ordered by magnitude:
 * t = s + p is the same operation; for finite t the error of that addition is
 * exact and unique, and Dekker's b - (t - a) with |a| >= |b| yields it as
 * TwoSum's four operations do. VRANGEPD gives a (max-abs; on |s| == |p| its
 * second source, either will do) and b is the other operand. A zero error
 * may come out with the other sign, which cannot change e: e starts at +0 and
 * a round-to-nearest sum is -0 only when both addends are, so e is never -0
 * and e + (-0) == e + (+0). When t is not finite TwoSum's error is NaN; here it is
 * NaN or, when finite s + p overflows (f64 only), the infinity opposite to t;
 * either way s stays infinite or NaN and s + e is NaN, as the block result
 * is with TwoSum (the driver turns every NaN into the default one).
 * Why: six operations instead of seven, and the error's dependency path is
 * two subtractions after t instead of four (f32 PReLU backward, 64 channels,
 * 64 Ki elements, medians of 11 interleaved runs against the TwoSum form:
 * NCHW 11.5 -> 9.8 us, channels-last 11.8 -> 10.9 us).
 */
static inline void relu__avx512_two_sum(__m512d *s, __m512d *e, __m512d p)
{
    const __m512d t = _mm512_add_pd(*s, p);
    const __m512d a = _mm512_range_pd(*s, p, 0x7); /* max |.|, its own sign */
    /* b: the other one, s ^ p ^ a bit for bit (a is s or p), on a logic
     * port instead of a second VRANGEPD on the FP-add ports, which this loop
     * saturates (f32 64 channels, 1 thread, medians of 11 interleaved runs:
     * channels-last 64 Ki 8.8 -> 8.35 us, 1 Mi 152 -> 146 us; NCHW 64 Ki
     * 9.2 -> 9.0 us). When s or p is a NaN, t is one and b does not matter. */
    const __m512d b = _mm512_castsi512_pd(_mm512_ternarylogic_epi64(
        _mm512_castpd_si512(*s), _mm512_castpd_si512(p), _mm512_castpd_si512(a), 0x96));
    *s = t;
    *e = _mm512_add_pd(*e, _mm512_sub_pd(b, _mm512_sub_pd(t, a)));
}

/* relu__avx512_two_sum into s = e = +0, in closed form (the argument of
 * relu__two_sum_from_zero, lane by lane): s = +0 + p is p + 0, and TwoSum's
 * error is +0 for a finite p and NaN otherwise, which is p - p. */
static inline void relu__avx512_two_sum_first(__m512d *s, __m512d *e, __m512d p)
{
    *s = _mm512_add_pd(p, _mm512_setzero_pd());
    *e = _mm512_sub_pd(p, p);
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

/* relu__avx512_block_result for four channels at once, into out[0..3]:
 * lane c of every step is channel c's, so each lane performs the same
 * additions in the same order; only the transposition is shared. Why: four
 * scalar reductions took ~75 instructions of extracts and adds, a third of
 * the AVX-512 kernel's time on 4 channels x 4 elements (17 -> 14 ns). */
static inline void relu__avx512_block_result4(__m512d s0, __m512d e0, __m512d s1, __m512d e1,
                                              __m512d s2, __m512d e2, __m512d s3, __m512d e3,
                                              double *out)
{
    const __m512d a = _mm512_add_pd(s0, e0), b = _mm512_add_pd(s1, e1);
    const __m512d c = _mm512_add_pd(s2, e2), d = _mm512_add_pd(s3, e3);
    const __m512i lo = _mm512_setr_epi64(0, 1, 8, 9, 2, 3, 10, 11);
    const __m512i hi = _mm512_setr_epi64(4, 5, 12, 13, 6, 7, 14, 15);
    const __m512d ab0 = _mm512_unpacklo_pd(a, b), ab1 = _mm512_unpackhi_pd(a, b);
    const __m512d cd0 = _mm512_unpacklo_pd(c, d), cd1 = _mm512_unpackhi_pd(c, d);
    /* t02 holds lanes 0 (low half) and 2 (high half) of the four, and so on */
    const __m512d t02 = _mm512_permutex2var_pd(ab0, lo, cd0);
    const __m512d t46 = _mm512_permutex2var_pd(ab0, hi, cd0);
    const __m512d t13 = _mm512_permutex2var_pd(ab1, lo, cd1);
    const __m512d t57 = _mm512_permutex2var_pd(ab1, hi, cd1);
    __m256d r = _mm256_add_pd(_mm512_castpd512_pd256(t02), _mm512_castpd512_pd256(t13));
    r = _mm256_add_pd(r, _mm512_extractf64x4_pd(t02, 1));
    r = _mm256_add_pd(r, _mm512_extractf64x4_pd(t13, 1));
    r = _mm256_add_pd(r, _mm512_castpd512_pd256(t46));
    r = _mm256_add_pd(r, _mm512_castpd512_pd256(t57));
    r = _mm256_add_pd(r, _mm512_extractf64x4_pd(t46, 1));
    r = _mm256_add_pd(r, _mm512_extractf64x4_pd(t57, 1));
    _mm256_storeu_pd(out, r);
}

/* Lanes 0..n-1 of v (n <= 8) into p[0..n-1] with plain stores: the driver
 * reads them back at once, and a load is not forwarded from a masked store
 * (it waits for the store to reach the cache). */
static inline void relu__avx512_store_first_pd(double *p, __m512d v, size_t n)
{
    __m256d q = _mm512_castpd512_pd256(v);
    __m128d h;
    if (n >= 4) {
        _mm256_storeu_pd(p, q);
        if (n == 8) {
            _mm256_storeu_pd(p + 4, _mm512_extractf64x4_pd(v, 1));
            return;
        }
        p += 4;
        n -= 4;
        q = _mm512_extractf64x4_pd(v, 1);
    }
    h = _mm256_castpd256_pd128(q);
    if (n >= 2) {
        _mm_storeu_pd(p, h);
        p += 2;
        n -= 2;
        h = _mm256_extractf128_pd(q, 1);
    }
    if (n == 1)
        _mm_store_sd(p, h);
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

/*
 * Non-temporal stores for large out-of-place calls: when one kernel call
 * touches (reads + writes) at least this many bytes, the element-wise select
 * loops store with VMOVNTPS/PD (64-byte aligned, after a masked head; masked
 * tail) and fence before returning, so the output does not first read its
 * own lines into the caches (RFO) and evict the inputs. Below it, plain
 * stores: an output that fits in the caches is about to be read again, and
 * NT stores would send it to DRAM (0.31x at 256 KiB).
 * Measured (AVX-512, f32, A/B interleaved, 9-15 reps, medians of GB/s,
 * /tmp/fperf/ab with builds forcing NT on / off, `ab 2 f32 N 11
 * memcpy,relu_f,clipped_f,relu_b,clipped_b nt-off.so nt-on.so`; L3 32 MiB):
 *   forward  (2 streams) in 8 MiB: off 105 / on 80;  10 MiB: 90 / 85 (relu),
 *            12 MiB: 53-61 / 72-77;  16 MiB: 47-51 / 59;  64 MiB: 18 / 21-52
 *   backward (3 streams) in 4 MiB: 116 / 111, 112 / 125;  6 MiB: 75-79 / 114;
 *            8 MiB: 68-70 / 79-97;  16 MiB: 15 / 51-56
 * so the switch sits between 16 and 24 MiB touched: 20 MiB on that machine
 * (Zen 5); dispatch.c sets it per CPU (on a Xeon it is 2.5 MiB).
 */
#ifndef RELU__AVX512_NT_MIN_BYTES
#define RELU__AVX512_NT_MIN_BYTES relu__nt.select /* 20 MiB there; dispatch.c */
#endif

/* Whether a call of n elements of size es over `streams` buffers (inputs
 * plus the output y) may store y non-temporally: touching at least
 * min_bytes, y element-aligned, and y none of the inputs (the contract
 * allows an output to be exactly an input or to overlap nothing). */
static inline int relu__avx512_nt_from(const void *x, const void *y, size_t n, size_t es,
                                       size_t streams, size_t min_bytes)
{
    return n >= min_bytes / (es * streams) && x != y && ((uintptr_t)y % es) == 0;
}

/* The same from RELU__AVX512_NT_MIN_BYTES: the selects, the backwards. */
static inline int relu__avx512_use_nt(const void *x, const void *y, size_t n, size_t es,
                                      size_t streams)
{
    return relu__avx512_nt_from(x, y, n, es, streams, RELU__AVX512_NT_MIN_BYTES);
}

/*
 * The staged forwards of elu, selu and tanh (float_avx512.inc) compute for
 * several times longer per byte than a select, so one thread alone leaves
 * DRAM idle enough that the stores' read-for-ownership costs little: they
 * switch later. Medians of 9 calls, GB/s plain / NT, 1 thread: f32 elu 2 Mi
 * elements (16 MiB in + out) 45-50 / 42-49, 4 Mi 40-45 / 33-45, 8 Mi 37 /
 * 41-44, 16 Mi 39 / 45-46; f32 tanh 8 Mi 31-32 / 30-32; f64 elu 4 Mi
 * 35-36 / 35-36, 8 Mi 32-34 / 31-38; with 2 threads (each a call of half
 * the elements) f32 elu 16 Mi 52 / 61, f64 elu 8 Mi 46 / 60-62, f64 tanh
 * 8 Mi 45 / 50. From 64 MiB touched per call on that machine (Zen 5);
 * dispatch.c sets it per CPU.
 */
#ifndef RELU__AVX512_NT_MATH_MIN_BYTES
#define RELU__AVX512_NT_MATH_MIN_BYTES relu__nt.math /* 64 MiB there; dispatch.c */
#endif

/* The same for a backward call: dx is neither x nor dy. */
static inline int relu__avx512_use_nt2(const void *x, const void *dy, const void *dx, size_t n,
                                       size_t es)
{
    return dx != dy && relu__avx512_use_nt(x, dx, n, es, 3);
}

/* Elements before y's first 64-byte boundary (y element-aligned), at most
 * n: fewer than the lanes of a vector. */
static inline size_t relu__avx512_head64(const void *y, size_t es, size_t n)
{
    const size_t h = ((64u - ((uintptr_t)y & 63u)) & 63u) / es;
    return h < n ? h : n;
}

#endif /* RELU_X86_AVX512_COMMON_H */
