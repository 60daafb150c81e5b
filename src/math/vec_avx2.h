/*
 * The vector-op vocabulary of src/math/vec_scalar.h for AVX2 + FMA: 8 float /
 * 4 double lanes per register; a mask is a vector of the same type whose
 * lanes are all-ones (true) or all-zeros (false). Include it only from files
 * compiled with -mavx2 -mfma (src/x86/..._avx2.c).
 *
 * Every macro is the single IEEE operation its scalar twin performs, with the
 * same rounding and the same NaN rule, so each lane computes exactly the bits
 * of the scalar tier:
 *   - compares are ordered and quiet (false on NaN), like C's > <= <; ISNAN
 *     is the unordered compare of a with itself, like a != a;
 *   - MAX_SEL(a, b) = a > b ? a : b is VMAXPS(a, b), which returns its second
 *     operand when either is a NaN or both are zeros — exactly that select;
 *     MIN_SEL likewise with VMINPS;
 *   - SELECT(m, a, b) = m ? a : b is blendv(b, a, m) (blendv looks at the
 *     sign bit of each lane of m; compares give all-ones or all-zeros);
 *   - FNMA(a, b, c) is spelled fma(-a, b, c) in the scalar tier; here it is
 *     one VFNMADD, -(a*b) + c: the same bits for every `a` that is not a NaN
 *     (see vec_avx512.h for why act_*.inc never passes a NaN there, and what
 *     it was worth).
 */
#ifndef RELU_MATH_VEC_AVX2_H
#define RELU_MATH_VEC_AVX2_H

#include <immintrin.h>
#include <stdint.h>

typedef __m256 vf32;
typedef __m256d vf64;
typedef __m256i vi32;
typedef __m256i vi64;
typedef __m256 vm32;
typedef __m256d vm64;

static inline __m256 relu__v256_not_ps(__m256 a)
{
    return _mm256_xor_ps(a, _mm256_castsi256_ps(_mm256_set1_epi32(-1)));
}

static inline __m256d relu__v256_not_pd(__m256d a)
{
    return _mm256_xor_pd(a, _mm256_castsi256_pd(_mm256_set1_epi64x(-1)));
}

/* ------------------------------------------------------------------- f32 */
#define VF32_SET1(c)         _mm256_set1_ps((float)(c))
#define VF32_ADD(a, b)       _mm256_add_ps((a), (b))
#define VF32_SUB(a, b)       _mm256_sub_ps((a), (b))
#define VF32_MUL(a, b)       _mm256_mul_ps((a), (b))
#define VF32_DIV(a, b)       _mm256_div_ps((a), (b))
#define VF32_FMA(a, b, c)    _mm256_fmadd_ps((a), (b), (c))
#define VF32_FNMA(a, b, c)   _mm256_fnmadd_ps((a), (b), (c))
#define VF32_MAX_SEL(a, b)   _mm256_max_ps((a), (b))
#define VF32_MIN_SEL(a, b)   _mm256_min_ps((a), (b))
#define VF32_CMP_GT(a, b)    _mm256_cmp_ps((a), (b), _CMP_GT_OQ)
#define VF32_CMP_LE(a, b)    _mm256_cmp_ps((a), (b), _CMP_LE_OQ)
#define VF32_CMP_LT(a, b)    _mm256_cmp_ps((a), (b), _CMP_LT_OQ)
#define VF32_ISNAN(a)        _mm256_cmp_ps((a), (a), _CMP_UNORD_Q)
#define VF32_SELECT(m, a, b) _mm256_blendv_ps((b), (a), (m))
#define VF32_AS_VI32(v)      _mm256_castps_si256(v)
#define VI32_AS_VF32(v)      _mm256_castsi256_ps(v)
#define VI32_SET1(c)         _mm256_set1_epi32((int)(c))
#define VI32_ADD(a, b)       _mm256_add_epi32((a), (b))
#define VI32_SUB(a, b)       _mm256_sub_epi32((a), (b))
#define VI32_SHL(a, imm)     _mm256_slli_epi32((a), (imm))
#define VI32_SHR(a, imm)     _mm256_srli_epi32((a), (imm))
#define VF32_LOOKUP8(tbl, idx) _mm256_permutevar8x32_ps(_mm256_load_ps(tbl), (idx))
#define VM32_AND(a, b)       _mm256_and_ps((a), (b))
#define VM32_OR(a, b)        _mm256_or_ps((a), (b))
#define VM32_NOT(a)          relu__v256_not_ps(a)

/* ------------------------------------------------------------------- f64 */
#define VF64_SET1(c)         _mm256_set1_pd((double)(c))
#define VF64_ADD(a, b)       _mm256_add_pd((a), (b))
#define VF64_SUB(a, b)       _mm256_sub_pd((a), (b))
#define VF64_MUL(a, b)       _mm256_mul_pd((a), (b))
#define VF64_DIV(a, b)       _mm256_div_pd((a), (b))
#define VF64_FMA(a, b, c)    _mm256_fmadd_pd((a), (b), (c))
#define VF64_FNMA(a, b, c)   _mm256_fnmadd_pd((a), (b), (c))
#define VF64_MAX_SEL(a, b)   _mm256_max_pd((a), (b))
#define VF64_MIN_SEL(a, b)   _mm256_min_pd((a), (b))
#define VF64_CMP_GT(a, b)    _mm256_cmp_pd((a), (b), _CMP_GT_OQ)
#define VF64_CMP_LE(a, b)    _mm256_cmp_pd((a), (b), _CMP_LE_OQ)
#define VF64_CMP_LT(a, b)    _mm256_cmp_pd((a), (b), _CMP_LT_OQ)
#define VF64_ISNAN(a)        _mm256_cmp_pd((a), (a), _CMP_UNORD_Q)
#define VF64_SELECT(m, a, b) _mm256_blendv_pd((b), (a), (m))
#define VF64_AS_VI64(v)      _mm256_castpd_si256(v)
#define VI64_AS_VF64(v)      _mm256_castsi256_pd(v)
#define VI64_SET1(c)         _mm256_set1_epi64x((long long)(c))
#define VI64_ADD(a, b)       _mm256_add_epi64((a), (b))
#define VI64_SUB(a, b)       _mm256_sub_epi64((a), (b))
#define VI64_SHL(a, imm)     _mm256_slli_epi64((a), (imm))
#define VM64_AND(a, b)       _mm256_and_pd((a), (b))
#define VM64_OR(a, b)        _mm256_or_pd((a), (b))
#define VM64_NOT(a)          relu__v256_not_pd(a)

#endif /* RELU_MATH_VEC_AVX2_H */
