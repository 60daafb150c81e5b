/*
 * Numeric tests of every f32 and f64 function, through the public API only:
 *   - against an independent reference (exact ops: the contract's formula in
 *     the working precision, one rounding per operation; elu/selu/tanh:
 *     long double, 2 ULP forward, API.md's bound backward),
 *   - on every ISA the CPU and build offer,
 *   - special values, random values over every magnitude, every length
 *     0..300 and a few large ones, unaligned, in place and out of place,
 *     canaries around every buffer,
 *   - every tier bit-identical to the scalar tier,
 *   - 1, 2 and 4 threads bit-identical.
 *
 * The per-type part is written once and instantiated twice: this file
 * includes itself with TF_TEMPLATE defined (T = float, then T = double).
 */
#ifndef TF_TEMPLATE

#define _GNU_SOURCE 1
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

enum { OP_RELU, OP_LEAKY, OP_ELU, OP_SELU, OP_CLIPPED, OP_TANH, OP_COUNT };
enum { K_FWD, K_BWD, K_BWDY, K_COUNT };

static const char *const op_names[OP_COUNT] = {"relu", "leaky", "elu", "selu", "clipped", "tanh"};
static const char *const kind_names[K_COUNT] = {"forward", "backward", "backward_from_output"};

static relu_isa g_initial_isa;
/* valgrind evaluates long double at double precision, so under it the f64
 * references are only good to a few ULP: RELU_TEST_VALGRIND=1 (set by
 * scripts/test.sh's memcheck stage) widens the accuracy tolerances 8x.
 * Every other check, and every call, stays as it is. */
static long double reference_slack = 1;
static long g_printed; /* failure lines printed so far (capped) */
#define MAX_PRINTED 60

static void report(const char *fmt, ...)
{
    va_list ap;
    if (g_printed++ >= MAX_PRINTED) return;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

/* Failure summary: one line per (function, ISA, reason) with a count and the
 * first example, printed at the end of each test. */
#define MAX_KINDS 256
static struct fail_kind {
    char key[160];
    char example[400];
    long count;
} g_kinds[MAX_KINDS];
static int g_nkinds;

static void note_fail(const char *fn, const char *isa, const char *why, const char *example, long count)
{
    char key[160];
    int i;
    snprintf(key, sizeof key, "%s [%s]: %s", fn, isa, why);
    for (i = 0; i < g_nkinds; i++)
        if (strcmp(g_kinds[i].key, key) == 0) { g_kinds[i].count += count; return; }
    if (g_nkinds == MAX_KINDS) return;
    snprintf(g_kinds[g_nkinds].key, sizeof g_kinds[g_nkinds].key, "%s", key);
    snprintf(g_kinds[g_nkinds].example, sizeof g_kinds[g_nkinds].example, "%s", example);
    g_kinds[g_nkinds].count = count;
    g_nkinds++;
}

static void print_summary(void)
{
    int i;
    for (i = 0; i < g_nkinds; i++)
        fprintf(stderr, "  FAIL x%ld %s\n      e.g. %s\n", g_kinds[i].count, g_kinds[i].key, g_kinds[i].example);
    g_nkinds = 0;
    g_printed = 0;
}

/* Parameter values per op and kind (brief: leaky alpha, elu alpha, cap). */
static size_t params_for(int op, int kind, int is64, double *out)
{
    static const double leaky[] = {0.01, 0, -0.5, 1, 3.5, 1e-30};
    static const double leaky_pos[] = {0.01, 1, 3.5, 1e-30};
    static const double elu[] = {1, 0, 0.5, 2.5, -0.0}; /* -0: its sign survives a*(+0) */
    size_t k = 0, i;
    switch (op) {
    case OP_LEAKY:
        if (kind == K_BWDY) {
            for (i = 0; i < TU_ARRAY_LEN(leaky_pos); i++) out[k++] = leaky_pos[i];
        } else {
            for (i = 0; i < TU_ARRAY_LEN(leaky); i++) out[k++] = leaky[i];
        }
        break;
    case OP_ELU:
        for (i = 0; i < TU_ARRAY_LEN(elu); i++) out[k++] = elu[i];
        break;
    case OP_CLIPPED:
        out[k++] = 6;
        out[k++] = 1e-3;
        out[k++] = 1e30;
        out[k++] = (double)FLT_MIN;
        if (is64) out[k++] = DBL_MIN;
        break;
    default:
        out[k++] = 0; /* unused */
        break;
    }
    return k;
}

/* Functions whose parameter the thread test uses. */
static double thread_param(int op)
{
    switch (op) {
    case OP_LEAKY: return 0.01;
    case OP_ELU: return 1.5;
    case OP_CLIPPED: return 6;
    default: return 0;
    }
}

/* ------------------------------------------------------- instantiations */
#define TF_TEMPLATE 1

#define T float
#define TSFX f32
#define UT uint32_t
#define T_BITS tu_f32_bits
#define T_FROM tu_f32_from
#define T_ULPDIST tu_f32_ulpdist
#define T_ULP_LD tu_ulp_f32
#define T_SAME_NAN tu_f32_same_nan
#define T_MAX FLT_MAX
#define T_TRUE_MIN 0x1p-149L
#define T_HALF_ULP_MIN 0x1p-150L
#define T_L 0x1.0cfabep+0f
#define T_LA 0x1.c212ccp+0f
#define T_FMA fmaf
#define T_NEXT nextafterf
#define T_DALPHA_TOL 1e-5L
#define T_SPECIAL_BITS tu_f32_special_bits
#define T_SPECIAL_VALS tu_f32_special_vals
#define T_RAND_WIDE tu_rand_f32_wide
#define T_NARROW_EMIN (-30)
#define T_NARROW_EMAX 7
#define T_PRELU_EMIN (-149)
#define T_PRELU_EMAX 127
#define T_IS64 0
#define T_FMT "%.9g"
#define T_HEX "0x%08" PRIx32
#include "test_float.c"
#undef T
#undef TSFX
#undef UT
#undef T_BITS
#undef T_FROM
#undef T_ULPDIST
#undef T_ULP_LD
#undef T_SAME_NAN
#undef T_MAX
#undef T_TRUE_MIN
#undef T_HALF_ULP_MIN
#undef T_L
#undef T_LA
#undef T_FMA
#undef T_NEXT
#undef T_DALPHA_TOL
#undef T_SPECIAL_BITS
#undef T_SPECIAL_VALS
#undef T_RAND_WIDE
#undef T_NARROW_EMIN
#undef T_NARROW_EMAX
#undef T_PRELU_EMIN
#undef T_PRELU_EMAX
#undef T_IS64
#undef T_FMT
#undef T_HEX

#define T double
#define TSFX f64
#define UT uint64_t
#define T_BITS tu_f64_bits
#define T_FROM tu_f64_from
#define T_ULPDIST tu_f64_ulpdist
#define T_ULP_LD tu_ulp_f64
#define T_SAME_NAN tu_f64_same_nan
#define T_MAX DBL_MAX
#define T_TRUE_MIN 0x1p-1074L
#define T_HALF_ULP_MIN 0x1p-1075L
#define T_L 0x1.0cfabd6a91132p+0
#define T_LA 0x1.c212cc640f031p+0
#define T_FMA fma
#define T_NEXT nextafter
#define T_DALPHA_TOL 1e-13L
#define T_SPECIAL_BITS tu_f64_special_bits
#define T_SPECIAL_VALS tu_f64_special_vals
#define T_RAND_WIDE tu_rand_f64_wide
#define T_NARROW_EMIN (-40)
#define T_NARROW_EMAX 10
/* PReLU f64 data stays where x*dy is a normal double, so that the reference
 * sum and API.md's dalpha bound are about summation, not product underflow. */
#define T_PRELU_EMIN (-400)
#define T_PRELU_EMAX 400
#define T_IS64 1
#define T_FMT "%.17g"
#define T_HEX "0x%016" PRIx64
#include "test_float.c"

/* ------------------------------------------------------------------ main */

#include <time.h>
static double g_t0;
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
static int setup(void **state)
{
    (void)state;
    relu_use_isa(g_initial_isa);
    relu_set_num_threads(1);
    g_t0 = now_s();
    return 0;
}
static int teardown(void **state)
{
    (void)state;
    print_message("  (%.2f s)\n", now_s() - g_t0);
    relu_use_isa(g_initial_isa);
    relu_set_num_threads(1);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_params_sane, setup, teardown),
        cmocka_unit_test_setup_teardown(test_specials_f32, setup, teardown),
        cmocka_unit_test_setup_teardown(test_specials_f64, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lengths_f32, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lengths_f64, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_f32, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_f64, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xtier_f32, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xtier_f64, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prelu_f32, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prelu_f64, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prelu_special_cases_f32, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prelu_special_cases_f64, setup, teardown),
        cmocka_unit_test_setup_teardown(test_threads_f32, setup, teardown),
        cmocka_unit_test_setup_teardown(test_threads_f64, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prelu_threads_f32, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prelu_threads_f64, setup, teardown),
    };
    g_initial_isa = relu_active_isa();
    if (getenv("RELU_TEST_VALGRIND"))
        reference_slack = 8;
    if (getenv("RELU_TEST_FILTER")) cmocka_set_test_filter(getenv("RELU_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#else /* TF_TEMPLATE: the per-type part ---------------------------------- */

#include <inttypes.h>

#define TF(name) TU_CAT(name, TSFX)
#define API(name) TU_CAT(name, TSFX)

static relu_status TF(call)(int op, int kind, const T *a, const T *b, T *o, size_t n, T p)
{
    switch (kind) {
    case K_FWD:
        switch (op) {
        case OP_RELU: return API(relu_forward)(a, o, n);
        case OP_LEAKY: return API(relu_leaky_forward)(a, o, n, p);
        case OP_ELU: return API(relu_elu_forward)(a, o, n, p);
        case OP_SELU: return API(relu_selu_forward)(a, o, n);
        case OP_CLIPPED: return API(relu_clipped_forward)(a, o, n, p);
        case OP_TANH: return API(relu_tanh_forward)(a, o, n);
        }
        break;
    case K_BWD:
        switch (op) {
        case OP_RELU: return API(relu_backward)(a, b, o, n);
        case OP_LEAKY: return API(relu_leaky_backward)(a, b, o, n, p);
        case OP_ELU: return API(relu_elu_backward)(a, b, o, n, p);
        case OP_SELU: return API(relu_selu_backward)(a, b, o, n);
        case OP_CLIPPED: return API(relu_clipped_backward)(a, b, o, n, p);
        case OP_TANH: return API(relu_tanh_backward)(a, b, o, n);
        }
        break;
    case K_BWDY:
        switch (op) {
        case OP_RELU: return API(relu_backward_from_output)(a, b, o, n);
        case OP_LEAKY: return API(relu_leaky_backward_from_output)(a, b, o, n, p);
        case OP_ELU: return API(relu_elu_backward_from_output)(a, b, o, n, p);
        case OP_SELU: return API(relu_selu_backward_from_output)(a, b, o, n);
        case OP_CLIPPED: return API(relu_clipped_backward_from_output)(a, b, o, n, p);
        case OP_TANH: return API(relu_tanh_backward_from_output)(a, b, o, n);
        }
        break;
    }
    return (relu_status)-1;
}

static int TF(is_exact)(int op, int kind)
{
    return kind == K_BWDY || op == OP_RELU || op == OP_LEAKY || op == OP_CLIPPED;
}

/* The contract's formula in T, one rounding per operation (a not NaN). */
static T TF(exact_ref)(int op, int kind, T a, T b, T p)
{
    T zero = 0, one = 1;
    switch (kind) {
    case K_FWD:
        switch (op) {
        case OP_RELU: return a > 0 ? a : zero;
        case OP_LEAKY: { T m = p * a; return a > 0 ? a : m; }
        case OP_CLIPPED: return a > 0 ? (a < p ? a : p) : zero;
        }
        break;
    case K_BWD:
        switch (op) {
        case OP_RELU: return a > 0 ? b : zero;
        case OP_LEAKY: { T m = p * b; return a > 0 ? b : m; }
        case OP_CLIPPED: return (a > 0 && a < p) ? b : zero;
        }
        break;
    case K_BWDY:
        switch (op) {
        case OP_RELU: return a > 0 ? b : zero;
        case OP_LEAKY: { T m = p * b; return a > 0 ? b : m; }
        case OP_ELU: { T s = a + p; T m = b * s; return a > 0 ? b : m; }
        case OP_SELU: { T s = a + T_LA; T m = b * s; T l = T_L * b; return a > 0 ? l : m; }
        case OP_CLIPPED: return (a > 0 && a < p) ? b : zero;
        case OP_TANH: { T f = T_FMA(-a, a, one); T m = b * f; return a > 0 ? m : zero; }
        }
        break;
    }
    return zero;
}

static long double TF(ref_fwd)(int op, T x, T p)
{
    switch (op) {
    case OP_ELU: return tu_elu_ld(x, p);
    case OP_SELU: return tu_selu_ld(x);
    case OP_TANH: return tu_tanh_ld(x);
    }
    return 0;
}

static long double TF(ref_deriv)(int op, T x, T p)
{
    switch (op) {
    case OP_ELU: return tu_elu_d_ld(x, p);
    case OP_SELU: return tu_selu_d_ld(x);
    case OP_TANH: return tu_tanh_d_ld(x);
    }
    return 0;
}

/* 1 if `got` is an acceptable output for inputs (a, b); else 0 with a reason. */
static int TF(check)(int op, int kind, T a, T b, T got, T p, const char **why, T *expect)
{
    *expect = got;
    if (isnan(a)) { /* NaN x (or y): NaN carrying a's payload */
        *expect = a;
        *why = "NaN input must give NaN with its payload";
        return T_SAME_NAN(got, a);
    }
    if (TF(is_exact)(op, kind)) {
        T e = TF(exact_ref)(op, kind, a, b, p);
        *expect = e;
        /* alpha == 0 times a non-finite dy: the derivative is zero there, so
         * API.md's NaN rule and the formula (0*NaN = NaN) disagree: accept
         * either a NaN or a zero. */
        if (op == OP_LEAKY && kind != K_FWD && p == 0 && !(a > 0) && !isfinite(b)) {
            *why = "alpha=0, non-finite dy: NaN or 0";
            return isnan(got) || got == 0;
        }
        if (isnan(e)) { *why = "expected NaN"; return isnan(got) != 0; }
        if (e == 0) { *why = "expected zero (either sign)"; return got == 0; }
        *why = "exact op: bits differ from the formula";
        return T_BITS(got) == T_BITS(e);
    }
    if (kind == K_FWD) {
        long double r = TF(ref_fwd)(op, a, p);
        T e = (T)r;
        *expect = e;
        *why = "more than 2 ULP from the correctly rounded value";
        return T_ULPDIST(got, e) <= 2 * reference_slack;
    }
    /* backward from x of elu, selu, tanh */
    {
        long double d, r, bound;
        if (op == OP_TANH && !(a > 0)) { /* select-type zero, whatever dy is */
            *expect = 0;
            *why = "tanh x <= 0: expected zero";
            return got == 0;
        }
        d = TF(ref_deriv)(op, a, p);
        if (isnan(b)) {
            *expect = b;
            if (d != 0) { *why = "NaN dy, non-zero derivative: expected NaN"; return isnan(got) != 0; }
            *why = "NaN dy, zero derivative: NaN or 0";
            return isnan(got) || got == 0;
        }
        if (isinf(b)) {
            *expect = b;
            if (d != 0) { *why = "infinite dy: expected +-inf or NaN"; return !isfinite(got); }
            *why = "infinite dy, zero derivative: non-finite or 0";
            return !isfinite(got) || got == 0;
        }
        r = (long double)b * d;
        *expect = (T)r;
        if (isinf((T)r)) { /* the product overflows */
            *why = "product overflows: +-inf, NaN (or within 2 ULP of the max)";
            /* (Compared by magnitude: under valgrind r itself is inf.) */
            return !isfinite(got) ||
                   (fabsl((long double)got) >= (long double)T_MAX - 2 * T_ULP_LD(T_MAX) &&
                    (signbit(got) != 0) == (signbit(r) != 0));
        }
        bound = (2 * T_ULP_LD(r) + 2 * fabsl((long double)b) * T_TRUE_MIN) * reference_slack;
        *why = "|dx - dy*f'(x)| > 2 ulp + 2|dy|m";
        return fabsl((long double)got - r) <= bound;
    }
}

/* Special inputs for one function: the shared list plus its kinks. */
#define TF_MAX_SPECIALS 160
static size_t TF(specials)(int op, int kind, T p, T *out)
{
    size_t k = 0, i;
    T one = 1, inf = (T)INFINITY;
    for (i = 0; i < TU_ARRAY_LEN(T_SPECIAL_BITS); i++) out[k++] = T_FROM(T_SPECIAL_BITS[i]);
    for (i = 0; i < TU_ARRAY_LEN(T_SPECIAL_VALS); i++) out[k++] = (T)T_SPECIAL_VALS[i];
    if (op == OP_LEAKY || op == OP_ELU || op == OP_CLIPPED) {
        out[k++] = p;
        out[k++] = -p;
        out[k++] = T_NEXT(p, inf);
        out[k++] = T_NEXT(p, -inf);
        out[k++] = T_NEXT(-p, inf);
        out[k++] = T_NEXT(-p, -inf);
    }
    if (op == OP_SELU) {
        out[k++] = -T_LA;
        out[k++] = T_NEXT(-T_LA, inf);
        out[k++] = T_NEXT(-T_LA, -inf);
    }
    if (op == OP_TANH) {
        /* The edges of f32 tanh's pieces (act_f32.inc), the clamp of its
         * piece index (7.99 - 0.5625) and of x (9.1), with their
         * neighbours: every tier picks the same piece there. */
        static const float edges[] = {0.1875f, 0.4375f, 0.9375f, 1.4375f, 2.4375f,
                                      3.4375f, 5.4375f, 7.4275f, 9.1f};
        out[k++] = T_NEXT(one, 0);
        out[k++] = T_NEXT(one, inf);
        out[k++] = (T)0.999;
        for (i = 0; i < TU_ARRAY_LEN(edges); i++) {
            const T e = (T)edges[i];
            out[k++] = e;
            out[k++] = T_NEXT(e, 0);
            out[k++] = T_NEXT(e, inf);
        }
    }
    (void)kind;
    assert_true(k <= TF_MAX_SPECIALS);
    return k;
}

/* Random inputs: a (x or y) and dy, a sprinkling of specials. */
static void TF(fill)(tu_rng *r, T *a, T *b, size_t n, const T *sp, size_t nsp)
{
    size_t i;
    for (i = 0; i < n; i++) {
        uint32_t u = tu_rng_below(r, 16);
        if (u == 0) a[i] = sp[tu_rng_below(r, (uint32_t)nsp)];
        else if (u < 7) a[i] = T_RAND_WIDE(r);
        else a[i] = (T)tu_rand_logu(r, T_NARROW_EMIN, T_NARROW_EMAX);
        if (!b) continue;
        u = tu_rng_below(r, 32);
        if (u == 0) b[i] = sp[tu_rng_below(r, (uint32_t)nsp)];
        else if (u < 9) b[i] = T_RAND_WIDE(r);
        else b[i] = (T)tu_rand_logu(r, -20, 20);
    }
}

static const char *TF(fname)(int op, int kind, char *buf, size_t len)
{
    snprintf(buf, len, "%s_%s_" "%s", op_names[op], kind_names[kind], T_IS64 ? "f64" : "f32");
    return buf;
}

/*
 * Runs one function on (a_in, b_in) of length n: `off` elements past an
 * aligned base; mode 0 out of place, 1 output == a, 2 output == dy.
 * Checks status, canaries, untouched inputs, and (if check) the elements:
 * check == 1 every one, check > 1 the first and last 4096 and every
 * check-th in between.
 * Copies the output to `result` if non-NULL. Returns the failure count.
 */
static long TF(run)(int op, int kind, T p, const T *a_in, const T *b_in, size_t n, size_t off,
                    int mode, size_t check, T *result)
{
    tu_gbuf ga, gb, go;
    T *a = tu_gbuf_init(&ga, sizeof(T), n, off);
    T *b = tu_gbuf_init(&gb, sizeof(T), n, (off + 1) % 4);
    T *o = tu_gbuf_init(&go, sizeof(T), n, (off + 2) % 4);
    T *out = mode == 1 ? a : mode == 2 ? b : o;
    long fails = 0;
    size_t i;
    char fn[64];
    relu_status st;

    TF(fname)(op, kind, fn, sizeof fn);
    if (n) memcpy(a, a_in, n * sizeof(T));
    if (n && kind != K_FWD) memcpy(b, b_in, n * sizeof(T));
    st = TF(call)(op, kind, a, kind == K_FWD ? NULL : b, out, n, p);
    if (st != RELU_OK) {
        report("%s(p=" T_FMT ", n=%zu, mode=%d) [%s]: status %d\n", fn, (double)p, n, mode,
               relu_isa_name(relu_active_isa()), (int)st);
        fails++;
    }
    if (!tu_gbuf_canaries_ok(&ga) || !tu_gbuf_canaries_ok(&gb) || !tu_gbuf_canaries_ok(&go)) {
        report("%s(p=" T_FMT ", n=%zu, off=%zu, mode=%d) [%s]: canary overwritten\n", fn,
               (double)p, n, off, mode, relu_isa_name(relu_active_isa()));
        fails++;
    }
    if (n && mode != 1 && memcmp(a, a_in, n * sizeof(T)) != 0) {
        report("%s(n=%zu) [%s]: input x/y modified\n", fn, n, relu_isa_name(relu_active_isa()));
        fails++;
    }
    if (n && kind != K_FWD && mode != 2 && memcmp(b, b_in, n * sizeof(T)) != 0) {
        report("%s(n=%zu) [%s]: input dy modified\n", fn, n, relu_isa_name(relu_active_isa()));
        fails++;
    }
    if (check) {
        /* distinct reasons in this run: the first example of each, and a count */
        const char *whys[8];
        long counts[8];
        char exs[8][400];
        int nwhy = 0, w;
        for (i = 0; i < n; i++) {
            const char *why = "";
            T e, bi;
            if (check > 1 && i >= 4096 && i + 4096 < n && i % check != 0) continue; /* stride */
            bi = kind == K_FWD ? 0 : b_in[i];
            if (!TF(check)(op, kind, a_in[i], bi, out[i], p, &why, &e)) {
                fails++;
                for (w = 0; w < nwhy; w++)
                    if (whys[w] == why) break;
                if (w < nwhy) { counts[w]++; continue; }
                if (nwhy == 8) continue;
                whys[nwhy] = why;
                counts[nwhy] = 1;
                snprintf(exs[nwhy], sizeof exs[nwhy], "p=" T_FMT " n=%zu i=%zu: in=" T_FMT " (" T_HEX
                         ") dy=" T_FMT " (" T_HEX ") got=" T_FMT " (" T_HEX ") expected~" T_FMT " (" T_HEX ")",
                         (double)p, n, i, (double)a_in[i], T_BITS(a_in[i]), (double)bi, T_BITS(bi),
                         (double)out[i], T_BITS(out[i]), (double)e, T_BITS(e));
                nwhy++;
            }
        }
        for (w = 0; w < nwhy; w++) note_fail(fn, relu_isa_name(relu_active_isa()), whys[w], exs[w], counts[w]);
    }
    if (result && n) memcpy(result, out, n * sizeof(T));
    tu_gbuf_free(&ga);
    tu_gbuf_free(&gb);
    tu_gbuf_free(&go);
    return fails;
}

static int TF(nmodes)(int kind) { return kind == K_FWD ? 2 : 3; }

/* Specials x specials (backward: every pair), every ISA, every mode. */
static void TF(test_specials)(void **state)
{
    long fails = 0;
    int isa, op, kind;
    size_t pi, i, j;
    T sp[TF_MAX_SPECIALS];
    T *a = tu_xmalloc(TF_MAX_SPECIALS * TF_MAX_SPECIALS * sizeof(T));
    T *b = tu_xmalloc(TF_MAX_SPECIALS * TF_MAX_SPECIALS * sizeof(T));
    (void)state;
    for (isa = TU_ISA_FIRST; isa <= TU_ISA_LAST; isa++) {
        int e = tu_isa_enter(isa);
        if (e == 0) continue;
        assert_int_equal(e, 1);
        for (op = 0; op < OP_COUNT; op++)
            for (kind = 0; kind < K_COUNT; kind++) {
                double ps[8];
                size_t np = params_for(op, kind, T_IS64, ps);
                for (pi = 0; pi < np; pi++) {
                    T p = (T)ps[pi];
                    size_t nsp = TF(specials)(op, kind, p, sp), n;
                    int mode;
                    if (kind == K_FWD) {
                        memcpy(a, sp, nsp * sizeof(T));
                        n = nsp;
                    } else {
                        for (i = 0; i < nsp; i++)
                            for (j = 0; j < nsp; j++) {
                                a[i * nsp + j] = sp[i];
                                b[i * nsp + j] = sp[j];
                            }
                        n = nsp * nsp;
                    }
                    for (mode = 0; mode < TF(nmodes)(kind); mode++)
                        fails += TF(run)(op, kind, p, a, b, n, (size_t)mode + 1, mode, 1, NULL);
                }
            }
    }
    free(a);
    free(b);
    print_summary();
    assert_int_equal(fails, 0);
}

/* Every length 0..300, random data, varying offsets and aliasing, every ISA. */
static void TF(test_lengths)(void **state)
{
    long fails = 0;
    int isa, op, kind;
    size_t pi, n;
    T sp[TF_MAX_SPECIALS];
    T *a = tu_xmalloc(301 * sizeof(T)), *b = tu_xmalloc(301 * sizeof(T));
    (void)state;
    for (isa = TU_ISA_FIRST; isa <= TU_ISA_LAST; isa++) {
        int e = tu_isa_enter(isa);
        if (e == 0) continue;
        assert_int_equal(e, 1);
        for (op = 0; op < OP_COUNT; op++)
            for (kind = 0; kind < K_COUNT; kind++) {
                double ps[8];
                size_t np = params_for(op, kind, T_IS64, ps);
                for (pi = 0; pi < np; pi++) {
                    T p = (T)ps[pi];
                    size_t nsp = TF(specials)(op, kind, p, sp);
                    for (n = 0; n <= 300; n++) {
                        tu_rng r;
                        tu_rng_seed(&r, (uint64_t)n * 1000 + (uint64_t)op * 100 + (uint64_t)kind * 10 + pi);
                        TF(fill)(&r, a, b, n, sp, nsp);
                        fails += TF(run)(op, kind, p, a, b, n, (n / 3) % 4,
                                         (int)(n % (size_t)TF(nmodes)(kind)), 1, NULL);
                    }
                }
            }
    }
    free(a);
    free(b);
    print_summary();
    assert_int_equal(fails, 0);
}

/* The function's first parameter (params_for) and its specials in sp. */
static T TF(first_param)(int op, int kind, T *sp, size_t *nsp)
{
    double ps[8];
    params_for(op, kind, T_IS64, ps);
    *nsp = TF(specials)(op, kind, (T)ps[0], sp);
    return (T)ps[0];
}

/* A few large lengths, each function with its first parameter, every ISA. */
static void TF(test_large)(void **state)
{
    static const size_t lens[] = {65537, 1000003};
    long fails = 0;
    int isa, op, kind;
    size_t li;
    T sp[TF_MAX_SPECIALS];
    T *a = tu_xmalloc(1000003 * sizeof(T)), *b = tu_xmalloc(1000003 * sizeof(T));
    (void)state;
    for (op = 0; op < OP_COUNT; op++)
        for (kind = 0; kind < K_COUNT; kind++) {
            size_t nsp;
            const T p = TF(first_param)(op, kind, sp, &nsp);
            for (li = 0; li < TU_ARRAY_LEN(lens); li++) {
                tu_rng r;
                tu_rng_seed(&r, 77 + li * 31 + (uint64_t)op * 7 + (uint64_t)kind);
                TF(fill)(&r, a, b, lens[li], sp, nsp);
                for (isa = TU_ISA_FIRST; isa <= TU_ISA_LAST; isa++) {
                    int e = tu_isa_enter(isa);
                    if (e == 0) continue;
                    assert_int_equal(e, 1);
                    fails += TF(run)(op, kind, p, a, b, lens[li], 1 + li,
                                     (int)((size_t)(op + kind + li + (size_t)isa) % (size_t)TF(nmodes)(kind)),
                                     li ? 29 : 1, NULL);
                }
            }
        }
    free(a);
    free(b);
    print_summary();
    assert_int_equal(fails, 0);
}

/* Every tier bit-identical to the scalar tier: specials and random data,
 * every length 0..300 plus 65537, every parameter; then TF_STREAM_N. */
static long TF(xtier_compare)(int op, int kind, T p, const T *a, const T *b, size_t n, size_t off,
                              int mode, T *ref, T *got)
{
    long fails = 0;
    int isa;
    size_t i;
    char fn[64];
    assert_int_equal(tu_isa_enter(RELU_ISA_SCALAR), 1);
    fails += TF(run)(op, kind, p, a, b, n, off, mode, 0, ref);
    for (isa = TU_ISA_FIRST + 1; isa <= TU_ISA_LAST; isa++) {
        int e = tu_isa_enter(isa);
        if (e == 0) continue;
        assert_int_equal(e, 1);
        fails += TF(run)(op, kind, p, a, b, n, off, mode, 0, got);
        for (i = 0; i < n; i++) {
            if (T_BITS(got[i]) != T_BITS(ref[i])) {
                UT ab = T_BITS(a[i]), bb = kind == K_FWD ? 0 : T_BITS(b[i]);
                report("%s(p=" T_FMT ") n=%zu off=%zu mode=%d i=%zu: %s gives " T_HEX
                       ", scalar " T_HEX " (in " T_HEX ", dy " T_HEX ")\n",
                       TF(fname)(op, kind, fn, sizeof fn), (double)p, n, off, mode, i,
                       relu_isa_name((relu_isa)isa), T_BITS(got[i]), T_BITS(ref[i]), ab, bb);
                fails++;
            }
        }
    }
    return fails;
}

/* Elements from which every x86 kernel streams its output when out of
 * place on any CPU: 20 MiB touched for the selects and the backwards, 64
 * MiB for the forwards of elu, selu and tanh, at most (src/dispatch.c
 * lowers both on Intel); with a tail. */
#define TF_STREAM_N (((size_t)64 << 20) / (2 * sizeof(T)) + 5)
static void TF(test_xtier)(void **state)
{
    long fails = 0;
    int op, kind, isa, others = 0;
    size_t pi, n;
    T sp[TF_MAX_SPECIALS];
    T *a, *b;
    /* valgrind emulates the FMA instruction and the library's fmaf call
     * differently (signs of exact zeros), so tiers cannot be compared under
     * it; every other run of this suite compares them. */
    if (reference_slack > 1)
        skip();
    a = tu_xmalloc(TF_STREAM_N * sizeof(T));
    b = tu_xmalloc(TF_STREAM_N * sizeof(T));
    T *ref = tu_xmalloc(TF_STREAM_N * sizeof(T)), *got = tu_xmalloc(TF_STREAM_N * sizeof(T));
    (void)state;
    for (isa = TU_ISA_FIRST + 1; isa <= TU_ISA_LAST; isa++) others += relu_isa_available((relu_isa)isa);
    if (!others) print_message("only the scalar tier is available: nothing to compare\n");
    for (op = 0; others && op < OP_COUNT; op++)
        for (kind = 0; kind < K_COUNT; kind++) {
            double ps[8];
            size_t np = params_for(op, kind, T_IS64, ps);
            for (pi = 0; pi < np; pi++) {
                T p = (T)ps[pi];
                size_t nsp = TF(specials)(op, kind, p, sp);
                /* all specials (and, backward, dy = specials shifted) */
                for (n = 0; n < nsp; n++) {
                    a[n] = sp[n];
                    b[n] = sp[(n * 7 + 3) % nsp];
                }
                fails += TF(xtier_compare)(op, kind, p, a, b, nsp, 1, 0, ref, got);
                for (n = 0; n <= 301; n++) {
                    size_t len = n == 301 ? 65537 : n;
                    tu_rng r;
                    tu_rng_seed(&r, 99991 + (uint64_t)n * 1000 + (uint64_t)op * 100 + (uint64_t)kind * 10 + pi);
                    TF(fill)(&r, a, b, len, sp, nsp);
                    fails += TF(xtier_compare)(op, kind, p, a, b, len, n % 4,
                                               (int)(n % (size_t)TF(nmodes)(kind)), ref, got);
                }
            }
        }
    /* Skewed signs: the x86 forwards of elu, selu and tanh decide block by
     * block, from the share of lanes that need their evaluation, whether
     * to pack those lanes densely; a share of negatives from 1/16 to 15/16
     * drives both ways and the changes between them. */
    for (op = 0; others && op < OP_COUNT; op++) {
        double ps[8];
        size_t np = params_for(op, K_FWD, T_IS64, ps), len, i;
        for (pi = 0; pi < np; pi++) {
            T p = (T)ps[pi];
            size_t nsp = TF(specials)(op, K_FWD, p, sp);
            for (n = 1; n < 16; n += 2)
                for (len = 4099; len <= 65537; len += 61438) {
                    tu_rng r;
                    tu_rng_seed(&r, 7717 + n * 100 + (uint64_t)op * 10 + pi);
                    TF(fill)(&r, a, NULL, len, sp, nsp);
                    for (i = 0; i < len; i++)
                        if (!isnan(a[i])) a[i] = tu_rng_below(&r, 16) < n ? -(T)fabs(a[i]) : (T)fabs(a[i]);
                    fails += TF(xtier_compare)(op, K_FWD, p, a, b, len, n % 4, (int)(n / 2 % 2),
                                               ref, got);
                }
        }
    }
    /* A length from which the x86 kernels store their output
     * non-temporally (out of place), from unaligned outputs, so that the
     * streamed part follows a masked head. */
    for (op = 0; others && op < OP_COUNT; op++)
        for (kind = 0; kind < K_COUNT; kind++) {
            size_t nsp;
            const T p = TF(first_param)(op, kind, sp, &nsp);
            tu_rng r;
            tu_rng_seed(&r, 4242 + (uint64_t)op * 10 + (uint64_t)kind);
            TF(fill)(&r, a, b, TF_STREAM_N, sp, nsp);
            fails += TF(xtier_compare)(op, kind, p, a, b, TF_STREAM_N, 1 + (size_t)(op + kind) % 3,
                                       0, ref, got);
        }
    free(a);
    free(b);
    free(ref);
    free(got);
    print_summary();
    assert_int_equal(fails, 0);
}
#undef TF_STREAM_N

/* ------------------------------------------------------------------ PReLU */

typedef struct TF(prelu_out) {
    T *y, *dx, *da;
} TF(prelu_out);

/* Checks one PReLU forward + backward against the reference; copies outputs
 * to `keep` if non-NULL. mode: 0 out of place, 1 y == x and dx == x,
 * 2 y == x and dx == dy. */
static long TF(prelu_run)(size_t O, size_t C, size_t I, const T *x_in, const T *dy_in,
                          const T *al_in, size_t off, int mode, int check, TF(prelu_out) *keep)
{
    size_t N = O * C * I, o, c, i;
    tu_gbuf gx, gdy, gal, gy, gdx, gda;
    T *x = tu_gbuf_init(&gx, sizeof(T), N, off);
    T *dy = tu_gbuf_init(&gdy, sizeof(T), N, (off + 1) % 4);
    T *al = tu_gbuf_init(&gal, sizeof(T), C, (off + 2) % 4);
    T *y0 = tu_gbuf_init(&gy, sizeof(T), N, (off + 3) % 4);
    T *dx0 = tu_gbuf_init(&gdx, sizeof(T), N, off);
    T *da = tu_gbuf_init(&gda, sizeof(T), C, (off + 1) % 4);
    T *y, *dx;
    long fails = 0;
    relu_status st;
    const char *isa = relu_isa_name(relu_active_isa());
    const char *tn = T_IS64 ? "f64" : "f32";

    if (N) memcpy(x, x_in, N * sizeof(T));
    if (N) memcpy(dy, dy_in, N * sizeof(T));
    if (C) memcpy(al, al_in, C * sizeof(T));

    /* forward */
    y = mode ? x : y0;
    st = API(relu_prelu_forward)(x, y, al, O, C, I);
    if (st != RELU_OK) { report("prelu_forward_%s(%zu,%zu,%zu) [%s]: status %d\n", tn, O, C, I, isa, (int)st); fails++; }
    if (!tu_gbuf_canaries_ok(&gx) || !tu_gbuf_canaries_ok(&gy) || !tu_gbuf_canaries_ok(&gal) ||
        (C && memcmp(al, al_in, C * sizeof(T)) != 0)) {
        report("prelu_forward_%s(%zu,%zu,%zu) mode %d [%s]: canary or alpha modified\n", tn, O, C, I, mode, isa);
        fails++;
    }
    if (check) {
        for (o = 0; o < O; o++)
            for (c = 0; c < C; c++)
                for (i = 0; i < I; i++) {
                    size_t k = (o * C + c) * I + i;
                    T xv = x_in[k], got = y[k], e;
                    int ok;
                    if (isnan(xv)) { e = xv; ok = T_SAME_NAN(got, xv); }
                    else {
                        T m = al_in[c] * xv;
                        e = xv > 0 ? xv : m;
                        ok = isnan(e) ? isnan(got) != 0 : e == 0 ? got == 0 : T_BITS(got) == T_BITS(e);
                    }
                    if (!ok) {
                        report("prelu_forward_%s(%zu,%zu,%zu) [%s] (o,c,i)=(%zu,%zu,%zu): x=" T_FMT
                               " alpha=" T_FMT " got " T_FMT " (" T_HEX ") expected " T_FMT "\n",
                               tn, O, C, I, isa, o, c, i, (double)xv, (double)al_in[c], (double)got,
                               T_BITS(got), (double)e);
                        fails++;
                    }
                }
    }
    if (keep && N) memcpy(keep->y, y, N * sizeof(T));
    if (N) memcpy(x, x_in, N * sizeof(T)); /* restore after in-place forward */

    /* backward */
    dx = mode == 1 ? x : mode == 2 ? dy : dx0;
    st = API(relu_prelu_backward)(x, dy, al, dx, da, O, C, I);
    if (st != RELU_OK) { report("prelu_backward_%s(%zu,%zu,%zu) [%s]: status %d\n", tn, O, C, I, isa, (int)st); fails++; }
    if (!tu_gbuf_canaries_ok(&gx) || !tu_gbuf_canaries_ok(&gdy) || !tu_gbuf_canaries_ok(&gdx) ||
        !tu_gbuf_canaries_ok(&gda) || !tu_gbuf_canaries_ok(&gal) ||
        (C && memcmp(al, al_in, C * sizeof(T)) != 0) ||
        (mode != 1 && N && memcmp(x, x_in, N * sizeof(T)) != 0) ||
        (mode != 2 && N && memcmp(dy, dy_in, N * sizeof(T)) != 0)) {
        report("prelu_backward_%s(%zu,%zu,%zu) mode %d [%s]: canary or input modified\n", tn, O, C, I, mode, isa);
        fails++;
    }
    if (check) {
        for (c = 0; c < C; c++) {
            long double sum = 0, comp = 0, S = 0;
            int has_nan = 0, has_inf = 0, ok;
            T got = da[c];
            for (o = 0; o < O; o++)
                for (i = 0; i < I; i++) {
                    size_t k = (o * C + c) * I + i;
                    T xv = x_in[k], dv = dy_in[k], g = dx[k], e;
                    int eok;
                    if (isnan(xv)) { e = xv; eok = T_SAME_NAN(g, xv); }
                    else if (xv > 0) { e = dv; eok = isnan(e) ? isnan(g) != 0 : T_BITS(g) == T_BITS(e); }
                    else {
                        T m = al_in[c] * dv;
                        e = m;
                        if (al_in[c] == 0 && !isfinite(dv)) eok = isnan(g) || g == 0;
                        else eok = isnan(e) ? isnan(g) != 0 : e == 0 ? g == 0 : T_BITS(g) == T_BITS(e);
                    }
                    if (!eok) {
                        report("prelu_backward_%s(%zu,%zu,%zu) [%s] dx (o,c,i)=(%zu,%zu,%zu): x=" T_FMT
                               " dy=" T_FMT " alpha=" T_FMT " got " T_FMT " (" T_HEX ") expected " T_FMT "\n",
                               tn, O, C, I, isa, o, c, i, (double)xv, (double)dv, (double)al_in[c],
                               (double)g, T_BITS(g), (double)e);
                        fails++;
                    }
                    if (!(xv > 0)) { /* x <= 0 or NaN: contributes to dalpha */
                        long double pr, t;
                        if (isnan(xv) || isnan(dv)) { has_nan = 1; continue; }
                        if (isinf(xv) || isinf(dv)) { has_inf = 1; continue; }
                        pr = (long double)xv * (long double)dv;
                        /* Neumaier compensated sum in long double */
                        t = sum + pr;
                        if (fabsl(sum) >= fabsl(pr)) comp += (sum - t) + pr;
                        else comp += (pr - t) + sum;
                        sum = t;
                        S += fabsl(pr);
                    }
                }
            sum += comp;
            if (has_nan) ok = isnan(got) != 0;
            else if (has_inf) ok = !isfinite(got);
            else if (O * I == 0) ok = got == 0;
            else {
                long double err = fabsl((long double)got - sum);
                long double bound = T_DALPHA_TOL * S + T_HALF_ULP_MIN;
                if (fabsl(sum) > (long double)T_MAX) ok = isinf(got) || err <= bound;
                else ok = err <= bound;
            }
            if (!ok) {
                report("prelu_backward_%s(%zu,%zu,%zu) [%s] dalpha[%zu] = " T_FMT " (" T_HEX
                       "), reference %.21Lg (S=%.6Lg, nan=%d, inf=%d)\n",
                       tn, O, C, I, isa, c, (double)got, T_BITS(got), sum, S, has_nan, has_inf);
                fails++;
            }
        }
    }
    if (keep && N) memcpy(keep->dx, dx, N * sizeof(T));
    if (keep && C) memcpy(keep->da, da, C * sizeof(T));
    tu_gbuf_free(&gx);
    tu_gbuf_free(&gdy);
    tu_gbuf_free(&gal);
    tu_gbuf_free(&gy);
    tu_gbuf_free(&gdx);
    tu_gbuf_free(&gda);
    return fails;
}

static T TF(prelu_rand)(tu_rng *r, int is_dy)
{
    uint32_t u = tu_rng_below(r, 64);
    if (u == 0) { /* special */
        static const double sv[] = {0.0, -0.0, 1.0, -1.0, 3.0, -2.0};
        uint32_t k = tu_rng_below(r, 9);
        if (k < 6) return (T)sv[k];
        if (k == 6) return (T)INFINITY;
        if (k == 7) return -(T)INFINITY;
        return T_FROM(T_SPECIAL_BITS[4 + tu_rng_below(r, 8)]); /* NaNs, signalling too */
    }
    if (!is_dy && u == 1) /* x: subnormal / tiny specials */
        return T_FROM(T_SPECIAL_BITS[12 + tu_rng_below(r, 10)]);
    if (u < 8 && !T_IS64) return T_RAND_WIDE(r);
    return (T)tu_rand_logu(r, u < 16 ? T_PRELU_EMIN : -20, u < 16 ? T_PRELU_EMAX : 20);
}

/* specials: 0 plain, 1 with the specials of prelu_rand, 2 small integer
 * products that often cancel exactly, between products of 2^-90..2^-20: a
 * sum of them depends on the order of its additions. unit: every alpha in
 * (0, 1], where the SIMD forwards compute max(alpha*x, x) instead of a
 * select (ends included: 1, the float just below it, the smallest
 * subnormal). */
static void TF(prelu_fill)(tu_rng *r, T *x, T *dy, T *al, size_t N, size_t C, int specials,
                           int unit)
{
    size_t k;
    for (k = 0; k < N; k++) {
        if (specials == 2) {
            x[k] = (T)(tu_rng_below(r, 8) == 0 ? 1.0 : -1.0);
            if (tu_rng_below(r, 4) == 0)
                dy[k] = (T)tu_rand_logu(r, -90, -20);
            else
                dy[k] = (T)(k % 2 ? -1.0 : 1.0);
        } else if (specials) {
            x[k] = TF(prelu_rand)(r, 0);
            dy[k] = TF(prelu_rand)(r, 1);
        } else {
            x[k] = (T)tu_rand_logu(r, -20, 20);
            dy[k] = (T)tu_rand_logu(r, -20, 20);
        }
    }
    for (k = 0; k < C; k++) {
        static const double av[] = {0.25, -0.5, 0.0, 1.0, 3.5, -1e-30, 1e-30, -0.0};
        uint32_t u = tu_rng_below(r, 10);
        if (unit) {
            static const double uv[] = {0.25, 1.0, 1e-30, 0.01};
            if (u < 4) al[k] = (T)uv[u];
            else if (u == 4) al[k] = (T)(1.0 - (T_IS64 ? 0x1p-53 : 0x1p-24));
            else if (u == 5) al[k] = T_FROM(1); /* smallest subnormal */
            else al[k] = (T)fabs(tu_rand_logu(r, -20, -1));
            continue;
        }
        if (u < 8) al[k] = (T)av[u];
        else if (u == 8 && specials) al[k] = T_FROM(T_SPECIAL_BITS[6]); /* NaN alpha */
        else al[k] = (T)tu_rand_logu(r, -10, 3);
    }
}

static const size_t TF(dims)[] = {0, 1, 2, 3, 5, 8, 17};

typedef struct TF(shape) { size_t o, c, i; } TF(shape);
/* Channels-last rows of 37, 64 and 100 channels span several row tiles and
 * channel groups of the SIMD kernels (and, at 100, two driver chunks). The
 * last ones are small calls whose rows fill one vector exactly (f32 or f64)
 * or just miss it, over one and several rows, and a small call's many rows. */
static const TF(shape) TF(big_shapes)[] = {{2, 64, 1000}, {4000, 3, 1}, {1, 1, 100000}, {3, 2, 8193},
                                          {2000, 64, 1}, {1100, 37, 1}, {300, 100, 1},
                                          {1, 4, 4}, {1, 4, 16}, {9, 4, 4}, {1, 8, 2},
                                          {6, 2, 4}, {4, 4, 2}, {1, 2, 9}, {2048, 4, 4}};

/* Every small shape and the NCHW/NHWC ones, every ISA, compared with the
 * reference and with the scalar tier bit for bit (y, dx and dalpha); then
 * 1 and 3 rows of 1..8 channels of 1..9 elements with order-sensitive data,
 * where a kernel that summed dalpha's lanes in another order would differ. */
#define TF_ORDER_SHAPES (2 * 8 * 9)
static void TF(test_prelu)(void **state)
{
    long fails = 0;
    size_t a, b, c, s, nbig = 7 * 7 * 7 + TU_ARRAY_LEN(TF(big_shapes));
    size_t nshape = nbig + TF_ORDER_SHAPES;
    size_t maxN = 128000 + 64;
    T *x = tu_xmalloc(maxN * sizeof(T)), *dy = tu_xmalloc(maxN * sizeof(T)), *al = tu_xmalloc(128 * sizeof(T));
    TF(prelu_out) ref, got;
    (void)state;
    (void)a; (void)b; (void)c;
    ref.y = tu_xmalloc(maxN * sizeof(T)); ref.dx = tu_xmalloc(maxN * sizeof(T)); ref.da = tu_xmalloc(128 * sizeof(T));
    got.y = tu_xmalloc(maxN * sizeof(T)); got.dx = tu_xmalloc(maxN * sizeof(T)); got.da = tu_xmalloc(128 * sizeof(T));
    for (s = 0; s < nshape; s++) {
        size_t O, C, I, N;
        int isa, mode = (int)(s % 3), specials = s % 5 == 4 ? 0 : s % 5 == 3 ? 2 : 1;
        tu_rng r;
        if (s < 343) { O = TF(dims)[s / 49]; C = TF(dims)[(s / 7) % 7]; I = TF(dims)[s % 7]; }
        else if (s < nbig) { O = TF(big_shapes)[s - 343].o; C = TF(big_shapes)[s - 343].c; I = TF(big_shapes)[s - 343].i; }
        else { O = s - nbig < 72 ? 1 : 3; C = 1 + (s - nbig) / 9 % 8; I = 1 + (s - nbig) % 9; specials = 2; }
        N = O * C * I;
        tu_rng_seed(&r, 4242 + s);
        TF(prelu_fill)(&r, x, dy, al, N, C, specials, s % 2 == 1);
        for (isa = TU_ISA_FIRST; isa <= TU_ISA_LAST; isa++) {
            int e = tu_isa_enter(isa);
            size_t k;
            if (e == 0) continue;
            assert_int_equal(e, 1);
            fails += TF(prelu_run)(O, C, I, x, dy, al, s % 4, mode, 1, isa == RELU_ISA_SCALAR ? &ref : &got);
            if (isa == RELU_ISA_SCALAR) continue;
            for (k = 0; k < N; k++) {
                if (T_BITS(got.y[k]) != T_BITS(ref.y[k]) || T_BITS(got.dx[k]) != T_BITS(ref.dx[k])) {
                    report("prelu_%s (%zu,%zu,%zu) k=%zu: %s y/dx " T_HEX "/" T_HEX ", scalar " T_HEX "/" T_HEX "\n",
                           T_IS64 ? "f64" : "f32", O, C, I, k, relu_isa_name((relu_isa)isa),
                           T_BITS(got.y[k]), T_BITS(got.dx[k]), T_BITS(ref.y[k]), T_BITS(ref.dx[k]));
                    fails++;
                }
            }
            for (k = 0; k < C; k++) {
                if (T_BITS(got.da[k]) != T_BITS(ref.da[k])) {
                    report("prelu_%s (%zu,%zu,%zu): %s dalpha[%zu] " T_HEX ", scalar " T_HEX "\n",
                           T_IS64 ? "f64" : "f32", O, C, I, relu_isa_name((relu_isa)isa), k,
                           T_BITS(got.da[k]), T_BITS(ref.da[k]));
                    fails++;
                }
            }
        }
    }
    free(x); free(dy); free(al);
    free(ref.y); free(ref.dx); free(ref.da); free(got.y); free(got.dx); free(got.da);
    print_summary();
    assert_int_equal(fails, 0);
}
#undef TF_ORDER_SHAPES

/* Hand-made channels: NaN x, NaN dy where x <= 0 (and where x > 0, which
 * must not poison dalpha), infinities, outer*inner == 0 writing zeros,
 * cancellation. */
static void TF(test_prelu_special_cases)(void **state)
{
    long fails = 0;
    int isa;
    T nan_x = T_FROM(T_SPECIAL_BITS[6]), snan = T_FROM(T_SPECIAL_BITS[9]), inf = (T)INFINITY;
    /* (outer=1, channels=6, inner=4) */
    T x[24] = {
        -1, 2, nan_x, -3,          /* c0: NaN x -> NaN                            */
        -1, 2, -2, 5,              /* c1: NaN dy at x > 0 only -> finite          */
        -1, -2, 0, -4,             /* c2: NaN dy at x == 0 -> NaN                 */
        -inf, 1, -1, 3,            /* c3: -inf x with dy 1 -> -inf (or NaN)       */
        -1e-3f, 3, -2, snan,       /* c4: signalling NaN x -> NaN                 */
        (T)-1e30, (T)1e30, (T)-1e30, (T)-1, /* c5: cancellation */
    };
    T dy[24] = {
        1, 1, 1, 1,
        1, nan_x, 1, snan,
        1, 1, nan_x, 1,
        1, 1, 1, 1,
        2, 2, 2, 2,
        (T)1e-20, 1, (T)-1e-20, (T)0.5,
    };
    T al[6] = {0.25, -0.5, 0, 1, (T)T_FROM(T_SPECIAL_BITS[7]), 2};
    (void)state;
    for (isa = TU_ISA_FIRST; isa <= TU_ISA_LAST; isa++) {
        int e = tu_isa_enter(isa), mode;
        if (e == 0) continue;
        assert_int_equal(e, 1);
        for (mode = 0; mode < 3; mode++) {
            fails += TF(prelu_run)(1, 6, 4, x, dy, al, (size_t)mode, mode, 1, NULL);
            /* same data, NHWC view: (4, 6, 1) sees different channels */
            fails += TF(prelu_run)(4, 6, 1, x, dy, al, (size_t)mode + 1, mode, 1, NULL);
            /* rows of one vector or less (the small-box kernels) */
            fails += TF(prelu_run)(3, 2, 4, x, dy, al, (size_t)mode, mode, 1, NULL);
            fails += TF(prelu_run)(2, 6, 2, x, dy, al, (size_t)mode + 1, mode, 1, NULL);
            /* outer*inner == 0: dalpha written with zeros */
            fails += TF(prelu_run)(0, 6, 4, x, dy, al, 1, mode, 1, NULL);
            fails += TF(prelu_run)(3, 5, 0, x, dy, al, 2, mode, 1, NULL);
        }
        {
            /* explicit: dalpha of channel 1 is finite, channels 0, 2, 4 NaN */
            T da[6], dx[24];
            assert_int_equal(API(relu_prelu_backward)(x, dy, al, dx, da, 1, 6, 4), RELU_OK);
            if (!isnan(da[0]) || isnan(da[1]) || !isnan(da[2]) || isfinite(da[3]) || !isnan(da[4])) {
                report("prelu_backward_%s [%s]: dalpha NaN/inf pattern wrong: " T_FMT " " T_FMT " " T_FMT
                       " " T_FMT " " T_FMT "\n", T_IS64 ? "f64" : "f32", relu_isa_name(relu_active_isa()),
                       (double)da[0], (double)da[1], (double)da[2], (double)da[3], (double)da[4]);
                fails++;
            }
            if (da[1] != -3) {
                report("prelu_backward_%s [%s]: dalpha[1] = " T_FMT ", expected -3\n",
                       T_IS64 ? "f64" : "f32", relu_isa_name(relu_active_isa()), (double)da[1]);
                fails++;
            }
        }
    }
    print_summary();
    assert_int_equal(fails, 0);
}

/* ---------------------------------------------------------------- threads */

static void TF(test_threads)(void **state)
{
    const size_t n = (size_t)4 << 20;
    long fails = 0;
    int op, kind, t;
    static const int threads[] = {2, 4};
    T sp[TF_MAX_SPECIALS];
    T *a = tu_xmalloc((n + 1) * sizeof(T)), *b = tu_xmalloc((n + 3) * sizeof(T));
    T *o1 = tu_xmalloc((n + 2) * sizeof(T)), *o2 = tu_xmalloc((n + 2) * sizeof(T));
    tu_rng r;
    (void)state;
    relu_use_isa(tu_best_isa());
    tu_rng_seed(&r, 31337);
    TF(fill)(&r, a + 1, b + 3, n, sp, TF(specials)(OP_ELU, K_BWD, 1, sp));
    for (op = 0; op < OP_COUNT; op++)
        for (kind = 0; kind < K_COUNT; kind++) {
            T p = (T)thread_param(op);
            char fn[64];
            assert_int_equal(relu_set_num_threads(1), RELU_OK);
            assert_int_equal(TF(call)(op, kind, a + 1, b + 3, o1 + 2, n, p), RELU_OK);
            for (t = 0; t < 2; t++) {
                assert_int_equal(relu_set_num_threads(threads[t]), RELU_OK);
                assert_int_equal(relu_get_num_threads(), threads[t]);
                memset(o2, 0xCD, (n + 2) * sizeof(T));
                assert_int_equal(TF(call)(op, kind, a + 1, b + 3, o2 + 2, n, p), RELU_OK);
                if (memcmp(o1 + 2, o2 + 2, n * sizeof(T)) != 0) {
                    size_t i = 0;
                    while (T_BITS(o1[2 + i]) == T_BITS(o2[2 + i])) i++;
                    report("%s: %d threads differ from 1 thread at i=%zu: " T_HEX " vs " T_HEX "\n",
                           TF(fname)(op, kind, fn, sizeof fn), threads[t], i, T_BITS(o2[2 + i]), T_BITS(o1[2 + i]));
                    fails++;
                }
            }
            /* in place with 4 threads: dx == dy */
            if (kind != K_FWD) {
                memcpy(o2 + 2, b + 3, n * sizeof(T));
                assert_int_equal(TF(call)(op, kind, a + 1, o2 + 2, o2 + 2, n, p), RELU_OK);
                if (memcmp(o1 + 2, o2 + 2, n * sizeof(T)) != 0) {
                    report("%s: in place (dx == dy) with 4 threads differs from 1 thread\n",
                           TF(fname)(op, kind, fn, sizeof fn));
                    fails++;
                }
            }
        }
    relu_set_num_threads(1);
    free(a); free(b); free(o1); free(o2);
    print_summary();
    assert_int_equal(fails, 0);
}

static void TF(test_prelu_threads)(void **state)
{
    /* Shapes 4-7 hold one dalpha block per channel: a split cuts the
     * channels into groups instead where rows are long (the NCHW ones;
     * prelu_float.inc), and runs the channels-last ones on one thread. The
     * first and the last are large enough (from 20 MiB a thread) for the
     * AVX-512 backward's streaming stores on one thread, NCHW and
     * channels-last, and the last not on four (f32: nor on two). */
    static const TF(shape) shapes[] = {{8, 16, 65536}, {(size_t)1 << 20, 4, 1}, {1, 3, (size_t)5 << 19}, {512, 1000, 7},
                                       {1, 64, 1024}, {1024, 64, 1}, {1, 37, 2000}, {300, 100, 1},
                                       {(size_t)1 << 15, 64, 1}};
    long fails = 0;
    size_t s, maxN = (size_t)8 << 20;
    T *x = tu_xmalloc(maxN * sizeof(T)), *dy = tu_xmalloc(maxN * sizeof(T)), *al = tu_xmalloc(1024 * sizeof(T));
    T *y1 = tu_xmalloc(maxN * sizeof(T)), *dx1 = tu_xmalloc(maxN * sizeof(T)), *da1 = tu_xmalloc(1024 * sizeof(T));
    T *y2 = tu_xmalloc(maxN * sizeof(T)), *dx2 = tu_xmalloc(maxN * sizeof(T)), *da2 = tu_xmalloc(1024 * sizeof(T));
    (void)state;
    relu_use_isa(tu_best_isa());
    for (s = 0; s < TU_ARRAY_LEN(shapes); s++) {
        size_t O = shapes[s].o, C = shapes[s].c, I = shapes[s].i, N = O * C * I;
        static const int threads[] = {2, 4};
        int t;
        tu_rng r;
        tu_rng_seed(&r, 555 + s);
        TF(prelu_fill)(&r, x, dy, al, N, C, s == 3, 0);
        assert_int_equal(relu_set_num_threads(1), RELU_OK);
        assert_int_equal(API(relu_prelu_forward)(x, y1, al, O, C, I), RELU_OK);
        assert_int_equal(API(relu_prelu_backward)(x, dy, al, dx1, da1, O, C, I), RELU_OK);
        {
            /* y and dx against one rounded product each, so that a path every
             * thread count takes alike (streaming stores from 2.5 MiB on an
             * Intel CPU, src/dispatch.c) is still checked. NaNs are
             * test_prelu's business. */
            size_t k, bad = 0;
            for (k = 0; k < N && bad < 3; k++) {
                const T a = al[k / I % C], yr = x[k] > 0 ? x[k] : a * x[k], dr = x[k] > 0 ? dy[k] : a * dy[k];
                if (!isnan(yr) && T_BITS(y1[k]) != T_BITS(yr)) {
                    report("prelu_%s (%zu,%zu,%zu): y[%zu] = " T_HEX ", expected " T_HEX "\n",
                           T_IS64 ? "f64" : "f32", O, C, I, k, T_BITS(y1[k]), T_BITS(yr));
                    bad++;
                }
                if (!isnan(dr) && !isnan(x[k]) && T_BITS(dx1[k]) != T_BITS(dr)) {
                    report("prelu_%s (%zu,%zu,%zu): dx[%zu] = " T_HEX ", expected " T_HEX "\n",
                           T_IS64 ? "f64" : "f32", O, C, I, k, T_BITS(dx1[k]), T_BITS(dr));
                    bad++;
                }
            }
            fails += (long)bad;
        }
        for (t = 0; t < 2; t++) {
            assert_int_equal(relu_set_num_threads(threads[t]), RELU_OK);
            memset(y2, 0xAB, N * sizeof(T));
            memset(dx2, 0xAB, N * sizeof(T));
            memset(da2, 0xAB, C * sizeof(T));
            assert_int_equal(API(relu_prelu_forward)(x, y2, al, O, C, I), RELU_OK);
            assert_int_equal(API(relu_prelu_backward)(x, dy, al, dx2, da2, O, C, I), RELU_OK);
            if (memcmp(y1, y2, N * sizeof(T)) || memcmp(dx1, dx2, N * sizeof(T))) {
                report("prelu_%s (%zu,%zu,%zu): y/dx with %d threads differ from 1 thread\n",
                       T_IS64 ? "f64" : "f32", O, C, I, threads[t]);
                fails++;
            }
            if (memcmp(da1, da2, C * sizeof(T))) {
                size_t c = 0;
                while (T_BITS(da1[c]) == T_BITS(da2[c])) c++;
                report("prelu_%s (%zu,%zu,%zu): dalpha[%zu] with %d threads " T_HEX ", 1 thread " T_HEX "\n",
                       T_IS64 ? "f64" : "f32", O, C, I, c, threads[t], T_BITS(da2[c]), T_BITS(da1[c]));
                fails++;
            }
        }
        if (s == 0) { /* dalpha against the reference on the big NCHW case */
            size_t c, o, i;
            for (c = 0; c < C; c++) {
                long double sum = 0, comp = 0, S = 0, err;
                for (o = 0; o < O; o++)
                    for (i = 0; i < I; i++) {
                        size_t k = (o * C + c) * I + i;
                        if (!(x[k] > 0)) {
                            long double pr = (long double)x[k] * dy[k], t2 = sum + pr;
                            if (fabsl(sum) >= fabsl(pr)) comp += (sum - t2) + pr;
                            else comp += (pr - t2) + sum;
                            sum = t2;
                            S += fabsl(pr);
                        }
                    }
                sum += comp;
                err = fabsl((long double)da1[c] - sum);
                if (!(err <= T_DALPHA_TOL * S + T_HALF_ULP_MIN)) {
                    report("prelu_%s (%zu,%zu,%zu): dalpha[%zu] = " T_FMT ", reference %.21Lg (S %.6Lg)\n",
                           T_IS64 ? "f64" : "f32", O, C, I, c, (double)da1[c], sum, S);
                    fails++;
                }
            }
        }
    }
    relu_set_num_threads(1);
    free(x); free(dy); free(al); free(y1); free(dx1); free(da1); free(y2); free(dx2); free(da2);
    print_summary();
    assert_int_equal(fails, 0);
}

#if !T_IS64
/* The fixed constants of the contract, checked once. */
static void test_params_sane(void **state)
{
    (void)state;
    assert_true(0x1.0cfabep+0f == (float)0x1.0cfabd6a91132p+0);
    assert_true((float)TU_SELU_LA == 0x1.c212ccp+0f);
    assert_true((double)TU_SELU_LA == 0x1.c212cc640f031p+0);
    assert_true((double)TU_SELU_L == 0x1.0cfabd6a91132p+0);
    assert_true((double)TU_SELU_A == 0x1.ac5afad782cf1p+0);
    assert_int_equal(tu_f32_ulpdist(0.0f, -0.0f), 0);
    assert_int_equal(tu_f32_ulpdist(0x1p-149f, -0x1p-149f), 2);
    assert_int_equal(tu_f64_ulpdist(1.0, nextafter(1.0, 2.0)), 1);
}
#endif

#undef TF
#undef API
#endif /* TF_TEMPLATE */
