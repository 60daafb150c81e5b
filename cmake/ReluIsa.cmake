# Decides which ISA tiers this build contains. Output:
#   RELU_ISA_SOURCES      kernel sources of the built tiers, each carrying its
#                         own compile flags (set per source, never globally)
#   RELU_ISA_DEFINITIONS  RELU_BUILD_AVX2 / RELU_BUILD_AVX512 / RELU_BUILD_NEON
#   RELU_ARCH             x86_64, aarch64 or generic
# A tier is built only when the compiler accepts its flags and its intrinsics
# compile; anything else (32-bit ARM, RISC-V, ...) builds the scalar tier only.
include(CheckCSourceCompiles)

set(RELU_ISA_SOURCES "")
set(RELU_ISA_DEFINITIONS "")
string(TOLOWER "${CMAKE_SYSTEM_PROCESSOR}" _relu_proc)
if(_relu_proc MATCHES "^(x86_64|amd64|x64)$")
  set(RELU_ARCH x86_64)
elseif(_relu_proc MATCHES "^(aarch64|arm64)$")
  set(RELU_ARCH aarch64)
else()
  set(RELU_ARCH generic)
endif()

option(RELU_ENABLE_SIMD "Build the SIMD tiers the compiler supports" ON)

set(RELU_AVX2_FLAGS -mavx2 -mfma)
set(RELU_AVX512_FLAGS -mavx512f -mavx512bw -mavx512dq -mavx512vl)

function(relu_add_tier name flags definition test_source)
  string(REPLACE ";" " " _flags_str "${flags}")
  set(CMAKE_REQUIRED_FLAGS "${_flags_str}")
  check_c_source_compiles("${test_source}" RELU_COMPILER_HAS_${name})
  unset(CMAKE_REQUIRED_FLAGS)
  string(TOLOWER "${name}" _lname)
  file(GLOB _srcs CONFIGURE_DEPENDS
       ${PROJECT_SOURCE_DIR}/src/${RELU_ARCH_DIR}/*_${_lname}.c)
  if(RELU_COMPILER_HAS_${name} AND _srcs)
    set_source_files_properties(${_srcs} PROPERTIES COMPILE_OPTIONS "${flags};-fno-lto")
    set(RELU_ISA_SOURCES ${RELU_ISA_SOURCES} ${_srcs} PARENT_SCOPE)
    set(RELU_ISA_DEFINITIONS ${RELU_ISA_DEFINITIONS} ${definition} PARENT_SCOPE)
    message(STATUS "librelu: ${_lname} tier: built")
  else()
    message(STATUS "librelu: ${_lname} tier: not built")
  endif()
endfunction()

if(RELU_ENABLE_SIMD AND RELU_ARCH STREQUAL "x86_64")
  set(RELU_ARCH_DIR x86)
  relu_add_tier(AVX2 "${RELU_AVX2_FLAGS}" RELU_BUILD_AVX2 "
#include <immintrin.h>
int main(void) { __m256 a = _mm256_set1_ps(1.0f);
  a = _mm256_fmadd_ps(a, a, a); __m256i b = _mm256_add_epi32(_mm256_castps_si256(a), _mm256_set1_epi32(1));
  return _mm256_movemask_ps(_mm256_castsi256_ps(b)); }")
  relu_add_tier(AVX512 "${RELU_AVX512_FLAGS}" RELU_BUILD_AVX512 "
#include <immintrin.h>
int main(void) { __m512 a = _mm512_set1_ps(1.0f); __mmask16 m = _mm512_cmp_ps_mask(a, a, _CMP_LE_OQ);
  __m512i b = _mm512_maskz_loadu_epi8((__mmask64)m, &a); __m256 c = _mm256_mask_mov_ps(_mm256_setzero_ps(), (__mmask8)m, _mm256_set1_ps(1.0f));
  return (int)_mm512_reduce_add_ps(_mm512_fmadd_ps(a, a, _mm512_castsi512_ps(b))) + (int)_mm256_cvtss_f32(c)
       + (int)_mm512_movepi64_mask(_mm512_castps_si512(a)); }")
elseif(RELU_ENABLE_SIMD AND RELU_ARCH STREQUAL "aarch64")
  set(RELU_ARCH_DIR arm)
  relu_add_tier(NEON "" RELU_BUILD_NEON "
#include <arm_neon.h>
int main(void) { float32x4_t a = vdupq_n_f32(1.0f); a = vfmaq_f32(a, a, a);
  float64x2_t d = vfmaq_f64(vdupq_n_f64(1.0), vdupq_n_f64(1.0), vdupq_n_f64(1.0));
  return (int)vgetq_lane_f32(a, 0) + (int)vgetq_lane_f64(d, 0); }")
endif()
