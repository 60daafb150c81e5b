/*
 * The AVX-512 tier's registrations. Its name gives it the AVX-512 flags like
 * every other x86 "_avx512.c" file, which is harmless: it only stores
 * pointers, and dispatch calls it only after the CPU check.
 */
#include "../kernels.h"
#include "avx512_common.h"

#define RELU__AVX512_DECLARE(dt, name, kind) RELU__DECLARE_KERNEL(dt, name, kind, avx512)
#define RELU__AVX512_FILL(dt, name, kind) t->dt##_##name = dt##_##name##__avx512;

/* The kernels this tier implements; the rest stay as the tier below's. */
#define RELU__AVX512_FLOAT_KERNELS(X, dt)                           \
    X(dt, relu_forward, unary)                                      \
    X(dt, leaky_forward, unary)                                     \
    X(dt, clipped_forward, unary)                                   \
    X(dt, relu_backward, binary)                                    \
    X(dt, leaky_backward, binary)                                   \
    X(dt, clipped_backward, binary)                                 \
    X(dt, relu_backward_from_output, binary)                        \
    X(dt, leaky_backward_from_output, binary)                       \
    X(dt, elu_backward_from_output, binary)                         \
    X(dt, selu_backward_from_output, binary)                        \
    X(dt, clipped_backward_from_output, binary)                     \
    X(dt, tanh_backward_from_output, binary)                        \
    X(dt, prelu_forward, prelu_fwd)                                 \
    X(dt, prelu_backward, prelu_bwd)

#define RELU__AVX512_MATH_KERNELS(X, dt)                            \
    X(dt, elu_forward, unary)                                       \
    X(dt, selu_forward, unary)                                      \
    X(dt, tanh_forward, unary)                                      \
    X(dt, elu_backward, binary)                                     \
    X(dt, selu_backward, binary)                                    \
    X(dt, tanh_backward, binary)

RELU__AVX512_FLOAT_KERNELS(RELU__AVX512_DECLARE, f32)
RELU__AVX512_FLOAT_KERNELS(RELU__AVX512_DECLARE, f64)
#if RELU__AVX512_MATH_F32
RELU__AVX512_MATH_KERNELS(RELU__AVX512_DECLARE, f32)
#endif
#if RELU__AVX512_MATH_F64
RELU__AVX512_MATH_KERNELS(RELU__AVX512_DECLARE, f64)
#endif

void relu__fill_table_avx512(relu__kernels *t)
{
    RELU__AVX512_FLOAT_KERNELS(RELU__AVX512_FILL, f32)
    RELU__AVX512_FLOAT_KERNELS(RELU__AVX512_FILL, f64)
#if RELU__AVX512_MATH_F32
    RELU__AVX512_MATH_KERNELS(RELU__AVX512_FILL, f32)
#endif
#if RELU__AVX512_MATH_F64
    RELU__AVX512_MATH_KERNELS(RELU__AVX512_FILL, f64)
#endif
}
