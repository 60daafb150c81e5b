/*
 * The type macros of the AVX-512 float templates (float_avx512.inc,
 * prelu_avx512.inc) for f64; avx512_undef.h removes them. Deliberately no
 * include guard: included once before each f64 instantiation.
 */
#define T double
#define DT f64
#define V __m512d
#define M __mmask8
#define W 8
#define ALLM 0xFF
#define LD _mm512_loadu_pd
#define MLD _mm512_maskz_loadu_pd
#define ST _mm512_storeu_pd
#define NTST _mm512_stream_pd
#define MST _mm512_mask_storeu_pd
#define SET1 _mm512_set1_pd
#define ZEROV _mm512_setzero_pd
#define CMP _mm512_cmp_pd_mask
#define MCMP _mm512_mask_cmp_pd_mask
#define MAX _mm512_max_pd
#define MIN _mm512_min_pd
#define ADD _mm512_add_pd
#define SUB _mm512_sub_pd
#define FMADD _mm512_fmadd_pd
#define MUL _mm512_mul_pd
#define MADD _mm512_mask_add_pd
#define MMUL _mm512_mask_mul_pd
#define MMOV _mm512_mask_mov_pd
#define MZMOV _mm512_maskz_mov_pd
#define MZCOMPRESS _mm512_maskz_compress_pd
#define MEXPAND _mm512_mask_expand_pd
#define FNMADD _mm512_fnmadd_pd
#define FIXUP _mm512_fixupimm_pd
#define FIXUP_TOKEN _mm512_set1_epi64
#define TAIL relu__avx512_tail_f64
#define ONE 1.0
#define SELU_L 0x1.0cfabd6a91132p+0
#define SELU_LA 0x1.c212cc640f031p+0
/* The smallest normal, and the bound below which act_<dt>.inc returns
 * tanh(x) = x (its CMP_LT constant). */
#define MIN_NORMAL 0x1p-1022
#define TANH_TINY 0x1p-27
/* act_f64.inc's low part of L*A (include that file first). */
#define SELU_LA_LO RELU__F64_SELU_LA_LO
