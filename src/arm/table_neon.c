/*
 * The AArch64 NEON tier's registration. Advanced SIMD is architectural on
 * AArch64, so dispatch fills this table on every AArch64 build that
 * compiled the tier. Every kernel of the list has a NEON version.
 */
#include "../kernels.h"

#define RELU__NEON_DECLARE(dt, name, kind) RELU__DECLARE_KERNEL(dt, name, kind, neon)
#define RELU__NEON_FILL(dt, name, kind) t->dt##_##name = dt##_##name##__neon;

RELU_FLOAT_KERNELS(RELU__NEON_DECLARE, f32)
RELU_FLOAT_KERNELS(RELU__NEON_DECLARE, f64)
RELU_S8_KERNELS(RELU__NEON_DECLARE)

void relu__fill_table_neon(relu__kernels *t)
{
    RELU_FLOAT_KERNELS(RELU__NEON_FILL, f32)
    RELU_FLOAT_KERNELS(RELU__NEON_FILL, f64)
    RELU_S8_KERNELS(RELU__NEON_FILL)
}
