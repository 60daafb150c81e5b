/*
 * PReLU's layout arithmetic, shared by the float and int8 drivers: cutting a
 * flat element range of [outer][channels][inner] into at most five boxes, and
 * the canonical dalpha blocks of kernels.h.
 */
#ifndef RELU_PRELU_H
#define RELU_PRELU_H

#include <stddef.h>

#include "kernels.h"

/* dalpha is computed for this many channels per kernel call: enough to
 * vectorise channels-last (inner == 1) across channels, few enough for the
 * per-channel sums to live on the stack. */
#define RELU_DALPHA_CHANNEL_CHUNK 64

typedef struct relu__prelu_shape {
    size_t outer, channels, inner;
} relu__prelu_shape;

/* Called with the box, the element offset of its first element and the
 * channel of its first channel. */
typedef void relu__box_fn(void *ctx, const relu__box *b, size_t offset, size_t channel);

/* The whole array as one box of whole planes: what relu__prelu_for_each_box
 * passes for [0, outer * channels * inner), without its divisions. */
static inline relu__box relu__prelu_whole_box(size_t outer, size_t channels, size_t inner)
{
    relu__box b;
    b.rows = outer;
    b.row_stride = channels * inner;
    b.chans = channels;
    b.chan_stride = inner;
    b.len = inner;
    b.thread_bytes = 0;
    return b;
}

/* Visits [begin, end) of the flat array as boxes, in memory order. */
void relu__prelu_for_each_box(const relu__prelu_shape *s, size_t begin, size_t end,
                              relu__box_fn *fn, void *ctx);

/* Canonical dalpha blocks (kernels.h): how many per channel, and block b's
 * box for channels [c0, c0 + nchan) with the offset of its first element. */
size_t relu__dalpha_blocks(const relu__prelu_shape *s);
void relu__dalpha_block_box(const relu__prelu_shape *s, size_t b, size_t c0, size_t nchan,
                            relu__box *box, size_t *offset);

#endif /* RELU_PRELU_H */
