#include "../kernels.h"

#define RELU__FILL_SCALAR(dt, name, kind) t->dt##_##name = dt##_##name##__scalar;

void relu__fill_table_scalar(relu__kernels *t)
{
    RELU_KERNEL_LIST(RELU__FILL_SCALAR)
    t->s8_grad_any_fpenv = 0;
    t->s8_prelu_forward_small = NULL;
    t->s8_prelu_backward_small = NULL;
}
