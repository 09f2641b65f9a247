# cmake/freertos.cmake - the FreeRTOS environment port against a FreeRTOS
# kernel the user already has: its demo and tests in the simulator.
#
# Include it from the top-level CMakeLists.txt, in the host build, after
# esp_amp_sim and enable_testing():
#     include(cmake/freertos.cmake)
#
# The kernel is found as the Raspberry Pi Pico SDK finds it: the CMake
# variable FREERTOS_KERNEL_PATH, else the environment variable of the same
# name. Without one this file prints one status line and does nothing. The
# kernel is never copied into this tree.
#
# Targets (host, kernel's GCC/Posix port):
#   esp_amp_freertos_kernel   the kernel, its own flags (warnings off)
#   esp_amp_freertos_sim      library + FreeRTOS env port + helpers + sim
#   rpmsg_send_recv_freertos  the demo, main core under FreeRTOS
#   test_freertos_helpers     tests of the port and the helpers
#   esp_amp_freertos_check    compile check of the port and helpers alone
# ctest: freertos_demo*, freertos_helpers (LABELS freertos).
include_guard(GLOBAL)

if(NOT FREERTOS_KERNEL_PATH AND DEFINED ENV{FREERTOS_KERNEL_PATH}
   AND NOT "$ENV{FREERTOS_KERNEL_PATH}" STREQUAL "")
  set(FREERTOS_KERNEL_PATH "$ENV{FREERTOS_KERNEL_PATH}")
endif()
if(NOT FREERTOS_KERNEL_PATH)
  message(STATUS "FreeRTOS: skipped (FREERTOS_KERNEL_PATH not set)")
  return()
endif()

set(FREERTOS_KERNEL_PATH "${FREERTOS_KERNEL_PATH}" CACHE PATH
    "Path to the FreeRTOS Kernel" FORCE)
get_filename_component(ESP_AMP_FREERTOS_KERNEL "${FREERTOS_KERNEL_PATH}"
                       REALPATH BASE_DIR "${CMAKE_BINARY_DIR}")
set(_frt_port "${ESP_AMP_FREERTOS_KERNEL}/portable/ThirdParty/GCC/Posix")
if(NOT EXISTS "${ESP_AMP_FREERTOS_KERNEL}/tasks.c" OR
   NOT EXISTS "${ESP_AMP_FREERTOS_KERNEL}/include/task.h" OR
   NOT EXISTS "${_frt_port}/port.c")
  message(FATAL_ERROR "FreeRTOS: FREERTOS_KERNEL_PATH (${ESP_AMP_FREERTOS_KERNEL}) "
                      "is not a FreeRTOS-Kernel tree (tasks.c, include/task.h, "
                      "portable/ThirdParty/GCC/Posix/port.c)")
endif()
file(STRINGS "${ESP_AMP_FREERTOS_KERNEL}/include/task.h" _frt_ver
     REGEX "#define[ \t]+tskKERNEL_VERSION_NUMBER")
string(REGEX REPLACE ".*\"(.*)\".*" "\\1" _frt_ver "${_frt_ver}")

if(CMAKE_CROSSCOMPILING)
  message(STATUS "FreeRTOS: skipped (cross build; the simulator targets are host-only)")
  return()
endif()
if(ESP_AMP_SANITIZE STREQUAL "tsan")
  message(STATUS "FreeRTOS: skipped under ThreadSanitizer (the kernel's POSIX "
                 "port switches tasks inside signal handlers)")
  return()
endif()
message(STATUS "FreeRTOS: kernel ${_frt_ver} at ${ESP_AMP_FREERTOS_KERNEL}")

find_package(Threads REQUIRED)
set(_frt_dir ${CMAKE_CURRENT_LIST_DIR}/../ports/env/freertos)
get_filename_component(_frt_dir "${_frt_dir}" ABSOLUTE)
get_filename_component(_frt_root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)

# The kernel: sources as they are, compiled with their own flags. heap_3
# (malloc) suits a host; the configuration is the simulator's.
set(_frt_kernel_sources
    ${ESP_AMP_FREERTOS_KERNEL}/tasks.c
    ${ESP_AMP_FREERTOS_KERNEL}/queue.c
    ${ESP_AMP_FREERTOS_KERNEL}/list.c
    ${ESP_AMP_FREERTOS_KERNEL}/timers.c
    ${ESP_AMP_FREERTOS_KERNEL}/event_groups.c
    ${ESP_AMP_FREERTOS_KERNEL}/stream_buffer.c
    ${ESP_AMP_FREERTOS_KERNEL}/portable/MemMang/heap_3.c
    ${_frt_port}/port.c
    ${_frt_port}/utils/wait_for_event.c)
add_library(esp_amp_freertos_kernel STATIC ${_frt_kernel_sources})
target_include_directories(esp_amp_freertos_kernel PUBLIC
    ${_frt_dir}/sim/config
    ${ESP_AMP_FREERTOS_KERNEL}/include
    ${_frt_port}
    ${_frt_port}/utils)
target_compile_options(esp_amp_freertos_kernel PRIVATE -w)
target_compile_definitions(esp_amp_freertos_kernel PRIVATE
    configENABLE_BACKWARD_COMPATIBILITY=1)   # V10.5's POSIX port needs it
set_target_properties(esp_amp_freertos_kernel PROPERTIES C_EXTENSIONS ON)
target_link_libraries(esp_amp_freertos_kernel PUBLIC Threads::Threads)

# The library for a FreeRTOS simulator build: the core, both env ports and
# the sim platform port (renamed, chosen per process by the shim), the
# helpers and the simulator. Our code: -Wall -Wextra -Werror (top level).
add_library(esp_amp_freertos_sim STATIC
    ${ESP_AMP_CORE_SOURCES}
    ${_frt_dir}/esp_amp_freertos.c
    ${_frt_dir}/sim/sim_env_freertos.c
    ${_frt_dir}/sim/sim_env_posix.c
    ${_frt_dir}/sim/sim_platform.c
    ${_frt_dir}/sim/esp_amp_freertos_sim.c
    ${_frt_root}/sim/sim.c)
target_include_directories(esp_amp_freertos_sim PUBLIC
    ${_frt_dir}/sim/include        # before include/: its esp_amp_env_port.h
    ${_frt_dir}/include
    ${ESP_AMP_INCLUDE_DIR}
    ${_frt_root}/ports/platform/sim/include
    ${_frt_root}/sim)
target_link_libraries(esp_amp_freertos_sim PUBLIC esp_amp_freertos_kernel
                      Threads::Threads)

# The port and helpers as an application on a chip compiles them: only
# ports/env/freertos/include, no simulator. (Object library: compile check.)
add_library(esp_amp_freertos_check OBJECT
    ${_frt_dir}/esp_amp_env_freertos.c
    ${_frt_dir}/esp_amp_freertos.c
    ${ESP_AMP_CORE_SOURCES})
target_include_directories(esp_amp_freertos_check PRIVATE
    ${_frt_dir}/include
    ${ESP_AMP_INCLUDE_DIR}
    ${_frt_root}/ports/platform/sim/include
    ${_frt_dir}/sim/config
    ${ESP_AMP_FREERTOS_KERNEL}/include
    ${_frt_port})

add_executable(rpmsg_send_recv_freertos
    ${_frt_root}/examples/freertos/rpmsg_send_recv_freertos.c
    ${_frt_root}/examples/rpmsg_send_recv/demo_sub_core.c)
target_include_directories(rpmsg_send_recv_freertos PRIVATE
    ${_frt_root}/examples/rpmsg_send_recv)
set_target_properties(rpmsg_send_recv_freertos PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
target_link_libraries(rpmsg_send_recv_freertos PRIVATE esp_amp_freertos_sim)

add_executable(test_freertos_helpers
    ${_frt_root}/tests/freertos/test_freertos_helpers.c)
set_target_properties(test_freertos_helpers PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
target_link_libraries(test_freertos_helpers PRIVATE esp_amp_freertos_sim)

foreach(s sub-poll sub-intr)
  add_test(NAME freertos_demo_${s} COMMAND rpmsg_send_recv_freertos --${s})
  set_tests_properties(freertos_demo_${s} PROPERTIES LABELS "freertos;process"
                       TIMEOUT 120 PASS_REGULAR_EXPRESSION "PASS")
endforeach()
add_test(NAME freertos_helpers COMMAND test_freertos_helpers)
set_tests_properties(freertos_helpers PROPERTIES LABELS "freertos;process"
                     TIMEOUT 300 PASS_REGULAR_EXPRESSION " 0 failed")
