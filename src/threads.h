/*
 * The persistent worker pool and the one way work is split. A call covers
 * [0, count) items; relu__parallel_for cuts it into contiguous chunks (never
 * smaller than min_chunk items) over the configured thread count, or runs it
 * directly on the caller when it is small, when one thread is set, or when
 * the pool cannot start. Every chunk runs in the library's floating-point
 * environment (src/fpenv.h); the caller's is restored afterwards.
 */
#ifndef RELU_THREADS_H
#define RELU_THREADS_H

#include <stddef.h>

typedef void relu__range_fn(void *ctx, size_t begin, size_t end);

void relu__parallel_for(size_t count, size_t min_chunk, relu__range_fn *fn, void *ctx);

/* The same for work that does no floating point at all (int8 lookups and
 * clamps): it skips the control-register reads, half the cost of a small
 * call. */
void relu__parallel_for_integer(size_t count, size_t min_chunk, relu__range_fn *fn, void *ctx);

/*
 * Every chunk of a split call touches at least this many bytes (read +
 * written), so a call uses the pool only from twice this: 4 MiB touched
 * (f32 forward: 512 Ki elements; f32 backward: 341 Ki; int8 forward: 2 Mi).
 *
 * Measured, not reasoned (issue 7; was 1 MiB, i.e. splitting from 2 MiB):
 * a build that splits everything, then 1 vs 2 threads per size,
 *   cmake -S . -B /tmp/b-thr -DCMAKE_BUILD_TYPE=Release \
 *         -DCMAKE_C_FLAGS=-DRELU_PARALLEL_MIN_BYTES=4096 && cmake --build /tmp/b-thr
 *   /tmp/b-thr/bench/relu-bench --relu_mt_sweep --benchmark_filter='^mt/' \
 *         --benchmark_repetitions=9 --benchmark_enable_random_interleaving=true
 * On the 2-core AVX-512 EPYC (shared, load average ~8), t1/t2 speed-up,
 * median of 9 (of 5 in a second run), by bytes touched:
 *                    2 MiB        4 MiB        8 MiB        16 MiB
 *   f32 relu fwd  0.77 (0.58)  0.80 (0.89)  1.09 (0.95)  1.15 (0.88)
 *   f32 elu fwd   0.94 (0.92)  0.90 (1.01)  1.15 (1.04)  1.00 (0.90)
 *   s8 relu fwd   0.67 (0.82)  1.08 (0.88)  1.15 (1.00)  1.14 (0.90)
 *   memcpy        1.15 (0.93)  0.88 (0.86)  0.81 (1.03)  0.99 (0.71)
 * At 2 MiB splitting lost in both runs (down to 0.58x); at 4 MiB it still
 * lost up to 20%; from 8 MiB it is about even (0.88..1.15) on this machine,
 * where not even memcpy scales reliably. The measurement points at 4 MiB here
 * (splitting from 8 MiB); 2 MiB is the largest value that keeps every test
 * that is sized to run on the pool (test_api FPE_BIG = 2^19 f32, test_s8's
 * 3 Mi int8 threads test, test_stress's ~600000-element f32 cases) running on
 * it. Raise it to 4 MiB once those tests are sized for it.
 * A measurement build may override the value (-DRELU_PARALLEL_MIN_BYTES=...).
 */
#ifndef RELU_PARALLEL_MIN_BYTES
#define RELU_PARALLEL_MIN_BYTES ((size_t)2 << 20)
#endif

/* Whether relu__parallel_for could split `count` items of at least
 * `min_chunk` (two chunks at least). With a constant min_chunk this is one
 * compare: entry points test it first and run a call that cannot split
 * directly, in the library's environment, without touching the pool or any
 * atomic. */
static inline int relu__may_split(size_t count, size_t min_chunk)
{
    return count / (min_chunk ? min_chunk : 1) >= 2;
}

void relu__threads_init_from_env(void);

#endif /* RELU_THREADS_H */
