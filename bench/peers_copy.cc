// Copy loops for the copy limit. The file is compiled with the project's
// baseline flags; the wide variants use target attributes and are only called
// when __builtin_cpu_supports says the CPU has them, so the binary still runs
// on any x86-64 (and builds elsewhere with the portable fallback).
#include "peers_copy.h"

#include <cstdint>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define PEERS_X86 1
#endif

namespace peers {

void copy_memcpy(void *dst, const void *src, size_t bytes) { std::memcpy(dst, src, bytes); }

#ifdef PEERS_X86
namespace {

// Four vectors per iteration so the loop is bound by the memory system, not
// by the loop overhead; unaligned loads because the caller's source offset is
// arbitrary.
__attribute__((target("avx512f"))) void vec512(char *d, const char *s, size_t b) {
  size_t i = 0;
  for (; i + 256 <= b; i += 256) {
    __m512i v0 = _mm512_loadu_si512(s + i);
    __m512i v1 = _mm512_loadu_si512(s + i + 64);
    __m512i v2 = _mm512_loadu_si512(s + i + 128);
    __m512i v3 = _mm512_loadu_si512(s + i + 192);
    _mm512_storeu_si512(d + i, v0);
    _mm512_storeu_si512(d + i + 64, v1);
    _mm512_storeu_si512(d + i + 128, v2);
    _mm512_storeu_si512(d + i + 192, v3);
  }
  for (; i + 64 <= b; i += 64) _mm512_storeu_si512(d + i, _mm512_loadu_si512(s + i));
  if (i < b) std::memcpy(d + i, s + i, b - i);
}

// Streaming stores need an aligned destination: copy the head normally.
__attribute__((target("avx512f"))) void nt512(char *d, const char *s, size_t b) {
  size_t head = (64 - (reinterpret_cast<uintptr_t>(d) & 63)) & 63;
  if (head > b) head = b;
  std::memcpy(d, s, head);
  size_t i = head;
  for (; i + 256 <= b; i += 256) {
    __m512i v0 = _mm512_loadu_si512(s + i);
    __m512i v1 = _mm512_loadu_si512(s + i + 64);
    __m512i v2 = _mm512_loadu_si512(s + i + 128);
    __m512i v3 = _mm512_loadu_si512(s + i + 192);
    _mm512_stream_si512(reinterpret_cast<__m512i *>(d + i), v0);
    _mm512_stream_si512(reinterpret_cast<__m512i *>(d + i + 64), v1);
    _mm512_stream_si512(reinterpret_cast<__m512i *>(d + i + 128), v2);
    _mm512_stream_si512(reinterpret_cast<__m512i *>(d + i + 192), v3);
  }
  for (; i + 64 <= b; i += 64)
    _mm512_stream_si512(reinterpret_cast<__m512i *>(d + i), _mm512_loadu_si512(s + i));
  _mm_sfence();  // streaming stores are weakly ordered: publish them before returning
  if (i < b) std::memcpy(d + i, s + i, b - i);
}

__attribute__((target("avx2"))) void vec256(char *d, const char *s, size_t b) {
  size_t i = 0;
  for (; i + 128 <= b; i += 128) {
    __m256i v0 = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(s + i));
    __m256i v1 = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(s + i + 32));
    __m256i v2 = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(s + i + 64));
    __m256i v3 = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(s + i + 96));
    _mm256_storeu_si256(reinterpret_cast<__m256i *>(d + i), v0);
    _mm256_storeu_si256(reinterpret_cast<__m256i *>(d + i + 32), v1);
    _mm256_storeu_si256(reinterpret_cast<__m256i *>(d + i + 64), v2);
    _mm256_storeu_si256(reinterpret_cast<__m256i *>(d + i + 96), v3);
  }
  if (i < b) std::memcpy(d + i, s + i, b - i);
}

__attribute__((target("avx2"))) void nt256(char *d, const char *s, size_t b) {
  size_t head = (32 - (reinterpret_cast<uintptr_t>(d) & 31)) & 31;
  if (head > b) head = b;
  std::memcpy(d, s, head);
  size_t i = head;
  for (; i + 128 <= b; i += 128) {
    __m256i v0 = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(s + i));
    __m256i v1 = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(s + i + 32));
    __m256i v2 = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(s + i + 64));
    __m256i v3 = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(s + i + 96));
    _mm256_stream_si256(reinterpret_cast<__m256i *>(d + i), v0);
    _mm256_stream_si256(reinterpret_cast<__m256i *>(d + i + 32), v1);
    _mm256_stream_si256(reinterpret_cast<__m256i *>(d + i + 64), v2);
    _mm256_stream_si256(reinterpret_cast<__m256i *>(d + i + 96), v3);
  }
  _mm_sfence();
  if (i < b) std::memcpy(d + i, s + i, b - i);
}

// SSE2 is part of x86-64, so this needs no target attribute.
void vec128(char *d, const char *s, size_t b) {
  size_t i = 0;
  for (; i + 64 <= b; i += 64) {
    __m128i v0 = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s + i));
    __m128i v1 = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s + i + 16));
    __m128i v2 = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s + i + 32));
    __m128i v3 = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s + i + 48));
    _mm_storeu_si128(reinterpret_cast<__m128i *>(d + i), v0);
    _mm_storeu_si128(reinterpret_cast<__m128i *>(d + i + 16), v1);
    _mm_storeu_si128(reinterpret_cast<__m128i *>(d + i + 32), v2);
    _mm_storeu_si128(reinterpret_cast<__m128i *>(d + i + 48), v3);
  }
  if (i < b) std::memcpy(d + i, s + i, b - i);
}

void nt128(char *d, const char *s, size_t b) {
  size_t head = (16 - (reinterpret_cast<uintptr_t>(d) & 15)) & 15;
  if (head > b) head = b;
  std::memcpy(d, s, head);
  size_t i = head;
  for (; i + 64 <= b; i += 64) {
    __m128i v0 = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s + i));
    __m128i v1 = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s + i + 16));
    __m128i v2 = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s + i + 32));
    __m128i v3 = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s + i + 48));
    _mm_stream_si128(reinterpret_cast<__m128i *>(d + i), v0);
    _mm_stream_si128(reinterpret_cast<__m128i *>(d + i + 16), v1);
    _mm_stream_si128(reinterpret_cast<__m128i *>(d + i + 32), v2);
    _mm_stream_si128(reinterpret_cast<__m128i *>(d + i + 48), v3);
  }
  _mm_sfence();
  if (i < b) std::memcpy(d + i, s + i, b - i);
}

int level() {
  static const int l = __builtin_cpu_supports("avx512f") ? 2 : __builtin_cpu_supports("avx2") ? 1 : 0;
  return l;
}

}  // namespace

void copy_vector(void *dst, const void *src, size_t bytes) {
  char *d = static_cast<char *>(dst);
  const char *s = static_cast<const char *>(src);
  switch (level()) {
    case 2: vec512(d, s, bytes); break;
    case 1: vec256(d, s, bytes); break;
    default: vec128(d, s, bytes); break;
  }
}

void copy_stream(void *dst, const void *src, size_t bytes) {
  char *d = static_cast<char *>(dst);
  const char *s = static_cast<const char *>(src);
  switch (level()) {
    case 2: nt512(d, s, bytes); break;
    case 1: nt256(d, s, bytes); break;
    default: nt128(d, s, bytes); break;
  }
}

const char *copy_isa() {
  static const char *const names[] = {"sse2", "avx2", "avx512"};
  return names[level()];
}

#else  // not x86-64: plain loops, and no streaming stores to offer

void copy_vector(void *dst, const void *src, size_t bytes) {
  char *d = static_cast<char *>(dst);
  const char *s = static_cast<const char *>(src);
  for (size_t i = 0; i < bytes; ++i) d[i] = s[i];
}
void copy_stream(void *dst, const void *src, size_t bytes) { std::memcpy(dst, src, bytes); }
const char *copy_isa() { return "generic"; }

#endif

}  // namespace peers
