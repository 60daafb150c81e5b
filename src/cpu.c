#include "cpu.h"

#include <stdlib.h>
#include <string.h>

#if defined(RELU_HAVE_CPU_FEATURES)
#include <cpu_features/cpu_features_macros.h>
#if defined(CPU_FEATURES_ARCH_X86)
#include <cpu_features/cpuinfo_x86.h>
#elif defined(CPU_FEATURES_ARCH_AARCH64)
#include <cpu_features/cpuinfo_aarch64.h>
#endif
#else
/* No cpu_features (Windows/mingw-w64): src/port/cpu_x86_cpuid.c gives the
 * same flags from CPUID and XGETBV. */
#include "port/cpu_x86_cpuid.h"
#if defined(__aarch64__)
#define CPU_FEATURES_ARCH_AARCH64 1
#endif
#endif

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#include <cpuid.h>

/* CPUID leaf 4, Intel's deterministic cache parameters: the level-2 data or
 * unified cache's ways x partitions x line size x sets. */
static size_t intel_l2_bytes(void)
{
    unsigned a, b, c, d, i;
    if (!__get_cpuid(0, &a, &b, &c, &d) || a < 4)
        return 0;
    if (b != 0x756e6547u || d != 0x49656e69u || c != 0x6c65746eu) /* "GenuineIntel" */
        return 0;
    for (i = 0; i < 16; i++) {
        unsigned type;
        __cpuid_count(4, i, a, b, c, d);
        type = a & 31u;
        if (type == 0)
            break;
        if (((a >> 5) & 7u) == 2 && (type == 1 || type == 3))
            return (size_t)((b >> 22) + 1) * (((b >> 12) & 0x3ffu) + 1) * ((b & 0xfffu) + 1) *
                   ((size_t)c + 1);
    }
    return 0;
}
#endif

void relu__cpu_detect(relu__cpu *cpu)
{
    memset(cpu, 0, sizeof *cpu);
#if !defined(RELU_HAVE_CPU_FEATURES) && (defined(__x86_64__) || defined(__i386__))
    relu__cpu_detect_x86_cpuid(cpu);
#elif defined(CPU_FEATURES_ARCH_X86)
    {
        /* cpu_features' flags are signed one-bit fields: a set flag reads -1. */
        const X86Features f = GetX86Info().features;
        cpu->avx2 = !!f.avx2;
        cpu->fma = !!f.fma3;
        cpu->avx512f = !!f.avx512f;
        cpu->avx512bw = !!f.avx512bw;
        cpu->avx512dq = !!f.avx512dq;
        cpu->avx512vl = !!f.avx512vl;
        cpu->avx512vbmi = !!f.avx512vbmi;
    }
#elif defined(CPU_FEATURES_ARCH_AARCH64)
    /* Advanced SIMD is architectural on AArch64; asking cpu_features would
     * only add a path that can print about /proc/self/auxv. */
    cpu->neon = 1;
#endif
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
    cpu->intel_l2_bytes = intel_l2_bytes();
#endif
    {
        const char *mask = getenv(RELU_CPU_MASK_ENV);
        if (mask != NULL && relu__cpu_mask_names(mask, "avx512vbmi"))
            cpu->avx512vbmi = 0;
    }
}
