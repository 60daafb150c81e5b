/*
 * Correctly rounded fmaf/fma for the scalar tier where the C library's are
 * not: mingw-w64's fmaf and fma round twice (seen to differ from the FMA
 * instruction under Wine), which would break the scalar tier's bit-identity
 * with the SIMD tiers. On Windows the build force-includes fma_redirect.h,
 * which turns every fmaf(...)/fma(...) call in the library into
 * relu__fmaf/relu__fma below.
 *
 * relu__fmaf / relu__fma use the FMA instruction when the CPU has it (and the
 * OS saves YMM state: the same test as the AVX2 tier), decided once, and an
 * exact software fallback otherwise:
 *   - fmaf: a*b is exact in double (24+24 <= 53 bits); a + b in double is
 *     then rounded *to odd* (round to nearest, TwoSum for the error, and the
 *     last bit set when inexact), and the final conversion to float rounds
 *     once more: round-to-odd with >= 2 extra bits makes that double rounding
 *     innocuous (Boldo & Melquiond), subnormal float results included.
 *   - fma: integer arithmetic on the significands (the 106-bit product in an
 *     unsigned __int128), exact alignment with a sticky bit, one round to
 *     nearest even, gradual underflow and overflow handled explicitly.
 * Both assume round-to-nearest, which the library guarantees (src/fpenv.h).
 * tests/windows/check_fma.c compares them with glibc on Linux and with the
 * FMA instruction, over random and hard cases.
 */
#ifndef RELU_PORT_FMA_H
#define RELU_PORT_FMA_H

float relu__fmaf(float a, float b, float c);
double relu__fma(double a, double b, double c);

float relu__fmaf_soft(float a, float b, float c);
double relu__fma_soft(double a, double b, double c);

/* 1 when relu__fmaf/relu__fma use the FMA instruction. */
int relu__fma_hw_available(void);
/* The FMA instruction itself; call only when relu__fma_hw_available(). */
float relu__fmaf_hw(float a, float b, float c);
double relu__fma_hw(double a, double b, double c);

#endif /* RELU_PORT_FMA_H */
