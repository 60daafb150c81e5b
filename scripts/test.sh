#!/bin/sh
# The whole test suite, as CI runs it: dependencies, a Release build with
# every test, ctest (unit tests on every ISA tier this CPU has, exports,
# header, installed-package consumers, strided accuracy sweep).
set -eu
cd "$(dirname "$0")/.."
./scripts/setup.sh
jobs=$(nproc 2>/dev/null || echo 2)

cmake -S . -B build-test -DCMAKE_BUILD_TYPE=Release -DRELU_BUILD_TESTS=ON > build-test.log
cmake --build build-test -j"$jobs" >> build-test.log 2>&1 || { cat build-test.log; exit 1; }
ctest --test-dir build-test --output-on-failure -j"$jobs"
