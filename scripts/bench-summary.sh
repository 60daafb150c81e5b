#!/bin/sh
# A compact throughput table from relu-bench: every op x direction x dtype,
# out of place, at an L2-resident size (64 KiB input) and a DRAM-resident size
# (16 MiB input), GB/s per ISA tier (median of 3 repetitions; bytes read +
# written per second), and the best tier over memcpy of the same input size
# (memcpy counted the same way: read + write).
#
#   scripts/bench-summary.sh [path/to/relu-bench] [extra relu-bench flags...]
#
# e.g. scripts/bench-summary.sh build/bench/relu-bench --relu_threads=2
# RELU_BENCH_MIN_TIME=<seconds> per repetition (default 0.02, which keeps the
# run near a minute with three tiers on 2 cores).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build/bench/relu-bench}   # a given path is relative to the caller's directory
[ $# -gt 0 ] && shift
if [ ! -x "$bin" ]; then
  echo "bench-summary: no relu-bench at '$bin'; build it with" >&2
  echo "  cmake -S . -B build && cmake --build build --target relu-bench" >&2
  exit 1
fi
python=/usr/bin/python3
[ -x "$python" ] || python=python3

filter='^((f32|f64|s8)/[a-z_]+/(fwd|bwd|bwdy)/[a-z0-9]+|memcpy/copy/ref/libc)/(65536|16777216)/out$'
out=$(mktemp "${TMPDIR:-/tmp}/relu-bench-summary.XXXXXX")
trap 'rm -f "$out"' EXIT
trap 'exit 130' INT TERM

echo "bench-summary: running $bin (64 KiB and 16 MiB, out of place, 3 repetitions)..." >&2
start=$(date +%s)
RELU_BENCH_MIN_TIME=${RELU_BENCH_MIN_TIME:-0.02} "$bin" \
  --benchmark_filter="$filter" \
  --benchmark_repetitions=3 \
  --benchmark_report_aggregates_only=true \
  --benchmark_format=json "$@" > "$out"
end=$(date +%s)

"$python" - "$out" "$((end - start))" <<'EOF'
import json
import sys

with open(sys.argv[1]) as f:
    data = json.load(f)
seconds = sys.argv[2]
ctx = data.get("context", {})

SIZES = [(65536, "64 KiB (L2)"), (16777216, "16 MiB (DRAM)")]
TIER_ORDER = ["scalar", "avx2", "avx512", "neon"]
OPS = ["relu", "leaky", "prelu", "prelu_cl", "elu", "selu", "clipped", "tanh", "relu_requant"]
DIRS = ["fwd", "bwd", "bwdy"]
DTYPES = ["f32", "f64", "s8"]

gbps = {}      # (dtype, op, dir, isa, size) -> GB/s, median
errors = {}
memcpy = {}    # size -> GB/s
tiers = set()
for b in data.get("benchmarks", []):
    name = b.get("run_name") or b["name"]
    parts = name.split("/")
    if len(parts) != 6:
        continue
    dt, op, d, isa, size, _place = parts
    size = int(size)
    if b.get("error_occurred"):
        errors[(dt, op, d, isa, size)] = b.get("error_message", "error")
        if dt != "memcpy":
            tiers.add(isa)
        continue
    if b.get("aggregate_name") != "median" or "bytes_per_second" not in b:
        continue
    v = b["bytes_per_second"] / 1e9
    if dt == "memcpy":
        memcpy[size] = v
    else:
        gbps[(dt, op, d, isa, size)] = v
        tiers.add(isa)

tiers = [t for t in TIER_ORDER if t in tiers] + sorted(tiers - set(TIER_ORDER))
if not tiers:
    sys.exit("bench-summary: relu-bench produced no results")

W = 7      # one tier column
P = 24     # the dtype/op/dir prefix
R = 9      # the ratio column
def cell(v):
    return f"{v:{W}.1f}" if v >= 10 else f"{v:{W}.2f}"

print(f"librelu {ctx.get('librelu', '?')}, {ctx.get('relu_threads', '?')} thread(s), "
      f"{ctx.get('num_cpus', '?')} CPUs @ {ctx.get('mhz_per_cpu', '?')} MHz, {seconds} s. "
      f"GB/s = 1e9 bytes (read + written) per second, median of 3;")
print("x memcpy = best tier / memcpy of the same input size (memcpy: read + write)")
span = W * len(tiers) + R
head1 = f"{'':{P}}"
head2 = f"{'dtype':<6}{'op':<13}{'dir':<5}"
for _, label in SIZES:
    head1 += f" | {label:<{span}}"
    head2 += " | " + "".join(f"{t:>{W}}" for t in tiers) + f"{'x memcpy':>{R}}"
print(head1)
print(head2)
line = f"{'memcpy':<{P}}"
for size, _ in SIZES:
    m = memcpy.get(size)
    line += " | " + f"{(cell(m).strip() + ' GB/s') if m else 'n/a':>{span}}"
print(line)
for dt in DTYPES:
    for op in OPS:
        for d in DIRS:
            keys = [(dt, op, d, t, s) for t in tiers for s, _ in SIZES]
            if not any(k in gbps or k in errors for k in keys):
                continue
            line = f"{dt:<6}{op:<13}{d:<5}"
            for size, _ in SIZES:
                line += " | "
                vals = []
                for t in tiers:
                    k = (dt, op, d, t, size)
                    if k in gbps:
                        vals.append(gbps[k])
                        line += cell(gbps[k])
                    else:
                        line += f"{'err' if k in errors else '-':>{W}}"
                m = memcpy.get(size)
                line += f"{max(vals) / m:{R}.2f}" if vals and m else f"{'-':>{R}}"
            print(line)
if errors:
    print(f"{len(errors)} benchmark(s) failed, e.g. "
          + "/".join(map(str, next(iter(errors)))) + ": " + next(iter(errors.values())))
EOF
