#!/usr/bin/env python3
"""Helpers of scripts/esp-idf-check.sh (standard library only).

  esp_idf_objects.py compile BUILD_DIR OUT_DIR PATH_PART...
      Compile again, with ESP-IDF's exact command lines from
      BUILD_DIR/compile_commands.json, every source whose path contains one
      of PATH_PART, into OUT_DIR. Each must carry -Werror. Prints one line per
      file; exit 1 if any fails.

  esp_idf_objects.py mapsize MAP_FILE PATH_PART...
      text/data/bss of a linked image from its GNU ld map file, in total and
      for the input objects whose path contains one of PATH_PART.
"""
import json
import os
import re
import shlex
import subprocess
import sys


def compile_all(build_dir, out_dir, parts):
    with open(os.path.join(build_dir, "compile_commands.json")) as f:
        entries = json.load(f)
    os.makedirs(out_dir, exist_ok=True)
    ok = True
    count = 0
    for e in entries:
        src = e["file"]
        if not any(p in src for p in parts):
            continue
        args = e["arguments"] if "arguments" in e else shlex.split(e["command"])
        if "-Werror" not in args:
            print(f"  no -Werror: {src}")
            ok = False
        out = os.path.join(out_dir, f"{count:03d}_{os.path.basename(src)}.o")
        if "-o" in args:
            args[args.index("-o") + 1] = out
        count += 1
        r = subprocess.run(args, cwd=e["directory"], capture_output=True, text=True)
        state = "ok" if r.returncode == 0 else "FAILED"
        print(f"  {state}: {src}")
        if r.returncode != 0:
            sys.stdout.write(r.stdout + r.stderr)
            ok = False
    if count == 0:
        print("  no matching sources in compile_commands.json")
        ok = False
    return ok


SECTION_KIND = {".text": "text", ".vector.text": "text", ".rodata": "text",
                ".data": "data", ".bss": "bss"}


def mapsize(map_file, parts):
    total = {"text": 0, "data": 0, "bss": 0}
    lib = {"text": 0, "data": 0, "bss": 0}
    out_sec = None
    in_map = False
    line_re = re.compile(r"^\s+(\S+)?\s+0x[0-9a-fA-F]+\s+0x([0-9a-fA-F]+)\s+(\S+)\s*$")
    with open(map_file, errors="replace") as f:
        for line in f:
            if line.startswith("Linker script and memory map"):
                in_map = True
                continue
            if not in_map:
                continue
            m = re.match(r"^(\.[\w.]+)\s+0x([0-9a-fA-F]+)\s+0x([0-9a-fA-F]+)", line)
            if m or re.match(r"^\.[\w.]+\s*$", line):
                name = line.split()[0]
                out_sec = SECTION_KIND.get(name)
                if m and out_sec:
                    total[out_sec] += int(m.group(3), 16)
                continue
            if out_sec is None:
                continue
            m = line_re.match(line)
            if m and m.group(3).endswith((".obj", ".o")):
                if any(p in m.group(3) for p in parts):
                    lib[out_sec] += int(m.group(2), 16)
    return total, lib


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "compile":
        return 0 if compile_all(sys.argv[2], sys.argv[3], sys.argv[4:]) else 1
    if len(sys.argv) >= 3 and sys.argv[1] == "mapsize":
        total, lib = mapsize(sys.argv[2], sys.argv[3:])
        print(f"text {total['text']} data {total['data']} bss {total['bss']} | "
              f"library: text {lib['text']} data {lib['data']} bss {lib['bss']}")
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
