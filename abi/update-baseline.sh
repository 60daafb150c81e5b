#!/bin/sh
# Regenerates abi/librelu.abi, the ABI baseline that abi/check-abi.sh (ctest
# "abi") compares every fresh librelu.so with. Run it only when the ABI changes
# on purpose — i.e. when functions are added (a new version node in
# src/relu.map, e.g. RELU_1.1); removing or changing anything is not allowed
# in 1.x. Builds a RelWithDebInfo copy of the library (abidw needs the DWARF
# type information) in a scratch directory, then describes only what the
# public header defines and the exported functions reach.
#   abi/update-baseline.sh [scratch-dir]      then review `git diff abi/`
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-${TMPDIR:-/tmp}/relu-abi-baseline}
command -v abidw > /dev/null || { echo "abidw not found: apt-get install abigail-tools"; exit 1; }
cmake -S "$src" -B "$work" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_SHARED_LIBS=ON \
  -DRELU_BUILD_TESTS=OFF -DRELU_BUILD_BENCH=OFF -DRELU_BUILD_TOOLS=OFF > "$work.log" 2>&1 \
  || { cat "$work.log"; exit 1; }
cmake --build "$work" -j "$(nproc 2>/dev/null || echo 2)" >> "$work.log" 2>&1 || { cat "$work.log"; exit 1; }
sh "$src/abi/abidw.sh" "$src" "$work/librelu.so" > "$src/abi/librelu.abi"
echo "abi/librelu.abi: $(grep -c '<elf-symbol ' "$src/abi/librelu.abi") symbols," \
     "$(grep -c '<function-decl ' "$src/abi/librelu.abi") function declarations"
