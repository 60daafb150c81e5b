/*
 * The type macros of the AVX-512 float templates (float_avx512.inc,
 * prelu_avx512.inc) for f32; avx512_undef.h removes them. Deliberately no
 * include guard: included once before each f32 instantiation.
 */
#define T float
#define DT f32
#define V __m512
#define M __mmask16
#define W 16
#define ALLM 0xFFFF
#define LD _mm512_loadu_ps
#define MLD _mm512_maskz_loadu_ps
#define ST _mm512_storeu_ps
#define NTST _mm512_stream_ps
#define MST _mm512_mask_storeu_ps
#define SET1 _mm512_set1_ps
#define ZEROV _mm512_setzero_ps
#define CMP _mm512_cmp_ps_mask
#define MCMP _mm512_mask_cmp_ps_mask
#define MAX _mm512_max_ps
#define MIN _mm512_min_ps
#define ADD _mm512_add_ps
#define SUB _mm512_sub_ps
#define FMADD _mm512_fmadd_ps
#define MUL _mm512_mul_ps
#define MADD _mm512_mask_add_ps
#define MMUL _mm512_mask_mul_ps
#define MMOV _mm512_mask_mov_ps
#define MZMOV _mm512_maskz_mov_ps
#define MZCOMPRESS _mm512_maskz_compress_ps
#define MEXPAND _mm512_mask_expand_ps
#define FNMADD _mm512_fnmadd_ps
#define FIXUP _mm512_fixupimm_ps
#define FIXUP_TOKEN _mm512_set1_epi32
#define TAIL relu__avx512_tail_f32
#define ONE 1.0f
#define SELU_L 0x1.0cfabep+0f
#define SELU_LA 0x1.c212ccp+0f
/* The smallest normal, and the bound below which act_<dt>.inc returns
 * tanh(x) = x (its CMP_LT constant). */
#define MIN_NORMAL 0x1p-126f
#define TANH_TINY 0x1p-12f
/* act_f32.inc's low part of L*A (include that file first). */
#define SELU_LA_LO RELU__F32_SELU_LA_LO
