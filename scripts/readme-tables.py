#!/usr/bin/env python3
"""Regenerate the README's figures from a run, never by hand.

    scripts/readme-tables.py [--size] [--bench]     (default: both)

--size   runs scripts/size-report.sh and puts its tables between the
         README markers <!-- BEGIN make size --> / <!-- END make size -->.
--bench  reads build-release/bench.json (written by `make bench`) and puts
         one row per benchmark record, with its first baseline and ratio,
         between <!-- BEGIN make bench --> / <!-- END make bench -->.
`make readme-tables` runs `make bench` and then this script.
"""
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(ROOT, "README.md")


def replace_block(text, name, body):
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    pat = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if not pat.search(text):
        sys.exit(f"readme-tables: README.md has no {begin} ... {end} block")
    return pat.sub(lambda _: f"{begin}\n{body.strip()}\n{end}", text)


def size_block():
    out = subprocess.run([os.path.join(ROOT, "scripts", "size-report.sh")],
                         cwd=ROOT, check=True, capture_output=True, text=True).stdout
    # The report's headings sit under the README's own section.
    return re.sub(r"^(#+) ", lambda m: "#" * (len(m.group(1)) + 2) + " ", out, flags=re.M)


def num(v):
    return f"{v:.0f}" if abs(v) >= 100 else f"{v:.3g}"


def fmt3(p50, lo, hi, unit):
    """p50 [min, max] in one unit (ns shown as us from 1 us on)."""
    if p50 is None:
        return "-"
    scale = 1.0
    if unit == "ns" and p50 >= 1000:
        scale, unit = 1000.0, "us"
    vals = [num(v / scale) if v is not None else "-" for v in (p50, lo, hi)]
    return f"{vals[0]} {unit} [{vals[1]}, {vals[2]}]"


def bench_block():
    path = os.path.join(ROOT, "build-release", "bench.json")
    with open(path) as f:
        run = json.load(f)
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


def main():
    want = set(a.lstrip("-") for a in sys.argv[1:]) or {"size", "bench"}
    with open(README) as f:
        text = f.read()
    if "size" in want:
        text = replace_block(text, "make size", size_block())
    if "bench" in want:
        text = replace_block(text, "make bench", bench_block())
    with open(README, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
