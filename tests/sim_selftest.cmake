# sim_selftest: self-test of the simulator, the POSIX env port and the sim
# platform port (no test framework). include() this from tests/CMakeLists.txt;
# it needs the target esp_amp_sim.
add_executable(sim_selftest ${CMAKE_CURRENT_LIST_DIR}/sim_selftest.c)
target_link_libraries(sim_selftest PRIVATE esp_amp_sim)
add_test(NAME sim_selftest COMMAND sim_selftest)
set_tests_properties(sim_selftest PROPERTIES TIMEOUT 120 LABELS "threads")
