/* The AVX2 tier's int8 kernels. */
#include "../kernels.h"
#include "s8_x86.h"

void relu__fill_table_s8_avx2(relu__kernels *t)
{
    S8_X86_FILL(t, avx2);
#if defined(RELU_S8_HAVE_CLAMP) /* set by kernels.h once the s8_clamp kind exists */
    t->s8_clamp = s8_clamp__avx2;
#endif
    t->s8_lut_prep = s8_lut_prep__avx2;
    t->s8_prelu_forward_small = s8_prelu_forward_small__avx2;
    t->s8_prelu_backward_small = s8_prelu_backward_small__avx2;
}
