#!/bin/sh
# Installs what building and testing librelu needs, from Debian's archive.
# Idempotent; run as root (or with sudo available). Set RELU_SETUP_EXTRA to
# add packages.
set -eu
pkgs="build-essential cmake pkg-config libcpu-features-dev libcmocka-dev libbenchmark-dev
      clang libclang-rt-14-dev valgrind abigail-tools
      libdnnl-dev ocl-icd-opencl-dev libxnnpack-dev libpthreadpool-dev ${RELU_SETUP_EXTRA:-}"
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
apt="$sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600"
$apt update -qq
$apt install -y -qq --no-install-recommends $missing
