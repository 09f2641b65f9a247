#!/usr/bin/env bash
# qemu-run.sh [-t SECONDS] MAIN.elf [SUB.elf] - run a firmware pair on
# QEMU's two-hart "virt" machine: MAIN.elf is the -kernel (hart 0 and the
# reset vector of every hart), SUB.elf is put at its own addresses by the
# generic loader (hart 1 waits until the main image releases it).
# The UART goes to stdout. Exit status: the firmware's (sifive_test: 0 =
# pass, n = fail code n), 124 if the timeout (default 60 s) hit.
set -eu
timeout_s=60
if [ "${1:-}" = "-t" ]; then timeout_s=$2; shift 2; fi
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: $0 [-t SECONDS] MAIN.elf [SUB.elf]" >&2; exit 2; }
QEMU=${QEMU:-qemu-system-riscv32}
args=(-machine virt -smp 2 -m 128M -bios none
      -display none -serial stdio -monitor none -no-reboot
      -kernel "$1")
[ $# -eq 2 ] && args+=(-device "loader,file=$2")
exec timeout --foreground -k 5 "$timeout_s" "$QEMU" "${args[@]}" </dev/null
