# shellcheck shell=bash disable=SC2034 # sourced: the scripts use these variables
# Sourced by the scripts: run from the repository root, with shared helpers.
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
ROOT=$PWD
JOBS=${JOBS:-$(nproc)}
NAME=$(basename "$0" .sh)  # prefixes the script's messages
MARK=----                  # prefixes each result line
RV_CONFIG=(-DCMAKE_TOOLCHAIN_FILE="$ROOT/cmake/riscv32-toolchain.cmake" -DESP_AMP_PLATFORM_PORT=riscv-virt)
# hex("0x1f") = 31, in any awk (the sizes and addresses of a linker map)
AWK_HEX='function hex(s,   i, v) { s = tolower(s); sub(/^0x/, "", s)
  for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v + 0 }'
need() {  # need GOAL COMMAND...: exit unless each is installed (by install-deps.sh GOAL)
  local c
  for c in "${@:2}"; do hash "$c" 2>/dev/null || { echo "$NAME: $c not found (scripts/install-deps.sh $1)" >&2; exit 1; }; done
}
# cmake_build DIR [CMAKE-ARG...] [-- TARGET...]: configure and build, the output in DIR/build.log.
cmake_build() {
  local dir=$1 args=()
  shift
  while [ $# -gt 0 ]; do [ "$1" = -- ] && { shift; break; }; args+=("$1"); shift; done
  mkdir -p "$dir"
  { cmake -S "$ROOT" -B "$dir" "${args[@]}" && cmake --build "$dir" -j"$JOBS" ${1:+--target "$@"}; } \
    >"$dir/build.log" 2>&1 || { tail -40 "$dir/build.log" >&2; echo "$NAME: build in $dir FAILED" >&2; return 1; }
}
passed=0 failed=0 skipped=0 failed_names=""
result() {  # result NAME STATUS [DETAIL]: count and print one result (77: skipped); returns STATUS
  case $2 in
    0) passed=$((passed + 1)); echo "$MARK $1: ok${3:+ ($3)}" ;;
    77) skipped=$((skipped + 1)); echo "$MARK $1: skipped" ;;
    *) failed=$((failed + 1)); failed_names="$failed_names $1"; echo "$MARK $1: FAILED${3:+ ($3)}" ;;
  esac
  return "$2"
}
check() {  # check NAME COMMAND...: run the command, count its result, with its time
  local t0=$SECONDS
  "${@:2}"
  result "$1" $? "$((SECONDS - t0)) s"
}
summary() {  # summary [TEXT]: the closing line, TEXT appended; fails if a check failed
  [ $failed -eq 0 ] || echo "$NAME: failed:$failed_names"
  echo "$NAME: $passed passed, $failed failed$*"
  [ $failed -eq 0 ]
}
