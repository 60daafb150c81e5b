/*
 * The AVX2 + FMA tier's registration. Compiled with -mavx2 -mfma (its name
 * ends in _avx2.c) but only assigns pointers, and the dispatcher calls it
 * only after the CPU check.
 */
#include "../kernels.h"

#define RELU__DECLARE_AVX2(dt, name, kind) RELU__DECLARE_KERNEL(dt, name, kind, avx2)
RELU_FLOAT_KERNELS(RELU__DECLARE_AVX2, f32)
RELU_FLOAT_KERNELS(RELU__DECLARE_AVX2, f64)
#undef RELU__DECLARE_AVX2

#define RELU__SET_AVX2(dt, name, kind) t->dt##_##name = dt##_##name##__avx2;

void relu__fill_table_avx2(relu__kernels *t)
{
    RELU_FLOAT_KERNELS(RELU__SET_AVX2, f32)
    RELU_FLOAT_KERNELS(RELU__SET_AVX2, f64)
}
