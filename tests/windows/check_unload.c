/*
 * Loading and unloading librelu-1.dll at run time (LoadLibrary/FreeLibrary),
 * before and after its thread pool has started: FreeLibrary must return (a
 * pool joined from DllMain would deadlock on the loader lock), and calls made
 * through a fresh LoadLibrary must still work. Run by scripts/test-windows.sh
 * under a timeout. Prints "check_unload: N passed, M failed".
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>

typedef int (*set_threads_fn)(int);
typedef int (*forward_fn)(const float *, float *, size_t);

static int passed, failed;

static void check(int ok, const char *what)
{
    if (ok) {
        passed++;
    } else {
        failed++;
        printf("FAIL: %s\n", what);
    }
    fflush(stdout);
}

/* One load / call / unload cycle; threads > 1 starts the pool. */
static void cycle(int threads)
{
    const size_t n = (size_t)1 << 20; /* 4 MiB: split over the pool */
    float *x = (float *)malloc(n * sizeof *x), *y = (float *)malloc(n * sizeof *y);
    HMODULE h = LoadLibraryA("librelu-1.dll");
    size_t i, bad = 0;
    check(h != NULL && x != NULL && y != NULL, "LoadLibrary(librelu-1.dll)");
    if (h != NULL && x != NULL && y != NULL) {
        set_threads_fn set = (set_threads_fn)(void (*)(void))GetProcAddress(h, "relu_set_num_threads");
        forward_fn fwd = (forward_fn)(void (*)(void))GetProcAddress(h, "relu_forward_f32");
        check(set != NULL && fwd != NULL, "GetProcAddress");
        if (set != NULL && fwd != NULL) {
            for (i = 0; i < n; i++)
                x[i] = (float)i - (float)(n / 2);
            check(set(threads) == 0 && fwd(x, y, n) == 0, "relu_forward_f32 through the loaded DLL");
            for (i = 0; i < n; i++)
                bad += y[i] != (x[i] > 0 ? x[i] : 0.0f);
            check(bad == 0, "relu_forward_f32 results");
        }
        check(FreeLibrary(h) != 0, "FreeLibrary");
    }
    free(x);
    free(y);
}

int main(void)
{
    cycle(1); /* no pool: the DLL really unloads */
    cycle(1);
    cycle(3); /* pool started: FreeLibrary returns, the DLL stays pinned */
    cycle(2);
    printf("check_unload: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
