/* A user's first program: the README example, checked to build and run. */
#include <relu.h>
#include <stdio.h>

int main(void)
{
    const float x[5] = {-2.0f, -0.5f, 0.0f, 0.5f, 7.0f};
    float y[5];
    relu_status st = relu_clipped_forward_f32(x, y, 5, 6.0f);
    if (st != RELU_OK) {
        fprintf(stderr, "relu: %s\n", relu_status_string(st));
        return 1;
    }
    printf("librelu %s on %s: relu6 -> %g %g %g %g %g\n", relu_version_string(),
           relu_isa_name(relu_active_isa()), y[0], y[1], y[2], y[3], y[4]);
    return !(y[0] == 0.0f && y[3] == 0.5f && y[4] == 6.0f);
}
