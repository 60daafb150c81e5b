#!/bin/sh
# Cross-builds librelu-1.dll with Debian's mingw-w64 and runs the Windows
# tests under Wine (headless):
#   1. installs gcc-mingw-w64-x86-64, wine64, wine, cmake if missing;
#   2. builds and installs the DLL (cmake/x86_64-w64-mingw32.cmake) into
#      $BUILD/prefix; checks with objdump that it exports exactly the
#      functions relu.h declares and imports nothing but system DLLs;
#   3. builds tests/windows against the installed package (find_package);
#   4. runs check_fma.exe, relu_wintest.exe and check_unload.exe (FreeLibrary
#      with a running thread pool, under a timeout) under Wine, then the
#      RELU_ISA / RELU_NUM_THREADS load-time controls.
# Usage: scripts/test-windows.sh [build-dir]   (default: build-windows)
# The Wine prefix lives in $BUILD/wineprefix (about 700 MB, created on the
# first run in a few seconds) unless RELU_WINEPREFIX says otherwise.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build-windows}
mkdir -p "$build"
build=$(cd "$build" && pwd)
jobs=$(nproc 2>/dev/null || echo 2)

# ------------------------------------------------------------- packages
need=""
for p in gcc-mingw-w64-x86-64 wine64 wine cmake make binutils-mingw-w64-x86-64; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || need="$need $p"
done
if [ -n "$need" ]; then
  echo "test-windows: installing$need"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  apt="$sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600"
  $apt update -qq
  $apt install -y -qq --no-install-recommends $need > "$build/apt.log"
fi
wine=$(command -v wine64 || command -v wine || true)
[ -x /usr/lib/wine/wine64 ] && wine=/usr/lib/wine/wine64
[ -n "$wine" ] || { echo "test-windows: wine not found"; exit 1; }

# ------------------------------------------------------------------ build
echo "test-windows: building librelu-1.dll"
cmake -S "$src" -B "$build/lib" -DCMAKE_TOOLCHAIN_FILE="$src/cmake/x86_64-w64-mingw32.cmake" \
  -DCMAKE_BUILD_TYPE=Release -DRELU_BUILD_TESTS=OFF -DRELU_BUILD_BENCH=OFF -DRELU_BUILD_TOOLS=OFF \
  -DCMAKE_INSTALL_PREFIX="$build/prefix" > "$build/configure.log" 2>&1 \
  || { cat "$build/configure.log"; exit 1; }
grep -E "tier:" "$build/configure.log" | sed 's/^-- /test-windows: /'
cmake --build "$build/lib" -j "$jobs" > "$build/build.log" 2>&1 || { cat "$build/build.log"; exit 1; }
if grep -q "warning:" "$build/build.log"; then
  grep "warning:" "$build/build.log"
  echo "test-windows: the cross-build has warnings"; exit 1
fi
rm -rf "$build/prefix"
cmake --install "$build/lib" > "$build/install.log"
dll="$build/prefix/bin/librelu-1.dll"
[ -f "$dll" ] && [ -f "$build/prefix/lib/librelu.dll.a" ] || { echo "test-windows: no DLL/import library installed"; exit 1; }

pass=0 fail=0
ok()  { pass=$((pass + 1)); echo "test-windows: ok   $*"; }
bad() { fail=$((fail + 1)); echo "test-windows: FAIL $*"; }

# ------------------------------------------------------------ exports
x86_64-w64-mingw32-objdump -p "$dll" > "$build/objdump.txt"
sed -n 's/^RELU_API[^(]*[ *]\(relu_[a-z0-9_]*\) *(.*/\1/p' "$src/include/relu.h" | sort -u > "$build/exports.header"
awk '/\[Ordinal\/Name Pointer\] Table/ {t=1; next} t && /^\t\[/ {print $NF} t && /^$/ {t=0}' \
  "$build/objdump.txt" | sort -u > "$build/exports.dll"
if cmp -s "$build/exports.header" "$build/exports.dll"; then
  ok "exports: $(wc -l < "$build/exports.dll") functions, exactly relu.h's"
else
  bad "exports differ from relu.h's functions:"; diff "$build/exports.header" "$build/exports.dll" || true
fi
imports=$(sed -n 's/^\tDLL Name: //p' "$build/objdump.txt" | sort -u | tr '\n' ' ')
extra=$(sed -n 's/^\tDLL Name: //p' "$build/objdump.txt" | grep -viE '^(kernel32|msvcrt|ucrtbase|advapi32|ntdll|user32)\.dll$|^api-ms-win-' || true)
if [ -z "$extra" ]; then ok "imports: $imports(no runtime DLLs to ship)"; else bad "imports non-system DLLs: $extra"; fi

# ------------------------------------------------------------ tests
echo "test-windows: building tests/windows against the installed package"
cmake -S "$src/tests/windows" -B "$build/tests" -DCMAKE_TOOLCHAIN_FILE="$src/cmake/x86_64-w64-mingw32.cmake" \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_FIND_ROOT_PATH="$build/prefix" \
  > "$build/tests-configure.log" 2>&1 \
  || { cat "$build/tests-configure.log"; exit 1; }
cmake --build "$build/tests" -j "$jobs" > "$build/tests-build.log" 2>&1 || { cat "$build/tests-build.log"; exit 1; }

export WINEPREFIX="${RELU_WINEPREFIX:-$build/wineprefix}" WINEDEBUG=-all WINEARCH=win64
export WINEDLLOVERRIDES="mscoree,mshtml=" # no Mono / Gecko install prompts
export WINEPATH="Z:$build/prefix/bin" # librelu-1.dll, found like any DLL on PATH
if [ ! -f "$WINEPREFIX/system.reg" ]; then
  echo "test-windows: creating the Wine prefix $WINEPREFIX"
fi
"$wine" wineboot -i > "$build/wineboot.log" 2>&1 || true

run() { # name, expected-to-pass, command...
  name=$1; shift
  log="$build/$name.log"
  if timeout "${RELU_RUN_TIMEOUT:-600}" "$@" > "$log" 2>&1; then st=0; else st=$?; fi
  counts=$(grep -E '^[a-z_]+: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1 || true)
  if [ $st -eq 0 ]; then ok "$name ($counts)"; else grep -E '^FAIL' "$log" | head -n 20; bad "$name (exit $st; $counts)"; fi
  grep -vE '^(FAIL|[a-z_]+: [0-9]+ passed)' "$log" | sed 's/^/    /' | head -n 30
}

cd "$build/tests"
run check_fma "$wine" ./check_fma.exe
run relu_wintest "$wine" ./relu_wintest.exe
RELU_RUN_TIMEOUT=60 run check_unload "$wine" ./check_unload.exe
# Load-time controls: RELU_ISA caps the tier (unknown values: the best one),
# RELU_NUM_THREADS sets the default thread count.
best=$(sed -n 's/.*(active \([a-z0-9]*\)).*/\1/p' "$build/relu_wintest.log" | head -n 1)
for isa in scalar avx2 avx512; do
  want=$isa
  grep -q "tiers:.* $isa" "$build/relu_wintest.log" || want=$best
  run "RELU_ISA=$isa" env RELU_ISA=$isa "$wine" ./relu_wintest.exe --expect-isa "$want"
done
run "RELU_ISA=bogus" env RELU_ISA=bogus "$wine" ./relu_wintest.exe --expect-isa "${best:-scalar}"
run "RELU_NUM_THREADS=3" env RELU_NUM_THREADS=3 "$wine" ./relu_wintest.exe --expect-threads 3
run "RELU_NUM_THREADS=0" env RELU_NUM_THREADS=0 "$wine" ./relu_wintest.exe --expect-threads 1

echo "test-windows: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
