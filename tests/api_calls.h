/*
 * Every function of the public API behind one uniform call, so that tests
 * which must cover "every function" (guard pages, stress, fuzzing) cannot
 * forget one: the list below is checked against the header's function count.
 */
#ifndef RELU_TEST_API_CALLS_H
#define RELU_TEST_API_CALLS_H

#include <relu.h>
#include <stddef.h>
#include <stdint.h>

enum call_dtype { DT_F32, DT_F64, DT_S8 };
enum call_kind {
    KIND_FORWARD,      /* (x, y, n, [param])                   */
    KIND_BACKWARD,     /* (x or y, dy, dx, n, [param])         */
    KIND_PRELU_FWD,    /* (x, y, alpha, outer, channels, inner) */
    KIND_PRELU_BWD     /* (x, dy, alpha, dx, dalpha, shape)     */
};

typedef struct call_args {
    const void *x, *dy, *alpha; /* alpha: T[channels] (float for s8) */
    void *out, *dalpha;         /* dalpha: T[channels] (float for s8) */
    size_t n, outer, channels, inner;
    double param;               /* alpha or cap where the op has one  */
    const relu_quant *xq, *yq, *dyq; /* s8 only (yq doubles as dxq)   */
} call_args;

typedef struct api_call {
    const char *name;
    enum call_dtype dtype;
    enum call_kind kind;
    int has_param;     /* 1 alpha/cap: any positive finite value is valid */
    relu_status (*invoke)(const call_args *a);
} api_call;

static inline size_t call_elem_size(const api_call *c)
{
    return c->dtype == DT_F32 ? 4 : c->dtype == DT_F64 ? 8 : 1;
}

/* ------------------------------------------------------------- wrappers */
#define W_FWD0(fn, T) static relu_status call_##fn(const call_args *a) \
    { return fn((const T *)a->x, (T *)a->out, a->n); }
#define W_FWD1(fn, T) static relu_status call_##fn(const call_args *a) \
    { return fn((const T *)a->x, (T *)a->out, a->n, (T)a->param); }
#define W_BWD0(fn, T) static relu_status call_##fn(const call_args *a) \
    { return fn((const T *)a->x, (const T *)a->dy, (T *)a->out, a->n); }
#define W_BWD1(fn, T) static relu_status call_##fn(const call_args *a) \
    { return fn((const T *)a->x, (const T *)a->dy, (T *)a->out, a->n, (T)a->param); }
#define W_PFWD(fn, T) static relu_status call_##fn(const call_args *a) \
    { return fn((const T *)a->x, (T *)a->out, (const T *)a->alpha, a->outer, a->channels, a->inner); }
#define W_PBWD(fn, T) static relu_status call_##fn(const call_args *a) \
    { return fn((const T *)a->x, (const T *)a->dy, (const T *)a->alpha, (T *)a->out, \
                (T *)a->dalpha, a->outer, a->channels, a->inner); }
#define W_S8F0(fn) static relu_status call_##fn(const call_args *a) \
    { return fn((const int8_t *)a->x, (int8_t *)a->out, a->n, a->xq, a->yq); }
#define W_S8F1(fn) static relu_status call_##fn(const call_args *a) \
    { return fn((const int8_t *)a->x, (int8_t *)a->out, a->n, (float)a->param, a->xq, a->yq); }
#define W_S8B0(fn) static relu_status call_##fn(const call_args *a) \
    { return fn((const int8_t *)a->x, (const int8_t *)a->dy, (int8_t *)a->out, a->n, a->xq, a->dyq, a->yq); }
#define W_S8B1(fn) static relu_status call_##fn(const call_args *a) \
    { return fn((const int8_t *)a->x, (const int8_t *)a->dy, (int8_t *)a->out, a->n, (float)a->param, \
                a->xq, a->dyq, a->yq); }
#define W_S8PF(fn) static relu_status call_##fn(const call_args *a) \
    { return fn((const int8_t *)a->x, (int8_t *)a->out, (const float *)a->alpha, a->outer, \
                a->channels, a->inner, a->xq, a->yq); }
#define W_S8PB(fn) static relu_status call_##fn(const call_args *a) \
    { return fn((const int8_t *)a->x, (const int8_t *)a->dy, (const float *)a->alpha, \
                (int8_t *)a->out, (float *)a->dalpha, a->outer, a->channels, a->inner, \
                a->xq, a->dyq, a->yq); }

#define FLOAT_WRAPPERS(dt, T)                                   \
    W_FWD0(relu_forward_##dt, T)                                \
    W_FWD1(relu_leaky_forward_##dt, T)                          \
    W_PFWD(relu_prelu_forward_##dt, T)                          \
    W_FWD1(relu_elu_forward_##dt, T)                            \
    W_FWD0(relu_selu_forward_##dt, T)                           \
    W_FWD1(relu_clipped_forward_##dt, T)                        \
    W_FWD0(relu_tanh_forward_##dt, T)                           \
    W_BWD0(relu_backward_##dt, T)                               \
    W_BWD1(relu_leaky_backward_##dt, T)                         \
    W_PBWD(relu_prelu_backward_##dt, T)                         \
    W_BWD1(relu_elu_backward_##dt, T)                           \
    W_BWD0(relu_selu_backward_##dt, T)                          \
    W_BWD1(relu_clipped_backward_##dt, T)                       \
    W_BWD0(relu_tanh_backward_##dt, T)                          \
    W_BWD0(relu_backward_from_output_##dt, T)                   \
    W_BWD1(relu_leaky_backward_from_output_##dt, T)             \
    W_BWD1(relu_elu_backward_from_output_##dt, T)               \
    W_BWD0(relu_selu_backward_from_output_##dt, T)              \
    W_BWD1(relu_clipped_backward_from_output_##dt, T)           \
    W_BWD0(relu_tanh_backward_from_output_##dt, T)

FLOAT_WRAPPERS(f32, float)
FLOAT_WRAPPERS(f64, double)
W_S8F0(relu_forward_s8)
W_S8F1(relu_leaky_forward_s8)
W_S8PF(relu_prelu_forward_s8)
W_S8F1(relu_elu_forward_s8)
W_S8F0(relu_selu_forward_s8)
W_S8F1(relu_clipped_forward_s8)
W_S8F0(relu_tanh_forward_s8)
W_S8B0(relu_backward_s8)
W_S8B1(relu_leaky_backward_s8)
W_S8PB(relu_prelu_backward_s8)
W_S8B1(relu_elu_backward_s8)
W_S8B0(relu_selu_backward_s8)
W_S8B1(relu_clipped_backward_s8)
W_S8B0(relu_tanh_backward_s8)

#define E(fn, dt, kind, p) {#fn, dt, kind, p, call_##fn}
#define FLOAT_ENTRIES(dt, DT)                                           \
    E(relu_forward_##dt, DT, KIND_FORWARD, 0),                          \
    E(relu_leaky_forward_##dt, DT, KIND_FORWARD, 1),                    \
    E(relu_prelu_forward_##dt, DT, KIND_PRELU_FWD, 0),                  \
    E(relu_elu_forward_##dt, DT, KIND_FORWARD, 1),                      \
    E(relu_selu_forward_##dt, DT, KIND_FORWARD, 0),                     \
    E(relu_clipped_forward_##dt, DT, KIND_FORWARD, 1),                  \
    E(relu_tanh_forward_##dt, DT, KIND_FORWARD, 0),                     \
    E(relu_backward_##dt, DT, KIND_BACKWARD, 0),                        \
    E(relu_leaky_backward_##dt, DT, KIND_BACKWARD, 1),                  \
    E(relu_prelu_backward_##dt, DT, KIND_PRELU_BWD, 0),                 \
    E(relu_elu_backward_##dt, DT, KIND_BACKWARD, 1),                    \
    E(relu_selu_backward_##dt, DT, KIND_BACKWARD, 0),                   \
    E(relu_clipped_backward_##dt, DT, KIND_BACKWARD, 1),                \
    E(relu_tanh_backward_##dt, DT, KIND_BACKWARD, 0),                   \
    E(relu_backward_from_output_##dt, DT, KIND_BACKWARD, 0),            \
    E(relu_leaky_backward_from_output_##dt, DT, KIND_BACKWARD, 1),      \
    E(relu_elu_backward_from_output_##dt, DT, KIND_BACKWARD, 1),        \
    E(relu_selu_backward_from_output_##dt, DT, KIND_BACKWARD, 0),       \
    E(relu_clipped_backward_from_output_##dt, DT, KIND_BACKWARD, 1),    \
    E(relu_tanh_backward_from_output_##dt, DT, KIND_BACKWARD, 0)

static const api_call api_calls[] = {
    FLOAT_ENTRIES(f32, DT_F32),
    FLOAT_ENTRIES(f64, DT_F64),
    E(relu_forward_s8, DT_S8, KIND_FORWARD, 0),
    E(relu_leaky_forward_s8, DT_S8, KIND_FORWARD, 1),
    E(relu_prelu_forward_s8, DT_S8, KIND_PRELU_FWD, 0),
    E(relu_elu_forward_s8, DT_S8, KIND_FORWARD, 1),
    E(relu_selu_forward_s8, DT_S8, KIND_FORWARD, 0),
    E(relu_clipped_forward_s8, DT_S8, KIND_FORWARD, 1),
    E(relu_tanh_forward_s8, DT_S8, KIND_FORWARD, 0),
    E(relu_backward_s8, DT_S8, KIND_BACKWARD, 0),
    E(relu_leaky_backward_s8, DT_S8, KIND_BACKWARD, 1),
    E(relu_prelu_backward_s8, DT_S8, KIND_PRELU_BWD, 0),
    E(relu_elu_backward_s8, DT_S8, KIND_BACKWARD, 1),
    E(relu_selu_backward_s8, DT_S8, KIND_BACKWARD, 0),
    E(relu_clipped_backward_s8, DT_S8, KIND_BACKWARD, 1),
    E(relu_tanh_backward_s8, DT_S8, KIND_BACKWARD, 0),
};
#define API_CALL_COUNT (sizeof api_calls / sizeof api_calls[0])

#undef E
#undef FLOAT_ENTRIES
#undef FLOAT_WRAPPERS

#endif /* RELU_TEST_API_CALLS_H */
