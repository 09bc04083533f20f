#!/usr/bin/env python3
"""Reference for a .dbf with fields of width 0 (crates/quartier-geo/tests/guards.rs).

Some exporters write a field of width 0 for an empty column. pyshp reads such a file: the field
takes no bytes in a record, a text field reads as "" and a numeric one as None. This script
records what pyshp reads from tests/fixtures/bad/nc_zero_width.dbf (made by make_bad_fixtures.py):
the fields and every record, so the test can compare Quartier's attributes value by value.

Version used to write the committed output: Python 3.11, pyshp 3.1.6.

    pip install pyshp==3.1.6
    python3 tests/reference/dbf_reference.py

Writes tests/fixtures/reference/dbf_zero_width.json.
"""
import json
import os

import shapefile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")


def main():
    r = shapefile.Reader(os.path.join(ROOT, "bad", "nc_zero_width"), encoding="latin-1")
    fields = [{"name": f[0], "type": f[1], "size": f[2]} for f in r.fields[1:]]
    records = [list(rec) for rec in r.iterRecords()]
    out = {
        "pyshp": shapefile.__version__,
        "numRecords": r.numRecords,
        "fields": fields,
        "records": records,
    }
    # One record per line, so that a diff shows which record changed.
    dump = lambda v: json.dumps(v, ensure_ascii=False)
    lines = [f'"{k}": {dump(v)}' for k, v in out.items() if k != "records"]
    lines.append('"records": [\n' + ",\n".join(dump(rec) for rec in records) + "\n]")
    with open(os.path.join(ROOT, "reference", "dbf_zero_width.json"), "w") as f:
        f.write("{\n" + ",\n".join(lines) + "\n}\n")
    print(r.numRecords, "records;", [x["name"] for x in fields])


if __name__ == "__main__":
    main()
