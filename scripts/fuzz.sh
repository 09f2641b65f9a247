#!/usr/bin/env bash
# The libFuzzer harnesses of fuzz/ (see fuzz/README.md).
#
#   scripts/fuzz.sh --quick          build, replay fuzz/repro/* (as
#                                    --repro), run each fuzzer 60 s; fails
#                                    on any finding or regression
#   scripts/fuzz.sh NAME SECONDS     run one fuzzer (fuzz_rx, fuzz_api,
#                                    fuzz_sysinfo) that long, on a corpus
#                                    kept in build-fuzz/ across runs
#   scripts/fuzz.sh --repro          replay every file of fuzz/repro/:
#                                    which findings still reproduce; fails
#                                    if one not listed in
#                                    fuzz/repro-open.txt (open findings)
#                                    reproduces
# Environment:
#   FUZZ_KNOWN_OPEN=ID,...           contain these open findings instead
#                                    of stopping (see fuzz/README.md)
#   FUZZ_SECONDS=N                   --quick: seconds per fuzzer (60)
#   FUZZ_TRACE=1                     replaying an input prints its steps
#
# The committed seed corpora (fuzz/corpus/NAME) are copied to
# build-fuzz/fuzz-corpus/NAME; new inputs go there, never into fuzz/.
# Findings land in build-fuzz/fuzz-artifacts/NAME/, logs in
# build-fuzz/fuzz-logs/. For each run the script prints the executions per
# second and the coverage libFuzzer reached (cov: = edges, ft: = features).
set -u
cd "$(dirname "$0")/.."
BUILD=build-fuzz
FUZZERS="fuzz_rx fuzz_api fuzz_sysinfo"
CC_BIN=${CC_FUZZ:-clang}

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
  exit 2
}

build() {
  if ! command -v "$CC_BIN" >/dev/null; then
    echo "fuzz.sh: $CC_BIN not found (scripts/install-deps.sh test)" >&2
    return 1
  fi
  cmake -S . -B "$BUILD" -DCMAKE_C_COMPILER="$CC_BIN" -DESP_AMP_FUZZ=ON \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null &&
  cmake --build "$BUILD" -j"$(nproc)" --target $FUZZERS >/dev/null
}

# run NAME SECONDS FRESH: 0 when the run ended without a finding.
run() {
  local name=$1 secs=$2 fresh=$3
  local corpus=$BUILD/fuzz-corpus/$name art=$BUILD/fuzz-artifacts/$name
  local log=$BUILD/fuzz-logs/$name.log
  [ "$fresh" = 1 ] && rm -rf "$corpus"
  rm -rf "$art"
  mkdir -p "$corpus" "$art" "$BUILD/fuzz-logs"
  cp -n fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null
  echo "== $name: ${secs} s (corpus $corpus)"
  "./$BUILD/fuzz/$name" "$corpus" -max_total_time="$secs" -timeout=10 \
      -rss_limit_mb=2048 -artifact_prefix="$art/" -print_final_stats=1 \
      >"$log" 2>&1
  local rc=$?
  local last execs eps
  last=$(grep -E '^#[0-9]+' "$log" | grep -E 'cov: ' | tail -1)
  execs=$(grep -E '^stat::number_of_executed_units' "$log" | tail -1 | awk '{print $2}')
  eps=$(grep -E '^stat::average_exec_per_sec' "$log" | tail -1 | awk '{print $2}')
  echo "   executions ${execs:-?}, ${eps:-?} exec/s"
  echo "   coverage   $(echo "$last" | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*')"
  if [ $rc -ne 0 ] || [ -n "$(ls -A "$art")" ]; then
    echo "   FINDING (exit $rc): $(ls "$art" | tr '\n' ' ')"
    grep -E -A1 'FUZZ INVARIANT|ERROR: (AddressSanitizer|libFuzzer)|runtime error' "$log" \
      | head -6 | sed 's/^/   | /'
    grep -E '^ +#[0-9]+ .* in .*/(src|sim|ports|fuzz)/' "$log" | head -8 \
      | sed -E 's/ \(BuildId.*//; s/^ +/   |   /'
    echo "   log: $log"
    echo "   replay: ./$BUILD/fuzz/$name $art/<file>   (FUZZ_TRACE=1 prints the steps)"
    return 1
  fi
  echo "   no finding"
  return 0
}

# Replay every file of fuzz/repro/ (NAME-...: replayed by fuzzer NAME).
# A file listed in fuzz/repro-open.txt is a finding still open in the
# library: reproducing is expected there. Any other file that reproduces
# is a regression. 0 when there is none.
repro() {
  local fail=0 f base name out rc open
  echo "== replay fuzz/repro/"
  for f in fuzz/repro/*; do
    [ -f "$f" ] || continue
    base=$(basename "$f"); name=${base%%-*}
    open=0
    grep -qxF "$base" fuzz/repro-open.txt 2>/dev/null && open=1
    if [ ! -x "./$BUILD/fuzz/$name" ]; then
      echo "   no fuzzer:        $base"
      fail=1
      continue
    fi
    out=$(env -u FUZZ_KNOWN_OPEN timeout 60 "./$BUILD/fuzz/$name" -timeout=5 "$f" 2>&1)
    rc=$?
    if [ $rc -ne 0 ] || echo "$out" | grep -qE 'FUZZ INVARIANT|ERROR: '; then
      if [ $open = 1 ]; then
        echo "   open, reproduces: $base"
      else
        echo "   REPRODUCES:       $base"
        fail=1
      fi
      echo "$out" | grep -E -A1 'FUZZ INVARIANT|ERROR: libFuzzer' | head -2 | sed 's/^/   | /'
    elif [ $open = 1 ]; then
      echo "   open, passes now: $base (remove it from fuzz/repro-open.txt)"
    else
      echo "   passes:           $base"
    fi
  done
  return $fail
}

case "${1:-}" in
  --quick)
    build || exit 1
    status=0
    repro || status=1
    for n in $FUZZERS; do
      run "$n" "${FUZZ_SECONDS:-60}" 1 || status=1
    done
    [ $status -eq 0 ] && echo "fuzz: no finding" || echo "fuzz: FINDINGS (see above)"
    exit $status
    ;;
  --repro)
    build || exit 1
    repro
    ;;
  fuzz_rx|fuzz_api|fuzz_sysinfo)
    [ $# -eq 2 ] && [ "$2" -gt 0 ] 2>/dev/null || usage
    build || exit 1
    run "$1" "$2" 0
    ;;
  *)
    usage
    ;;
esac
