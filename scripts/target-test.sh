#!/usr/bin/env bash
# The RISC-V target: the cross build into $BUILD_DIR (build-riscv/), then each
# firmware pair under QEMU with a timeout, checking the UART output (logs in
# $BUILD_DIR/logs/) and the exit code the firmware sets.
set -u
. "$(dirname "$0")/lib.sh"
need target riscv64-unknown-elf-gcc qemu-system-riscv32 cmake
BUILD_DIR=${BUILD_DIR:-$ROOT/build-riscv}
FW=$BUILD_DIR/firmware LOGS=$BUILD_DIR/logs
ROUNDS=10 MESSAGES=12000
echo "target-test: building into $BUILD_DIR"
cmake_build "$BUILD_DIR" "${RV_CONFIG[@]}" -DDEMO_ROUNDS=$ROUNDS -DTARGET_TEST_MESSAGES=$MESSAGES || exit 1
mkdir -p "$LOGS"
echo "target-test: QEMU $(qemu-system-riscv32 --version | head -1)"
# qemu NAME TIMEOUT EXPECT_RC MAIN SUB [--want REGEX [COUNT (1)]]... [--never REGEX]...
# (MAIN, SUB: an image of $FW, or DIR/IMAGE of another build)
qemu() {
  local name=$1 tmo=$2 want_rc=$3 main=$4 sub=$5 log=$LOGS/$1.log why="" t0=$SECONDS rc re n got
  shift 5
  [[ $main == */* ]] || main=$FW/$main
  [[ -z $sub || $sub == */* ]] || sub=$FW/$sub
  ports/platform/riscv-virt/qemu-run.sh -t "$tmo" "$main.elf" ${sub:+"$sub.elf"} >"$log" 2>&1
  rc=$?
  [ $rc -eq "$want_rc" ] || why="; exit code $rc, expected $want_rc"
  while [ $# -gt 0 ]; do  # --never REGEX: seen 0 times
    re=$2 n=0
    [ "$1" = --want ] && n=1
    shift 2
    [ $n = 1 ] && [[ ${1:-} =~ ^[0-9]+$ ]] && n=$1 && shift
    got=$(grep -cE -- "$re" "$log")
    [ "$got" -eq "$n" ] || why="$why; '$re' seen $got times, expected $n"
  done
  if [ -z "$why" ]; then result "$name" 0 "exit $rc, $((SECONDS - t0)) s"
  else result "$name" 1 "${why#; }"; sed 's/^/        | /' "$log" | tail -25; fi
}
! grep -nE '^[[:space:]]*#[[:space:]]*(if|ifdef|ifndef|elif)\b.*(riscv|RISCV|RV_|__linux|linux|_WIN32|__APPLE__|ESP_PLATFORM|SIM|POSIX|BAREMETAL)' \
  src/*.c src/*.h
result core-unconditional $? "no target #if in src/: the same src/*.c as the simulator"
# The port, the demo and target test in each pairing of modes, bench-target, the harness's timeout.
qemu port-bringup 20 0 boot_main boot_sub \
  --want '^boot: sub core on hart 1, data 1234, bss 0$' \
  --want '^boot: 1000 doorbell round trips, sub counted 1000' --want '^boot: PASS$'
# demo NAME MAIN-MODE SUB-MODE MAIN-IMAGE SUB-IMAGE: the demo's exchange, checked.
declare -A MODE=([intr]=interrupt [poll]=polling) CTX=([intr]=ISR [poll]=task)
demo() {
  local mm=${MODE[$2]} ss=${MODE[$3]} ctx=${CTX[$3]}
  qemu "$1" 60 0 "$4" "$5" \
      --want "^MAIN: $mm-based RPMsg handling on the main core$" \
      --want "^SUB: Hello!! $ss-based RPMsg handling on the sub core" \
      --want '^MAIN: sub core is ready$' \
      --want '^MAIN: EPT[01]: Message from Sub core ==> Normal Msg: [0-9]+$' $ROUNDS \
      --want '^MAIN: Expected -?[0-9]+, got -?[0-9]+, PASS$' $ROUNDS \
      --want '^SUB: \[RPC[12]\]: Results sent$' $ROUNDS \
      --want "^SUB: \\[EPT1\\]: Rsp from EPT1: [0-9]+ \\($ctx context\\)$" $((ROUNDS / 2)) \
      --want '^SUB: Bye!!$' \
      --want '^MAIN: done: 0 failures' \
      --want "^rpmsg_send_recv: main core $mm mode: PASS$" \
      --never 'INVALID|FAIL|FATAL|Failed'
}
for m in intr poll; do
  for s in intr poll; do
    mm=${MODE[$m]} ss=${MODE[$s]}
    demo demo-main-$m-sub-$s $m $s rpmsg_demo_main_$m rpmsg_demo_sub_$s
    qemu stress-main-$m-sub-$s 120 0 target_stress_main_$m target_stress_sub_$s \
      --want "^MAIN: sent $MESSAGES and received $MESSAGES checked messages" \
      --want "^SUB: sent $MESSAGES and received $MESSAGES checked messages" \
      --want "^MAIN: sub device \\(reported\\) stats: tx $MESSAGES rx ($MESSAGES|$((MESSAGES + 1))) rx_no_ept 0 rx_bad_header 0 rx_corrupt 0 .*bad_ptr 0 " \
      --want "^target_stress: $MESSAGES messages main->sub and $MESSAGES sub->main checked, main $mm / sub $ss: PASS$" \
      --never 'CHECK FAILED|FATAL'
  done
done
# The smallest images, as an LP core's would be built: each core's library for its own role
# only, the sub core polling, without counters and error names, and compiled with
# -msave-restore (make size). (The stress test reads the counters, the demo does not.)
lean() {  # lean NAME IMAGE FLAGS: build-riscv-lean-NAME/firmware/IMAGE
  cmake_build "$BUILD_DIR-lean-$1" "${RV_CONFIG[@]}" -DDEMO_ROUNDS=$ROUNDS -DCMAKE_BUILD_TYPE=Release \
    "-DCMAKE_C_FLAGS_RELEASE=-Os $3" -- "$2" && echo "$BUILD_DIR-lean-$1/firmware/$2"
}
if main_img=$(lean main rpmsg_demo_main_intr "-DESP_AMP_CONFIG_SUB_CORE=0") &&
   sub_img=$(lean sub rpmsg_demo_sub_poll "-msave-restore -DESP_AMP_CONFIG_MAIN_CORE=0 -DESP_AMP_CONFIG_RX_INTR=0 \
             -DESP_AMP_CONFIG_STATS=0 -DESP_AMP_CONFIG_ERR_NAMES=0"); then
  demo demo-role-builds-main-intr-sub-poll-lean intr poll "$main_img" "$sub_img"
else
  result demo-role-builds-main-intr-sub-poll-lean 1 "build failed"
fi
t0=$SECONDS
bench/target/bench_target.py --build-dir "$BUILD_DIR" --quick --timeout 60 --json "$BUILD_DIR/bench-target-quick.json" \
  >"$LOGS/bench-target-smoke.log" 2>&1 || { sed 's/^/        | /' "$LOGS/bench-target-smoke.log" | tail -25; false; }
result bench-target-smoke $? "$((SECONDS - t0)) s"
qemu harness-timeout 3 124 target_stress_main_intr "" --want '^MAIN: target stress test' --never 'PASS'
summary "; logs in $LOGS"
