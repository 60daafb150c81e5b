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

/* s + e after relu__two_sum_acc(&s, &e, p) from s = e = +0, with its bits,
 * in three operations instead of eight: t = +0 + p is p + 0 and z = t - +0
 * is t, so the error is (+0 - (t - t)) + (p - t) = +0 for a finite p (p - t
 * is +-0) and s + e is t + +0 = t, which (p + 0) + (p - p) also is; for an
 * infinite or NaN p both are NaN (the callers canonicalise every NaN). */
static inline double relu__two_sum_from_zero(double p)
{
    return (p + 0.0) + (p - p);
}

#endif /* RELU_DALPHA_H */
