#!/usr/bin/env python3
"""Reference numbers for an external reference row (issue 14: "an optional external reference (e.g.
the Land or Germany) comes from a table row"): the share of women in the raw GENESIS export
12411-05-01-4, for Germany (its row "DG"), North Rhine-Westphalia ("05") and Kreis Düren
(05358), every year, with pandas alone.

Run from the repository root (a second):

    pip install pandas==3.1.1
    python3 tests/reference/de_external_reference.py

The file is ISO-8859-1, ';'-separated, with six title lines above the header (line 7), whose
first three cells are empty (year, key, name), and notes below the data. It writes
`tests/fixtures/reference/de_atlas_external.json`: per year weiblich / Insgesamt × 100 for the
three rows, and the share of all 401 Kreise together (Σ weiblich / Σ Insgesamt over the Kreise of
the layer, which Germany's row need not equal: the Kreise rows of some years lack a few areas).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "geodata" / "de" / "raw_latin1" / "12411-05-01-4.csv"
TOPO = ROOT / "geodata" / "de" / "kreise.topojson"
OUT = ROOT / "tests" / "fixtures" / "reference" / "de_atlas_external.json"


def main() -> None:
    raw = pd.read_csv(RAW, sep=";", encoding="latin-1", skiprows=6, header=0, dtype=str,
                      keep_default_na=False)
    raw.columns = ["year", "key", "name", "total", "men", "women"]
    rows = raw[raw.year.str.fullmatch(r"\d{4}")].copy()
    rows["key"] = rows.key.str.strip()
    rows = rows.replace({"total": {"-": None, ".": None}, "women": {"-": None, ".": None}})
    rows["total"] = pd.to_numeric(rows.total, errors="coerce")
    rows["women"] = pd.to_numeric(rows.women, errors="coerce")
    rows["year"] = rows.year.astype(int)
    rows["share"] = rows.women / rows.total * 100

    topo = json.loads(TOPO.read_text(encoding="utf-8"))
    layer = {g["properties"]["AGS"] for g in next(iter(topo["objects"].values()))["geometries"]}
    # Berlin and Hamburg are the Länder rows "11" and "02" in this table (the atlas maps them).
    kreise = rows[rows.key.replace({"02": "02000", "11": "11000"}).isin(layer)]

    out = {}
    for year in sorted(rows.year.unique()):
        r = rows[rows.year == year].set_index("key")
        k = kreise[kreise.year == year]
        k = k[k.total.notna() & k.women.notna()]
        out[str(year)] = {
            "germany_DG": float(r.loc["DG", "share"]),
            "nrw_05": float(r.loc["05", "share"]),
            "duren_05358": float(r.loc["05358", "share"]) if "05358" in r.index and pd.notna(r.loc["05358", "share"]) else None,
            "kreise_with_values": int(len(k)),
            "kreise_ratio_of_totals": float(k.women.sum() / k.total.sum() * 100) if len(k) else None,
        }
    OUT.write_text(json.dumps({"source": "geodata/de/raw_latin1/12411-05-01-4.csv", "women_share": out},
                              indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(out)} years)")


if __name__ == "__main__":
    main()
