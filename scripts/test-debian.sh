#!/bin/sh
# Builds the Debian packages of librelu and checks them as a user would:
#   1. installs debhelper, dpkg-dev, lintian, devscripts, cmake, pkg-config,
#      libcpu-features-dev if missing;
#   2. copies the source tree (no build directories, no .git) to a scratch
#      directory and runs `dpkg-buildpackage -us -uc -b` there (symbols checked
#      with dpkg-gensymbols -c4, hardening flags from dpkg-buildflags);
#   3. checks that the hardening flags reached every compile and link line;
#   4. runs lintian on the .changes (any error fails; warnings are listed);
#   5. installs librelu1 + librelu-dev (+ librelu-tools) and builds the
#      consumer of tests/consumer/ with `pkg-config --cflags --libs relu`,
#      statically with `pkg-config --static`, and with find_package(relu);
#      runs relu-info --quick.
# Installs the packages into this machine's system (it is meant for CI and
# throw-away machines); RELU_DEB_KEEP=1 leaves them installed afterwards.
# Usage: scripts/test-debian.sh [work-dir]   (default: build-debian)
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$src/build-debian}
mkdir -p "$work"
work=$(cd "$work" && pwd)
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
apt="$sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600"

need=""
for p in debhelper dpkg-dev lintian devscripts fakeroot cmake pkg-config build-essential libcpu-features-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || need="$need $p"
done
if [ -n "$need" ]; then
  echo "test-debian: installing$need"
  $apt update -qq
  $apt install -y -qq --no-install-recommends $need > "$work/apt.log"
fi

pass=0 fail=0
ok()  { pass=$((pass + 1)); echo "test-debian: ok   $*"; }
bad() { fail=$((fail + 1)); echo "test-debian: FAIL $*"; }

# ------------------------------------------------------------- build
version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
tree="$work/librelu-$version"
rm -rf "$work"/librelu-* "$work"/librelu*_"$version"* "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo
mkdir -p "$tree"
(cd "$src" && tar --exclude='./build*' --exclude='./.git' --exclude='./obj-*' -cf - .) | tar -xf - -C "$tree"
echo "test-debian: dpkg-buildpackage -us -uc -b in $tree"
if (cd "$tree" && dpkg-buildpackage -us -uc -b) > "$work/build.log" 2>&1; then
  ok "dpkg-buildpackage: $(cd "$work" && ls ./*.deb | sed 's|^\./||' | tr '\n' ' ')"
else
  tail -n 40 "$work/build.log"
  bad "dpkg-buildpackage failed (log: $work/build.log)"
  echo "test-debian: $pass passed, $fail failed"; exit 1
fi
grep -E "^exports:|dpkg-gensymbols" "$work/build.log" | sed 's/^/    /' || true

# Hardening: every compile line carries dpkg-buildflags' CFLAGS/CPPFLAGS, every
# link line its LDFLAGS (CMake's verbose lines, library and relu-info alike).
bf() { DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get "$1"; }
cflags=$(bf CFLAGS | tr ' ' '\n' | grep -vE '^(-g|-O[0-9s]?|-ffile-prefix-map=.*)$' | tr '\n' ' ')
cppflags=$(bf CPPFLAGS)
ldflags=$(bf LDFLAGS)
echo "    dpkg-buildflags (hardening=+all): $cflags$cppflags / $ldflags"
flags_ok=1
for f in $cflags $cppflags; do
  total=$(grep -cE '(gcc|cc) .* -c ' "$work/build.log" || true)
  with=$(grep -E '(gcc|cc) .* -c ' "$work/build.log" | grep -c -- "$f" || true)
  [ "$total" -gt 0 ] && [ "$total" -eq "$with" ] || { flags_ok=0; echo "    $f on $with of $total compile lines"; }
done
for f in $ldflags; do
  total=$(grep -cE '(gcc|cc) .* -o [^ ]*(librelu\.so\.[0-9.]*|relu-info)( |$)' "$work/build.log" || true)
  with=$(grep -E '(gcc|cc) .* -o [^ ]*(librelu\.so\.[0-9.]*|relu-info)( |$)' "$work/build.log" | grep -c -- "$f" || true)
  [ "$total" -gt 0 ] && [ "$total" -eq "$with" ] || { flags_ok=0; echo "    $f on $with of $total link lines"; }
done
[ $flags_ok -eq 1 ] && ok "hardening flags on every compile and link line" || bad "hardening flags missing"

# ------------------------------------------------------------- lintian
changes="$work/librelu_${version}_${arch}.changes"
lintian --info --display-info --pedantic "$changes" > "$work/lintian.log" 2>&1 || true
errors=$(grep -c '^E:' "$work/lintian.log" || true)
warnings=$(grep -c '^W:' "$work/lintian.log" || true)
sed 's/^/    /' "$work/lintian.log" | grep -E '^    (E|W):' | sort | uniq -c | sed 's/^ */    /' || true
if [ "$errors" -eq 0 ]; then ok "lintian: no errors ($warnings warnings)"; else bad "lintian: $errors errors"; fi

# ------------------------------------------------------------- install
echo "test-debian: installing the packages"
if $sudo env DEBIAN_FRONTEND=noninteractive dpkg -i "$work/librelu1_${version}_${arch}.deb" \
     "$work/librelu-dev_${version}_${arch}.deb" "$work/librelu-tools_${version}_${arch}.deb" > "$work/install.log" 2>&1; then
  ok "dpkg -i librelu1 librelu-dev librelu-tools"
else
  cat "$work/install.log"; bad "dpkg -i failed"
fi
[ -e "/usr/lib/$multiarch/librelu.so.1" ] && [ -e "/usr/lib/$multiarch/librelu.a" ] \
  && [ -e "/usr/lib/$multiarch/pkgconfig/relu.pc" ] && [ -e "/usr/lib/$multiarch/cmake/relu/reluConfig.cmake" ] \
  && ok "multiarch layout: /usr/lib/$multiarch/{librelu.so.1,librelu.a,pkgconfig/relu.pc,cmake/relu}" \
  || bad "files missing under /usr/lib/$multiarch"
if readelf -d /usr/bin/relu-info /usr/lib/"$multiarch"/librelu.so.1 | grep -qE 'RPATH|RUNPATH'; then
  bad "RPATH/RUNPATH in an installed binary"
else
  ok "no RPATH/RUNPATH in relu-info or librelu.so.1"
fi

# ------------------------------------------------------------- consumers
c="$work/consumer"
rm -rf "$c"; mkdir -p "$c"
if cc -o "$c/consumer_pc" "$src/tests/consumer/consumer.c" $(pkg-config --cflags --libs relu) \
   && "$c/consumer_pc" > "$c/pc.out" && ldd "$c/consumer_pc" | grep -qE "librelu.so.1 => (/usr)?/lib/$multiarch/"; then
  ok "pkg-config --cflags --libs relu: $(cat "$c/pc.out")"
else
  bad "pkg-config consumer"
fi
if cc -static -o "$c/consumer_static" "$src/tests/consumer/consumer.c" $(pkg-config --static --cflags --libs relu) \
     2> "$c/static.log" && "$c/consumer_static" > /dev/null && ! ldd "$c/consumer_static" > /dev/null 2>&1; then
  ok "pkg-config --static (librelu.a, fully static executable)"
else
  cat "$c/static.log"; bad "static consumer"
fi
if cmake -S "$src/tests/consumer" -B "$c/cmake" > "$c/cmake.log" 2>&1 && cmake --build "$c/cmake" >> "$c/cmake.log" 2>&1 \
   && "$c/cmake/consumer" > /dev/null && ldd "$c/cmake/consumer" | grep -qE "librelu.so.1 => (/usr)?/lib/$multiarch/"; then
  ok "find_package(relu 1.0) consumer (shared)"
else
  cat "$c/cmake.log"; bad "find_package consumer"
fi
if relu-info --quick -n 4096 > "$c/relu-info.log" 2>&1; then
  ok "relu-info: $(sed -n 's/^isa: *//p' "$c/relu-info.log")"
else
  cat "$c/relu-info.log"; bad "relu-info"
fi

if [ "${RELU_DEB_KEEP:-0}" != 1 ]; then
  $sudo env DEBIAN_FRONTEND=noninteractive dpkg -r librelu-tools librelu-dev librelu1 > /dev/null 2>&1 || true
fi
echo "test-debian: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
