#!/usr/bin/env bash
# Model-check docs/model/link.pml with Spin. Each check builds its own pan
# in a temporary directory and asserts the expected outcome:
#   pass  = no error found,   fail = an error must be found (the variant is
#   known to be broken; this shows the model is not vacuous).
# Ends with "spin-check: N passed, M failed"; exits non-zero on any failure.
set -u
cd "$(dirname "$0")/.."
MODEL=$PWD/docs/model/link.pml
command -v spin >/dev/null || { echo "spin-check: spin not installed (scripts/install-deps.sh test)"; exit 1; }
command -v gcc >/dev/null || { echo "spin-check: gcc not installed"; exit 1; }
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
passed=0; failed=0

SAFE="-DNOCLAIM -DSAFETY"
check() {  # check NAME EXPECT(pass|fail) "SPIN-DEFINES" "CC-DEFINES" "PAN-ARGS" [CC-OPT]
  # CC-OPT: -O0 by default (gcc -O2 takes about 15 s on pan.c; worth it for long searches only)
  local name=$1 expect=$2 sdefs=$3 cdefs=$4 pargs=$5 opt=${6:--O0} t0=$SECONDS out errs
  rm -f "$WORK"/pan* "$WORK"/*.trail
  if ! (cd "$WORK" && spin -a $sdefs "$MODEL" >spin.log 2>&1 &&
        gcc $opt -DMEMLIM=2048 $cdefs -o pan pan.c 2>cc.log); then
    echo "  $name: build FAILED"; cat "$WORK"/spin.log "$WORK"/cc.log; failed=$((failed+1)); return
  fi
  out=$(cd "$WORK" && ./pan $pargs 2>&1)
  errs=$(printf '%s\n' "$out" | sed -n 's/.*errors: \([0-9]*\).*/\1/p' | tail -1)
  local stored trans what mode=exhaustive incomplete=
  case "$cdefs" in *BITSTATE*) mode=BITSTATE;; esac
  stored=$(printf '%s\n' "$out" | awk '/states, stored/{print $1}')
  trans=$(printf '%s\n' "$out" | awk '/transitions \(/{print $1}')
  what=$(printf '%s\n' "$out" | grep -m1 -E 'violated|acceptance cycle|non-progress cycle' || true)
  printf '%s\n' "$out" | grep -qE 'reached -DMEMLIM|max search depth too small' && incomplete=1
  printf '  %-16s %-10s %s states stored, %s transitions, %s s, errors: %s%s %s\n' \
    "$name" "$mode" "${stored:-?}" "${trans:-?}" "$((SECONDS-t0))" "${errs:-?}" \
    "${incomplete:+ (search INCOMPLETE)}" "${what:+($what)}"
  if { [ "$expect" = pass ] && [ "${errs:-x}" = 0 ] && [ -z "$incomplete" ]; } ||
     { [ "$expect" = fail ] && [ -n "$errs" ] && [ "$errs" != 0 ]; }; then
    passed=$((passed+1)); echo "  $name: ok (expected $expect)"
  else
    failed=$((failed+1)); echo "  $name: UNEXPECTED (expected $expect)"
  fi
}

echo "spin-check: $(spin -V)"
# Safety of the protocol, exhaustive (COLLAPSE compression is lossless).
check safe-n1-r01      pass "-DN=1 -DMAXMR=0 -DMAXSR=1 -DMSGS=1" "$SAFE -DCOLLAPSE" "-m20000 -w25" -O2
# Safety at larger bounds: BITSTATE, a partial search ("no error" is evidence only).
check bits-n2-r11      pass "-DN=2 -DMAXMR=1 -DMAXSR=1 -DMSGS=1" "$SAFE -DBITSTATE" "-m20000 -w23"
# Liveness: <> (mgot && sgot) under weak fairness, exhaustive.
check live-n1-r01      pass "-DN=1 -DMAXMR=0 -DMAXSR=1 -DMSGS=0" "-DCOLLAPSE" "-m100000 -a -f -w24" -O2
# Main core with a task and a doorbell ISR: safe under rule 6, broken without it.
check isr-n1-r01       pass "-DN=1 -DMAXMR=0 -DMAXSR=1 -DMSGS=0 -DMAIN_ISR" "$SAFE -DCOLLAPSE" "-m20000 -w24"
check isr-gap          fail "-DN=1 -DMAXMR=0 -DMAXSR=1 -DMSGS=0 -DMAIN_ISR -DISR_GAP" "$SAFE -DCOLLAPSE" "-m20000"
# Variants that must fail.
check old-protocol     fail "-DN=2 -DMAXMR=1 -DMAXSR=1 -DMSGS=1 -DOLD_PROTOCOL" "$SAFE -DCOLLAPSE" "-m20000"
check clear-first      fail "-DN=2 -DMAXMR=1 -DMAXSR=1 -DMSGS=1 -DCLEAR_FIRST" "$SAFE -DCOLLAPSE" "-m20000"
# Longer runs (about 5 minutes in all): SPIN_LONG=1. The first is the largest
# exhaustive safety pass that fits 2 GB.
if [ "${SPIN_LONG:-0}" = 1 ]; then
  check safe-n1-r11-m0 pass "-DN=1 -DMAXMR=1 -DMAXSR=1 -DMSGS=0" "$SAFE -DCOLLAPSE" "-m20000 -w25" -O2
  check live-n1-r10    pass "-DN=1 -DMAXMR=1 -DMAXSR=0 -DMSGS=0" "-DCOLLAPSE" "-m100000 -a -f -w24" -O2
  check bits-n1-r22    pass "-DN=1 -DMAXMR=2 -DMAXSR=2 -DMSGS=1" "$SAFE -DBITSTATE" "-m20000 -w23"
fi

echo "spin-check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
