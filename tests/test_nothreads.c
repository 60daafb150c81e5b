/*
 * When the pool cannot start its threads, calls still succeed — on the
 * calling thread, with the same bits. This executable defines its own
 * pthread_create, which the dynamic linker binds librelu's calls to, and
 * makes it fail the way an exhausted process would (EAGAIN).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <relu.h>

static int create_attempts;

int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *), void *arg)
{
    (void)thread;
    (void)attr;
    (void)start;
    (void)arg;
    create_attempts++;
    return EAGAIN;
}

static void test_calls_succeed_without_workers(void **state)
{
    const size_t n = (size_t)3 << 20;
    float *x = malloc(n * sizeof *x), *y1 = malloc(n * sizeof *y1), *y4 = malloc(n * sizeof *y4);
    float alpha[8] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f}, d1[8], d4[8];
    size_t i;
    (void)state;
    assert_non_null(x);
    assert_non_null(y1);
    assert_non_null(y4);
    for (i = 0; i < n; i++)
        x[i] = (float)((int)(i % 1999) - 1000) / 64.0f;

    assert_int_equal(relu_set_num_threads(1), RELU_OK);
    assert_int_equal(relu_elu_forward_f32(x, y1, n, 1.0f), RELU_OK);
    assert_int_equal(relu_set_num_threads(4), RELU_OK);
    assert_int_equal(relu_elu_forward_f32(x, y4, n, 1.0f), RELU_OK);
    assert_true(create_attempts > 0);
    assert_memory_equal(y1, y4, n * sizeof *y1);

    assert_int_equal(relu_prelu_backward_f32(x, x, alpha, y4, d4, n / 8 / 1024, 8, 1024), RELU_OK);
    assert_int_equal(relu_set_num_threads(1), RELU_OK);
    assert_int_equal(relu_prelu_backward_f32(x, x, alpha, y1, d1, n / 8 / 1024, 8, 1024), RELU_OK);
    assert_memory_equal(y1, y4, n * sizeof *y1);
    assert_memory_equal(d1, d4, sizeof d1);
    free(x);
    free(y1);
    free(y4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calls_succeed_without_workers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
