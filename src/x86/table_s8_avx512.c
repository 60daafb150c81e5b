/*
 * The AVX-512 tier's int8 kernels. The tier guarantees F+BW+DQ+VL; the
 * three table-lookup kernels have a faster variant for CPUs that also have
 * VBMI (vpermi2b), chosen here once at registration.
 */
#include "../cpu.h"
#include "../kernels.h"
#include "s8_x86.h"

void relu__fill_table_s8_avx512(relu__kernels *t)
{
    relu__cpu cpu;
    relu__cpu_detect(&cpu);
    if (cpu.avx512vbmi) {
        S8_X86_FILL(t, avx512vbmi);
        t->s8_lut_prep = s8_lut_prep__scalar; /* vpermi2b needs no plan */
        t->s8_grad_prep = s8_grad_prep__avx512vbmi;
        t->s8_grad_any_fpenv = 1;
    } else {
        S8_X86_FILL(t, avx512);
        t->s8_lut_prep = s8_lut_prep__avx512;
        t->s8_grad_prep = s8_grad_prep__scalar;
        t->s8_grad_any_fpenv = 0; /* grad16's float arithmetic reads MXCSR */
    }
    t->s8_prelu_forward_small = s8_prelu_forward_small__avx512;
    t->s8_prelu_backward_small = s8_prelu_backward_small__avx512;
#if defined(RELU_S8_HAVE_CLAMP) /* set by kernels.h once the s8_clamp kind exists */
    t->s8_clamp = s8_clamp__avx512;
#endif
}
