/*
 * CPU detection without cpu_features (mingw-w64 has no package of it): CPUID
 * and XGETBV, giving the same flags as cpu_features 0.7 gives src/cpu.c —
 * a flag is set only when the CPU has the instructions *and* the OS saves the
 * registers they use (XCR0: XMM|YMM for AVX2/FMA; XMM|YMM|opmask|ZMM0-15
 * upper halves|ZMM16-31 for AVX-512).
 *
 * Built into the library only where cpu_features is not found (Windows);
 * tests/windows/check_cpuid.c compiles it on Linux too and compares it with
 * cpu_features' answer.
 */
#ifndef RELU_PORT_CPU_X86_CPUID_H
#define RELU_PORT_CPU_X86_CPUID_H

#include "../cpu.h"

/* Raw inputs of the decision, so that a test can check the rules on made-up
 * CPUs: leaf 1 ECX, leaf 7 (subleaf 0) EBX and ECX, and XCR0's low word
 * (pass 0 when OSXSAVE is clear: XGETBV must not be executed then). */
void relu__cpu_from_cpuid(relu__cpu *cpu, unsigned leaf1_ecx, unsigned leaf7_ebx,
                          unsigned leaf7_ecx, unsigned xcr0);

/* Executes CPUID/XGETBV on this CPU. Zeroes *cpu on non-x86 targets. */
void relu__cpu_detect_x86_cpuid(relu__cpu *cpu);

#endif /* RELU_PORT_CPU_X86_CPUID_H */
