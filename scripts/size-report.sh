#!/usr/bin/env bash
# make size: the core's RISC-V code size per layer, in total and per build option,
# and the RAM the library needs, as markdown tables; builds in $BUILD_DIR.
set -eu
. "$(dirname "$0")/lib.sh"
BUILD_DIR=${BUILD_DIR:-$ROOT/build-riscv}
CROSS=riscv64-unknown-elf-
IMAGES="rpmsg_demo_main_intr rpmsg_demo_sub_poll"
need target ${CROSS}gcc
cmake_build "$BUILD_DIR" "${RV_CONFIG[@]}" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -- esp_amp $IMAGES
OBJS=$(mktemp -d)
trap 'rm -rf "$OBJS"' EXIT
(cd "$OBJS" && ${CROSS}ar x "$BUILD_DIR/libesp_amp.a")
cmd=$(grep -m1 -E '"command": .* -c [^ ]*/src/esp_amp\.c"' "$BUILD_DIR/compile_commands.json" |
      sed -E 's/.*"command": "[^ ]+ +//; s/ -o .*//')
incs=$(echo " $cmd" | grep -oE ' -I[^ ]+' | tr -d '\n')
flags=$(echo " $cmd" | sed -E 's/ -I[^ ]+//g; s/^ +//')
# The core's sources as LAYER:FILE, in layer order (a file not named here last).
layers=""
for l in ring:esp_amp_ring rpmsg:esp_amp_rpmsg sys_info:esp_amp_sys_info sw_intr:esp_amp_sw_intr \
         link:esp_amp_link init+state:esp_amp errors:esp_amp_err $(ls src/*.c | sed -E 's|src/(.*)\.c|\1:\1|'); do
  [ -f "src/${l#*:}.c" ] && [[ "$layers " != *":${l#*:}.c "* ]] && layers="$layers $l.c"
done
table() {  # table TOTAL-SOURCE: lines "LAYER:FILE TEXT DATA BSS" as rows, then the core total
  printf '| layer | source | text | data | bss | total |\n|---|---|---:|---:|---:|---:|\n'
  awk -v src="${1:+$1 }" '{ split($1, l, ":"); T += $2; D += $3; B += $4
      printf "| %s | `src/%s` | %d | %d | %d | %d |\n", l[1], l[2], $2, $3, $4, $2 + $3 + $4 }
    END { printf "| **core total** | %s| **%d** | **%d** | **%d** | **%d** |\n", src, T, D, B, T + D + B }'
}
sizes() { ${CROSS}size "$1" | awk 'NR == 2 { print $1, $2, $3 }'; }  # text (with .rodata) data bss
printf "## Code size of the core, RISC-V target\n\n%s\n\n" "\`$(${CROSS}gcc --version | head -1)\`, flags: \`$flags\`"
printf "### Per object file (everything compiled, before linking)\n\n"
for l in $layers; do echo "$l $(sizes "$OBJS/${l#*:}.obj")"; done | table '`src/*.c`'
sizes "$OBJS/esp_amp_env_baremetal.c.obj" |
  awk '{ printf "| env port (not core) | `ports/env/baremetal` | %d | %d | %d | %d |\n", $1, $2, $3, $1 + $2 + $3 }'
printf '\n%s\n%s\n%s\n' "text includes read-only data. The per-core library state (bss of esp_amp.c)" \
  "holds the error code, the software-interrupt handler table and the two queues" \
  "of the default RPMsg device."

# linked DIR IMAGE: "LAYER:FILE TEXT DATA BSS" of each source's sections in firmware/IMAGE.elf.
linked() {
  awk -v layers="$layers" "$AWK_HEX"'
    BEGIN { n = split(layers, L, " ") }
    /^Linker script and memory map/ { on = 1; next }
    !on { next }
    function account(sec, addr, size, file,   i, cls) {
      if (addr !~ /^0x8/) return
      for (i = 1; i <= n; i++)
        if (index(file, "(" substr(L[i], index(L[i], ":") + 1) ".obj)")) {
          cls = (sec ~ /^\.(s?bss|COMMON)/ || sec == "COMMON") ? "bss" : (sec ~ /^\.s?data/ ? "data" : "text")
          S[i, cls] += hex(size)
        }
    }
    /^ [.A-Z]/ { if (NF >= 4) account($1, $2, $3, $4); else pending = $1; next }
    pending != "" && /^ +0x/ { if (NF >= 3) account(pending, $1, $2, $3); pending = ""; next }
    { pending = "" }
    END { for (i = 1; i <= n; i++) print L[i], S[i, "text"] + 0, S[i, "data"] + 0, S[i, "bss"] + 0 }
  ' "$1/firmware/$2.map"
}
# core_text DIR IMAGE: the core's linked text, with libgcc's register save/restore routines
# if the image has them (a -msave-restore build calls them instead of saving registers).
core_text() {
  { linked "$@"; awk "$AWK_HEX"'/^Linker script and memory map/ { on = 1 }
      on && /^ \.text +0x8/ && /\(save-restore\.o\)/ { print "-", hex($3) }' "$1/firmware/$2.map"; } |
    awk '{ t += $2 } END { print t }'
}
for image in $IMAGES; do
  printf "\n### As linked into \`firmware/$image.elf\` (--gc-sections)\n\n"
  linked "$BUILD_DIR" "$image" | table ""
done

# Build options (include/esp_amp_config.h): the images built with one option set each.
base_main=$(core_text "$BUILD_DIR" rpmsg_demo_main_intr)
base_sub=$(core_text "$BUILD_DIR" rpmsg_demo_sub_poll)
printf "\n### Build options: core text linked into each image, and the saving\n\n"
printf "| option | main core, interrupt | saving | sub core, polling | saving |\n|---|---:|---:|---:|---:|\n"
printf "| default (every option on) | %d | | %d | |\n" "$base_main" "$base_sub"
i=0
# An option set: NAME for -DESP_AMP_CONFIG_NAME=0, or a compiler flag (-...) of the whole image.
for opt in STATS ERR_NAMES RX_INTR MAIN_CORE SUB_CORE "MAIN_CORE RX_INTR STATS ERR_NAMES" "SUB_CORE STATS ERR_NAMES" \
           -msave-restore "-msave-restore MAIN_CORE RX_INTR STATS ERR_NAMES"; do
  opt=$(for o in $opt; do case $o in -*) printf -- "%s " "$o" ;; *) printf -- "-DESP_AMP_CONFIG_%s=0 " "$o" ;; esac; done)
  opt=${opt% } dir=$BUILD_DIR-opt$((i += 1))
  rm -rf "$dir"
  if ! cmake_build "$dir" "${RV_CONFIG[@]}" -DCMAKE_BUILD_TYPE=Release "-DCMAKE_C_FLAGS_RELEASE=-Os $opt" -- $IMAGES; then
    echo "| \`$opt\` | build failed | | | |"; continue
  fi
  m=$(core_text "$dir" rpmsg_demo_main_intr) sb=$(core_text "$dir" rpmsg_demo_sub_poll)
  m="$m | $((base_main - m))" sb="$sb | $((base_sub - sb))"
  # No figure for an image whose role (or receive mode) the option leaves out.
  case "$opt" in *MAIN_CORE=0*|*RX_INTR=0*) m="n/a | " ;; esac
  case "$opt" in *SUB_CORE=0*) sb="n/a | " ;; esac
  printf "| \`%s\` | %s | %s |\n" "$opt" "$m" "$sb"
done
printf '\n%s\n%s\n%s\n' "\`-msave-restore\` (GCC, RISC-V) is a compiler flag, not an option of the library: functions" \
  "call libgcc's shared register save/restore routines (counted above) instead of saving registers" \
  "themselves; fewer bytes, more instructions per call (\`make bench-target BENCH_TARGET_CFLAGS=-msave-restore\`)."
RAM_C=ports/platform/riscv-virt/size/ram_table.c
AWK_RAM="$AWK_HEX"' $4 ~ /^ram_/ { printf "%s %d\n", substr($4, 5), hex($2) }'
${CROSS}gcc $flags $incs -Isrc -c -o "$OBJS/ram_rv.o" $RAM_C
rv_tab=$(${CROSS}nm -S "$OBJS/ram_rv.o" | awk "$AWK_RAM")
host_tab=$(${HOSTCC:-cc} -std=c11 -c -o "$OBJS/ram_host.o" $RAM_C -Iinclude -Iports/env/posix/include \
           -Iports/platform/sim/include -Isrc 2>/dev/null && nm -S "$OBJS/ram_host.o" | awk "$AWK_RAM")
host=$(${HOSTCC:-cc} -dumpmachine 2>/dev/null || echo host)
get() { echo "$1" | awk -v k="$2" '$1 == k { print $2 }'; }
rv() { get "$rv_tab" "$1"; }
hs() { local v; v=$(get "$host_tab" "$1"); echo "${v:--}"; }
queues() { local q; q=$($1 queue); if [ "$q" = - ]; then echo -; else echo $((2 * q + ${2:-0})); fi; }  # queues rv|hs [PLUS]
printf '\n%s\n' "## RAM needed by the library" "sizeof() as compiled for the target (rv32, ilp32) and, for comparison, for the"
printf '%s\n' "simulator host ($host)." "" "| what | where | rv32 bytes | $host bytes |" "|---|---|---:|---:|"
echo "| per device: \`esp_amp_rpmsg_dev_t\` | application | $(rv rpmsg_dev) | $(hs rpmsg_dev) |"
echo "| per device: 2 x \`esp_amp_queue_t\` | library state (default device) or application (\`_by_id\`) | $(queues rv) | $(queues hs) |"
echo "| **per device, local RAM** | | **$(queues rv "$(rv rpmsg_dev)")** | $(queues hs "$(hs rpmsg_dev)") |"
echo "| **per endpoint: \`esp_amp_rpmsg_ept_t\`** | application | **$(rv ept)** | $(hs ept) |"
echo "| per core: library state \`esp_amp_core_state_t\` (includes the default device's 2 queues) | library (.bss) | $(rv core_state) | $(hs core_state) |"
printf '\n%s\n\n%s\n' "Shared memory (the same on every ABI: fixed-width layout, see include/esp_amp_shm.h):" \
  "| what | bytes |"$'\n'"|---|---:|"
echo "| region header and its registry (default $(( $(rv registry) / $(rv sys_info_entry) )) slots), once | $(( $(rv shm_header) + $(rv registry) )) |"
echo "| per device: pair header + 2 rings of len descriptors + 2 x len buffers | $(rv vq_pair) + 2 x len x ($(rv desc) + item_size) |"
for geo in "16 128" "32 128" "64 256"; do
  set -- $geo
  echo "| per device, queue_len $1, item_size $2 | $(( $(rv vq_pair) + 2 * $1 * ($(rv desc) + $2) )) |"
done
echo "| **region with one device pair, 2 x 16 x 128 B** | **$(( $(rv shm_header) + $(rv registry) + $(rv vq_pair) + 32 * ($(rv desc) + 128) ))** |"
echo "| per message: RPMsg header inside its buffer | $(rv rpmsg_head) |"
