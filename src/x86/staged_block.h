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
 * RELU__STAGED_BLOCK(XB, YB, NG, COMPACT, MODE, ...) handles NG
 * (<= RELU__STAGE_VECS / 2) groups of four vectors at XB / YB. It first
 * takes the fast path (CHEAP) for each group whose lanes all satisfy PRED
 * (ALL4(PRED, a0..a3) says so, the tier's way), storing y at once, and
 * calls PREFETCH(xg, yg) per group; the stages S1, S2, [S3 when NS3], FIN
 * then run over the other groups, S1 and FIN reloading x, so y == x works
 * (a group's y is written only after all its x is read). The fast pass is
 * separate from S1: together their constants did not fit in AVX2's 16
 * registers and spilled the compare masks (all-subnormal input 20% slower).
 *
 * Lane compaction (COMPACT, tanh only). A group with one lane outside PRED
 * runs the stages on all its lanes; with relu-bench's data (random signs)
 * that is every group, though tanh needs its evaluation on half the lanes
 * only (CHEAP gives the others exactly the bits of the dense evaluation:
 * every lane's result depends on that lane alone). So, while MODE > 0, the
 * fast pass also packs the lanes that fail PRED into the L1 buffer xd_
 * (PACK: vcompressps, or a vpermps table on AVX2), the stages run over
 * ceil(count / W) dense vectors, and a last pass stores CHEAP(x) with the
 * dense results put back in their lanes (UNPACK: vexpandps, or vpermps and
 * blendv). Packing and unpacking cost about 16 operations an input vector,
 * less than the ~20 that skipping half of tanh's ~40 saves but more than
 * the ~10 of elu's or selu's ~20: compacting those measured 10-20% slower
 * on every data set tried (half, a quarter, three quarters negative), so
 * they do not. MODE carries the decision from block to block: a block
 * counts its lanes to evaluate and sets MODE for the next one (compact
 * when the dense vectors are at most 5/8 of the full evaluation's; with
 * 3/4, three quarters of lanes to evaluate ran 7-12% slower compacted);
 * after a block that chose the full evaluation, the next RELU__RECOUNT
 * blocks do not count (counting every block cost 4% on all-positive
 * input, now 1-3%). Compacting blocks hold 2 * RELU__STAGE_VECS vectors,
 * for more dense vectors per stage (tanh, 16 Ki elements of relu-bench's
 * kind of data, 16 vs 32: AVX-512 34.5 vs 38.6 GB/s, AVX2 18.8 vs 21.4),
 * while the full evaluation of tanh ran 10% slower on 32.
 *
 * The including kernel file supplies T, V, W, LD, ST, STG(name) (the stage
 * functions and state type of act_<dt>.inc) and, for the compaction,
 * LANES(c) (the integer lane mask of a PRED result c), LANES_ALL (that of
 * every lane), LANES_COUNT(m) (the elements in m), PACK(dst, v, m) (store
 * m's lanes of v at dst, in order; may write W elements), UNPACK(c, m, src)
 * (c with m's lanes replaced, in order, by src[0..]) and PAD (a vector to
 * evaluate after the last packed lane: zero).
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

#define RELU__STAGED_BLOCK(XB, YB, NG, COMPACT, MODE, ALL4, PRED, PREFETCH, CHEAP, S1, S2,   \
                           NS3, S3, FIN)                                       \
    do {                                                                       \
        const T *const xb_ = (XB);                                             \
        T *const yb_ = (YB);                                                   \
        const size_t bng_ = (NG);                                              \
        const int compact_ = (COMPACT) && (MODE) > 0;                          \
        const int count_ = (COMPACT) && (MODE) >= 0;                           \
        STG(stage) st_[2 * RELU__STAGE_VECS];                                  \
        T xd_[(2 * RELU__STAGE_VECS + 1) * W] __attribute__((aligned(64)));    \
        unsigned full_ = 0, nfv_ = 0, cnt_ = 0;                                \
        size_t g_, j_;                                                         \
        for (g_ = 0; g_ < bng_; g_++) {                                        \
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
                nfv_ += 4;                                                     \
                if (count_) {                                                  \
                    RELU__NEED(compact_, PRED, a0_);                           \
                    RELU__NEED(compact_, PRED, a1_);                           \
                    RELU__NEED(compact_, PRED, a2_);                           \
                    RELU__NEED(compact_, PRED, a3_);                           \
                }                                                              \
            }                                                                  \
        }                                                                      \
        if (full_ != 0 && compact_) {                                          \
            const size_t nd_ = (cnt_ + W - 1) / W;                             \
            unsigned at_ = 0;                                                  \
            ST(xd_ + cnt_, PAD);                                               \
            for (j_ = 0; j_ < nd_; j_++)                                       \
                S1(LD(xd_ + j_ * W), &st_[j_]);                                \
            for (j_ = 0; j_ < nd_; j_++)                                       \
                S2(&st_[j_]);                                                  \
            if (NS3)                                                           \
                for (j_ = 0; j_ < nd_; j_++)                                   \
                    S3(&st_[j_]);                                              \
            for (j_ = 0; j_ < nd_; j_++)                                       \
                ST(xd_ + j_ * W, FIN(LD(xd_ + j_ * W), &st_[j_]));             \
            RELU__FOR_FULL(j_, {                                               \
                const V a_ = LD(xb_ + j_ * W);                                 \
                const unsigned m_ = RELU__NEED_LANES(PRED, a_);                \
                ST(yb_ + j_ * W, UNPACK(CHEAP(a_), m_, xd_ + at_));            \
                at_ += LANES_COUNT(m_);                                        \
            });                                                                \
        } else if (full_ != 0) {                                               \
            RELU__FOR_FULL(j_, S1(LD(xb_ + j_ * W), &st_[j_]));                \
            RELU__FOR_FULL(j_, S2(&st_[j_]));                                  \
            if (NS3)                                                           \
                RELU__FOR_FULL(j_, S3(&st_[j_]));                              \
            RELU__FOR_FULL(j_, ST(yb_ + j_ * W, FIN(LD(xb_ + j_ * W), &st_[j_]))); \
        }                                                                      \
        if (count_ && full_ != 0)                                              \
            (MODE) = RELU__COMPACT_PAYS(cnt_, nfv_) ? 1 : -RELU__RECOUNT;      \
        else if ((COMPACT) && (MODE) < 0)                                      \
            (MODE)++;                                                          \
    } while (0)

/* Counts A's lanes that need the evaluation and, when PACKING, packs them
 * at xd_ + cnt_. */
#define RELU__NEED(PACKING, PRED, A)                                           \
    do {                                                                       \
        const unsigned m_ = RELU__NEED_LANES(PRED, A);                         \
        if (PACKING)                                                           \
            PACK(xd_ + cnt_, A, m_);                                           \
        cnt_ += LANES_COUNT(m_);                                               \
    } while (0)

/* The lanes of A that need the evaluation (fail PRED; a NaN does). */
#define RELU__NEED_LANES(PRED, A) (LANES_ALL ^ LANES(PRED(A)))

/* STMT for each vector J of the groups that are not all cheap. */
#define RELU__FOR_FULL(J, STMT)                                                \
    for (g_ = 0; g_ < bng_; g_++)                                              \
        if (full_ >> g_ & 1)                                                   \
            for (J = 4 * g_; J < 4 * g_ + 4; J++)                              \
                STMT

/* See above: compacting pays when its dense vectors are at most 5/8 of
 * the full evaluation's nfv; a full evaluation rechecks after 8 blocks. */
#define RELU__RECOUNT 8
#define RELU__COMPACT_PAYS(cnt, nfv) (8 * (((cnt) + W - 1) / W) <= 5 * (nfv))

#define RELU__NO_STAGE(s) ((void)0)
#define RELU__NO_PREFETCH(xg, yg) ((void)0)

#endif /* RELU_X86_STAGED_BLOCK_H */
