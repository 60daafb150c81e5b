#!/bin/sh
# Cross-builds librelu for AArch64 (Debian's gcc-aarch64-linux-gnu) and runs
# the whole ctest suite under qemu-user, three times over the same binaries:
#   1. qemu -cpu max          (every tier the build has: NEON, then scalar)
#   2. qemu -cpu cortex-a53   (an in-order ARMv8.0 core: no FEAT_FP16/SVE...)
#   3. qemu -cpu max with RELU_ISA=scalar (the scalar tier as the default):
#      the tests that use the default tier. test_float, test_s8 and the
#      accuracy sweep switch tiers themselves (relu_use_isa over every
#      available one), so under RELU_ISA=scalar they would repeat run 1
#      exactly; test_huge (2 GiB in place) is left out too. RELU_AARCH64_SCALAR=all runs everything,
#      RELU_AARCH64_SCALAR=0 skips run 3.
# Environment: RELU_AARCH64_BUILD (build dir, default build-aarch64),
# RELU_AARCH64_CPUS (default "max cortex-a53"), RELU_CTEST_ARGS adds ctest
# arguments to every run (e.g. "-R test_s8").
# Not run here: the "consumer" test (installs the package and builds against
# it with the host toolchain; checks.cmake leaves it out when cross-compiling).
# test_env re-executes itself through qemu-aarch64 (tests/CMakeLists.txt), so
# it needs no binfmt_misc entry.
set -eu
cd "$(dirname "$0")/.."
start=$(date +%s)

# ------------------------------------------------------------- packages
pkgs="cmake gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
      libcpu-features-dev:arm64 libcmocka-dev:arm64"
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "== installing:$missing"
  dpkg --print-foreign-architectures | grep -qx arm64 || $sudo dpkg --add-architecture arm64
  apt="$sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600"
  $apt update -qq
  # shellcheck disable=SC2086
  $apt install -y -qq --no-install-recommends $missing
fi

dir=${RELU_AARCH64_BUILD:-build-aarch64}
cpus=${RELU_AARCH64_CPUS:-"max cortex-a53"}
jobs=$(nproc 2>/dev/null || echo 2)
log="$dir.log"

configure() { # qemu cpu
  cmake -S . -B "$dir" -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/aarch64-linux-gnu.cmake" \
    -DCMAKE_BUILD_TYPE=Release -DRELU_BUILD_TESTS=ON -DRELU_BUILD_BENCH=OFF \
    -DRELU_QEMU_CPU="$1" >> "$log" 2>&1 || { tail -n 40 "$log"; exit 1; }
}

# ctest with the emulator of the last configure; the environment passes
# through qemu-user to the test programs (and QEMU_LD_PREFIX / QEMU_CPU give
# test_env's re-executed child the same root and core).
run() { # label, qemu cpu, [extra exclusions]
  echo "== $1"
  ex=${3:-}
  export QEMU_LD_PREFIX QEMU_CPU="$2"
  QEMU_LD_PREFIX=$(sed -n 's/^RELU_QEMU_LD_PREFIX:PATH=//p' "$dir/CMakeCache.txt")
  t0=$(date +%s)
  # shellcheck disable=SC2086
  ctest --test-dir "$dir" --output-on-failure -j"$jobs" ${ex:+-E "^($ex)\$"} \
    ${RELU_CTEST_ARGS:-} || { echo "FAILED: $1"; exit 1; }
  echo "   $1: $(( $(date +%s) - t0 )) s"
}

echo "== cross-build (aarch64-linux-gnu, Release) in $dir"
: > "$log"
first=${cpus%% *}
configure "$first"
grep -q "neon tier: built" "$log" || { echo "NEON tier not built"; tail -n 40 "$log"; exit 1; }
cmake --build "$dir" -j"$jobs" >> "$log" 2>&1 || { tail -n 60 "$log"; exit 1; }
echo "   built in $(( $(date +%s) - start )) s"

for cpu in $cpus; do
  # The first core runs everything; the others skip the strided accuracy
  # sweep and the 2 GiB test, which only repeat the first run's arithmetic
  # and dominate emulated time (RELU_AARCH64_FULL=1 runs them everywhere).
  extra=""
  [ "$cpu" = "$first" ] || [ "${RELU_AARCH64_FULL:-0}" = 1 ] || extra="accuracy|test_huge"
  [ "$cpu" = "$first" ] || configure "$cpu"
  run "qemu-aarch64 -cpu $cpu: every tier" "$cpu" "$extra"
done
if [ "${RELU_AARCH64_SCALAR:-1}" != 0 ]; then
  [ "$cpu" = "$first" ] || configure "$first"
  skip="test_float|test_s8|test_huge|accuracy"
  [ "${RELU_AARCH64_SCALAR:-1}" = all ] && skip=""
  export RELU_ISA=scalar
  run "qemu-aarch64 -cpu $first, RELU_ISA=scalar" "$first" "$skip"
  unset RELU_ISA
fi
echo "aarch64: all runs passed in $(( $(date +%s) - start )) s"
