/*
 * The x86 int8 kernels that the kernel list (src/kernels.h) does not declare:
 * the AVX-512 variants that also need AVX512-VBMI (registered only when
 * relu__cpu_detect reports it) and the clamp fast path of relu / clipped
 * with equal input and output quantization.
 *
 * Declarations only: every helper lives, `static inline`, in the file that
 * uses it (a non-static inline compiled with -mavx512f could be picked by the
 * linker for a caller on an older CPU, DESIGN.md).
 */
#ifndef RELU_X86_S8_X86_H
#define RELU_X86_S8_X86_H

#include <stddef.h>
#include <stdint.h>

#include "../kernels.h"

/* AVX-512 F+BW+DQ+VL plus VBMI (vpermi2b 256-entry lookups). */
relu__s8_lut_fn s8_lut__avx512vbmi;
relu__s8_grad_fn s8_grad__avx512vbmi;
relu__s8_prelu_fwd_fn s8_prelu_forward__avx512vbmi;
relu__s8_prelu_bwd_fn s8_prelu_backward__avx512vbmi;

/* The kernels registered for the s8 list entries of each tier. */
relu__s8_lut_fn s8_lut__avx2, s8_lut__avx512;
relu__s8_grad_fn s8_grad__avx2, s8_grad__avx512;
relu__s8_prelu_fwd_fn s8_prelu_forward__avx2, s8_prelu_forward__avx512;
relu__s8_prelu_bwd_fn s8_prelu_backward__avx2, s8_prelu_backward__avx512;

/* The lut preps (kernels.h) of the vpshufb-plan lookups; the VBMI lookup
 * needs none and keeps the scalar one. */
relu__s8_lut_prep_fn s8_lut_prep__avx2, s8_lut_prep__avx512;

/* The VBMI s8_grad's byte planes of the factors; the other variants take
 * the factors as they are and keep the scalar prep. */
relu__s8_grad_prep_fn s8_grad_prep__avx512vbmi;

/* Whole small PReLU calls (kernels.h); AVX-512: for both variants. */
relu__s8_prelu_fwd_small_fn s8_prelu_forward_small__avx2, s8_prelu_forward_small__avx512;
relu__s8_prelu_bwd_small_fn s8_prelu_backward_small__avx2, s8_prelu_backward_small__avx512;

/* Registers one variant's kernels for the four s8 list entries. */
#define S8_X86_FILL(t, isa)                                  \
    do {                                                     \
        (t)->s8_lut = s8_lut__##isa;                         \
        (t)->s8_grad = s8_grad__##isa;                       \
        (t)->s8_prelu_forward = s8_prelu_forward__##isa;     \
        (t)->s8_prelu_backward = s8_prelu_backward__##isa;   \
    } while (0)

/*
 * y[i] = min(max(x[i], lo), hi), signed: relu_forward_s8 with xq == yq is
 * (lo, hi) = (zero_point, 127), relu_clipped_forward_s8 with xq == yq is
 * (zero_point, map[127]) of its table. lo <= hi is assumed (lo > hi gives hi).
 */
void s8_clamp__avx2(const int8_t *x, int8_t *y, size_t n, int8_t lo, int8_t hi);
void s8_clamp__avx512(const int8_t *x, int8_t *y, size_t n, int8_t lo, int8_t hi);

#endif /* RELU_X86_S8_X86_H */
