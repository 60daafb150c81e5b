#!/bin/sh
# The Python, Rust and Go binding test suites, against a freshly built librelu.
#   1. Installs the Debian packages they need, if missing.
#   2. Builds librelu (build-bindings/) and installs it into a temporary prefix.
#   3. Python: pip-installs bindings/python from a copy into a temporary
#      target, then runs pytest (vs PyTorch) with Debian's /usr/bin/python3.
#   4. Rust: cargo test --offline in bindings/rust (RELU_LIB_DIR, pkg-config).
#   5. Go: go test ./... in bindings/go (cgo, pkg-config).
# Every suite runs even if an earlier one fails; the exit status is non-zero
# if any stage failed. RELU_BINDINGS="python rust go" runs a subset.
set -eu
cd "$(dirname "$0")/.."
root=$PWD
jobs=$(nproc 2>/dev/null || echo 2)
suites=${RELU_BINDINGS:-"python rust go"}
py=/usr/bin/python3 # Debian's, with Debian's numpy/torch/pytest (not a pyenv one)
start=$(date +%s)

# ---------------------------------------------------------------- packages
pkgs="build-essential cmake pkg-config libcpu-features-dev"
case $suites in *python*) pkgs="$pkgs python3 python3-numpy python3-torch python3-pytest python3-pip python3-setuptools python3-wheel" ;; esac
case $suites in *go*) pkgs="$pkgs golang-go" ;; esac
[ -x "$HOME/.cargo/bin/cargo" ] && PATH="$HOME/.cargo/bin:$PATH"
case $suites in *rust*) command -v cargo >/dev/null 2>&1 || pkgs="$pkgs cargo" ;; esac
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "== installing:$missing"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  apt="$sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600"
  $apt update -qq
  $apt install -y -qq $missing
fi

# ------------------------------------------------------- build and install
tmp=$(mktemp -d "${TMPDIR:-/tmp}/relu-bindings.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
prefix=$tmp/prefix
echo "== building librelu into $prefix"
log=build-bindings.log
{ cmake -S . -B build-bindings -DRELU_BUILD_TESTS=OFF -DRELU_BUILD_BENCH=OFF &&
  cmake --build build-bindings -j"$jobs" &&
  cmake --install build-bindings --prefix "$prefix"; } > "$log" 2>&1 ||
  { tail -n 60 "$log"; echo "== library build failed (full log: $log)"; exit 1; }
libfile=$(find "$prefix" -name 'librelu.so.1' | head -n 1)
[ -n "$libfile" ] || { echo "no librelu.so.1 under $prefix"; exit 1; }
libdir=$(dirname "$libfile")
export PKG_CONFIG_PATH="$libdir/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export RELU_LIB_DIR="$libdir"          # Rust build.rs
export RELU_LIBRARY="$libfile"         # Python loader
export RELU_HEADER="$root/include/relu.h"
unset RELU_ISA RELU_NUM_THREADS || true
echo "   librelu $(pkg-config --modversion relu) ($(( $(date +%s) - start )) s)"

failed=""
stage() { # name, command...
  name=$1; shift
  t0=$(date +%s)
  echo "== $name"
  if "$@"; then
    echo "   $name: ok ($(( $(date +%s) - t0 )) s)"
  else
    echo "   $name: FAILED ($(( $(date +%s) - t0 )) s)"
    failed="$failed $name"
  fi
}

python_suite() {
  # Install from a copy so the source tree gets no build/ or egg-info.
  mkdir -p "$tmp/pysrc" &&
  cp -r bindings/python/pyproject.toml bindings/python/README.md bindings/python/relu "$tmp/pysrc/" &&
  "$py" -m pip install -q --no-build-isolation --no-deps --no-index --target "$tmp/site" "$tmp/pysrc" &&
  # From the tests directory: `python3 -m pytest` puts the cwd on sys.path, and
  # there the installed copy, not bindings/python/relu, is what imports.
  ( cd bindings/python/tests &&
    PYTHONPATH="$tmp/site" PYTHONDONTWRITEBYTECODE=1 "$py" -c \
      "import relu, sys; sys.exit(0 if relu.__file__.startswith('$tmp/site') else 'wrong relu: ' + relu.__file__)" &&
    PYTHONPATH="$tmp/site" PYTHONDONTWRITEBYTECODE=1 "$py" -m pytest -q --tb=short -p no:cacheprovider \
      -c ../pyproject.toml --rootdir .. . )
}

rust_suite() {
  ( cd bindings/rust && RUST_BACKTRACE=0 CARGO_TARGET_DIR="$root/build-bindings/cargo" cargo test --offline -q --no-fail-fast )
}

go_suite() {
  # A build cache of its own: go caches what `#cgo pkg-config` returned
  # without keying on it (golang/go#24544), so a shared cache can link this
  # run against the library path of an earlier run's deleted prefix.
  ( cd bindings/go && export GOCACHE="$tmp/gocache" GOFLAGS=-mod=mod GOPROXY=off &&
    go vet ./... && go test -count=1 ./... )
}

for s in $suites; do
  case $s in
  python) stage "python (pytest)" python_suite ;;
  rust) stage "rust (cargo test)" rust_suite ;;
  go) stage "go (go test)" go_suite ;;
  *) echo "unknown suite $s"; failed="$failed $s" ;;
  esac
done

echo "== bindings: $(( $(date +%s) - start )) s"
if [ -n "$failed" ]; then
  echo "== FAILED:$failed"
  exit 1
fi
echo "== all binding suites passed"
