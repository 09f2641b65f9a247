#!/usr/bin/env bash
# target-test.sh - the RISC-V target: cross build with
# cmake/riscv32-toolchain.cmake (rv32imac, -Os) into its own build
# directory, then run each firmware pair on qemu-system-riscv32 (machine
# virt, two harts) with a timeout, checking the UART output and the exit
# code that the firmware sets through the sifive_test device.
#
#   scripts/target-test.sh            build + all runs
#   BUILD_DIR=/tmp/x scripts/target-test.sh
#
# Needs scripts/install-deps.sh target. UART logs: $BUILD_DIR/logs/.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD_DIR=${BUILD_DIR:-$ROOT/build-riscv}
FW=$BUILD_DIR/firmware
LOGS=$BUILD_DIR/logs
RUN=$ROOT/ports/platform/riscv-virt/qemu-run.sh
DEMO_ROUNDS=10
MESSAGES=12000

for t in riscv64-unknown-elf-gcc qemu-system-riscv32 cmake; do
  command -v $t >/dev/null || { echo "target-test: $t missing (scripts/install-deps.sh target)"; exit 1; }
done

# --- build ----------------------------------------------------------------
echo "target-test: building into $BUILD_DIR"
cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_TOOLCHAIN_FILE="$ROOT/cmake/riscv32-toolchain.cmake" \
      -DESP_AMP_PLATFORM_PORT=riscv-virt -DDEMO_ROUNDS=$DEMO_ROUNDS -DTARGET_TEST_MESSAGES=$MESSAGES >/dev/null &&
  cmake --build "$BUILD_DIR" -j"$(nproc)" >"$BUILD_DIR/build.log" 2>&1 ||
  { cat "$BUILD_DIR/build.log" 2>/dev/null; echo "target-test: build FAILED"; exit 1; }
mkdir -p "$LOGS"

passed=0; failed=0; failed_names=""
# run NAME TIMEOUT EXPECT_RC MAIN SUB [--want REGEX [COUNT]]... [--never REGEX]...
run() {
  local name=$1 tmo=$2 want_rc=$3 main=$4 sub=$5; shift 5
  local log=$LOGS/$name.log ok=1 why="" t0=$SECONDS
  "$RUN" -t "$tmo" "$FW/$main.elf" ${sub:+"$FW/$sub.elf"} >"$log" 2>&1
  local rc=$?
  if [ "$rc" -ne "$want_rc" ]; then ok=0; why="exit code $rc, expected $want_rc"; fi
  while [ $# -gt 0 ]; do
    case $1 in
      --want)
        local n=1
        if [ $# -ge 3 ] && [[ $3 =~ ^[0-9]+$ ]]; then n=$3; fi
        local got; got=$(grep -cE -- "$2" "$log")
        if [ "$got" -ne "$n" ]; then ok=0; why="$why; '$2' seen $got times, expected $n"; fi
        if [ $# -ge 3 ] && [[ $3 =~ ^[0-9]+$ ]]; then shift 3; else shift 2; fi ;;
      --never)
        if grep -qE -- "$2" "$log"; then ok=0; why="$why; '$2' seen"; fi
        shift 2 ;;
      *) echo "run: bad argument $1"; return 2 ;;
    esac
  done
  if [ $ok -eq 1 ]; then
    passed=$((passed+1)); echo "  ok    $name (exit $rc, $((SECONDS-t0)) s)"
  else
    failed=$((failed+1)); failed_names="$failed_names $name"
    echo "  FAIL  $name:${why#;}"; sed 's/^/        | /' "$log" | tail -25
  fi
}

echo "target-test: QEMU $(qemu-system-riscv32 --version | head -1)"

# 0. The core is the simulator's core: no target conditionals in src/.
if grep -nE '^[[:space:]]*#[[:space:]]*(if|ifdef|ifndef|elif)\b.*(riscv|RISCV|RV_|__linux|linux|_WIN32|__APPLE__|ESP_PLATFORM|SIM|POSIX|BAREMETAL)' \
     src/*.c src/*.h; then
  failed=$((failed+1)); failed_names="$failed_names core-unconditional"
  echo "  FAIL  core-unconditional: target conditionals in src/ (above)"
else
  passed=$((passed+1)); echo "  ok    core-unconditional (src/ has no target #if; the same src/*.c as the simulator)"
fi

# 1. The port alone: UART, release of hart 1, MSIP both ways, mtime, exit.
run port-bringup 20 0 boot_main boot_sub \
  --want '^boot: sub core on hart 1, data 1234, bss 0$' \
  --want '^boot: 1000 doorbell round trips, sub counted 1000' --want '^boot: PASS$'

# 2. The demo in every pairing of interrupt and polling mode.
for m in intr poll; do
  for s in intr poll; do
    [ $m = intr ] && mm=interrupt || mm=polling
    [ $s = intr ] && ss=interrupt || ss=polling
    [ $s = intr ] && ctx=ISR || ctx=task
    run demo-main-$m-sub-$s 60 0 rpmsg_demo_main_$m rpmsg_demo_sub_$s \
      --want "^MAIN: $mm-based RPMsg handling on the main core$" \
      --want "^SUB: Hello!! $ss-based RPMsg handling on the sub core" \
      --want '^MAIN: sub core is ready$' \
      --want '^MAIN: EPT[01]: Message from Sub core ==> Normal Msg: [0-9]+$' $DEMO_ROUNDS \
      --want '^MAIN: Expected -?[0-9]+, got -?[0-9]+, PASS$' $DEMO_ROUNDS \
      --want '^SUB: \[RPC[12]\]: Results sent$' $DEMO_ROUNDS \
      --want "^SUB: \\[EPT1\\]: Rsp from EPT1: [0-9]+ \\($ctx context\\)$" $((DEMO_ROUNDS/2)) \
      --want '^SUB: Bye!!$' \
      --want '^MAIN: done: 0 failures' \
      --want "^rpmsg_send_recv: main core $mm mode: PASS$" \
      --never 'INVALID|FAIL|FATAL|Failed'
  done
done

# 3. The target test: $MESSAGES checked messages each way, 4+4 endpoints.
#    (The sub core's rx count may include the main core's final report.)
for m in intr poll; do
  for s in intr poll; do
    [ $m = intr ] && mm=interrupt || mm=polling
    [ $s = intr ] && ss=interrupt || ss=polling
    run stress-main-$m-sub-$s 120 0 target_stress_main_$m target_stress_sub_$s \
      --want "^MAIN: sent $MESSAGES and received $MESSAGES checked messages" \
      --want "^SUB: sent $MESSAGES and received $MESSAGES checked messages" \
      --want "^MAIN: sub device \\(reported\\) stats: tx $MESSAGES rx ($MESSAGES|$((MESSAGES+1))) rx_no_ept 0 rx_bad_header 0 rx_corrupt 0 .*bad_ptr 0 " \
      --want "^target_stress: $MESSAGES messages main->sub and $MESSAGES sub->main checked, main $mm / sub $ss: PASS$" \
      --never 'CHECK FAILED|FATAL'
  done
done

# 4. The instruction-count benchmark (make bench-target), a small n: the
#    images run, the counter is exact, every message arrives.
t0=$SECONDS
if ! command -v python3 >/dev/null; then
  failed=$((failed+1)); failed_names="$failed_names bench-target-smoke"; echo "  FAIL  bench-target-smoke: python3 missing"
elif bench/target/bench_target.py --build-dir "$BUILD_DIR" --quick --timeout 60 \
     --json "$BUILD_DIR/bench-target-quick.json" >"$LOGS/bench-target-smoke.log" 2>&1; then
  passed=$((passed+1)); echo "  ok    bench-target-smoke ($((SECONDS-t0)) s)"
else
  failed=$((failed+1)); failed_names="$failed_names bench-target-smoke"
  echo "  FAIL  bench-target-smoke:"; sed 's/^/        | /' "$LOGS/bench-target-smoke.log" | tail -25
fi

# 5. The harness itself: a main core whose sub core never starts must end
#    by the timeout (exit 124) and not be taken for a pass.
run harness-timeout 3 124 target_stress_main_intr "" \
  --want '^MAIN: target stress test' --never 'PASS'

echo "target-test: $passed passed, $failed failed${failed_names:+ (}${failed_names# }${failed_names:+)}; logs in $LOGS"
[ $failed -eq 0 ]
