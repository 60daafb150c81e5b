/* See cpu_x86_cpuid.h. */
#include "cpu_x86_cpuid.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define RELU_PORT_X86 1
#endif

/* CPUID bits (Intel SDM vol. 2A, CPUID) */
#define L1_ECX_FMA      (1u << 12)
#define L1_ECX_XSAVE    (1u << 26)
#define L1_ECX_OSXSAVE  (1u << 27)
#define L1_ECX_AVX      (1u << 28)
#define L7_EBX_AVX2     (1u << 5)
#define L7_EBX_AVX512F  (1u << 16)
#define L7_EBX_AVX512DQ (1u << 17)
#define L7_EBX_AVX512BW (1u << 30)
#define L7_EBX_AVX512VL (1u << 31)
#define L7_ECX_AVX512VBMI (1u << 1)
/* XCR0 state components */
#define XCR0_XMM      (1u << 1)
#define XCR0_YMM      (1u << 2)
#define XCR0_OPMASK   (1u << 5)
#define XCR0_ZMM_HI256 (1u << 6)
#define XCR0_HI16_ZMM (1u << 7)
#define XCR0_AVX_STATE    (XCR0_XMM | XCR0_YMM)
#define XCR0_AVX512_STATE (XCR0_AVX_STATE | XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM)

void relu__cpu_from_cpuid(relu__cpu *cpu, unsigned leaf1_ecx, unsigned leaf7_ebx,
                          unsigned leaf7_ecx, unsigned xcr0)
{
    memset(cpu, 0, sizeof *cpu);
    /* cpu_features reads XCR0 only when both XSAVE and OSXSAVE are set. */
    if (!(leaf1_ecx & L1_ECX_XSAVE) || !(leaf1_ecx & L1_ECX_OSXSAVE))
        xcr0 = 0;
    if ((xcr0 & XCR0_AVX_STATE) == XCR0_AVX_STATE) {
        cpu->fma = !!(leaf1_ecx & L1_ECX_FMA);
        cpu->avx2 = !!(leaf7_ebx & L7_EBX_AVX2);
    }
    if ((xcr0 & XCR0_AVX512_STATE) == XCR0_AVX512_STATE) {
        cpu->avx512f = !!(leaf7_ebx & L7_EBX_AVX512F);
        cpu->avx512dq = !!(leaf7_ebx & L7_EBX_AVX512DQ);
        cpu->avx512bw = !!(leaf7_ebx & L7_EBX_AVX512BW);
        cpu->avx512vl = !!(leaf7_ebx & L7_EBX_AVX512VL);
        cpu->avx512vbmi = !!(leaf7_ecx & L7_ECX_AVX512VBMI);
    }
}

#if defined(RELU_PORT_X86)
static unsigned read_xcr0(void)
{
    /* XGETBV with ECX = 0, as inline asm so that no
     * -mxsave is needed (the intrinsic wants it). */
    unsigned eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    (void)edx;
    return eax;
}
#endif

void relu__cpu_detect_x86_cpuid(relu__cpu *cpu)
{
#if defined(RELU_PORT_X86)
    unsigned max_leaf, a, b, c, d;
    unsigned l1_ecx = 0, l7_ebx = 0, l7_ecx = 0, xcr0 = 0;

    max_leaf = __get_cpuid_max(0, NULL);
    if (max_leaf >= 1) {
        __cpuid(1, a, b, c, d);
        l1_ecx = c;
    }
    if (max_leaf >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        l7_ebx = b;
        l7_ecx = c;
    }
    if ((l1_ecx & L1_ECX_XSAVE) && (l1_ecx & L1_ECX_OSXSAVE))
        xcr0 = read_xcr0();
    relu__cpu_from_cpuid(cpu, l1_ecx, l7_ebx, l7_ecx, xcr0);
#else
    memset(cpu, 0, sizeof *cpu);
#endif
}
