// The "copy limit" of relu-bench-peers: three ways to move the same bytes.
// An activation reads and writes at least as much as a copy does, so the best
// of these, measured in the same run, is the ceiling a kernel is judged by.
#ifndef RELU_PEERS_COPY_H
#define RELU_PEERS_COPY_H

#include <cstddef>

namespace peers {

// libc's memcpy (glibc picks its own strategy, non-temporal above a size
// threshold).
void copy_memcpy(void *dst, const void *src, size_t bytes);
// A plain loop of the widest vector loads and stores this CPU has.
void copy_vector(void *dst, const void *src, size_t bytes);
// The same loop with non-temporal (streaming) stores, which skip the
// read-for-ownership of the destination lines.
void copy_stream(void *dst, const void *src, size_t bytes);
// "avx512", "avx2" or "sse2": what copy_vector/copy_stream run with.
const char *copy_isa();

}  // namespace peers

#endif
