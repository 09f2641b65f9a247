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

command -v ${CROSS}gcc >/dev/null ||
  { echo "size-report: ${CROSS}gcc missing (scripts/install-deps.sh target)" >&2; exit 1; }

cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_TOOLCHAIN_FILE="$ROOT/cmake/riscv32-toolchain.cmake" \
  -DESP_AMP_PLATFORM_PORT=riscv-virt -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)" --target esp_amp rpmsg_demo_main_intr rpmsg_demo_sub_poll >/dev/null

# The library's objects, from its archive; its compile command, from
# compile_commands.json (flags and include directories).
OBJS=$(mktemp -d)
trap 'rm -rf "$OBJS"' EXIT
(cd "$OBJS" && ${CROSS}ar x "$BUILD_DIR/libesp_amp.a")
obj() { echo "$OBJS/$1.obj"; }
cmd=$(grep -m1 -E '"command": .* -c [^ ]*/src/esp_amp\.c"' "$BUILD_DIR/compile_commands.json" |
      sed -E 's/.*"command": "[^ ]+ +//; s/ -o .*//')
incs=$(echo " $cmd" | grep -oE ' -I[^ ]+' | tr -d '\n')
flags=$(echo " $cmd" | sed -E 's/ -I[^ ]+//g; s/^ +//')

# One row of `size` (Berkeley format: text includes .rodata).
size_row() {  # size_row LAYER FILE-LABEL OBJECT
  ${CROSS}size "$3" | awk -v l="$1" -v f="$2" 'NR==2 {
    printf "| %s | `%s` | %d | %d | %d | %d |\n", l, f, $1, $2, $3, $1+$2+$3 }'
}

# One row per core source (src/*.c), the four layers first.
layer_of() {
  case $1 in
    esp_amp_ring.c) echo 1:ring ;;         esp_amp_rpmsg.c) echo 2:rpmsg ;;
    esp_amp_sys_info.c) echo 3:sys_info ;; esp_amp_sw_intr.c) echo 4:sw_intr ;;
    esp_amp_link.c) echo 5:link ;;         esp_amp.c) echo 6:init+state ;;
    esp_amp_err.c) echo 7:errors ;;        *) echo "8:${1%.c}" ;;
  esac
}
layers=$(for c in src/*.c; do
           b=$(basename "$c"); l=$(layer_of "$b"); echo "${l%%:*} ${l#*:}:$b"
         done | sort -n | cut -d' ' -f2 | tr '\n' ' ')
core_objs=""
HEAD='| layer | source | text | data | bss | total |\n|---|---|---:|---:|---:|---:|'
printf "## Code size of the core, RISC-V target\n\n%s\n\n" "\`$(${CROSS}gcc --version | head -1)\`, flags: \`$flags\`"
printf "### Per object file (everything compiled, before linking)\n\n$HEAD\n"
for l in $layers; do
  o=$(obj "${l#*:}")
  core_objs="$core_objs $o"
  size_row "${l%%:*}" "src/${l#*:}" "$o"
done
${CROSS}size -t $core_objs | awk 'END {
  printf "| **core total** | `src/*.c` | **%d** | **%d** | **%d** | **%d** |\n", $1, $2, $3, $1+$2+$3 }'
size_row "env port (not core)" "ports/env/baremetal" "$(obj esp_amp_env_baremetal.c)"
printf '\n%s\n%s\n%s\n' "text includes read-only data. The per-core library state (bss of esp_amp.c)" \
  "holds the error code, the software-interrupt handler table and the two queues" \
  "of the default RPMsg device."

# The same, as linked into a firmware image (--gc-sections drops what the
# application does not call): sum the input sections of each core object
# placed in RAM, from the linker map.
linked_table() {  # linked_table IMAGE [BUILD-DIR]: the table; with a build dir, the core's text only
  local map=${2:-$BUILD_DIR}/firmware/$1.map
  [ -n "${2:-}" ] || printf "\n### As linked into \`firmware/$1.elf\` (--gc-sections)\n\n$HEAD\n"
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
        if (!total_only) printf "| %s | `src/%s` | %d | %d | %d | %d |\n", l, src, t, d, b, t + d + b
        T += t; D += d; B += b
      }
      if (total_only) { print T; exit }
      printf "| **core total** | | **%d** | **%d** | **%d** | **%d** |\n", T, D, B, T + D + B
    }' total_only=$([ -n "${2:-}" ] && echo 1 || echo 0) "$map"
}
linked_table rpmsg_demo_main_intr
linked_table rpmsg_demo_sub_poll

# Build options (include/esp_amp_config.h): the same two firmware images
# built again with one option set each, and the core text they link.
option_build() {  # option_build DIR FLAGS...: the two images, core text each
  local dir=$1; shift
  rm -rf "$dir"
  cmake -S "$ROOT" -B "$dir" -DCMAKE_TOOLCHAIN_FILE="$ROOT/cmake/riscv32-toolchain.cmake" \
    -DESP_AMP_PLATFORM_PORT=riscv-virt -DCMAKE_BUILD_TYPE=Release \
    "-DCMAKE_C_FLAGS_RELEASE=-Os $*" >/dev/null &&
  cmake --build "$dir" -j"$(nproc)" --target rpmsg_demo_main_intr rpmsg_demo_sub_poll >/dev/null &&
  echo "$(linked_table rpmsg_demo_main_intr "$dir") $(linked_table rpmsg_demo_sub_poll "$dir")"
}
base_main=$(linked_table rpmsg_demo_main_intr "$BUILD_DIR")
base_sub=$(linked_table rpmsg_demo_sub_poll "$BUILD_DIR")
printf "\n### Build options: core text linked into each image, and the saving\n\n"
printf "| option | main core, interrupt | saving | sub core, polling | saving |\n|---|---:|---:|---:|---:|\n"
printf "| default (every option on) | %d | | %d | |\n" "$base_main" "$base_sub"
i=0
for opt in "-DESP_AMP_CONFIG_STATS=0" "-DESP_AMP_CONFIG_ERR_NAMES=0" \
           "-DESP_AMP_CONFIG_RX_INTR=0" "-DESP_AMP_CONFIG_MAIN_CORE=0" \
           "-DESP_AMP_CONFIG_SUB_CORE=0" \
           "-DESP_AMP_CONFIG_MAIN_CORE=0 -DESP_AMP_CONFIG_RX_INTR=0 -DESP_AMP_CONFIG_STATS=0 -DESP_AMP_CONFIG_ERR_NAMES=0" \
           "-DESP_AMP_CONFIG_SUB_CORE=0 -DESP_AMP_CONFIG_STATS=0 -DESP_AMP_CONFIG_ERR_NAMES=0"; do
  i=$((i + 1))
  # shellcheck disable=SC2086
  r=$(option_build "$BUILD_DIR-opt$i" $opt) || { echo "| \`$opt\` | build failed | | | |"; continue; }
  set -- $r
  m="$1 | $((base_main - $1))"; sb="$2 | $((base_sub - $2))"
  # An image whose role (or receive mode) the option leaves out builds, but
  # its calls fail at run time: no figure for it.
  case "$opt" in *MAIN_CORE=0*|*RX_INTR=0*) m="n/a | " ;; esac
  case "$opt" in *SUB_CORE=0*) sb="n/a | " ;; esac
  printf "| \`%s\` | %s | %s |\n" "$opt" "$m" "$sb"
done

# RAM: sizeof() from the table object, for rv32 and for the host ABI.
AWK_RAM='function hex(s,   i, v) { s = tolower(s); sub(/^0x/, "", s); v = 0; for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v } $4 ~ /^ram_/ { printf "%s %d\n", substr($4, 5), hex($2) }'
RAM_C=ports/platform/riscv-virt/size/ram_table.c
# shellcheck disable=SC2086
${CROSS}gcc $flags $incs -Isrc -c -o "$OBJS/ram_rv.o" $RAM_C
rv_tab=$(${CROSS}nm -S "$OBJS/ram_rv.o" | awk "$AWK_RAM")
host_tab=$($HOSTCC -std=c11 -c -o "$OBJS/ram_host.o" $RAM_C -Iinclude -Iports/env/posix/include \
           -Iports/platform/sim/include -Isrc 2>/dev/null && nm -S "$OBJS/ram_host.o" | awk "$AWK_RAM")
host_arch=$($HOSTCC -dumpmachine 2>/dev/null || echo host)
get() { echo "$1" | awk -v k="$2" '$1 == k { print $2 }'; }
rv() { get "$rv_tab" "$1"; }
hs() { local v; v=$(get "$host_tab" "$1"); echo "${v:--}"; }

printf '\n%s\n' "## RAM needed by the library" "sizeof() as compiled for the target (rv32, ilp32) and, for comparison, for the"
printf '%s\n' "simulator host ($host_arch)." "" "| what | where | rv32 bytes | $host_arch bytes |" "|---|---|---:|---:|"
echo "| per device: \`esp_amp_rpmsg_dev_t\` | application | $(rv rpmsg_dev) | $(hs rpmsg_dev) |"
echo "| per device: 2 x \`esp_amp_queue_t\` | library state (default device) or application (\`_by_id\`) | $(( $(rv queue) * 2 )) | $( [ "$(hs queue)" = - ] && echo - || echo $(( $(hs queue) * 2 )) ) |"
echo "| **per device, local RAM** | | **$(( $(rv rpmsg_dev) + 2 * $(rv queue) ))** | $( [ "$(hs queue)" = - ] && echo - || echo $(( $(hs rpmsg_dev) + 2 * $(hs queue) )) ) |"
echo "| **per endpoint: \`esp_amp_rpmsg_ept_t\`** | application | **$(rv ept)** | $(hs ept) |"
echo "| per core: library state \`esp_amp_core_state_t\` (includes the default device's 2 queues) | library (.bss) | $(rv core_state) | $(hs core_state) |"
printf '\n%s\n\n%s\n' "Shared memory (the same on every ABI: fixed-width layout, see include/esp_amp_shm.h):" \
  "| what | bytes |"$'\n'"|---|---:|"
echo "| region header (once) | $(rv shm_header) |"
echo "| per device: pair header + 2 rings of len descriptors + 2 x len buffers | align64($(rv vq_pair) + 2 x len x $(rv desc)) + 2 x len x item_size |"
for geo in "16 96" "32 128" "64 256"; do
  set -- $geo
  hdr=$(( $(rv vq_pair) + 2 * $1 * $(rv desc) ))
  hdr=$(( (hdr + 63) / 64 * 64 ))
  echo "| per device, queue_len $1, item_size $2 | $(( hdr + 2 * $1 * $2 )) |"
done
echo "| per message: RPMsg header inside its buffer | $(rv rpmsg_head) |"
