/*
 * The int8 clamp: relu_forward_s8 and relu_clipped_forward_s8 when the input
 * and output quantizations are equal. Then x_real/y_scale is exactly
 * x - zero_point (a float scale times an integer, divided by the same scale),
 * so relu's map is max(x, zero_point) and clipped's is
 * min(max(x, zero_point), map[127]) — the same bytes as the table lookup,
 * without the table.
 *
 *   y[i] = min(max(x[i], lo), hi)   (signed; lo > hi gives hi)
 */
#include "../kernels.h"

void s8_clamp__scalar(const int8_t *x, int8_t *y, size_t n, int8_t lo, int8_t hi)
{
    size_t i;
    for (i = 0; i < n; i++) {
        int8_t v = x[i] < lo ? lo : x[i];
        y[i] = v > hi ? hi : v;
    }
}
