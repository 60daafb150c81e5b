#include "prelu.h"

void relu__prelu_for_each_box(const relu__prelu_shape *s, size_t begin, size_t end,
                              relu__box_fn *fn, void *ctx)
{
    const size_t inner = s->inner, channels = s->channels;
    const size_t plane = channels * inner;
    relu__box b;

    b.thread_bytes = 0;
    while (begin < end) {
        const size_t row = begin / inner, i = begin % inner;
        const size_t c = row % channels;
        size_t take;
        if (i != 0 || end - begin < inner) {
            /* Part of one (o, c) row. */
            take = inner - i < end - begin ? inner - i : end - begin;
            b.rows = 1; b.row_stride = plane; b.chans = 1; b.chan_stride = inner; b.len = take;
        } else if (c != 0 || end - begin < plane) {
            /* Whole rows of channels c.. within one o. */
            size_t nrows = (end - begin) / inner;
            if (nrows > channels - c)
                nrows = channels - c;
            take = nrows * inner;
            b.rows = 1; b.row_stride = plane; b.chans = nrows; b.chan_stride = inner; b.len = inner;
        } else {
            /* Whole planes o.. */
            const size_t nplanes = (end - begin) / plane;
            take = nplanes * plane;
            b.rows = nplanes; b.row_stride = plane; b.chans = channels; b.chan_stride = inner;
            b.len = inner;
        }
        fn(ctx, &b, begin, c);
        begin += take;
    }
}

size_t relu__dalpha_blocks(const relu__prelu_shape *s)
{
    if (s->outer == 0 || s->inner == 0)
        return 0;
    if (s->inner >= RELU_DALPHA_BLOCK)
        return s->outer * ((s->inner + RELU_DALPHA_BLOCK - 1) / RELU_DALPHA_BLOCK);
    {
        const size_t rows = RELU_DALPHA_BLOCK / s->inner;
        return (s->outer + rows - 1) / rows;
    }
}

void relu__dalpha_block_box(const relu__prelu_shape *s, size_t b, size_t c0, size_t nchan,
                            relu__box *box, size_t *offset)
{
    const size_t plane = s->channels * s->inner;
    size_t o, i0;
    box->row_stride = plane;
    box->chans = nchan;
    box->thread_bytes = 0;
    box->chan_stride = s->inner;
    if (s->inner >= RELU_DALPHA_BLOCK) {
        const size_t per_row = (s->inner + RELU_DALPHA_BLOCK - 1) / RELU_DALPHA_BLOCK;
        o = b / per_row;
        i0 = (b % per_row) * RELU_DALPHA_BLOCK;
        box->rows = 1;
        box->len = s->inner - i0 < RELU_DALPHA_BLOCK ? s->inner - i0 : RELU_DALPHA_BLOCK;
    } else {
        const size_t rows = RELU_DALPHA_BLOCK / s->inner;
        o = b * rows;
        i0 = 0;
        box->rows = s->outer - o < rows ? s->outer - o : rows;
        box->len = s->inner;
    }
    *offset = o * plane + c0 * s->inner + i0;
}
