#!/bin/sh
# librelu against its peers (oneDNN, XNNPACK) and the copy limit, one table.
#
#   scripts/bench-peers.sh [path/to/relu-bench-peers] [--quick] [extra relu-bench-peers flags...]
#
# Runs relu-bench-peers once (every implementation in one process, Google
# Benchmark repetitions with random interleaving, medians), then prints one
# markdown table: a row per op x direction x dtype x n x threads with the best
# peer, its GB/s, librelu's GB/s, librelu / best peer, the copy limit (the best
# of memcpy, a vector copy loop and a streaming-store copy of the same bytes,
# same run) and librelu / copy limit. GB/s = 1e9 bytes read +
# written per second. A row misses the target when librelu is below 1.0x the
# best peer, or below 1.25x where the best peer reaches less than 0.75x of the
# copy limit (there is room to beat it by more). In the 2-thread rows the best
# peer and the copy limit are the best of their 2-thread and 1-thread runs
# (a 2-thread budget can be spent on one thread; it never flatters librelu).
#
# Full run: n = 4 Ki, 64 Ki, 1 Mi, 16 Mi elements, 1 and 2 threads,
# 5 repetitions of >= 0.05 s (about 15 minutes on a loaded 2-core machine). --quick: 64 Ki and 16 Mi,
# 1 thread, 3 repetitions of >= 0.02 s (under a minute).
# RELU_PEERS_REPETITIONS / RELU_PEERS_MIN_TIME override either;
# RELU_PEERS_JSON=FILE keeps the raw Google Benchmark JSON, and
# --json=FILE prints the table from such a file without running anything.
# Every row's outputs are cross-checked before it is timed; a mismatch is
# printed and makes this script exit non-zero after the table.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/build/bench/relu-bench-peers
case "${1:-}" in
  ""|--*) ;;
  *) bin=$1; shift ;;   # relative to the caller's directory
esac
quick=0
extra=""
from_json=""
for a in "$@"; do
  case "$a" in
    --quick) quick=1 ;;
    --json=*) from_json=${a#--json=} ;;
    *) extra="$extra $a" ;;
  esac
done
if [ -z "$from_json" ] && [ ! -x "$bin" ]; then
  echo "bench-peers: no relu-bench-peers at '$bin'; it is built when oneDNN and XNNPACK are found:" >&2
  echo "  apt-get install libdnnl-dev ocl-icd-opencl-dev libxnnpack-dev libpthreadpool-dev" >&2
  echo "  cmake -S . -B build && cmake --build build --target relu-bench-peers" >&2
  exit 1
fi
python=/usr/bin/python3
[ -x "$python" ] || python=python3

if [ $quick = 1 ]; then
  sizes=65536,16777216; threads=1; reps=${RELU_PEERS_REPETITIONS:-3}; min_time=${RELU_PEERS_MIN_TIME:-0.02}
else
  sizes=4096,65536,1048576,16777216; threads=1,2; reps=${RELU_PEERS_REPETITIONS:-5}; min_time=${RELU_PEERS_MIN_TIME:-0.05}
fi

status=0
if [ -n "$from_json" ]; then
  out=$from_json
  start=0; end=0
else
if [ -n "${RELU_PEERS_JSON:-}" ]; then
  out=$RELU_PEERS_JSON
else
  out=$(mktemp "${TMPDIR:-/tmp}/relu-bench-peers.XXXXXX")
  trap 'rm -f "$out"' EXIT
fi
trap 'exit 130' INT TERM

echo "bench-peers: running $bin (n = $sizes, threads $threads, $reps repetitions, random interleaving)..." >&2
start=$(date +%s)
# shellcheck disable=SC2086  # $extra is a list of flags
"$bin" --peers_sizes=$sizes --peers_threads=$threads --peers_min_time="$min_time" \
  --benchmark_repetitions="$reps" \
  --benchmark_enable_random_interleaving=true \
  --benchmark_report_aggregates_only=true \
  --benchmark_format=json $extra > "$out" || status=$?
end=$(date +%s)
fi

"$python" - "$out" "$((end - start))" "$reps" "$status" <<'EOF'
import json
import re
import sys
import time

path, seconds, reps, status = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
try:
    with open(path) as f:
        data = json.load(f)
except (OSError, ValueError) as e:
    sys.exit(f"bench-peers: relu-bench-peers produced no readable JSON ({e}), exit status {status}")
ctx = data.get("context", {})

OPS = ["relu", "leaky", "prelu", "elu", "selu", "clipped", "tanh"]
DIRS = ["fwd", "bwd", "bwdy"]
DTYPES = ["f32", "f64", "s8"]
ESIZE = {"f32": 4, "f64": 8, "s8": 1}

impls = {}    # (dt, op, dir, n, t) -> {impl: GB/s}
copies = {}   # (bytes, t) -> {kind: GB/s}
errors = []
for b in data.get("benchmarks", []):
    name = b.get("run_name") or b["name"]
    parts = name.split("/")
    if b.get("error_occurred"):
        errors.append(f"{name}: {b.get('error_message', 'error')}")
        continue
    if b.get("aggregate_name") != "median" or "bytes_per_second" not in b:
        continue
    v = b["bytes_per_second"] / 1e9
    if parts[0] == "copy" and len(parts) == 4:
        copies.setdefault((int(parts[2]), parts[3]), {})[parts[1]] = v
    elif len(parts) == 6:
        dt, op, d, impl, n, t = parts
        impls.setdefault((dt, op, d, int(n), t), {})[impl] = v
errors = sorted(set(errors))

def order(k):
    dt, op, d, n, t = k
    return (DTYPES.index(dt) if dt in DTYPES else 9, OPS.index(op) if op in OPS else 99,
            DIRS.index(d) if d in DIRS else 9, n, t)

def size(n):
    return f"{n >> 20} Mi" if n >= 1 << 20 else f"{n >> 10} Ki" if n >= 1 << 10 else str(n)

def g(v):
    return f"{v:.1f}" if v >= 10 else f"{v:.2f}"

cpu = "?"
try:
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
except OSError:
    pass

print(f"librelu {ctx.get('librelu', '?')} ({ctx.get('relu_isa', '?')} tier) vs oneDNN "
      f"{ctx.get('onednn', '?')}, XNNPACK ({ctx.get('xnnpack', '?')}); "
      f"{ctx.get('date', time.strftime('%Y-%m-%d', time.gmtime()))[:10]}, {cpu}, {ctx.get('num_cpus', '?')} CPUs; "
      + (f"{seconds} s." if seconds != "0" else "(from a saved JSON)."))
print(f"GB/s = 1e9 bytes read + written per second, median of {reps} randomly interleaved "
      "repetitions. copy limit = best of memcpy, a vector copy loop and a streaming-store "
      "copy of the same bytes. thr = thread budget: librelu runs with that many threads; "
      "with 2, the best peer and the copy limit are the best of their 2-thread run "
      "(oneDNN: 2 OpenMP threads) and their 1-thread run (marked '1 thr'; XNNPACK always). "
      "target: librelu >= 1.0x the best peer, >= 1.25x where the best peer is below 0.75x "
      "of the copy limit.")
print()
print("| op | dir | dtype | n | thr | best peer | peer GB/s | librelu GB/s | librelu/peer "
      "| copy limit GB/s | librelu/copy | target |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
rows = misses = 0
for k in sorted(impls, key=order):
    dt, op, d, n, t = k
    m = impls[k]
    peers = {i: v for i, v in m.items() if i != "librelu"}
    lib = m.get("librelu")
    # A thread budget of t can also be spent on one thread: with more than
    # one, the best peer and the copy limit are the best of their t-thread
    # and 1-thread runs (which never flatters librelu). On a loaded machine
    # an OpenMP region's join can wait a whole timeslice for its second
    # thread, which would otherwise make oneDNN and the split copies look
    # absurdly slow.
    if t != "t1":
        for i, v in impls.get((dt, op, d, n, "t1"), {}).items():
            if i != "librelu" and v > peers.get(i + " (1 thr)", 0) and v > peers.get(i, 0):
                peers[i + " (1 thr)"] = v
    if not peers or lib is None:
        continue
    best = max(peers, key=peers.get)
    pv = peers[best]
    cp = dict(copies.get((n * ESIZE.get(dt, 4), t), {}))
    if t != "t1":
        for kind, v in copies.get((n * ESIZE.get(dt, 4), "t1"), {}).items():
            if v > cp.get(kind, 0):
                cp[kind + ", 1 thr"] = v
    cl = max(cp.values()) if cp else None
    need = 1.25 if cl and pv < 0.75 * cl else 1.0
    ok = lib >= need * pv
    rows += 1
    misses += not ok
    mark = f"ok ({need:.2f}x)" if ok else f"**MISS** ({need:.2f}x)"
    print(f"| {op} | {d} | {dt} | {size(n)} | {t[1:]} | {best} | {g(pv)} | {g(lib)} | "
          f"{lib / pv:.2f} | {g(cl) + ' (' + max(cp, key=cp.get) + ')' if cl else '-'} | "
          f"{(f'{lib / cl:.2f}') if cl else '-'} | {mark} |")
print()
print(f"{rows} rows, {misses} below target. Peers not available: {ctx.get('peers_skipped', '?')}.")
if errors:
    print(f"{len(errors)} benchmark(s) failed:")
    for e in errors[:20]:
        print(f"  {e}")
if status != 0:
    print(f"relu-bench-peers exited with status {status} (a cross-check mismatch or a failed run)")
    sys.exit(1)
EOF
