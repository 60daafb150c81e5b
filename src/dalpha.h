/*
 * The compensated accumulation shared by every tier's PReLU dalpha and by the
 * driver that combines block results (kernels.h defines the order). TwoSum
 * rather than Fast2Sum: the running sum is not always the larger operand.
 */
#ifndef RELU_DALPHA_H
#define RELU_DALPHA_H

static inline void relu__two_sum_acc(double *s, double *e, double p)
{
    const double t = *s + p;
    const double z = t - *s;
    const double err = (*s - (t - z)) + (p - z);
    *s = t;
    *e = *e + err;
}

#endif /* RELU_DALPHA_H */
