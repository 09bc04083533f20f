"""Reference for reading every table of tests/fixtures/de_kreise_indicators with Quartier.

pandas (3.1.1 when generated) reads each CSV/JSON with explicit options (it does no detection of
ours), keys as text; the script writes the row count, the key column and Düren's (AGS 05358) row of
every numeric column to tests/fixtures/reference/de_kreise_duren.json.

Run from the repository root: python3 tests/reference/de_kreise_reference.py
"""
import json
import math
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests/fixtures/de_kreise_indicators"
OUT = ROOT / "tests/fixtures/reference/de_kreise_duren.json"

FILES = {
    "lp_crime.csv": dict(sep=",", key="kreis_key"),
    "lp_education.csv": dict(sep=",", key="kreis_key"),
    "lp_household.csv": dict(sep=",", key="kreis_key"),
    "lp_income.csv": dict(sep=",", key="kreis_key"),
    "lp_population.csv": dict(sep=",", key="kreis_key"),
    "districts.csv": dict(sep=";", key="AGS"),
    "districts.json": dict(json=True, key="AGS"),
}

result = {"pandas": pd.__version__, "files": {}}
for name, opt in FILES.items():
    key = opt["key"]
    if opt.get("json"):
        df = pd.read_json(DATA / name, dtype={key: str})
    else:
        df = pd.read_csv(DATA / name, sep=opt["sep"], dtype={key: str})
    rows = df[df[key] == "05358"]
    assert len(rows) == 1, (name, len(rows))
    row = rows.iloc[0]
    numeric = {}
    for col in df.columns:
        if col == key or not pd.api.types.is_numeric_dtype(df[col]):
            continue
        v = row[col]
        numeric[str(col)] = None if (isinstance(v, float) and math.isnan(v)) else float(v)
    text = {str(c): str(row[c]) for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])}
    result["files"][name] = {
        "key": key,
        "rows": len(df),
        "duren_numeric": numeric,
        "duren_text": text,
    }

OUT.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
print(f"wrote {OUT}")
