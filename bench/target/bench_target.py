#!/usr/bin/env python3
"""bench_target.py - instructions per message on the RISC-V target.

Runs firmware/bench_target_main.elf (hart 0) and bench_target_sub.elf
(hart 1) on qemu-system-riscv32 -machine virt -smp 2 -icount shift=0, where
minstret counts every executed instruction exactly. The firmware (see
bench_target.c) sums its counter windows for n and 2n messages of each
configuration; this script takes the slope (X(2n) - X(n)) / n per core,
subtracts the slope of the empty loop of the same run, prints a table and
writes it as JSON.

    bench/target/bench_target.py [--build-dir build-riscv] [--n 4096]
                                 [--timeout 120] [--json FILE] [--quick]

Exit status 0, or 1 with a line saying why (missing tool or image, QEMU
exit code, timeout, firmware failure, missing or inconsistent output).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

QEMU = "qemu-system-riscv32"
NM = "riscv64-unknown-elf-nm"
GCC = "riscv64-unknown-elf-gcc"

# (cfg, label, counts as a message path on both cores)
ROWS = [
    ("copy", "copy: send + poll + destroy, 64 B", True),
    ("zc", "zero-copy: create_message + memcpy 64 B in + send_nocopy + poll + destroy", True),
    ("empty", "esp_amp_rpmsg_poll, empty ring (per call)", False),
    ("memcpy", "memcpy 64 B alone (the port's libc.c, word copy), for reference", False),
    ("loop", "the loop and the counter reads alone (removed from the above)", False),
]


def die(msg):
    print("bench-target: FAILED: " + msg, file=sys.stderr)
    sys.exit(1)


def tool(name):
    path = shutil.which(name)
    if path is None:
        die(f"{name} not found (scripts/install-deps.sh target)")
    return path


def symbol(elf, name):
    out = subprocess.run([tool(NM), elf], capture_output=True, text=True, check=False)
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] == name:
            return int(parts[0], 16)
    die(f"symbol {name} not in {elf}")
    return 0


def library_flags(build):
    """The C flags the library (esp_amp) was compiled with in this build."""
    path = os.path.join(build, "CMakeFiles", "esp_amp.dir", "flags.make")
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.startswith("C_FLAGS = "):
                    return line[len("C_FLAGS = "):].strip()
    except OSError:
        pass
    return "?"


def first_line(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=10)
        return out.stdout.splitlines()[0].strip()
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", default="build-riscv")
    ap.add_argument("--n", type=int, default=4096, help="messages in the short run (a multiple of 64)")
    ap.add_argument("--quick", action="store_true", help="n = 256 (smoke test)")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds for the QEMU run")
    ap.add_argument("--json", help="default: <build-dir>/bench-target.json")
    args = ap.parse_args()
    n = 256 if args.quick else args.n
    if n <= 0 or n % 64 != 0 or n > 1000000:
        die(f"--n {n}: must be a positive multiple of 64, at most 1000000")
    build = args.build_dir
    json_path = args.json or os.path.join(build, "bench-target.json")
    fw = os.path.join(build, "firmware")
    main_elf = os.path.join(fw, "bench_target_main.elf")
    sub_elf = os.path.join(fw, "bench_target_sub.elf")
    for elf in (main_elf, sub_elf):
        if not os.path.isfile(elf):
            die(f"{elf} missing: build the targets bench_target_main and bench_target_sub "
                "(make bench-target)")
    qemu = tool(QEMU)
    base = symbol(main_elf, "__rv_bench_base")
    cmd = [qemu, "-machine", "virt", "-smp", "2", "-m", "128M", "-bios", "none",
           "-icount", "shift=0", "-display", "none", "-serial", "stdio",
           "-monitor", "none", "-no-reboot", "-kernel", main_elf,
           "-device", f"loader,file={sub_elf}",
           "-device", f"loader,addr={base:#x},data={n},data-len=4"]
    t0 = time.monotonic()
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, timeout=args.timeout, check=False)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        sys.stderr.write(out[-2000:])
        die(f"QEMU did not finish within {args.timeout:g} s (n = {n}); output above")
    elapsed = time.monotonic() - t0
    out = proc.stdout
    log_path = os.path.join(build, "bench-target.log")
    with open(log_path, "w", encoding="utf-8") as f:
        f.write(out + proc.stderr)
    fails = [l for l in out.splitlines() if l.startswith("BENCH FAIL")]
    if fails or proc.returncode != 0:
        sys.stderr.write(out[-3000:] + proc.stderr[-1000:])
        die((fails[0] if fails else "firmware") + f" (QEMU exit code {proc.returncode}; "
            f"log {log_path})")
    if "BENCH done" not in out:
        die(f"the firmware ended without 'BENCH done' (log {log_path})")

    m = re.search(r"^BENCH calib main=(\d+) sub=(\d+) nops=(\d+)$", out, re.M)
    if not m or not (m.group(1) == m.group(2) == m.group(3)):
        die(f"calibration line missing or wrong (log {log_path})")
    runs = {}
    pat = re.compile(r"^BENCH run cfg=(\w+) n=(\d+) main_ir=(\d+) main_cy=(\d+) "
                     r"sub_ir=(\d+) sub_cy=(\d+)$", re.M)
    for r in pat.finditer(out):
        runs[(r.group(1), int(r.group(2)))] = {
            "main_ir": int(r.group(3)), "main_cy": int(r.group(4)),
            "sub_ir": int(r.group(5)), "sub_cy": int(r.group(6))}

    def slope(cfg, key):
        a, b = runs.get((cfg, n)), runs.get((cfg, 2 * n))
        if a is None or b is None:
            die(f"run {cfg} with n = {n} or {2 * n} missing from the output (log {log_path})")
        return (b[key] - a[key]) / n

    loop = {k: slope("loop", k) for k in ("main_ir", "main_cy", "sub_ir", "sub_cy")}
    records = []
    for cfg, label, both in ROWS:
        rec = {"cfg": cfg, "name": label}
        for core in ("main", "sub"):
            vals = {}
            for kind, key in (("instr", "ir"), ("cycles", "cy")):
                s = slope(cfg, f"{core}_{key}")
                if cfg != "loop":
                    s -= loop[f"{core}_{key}"]
                vals[kind] = round(s, 2)
            rec[core] = vals
        if cfg == "memcpy":
            rec["sub"] = None
        if both:
            rec["both"] = {k: round(rec["main"][k] + rec["sub"][k], 2) for k in ("instr", "cycles")}
        records.append(rec)

    compiler = first_line([tool(GCC), "--version"])
    qemu_ver = first_line([qemu, "--version"])
    flags = library_flags(build)

    def fmt(v):
        return "-" if v is None else f"{v:.1f}"

    print(f"Instructions per message on the RISC-V target: two images on the two harts of "
          f"{QEMU} -machine virt -smp 2 -icount shift=0")
    print(f"  {compiler}; library flags: {flags}")
    print(f"  {qemu_ver}; polling devices, queue 32 x 256 B, payload 64 B, batches of 32; "
          f"slope n = {n} .. {2 * n}, loop removed; mcycle = minstret under -icount")
    print()
    print(f"| {'path':<80} | {'main core':>9} | {'sub core':>8} | {'both':>7} |")
    print(f"|{'-' * 82}|{'-' * 10}:|{'-' * 9}:|{'-' * 8}:|")
    for rec in records:
        sub = rec["sub"]["instr"] if rec["sub"] else None
        both = rec["both"]["instr"] if "both" in rec else None
        print(f"| {rec['name']:<80} | {fmt(rec['main']['instr']):>9} | {fmt(sub):>8} | "
              f"{fmt(both):>7} |")
    doc = {
        "benchmark": "bench-target",
        "machine": f"{QEMU} -machine virt -smp 2 -icount shift=0",
        "qemu": qemu_ver,
        "compiler": compiler,
        "library_cflags": flags,
        "images": "separate main and sub images on harts 0 and 1; the harts take turns "
                  "(the other one sleeps in WFI while one counts)",
        "params": {"queue_len": 32, "item_size": 256, "payload": 64, "batch": 32,
                   "n": n, "n2": 2 * n, "mode": "poll"},
        "calibration_nops": int(m.group(3)),
        "unit": "instructions per message (per call for the empty poll)",
        "records": records,
        "runs": [{"cfg": c, "n": k, **v} for (c, k), v in sorted(runs.items())],
        "elapsed_s": round(elapsed, 2),
    }
    diff = max(abs(r[c]["instr"] - r[c]["cycles"]) for r in records if r["cfg"] != "loop"
               for c in ("main", "sub") if r[c])
    print()
    print("mcycle slopes equal the minstret slopes on every row" if diff < 0.01 else
          f"mcycle slopes differ from minstret by up to {diff:.2f} (see the JSON)")
    doc["mcycle_minus_minstret_max"] = round(diff, 2)
    with open(json_path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"bench-target: ok in {elapsed:.1f} s; JSON in {json_path}, UART log in {log_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
