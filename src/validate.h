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

/* SIZE if some count*elem overflows or a buffer would wrap the address space,
 * NULL if a non-empty buffer is NULL, OVERLAP if an output overlaps another
 * non-empty buffer other than an identical (same pointer, same bytes) input. */
relu_status relu__validate_buffers(const relu__buf *bufs, size_t nbufs);

/* a*b*c into *out; 0 if it overflows size_t. */
int relu__mul3(size_t a, size_t b, size_t c, size_t *out);

int relu__finite_f32(float v);
int relu__finite_f64(double v);

/* PARAM if q is non-NULL and out of domain (scale finite and > 0,
 * zero_point in [-128, 127]); OK otherwise (NULL is judged later, as a
 * buffer: it is only an error when there are elements). */
relu_status relu__check_quant(const relu_quant *q);

#endif /* RELU_VALIDATE_H */
