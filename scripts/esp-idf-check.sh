#!/usr/bin/env bash
# ESP-IDF: build the ESP-IDF example (examples/esp-idf/rpmsg_send_recv) and the
# ESP ports with ESP-IDF's own build, against the ESP-IDF the user has.
#
#   IDF_PATH=/path/to/esp-idf scripts/esp-idf-check.sh
#   (riscv32-esp-elf-gcc on PATH, as ESP-IDF's export.sh leaves it)
#
# Per target (esp32c6, esp32c5, then esp32p4), in build-esp-idf/<target>/:
#   configure   cmake -G Ninja -DIDF_TARGET=<target> on the example, only the
#               components it needs (COMPONENTS=main)
#   lp          (C6, C5) the LP-core image through ESP-IDF's LP-core build:
#               library, LP port and bare-metal env at -Wall -Wextra -Werror;
#               prints its size (text/data/bss) and the library's share of it
#   objects     every source of the library, of the ports and of the example's
#               HP side, compiled again with ESP-IDF's command lines from
#               compile_commands.json (each must carry -Werror)
#   link        the whole HP application (ESP_AMP_IDF_LINK=1, the default)
# Ends with one line: esp-idf-check: N passed, M failed.
# Without IDF_PATH: one line, exit 77 (skipped, as scripts/test-all.sh counts it).
#
# Optional environment:
#   ESP_AMP_IDF_TARGETS        targets to check (default "esp32c6 esp32c5 esp32p4")
#   ESP_AMP_IDF_LINK=0         do not link the HP application (e.g. with a
#                              compiler that has no C library for it)
#   ESP_AMP_IDF_CMAKE_ARGS     extra arguments for the configure step
#   ESP_AMP_IDF_SDKCONFIG_EXTRA  an sdkconfig fragment read after the
#                              example's sdkconfig.defaults
#   JOBS                       parallel jobs (default 2)
#   IDF_PYTHON                 python for the size and object helpers (default python3)
set -u
cd "$(dirname "$0")/.." || exit 1

if [ -z "${IDF_PATH:-}" ]; then
  echo "esp-idf-check: skipped (IDF_PATH not set)"
  exit 77
fi

ROOT=$PWD
EXAMPLE=$ROOT/examples/esp-idf/rpmsg_send_recv
OUT=$ROOT/build-esp-idf
JOBS=${JOBS:-2}
TARGETS=${ESP_AMP_IDF_TARGETS:-esp32c6 esp32c5 esp32p4}
LINK=${ESP_AMP_IDF_LINK:-1}
PYTHON=${IDF_PYTHON:-python3}
read -r -a EXTRA_ARGS <<< "${ESP_AMP_IDF_CMAKE_ARGS:-}"

passed=0; failed=0; failed_names=""
result() {  # result NAME RC
  if [ "$2" -eq 0 ]; then passed=$((passed+1)); echo "---- $1: ok"
  else failed=$((failed+1)); failed_names="$failed_names $1"; echo "---- $1: FAILED"; fi
}

if ! command -v riscv32-esp-elf-gcc >/dev/null; then
  echo "esp-idf-check: riscv32-esp-elf-gcc is not on PATH (run ESP-IDF's export.sh)" >&2
  echo "esp-idf-check: 0 passed, 1 failed"
  exit 1
fi

# Sources whose objects are compiled again: the library (through the
# component's fixed-name link), the ports, the example's HP side.
LIB_PARTS=(/esp_amp_rpmsg/src/ /esp_amp_rpmsg/ports/ /examples/esp-idf/rpmsg_send_recv/)

for target in $TARGETS; do
  b=$OUT/$target
  echo "==== $target"
  mkdir -p "$b"
  defaults="$EXAMPLE/sdkconfig.defaults"
  [ -n "${ESP_AMP_IDF_SDKCONFIG_EXTRA:-}" ] && defaults="$defaults;$ESP_AMP_IDF_SDKCONFIG_EXTRA"
  rm -f "$b/sdkconfig"
  cmake -S "$EXAMPLE" -B "$b" -G Ninja -DIDF_TARGET="$target" -DCOMPONENTS=main \
        -DSDKCONFIG="$b/sdkconfig" "-DSDKCONFIG_DEFAULTS=$defaults" \
        "${EXTRA_ARGS[@]}" > "$b/configure.log" 2>&1
  rc=$?
  [ $rc -ne 0 ] && tail -20 "$b/configure.log"
  result "$target-configure" $rc
  [ $rc -ne 0 ] && continue

  if [ "$target" != esp32p4 ]; then
    ninja -C "$b" -j"$JOBS" lp_rpmsg_sub > "$b/lp.log" 2>&1
    rc=$?
    if [ $rc -eq 0 ]; then
      lpdir=$b/esp-idf/main/lp_rpmsg_sub
      riscv32-esp-elf-size "$lpdir/lp_rpmsg_sub.elf" | sed 's/^/  /'
      echo "  $target LP image: $("$PYTHON" "$ROOT/scripts/esp_idf_objects.py" mapsize \
           "$lpdir/lp_rpmsg_sub.map" /esp_amp_rpmsg/src/ /esp_amp_rpmsg/ports/)"
      if ! grep -q -- "-Werror" "$lpdir/compile_commands.json"; then
        echo "  LP build: the library was not compiled with -Werror"; rc=1
      fi
    else
      grep -E "error|FAILED" "$b/lp.log" | head -20
    fi
    result "$target-lp" $rc
  fi

  "$PYTHON" "$ROOT/scripts/esp_idf_objects.py" compile "$b" "$b/esp_amp_objects" \
      "${LIB_PARTS[@]}" > "$b/objects.log" 2>&1
  rc=$?
  echo "  $(grep -c '  ok:' "$b/objects.log") objects compiled with ESP-IDF's flags"
  [ $rc -ne 0 ] && grep -v '  ok:' "$b/objects.log" | head -30
  result "$target-objects" $rc

  if [ "$LINK" = 1 ]; then
    ninja -C "$b" -j"$JOBS" app > "$b/link.log" 2>&1
    rc=$?
    [ $rc -ne 0 ] && grep -E "error|FAILED" "$b/link.log" | head -20
    result "$target-link" $rc
  fi
done

[ $failed -ne 0 ] && echo "failed:$failed_names"
echo "esp-idf-check: $passed passed, $failed failed"
[ $failed -eq 0 ]
