# The two-process stress test (included from tests/CMakeLists.txt).
# ESP_AMP_STRESS_MESSAGES: total messages per run (both directions).
set(ESP_AMP_STRESS_MESSAGES 1000000 CACHE STRING "messages per stress run")
add_executable(stress_rpmsg ${CMAKE_CURRENT_LIST_DIR}/stress_rpmsg.c)
target_link_libraries(stress_rpmsg PRIVATE esp_amp_sim)
set(_n ${ESP_AMP_STRESS_MESSAGES})
add_test(NAME stress_poll_processes COMMAND stress_rpmsg --messages ${_n})
add_test(NAME stress_intr_processes
         COMMAND stress_rpmsg --messages ${_n} --main-intr --sub-intr)
add_test(NAME stress_mixed_processes
         COMMAND stress_rpmsg --messages ${_n} --main-intr --queue-len 2
                 --item-size 64)
add_test(NAME stress_threads
         COMMAND stress_rpmsg --messages ${_n} --threads --sub-intr)
set_tests_properties(stress_poll_processes stress_intr_processes
                     stress_mixed_processes PROPERTIES LABELS "process;stress"
                     TIMEOUT 300 PASS_REGULAR_EXPRESSION "PASS")
set_tests_properties(stress_threads PROPERTIES LABELS "threads;stress"
                     TIMEOUT 300 PASS_REGULAR_EXPRESSION "PASS")
