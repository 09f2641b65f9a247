#!/usr/bin/env bash
# make test (README.md): every package installed up front, every stage run even after a failure,
# then "test-all: N passed, M failed, K skipped" (a stage exiting 77 is skipped).
set -u
. "$(dirname "$0")/lib.sh"
MARK="===="
stage() { echo; echo "==== $1"; check "$@"; }  # stage NAME COMMAND...
scripts/install-deps.sh test || exit 1
stage build cmake_build build -DCMAKE_BUILD_TYPE=RelWithDebInfo
stage ctest ctest --test-dir build --output-on-failure -j"$JOBS"
# AddressSanitizer + UndefinedBehaviorSanitizer, smaller stress runs.
stage build-asan cmake_build build-asan -DCMAKE_BUILD_TYPE=Debug -DESP_AMP_SANITIZE=asan \
  -DCMAKE_C_COMPILER=clang -DESP_AMP_STRESS_MESSAGES=100000
stage ctest-asan ctest --test-dir build-asan --output-on-failure -j"$JOBS"
# ThreadSanitizer on the tests whose cores are threads of one process.
stage build-tsan cmake_build build-tsan -DCMAKE_BUILD_TYPE=Debug -DESP_AMP_SANITIZE=tsan \
  -DCMAKE_C_COMPILER=clang -DESP_AMP_STRESS_MESSAGES=50000
stage ctest-tsan ctest --test-dir build-tsan --output-on-failure -L 'unit|threads'
stage coverage scripts/coverage.sh
VG=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite)
stage valgrind-demo "${VG[@]}" ./build/rpmsg_send_recv --rounds 4
stage valgrind-stress "${VG[@]}" ./build/tests/stress_rpmsg --messages 100000 --sub-intr
# The library alone for a Cortex-M4 (bare-metal env port).
stage cross-cortex-m4 cmake_build build-cortex-m4 -DCMAKE_SYSTEM_NAME=Generic \
  -DCMAKE_SYSTEM_PROCESSOR=arm -DCMAKE_C_COMPILER=arm-none-eabi-gcc \
  -DCMAKE_TRY_COMPILE_TARGET_TYPE=STATIC_LIBRARY -DCMAKE_BUILD_TYPE=MinSizeRel \
  "-DCMAKE_C_FLAGS=-mcpu=cortex-m4 -mthumb -ffreestanding"
stage spin scripts/spin-check.sh
stage fuzz scripts/fuzz.sh --quick
stage target scripts/target-test.sh
stage freertos scripts/freertos-test.sh
stage esp-idf scripts/esp-idf-check.sh
stage bench-quick ./build/bench/rpmsg_bench --quick
echo
summary ", $skipped skipped"
