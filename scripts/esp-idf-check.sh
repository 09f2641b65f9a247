#!/usr/bin/env bash
# The ESP-IDF example and ports built by ESP-IDF (README.md, "Checking the build"), per target in
# build-esp-idf/<target>/: configure, the C6/C5 LP-core image, each source compiled again, link.
# Needs IDF_PATH (else exit 77). Environment: ESP_AMP_IDF_TARGETS, ESP_AMP_IDF_LINK=0,
# ESP_AMP_IDF_CMAKE_ARGS, ESP_AMP_IDF_SDKCONFIG_EXTRA (an sdkconfig fragment), IDF_PYTHON.
set -u
. "$(dirname "$0")/lib.sh"
[ -n "${IDF_PATH:-}" ] || { echo "esp-idf-check: skipped (IDF_PATH not set)"; exit 77; }
command -v riscv32-esp-elf-gcc >/dev/null || { echo "esp-idf-check: riscv32-esp-elf-gcc is not on PATH" \
  "(run ESP-IDF's export.sh)" >&2; echo "esp-idf-check: 0 passed, 1 failed"; exit 1; }
EXAMPLE=$ROOT/examples/esp-idf/rpmsg_send_recv
read -r -a EXTRA_ARGS <<< "${ESP_AMP_IDF_CMAKE_ARGS:-}"
# The library's and the ports' sources (through the component's fixed-name link).
LIB_PARTS=(/esp_amp_rpmsg/src/ /esp_amp_rpmsg/ports/)
ninja_step() {  # ninja_step DIR LOG TARGET...: build them; the errors shown on failure
  ninja -C "$1" -j"$JOBS" "${@:3}" >"$2" 2>&1 || { grep -E "error|FAILED" "$2" | head -20; return 1; }
}
# mapsize MAP PART...: text/data/bss of an image and of its objects matching a PART.
mapsize() {
  awk -v parts="${*:2}" "$AWK_HEX"'
    BEGIN { n = split(parts, P, " "); K[".text"] = K[".vector.text"] = K[".rodata"] = "text"
            K[".data"] = "data"; K[".bss"] = "bss" }
    /^Linker script and memory map/ { on = 1; next }
    !on { next }
    /^\.[A-Za-z0-9_.]+[ \t]*$/ { kind = K[$1]; next }  # an output section, its size on the next line
    /^\.[A-Za-z0-9_.]+[ \t]+0x[0-9a-fA-F]+[ \t]+0x[0-9a-fA-F]+/ { kind = K[$1]; total[kind] += hex($3); next }
    kind != "" && /^[ \t]/ && $NF ~ /\.(obj|o)$/ && $(NF - 1) ~ /^0x/ && $(NF - 2) ~ /^0x/ && NF <= 4 {
      for (i = 1; i <= n; i++) if (index($NF, P[i])) { lib[kind] += hex($(NF - 1)); break } }
    END { printf "text %d data %d bss %d | library: text %d data %d bss %d\n", total["text"], total["data"],
          total["bss"], lib["text"], lib["data"], lib["bss"] }' "$1"
}
# objects BUILD PART...: each source matching a PART compiled again as compile_commands.json says.
objects() {
  "${IDF_PYTHON:-python3}" - "$@" <<'EOF'
import json, os, shlex, subprocess, sys
build, parts, ok = sys.argv[1], sys.argv[2:], True  # ok: every one compiles, with -Werror
out = os.path.join(build, "esp_amp_objects")
os.makedirs(out, exist_ok=True)
entries = [e for e in json.load(open(os.path.join(build, "compile_commands.json")))
           if any(p in e["file"] for p in parts)]
if not entries:
    sys.exit("  no matching sources in compile_commands.json")
for i, e in enumerate(entries):
    args = shlex.split(e["command"])
    args[args.index("-o") + 1] = os.path.join(out, f"{i:03d}_{os.path.basename(e['file'])}.o")
    r = subprocess.run(args, cwd=e["directory"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    problem = r.stdout if r.returncode else "" if "-Werror" in args else "no -Werror"
    print(f"  {'FAILED' if problem else 'ok'}: {e['file']}" + (f"\n{problem}" if problem else ""))
    ok = ok and not problem
sys.exit(0 if ok else 1)
EOF
}
for target in ${ESP_AMP_IDF_TARGETS:-esp32c6 esp32c5 esp32p4}; do
  b=$ROOT/build-esp-idf/$target
  echo "==== $target"
  mkdir -p "$b" && rm -f "$b/sdkconfig"
  cmake -S "$EXAMPLE" -B "$b" -G Ninja -DIDF_TARGET="$target" -DCOMPONENTS=main -DSDKCONFIG="$b/sdkconfig" \
        "-DSDKCONFIG_DEFAULTS=$EXAMPLE/sdkconfig.defaults${ESP_AMP_IDF_SDKCONFIG_EXTRA:+;$ESP_AMP_IDF_SDKCONFIG_EXTRA}" \
        "${EXTRA_ARGS[@]}" >"$b/configure.log" 2>&1 || { tail -20 "$b/configure.log"; false; }
  result "$target-configure" $? || continue
  if [ "$target" != esp32p4 ]; then
    lp=$b/esp-idf/main/lp_rpmsg_sub
    ninja_step "$b" "$b/lp.log" lp_rpmsg_sub && {
      riscv32-esp-elf-size "$lp/lp_rpmsg_sub.elf" | sed 's/^/  /'
      echo "  $target LP image: $(mapsize "$lp/lp_rpmsg_sub.map" "${LIB_PARTS[@]}")"
      grep -q -- -Werror "$lp/compile_commands.json" || { echo "  LP build: no -Werror"; false; }
    } && if grep -q '^CONFIG_ESP_AMP_LP_SAVE_RESTORE=y' "$b/sdkconfig"; then
      grep -q -- -msave-restore "$lp/compile_commands.json" || { echo "  LP build: no -msave-restore"; false; }
    fi
    result "$target-lp" $?
  fi
  objects "$b" "${LIB_PARTS[@]}" /examples/esp-idf/rpmsg_send_recv/ >"$b/objects.log" 2>&1 ||
    { grep -v '  ok:' "$b/objects.log" | head -30; false; }
  result "$target-objects" $? "$(grep -c '  ok:' "$b/objects.log") objects compiled with ESP-IDF's flags"
  [ "${ESP_AMP_IDF_LINK:-1}" = 1 ] || continue
  ninja_step "$b" "$b/link.log" app
  result "$target-link" $?
done
summary
