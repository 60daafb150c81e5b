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

/* Below this many bytes touched, a call never uses the pool (measured with
 * bench/: see README "Threads"). */
#define RELU_PARALLEL_MIN_BYTES ((size_t)1 << 20)

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
