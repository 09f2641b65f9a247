#!/usr/bin/env bash
# The whole test suite (the README's "make test"). Installs, up front, every
# package the run needs (scripts/install-deps.sh test), then runs every stage
# even when one fails, and ends with one line:
#   test-all: N passed, M failed, K skipped
# `stage NAME COMMAND...`: a command that exits 77 was skipped (e.g. the
# FreeRTOS stage without FREERTOS_KERNEL_PATH), not passed.
set -u
cd "$(dirname "$0")/.."
JOBS=$(nproc)
passed=0; failed=0; skipped=0; failed_names=""
stage() {  # stage NAME COMMAND...
  local name=$1 t0=$SECONDS rc; shift
  echo; echo "==== $name"
  "$@"; rc=$?
  if [ $rc -eq 0 ]; then passed=$((passed+1)); echo "==== $name: ok ($((SECONDS-t0)) s)"
  elif [ $rc -eq 77 ]; then skipped=$((skipped+1)); echo "==== $name: skipped"
  else failed=$((failed+1)); failed_names="$failed_names $name"; echo "==== $name: FAILED ($((SECONDS-t0)) s)"; fi
}
build() {  # build DIR CMAKE-ARGS...
  local dir=$1; shift
  cmake -S . -B "$dir" "$@" >/dev/null && cmake --build "$dir" -j"$JOBS" >/dev/null
}

scripts/install-deps.sh test || exit 1

# 1. Everything, optimised with debug info (ctest includes tests/consumer:
#    the library used by another project, installed and not).
stage build build build -DCMAKE_BUILD_TYPE=RelWithDebInfo
stage ctest ctest --test-dir build --output-on-failure -j"$JOBS"

# 2. AddressSanitizer + UndefinedBehaviorSanitizer (smaller stress runs).
stage build-asan build build-asan -DCMAKE_BUILD_TYPE=Debug -DESP_AMP_SANITIZE=asan \
  -DCMAKE_C_COMPILER=clang -DESP_AMP_STRESS_MESSAGES=100000
stage ctest-asan ctest --test-dir build-asan --output-on-failure -j"$JOBS"

# 3. ThreadSanitizer on the tests whose cores are threads of one process.
stage build-tsan build build-tsan -DCMAKE_BUILD_TYPE=Debug -DESP_AMP_SANITIZE=tsan \
  -DCMAKE_C_COMPILER=clang -DESP_AMP_STRESS_MESSAGES=50000
stage ctest-tsan ctest --test-dir build-tsan --output-on-failure -L 'unit|threads'

# 3b. Line and branch coverage of src/ (gcc --coverage -O0, build-cov/):
#     every branch taken or listed in tests/coverage-exclusions.txt.
stage coverage scripts/coverage.sh

# 4. Valgrind memcheck: the two-process demo and one stress run.
VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
stage valgrind-demo $VG ./build/rpmsg_send_recv --rounds 4
stage valgrind-stress $VG ./build/tests/stress_rpmsg --messages 100000 --sub-intr

# 5. The library alone for a Cortex-M4 (core + bare-metal env port, -Werror).
stage cross-cortex-m4 build build-cortex-m4 -DCMAKE_SYSTEM_NAME=Generic \
  -DCMAKE_SYSTEM_PROCESSOR=arm -DCMAKE_C_COMPILER=arm-none-eabi-gcc \
  -DCMAKE_TRY_COMPILE_TARGET_TYPE=STATIC_LIBRARY -DCMAKE_BUILD_TYPE=MinSizeRel \
  "-DCMAKE_C_FLAGS=-mcpu=cortex-m4 -mthumb -ffreestanding"

# 6. Fuzzers, briefly, the RISC-V target, FreeRTOS, the benchmark.
stage spin scripts/spin-check.sh
stage fuzz scripts/fuzz.sh --quick
stage target scripts/target-test.sh
stage freertos scripts/freertos-test.sh
stage esp-idf scripts/esp-idf-check.sh
stage bench-quick ./build/bench/rpmsg_bench --quick

echo
[ $failed -ne 0 ] && echo "failed stages:$failed_names"
echo "test-all: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
