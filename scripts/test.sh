#!/bin/sh
# The whole test suite, as CI runs it. Stages (each in its own build dir):
#   1. Release build: every cmocka suite on every ISA tier this CPU has,
#      exports, header, installed-package consumers, strided accuracy sweep,
#      and the benchmarks, with the peer cross-check (peers_check).
#   2. ASan+UBSan build: the whole ctest again.
#   3. TSan build: the tests labelled "threads".
#   4. valgrind memcheck over the unit suite (RELU_ISA=avx2: valgrind does
#      not know AVX-512), skipping the sweeps that would take hours there.
#   5. The differential fuzzer for RELU_FUZZ_SECONDS (default 60).
#   6. AArch64: cross build, whole ctest under qemu (NEON and scalar tiers).
#   7. Bindings: Python (against PyTorch), Rust, Go, on an installed tree.
#   8. Debian: the .debs build, lintian, install, consumers.
#   9. Windows: the mingw-w64 DLL and its test program under Wine.
# RELU_TEST_STAGES="1 2" runs a subset.
set -eu
cd "$(dirname "$0")/.."
./scripts/setup.sh
jobs=$(nproc 2>/dev/null || echo 2)
stages=${RELU_TEST_STAGES:-"1 2 3 4 5 6 7 8 9"}

build() { # dir, cmake args...
  dir=$1; shift
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DRELU_BUILD_TESTS=ON -DRELU_BUILD_BENCH=OFF "$@" \
    > "$dir.log" 2>&1 || { cat "$dir.log"; exit 1; }
  cmake --build "$dir" -j"$jobs" >> "$dir.log" 2>&1 || { tail -n 60 "$dir.log"; exit 1; }
}

for stage in $stages; do
  case $stage in
  1)
    echo "== 1. release build: every test on every tier"
    # With the benchmarks: they must build, and peers_check compares oneDNN's
    # and XNNPACK's outputs with librelu's.
    build build-test -DRELU_BUILD_BENCH=ON
    ctest --test-dir build-test --output-on-failure -j"$jobs"
    ;;
  2)
    echo "== 2. ASan + UBSan"
    build build-asan -DRELU_SANITIZE=address,undefined -DCMAKE_BUILD_TYPE=RelWithDebInfo
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      ctest --test-dir build-asan --output-on-failure -j"$jobs" -LE "package|accuracy|huge"
    ;;
  3)
    echo "== 3. TSan: the threading tests"
    build build-tsan -DRELU_SANITIZE=thread -DCMAKE_BUILD_TYPE=RelWithDebInfo
    TSAN_OPTIONS=halt_on_error=1 ctest --test-dir build-tsan --output-on-failure -L threads -LE huge
    ;;
  4)
    echo "== 4. valgrind memcheck (RELU_ISA=avx2)"
    build build-test -DRELU_BUILD_BENCH=ON # (re)builds: the memcheck must run the current binaries
    RELU_ISA=avx2 RELU_TEST_VALGRIND=1 ctest --test-dir build-test --output-on-failure -j"$jobs" --timeout 2400 \
      -L unit -LE accuracy -E "exports|header|test_stress|test_env|test_nothreads" \
      --overwrite MemoryCheckCommand=/usr/bin/valgrind \
      --overwrite MemoryCheckCommandOptions="--error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite --quiet" \
      -T memcheck > build-test/memcheck.log 2>&1 || { tail -n 40 build-test/memcheck.log; exit 1; }
    if grep -q "Defects:" build-test/memcheck.log; then
      grep -A20 "Defects:" build-test/memcheck.log; exit 1
    fi
    tail -n 3 build-test/memcheck.log
    ;;
  5)
    echo "== 5. differential fuzzer (${RELU_FUZZ_SECONDS:-60} s)"
    CC=clang build build-fuzz -DRELU_BUILD_FUZZ=ON -DBUILD_SHARED_LIBS=OFF -DRELU_BUILD_TESTS=OFF \
      -DRELU_BUILD_TOOLS=OFF
    mkdir -p build-fuzz/corpus
    build-fuzz/tests/fuzz/fuzz_relu -max_total_time="${RELU_FUZZ_SECONDS:-60}" -max_len=4096 \
      -print_final_stats=1 build-fuzz/corpus tests/fuzz/corpus > build-fuzz/fuzz.log 2>&1 ||
      { tail -n 60 build-fuzz/fuzz.log; exit 1; }
    grep -E "stat::number_of_executed_units|Done" build-fuzz/fuzz.log | tail -n 2
    ;;
  6)
    echo "== 6. aarch64 under qemu"
    ./scripts/test-aarch64.sh
    ;;
  7)
    echo "== 7. bindings: Python, Rust, Go"
    ./scripts/test-bindings.sh
    ;;
  8)
    echo "== 8. Debian packages"
    ./scripts/test-debian.sh
    ;;
  9)
    echo "== 9. Windows DLL under Wine"
    ./scripts/test-windows.sh
    ;;
  esac
done
echo "all stages passed: $stages"
