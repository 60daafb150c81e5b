/*
 * src/port/fma.c against a reference, bit for bit, over random operands of
 * every class and constructed hard cases (sums a hair away from a halfway
 * point, subnormal and overflowing results, cancellation, signed zeros).
 *
 *   Linux (ctest "port_fma"): the reference is glibc's fmaf/fma; the
 *     software paths and the dispatching relu__fmaf/relu__fma are checked.
 *   Windows (scripts/test-windows.sh, under Wine): the reference is the FMA
 *     instruction when the CPU has one; the run also counts how often
 *     mingw-w64's own fmaf/fma disagree with it (informational).
 *
 * Prints "port_fma: N passed, M failed" and exits non-zero on a failure.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/port/fma.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t rnd(void) /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static uint32_t fbits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static float ffrom(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static uint64_t dbits(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }
static double dfrom(uint64_t u) { double d; memcpy(&d, &u, 8); return d; }

/* random float/double with exponent field in [lo, hi] (biased), any sign */
static float rf(int lo, int hi)
{
    uint64_t r = rnd();
    uint32_t e = (uint32_t)(lo + (int)(r % (uint64_t)(hi - lo + 1)));
    return ffrom((uint32_t)(r >> 32 & 0x80000000u) | e << 23 | (uint32_t)(r >> 8 & 0x7fffffu));
}
static double rd(int lo, int hi)
{
    uint64_t r = rnd(), m = rnd();
    uint64_t e = (uint64_t)(lo + (int)(r % (uint64_t)(hi - lo + 1)));
    return dfrom((r & 0x8000000000000000u) | e << 52 | (m & 0xfffffffffffffu));
}

static long passed, failed;
#if defined(_WIN32)
static long libm_wrong_f, libm_wrong_d, libm_checked;
#endif
static int have_ref;

static float ref_f(float a, float b, float c)
{
#if defined(_WIN32)
    return relu__fmaf_hw(a, b, c);
#else
    return fmaf(a, b, c);
#endif
}
static double ref_d(double a, double b, double c)
{
#if defined(_WIN32)
    return relu__fma_hw(a, b, c);
#else
    return fma(a, b, c);
#endif
}

static int same_f(float got, float want, int nans)
{
    if (got != got && want != want)
        return nans != 1 || fbits(got) == fbits(want); /* one NaN operand: its payload */
    return fbits(got) == fbits(want);
}
static int same_d(double got, double want, int nans)
{
    if (got != got && want != want)
        return nans != 1 || dbits(got) == dbits(want);
    return dbits(got) == dbits(want);
}

static void check_f(float a, float b, float c)
{
    const int nans = (a != a) + (b != b) + (c != c);
    const float want = ref_f(a, b, c);
    const float soft = relu__fmaf_soft(a, b, c), disp = relu__fmaf(a, b, c);
    if (same_f(soft, want, nans) && same_f(disp, want, nans)) {
        passed++;
    } else {
        if (failed++ < 10)
            printf("FAIL fmaf(%a, %a, %a): soft %a dispatched %a reference %a\n", a, b, c,
                   soft, disp, want);
    }
#if defined(_WIN32)
    libm_checked++;
    if (!same_f(fmaf(a, b, c), want, nans))
        libm_wrong_f++;
#endif
}

static void check_d(double a, double b, double c)
{
    const int nans = (a != a) + (b != b) + (c != c);
    const double want = ref_d(a, b, c);
    const double soft = relu__fma_soft(a, b, c), disp = relu__fma(a, b, c);
    if (same_d(soft, want, nans) && same_d(disp, want, nans)) {
        passed++;
    } else {
        if (failed++ < 10)
            printf("FAIL fma(%a, %a, %a): soft %a dispatched %a reference %a\n", a, b, c,
                   soft, disp, want);
    }
#if defined(_WIN32)
    if (!same_d(fma(a, b, c), want, nans))
        libm_wrong_d++;
#endif
}

static void specials(void)
{
    const float fs[] = {0.0f, -0.0f, 1.0f, -1.0f, INFINITY, -INFINITY, NAN, 0x1p-149f, -0x1p-149f,
                        0x1p-126f, 0x1.fffffep+127f, -0x1.fffffep+127f, 0x1p+64f, 0x1p-75f,
                        3.0f, 0x1.000002p0f, 0x1.fffffep-1f, ffrom(0x7fa00001u), ffrom(0xffc12345u)};
    const double ds[] = {0.0, -0.0, 1.0, -1.0, INFINITY, -INFINITY, NAN, 0x1p-1074, -0x1p-1074,
                         0x1p-1022, 0x1.fffffffffffffp+1023, -0x1.fffffffffffffp+1023, 0x1p+512,
                         0x1p-537, 3.0, 0x1.0000000000001p0, 0x1.fffffffffffffp-1,
                         dfrom(0x7ff4000000000001u), dfrom(0xfff8000000012345u)};
    const size_t nf = sizeof fs / sizeof fs[0], nd = sizeof ds / sizeof ds[0];
    size_t i, j, k;
    for (i = 0; i < nf; i++)
        for (j = 0; j < nf; j++)
            for (k = 0; k < nf; k++)
                check_f(fs[i], fs[j], fs[k]);
    for (i = 0; i < nd; i++)
        for (j = 0; j < nd; j++)
            for (k = 0; k < nd; k++)
                check_d(ds[i], ds[j], ds[k]);
}

/* a*b = 2^e * (1 + tiny) and c a float whose half-ULP is 2^e: the exact sum
 * lies a hair away from (or exactly on) a halfway point of c's grid, where
 * rounding through double (or any wider format, naively) goes wrong. */
static void near_halfway_f(long count, int elo, int ehi)
{
    long t;
    for (t = 0; t < count; t++) {
        const int ea = elo + (int)(rnd() % (uint64_t)(ehi - elo + 1));
        const int eb = elo + (int)(rnd() % (uint64_t)(ehi - elo + 1));
        const float a = ldexpf(1.0f + (float)(rnd() % 8) * 0x1p-23f, ea) * ((rnd() & 1) ? -1.0f : 1.0f);
        const float b = ldexpf(1.0f - (float)(rnd() % 8) * 0x1p-24f, eb) * ((rnd() & 1) ? -1.0f : 1.0f);
        const int ec = ea + eb + 1 + 23 + (int)(rnd() % 3) - 1;
        float c = ldexpf(1.0f + (float)(rnd() & 0x7fffff) * 0x1p-23f, ec);
        if (rnd() & 1)
            c = -c;
        check_f(a, b, c);
        check_f(a, b, -c);
    }
}
static void near_halfway_d(long count, int elo, int ehi)
{
    long t;
    for (t = 0; t < count; t++) {
        const int ea = elo + (int)(rnd() % (uint64_t)(ehi - elo + 1));
        const int eb = elo + (int)(rnd() % (uint64_t)(ehi - elo + 1));
        const double a = ldexp(1.0 + (double)(rnd() % 8) * 0x1p-52, ea) * ((rnd() & 1) ? -1.0 : 1.0);
        const double b = ldexp(1.0 - (double)(rnd() % 8) * 0x1p-53, eb) * ((rnd() & 1) ? -1.0 : 1.0);
        const int ec = ea + eb + 1 + 52 + (int)(rnd() % 3) - 1;
        double c = ldexp(1.0 + (double)(rnd() & 0xfffffffffffffu) * 0x1p-52, ec);
        if (rnd() & 1)
            c = -c;
        check_d(a, b, c);
        check_d(a, b, -c);
    }
}

/* Exact products that sit on a halfway point of the result's grid, plus an
 * addend far below it (or a product with a far-away low bit): only the bits
 * that alignment shifts out (the sticky bit, the TwoSum error) decide. */
static void sticky_cases(long count)
{
    long t;
    for (t = 0; t < count; t++) {
        const double sg = (rnd() & 1) ? -1.0 : 1.0, tiny = ldexp(1.0 + (double)(rnd() & 0xff) * 0x1p-8,
                                                             -(int)(rnd() % 700) - 60);
        const float sgf = (float)sg, tinyf = ldexpf(1.0f, -(int)(rnd() % 90) - 30);
        /* 30-bit odd times 24-bit odd: a 53- or 54-bit product; when 54 it is
         * exactly halfway between two doubles (25/24 bits for float) */
        const int e1 = (int)(rnd() % 200) - 100, e2 = (int)(rnd() % 200) - 100;
        const double a = ldexp((double)((rnd() & 0x1fffffff) | 0x20000001), e1);
        const double b = ldexp((double)((rnd() & 0x7fffff) | 0x800001), e2);
        const float af = ldexpf((float)((rnd() & 0xfff) | 0x1001), e1 / 4);
        const float bf = ldexpf((float)((rnd() & 0x7ff) | 0x801), e2 / 4);
        check_d(a, sg * b, tiny * ldexp(1.0, e1 + e2));
        check_d(a, sg * b, -tiny * ldexp(1.0, e1 + e2));
        check_f(af, sgf * bf, tinyf * ldexpf(1.0f, e1 / 4 + e2 / 4));
        check_f(af, sgf * bf, -tinyf * ldexpf(1.0f, e1 / 4 + e2 / 4));
        {
            /* (2^j + 1) as a product of two significands, c with half-ULP 2^j */
            static const double fa[] = {0x1p25 + 1, 0x1p26 + 1}, fb[] = {0x1p50 - 0x1p25 + 1, 0x1p52 - 0x1p26 + 1};
            static const float ga[] = {0x1p10f + 1, 0x1p11f + 1}, gb[] = {0x1p20f - 0x1p10f + 1, 0x1p22f - 0x1p11f + 1};
            static const int ja[] = {75, 78}, jf[] = {30, 33};
            const int k = (int)(rnd() & 1), s = (int)(rnd() % 400) - 200, sf = (int)(rnd() % 60) - 30;
            const double c = ldexp((double)((rnd() & 0xfffffffffffffu) | 0x10000000000000u), ja[k] + 1 + s);
            const float cf = ldexpf((float)((rnd() & 0x7fffff) | 0x800000), jf[k] + 1 + sf);
            check_d(ldexp(fa[k], s), sg * fb[k], c);
            check_d(ldexp(fa[k], s), sg * fb[k], -c);
            check_f(ldexpf(ga[k], sf), sgf * gb[k], cf);
            check_f(ldexpf(ga[k], sf), sgf * gb[k], -cf);
        }
    }
}

int main(void)
{
    long t;
    /* valgrind emulates the FMA instructions that glibc's fmaf/fma use with
     * two roundings (and loses the sign of some zeros): no reference there. */
    if (getenv("RELU_TEST_VALGRIND") != NULL) {
        printf("port_fma: skipped under valgrind (its FMA emulation is not IEEE fma)\n");
        printf("port_fma: 0 passed, 0 failed\n");
        return 0;
    }
#if defined(_WIN32)
    have_ref = relu__fma_hw_available();
    if (!have_ref) {
        printf("port_fma: this CPU has no FMA instruction: no reference under Windows, skipped\n");
        printf("port_fma: 0 passed, 0 failed\n");
        return 0;
    }
#else
    have_ref = 1;
#endif
    specials();
    for (t = 0; t < 1000000; t++) {
        /* any bit patterns, then exponents close enough to interact */
        check_f(ffrom((uint32_t)rnd()), ffrom((uint32_t)rnd()), ffrom((uint32_t)rnd()));
        check_d(dfrom(rnd()), dfrom(rnd()), dfrom(rnd()));
        {
            const float a = rf(100, 154), b = rf(100, 154), c = rf(90, 164);
            const double x = rd(1000, 1046), y = rd(1000, 1046), z = rd(980, 1066);
            check_f(a, b, c);
            check_f(a, b, -a * b); /* cancellation: the product's rounding error */
            check_d(x, y, z);
            check_d(x, y, -x * y);
        }
        /* subnormal results and operands, and the overflow threshold */
        check_f(rf(0, 40), rf(60, 120), rf(0, 3));
        check_f(rf(1, 70), rf(1, 70), rf(0, 2));
        check_f(rf(190, 254), rf(127, 160), rf(250, 254));
        check_d(rd(0, 80), rd(900, 1100), rd(0, 3));
        check_d(rd(1, 560), rd(1, 560), rd(0, 2));
        check_d(rd(1900, 2046), rd(1023, 1100), rd(2040, 2046));
    }
    near_halfway_f(500000, -60, 60);
    near_halfway_f(200000, -100, -60); /* products and sums near the subnormal range */
    near_halfway_d(500000, -500, 500);
    near_halfway_d(200000, -560, -480);
    sticky_cases(300000);
#if defined(_WIN32)
    printf("port_fma: reference is the FMA instruction; mingw-w64's fmaf differed on %ld "
           "and fma on %ld of %ld cases each\n", libm_wrong_f, libm_wrong_d, libm_checked);
#endif
    printf("port_fma: software %s, dispatched to the %s\n", "fmaf/fma",
           relu__fma_hw_available() ? "FMA instruction" : "software path");
    printf("port_fma: %ld passed, %ld failed\n", passed, failed);
    return failed != 0;
}
