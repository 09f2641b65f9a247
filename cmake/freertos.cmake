# cmake/freertos.cmake - the FreeRTOS environment port against a FreeRTOS
# kernel the user already has: its demo and tests in the simulator.
#
# Included by the top-level CMakeLists.txt in the host build with tests.
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

if(ESP_AMP_SANITIZE STREQUAL "tsan")
  message(STATUS "FreeRTOS: skipped under ThreadSanitizer (the kernel's POSIX "
                 "port switches tasks inside signal handlers)")
  return()
endif()
message(STATUS "FreeRTOS: kernel ${_frt_ver} at ${ESP_AMP_FREERTOS_KERNEL}")

set(_frt_root ${ESP_AMP_ROOT})
set(_frt_dir ${_frt_root}/ports/env/freertos)

# The kernel: sources as they are, compiled with their own flags. heap_3
# (malloc) suits a host; the configuration is the simulator's.
set(_k ${ESP_AMP_FREERTOS_KERNEL})
add_library(esp_amp_freertos_kernel STATIC ${_k}/tasks.c ${_k}/queue.c ${_k}/list.c
    ${_k}/timers.c ${_k}/event_groups.c ${_k}/stream_buffer.c
    ${_k}/portable/MemMang/heap_3.c ${_frt_port}/port.c ${_frt_port}/utils/wait_for_event.c)
target_include_directories(esp_amp_freertos_kernel PUBLIC
    ${_frt_dir}/sim/config ${_k}/include ${_frt_port} ${_frt_port}/utils)
target_compile_options(esp_amp_freertos_kernel PRIVATE -w)
target_compile_definitions(esp_amp_freertos_kernel PRIVATE
    configENABLE_BACKWARD_COMPATIBILITY=1)   # V10.5's POSIX port needs it
set_target_properties(esp_amp_freertos_kernel PROPERTIES C_EXTENSIONS ON)
target_link_libraries(esp_amp_freertos_kernel PUBLIC Threads::Threads)

# The library for a FreeRTOS simulator build: the core, both env ports and
# the sim platform port (renamed, chosen per process by the shim), the
# helpers and the simulator. And the port and helpers as an application on
# a chip compiles them: only ports/env/freertos/include, no simulator.
esp_amp_add_library(esp_amp_freertos_sim freertos sim)
target_link_libraries(esp_amp_freertos_sim PUBLIC esp_amp_freertos_kernel)
target_include_directories(esp_amp_freertos_sim PUBLIC ${_frt_root}/sim)
esp_amp_add_library(esp_amp_freertos_check freertos none)
target_include_directories(esp_amp_freertos_check PRIVATE ${_frt_dir}/sim/config
                           ${ESP_AMP_FREERTOS_KERNEL}/include ${_frt_port})

add_executable(rpmsg_send_recv_freertos
    ${_frt_root}/examples/freertos/rpmsg_send_recv_freertos.c
    ${_frt_root}/examples/rpmsg_send_recv/demo_exchange.c
    ${_frt_root}/examples/rpmsg_send_recv/demo_io_sim.c)
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
