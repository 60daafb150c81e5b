#!/bin/sh
# abidw with the options both the baseline and the check use: public types
# only (relu.h), only what the exported functions reach, no source locations,
# hashed type ids (stable across rebuilds), and translation-unit paths made
# relative to the source tree so the file does not depend on the checkout.
#   abi/abidw.sh <source-dir> <librelu.so>  > corpus.abi
set -eu
src=$1 lib=$2
abidw --headers-dir "$src/include" --drop-private-types --exported-interfaces-only \
      --no-show-locs --no-comp-dir-path --no-corpus-path --type-id-style hash "$lib" |
  sed "s|path='$src/|path='|"
