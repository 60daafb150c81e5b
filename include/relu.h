/*
 * librelu — fast, exactly specified ReLU-family activations.
 *
 * One header, C99, usable from C++. Every function validates its arguments
 * before touching any output and returns a relu_status; on error nothing is
 * written. Results are bit-identical whichever ISA is active and however many
 * threads are used.
 *
 * Conventions shared by every function below:
 *   - Buffers are contiguous, any length (0 included), any alignment beyond
 *     what C requires of the element type (a float* must be 4-byte aligned).
 *   - n == 0 (or outer*channels*inner == 0) with valid scalar parameters
 *     succeeds and touches nothing, even with NULL pointers (PReLU's dalpha is
 *     the one exception: it is written, with zeros, whenever channels > 0).
 *   - In place: an output may be exactly the same pointer as an input of the
 *     same length. Any other overlap between an output and another buffer is
 *     RELU_ERR_OVERLAP. Empty buffers overlap nothing.
 *   - Errors, first applicable wins: RELU_ERR_PARAM (a scalar parameter or a
 *     relu_quant is out of its domain), RELU_ERR_SIZE (an element count or
 *     its size in bytes overflows size_t), RELU_ERR_NULL (a pointer the call
 *     needs is NULL), RELU_ERR_OVERLAP.
 *   - Scalar parameters are checked on every call, array contents never.
 *
 * NaN: a NaN in x (or in y for the from-output backward) gives NaN in the
 * output, carrying that input's payload; a NaN in dy gives NaN wherever the
 * derivative is non-zero (0 where a select-type derivative is zero). Whether a
 * signalling NaN comes back quiet, and the sign of a zero result, are
 * unspecified — but identical on every ISA.
 *
 * Floating-point environment: every function computes as if in the default
 * environment (round to nearest even, no flush-to-zero, no denormals-are-zero)
 * whatever the caller has set, and leaves the caller's environment — modes and
 * exception flags — exactly as it found it.
 *
 * Thread safety: every function may be called concurrently from any number of
 * threads, including while another thread calls relu_use_isa or
 * relu_set_num_threads.
 */
#ifndef RELU_H
#define RELU_H

#include <stddef.h>
#include <stdint.h>

#define RELU_VERSION_MAJOR 1
#define RELU_VERSION_MINOR 0
#define RELU_VERSION_PATCH 0

/* RELU_API marks the exported functions. Define RELU_STATIC when linking the
 * static library on Windows; the build defines RELU_BUILDING_LIBRARY. */
#if defined(_WIN32) || defined(__CYGWIN__)
#  if defined(RELU_STATIC)
#    define RELU_API
#  elif defined(RELU_BUILDING_LIBRARY)
#    define RELU_API __declspec(dllexport)
#  else
#    define RELU_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__) || defined(__clang__)
#  define RELU_API __attribute__((visibility("default")))
#else
#  define RELU_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- status */

typedef enum relu_status {
    RELU_OK              = 0,
    RELU_ERR_NULL        = 1, /* a required pointer is NULL while there is work */
    RELU_ERR_PARAM       = 2, /* a scalar parameter is out of its domain        */
    RELU_ERR_OVERLAP     = 3, /* an output partially overlaps another buffer    */
    RELU_ERR_SIZE        = 4, /* outer*channels*inner overflows size_t          */
    RELU_ERR_UNSUPPORTED = 5  /* requested ISA not available on this CPU/build  */
} relu_status;

/* A static English description; never NULL ("unknown status" for values
 * outside the enum). */
RELU_API const char *relu_status_string(relu_status s);
/* "1.0.0": the version of the library actually loaded. */
RELU_API const char *relu_version_string(void);

/* ------------------------------------------------------ f32 and f64 ops
 *
 * op       forward y                       backward dx (from x)
 * relu     max(0, x)                       x > 0 ? dy : 0
 * leaky    x > 0 ? x : alpha*x             x > 0 ? dy : alpha*dy
 * prelu    x > 0 ? x : alpha[c]*x          x > 0 ? dy : alpha[c]*dy,
 *                                          dalpha[c] = sum over x <= 0 of x*dy
 * elu      x > 0 ? x : alpha*expm1(x)      x > 0 ? dy : dy*alpha*exp(x)
 * selu     L*(x > 0 ? x : A*expm1(x))      x > 0 ? L*dy : dy*L*A*exp(x)
 * clipped  min(max(x, 0), cap)             0 < x < cap ? dy : 0
 * tanh     max(0, tanh(x))                 x > 0 ? dy*(1 - tanh(x)^2) : 0
 *
 * Parameter domains (RELU_ERR_PARAM otherwise, checked even when n == 0):
 *   leaky alpha finite; leaky backward_from_output alpha finite and > 0;
 *   elu alpha finite and >= 0; clipped cap finite and > 0.
 * SELU: A = 1.6732632423543772848..., L = 1.0507009873554804934...; the
 * kernels use them rounded to the type, and LA = L*A rounded to the type.
 *
 * Accuracy: relu, leaky, prelu, clipped and every backward that only selects
 * or multiplies are exact (one rounding per product). elu, selu and tanh
 * forward are within 2 ULP of the correctly rounded value for every input;
 * their backward from x within 2 ULP of dy*f'(x) plus 2*|dy| times the
 * smallest subnormal. Where dy is infinite or dx overflows, dx is +-inf or
 * NaN.
 *
 * Backward from the forward output y (no transcendental recomputed), each
 * evaluated exactly as written in the working precision:
 *   relu y>0 ? dy : 0;  leaky y>0 ? dy : alpha*dy (alpha > 0);
 *   elu y>0 ? dy : dy*(y+alpha);  selu y>0 ? L*dy : dy*(y+LA);
 *   clipped 0<y<cap ? dy : 0;  tanh y>0 ? dy*fma(-y, y, 1) : 0.
 *
 * PReLU views the buffer as [outer][channels][inner]; element (o, c, i) uses
 * alpha[c] (NCHW: outer=N, inner=H*W; NHWC: outer=N*H*W, inner=1).
 * outer*channels*inner overflowing size_t is RELU_ERR_SIZE. alpha is read
 * only when there are elements. Backward overwrites dalpha[0..channels) —
 * with zeros when outer*inner == 0 — so dalpha must be non-NULL whenever
 * channels > 0, and must not overlap any other buffer (alpha included).
 * dalpha[c] sums x*dy over the elements of channel c where x <= 0 (or x is
 * NaN) in a fixed order with compensated double-precision accumulation, so it
 * is bit-identical for every ISA and thread count; a NaN there makes it NaN
 * (the default quiet NaN), an infinity +-inf or NaN.
 */

RELU_API relu_status relu_forward_f32        (const float *x, float *y, size_t n);
RELU_API relu_status relu_leaky_forward_f32  (const float *x, float *y, size_t n, float alpha);
RELU_API relu_status relu_prelu_forward_f32  (const float *x, float *y, const float *alpha,
                                              size_t outer, size_t channels, size_t inner);
RELU_API relu_status relu_elu_forward_f32    (const float *x, float *y, size_t n, float alpha);
RELU_API relu_status relu_selu_forward_f32   (const float *x, float *y, size_t n);
RELU_API relu_status relu_clipped_forward_f32(const float *x, float *y, size_t n, float cap);
RELU_API relu_status relu_tanh_forward_f32   (const float *x, float *y, size_t n);

RELU_API relu_status relu_backward_f32        (const float *x, const float *dy, float *dx, size_t n);
RELU_API relu_status relu_leaky_backward_f32  (const float *x, const float *dy, float *dx, size_t n, float alpha);
RELU_API relu_status relu_prelu_backward_f32  (const float *x, const float *dy, const float *alpha,
                                               float *dx, float *dalpha,
                                               size_t outer, size_t channels, size_t inner);
RELU_API relu_status relu_elu_backward_f32    (const float *x, const float *dy, float *dx, size_t n, float alpha);
RELU_API relu_status relu_selu_backward_f32   (const float *x, const float *dy, float *dx, size_t n);
RELU_API relu_status relu_clipped_backward_f32(const float *x, const float *dy, float *dx, size_t n, float cap);
RELU_API relu_status relu_tanh_backward_f32   (const float *x, const float *dy, float *dx, size_t n);

RELU_API relu_status relu_backward_from_output_f32        (const float *y, const float *dy, float *dx, size_t n);
RELU_API relu_status relu_leaky_backward_from_output_f32  (const float *y, const float *dy, float *dx, size_t n, float alpha);
RELU_API relu_status relu_elu_backward_from_output_f32    (const float *y, const float *dy, float *dx, size_t n, float alpha);
RELU_API relu_status relu_selu_backward_from_output_f32   (const float *y, const float *dy, float *dx, size_t n);
RELU_API relu_status relu_clipped_backward_from_output_f32(const float *y, const float *dy, float *dx, size_t n, float cap);
RELU_API relu_status relu_tanh_backward_from_output_f32   (const float *y, const float *dy, float *dx, size_t n);

RELU_API relu_status relu_forward_f64        (const double *x, double *y, size_t n);
RELU_API relu_status relu_leaky_forward_f64  (const double *x, double *y, size_t n, double alpha);
RELU_API relu_status relu_prelu_forward_f64  (const double *x, double *y, const double *alpha,
                                              size_t outer, size_t channels, size_t inner);
RELU_API relu_status relu_elu_forward_f64    (const double *x, double *y, size_t n, double alpha);
RELU_API relu_status relu_selu_forward_f64   (const double *x, double *y, size_t n);
RELU_API relu_status relu_clipped_forward_f64(const double *x, double *y, size_t n, double cap);
RELU_API relu_status relu_tanh_forward_f64   (const double *x, double *y, size_t n);

RELU_API relu_status relu_backward_f64        (const double *x, const double *dy, double *dx, size_t n);
RELU_API relu_status relu_leaky_backward_f64  (const double *x, const double *dy, double *dx, size_t n, double alpha);
RELU_API relu_status relu_prelu_backward_f64  (const double *x, const double *dy, const double *alpha,
                                               double *dx, double *dalpha,
                                               size_t outer, size_t channels, size_t inner);
RELU_API relu_status relu_elu_backward_f64    (const double *x, const double *dy, double *dx, size_t n, double alpha);
RELU_API relu_status relu_selu_backward_f64   (const double *x, const double *dy, double *dx, size_t n);
RELU_API relu_status relu_clipped_backward_f64(const double *x, const double *dy, double *dx, size_t n, double cap);
RELU_API relu_status relu_tanh_backward_f64   (const double *x, const double *dy, double *dx, size_t n);

RELU_API relu_status relu_backward_from_output_f64        (const double *y, const double *dy, double *dx, size_t n);
RELU_API relu_status relu_leaky_backward_from_output_f64  (const double *y, const double *dy, double *dx, size_t n, double alpha);
RELU_API relu_status relu_elu_backward_from_output_f64    (const double *y, const double *dy, double *dx, size_t n, double alpha);
RELU_API relu_status relu_selu_backward_from_output_f64   (const double *y, const double *dy, double *dx, size_t n);
RELU_API relu_status relu_clipped_backward_from_output_f64(const double *y, const double *dy, double *dx, size_t n, double cap);
RELU_API relu_status relu_tanh_backward_from_output_f64   (const double *y, const double *dy, double *dx, size_t n);

/* ------------------------------------------------------------------ int8
 *
 * real value = scale * (q - zero_point); scale finite and > 0, zero_point in
 * [-128, 127] (RELU_ERR_PARAM otherwise). A NULL relu_quant* is RELU_ERR_NULL
 * when there are elements; a non-NULL one is validated on every call.
 *
 * Forward: y = clamp(round_half_even(f(xq.scale*(x - xq.zero_point)) / yq.scale)
 *                    + yq.zero_point, -128, 127), f in double precision; exact
 * (either neighbour where the double value is within 1e-12, relative, of a
 * rounding boundary). The op's float parameters have the f32 domains above.
 *
 * Backward: dx = clamp(round_half_even(dy_real * f'(x_real) / dxq.scale)
 *                      + dxq.zero_point, -128, 127), within 1 LSB of the
 * double-precision definition. PReLU's dalpha[c] (float) is the sum over
 * x_real <= 0 of x_real*dy_real, as for f32.
 */
typedef struct relu_quant {
    float   scale;       /* finite, > 0                         */
    int32_t zero_point;  /* in [-128, 127]                      */
} relu_quant;            /* real value = scale * (q - zero_point) */

RELU_API relu_status relu_forward_s8        (const int8_t *x, int8_t *y, size_t n,
                                             const relu_quant *xq, const relu_quant *yq);
RELU_API relu_status relu_leaky_forward_s8  (const int8_t *x, int8_t *y, size_t n, float alpha,
                                             const relu_quant *xq, const relu_quant *yq);
RELU_API relu_status relu_prelu_forward_s8  (const int8_t *x, int8_t *y, const float *alpha,
                                             size_t outer, size_t channels, size_t inner,
                                             const relu_quant *xq, const relu_quant *yq);
RELU_API relu_status relu_elu_forward_s8    (const int8_t *x, int8_t *y, size_t n, float alpha,
                                             const relu_quant *xq, const relu_quant *yq);
RELU_API relu_status relu_selu_forward_s8   (const int8_t *x, int8_t *y, size_t n,
                                             const relu_quant *xq, const relu_quant *yq);
RELU_API relu_status relu_clipped_forward_s8(const int8_t *x, int8_t *y, size_t n, float cap,
                                             const relu_quant *xq, const relu_quant *yq);
RELU_API relu_status relu_tanh_forward_s8   (const int8_t *x, int8_t *y, size_t n,
                                             const relu_quant *xq, const relu_quant *yq);

RELU_API relu_status relu_backward_s8(const int8_t *x, const int8_t *dy, int8_t *dx, size_t n,
                                      const relu_quant *xq, const relu_quant *dyq, const relu_quant *dxq);
RELU_API relu_status relu_leaky_backward_s8(const int8_t *x, const int8_t *dy, int8_t *dx, size_t n, float alpha,
                                            const relu_quant *xq, const relu_quant *dyq, const relu_quant *dxq);
RELU_API relu_status relu_prelu_backward_s8(const int8_t *x, const int8_t *dy, const float *alpha,
                                            int8_t *dx, float *dalpha,
                                            size_t outer, size_t channels, size_t inner,
                                            const relu_quant *xq, const relu_quant *dyq, const relu_quant *dxq);
RELU_API relu_status relu_elu_backward_s8(const int8_t *x, const int8_t *dy, int8_t *dx, size_t n, float alpha,
                                          const relu_quant *xq, const relu_quant *dyq, const relu_quant *dxq);
RELU_API relu_status relu_selu_backward_s8(const int8_t *x, const int8_t *dy, int8_t *dx, size_t n,
                                           const relu_quant *xq, const relu_quant *dyq, const relu_quant *dxq);
RELU_API relu_status relu_clipped_backward_s8(const int8_t *x, const int8_t *dy, int8_t *dx, size_t n, float cap,
                                              const relu_quant *xq, const relu_quant *dyq, const relu_quant *dxq);
RELU_API relu_status relu_tanh_backward_s8(const int8_t *x, const int8_t *dy, int8_t *dx, size_t n,
                                           const relu_quant *xq, const relu_quant *dyq, const relu_quant *dxq);

/* ------------------------------------------------------ dispatch, threads
 *
 * The best ISA the CPU and the build offer is chosen once, at load time.
 * RELU_ISA=scalar|avx2|avx512|neon (case-insensitive) in the environment at
 * load caps it; an unknown or unavailable value falls back to the best
 * available. relu_use_isa switches every kernel table at once: an ISA outside
 * the enum is RELU_ERR_PARAM, one this CPU or build cannot run
 * RELU_ERR_UNSUPPORTED, and in both cases the active ISA is unchanged.
 *
 * relu_set_num_threads accepts 1..1024 (RELU_ERR_PARAM otherwise); default 1,
 * or RELU_NUM_THREADS at load time when it is a number in 1..1024. Large calls
 * are split over a persistent pool; results are bit-identical to one thread;
 * small calls never use it. If the pool cannot start its threads, calls run
 * on the calling thread.
 */
typedef enum relu_isa {
    RELU_ISA_SCALAR = 0, /* portable C, every CPU                        */
    RELU_ISA_AVX2   = 1, /* x86-64 AVX2 + FMA                            */
    RELU_ISA_AVX512 = 2, /* x86-64 AVX-512 F, BW, DQ, VL                 */
    RELU_ISA_NEON   = 3  /* AArch64 Advanced SIMD                        */
} relu_isa;

RELU_API relu_isa    relu_active_isa(void);
RELU_API int         relu_isa_available(relu_isa isa);  /* 1 if CPU and build can run it */
RELU_API relu_status relu_use_isa(relu_isa isa);        /* switch every table at once   */
RELU_API const char *relu_isa_name(relu_isa isa);       /* "scalar","avx2","avx512","neon"; "unknown" */

RELU_API relu_status relu_set_num_threads(int n);       /* n >= 1; default 1 */
RELU_API int         relu_get_num_threads(void);

#ifdef __cplusplus
}
#endif

#endif /* RELU_H */
