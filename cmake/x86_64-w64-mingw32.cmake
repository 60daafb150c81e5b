# Cross-compiling librelu for 64-bit Windows with Debian's mingw-w64
# (apt-get install gcc-mingw-w64-x86-64); scripts/test-windows.sh uses it:
#   cmake -S . -B build-win -DCMAKE_TOOLCHAIN_FILE=cmake/x86_64-w64-mingw32.cmake \
#         -DRELU_BUILD_TESTS=OFF -DRELU_BUILD_BENCH=OFF -DRELU_BUILD_TOOLS=OFF
# Produces librelu-1.dll, its import library librelu.dll.a and relu.pc /
# reluConfig.cmake for consumers. cpu_features is not packaged for mingw, so the
# library detects the CPU with its own CPUID/XGETBV code (src/port/cpu_x86_cpuid.c).
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(RELU_MINGW_TRIPLET x86_64-w64-mingw32)
set(CMAKE_C_COMPILER   ${RELU_MINGW_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${RELU_MINGW_TRIPLET}-g++)
set(CMAKE_RC_COMPILER  ${RELU_MINGW_TRIPLET}-windres)
set(CMAKE_AR           ${RELU_MINGW_TRIPLET}-ar CACHE FILEPATH "")
set(CMAKE_RANLIB       ${RELU_MINGW_TRIPLET}-ranlib CACHE FILEPATH "")

# Libraries and packages come from the mingw-w64 sysroot (never the Linux
# host's: its cpu_features must not be picked up), plus whatever roots the
# caller adds: -DCMAKE_FIND_ROOT_PATH=<an installed librelu prefix>.
list(APPEND CMAKE_FIND_ROOT_PATH /usr/${RELU_MINGW_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Programs built here run under Wine (ctest, try_run).
find_program(RELU_WINE NAMES wine64 wine)
if(RELU_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${RELU_WINE})
endif()
