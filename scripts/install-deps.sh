#!/usr/bin/env bash
# Install the Debian 12 packages a target needs, only those missing, and say so.
#   scripts/install-deps.sh build|test|target
set -eu
want="cmake make gcc pkg-config"
case "${1:-build}" in
  build) ;;
  test) want="$want clang libclang-rt-14-dev libcriterion-dev valgrind spin" ;;
  target) want="$want gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf qemu-system-misc" ;;
  *) echo "usage: $0 build|test|target" >&2; exit 2 ;;
esac
missing=""
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing missing Debian packages:$missing"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq $missing >/dev/null
echo "install-deps: done"
