/*
 * The AVX2 + FMA tier's registration. Compiled with -mavx2 -mfma (its name
 * ends in _avx2.c) but only assigns pointers, and the dispatcher calls it
 * only after the CPU check.
 */
#include "../kernels.h"
#include "avx2_common.h"

#define RELU__DECLARE_AVX2(dt, name, kind) RELU__DECLARE_KERNEL(dt, name, kind, avx2)
RELU_FLOAT_KERNELS(RELU__DECLARE_AVX2, f32)
RELU_FLOAT_KERNELS(RELU__DECLARE_AVX2, f64)
#undef RELU__DECLARE_AVX2

#define RELU__SET_AVX2(dt, name, kind) t->dt##_##name = dt##_##name##__avx2;

#define RELU__SET_SELECT_ONLY(dt)                            \
    RELU__SET_AVX2(dt, relu_forward, unary)                  \
    RELU__SET_AVX2(dt, leaky_forward, unary)                 \
    RELU__SET_AVX2(dt, clipped_forward, unary)               \
    RELU__SET_AVX2(dt, relu_backward, binary)                \
    RELU__SET_AVX2(dt, leaky_backward, binary)               \
    RELU__SET_AVX2(dt, clipped_backward, binary)             \
    RELU__SET_AVX2(dt, relu_backward_from_output, binary)    \
    RELU__SET_AVX2(dt, leaky_backward_from_output, binary)   \
    RELU__SET_AVX2(dt, elu_backward_from_output, binary)     \
    RELU__SET_AVX2(dt, selu_backward_from_output, binary)    \
    RELU__SET_AVX2(dt, clipped_backward_from_output, binary) \
    RELU__SET_AVX2(dt, tanh_backward_from_output, binary)    \
    RELU__SET_AVX2(dt, prelu_forward, prelu_fwd)             \
    RELU__SET_AVX2(dt, prelu_backward, prelu_bwd)

void relu__fill_table_avx2(relu__kernels *t)
{
#if RELU_AVX2_VECTOR_MATH_F32
    RELU_FLOAT_KERNELS(RELU__SET_AVX2, f32)
#else
    RELU__SET_SELECT_ONLY(f32)
#endif
#if RELU_AVX2_VECTOR_MATH_F64
    RELU_FLOAT_KERNELS(RELU__SET_AVX2, f64)
#else
    RELU__SET_SELECT_ONLY(f64)
#endif
}
