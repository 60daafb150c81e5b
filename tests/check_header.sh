#!/bin/sh
# relu.h compiles cleanly, alone, as C99 and as C++ with every warning an error.
set -eu
inc=$1 cc=$2 work=$3
mkdir -p "$work"
printf '#include <relu.h>\nint main(void) { return relu_version_string()[0] == 0; }\n' > "$work/header_c.c"
cp "$work/header_c.c" "$work/header_cxx.cpp"
"$cc" -std=c99 -Wall -Wextra -Werror -pedantic -I"$inc" -fsyntax-only "$work/header_c.c"
cxx=$(command -v c++ || command -v g++ || command -v clang++ || true)
if [ -n "$cxx" ]; then
  "$cxx" -std=c++11 -Wall -Wextra -Werror -pedantic -I"$inc" -fsyntax-only "$work/header_cxx.cpp"
  echo "header: C99 and C++11 clean"
else
  echo "header: C99 clean (no C++ compiler found)"
fi
