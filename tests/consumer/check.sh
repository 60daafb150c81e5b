#!/bin/sh
# Installs the build into a scratch prefix and builds two consumers against
# it: one with `pkg-config --cflags --libs relu`, one with find_package(relu).
set -eu
build=$1 src=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" > "$work/install.log"

libdir=$(dirname "$(find "$prefix" -name relu.pc | head -n 1)")/..
export PKG_CONFIG_PATH="$libdir/pkgconfig"
cc ${CFLAGS:-} -o "$work/consumer_pc" "$src/consumer.c" $(pkg-config --cflags --libs relu)
LD_LIBRARY_PATH="$libdir" "$work/consumer_pc"

cmake -S "$src" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" > "$work/cmake.log"
cmake --build "$work/cmake-build" > "$work/cmake-build.log"
LD_LIBRARY_PATH="$libdir" "$work/cmake-build/consumer"
echo "consumer: pkg-config and find_package(relu 1.0) both build and run"
