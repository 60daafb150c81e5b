/*
 * Guard pages: every function, on every available tier, for every length
 * 0..300 and start offsets 0..3 elements, in place and out of place, with
 * each buffer ending exactly at a PROT_NONE page and, separately, beginning
 * right after one. A read or write of one byte outside a buffer faults.
 * PReLU runs every outer x channels x inner shape up to 7x7x7.
 */
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "api_calls.h"

enum { SLOT_X, SLOT_DY, SLOT_ALPHA, SLOT_OUT, SLOT_DALPHA, SLOT_COUNT };
enum { MODE_END_AT_GUARD, MODE_BEGIN_AFTER_GUARD };

/* Each slot: [guard][data pages][guard]. */
#define DATA_PAGES 2
static uint8_t *slot_base[SLOT_COUNT];
static size_t page;

static int setup(void **state)
{
    int s;
    (void)state;
    page = (size_t)sysconf(_SC_PAGESIZE);
    for (s = 0; s < SLOT_COUNT; s++) {
        uint8_t *m = mmap(NULL, (DATA_PAGES + 2) * page, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            return -1;
        if (mprotect(m, page, PROT_NONE) != 0 ||
            mprotect(m + (DATA_PAGES + 1) * page, page, PROT_NONE) != 0)
            return -1;
        slot_base[s] = m + page;
    }
    return 0;
}

static int teardown(void **state)
{
    int s;
    (void)state;
    for (s = 0; s < SLOT_COUNT; s++)
        munmap(slot_base[s] - page, (DATA_PAGES + 2) * page);
    return 0;
}

/* A buffer of `bytes` in slot s, flush against a guard page: its last byte
 * just before one, or its first byte `offset_bytes` after one (the start
 * offset varies the alignment; at the end the length already does). */
static void *place(int s, size_t bytes, int mode, size_t offset_bytes)
{
    if (mode == MODE_END_AT_GUARD)
        return slot_base[s] + DATA_PAGES * page - bytes;
    return slot_base[s] + offset_bytes;
}

static void fill(void *p, size_t count, enum call_dtype dt, unsigned seed)
{
    size_t i;
    for (i = 0; i < count; i++) {
        const unsigned r = (unsigned)(i * 2654435761u + seed * 40503u);
        const double v = ((double)(r % 2001) - 1000.0) / 97.0;
        if (dt == DT_F32)
            ((float *)p)[i] = (float)v;
        else if (dt == DT_F64)
            ((double *)p)[i] = v;
        else
            ((int8_t *)p)[i] = (int8_t)(r >> 7);
    }
}

static const relu_quant qx = {0.05f, -3}, qy = {0.04f, 7}, qdy = {0.5f, 0};

static int run_one(const api_call *c, size_t n, size_t outer, size_t channels, size_t inner,
                   int mode, size_t off, int in_place)
{
    const size_t es = call_elem_size(c);
    const size_t alpha_es = c->dtype == DT_S8 ? sizeof(float) : es;
    const size_t bytes = n * es;
    call_args a;
    relu_status st;
    memset(&a, 0, sizeof a);
    a.n = n;
    a.outer = outer;
    a.channels = channels;
    a.inner = inner;
    a.param = 0.75;
    a.xq = &qx;
    a.yq = &qy;
    a.dyq = &qdy;
    a.x = place(SLOT_X, bytes, mode, off * es);
    a.dy = place(SLOT_DY, bytes, mode, off * es);
    a.alpha = place(SLOT_ALPHA, channels * alpha_es, mode, off * alpha_es);
    a.dalpha = place(SLOT_DALPHA, channels * alpha_es, mode, off * alpha_es);
    fill((void *)a.x, n, c->dtype, (unsigned)n);
    fill((void *)a.dy, n, c->dtype, (unsigned)n + 1);
    fill((void *)a.alpha, channels, c->dtype == DT_F64 ? DT_F64 : DT_F32, 3);
    if (in_place)
        a.out = c->kind == KIND_BACKWARD || c->kind == KIND_PRELU_BWD ? (void *)a.dy : (void *)a.x;
    else
        a.out = place(SLOT_OUT, bytes, mode, off * es);
    st = c->invoke(&a);
    if (st != RELU_OK)
        fprintf(stderr, "%s n=%zu shape=%zux%zux%zu mode=%d off=%zu in_place=%d: %s\n", c->name,
                n, outer, channels, inner, mode, off, in_place, relu_status_string(st));
    return st == RELU_OK;
}

static void test_every_function_every_length(void **state)
{
    int isa;
    size_t k;
    (void)state;
    for (isa = RELU_ISA_SCALAR; isa <= RELU_ISA_NEON; isa++) {
        if (!relu_isa_available((relu_isa)isa))
            continue;
        assert_int_equal(relu_use_isa((relu_isa)isa), RELU_OK);
        for (k = 0; k < API_CALL_COUNT; k++) {
            const api_call *c = &api_calls[k];
            size_t n, off;
            int mode, in_place;
            if (c->kind == KIND_PRELU_FWD || c->kind == KIND_PRELU_BWD)
                continue;
            for (n = 0; n <= 300; n++)
                for (off = 0; off <= 3; off++)
                    for (mode = 0; mode < 2; mode++)
                        for (in_place = 0; in_place < 2; in_place++) {
                            if (mode == MODE_END_AT_GUARD && off != 0)
                                continue;
                            assert_true(run_one(c, n, 0, 0, 0, mode, off, in_place));
                        }
        }
    }
    relu_use_isa(RELU_ISA_SCALAR);
}

static void test_prelu_every_small_shape(void **state)
{
    int isa;
    size_t k;
    (void)state;
    for (isa = RELU_ISA_SCALAR; isa <= RELU_ISA_NEON; isa++) {
        if (!relu_isa_available((relu_isa)isa))
            continue;
        assert_int_equal(relu_use_isa((relu_isa)isa), RELU_OK);
        for (k = 0; k < API_CALL_COUNT; k++) {
            const api_call *c = &api_calls[k];
            size_t o, ch, in, off;
            int mode, in_place;
            if (c->kind != KIND_PRELU_FWD && c->kind != KIND_PRELU_BWD)
                continue;
            for (o = 0; o <= 7; o++)
                for (ch = 0; ch <= 7; ch++)
                    for (in = 0; in <= 7; in++)
                        for (off = 0; off <= 3; off++)
                            for (mode = 0; mode < 2; mode++)
                                for (in_place = 0; in_place < 2; in_place++) {
                                    if (mode == MODE_END_AT_GUARD && off != 0)
                                        continue;
                                    assert_true(run_one(c, o * ch * in, o, ch, in, mode, off,
                                                        in_place));
                                }
            /* Larger NCHW and NHWC boxes cross the vector widths too. */
            for (off = 0; off <= 3; off++)
                for (mode = 0; mode < 2; mode++) {
                    assert_true(run_one(c, 2 * 3 * 50, 2, 3, 50, mode, off, 0));
                    assert_true(run_one(c, 13 * 23 * 1, 13, 23, 1, mode, off, 1));
                    assert_true(run_one(c, 1 * 37 * 7, 1, 37, 7, mode, off, 0));
                }
            /* Channels last with rows enough for the per-lane paths (several
             * channels per vector, transposed tiles), partial last vectors
             * and a one-channel strip at the end (int8: the float ones
             * would not fit the slots). */
            for (off = 0; off <= 3 && c->dtype == DT_S8; off++)
                for (mode = 0; mode < 2; mode++)
                    for (in_place = 0; in_place < 2; in_place++) {
                        assert_true(run_one(c, 300 * 3, 300, 3, 1, mode, off, in_place));
                        assert_true(run_one(c, 130 * 5, 130, 5, 1, mode, off, in_place));
                        assert_true(run_one(c, 100 * 20 * 3, 100, 20, 3, mode, off, in_place));
                        assert_true(run_one(c, 70 * 65, 70, 65, 1, mode, off, in_place));
                        assert_true(run_one(c, 40 * 32, 40, 32, 1, mode, off, in_place));
                    }
        }
    }
    relu_use_isa(RELU_ISA_SCALAR);
}

static void test_list_covers_the_api(void **state)
{
    (void)state;
    /* 20 f32 + 20 f64 + 14 s8 data functions; the other 8 take no buffers. */
    assert_int_equal(API_CALL_COUNT, 54);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_covers_the_api),
        cmocka_unit_test(test_every_function_every_length),
        cmocka_unit_test(test_prelu_every_small_shape),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
