/*
 * The CPU features librelu cares about, in our own small struct so that no
 * other file sees cpu_features' types. Every flag already accounts for the
 * OS saving the wide registers (XCR0), which cpu_features checks.
 */
#ifndef RELU_CPU_H
#define RELU_CPU_H

typedef struct relu__cpu {
    unsigned avx2 : 1, fma : 1;
    unsigned avx512f : 1, avx512bw : 1, avx512dq : 1, avx512vl : 1, avx512vbmi : 1;
    unsigned neon : 1;
} relu__cpu;

void relu__cpu_detect(relu__cpu *cpu);

#endif /* RELU_CPU_H */
