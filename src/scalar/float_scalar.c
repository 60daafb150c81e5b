/* The scalar tier's float kernels: float_scalar.inc instantiated twice. */
#include <math.h>

#include "../kernels.h"
#include "../math/vec_scalar.h"
#include "../math/act_f32.inc"
#include "../math/act_f64.inc"
#include "../dalpha.h"

#define RELU__CAT_(a, b) a##b
#define RELU__CAT(a, b) RELU__CAT_(a, b)

#define T float
#define DT f32
#define ONE 1.0f
#define ZERO 0.0f
#define SELU_L 0x1.0cfabep+0f
#define SELU_LA 0x1.c212ccp+0f
#define FMA fmaf
#define VM(name) vm_f32_##name
#define SEL relu__vs_sel_f32
#include "float_scalar.inc"
#undef T
#undef DT
#undef ONE
#undef ZERO
#undef SELU_L
#undef SELU_LA
#undef FMA
#undef VM
#undef SEL

#define T double
#define DT f64
#define ONE 1.0
#define ZERO 0.0
#define SELU_L 0x1.0cfabd6a91132p+0
#define SELU_LA 0x1.c212cc640f031p+0
#define FMA fma
#define VM(name) vm_f64_##name
#define SEL relu__vs_sel_f64
#include "float_scalar.inc"
