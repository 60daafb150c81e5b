/* The AArch64 NEON tier's float kernels: float_neon.inc instantiated twice. */
#include <arm_neon.h>
#include <string.h>

#include "../kernels.h"
#include "../math/vec_neon.h"
#include "../math/act_f32.inc"
#include "../math/act_f64.inc"

#define RELU__CAT_(a, b) a##b
#define RELU__CAT(a, b) RELU__CAT_(a, b)

#define RELU__DECLARE_NEON(dt, name, kind) RELU__DECLARE_KERNEL(dt, name, kind, neon)
RELU_FLOAT_KERNELS(RELU__DECLARE_NEON, f32)
RELU_FLOAT_KERNELS(RELU__DECLARE_NEON, f64)
#undef RELU__DECLARE_NEON

/* ------------------------------------------------ PReLU backward, one group */

/*
 * One canonical dalpha group of eight elements (kernels.h) with alpha per
 * lane in a[]: writes
 *   dx = v > 0 ? g : v <= 0 ? (isnan(g) ? g : a*g) : v
 * and the eight double products p = !(v > 0) ? (double)v * (double)g : +0,
 * lanes 0-1 in p[0] ... lanes 6-7 in p[3]. Where v > 0 both factors are
 * cleared first, and +0 * +0 = +0. dx is stored after x and dy are loaded.
 */
static inline __attribute__((always_inline)) float32x4_t
f32_neon_prelu_dx(float32x4_t v, float32x4_t g, float32x4_t a, uint32x4_t gt)
{
    const float32x4_t neg = vbslq_f32(vceqq_f32(g, g), vmulq_f32(a, g), g);
    return vbslq_f32(gt, g, vbslq_f32(vclezq_f32(v), neg, v));
}

static inline __attribute__((always_inline)) void
f32_neon_pbwd8(const float *x, const float *dy, const float32x4_t *a, float *dx,
               float64x2_t p[4])
{
    const float32x4_t v0 = vld1q_f32(x), v1 = vld1q_f32(x + 4);
    const float32x4_t g0 = vld1q_f32(dy), g1 = vld1q_f32(dy + 4);
    const uint32x4_t gt0 = vcgtzq_f32(v0), gt1 = vcgtzq_f32(v1);
    const float32x4_t vz0 = vreinterpretq_f32_u32(vbicq_u32(vreinterpretq_u32_f32(v0), gt0));
    const float32x4_t vz1 = vreinterpretq_f32_u32(vbicq_u32(vreinterpretq_u32_f32(v1), gt1));
    const float32x4_t gz0 = vreinterpretq_f32_u32(vbicq_u32(vreinterpretq_u32_f32(g0), gt0));
    const float32x4_t gz1 = vreinterpretq_f32_u32(vbicq_u32(vreinterpretq_u32_f32(g1), gt1));
    p[0] = vmulq_f64(vcvt_f64_f32(vget_low_f32(vz0)), vcvt_f64_f32(vget_low_f32(gz0)));
    p[1] = vmulq_f64(vcvt_high_f64_f32(vz0), vcvt_high_f64_f32(gz0));
    p[2] = vmulq_f64(vcvt_f64_f32(vget_low_f32(vz1)), vcvt_f64_f32(vget_low_f32(gz1)));
    p[3] = vmulq_f64(vcvt_high_f64_f32(vz1), vcvt_high_f64_f32(gz1));
    vst1q_f32(dx, f32_neon_prelu_dx(v0, g0, a[0], gt0));
    vst1q_f32(dx + 4, f32_neon_prelu_dx(v1, g1, a[1], gt1));
}

static inline __attribute__((always_inline)) float64x2_t
f64_neon_prelu_dx(float64x2_t v, float64x2_t g, float64x2_t a, uint64x2_t gt)
{
    const float64x2_t neg = vbslq_f64(vceqq_f64(g, g), vmulq_f64(a, g), g);
    return vbslq_f64(gt, g, vbslq_f64(vclezq_f64(v), neg, v));
}

static inline __attribute__((always_inline)) void
f64_neon_pbwd8(const double *x, const double *dy, const float64x2_t *a, double *dx,
               float64x2_t p[4])
{
    float64x2_t v[4], g[4];
    uint64x2_t gt[4];
    int k;
    for (k = 0; k < 4; k++) {
        v[k] = vld1q_f64(x + 2 * k);
        g[k] = vld1q_f64(dy + 2 * k);
    }
    for (k = 0; k < 4; k++) {
        gt[k] = vcgtzq_f64(v[k]);
        p[k] = vreinterpretq_f64_u64(vbicq_u64(vreinterpretq_u64_f64(vmulq_f64(v[k], g[k])), gt[k]));
    }
    for (k = 0; k < 4; k++)
        vst1q_f64(dx + 2 * k, f64_neon_prelu_dx(v[k], g[k], a[k], gt[k]));
}

/*
 * Shortcuts of src/math/act_<dt>.inc for a group whose lanes all take the
 * plain branch of the final select (x > 0 for elu/selu, x <= 0 for tanh,
 * where xc clamps to +0 and the algorithm returns +0): same bits, no
 * exp/expm1/tanh evaluation.
 */
#define ELU_FWD_POS(v) (v)
#define SELU_FWD_POS(v, l) VMUL(l, v)
#define TANH_FWD_NONPOS(v, zero) (zero)
#define ELU_BWD_POS(v, g) (g)
#define SELU_BWD_POS(v, g, l) VMUL(l, g)
#define TANH_BWD_NONPOS(v, g, zero) (zero)

/* ------------------------------------------------------------------- f32 */

#define T float
#define DT f32
#define V float32x4_t
#define M uint32x4_t
#define W 4
#define LD vld1q_f32
#define ST vst1q_f32
#define DUP vdupq_n_f32
#define VZERO vdupq_n_f32(0.0f)
#define VADD vaddq_f32
#define VMUL vmulq_f32
#define VFMS vfmsq_f32
#define GT vcgtq_f32
#define LE vcleq_f32
#define GE vcgeq_f32
#define EXP_NEAR RELU__F32_EXP_NEAR
#define TANH_NEAR RELU__F32_TANH_NEAR
#define LT vcltq_f32
#define ISNAN VF32_ISNAN
#define SEL vbslq_f32
#define MAND vandq_u32
#define ALL relu__vn_all32
#define SELU_L 0x1.0cfabep+0f
#define SELU_LA 0x1.c212ccp+0f
#define VM(name) vm_f32_##name
#include "float_neon.inc"
#undef T
#undef DT
#undef V
#undef M
#undef W
#undef LD
#undef ST
#undef DUP
#undef VZERO
#undef VADD
#undef VMUL
#undef VFMS
#undef GT
#undef LE
#undef GE
#undef EXP_NEAR
#undef TANH_NEAR
#undef LT
#undef ISNAN
#undef SEL
#undef MAND
#undef ALL
#undef SELU_L
#undef SELU_LA
#undef VM

/* ------------------------------------------------------------------- f64 */

#define T double
#define DT f64
#define V float64x2_t
#define M uint64x2_t
#define W 2
#define LD vld1q_f64
#define ST vst1q_f64
#define DUP vdupq_n_f64
#define VZERO vdupq_n_f64(0.0)
#define VADD vaddq_f64
#define VMUL vmulq_f64
#define VFMS vfmsq_f64
#define GT vcgtq_f64
#define LE vcleq_f64
#define GE vcgeq_f64
#define EXP_NEAR RELU__F64_EXP_NEAR
#define TANH_NEAR RELU__F64_TANH_NEAR
#define LT vcltq_f64
#define ISNAN VF64_ISNAN
#define SEL vbslq_f64
#define MAND vandq_u64
#define ALL relu__vn_all64
#define SELU_L 0x1.0cfabd6a91132p+0
#define SELU_LA 0x1.c212cc640f031p+0
#define VM(name) vm_f64_##name
#include "float_neon.inc"
