#!/usr/bin/env python3
"""Reference values for quartier-geo's `table` and `join` modules, computed with pandas.

Writes `tests/fixtures/reference/tables_reference.json`, which the Rust tests in
`crates/quartier-geo/src/table/tests.rs` and `crates/quartier-geo/src/join/tests.rs` compare against.

pandas is told everything that Quartier has to find out by itself (separator, codepage, number
format, how many title rows, where the footnotes start), so the two parsers are independent:
if Quartier's detection goes wrong, the numbers disagree.

- `genesis`: the Destatis GENESIS export 12411-05-01-4 (average population by sex, 1995-2019,
  Latin-1, `;`, German number format, 6 title rows, 50 footnote lines).
  Selected rows in full, and per year: row count, missing values and the sum over the 5-digit
  Kreise of column "Insgesamt" (so every value of the file takes part in some comparison).
- `bka`: the BKA PKS 2019 table of cases per Kreis (Latin-1, `;`, English number format
  `8,380` / `7.1`, a row of column numbers above the header, 5 unnamed trailing columns).
- `districts`, `election`: the two UTF-8 tables, a few rows and column sums.
- `joins`: the join report that Quartier must produce for three real joins, computed here with
  plain set logic on the pandas frames (AGS padded with `str.zfill(5)` where the source lost it).

Line numbers are 1-based lines of the file: pandas does not report them, so they are derived from
the row index plus the number of lines above the first data row (no data record spans lines).

Run from the repository root:

    pip install pandas==3.1.1
    python3 tests/reference/tables_reference.py

Versions used for the committed fixture: Python 3.11.7, pandas 3.1.1, numpy 2.4.6
(the versions are also written into the JSON).
"""

import json
import math
import os
import platform

import numpy
import pandas as pd

FIX = "tests/fixtures"
OUT = os.path.join(FIX, "reference", "tables_reference.json")

# GENESIS' own markers (-, ., x, ..., /) plus pandas' defaults (empty, NA, ...).
GENESIS_NA = ["-", ".", "x", "...", "/"]


def num(v):
    """A JSON number, or None for a missing value."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, (numpy.integer,)):
        return int(v)
    return float(v)


def genesis():
    path = os.path.join(FIX, "de_kreise_indicators/raw_latin1/12411-05-01-4.csv")
    title_lines = 6  # lines 1-6: title rows; line 7: header; data from line 8
    data_rows = 25 * 538  # 25 years x 538 regions; the footnotes follow
    df = pd.read_csv(
        path,
        sep=";",
        encoding="latin1",
        decimal=",",
        thousands=".",
        skiprows=title_lines,
        header=0,
        nrows=data_rows,
        dtype={0: str, 1: str, 2: str},
        na_values=GENESIS_NA,
    )
    df.columns = ["year", "ags", "name", "Insgesamt", "männlich", "weiblich"]
    df["name"] = df["name"].str.strip()
    df["line"] = df.index + title_lines + 2
    first_data_line = title_lines + 2

    picked = []
    for year in ["2019", "2010", "1995"]:
        for ags in ["DG", "05", "05358", "05334", "01001", "03152", "11001001"]:
            sel = df[(df.year == year) & (df.ags == ags)]
            for _, r in sel.iterrows():
                picked.append(
                    {
                        "line": int(r.line),
                        "year": r.year,
                        "ags": r.ags,
                        "name": r["name"],
                        "Insgesamt": num(r["Insgesamt"]),
                        "männlich": num(r["männlich"]),
                        "weiblich": num(r["weiblich"]),
                    }
                )
    per_year = {}
    for year, g in df.groupby("year"):
        kreise = g[g.ags.str.len() == 5]
        per_year[year] = {
            "rows": int(len(g)),
            "missing_insgesamt": int(g["Insgesamt"].isna().sum()),
            "kreise_rows": int(len(kreise)),
            "kreise_sum_insgesamt": num(kreise["Insgesamt"].sum()),
            "kreise_sum_weiblich": num(kreise["weiblich"].sum()),
        }
    # The first key that repeats in the unfiltered table (every region repeats once per year).
    dup = df[df.duplicated("ags", keep=False)]
    first_key = dup.iloc[0].ags
    dup_lines = [int(x) for x in dup[dup.ags == first_key].line[:2]]
    return {
        "file": path,
        "header_line": title_lines + 1,
        "first_data_line": first_data_line,
        "last_data_line": int(df.line.max()),
        "data_rows": int(len(df)),
        "rows": picked,
        "per_year": per_year,
        "first_duplicate": {"key": first_key, "lines": dup_lines},
    }, df


def bka():
    path = os.path.join(FIX, "de_kreise_indicators/raw_latin1/KR-F-01-T01-Kreise-Faelle-HZ_csv.csv")
    df = pd.read_csv(
        path,
        sep=";",
        encoding="latin1",
        decimal=".",
        thousands=",",
        skiprows=1,  # line 1 holds the column numbers 1..18
        header=0,
        dtype={"Schluessel": str, "Gemeindeschluessel": str},
    )
    df["line"] = df.index + 3
    cols = list(df.columns)
    total = df[df.Schluessel == "------"]
    duren = total[total.Gemeindeschluessel == "5358"].iloc[0]
    return {
        "file": path,
        "header_line": 2,
        "data_rows": int(len(df)),
        "columns": len(cols) - 1,
        "header": [c for c in cols if c != "line"][:18],
        "duren_total": {
            "line": int(duren.line),
            "Straftat": duren.Straftat,
            "Gemeindeschluessel": duren.Gemeindeschluessel,
            "Stadt-/Landkreis": duren["Stadt-/Landkreis"],
            "Anzahl erfasste Faelle": num(duren["Anzahl erfasste Faelle"]),
            "Haeufigkeitszahl": num(duren["Haeufigkeitszahl"]),
            "Aufklaerungsquote": num(duren["Aufklaerungsquote"]),
            "erfasste Faelle, davon Versuche - Anteil in %": num(
                duren["erfasste Faelle, davon Versuche - Anteil in %"]
            ),
            # The 23rd, unnamed column: the Kreis' population.
            "column_23": num(duren.iloc[22]),
        },
        "total_rows": int(len(total)),
        "total_sum_faelle": num(total["Anzahl erfasste Faelle"].sum()),
        "total_sum_column_23": num(total.iloc[:, 22].sum()),
    }, df


def utf8_tables():
    dpath = os.path.join(FIX, "de_kreise_indicators/districts.csv")
    d = pd.read_csv(dpath, sep=";", encoding="utf-8", dtype={"AGS": str})
    duren = d[d.AGS == "05358"].iloc[0]
    epath = os.path.join(FIX, "montreal_districts/election.csv")
    e = pd.read_csv(epath, sep=",", encoding="utf-8", dtype={"district_id": str})
    cdn = e[e.district_id == "32"].iloc[0]
    return (
        {
            "file": dpath,
            "rows": int(len(d)),
            "first_ags": list(d.AGS[:3]),
            "sum_population": num(d.population.sum()),
            "sum_area_km2": num(d.area_km2.sum()),
            "duren": {
                "line": int(d.index[d.AGS == "05358"][0]) + 2,
                "name": duren["name"],
                "area_km2": num(duren.area_km2),
                "population": num(duren.population),
                "population_per_km2": num(duren.population_per_km2),
            },
        },
        d,
        {
            "file": epath,
            "rows": int(len(e)),
            "headers": list(e.columns),
            "sum_coderre": num(e.Coderre.sum()),
            "sum_total": num(e.total.sum()),
            "district_32": {
                "district": cdn.district,
                "Coderre": num(cdn.Coderre),
                "Bergeron": num(cdn.Bergeron),
                "Joly": num(cdn.Joly),
                "total": num(cdn.total),
                "winner": cdn.winner,
            },
        },
        e,
    )


def lp_population_vs_genesis(gdf):
    """Düren & co. in two sources: GENESIS' average population against lp_population.csv, 2008-2019.

    Both files mark missing values with `-`; pandas reads everything as text here and compares
    numbers only where both have one.
    """
    path = os.path.join(FIX, "de_kreise_indicators/lp_population.csv")
    lp = pd.read_csv(path, sep=",", encoding="utf-8", dtype=str, keep_default_na=False)
    compared = both_missing = 0
    differ = []
    for year in range(2008, 2020):
        gy = gdf[gdf.year == str(year)].set_index("ags")
        for _, r in lp.iterrows():
            if r.kreis_key not in gy.index:
                continue
            compared += 1
            g = gy.loc[r.kreis_key, "Insgesamt"]
            v = r[f"population_{year}"]
            g_missing = g is None or (isinstance(g, float) and math.isnan(g))
            if g_missing and v == "-":
                both_missing += 1
            elif g_missing or v == "-" or float(g) != float(v):
                differ.append([year, r.kreis_key, num(g), None if v == "-" else float(v)])
    return {
        "file": path,
        "rows": int(len(lp)),
        "compared": compared,
        "both_missing": both_missing,
        "differ": differ,
    }


def join_report(district_ids, table_keys, table_lines):
    """Left join of districts to table rows by exact key: what Quartier's JoinReport must say."""
    keys = set(table_keys)
    ids = set(district_ids)
    return {
        "districts": len(district_ids),
        "matched": sum(1 for i in district_ids if i in keys),
        "districts_without_row": [i for i in district_ids if i not in keys],
        "rows_without_district": [
            [int(l), k] for k, l in zip(table_keys, table_lines) if k not in ids
        ],
    }


def main():
    g, gdf = genesis()
    b, bdf = bka()
    dist, ddf, elec, edf = utf8_tables()
    ags = list(ddf.AGS)

    g2019 = gdf[gdf.year == "2019"]
    btotal = bdf[bdf.Schluessel == "------"]
    with open(os.path.join(FIX, "montreal_districts/election.geojson"), encoding="utf-8") as f:
        feature_ids = [str(ft["id"]) for ft in json.load(f)["features"]]

    joins = {
        "genesis_2019_on_districts": join_report(ags, list(g2019.ags), list(g2019.line)),
        "bka_total_on_districts_pad5": join_report(
            ags, [k.zfill(5) for k in btotal.Gemeindeschluessel], list(btotal.line)
        ),
        "election_on_geojson": join_report(
            feature_ids, list(edf.district_id), [i + 2 for i in edf.index]
        ),
    }
    # The raw BKA keys of the unmatched rows, before padding, for the report text.
    out = {
        "generator": "tests/reference/tables_reference.py",
        "versions": {
            "python": platform.python_version(),
            "pandas": pd.__version__,
            "numpy": numpy.__version__,
        },
        "genesis": g,
        "bka": b,
        "districts": dist,
        "election": elec,
        "lp_population_vs_genesis": lp_population_vs_genesis(gdf),
        "joins": joins,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
