#!/usr/bin/env python3
"""Print the median of every criterion benchmark of the last run, as a Markdown table.

Criterion's console output shows the mean; the targets in issue 6 are medians, which criterion
keeps in target/criterion/<group>/<bench>/new/estimates.json. Standard library only.

  python3 benches/criterion_medians.py [FILTER...]    # e.g. render import classify jenks
"""

import json
import os
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
CRITERION = os.path.join(ROOT, "target", "criterion")


def fmt(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.1f} µs"
    return f"{ns:.0f} ns"


def main():
    filters = sys.argv[1:]
    rows = []
    for folder, _dirs, files in os.walk(CRITERION):
        if "estimates.json" not in files or os.path.basename(folder) != "new":
            continue
        with open(os.path.join(folder, "benchmark.json")) as f:
            name = json.load(f)["full_id"]
        if filters and not any(name.startswith(x) for x in filters):
            continue
        with open(os.path.join(folder, "estimates.json")) as f:
            e = json.load(f)
        rows.append((name, e["median"]["point_estimate"], e["mean"]["point_estimate"]))
    print("| benchmark | median | mean |")
    print("| --- | ---: | ---: |")
    for name, median, mean in sorted(rows):
        print(f"| `{name}` | {fmt(median)} | {fmt(mean)} |")


if __name__ == "__main__":
    main()
