// relu-bench-peers: librelu's active tier side by side with oneDNN, XNNPACK
// and copies of the same bytes, in one process (issue 7).
//
// Names (every field selectable with --benchmark_filter):
//
//     <f32|s8>/<op>/<fwd|bwd|bwdy>/<impl>/<n elements>/t<threads>
//     copy/<memcpy|vector|stream>/<bytes>/t<threads>
//
// impl is "librelu" or a peer; a peer that needs more than one primitive or
// operator for librelu's result is timed for all of them and says so in its
// name: onednn[tanh+relu], xnnpack[elu+mul]. bytes_per_second counts bytes
// read + written (forward 2 buffers, backward 3, copy 2), the logical traffic
// of the op, so a peer that makes two passes is charged for them as time, not
// credited as bytes. scripts/bench-peers.sh turns the JSON into the table.
//
// Before any timing of a (dtype, op, direction, n, threads) row every
// implementation runs once on the same input into its own NaN-filled buffer
// and is compared with librelu: bit-exact (sign of zero aside) for select and
// multiply ops, a small relative tolerance for exp/tanh ops (every library
// has its own approximations), +-1 LSB for s8. A row that disagrees is not
// timed (SkipWithError) and the process exits non-zero. --check runs only
// these comparisons (sizes 4 Ki, 64 Ki and 1 Mi elements, 1 and 2 threads
// unless --peers_sizes/--peers_threads say otherwise): the `peers` ctest.
//
// Threads: librelu via relu_set_num_threads, oneDNN via omp_set_num_threads
// (Debian's libdnnl uses GNU OpenMP), the copies via an OpenMP split. XNNPACK
// runs without a threadpool, so only in the 1-thread rows.
//
// Flags (stripped before benchmark::Initialize):
//   --check                 cross-checks only; exit status 1 on a mismatch
//   --peers_sizes=a,b,...   element counts (default 4096,65536,1048576,16777216)
//   --peers_threads=1,2     thread counts (default 1,2)
//   --peers_verbose         with --check: print the worst error per peer
//   --peers_min_time=S      --benchmark_min_time in seconds, spelled for the
//                           Google Benchmark version built against

#include <relu.h>

#include <benchmark/benchmark.h>
#include <oneapi/dnnl/dnnl.hpp>
#include <omp.h>
#include <xnnpack.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "peers_copy.h"

namespace {

// ------------------------------------------------------------- parameters

constexpr size_t kChannels = 64;  // PReLU: channels-last [n/64][64], XNNPACK's only layout
constexpr float kLeakyAlpha = 0.01f;
constexpr float kEluAlpha = 1.0f;
constexpr float kCap = 6.0f;
constexpr float kSeluA = 0x1.ac5afap+0f;  // API.md's f32 constants
constexpr float kSeluL = 0x1.0cfabep+0f;

// s8: x covers [-8, 7.94]. XNNPACK's qs8 tanh only produces scale 1/128,
// zero point 0, so librelu's tanh uses that output quantization too.
const relu_quant kXq = {1.0f / 16, 0};
const relu_quant kYq = {1.0f / 16, 0};
const relu_quant kYqTanh = {1.0f / 128, 0};

float g_alpha[kChannels];  // PReLU slopes in [0.01, 0.3]

enum class Dt { f32, s8 };
enum Dir { kFwd, kBwd, kBwdY };
const char *dir_name(Dir d) { return d == kFwd ? "fwd" : d == kBwd ? "bwd" : "bwdy"; }
size_t elem_size(Dt dt) { return dt == Dt::f32 ? 4 : 1; }
const char *dt_name(Dt dt) { return dt == Dt::f32 ? "f32" : "s8"; }

bool g_failed = false;  // any row mismatched: non-zero exit

// ---------------------------------------------------------------- buffers

uint64_t splitmix64(uint64_t &s) {
  uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// x: half negative, |x| in [1/64, 8] (deep into the exp/tanh paths, a quarter
// of the positives above the cap), 1/256 exact zeros. The cap itself is
// avoided: libraries disagree about the derivative exactly at the kink
// (oneDNN's clip counts x == cap as inside), which is a convention, not an
// error, and would only add noise to the check.
void fill_x(float *p, size_t n) {
  uint64_t s = 0x5EEDull;
  for (size_t i = 0; i < n; ++i) {
    uint64_t r = splitmix64(s);
    double u = static_cast<double>(r >> 11) * 0x1p-53;
    double v = ((r >> 1) & 255) == 0 ? 0.0 : 1.0 / 64 + (8.0 - 1.0 / 64) * u;
    float f = static_cast<float>((r & 1) ? -v : v);
    if (f == kCap) f = 5.5f;
    p[i] = f;
  }
}
// dy: random sign, |dy| in [1/16, 2].
void fill_dy(float *p, size_t n) {
  uint64_t s = 0xD1ull;
  for (size_t i = 0; i < n; ++i) {
    uint64_t r = splitmix64(s);
    double u = static_cast<double>(r >> 11) * 0x1p-53;
    double v = 1.0 / 16 + (2.0 - 1.0 / 16) * u;
    p[i] = static_cast<float>((r & 1) ? -v : v);
  }
}
// s8: every code equally likely.
void fill_s8(int8_t *p, size_t n) {
  uint64_t s = 0x58ull;
  for (size_t i = 0; i < n; ++i) p[i] = static_cast<int8_t>(splitmix64(s) & 0xFF);
}

enum Role { kX = 0, kDy, kY, kOut, kTmp, kX8, kXu8, kCopySrc, kNumRoles };

// One allocation per (role, bytes), kept for the whole run (random
// interleaving comes back to every size many times). Roles start at different
// offsets modulo 4 KiB so that x, dy and out do not collide in cache sets;
// every offset is a multiple of 64, so all buffers are cache-line aligned.
struct Block {
  void *base = nullptr;
  char *data = nullptr;
  std::string content;  // what kY currently holds
  ~Block() { std::free(base); }
};

Block &block(Role role, size_t bytes) {
  static std::map<std::pair<int, size_t>, std::unique_ptr<Block>> cache;
  auto key = std::make_pair(static_cast<int>(role), bytes);
  auto it = cache.find(key);
  if (it != cache.end()) return *it->second;
  std::unique_ptr<Block> b(new Block);
  if (posix_memalign(&b->base, 4096, bytes + 4096) != 0) {
    std::fprintf(stderr, "relu-bench-peers: cannot allocate %zu bytes\n", bytes);
    std::exit(2);
  }
  b->data = static_cast<char *>(b->base) + 320 * static_cast<size_t>(role);
  switch (role) {
    case kX: fill_x(reinterpret_cast<float *>(b->data), bytes / 4); break;
    case kDy: fill_dy(reinterpret_cast<float *>(b->data), bytes / 4); break;
    case kX8: fill_s8(reinterpret_cast<int8_t *>(b->data), bytes); break;
    case kXu8: {
      // The same values for XNNPACK's qu8 operators: u = s + 128, zero point + 128.
      const char *s8 = block(kX8, bytes).data;
      for (size_t i = 0; i < bytes; ++i) b->data[i] = static_cast<char>(s8[i] ^ 0x80);
      break;
    }
    default: std::memset(b->data, 0x11, bytes);  // fault the pages in before timing
  }
  Block &ref = *b;
  cache.emplace(key, std::move(b));
  return ref;
}

// ------------------------------------------------------------- the runners

// What an implementation is built over. a is the data operand: x for fwd and
// bwd, the forward output y for bwdy. tmp is scratch of n elements for a peer
// that needs an intermediate.
struct Args {
  size_t n = 0;
  const void *a = nullptr;
  const void *x = nullptr;
  const void *dy = nullptr;
  void *out = nullptr;
  float *dalpha = nullptr;
  void *tmp = nullptr;
};

struct Runner {
  virtual ~Runner() = default;
  virtual bool run() = 0;  // false: the implementation reported an error
  std::string label;       // which kernel the peer picked
};
using Factory = std::function<std::unique_ptr<Runner>(const Args &, std::string *why)>;

// librelu: one call, status checked by whoever looks at run()'s result.
struct LibRunner : Runner {
  std::function<relu_status(const Args &)> f;
  Args g;
  relu_status last = RELU_OK;
  bool run() override {
    last = f(g);
    return last == RELU_OK;
  }
};

Factory lib(std::function<relu_status(const Args &)> f) {
  return [f](const Args &g, std::string *) -> std::unique_ptr<Runner> {
    std::unique_ptr<LibRunner> r(new LibRunner);
    r->f = f;
    r->g = g;
    r->label = relu_isa_name(relu_active_isa());
    return r;
  };
}

const float *F(const void *p) { return static_cast<const float *>(p); }
float *F(void *p) { return static_cast<float *>(p); }
const int8_t *S(const void *p) { return static_cast<const int8_t *>(p); }
int8_t *S(void *p) { return static_cast<int8_t *>(p); }

// ------------------------------------------------------------------ oneDNN

dnnl::engine &dnnl_engine() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}
dnnl::stream &dnnl_stream() {
  static dnnl::stream s(dnnl_engine());
  return s;
}

struct DnnlRunner : Runner {
  std::vector<dnnl::primitive> prims;
  std::vector<std::unordered_map<int, dnnl::memory>> args;
  bool run() override {
    for (size_t i = 0; i < prims.size(); ++i) prims[i].execute(dnnl_stream(), args[i]);
    dnnl_stream().wait();
    return true;
  }
  void add(dnnl::primitive p, std::unordered_map<int, dnnl::memory> a, const char *impl) {
    prims.push_back(std::move(p));
    args.push_back(std::move(a));
    label += (label.empty() ? "" : "+") + std::string(impl);
  }
};

enum Buf { bA, bX, bDY, bOUT, bTMP };
void *resolve(const Args &g, Buf b) {
  switch (b) {
    case bA: return const_cast<void *>(g.a);
    case bX: return const_cast<void *>(g.x);
    case bDY: return const_cast<void *>(g.dy);
    case bOUT: return g.out;
    default: return g.tmp;
  }
}

// One eltwise primitive of a chain: forward src -> dst, or backward
// (src or dst per the algorithm, diff_dst) -> diff_src.
struct Step {
  bool bwd;
  dnnl::algorithm alg;
  float alpha, beta;
  Buf data, diff, out;
};

Step fwd(dnnl::algorithm alg, float alpha, float beta, Buf src, Buf dst) {
  return Step{false, alg, alpha, beta, src, bDY, dst};
}
Step bwd(dnnl::algorithm alg, float alpha, float beta, Buf data, Buf diff_dst, Buf diff_src) {
  return Step{true, alg, alpha, beta, data, diff_dst, diff_src};
}

bool uses_dst(dnnl::algorithm a) {
  using A = dnnl::algorithm;
  return a == A::eltwise_relu_use_dst_for_bwd || a == A::eltwise_tanh_use_dst_for_bwd ||
         a == A::eltwise_elu_use_dst_for_bwd || a == A::eltwise_clip_v2_use_dst_for_bwd;
}

Factory dnnl_chain(dnnl::memory::data_type dt, std::vector<Step> steps) {
  return [dt, steps](const Args &g, std::string *why) -> std::unique_ptr<Runner> {
    using namespace dnnl;
    try {
      std::unique_ptr<DnnlRunner> r(new DnnlRunner);
      memory::desc md({static_cast<memory::dim>(g.n)}, dt, memory::format_tag::a);
      auto mem = [&](Buf b) { return memory(md, dnnl_engine(), resolve(g, b)); };
      for (const Step &s : steps) {
        eltwise_forward::primitive_desc fpd(
            eltwise_forward::desc(prop_kind::forward_training, s.alg, md, s.alpha, s.beta),
            dnnl_engine());
        if (!s.bwd) {
          r->add(eltwise_forward(fpd), {{DNNL_ARG_SRC, mem(s.data)}, {DNNL_ARG_DST, mem(s.out)}},
                 fpd.impl_info_str());
        } else {
          eltwise_backward::primitive_desc bpd(eltwise_backward::desc(s.alg, md, md, s.alpha, s.beta),
                                               dnnl_engine(), fpd);
          r->add(eltwise_backward(bpd),
                 {{uses_dst(s.alg) ? DNNL_ARG_DST : DNNL_ARG_SRC, mem(s.data)},
                  {DNNL_ARG_DIFF_DST, mem(s.diff)},
                  {DNNL_ARG_DIFF_SRC, mem(s.out)}},
                 bpd.impl_info_str());
        }
      }
      return r;
    } catch (const dnnl::error &e) {
      *why = e.what();
      return nullptr;
    }
  };
}

// PReLU over [n/64][64] with the slopes broadcast over the first dimension;
// backward also produces diff_weights (librelu's dalpha).
Factory dnnl_prelu(bool backward) {
  return [backward](const Args &g, std::string *why) -> std::unique_ptr<Runner> {
    using namespace dnnl;
    try {
      const memory::dim rows = static_cast<memory::dim>(g.n / kChannels);
      const memory::dim ch = static_cast<memory::dim>(kChannels);
      memory::desc md({rows, ch}, memory::data_type::f32, memory::format_tag::ab);
      memory::desc wd({1, ch}, memory::data_type::f32, memory::format_tag::ab);
      std::unique_ptr<DnnlRunner> r(new DnnlRunner);
      auto mem = [&](const memory::desc &d, const void *p) {
        return memory(d, dnnl_engine(), const_cast<void *>(p));
      };
      prelu_forward::primitive_desc fpd(prelu_forward::desc(prop_kind::forward_training, md, wd),
                                        dnnl_engine());
      if (!backward) {
        r->add(prelu_forward(fpd),
               {{DNNL_ARG_SRC, mem(md, g.x)}, {DNNL_ARG_WEIGHTS, mem(wd, g_alpha)},
                {DNNL_ARG_DST, mem(md, g.out)}},
               fpd.impl_info_str());
      } else {
        prelu_backward::primitive_desc bpd(prelu_backward::desc(md, wd, md, wd), dnnl_engine(), fpd);
        r->add(prelu_backward(bpd),
               {{DNNL_ARG_SRC, mem(md, g.x)}, {DNNL_ARG_WEIGHTS, mem(wd, g_alpha)},
                {DNNL_ARG_DIFF_DST, mem(md, g.dy)}, {DNNL_ARG_DIFF_SRC, mem(md, g.out)},
                {DNNL_ARG_DIFF_WEIGHTS, mem(wd, g.dalpha)}},
               bpd.impl_info_str());
      }
      return r;
    } catch (const dnnl::error &e) {
      *why = e.what();
      return nullptr;
    }
  };
}

// ----------------------------------------------------------------- XNNPACK

struct XnnRunner : Runner {
  std::vector<xnn_operator_t> ops;
  ~XnnRunner() override {
    for (xnn_operator_t op : ops) xnn_delete_operator(op);
  }
  // No threadpool: XNNPACK runs on the calling thread.
  bool run() override {
    for (xnn_operator_t op : ops)
      if (xnn_run_operator(op, nullptr) != xnn_status_success) return false;
    return true;
  }
};

// create(&op) and setup(op) wrap XNNPACK's create_*/setup_* calls; operators
// are set up once for fixed buffers and then only run, as an inference
// runtime does.
using XnnCreate = std::function<xnn_status(const Args &, xnn_operator_t *)>;
using XnnSetup = std::function<xnn_status(const Args &, xnn_operator_t)>;
struct XnnStep {
  XnnCreate create;
  XnnSetup setup;
};

Factory xnn_chain(std::vector<XnnStep> steps, const char *label) {
  return [steps, label](const Args &g, std::string *why) -> std::unique_ptr<Runner> {
    std::unique_ptr<XnnRunner> r(new XnnRunner);
    r->label = label;
    for (const XnnStep &s : steps) {
      xnn_operator_t op = nullptr;
      xnn_status st = s.create(g, &op);
      if (st != xnn_status_success) {
        *why = "XNNPACK create failed, status " + std::to_string(static_cast<int>(st));
        return nullptr;
      }
      r->ops.push_back(op);
      st = s.setup(g, op);
      if (st != xnn_status_success) {
        *why = "XNNPACK setup failed, status " + std::to_string(static_cast<int>(st));
        return nullptr;
      }
    }
    return r;
  };
}

// Unary nc operators over the whole buffer as one channel of n rows: with
// unit strides XNNPACK treats that as one contiguous range.
XnnSetup xnn_setup_f32(xnn_status (*setup)(xnn_operator_t, size_t, const float *, float *,
                                          pthreadpool_t)) {
  return [setup](const Args &g, xnn_operator_t op) { return setup(op, g.n, F(g.x), F(g.out), nullptr); };
}
XnnSetup xnn_setup_s8(xnn_status (*setup)(xnn_operator_t, size_t, const int8_t *, int8_t *,
                                         pthreadpool_t)) {
  return [setup](const Args &g, xnn_operator_t op) { return setup(op, g.n, S(g.x), S(g.out), nullptr); };
}

Factory xnn_clamp_f32(float lo, float hi) {
  return xnn_chain({{[lo, hi](const Args &, xnn_operator_t *op) {
                       return xnn_create_clamp_nc_f32(1, 1, 1, lo, hi, 0, op);
                     },
                     xnn_setup_f32(xnn_setup_clamp_nc_f32)}},
                   "clamp_nc_f32");
}
Factory xnn_leaky_f32() {
  return xnn_chain({{[](const Args &, xnn_operator_t *op) {
                       return xnn_create_leaky_relu_nc_f32(1, 1, 1, kLeakyAlpha, 0, op);
                     },
                     xnn_setup_f32(xnn_setup_leaky_relu_nc_f32)}},
                   "leaky_relu_nc_f32");
}
XnnStep xnn_elu_step(float alpha) {
  return {[alpha](const Args &, xnn_operator_t *op) {
            return xnn_create_elu_nc_f32(1, 1, 1, alpha, 0, op);
          },
          xnn_setup_f32(xnn_setup_elu_nc_f32)};
}
Factory xnn_elu_f32() { return xnn_chain({xnn_elu_step(kEluAlpha)}, "elu_nc_f32"); }
// SELU = L * ELU_A: this XNNPACK has no SELU, so ELU then a broadcast
// multiply by L, in place on the output.
Factory xnn_selu_f32() {
  static const float kL = kSeluL;
  XnnStep mul{[](const Args &, xnn_operator_t *op) {
                return xnn_create_multiply_nd_f32(-INFINITY, INFINITY, 0, op);
              },
              [](const Args &g, xnn_operator_t op) {
                const size_t shape1[1] = {g.n}, shape2[1] = {1};
                return xnn_setup_multiply_nd_f32(op, 1, shape1, 1, shape2, F(g.out), &kL, F(g.out),
                                                 nullptr);
              }};
  return xnn_chain({xnn_elu_step(kSeluA), mul}, "elu_nc_f32+multiply_nd_f32");
}
Factory xnn_prelu_f32() {
  return xnn_chain({{[](const Args &, xnn_operator_t *op) {
                       return xnn_create_prelu_nc_f32(kChannels, kChannels, kChannels, g_alpha, 0,
                                                      op);
                     },
                     [](const Args &g, xnn_operator_t op) {
                       return xnn_setup_prelu_nc_f32(op, g.n / kChannels, F(g.x), F(g.out), nullptr);
                     }}},
                   "prelu_nc_f32");
}

Factory xnn_clamp_s8(int8_t lo, int8_t hi) {
  return xnn_chain({{[lo, hi](const Args &, xnn_operator_t *op) {
                       return xnn_create_clamp_nc_s8(1, 1, 1, lo, hi, 0, op);
                     },
                     xnn_setup_s8(xnn_setup_clamp_nc_s8)}},
                   "clamp_nc_s8");
}
// out_scale_div: SELU is ELU_A with the output scale divided by L (a
// quantized output absorbs the constant factor), one operator.
Factory xnn_elu_qs8(float alpha, float out_scale_div, const char *label) {
  return xnn_chain({{[alpha, out_scale_div](const Args &, xnn_operator_t *op) {
                       return xnn_create_elu_nc_qs8(1, 1, 1, alpha, static_cast<int8_t>(kXq.zero_point),
                                                    kXq.scale, static_cast<int8_t>(kYq.zero_point),
                                                    kYq.scale / out_scale_div, -128, 127, 0, op);
                     },
                     xnn_setup_s8(xnn_setup_elu_nc_qs8)}},
                   label);
}
// Rectified tanh in one operator: tanh with the output clamped at code 0.
Factory xnn_tanh_qs8() {
  return xnn_chain({{[](const Args &, xnn_operator_t *op) {
                       return xnn_create_tanh_nc_qs8(1, 1, 1, static_cast<int8_t>(kXq.zero_point),
                                                     kXq.scale,
                                                     static_cast<int8_t>(kYqTanh.zero_point),
                                                     kYqTanh.scale, 0, 127, 0, op);
                     },
                     xnn_setup_s8(xnn_setup_tanh_nc_qs8)}},
                   "tanh_nc_qs8");
}
// This XNNPACK has leaky ReLU for qu8 only: the same codes shifted by 128
// (Args::x points at the shifted copy, the output is compared unshifted).
Factory xnn_leaky_qu8() {
  return xnn_chain(
      {{[](const Args &, xnn_operator_t *op) {
          return xnn_create_leaky_relu_nc_qu8(1, 1, 1, kLeakyAlpha,
                                              static_cast<uint8_t>(kXq.zero_point + 128), kXq.scale,
                                              static_cast<uint8_t>(kYq.zero_point + 128), kYq.scale,
                                              0, 255, 0, op);
        },
        [](const Args &g, xnn_operator_t op) {
          return xnn_setup_leaky_relu_nc_qu8(op, g.n, static_cast<const uint8_t *>(g.x),
                                             static_cast<uint8_t *>(g.out), nullptr);
        }}},
      "leaky_relu_nc_qu8");
}

// ----------------------------------------------------------------- the rows

enum Tol { kExact, kRel, kLsb };

struct Peer {
  std::string name;
  Factory make;
  bool one_thread = false;  // XNNPACK: no threadpool
  bool u8 = false;          // reads kXu8, writes codes + 128
};

struct Row {
  Dt dt;
  std::string op;
  Dir dir;
  Tol tol;
  Factory lib;
  std::function<relu_status(const float *, float *, size_t)> forward;  // bwdy: makes y
  bool prelu = false;
  std::vector<Peer> peers;
  std::string key() const { return std::string(dt_name(dt)) + "/" + op + "/" + dir_name(dir); }
};

std::vector<Row> make_rows() {
  using A = dnnl::algorithm;
  const auto s8 = dnnl::memory::data_type::s8;
  std::vector<Row> rows;
  auto add = [&](Dt dt, const char *op, Dir dir, Tol tol, Factory l, std::vector<Peer> peers,
                 std::function<relu_status(const float *, float *, size_t)> fw = nullptr) {
    Row r;
    r.dt = dt;
    r.op = op;
    r.dir = dir;
    r.tol = tol;
    r.lib = std::move(l);
    r.forward = std::move(fw);
    r.prelu = std::strcmp(op, "prelu") == 0;
    r.peers = std::move(peers);
    rows.push_back(std::move(r));
  };
  auto xnn = [](Factory f, const char *name = "xnnpack") { return Peer{name, std::move(f), true, false}; };
  auto dnn = [](std::vector<Step> s, const char *name = "onednn") {
    return Peer{name, dnnl_chain(dnnl::memory::data_type::f32, std::move(s))};
  };

  // relu
  add(Dt::f32, "relu", kFwd, kExact, lib([](const Args &g) { return relu_forward_f32(F(g.x), F(g.out), g.n); }),
      {dnn({fwd(A::eltwise_relu, 0, 0, bX, bOUT)}), xnn(xnn_clamp_f32(0.0f, INFINITY))});
  add(Dt::f32, "relu", kBwd, kExact,
      lib([](const Args &g) { return relu_backward_f32(F(g.x), F(g.dy), F(g.out), g.n); }),
      {dnn({bwd(A::eltwise_relu, 0, 0, bX, bDY, bOUT)})});
  add(Dt::f32, "relu", kBwdY, kExact,
      lib([](const Args &g) { return relu_backward_from_output_f32(F(g.a), F(g.dy), F(g.out), g.n); }),
      {dnn({bwd(A::eltwise_relu_use_dst_for_bwd, 0, 0, bA, bDY, bOUT)})},
      [](const float *x, float *y, size_t n) { return relu_forward_f32(x, y, n); });

  // leaky: oneDNN's relu with a negative slope
  add(Dt::f32, "leaky", kFwd, kExact,
      lib([](const Args &g) { return relu_leaky_forward_f32(F(g.x), F(g.out), g.n, kLeakyAlpha); }),
      {dnn({fwd(A::eltwise_relu, kLeakyAlpha, 0, bX, bOUT)}), xnn(xnn_leaky_f32())});
  add(Dt::f32, "leaky", kBwd, kExact,
      lib([](const Args &g) {
        return relu_leaky_backward_f32(F(g.x), F(g.dy), F(g.out), g.n, kLeakyAlpha);
      }),
      {dnn({bwd(A::eltwise_relu, kLeakyAlpha, 0, bX, bDY, bOUT)})});
  add(Dt::f32, "leaky", kBwdY, kExact,
      lib([](const Args &g) {
        return relu_leaky_backward_from_output_f32(F(g.a), F(g.dy), F(g.out), g.n, kLeakyAlpha);
      }),
      {dnn({bwd(A::eltwise_relu_use_dst_for_bwd, kLeakyAlpha, 0, bA, bDY, bOUT)})},
      [](const float *x, float *y, size_t n) { return relu_leaky_forward_f32(x, y, n, kLeakyAlpha); });

  // clipped (ReLU6): oneDNN clip_v2 [0, cap]
  add(Dt::f32, "clipped", kFwd, kExact,
      lib([](const Args &g) { return relu_clipped_forward_f32(F(g.x), F(g.out), g.n, kCap); }),
      {dnn({fwd(A::eltwise_clip_v2, 0, kCap, bX, bOUT)}), xnn(xnn_clamp_f32(0.0f, kCap))});
  add(Dt::f32, "clipped", kBwd, kExact,
      lib([](const Args &g) { return relu_clipped_backward_f32(F(g.x), F(g.dy), F(g.out), g.n, kCap); }),
      {dnn({bwd(A::eltwise_clip_v2, 0, kCap, bX, bDY, bOUT)})});
  add(Dt::f32, "clipped", kBwdY, kExact,
      lib([](const Args &g) {
        return relu_clipped_backward_from_output_f32(F(g.a), F(g.dy), F(g.out), g.n, kCap);
      }),
      {dnn({bwd(A::eltwise_clip_v2_use_dst_for_bwd, 0, kCap, bA, bDY, bOUT)})},
      [](const float *x, float *y, size_t n) { return relu_clipped_forward_f32(x, y, n, kCap); });

  // elu
  add(Dt::f32, "elu", kFwd, kRel,
      lib([](const Args &g) { return relu_elu_forward_f32(F(g.x), F(g.out), g.n, kEluAlpha); }),
      {dnn({fwd(A::eltwise_elu, kEluAlpha, 0, bX, bOUT)}), xnn(xnn_elu_f32())});
  add(Dt::f32, "elu", kBwd, kRel,
      lib([](const Args &g) { return relu_elu_backward_f32(F(g.x), F(g.dy), F(g.out), g.n, kEluAlpha); }),
      {dnn({bwd(A::eltwise_elu, kEluAlpha, 0, bX, bDY, bOUT)})});
  add(Dt::f32, "elu", kBwdY, kRel,
      lib([](const Args &g) {
        return relu_elu_backward_from_output_f32(F(g.a), F(g.dy), F(g.out), g.n, kEluAlpha);
      }),
      {dnn({bwd(A::eltwise_elu_use_dst_for_bwd, kEluAlpha, 0, bA, bDY, bOUT)})},
      [](const float *x, float *y, size_t n) { return relu_elu_forward_f32(x, y, n, kEluAlpha); });

  // selu: oneDNN 2.6 has no SELU: ELU_A then linear(L), two jit primitives.
  // (Fusing the linear as an eltwise post-op is accepted, but only by
  // ref:any, which on this 1-D tensor left dst unwritten: the check caught it.)
  add(Dt::f32, "selu", kFwd, kRel,
      lib([](const Args &g) { return relu_selu_forward_f32(F(g.x), F(g.out), g.n); }),
      {dnn({fwd(A::eltwise_elu, kSeluA, 0, bX, bOUT), fwd(A::eltwise_linear, kSeluL, 0, bOUT, bOUT)},
           "onednn[elu+linear]"),
       xnn(xnn_selu_f32(), "xnnpack[elu+mul]")});
  add(Dt::f32, "selu", kBwd, kRel,
      lib([](const Args &g) { return relu_selu_backward_f32(F(g.x), F(g.dy), F(g.out), g.n); }),
      {dnn({bwd(A::eltwise_elu, kSeluA, 0, bX, bDY, bOUT), fwd(A::eltwise_linear, kSeluL, 0, bOUT, bOUT)},
           "onednn[elu_bwd+linear]")});
  // From y = L*elu_A(x): elu's use-dst backward wants elu_A(x) = y/L.
  add(Dt::f32, "selu", kBwdY, kRel,
      lib([](const Args &g) { return relu_selu_backward_from_output_f32(F(g.a), F(g.dy), F(g.out), g.n); }),
      {dnn({fwd(A::eltwise_linear, 1.0f / kSeluL, 0, bA, bTMP),
            bwd(A::eltwise_elu_use_dst_for_bwd, kSeluA, 0, bTMP, bDY, bOUT),
            fwd(A::eltwise_linear, kSeluL, 0, bOUT, bOUT)},
           "onednn[linear+elu_bwd+linear]")},
      [](const float *x, float *y, size_t n) { return relu_selu_forward_f32(x, y, n); });

  // tanh (rectified): tanh then relu (no jit fusion, as for selu); the
  // backward masks tanh's gradient with relu's (from x, or from y).
  add(Dt::f32, "tanh", kFwd, kRel,
      lib([](const Args &g) { return relu_tanh_forward_f32(F(g.x), F(g.out), g.n); }),
      {dnn({fwd(A::eltwise_tanh, 0, 0, bX, bOUT), fwd(A::eltwise_relu, 0, 0, bOUT, bOUT)},
           "onednn[tanh+relu]")});
  add(Dt::f32, "tanh", kBwd, kRel,
      lib([](const Args &g) { return relu_tanh_backward_f32(F(g.x), F(g.dy), F(g.out), g.n); }),
      {dnn({bwd(A::eltwise_tanh, 0, 0, bX, bDY, bOUT), bwd(A::eltwise_relu, 0, 0, bX, bOUT, bOUT)},
           "onednn[tanh_bwd+relu_bwd]")});
  add(Dt::f32, "tanh", kBwdY, kRel,
      lib([](const Args &g) { return relu_tanh_backward_from_output_f32(F(g.a), F(g.dy), F(g.out), g.n); }),
      {dnn({bwd(A::eltwise_tanh_use_dst_for_bwd, 0, 0, bA, bDY, bOUT),
            bwd(A::eltwise_relu_use_dst_for_bwd, 0, 0, bA, bOUT, bOUT)},
           "onednn[tanh_bwd+relu_bwd]")},
      [](const float *x, float *y, size_t n) { return relu_tanh_forward_f32(x, y, n); });

  // prelu, channels-last [n/64][64]
  add(Dt::f32, "prelu", kFwd, kExact,
      lib([](const Args &g) {
        return relu_prelu_forward_f32(F(g.x), F(g.out), g_alpha, g.n / kChannels, kChannels, 1);
      }),
      {Peer{"onednn", dnnl_prelu(false)}, xnn(xnn_prelu_f32())});
  add(Dt::f32, "prelu", kBwd, kExact,
      lib([](const Args &g) {
        return relu_prelu_backward_f32(F(g.x), F(g.dy), g_alpha, F(g.out), g.dalpha, g.n / kChannels,
                                       kChannels, 1);
      }),
      {Peer{"onednn", dnnl_prelu(true)}});

  // s8 forward. oneDNN's int8 eltwise has no quantization parameters: it
  // applies f to the codes, which equals librelu's result (same scale in and
  // out) only for the positively homogeneous ops: relu, leaky, clipped with
  // the cap in codes. XNNPACK covers relu/clipped (clamp), leaky (qu8), elu,
  // selu (elu with the output scale over L) and rectified tanh (tanh with
  // output_min 0).
  const int8_t cap_code = static_cast<int8_t>(kCap / kYq.scale);
  add(Dt::s8, "relu", kFwd, kLsb,
      lib([](const Args &g) { return relu_forward_s8(S(g.x), S(g.out), g.n, &kXq, &kYq); }),
      {Peer{"onednn", dnnl_chain(s8, {fwd(A::eltwise_relu, 0, 0, bX, bOUT)})},
       xnn(xnn_clamp_s8(0, 127))});
  add(Dt::s8, "leaky", kFwd, kLsb,
      lib([](const Args &g) {
        return relu_leaky_forward_s8(S(g.x), S(g.out), g.n, kLeakyAlpha, &kXq, &kYq);
      }),
      {Peer{"onednn", dnnl_chain(s8, {fwd(A::eltwise_relu, kLeakyAlpha, 0, bX, bOUT)})},
       Peer{"xnnpack[qu8]", xnn_leaky_qu8(), true, true}});
  add(Dt::s8, "clipped", kFwd, kLsb,
      lib([](const Args &g) { return relu_clipped_forward_s8(S(g.x), S(g.out), g.n, kCap, &kXq, &kYq); }),
      {Peer{"onednn", dnnl_chain(s8, {fwd(A::eltwise_clip_v2, 0, cap_code, bX, bOUT)})},
       Peer{"onednn", dnnl_chain(s8, {fwd(A::eltwise_bounded_relu, cap_code, 0, bX, bOUT)})},
       Peer{"onednn", dnnl_chain(s8, {fwd(A::eltwise_clip, 0, cap_code, bX, bOUT)})},
       xnn(xnn_clamp_s8(0, cap_code))});
  add(Dt::s8, "elu", kFwd, kLsb,
      lib([](const Args &g) { return relu_elu_forward_s8(S(g.x), S(g.out), g.n, kEluAlpha, &kXq, &kYq); }),
      {xnn(xnn_elu_qs8(kEluAlpha, 1.0f, "elu_nc_qs8"))});
  add(Dt::s8, "selu", kFwd, kLsb,
      lib([](const Args &g) { return relu_selu_forward_s8(S(g.x), S(g.out), g.n, &kXq, &kYq); }),
      {xnn(xnn_elu_qs8(kSeluA, kSeluL, "elu_nc_qs8(scale/L)"))});
  add(Dt::s8, "tanh", kFwd, kLsb,
      lib([](const Args &g) { return relu_tanh_forward_s8(S(g.x), S(g.out), g.n, &kXq, &kYqTanh); }),
      {xnn(xnn_tanh_qs8())});
  return rows;
}

// Keep the peers that build here (a probe at a small size); of alternatives
// from the same library (another algorithm for the same result), the first
// that builds wins. What does not build is listed in the context.
std::string g_skipped;

void probe_peers(std::vector<Row> &rows) {
  const size_t n = 4096;
  std::vector<float> x(n, 0.5f), dy(n, 1.0f), out(n), tmp(n), dalpha(kChannels);
  for (Row &row : rows) {
    std::vector<Peer> kept;
    std::map<std::string, std::string> failed;  // family -> why
    for (Peer &p : row.peers) {
      const std::string family = p.name.substr(0, p.name.find('['));
      if (std::any_of(kept.begin(), kept.end(), [&](const Peer &k) {
            return k.name.substr(0, k.name.find('[')) == family;
          }))
        continue;
      Args g;
      g.n = n;
      g.a = g.x = x.data();
      g.dy = dy.data();
      g.out = out.data();
      g.tmp = tmp.data();
      g.dalpha = dalpha.data();
      std::string why;
      if (p.make(g, &why)) {
        kept.push_back(p);
        failed.erase(family);
      } else {
        failed[family] = why;
      }
    }
    for (const auto &f : failed)
      g_skipped += (g_skipped.empty() ? "" : "; ") + row.key() + " " + f.first + ": " + f.second;
    row.peers = kept;
  }
}

// ---------------------------------------------------------------- threads

void set_threads(int t) {
  relu_set_num_threads(t);
  omp_set_num_threads(t);
}

// ------------------------------------------------------------ inputs, check

// The operands of a row at size n (timing buffers; out is the caller's).
Args inputs(const Row &row, size_t n, bool u8) {
  Args g;
  g.n = n;
  if (row.dt == Dt::s8) {
    g.a = g.x = block(u8 ? kXu8 : kX8, n).data;
    return g;
  }
  const size_t bytes = n * 4;
  g.x = block(kX, bytes).data;
  g.a = g.x;
  if (row.dir != kFwd) g.dy = block(kDy, bytes).data;
  if (row.dir == kBwdY) {
    // y is librelu's forward output, the same for every implementation; the
    // buffer is shared by the ops and recomputed when the op changes.
    Block &y = block(kY, bytes);
    if (y.content != row.op) {
      y.content.clear();
      if (row.forward(F(g.x), F(static_cast<void *>(y.data)), n) != RELU_OK) {
        std::fprintf(stderr, "relu-bench-peers: librelu %s forward failed\n", row.op.c_str());
        std::exit(2);
      }
      y.content = row.op;
    }
    g.a = y.data;
  }
  return g;
}

struct CheckResult {
  bool ok = true;
  std::string msg;     // the first mismatch
  std::string detail;  // worst error per peer
};

std::string fmt(const char *f, double a, double b = 0, double c = 0) {
  char buf[256];
  std::snprintf(buf, sizeof buf, f, a, b, c);
  return buf;
}

// Transcendental ops: within kRelTol relative (plus kAbsTol for results near
// zero, where relative error means nothing) of librelu. librelu is within
// 2 ULP of the true value, so this bounds the peer's error at ~1e-5 relative.
constexpr double kRelTol = 1e-5;
constexpr double kAbsTol = 1e-6;

CheckResult check_row(const Row &row, size_t n, int threads) {
  CheckResult res;
  set_threads(threads);
  const size_t es = elem_size(row.dt);
  // Every implementation writes into its own buffer, pre-filled with NaN
  // (0xFF bytes) / 0x55 so an element a peer does not write shows up.
  const unsigned char fill = row.dt == Dt::f32 ? 0xFF : 0x55;
  std::vector<unsigned char> ref(n * es, fill), tmp(n * es, 0);
  std::vector<float> ref_dalpha(kChannels, NAN);
  Args g = inputs(row, n, false);
  g.out = ref.data();
  g.tmp = tmp.data();
  g.dalpha = ref_dalpha.data();
  std::string why;
  std::unique_ptr<Runner> lr = row.lib(g, &why);
  if (!lr->run()) {
    res.ok = false;
    res.msg = "librelu: " + std::string(relu_status_string(static_cast<LibRunner *>(lr.get())->last));
    return res;
  }
  // |x*dy| summed per channel: the scale of dalpha's rounding error.
  std::vector<double> dalpha_scale(kChannels, 0.0);
  if (row.prelu && row.dir == kBwd)
    for (size_t i = 0; i < n; ++i)
      if (F(g.x)[i] <= 0) dalpha_scale[i % kChannels] += std::fabs(double(F(g.x)[i]) * F(g.dy)[i]);

  for (const Peer &p : row.peers) {
    if (p.one_thread && threads != 1) continue;
    std::vector<unsigned char> out(n * es, fill);
    std::vector<float> dalpha(kChannels, NAN);
    Args pg = inputs(row, n, p.u8);
    pg.out = out.data();
    pg.tmp = tmp.data();
    pg.dalpha = dalpha.data();
    std::unique_ptr<Runner> r = p.make(pg, &why);
    if (!r || !r->run()) {
      res.ok = false;
      res.msg = p.name + " failed: " + why;
      return res;
    }
    double worst = 0;  // max |diff| / allowed
    size_t bad = 0, first_bad = 0;
    for (size_t i = 0; i < n; ++i) {
      double e;
      if (row.dt == Dt::s8) {
        int a = static_cast<int8_t>(out[i] ^ (p.u8 ? 0x80 : 0)), b = static_cast<int8_t>(ref[i]);
        e = std::abs(a - b);  // allowed: 1
      } else {
        float a, b;
        std::memcpy(&a, &out[4 * i], 4);
        std::memcpy(&b, &ref[4 * i], 4);
        if (std::isnan(a) || std::isnan(b))
          e = (std::isnan(a) && std::isnan(b)) ? 0 : INFINITY;
        else if (row.tol == kExact)
          e = a == b ? 0 : INFINITY;  // 0 == -0: the sign of a zero is unspecified
        else
          e = std::fabs(double(a) - b) / (kRelTol * std::fabs(double(b)) + kAbsTol);
      }
      if (e > worst) worst = e;
      if (e > 1 && bad++ == 0) first_bad = i;
    }
    if (bad) {
      res.ok = false;
      std::string v;
      if (row.dt == Dt::s8) {
        v = fmt("x=%g peer=%g librelu=%g", static_cast<int8_t>(S(pg.x)[first_bad] ^ (p.u8 ? 0x80 : 0)),
                static_cast<int8_t>(out[first_bad] ^ (p.u8 ? 0x80 : 0)),
                static_cast<int8_t>(ref[first_bad]));
      } else {
        float a, b;
        std::memcpy(&a, &out[4 * first_bad], 4);
        std::memcpy(&b, &ref[4 * first_bad], 4);
        v = fmt("a=%.9g peer=%.9g librelu=%.9g", F(g.a)[first_bad], a, b);
      }
      if (res.msg.empty())
        res.msg = p.name + ": " + std::to_string(bad) + " of " + std::to_string(n) +
                  " elements differ, first at " + std::to_string(first_bad) + " (" + v + ")";
    }
    double dworst = 0;
    if (row.prelu && row.dir == kBwd) {
      for (size_t c = 0; c < kChannels; ++c) {
        double e = std::fabs(double(dalpha[c]) - ref_dalpha[c]) / (1e-4 * dalpha_scale[c] + 1e-6);
        if (!(e <= 1)) {
          if (res.ok || res.msg.empty())
            res.msg = p.name + ": dalpha[" + std::to_string(c) + "] " +
                      fmt("%.9g vs librelu %.9g", dalpha[c], ref_dalpha[c]);
          res.ok = false;
        }
        if (e > dworst || std::isnan(e)) dworst = e;
      }
    }
    res.detail += " " + p.name + fmt(" worst=%.3g", worst) +
                  (row.prelu && row.dir == kBwd ? fmt(" dalpha=%.3g", dworst) : "") + " of allowed";
  }
  return res;
}

// Checked once per (row, n, threads), the first time any of its benchmarks runs.
const CheckResult &checked(const Row &row, size_t n, int threads) {
  static std::map<std::string, CheckResult> done;
  std::string key = row.key() + "/" + std::to_string(n) + "/" + std::to_string(threads);
  auto it = done.find(key);
  if (it == done.end()) {
    it = done.emplace(key, check_row(row, n, threads)).first;
    if (!it->second.ok) {
      g_failed = true;
      std::fprintf(stderr, "relu-bench-peers: MISMATCH %s: %s\n", key.c_str(), it->second.msg.c_str());
    }
  }
  return it->second;
}

// ---------------------------------------------------------------- timing

using Clock = std::chrono::steady_clock;

// Rates from the wall-clock time of the calls alone: Google Benchmark's own
// rate would divide by this thread's CPU time, wrong with 2 threads.
void report(benchmark::State &st, double seconds, size_t bytes_per_call, size_t items) {
  const double calls = static_cast<double>(st.iterations());
  if (!(calls > 0) || !(seconds > 0)) return;
  st.counters["bytes_per_second"] = calls * static_cast<double>(bytes_per_call) / seconds;
  st.counters["items_per_second"] = calls * static_cast<double>(items) / seconds;
  st.counters["t_call"] = seconds / calls;
}

void run_impl(benchmark::State &st, const Row &row, const Peer *peer, size_t n, int threads) {
  const CheckResult &c = checked(row, n, threads);
  if (!c.ok) {
    st.SkipWithError(("cross-check failed: " + c.msg).c_str());
    return;
  }
  set_threads(threads);
  const size_t bytes = n * elem_size(row.dt);
  Args g = inputs(row, n, peer && peer->u8);
  g.out = block(kOut, bytes).data;
  g.tmp = block(kTmp, bytes).data;
  static float dalpha[kChannels];
  g.dalpha = dalpha;
  std::string why;
  std::unique_ptr<Runner> r = peer ? peer->make(g, &why) : row.lib(g, &why);
  if (!r) {
    st.SkipWithError(why.c_str());
    return;
  }
  if (!r->run()) {  // also warms the caches for the small sizes
    st.SkipWithError("the first call failed");
    return;
  }
  const auto t0 = Clock::now();
  for (auto _ : st) r->run();
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  benchmark::ClobberMemory();
  st.SetLabel(r->label);
  report(st, seconds, (row.dir == kFwd ? 2 : 3) * bytes, n);
}

enum CopyKind { kMemcpy, kVector, kStream };
const char *copy_name(CopyKind k) { return k == kMemcpy ? "memcpy" : k == kVector ? "vector" : "stream"; }

void run_copy(benchmark::State &st, CopyKind kind, size_t bytes, int threads) {
  set_threads(threads);
  const char *src = block(kCopySrc, bytes).data;
  char *dst = block(kOut, bytes).data;
  void (*fn)(void *, const void *, size_t) =
      kind == kMemcpy ? peers::copy_memcpy : kind == kVector ? peers::copy_vector : peers::copy_stream;
  // Split into cache-line-aligned chunks, one per thread, like the kernels do.
  auto copy = [&] {
    if (threads == 1) {
      fn(dst, src, bytes);
      return;
    }
#pragma omp parallel num_threads(threads)
    {
      const size_t t = static_cast<size_t>(omp_get_thread_num());
      const size_t nt = static_cast<size_t>(omp_get_num_threads());
      const size_t chunk = (bytes / nt + 63) & ~size_t(63);
      const size_t lo = std::min(bytes, t * chunk), hi = std::min(bytes, lo + chunk);
      if (hi > lo) fn(dst + lo, src + lo, hi - lo);
    }
  };
  copy();
  const auto t0 = Clock::now();
  for (auto _ : st) {
    copy();
    benchmark::DoNotOptimize(dst);
    benchmark::ClobberMemory();
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  st.SetLabel(kind == kMemcpy ? "libc" : peers::copy_isa());
  report(st, seconds, 2 * bytes, bytes);
}

// ------------------------------------------------------------------- main

bool parse_list(const char *s, std::vector<size_t> *out) {
  out->clear();
  while (*s) {
    char *end = nullptr;
    unsigned long long v = std::strtoull(s, &end, 10);
    if (end == s || v == 0) return false;
    out->push_back(static_cast<size_t>(v));
    s = end;
    if (*s == ',') ++s;
    else if (*s) return false;
  }
  return !out->empty();
}

void print_help() {
  benchmark::PrintDefaultHelp();
  std::fprintf(stdout,
               "\nrelu-bench-peers flags:\n"
               "          [--check]                  cross-check every peer against librelu, no timing\n"
               "          [--peers_sizes=a,b,...]    element counts (multiples of 64)\n"
               "          [--peers_threads=1,2]      thread counts\n"
               "          [--peers_verbose]          with --check: worst error per peer\n"
               "          [--peers_min_time=<seconds>] --benchmark_min_time, either GB version\n"
               "Names: <f32|s8>/<op>/<fwd|bwd|bwdy>/<impl>/<n>/t<threads>, "
               "copy/<memcpy|vector|stream>/<bytes>/t<threads>\n");
}

}  // namespace

int main(int argc, char **argv) {
  std::vector<char *> args;
  std::string min_time_flag;
  bool check_only = false, verbose = false, sizes_given = false;
  std::vector<size_t> sizes = {4096, 65536, 1048576, 16777216};
  std::vector<size_t> threads = {1, 2};
  for (int i = 0; i < argc; ++i) {
    const char *a = argv[i];
    if (i > 0 && std::strcmp(a, "--check") == 0) {
      check_only = true;
    } else if (i > 0 && std::strcmp(a, "--peers_verbose") == 0) {
      verbose = true;
    } else if (i > 0 && std::strncmp(a, "--peers_min_time=", 17) == 0) {
      char *end = nullptr;
      double v = std::strtod(a + 17, &end);
      if (end == a + 17 || *end != '\0' || !(v > 0 && v < 1e4)) {
        std::fprintf(stderr, "relu-bench-peers: --peers_min_time wants seconds, got '%s'\n", a + 17);
        return 2;
      }
      // Google Benchmark 1.8 wants a unit on --benchmark_min_time, 1.7 a bare number.
      min_time_flag = std::string("--benchmark_min_time=") + (a + 17);
#ifdef RELU_BENCH_MIN_TIME_UNIT
      min_time_flag += "s";
#endif
    } else if (i > 0 && std::strncmp(a, "--peers_sizes=", 14) == 0) {
      sizes_given = true;
      if (!parse_list(a + 14, &sizes) ||
          std::any_of(sizes.begin(), sizes.end(), [](size_t n) { return n % kChannels != 0; })) {
        std::fprintf(stderr, "relu-bench-peers: --peers_sizes wants multiples of 64, got '%s'\n", a + 14);
        return 2;
      }
    } else if (i > 0 && std::strncmp(a, "--peers_threads=", 16) == 0) {
      if (!parse_list(a + 16, &threads) ||
          std::any_of(threads.begin(), threads.end(), [](size_t t) { return t > 1024; })) {
        std::fprintf(stderr, "relu-bench-peers: --peers_threads wants 1..1024, got '%s'\n", a + 16);
        return 2;
      }
    } else {
      args.push_back(argv[i]);
    }
  }
  if (check_only && !sizes_given) sizes = {4096, 65536, 1048576};
  if (!min_time_flag.empty()) args.insert(args.begin() + (args.empty() ? 0 : 1), &min_time_flag[0]);
  args.push_back(nullptr);
  int nargs = static_cast<int>(args.size()) - 1;

  for (size_t c = 0; c < kChannels; ++c)
    g_alpha[c] = static_cast<float>(0.01 + 0.29 * static_cast<double>(c) / (kChannels - 1));

  if (xnn_initialize(nullptr) != xnn_status_success) {
    std::fprintf(stderr, "relu-bench-peers: xnn_initialize failed\n");
    return 2;
  }
  static std::vector<Row> rows = make_rows();
  probe_peers(rows);

  if (check_only) {
    int failures = 0, total = 0;
    for (const Row &row : rows)
      for (size_t n : sizes)
        for (size_t t : threads) {
          const int ti = static_cast<int>(t);
          const CheckResult &c = checked(row, n, ti);
          ++total;
          if (!c.ok) ++failures;
          if (!c.ok || verbose)
            std::printf("%-4s %s/%zu/t%d:%s%s%s\n", c.ok ? "ok" : "FAIL", row.key().c_str(), n, ti,
                        c.detail.c_str(), c.ok ? "" : " -- ", c.msg.c_str());
        }
    std::printf("relu-bench-peers --check: librelu %s (%s), %d of %d rows agree%s%s\n",
                relu_version_string(), relu_isa_name(relu_active_isa()), total - failures, total,
                g_skipped.empty() ? "" : "; peers not available: ", g_skipped.c_str());
    return failures ? 1 : 0;
  }

  benchmark::Initialize(&nargs, args.data(), print_help);
  if (benchmark::ReportUnrecognizedArguments(nargs, args.data())) return 1;

  const dnnl_version_t *v = dnnl_version();
  benchmark::AddCustomContext("librelu", relu_version_string());
  benchmark::AddCustomContext("relu_isa", relu_isa_name(relu_active_isa()));
  const std::string hash = v->hash && std::strcmp(v->hash, "N/A") != 0 ? std::string(v->hash) + ", " : "";
  benchmark::AddCustomContext("onednn", std::to_string(v->major) + "." + std::to_string(v->minor) +
                                            "." + std::to_string(v->patch) + " (" + hash +
                                            (v->cpu_runtime == DNNL_RUNTIME_OMP ? "OpenMP" : "other") +
                                            " runtime)");
  benchmark::AddCustomContext("xnnpack", "Debian libxnnpack0, no threadpool");
  benchmark::AddCustomContext("copy_isa", peers::copy_isa());
  benchmark::AddCustomContext("peers_skipped", g_skipped.empty() ? "none" : g_skipped);

  std::set<size_t> copy_bytes;
  for (const Row &row : rows)
    for (size_t n : sizes)
      for (size_t t : threads) {
        const int ti = static_cast<int>(t);
        const std::string base = row.key() + "/";
        const std::string tail = "/" + std::to_string(n) + "/t" + std::to_string(ti);
        const Row *rp = &row;
        benchmark::RegisterBenchmark((base + "librelu" + tail).c_str(),
                                     [rp, n, ti](benchmark::State &st) { run_impl(st, *rp, nullptr, n, ti); })
            ->Unit(benchmark::kMicrosecond);
        for (const Peer &p : row.peers) {
          if (p.one_thread && ti != 1) continue;
          const Peer *pp = &p;
          benchmark::RegisterBenchmark((base + p.name + tail).c_str(),
                                       [rp, pp, n, ti](benchmark::State &st) { run_impl(st, *rp, pp, n, ti); })
              ->Unit(benchmark::kMicrosecond);
        }
        copy_bytes.insert(n * elem_size(row.dt));
      }
  for (size_t bytes : copy_bytes)
    for (size_t t : threads)
      for (CopyKind k : {kMemcpy, kVector, kStream}) {
        const int ti = static_cast<int>(t);
        benchmark::RegisterBenchmark(
            ("copy/" + std::string(copy_name(k)) + "/" + std::to_string(bytes) + "/t" + std::to_string(ti))
                .c_str(),
            [k, bytes, ti](benchmark::State &st) { run_copy(st, k, bytes, ti); })
            ->Unit(benchmark::kMicrosecond);
      }

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  xnn_deinitialize();
  return g_failed ? 1 : 0;
}
