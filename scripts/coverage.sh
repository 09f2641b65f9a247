#!/usr/bin/env bash
# Line and branch coverage of the core (src/) by the host tests.
#
# Builds the tests with gcc --coverage -O0 into build-cov/, runs the unit,
# corruption, restart, restart-injection, ISR/task tests and a short stress
# run, then prints one line per src/ file (lines and branches taken), writes
# the HTML report to build-cov/coverage/index.html, and fails when a branch
# of src/ is never taken and is not listed in tests/coverage-exclusions.txt
# (the format and the rules are at the top of that file). An exclusion
# whose line is gone, or whose branch is taken after all, fails too: the
# list only holds branches that cannot be reached.
#
# What is filtered: nothing but the exclusions file. gcc at -O0 puts no
# branch of its own into the atomics and builtins of the core (they are
# single instructions or libc calls here), so neither
# --exclude-unreachable-branches nor --exclude-throw-branches is needed;
# the check below reads every branch gcov reports.
#
#   scripts/coverage.sh            build, run, report
#   scripts/coverage.sh --report   report on the data of the last run
set -eu
cd "$(dirname "$0")/.."
B=build-cov
OUT=$B/coverage
EXCL=tests/coverage-exclusions.txt
JOBS=${JOBS:-2}
tests_failed=0
# ctest name = test_<name> target; stress_* tests run stress_rpmsg.
TESTS="init endpoint send overflow poll_intr missing_ept nested errors sys_info sw_intr link rpmsg_edge platform_edge
       corrupt restart restart_inject isr_task"

command -v gcovr >/dev/null || { echo "coverage: gcovr not found (scripts/install-deps.sh test)"; exit 1; }

if [ "${1:-}" != "--report" ]; then
  CC=gcc cmake -S . -B $B -DCMAKE_BUILD_TYPE=Debug \
    "-DCMAKE_C_FLAGS=--coverage -fprofile-update=atomic -O0" -DESP_AMP_STRESS_MESSAGES=20000 >/dev/null
  targets="stress_rpmsg"
  for t in $TESTS; do targets="$targets test_$t"; done
  # shellcheck disable=SC2086
  cmake --build $B -j"$JOBS" --target $targets >$B/build.log 2>&1 ||
    { cat $B/build.log; exit 1; }
  find $B -name '*.gcda' -delete
  re="^($(echo $TESTS | tr ' ' '|')|stress_.*)\$"
  # A failing test fails the stage, after the report (what it covered).
  if ! ctest --test-dir $B -j"$JOBS" -R "$re" --output-on-failure >$B/ctest.log 2>&1; then
    cat $B/ctest.log; tests_failed=1
  fi
  grep -E '^[0-9]+% tests passed' $B/ctest.log
fi

rm -rf $OUT && mkdir -p $OUT
gcovr -r . --filter 'src/' $B --json $OUT/coverage.json \
  --html-details $OUT/index.html --html-title "esp-amp-rpmsg core coverage"

rc=0
python3 - "$OUT/coverage.json" "$EXCL" <<'EOF' || rc=1
import json, sys

data = json.load(open(sys.argv[1]))
racy = {}  # entry -> taken only by a concurrent interleaving
excl = []  # (file, snippet, branches or None for all, reason, lineno in EXCL)
bad = []
for n, raw in enumerate(open(sys.argv[2]), 1):
    line = raw.strip()
    if not line or line.startswith('#'):
        continue
    f = [x.strip() for x in line.split(' | ')]
    if len(f) != 4 or not f[3]:
        bad.append(f"{sys.argv[2]}:{n}: want 'file | snippet | branches | reason'")
        continue
    br = None if f[2] == 'all' else {int(b) for b in f[2].split(',')}
    excl.append((f[0], f[1], br, f[3], n))
    racy[n] = f[3].startswith('race:')

rows, missing, used, located = [], [], set(), set()
for fe in sorted(data['files'], key=lambda x: x['file']):
    name = fe['file']
    src = open(name).read().split('\n')
    # Each exclusion names exactly one line of its file by its snippet.
    mine = {}
    for (ef, snip, br, why, n) in excl:
        if ef != name:
            continue
        hits = [i + 1 for i, s in enumerate(src) if snip in s]
        if len(hits) != 1:
            bad.append(f"{sys.argv[2]}:{n}: '{snip}' is on {len(hits)} lines of {ef}, not 1")
            continue
        located.add(n)
        mine.setdefault(hits[0], []).append((br, n))
    lt = lc = bt = bc = bx = 0
    for ln in fe['lines']:
        if ln.get('gcovr/noncode'):
            continue
        no = ln['line_number']
        lt += 1
        lc += ln['count'] > 0
        for i, b in enumerate(ln['branches']):
            bt += 1
            if b['count'] > 0:
                bc += 1
                for (br, n) in mine.get(no, []):
                    if br is not None and i in br and not racy[n]:
                        bad.append(f"{sys.argv[2]}:{n}: {name}:{no} branch {i} is taken")
                continue
            ex = [n for (br, n) in mine.get(no, []) if br is None or i in br]
            if ex:
                bx += 1
                used.update(ex)
            else:
                missing.append(f"{name}:{no}: branch {i} never taken: {src[no - 1].strip()}")
    rows.append((name, lc, lt, bc, bt, bx))
for (ef, snip, br, why, n) in excl:
    if n in located and n not in used and not racy[n]:
        bad.append(f"{sys.argv[2]}:{n}: excludes nothing any more ({ef}: {snip})")
    elif n not in located and not any(r[0] == ef for r in rows):
        bad.append(f"{sys.argv[2]}:{n}: no coverage data for {ef}")

if not rows:
    bad.append('no coverage data for src/ (was the build made with --coverage?)')
pct = lambda a, b: f"{100.0 * a / b:5.1f}%" if b else "   --"
print(f"{'file':28} {'lines':>13} {'branches':>15} {'excluded':>9}")
T = [0] * 5
for (name, lc, lt, bc, bt, bx) in rows:
    print(f"{name:28} {lc:4}/{lt:<4} {pct(lc, lt)} {bc:4}/{bt:<4} {pct(bc, bt)} {bx:9}")
    for k, v in enumerate((lc, lt, bc, bt, bx)):
        T[k] += v
print(f"{'total':28} {T[0]:4}/{T[1]:<4} {pct(T[0], T[1])} {T[2]:4}/{T[3]:<4} {pct(T[2], T[3])} {T[4]:9}")
print(f"taken or excluded: {T[2] + T[4]}/{T[3]} branches; {len(excl)} exclusions ({sys.argv[2]})")
for m in missing:
    print("coverage: " + m)
for m in bad:
    print("coverage: " + m)
sys.exit(1 if missing or bad else 0)
EOF
echo "coverage: HTML report in $OUT/index.html"
[ $tests_failed -eq 0 ] || echo "coverage: a test failed (above)"
[ $rc -eq 0 ] && [ $tests_failed -eq 0 ]
