#include "validate.h"

static int bytes_of(const relu__buf *b, size_t *bytes)
{
    if (b->elem != 0 && b->count > SIZE_MAX / b->elem)
        return 0;
    *bytes = b->count * b->elem;
    /* A buffer that would wrap around the address space cannot exist. */
    if (b->ptr != NULL && *bytes > UINTPTR_MAX - (uintptr_t)b->ptr)
        return 0;
    return 1;
}

relu_status relu__validate_buffers(const relu__buf *bufs, size_t nbufs)
{
    size_t bytes[16];
    size_t i, j;

    if (nbufs > sizeof bytes / sizeof bytes[0])
        return RELU_ERR_PARAM; /* a programming error inside the library */
    for (i = 0; i < nbufs; i++)
        if (!bytes_of(&bufs[i], &bytes[i]))
            return RELU_ERR_SIZE;
    for (i = 0; i < nbufs; i++)
        if (bytes[i] != 0 && bufs[i].ptr == NULL)
            return RELU_ERR_NULL;
    for (i = 0; i < nbufs; i++) {
        uintptr_t a0, a1;
        if (bufs[i].role == RELU_BUF_IN || bytes[i] == 0)
            continue;
        a0 = (uintptr_t)bufs[i].ptr;
        a1 = a0 + bytes[i];
        for (j = 0; j < nbufs; j++) {
            uintptr_t b0, b1;
            int identical;
            if (j == i || bytes[j] == 0)
                continue;
            b0 = (uintptr_t)bufs[j].ptr;
            b1 = b0 + bytes[j];
            if (a1 <= b0 || b1 <= a0)
                continue;
            /* Exactly in place is allowed between an output and an input of
             * the same size (y == x, dx == dy, dx == x), never for the
             * exclusive outputs, and never between two outputs. */
            identical = a0 == b0 && bytes[i] == bytes[j];
            if (identical && bufs[i].role == RELU_BUF_OUT && bufs[j].role == RELU_BUF_IN)
                continue;
            return RELU_ERR_OVERLAP;
        }
    }
    return RELU_OK;
}
