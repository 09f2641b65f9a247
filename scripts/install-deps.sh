#!/usr/bin/env bash
# scripts/install-deps.sh build|target|test (library and tests | + RISC-V compiler and
# QEMU | all of make test): the one script that installs anything, the missing Debian
# 12 packages only (a tool on the PATH counts), without recommended extras.
set -eu
want="cmake:cmake make:make gcc:gcc pkg-config:pkg-config"  # package[:command]
target="gcc-riscv64-unknown-elf:riscv64-unknown-elf-gcc qemu-system-misc:qemu-system-riscv32"
case "${1:-build}" in
  build) want="$want libcriterion-dev" ;;
  target) want="$want $target" ;;
  test) want="$want $target clang:clang libclang-rt-14-dev libcriterion-dev
        valgrind:valgrind gcc-arm-none-eabi:arm-none-eabi-gcc spin:spin gcovr:gcovr" ;;
  *) echo "usage: $0 build|target|test" >&2; exit 2 ;;
esac
missing=""
for w in $want; do
  p=${w%%:*} c=${w#*:}
  { [ "$c" != "$w" ] && command -v "$c" >/dev/null; } ||
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing missing Debian packages:$missing"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "install-deps: done"
