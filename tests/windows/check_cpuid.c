/*
 * src/port/cpu_x86_cpuid.c — the CPU detection the Windows build uses in
 * place of cpu_features — against cpu_features on this machine (ctest
 * "port_cpuid", Linux x86-64), and its rules on made-up CPUID/XCR0 values:
 * a feature counts only with the OS saving the registers it needs.
 * Prints "port_cpuid: N passed, M failed".
 */
#include <stdio.h>

#include <cpu_features/cpuinfo_x86.h>

#include "../../src/port/cpu_x86_cpuid.h"

static int passed, failed;

static void check(int ok, const char *what)
{
    if (ok) {
        passed++;
    } else {
        failed++;
        printf("FAIL: %s\n", what);
    }
}

int main(void)
{
    const X86Features f = GetX86Info().features;
    relu__cpu c;
    /* leaf 1 ECX with FMA, XSAVE, OSXSAVE, AVX; leaf 7 EBX with AVX2 and
     * AVX-512 F, DQ, BW, VL; leaf 7 ECX with VBMI */
    const unsigned l1 = 1u << 12 | 1u << 26 | 1u << 27 | 1u << 28;
    const unsigned l7b = 1u << 5 | 1u << 16 | 1u << 17 | 1u << 30 | 1u << 31, l7c = 1u << 1;

    relu__cpu_detect_x86_cpuid(&c);
    printf("port_cpuid: cpu_features: avx2 %d fma %d avx512 f %d bw %d dq %d vl %d vbmi %d\n",
           !!f.avx2, !!f.fma3, !!f.avx512f, !!f.avx512bw, !!f.avx512dq, !!f.avx512vl, !!f.avx512vbmi);
    printf("port_cpuid: CPUID/XGETBV:   avx2 %d fma %d avx512 f %d bw %d dq %d vl %d vbmi %d\n",
           c.avx2, c.fma, c.avx512f, c.avx512bw, c.avx512dq, c.avx512vl, c.avx512vbmi);
    check(c.avx2 == !!f.avx2, "avx2 differs from cpu_features");
    check(c.fma == !!f.fma3, "fma differs from cpu_features");
    check(c.avx512f == !!f.avx512f, "avx512f differs from cpu_features");
    check(c.avx512bw == !!f.avx512bw, "avx512bw differs from cpu_features");
    check(c.avx512dq == !!f.avx512dq, "avx512dq differs from cpu_features");
    check(c.avx512vl == !!f.avx512vl, "avx512vl differs from cpu_features");
    check(c.avx512vbmi == !!f.avx512vbmi, "avx512vbmi differs from cpu_features");
    check(c.neon == 0, "neon set on x86");

    relu__cpu_from_cpuid(&c, l1, l7b, l7c, 0xe7); /* XMM YMM opmask ZMM_Hi256 Hi16_ZMM */
    check(c.avx2 && c.fma && c.avx512f && c.avx512bw && c.avx512dq && c.avx512vl && c.avx512vbmi,
          "everything present and enabled");
    relu__cpu_from_cpuid(&c, l1, l7b, l7c, 0x07); /* no AVX-512 state */
    check(c.avx2 && c.fma && !c.avx512f && !c.avx512bw && !c.avx512dq && !c.avx512vl && !c.avx512vbmi,
          "AVX-512 without the OS saving opmask/ZMM state");
    relu__cpu_from_cpuid(&c, l1, l7b, l7c, 0xa7); /* ZMM_Hi256 missing */
    check(!c.avx512f, "AVX-512 with ZMM_Hi256 state missing");
    relu__cpu_from_cpuid(&c, l1, l7b, l7c, 0x03); /* no YMM state */
    check(!c.avx2 && !c.fma && !c.avx512f, "AVX2/FMA without the OS saving YMM state");
    relu__cpu_from_cpuid(&c, l1 & ~(1u << 27), l7b, l7c, 0xe7); /* OSXSAVE clear */
    check(!c.avx2 && !c.fma && !c.avx512f, "OSXSAVE clear: XCR0 is not to be trusted");
    relu__cpu_from_cpuid(&c, l1 & ~(1u << 12), l7b & ~(1u << 30), l7c, 0xe7);
    check(c.avx2 && !c.fma && c.avx512f && !c.avx512bw, "missing FMA and BW bits");

    printf("port_cpuid: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
