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

check() {  # check NAME EXPECT(pass|fail) "SPIN-DEFINES" "CC-DEFINES" "PAN-ARGS"
  local name=$1 expect=$2 sdefs=$3 cdefs=$4 pargs=$5 t0=$SECONDS out errs
  rm -f "$WORK"/pan* "$WORK"/*.trail
  if ! (cd "$WORK" && spin -a $sdefs "$MODEL" >spin.log 2>&1 &&
        gcc -O2 -DMEMLIM=2048 -DNOCLAIM -DSAFETY $cdefs -o pan pan.c 2>cc.log); then
    echo "  $name: build FAILED"; cat "$WORK"/spin.log "$WORK"/cc.log; failed=$((failed+1)); return
  fi
  out=$(cd "$WORK" && ./pan $pargs 2>&1)
  errs=$(printf '%s\n' "$out" | sed -n 's/.*errors: \([0-9]*\).*/\1/p' | tail -1)
  local stored trans what
  stored=$(printf '%s\n' "$out" | awk '/states, stored/{print $1}')
  trans=$(printf '%s\n' "$out" | awk '/transitions \(/{print $1}')
  what=$(printf '%s\n' "$out" | grep -m1 -E 'violated|acceptance cycle' || true)
  printf '  %-14s %s states stored, %s transitions, %s s, errors: %s %s\n' \
    "$name" "${stored:-?}" "${trans:-?}" "$((SECONDS-t0))" "${errs:-?}" "${what:+($what)}"
  if { [ "$expect" = pass ] && [ "${errs:-x}" = 0 ]; } ||
     { [ "$expect" = fail ] && [ -n "$errs" ] && [ "$errs" != 0 ]; }; then
    passed=$((passed+1)); echo "  $name: ok (expected $expect)"
  else
    failed=$((failed+1)); echo "  $name: UNEXPECTED (expected $expect)"
  fi
}

echo "spin-check: $(spin -V)"
# The protocol: safety, bitstate (exhaustive search does not fit the budget).
check new-n2-r1    pass "-DN=2 -DMAXMR=1 -DMAXSR=1 -DMSGS=1" "-DBITSTATE" "-m20000 -w23"
check new-n1-r2    pass "-DN=1 -DMAXMR=2 -DMAXSR=2 -DMSGS=1" "-DBITSTATE" "-m20000 -w23"
# Variants that must fail.
check old-protocol fail "-DN=2 -DMAXMR=1 -DMAXSR=1 -DMSGS=1 -DOLD_PROTOCOL" "-DCOLLAPSE" "-m20000"
check clear-first  fail "-DN=2 -DMAXMR=1 -DMAXSR=1 -DMSGS=1 -DCLEAR_FIRST" "-DCOLLAPSE" "-m20000"

echo "spin-check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
