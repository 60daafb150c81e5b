# Cross-compiling librelu for 64-bit ARM Linux with Debian's cross toolchain,
# running the tests under qemu-user:
#
#   cmake -S . -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake \
#         [-DRELU_QEMU_CPU=max|cortex-a53|...]
#   cmake --build build-aarch64 -j2 && ctest --test-dir build-aarch64
#
# Needs (Debian 12): dpkg --add-architecture arm64 && apt-get install
#   gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
#   libcpu-features-dev:arm64 libcmocka-dev:arm64
# scripts/test-aarch64.sh installs them and runs the whole suite.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(RELU_CROSS_TRIPLET aarch64-linux-gnu)
set(CMAKE_C_COMPILER ${RELU_CROSS_TRIPLET}-gcc)
# Only used by the optional C++ benchmarks; harmless when absent.
find_program(_relu_cross_cxx ${RELU_CROSS_TRIPLET}-g++)
if(_relu_cross_cxx)
  set(CMAKE_CXX_COMPILER ${_relu_cross_cxx})
endif()

# Libraries and headers come from the cross sysroot (/usr/aarch64-linux-gnu)
# or from the arm64 multiarch packages (/usr/lib/aarch64-linux-gnu,
# /usr/include), never from the host's x86-64 directories: CMake picks the
# multiarch subdirectory from the compiler's triplet. Packages are searched
# in both, because the arm64 cpu_features and cmocka configs live under
# /usr/lib/aarch64-linux-gnu/cmake (PACKAGE ONLY would break their import
# prefix computation).
set(CMAKE_FIND_ROOT_PATH /usr/${RELU_CROSS_TRIPLET} /)
set(CMAKE_LIBRARY_ARCHITECTURE ${RELU_CROSS_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)

# pkg-config (FindPkgConfig, tests/consumer) must see the arm64 .pc files only.
set(ENV{PKG_CONFIG_LIBDIR}
    "/usr/lib/${RELU_CROSS_TRIPLET}/pkgconfig:/usr/${RELU_CROSS_TRIPLET}/lib/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "")

# ctest (and every add_test command naming a target) runs under qemu-user.
# RELU_QEMU_CPU picks the emulated core (e.g. max, cortex-a53, neoverse-n1).
#
# The guest's dynamic loader and libc must come from the same glibc build.
# Installing libcmocka-dev:arm64 pulls in the multiarch libc6:arm64
# (/lib/aarch64-linux-gnu), which the loader of the cross sysroot
# (/usr/aarch64-linux-gnu/lib, libc6-arm64-cross) also finds on its default
# path: with `-L /usr/aarch64-linux-gnu` the loader of one glibc then runs
# the libc of another, and pthread_create spins forever (seen with Debian 12's
# 2.36-8cross1 vs 2.36-9+deb12u14). So when the multiarch loader exists, the
# guest root is / (loader, libc, cmocka all from the arm64 packages);
# otherwise the cross sysroot. RELU_QEMU_LD_PREFIX overrides.
set(RELU_QEMU_CPU "" CACHE STRING "qemu-aarch64 -cpu model for running tests (empty: qemu's default)")
if(EXISTS /lib/ld-linux-aarch64.so.1 AND EXISTS /lib/${RELU_CROSS_TRIPLET}/libc.so.6)
  set(_relu_qemu_root /)
else()
  set(_relu_qemu_root /usr/${RELU_CROSS_TRIPLET})
endif()
set(RELU_QEMU_LD_PREFIX "${_relu_qemu_root}" CACHE PATH "qemu-aarch64 -L: root of the guest's loader and libraries")
find_program(RELU_QEMU_AARCH64 qemu-aarch64)
if(NOT RELU_QEMU_AARCH64)
  set(RELU_QEMU_AARCH64 qemu-aarch64)
endif()
set(CMAKE_CROSSCOMPILING_EMULATOR ${RELU_QEMU_AARCH64} -L ${RELU_QEMU_LD_PREFIX})
if(RELU_QEMU_CPU)
  list(APPEND CMAKE_CROSSCOMPILING_EMULATOR -cpu ${RELU_QEMU_CPU})
endif()
