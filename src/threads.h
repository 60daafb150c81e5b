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
 * When a call is worth splitting depends on how long one thread would take,
 * not on its bytes alone: handing a chunk to a worker costs about 1 us here
 * (t2 ~= t1/2 + 0.8 us in every row below), so a split pays once one thread
 * needs ~3 us. Two classes of kernel, two sizes:
 *
 *  - memory-bound (the select ops, the from-output backwards, PReLU forward,
 *    every int8 forward): every chunk touches at least RELU_PARALLEL_MIN_BYTES
 *    (read + written), so a call splits from twice that, 512 KiB touched
 *    (f32 forward: 64 Ki elements; int8 forward: 256 Ki);
 *  - compute-bound (elu/selu/tanh forward and backward from x, PReLU backward
 *    with its dalpha, every int8 backward): every chunk holds at least
 *    RELU_PARALLEL_MATH_MIN_BYTES of x, so a call splits from 128 KiB of x
 *    (f32: 32 Ki elements, f64: 16 Ki, int8 backward: 128 Ki).
 *
 * Measured, not reasoned (issue 7): a build that splits everything, then 1
 * vs 2 threads per size,
 *   cmake -S . -B /tmp/b-thr -DCMAKE_BUILD_TYPE=Release -DRELU_BUILD_BENCH=ON \
 *         -DCMAKE_C_FLAGS=-DRELU_PARALLEL_MIN_BYTES=4096 && cmake --build /tmp/b-thr
 *   /tmp/b-thr/bench/relu-bench --relu_mt_sweep --benchmark_filter='^mt/' \
 *         --benchmark_repetitions=7 --benchmark_enable_random_interleaving=true
 * On the 2-vCPU Xeon (2 MiB L2 per core), with each thread given the same
 * range on every call (threads.c, run_chunks), t1/t2 speed-up, median of 7
 * (the split size override also reaches the compute class: both are
 * derived below from one knob in that build):
 *   elements:         8 Ki   16 Ki  32 Ki  64 Ki  128 Ki 256 Ki 512 Ki 1 Mi
 *   f32 elu fwd       0.66   0.86   1.04   1.11   1.23   1.45   1.72   1.59
 *   f32 tanh fwd      0.75   0.91   1.11   1.37   1.26   1.82   1.97   1.63
 *   f32 elu bwd       0.72   1.06   1.16   1.18   1.46   2.61   1.67   1.85
 *   f32 prelu bwd     0.53   0.73   0.99   1.24   1.50   2.73   1.88   1.79
 *   f64 elu fwd       0.90   1.51   1.64   1.21   2.14   2.44   1.53   1.42
 *   s8 elu bwd               0.78   1.03   1.27   1.43   1.52   1.55   1.78
 *   f32 relu fwd      0.35   0.56   0.85   1.16   1.38   2.47   2.91   1.78
 *   f32 relu bwd      0.39   0.63   0.91   1.15   1.75   4.40   1.91   2.04
 *   s8 relu fwd                     0.27   0.51   0.92   1.09   1.35   2.57
 *   s8 elu fwd                      0.34   0.52   0.82   1.12   1.29   2.44
 * The memory-bound rows win from 512 KiB touched; the compute-bound ones
 * from 32 Ki f32 / 16 Ki f64 / 32-64 Ki int8 elements. A handoff costs
 * about 2.5 us on this VM (t2 = t1/2 + 2.5 us at 64 Ki relu). On a 2-vCPU
 * AMD EPYC (Zen 5), before the fixed ranges, the compute-bound rows already
 * won from 16 Ki f32 / 8 Ki f64 elements (handoffs of about 1 us), the
 * memory-bound ones from 1 MiB touched.
 * Under heavy load (load average ~8) splits lost below 8 MiB touched: on a
 * machine whose other core is busy, a second thread cannot help, and
 * relu_set_num_threads(1) is the way to say so.
 * A measurement build may override either value (-DRELU_PARALLEL_MIN_BYTES=...).
 */
#ifndef RELU_PARALLEL_MIN_BYTES
#define RELU_PARALLEL_MIN_BYTES ((size_t)256 << 10)
#endif
#ifndef RELU_PARALLEL_MATH_MIN_BYTES
#define RELU_PARALLEL_MATH_MIN_BYTES (RELU_PARALLEL_MIN_BYTES < ((size_t)64 << 10) \
                                          ? RELU_PARALLEL_MIN_BYTES : ((size_t)64 << 10))
#endif

/* Whether relu__parallel_for could split `count` items of at least
 * `min_chunk` (two chunks at least). With a constant min_chunk this is one
 * compare: entry points test it first and run a call that cannot split
 * directly, in the library's environment, without touching the pool or any
 * atomic. */
static inline int relu__may_split(size_t count, size_t min_chunk)
{
    /* No division: min_chunk may be a run-time choice between two sizes. */
    return count >= 2 * (min_chunk ? min_chunk : 1);
}

void relu__threads_init_from_env(void);

#endif /* RELU_THREADS_H */
