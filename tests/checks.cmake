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
