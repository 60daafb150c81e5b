/*
 * The CPU features librelu cares about, in our own small struct so that no
 * other file sees cpu_features' types. Every flag already accounts for the
 * OS saving the wide registers (XCR0), which cpu_features checks.
 */
#ifndef RELU_CPU_H
#define RELU_CPU_H

#include <stddef.h>

typedef struct relu__cpu {
    unsigned avx2 : 1, fma : 1;
    unsigned avx512f : 1, avx512bw : 1, avx512dq : 1, avx512vl : 1, avx512vbmi : 1;
    unsigned neon : 1;
    /* The per-core L2 of a GenuineIntel CPU (CPUID leaf 4), 0 on any other
     * vendor or where it cannot be read: it places the streaming-store
     * switch (dispatch.c). */
    size_t intel_l2_bytes;
} relu__cpu;

/* The CPU's features, less those RELU_CPU_MASK names. */
void relu__cpu_detect(relu__cpu *cpu);

/*
 * RELU_CPU_MASK, read at load: a comma-separated list of CPU features (any
 * case) for the library to treat as absent, so that the kernels a CPU
 * without them would run can be tested and measured on one that has them.
 * Only avx512vbmi is recognised: it is the one feature that picks a variant
 * within a tier (RELU_ISA caps the tier itself). Inline so that relu-info
 * reports exactly what the library decided.
 */
#define RELU_CPU_MASK_ENV "RELU_CPU_MASK"

/* Whether the comma-separated `list` names `feature` (lowercase). */
static inline int relu__cpu_mask_names(const char *list, const char *feature)
{
    const char *f = feature; /* NULL once the current name differs */
    for (;; list++) {
        const char c = *list >= 'A' && *list <= 'Z' ? (char)(*list - 'A' + 'a') : *list;
        if (c == '\0' || c == ',') {
            if (f != NULL && *f == '\0')
                return 1;
            if (c == '\0')
                return 0;
            f = feature;
        } else {
            f = f != NULL && c == *f ? f + 1 : NULL;
        }
    }
}

#endif /* RELU_CPU_H */
