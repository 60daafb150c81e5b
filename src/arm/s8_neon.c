/*
 * AArch64 NEON int8 kernels: the canonical computations of src/kernels.h,
 * written out operation by operation in src/scalar/s8_scalar.c, done lane by
 * lane with the same IEEE operations, so the bytes agree with the scalar tier.
 *
 * Rounding: the scalar tier's rhe(t) clamps t to [-512, 512] and rounds it
 * to an integer, half to even, with (t + 1.5*2^k) - 1.5*2^k (k = 23 float,
 * 52 double). For |t| <= 512 that is exactly round-to-nearest-even to an
 * integer, which FCVTNS does in one instruction (vcvtnq_*), so the two agree
 * on every input. The clamp uses FMIN/FMAX: t is never NaN here and the sign
 * of a zero does not survive the conversion, so they equal the selects.
 * Saturation to [-128, 127] is a saturating narrow (SQXTN).
 *
 * Tails (fewer than 16 bytes) go through a small stack buffer: no byte
 * outside the buffers is read or written.
 */
#include <arm_neon.h>
#include <string.h>

#include "../kernels.h"
#include "../s8_tables.h"

#define RELU__DECLARE_NEON(dt, name, kind) RELU__DECLARE_KERNEL(dt, name, kind, neon)
RELU_S8_KERNELS(RELU__DECLARE_NEON)
#undef RELU__DECLARE_NEON

#define NEON_INLINE static inline __attribute__((always_inline))

/* -------------------------------------------------------------------- LUT */

typedef struct s8_lut_regs {
    int8x16x4_t t0, t1, t2, t3; /* map[0..63], [64..127], [128..191], [192..255] */
} s8_lut_regs;

NEON_INLINE void s8_lut_load(s8_lut_regs *r, const int8_t *map)
{
    r->t0 = vld1q_s8_x4(map);
    r->t1 = vld1q_s8_x4(map + 64);
    r->t2 = vld1q_s8_x4(map + 128);
    r->t3 = vld1q_s8_x4(map + 192);
}

/* map[(uint8_t)x] for 16 lanes: TBL gives 0 for an index past its 64 bytes,
 * TBX leaves the lane alone; subtracting 64 wraps the lower indices past
 * 191, out of range of every later table. */
NEON_INLINE int8x16_t s8_lut16(const s8_lut_regs *r, int8x16_t x)
{
    const uint8x16_t i0 = vreinterpretq_u8_s8(x);
    const uint8x16_t k64 = vdupq_n_u8(64);
    const uint8x16_t i1 = vsubq_u8(i0, k64), i2 = vsubq_u8(i1, k64), i3 = vsubq_u8(i2, k64);
    int8x16_t y = vqtbl4q_s8(r->t0, i0);
    y = vqtbx4q_s8(y, r->t1, i1);
    y = vqtbx4q_s8(y, r->t2, i2);
    return vqtbx4q_s8(y, r->t3, i3);
}

/* y[i] = map[(uint8_t)x[i]] over n bytes; y == x is fine. */
static void s8_lut_run(const s8_lut_regs *r, const int8_t *x, int8_t *y, size_t n)
{
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        const int8x16_t a0 = vld1q_s8(x + i), a1 = vld1q_s8(x + i + 16);
        const int8x16_t a2 = vld1q_s8(x + i + 32), a3 = vld1q_s8(x + i + 48);
        vst1q_s8(y + i, s8_lut16(r, a0));
        vst1q_s8(y + i + 16, s8_lut16(r, a1));
        vst1q_s8(y + i + 32, s8_lut16(r, a2));
        vst1q_s8(y + i + 48, s8_lut16(r, a3));
    }
    for (; i + 16 <= n; i += 16)
        vst1q_s8(y + i, s8_lut16(r, vld1q_s8(x + i)));
    if (i < n) {
        int8_t buf[16] = {0};
        memcpy(buf, x + i, n - i);
        vst1q_s8(buf, s8_lut16(r, vld1q_s8(buf)));
        memcpy(y + i, buf, n - i);
    }
}

void s8_lut__neon(const int8_t *x, int8_t *y, size_t n, const relu__s8_table *t)
{
    s8_lut_regs r;
    if (n < 16) {
        /* Loading 256 bytes of table for a few elements does not pay. */
        s8_lut__scalar(x, y, n, t);
        return;
    }
    s8_lut_load(&r, t->map);
    s8_lut_run(&r, x, y, n);
}

/* ---------------------------------------------------------------- gradient */

/*
 * dx = sat(rhe_f32((float)(dy - dy_zp) * factor) + dx_zp) for 16 lanes, the
 * factors given as four vectors (lanes 0-3 ... 12-15).
 */
NEON_INLINE int8x16_t s8_grad16(int8x16_t dy, const float32x4_t f[4], int32x4_t dy_zp,
                                int32x4_t dx_zp)
{
    const float32x4_t lim = vdupq_n_f32(512.0f), nlim = vdupq_n_f32(-512.0f);
    const int16x8_t lo = vmovl_s8(vget_low_s8(dy)), hi = vmovl_high_s8(dy);
    int32x4_t d[4], q[4];
    int k;
    d[0] = vmovl_s16(vget_low_s16(lo));
    d[1] = vmovl_high_s16(lo);
    d[2] = vmovl_s16(vget_low_s16(hi));
    d[3] = vmovl_high_s16(hi);
    for (k = 0; k < 4; k++) {
        /* (float)(dy - dy_zp) is exact (|.| <= 255); one rounding in the product */
        float32x4_t t = vmulq_f32(vcvtq_f32_s32(vsubq_s32(d[k], dy_zp)), f[k]);
        t = vminq_f32(vmaxq_f32(t, nlim), lim);
        q[k] = vaddq_s32(vcvtnq_s32_f32(t), dx_zp);
    }
    return vcombine_s8(vqmovn_s16(vcombine_s16(vqmovn_s32(q[0]), vqmovn_s32(q[1]))),
                       vqmovn_s16(vcombine_s16(vqmovn_s32(q[2]), vqmovn_s32(q[3]))));
}

/* The 16 factors factor[(uint8_t)x[j]]: NEON has no gather, and the 1 KiB
 * table stays in L1, so plain loads. */
NEON_INLINE void s8_gather16(const float *factor, const int8_t *x, float32x4_t f[4])
{
    float buf[16];
    int j;
    for (j = 0; j < 16; j++)
        buf[j] = factor[(uint8_t)x[j]];
    f[0] = vld1q_f32(buf);
    f[1] = vld1q_f32(buf + 4);
    f[2] = vld1q_f32(buf + 8);
    f[3] = vld1q_f32(buf + 12);
}

void s8_grad__neon(const int8_t *x, const int8_t *dy, int8_t *dx, size_t n,
                   const relu__s8_grad *g)
{
    const int32x4_t dy_zp = vdupq_n_s32(g->dy_zero_point), dx_zp = vdupq_n_s32(g->dx_zero_point);
    float32x4_t f[4];
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const int8x16_t d = vld1q_s8(dy + i);
        s8_gather16(g->factor, x + i, f);
        vst1q_s8(dx + i, s8_grad16(d, f, dy_zp, dx_zp));
    }
    if (i < n) {
        int8_t xb[16] = {0}, db[16] = {0};
        memcpy(xb, x + i, n - i);
        memcpy(db, dy + i, n - i);
        s8_gather16(g->factor, xb, f);
        vst1q_s8(db, s8_grad16(vld1q_s8(db), f, dy_zp, dx_zp));
        memcpy(dx + i, db, n - i);
    }
}

/* ----------------------------------------------------------- PReLU forward */

/*
 * Two lanes of the double-precision definition (kernels.h):
 *   v = x_scale * (double)(x - x_zp)   exact
 *   f = v > 0 ? v : a * v;  f = f == f ? f : 0
 *   y = rhe_f64(f / y_scale) + y_zp    (saturated by the caller)
 */
NEON_INLINE int64x2_t s8_prelu_fwd2(int32x2_t xi, float64x2_t a, float64x2_t xs, float64x2_t ys,
                                    int64x2_t yzp)
{
    const float64x2_t lim = vdupq_n_f64(512.0), nlim = vdupq_n_f64(-512.0);
    const float64x2_t v = vmulq_f64(xs, vcvtq_f64_s64(vmovl_s32(xi)));
    float64x2_t f = vbslq_f64(vcgtzq_f64(v), v, vmulq_f64(a, v));
    f = vreinterpretq_f64_u64(vandq_u64(vreinterpretq_u64_f64(f), vceqq_f64(f, f)));
    f = vminq_f64(vmaxq_f64(vdivq_f64(f, ys), nlim), lim);
    return vaddq_s64(vcvtnq_s64_f64(f), yzp);
}

typedef struct s8_prelu_fwd_consts {
    float64x2_t xs, ys;
    int32x4_t xzp;
    int64x2_t yzp;
} s8_prelu_fwd_consts;

/* Sixteen elements; alpha per lane pair in a[0..8) (lanes 2k, 2k+1). */
NEON_INLINE int8x16_t s8_prelu_fwd16(int8x16_t x, const float64x2_t a[8],
                                     const s8_prelu_fwd_consts *k)
{
    const int16x8_t lo = vmovl_s8(vget_low_s8(x)), hi = vmovl_high_s8(x);
    int32x4_t xi[4];
    int64x2_t q[8];
    int32x4_t n32[4];
    int j;
    xi[0] = vsubq_s32(vmovl_s16(vget_low_s16(lo)), k->xzp);
    xi[1] = vsubq_s32(vmovl_high_s16(lo), k->xzp);
    xi[2] = vsubq_s32(vmovl_s16(vget_low_s16(hi)), k->xzp);
    xi[3] = vsubq_s32(vmovl_high_s16(hi), k->xzp);
    for (j = 0; j < 4; j++) {
        q[2 * j] = s8_prelu_fwd2(vget_low_s32(xi[j]), a[2 * j], k->xs, k->ys, k->yzp);
        q[2 * j + 1] = s8_prelu_fwd2(vget_high_s32(xi[j]), a[2 * j + 1], k->xs, k->ys, k->yzp);
    }
    /* |q| <= 512 + 128: the 64 -> 32 narrow is exact, the rest saturate */
    for (j = 0; j < 4; j++)
        n32[j] = vcombine_s32(vmovn_s64(q[2 * j]), vmovn_s64(q[2 * j + 1]));
    return vcombine_s8(vqmovn_s16(vcombine_s16(vqmovn_s32(n32[0]), vqmovn_s32(n32[1]))),
                       vqmovn_s16(vcombine_s16(vqmovn_s32(n32[2]), vqmovn_s32(n32[3]))));
}

/* n (<= 16) elements through a stack buffer. */
NEON_INLINE void s8_prelu_fwd_part(const int8_t *x, int8_t *y, size_t n, const float64x2_t a[8],
                                   const s8_prelu_fwd_consts *k)
{
    int8_t buf[16] = {0};
    memcpy(buf, x, n);
    vst1q_s8(buf, s8_prelu_fwd16(vld1q_s8(buf), a, k));
    memcpy(y, buf, n);
}

/* alpha[0..16) (the first n valid) widened to doubles, two per vector. */
NEON_INLINE void s8_alpha16(const float *alpha, size_t n, float64x2_t a[8])
{
    float buf[16] = {0};
    const float *p = alpha;
    int j;
    if (n < 16) {
        memcpy(buf, alpha, n * sizeof(float));
        p = buf;
    }
    for (j = 0; j < 4; j++) {
        const float32x4_t v = vld1q_f32(p + 4 * j);
        a[2 * j] = vcvt_f64_f32(vget_low_f32(v));
        a[2 * j + 1] = vcvt_high_f64_f32(v);
    }
}

/* Per-channel 256-entry map pays for itself beyond this many elements (the
 * map holds the same values, so the choice never changes a result). */
#define S8_PRELU_MAP_MIN 512

void s8_prelu_forward__neon(const int8_t *x, int8_t *y, const float *alpha,
                            const relu__box *b, const relu__s8_prelu_quant *q)
{
    s8_prelu_fwd_consts k;
    float64x2_t a[8];
    size_t r, c, i, j;
    k.xs = vdupq_n_f64(q->x_scale);
    k.ys = vdupq_n_f64(q->y_scale);
    k.xzp = vdupq_n_s32(q->x_zero_point);
    k.yzp = vdupq_n_s64(q->y_zero_point);

    if (b->len == 1 && b->chan_stride == 1) {
        /* Channels-last: vectors across channels, alpha per lane. */
        for (c = 0; c < b->chans; c += 16) {
            const size_t nc = b->chans - c < 16 ? b->chans - c : 16;
            s8_alpha16(alpha + c, nc, a);
            for (r = 0; r < b->rows; r++) {
                const size_t off = r * b->row_stride + c;
                if (nc == 16)
                    vst1q_s8(y + off, s8_prelu_fwd16(vld1q_s8(x + off), a, &k));
                else
                    s8_prelu_fwd_part(x + off, y + off, nc, a, &k);
            }
        }
        return;
    }
    if (b->rows * b->len >= S8_PRELU_MAP_MIN) {
        int8_t map[256];
        s8_lut_regs lr;
        for (c = 0; c < b->chans; c++) {
            int8x16_t idx = vcombine_s8(vcreate_s8(0x0706050403020100ull),
                                        vcreate_s8(0x0F0E0D0C0B0A0908ull));
            for (j = 0; j < 8; j++)
                a[j] = vdupq_n_f64((double)alpha[c]);
            /* map[u] for u = 0..255 is the result for the int8 of bits u */
            for (i = 0; i < 256; i += 16) {
                vst1q_s8(map + i, s8_prelu_fwd16(idx, a, &k));
                idx = vaddq_s8(idx, vdupq_n_s8(16));
            }
            s8_lut_load(&lr, map);
            for (r = 0; r < b->rows; r++) {
                const size_t off = r * b->row_stride + c * b->chan_stride;
                s8_lut_run(&lr, x + off, y + off, b->len);
            }
        }
        return;
    }
    for (c = 0; c < b->chans; c++) {
        for (j = 0; j < 8; j++)
            a[j] = vdupq_n_f64((double)alpha[c]);
        for (r = 0; r < b->rows; r++) {
            const size_t off = r * b->row_stride + c * b->chan_stride;
            for (i = 0; i + 16 <= b->len; i += 16)
                vst1q_s8(y + off + i, s8_prelu_fwd16(vld1q_s8(x + off + i), a, &k));
            if (i < b->len)
                s8_prelu_fwd_part(x + off + i, y + off + i, b->len - i, a, &k);
        }
    }
}

/* ---------------------------------------------------------- PReLU backward */

typedef struct s8_prelu_bwd_consts {
    int16x8_t xzp, dyzp;
    int32x4_t dxzp;
    float32x4_t pos;
} s8_prelu_bwd_consts;

/*
 * Sixteen elements: returns dx as s8_grad16 with factor = xi > 0 ? pos : neg
 * (neg[] per lane), and writes the exact dalpha terms xi > 0 ? 0 : xi*di of
 * lanes 0-3 ... 12-15 into p[0..4) (|xi*di| <= 255*255 fits in int32).
 */
NEON_INLINE int8x16_t s8_prelu_bwd16(int8x16_t x, int8x16_t dy, const float32x4_t neg[4],
                                     const s8_prelu_bwd_consts *k, int32x4_t p[4])
{
    const int16x8_t xl = vsubq_s16(vmovl_s8(vget_low_s8(x)), k->xzp);
    const int16x8_t xh = vsubq_s16(vmovl_high_s8(x), k->xzp);
    const int16x8_t dl = vsubq_s16(vmovl_s8(vget_low_s8(dy)), k->dyzp);
    const int16x8_t dh = vsubq_s16(vmovl_high_s8(dy), k->dyzp);
    /* xi with the xi > 0 lanes cleared: their term is 0 */
    const int16x8_t xln = vbicq_s16(xl, vreinterpretq_s16_u16(vcgtzq_s16(xl)));
    const int16x8_t xhn = vbicq_s16(xh, vreinterpretq_s16_u16(vcgtzq_s16(xh)));
    int32x4_t x32[4], d32[4], q[4];
    int j;
    p[0] = vmull_s16(vget_low_s16(xln), vget_low_s16(dl));
    p[1] = vmull_high_s16(xln, dl);
    p[2] = vmull_s16(vget_low_s16(xhn), vget_low_s16(dh));
    p[3] = vmull_high_s16(xhn, dh);
    x32[0] = vmovl_s16(vget_low_s16(xl));
    x32[1] = vmovl_high_s16(xl);
    x32[2] = vmovl_s16(vget_low_s16(xh));
    x32[3] = vmovl_high_s16(xh);
    d32[0] = vmovl_s16(vget_low_s16(dl));
    d32[1] = vmovl_high_s16(dl);
    d32[2] = vmovl_s16(vget_low_s16(dh));
    d32[3] = vmovl_high_s16(dh);
    for (j = 0; j < 4; j++) {
        /* (float)di is exact; one rounding in the product, as grad_one */
        const float32x4_t f = vbslq_f32(vcgtzq_s32(x32[j]), k->pos, neg[j]);
        float32x4_t t = vmulq_f32(vcvtq_f32_s32(d32[j]), f);
        t = vminq_f32(vmaxq_f32(t, vdupq_n_f32(-512.0f)), vdupq_n_f32(512.0f));
        q[j] = vaddq_s32(vcvtnq_s32_f32(t), k->dxzp);
    }
    return vcombine_s8(vqmovn_s16(vcombine_s16(vqmovn_s32(q[0]), vqmovn_s32(q[1]))),
                       vqmovn_s16(vcombine_s16(vqmovn_s32(q[2]), vqmovn_s32(q[3]))));
}

/* n (< 16) elements through stack buffers. The padding lanes get
 * dy = dy_zero_point, so di = 0 and their dalpha term is 0; their dx is
 * never stored. */
NEON_INLINE void s8_prelu_bwd_part(const int8_t *x, const int8_t *dy, int8_t *dx, size_t n,
                                   const float32x4_t neg[4], const s8_prelu_bwd_consts *k,
                                   int32x4_t p[4])
{
    int8_t xb[16] = {0}, db[16];
    memset(db, (int8_t)vgetq_lane_s16(k->dyzp, 0), sizeof db);
    memcpy(xb, x, n);
    memcpy(db, dy, n);
    vst1q_s8(xb, s8_prelu_bwd16(vld1q_s8(xb), vld1q_s8(db), neg, k, p));
    memcpy(dx, xb, n);
}

/* The 16 per-lane negative-side factors of alpha[0..n) (the rest 0). */
NEON_INLINE void s8_neg16(const float *alpha, size_t n, double dy_over_dx, float32x4_t neg[4])
{
    float buf[16] = {0};
    size_t j;
    for (j = 0; j < n; j++)
        buf[j] = relu__s8_factor((double)alpha[j] * dy_over_dx);
    for (j = 0; j < 4; j++)
        neg[j] = vld1q_f32(buf + 4 * j);
}

void s8_prelu_backward__neon(const int8_t *x, const int8_t *dy, const float *alpha,
                             int8_t *dx, const relu__box *b, const relu__s8_prelu_grad *g,
                             int64_t *chan_sum)
{
    s8_prelu_bwd_consts k;
    float32x4_t neg[4];
    int32x4_t p[4];
    size_t r, c, i, j;
    k.xzp = vdupq_n_s16((int16_t)g->x_zero_point);
    k.dyzp = vdupq_n_s16((int16_t)g->dy_zero_point);
    k.dxzp = vdupq_n_s32(g->dx_zero_point);
    k.pos = vdupq_n_f32(g->pos_factor);

    if (b->len == 1 && b->chan_stride == 1) {
        /* Channels-last: vectors across channels, so each lane is its own
         * channel and keeps its own int64 sum. */
        for (c = 0; c < b->chans; c += 16) {
            const size_t nc = b->chans - c < 16 ? b->chans - c : 16;
            int64x2_t s[8];
            int64_t tot[16];
            s8_neg16(alpha + c, nc, g->dy_over_dx, neg);
            for (j = 0; j < 8; j++)
                s[j] = vdupq_n_s64(0);
            for (r = 0; r < b->rows; r++) {
                const size_t off = r * b->row_stride + c;
                if (nc == 16)
                    vst1q_s8(dx + off, s8_prelu_bwd16(vld1q_s8(x + off), vld1q_s8(dy + off),
                                                      neg, &k, p));
                else
                    s8_prelu_bwd_part(x + off, dy + off, dx + off, nc, neg, &k, p);
                for (j = 0; j < 4; j++) {
                    s[2 * j] = vaddw_s32(s[2 * j], vget_low_s32(p[j]));
                    s[2 * j + 1] = vaddw_high_s32(s[2 * j + 1], p[j]);
                }
            }
            for (j = 0; j < 8; j++)
                vst1q_s64(tot + 2 * j, s[j]);
            for (j = 0; j < nc; j++)
                chan_sum[c + j] += tot[j];
        }
        return;
    }
    for (c = 0; c < b->chans; c++) {
        int64x2_t acc = vdupq_n_s64(0);
        s8_neg16(alpha + c, 1, g->dy_over_dx, neg);
        neg[0] = neg[1] = neg[2] = neg[3] = vdupq_laneq_f32(neg[0], 0);
        for (r = 0; r < b->rows; r++) {
            const size_t off = r * b->row_stride + c * b->chan_stride;
            for (i = 0; i + 16 <= b->len; i += 16) {
                vst1q_s8(dx + off + i, s8_prelu_bwd16(vld1q_s8(x + off + i),
                                                      vld1q_s8(dy + off + i), neg, &k, p));
                for (j = 0; j < 4; j++)
                    acc = vpadalq_s32(acc, p[j]);
            }
            if (i < b->len) {
                s8_prelu_bwd_part(x + off + i, dy + off + i, dx + off + i, b->len - i, neg, &k, p);
                for (j = 0; j < 4; j++)
                    acc = vpadalq_s32(acc, p[j]);
            }
        }
        chan_sum[c] += vaddvq_s64(acc);
    }
}
