/* Correctly rounded fmaf/fma: see fma.h for the method. */
#include "fma.h"

#include <stdint.h>
#include <string.h>

#include "cpu_x86_cpuid.h"

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define RELU_PORT_FMA_X86 1
#endif

static uint64_t bits64(double d) { uint64_t u; memcpy(&u, &d, sizeof u); return u; }
static double from_bits64(uint64_t u) { double d; memcpy(&d, &u, sizeof d); return d; }

/* ------------------------------------------------------------------ fmaf */

float relu__fmaf_soft(float a, float b, float c)
{
    const double p = (double)a * (double)b; /* exact, |p| <= 2^256 */
    const double s = p + (double)c;
    double bv, av, err;
    uint64_t u;

    if (s - s != 0.0) {
        /* inf or NaN, from an inf or NaN operand: exact. A NaN c wins over
         * the default NaN of inf*0, as with the FMA instruction. */
        if (c != c && a == a && b == b)
            return c + c;
        return (float)s;
    }
    /* TwoSum (Knuth): s + err == p + c exactly (no overflow is possible). */
    bv = s - p;
    av = s - bv;
    err = (p - av) + ((double)c - bv);
    if (err == 0.0)
        return (float)s; /* s is exact: one rounding to float */
    /* Round to odd: of s and its neighbour towards p+c, the one whose last
     * significand bit is 1. s != 0 here: every value involved is a multiple
     * of 2^-298, far above double's smallest subnormal, so s == 0 means the
     * sum was exact. */
    u = bits64(s);
    if ((u & 1) == 0) {
        if ((err > 0.0) == (s > 0.0))
            u++; /* away from zero */
        else
            u--; /* towards zero */
    }
    return (float)from_bits64(u);
}

/* ------------------------------------------------------------------- fma */

typedef unsigned __int128 u128;

static int lead128(u128 v) /* index of the highest set bit; v != 0 */
{
    const uint64_t hi = (uint64_t)(v >> 64), lo = (uint64_t)v;
    return hi ? 127 - __builtin_clzll(hi) : 63 - __builtin_clzll(lo);
}

double relu__fma_soft(double a, double b, double c)
{
    const uint64_t ua = bits64(a), ub = bits64(b), uc = bits64(c);
    const uint64_t frac = ((uint64_t)1 << 52) - 1;
    int ea = (int)(ua >> 52 & 0x7ff), eb = (int)(ub >> 52 & 0x7ff), ec = (int)(uc >> 52 & 0x7ff);
    uint64_t ma = ua & frac, mb = ub & frac, mc = uc & frac, out;
    int sp = (int)((ua ^ ub) >> 63), sc = (int)(uc >> 63);
    int ep, ez, e_big, e_small, s_big, s_small, sign, lead, sh, e_lsb, d;
    u128 prod, z, big, small, r, q;

    /* A NaN c with non-NaN factors is the result (quieted), even when
     * a*b is the default NaN of inf*0 — as with the FMA instruction. */
    if (c != c && a == a && b == b)
        return c + c;
    /* Non-finite or zero factors: a*b is exact (inf, NaN or a signed zero),
     * so a*b + c rounds once. (-ffp-contract=off keeps these two operations.) */
    if (ea == 0x7ff || eb == 0x7ff || (ua << 1) == 0 || (ub << 1) == 0)
        return a * b + c;
    /* Finite non-zero product: an infinite or NaN c decides (a*b might
     * overflow in double and must not make inf - inf). */
    if (ec == 0x7ff)
        return c + c;
    /* c = +-0: the exact sum is the non-zero product, rounded once; a*b
     * keeps its sign even when it underflows to zero. */
    if ((uc << 1) == 0)
        return a * b;

    /* value = m * 2^(e - 1075) for normal numbers, m * 2^-1074 subnormal */
    if (ea) ma |= (uint64_t)1 << 52; else ea = 1;
    if (eb) mb |= (uint64_t)1 << 52; else eb = 1;
    if (ec) mc |= (uint64_t)1 << 52; else ec = 1;

    /* Both operands scaled so that their leading bit is bit 125: two spare
     * bits on top for the carry, >= 72 bits below the 53 that survive. */
    prod = (u128)ma * mb;
    ep = ea + eb - 2150;
    lead = lead128(prod);
    prod <<= 125 - lead;
    ep -= 125 - lead;
    z = mc;
    ez = ec - 1075;
    lead = lead128(z);
    z <<= 125 - lead;
    ez -= 125 - lead;

    if (ep > ez || (ep == ez && prod >= z)) {
        big = prod; e_big = ep; s_big = sp;
        small = z; e_small = ez; s_small = sc;
    } else {
        big = z; e_big = ez; s_big = sc;
        small = prod; e_small = ep; s_small = sp;
    }
    /* Align, folding the bits shifted out into a sticky last bit: with the
     * rounding position >= 72 bits up whenever anything is shifted out, that
     * preserves round-to-nearest exactly. */
    d = e_big - e_small;
    if (d >= 128)
        small = 1;
    else if (d > 0)
        small = (small >> d) | ((small & (((u128)1 << d) - 1)) != 0);
    r = s_big == s_small ? big + small : big - small;
    sign = s_big;
    if (r == 0)
        return 0.0; /* exact cancellation: +0 in round-to-nearest */

    /* Round r * 2^e_big to 53 bits, or to the subnormal grid 2^-1074. */
    lead = lead128(r);
    if (lead + e_big >= -1022)
        sh = lead - 52;
    else
        sh = -1074 - e_big;
    if (sh <= 0) {
        q = r << -sh; /* exact */
    } else if (sh >= 128) {
        q = 0; /* r < 2^127 <= half the grid step: rounds to zero */
    } else {
        const u128 rem = r & (((u128)1 << sh) - 1), half = (u128)1 << (sh - 1);
        q = r >> sh;
        if (rem > half || (rem == half && (q & 1)))
            q++;
    }
    e_lsb = e_big + sh; /* q * 2^e_lsb; q <= 2^53 */
    if (e_lsb + 1074 > 2045) {
        out = (uint64_t)0x7ff << 52; /* overflow: inf */
    } else {
        /* Normal: q has its hidden bit 2^52, which adds one to the exponent
         * field; subnormal: e_lsb == -1074 and q is the field itself. A carry
         * to 2^53 (or to 2^52 from a subnormal) lands in the exponent, as it
         * should. */
        out = ((uint64_t)(e_lsb + 1074) << 52) + (uint64_t)q;
        if (out >= (uint64_t)0x7ff << 52)
            out = (uint64_t)0x7ff << 52;
    }
    return from_bits64(out | (uint64_t)sign << 63);
}

/* -------------------------------------------------- the FMA instruction */

#if defined(RELU_PORT_FMA_X86)
__attribute__((target("fma"))) float relu__fmaf_hw(float a, float b, float c)
{
    return __builtin_fmaf(a, b, c);
}
__attribute__((target("fma"))) double relu__fma_hw(double a, double b, double c)
{
    return __builtin_fma(a, b, c);
}
#else
float relu__fmaf_hw(float a, float b, float c) { return relu__fmaf_soft(a, b, c); }
double relu__fma_hw(double a, double b, double c) { return relu__fma_soft(a, b, c); }
#endif

/* 0: not decided yet, 1: software, 2: FMA instruction. Racing first calls
 * compute the same answer. */
static int fma_mode;

int relu__fma_hw_available(void)
{
    int mode = __atomic_load_n(&fma_mode, __ATOMIC_RELAXED);
    if (mode == 0) {
#if defined(RELU_PORT_FMA_X86)
        relu__cpu cpu;
        relu__cpu_detect_x86_cpuid(&cpu);
        mode = cpu.fma ? 2 : 1;
#else
        mode = 1;
#endif
        __atomic_store_n(&fma_mode, mode, __ATOMIC_RELAXED);
    }
    return mode == 2;
}

float relu__fmaf(float a, float b, float c)
{
    return relu__fma_hw_available() ? relu__fmaf_hw(a, b, c) : relu__fmaf_soft(a, b, c);
}

double relu__fma(double a, double b, double c)
{
    return relu__fma_hw_available() ? relu__fma_hw(a, b, c) : relu__fma_soft(a, b, c);
}
