#!/usr/bin/env bash
# The libFuzzer harnesses of fuzz/ (fuzz/README.md), built in build-fuzz/:
#   scripts/fuzz.sh --quick        replay fuzz/repro/*, then each fuzzer FUZZ_SECONDS (60) s
#   scripts/fuzz.sh NAME SECONDS   one fuzzer (fuzz_rx, fuzz_api, fuzz_sysinfo), corpus kept
#   scripts/fuzz.sh --repro        replay fuzz/repro/* (those in fuzz/repro-open.txt may reproduce)
# Fails on any finding. FUZZ_KNOWN_OPEN=ID,...: contain these open findings; FUZZ_TRACE=1:
# a replay prints its steps; CC_FUZZ: the compiler. Corpora, findings, logs: build-fuzz/fuzz-*/.
set -u
. "$(dirname "$0")/lib.sh"
B=build-fuzz
FUZZERS="fuzz_rx fuzz_api fuzz_sysinfo"
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 2; }
build() {
  need test "${CC_FUZZ:-clang}"
  cmake_build $B -DCMAKE_C_COMPILER="${CC_FUZZ:-clang}" -DESP_AMP_FUZZ=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -- $FUZZERS || exit 1
}
# run NAME SECONDS FRESH(1: from the seed corpus): 0 without a finding.
run() {
  local name=$1 corpus=$B/fuzz-corpus/$1 art=$B/fuzz-artifacts/$1 log=$B/fuzz-logs/$1.log rc
  [ "$3" = 1 ] && rm -rf "$corpus"
  rm -rf "$art"
  mkdir -p "$corpus" "$art" "$B/fuzz-logs"
  cp -n fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null
  echo "== $name: $2 s (corpus $corpus)"
  "./$B/fuzz/$name" "$corpus" -max_total_time="$2" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$art/" -print_final_stats=1 >"$log" 2>&1
  rc=$?
  awk '$1 == "stat::number_of_executed_units:" { n = $2 } $1 == "stat::average_exec_per_sec:" { s = $2 }
    END { printf "   executions %s, %s exec/s\n", (n == "" ? "?" : n), (s == "" ? "?" : s) }' "$log"
  echo "   coverage   $(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1 |
                        grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*')"
  [ $rc -eq 0 ] && [ -z "$(ls -A "$art")" ] && { echo "   no finding"; return 0; }
  echo "   FINDING (exit $rc): $(ls "$art" | tr '\n' ' ')"
  grep -E -A1 'FUZZ INVARIANT|ERROR: (AddressSanitizer|libFuzzer)|runtime error' "$log" |
    head -6 | sed 's/^/   | /'
  grep -E '^ +#[0-9]+ .* in .*/(src|sim|ports|fuzz)/' "$log" | head -8 |
    sed -E 's/ \(BuildId.*//; s/^ +/   |   /'
  echo "   log: $log"
  echo "   replay: ./$B/fuzz/$name $art/<file>   (FUZZ_TRACE=1 prints the steps)"
  return 1
}
# Replay fuzz/repro/NAME-* with fuzzer NAME; one not in fuzz/repro-open.txt must not reproduce.
repro() {
  local fail=0 f base name out open
  echo "== replay fuzz/repro/"
  for f in fuzz/repro/*; do
    [ -f "$f" ] || continue
    base=$(basename "$f") name=${base%%-*} open=0
    grep -qxF "$base" fuzz/repro-open.txt 2>/dev/null && open=1
    [ -x "./$B/fuzz/$name" ] || { echo "   no fuzzer:        $base"; fail=1; continue; }
    if out=$(env -u FUZZ_KNOWN_OPEN timeout 60 "./$B/fuzz/$name" -timeout=5 "$f" 2>&1) &&
       ! echo "$out" | grep -qE 'FUZZ INVARIANT|ERROR: '; then
      if [ $open = 1 ]; then echo "   open, passes now: $base (remove it from fuzz/repro-open.txt)"
      else echo "   passes:           $base"; fi
      continue
    fi
    if [ $open = 1 ]; then echo "   open, reproduces: $base"
    else echo "   REPRODUCES:       $base"; fail=1; fi
    echo "$out" | grep -E -A1 'FUZZ INVARIANT|ERROR: libFuzzer' | head -2 | sed 's/^/   | /'
  done
  return $fail
}
case "${1:-}" in
  --quick)
    build
    repro
    status=$?
    for n in $FUZZERS; do run "$n" "${FUZZ_SECONDS:-60}" 1 || status=1; done
    [ $status -eq 0 ] && echo "fuzz: no finding" || echo "fuzz: FINDINGS (see above)"
    exit $status ;;
  --repro) build; repro ;;
  fuzz_rx|fuzz_api|fuzz_sysinfo)
    [ $# -eq 2 ] && [ "$2" -gt 0 ] 2>/dev/null || usage
    build; run "$1" "$2" 0 ;;
  *) usage ;;
esac
