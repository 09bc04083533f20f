#!/usr/bin/env python3
"""Reference class breaks and colour tables for quartier-geo's `classify` and `palette` modules.

Writes these files, which the Rust tests in `crates/quartier-geo/src/classify/tests.rs` and
`crates/quartier-geo/src/palette/tests.rs` compare against:

- `tests/fixtures/reference/classify_mapclassify.json`: PySAL mapclassify's Quantiles,
  EqualInterval, FisherJenks, StdMean and UserDefined breaks (`bins`) and `counts` for k = 2..9 on
  NC `SID74`, the NC SIDS rate per 1,000 births (`SID74 / BIR74 * 1000`), Boston `CMEDV` and
  Boston `CRIM`.
  For FisherJenks it also holds the *exact* optimum, found by a dynamic programme in rational
  arithmetic (Python `fractions`, no rounding at all) over the sorted unique values: mapclassify
  accumulates its sums in float32 and can miss the optimum by a hair, and the Rust side computes
  the true optimum.
  `optimum_unique` says whether that optimum is the only partition with the least sum of squares
  (when it is not, the Rust test compares sums of squares instead of breaks).
- `tests/fixtures/reference/classify_r_pretty.json`: R's `pretty()` on the same columns (with the
  class-count rule Quartier uses, see `pretty_rule` below) and on a few plain ranges, with
  the counts from `table(cut(x, breaks, include.lowest = TRUE))`.
- `tests/fixtures/reference/classify_colorbrewer.json`: every ColorBrewer scheme with its
  published colours per class count, taken from palettable's copy of the ColorBrewer table and
  checked entry by entry against R's RColorBrewer (`brewer.pal`), plus RColorBrewer's
  `brewer.pal.info` (category, max colours, colour-blind flag).
- `tests/fixtures/reference/classify_matplotlib.json`: viridis and cividis with k = 1..12 classes,
  sampled by matplotlib itself (`cmap.resampled(k)`), as hex.
- `crates/quartier-geo/src/palette/tables.rs`: the Rust tables generated from the same sources
  (ColorBrewer lists and the 256-entry matplotlib lookup tables in 8 bits).

Run from the repository root:

    pip install mapclassify==2.10.0 numpy==2.4.6 scipy==1.17.1 pyshp==3.1.6 palettable==3.3.3 matplotlib==3.11.2
    apt-get install r-base-core r-cran-rcolorbrewer     # Debian: R 4.2.2, RColorBrewer 1.1-3
    python3 tests/reference/classify_reference.py

Versions used for the committed fixtures: Python 3.11.7, mapclassify 2.10.0 (without numba, so its
pure-Python FisherJenks; numba runs the same float32 code), numpy 2.4.6, scipy 1.17.1, pyshp 3.1.6,
palettable 3.3.3, matplotlib 3.11.2, R 4.2.2 with RColorBrewer 1.1-3 (the exact versions are also
written into the JSON).
The exact Jenks optimum takes a minute or two.
"""

import json
import os
import platform
import subprocess
import sys
import tempfile
import warnings
from fractions import Fraction

import mapclassify
import matplotlib
import numpy as np
import palettable
import scipy
import shapefile  # pyshp
from matplotlib import colormaps
from matplotlib.colors import to_hex

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIX = os.path.join(ROOT, "tests", "fixtures")
OUT = os.path.join(FIX, "reference")
TABLES_RS = os.path.join(ROOT, "crates", "quartier-geo", "src", "palette", "tables.rs")

K_RANGE = range(2, 10)
MAX_CLASSES = 9


# ---------------------------------------------------------------------------------------------
# Data


def read_dbf(rel):
    with open(os.path.join(FIX, rel), "rb") as f:
        return shapefile.Reader(dbf=f).records()


def datasets():
    nc = read_dbf("nc_sids/nc.dbf")
    boston = read_dbf("boston_tracts/boston_tracts.dbf")
    return {
        "nc_sid74": {
            "file": "nc_sids/nc.dbf",
            "expression": "SID74",
            "values": [float(r["SID74"]) for r in nc],
        },
        "nc_sids_rate": {
            "file": "nc_sids/nc.dbf",
            "expression": "SID74 / BIR74 * 1000",
            "values": [float(r["SID74"]) / float(r["BIR74"]) * 1000 for r in nc],
        },
        "boston_cmedv": {
            "file": "boston_tracts/boston_tracts.dbf",
            "expression": "CMEDV",
            "values": [float(r["CMEDV"]) for r in boston],
        },
        "boston_crim": {
            "file": "boston_tracts/boston_tracts.dbf",
            "expression": "CRIM",
            "values": [float(r["CRIM"]) for r in boston],
        },
    }


# ---------------------------------------------------------------------------------------------
# Classification


def synthetic():
    """Small made-up columns for the awkward cases: ties, few distinct values, skew."""
    return {
        "ties_small": [1.0, 1.0, 2.0, 2.0, 3.0],
        "mostly_zero": [0.0] * 9 + [1.0],
        "two_values": [5.0, 5.0, 5.0, 7.0],
        "fibonacci": [0.0, 0.0, 0.0, 1.0, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 21.0, 34.0, 55.0, 89.0,
                      144.0],
        "negative_decimals": [-2.5, -1.25, -1.25, -0.1, 0.0, 0.3, 0.3, 0.3, 0.7, 1.9, 4.4],
        # Symmetric: equally good Jenks partitions, where mapclassify's tie rule decides.
        "evenly_spaced": [float(i) for i in range(9)],
    }


def stddev_multiples(k):
    """Quartier's StdMean multiples for k classes (documented in classify.rs).

    Odd k = 2j+1: +-1..+-j standard deviations (k = 5 is mapclassify's default [-2, -1, 1, 2]).
    Even k = 2j: -(j-1)..(j-1), which includes the mean itself as a break.
    """
    j = k // 2
    if k % 2 == 1:
        return [m for m in range(-j, j + 1) if m != 0]
    return list(range(-(j - 1), j))


def manual_inputs(y, k):
    """Two sets of user breaks per k: k-1 rounded breaks below the maximum (mapclassify then adds
    the maximum as an extra class: k classes), and the same plus one round break above the
    maximum (no extra class)."""
    ei = mapclassify.EqualInterval(y, k)
    below = [round(float(b), 1) for b in ei.bins[:-1]]
    assert all(a < b for a, b in zip(below, below[1:])), below
    assert below[-1] < max(y)
    covering = below + [float(np.ceil(max(y))) + 1.0]
    return {"manual_below_max": below, "manual_covering": covering}


def sse_exact(sorted_fracs, bins):
    total = Fraction(0)
    lo = None
    for b in bins:
        cls = [v for v in sorted_fracs if (lo is None or v > lo) and v <= b]
        if cls:
            m = sum(cls) / len(cls)
            total += sum((v - m) ** 2 for v in cls)
        lo = b
    return total


def exact_jenks(values, kmax):
    """Fisher's exact optimal partition in rational arithmetic, for every k in 2..kmax.

    Dynamic programme over the sorted unique values u_0 < ... < u_{n-1} with their counts:
    D[q][j] = least sum of squares of u_0..u_{j-1} in q classes. Among equally good choices the
    smallest start of the last class wins (mapclassify's `>=` rule: the last class as large as
    possible). Returns {k: (bins, sse, unique)}.
    """
    u, w = np.unique(np.asarray(values), return_counts=True)
    n = len(u)
    fu = [Fraction(float(v)) for v in u]
    W = [0]
    S1 = [Fraction(0)]
    S2 = [Fraction(0)]
    for v, c in zip(fu, w):
        W.append(W[-1] + int(c))
        S1.append(S1[-1] + v * int(c))
        S2.append(S2[-1] + v * v * int(c))

    def sse(i, j):
        s1 = S1[j] - S1[i]
        return (S2[j] - S2[i]) - s1 * s1 / (W[j] - W[i])

    cost = [[sse(i, j) if j > i else None for j in range(n + 1)] for i in range(n + 1)]
    D = [[None] * (n + 1) for _ in range(kmax + 1)]
    for j in range(1, n + 1):
        D[1][j] = cost[0][j]
    for q in range(2, kmax + 1):
        for j in range(q, n + 1):
            best = None
            for i in range(q - 1, j):
                v = D[q - 1][i] + cost[i][j]
                if best is None or v < best:
                    best = v
            D[q][j] = best
    out = {}
    for k in range(2, min(kmax, n) + 1):
        bins = []
        unique = True
        j = n
        for q in range(k, 1, -1):
            cands = [i for i in range(q - 1, j) if D[q - 1][i] + cost[i][j] == D[q][j]]
            if len(cands) > 1:
                unique = False
            bins.append(float(u[j - 1]))
            j = cands[0]
        bins.append(float(u[j - 1]))
        out[k] = (bins[::-1], D[k][n], unique)
    return out


def counts_for(y, bins):
    return [int(c) for c in mapclassify.classifiers.bin1d(np.asarray(y), np.asarray(bins))[1]]


def mapclassify_cases(data, with_manual=True):
    cases = []
    for name, d in data.items():
        y = np.asarray(d["values"], dtype=float)
        fr = sorted(Fraction(float(v)) for v in y)
        print(f"exact Jenks for {name} ...", file=sys.stderr)
        exact = exact_jenks(y, max(K_RANGE))
        for k in K_RANGE:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                q = mapclassify.Quantiles(y, k=k)
                ei = mapclassify.EqualInterval(y, k=k)
                sm = mapclassify.StdMean(y, multiples=stddev_multiples(k))
                try:
                    fj = mapclassify.FisherJenks(y, k=k)
                    fj_error = None
                except ValueError as e:
                    fj, fj_error = None, str(e)
            for method, c in (("quantile", q), ("equal", ei), ("stddev", sm)):
                case = {"dataset": name, "method": method, "k": k,
                        "bins": [float(b) for b in c.bins], "counts": [int(x) for x in c.counts]}
                if method == "stddev":
                    case["multiples"] = stddev_multiples(k)
                cases.append(case)
            if fj is None:
                cases.append({"dataset": name, "method": "jenks", "k": k,
                              "mapclassify_error": fj_error})
            else:
                ebins, esse, unique = exact[k]
                mc_bins = [float(b) for b in fj.bins]
                mc_sse = sse_exact(fr, [Fraction(b) for b in mc_bins])
                assert mc_sse >= esse
                cases.append({
                    "dataset": name, "method": "jenks", "k": k,
                    "bins": mc_bins, "counts": [int(x) for x in fj.counts],
                    "sse": float(mc_sse),
                    "optimum_bins": ebins, "optimum_counts": counts_for(y, ebins),
                    "optimum_sse": float(esse), "optimum_unique": unique,
                    "mapclassify_is_optimum": mc_sse == esse,
                })
            if not with_manual:
                continue
            for variant, breaks in manual_inputs(y, k).items():
                ud = mapclassify.UserDefined(y, bins=breaks)
                cases.append({"dataset": name, "method": "manual", "variant": variant, "k": k,
                              "manual_breaks": breaks,
                              "bins": [float(b) for b in ud.bins],
                              "counts": [int(x) for x in ud.counts]})
    return cases


# ---------------------------------------------------------------------------------------------
# R pretty()

R_PRETTY = r"""
args <- commandArgs(trailingOnly = TRUE)
out <- c()
emit <- function(tag, n, x) {
  s <- pretty(x, n = n)
  cnt <- as.integer(table(cut(x, s, include.lowest = TRUE)))
  out <<- c(out, paste(tag, n, paste(sprintf("%.17g", s), collapse = ","),
                       paste(cnt, collapse = ","), sep = ";"))
  length(s) - 1L
}
for (f in args) {
  x <- scan(f, quiet = TRUE)
  for (k in 2:9) {
    # pretty_rule: n = k; fewer n while there are more than 9 intervals, more n while fewer than 2
    n <- k
    repeat { m <- length(pretty(x, n = n)) - 1L; if (m > 9L && n > 1L) n <- n - 1L else break }
    repeat { m <- length(pretty(x, n = n)) - 1L; if (m < 2L) n <- n + 1L else break }
    emit(paste0(basename(f), ":", k), n, x)
  }
}
ranges <- list(c(0, 1), c(0.1, 0.3), c(-3.7, 12.2), c(1e6, 2.5e6), c(0.0012, 0.0093), c(-5, 0),
               c(0, 44), c(17, 17.5), c(-0.5, 0.5), c(123456, 123999), c(0.5, 9.75), c(-1234.5, -2.25))
for (r in ranges) for (n in 1:9) emit(paste0("range:", sprintf("%.17g", r[1]), ":", sprintf("%.17g", r[2])), n, r)
writeLines(out)
"""


def r_version():
    return subprocess.run(["Rscript", "-e", 'cat(R.version.string, "| RColorBrewer", '
                           'as.character(packageVersion("RColorBrewer")))'],
                          check=True, capture_output=True, text=True).stdout.strip()


def r_pretty(data):
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for name, d in data.items():
            path = os.path.join(tmp, name)
            with open(path, "w") as f:
                f.write("\n".join(repr(v) for v in d["values"]))
            files.append(path)
        script = os.path.join(tmp, "pretty.R")
        with open(script, "w") as f:
            f.write(R_PRETTY)
        lines = subprocess.run(["Rscript", script, *files], check=True, capture_output=True,
                               text=True).stdout.splitlines()
    columns, ranges = [], []
    for line in lines:
        tag, n, seq, cnt = line.split(";")
        seq = [float(s) for s in seq.split(",")]
        cnt = [int(c) for c in cnt.split(",")]
        kind, rest = tag.split(":", 1)
        if kind == "range":
            lo, hi = (float(x) for x in rest.split(":"))
            ranges.append({"lo": lo, "hi": hi, "n": int(n), "sequence": seq})
        else:
            columns.append({"dataset": kind, "k": int(rest), "n": int(n), "sequence": seq,
                            "counts": cnt})
    return columns, ranges


# ---------------------------------------------------------------------------------------------
# Colours

R_BREWER = r"""
library(RColorBrewer)
info <- brewer.pal.info
for (name in rownames(info)) {
  cat("info", name, as.character(info[name, "category"]), info[name, "maxcolors"],
      info[name, "colorblind"], "\n")
  for (k in 3:info[name, "maxcolors"]) cat("pal", name, k, tolower(brewer.pal(k, name)), "\n")
}
"""

KIND = {"seq": "Sequential", "div": "Diverging", "qual": "Qualitative"}


def hexrgb(rgb):
    return "#%02x%02x%02x" % tuple(rgb)


def colorbrewer():
    path = os.path.join(os.path.dirname(palettable.__file__), "colorbrewer", "data",
                        "colorbrewer_all_schemes.json")
    with open(path) as f:
        table = json.load(f)
    pal = {}
    for group in table.values():
        for name, per_k in group.items():
            pal[name] = {int(k): [hexrgb(c) for c in v["Colors"]] for k, v in per_k.items()}
    out = subprocess.run(["Rscript", "-e", R_BREWER], check=True, capture_output=True,
                         text=True).stdout.splitlines()
    info, rpal = {}, {}
    for line in out:
        parts = line.split()
        if parts[0] == "info":
            info[parts[1]] = {"kind": KIND[parts[2]], "max": int(parts[3]),
                              "colorblind_safe": parts[4] == "TRUE"}
        else:
            rpal.setdefault(parts[1], {})[int(parts[2])] = parts[3:]
    assert set(pal) == set(rpal) == set(info), (set(pal) ^ set(rpal))
    for name in pal:
        assert pal[name] == rpal[name], f"palettable and RColorBrewer disagree on {name}"
        assert max(pal[name]) == info[name]["max"]
    # ColorBrewer's own order: sequential multi-hue, single hue, diverging, qualitative; here
    # simply by kind and then name, as RColorBrewer lists them.
    order = sorted(pal, key=lambda n: (["Sequential", "Diverging", "Qualitative"]
                                       .index(info[n]["kind"]), n.lower()))
    return [{"name": n, **info[n], "colors": {str(k): pal[n][k] for k in sorted(pal[n])}}
            for n in order]


def matplotlib_maps():
    maps = []
    for name in ("viridis", "cividis"):
        cmap = colormaps[name]
        assert cmap.N == 256
        lut = [to_hex(cmap(i)) for i in range(256)]
        per_k = {str(k): [to_hex(c) for c in cmap.resampled(k)(np.arange(k))]
                 for k in range(1, 13)}
        maps.append({"name": name, "lut": lut, "colors": per_k})
    return maps


def rust_rgb(h):
    return "[0x%s, 0x%s, 0x%s]" % (h[1:3], h[3:5], h[5:7])


def write_tables(brewer, mpl, versions):
    """Writes `palette/tables.rs`: one `Scheme` per ColorBrewer scheme and per matplotlib map."""
    lines = [
        "//! ColorBrewer and matplotlib colour tables.",
        "//!",
        f"//! @generated by `tests/reference/classify_reference.py` from palettable "
        f"{versions['palettable']}'s ColorBrewer table",
        f"//! (checked entry by entry against RColorBrewer {versions['r'].split()[-1]}, "
        "whose `brewer.pal.info` gives the colour-blind flags)",
        f"//! and matplotlib {versions['matplotlib']}. Do not edit by hand: re-run the script.",
        "//!",
        "//! ColorBrewer colours: Copyright (c) 2002 Cynthia Brewer, Mark Harrower, and The "
        "Pennsylvania State University,",
        "//! Apache License 2.0. This product includes color specifications and designs "
        "developed by Cynthia Brewer",
        "//! (<http://colorbrewer.org/>).",
        "//! viridis and cividis: matplotlib, CC0 (viridis by Stéfan van der Walt and Nathaniel "
        "Smith; cividis by Jamie R.",
        "//! Nuñez, Christopher R. Anderton and Ryan S. Renslow).",
        "",
        "use super::{Rgb, Scheme, SchemeKind, Source};",
        "",
        "/// Every scheme: ColorBrewer's sequential, diverging and qualitative schemes (each group",
        "/// by name), then viridis and cividis.",
        "#[rustfmt::skip]",
        "pub(super) static SCHEMES: &[Scheme] = &[",
    ]
    for s in brewer:
        lines.append("    Scheme {")
        lines.append(f"        name: \"{s['name']}\",")
        lines.append(f"        kind: SchemeKind::{s['kind']},")
        lines.append(f"        colorblind_safe: {'true' if s['colorblind_safe'] else 'false'},")
        lines.append("        source: Source::Brewer(&[")
        for k, cols in s["colors"].items():
            lines.append("            &[" + ", ".join(rust_rgb(c) for c in cols) + "],")
        lines.append("        ]),")
        lines.append("    },")
    for m in mpl:
        lines.append("    Scheme {")
        lines.append(f"        name: \"{m['name']}\",")
        lines.append("        kind: SchemeKind::Sequential,")
        lines.append("        colorblind_safe: true,")
        lines.append(f"        source: Source::Lut(&{m['name'].upper()}),")
        lines.append("    },")
    lines.append("];")
    for m in mpl:
        lines.append("")
        lines.append(f"/// matplotlib's 256-entry `{m['name']}` lookup table in 8 bits "
                     "(`matplotlib.colors.to_hex` of each entry).")
        lines.append("#[rustfmt::skip]")
        lines.append(f"static {m['name'].upper()}: [Rgb; 256] = [")
        for i in range(0, 256, 4):
            lines.append("    " + " ".join(rust_rgb(c) + "," for c in m["lut"][i:i + 4]))
        lines.append("];")
    with open(TABLES_RS, "w") as f:
        f.write("\n".join(lines) + "\n")


# ---------------------------------------------------------------------------------------------


def main():
    versions = {
        "python": platform.python_version(),
        "mapclassify": mapclassify.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "pyshp": shapefile.__version__,
        "palettable": palettable.__version__,
        "matplotlib": matplotlib.__version__,
        "r": r_version(),
    }
    data = datasets()
    summary = {name: {"file": d["file"], "expression": d["expression"], "n": len(d["values"]),
                      "min": min(d["values"]), "max": max(d["values"]),
                      "sum": float(np.sum(d["values"]))}
               for name, d in data.items()}
    os.makedirs(OUT, exist_ok=True)

    def dump(fname, obj):
        with open(os.path.join(OUT, fname), "w") as f:
            json.dump(obj, f, indent=1)
            f.write("\n")

    columns, ranges = r_pretty(data)
    dump("classify_r_pretty.json", {
        "generator": "tests/reference/classify_reference.py", "versions": versions,
        "pretty_rule": "n = k; n decreases while pretty() gives more than 9 intervals and "
                       "increases while it gives fewer than 2",
        "datasets": summary, "columns": columns, "ranges": ranges})
    brewer = colorbrewer()
    mpl = matplotlib_maps()
    dump("classify_colorbrewer.json", {
        "generator": "tests/reference/classify_reference.py", "versions": versions,
        "schemes": brewer})
    dump("classify_matplotlib.json", {
        "generator": "tests/reference/classify_reference.py", "versions": versions,
        "sampling": "matplotlib cmap.resampled(k): entries at np.linspace(0, 1, k) of the "
                    "256-entry table, as to_hex",
        "maps": [{"name": m["name"], "colors": m["colors"]} for m in mpl]})
    write_tables(brewer, mpl, versions)
    cases = mapclassify_cases(data)
    synth = synthetic()
    synth_cases = mapclassify_cases({n: {"values": v} for n, v in synth.items()}, with_manual=False)
    dump("classify_mapclassify.json", {
        "generator": "tests/reference/classify_reference.py", "versions": versions,
        "datasets": summary, "cases": cases,
        "synthetic": synth, "synthetic_cases": synth_cases})


if __name__ == "__main__":
    main()
