/*
 * One block of the staged forward (act_<dt>.inc's elu/selu/tanh in stages),
 * shared by the AVX2 and AVX-512 kernels. Each vector's evaluation is one
 * dependency chain of 25-35 operations, and out-of-order execution runs out
 * of room for waiting operations long before the FMA pipes are busy
 * (unrolling 1, 2, 4 or 8 vectors deep measured the same). So each stage
 * runs over a block of vectors before the next one, handing its state over
 * in an L1 buffer (a store and a reload of a float are exact): the chains
 * in flight are one stage long, and many more vectors overlap.
 *
 * RELU__STAGED_BLOCK(XB, YB, NG, ...) handles NG (<= RELU__STAGE_VECS / 4)
 * groups of four vectors at XB / YB. It first takes the fast path (CHEAP)
 * for each group whose lanes all satisfy PRED (ALL4(PRED, a0..a3) says so,
 * the tier's way), storing y at once, and calls PREFETCH(xg, yg) per group;
 * the stages S1, S2, [S3 when NS3], FIN then run over the other groups, S1
 * and FIN reloading x, so y == x works (a group's y is written only after
 * all its x is read). The fast pass is separate from S1: together their
 * constants did not fit in AVX2's 16 registers and spilled the compare masks
 * (all-subnormal input 20% slower).
 *
 * The including kernel file supplies T, V, W, LD, ST and STG(name) (the
 * stage functions and state type of act_<dt>.inc).
 */
#ifndef RELU_X86_STAGED_BLOCK_H
#define RELU_X86_STAGED_BLOCK_H

/* Vectors per block. A standalone copy of the AVX2 loops (16 Ki elements of
 * relu-bench's data, best of 15, Zen 5) ran 16 and 32 alike, 64 and 128
 * 1-6% slower, and 8 10-13% slower (elu 26 vs 30 GB/s, tanh 18 vs 20.5):
 * too few vectors per stage to overlap. AVX-512 measured 16 and 32 alike.
 * 16 keeps the state (up to 192 bytes a vector) small in L1 next to x and
 * y. */
#define RELU__STAGE_VECS 16

#define RELU__STAGED_BLOCK(XB, YB, NG, ALL4, PRED, PREFETCH, CHEAP, S1, S2, NS3, S3, FIN) \
    do {                                                                       \
        const T *const xb_ = (XB);                                             \
        T *const yb_ = (YB);                                                   \
        STG(stage) st_[RELU__STAGE_VECS];                                      \
        unsigned full_ = 0;                                                    \
        size_t g_, j_;                                                         \
        for (g_ = 0; g_ < (NG); g_++) {                                        \
            const T *const xg_ = xb_ + g_ * 4 * W;                             \
            T *const yg_ = yb_ + g_ * 4 * W;                                   \
            const V a0_ = LD(xg_), a1_ = LD(xg_ + W);                          \
            const V a2_ = LD(xg_ + 2 * W), a3_ = LD(xg_ + 3 * W);              \
            PREFETCH(xg_, yg_);                                                \
            if (ALL4(PRED, a0_, a1_, a2_, a3_)) {                              \
                ST(yg_, CHEAP(a0_));                                           \
                ST(yg_ + W, CHEAP(a1_));                                       \
                ST(yg_ + 2 * W, CHEAP(a2_));                                   \
                ST(yg_ + 3 * W, CHEAP(a3_));                                   \
            } else {                                                           \
                full_ |= 1u << g_;                                             \
            }                                                                  \
        }                                                                      \
        if (full_ != 0) {                                                      \
            for (g_ = 0; g_ < (NG); g_++)                                      \
                if (full_ >> g_ & 1)                                           \
                    for (j_ = 4 * g_; j_ < 4 * g_ + 4; j_++)                   \
                        S1(LD(xb_ + j_ * W), &st_[j_]);                        \
            for (g_ = 0; g_ < (NG); g_++)                                      \
                if (full_ >> g_ & 1)                                           \
                    for (j_ = 4 * g_; j_ < 4 * g_ + 4; j_++)                   \
                        S2(&st_[j_]);                                          \
            if (NS3)                                                           \
                for (g_ = 0; g_ < (NG); g_++)                                  \
                    if (full_ >> g_ & 1)                                       \
                        for (j_ = 4 * g_; j_ < 4 * g_ + 4; j_++)               \
                            S3(&st_[j_]);                                      \
            for (g_ = 0; g_ < (NG); g_++)                                      \
                if (full_ >> g_ & 1)                                           \
                    for (j_ = 4 * g_; j_ < 4 * g_ + 4; j_++)                   \
                        ST(yb_ + j_ * W, FIN(LD(xb_ + j_ * W), &st_[j_]));     \
        }                                                                      \
    } while (0)

#define RELU__NO_STAGE(s) ((void)0)
#define RELU__NO_PREFETCH(xg, yg) ((void)0)

#endif /* RELU_X86_STAGED_BLOCK_H */
