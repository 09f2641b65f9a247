# ctest "consumer": tests/consumer through add_subdirectory, through
# find_package after `cmake --install` to a temporary prefix, and through
# pkg-config (esp_amp.pc) with the compiler alone.
#   cmake -DSRC=<esp_amp tree> -DBIN=<work dir> -DCC=<C compiler> -P run.cmake
set(here ${CMAKE_CURRENT_LIST_DIR})
macro(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "consumer: failed (${rc}): ${ARGN}")
  endif()
endmacro()
file(REMOVE_RECURSE ${BIN})
set(cfg -DCMAKE_C_COMPILER=${CC} -DCMAKE_BUILD_TYPE=Release)
run(${CMAKE_COMMAND} -S ${here} -B ${BIN}/subdir ${cfg} -DESP_AMP_SOURCE=${SRC})
run(${CMAKE_COMMAND} --build ${BIN}/subdir)
run(${BIN}/subdir/consumer)
run(${CMAKE_COMMAND} -S ${SRC} -B ${BIN}/lib ${cfg} -DESP_AMP_BUILD_TESTS=OFF)
run(${CMAKE_COMMAND} --build ${BIN}/lib)
run(${CMAKE_COMMAND} --install ${BIN}/lib --prefix ${BIN}/prefix)
run(${CMAKE_COMMAND} -S ${here} -B ${BIN}/package ${cfg} -DCMAKE_PREFIX_PATH=${BIN}/prefix)
run(${CMAKE_COMMAND} --build ${BIN}/package)
run(${BIN}/package/consumer)
set(ENV{PKG_CONFIG_PATH} ${BIN}/prefix/lib/pkgconfig)
execute_process(COMMAND pkg-config --cflags --libs esp_amp OUTPUT_VARIABLE flags
                OUTPUT_STRIP_TRAILING_WHITESPACE)
separate_arguments(flags UNIX_COMMAND "${flags}")
run(${CC} -std=c11 -Wall -Wextra -Werror -o ${BIN}/consumer-pc ${here}/consumer.c ${flags})
run(${BIN}/consumer-pc)
message("consumer: PASS (add_subdirectory, find_package, pkg-config)")
