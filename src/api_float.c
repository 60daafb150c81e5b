/* The 40 f32/f64 elementwise entry points (PReLU lives in prelu.c). */
#include "dispatch.h"
#include "fpenv.h"
#include "threads.h"
#include "validate.h"

#define RELU__CAT_(a, b) a##b
#define RELU__CAT(a, b) RELU__CAT_(a, b)

#define T float
#define DT f32
#define FINITE relu__finite_f32
#define NONNEG relu__nonneg_f32
#define POSITIVE relu__positive_f32
#include "api_float.inc"
#undef T
#undef DT
#undef FINITE
#undef NONNEG
#undef POSITIVE

#define T double
#define DT f64
#define FINITE relu__finite_f64
#define NONNEG relu__nonneg_f64
#define POSITIVE relu__positive_f64
#include "api_float.inc"
