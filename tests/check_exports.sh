#!/bin/sh
# The shared library exports exactly the functions the header declares, every
# one under the version node RELU_1.0, and nothing else (cpu_features
# included); the version script lists the same names.
set -eu
lib=$1 header=$2 map=$3
tmp=${TMPDIR:-/tmp}/relu-exports.$$
trap 'rm -f "$tmp".*' EXIT

sed -n 's/^RELU_API[^(]*[ *]\(relu_[a-z0-9_]*\) *(.*/\1/p' "$header" | sort -u > "$tmp.header"
nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | sort -u > "$tmp.syms"
grep -vE '^RELU_1\.0$' "$tmp.syms" | sed 's/@.*//' | sort -u > "$tmp.names"
sed -n 's/^ *\(relu_[a-z0-9_]*\);$/\1/p' "$map" | sort -u > "$tmp.map"

status=0
if ! cmp -s "$tmp.header" "$tmp.names"; then
  echo "exported symbols differ from the header's functions:"; diff "$tmp.header" "$tmp.names" || true
  status=1
fi
if ! cmp -s "$tmp.header" "$tmp.map"; then
  echo "src/relu.map differs from the header's functions:"; diff "$tmp.header" "$tmp.map" || true
  status=1
fi
unversioned=$(nm -D --defined-only "$lib" | awk '{print $3}' | grep '^relu_' | grep -v '@@RELU_1\.0$' || true)
if [ -n "$unversioned" ]; then
  echo "symbols without the RELU_1.0 version node:"; echo "$unversioned"
  status=1
fi
count=$(wc -l < "$tmp.header")
[ "$count" -ge 62 ] || { echo "only $count functions found in the header"; status=1; }
[ $status -eq 0 ] && echo "exports: $count functions, all RELU_1.0, nothing else"
exit $status
