/*
 * int8 tables: the 256-entry forward map (relu__s8_table) and the 256
 * backward factors (relu__s8_grad) of every op but PReLU, built from the op's
 * parameter and the quantizations exactly as API.md "int8 (quantized)" and
 * src/kernels.h define them:
 *
 *   forward   map[q]    = clamp(rhe(f(v) / yq.scale) + yq.zero_point, -128, 127)
 *   backward  factor[q] = (float)clamp(f'(v) * (dyq.scale / dxq.scale), +-65536)
 *
 * with v = (double)xq.scale * (q - xq.zero_point) (exact in double), f and f'
 * evaluated in double by src/math (never libm, so every platform builds the
 * same table) and rhe = round half to even, done with integer truncation so
 * that it is exact whatever the compiler's evaluation method. With the
 * factors comes the window of x whose factors matter (relu__s8_grad.window_lo
 * and window_hi): below and above it every factor gives each dy the dx of the
 * window's end, as two factors do when they are equal or both at most 2^-9 in
 * magnitude (|dy - zp| <= 255 keeps |t| below 1/2, which rounds to 0).
 *
 * Building costs hundreds of nanoseconds, so the last few tables each thread
 * built are kept in a per-thread cache keyed by the op, the parameter and the
 * quantizations, compared bit for bit. A returned pointer stays valid until
 * the same thread asks for RELU__S8_CACHE_WAYS other tables of the same kind;
 * an API call asks for one and uses it until it returns, so this is enough
 * (worker threads only read it).
 *
 * Callers pass quantizations already validated. relu__s8_forward_table and
 * relu__s8_grad_table set the library's floating-point environment
 * (src/fpenv.h) around their own builds; the other builders need the caller
 * inside it.
 */
#ifndef RELU_S8_TABLES_H
#define RELU_S8_TABLES_H

#include <stdint.h>

#include "kernels.h"
#include "relu.h"

typedef enum relu__s8_op {
    RELU__S8_RELU = 0,
    RELU__S8_LEAKY = 1,   /* param = alpha (finite)        */
    RELU__S8_ELU = 2,     /* param = alpha (finite, >= 0)  */
    RELU__S8_SELU = 3,
    RELU__S8_CLIPPED = 4, /* param = cap (finite, > 0)     */
    RELU__S8_TANH = 5
} relu__s8_op;

#define RELU__S8_CACHE_WAYS 4

/*
 * The table for (op, param, xq, yq): from this thread's cache, or built into
 * the cache (or into *scratch on a compiler without thread-local storage).
 * `param` is ignored by ops without one. With `prep` (the active tier's
 * s8_lut_prep) a cached table's prep area is filled for that tier once and
 * kept with the entry, so a cached call pays for neither; pass NULL when
 * only the map is wanted. A prep for another tier later simply rebuilds the
 * area (the kernels check the tag, kernels.h). The factors of the backward
 * take the active tier's s8_grad_prep the same way.
 */
const relu__s8_table *relu__s8_forward_table(relu__s8_op op, float param,
                                             const relu_quant *xq, const relu_quant *yq,
                                             relu__s8_table *scratch,
                                             relu__s8_lut_prep_fn *prep);
const relu__s8_grad *relu__s8_grad_table(relu__s8_op op, float param,
                                         const relu_quant *xq, const relu_quant *dyq,
                                         const relu_quant *dxq, relu__s8_grad *scratch,
                                         relu__s8_grad_prep_fn *prep);

/*
 * PReLU forward: the 256-entry maps of channels [0, chans) in x order
 * (relu__s8_prelu_quant.maps), the results of `fn` (the active forward
 * kernel) for the 256 inputs. Kept in a per-thread cache of the last
 * RELU__S8_PMAP_WAYS sets, keyed by the quantizations' bits, chans and the
 * alpha values' bits (by content: the caller may change alpha[] between
 * calls), each a malloc'd block of at most RELU__S8_PMAP_MAX_CHANNELS * 260
 * bytes, freed at thread exit. A set is built only when it comes back: its
 * first call, and any call whose key was not among this thread's last
 * RELU__S8_PMAP_WAYS misses, get NULL too. NULL (build per call, as without a cache) for
 * more channels, without thread-local storage, or if an allocation fails.
 * Valid until this thread's next call; must be called inside the
 * floating-point environment, before the pool's workers read it.
 */
#define RELU__S8_PMAP_WAYS 2
#define RELU__S8_PMAP_MAX_CHANNELS 1024 /* 260 KiB a way: channels-last layers have 512+ */
const int8_t *relu__s8_prelu_maps(const float *alpha, size_t chans,
                                  const relu__s8_prelu_quant *q, relu__s8_prelu_fwd_fn *fn);

/* The uncached builders behind them. */
void relu__s8_build_table(relu__s8_table *t, relu__s8_op op, float param,
                          const relu_quant *xq, const relu_quant *yq);
void relu__s8_build_grad(relu__s8_grad *g, relu__s8_op op, float param,
                         const relu_quant *xq, const relu_quant *dyq, const relu_quant *dxq);

/*
 * A backward factor computed in double, as stored: NaN -> 0, clamped to
 * [-RELU_S8_FACTOR_MAX, RELU_S8_FACTOR_MAX], rounded to float. Clamping
 * before or after the rounding gives the same float (the bound is a float
 * and rounding is monotonic), so a kernel may do either.
 */
static inline float relu__s8_factor(double f)
{
    const double m = (double)RELU_S8_FACTOR_MAX;
    if (!(f == f))
        return 0.0f;
    f = f > m ? m : f;
    f = f < -m ? -m : f;
    return (float)f;
}

#endif /* RELU_S8_TABLES_H */
