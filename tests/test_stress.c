/*
 * Stress: 8 threads call a random mix of every function for a few seconds
 * while another thread keeps switching the ISA (relu_use_isa) and the thread
 * count (relu_set_num_threads). Every result is compared bit for bit with the
 * one computed before the storm: results may depend on neither.
 * RELU_STRESS_SECONDS overrides the duration (default 3).
 */
#define _POSIX_C_SOURCE 199309L
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_calls.h"

#define CALLERS 8
#define CASES 96

typedef struct {
    const api_call *call;
    call_args args;     /* out / dalpha point at the expected results */
    size_t out_bytes, dalpha_bytes;
    void *in_x, *in_dy, *in_alpha;
} stress_case;

static stress_case cases[CASES];
static const relu_quant qx = {0.03f, 5}, qy = {0.02f, -9}, qdy = {0.25f, 1};
static int stop_flag;
static int failures;

static unsigned next_rand(unsigned *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

static void *xmalloc(size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);
    if (p == NULL)
        abort();
    return p;
}

static void fill(void *p, size_t count, enum call_dtype dt, unsigned *seed)
{
    size_t i;
    for (i = 0; i < count; i++) {
        const double v = ((double)(next_rand(seed) % 4001) - 2000.0) / 250.0;
        if (dt == DT_F32)
            ((float *)p)[i] = (float)v;
        else if (dt == DT_F64)
            ((double *)p)[i] = v;
        else
            ((int8_t *)p)[i] = (int8_t)next_rand(seed);
    }
}

static int setup(void **state)
{
    unsigned seed = 12345;
    int k;
    (void)state;
    relu_use_isa(RELU_ISA_SCALAR);
    for (k = 0; k < CASES; k++) {
        stress_case *c = &cases[k];
        const api_call *call = &api_calls[(size_t)k % API_CALL_COUNT];
        const size_t es = call_elem_size(call);
        const size_t aes = call->dtype == DT_F64 ? 8 : 4;
        /* Some cases are large enough to be split over the pool. */
        const size_t n = (k % 5 == 0) ? (size_t)(600000 + next_rand(&seed) % 1000)
                                      : (size_t)(next_rand(&seed) % 5000);
        memset(&c->args, 0, sizeof c->args);
        c->call = call;
        c->args.param = 0.5;
        c->args.xq = &qx;
        c->args.yq = &qy;
        c->args.dyq = &qdy;
        if (call->kind == KIND_PRELU_FWD || call->kind == KIND_PRELU_BWD) {
            c->args.channels = 1 + next_rand(&seed) % 40;
            c->args.inner = (k % 2) ? 1 : 1 + next_rand(&seed) % 300;
            c->args.outer = n / (c->args.channels * c->args.inner) + 1;
            c->args.n = c->args.outer * c->args.channels * c->args.inner;
        } else {
            c->args.n = n;
        }
        c->in_x = xmalloc(c->args.n * es);
        c->in_dy = xmalloc(c->args.n * es);
        c->in_alpha = xmalloc(c->args.channels * aes + 1);
        fill(c->in_x, c->args.n, call->dtype, &seed);
        fill(c->in_dy, c->args.n, call->dtype, &seed);
        fill(c->in_alpha, c->args.channels, call->dtype == DT_F64 ? DT_F64 : DT_F32, &seed);
        c->args.x = c->in_x;
        c->args.dy = c->in_dy;
        c->args.alpha = c->in_alpha;
        c->out_bytes = c->args.n * es;
        c->dalpha_bytes = call->kind == KIND_PRELU_BWD ? c->args.channels * aes : 0;
        c->args.out = xmalloc(c->out_bytes);
        c->args.dalpha = xmalloc(c->dalpha_bytes + 1);
        if (call->invoke(&c->args) != RELU_OK)
            return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    int k;
    (void)state;
    for (k = 0; k < CASES; k++) {
        free(cases[k].in_x);
        free(cases[k].in_dy);
        free(cases[k].in_alpha);
        free(cases[k].args.out);
        free(cases[k].args.dalpha);
    }
    relu_set_num_threads(1);
    return 0;
}

static void *caller(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg * 7919u + 1;
    while (!__atomic_load_n(&stop_flag, __ATOMIC_RELAXED)) {
        const stress_case *c = &cases[next_rand(&seed) % CASES];
        call_args a = c->args;
        void *out = xmalloc(c->out_bytes);
        void *dalpha = xmalloc(c->dalpha_bytes + 1);
        relu_status st;
        a.out = out;
        a.dalpha = dalpha;
        st = c->call->invoke(&a);
        if (st != RELU_OK || memcmp(out, c->args.out, c->out_bytes) != 0 ||
            memcmp(dalpha, c->args.dalpha, c->dalpha_bytes) != 0) {
            if (__atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED) < 5)
                fprintf(stderr, "mismatch: %s n=%zu status=%d isa=%s threads=%d\n", c->call->name,
                        c->args.n, (int)st, relu_isa_name(relu_active_isa()),
                        relu_get_num_threads());
        }
        free(out);
        free(dalpha);
    }
    return NULL;
}

static void *switcher(void *arg)
{
    unsigned seed = 99;
    (void)arg;
    while (!__atomic_load_n(&stop_flag, __ATOMIC_RELAXED)) {
        const relu_isa isa = (relu_isa)(next_rand(&seed) % 4);
        if (relu_isa_available(isa) && relu_use_isa(isa) != RELU_OK)
            __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
        if (relu_set_num_threads(1 + (int)(next_rand(&seed) % 4)) != RELU_OK)
            __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
        {
            struct timespec ts = {0, 200000};
            nanosleep(&ts, NULL);
        }
    }
    return NULL;
}

static void test_storm(void **state)
{
    pthread_t callers[CALLERS], sw;
    const char *env = getenv("RELU_STRESS_SECONDS");
    const int seconds = env ? atoi(env) : 3;
    struct timespec ts;
    int i;
    (void)state;
    stop_flag = 0;
    assert_int_equal(pthread_create(&sw, NULL, switcher, NULL), 0);
    for (i = 0; i < CALLERS; i++)
        assert_int_equal(pthread_create(&callers[i], NULL, caller, (void *)(uintptr_t)i), 0);
    ts.tv_sec = seconds > 0 ? seconds : 1;
    ts.tv_nsec = 0;
    nanosleep(&ts, NULL);
    __atomic_store_n(&stop_flag, 1, __ATOMIC_RELAXED);
    for (i = 0; i < CALLERS; i++)
        pthread_join(callers[i], NULL);
    pthread_join(sw, NULL);
    assert_int_equal(__atomic_load_n(&failures, __ATOMIC_RELAXED), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_storm),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
