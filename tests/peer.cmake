# Peer-robustness tests (include()d from tests/CMakeLists.txt):
#   test_corrupt  the peer corrupts one shared field at a time; local API
#                 misuse (label unit, both cores driven by one thread).
#                 The suite "regress" keeps the fuzzers' findings.
#   test_restart  a core is killed mid-traffic (SIGKILL, SIM_PROCESS) and
#                 started again, in poll and in interrupt mode (label
#                 process).
# Uses what tests/CMakeLists.txt set up: ESP_AMP_CRITERION_TARGET and the
# esp_amp_test_util library (esp_amp_sim + Criterion + test_util.c).
if(NOT ESP_AMP_CRITERION_TARGET)
  message(WARNING "Criterion not found: test_corrupt and test_restart are not built")
  return()
endif()

add_executable(test_corrupt ${CMAKE_CURRENT_LIST_DIR}/test_corrupt.c)
target_link_libraries(test_corrupt PRIVATE esp_amp_test_util Threads::Threads)
add_test(NAME corrupt COMMAND test_corrupt)
set_tests_properties(corrupt PROPERTIES LABELS unit TIMEOUT 300)

add_executable(test_restart ${CMAKE_CURRENT_LIST_DIR}/test_restart.c)
target_link_libraries(test_restart PRIVATE esp_amp_test_util)
add_test(NAME restart COMMAND test_restart --jobs 1)
set_tests_properties(restart PROPERTIES LABELS process TIMEOUT 300)
