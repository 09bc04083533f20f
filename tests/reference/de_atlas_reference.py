#!/usr/bin/env python3
"""Independent reference numbers for the German demo atlas (issue 10), computed with pandas, numpy
and mapclassify straight from the committed tables in `geodata/de/`, without any Quartier code.

Run from the repository root (about a minute with numba, 10-15 minutes without: mapclassify's
pure-Python FisherJenks on up to 9,774 pooled values):

    pip install pandas==3.1.1 numpy==2.4.6 mapclassify==2.10.0 numba    # numba only for speed
    python3 tests/reference/de_atlas_reference.py

It writes five fixtures into `tests/fixtures/reference/`:

- `de_atlas_duren.json`: every value of Düren (AGS 05358) for every indicator and every period,
  as the source table states it (the crime rate also with its numerator and denominator, and the
  table's own `crimes_pp_{year}`), plus Düren's rows in the two raw exports.
- `de_atlas_breaks.json`: for every indicator with periods, quantile and Fisher-Jenks breaks with
  5 classes over the values of all periods pooled (`scope=all`) and per period (`scope=period`),
  over the 401 Kreise of the layer (rows of defunct Kreise are not part of the layer). Breaks are
  mapclassify's `bins`: the upper bound of each class, the last one the maximum.
  mapclassify's FisherJenks accumulates in float32 and can miss the optimum by a hair, so each
  Jenks entry also holds `optimum_bins`: the better, by the sum of squared deviations computed
  exactly in rational arithmetic (Python `fractions`), of mapclassify's partition and the one of
  a float64 dynamic programme (Fisher's algorithm over the sorted unique values with their
  counts). `mapclassify_is_optimum` says whether both partitions are equally good.
- `de_atlas_index.json`: the status index for every Kreis in 2018 (the latest period all four
  components have), 2013 (the earliest they share, before the 2015/16 surge of offences against
  residence and asylum law in border and reception-centre Kreise) and 2015 (in which Göttingen
  03159 has no crime figure, so it gets no index: the missing-component case), the dynamics
  index 2013 -> 2018, their classes and the status x dynamics typology 2018.
- `de_atlas_change.json`: change maps: population 2019 - 2008 (absolute and percent) and the
  Abitur share 2019 - 2006 (percentage points), per Kreis.
- `de_atlas_join.json`: join coverage of every table against the 401 Kreise of
  `geodata/de/kreise.topojson`, with the rows skipped and why.

## The index (the rules the Rust side must follow to match)

Components, equal weights 1, and directions (a high status is good):
income per head (+1), Abitur share (+1), share without Hauptschulabschluss (-1),
crimes per 1,000 inhabitants (-1). Population and density are not components: size is not status.

Per period, each component is standardised over the Kreise that have a value for it:
z = (x - mean) / SD with the population SD (ddof = 0). The index is
sum(weight * direction * z) / sum(weight) over the components; a Kreis missing any component gets
no index and the fixture names the missing components. The contribution of a component (shown in
the profile) is weight * direction * z (written out for Düren in `de_atlas_duren.json`).

Status classes use the index standardised once more over the Kreise that have an index,
s = (index - mean) / SD (ddof = 0): "by standard deviations of the index", as issue 10 asks:
  high     s >  +1          (exactly +1 is medium)
  medium  -1 <= s <= +1
  low     -1.5 <= s < -1    (exactly -1 is medium, exactly -1.5 is low)
  very_low s < -1.5
The dynamics index is the same computation on each component's change between the two periods
(value 2018 - value 2013, standardised over the Kreise that have both), and its classes are
  positive s > +1, stable -1 <= s <= +1, negative s < -1.
The typology is "status/dynamics" (e.g. "low/negative") where a Kreis has both.
`min_margin_to_boundary` says how close any s comes to a class boundary, so a Rust test knows
whether float rounding could flip a class.
"""

from __future__ import annotations

import json
import re
import sys
import warnings
from fractions import Fraction
from pathlib import Path

import mapclassify
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "geodata" / "de"
OUT = ROOT / "tests" / "fixtures" / "reference"
DUREN = "05358"
K = 5

# Indicators with periods, as geodata/de/atlas.toml defines them.
INDICATORS = {
    "population": dict(table="lp_population.csv", field="population_{year}", periods=range(2008, 2020)),
    "density": dict(table="lp_population.csv", field="population_density_{year}", periods=range(2008, 2020)),
    "income": dict(table="lp_income.csv", field="income_pp_{year}", periods=range(2000, 2019)),
    "abitur": dict(table="lp_education.csv", field="prop_abitur_{year}", periods=range(2006, 2020)),
    "no_hauptschule": dict(table="lp_education.csv", field="prop_no_haupt_{year}", periods=range(2006, 2020)),
    # Crimes (BKA PKS, crime table) per 1,000 inhabitants (population table): across tables.
    "crime_rate": dict(
        numerator=("lp_crime.csv", "crimes_{year}"),
        denominator=("lp_population.csv", "population_{year}"),
        factor=1000,
        periods=range(2013, 2020),
    ),
    # The raw GENESIS export read directly: a long table with one row per year and Kreis.
    "population_genesis": dict(raw="genesis", periods=range(1995, 2020)),
}

INDEX_COMPONENTS = [("income", 1.0, 1), ("abitur", 1.0, 1), ("no_hauptschule", 1.0, -1), ("crime_rate", 1.0, -1)]
STATUS_PERIODS = (2013, 2015, 2018)
DYNAMICS_PERIODS = (2013, 2018)  # (compare, period)

# Why rows of the indicator tables match no Kreis of 2016+ (their keys were given up in reforms).
DEFUNCT = [
    (re.compile(r"^0315[26]$"), "Göttingen 03152 and Osterode am Harz 03156, merged into 03159 Göttingen on 01.11.2016"),
    (re.compile(r"^05354$"), "Kreis Aachen, merged with the city of Aachen into Städteregion Aachen 05334 on 21.10.2009"),
    (re.compile(r"^130"), "Mecklenburg-Vorpommern before the Kreisreform of 04.09.2011"),
    (re.compile(r"^14[123]"), "Sachsen before the Kreisreform of 01.08.2008"),
    (re.compile(r"^15[123]"), "Sachsen-Anhalt before the Kreisreform of 01.07.2007"),
]


def num(v) -> float | None:
    """A JSON number, or None for a missing value."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    return float(v)


def dumps(obj, depth: int = 0, flat_from: int = 4) -> str:
    """JSON indented down to `flat_from` levels, one line per object below (one line per Kreis)."""
    if depth >= flat_from or not isinstance(obj, (dict, list)) or not obj:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    pad, inner = " " * depth, " " * (depth + 1)
    if isinstance(obj, dict):
        items = [f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {dumps(v, depth + 1, flat_from)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    items = [f"{inner}{dumps(v, depth + 1, flat_from)}" for v in obj]
    return "[\n" + ",\n".join(items) + "\n" + pad + "]"


def write(name: str, obj, flat_from: int = 4) -> None:
    path = OUT / name
    path.write_text(dumps(obj, 0, flat_from) + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size:,} bytes)")


# ---------------------------------------------------------------------------------------------
# Reading the tables


def kreise_of_layer() -> list[str]:
    topo = json.loads((DATA / "kreise.topojson").read_text(encoding="utf-8"))
    obj = next(iter(topo["objects"].values()))
    ags = [g["properties"]["AGS"] for g in obj["geometries"]]
    assert len(ags) == len(set(ags)) == 401, len(ags)
    return sorted(ags)


def read_lp(name: str) -> pd.DataFrame:
    """A table of the npm/PyPI packages: comma-separated UTF-8, keys with leading zeros, an unnamed
    pandas index column first; '-' (nothing / not existing) and '.' (unknown) are missing."""
    if name == "districts.csv":
        df = pd.read_csv(DATA / name, sep=";", dtype={"AGS": str}).set_index("AGS")
    else:
        df = pd.read_csv(DATA / name, sep=",", dtype={"kreis_key": str}, na_values=["-", "."])
        df = df.drop(columns=df.columns[0]).set_index("kreis_key")
    assert df.index.is_unique, f"{name}: a key occurs twice"
    return df


GENESIS = DATA / "raw_latin1" / "12411-05-01-4.csv"
BKA = DATA / "raw_latin1" / "KR-F-01-T01-Kreise-Faelle-HZ_csv.csv"


def read_genesis():
    """GENESIS 12411-05-01-4, parsed line by line (ISO-8859-1, ';', no thousands separators).

    Lines before the header are title rows; the header line has no names for its first three
    columns (year, key, name); data lines start with a 4-digit year; everything from the
    '__________' line on is notes. Returns the data frame and a description of what was skipped."""
    lines = GENESIS.read_bytes().decode("latin-1").splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith(";;;"))
    notes_from = next(i for i, line in enumerate(lines) if line.startswith("__________"))
    rows = []
    for i in range(header + 1, notes_from):
        parts = lines[i].split(";")
        assert len(parts) == 6 and re.fullmatch(r"\d{4}", parts[0]), (i + 1, lines[i])
        rows.append(dict(line=i + 1, Jahr=int(parts[0]), key=parts[1], name=parts[2].strip(),
                         total=parts[3], male=parts[4], female=parts[5]))
    df = pd.DataFrame(rows)
    for col in ("total", "male", "female"):
        assert df[col].str.fullmatch(r"\d+|-|\.").all(), col
        df[col + "_value"] = pd.to_numeric(df[col].where(df[col].str.fullmatch(r"\d+")), errors="raise")
    skipped = {
        "title_rows": [i + 1 for i in range(header)],
        "header_row": header + 1,
        "header": lines[header],
        "note_rows": [notes_from + 1, len(lines)],
        "notes_first_line": lines[notes_from + 1] if notes_from + 1 < len(lines) else "",
    }
    return df, skipped


def genesis_kreis_key(key: str) -> str:
    """Berlin and Hamburg appear only as Länder ('11', '02'); right-pad them to the Kreis key."""
    return key + "000" if key in ("02", "11") else key


def read_bka() -> pd.DataFrame:
    """BKA PKS table KR-F-01-T01: ISO-8859-1, ';', CRLF; line 1 numbers the columns, line 2 is the
    header; numbers use ',' as the THOUSANDS separator and '.' as the decimal point ("8,380" is
    8380 cases, "63.2" a percentage); keys without leading zeros ('1001', '2000')."""
    df = pd.read_csv(BKA, sep=";", encoding="latin-1", header=1, dtype=str)
    df.columns = [c if not c.startswith("Unnamed") else f"col{i + 1}" for i, c in enumerate(df.columns)]
    for col in ("Anzahl erfasste Faelle", "Haeufigkeitszahl", "col23"):
        assert df[col].str.fullmatch(r"\d{1,3}(,\d{3})*").all(), col
        df[col + " (number)"] = df[col].str.replace(",", "", regex=False).astype(np.int64)
    df["AGS"] = df["Gemeindeschluessel"].str.zfill(5)
    return df


# ---------------------------------------------------------------------------------------------
# Indicator values


def indicator_frames(kreise: list[str]):
    """{indicator: DataFrame indexed by the 401 AGS, one column per period} plus extra columns."""
    tables = {name: read_lp(name) for name in ("lp_population.csv", "lp_income.csv", "lp_education.csv", "lp_crime.csv")}
    genesis, _ = read_genesis()
    out, crime_parts = {}, {}
    for ind, spec in INDICATORS.items():
        cols = {}
        for year in spec["periods"]:
            if "field" in spec:
                t = tables[spec["table"]]
                cols[year] = t[spec["field"].format(year=year)].reindex(kreise)
            elif "numerator" in spec:
                (nt, nf), (dt, df_) = spec["numerator"], spec["denominator"]
                n = tables[nt][nf.format(year=year)].reindex(kreise)
                d = tables[dt][df_.format(year=year)].reindex(kreise)
                rate = n / d.where(d != 0) * spec["factor"]
                stated = tables["lp_crime.csv"][f"crimes_pp_{year}"].reindex(kreise) * spec["factor"]
                both = rate.notna() & stated.notna()
                assert (rate.isna() == stated.isna()).all(), year
                assert np.allclose(rate[both], stated[both], rtol=1e-12, atol=0), year
                crime_parts[year] = (n, d, stated)
                cols[year] = rate
            else:
                g = genesis[genesis.Jahr == year]
                s = g.set_index(g.key.map(genesis_kreis_key))["total_value"]
                cols[year] = s.reindex(kreise)
        out[ind] = pd.DataFrame(cols).astype(float)
    return out, crime_parts


# ---------------------------------------------------------------------------------------------
# Class breaks


def exact_sse(values_sorted: list[Fraction], bins: list[float]) -> Fraction:
    """Sum of squared deviations from the class means, exactly, for classes with upper bounds
    `bins` (a value v is in the first class whose bound is >= v, as mapclassify assigns)."""
    total, start = Fraction(0), 0
    for b in bins:
        fb = Fraction(b)
        end = start
        while end < len(values_sorted) and values_sorted[end] <= fb:
            end += 1
        seg = values_sorted[start:end]
        if seg:
            mean = sum(seg) / len(seg)
            total += sum((v - mean) ** 2 for v in seg)
        start = end
    assert start == len(values_sorted)
    return total


def jenks_dp(values: np.ndarray, k: int) -> list[float]:
    """Fisher's optimal partition into k classes (float64 DP over unique values with counts)."""
    u, w = np.unique(values, return_counts=True)
    n = len(u)
    if n <= k:
        return [float(v) for v in u]
    x = (u - np.average(u, weights=w)) / (u.std() or 1.0)
    W = np.concatenate([[0.0], np.cumsum(w)])
    S1 = np.concatenate([[0.0], np.cumsum(w * x)])
    S2 = np.concatenate([[0.0], np.cumsum(w * x * x)])

    def cost(i: np.ndarray, j: int) -> np.ndarray:  # classes u[i..j-1]
        s1 = S1[j] - S1[i]
        return (S2[j] - S2[i]) - s1 * s1 / (W[j] - W[i])

    D = np.full((k + 1, n + 1), np.inf)
    back = np.zeros((k + 1, n + 1), dtype=np.int64)
    D[1, 1:] = [cost(np.array([0]), j)[0] for j in range(1, n + 1)]
    for q in range(2, k + 1):
        for j in range(q, n + 1):
            i = np.arange(q - 1, j)
            c = D[q - 1, i] + cost(i, j)
            best = int(np.argmin(c))
            D[q, j], back[q, j] = c[best], i[best]
    ends, j = [], n
    for q in range(k, 0, -1):
        ends.append(j)
        j = back[q, j]
    return [float(u[e - 1]) for e in reversed(ends)]


def breaks_for(values: np.ndarray) -> dict:
    values = np.sort(values[~np.isnan(values)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        q = mapclassify.Quantiles(values, k=K)
        fj = mapclassify.FisherJenks(values, k=K)
    exact_values = [Fraction(float(v)) for v in values]
    mc_bins = [float(b) for b in fj.bins]
    dp_bins = jenks_dp(values, K)
    mc_sse, dp_sse = exact_sse(exact_values, mc_bins), exact_sse(exact_values, dp_bins)
    best_bins, best_sse = (dp_bins, dp_sse) if dp_sse < mc_sse else (mc_bins, mc_sse)
    return {
        "n": int(len(values)),
        "min": float(values[0]),
        "max": float(values[-1]),
        "quantile": {"bins": [float(b) for b in q.bins], "counts": [int(c) for c in q.counts]},
        "jenks": {
            "bins": mc_bins,
            "counts": [int(c) for c in fj.counts],
            "sse": float(mc_sse),
            "optimum_bins": best_bins,
            "optimum_sse": float(best_sse),
            "mapclassify_is_optimum": mc_sse == best_sse,
        },
    }


# ---------------------------------------------------------------------------------------------
# Index


def standardise(s: pd.Series) -> pd.Series:
    v = s.dropna()
    return (s - v.mean()) / v.std(ddof=0)


def status_class(s: float) -> str:
    if s > 1:
        return "high"
    if s < -1.5:
        return "very_low"
    if s < -1:
        return "low"
    return "medium"


def dynamics_class(s: float) -> str:
    return "positive" if s > 1 else "negative" if s < -1 else "stable"


def composite(values: dict[str, pd.Series], boundaries: list[float], classify) -> dict:
    """Index over the components from per-component values (one period or one change)."""
    kreise = next(iter(values.values())).index
    z = {c: standardise(values[c]) for c, _, _ in INDEX_COMPONENTS}
    wsum = sum(w for _, w, _ in INDEX_COMPONENTS)
    index = sum(w * d * z[c] for c, w, d in INDEX_COMPONENTS) / wsum  # NaN where any is missing
    s = standardise(index)
    margin = min(abs(v - b) for v in s.dropna() for b in boundaries)
    stats = {c: {"mean": float(values[c].dropna().mean()), "sd": float(values[c].dropna().std(ddof=0)),
                 "n": int(values[c].notna().sum())} for c, _, _ in INDEX_COMPONENTS}
    per = {}
    for a in kreise:
        missing = [c for c, _, _ in INDEX_COMPONENTS if np.isnan(values[c][a])]
        per[a] = {
            "values": {c: num(values[c][a]) for c, _, _ in INDEX_COMPONENTS},
            "z": {c: num(z[c][a]) for c, _, _ in INDEX_COMPONENTS},
            "index": None if missing else float(index[a]),
            "index_sd_units": None if missing else float(s[a]),
            "class": None if missing else classify(float(s[a])),
            "missing": missing,
        }
    idx = index.dropna()
    return {
        "components": stats,
        "index_mean": float(idx.mean()),
        "index_sd": float(idx.std(ddof=0)),
        "n_with_index": int(idx.size),
        "class_counts": pd.Series([p["class"] for p in per.values() if p["class"]]).value_counts().sort_index().to_dict(),
        "min_margin_to_boundary": float(margin),
        "kreise": per,
    }


# ---------------------------------------------------------------------------------------------
# Join coverage


def why_unmatched(key: str) -> str:
    for pattern, reason in DEFUNCT:
        if pattern.search(key):
            return reason
    return "UNEXPLAINED"


def join_report(kreise: list[str]) -> dict:
    layer = set(kreise)
    report = {}
    for name in ("districts.csv", "lp_population.csv", "lp_income.csv", "lp_education.csv", "lp_crime.csv"):
        t = read_lp(name)
        keys = list(t.index)
        unmatched = sorted(set(keys) - layer)
        reasons: dict[str, list[str]] = {}
        for k in unmatched:
            reasons.setdefault(why_unmatched(k), []).append(k)
        assert "UNEXPLAINED" not in reasons, reasons.get("UNEXPLAINED")
        report[name] = {
            "key_column": "AGS" if name == "districts.csv" else "kreis_key",
            "rows": len(keys),
            "matched": len(set(keys) & layer),
            "kreise_without_row": sorted(layer - set(keys)),
            "rows_without_kreis": len(unmatched),
            "rows_without_kreis_by_reason": reasons,
            "germany_or_laender_rows": [k for k in keys if len(k) != 5],
        }

    g, skipped = read_genesis()
    kinds = {"DG": "Germany (DG)"}
    def kind(key: str) -> str:
        if key in kinds:
            return kinds[key]
        if key in ("02", "11"):
            return "Land that is also a Kreis (Hamburg, Berlin): right-padded to 02000 / 11000"
        return {2: "Land", 3: "Regierungsbezirk / statistische Region", 5: "Kreis",
                8: "Gemeinde or Berlin Bezirk (below Kreis level)"}[len(key)]
    g["kind"] = g.key.map(kind)
    g["ags"] = g.key.map(genesis_kreis_key)
    per_year = {}
    for year, gy in g.groupby("Jahr"):
        matched = set(gy.ags) & layer
        per_year[int(year)] = {
            "matched": len(matched),
            "missing_values": sorted(a for a in matched if np.isnan(gy.set_index("ags").loc[a, "total_value"])),
        }
    kreis_rows = g[g.kind == "Kreis"]
    defunct = sorted(set(kreis_rows.key) - layer)
    report["raw_latin1/12411-05-01-4.csv"] = {
        "format": "long: one row per year and region; ';', ISO-8859-1, no thousands separator, '-' = nothing/not existing, '.' = unknown or secret",
        **skipped,
        "data_rows": int(len(g)),
        "rows_by_kind": g.kind.value_counts().sort_index().to_dict(),
        "laender_keys": sorted(set(g.key[g.key.str.len() == 2])),
        "years": [int(g.Jahr.min()), int(g.Jahr.max())],
        "rows_per_year": int(g.groupby("Jahr").size().iloc[0]),
        "key_mapping": {"02": "02000", "11": "11000"},
        "defunct_kreise": {why_unmatched(k): [x for x in defunct if why_unmatched(x) == why_unmatched(k)] for k in defunct},
        "per_year": per_year,
        "all_401_matched_every_year": all(v["matched"] == 401 for v in per_year.values()),
    }
    assert "UNEXPLAINED" not in report["raw_latin1/12411-05-01-4.csv"]["defunct_kreise"]

    b = read_bka()
    cats = b.groupby(["Schluessel", "Straftat"], sort=False).size()
    total = b[b.Straftat == "Straftaten insgesamt"]
    assert (total.Schluessel == "------").all()
    report["raw_latin1/KR-F-01-T01-Kreise-Faelle-HZ_csv.csv"] = {
        "format": "long: one row per offence category and Kreis; ';', ISO-8859-1, CRLF; ',' thousands separator and '.' decimal point",
        "column_number_row": 1,
        "header_row": 2,
        "data_rows": int(len(b)),
        "categories": int(len(cats)),
        "rows_per_category": sorted(set(int(c) for c in cats)),
        "filter": {"Straftat": "Straftaten insgesamt"},
        "rows_after_filter": int(len(total)),
        "key_column": "Gemeindeschluessel",
        "key_rule": "left-pad to 5 digits ('1001' -> '01001', '2000' -> '02000')",
        "keys_shorter_than_5": int((total.Gemeindeschluessel.str.len() < 5).sum()),
        "matched": int(total.AGS.isin(layer).sum()),
        "germany_or_laender_rows": 0,
        "population_sum": int(total["col23 (number)"].sum()),
        "cases_sum": int(total["Anzahl erfasste Faelle (number)"].sum()),
    }
    return report


# ---------------------------------------------------------------------------------------------


def main() -> None:
    kreise = kreise_of_layer()
    frames, crime_parts = indicator_frames(kreise)
    versions = {"python": sys.version.split()[0], "pandas": pd.__version__, "numpy": np.__version__,
                "mapclassify": mapclassify.__version__}

    # Düren
    duren = {"versions": versions, "ags": DUREN, "indicators": {}}
    for ind, f in frames.items():
        duren["indicators"][ind] = {str(y): num(f.loc[DUREN, y]) for y in f.columns}
    duren["crime_rate_parts"] = {
        str(y): {"crimes": num(n[DUREN]), "population": num(d[DUREN]), "crimes_pp_times_1000": num(s[DUREN])}
        for y, (n, d, s) in crime_parts.items()
    }
    g, _ = read_genesis()
    gd = g[g.key == DUREN]
    duren["raw_genesis"] = {str(r.Jahr): {"line": int(r.line), "name": r["name"], "Insgesamt": num(r.total_value),
                                          "männlich": num(r.male_value), "weiblich": num(r.female_value)}
                            for _, r in gd.iterrows()}
    b = read_bka()
    bd = b[(b.AGS == DUREN) & (b.Straftat == "Straftaten insgesamt")].iloc[0]
    duren["raw_bka_total"] = {"Gemeindeschluessel": bd.Gemeindeschluessel, "Stadt-/Landkreis": bd["Stadt-/Landkreis"],
                              "Anzahl erfasste Faelle": int(bd["Anzahl erfasste Faelle (number)"]),
                              "Haeufigkeitszahl": int(bd["Haeufigkeitszahl (number)"]),
                              "Einwohner (col23)": int(bd["col23 (number)"])}

    # Breaks
    breaks = {"versions": versions, "classes": K, "kreise": len(kreise), "indicators": {}}
    for ind, f in frames.items():
        print(f"breaks for {ind} ...", file=sys.stderr)
        breaks["indicators"][ind] = {
            "periods": [int(y) for y in f.columns],
            "all": breaks_for(f.to_numpy().ravel()),
            "per_period": {str(y): breaks_for(f[y].to_numpy()) for y in f.columns},
        }
    write("de_atlas_breaks.json", breaks)

    # Index
    early, late = DYNAMICS_PERIODS
    common = sorted(set.intersection(*(set(frames[c].columns) for c, _, _ in INDEX_COMPONENTS)))
    assert common[0] == early and common[-1] == late == max(STATUS_PERIODS), common
    index = {
        "versions": versions,
        "components": [{"indicator": c, "weight": w, "direction": d} for c, w, d in INDEX_COMPONENTS],
        "common_periods": common,
        "status_boundaries": {"high": "s > 1", "medium": "-1 <= s <= 1", "low": "-1.5 <= s < -1", "very_low": "s < -1.5"},
        "dynamics_boundaries": {"positive": "s > 1", "stable": "-1 <= s <= 1", "negative": "s < -1"},
        "status": {str(y): composite({c: frames[c][y] for c, _, _ in INDEX_COMPONENTS}, [1, -1, -1.5], status_class)
                   for y in STATUS_PERIODS},
        "dynamics": {"period": late, "compare": early,
                     **composite({c: frames[c][late] - frames[c][early] for c, _, _ in INDEX_COMPONENTS}, [1, -1], dynamics_class)},
    }
    st, dy = index["status"][str(late)]["kreise"], index["dynamics"]["kreise"]
    index["typology"] = {"period": late, "compare": early,
                         "kreise": {a: (f"{st[a]['class']}/{dy[a]['class']}" if st[a]["class"] and dy[a]["class"] else None) for a in kreise}}
    index["typology"]["counts"] = pd.Series([v for v in index["typology"]["kreise"].values() if v]).value_counts().sort_index().to_dict()
    write("de_atlas_index.json", index)

    # Düren's index, with each component's contribution weight * direction * z.
    def with_contributions(entry: dict) -> dict:
        contributions = {c: (None if entry["z"][c] is None else w * d * entry["z"][c]) for c, w, d in INDEX_COMPONENTS}
        return {**entry, "contributions": contributions}
    duren["index"] = {
        "status": {y: with_contributions(index["status"][y]["kreise"][DUREN]) for y in index["status"]},
        "dynamics": with_contributions(index["dynamics"]["kreise"][DUREN]),
        "typology": index["typology"]["kreise"][DUREN],
    }
    write("de_atlas_duren.json", duren)

    # Change maps
    def change(ind: str, period: int, compare: int, percent: bool) -> dict:
        f = frames[ind]
        a, b_ = f[period], f[compare]
        ch = (a - b_) / b_.where(b_ != 0) * 100 if percent else a - b_
        return {"indicator": ind, "period": period, "compare": compare, "change": "percent" if percent else "absolute",
                "missing": sorted(ch[ch.isna()].index), "values": {k: num(ch[k]) for k in kreise}}
    write("de_atlas_change.json", {"versions": versions, "maps": [
        change("population", 2019, 2008, False),
        change("population", 2019, 2008, True),
        change("abitur", 2019, 2006, False),
    ]})

    # Join coverage
    write("de_atlas_join.json", {"versions": versions, "kreise": len(kreise), "tables": join_report(kreise)})


if __name__ == "__main__":
    main()
