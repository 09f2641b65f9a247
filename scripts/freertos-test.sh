#!/usr/bin/env bash
# FreeRTOS: build and run the FreeRTOS demo and the tests of the FreeRTOS
# env port and helpers, against the kernel the user already has.
#
#   FREERTOS_KERNEL_PATH=/path/to/FreeRTOS-Kernel scripts/freertos-test.sh
#
# Per kernel: configure build-freertos/ (cmake/freertos.cmake), build the
# port, helpers, demo and tests (-Wall -Wextra -Werror), compile the port and
# helpers for the kernel's GCC/RISC-V and GCC/ARM_CM4F ports when those cross
# compilers are installed, run the demo in three modes and the tests.
# Optional: FREERTOS_KERNEL_PATH_COMPAT=/path/to/another/FreeRTOS-Kernel
# (e.g. a V10.5.x tree): the same against it, in build-freertos-compat/.
# Without FREERTOS_KERNEL_PATH: one line, exit 77 (skipped). Nothing is
# downloaded; the kernel is never copied into this tree.
set -u
# Relative kernel paths are relative to where the script was started.
for v in FREERTOS_KERNEL_PATH FREERTOS_KERNEL_PATH_COMPAT; do
  if [ -n "${!v:-}" ]; then
    export "$v=$(realpath -m -- "${!v}")"
  fi
done
cd "$(dirname "$0")/.." || exit 1

if [ -z "${FREERTOS_KERNEL_PATH:-}" ]; then
  echo "freertos: skipped: FREERTOS_KERNEL_PATH is not set"
  exit 77
fi

JOBS=$(nproc)
failures=0

kernel_id() {  # the kernel's version and, for a git checkout, its commit
  local k=$1 ver
  ver=$(sed -n 's/.*tskKERNEL_VERSION_NUMBER[ \t]*"\(.*\)".*/\1/p' "$k/include/task.h" 2>/dev/null)
  if git -C "$k" rev-parse --verify -q HEAD >/dev/null 2>&1; then
    echo "$ver (git $(git -C "$k" describe --tags --always --dirty 2>/dev/null)," \
         "commit $(git -C "$k" rev-parse HEAD))"
  else
    echo "$ver (not a git checkout: commit unknown)"
  fi
}

run() {  # run NAME TIMEOUT COMMAND...
  local name=$1 t=$2; shift 2
  echo "---- $name: $*"
  if timeout "$t" "$@"; then
    echo "---- $name: ok"
  else
    echo "---- $name: FAILED (exit $?)"
    failures=$((failures + 1))
  fi
}

# Compile (no link) the port, the helpers and the core against chip ports
# of the kernel, with the cross compilers that are installed.
xcheck() {  # xcheck KERNEL_PATH
  local k=$1 x=tests/freertos/xcheck cc flags label ok f
  local srcs="ports/env/freertos/esp_amp_env_freertos.c ports/env/freertos/esp_amp_freertos.c
              src/esp_amp.c src/esp_amp_rpmsg.c src/esp_amp_link.c src/esp_amp_sw_intr.c"
  local common="-std=c11 -O2 -Wall -Wextra -Werror -c -o /dev/null -ffreestanding -I$x
                -I$x/freestanding -Iports/env/freertos/include -Iinclude
                -Iports/platform/none/include -I$k/include"
  local rv=$k/portable/GCC/RISC-V
  for target in riscv arm; do
    if [ $target = riscv ]; then
      cc=riscv64-unknown-elf-gcc label="rv32imac, kernel port GCC/RISC-V"
      flags="-march=rv32imac_zicsr -mabi=ilp32 -I$rv -I$rv/chip_specific_extensions/RISCV_MTIME_CLINT_no_extensions"
    else
      cc=arm-none-eabi-gcc label="Cortex-M4F, kernel port GCC/ARM_CM4F"
      flags="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -I$k/portable/GCC/ARM_CM4F"
    fi
    command -v $cc >/dev/null || { echo "---- cross check $target: skipped ($cc not installed)"; continue; }
    ok=1
    for f in $srcs; do
      # shellcheck disable=SC2086
      $cc $common $flags "$f" || ok=0
    done
    if [ $ok = 1 ]; then
      echo "---- cross check ($cc, $label): ok"
    else
      echo "---- cross check $target: FAILED"
      failures=$((failures + 1))
    fi
  done
}

one_kernel() {  # one_kernel KERNEL_PATH BUILD_DIR
  local k=$1 dir=$2
  mkdir -p "$dir"
  echo "==== FreeRTOS kernel: $(kernel_id "$k")"
  echo "==== path: $k"
  if ! cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
         -DFREERTOS_KERNEL_PATH="$k" >"$dir/freertos-configure.log" 2>&1; then
    cat "$dir/freertos-configure.log"
    echo "---- configure: FAILED"
    failures=$((failures + 1))
    return
  fi
  grep 'FreeRTOS:' "$dir/freertos-configure.log"
  if ! cmake --build "$dir" -j"$JOBS" --target esp_amp_freertos_check \
         rpmsg_send_recv_freertos test_freertos_helpers >"$dir/freertos-build.log" 2>&1; then
    grep -E 'error|warning' "$dir/freertos-build.log" | head -40
    echo "---- build: FAILED (see $dir/freertos-build.log)"
    failures=$((failures + 1))
    return
  fi
  echo "---- build: ok (port, helpers, demo, tests; -Wall -Wextra -Werror)"
  xcheck "$k"
  run "demo (main core interrupt, sub core polling)" 120 \
      "$dir/rpmsg_send_recv_freertos" --main-intr --sub-poll
  run "demo (main core interrupt, sub core interrupt)" 120 \
      "$dir/rpmsg_send_recv_freertos" --main-intr --sub-intr --rounds 20
  run "demo (main core polling task, sub core interrupt)" 120 \
      "$dir/rpmsg_send_recv_freertos" --main-poll --sub-intr --rounds 20
  run "helpers tests" 300 "$dir/tests/test_freertos_helpers"
}

one_kernel "$FREERTOS_KERNEL_PATH" build-freertos
if [ -n "${FREERTOS_KERNEL_PATH_COMPAT:-}" ]; then
  one_kernel "$FREERTOS_KERNEL_PATH_COMPAT" build-freertos-compat
fi

echo
if [ $failures -eq 0 ]; then
  echo "freertos: all passed"
else
  echo "freertos: $failures failed"
fi
[ $failures -eq 0 ]
