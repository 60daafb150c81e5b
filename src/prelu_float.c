/* PReLU f32/f64: prelu_float.inc instantiated twice. */
#include <math.h>
#include <stdlib.h>

#include "dalpha.h"
#include "dispatch.h"
#include "fpenv.h"
#include "prelu.h"
#include "threads.h"
#include "validate.h"

#define RELU__CAT_(a, b) a##b
#define RELU__CAT(a, b) RELU__CAT_(a, b)

/* A NaN sum becomes the default quiet NaN: which NaN a sum of many NaNs
 * keeps depends on the order of additions, and dalpha's bits must not. */
static float relu__dalpha_round_f32(double v) { return v != v ? NAN : (float)v; }
static double relu__dalpha_round_f64(double v) { return v != v ? (double)NAN : v; }

#define T float
#define DT f32
#include "prelu_float.inc"
#undef T
#undef DT

#define T double
#define DT f64
#include "prelu_float.inc"
