/*
 * The AVX-512 (F+BW+DQ+VL) tier's element-wise f32 and f64 kernels:
 * float_avx512.inc instantiated twice. Bit-identical to src/scalar by
 * construction — see the .inc for the operation-by-operation mapping.
 */
#include "../kernels.h"
#include "avx512_common.h"
#include "staged_block.h"

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
#include "avx512_def_f32.h"
#define VM(name) vm_f32_##name
#define EXP_NEAR RELU__F32_EXP_NEAR
#define TANH_NEAR RELU__F32_TANH_NEAR
#define RELU__STAGED 1
#include "float_avx512.inc"
#include "avx512_undef.h"
#undef VM
#undef EXP_NEAR
#undef TANH_NEAR
#undef RELU__STAGED

/* ---------------------------------------------------------------------- f64 */
#include "avx512_def_f64.h"
#define VM(name) vm_f64_##name
#define EXP_NEAR RELU__F64_EXP_NEAR
#define TANH_NEAR RELU__F64_TANH_NEAR
#define RELU__STAGED 1
#include "float_avx512.inc"
#include "avx512_undef.h"
#undef VM
#undef EXP_NEAR
#undef TANH_NEAR
#undef RELU__STAGED
