#!/usr/bin/env bash
# Line and branch coverage of src/ by the host tests (gcc --coverage -O0, build-cov/). Fails on a
# branch never taken and not in tests/coverage-exclusions.txt (format at its top), or an exclusion
# matching no untaken branch. No other filter: gcc -O0 adds no branch to the core's atomics.
#   scripts/coverage.sh [--report]   (--report: only report on the last run)
set -eu
. "$(dirname "$0")/lib.sh"
B=build-cov
OUT=$B/coverage
TESTS="init endpoint send overflow poll_intr missing_ept nested errors sys_info sw_intr link rpmsg_edge
       platform_edge corrupt restart restart_inject isr_task recovery recovery_threads"
need test gcovr
tests_failed=0
if [ "${1:-}" != --report ]; then
  CC=gcc cmake_build $B -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_C_FLAGS=--coverage -fprofile-update=atomic -O0" \
    -DESP_AMP_STRESS_MESSAGES=20000 -- stress_rpmsg $(printf 'test_%s ' $TESTS)
  find $B -name '*.gcda' -delete
  # A failing test fails the stage, after the report (what it covered).
  ctest --test-dir $B -j"$JOBS" -R "^($(echo $TESTS | tr ' ' '|')|stress_.*)\$" --output-on-failure \
    >$B/ctest.log 2>&1 || { cat $B/ctest.log; tests_failed=1; }
  grep -E '^[0-9]+% tests passed' $B/ctest.log
fi
rm -rf $OUT && mkdir -p $OUT
gcovr -r . --filter 'src/' $B --json $OUT/coverage.json \
  --html-details $OUT/index.html --html-title "esp-amp-rpmsg core coverage"
rc=0
python3 - "$OUT/coverage.json" tests/coverage-exclusions.txt <<'EOF' || rc=1
import json, sys
data, xf = json.load(open(sys.argv[1])), sys.argv[2]
excl, bad, missing = [], [], []  # excl: (file, snippet, branches or None = all, racy, line in xf)
for n, line in enumerate(open(xf), 1):
    line = line.strip()
    if not line or line.startswith('#'):
        continue
    f = [x.strip() for x in line.split(' | ')]
    if len(f) != 4 or not f[3]:
        bad.append(f"{xf}:{n}: want 'file | snippet | branches | reason'")
    else:  # race: a branch taken by some interleavings only
        excl.append((f[0], f[1], None if f[2] == 'all' else {int(b) for b in f[2].split(',')},
                     f[3].startswith('race:'), n))
rows, used, located = [], set(), set()
for fe in sorted(data['files'], key=lambda x: x['file']):
    name, src = fe['file'], open(fe['file']).read().split('\n')
    mine = {}  # line number -> [(branches, racy, exclusion)]; a snippet names exactly one line
    for (ef, snip, br, racy, n) in (e for e in excl if e[0] == name):
        hits = [i + 1 for i, s in enumerate(src) if snip in s]
        if len(hits) == 1:
            located.add(n)
            mine.setdefault(hits[0], []).append((br, racy, n))
        else:
            bad.append(f"{xf}:{n}: '{snip}' is on {len(hits)} lines of {ef}, not 1")
    lt = lc = bt = bc = bx = 0
    for ln in (ln for ln in fe['lines'] if not ln.get('gcovr/noncode')):
        no, ex_here = ln['line_number'], mine.get(ln['line_number'], [])
        lt, lc = lt + 1, lc + (ln['count'] > 0)
        for i, b in enumerate(ln['branches']):
            bt, bc = bt + 1, bc + (b['count'] > 0)
            if b['count'] > 0:
                bad += [f"{xf}:{n}: {name}:{no} branch {i} is taken"
                        for (br, racy, n) in ex_here if br is not None and i in br and not racy]
            elif ex := [n for (br, racy, n) in ex_here if br is None or i in br]:
                bx, used = bx + 1, used | set(ex)
            else:
                missing.append(f"{name}:{no}: branch {i} never taken: {src[no - 1].strip()}")
    rows.append((name, lc, lt, bc, bt, bx))
for (ef, snip, br, racy, n) in excl:
    if n in located and n not in used and not racy:
        bad.append(f"{xf}:{n}: excludes nothing any more ({ef}: {snip})")
    elif n not in located and not any(r[0] == ef for r in rows):
        bad.append(f"{xf}:{n}: no coverage data for {ef}")
if not rows:
    bad.append('no coverage data for src/ (was the build made with --coverage?)')
pct = lambda a, b: f"{100.0 * a / b:5.1f}%" if b else "   --"
print(f"{'file':28} {'lines':>13} {'branches':>15} {'excluded':>9}")
T = [sum(r[k] for r in rows) for k in range(1, 6)]
for (name, lc, lt, bc, bt, bx) in rows + [('total', *T)]:
    print(f"{name:28} {lc:4}/{lt:<4} {pct(lc, lt)} {bc:4}/{bt:<4} {pct(bc, bt)} {bx:9}")
print(f"taken or excluded: {T[2] + T[4]}/{T[3]} branches; {len(excl)} exclusions ({xf})")
for m in missing + bad:
    print("coverage: " + m)
sys.exit(1 if missing or bad else 0)
EOF
echo "coverage: HTML report in $OUT/index.html"
[ $tests_failed -eq 0 ] || echo "coverage: a test failed (above)"
[ $rc -eq 0 ] && [ $tests_failed -eq 0 ]
