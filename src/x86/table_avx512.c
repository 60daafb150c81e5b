/*
 * The AVX-512 tier's registrations. Its name gives it the AVX-512 flags like
 * every other x86 "_avx512.c" file, which is harmless: it only stores
 * pointers, and dispatch calls it only after the CPU check.
 */
#include "../kernels.h"

#define RELU__AVX512_DECLARE(dt, name, kind) RELU__DECLARE_KERNEL(dt, name, kind, avx512)
#define RELU__AVX512_FILL(dt, name, kind) t->dt##_##name = dt##_##name##__avx512;

/* Every float kernel of the list (the s8 ones: table_s8_avx512.c). */
RELU_FLOAT_KERNELS(RELU__AVX512_DECLARE, f32)
RELU_FLOAT_KERNELS(RELU__AVX512_DECLARE, f64)

void relu__fill_table_avx512(relu__kernels *t)
{
    RELU_FLOAT_KERNELS(RELU__AVX512_FILL, f32)
    RELU_FLOAT_KERNELS(RELU__AVX512_FILL, f64)
}
