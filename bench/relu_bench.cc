// relu-bench: Google Benchmark suite for librelu.
//
// Every op (relu, leaky, prelu, elu, selu, clipped, tanh; for s8 also
// relu_requant: relu between two quantizations, forward only, and prelu_cl:
// prelu forward with channels last, [n/64][64][1]) x direction
// (fwd; bwd = backward from x; bwdy = backward from the forward output y,
// f32/f64 only, not prelu) x dtype (f32, f64, s8) x ISA tier (every tier
// relu_isa_available() reports) x size x out of place / in place, plus a
// memcpy reference row per size. Names are
//
//     <dtype>/<op>/<dir>/<isa>/<input bytes>/<out|in>    f32/elu/fwd/avx512/65536/out
//     memcpy/copy/ref/libc/<bytes>/out
//
// so --benchmark_filter can select on any field, e.g. '/bwdy/avx2/' or
// '^s8/.*/(64|1024)/'. Three more families (issue 7):
//
//     <dtype>/<op>/<dir>/<isa>/65536/sub         all-subnormal x and dy, out of
//                                                place: leaky, prelu, elu fwd and
//                                                bwd, f32 and f64, every tier,
//                                                next to the /out row of the op
//     call/<dtype>/<op>/<dir>/<isa>/<n>          n = 16 and 64: ns_call is the
//                                                cost of one small call
//     mt/<dtype>/<op>/fwd/<isa>/<n>/t<1|2>       one 16 Mi-element call with 1
//     mt/memcpy/copy/ref/libc/<bytes>/t<1|2>     and 2 threads; memcpy split the
//                                                same way, for the scaling ratio
//
// e.g. '^call/' --benchmark_repetitions=7 for the per-call table, '^mt/' for
// thread scaling (--relu_mt_sweep adds 4 Ki..8 Mi elements).
//
// Sizes are input bytes: 4 KiB, 64 KiB, 1 MiB, 16 MiB (+ 256 MiB with
// --relu_huge or RELU_BENCH_HUGE=1; needs ~2.2 GiB of RAM), and for s8 also
// n = 64 and n = 1024 elements, which show the per-call cost.
//
// bytes_per_second counts bytes read + written: forward 2 buffers, backward 3
// (x or y, dy, dx); memcpy 2 (read + write). items_per_second counts elements.
//
// Inputs are deterministic pseudo-random: x is half negative, |x| in
// [1/64, 8] (a quarter of the positives above the clipped cap 6, the negatives
// reach deep into the exp path of elu/selu/tanh), 1/256 exact zeros; dy has a
// random sign, |dy| in [1/16, 2]; s8 inputs are uniform over all 256 codes.
//
// In place means y == x (forward) and dx == dy (backward), as frameworks
// alias them. Repeating an in-place call on its own output would drift the
// data (elu/tanh inputs shrink, selu overflows, a gradient scaled by f' < 1
// on every call sinks into subnormals, which the library never flushes), so
// each in-place call gets a fresh copy of the pristine input: the copies are
// made outside the timed region (a batch of calls on a ring of copies of at
// most 32 KiB is timed), so only the calls are measured.
//
// bytes_per_second, items_per_second and t_call (seconds per call) come from
// wall-clock time of the calls alone (so they hold with --relu_threads too).
// The Time column is Google Benchmark's per-iteration wall time: per call out
// of place, but per batch and including the refresh in place.
//
// Extra flags (stripped before benchmark::Initialize):
//   --relu_threads=N   relu_set_num_threads(N) before running
//   --relu_huge        also run 256 MiB inputs (or RELU_BENCH_HUGE=1)
// Unless --benchmark_min_time is given, it defaults to 0.05 s per benchmark
// (RELU_BENCH_MIN_TIME=<seconds> changes that default) to keep the whole
// default run short.

#include <relu.h>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

// ------------------------------------------------------------- parameters

constexpr size_t kChannels = 64;  // PReLU as NCHW: [outer=1][C=64][inner=n/64]
constexpr double kLeakyAlpha = 0.01;
constexpr double kEluAlpha = 1.0;
constexpr double kCap = 6.0;

template <class T> T g_prelu_alpha[kChannels];      // in [0.01, 0.3]
template <class T> T g_dalpha[kChannels];

// s8: x in [-8, 7.94]; tanh output uses the full code range for [0, 1], and
// relu_requant (relu into a quantization of its own, as after a layer whose
// output is requantized) the full range for [0, 8]: y = -128 + round(1.99 x).
const relu_quant g_xq = {0.0625f, 0};
const relu_quant g_yq = {0.0625f, 0};
const relu_quant g_yq_tanh = {1.0f / 255.0f, -128};
const relu_quant g_yq_requant = {8.0f / 255.0f, -128};
const relu_quant g_dyq = {1.0f / 64.0f, 0};
const relu_quant g_dxq = {1.0f / 64.0f, 0};

void init_params() {
  for (size_t c = 0; c < kChannels; ++c) {
    double a = 0.01 + 0.29 * static_cast<double>(c) / (kChannels - 1);
    g_prelu_alpha<float>[c] = static_cast<float>(a);
    g_prelu_alpha<double>[c] = a;
  }
}

// ------------------------------------------------------------ the kernels
//
// Every call has the same shape: (a, b, out, n) where a is x (fwd, bwd) or
// y (bwdy), b is dy (backward only), out is y or dx.

template <class T>
using Kern = relu_status (*)(const T *a, const T *b, T *out, size_t n);

template <class T> struct K;

#define RELU_BENCH_FLOAT_KERNELS(T, S)                                                        \
  template <> struct K<T> {                                                                   \
    static relu_status relu_f(const T *x, const T *, T *y, size_t n) {                  \
      return relu_forward_##S(x, y, n);                                                       \
    }                                                                                         \
    static relu_status relu_b(const T *x, const T *dy, T *dx, size_t n) {               \
      return relu_backward_##S(x, dy, dx, n);                                                 \
    }                                                                                         \
    static relu_status relu_by(const T *y, const T *dy, T *dx, size_t n) {              \
      return relu_backward_from_output_##S(y, dy, dx, n);                                     \
    }                                                                                         \
    static relu_status leaky_f(const T *x, const T *, T *y, size_t n) {             \
      return relu_leaky_forward_##S(x, y, n, T(kLeakyAlpha));                                  \
    }                                                                                         \
    static relu_status leaky_b(const T *x, const T *dy, T *dx, size_t n) {              \
      return relu_leaky_backward_##S(x, dy, dx, n, T(kLeakyAlpha));                           \
    }                                                                                         \
    static relu_status leaky_by(const T *y, const T *dy, T *dx, size_t n) {             \
      return relu_leaky_backward_from_output_##S(y, dy, dx, n, T(kLeakyAlpha));               \
    }                                                                                         \
    static relu_status prelu_f(const T *x, const T *, T *y, size_t n) {             \
      return relu_prelu_forward_##S(x, y, g_prelu_alpha<T>, 1,                                 \
                                    kChannels, n / kChannels);                                \
    }                                                                                         \
    static relu_status prelu_b(const T *x, const T *dy, T *dx, size_t n) {              \
      return relu_prelu_backward_##S(x, dy, g_prelu_alpha<T>, dx, g_dalpha<T>, 1, kChannels,  \
                                     n / kChannels);                                          \
    }                                                                                         \
    static relu_status elu_f(const T *x, const T *, T *y, size_t n) {                   \
      return relu_elu_forward_##S(x, y, n, T(kEluAlpha));                                     \
    }                                                                                         \
    static relu_status elu_b(const T *x, const T *dy, T *dx, size_t n) {                \
      return relu_elu_backward_##S(x, dy, dx, n, T(kEluAlpha));                               \
    }                                                                                         \
    static relu_status elu_by(const T *y, const T *dy, T *dx, size_t n) {               \
      return relu_elu_backward_from_output_##S(y, dy, dx, n, T(kEluAlpha));                   \
    }                                                                                         \
    static relu_status selu_f(const T *x, const T *, T *y, size_t n) {                  \
      return relu_selu_forward_##S(x, y, n);                                                  \
    }                                                                                         \
    static relu_status selu_b(const T *x, const T *dy, T *dx, size_t n) {               \
      return relu_selu_backward_##S(x, dy, dx, n);                                            \
    }                                                                                         \
    static relu_status selu_by(const T *y, const T *dy, T *dx, size_t n) {              \
      return relu_selu_backward_from_output_##S(y, dy, dx, n);                                \
    }                                                                                         \
    static relu_status clipped_f(const T *x, const T *, T *y, size_t n) {               \
      return relu_clipped_forward_##S(x, y, n, T(kCap));                                      \
    }                                                                                         \
    static relu_status clipped_b(const T *x, const T *dy, T *dx, size_t n) {            \
      return relu_clipped_backward_##S(x, dy, dx, n, T(kCap));                                \
    }                                                                                         \
    static relu_status clipped_by(const T *y, const T *dy, T *dx, size_t n) {           \
      return relu_clipped_backward_from_output_##S(y, dy, dx, n, T(kCap));                    \
    }                                                                                         \
    static relu_status tanh_f(const T *x, const T *, T *y, size_t n) {                  \
      return relu_tanh_forward_##S(x, y, n);                                                  \
    }                                                                                         \
    static relu_status tanh_b(const T *x, const T *dy, T *dx, size_t n) {               \
      return relu_tanh_backward_##S(x, dy, dx, n);                                            \
    }                                                                                         \
    static relu_status tanh_by(const T *y, const T *dy, T *dx, size_t n) {              \
      return relu_tanh_backward_from_output_##S(y, dy, dx, n);                                \
    }                                                                                         \
  };

RELU_BENCH_FLOAT_KERNELS(float, f32)
RELU_BENCH_FLOAT_KERNELS(double, f64)
#undef RELU_BENCH_FLOAT_KERNELS

template <> struct K<int8_t> {
  using T = int8_t;
  static relu_status relu_f(const T *x, const T *, T *y, size_t n) {
    return relu_forward_s8(x, y, n, &g_xq, &g_yq);
  }
  static relu_status relu_b(const T *x, const T *dy, T *dx, size_t n) {
    return relu_backward_s8(x, dy, dx, n, &g_xq, &g_dyq, &g_dxq);
  }
  static relu_status relu_requant_f(const T *x, const T *, T *y, size_t n) {
    return relu_forward_s8(x, y, n, &g_xq, &g_yq_requant);
  }
  static relu_status leaky_f(const T *x, const T *, T *y, size_t n) {
    return relu_leaky_forward_s8(x, y, n, float(kLeakyAlpha), &g_xq, &g_yq);
  }
  static relu_status leaky_b(const T *x, const T *dy, T *dx, size_t n) {
    return relu_leaky_backward_s8(x, dy, dx, n, float(kLeakyAlpha), &g_xq, &g_dyq, &g_dxq);
  }
  static relu_status prelu_f(const T *x, const T *, T *y, size_t n) {
    return relu_prelu_forward_s8(x, y, g_prelu_alpha<float>, 1, kChannels, n / kChannels, &g_xq,
                                 &g_yq);
  }
  static relu_status prelu_b(const T *x, const T *dy, T *dx, size_t n) {
    return relu_prelu_backward_s8(x, dy, g_prelu_alpha<float>, dx, g_dalpha<float>, 1, kChannels,
                                  n / kChannels, &g_xq, &g_dyq, &g_dxq);
  }
  // channels last: [outer=n/64][C=64][inner=1], every vector lane its own channel
  static relu_status prelu_cl_f(const T *x, const T *, T *y, size_t n) {
    return relu_prelu_forward_s8(x, y, g_prelu_alpha<float>, n / kChannels, kChannels, 1, &g_xq,
                                 &g_yq);
  }
  static relu_status elu_f(const T *x, const T *, T *y, size_t n) {
    return relu_elu_forward_s8(x, y, n, float(kEluAlpha), &g_xq, &g_yq);
  }
  static relu_status elu_b(const T *x, const T *dy, T *dx, size_t n) {
    return relu_elu_backward_s8(x, dy, dx, n, float(kEluAlpha), &g_xq, &g_dyq, &g_dxq);
  }
  static relu_status selu_f(const T *x, const T *, T *y, size_t n) {
    return relu_selu_forward_s8(x, y, n, &g_xq, &g_yq);
  }
  static relu_status selu_b(const T *x, const T *dy, T *dx, size_t n) {
    return relu_selu_backward_s8(x, dy, dx, n, &g_xq, &g_dyq, &g_dxq);
  }
  static relu_status clipped_f(const T *x, const T *, T *y, size_t n) {
    return relu_clipped_forward_s8(x, y, n, float(kCap), &g_xq, &g_yq);
  }
  static relu_status clipped_b(const T *x, const T *dy, T *dx, size_t n) {
    return relu_clipped_backward_s8(x, dy, dx, n, float(kCap), &g_xq, &g_dyq, &g_dxq);
  }
  static relu_status tanh_f(const T *x, const T *, T *y, size_t n) {
    return relu_tanh_forward_s8(x, y, n, &g_xq, &g_yq_tanh);
  }
  static relu_status tanh_b(const T *x, const T *dy, T *dx, size_t n) {
    return relu_tanh_backward_s8(x, dy, dx, n, &g_xq, &g_dyq, &g_dxq);
  }
};

// ---------------------------------------------------------------- buffers

uint64_t splitmix64(uint64_t &s) {
  uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

enum Role { kX = 0, kDy = 1, kWork1 = 2, kWork2 = 3, kXSub = 4, kDySub = 5 };

// All-subnormal data (the /sub rows): a random sign and a random non-zero
// mantissa under the smallest-normal exponent, for x and dy alike.
template <class T> void fill_subnormal(T *p, size_t n, Role role) {
  uint64_t s = 0x5EEDull + static_cast<uint64_t>(role);
  for (size_t i = 0; i < n; ++i) {
    const uint64_t r = splitmix64(s);
    if (sizeof(T) == 4) {
      uint32_t bits = static_cast<uint32_t>(r >> 32) & 0x007FFFFFu;
      bits |= (bits == 0) | (static_cast<uint32_t>(r & 1) << 31);
      std::memcpy(&p[i], &bits, sizeof bits);
    } else {
      uint64_t bits = (r >> 12) & 0x000FFFFFFFFFFFFFull;
      bits |= (bits == 0) | ((r & 1) << 63);
      std::memcpy(&p[i], &bits, sizeof bits);
    }
  }
}

template <class T> void fill(T *p, size_t n, Role role) {
  uint64_t s = 0x5EEDull + static_cast<uint64_t>(role);  // same prefix at every size
  if (role == kXSub || role == kDySub) return fill_subnormal(p, n, role);
  for (size_t i = 0; i < n; ++i) {
    uint64_t r = splitmix64(s);
    double u = static_cast<double>(r >> 11) * 0x1p-53;  // [0, 1)
    bool neg = (r & 1) != 0;
    double v;
    if (role == kX)
      v = ((r >> 1) & 255) == 0 ? 0.0 : 1.0 / 64 + (8.0 - 1.0 / 64) * u;
    else
      v = 1.0 / 16 + (2.0 - 1.0 / 16) * u;
    p[i] = static_cast<T>(neg ? -v : v);
  }
}

template <> void fill<int8_t>(int8_t *p, size_t n, Role role) {
  uint64_t s = 0x5EEDull + static_cast<uint64_t>(role);
  for (size_t i = 0; i < n; ++i) p[i] = static_cast<int8_t>(splitmix64(s) & 0xFF);
}

// One allocation per (role, dtype, bytes), kept for the whole run. Buffers of
// different roles start at different offsets modulo 4 KiB so that x, dy and
// the outputs do not alias in the store-forwarding / cache-set sense.
struct Buffer {
  void *base = nullptr;
  void *data = nullptr;
  ~Buffer() { std::free(base); }
};

void *buffer(Role role, const char *dtype, size_t bytes, void (*init)(void *, size_t, Role)) {
  static std::map<std::string, std::unique_ptr<Buffer>> cache;
  std::string key = std::to_string(role) + "/" + dtype + "/" + std::to_string(bytes);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second->data;
  std::unique_ptr<Buffer> b(new Buffer);
  const size_t offset = 320 * static_cast<size_t>(role);
  if (posix_memalign(&b->base, 4096, bytes + 4096) != 0) {
    std::fprintf(stderr, "relu-bench: cannot allocate %zu bytes\n", bytes);
    std::exit(1);
  }
  b->data = static_cast<char *>(b->base) + offset;
  if (init)
    init(b->data, bytes, role);
  else
    std::memset(b->data, 0, bytes);  // fault the pages in before timing
  void *p = b->data;
  cache.emplace(key, std::move(b));
  return p;
}

template <class T> struct Dtype;
template <> struct Dtype<float> { static constexpr const char *name = "f32"; };
template <> struct Dtype<double> { static constexpr const char *name = "f64"; };
template <> struct Dtype<int8_t> { static constexpr const char *name = "s8"; };

template <class T> void init_typed(void *p, size_t bytes, Role role) {
  fill(static_cast<T *>(p), bytes / sizeof(T), role);
}
template <class T> const T *pristine(Role role, size_t bytes) {
  return static_cast<const T *>(buffer(role, Dtype<T>::name, bytes, &init_typed<T>));
}
template <class T> T *work(Role role, size_t bytes) {
  return static_cast<T *>(buffer(role, "raw", bytes, nullptr));
}

// -------------------------------------------------------------- the bodies

enum Dir { kFwd, kBwd, kBwdY };
const char *dir_name(Dir d) { return d == kFwd ? "fwd" : d == kBwd ? "bwd" : "bwdy"; }

struct IsaScope {
  relu_isa prev;
  bool ok;
  explicit IsaScope(relu_isa isa) : prev(relu_active_isa()), ok(relu_use_isa(isa) == RELU_OK) {}
  ~IsaScope() { relu_use_isa(prev); }
};

template <class T> struct Case {
  const char *op;
  Dir dir;
  relu_isa isa;
  size_t bytes;  // input bytes
  bool in_place;
  bool subnormal;  // x and dy all subnormal (out of place only)
  Kern<T> fwd;   // bwdy: the op's forward, to make y
  std::shared_ptr<bool> checked;  // a first call returned RELU_OK
};

// The forward output y for bwdy, kept while consecutive benchmarks (tiers,
// in/out of place) share op, dtype and size; results are identical on every
// tier, so it is computed once.
template <class T> const T *forward_output(const Case<T> &c, const T *x, relu_status *s) {
  static std::string key;
  T *y = work<T>(kWork2, c.bytes);
  std::string k = std::string(c.op) + "/" + Dtype<T>::name + "/" + std::to_string(c.bytes);
  if (k != key) {
    key.clear();
    *s = c.fwd(x, nullptr, y, c.bytes / sizeof(T));
    if (*s == RELU_OK) key = k;
  }
  return y;
}

// In place, a batch of calls is timed at once (two clock reads per batch);
// each call works on its own copy of the aliased input, refreshed from the
// pristine data before the batch, outside the timed region. Batches cover up
// to 32 KiB, so small calls are not dominated by the clock and the ring stays
// L1-resident.
constexpr size_t kRingBytes = 32 << 10;

using Clock = std::chrono::steady_clock;

// Rates from our own wall-clock measurement of the calls: Google Benchmark
// would divide by this thread's CPU time (wrong with --relu_threads, and it
// cannot leave out the in-place refresh), and UseRealTime/UseManualTime would
// append "/real_time" to every name.
void report(benchmark::State &st, int64_t calls, double seconds, size_t bytes_per_call,
            size_t items_per_call) {
  if (calls <= 0 || !(seconds > 0)) return;
  const double c = static_cast<double>(calls);
  st.counters["bytes_per_second"] = c * static_cast<double>(bytes_per_call) / seconds;
  st.counters["items_per_second"] = c * static_cast<double>(items_per_call) / seconds;
  st.counters["t_call"] = seconds / c;  // seconds per call
}

template <class T, Kern<T> F> void body(benchmark::State &st, const Case<T> &c) {
  IsaScope scope(c.isa);
  if (!scope.ok) {
    st.SkipWithError("relu_use_isa failed");
    return;
  }
  const size_t n = c.bytes / sizeof(T);
  const T *x = pristine<T>(c.subnormal ? kXSub : kX, c.bytes);
  const T *dy = c.dir == kFwd ? nullptr : pristine<T>(c.subnormal ? kDySub : kDy, c.bytes);
  const T *a = x;  // x, or y for bwdy
  relu_status s = RELU_OK;
  if (c.dir == kBwdY) a = forward_output(c, x, &s);
  // A first call checks the status and warms caches; for large sizes (where
  // warm caches do not matter and a scalar call can take 100 ms) only once.
  const bool first_call = !*c.checked || c.bytes < (size_t(1) << 20);
  int64_t calls = 0;
  double seconds = 0;  // wall time of the calls alone
  if (!c.in_place) {
    T *out = work<T>(kWork1, c.bytes);
    if (s == RELU_OK && first_call) s = F(a, dy, out, n);
    if (s != RELU_OK) {
      st.SkipWithError(relu_status_string(s));
      return;
    }
    *c.checked = true;
    const auto t0 = Clock::now();
    for (auto _ : st) F(a, dy, out, n);
    seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    calls = static_cast<int64_t>(st.iterations());
  } else {
    // fwd: y == x; bwd, bwdy: dx == dy.
    const size_t ring = c.bytes >= kRingBytes ? 1 : kRingBytes / c.bytes;
    T *buf = work<T>(kWork1, ring * c.bytes);
    const T *src = c.dir == kFwd ? x : dy;
    if (s == RELU_OK && first_call) {
      std::memcpy(buf, src, c.bytes);
      s = c.dir == kFwd ? F(buf, nullptr, buf, n) : F(a, buf, buf, n);
    }
    if (s != RELU_OK) {
      st.SkipWithError(relu_status_string(s));
      return;
    }
    *c.checked = true;
    for (auto _ : st) {
      for (size_t r = 0; r < ring; ++r) std::memcpy(buf + r * n, src, c.bytes);
      benchmark::ClobberMemory();
      const auto t0 = Clock::now();
      if (c.dir == kFwd)
        for (size_t r = 0; r < ring; ++r) F(buf + r * n, nullptr, buf + r * n, n);
      else
        for (size_t r = 0; r < ring; ++r) F(a, buf + r * n, buf + r * n, n);
      seconds += std::chrono::duration<double>(Clock::now() - t0).count();
    }
    calls = static_cast<int64_t>(st.iterations()) * static_cast<int64_t>(ring);
  }
  benchmark::ClobberMemory();
  report(st, calls, seconds, (c.dir == kFwd ? 2 : 3) * c.bytes, n);
}

void memcpy_body(benchmark::State &st, size_t bytes) {
  const void *src = pristine<int8_t>(kX, bytes);
  void *dst = work<int8_t>(kWork1, bytes);
  std::memcpy(dst, src, bytes);
  const auto t0 = Clock::now();
  for (auto _ : st) {
    std::memcpy(dst, src, bytes);
    benchmark::DoNotOptimize(dst);
    benchmark::ClobberMemory();
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  report(st, static_cast<int64_t>(st.iterations()), seconds, 2 * bytes, bytes);
}

// ----------------------------------------------------------- the op tables

template <class T> struct Row {
  const char *op;
  Dir dir;
  void (*run)(benchmark::State &, const Case<T> &);
  Kern<T> fwd;  // for bwdy
};

template <class T> std::vector<Row<T>> float_rows() {
  using k = K<T>;
  return {
      {"relu", kFwd, &body<T, &k::relu_f>, nullptr},
      {"relu", kBwd, &body<T, &k::relu_b>, nullptr},
      {"relu", kBwdY, &body<T, &k::relu_by>, &k::relu_f},
      {"leaky", kFwd, &body<T, &k::leaky_f>, nullptr},
      {"leaky", kBwd, &body<T, &k::leaky_b>, nullptr},
      {"leaky", kBwdY, &body<T, &k::leaky_by>, &k::leaky_f},
      {"prelu", kFwd, &body<T, &k::prelu_f>, nullptr},
      {"prelu", kBwd, &body<T, &k::prelu_b>, nullptr},
      {"elu", kFwd, &body<T, &k::elu_f>, nullptr},
      {"elu", kBwd, &body<T, &k::elu_b>, nullptr},
      {"elu", kBwdY, &body<T, &k::elu_by>, &k::elu_f},
      {"selu", kFwd, &body<T, &k::selu_f>, nullptr},
      {"selu", kBwd, &body<T, &k::selu_b>, nullptr},
      {"selu", kBwdY, &body<T, &k::selu_by>, &k::selu_f},
      {"clipped", kFwd, &body<T, &k::clipped_f>, nullptr},
      {"clipped", kBwd, &body<T, &k::clipped_b>, nullptr},
      {"clipped", kBwdY, &body<T, &k::clipped_by>, &k::clipped_f},
      {"tanh", kFwd, &body<T, &k::tanh_f>, nullptr},
      {"tanh", kBwd, &body<T, &k::tanh_b>, nullptr},
      {"tanh", kBwdY, &body<T, &k::tanh_by>, &k::tanh_f},
  };
}

std::vector<Row<int8_t>> s8_rows() {
  using T = int8_t;
  using k = K<T>;
  return {
      {"relu", kFwd, &body<T, &k::relu_f>, nullptr},
      {"relu", kBwd, &body<T, &k::relu_b>, nullptr},
      {"relu_requant", kFwd, &body<T, &k::relu_requant_f>, nullptr},
      {"leaky", kFwd, &body<T, &k::leaky_f>, nullptr},
      {"leaky", kBwd, &body<T, &k::leaky_b>, nullptr},
      {"prelu", kFwd, &body<T, &k::prelu_f>, nullptr},
      {"prelu", kBwd, &body<T, &k::prelu_b>, nullptr},
      {"prelu_cl", kFwd, &body<T, &k::prelu_cl_f>, nullptr},
      {"elu", kFwd, &body<T, &k::elu_f>, nullptr},
      {"elu", kBwd, &body<T, &k::elu_b>, nullptr},
      {"selu", kFwd, &body<T, &k::selu_f>, nullptr},
      {"selu", kBwd, &body<T, &k::selu_b>, nullptr},
      {"clipped", kFwd, &body<T, &k::clipped_f>, nullptr},
      {"clipped", kBwd, &body<T, &k::clipped_b>, nullptr},
      {"tanh", kFwd, &body<T, &k::tanh_f>, nullptr},
      {"tanh", kBwd, &body<T, &k::tanh_b>, nullptr},
  };
}

// ------------------------------------------------------------ registration

std::string bench_name(const char *dtype, const char *op, const char *dir, const char *isa,
                       size_t bytes, bool in_place) {
  return std::string(dtype) + "/" + op + "/" + dir + "/" + isa + "/" + std::to_string(bytes) +
         (in_place ? "/in" : "/out");
}

// The ops whose subnormal behaviour issue 7's 1.5x rule covers: their /sub
// rows (all-subnormal x and dy, out of place, 64 KiB, every tier) run right
// after the /out rows of the same op, size and tier.
constexpr size_t kSubnormalBytes = size_t(64) << 10;
bool has_subnormal_row(const char *dtype, const char *op, Dir dir) {
  if (std::strcmp(dtype, "s8") == 0 || dir == kBwdY) return false;
  return std::strcmp(op, "leaky") == 0 || std::strcmp(op, "prelu") == 0 ||
         std::strcmp(op, "elu") == 0;
}

template <class T>
void register_rows(const std::vector<Row<T>> &rows, const std::vector<size_t> &sizes,
                   const std::vector<relu_isa> &isas) {
  enum Place { kOut, kIn, kSub };
  for (const Row<T> &row : rows)
    for (size_t bytes : sizes)
      for (Place place : {kOut, kSub, kIn}) {
        if (place == kSub &&
            (bytes != kSubnormalBytes || !has_subnormal_row(Dtype<T>::name, row.op, row.dir)))
          continue;
        for (relu_isa isa : isas) {
          Case<T> c{row.op,  row.dir,      isa, bytes, place == kIn, place == kSub,
                    row.fwd, std::make_shared<bool>(false)};
          auto run = row.run;
          std::string name = bench_name(Dtype<T>::name, row.op, dir_name(row.dir),
                                        relu_isa_name(isa), bytes, place == kIn);
          if (place == kSub) name = name.substr(0, name.size() - 3) + "sub";
          benchmark::RegisterBenchmark(name.c_str(),
                                       [run, c](benchmark::State &st) { run(st, c); })
              ->Unit(benchmark::kMicrosecond);
        }
      }
}

// ------------------------------------------------------- per-call cost rows
//
// call/<dtype>/<op>/<dir>/<isa>/<n>: the same small out-of-place call
// repeated on L1-resident buffers; ns_call is nanoseconds per call
// (validation + dispatch + environment + kernel). PReLU runs as
// [1][4][n/4]; s8 relu takes the clamp path (equal quantizations), s8 elu
// the table lookup.

template <class T, Kern<T> F>
void call_body(benchmark::State &st, relu_isa isa, size_t n, Dir dir) {
  IsaScope scope(isa);
  if (!scope.ok) {
    st.SkipWithError("relu_use_isa failed");
    return;
  }
  const size_t bytes = n * sizeof(T);
  const T *x = pristine<T>(kX, bytes);
  const T *dy = dir == kFwd ? nullptr : pristine<T>(kDy, bytes);
  T *out = work<T>(kWork1, bytes);
  relu_status s = F(x, dy, out, n);
  if (s != RELU_OK) {
    st.SkipWithError(relu_status_string(s));
    return;
  }
  const auto t0 = Clock::now();
  for (auto _ : st) {
    benchmark::DoNotOptimize(F(x, dy, out, n));
    benchmark::ClobberMemory();
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  report(st, static_cast<int64_t>(st.iterations()), seconds, (dir == kFwd ? 2 : 3) * bytes, n);
  if (st.iterations() > 0)
    st.counters["ns_call"] = 1e9 * seconds / static_cast<double>(st.iterations());
}

constexpr size_t kCallChannels = 4;
template <class T> T g_call_alpha[kCallChannels] = {T(0.01), T(0.1), T(0.2), T(0.3)};
template <class T> T g_call_dalpha[kCallChannels];

struct CallK {
  static relu_status prelu_f32_f(const float *x, const float *, float *y, size_t n) {
    return relu_prelu_forward_f32(x, y, g_call_alpha<float>, 1, kCallChannels, n / kCallChannels);
  }
  static relu_status prelu_f32_b(const float *x, const float *dy, float *dx, size_t n) {
    return relu_prelu_backward_f32(x, dy, g_call_alpha<float>, dx, g_call_dalpha<float>, 1,
                                   kCallChannels, n / kCallChannels);
  }
  static relu_status prelu_s8_f(const int8_t *x, const int8_t *, int8_t *y, size_t n) {
    return relu_prelu_forward_s8(x, y, g_call_alpha<float>, 1, kCallChannels, n / kCallChannels,
                                 &g_xq, &g_yq);
  }
  static relu_status prelu_s8_b(const int8_t *x, const int8_t *dy, int8_t *dx, size_t n) {
    return relu_prelu_backward_s8(x, dy, g_call_alpha<float>, dx, g_call_dalpha<float>, 1,
                                  kCallChannels, n / kCallChannels, &g_xq, &g_dyq, &g_dxq);
  }
};

void register_call_rows(const std::vector<relu_isa> &isas) {
  struct CallRow {
    const char *dtype, *op;
    Dir dir;
    void (*run)(benchmark::State &, relu_isa, size_t, Dir);
  };
  using kf = K<float>;
  using kd = K<double>;
  using ks = K<int8_t>;
  const CallRow rows[] = {
      {"f32", "relu", kFwd, &call_body<float, &kf::relu_f>},
      {"f32", "leaky", kFwd, &call_body<float, &kf::leaky_f>},
      {"f32", "elu", kFwd, &call_body<float, &kf::elu_f>},
      {"f32", "relu", kBwd, &call_body<float, &kf::relu_b>},
      {"f32", "elu", kBwd, &call_body<float, &kf::elu_b>},
      {"f32", "elu", kBwdY, &call_body<float, &kf::elu_by>},
      {"f32", "selu", kFwd, &call_body<float, &kf::selu_f>},
      {"f32", "clipped", kFwd, &call_body<float, &kf::clipped_f>},
      {"f32", "tanh", kFwd, &call_body<float, &kf::tanh_f>},
      {"f32", "tanh", kBwd, &call_body<float, &kf::tanh_b>},
      {"f32", "prelu", kFwd, &call_body<float, &CallK::prelu_f32_f>},
      {"f32", "prelu", kBwd, &call_body<float, &CallK::prelu_f32_b>},
      {"f64", "relu", kFwd, &call_body<double, &kd::relu_f>},
      {"f64", "elu", kFwd, &call_body<double, &kd::elu_f>},
      {"f64", "elu", kBwd, &call_body<double, &kd::elu_b>},
      {"s8", "relu", kFwd, &call_body<int8_t, &ks::relu_f>},
      {"s8", "elu", kFwd, &call_body<int8_t, &ks::elu_f>},
      {"s8", "relu", kBwd, &call_body<int8_t, &ks::relu_b>},
      {"s8", "elu", kBwd, &call_body<int8_t, &ks::elu_b>},
      {"s8", "prelu", kFwd, &call_body<int8_t, &CallK::prelu_s8_f>},
      {"s8", "prelu", kBwd, &call_body<int8_t, &CallK::prelu_s8_b>},
  };
  for (const CallRow &r : rows)
    for (size_t n : {size_t(16), size_t(64)})
      for (relu_isa isa : isas) {
        auto run = r.run;
        const Dir dir = r.dir;
        benchmark::RegisterBenchmark(("call/" + std::string(r.dtype) + "/" + r.op + "/" +
                                      dir_name(r.dir) + "/" + relu_isa_name(isa) + "/" +
                                      std::to_string(n))
                                         .c_str(),
                                     [run, isa, n, dir](benchmark::State &st) {
                                       run(st, isa, n, dir);
                                     })
            ->Unit(benchmark::kNanosecond);
      }
}

// ---------------------------------------------------------- thread scaling
//
// mt/<dtype>/<op>/<dir>/<isa>/<n elements>/t<threads>: one large out-of-place
// call with relu_set_num_threads(threads) (restored afterwards), and
// mt/memcpy/copy/ref/libc/<bytes>/t<threads>: memcpy of the same bytes cut in
// `threads` contiguous parts, run by the caller and threads-1 persistent
// helper threads woken per call (as librelu's pool is), i.e. what the memory
// system gives two cores. Speed-ups are ratios of rows of the same run.
// Default: 16 Mi elements, 1 and 2 threads. --relu_mt_sweep adds 4 Ki..8 Mi
// elements (for measuring RELU_PARALLEL_MIN_BYTES, see src/threads.h).

class CopyPool {
 public:
  explicit CopyPool(int helpers) {
    for (int i = 0; i < helpers; ++i) threads_.emplace_back([this, i] { loop(i + 1); });
  }
  ~CopyPool() {
    {
      std::lock_guard<std::mutex> g(m_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto &t : threads_) t.join();
  }
  void copy(void *dst, const void *src, size_t bytes) {
    const int parts = static_cast<int>(threads_.size()) + 1;
    {
      std::lock_guard<std::mutex> g(m_);
      dst_ = static_cast<char *>(dst);
      src_ = static_cast<const char *>(src);
      bytes_ = bytes;
      parts_ = parts;
      pending_ = parts - 1;
      ++generation_;
    }
    wake_.notify_all();
    part(0);
    std::unique_lock<std::mutex> l(m_);
    done_.wait(l, [this] { return pending_ == 0; });
  }

 private:
  void part(int k) {
    const size_t b = bytes_ / parts_ * k, e = k + 1 == parts_ ? bytes_ : bytes_ / parts_ * (k + 1);
    std::memcpy(dst_ + b, src_ + b, e - b);
  }
  void loop(int k) {
    unsigned long seen = 0;
    std::unique_lock<std::mutex> l(m_);
    for (;;) {
      wake_.wait(l, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      l.unlock();
      part(k);
      l.lock();
      if (--pending_ == 0) done_.notify_one();
    }
  }
  std::mutex m_;
  std::condition_variable wake_, done_;
  std::vector<std::thread> threads_;
  char *dst_ = nullptr;
  const char *src_ = nullptr;
  size_t bytes_ = 0;
  int parts_ = 1, pending_ = 0;
  unsigned long generation_ = 0;
  bool stop_ = false;
};

void mt_memcpy_body(benchmark::State &st, size_t bytes, int threads) {
  const void *src = pristine<int8_t>(kX, bytes);
  void *dst = work<int8_t>(kWork1, bytes);
  CopyPool pool(threads - 1);
  pool.copy(dst, src, bytes);
  const auto t0 = Clock::now();
  for (auto _ : st) {
    pool.copy(dst, src, bytes);
    benchmark::DoNotOptimize(dst);
    benchmark::ClobberMemory();
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  report(st, static_cast<int64_t>(st.iterations()), seconds, 2 * bytes, bytes);
}

template <class T, Kern<T> F, bool Bwd = false>
void mt_body(benchmark::State &st, size_t n, int threads) {
  const int prev = relu_get_num_threads();
  if (relu_set_num_threads(threads) != RELU_OK) {
    st.SkipWithError("relu_set_num_threads failed");
    return;
  }
  const size_t bytes = n * sizeof(T);
  const T *x = pristine<T>(kX, bytes);
  const T *dy = Bwd ? pristine<T>(kDy, bytes) : nullptr;
  T *out = work<T>(kWork1, bytes);
  relu_status s = F(x, dy, out, n);
  if (s != RELU_OK) {
    relu_set_num_threads(prev);
    st.SkipWithError(relu_status_string(s));
    return;
  }
  const auto t0 = Clock::now();
  for (auto _ : st) {
    F(x, dy, out, n);
    benchmark::ClobberMemory();
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  relu_set_num_threads(prev);
  report(st, static_cast<int64_t>(st.iterations()), seconds, (Bwd ? 3 : 2) * bytes, n);
}

void register_mt_rows(bool sweep) {
  struct MtRow {
    const char *dtype, *op, *dir;
    size_t elem;
    void (*run)(benchmark::State &, size_t, int);
  };
  using kf = K<float>;
  using kd = K<double>;
  using ks = K<int8_t>;
  const MtRow rows[] = {
      {"f32", "relu", "fwd", 4, &mt_body<float, &kf::relu_f>},
      {"f32", "elu", "fwd", 4, &mt_body<float, &kf::elu_f>},
      {"f32", "tanh", "fwd", 4, &mt_body<float, &kf::tanh_f>},
      {"f32", "relu", "bwd", 4, &mt_body<float, &kf::relu_b, true>},
      {"f32", "elu", "bwd", 4, &mt_body<float, &kf::elu_b, true>},
      {"f32", "prelu", "bwd", 4, &mt_body<float, &kf::prelu_b, true>},
      {"f64", "elu", "fwd", 8, &mt_body<double, &kd::elu_f>},
      {"s8", "relu", "fwd", 1, &mt_body<int8_t, &ks::relu_f>},
      {"s8", "elu", "fwd", 1, &mt_body<int8_t, &ks::elu_f>},
      {"s8", "elu", "bwd", 1, &mt_body<int8_t, &ks::elu_b, true>},
  };
  std::vector<size_t> counts;
  if (sweep)
    for (size_t n = size_t(4) << 10; n <= (size_t(8) << 20); n *= 2) counts.push_back(n);
  counts.push_back(size_t(16) << 20);
  const char *isa = relu_isa_name(relu_active_isa());
  std::vector<size_t> copy_bytes;
  for (size_t n : counts)
    for (size_t elem : {size_t(1), size_t(4)}) copy_bytes.push_back(n * elem);
  std::sort(copy_bytes.begin(), copy_bytes.end());
  copy_bytes.erase(std::unique(copy_bytes.begin(), copy_bytes.end()), copy_bytes.end());
  for (size_t bytes : copy_bytes)
    for (int t : {1, 2})
      benchmark::RegisterBenchmark(
          ("mt/memcpy/copy/ref/libc/" + std::to_string(bytes) + "/t" + std::to_string(t)).c_str(),
          [bytes, t](benchmark::State &st) { mt_memcpy_body(st, bytes, t); })
          ->Unit(benchmark::kMicrosecond);
  for (const MtRow &r : rows)
    for (size_t n : counts)
      for (int t : {1, 2}) {
        auto run = r.run;
        benchmark::RegisterBenchmark(("mt/" + std::string(r.dtype) + "/" + r.op + "/" + r.dir + "/" + isa +
                                      "/" + std::to_string(n) + "/t" + std::to_string(t))
                                         .c_str(),
                                     [run, n, t](benchmark::State &st) { run(st, n, t); })
            ->Unit(benchmark::kMicrosecond);
      }
}

void print_help() {
  benchmark::PrintDefaultHelp();
  std::fprintf(stdout,
               "\nrelu-bench flags:\n"
               "          [--relu_threads=<1..1024>]  relu_set_num_threads (default: library's)\n"
               "          [--relu_huge]               also run 256 MiB inputs"
               " (or RELU_BENCH_HUGE=1)\n"
               "          [--relu_mt_sweep]           mt/ rows from 4 Ki to 16 Mi elements\n"
               "Names: <f32|f64|s8>/<op>/<fwd|bwd|bwdy>/<isa>/<input bytes>/<out|in|sub>,"
               " memcpy/copy/ref/libc/<bytes>/out,\n"
               "       call/<dtype>/<op>/<dir>/<isa>/<n>,"
               " mt/<dtype|memcpy>/<op>/<dir>/<isa>/<n or bytes>/t<threads>\n"
               "--benchmark_min_time defaults to 0.05 s here"
               " (RELU_BENCH_MIN_TIME=<seconds> changes the default).\n");
}

bool env_true(const char *name) {
  const char *v = std::getenv(name);
  return v && *v && std::strcmp(v, "0") != 0;
}

}  // namespace

int main(int argc, char **argv) {
  // Strip our flags; add a short default --benchmark_min_time.
  std::vector<char *> args;
  bool huge = env_true("RELU_BENCH_HUGE");
  bool have_min_time = false;
  bool mt_sweep = false;
  int threads = 0;
  for (int i = 0; i < argc; ++i) {
    const char *a = argv[i];
    if (i > 0 && std::strncmp(a, "--relu_threads=", 15) == 0) {
      char *end = nullptr;
      long t = std::strtol(a + 15, &end, 10);
      if (end == a + 15 || *end != '\0' || t < 1 || t > 1024) {
        std::fprintf(stderr, "relu-bench: --relu_threads wants a number in 1..1024, got '%s'\n",
                     a + 15);
        return 2;
      }
      threads = static_cast<int>(t);
      continue;
    }
    if (i > 0 && (std::strcmp(a, "--relu_huge") == 0 || std::strcmp(a, "--relu_huge=1") == 0 ||
                  std::strcmp(a, "--relu_huge=true") == 0)) {
      huge = true;
      continue;
    }
    if (i > 0 && std::strcmp(a, "--relu_mt_sweep") == 0) {
      mt_sweep = true;
      continue;
    }
    if (std::strncmp(a, "--benchmark_min_time", 20) == 0) have_min_time = true;
    args.push_back(argv[i]);
  }
  std::string min_time = "0.05";
  if (const char *e = std::getenv("RELU_BENCH_MIN_TIME")) {
    char *end = nullptr;
    double v = std::strtod(e, &end);
    if (end == e || *end != '\0' || !(v > 0 && v < 1e4)) {
      std::fprintf(stderr, "relu-bench: RELU_BENCH_MIN_TIME wants seconds, got '%s'\n", e);
      return 2;
    }
    min_time = e;
  }
#ifdef RELU_BENCH_MIN_TIME_UNIT
  min_time += "s";
#endif
  std::string min_time_flag = "--benchmark_min_time=" + min_time;
  static char prog[] = "relu-bench";
  if (args.empty()) args.push_back(prog);
  if (!have_min_time) args.insert(args.begin() + 1, &min_time_flag[0]);
  args.push_back(nullptr);
  int nargs = static_cast<int>(args.size()) - 1;

  if (threads > 0 && relu_set_num_threads(threads) != RELU_OK) {
    std::fprintf(stderr, "relu-bench: relu_set_num_threads(%d) failed\n", threads);
    return 2;
  }

  benchmark::Initialize(&nargs, args.data(), print_help);
  if (benchmark::ReportUnrecognizedArguments(nargs, args.data())) return 1;

  init_params();

  std::vector<relu_isa> isas;
  std::string tiers;
  for (relu_isa isa : {RELU_ISA_SCALAR, RELU_ISA_AVX2, RELU_ISA_AVX512, RELU_ISA_NEON})
    if (relu_isa_available(isa)) {
      isas.push_back(isa);
      tiers += (tiers.empty() ? "" : ",") + std::string(relu_isa_name(isa));
    }

  std::vector<size_t> sizes = {size_t(4) << 10, size_t(64) << 10, size_t(1) << 20,
                               size_t(16) << 20};
  if (huge) sizes.push_back(size_t(256) << 20);
  std::vector<size_t> s8_sizes = {64, 1024};
  s8_sizes.insert(s8_sizes.end(), sizes.begin(), sizes.end());

  benchmark::AddCustomContext("librelu", relu_version_string());
  benchmark::AddCustomContext("relu_default_isa", relu_isa_name(relu_active_isa()));
  benchmark::AddCustomContext("relu_tiers", tiers);
  benchmark::AddCustomContext("relu_threads", std::to_string(relu_get_num_threads()));

  for (size_t bytes : s8_sizes)
    benchmark::RegisterBenchmark(
        bench_name("memcpy", "copy", "ref", "libc", bytes, false).c_str(),
        [bytes](benchmark::State &st) { memcpy_body(st, bytes); })
        ->Unit(benchmark::kMicrosecond);
  register_rows<float>(float_rows<float>(), sizes, isas);
  register_rows<double>(float_rows<double>(), sizes, isas);
  register_rows<int8_t>(s8_rows(), s8_sizes, isas);
  register_call_rows(isas);
  register_mt_rows(mt_sweep);

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
