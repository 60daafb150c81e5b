# Checks that are not cmocka suites: the exported symbols, the header in C
# and C++, a consumer of the installed package, the accuracy sweep (strided).
if(BUILD_SHARED_LIBS AND CMAKE_SYSTEM_NAME STREQUAL "Linux")
  add_test(NAME exports
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/check_exports.sh $<TARGET_FILE:relu>
            ${PROJECT_SOURCE_DIR}/include/relu.h ${PROJECT_SOURCE_DIR}/src/relu.map)
  set_tests_properties(exports PROPERTIES LABELS "unit;package")
endif()

add_test(NAME header
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/check_header.sh ${PROJECT_SOURCE_DIR}/include
          ${CMAKE_C_COMPILER} ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(header PROPERTIES LABELS "unit;package")

if(NOT CMAKE_CROSSCOMPILING)
  add_test(NAME consumer
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/consumer/check.sh ${PROJECT_BINARY_DIR}
            ${CMAKE_CURRENT_SOURCE_DIR}/consumer ${CMAKE_CURRENT_BINARY_DIR}/consumer-work)
  set_tests_properties(consumer PROPERTIES LABELS "package" TIMEOUT 300)
endif()

if(TARGET relu-accuracy)
  add_test(NAME accuracy COMMAND relu-accuracy)
  set_tests_properties(accuracy PROPERTIES LABELS "unit;accuracy" TIMEOUT 900)
endif()

# ---- Windows portability code, checked on Linux (release engineering) ------
# src/port/ is what the mingw-w64 build uses instead of cpu_features and of
# mingw's double-rounding fmaf/fma: port_cpuid compares the CPUID/XGETBV
# detection with cpu_features, port_fma the fma code with glibc.
if(CMAKE_SYSTEM_NAME STREQUAL "Linux" AND CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|amd64|AMD64)$"
   AND TARGET CpuFeatures::cpu_features)
  add_executable(relu-port-cpuid windows/check_cpuid.c ${PROJECT_SOURCE_DIR}/src/port/cpu_x86_cpuid.c)
  target_link_libraries(relu-port-cpuid PRIVATE CpuFeatures::cpu_features)
  add_executable(relu-port-fma windows/check_fma.c ${PROJECT_SOURCE_DIR}/src/port/fma.c
                 ${PROJECT_SOURCE_DIR}/src/port/cpu_x86_cpuid.c)
  target_compile_options(relu-port-fma PRIVATE -ffp-contract=off -fno-fast-math)
  if(RELU_TEST_LIBM)
    target_link_libraries(relu-port-fma PRIVATE ${RELU_TEST_LIBM})
  endif()
  add_test(NAME port_cpuid COMMAND relu-port-cpuid)
  add_test(NAME port_fma COMMAND relu-port-fma)
  set_tests_properties(port_cpuid port_fma PROPERTIES LABELS "unit" TIMEOUT 300)
endif()

# ---- ABI guard (release engineering) ---------------------------------------
# abi/check-abi.sh: abidiff --no-added-syms against the committed baseline
# abi/librelu.abi (x86-64); any other difference fails. Needs abigail-tools.
find_program(RELU_ABIDIFF abidiff)
find_program(RELU_ABIDW abidw)
if(RELU_ABIDIFF AND RELU_ABIDW AND BUILD_SHARED_LIBS AND CMAKE_SYSTEM_NAME STREQUAL "Linux"
   AND CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|amd64|AMD64)$")
  add_test(NAME abi
    COMMAND sh ${PROJECT_SOURCE_DIR}/abi/check-abi.sh $<TARGET_FILE:relu> ${PROJECT_SOURCE_DIR}
            ${CMAKE_CURRENT_BINARY_DIR}/abi-work)
  set_tests_properties(abi PROPERTIES LABELS "package" TIMEOUT 600)
endif()
