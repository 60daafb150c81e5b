/*
 * The AVX-512 (F+BW+DQ+VL) tier's element-wise f32 and f64 kernels:
 * float_avx512.inc instantiated twice. Bit-identical to src/scalar by
 * construction — see the .inc for the operation-by-operation mapping.
 */
#include "../kernels.h"
#include "avx512_common.h"

#include "../math/vec_avx512.h"
#include "../math/act_f32.inc"
#include "../math/act_f64.inc"

#define RELU__CAT_(a, b) a##b
#define RELU__CAT(a, b) RELU__CAT_(a, b)

#define RELU__AVX512_DECLARE(dt, name, kind) RELU__DECLARE_KERNEL(dt, name, kind, avx512)
RELU_FLOAT_KERNELS(RELU__AVX512_DECLARE, f32)
RELU_FLOAT_KERNELS(RELU__AVX512_DECLARE, f64)
#undef RELU__AVX512_DECLARE

/* ---------------------------------------------------------------------- f32 */
#define T float
#define DT f32
#define V __m512
#define M __mmask16
#define W 16
#define LD _mm512_loadu_ps
#define MLD _mm512_maskz_loadu_ps
#define ST _mm512_storeu_ps
#define MST _mm512_mask_storeu_ps
#define SET1 _mm512_set1_ps
#define ZEROV _mm512_setzero_ps
#define CMP _mm512_cmp_ps_mask
#define MCMP _mm512_mask_cmp_ps_mask
#define MAX _mm512_max_ps
#define MIN _mm512_min_ps
#define MUL _mm512_mul_ps
#define MADD _mm512_mask_add_ps
#define MMUL _mm512_mask_mul_ps
#define MMOV _mm512_mask_mov_ps
#define MZMOV _mm512_maskz_mov_ps
#define FNMADD _mm512_fnmadd_ps
#define TAIL relu__avx512_tail_f32
#define ONE 1.0f
#define SELU_L 0x1.0cfabep+0f
#define SELU_LA 0x1.c212ccp+0f
#define ALLM 0xFFFF
#define VM(name) vm_f32_##name
#include "float_avx512.inc"
#undef T
#undef DT
#undef V
#undef M
#undef W
#undef LD
#undef MLD
#undef ST
#undef MST
#undef SET1
#undef ZEROV
#undef CMP
#undef MCMP
#undef MAX
#undef MIN
#undef MUL
#undef MADD
#undef MMUL
#undef MMOV
#undef MZMOV
#undef FNMADD
#undef TAIL
#undef ONE
#undef SELU_L
#undef SELU_LA
#undef ALLM
#undef VM

/* ---------------------------------------------------------------------- f64 */
#define T double
#define DT f64
#define V __m512d
#define M __mmask8
#define W 8
#define LD _mm512_loadu_pd
#define MLD _mm512_maskz_loadu_pd
#define ST _mm512_storeu_pd
#define MST _mm512_mask_storeu_pd
#define SET1 _mm512_set1_pd
#define ZEROV _mm512_setzero_pd
#define CMP _mm512_cmp_pd_mask
#define MCMP _mm512_mask_cmp_pd_mask
#define MAX _mm512_max_pd
#define MIN _mm512_min_pd
#define MUL _mm512_mul_pd
#define MADD _mm512_mask_add_pd
#define MMUL _mm512_mask_mul_pd
#define MMOV _mm512_mask_mov_pd
#define MZMOV _mm512_maskz_mov_pd
#define FNMADD _mm512_fnmadd_pd
#define TAIL relu__avx512_tail_f64
#define ONE 1.0
#define SELU_L 0x1.0cfabd6a91132p+0
#define SELU_LA 0x1.c212cc640f031p+0
#define ALLM 0xFF
#define VM(name) vm_f64_##name
#include "float_avx512.inc"
