/*
 * The vector-op vocabulary of vec_scalar.h for AArch64 Advanced SIMD:
 * vf32 = 4 floats, vf64 = 2 doubles, masks all-ones / all-zeros lanes.
 *
 * Each macro is the one IEEE operation its scalar twin performs, so a lane
 * here returns the bits a scalar lane returns:
 *  - *_MAX_SEL / *_MIN_SEL are compare + bit-select (the x86 MAXPS/MINPS
 *    rule, NaN in `a` yields `b`), never FMAX/FMIN/FMAXNM, which differ on
 *    NaN and on the order of signed zeros.
 *  - FMA is FMLA (fused, one rounding: fmaf on AArch64 is the same
 *    instruction); FNMA is FMLS, i.e. c + (-a)*b fused, as fmaf(-a, b, c).
 *  - Compares are the ordered FCMGT/FCMGE (false for NaN); a <= b is written
 *    as b >= a (vcleq), a < b as b > a (vcltq): same predicate.
 *  - DIV is FDIV (correctly rounded), no reciprocal estimate.
 * The library runs with FPCR.DN and FZ cleared (src/fpenv.h), so NaN
 * payloads propagate and subnormals are kept, as in the scalar tier.
 */
#ifndef RELU_MATH_VEC_NEON_H
#define RELU_MATH_VEC_NEON_H

#include <arm_neon.h>
#include <stdint.h>

typedef float32x4_t vf32;
typedef float64x2_t vf64;
typedef int32x4_t vi32;
typedef int64x2_t vi64;
typedef uint32x4_t vm32;
typedef uint64x2_t vm64;

/* ------------------------------------------------------------------- f32 */
#define VF32_SET1(c)        vdupq_n_f32((float)(c))
#define VF32_ADD(a, b)      vaddq_f32((a), (b))
#define VF32_SUB(a, b)      vsubq_f32((a), (b))
#define VF32_MUL(a, b)      vmulq_f32((a), (b))
#define VF32_DIV(a, b)      vdivq_f32((a), (b))
#define VF32_FMA(a, b, c)   vfmaq_f32((c), (a), (b))     /*  a*b + c, one rounding */
#define VF32_FNMA(a, b, c)  vfmsq_f32((c), (a), (b))     /* -a*b + c, one rounding */
#define VF32_MAX_SEL(a, b)  relu__vn_max_sel_f32((a), (b))
#define VF32_MIN_SEL(a, b)  relu__vn_min_sel_f32((a), (b))
#define VF32_CMP_GT(a, b)   vcgtq_f32((a), (b))
#define VF32_CMP_LE(a, b)   vcleq_f32((a), (b))
#define VF32_CMP_LT(a, b)   vcltq_f32((a), (b))
#define VF32_ISNAN(a)       relu__vn_isnan_f32(a)
#define VF32_SELECT(m, a, b) vbslq_f32((m), (a), (b))
#define VF32_AS_VI32(v)     vreinterpretq_s32_f32(v)
#define VI32_AS_VF32(v)     vreinterpretq_f32_s32(v)
#define VI32_SET1(c)        vdupq_n_s32((int32_t)(c))
#define VI32_ADD(a, b)      vaddq_s32((a), (b))          /* wraps, like the scalar tier */
#define VI32_SUB(a, b)      vsubq_s32((a), (b))
#define VI32_SHL(a, imm)    vshlq_n_s32((a), (imm))
#define VI32_SHR(a, imm)    vreinterpretq_s32_u32(vshrq_n_u32(vreinterpretq_u32_s32(a), (imm)))
#define VF32_LOOKUP8(tbl, idx) relu__vn_lookup8_f32((tbl), (idx))
#define VM32_AND(a, b)      vandq_u32((a), (b))
#define VM32_OR(a, b)       vorrq_u32((a), (b))
#define VM32_NOT(a)         vmvnq_u32(a)

/* ------------------------------------------------------------------- f64 */
#define VF64_SET1(c)        vdupq_n_f64((double)(c))
#define VF64_ADD(a, b)      vaddq_f64((a), (b))
#define VF64_SUB(a, b)      vsubq_f64((a), (b))
#define VF64_MUL(a, b)      vmulq_f64((a), (b))
#define VF64_DIV(a, b)      vdivq_f64((a), (b))
#define VF64_FMA(a, b, c)   vfmaq_f64((c), (a), (b))
#define VF64_FNMA(a, b, c)  vfmsq_f64((c), (a), (b))
#define VF64_MAX_SEL(a, b)  relu__vn_max_sel_f64((a), (b))
#define VF64_MIN_SEL(a, b)  relu__vn_min_sel_f64((a), (b))
#define VF64_CMP_GT(a, b)   vcgtq_f64((a), (b))
#define VF64_CMP_LE(a, b)   vcleq_f64((a), (b))
#define VF64_CMP_LT(a, b)   vcltq_f64((a), (b))
#define VF64_ISNAN(a)       relu__vn_isnan_f64(a)
#define VF64_SELECT(m, a, b) vbslq_f64((m), (a), (b))
#define VF64_AS_VI64(v)     vreinterpretq_s64_f64(v)
#define VI64_AS_VF64(v)     vreinterpretq_f64_s64(v)
#define VI64_SET1(c)        vdupq_n_s64((int64_t)(c))
#define VI64_ADD(a, b)      vaddq_s64((a), (b))
#define VI64_SUB(a, b)      vsubq_s64((a), (b))
#define VI64_SHL(a, imm)    vshlq_n_s64((a), (imm))
#define VM64_AND(a, b)      vandq_u64((a), (b))
#define VM64_OR(a, b)       vorrq_u64((a), (b))
#define VM64_NOT(a)         relu__vn_not_u64(a)

/* Functions rather than macros where an argument is used twice. */
static inline vf32 relu__vn_max_sel_f32(vf32 a, vf32 b) { return vbslq_f32(vcgtq_f32(a, b), a, b); }
static inline vf32 relu__vn_min_sel_f32(vf32 a, vf32 b) { return vbslq_f32(vcltq_f32(a, b), a, b); }
static inline vm32 relu__vn_isnan_f32(vf32 a) { return vmvnq_u32(vceqq_f32(a, a)); }
/* tbl[idx & 7] as a byte lookup: lane i reads bytes 4*(idx & 7) + 0..3. */
static inline vf32 relu__vn_lookup8_f32(const float *tbl, vi32 idx)
{
    const uint8x16x2_t t = {{vreinterpretq_u8_f32(vld1q_f32(tbl)),
                             vreinterpretq_u8_f32(vld1q_f32(tbl + 4))}};
    const uint32x4_t base = vshlq_n_u32(vandq_u32(vreinterpretq_u32_s32(idx), vdupq_n_u32(7)), 2);
    const uint32x4_t bytes = vmlaq_n_u32(vdupq_n_u32(0x03020100u), base, 0x01010101u);
    return vreinterpretq_f32_u8(vqtbl2q_u8(t, vreinterpretq_u8_u32(bytes)));
}
static inline vf64 relu__vn_max_sel_f64(vf64 a, vf64 b) { return vbslq_f64(vcgtq_f64(a, b), a, b); }
static inline vf64 relu__vn_min_sel_f64(vf64 a, vf64 b) { return vbslq_f64(vcltq_f64(a, b), a, b); }
static inline vm64 relu__vn_isnan_f64(vf64 a)
{
    return vreinterpretq_u64_u32(vmvnq_u32(vreinterpretq_u32_u64(vceqq_f64(a, a))));
}
/* There is no 64-bit-lane NOT: the bitwise NOT of the 32-bit view is the same. */
static inline vm64 relu__vn_not_u64(vm64 a)
{
    return vreinterpretq_u64_u32(vmvnq_u32(vreinterpretq_u32_u64(a)));
}

/* Whole-vector mask tests (not in the scalar vocabulary: kernels use them to
 * skip work, never to change a lane's result). */
static inline int relu__vn_all32(vm32 m) { return vminvq_u32(m) != 0; }
static inline int relu__vn_any32(vm32 m) { return vmaxvq_u32(m) != 0; }
static inline int relu__vn_all64(vm64 m) { return vminvq_u32(vreinterpretq_u32_u64(m)) != 0; }
static inline int relu__vn_any64(vm64 m) { return vmaxvq_u32(vreinterpretq_u32_u64(m)) != 0; }

#endif /* RELU_MATH_VEC_NEON_H */
