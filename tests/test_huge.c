/*
 * More than 2^31 elements in one call: an int8 buffer of 2 GiB + 4099 bytes,
 * processed in place, so a 32-bit index or length anywhere in a kernel, the
 * validation or the thread split would show as wrong or missing values past
 * the 2^31 boundary. Needs ~2.1 GiB of memory; labelled "huge" (the release
 * stage runs it, the sanitizer and valgrind stages skip it).
 */
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/mman.h>

#include <relu.h>

static int8_t pattern(size_t i)
{
    return (int8_t)(uint8_t)((i * 2654435761u) >> 13);
}

static void check_range(const int8_t *y, size_t from, size_t to, int zp)
{
    size_t i;
    for (i = from; i < to; i++) {
        const int want = pattern(i) > zp ? pattern(i) : zp;
        if (y[i] != want)
            fail_msg("y[%zu] = %d, expected %d", i, y[i], want);
    }
}

static void test_more_than_2_pow_31_elements(void **state)
{
    const size_t n = ((size_t)1 << 31) + 4099;
    const relu_quant q = {0.125f, -3};
    int8_t *x;
    size_t i;
    int threads;
    (void)state;
    x = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (x == MAP_FAILED)
        skip();
    for (threads = 1; threads <= 2; threads++) {
        for (i = 0; i < n; i++)
            x[i] = pattern(i);
        assert_int_equal(relu_set_num_threads(threads), RELU_OK);
        /* Equal quantizations: relu is max(x, zero_point) per element. */
        assert_int_equal(relu_forward_s8(x, x, n, &q, &q), RELU_OK);
        check_range(x, 0, 1 << 16, q.zero_point);
        check_range(x, ((size_t)1 << 31) - (1 << 16), n, q.zero_point);
        for (i = 0; i < n; i += 65537)
            check_range(x, i, i + 1, q.zero_point);
    }
    relu_set_num_threads(1);
    munmap(x, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_more_than_2_pow_31_elements),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
