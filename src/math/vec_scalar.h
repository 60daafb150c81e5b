/*
 * The vector-op vocabulary, instantiated for one lane: the scalar tier of
 * src/math/act_f32.inc and act_f64.inc.
 *
 * Every SIMD tier defines the same names for its own registers (AVX2 __m256,
 * AVX-512 __m512, NEON float32x4_t ...), and the algorithms are written with
 * nothing else. Each op is one IEEE operation with one rounding (or none), so
 * a lane of any tier computes exactly what this file computes. That is why
 * the vocabulary has no min/max (x86 MINPS and ARM FMIN disagree on NaN and
 * on signed zeros: the *_SEL forms spell out the x86 rule as a compare and a
 * select), no reciprocal estimates and no libm beyond fma.
 *
 * Names: VF32_/VF64_ float ops, VI32_/VI64_ integer ops on same-width lanes,
 * VM32_/VM64_ mask ops. Integer adds and shifts wrap modulo 2^32 / 2^64 like
 * the SIMD instructions (computed on unsigned types here: no signed-overflow
 * UB). Masks are produced only by the compares and consumed by SELECT and the
 * mask ops. VF32_LOOKUP8 reads a constant table by the low three bits of an
 * integer lane: a load, exact on every tier.
 *
 * The scalar tier relies on the build's -ffp-contract=off: `a * b + c` must
 * stay two roundings, since only VF*_FMA/VF*_FNMA may fuse.
 */
#ifndef RELU_MATH_VEC_SCALAR_H
#define RELU_MATH_VEC_SCALAR_H

#include <math.h>
#include <stdint.h>
#include <string.h>

typedef float vf32;
typedef double vf64;
typedef int32_t vi32;
typedef int64_t vi64;
typedef int vm32;
typedef int vm64;

static inline vi32 relu__vs_f32_as_i32(float v) { vi32 i; memcpy(&i, &v, sizeof i); return i; }
static inline float relu__vs_i32_as_f32(vi32 i) { float v; memcpy(&v, &i, sizeof v); return v; }
static inline vi64 relu__vs_f64_as_i64(double v) { vi64 i; memcpy(&i, &v, sizeof i); return i; }
static inline double relu__vs_i64_as_f64(vi64 i) { double v; memcpy(&v, &i, sizeof v); return v; }

/* A select without a branch, for the scalar select kernels
 * (float_scalar.inc's SEL): they select on the sign of data, where a branch
 * mispredicts half the time on random input (they ran at 2-3 GB/s on
 * 16 MiB). The result is the bits of a or of b, exactly, like a blend.
 * VF*_SELECT keeps the plain conditional: in the exp/tanh code the compiler
 * already avoids branches, and this integer round trip made it 40% slower. */
#define RELU__VS_SEL(name, T, U)                                                \
    static inline T name(int m, T a, T b)                                       \
    {                                                                           \
        const U keep = (U)0 - (U)(m != 0);                                      \
        U ua, ub;                                                               \
        memcpy(&ua, &a, sizeof ua);                                             \
        memcpy(&ub, &b, sizeof ub);                                             \
        ua = (ua & keep) | (ub & ~keep);                                        \
        memcpy(&a, &ua, sizeof a);                                              \
        return a;                                                               \
    }
RELU__VS_SEL(relu__vs_sel_f32, float, uint32_t)
RELU__VS_SEL(relu__vs_sel_f64, double, uint64_t)
#undef RELU__VS_SEL

/* ------------------------------------------------------------------- f32 */
#define VF32_SET1(c)        ((vf32)(c))
#define VF32_ADD(a, b)      ((vf32)((a) + (b)))
#define VF32_SUB(a, b)      ((vf32)((a) - (b)))
#define VF32_MUL(a, b)      ((vf32)((a) * (b)))
#define VF32_DIV(a, b)      ((vf32)((a) / (b)))
#define VF32_FMA(a, b, c)   fmaf((a), (b), (c))          /*  a*b + c, one rounding */
#define VF32_FNMA(a, b, c)  fmaf(-(a), (b), (c))         /* -a*b + c, one rounding */
#define VF32_MAX_SEL(a, b)  ((a) > (b) ? (a) : (b))      /* NaN in a -> b (MAXPS) */
#define VF32_MIN_SEL(a, b)  ((a) < (b) ? (a) : (b))      /* NaN in a -> b (MINPS) */
#define VF32_CMP_GT(a, b)   ((vm32)((a) > (b)))
#define VF32_CMP_LE(a, b)   ((vm32)((a) <= (b)))
#define VF32_CMP_LT(a, b)   ((vm32)((a) < (b)))
#define VF32_ISNAN(a)       ((vm32)((a) != (a)))
#define VF32_SELECT(m, a, b) ((m) ? (a) : (b))
#define VF32_AS_VI32(v)     relu__vs_f32_as_i32(v)
#define VI32_AS_VF32(v)     relu__vs_i32_as_f32(v)
#define VI32_SET1(c)        ((vi32)(c))
#define VI32_ADD(a, b)      ((vi32)((uint32_t)(a) + (uint32_t)(b)))
#define VI32_SUB(a, b)      ((vi32)((uint32_t)(a) - (uint32_t)(b)))
#define VI32_SHL(a, imm)    ((vi32)((uint32_t)(a) << (imm)))
#define VI32_SHR(a, imm)    ((vi32)((uint32_t)(a) >> (imm)))  /* logical */
/* tbl[idx & 7]: tbl holds 16 floats, the second 8 repeating the first
 * (vec_avx512.h permutes 16 lanes), 64-byte aligned. */
#define VF32_LOOKUP8(tbl, idx) ((tbl)[(uint32_t)(idx) & 7u])
#define VM32_AND(a, b)      ((a) & (b))
#define VM32_OR(a, b)       ((a) | (b))
#define VM32_NOT(a)         (!(a))

/* ------------------------------------------------------------------- f64 */
#define VF64_SET1(c)        ((vf64)(c))
#define VF64_ADD(a, b)      ((vf64)((a) + (b)))
#define VF64_SUB(a, b)      ((vf64)((a) - (b)))
#define VF64_MUL(a, b)      ((vf64)((a) * (b)))
#define VF64_DIV(a, b)      ((vf64)((a) / (b)))
#define VF64_FMA(a, b, c)   fma((a), (b), (c))
#define VF64_FNMA(a, b, c)  fma(-(a), (b), (c))
#define VF64_MAX_SEL(a, b)  ((a) > (b) ? (a) : (b))
#define VF64_MIN_SEL(a, b)  ((a) < (b) ? (a) : (b))
#define VF64_CMP_GT(a, b)   ((vm64)((a) > (b)))
#define VF64_CMP_LE(a, b)   ((vm64)((a) <= (b)))
#define VF64_CMP_LT(a, b)   ((vm64)((a) < (b)))
#define VF64_ISNAN(a)       ((vm64)((a) != (a)))
#define VF64_SELECT(m, a, b) ((m) ? (a) : (b))
#define VF64_AS_VI64(v)     relu__vs_f64_as_i64(v)
#define VI64_AS_VF64(v)     relu__vs_i64_as_f64(v)
#define VI64_SET1(c)        ((vi64)(c))
#define VI64_ADD(a, b)      ((vi64)((uint64_t)(a) + (uint64_t)(b)))
#define VI64_SUB(a, b)      ((vi64)((uint64_t)(a) - (uint64_t)(b)))
#define VI64_SHL(a, imm)    ((vi64)((uint64_t)(a) << (imm)))
#define VM64_AND(a, b)      ((a) & (b))
#define VM64_OR(a, b)       ((a) | (b))
#define VM64_NOT(a)         (!(a))

#endif /* RELU_MATH_VEC_SCALAR_H */
