#include "threads.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fpenv.h"
#include "relu.h"

#if defined(_WIN32)
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#endif

#define RELU_MAX_THREADS 1024

/*
 * One job at a time. A caller that finds the pool busy (another thread's
 * call is using it) runs its work on its own thread: the result is the same
 * and nobody waits behind somebody else's large call.
 *
 * Everything a worker reads about a job is guarded by `mutex`; a chunk takes
 * one thread several microseconds at least (threads.h), so taking a lock per
 * chunk is noise.
 */
static struct {
    pthread_mutex_t busy;  /* held by the caller that owns the current job */
    pthread_mutex_t mutex; /* guards every field below                     */
    pthread_cond_t wake, done;
    unsigned long generation;
    relu__range_fn *fn;
    void *ctx;
    size_t count, nchunks, align;
    size_t next; /* no chunk below it is unclaimed */
    unsigned long pending; /* chunks not finished; spun on (an unsigned long) */
    int nworkers, stopping;
    unsigned char claimed[RELU_MAX_THREADS];
    pthread_t workers[RELU_MAX_THREADS - 1];
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
          PTHREAD_COND_INITIALIZER, 0, NULL, NULL, 0, 0, 1, 0, 0, 0, 0, {0}, {0}};

static int num_threads = 1;

/*
 * Before sleeping on a condition variable, a worker waiting for the next job
 * and a caller waiting for the last chunk spin for a while on the value they
 * wait for. Sleeping and being woken costs tens of microseconds here (futex
 * wake-up on a 2-vCPU VM), as long as a whole chunk of a 1 Mi-element call:
 * without the spin the caller mostly finished its chunk, found the worker
 * not yet awake and ran the other chunk itself, and a split 1 Mi f32 relu ran
 * at 0.83x one thread (relu-bench-peers, quiet machine), where oneDNN's
 * spinning OpenMP threads reached 1.9x. RELU_SPIN_ROUNDS pause instructions
 * last roughly 50-100 us; a job arriving within that time starts at once.
 */
#define RELU_SPIN_ROUNDS 20000

static inline void relu__cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__) || defined(_M_X64)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

/* Spins while (*word == value) == equal, at most RELU_SPIN_ROUNDS rounds. */
static void spin_while(const unsigned long *word, unsigned long value, int equal)
{
    int i;
    for (i = 0; i < RELU_SPIN_ROUNDS; i++) {
        if ((__atomic_load_n(word, __ATOMIC_ACQUIRE) == value) != equal)
            return;
        relu__cpu_relax();
    }
}

static size_t chunk_edge(size_t count, size_t nchunks, size_t k, size_t align)
{
    /* Contiguous chunks; for element ranges (align 64) the inner edges fall
     * on multiples of 64 items, so SIMD kernels run whole vectors and no
     * cache line is shared by two threads' outputs. The split never changes
     * a result. Integer arithmetic only: no FP flags, exact for any count. */
    size_t edge;
    if (k >= nchunks)
        return count;
    edge = count / nchunks * k + count % nchunks * k / nchunks;
    return edge - edge % align;
}

/*
 * Runs chunks of the job of `generation` until none is left, starting with
 * chunk `self` (the caller is 0, worker i is i + 1) when nobody has taken
 * it, then any chunk left unclaimed. Why: a call repeated over the same
 * buffers then gives each thread the same range every time, so each core
 * finds its half of x and y in its own L2; with first-come chunks the halves
 * changed hands from call to call, and a split 64 Ki-element f32 relu ran at
 * 0.94x one thread (Xeon, 2 MiB L2 per core; relu-bench --relu_mt_sweep,
 * medians of 7). A thread that is late (asleep) still gets its chunk taken
 * by one that is done.
 */
static void run_chunks(unsigned long generation, size_t self)
{
    for (;;) {
        size_t k, begin, end;
        relu__range_fn *fn;
        void *ctx;
        pthread_mutex_lock(&pool.mutex);
        while (pool.next < pool.nchunks && pool.claimed[pool.next])
            pool.next++;
        if (pool.generation != generation || pool.next >= pool.nchunks) {
            pthread_mutex_unlock(&pool.mutex);
            return;
        }
        k = self < pool.nchunks && !pool.claimed[self] ? self : pool.next;
        pool.claimed[k] = 1;
        fn = pool.fn;
        ctx = pool.ctx;
        begin = chunk_edge(pool.count, pool.nchunks, k, pool.align);
        end = chunk_edge(pool.count, pool.nchunks, k + 1, pool.align);
        pthread_mutex_unlock(&pool.mutex);

        if (begin < end)
            fn(ctx, begin, end);

        pthread_mutex_lock(&pool.mutex);
        if (__atomic_sub_fetch(&pool.pending, 1, __ATOMIC_RELEASE) == 0)
            pthread_cond_signal(&pool.done);
        pthread_mutex_unlock(&pool.mutex);
    }
}

static void *worker_main(void *arg)
{
    unsigned long seen = 0;
    const size_t self = (size_t)(uintptr_t)arg;
    /* Workers are ours: they always run in the library's environment. */
    (void)relu__fpenv_enter();
    pthread_mutex_lock(&pool.mutex);
    for (;;) {
        if (pool.generation == seen && !pool.stopping) {
            /* The stop path bumps the generation too, so one word to watch. */
            pthread_mutex_unlock(&pool.mutex);
            spin_while(&pool.generation, seen, 1);
            pthread_mutex_lock(&pool.mutex);
        }
        while (pool.generation == seen && !pool.stopping)
            pthread_cond_wait(&pool.wake, &pool.mutex);
        if (pool.stopping)
            break;
        seen = pool.generation;
        pthread_mutex_unlock(&pool.mutex);
        run_chunks(seen, self);
        pthread_mutex_lock(&pool.mutex);
    }
    pthread_mutex_unlock(&pool.mutex);
    return NULL;
}

/* Grows the pool towards `wanted` workers; a failure just leaves fewer. */
static void ensure_workers(int wanted)
{
#if defined(_WIN32)
    /* Windows: once workers run the DLL's code, the DLL stays loaded until the
     * process exits. Joining them on FreeLibrary would happen inside DllMain,
     * under the loader lock that exiting threads need: a deadlock. At process
     * exit the workers are already gone, so nothing needs stopping. */
    if (pool.nworkers == 0 && wanted > 0) {
        HMODULE self;
        (void)GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_PIN,
                                 (LPCSTR)(const void *)&pool, &self);
    }
#endif
    while (pool.nworkers < wanted) {
        if (pthread_create(&pool.workers[pool.nworkers], NULL, worker_main,
                           (void *)(uintptr_t)(pool.nworkers + 1)) != 0)
            break;
        pool.nworkers++;
    }
}

static void run_parallel(size_t count, size_t min_chunk, relu__range_fn *fn, void *ctx)
{
    int threads = __atomic_load_n(&num_threads, __ATOMIC_RELAXED);
    size_t nchunks = 1;

    if (min_chunk == 0)
        min_chunk = 1;
    if (threads > 1 && count / min_chunk >= 2) {
        nchunks = count / min_chunk;
        if (nchunks > (size_t)threads)
            nchunks = (size_t)threads;
    }
    if (nchunks < 2 || pthread_mutex_trylock(&pool.busy) != 0) {
        if (count > 0)
            fn(ctx, 0, count);
        return;
    }

    pthread_mutex_lock(&pool.mutex);
    ensure_workers((int)nchunks - 1);
    pool.fn = fn;
    pool.ctx = ctx;
    pool.count = count;
    pool.nchunks = nchunks;
    pool.align = min_chunk >= 64 ? 64 : 1;
    pool.next = 0;
    memset(pool.claimed, 0, nchunks);
    __atomic_store_n(&pool.pending, nchunks, __ATOMIC_RELAXED);
    __atomic_store_n(&pool.generation, pool.generation + 1, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.mutex);

    run_chunks(pool.generation, 0);

    spin_while(&pool.pending, 0, 0);
    pthread_mutex_lock(&pool.mutex);
    while (pool.pending != 0)
        pthread_cond_wait(&pool.done, &pool.mutex);
    pthread_mutex_unlock(&pool.mutex);
    pthread_mutex_unlock(&pool.busy);
}

void relu__parallel_for(size_t count, size_t min_chunk, relu__range_fn *fn, void *ctx)
{
    relu__fpenv env = relu__fpenv_enter();
    run_parallel(count, min_chunk, fn, ctx);
    relu__fpenv_leave(env);
}

void relu__parallel_for_integer(size_t count, size_t min_chunk, relu__range_fn *fn, void *ctx)
{
    run_parallel(count, min_chunk, fn, ctx);
}

#if defined(__GNUC__) && !defined(_WIN32) /* Windows: see ensure_workers */
/* Workers must be gone before the library's code is unmapped (dlclose). */
__attribute__((destructor)) static void relu__threads_stop(void)
{
    int i, n;
    pthread_mutex_lock(&pool.mutex);
    pool.stopping = 1;
    __atomic_store_n(&pool.generation, pool.generation + 1, __ATOMIC_RELEASE);
    n = pool.nworkers;
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.mutex);
    for (i = 0; i < n; i++)
        pthread_join(pool.workers[i], NULL);
    pool.nworkers = 0;
}
#endif

#if !defined(_WIN32) /* no fork, and winpthreads has no pthread_atfork */
/* A forked child has no workers: start over with an empty pool. */
static void after_fork_child(void)
{
    pthread_mutex_init(&pool.busy, NULL);
    pthread_mutex_init(&pool.mutex, NULL);
    pthread_cond_init(&pool.wake, NULL);
    pthread_cond_init(&pool.done, NULL);
    pool.nworkers = 0;
    pool.pending = 0;
}
#endif

static int parse_threads(const char *s)
{
    long v = 0;
    if (s == NULL || *s == '\0')
        return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        v = v * 10 + (*s - '0');
        if (v > RELU_MAX_THREADS)
            return 0;
    }
    return v >= 1 ? (int)v : 0;
}

void relu__threads_init_from_env(void)
{
    int n = parse_threads(getenv("RELU_NUM_THREADS"));
    if (n > 0)
        __atomic_store_n(&num_threads, n, __ATOMIC_RELAXED);
#if !defined(_WIN32)
    pthread_atfork(NULL, NULL, after_fork_child);
#endif
}

RELU_API relu_status relu_set_num_threads(int n)
{
    if (n < 1 || n > RELU_MAX_THREADS)
        return RELU_ERR_PARAM;
    __atomic_store_n(&num_threads, n, __ATOMIC_RELAXED);
    return RELU_OK;
}

RELU_API int relu_get_num_threads(void)
{
    return __atomic_load_n(&num_threads, __ATOMIC_RELAXED);
}
