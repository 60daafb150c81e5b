/*
 * Kernel tables and CPU detection. One table per ISA is filled at load time;
 * `relu__active` points at the table in use and is swapped atomically by
 * relu_use_isa, so a call loads it once and sees one consistent ISA.
 */
#ifndef RELU_DISPATCH_H
#define RELU_DISPATCH_H

#include "kernels.h"

/* The table in use; never NULL once the library is initialised. */
const relu__kernels *relu__kernels_active(void);

#endif /* RELU_DISPATCH_H */
