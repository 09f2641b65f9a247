#!/usr/bin/env bash
# Model-check docs/model/link.pml with Spin (docs/model/README.md): pass = no error found, fail = an
# error must be found (a variant known to be broken: the model is not vacuous).
set -u
. "$(dirname "$0")/lib.sh"
need test spin gcc
MODEL=$PWD/docs/model/link.pml
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
SAFE="-DNOCLAIM -DSAFETY"
# model NAME pass|fail SPIN-DEFINES CC-DEFINES PAN-ARGS [CC-OPT: -O0, -O2 for long searches]
model() {
  local name=$1 expect=$2 sdefs=$3 cdefs=$4 pargs=$5 opt=${6:--O0} t0=$SECONDS out errs ok=1
  local stored trans what mode=exhaustive incomplete=
  rm -f "$WORK"/pan* "$WORK"/*.trail
  (cd "$WORK" && spin -a $sdefs "$MODEL" >spin.log 2>&1 && gcc $opt -DMEMLIM=2048 $cdefs -o pan pan.c 2>cc.log) ||
    { cat "$WORK"/spin.log "$WORK"/cc.log; result "$name" 1 "build"; return; }
  out=$(cd "$WORK" && ./pan $pargs 2>&1)
  errs=$(printf '%s\n' "$out" | sed -n 's/.*errors: \([0-9]*\).*/\1/p' | tail -1)
  case "$cdefs" in *BITSTATE*) mode=BITSTATE;; esac
  stored=$(printf '%s\n' "$out" | awk '/states, stored/{print $1}')
  trans=$(printf '%s\n' "$out" | awk '/transitions \(/{print $1}')
  what=$(printf '%s\n' "$out" | grep -m1 -E 'violated|acceptance cycle|non-progress cycle' || true)
  printf '%s\n' "$out" | grep -qE 'reached -DMEMLIM|max search depth too small' && incomplete=1
  printf '  %-16s %-10s %s states stored, %s transitions, %s s, errors: %s%s %s\n' \
    "$name" "$mode" "${stored:-?}" "${trans:-?}" "$((SECONDS - t0))" "${errs:-?}" \
    "${incomplete:+ (search INCOMPLETE)}" "${what:+($what)}"
  if [ "$expect" = pass ]; then [ "${errs:-x}" = 0 ] && [ -z "$incomplete" ] && ok=0
  else [ -n "$errs" ] && [ "$errs" != 0 ] && ok=0; fi
  result "$name" $ok "expected $expect"
}
echo "spin-check: $(spin -V)"
# Safety and liveness, exhaustive (COLLAPSE is lossless), or BITSTATE (partial).
model safe-n1-r01      pass "-DN=1 -DMAXMR=0 -DMAXSR=1 -DMSGS=1" "$SAFE -DCOLLAPSE" "-m20000 -w25" -O2
model bits-n2-r11      pass "-DN=2 -DMAXMR=1 -DMAXSR=1 -DMSGS=1" "$SAFE -DBITSTATE" "-m20000 -w23"
model live-n1-r01      pass "-DN=1 -DMAXMR=0 -DMAXSR=1 -DMSGS=0" "-DCOLLAPSE" "-m100000 -a -f -w24" -O2
model isr-n1-r01       pass "-DN=1 -DMAXMR=0 -DMAXSR=1 -DMSGS=0 -DMAIN_ISR" "$SAFE -DCOLLAPSE" "-m20000 -w24"
model isr-gap          fail "-DN=1 -DMAXMR=0 -DMAXSR=1 -DMSGS=0 -DMAIN_ISR -DISR_GAP" "$SAFE -DCOLLAPSE" "-m20000"
model old-protocol     fail "-DN=2 -DMAXMR=1 -DMAXSR=1 -DMSGS=1 -DOLD_PROTOCOL" "$SAFE -DCOLLAPSE" "-m20000"
model clear-first      fail "-DN=2 -DMAXMR=1 -DMAXSR=1 -DMSGS=1 -DCLEAR_FIRST" "$SAFE -DCOLLAPSE" "-m20000"
# Longer runs (about 5 minutes): SPIN_LONG=1.
if [ "${SPIN_LONG:-0}" = 1 ]; then
  model safe-n1-r11-m0 pass "-DN=1 -DMAXMR=1 -DMAXSR=1 -DMSGS=0" "$SAFE -DCOLLAPSE" "-m20000 -w25" -O2
  model live-n1-r10    pass "-DN=1 -DMAXMR=1 -DMAXSR=0 -DMSGS=0" "-DCOLLAPSE" "-m100000 -a -f -w24" -O2
  model bits-n1-r22    pass "-DN=1 -DMAXMR=2 -DMAXSR=2 -DMSGS=1" "$SAFE -DBITSTATE" "-m20000 -w23"
fi
summary
