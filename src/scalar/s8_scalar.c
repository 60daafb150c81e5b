/*
 * int8 kernels, portable C: the specification in code for every tier.
 *
 * The canonical computations are those of src/kernels.h; the exact float
 * operations, in order, are written next to each kernel so that a SIMD tier
 * can do the same lane by lane:
 *
 *   rhe_f32(t):  t = t > 512 ? 512 : t;  t = t < -512 ? -512 : t;
 *                t = (t + 0x1.8p23f) - 0x1.8p23f      (two float roundings)
 *   rhe_f64(t):  the same with +-512 and 0x1.8p52 in double.
 *
 * Adding and subtracting 1.5*2^23 rounds any |t| <= 2^22 to an integer, half
 * to even, in the round-to-nearest mode every call runs in (src/fpenv.h);
 * the clamp keeps |t| there and saturates anyway (|zero_point| <= 128).
 * Then dx = clamp((int32_t)t + zero_point, -128, 127), in integers.
 */
#include <stdint.h>

#include "kernels.h"
#include "s8_tables.h"

static inline int8_t sat_s8(int32_t v)
{
    v = v < -128 ? -128 : v;
    v = v > 127 ? 127 : v;
    return (int8_t)v;
}

static inline int32_t rhe_f32(float t)
{
    const float magic = 0x1.8p23f;
    t = t > 512.0f ? 512.0f : t;
    t = t < -512.0f ? -512.0f : t;
    t = (t + magic) - magic;
    return (int32_t)t;
}

static inline int32_t rhe_f64(double t)
{
    const double magic = 0x1.8p52;
    t = t > 512.0 ? 512.0 : t;
    t = t < -512.0 ? -512.0 : t;
    t = (t + magic) - magic;
    return (int32_t)t;
}

/* The scalar lookup derives nothing from the map: no prep. */
void s8_lut_prep__scalar(relu__s8_table *t)
{
    (void)t;
}

/* Nor does the scalar backward from the factors. */
void s8_grad_prep__scalar(relu__s8_grad *g)
{
    (void)g;
}

/* y = map[(uint8_t)x]. In place is fine: each x is read before its y. */
void s8_lut__scalar(const int8_t *x, int8_t *y, size_t n, const relu__s8_table *t)
{
    size_t i;
    for (i = 0; i < n; i++)
        y[i] = t->map[(uint8_t)x[i]];
}

/*
 *   d  = (float)(dy - dy_zero_point)       exact (|d| <= 255)
 *   t  = d * factor[(uint8_t)x]            one float rounding
 *   dx = sat(rhe_f32(t) + dx_zero_point)
 */
static inline int8_t grad_one(int8_t dy, float factor, int32_t dy_zp, int32_t dx_zp)
{
    float t = (float)((int32_t)dy - dy_zp) * factor;
    return sat_s8(rhe_f32(t) + dx_zp);
}

void s8_grad__scalar(const int8_t *x, const int8_t *dy, int8_t *dx, size_t n,
                     const relu__s8_grad *g)
{
    const int32_t dy_zp = g->dy_zero_point, dx_zp = g->dx_zero_point;
    size_t i;
    for (i = 0; i < n; i++)
        dx[i] = grad_one(dy[i], g->factor[(uint8_t)x[i]], dy_zp, dx_zp);
}

/*
 * PReLU forward of one element, in double:
 *   v = x_scale * (double)(x - x_zero_point)   exact
 *   f = v > 0 ? v : a * v                      one rounding (a = (double)alpha[c])
 *   f = f == f ? f : 0                          (NaN alpha: the real result counts as 0)
 *   y = sat(rhe_f64(f / y_scale) + y_zero_point)
 */
static inline int8_t prelu_fwd_one(int32_t x, double a, const relu__s8_prelu_quant *q)
{
    double v = q->x_scale * (double)(x - q->x_zero_point);
    double f = v > 0.0 ? v : a * v;
    f = f == f ? f : 0.0;
    return sat_s8(rhe_f64(f / q->y_scale) + q->y_zero_point);
}

/*
 * Below this many elements per channel the division per element is cheaper
 * than a 256-entry map of the channel; the map holds the same values, so the
 * choice never changes a result.
 */
#define RELU__S8_PRELU_MAP_MIN 1024

void s8_prelu_forward__scalar(const int8_t *x, int8_t *y, const float *alpha,
                              const relu__box *b, const relu__s8_prelu_quant *q)
{
    size_t r, c, i;
    if (b->rows * b->len >= RELU__S8_PRELU_MAP_MIN) {
        int8_t map[256];
        for (c = 0; c < b->chans; c++) {
            const double a = (double)alpha[c];
            int v;
            if (q->maps != NULL) {
                /* ready, in x order */
                const int8_t *m = q->maps + 256 * c + 128;
                for (r = 0; r < b->rows; r++) {
                    const size_t off = r * b->row_stride + c * b->chan_stride;
                    for (i = 0; i < b->len; i++)
                        y[off + i] = m[x[off + i]];
                }
                continue;
            }
            for (v = -128; v <= 127; v++)
                map[(uint8_t)(int8_t)v] = prelu_fwd_one(v, a, q);
            for (r = 0; r < b->rows; r++) {
                const size_t off = r * b->row_stride + c * b->chan_stride;
                for (i = 0; i < b->len; i++)
                    y[off + i] = map[(uint8_t)x[off + i]];
            }
        }
        return;
    }
    for (r = 0; r < b->rows; r++)
        for (c = 0; c < b->chans; c++) {
            const double a = (double)alpha[c];
            const size_t off = r * b->row_stride + c * b->chan_stride;
            for (i = 0; i < b->len; i++)
                y[off + i] = prelu_fwd_one(x[off + i], a, q);
        }
}

/*
 * PReLU backward: per channel
 *   neg = relu__s8_factor((double)alpha[c] * dy_over_dx)   (NaN -> 0, +-65536)
 * per element, with xi = x - x_zero_point, di = dy - dy_zero_point:
 *   dx = grad_one(dy, xi > 0 ? pos_factor : neg)
 *   chan_sum[c] += xi > 0 ? 0 : xi * di                      (int64, exact)
 */
void s8_prelu_backward__scalar(const int8_t *x, const int8_t *dy, const float *alpha,
                               int8_t *dx, const relu__box *b,
                               const relu__s8_prelu_grad *g, int64_t *chan_sum)
{
    const float pos = g->pos_factor;
    const int32_t x_zp = g->x_zero_point, dy_zp = g->dy_zero_point, dx_zp = g->dx_zero_point;
    size_t r, c, i;
    for (r = 0; r < b->rows; r++)
        for (c = 0; c < b->chans; c++) {
            const float neg = relu__s8_factor((double)alpha[c] * g->dy_over_dx);
            const size_t off = r * b->row_stride + c * b->chan_stride;
            int64_t sum = 0;
            for (i = 0; i < b->len; i++) {
                const int32_t xi = (int32_t)x[off + i] - x_zp;
                const int32_t di = (int32_t)dy[off + i] - dy_zp;
                sum += xi > 0 ? 0 : (int64_t)(xi * di);
                dx[off + i] = grad_one(dy[off + i], xi > 0 ? pos : neg, dy_zp, dx_zp);
            }
            chan_sum[c] += sum;
        }
}
