/*
 * RELU_ISA and RELU_NUM_THREADS are read once, when the library is loaded.
 * The test re-executes itself (/proc/self/exe, fork + execve) with a
 * modified environment; the child compares relu_active_isa() and
 * relu_get_num_threads() with the expected values given on its command
 * line and reports through its exit code.
 *
 * Under a user-mode emulator (a cross build run through qemu-aarch64), the
 * host kernel cannot execute this program's own image unless binfmt_misc
 * knows it; the build then sets RELU_TEST_SELF_EMULATOR to the emulator's
 * host path, and the child is started as `emulator <this program> ...`. The
 * emulator reports the guest program's path for /proc/self/exe and executes
 * a host program directly; QEMU_LD_PREFIX / QEMU_CPU pass through the
 * environment, so the child runs on the same guest root and core.
 */
#define _GNU_SOURCE 1
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_util.h"

extern char **environ;

#define CHILD_FLAG "--relu-env-child"

/* exit codes of the child */
#define CHILD_OK 0
#define CHILD_BAD_ISA 3
#define CHILD_BAD_THREADS 4
#define CHILD_BAD_BOTH 5
#define CHILD_BAD_CALL 6

static int child_main(int argc, char **argv)
{
    int want_isa, want_threads, isa, threads, bad = 0;
    float x[3] = {-1.0f, 0.5f, 2.0f}, y[3];
    if (argc < 4) return 2;
    want_isa = atoi(argv[2]);
    want_threads = atoi(argv[3]);
    isa = (int)relu_active_isa();
    threads = relu_get_num_threads();
    if (isa != want_isa) bad |= 1;
    if (threads != want_threads) bad |= 2;
    fprintf(stderr, "  child RELU_ISA=%s RELU_NUM_THREADS=%s: active %s (want %s), threads %d (want %d)\n",
            getenv("RELU_ISA") ? getenv("RELU_ISA") : "<unset>",
            getenv("RELU_NUM_THREADS") ? getenv("RELU_NUM_THREADS") : "<unset>",
            relu_isa_name((relu_isa)isa), relu_isa_name((relu_isa)want_isa), threads, want_threads);
    if (relu_forward_f32(x, y, 3) != RELU_OK || y[0] != 0 || y[1] != 0.5f || y[2] != 2.0f) return CHILD_BAD_CALL;
    return bad == 3 ? CHILD_BAD_BOTH : bad == 2 ? CHILD_BAD_THREADS : bad == 1 ? CHILD_BAD_ISA : CHILD_OK;
}

/* Runs the child with RELU_ISA / RELU_NUM_THREADS set to the given values
 * (NULL: unset) and returns its exit code (or -1). */
static int run_child(const char *isa_val, const char *thr_val, int want_isa, int want_threads)
{
    size_t n = 0, k = 0, i;
    char **env, isa_buf[256], thr_buf[256], a2[16], a3[16];
    char *argv[6], self[4096];
    const char *emulator = getenv("RELU_TEST_SELF_EMULATOR");
    ssize_t self_len = -1;
    pid_t pid;
    int status;
    while (environ[n]) n++;
    env = calloc(n + 3, sizeof *env);
    assert_non_null(env);
    for (i = 0; i < n; i++) {
        if (strncmp(environ[i], "RELU_ISA=", 9) == 0 || strncmp(environ[i], "RELU_NUM_THREADS=", 17) == 0)
            continue;
        env[k++] = environ[i];
    }
    if (isa_val) {
        snprintf(isa_buf, sizeof isa_buf, "RELU_ISA=%s", isa_val);
        env[k++] = isa_buf;
    }
    if (thr_val) {
        snprintf(thr_buf, sizeof thr_buf, "RELU_NUM_THREADS=%s", thr_val);
        env[k++] = thr_buf;
    }
    env[k] = NULL;
    snprintf(a2, sizeof a2, "%d", want_isa);
    snprintf(a3, sizeof a3, "%d", want_threads);
    if (emulator && *emulator) {
        self_len = readlink("/proc/self/exe", self, sizeof self - 1);
        assert_true(self_len > 0);
        self[self_len] = '\0';
        argv[0] = (char *)emulator;
        argv[1] = self;
    } else {
        argv[0] = (char *)"test_env";
    }
    argv[self_len > 0 ? 2 : 1] = (char *)CHILD_FLAG;
    argv[self_len > 0 ? 3 : 2] = a2;
    argv[self_len > 0 ? 4 : 3] = a3;
    argv[self_len > 0 ? 5 : 4] = NULL;
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0) { free(env); return -1; }
    if (pid == 0) {
        execve(self_len > 0 ? emulator : "/proc/self/exe", argv, env);
        _exit(127);
    }
    free(env);
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    if (!WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
}

static int expected_isa(relu_isa want)
{
    return relu_isa_available(want) ? (int)want : (int)tu_best_isa();
}

static void test_isa_env(void **state)
{
    const struct { const char *val; int want; } cases[] = {
        {NULL, (int)tu_best_isa()},
        {"scalar", RELU_ISA_SCALAR},
        {"SCALAR", RELU_ISA_SCALAR},
        {"Scalar", RELU_ISA_SCALAR},
        {"avx2", expected_isa(RELU_ISA_AVX2)},
        {"AVX2", expected_isa(RELU_ISA_AVX2)},
        {"avx512", expected_isa(RELU_ISA_AVX512)},
        {"AvX512", expected_isa(RELU_ISA_AVX512)},
        {"neon", expected_isa(RELU_ISA_NEON)},
        {"bogus", (int)tu_best_isa()},
        {"", (int)tu_best_isa()},
        {"scalar2", (int)tu_best_isa()},
        {"avx", (int)tu_best_isa()},
    };
    size_t k;
    int fails = 0;
    (void)state;
    for (k = 0; k < TU_ARRAY_LEN(cases); k++) {
        int rc = run_child(cases[k].val, NULL, cases[k].want, 1);
        if (rc != CHILD_OK) {
            fprintf(stderr, "RELU_ISA=%s: child exit code %d (want isa %s)\n",
                    cases[k].val ? cases[k].val : "<unset>", rc, relu_isa_name((relu_isa)cases[k].want));
            fails++;
        }
    }
    assert_int_equal(fails, 0);
}

static void test_threads_env(void **state)
{
    const struct { const char *val; int want; } cases[] = {
        {NULL, 1}, {"3", 3}, {"1", 1}, {"1024", 1024}, {"0", 1}, {"abc", 1}, {"2000", 1},
        {"1025", 1}, {"-2", 1}, {"", 1}, {"4x", 1},
    };
    size_t k;
    int fails = 0;
    (void)state;
    for (k = 0; k < TU_ARRAY_LEN(cases); k++) {
        int rc = run_child(NULL, cases[k].val, (int)tu_best_isa(), cases[k].want);
        if (rc != CHILD_OK) {
            fprintf(stderr, "RELU_NUM_THREADS=%s: child exit code %d (want %d threads)\n",
                    cases[k].val ? cases[k].val : "<unset>", rc, cases[k].want);
            fails++;
        }
    }
    assert_int_equal(fails, 0);
}

static void test_both_env(void **state)
{
    (void)state;
    assert_int_equal(run_child("scalar", "3", RELU_ISA_SCALAR, 3), CHILD_OK);
    assert_int_equal(run_child("bogus", "abc", (int)tu_best_isa(), 1), CHILD_OK);
}

/* The environment is read at load only: changing it later has no effect. */
static void test_env_read_once(void **state)
{
    relu_isa before = relu_active_isa();
    int threads = relu_get_num_threads();
    (void)state;
    setenv("RELU_ISA", "scalar", 1);
    setenv("RELU_NUM_THREADS", "7", 1);
    assert_int_equal(relu_active_isa(), before);
    assert_int_equal(relu_get_num_threads(), threads);
    unsetenv("RELU_ISA");
    unsetenv("RELU_NUM_THREADS");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_isa_env),
        cmocka_unit_test(test_threads_env),
        cmocka_unit_test(test_both_env),
        cmocka_unit_test(test_env_read_once),
    };
    if (argc > 1 && strcmp(argv[1], CHILD_FLAG) == 0) return child_main(argc, argv);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
