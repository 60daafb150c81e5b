/*
 * Force-included (gcc -include) into every librelu source on Windows by
 * CMakeLists.txt: fmaf(...) and fma(...) calls become the correctly rounded
 * relu__fmaf/relu__fma of src/port/fma.c instead of mingw-w64's, which round
 * twice. Function-like macros, so only calls are renamed (a struct member
 * called `fma` is not).
 */
#ifndef RELU_PORT_FMA_REDIRECT_H
#define RELU_PORT_FMA_REDIRECT_H

#include <math.h>

#include "fma.h"

#undef fmaf
#undef fma
#define fmaf(a, b, c) relu__fmaf((a), (b), (c))
#define fma(a, b, c) relu__fma((a), (b), (c))

#endif /* RELU_PORT_FMA_REDIRECT_H */
