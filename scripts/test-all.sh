#!/usr/bin/env bash
# The whole test suite (the README's "make test"). Installs what it needs,
# then runs every stage even when one fails, and ends with one summary line.
set -u
cd "$(dirname "$0")/.."
JOBS=$(nproc)
passed=0; failed=0; failed_names=""
stage() {  # stage NAME COMMAND...
  local name=$1; shift
  echo; echo "==== $name"
  local t0=$SECONDS
  if "$@"; then passed=$((passed+1)); echo "==== $name: ok ($((SECONDS-t0)) s)"
  else failed=$((failed+1)); failed_names="$failed_names $name"; echo "==== $name: FAILED ($((SECONDS-t0)) s)"; fi
}
build() {  # build DIR CMAKE-ARGS...
  local dir=$1; shift
  cmake -S . -B "$dir" "$@" >/dev/null && cmake --build "$dir" -j"$JOBS" >/dev/null
}

scripts/install-deps.sh test || exit 1

# 1. Everything, optimised with debug info.
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

# 4. Valgrind memcheck: the two-process demo and one stress run.
VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
stage valgrind-demo $VG ./build/rpmsg_send_recv --rounds 4
stage valgrind-stress $VG ./build/tests/stress_rpmsg --messages 100000 --sub-intr

# 5. Fuzzers, briefly (their own script), the RISC-V target, the benchmark.
stage spin scripts/spin-check.sh
[ -x scripts/fuzz.sh ] && stage fuzz scripts/fuzz.sh --quick
[ -x scripts/target-test.sh ] && stage target scripts/target-test.sh
[ -x scripts/freertos-test.sh ] && stage freertos scripts/freertos-test.sh
[ -x build/bench/rpmsg_bench ] && stage bench-quick ./build/bench/rpmsg_bench --quick

echo
[ $failed -ne 0 ] && echo "failed stages:$failed_names"
echo "test-all: $passed passed, $failed failed"
[ $failed -eq 0 ]
