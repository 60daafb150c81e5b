/*
 * The vector-op vocabulary of src/math/vec_scalar.h for AVX-512 (F+BW+DQ+VL):
 * 16 float / 8 double lanes per register, masks in k registers. Include it
 * only from files compiled with the AVX-512 flags (src/x86/...avx512.c).
 *
 * Every macro is the single IEEE operation its scalar twin performs, with the
 * same rounding and the same NaN rule, so each lane computes exactly the bits
 * of the scalar tier:
 *   - compares are ordered and quiet (false on NaN), like C's > <= <;
 *   - MAX_SEL(a, b) = a > b ? a : b is VMAXPS(a, b), which returns its second
 *     operand when either is a NaN or both are zeros — exactly that select;
 *     MIN_SEL likewise with VMINPS;
 *   - SELECT(m, a, b) = m ? a : b is a blend taking a where m is set;
 *   - FNMA(a, b, c) is spelled fma(-a, b, c) in the scalar tier; here it is
 *     one VFNMADD, -(a*b) + c: the same exact value (signed zeros included)
 *     rounded once, so the same bits for every `a` that is not a NaN. The
 *     two differ only for a NaN `a` (fma(-a, ...) flips its sign, VFNMADD
 *     keeps it), and act_f32.inc / act_f64.inc pass FNMA only values
 *     computed from the clamped, finite copy of x (tanh: q0, i2, dh, gh, w,
 *     gl, c2), never x, dy or a NaN. Keep it that way: an FNMA whose `a` can
 *     be a NaN needs the negate-then-FMA form back (it was that form, one
 *     XOR per FNMA, until tanh backward measured 16% faster without:
 *     f32 23.2 -> 26.9 GB/s, f64 18.3 -> 21.3, at 64 KiB, A/B in one
 *     process; test_float, a sweep of every 7th f32 bit pattern through
 *     tanh forward and backward with special dy, and 100 Mi f64 samples
 *     match scalar bit for bit).
 */
#ifndef RELU_MATH_VEC_AVX512_H
#define RELU_MATH_VEC_AVX512_H

#include <immintrin.h>
#include <stdint.h>

typedef __m512 vf32;
typedef __m512d vf64;
typedef __m512i vi32;
typedef __m512i vi64;
typedef __mmask16 vm32;
typedef __mmask8 vm64;

/* ------------------------------------------------------------------- f32 */
#define VF32_SET1(c)         _mm512_set1_ps((float)(c))
#define VF32_ADD(a, b)       _mm512_add_ps((a), (b))
#define VF32_SUB(a, b)       _mm512_sub_ps((a), (b))
#define VF32_MUL(a, b)       _mm512_mul_ps((a), (b))
#define VF32_DIV(a, b)       _mm512_div_ps((a), (b))
#define VF32_FMA(a, b, c)    _mm512_fmadd_ps((a), (b), (c))
#define VF32_FNMA(a, b, c)   _mm512_fnmadd_ps((a), (b), (c))
#define VF32_MAX_SEL(a, b)   _mm512_max_ps((a), (b))
#define VF32_MIN_SEL(a, b)   _mm512_min_ps((a), (b))
#define VF32_CMP_GT(a, b)    _mm512_cmp_ps_mask((a), (b), _CMP_GT_OQ)
#define VF32_CMP_LE(a, b)    _mm512_cmp_ps_mask((a), (b), _CMP_LE_OQ)
#define VF32_CMP_LT(a, b)    _mm512_cmp_ps_mask((a), (b), _CMP_LT_OQ)
#define VF32_ISNAN(a)        _mm512_cmp_ps_mask((a), (a), _CMP_UNORD_Q)
#define VF32_SELECT(m, a, b) _mm512_mask_blend_ps((m), (b), (a))
#define VF32_AS_VI32(v)      _mm512_castps_si512(v)
#define VI32_AS_VF32(v)      _mm512_castsi512_ps(v)
#define VI32_SET1(c)         _mm512_set1_epi32((int)(c))
#define VI32_ADD(a, b)       _mm512_add_epi32((a), (b))
#define VI32_SUB(a, b)       _mm512_sub_epi32((a), (b))
#define VI32_SHL(a, imm)     _mm512_slli_epi32((a), (imm))
#define VI32_SHR(a, imm)     _mm512_srli_epi32((a), (imm))
/* Bits 0-3 of idx pick one of 16 lanes; the table's two halves are equal,
 * so bit 3 does not matter and this is tbl[idx & 7] as on every tier. */
#define VF32_LOOKUP8(tbl, idx) _mm512_permutexvar_ps((idx), _mm512_load_ps(tbl))
#define VM32_AND(a, b)       ((__mmask16)((a) & (b)))
#define VM32_OR(a, b)        ((__mmask16)((a) | (b)))
#define VM32_NOT(a)          ((__mmask16)~(a))

/* ------------------------------------------------------------------- f64 */
#define VF64_SET1(c)         _mm512_set1_pd((double)(c))
#define VF64_ADD(a, b)       _mm512_add_pd((a), (b))
#define VF64_SUB(a, b)       _mm512_sub_pd((a), (b))
#define VF64_MUL(a, b)       _mm512_mul_pd((a), (b))
#define VF64_DIV(a, b)       _mm512_div_pd((a), (b))
#define VF64_FMA(a, b, c)    _mm512_fmadd_pd((a), (b), (c))
#define VF64_FNMA(a, b, c)   _mm512_fnmadd_pd((a), (b), (c))
#define VF64_MAX_SEL(a, b)   _mm512_max_pd((a), (b))
#define VF64_MIN_SEL(a, b)   _mm512_min_pd((a), (b))
#define VF64_CMP_GT(a, b)    _mm512_cmp_pd_mask((a), (b), _CMP_GT_OQ)
#define VF64_CMP_LE(a, b)    _mm512_cmp_pd_mask((a), (b), _CMP_LE_OQ)
#define VF64_CMP_LT(a, b)    _mm512_cmp_pd_mask((a), (b), _CMP_LT_OQ)
#define VF64_ISNAN(a)        _mm512_cmp_pd_mask((a), (a), _CMP_UNORD_Q)
#define VF64_SELECT(m, a, b) _mm512_mask_blend_pd((m), (b), (a))
#define VF64_AS_VI64(v)      _mm512_castpd_si512(v)
#define VI64_AS_VF64(v)      _mm512_castsi512_pd(v)
#define VI64_SET1(c)         _mm512_set1_epi64((long long)(c))
#define VI64_ADD(a, b)       _mm512_add_epi64((a), (b))
#define VI64_SUB(a, b)       _mm512_sub_epi64((a), (b))
#define VI64_SHL(a, imm)     _mm512_slli_epi64((a), (imm))
#define VM64_AND(a, b)       ((__mmask8)((a) & (b)))
#define VM64_OR(a, b)        ((__mmask8)((a) | (b)))
#define VM64_NOT(a)          ((__mmask8)~(a))

#endif /* RELU_MATH_VEC_AVX512_H */
