#!/usr/bin/env bash
# size-report.sh - code size of the core for the RISC-V target
# (rv32imac_zicsr, -Os, riscv64-unknown-elf-gcc) per layer and in total,
# and the RAM the library needs per device and per endpoint. Prints
# markdown tables. Builds in $BUILD_DIR (default build-riscv/) with
# cmake/riscv32-toolchain.cmake; needs no emulator.
set -eu
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD_DIR=${BUILD_DIR:-$ROOT/build-riscv}
CROSS=riscv64-unknown-elf-
HOSTCC=${HOSTCC:-cc}

if ! command -v ${CROSS}gcc >/dev/null; then
  echo "size-report: installing gcc-riscv64-unknown-elf" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq gcc-riscv64-unknown-elf >/dev/null
fi

cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_TOOLCHAIN_FILE="$ROOT/cmake/riscv32-toolchain.cmake" >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)" --target esp_amp_rv_core esp_amp_rv_env \
  esp_amp_rv_ram_table rpmsg_demo_main_intr rpmsg_demo_sub_poll >/dev/null

PORT_BIN=$BUILD_DIR/ports/platform/riscv-virt
obj() {  # obj TARGET SOURCE-BASENAME -> object path
  find "$PORT_BIN/CMakeFiles/$1.dir" -name "$2.obj" | head -1
}
flags=$(sed -n 's/^C_FLAGS = //p' "$PORT_BIN/CMakeFiles/esp_amp_rv_core.dir/flags.make")

# One row of `size` (Berkeley format: text includes .rodata).
size_row() {  # size_row LAYER FILE-LABEL OBJECT
  ${CROSS}size "$3" | awk -v l="$1" -v f="$2" 'NR==2 {
    printf "| %s | `%s` | %d | %d | %d | %d |\n", l, f, $1, $2, $3, $1+$2+$3 }'
}

# One row per core source (the list is the top-level ESP_AMP_CORE_SOURCES),
# the four layers first.
layer_of() {
  case $1 in
    esp_amp_queue.c) echo 1:queue ;;       esp_amp_rpmsg.c) echo 2:rpmsg ;;
    esp_amp_sys_info.c) echo 3:sys_info ;; esp_amp_sw_intr.c) echo 4:sw_intr ;;
    esp_amp_link.c) echo 5:link ;;         esp_amp.c) echo 6:init+state ;;
    esp_amp_err.c) echo 7:errors ;;        *) echo "8:${1%.c}" ;;
  esac
}
layers=$(for o in $(find "$PORT_BIN/CMakeFiles/esp_amp_rv_core.dir" -name '*.c.obj'); do
           b=$(basename "$o" .obj); l=$(layer_of "$b"); echo "${l%%:*} ${l#*:}:$b"
         done | sort -n | cut -d' ' -f2 | tr '\n' ' ')
core_objs=""
echo "## Code size of the core, RISC-V target"
echo
echo "\`$(${CROSS}gcc --version | head -1)\`, flags: \`$flags\`"
echo
echo "### Per object file (everything compiled, before linking)"
echo
echo "| layer | source | text | data | bss | total |"
echo "|---|---|---:|---:|---:|---:|"
for l in $layers; do
  o=$(obj esp_amp_rv_core "${l#*:}")
  core_objs="$core_objs $o"
  size_row "${l%%:*}" "src/${l#*:}" "$o"
done
${CROSS}size -t $core_objs | awk 'END {
  printf "| **core total** | `src/*.c` | **%d** | **%d** | **%d** | **%d** |\n", $1, $2, $3, $1+$2+$3 }'
size_row "env port (not core)" "ports/env/baremetal" "$(obj esp_amp_rv_env esp_amp_env_baremetal.c)"
echo
echo "text includes read-only data. The per-core library state (bss of esp_amp.c)"
echo "holds the error code, the software-interrupt handler table and the two queues"
echo "of the default RPMsg device."

# The same, as linked into a firmware image (--gc-sections drops what the
# application does not call): sum the input sections of each core object
# placed in RAM, from the linker map.
linked_table() {  # linked_table IMAGE
  local map=$BUILD_DIR/firmware/$1.map
  echo
  echo "### As linked into \`firmware/$1.elf\` (--gc-sections)"
  echo
  echo "| layer | source | text | data | bss | total |"
  echo "|---|---|---:|---:|---:|---:|"
  awk -v layers="$layers" '
    function hex(s,   i, v) { s = tolower(s); sub(/^0x/, "", s); v = 0; for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v }
    BEGIN { n = split(layers, L, " ") }
    /^Linker script and memory map/ { on = 1; next }
    !on { next }
    function account(sec, addr, size, file,   i, src, cls) {
      if (addr !~ /^0x8/) return
      for (i = 1; i <= n; i++) {
        src = substr(L[i], index(L[i], ":") + 1)
        if (index(file, "(" src ".obj)")) {
          cls = (sec ~ /^\.(s?bss|COMMON)/ || sec == "COMMON") ? "bss" : (sec ~ /^\.s?data/ ? "data" : "text")
          S[i, cls] += hex(size)
        }
      }
    }
    /^ [.A-Z]/ {
      sec = $1
      if (NF >= 4) account(sec, $2, $3, $4); else pending = sec
      next
    }
    pending != "" && /^ +0x/ { if (NF >= 3) account(pending, $1, $2, $3); pending = ""; next }
    { pending = "" }
    END {
      for (i = 1; i <= n; i++) {
        l = substr(L[i], 1, index(L[i], ":") - 1); src = substr(L[i], index(L[i], ":") + 1)
        t = S[i, "text"]; d = S[i, "data"]; b = S[i, "bss"]
        printf "| %s | `src/%s` | %d | %d | %d | %d |\n", l, src, t, d, b, t + d + b
        T += t; D += d; B += b
      }
      printf "| **core total** | | **%d** | **%d** | **%d** | **%d** |\n", T, D, B, T + D + B
    }' "$map"
}
linked_table rpmsg_demo_main_intr
linked_table rpmsg_demo_sub_poll

# RAM: sizeof() from the table object, for rv32 and for the host ABI.
AWK_RAM='function hex(s,   i, v) { s = tolower(s); sub(/^0x/, "", s); v = 0; for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v } $4 ~ /^ram_/ { printf "%s %d\n", substr($4, 5), hex($2) }'
sizes_of() {  # sizes_of OBJECT -> lines "name bytes"
  nm -S "$1" 2>/dev/null | awk "$AWK_RAM"
}
rv_tab=$(${CROSS}nm -S "$(obj esp_amp_rv_ram_table ram_table.c)" | awk "$AWK_RAM")
host_obj=$(mktemp --suffix=.o)
trap 'rm -f "$host_obj"' EXIT
host_tab=""
if $HOSTCC -std=c11 -c -o "$host_obj" ports/platform/riscv-virt/size/ram_table.c \
     -Iinclude -Iports/env/posix/include -Iports/platform/sim/include -Isrc 2>/dev/null; then
  host_tab=$(sizes_of "$host_obj")
fi
host_arch=$($HOSTCC -dumpmachine 2>/dev/null || echo host)
get() { echo "$1" | awk -v k="$2" '$1 == k { print $2 }'; }
rv() { get "$rv_tab" "$1"; }
hs() { local v; v=$(get "$host_tab" "$1"); echo "${v:--}"; }

echo
echo "## RAM needed by the library"
echo
echo "sizeof() as compiled for the target (rv32, ilp32) and, for comparison, for the"
echo "simulator host ($host_arch)."
echo
echo "| what | where | rv32 bytes | $host_arch bytes |"
echo "|---|---|---:|---:|"
echo "| per device: \`esp_amp_rpmsg_dev_t\` | application | $(rv rpmsg_dev) | $(hs rpmsg_dev) |"
echo "| per device: 2 x \`esp_amp_queue_t\` | library state (default device) or application (\`_by_id\`) | $(( $(rv queue) * 2 )) | $( [ "$(hs queue)" = - ] && echo - || echo $(( $(hs queue) * 2 )) ) |"
echo "| **per device, local RAM** | | **$(( $(rv rpmsg_dev) + 2 * $(rv queue) ))** | $( [ "$(hs queue)" = - ] && echo - || echo $(( $(hs rpmsg_dev) + 2 * $(hs queue) )) ) |"
echo "| **per endpoint: \`esp_amp_rpmsg_ept_t\`** | application | **$(rv ept)** | $(hs ept) |"
echo "| per core: library state \`esp_amp_core_state_t\` (includes the default device's 2 queues) | library (.bss) | $(rv core_state) | $(hs core_state) |"
echo
echo "Shared memory (the same on every ABI: fixed-width layout, see include/esp_amp_shm.h):"
echo
echo "| what | bytes |"
echo "|---|---:|"
echo "| region header (once) | $(rv shm_header) |"
echo "| per device: pair header + 2 rings of len descriptors + 2 x len buffers | align64($(rv vq_pair) + 2 x len x $(rv desc)) + 2 x len x item_size |"
for geo in "16 96" "32 128" "64 256"; do
  set -- $geo
  hdr=$(( $(rv vq_pair) + 2 * $1 * $(rv desc) ))
  hdr=$(( (hdr + 63) / 64 * 64 ))
  echo "| per device, queue_len $1, item_size $2 | $(( hdr + 2 * $1 * $2 )) |"
done
echo "| per message: RPMsg header inside its buffer | $(rv rpmsg_head) |"
