/*
 * The 14 public int8 entry points. Each: check the scalar parameters and
 * every non-NULL relu_quant (RELU_ERR_PARAM), PReLU's element count
 * (RELU_ERR_SIZE), then every buffer, the relu_quant structs included
 * (RELU_ERR_SIZE / NULL / OVERLAP); only then fetch the op's table from this
 * thread's cache (src/s8_tables.h) and run the active kernel over the pool.
 *
 * The tables and dalpha are computed in double: inside the library's
 * floating-point environment (src/fpenv.h), like the kernels, except a
 * backward kernel that needs none (kernels.h s8_grad_any_fpenv).
 */
#include <string.h>

#include "dispatch.h"
#include "fpenv.h"
#include "prelu.h"
#include "s8_tables.h"
#include "threads.h"
#include "validate.h"

/* Smallest chunk of a split call (threads.h): a forward is a lookup at
 * memory speed (it touches 2 bytes per element); a backward does float work
 * per element (a factor lookup, a multiply, two roundings), so it is split
 * as compute-bound. */
#define S8_MIN_CHUNK_FWD (RELU_PARALLEL_MIN_BYTES / 2)
#define S8_MIN_CHUNK_BWD RELU_PARALLEL_MATH_MIN_BYTES

/* PReLU forward takes cached maps (relu__s8_prelu_maps) for channels with
 * at least S8_PMAP_MIN_PER_CHANNEL elements: above the kernels' own
 * thresholds for building a map, whatever the runs' length. */
#define S8_PMAP_MIN_PER_CHANNEL 64

/* PReLU backward keeps its exact per-channel int64 sums on the stack for at
 * most this many channels at a time (4 KiB). */
#define S8_SUM_CHANNELS 512

static relu__buf in_buf(const void *p, size_t count)
{
    relu__buf b;
    b.ptr = p;
    b.count = count;
    b.elem = 1;
    b.role = RELU_BUF_IN;
    return b;
}

/* A relu_quant is read only when there are elements: as a buffer it is one
 * element then and none otherwise, so NULL is an error exactly when needed. */
static relu__buf quant_buf(const relu_quant *q, int needed)
{
    relu__buf b;
    b.ptr = q;
    b.count = needed ? 1 : 0;
    b.elem = sizeof(relu_quant);
    b.role = RELU_BUF_IN;
    return b;
}

static relu__buf any_buf(const void *p, size_t count, size_t elem, enum relu__buf_role role)
{
    relu__buf b;
    b.ptr = p;
    b.count = count;
    b.elem = elem;
    b.role = role;
    return b;
}

static relu_status check_quants(const relu_quant *a, const relu_quant *b, const relu_quant *c)
{
    if (relu__check_quant(a) != RELU_OK || relu__check_quant(b) != RELU_OK ||
        relu__check_quant(c) != RELU_OK)
        return RELU_ERR_PARAM;
    return RELU_OK;
}

/* Parameter rules (relu.h), on the bit patterns (validate.h): validation
 * raises no floating-point flag and does not depend on the caller's DAZ. */
static int param_ok(relu__s8_op op, float p)
{
    switch (op) {
    case RELU__S8_LEAKY:
        return relu__finite_f32(p);
    case RELU__S8_ELU:
        return relu__nonneg_f32(p);
    case RELU__S8_CLIPPED:
        return relu__positive_f32(p);
    default:
        return 1;
    }
}

/* ------------------------------------------------------- elementwise ops */

typedef struct lut_job {
    relu__s8_lut_fn *fn;
    const int8_t *x;
    int8_t *y;
    const relu__s8_table *t;
} lut_job;

static void lut_range(void *ctx, size_t b, size_t e)
{
    const lut_job *j = (const lut_job *)ctx;
    j->fn(j->x + b, j->y + b, e - b, j->t);
}

typedef struct clamp_job {
    relu__s8_clamp_fn *fn;
    const int8_t *x;
    int8_t *y;
    int8_t lo, hi;
} clamp_job;

static void clamp_range(void *ctx, size_t b, size_t e)
{
    const clamp_job *j = (const clamp_job *)ctx;
    j->fn(j->x + b, j->y + b, e - b, j->lo, j->hi);
}

/* The fast test of validate.h for the elementwise calls: n > 0, x, the
 * output and every relu_quant non-NULL and not wrapping, the output exactly x
 * or disjoint from it, and disjoint from the relu_quant structs. False sends
 * the call to relu__validate_buffers (the error, in the contract's order). */
static inline int s8_fast_ok(int backward, const int8_t *x, const int8_t *dy, const int8_t *out,
                             size_t n, const relu_quant *q0, const relu_quant *q1,
                             const relu_quant *q2)
{
    const size_t qb = sizeof(relu_quant);
    return n != 0 && relu__span_ok(x, n) && relu__span_ok(out, n) &&
           (out == x || relu__apart(out, n, x, n)) &&
           (!backward || (relu__span_ok(dy, n) && (out == dy || relu__apart(out, n, dy, n)))) &&
           relu__span_ok(q0, qb) && relu__apart(out, n, q0, qb) && relu__span_ok(q1, qb) &&
           relu__apart(out, n, q1, qb) &&
           (!backward || (relu__span_ok(q2, qb) && relu__apart(out, n, q2, qb)));
}

static relu_status s8_forward(relu__s8_op op, float param, const int8_t *x, int8_t *y,
                              size_t n, const relu_quant *xq, const relu_quant *yq)
{
    relu__s8_table scratch;
    const relu__kernels *kernels;
    lut_job job;

    if (!param_ok(op, param) || check_quants(xq, yq, NULL) != RELU_OK)
        return RELU_ERR_PARAM;
    if (RELU__UNLIKELY(!s8_fast_ok(0, x, NULL, y, n, xq, yq, NULL))) {
        relu__buf bufs[4];
        relu_status st;
        bufs[0] = in_buf(x, n);
        bufs[1] = any_buf(y, n, 1, RELU_BUF_OUT);
        bufs[2] = quant_buf(xq, n > 0);
        bufs[3] = quant_buf(yq, n > 0);
        st = relu__validate_buffers(bufs, 4);
        if (st != RELU_OK || n == 0)
            return st;
    }

    /* No floating point past this point (the table builder guards its own):
     * the kernels only look bytes up or clamp them. relu with equal
     * quantizations needs no table at all. */
    kernels = relu__kernels_active();
    if ((op == RELU__S8_RELU || op == RELU__S8_CLIPPED) && xq->scale == yq->scale &&
        xq->zero_point == yq->zero_point) {
        clamp_job cj;
        cj.fn = kernels->s8_clamp;
        cj.x = x;
        cj.y = y;
        cj.lo = (int8_t)yq->zero_point;
        cj.hi = op == RELU__S8_RELU ? (int8_t)127
                                    : relu__s8_forward_table(op, param, xq, yq, &scratch,
                                                             NULL)->map[127];
        if (RELU__LIKELY(!relu__may_split(n, S8_MIN_CHUNK_FWD)))
            cj.fn(x, y, n, cj.lo, cj.hi);
        else
            relu__parallel_for_integer(n, S8_MIN_CHUNK_FWD, clamp_range, &cj);
        return RELU_OK;
    }
    job.t = relu__s8_forward_table(op, param, xq, yq, &scratch, kernels->s8_lut_prep);
    job.fn = kernels->s8_lut;
    if (RELU__LIKELY(!relu__may_split(n, S8_MIN_CHUNK_FWD))) {
        job.fn(x, y, n, job.t);
        return RELU_OK;
    }
    job.x = x;
    job.y = y;
    relu__parallel_for_integer(n, S8_MIN_CHUNK_FWD, lut_range, &job);
    return RELU_OK;
}

typedef struct grad_job {
    relu__s8_grad_fn *fn;
    const int8_t *x, *dy;
    int8_t *dx;
    const relu__s8_grad *g;
} grad_job;

static void grad_range(void *ctx, size_t b, size_t e)
{
    const grad_job *j = (const grad_job *)ctx;
    j->fn(j->x + b, j->dy + b, j->dx + b, e - b, j->g);
}

static relu_status s8_backward(relu__s8_op op, float param, const int8_t *x, const int8_t *dy,
                               int8_t *dx, size_t n, const relu_quant *xq,
                               const relu_quant *dyq, const relu_quant *dxq)
{
    relu__s8_grad scratch;
    relu__fpenv env;
    grad_job job;
    const relu__kernels *kernels;

    if (!param_ok(op, param) || check_quants(xq, dyq, dxq) != RELU_OK)
        return RELU_ERR_PARAM;
    if (RELU__UNLIKELY(!s8_fast_ok(1, x, dy, dx, n, xq, dyq, dxq))) {
        relu__buf bufs[6];
        relu_status st;
        bufs[0] = in_buf(x, n);
        bufs[1] = in_buf(dy, n);
        bufs[2] = any_buf(dx, n, 1, RELU_BUF_OUT);
        bufs[3] = quant_buf(xq, n > 0);
        bufs[4] = quant_buf(dyq, n > 0);
        bufs[5] = quant_buf(dxq, n > 0);
        st = relu__validate_buffers(bufs, 6);
        if (st != RELU_OK || n == 0)
            return st;
    }

    /* the table builder guards its own floating point */
    kernels = relu__kernels_active();
    job.fn = kernels->s8_grad;
    job.g = relu__s8_grad_table(op, param, xq, dyq, dxq, &scratch, kernels->s8_grad_prep);
    if (RELU__LIKELY(!relu__may_split(n, S8_MIN_CHUNK_BWD))) {
        if (kernels->s8_grad_any_fpenv) {
            job.fn(x, dy, dx, n, job.g);
        } else {
            env = relu__fpenv_enter();
            job.fn(x, dy, dx, n, job.g);
            relu__fpenv_leave(env);
        }
        return RELU_OK;
    }
    job.x = x;
    job.dy = dy;
    job.dx = dx;
    relu__parallel_for(n, S8_MIN_CHUNK_BWD, grad_range, &job);
    return RELU_OK;
}

RELU_API relu_status relu_forward_s8(const int8_t *x, int8_t *y, size_t n,
                                     const relu_quant *xq, const relu_quant *yq)
{
    return s8_forward(RELU__S8_RELU, 0.0f, x, y, n, xq, yq);
}

RELU_API relu_status relu_leaky_forward_s8(const int8_t *x, int8_t *y, size_t n, float alpha,
                                           const relu_quant *xq, const relu_quant *yq)
{
    return s8_forward(RELU__S8_LEAKY, alpha, x, y, n, xq, yq);
}

RELU_API relu_status relu_elu_forward_s8(const int8_t *x, int8_t *y, size_t n, float alpha,
                                         const relu_quant *xq, const relu_quant *yq)
{
    return s8_forward(RELU__S8_ELU, alpha, x, y, n, xq, yq);
}

RELU_API relu_status relu_selu_forward_s8(const int8_t *x, int8_t *y, size_t n,
                                          const relu_quant *xq, const relu_quant *yq)
{
    return s8_forward(RELU__S8_SELU, 0.0f, x, y, n, xq, yq);
}

RELU_API relu_status relu_clipped_forward_s8(const int8_t *x, int8_t *y, size_t n, float cap,
                                             const relu_quant *xq, const relu_quant *yq)
{
    return s8_forward(RELU__S8_CLIPPED, cap, x, y, n, xq, yq);
}

RELU_API relu_status relu_tanh_forward_s8(const int8_t *x, int8_t *y, size_t n,
                                          const relu_quant *xq, const relu_quant *yq)
{
    return s8_forward(RELU__S8_TANH, 0.0f, x, y, n, xq, yq);
}

RELU_API relu_status relu_backward_s8(const int8_t *x, const int8_t *dy, int8_t *dx, size_t n,
                                      const relu_quant *xq, const relu_quant *dyq,
                                      const relu_quant *dxq)
{
    return s8_backward(RELU__S8_RELU, 0.0f, x, dy, dx, n, xq, dyq, dxq);
}

RELU_API relu_status relu_leaky_backward_s8(const int8_t *x, const int8_t *dy, int8_t *dx,
                                            size_t n, float alpha, const relu_quant *xq,
                                            const relu_quant *dyq, const relu_quant *dxq)
{
    return s8_backward(RELU__S8_LEAKY, alpha, x, dy, dx, n, xq, dyq, dxq);
}

RELU_API relu_status relu_elu_backward_s8(const int8_t *x, const int8_t *dy, int8_t *dx,
                                          size_t n, float alpha, const relu_quant *xq,
                                          const relu_quant *dyq, const relu_quant *dxq)
{
    return s8_backward(RELU__S8_ELU, alpha, x, dy, dx, n, xq, dyq, dxq);
}

RELU_API relu_status relu_selu_backward_s8(const int8_t *x, const int8_t *dy, int8_t *dx,
                                           size_t n, const relu_quant *xq,
                                           const relu_quant *dyq, const relu_quant *dxq)
{
    return s8_backward(RELU__S8_SELU, 0.0f, x, dy, dx, n, xq, dyq, dxq);
}

RELU_API relu_status relu_clipped_backward_s8(const int8_t *x, const int8_t *dy, int8_t *dx,
                                              size_t n, float cap, const relu_quant *xq,
                                              const relu_quant *dyq, const relu_quant *dxq)
{
    return s8_backward(RELU__S8_CLIPPED, cap, x, dy, dx, n, xq, dyq, dxq);
}

RELU_API relu_status relu_tanh_backward_s8(const int8_t *x, const int8_t *dy, int8_t *dx,
                                           size_t n, const relu_quant *xq,
                                           const relu_quant *dyq, const relu_quant *dxq)
{
    return s8_backward(RELU__S8_TANH, 0.0f, x, dy, dx, n, xq, dyq, dxq);
}

/* ------------------------------------------------------------------ PReLU */

typedef struct prelu_fwd_job {
    relu__s8_prelu_fwd_fn *fn;
    const int8_t *x;
    int8_t *y;
    const float *alpha;
    relu__prelu_shape shape;
    relu__s8_prelu_quant q;
} prelu_fwd_job;

static void prelu_fwd_box(void *ctx, const relu__box *b, size_t offset, size_t channel)
{
    const prelu_fwd_job *j = (const prelu_fwd_job *)ctx;
    if (j->q.maps != NULL) {
        /* the maps, like alpha, from the box's first channel */
        relu__s8_prelu_quant q = j->q;
        q.maps += 256 * channel;
        j->fn(j->x + offset, j->y + offset, j->alpha + channel, b, &q);
        return;
    }
    j->fn(j->x + offset, j->y + offset, j->alpha + channel, b, &j->q);
}

static void prelu_fwd_range(void *ctx, size_t b, size_t e)
{
    const prelu_fwd_job *j = (const prelu_fwd_job *)ctx;
    relu__prelu_for_each_box(&j->shape, b, e, prelu_fwd_box, ctx);
}

RELU_API relu_status relu_prelu_forward_s8(const int8_t *x, int8_t *y, const float *alpha,
                                           size_t outer, size_t channels, size_t inner,
                                           const relu_quant *xq, const relu_quant *yq)
{
    size_t total;
    relu__fpenv env;
    prelu_fwd_job job;
    const relu__kernels *kernels;

    if (check_quants(xq, yq, NULL) != RELU_OK)
        return RELU_ERR_PARAM;
    if (!relu__mul3(outer, channels, inner, &total))
        return RELU_ERR_SIZE;
    /* channels <= total, and total * 1 byte fits: so do alpha's bytes. */
    if (RELU__UNLIKELY(!(channels <= SIZE_MAX / sizeof(float) &&
                         s8_fast_ok(0, x, NULL, y, total, xq, yq, NULL) &&
                         relu__span_ok(alpha, channels * sizeof(float)) &&
                         relu__apart(y, total, alpha, channels * sizeof(float))))) {
        relu__buf bufs[5];
        relu_status st;
        bufs[0] = in_buf(x, total);
        bufs[1] = any_buf(y, total, 1, RELU_BUF_OUT);
        bufs[2] = any_buf(alpha, total > 0 ? channels : 0, sizeof(float), RELU_BUF_IN);
        bufs[3] = quant_buf(xq, total > 0);
        bufs[4] = quant_buf(yq, total > 0);
        st = relu__validate_buffers(bufs, 5);
        if (st != RELU_OK || total == 0)
            return st;
    }

    kernels = relu__kernels_active();
    if (total <= RELU_S8_PRELU_SMALL && kernels->s8_prelu_forward_small != NULL &&
        kernels->s8_prelu_forward_small(x, y, alpha, outer, channels, inner, xq, yq))
        return RELU_OK;
    env = relu__fpenv_enter();
    job.fn = kernels->s8_prelu_forward;
    job.x = x;
    job.y = y;
    job.alpha = alpha;
    job.shape.outer = outer;
    job.shape.channels = channels;
    job.shape.inner = inner;
    job.q.x_scale = (double)xq->scale;
    job.q.y_scale = (double)yq->scale;
    job.q.x_zero_point = xq->zero_point;
    job.q.y_zero_point = yq->zero_point;
    job.q.maps = NULL;
    /* With S8_PMAP_MIN_PER_CHANNEL elements per channel the kernels look
     * channels up in maps (long runs one channel at a time, short runs
     * several channels per vector or transposed): take them ready from this
     * thread's cache (s8_tables.h) instead of building them in every call
     * (and every chunk). */
    if (total / S8_PMAP_MIN_PER_CHANNEL >= channels) /* no division by a variable */
        job.q.maps = relu__s8_prelu_maps(alpha, channels, &job.q, job.fn);
    if (RELU__LIKELY(!relu__may_split(total, S8_MIN_CHUNK_FWD))) {
        const relu__box box = relu__prelu_whole_box(outer, channels, inner);
        job.fn(x, y, alpha, &box, &job.q);
    } else {
        relu__parallel_for(total, S8_MIN_CHUNK_FWD, prelu_fwd_range, &job);
    }
    relu__fpenv_leave(env);
    return RELU_OK;
}

/*
 * PReLU backward. The per-channel sums of (x - x_zp)*(dy - dy_zp) are int64
 * and exact, so any split over threads adds up to the same integers and
 * dalpha is bit-identical for every thread count. Two splits:
 *
 *  - channels <= S8_SUM_CHANNELS: the flat element range is split over the
 *    pool like any elementwise call; each chunk sums into its own stack array
 *    and adds it to the shared one once, at its end (add_sums).
 *  - more channels: the pool splits the channels; a chunk owns whole
 *    channels, so it finishes their dalpha itself, S8_SUM_CHANNELS at a time.
 */
typedef struct prelu_bwd_job {
    relu__s8_prelu_bwd_fn *fn;
    const int8_t *x, *dy;
    int8_t *dx;
    const float *alpha;
    float *dalpha;
    relu__prelu_shape shape;
    relu__s8_prelu_grad g;
    double dalpha_scale; /* (double)xq.scale * (double)dyq.scale */
    size_t count;        /* items of the parallel_for */
    int64_t *sums;       /* shared sums (flat split only) */
} prelu_bwd_job;

/* The rule: dalpha[c] = (float)((double)xq.scale * (double)dyq.scale * (double)sum[c]),
 * evaluated left to right, where sum[c] is the exact int64 sum over the
 * channel's x <= x_zero_point of (x - x_zero_point)*(dy - dy_zero_point)
 * (x_real*dy_real = xq.scale*dyq.scale*that). Three roundings at most (the
 * int64 -> double one only past 2^53), far inside API.md's 1e-5*S; a
 * product past FLT_MAX gives +-inf; no NaN can arise (finite scales). */
static float dalpha_of(double dalpha_scale, int64_t sum)
{
    return (float)(dalpha_scale * (double)sum);
}

/* Adds a chunk's sums to the shared ones: integer additions commute, so the
 * order in which chunks finish cannot change a bit. Lock-free where the
 * target has 64-bit atomics (every 64-bit one, i686, ARMv7); a mutex else. */
#if defined(__GCC_HAVE_SYNC_COMPARE_AND_SWAP_8)
static void add_sums(int64_t *shared, const int64_t *local, size_t n)
{
    size_t c;
    for (c = 0; c < n; c++)
        if (local[c] != 0)
            __atomic_fetch_add(&shared[c], local[c], __ATOMIC_RELAXED);
}
#else
#include <pthread.h>
static pthread_mutex_t sums_lock = PTHREAD_MUTEX_INITIALIZER;
static void add_sums(int64_t *shared, const int64_t *local, size_t n)
{
    size_t c;
    pthread_mutex_lock(&sums_lock);
    for (c = 0; c < n; c++)
        shared[c] += local[c];
    pthread_mutex_unlock(&sums_lock);
}
#endif

typedef struct prelu_bwd_chunk {
    const prelu_bwd_job *j;
    int64_t *sums;
} prelu_bwd_chunk;

static void prelu_bwd_box(void *ctx, const relu__box *b, size_t offset, size_t channel)
{
    const prelu_bwd_chunk *k = (const prelu_bwd_chunk *)ctx;
    const prelu_bwd_job *j = k->j;
    j->fn(j->x + offset, j->dy + offset, j->alpha + channel, j->dx + offset, b, &j->g,
          k->sums + channel);
}

static void prelu_bwd_flat_range(void *ctx, size_t b, size_t e)
{
    const prelu_bwd_job *j = (const prelu_bwd_job *)ctx;
    const size_t channels = j->shape.channels;
    prelu_bwd_chunk k;
    int64_t local[S8_SUM_CHANNELS];

    k.j = j;
    if (b == 0 && e == j->count) {
        /* the only chunk: nobody else touches the shared sums */
        k.sums = j->sums;
        relu__prelu_for_each_box(&j->shape, b, e, prelu_bwd_box, &k);
        return;
    }
    memset(local, 0, channels * sizeof local[0]);
    k.sums = local;
    relu__prelu_for_each_box(&j->shape, b, e, prelu_bwd_box, &k);
    add_sums(j->sums, local, channels);
}

static void prelu_bwd_channel_range(void *ctx, size_t b, size_t e)
{
    const prelu_bwd_job *j = (const prelu_bwd_job *)ctx;
    const size_t inner = j->shape.inner;
    int64_t local[S8_SUM_CHANNELS];
    relu__box box;
    size_t c0, c;

    box.rows = j->shape.outer;
    box.row_stride = j->shape.channels * inner;
    box.chan_stride = inner;
    box.len = inner;
    box.thread_bytes = 0;
    for (c0 = b; c0 < e; c0 += box.chans) {
        const size_t off = c0 * inner;
        box.chans = e - c0 < S8_SUM_CHANNELS ? e - c0 : S8_SUM_CHANNELS;
        memset(local, 0, box.chans * sizeof local[0]);
        j->fn(j->x + off, j->dy + off, j->alpha + c0, j->dx + off, &box, &j->g, local);
        for (c = 0; c < box.chans; c++)
            j->dalpha[c0 + c] = dalpha_of(j->dalpha_scale, local[c]);
    }
}

RELU_API relu_status relu_prelu_backward_s8(const int8_t *x, const int8_t *dy,
                                            const float *alpha, int8_t *dx, float *dalpha,
                                            size_t outer, size_t channels, size_t inner,
                                            const relu_quant *xq, const relu_quant *dyq,
                                            const relu_quant *dxq)
{
    size_t total, c, cbytes;
    relu__fpenv env;
    prelu_bwd_job job;
    const relu__kernels *kernels;

    if (check_quants(xq, dyq, dxq) != RELU_OK)
        return RELU_ERR_PARAM;
    if (!relu__mul3(outer, channels, inner, &total))
        return RELU_ERR_SIZE;
    /* The fast test of validate.h: the elementwise one (total > 0, so
     * channels <= total and alpha's and dalpha's bytes fit), alpha apart from
     * dx, dalpha apart from every other buffer. */
    cbytes = channels * sizeof(float);
    if (RELU__UNLIKELY(!(channels <= SIZE_MAX / sizeof(float) &&
                         s8_fast_ok(1, x, dy, dx, total, xq, dyq, dxq) &&
                         relu__span_ok(alpha, cbytes) && relu__apart(dx, total, alpha, cbytes) &&
                         relu__span_ok(dalpha, cbytes) && relu__apart(dalpha, cbytes, x, total) &&
                         relu__apart(dalpha, cbytes, dy, total) &&
                         relu__apart(dalpha, cbytes, dx, total) &&
                         relu__apart(dalpha, cbytes, alpha, cbytes) &&
                         relu__apart(dalpha, cbytes, xq, sizeof(relu_quant)) &&
                         relu__apart(dalpha, cbytes, dyq, sizeof(relu_quant)) &&
                         relu__apart(dalpha, cbytes, dxq, sizeof(relu_quant))))) {
        relu__buf bufs[8];
        relu_status st;
        bufs[0] = in_buf(x, total);
        bufs[1] = in_buf(dy, total);
        bufs[2] = any_buf(alpha, total > 0 ? channels : 0, sizeof(float), RELU_BUF_IN);
        bufs[3] = any_buf(dx, total, 1, RELU_BUF_OUT);
        bufs[4] = any_buf(dalpha, channels, sizeof(float), RELU_BUF_OUT_ALONE);
        bufs[5] = quant_buf(xq, total > 0);
        bufs[6] = quant_buf(dyq, total > 0);
        bufs[7] = quant_buf(dxq, total > 0);
        st = relu__validate_buffers(bufs, 8);
        if (st != RELU_OK || channels == 0)
            return st;
    }
    if (total == 0) {
        /* outer*inner == 0: dalpha is still overwritten, with zeros */
        for (c = 0; c < channels; c++)
            dalpha[c] = 0.0f;
        return RELU_OK;
    }

    kernels = relu__kernels_active();
    if (total <= RELU_S8_PRELU_SMALL && kernels->s8_prelu_backward_small != NULL &&
        kernels->s8_prelu_backward_small(x, dy, alpha, dx, dalpha, outer, channels, inner, xq,
                                         dyq, dxq))
        return RELU_OK;
    env = relu__fpenv_enter();
    job.fn = kernels->s8_prelu_backward;
    job.x = x;
    job.dy = dy;
    job.dx = dx;
    job.alpha = alpha;
    job.dalpha = dalpha;
    job.shape.outer = outer;
    job.shape.channels = channels;
    job.shape.inner = inner;
    job.g.dy_over_dx = (double)dyq->scale / (double)dxq->scale;
    job.g.pos_factor = relu__s8_factor(job.g.dy_over_dx);
    job.g.x_zero_point = xq->zero_point;
    job.g.dy_zero_point = dyq->zero_point;
    job.g.dx_zero_point = dxq->zero_point;
    job.dalpha_scale = (double)xq->scale * (double)dyq->scale;

    if (channels <= S8_SUM_CHANNELS) {
        int64_t sums[S8_SUM_CHANNELS];
        /* A constant size for few channels: stores, not a string
         * instruction whose start-up a small call would notice. */
        if (channels <= 8)
            memset(sums, 0, 8 * sizeof sums[0]);
        else
            memset(sums, 0, channels * sizeof sums[0]);
        job.sums = sums;
        job.count = total;
        if (RELU__LIKELY(!relu__may_split(total, S8_MIN_CHUNK_BWD))) {
            /* already in the environment */
            const relu__box box = relu__prelu_whole_box(outer, channels, inner);
            job.fn(x, dy, alpha, dx, &box, &job.g, sums);
        } else
            relu__parallel_for(total, S8_MIN_CHUNK_BWD, prelu_bwd_flat_range, &job);
        for (c = 0; c < channels; c++)
            dalpha[c] = dalpha_of(job.dalpha_scale, sums[c]);
    } else {
        const size_t per_channel = outer * inner;
        job.sums = NULL;
        job.count = channels;
        relu__parallel_for(channels, (S8_MIN_CHUNK_BWD + per_channel - 1) / per_channel,
                           prelu_bwd_channel_range, &job);
    }
    relu__fpenv_leave(env);
    return RELU_OK;
}
