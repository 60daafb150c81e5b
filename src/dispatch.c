#include "dispatch.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cpu.h"
#include "threads.h"

/* One complete table per ISA, built once; tables of unavailable ISAs stay
 * unused. A higher tier starts as a copy of the one below it, so a kernel a
 * tier does not implement falls back to the best one beneath it. */
static relu__kernels tables[4];
static int available[4];
static const relu__kernels *active;
static relu_isa active_isa;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

/*
 * Where streaming stores start to pay (kernels.h, relu__nt_sizes).
 *  - AMD EPYC (Zen 5: 1 MiB L2 per core, a 32 MiB L3 that takes a core's
 *    write-backs at nearly L2 speed): from 20 MiB touched for the selects
 *    and backwards, 64 MiB for elu/selu/tanh forward (which leave DRAM idle
 *    enough to hide the read-for-ownership), 12 MiB of x for int8
 *    (avx512_common.h and s8_simd.inc have those sweeps). Other vendors and
 *    Intel CPUs whose L2 cannot be read get these too.
 *  - Intel Xeon (2 MiB L2 per core; its mesh L3 passes a core's traffic at
 *    a third of L2 speed): as soon as a call outgrows L2. relu-bench /
 *    relu-bench-peers, AVX-512, f32, medians of 3 runs alternating builds,
 *    GB/s plain -> streaming: relu / clipped forward 2 MiB touched 43-45
 *    -> 41, 8 MiB 27 -> 32-34; their backward 3 MiB 32 -> 42, 12 MiB 27
 *    -> 33; elu forward 8 MiB 23 -> 29, elu backward 12 MiB 26 -> 32,
 *    tanh forward 8 MiB 19 -> 22; int8 relu 2 MiB 44 -> 42. So from the L2
 *    size plus a quarter, for every class.
 */
relu__nt_sizes relu__nt = {(size_t)20 << 20, (size_t)64 << 20, (size_t)12 << 20};

static void nt_sizes_for_cpu(const relu__cpu *cpu)
{
    if (cpu->intel_l2_bytes != 0) {
        const size_t from = cpu->intel_l2_bytes + cpu->intel_l2_bytes / 4;
        relu__nt.select = from;
        relu__nt.math = from;
        relu__nt.s8 = from / 2;
    }
}

static int ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char ca = *a, cb = *b;
        if (ca >= 'A' && ca <= 'Z') ca = (char)(ca - 'A' + 'a');
        if (cb >= 'A' && cb <= 'Z') cb = (char)(cb - 'A' + 'a');
        if (ca != cb)
            return 0;
    }
    return *a == *b;
}

static void publish(relu_isa isa)
{
    __atomic_store_n(&active_isa, isa, __ATOMIC_RELAXED);
    __atomic_store_n(&active, &tables[isa], __ATOMIC_RELEASE);
}

static void init_tables(void)
{
    relu__cpu cpu;
    const char *cap;
    relu_isa best = RELU_ISA_SCALAR;
    int i;

    relu__cpu_detect(&cpu);
    nt_sizes_for_cpu(&cpu); /* published with the tables, below */
    relu__fill_table_scalar(&tables[RELU_ISA_SCALAR]);
    available[RELU_ISA_SCALAR] = 1;

    tables[RELU_ISA_AVX2] = tables[RELU_ISA_SCALAR];
#if defined(RELU_BUILD_AVX2)
    if (cpu.avx2 && cpu.fma) {
        relu__fill_table_avx2(&tables[RELU_ISA_AVX2]);
        relu__fill_table_s8_avx2(&tables[RELU_ISA_AVX2]);
        available[RELU_ISA_AVX2] = 1;
    }
#endif
    tables[RELU_ISA_AVX512] = tables[RELU_ISA_AVX2];
#if defined(RELU_BUILD_AVX512)
    if (available[RELU_ISA_AVX2] && cpu.avx512f && cpu.avx512bw && cpu.avx512dq && cpu.avx512vl) {
        relu__fill_table_avx512(&tables[RELU_ISA_AVX512]);
        relu__fill_table_s8_avx512(&tables[RELU_ISA_AVX512]);
        available[RELU_ISA_AVX512] = 1;
    }
#endif
    tables[RELU_ISA_NEON] = tables[RELU_ISA_SCALAR];
#if defined(RELU_BUILD_NEON)
    if (cpu.neon) {
        relu__fill_table_neon(&tables[RELU_ISA_NEON]);
        available[RELU_ISA_NEON] = 1;
    }
#endif

    for (i = RELU_ISA_NEON; i >= RELU_ISA_SCALAR; i--)
        if (available[i] && best == RELU_ISA_SCALAR)
            best = (relu_isa)i;

    /* RELU_ISA caps the choice; unknown or unavailable names are ignored
     * silently — a library must neither abort nor print. */
    cap = getenv("RELU_ISA");
    if (cap != NULL) {
        for (i = RELU_ISA_SCALAR; i <= RELU_ISA_NEON; i++)
            if (ieq(cap, relu_isa_name((relu_isa)i)) && available[i])
                best = (relu_isa)i;
    }
    publish(best);
    relu__threads_init_from_env();
}

#if defined(__GNUC__)
/* Choose at load time, so even the first call costs one indirect jump. The
 * pthread_once guard below covers callers that run before constructors. */
__attribute__((constructor)) static void relu__load(void)
{
    pthread_once(&init_once, init_tables);
}
#endif

const relu__kernels *relu__kernels_active(void)
{
    const relu__kernels *t = __atomic_load_n(&active, __ATOMIC_ACQUIRE);
    if (t == NULL) {
        pthread_once(&init_once, init_tables);
        t = __atomic_load_n(&active, __ATOMIC_ACQUIRE);
    }
    return t;
}

RELU_API relu_isa relu_active_isa(void)
{
    (void)relu__kernels_active();
    return __atomic_load_n(&active_isa, __ATOMIC_RELAXED);
}

RELU_API int relu_isa_available(relu_isa isa)
{
    (void)relu__kernels_active();
    if ((int)isa < RELU_ISA_SCALAR || (int)isa > RELU_ISA_NEON)
        return 0;
    return available[isa];
}

RELU_API relu_status relu_use_isa(relu_isa isa)
{
    (void)relu__kernels_active();
    if ((int)isa < RELU_ISA_SCALAR || (int)isa > RELU_ISA_NEON)
        return RELU_ERR_PARAM;
    if (!available[isa])
        return RELU_ERR_UNSUPPORTED;
    publish(isa);
    return RELU_OK;
}

RELU_API const char *relu_isa_name(relu_isa isa)
{
    switch (isa) {
    case RELU_ISA_SCALAR: return "scalar";
    case RELU_ISA_AVX2:   return "avx2";
    case RELU_ISA_AVX512: return "avx512";
    case RELU_ISA_NEON:   return "neon";
    }
    return "unknown";
}
