#!/usr/bin/env python3
"""scripts/readme-tables.py [--size] [--bench] (default: both; make readme-tables):
the README's figures from a run, never by hand, between <!-- BEGIN/END make size -->
(scripts/size-report.sh) and <!-- BEGIN/END make bench --> (build-release/bench.json,
written by make bench: one row per record, with its first baseline and ratio)."""
import json, os, re, subprocess, sys
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

def replace_block(text, name, body):
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    pat = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if not pat.search(text):
        sys.exit(f"readme-tables: README.md has no {begin} ... {end} block")
    return pat.sub(lambda _: f"{begin}\n{body.strip()}\n{end}", text)

def size_block():
    out = subprocess.run([os.path.join(ROOT, "scripts", "size-report.sh")],
                         cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return re.sub(r"^(#+) ", r"\1## ", out, flags=re.M)  # under the README's own section

def fmt3(p50, lo, hi, unit):
    """p50 [min, max] in one unit (ns shown as us from 1 us on)."""
    if p50 is None:
        return "-"
    scale, unit = (1000.0, "us") if unit == "ns" and p50 >= 1000 else (1.0, unit)
    num = lambda v: "-" if v is None else f"{v / scale:.0f}" if abs(v / scale) >= 100 else f"{v / scale:.3g}"
    return f"{num(p50)} {unit} [{num(lo)}, {num(hi)}]"

def bench_block():
    run = json.load(open(os.path.join(ROOT, "build-release", "bench.json")))
    rows = ["| section | figure | p50 [min, max] | baseline | ratio | doorbells/msg |",
            "|---|---|---:|---|---:|---:|"]
    for r in run["records"]:
        base = r["baselines"][0] if r.get("baselines") else None
        rows.append("| {} | {} | {} | {} | {} | {} |".format(
            r["section"], r["name"], fmt3(r["p50"], r["min"], r["max"], r["unit"]),
            base["name"] if base else "", f"{base['ratio']:.2f}x" if base else "",
            f"{r['doorbells_per_msg']:.3f}" if "doorbells_per_msg" in r else ""))
    busy = run.get("machine", {}).get("cpu_busy_before")
    busy = f"{busy:.0%}" if isinstance(busy, (int, float)) else "?"
    head = (f"One `make bench` run ({run.get('build_type', '?')} build, item size "
            f"{run.get('item_size', '?')} B, CPUs {busy} busy just before it; ratios "
            "against baselines of the same run):")
    goals = [f"- {g['goal']}: {g['value'] if g['value'] is not None else '-'} "
             f"({'met' if g['met'] else 'not met' if g['met'] is not None else 'not measured'})"
             for g in run.get("goals", [])]
    return "\n".join([head, ""] + rows + ([""] + goals if goals else []))

if __name__ == "__main__":
    want = set(a.lstrip("-") for a in sys.argv[1:]) or {"size", "bench"}
    readme = os.path.join(ROOT, "README.md")
    text = open(readme).read()
    for name, block in (("size", size_block), ("bench", bench_block)):
        if name in want:
            text = replace_block(text, "make " + name, block())
    open(readme, "w").write(text)
