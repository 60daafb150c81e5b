/*
 * The one validation layer. Every public entry point checks its scalar
 * parameters (RELU_ERR_PARAM) first, then hands all of its buffers to
 * relu__validate_buffers, which applies the remaining rules in the contract's
 * order: RELU_ERR_SIZE, RELU_ERR_NULL, RELU_ERR_OVERLAP. Nothing is written
 * before both have passed.
 */
#ifndef RELU_VALIDATE_H
#define RELU_VALIDATE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "relu.h"

enum relu__buf_role {
    RELU_BUF_IN = 0,        /* read only                                       */
    RELU_BUF_OUT = 1,       /* written; may be exactly an input of equal size  */
    RELU_BUF_OUT_ALONE = 2  /* written; must not overlap anything at all       */
};

typedef struct relu__buf {
    const void *ptr;
    size_t count; /* elements */
    size_t elem;  /* bytes per element */
    enum relu__buf_role role;
} relu__buf;

#if defined(__GNUC__) || defined(__clang__)
#define RELU__LIKELY(c) __builtin_expect(!!(c), 1)
#define RELU__UNLIKELY(c) __builtin_expect(!!(c), 0)
#define RELU__NOINLINE __attribute__((noinline))
#else
#define RELU__LIKELY(c) (c)
#define RELU__UNLIKELY(c) (c)
#define RELU__NOINLINE
#endif

/*
 * The fast acceptance test of the entry points: a few compares, no division,
 * no loop. Each is true only where relu__validate_buffers is certain to
 * return RELU_OK for the buffer(s) in question; an entry point that sees
 * false calls relu__validate_buffers, which finds the error (or the rare
 * valid case the fast test does not cover) in the contract's order.
 *
 * relu__span_ok: non-NULL, and `bytes` from it do not wrap the address space
 * (the caller has checked that bytes did not overflow).
 * relu__apart: two spans that pass relu__span_ok do not overlap.
 */
static inline int relu__span_ok(const void *p, size_t bytes)
{
    /* p - 1 wraps for NULL; otherwise p + bytes <= UINTPTR_MAX: one compare */
    return (uintptr_t)p - 1u < UINTPTR_MAX - bytes;
}
static inline int relu__apart(const void *a, size_t abytes, const void *b, size_t bbytes)
{
    const uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;
    return x + abytes <= y || y + bbytes <= x;
}

/* SIZE if some count*elem overflows or a buffer would wrap the address space,
 * NULL if a non-empty buffer is NULL, OVERLAP if an output overlaps another
 * non-empty buffer other than an identical (same pointer, same bytes) input. */
relu_status relu__validate_buffers(const relu__buf *bufs, size_t nbufs);

/* a*b*c into *out; 0 if a*b or (a*b)*c overflows size_t. */
static inline int relu__mul3(size_t a, size_t b, size_t c, size_t *out)
{
#if defined(__GNUC__) || defined(__clang__)
    size_t ab;
    return !__builtin_mul_overflow(a, b, &ab) && !__builtin_mul_overflow(ab, c, out);
#else
    size_t ab;
    if (a != 0 && b > SIZE_MAX / a)
        return 0;
    ab = a * b;
    if (ab != 0 && c > SIZE_MAX / ab)
        return 0;
    *out = ab * c;
    return 1;
#endif
}

/* Classification on the bit pattern, not arithmetic: validation never
 * executes a floating-point instruction that could raise a flag. */
static inline int relu__finite_f32(float v)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    return (u & 0x7FFFFFFFu) < 0x7F800000u;
}
static inline int relu__finite_f64(double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return (u & UINT64_C(0x7FFFFFFFFFFFFFFF)) < UINT64_C(0x7FF0000000000000);
}

/* finite and > 0; finite and >= 0 (-0 included, as in the default
 * environment). On the bit pattern too, so that a caller's DAZ (which would
 * compare a subnormal as zero) cannot change a verdict. */
static inline int relu__positive_f32(float v)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    return u - 1u < 0x7F800000u - 1u; /* 0 < u < +inf's bits */
}
static inline int relu__nonneg_f32(float v)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    return u < 0x7F800000u || u == 0x80000000u;
}
static inline int relu__positive_f64(double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return u - 1u < UINT64_C(0x7FF0000000000000) - 1u;
}
static inline int relu__nonneg_f64(double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return u < UINT64_C(0x7FF0000000000000) || u == UINT64_C(0x8000000000000000);
}

/* PARAM if q is non-NULL and out of domain (scale finite and > 0,
 * zero_point in [-128, 127]); OK otherwise (NULL is judged later, as a
 * buffer: it is only an error when there are elements). */
static inline relu_status relu__check_quant(const relu_quant *q)
{
    if (q == NULL)
        return RELU_OK;
    if (!relu__positive_f32(q->scale))
        return RELU_ERR_PARAM;
    if (q->zero_point < -128 || q->zero_point > 127)
        return RELU_ERR_PARAM;
    return RELU_OK;
}

#endif /* RELU_VALIDATE_H */
