#!/usr/bin/env bash
# FREERTOS_KERNEL_PATH=/path/to/FreeRTOS-Kernel scripts/freertos-test.sh: the FreeRTOS port built
# (build-freertos/) and compiled for the kernel's RISC-V and Cortex-M4F ports, the demo in three modes
# and the tests; also against FREERTOS_KERNEL_PATH_COMPAT if set. Without FREERTOS_KERNEL_PATH: exit 77.
set -u
# Relative kernel paths are relative to where the script was started.
for v in FREERTOS_KERNEL_PATH FREERTOS_KERNEL_PATH_COMPAT; do
  [ -n "${!v:-}" ] && export "$v=$(realpath -m -- "${!v}")"
done
. "$(dirname "$0")/lib.sh"
[ -n "${FREERTOS_KERNEL_PATH:-}" ] || { echo "freertos: skipped: FREERTOS_KERNEL_PATH is not set"; exit 77; }
kernel_id() {  # kernel_id PATH: the kernel's version and, for a git checkout, its commit
  local git
  git=$(git -C "$1" describe --tags --always --dirty 2>/dev/null) && git="git $git, commit $(git -C "$1" rev-parse HEAD)"
  echo "$(sed -n 's/.*tskKERNEL_VERSION_NUMBER[ \t]*"\(.*\)".*/\1/p' "$1/include/task.h" 2>/dev/null)" \
       "(${git:-not a git checkout: commit unknown})"
}
run() {  # run NAME TIMEOUT COMMAND...
  echo "---- $1: ${*:3}"
  check "$1" timeout "$2" "${@:3}"
}
xcheck() {  # xcheck KERNEL_PATH: compile the port, helpers and core for the kernel's chip ports
  local k=$1 x=tests/freertos/xcheck rv=$1/portable/GCC/RISC-V cc flags label f ok
  local common=(-std=c11 -O2 -Wall -Wextra -Werror -c -o /dev/null -ffreestanding "-I$x" "-I$x/freestanding"
                -Iports/env/freertos/include -Iinclude -Iports/platform/none/include "-I$k/include")
  for cc in riscv64-unknown-elf-gcc arm-none-eabi-gcc; do
    case $cc in
      riscv*) label="rv32imac, kernel port GCC/RISC-V" flags=(-march=rv32imac_zicsr -mabi=ilp32
                "-I$rv" "-I$rv/chip_specific_extensions/RISCV_MTIME_CLINT_no_extensions") ;;
      arm*) label="Cortex-M4F, kernel port GCC/ARM_CM4F" flags=(-mcpu=cortex-m4 -mthumb -mfloat-abi=hard
                -mfpu=fpv4-sp-d16 "-I$k/portable/GCC/ARM_CM4F") ;;
    esac
    command -v $cc >/dev/null || { echo "---- cross check ($cc): skipped (not installed)"; continue; }
    ok=0
    for f in ports/env/freertos/esp_amp_env_freertos.c ports/env/freertos/esp_amp_freertos.c \
             src/esp_amp.c src/esp_amp_rpmsg.c src/esp_amp_link.c src/esp_amp_sw_intr.c; do
      $cc "${common[@]}" "${flags[@]}" "$f" || ok=1
    done
    result "cross check ($cc, $label)" $ok
  done
}
one_kernel() {  # one_kernel KERNEL_PATH BUILD_DIR
  local k=$1 dir=$2 demo=$2/rpmsg_send_recv_freertos
  printf '==== FreeRTOS kernel: %s\n==== path: %s\n' "$(kernel_id "$k")" "$k"
  cmake_build "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFREERTOS_KERNEL_PATH="$k" \
    -- esp_amp_freertos_check rpmsg_send_recv_freertos test_freertos_helpers
  result "build (port, helpers, demo, tests; -Wall -Wextra -Werror)" $? \
    "$(grep -o -- 'FreeRTOS: .*' "$dir/build.log")" || return
  xcheck "$k"
  run "demo (main core interrupt, sub core polling)" 120 "$demo" --main-intr --sub-poll
  run "demo (main core interrupt, sub core interrupt)" 120 "$demo" --main-intr --sub-intr --rounds 20
  run "demo (main core polling task, sub core interrupt)" 120 "$demo" --main-poll --sub-intr --rounds 20
  run "helpers tests" 300 "$dir/tests/test_freertos_helpers"
}
one_kernel "$FREERTOS_KERNEL_PATH" build-freertos
[ -n "${FREERTOS_KERNEL_PATH_COMPAT:-}" ] && one_kernel "$FREERTOS_KERNEL_PATH_COMPAT" build-freertos-compat
echo
summary
