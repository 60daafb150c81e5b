#!/bin/sh
# The ABI guard (ctest "abi", label package): a fresh librelu.so must offer
# everything abi/librelu.abi records — same symbols, same version nodes, same
# function signatures and public types. Additions are allowed (1.x may add
# functions: --no-added-syms); anything else fails with abidiff's report.
#
# Whatever the build type: type information comes from DWARF, so when the
# library under test has none (Release), its symbols are checked as they are
# and a RelWithDebInfo copy built from the same sources (in <work>/debuginfo,
# incremental) is checked for types.
#   abi/check-abi.sh <librelu.so> <source-dir> <work-dir>
# Deliberate additions: abi/update-baseline.sh (and debian/librelu1.symbols).
set -eu
lib=$1 src=$2 work=$3
base="$src/abi/librelu.abi"
mkdir -p "$work"
command -v abidiff > /dev/null || { echo "abidiff not found: apt-get install abigail-tools"; exit 1; }

status=0
check() { # label, library
  sh "$src/abi/abidw.sh" "$src" "$2" > "$work/$1.abi"
  if abidiff --no-added-syms "$base" "$work/$1.abi" > "$work/$1.report" 2>&1; then
    echo "abi: $1: no ABI change against abi/librelu.abi"
  else
    rc=$?
    echo "abi: $1: abidiff exit $rc (bits: 1 error, 2 usage, 4 ABI change, 8 incompatible change):"
    cat "$work/$1.report"
    status=1
  fi
}

if readelf -S "$lib" 2>/dev/null | grep -q '\.debug_info'; then
  check "symbols+types" "$lib"
else
  check "symbols" "$lib"
  echo "abi: $(basename "$lib") has no debug info: checking types on a RelWithDebInfo copy"
  if ! { cmake -S "$src" -B "$work/debuginfo" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_SHARED_LIBS=ON \
           -DRELU_BUILD_TESTS=OFF -DRELU_BUILD_BENCH=OFF -DRELU_BUILD_TOOLS=OFF &&
         cmake --build "$work/debuginfo" -j "$(nproc 2>/dev/null || echo 2)"; } > "$work/debuginfo.log" 2>&1; then
    cat "$work/debuginfo.log"
    exit 1
  fi
  check "types" "$work/debuginfo/librelu.so"
fi
exit $status
