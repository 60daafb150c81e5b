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
 * RELU__STAGED_BLOCK(XB, YB, NG, CAP, COMPACT, MODE, ...) handles NG
 * (<= CAP / 4, a constant) groups of four vectors at XB / YB. It first
 * takes the fast path (CHEAP) for each group whose lanes all satisfy PRED
 * (ALL4(PRED, a0..a3) says so, the tier's way), storing y at once, and
 * calls PREFETCH(xg, yg) per group; the stages S1, S2 and FIN
 * then run over the other groups, S1 and FIN reloading x, so y == x works
 * (a group's y is written only after all its x is read). The fast pass is
 * separate from S1: together their constants did not fit in AVX2's 16
 * registers and spilled the compare masks (all-subnormal input 20% slower).
 *
 * Lane compaction (COMPACT). A group with one lane outside PRED runs the
 * stages on all its lanes; with relu-bench's data (random signs) that is
 * every group, though only about half the lanes need the evaluation. The
 * lanes that do not are those in KEEP, whose result is KEPT(x), exactly
 * the bits of the dense evaluation (every lane's result depends on that
 * lane alone): tanh keeps PRED and CHEAP; elu keeps x > 0 (y = x) and selu
 * x > 0 (y = L*x), narrower than their PRED (x > -MIN_NORMAL, whose
 * CHEAP(x) costs a compare, a multiply, an add and a blend) so that the
 * unpacking is one blend. While MODE > 0 the fast pass packs the lanes
 * outside KEEP into the L1 buffer xd_ (PACK: vcompressps, or a vpermps
 * table on AVX2), the stages run over ceil(count / W) dense vectors, and a
 * last pass stores KEPT(x) with the dense results put back in their lanes
 * (UNPACK: vexpandps, or vpermps and blendv). Unpacking into CHEAP(x),
 * elu and selu ran 10-20% slower compacted on half-negative data; into
 * KEPT(x), AVX-512 f64 gains 7-11% there and every tier 2-33% with a
 * quarter negative (f32 elu least; f32, and AVX2 f64, ran half-negative
 * data no faster compacted, so they compact from a lower share). Storing
 * CHEAP(x) in the fast pass and unpacking into y with a masked expand-load
 * and a masked store ran slower (f32 tanh 0.81x, elu 0.69x; reloading y
 * and vexpandps 0.95x).
 *
 * MODE carries the decision from block to block. COMPACT is the share of
 * the full evaluation's vectors, in eighths, up to which the dense ones
 * are worth their packing (0: never). A block with MODE >= 0 counts its
 * lanes to evaluate and sets MODE for the next one: 1 (compact) when the
 * dense vectors are at most COMPACT/8 of the full evaluation's, else
 * -RELU__RECOUNT, and the kernel's loop then runs that many blocks without
 * COMPACT (a block made without the compaction's code: with it, the full
 * evaluation ran 2-5% slower) before counting again. A block with all its
 * groups cheap also gives -RELU__RECOUNT: the cheap path ran 7% slower in
 * compacting blocks (all-positive elu). Compacting blocks hold
 * CAP vectors, up to RELU__COMPACT_MAX, for more dense vectors per stage
 * (tanh, 16 Ki elements of relu-bench's kind of data, 16 vs 32: AVX-512
 * 34.5 vs 38.6 GB/s, AVX2 18.8 vs 21.4; 64 vs 32: 0.94-1.0x, but elu and
 * selu with a quarter of the lanes to evaluate 1.07-1.20x on both tiers;
 * 128 vs 64: 0.91-1.0x), while the full evaluation of tanh ran 10% slower
 * on 32 than on 16.
 *
 * The including kernel file supplies T, V, W, LD, ST, YST (the store of a
 * vector of y: ST, or a non-temporal store where the loop chose one),
 * STG(name) (the stage functions and state type of act_<dt>.inc) and, for
 * the compaction, LANES(c) (the integer lane mask of a KEEP result c),
 * LANES_ALL (that of every lane), LANES_COUNT(m) (the elements in m),
 * PACK(dst, v, m) (store m's lanes of v at dst, in order; may write W
 * elements), UNPACK(c, m, src) (c with m's lanes replaced, in order, by
 * src[0..]) and PAD (a vector to evaluate after the last packed lane:
 * zero).
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
/* Vectors per compacting block, at most (see above). */
#define RELU__COMPACT_MAX (4 * RELU__STAGE_VECS)

#define RELU__STAGED_BLOCK(XB, YB, NG, CAP, COMPACT, MODE, ALL4, PRED, PREFETCH, CHEAP, KEEP,   \
                           KEPT, S1, S2, FIN)                                  \
    do {                                                                       \
        const T *const xb_ = (XB);                                             \
        T *const yb_ = (YB);                                                   \
        const size_t bng_ = (NG);                                              \
        const int compact_ = (COMPACT) && (MODE) > 0;                          \
        const int count_ = (COMPACT) && (MODE) >= 0;                           \
        STG(stage) st_[CAP];                                                   \
        T xd_[((COMPACT) ? (CAP) + 1 : 1) * W] __attribute__((aligned(64)));  \
        unsigned full_ = 0, nfv_ = 0, cnt_ = 0;                                \
        size_t g_, j_;                                                         \
        for (g_ = 0; g_ < bng_; g_++) {                                        \
            const T *const xg_ = xb_ + g_ * 4 * W;                             \
            T *const yg_ = yb_ + g_ * 4 * W;                                   \
            const V a0_ = LD(xg_), a1_ = LD(xg_ + W);                          \
            const V a2_ = LD(xg_ + 2 * W), a3_ = LD(xg_ + 3 * W);              \
            PREFETCH(xg_, yg_);                                                \
            if (ALL4(PRED, a0_, a1_, a2_, a3_)) {                              \
                YST(yg_, CHEAP(a0_));                                          \
                YST(yg_ + W, CHEAP(a1_));                                      \
                YST(yg_ + 2 * W, CHEAP(a2_));                                  \
                YST(yg_ + 3 * W, CHEAP(a3_));                                  \
            } else {                                                           \
                full_ |= 1u << g_;                                             \
                nfv_ += 4;                                                     \
                if (count_) {                                                  \
                    RELU__NEED(compact_, KEEP, a0_);                           \
                    RELU__NEED(compact_, KEEP, a1_);                           \
                    RELU__NEED(compact_, KEEP, a2_);                           \
                    RELU__NEED(compact_, KEEP, a3_);                           \
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
            for (j_ = 0; j_ < nd_; j_++)                                       \
                ST(xd_ + j_ * W, FIN(LD(xd_ + j_ * W), &st_[j_]));             \
            RELU__FOR_FULL(j_, {                                               \
                const V a_ = LD(xb_ + j_ * W);                                 \
                const unsigned m_ = RELU__NEED_LANES(KEEP, a_);                \
                YST(yb_ + j_ * W, UNPACK(KEPT(a_), m_, xd_ + at_));            \
                at_ += LANES_COUNT(m_);                                        \
            });                                                                \
        } else if (full_ != 0) {                                               \
            RELU__FOR_FULL(j_, S1(LD(xb_ + j_ * W), &st_[j_]));                \
            RELU__FOR_FULL(j_, S2(&st_[j_]));                                  \
            RELU__FOR_FULL(j_, YST(yb_ + j_ * W, FIN(LD(xb_ + j_ * W), &st_[j_])));\
        }                                                                      \
        if (count_)                                                            \
            (MODE) = full_ != 0 && RELU__COMPACT_PAYS(cnt_, nfv_, COMPACT) ? 1 : -RELU__RECOUNT; \
    } while (0)

/* Counts A's lanes outside KEEP and, when PACKING, packs them at
 * xd_ + cnt_. */
#define RELU__NEED(PACKING, KEEP, A)                                           \
    do {                                                                       \
        const unsigned m_ = RELU__NEED_LANES(KEEP, A);                         \
        if (PACKING)                                                           \
            PACK(xd_ + cnt_, A, m_);                                           \
        cnt_ += LANES_COUNT(m_);                                               \
    } while (0)

/* The lanes of A outside KEEP (a NaN is). */
#define RELU__NEED_LANES(KEEP, A) (LANES_ALL ^ LANES(KEEP(A)))

/* STMT for each vector J of the groups that are not all cheap. */
#define RELU__FOR_FULL(J, STMT)                                                \
    for (g_ = 0; g_ < bng_; g_++)                                              \
        if (full_ >> g_ & 1)                                                   \
            for (J = 4 * g_; J < 4 * g_ + 4; J++)                              \
                STMT

/* See above: compacting pays when its dense vectors are at most eighths/8
 * of the full evaluation's nfv; otherwise the next RELU__RECOUNT blocks do
 * not count. Counting every 33rd block cost AVX2's all-subnormal elu and
 * selu 9-11% (a few mispredicted branches a call at 180 GB/s); 128 blocks
 * are 64-128 KiB of x, so a call of up to that size counts once. */
#define RELU__RECOUNT 128

/* The first block compacts (a first block that counted instead cost AVX2
 * f32 tanh, relu-bench 64 KiB, 2-5%) unless its CV vectors are more than
 * 32 (compacting 64 at once ran all-negative f64 elu 4% slower, at 64 KiB);
 * those count first. */
#define RELU__FIRST_MODE(CV) ((CV) <= 2 * RELU__STAGE_VECS)
#define RELU__COMPACT_PAYS(cnt, nfv, eighths) (8 * (((cnt) + W - 1) / W) <= (eighths) * (nfv))

/*
 * The whole blocks of a staged loop from I while they fit in N, I advanced
 * past them: BLOCK(i, groups, cap, eighths, ...) is the tier's block (its
 * RELU__STAGED_BLOCK with the rest of the arguments). While ON (the op
 * compacts and the call is small enough), MODE picks a compacting block of
 * CV vectors (MODE > 0), a counting block (0), or -MODE blocks built
 * without the compaction, after which the next block counts again.
 */
#define RELU__STAGED_BLOCKS(I, N, ON, CP, CV, MODE, BLOCK, ...)                \
    while ((I) + RELU__STAGE_VECS * W <= (N)) {                                \
        if ((ON) && (MODE) > 0 && (I) + (CV) * W <= (N)) {                     \
            BLOCK(I, (CV) / 4, CV, CP, __VA_ARGS__);                           \
            (I) += (CV) * W;                                                   \
        } else if ((ON) && (MODE) == 0) {                                      \
            BLOCK(I, RELU__STAGE_VECS / 4, RELU__STAGE_VECS, CP, __VA_ARGS__); \
            (I) += RELU__STAGE_VECS * W;                                       \
        } else {                                                               \
            const size_t left_ = ((N) - (I)) / (RELU__STAGE_VECS * W);         \
            const size_t end_ = (ON) && (size_t)-(MODE) < left_                \
                                    ? (I) + (size_t)-(MODE) * RELU__STAGE_VECS * W \
                                    : (N);                                     \
            for (; (I) + RELU__STAGE_VECS * W <= end_; (I) += RELU__STAGE_VECS * W) \
                BLOCK(I, RELU__STAGE_VECS / 4, RELU__STAGE_VECS, 0, __VA_ARGS__); \
            (MODE) = 0;                                                        \
        }                                                                      \
    }

#define RELU__SAME(v) (v)
#define RELU__NO_PREFETCH(xg, yg) ((void)0)

#endif /* RELU_X86_STAGED_BLOCK_H */
