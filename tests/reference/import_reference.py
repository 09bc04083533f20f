#!/usr/bin/env python3
"""Reference values for the boundary importer (crates/quartier-geo/tests/import.rs).

Independent readers: pyshp reads the shapefiles (with the encoding each file is documented to
use, see tests/fixtures/SOURCES.md), Python's json module reads GeoJSON/TopoJSON, pyproj
(PROJ) reprojects the Swiss districts from CH1903+/LV95 (EPSG:2056) to WGS84, and shapely (GEOS)
says which London boroughs are invalid after TopoJSON quantization.

Versions used to write the committed output: Python 3.11.7, pyshp 3.1.6, pyproj 3.7.2 (PROJ 9.5.1),
shapely 2.2.0 (GEOS 3.14.1), without PROJ network grids (so EPSG:2056 -> 4326 uses PROJ's default
Helmert transformation).

    pip install pyshp==3.1.6 pyproj==3.7.2 shapely==2.2.0
    python3 tests/reference/import_reference.py

Writes tests/fixtures/reference/import_swiss_wgs84.json, import_attributes.json and
import_lv95_crs_member.geojson (two Swiss districts in LV95 with a legacy GeoJSON `crs` member).
"""
import json
import os

import pyproj
import shapefile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
OUT = os.path.join(ROOT, "reference")


def swiss_wgs84():
    """First vertex and WGS84 bbox of a few Swiss districts, by district id."""
    t = pyproj.Transformer.from_crs("EPSG:2056", "EPSG:4326", always_xy=True)
    r = shapefile.Reader(os.path.join(ROOT, "swiss_2024", "districts"), encoding="utf-8")
    wanted = {101, 103, 241, 1002, 2105, 2500, 1701}
    out = []
    for shape_rec in r.iterShapeRecords():
        rec, shp = shape_rec.record, shape_rec.shape
        if rec["id"] not in wanted:
            continue
        xs, ys = zip(*shp.points)
        lons, lats = t.transform(xs, ys)
        lon0, lat0 = t.transform(*shp.points[0])
        out.append(
            {
                "id": str(rec["id"]),
                "name": rec["name"],
                "first_vertex_lv95": list(shp.points[0]),
                "first_vertex_wgs84": [lon0, lat0],
                "bbox_wgs84": [min(lons), min(lats), max(lons), max(lats)],
                "vertices": len(shp.points),
                "parts": len(shp.parts),
            }
        )
    return {
        "source": "tests/fixtures/swiss_2024/districts.shp",
        "transform": "pyproj %s / PROJ %s, EPSG:2056 -> EPSG:4326, always_xy" % (pyproj.__version__, pyproj.proj_version_str),
        "districts": sorted(out, key=lambda d: int(d["id"])),
    }


def lv95_geojson():
    """Bülach and Affoltern in LV95 coordinates as a GeoJSON file with the legacy `crs` member, to
    test that the member is honoured (the expected WGS84 values are in import_swiss_wgs84.json)."""
    r = shapefile.Reader(os.path.join(ROOT, "swiss_2024", "districts"), encoding="utf-8")
    features = []
    for shape_rec in r.iterShapeRecords():
        rec = shape_rec.record
        if rec["id"] in (101, 103):
            features.append({"type": "Feature", "id": str(rec["id"]), "properties": {"name": rec["name"]},
                             "geometry": shape_rec.shape.__geo_interface__})
    return {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2056"}},
            "features": features}


def shp_summary(path, encoding, picks, non_ascii_field=None, leading_zero_field=None):
    """Record count, fields and a few records of one shapefile, read with pyshp.

    With non_ascii_field, the first record whose value there is not ASCII is sampled too; with
    leading_zero_field, the first record whose value there starts with "0".
    """
    r = shapefile.Reader(os.path.join(ROOT, path), encoding=encoding)
    fields = [[f.name, str(f.field_type.name if hasattr(f.field_type, "name") else f.field_type), f.size, f.decimal]
              for f in r.fields[1:]]
    records = r.records()
    if non_ascii_field:
        picks = picks + [next(i for i, rec in enumerate(records) if not str(rec[non_ascii_field]).isascii())]
    if leading_zero_field:
        picks = picks + [next(i for i, rec in enumerate(records) if str(rec[leading_zero_field]).startswith("0"))]

    def value(v):
        if isinstance(v, bytes):
            return v.decode(encoding)
        if hasattr(v, "isoformat"):
            return v.isoformat()
        return v

    sample = {str(i + 1): {k: value(v) for k, v in records[i].as_dict().items()} for i in picks if i < len(records)}
    return {"encoding": encoding, "records": len(records), "shapes": len(r.shapes()), "fields": fields, "sample": sample,
            "geos_invalid": geos_invalid(r)}


def geos_invalid(reader):
    """[feature, polygon, reason] for every polygon GEOS (shapely) finds invalid; pyshp assigns the holes."""
    from shapely.geometry import shape
    from shapely.validation import explain_validity

    out = []
    for i, s in enumerate(reader.shapes()):
        if not s.points:
            continue
        g = shape(s.__geo_interface__)
        for k, p in enumerate(getattr(g, "geoms", [g])):
            why = explain_validity(p)
            if why != "Valid Geometry":
                out.append([i + 1, k + 1, why])
    return out


def geojson_summary(path, picks):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        d = json.load(f)
    feats = d["features"]
    return {
        "records": len(feats),
        "sample": {str(i + 1): {"id": feats[i].get("id"), "properties": feats[i]["properties"]} for i in picks},
        "first_vertex": feats[0]["geometry"]["coordinates"][0][0][0],
    }


def topojson_summary(path):
    """Ids, and per borough what GEOS (shapely) says about the decoded polygons.

    The arcs are decoded here by hand from the TopoJSON specification (delta-encoded integers,
    scale/translate, ~i for reversed arcs), independently of the Rust reader.
    """
    from shapely.geometry import Polygon
    from shapely.validation import explain_validity

    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        d = json.load(f)
    (sx, sy), (tx, ty) = d["transform"]["scale"], d["transform"]["translate"]
    arcs = []
    for arc in d["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)

    def ring(indices):
        out = []
        for i in indices:
            a = arcs[i] if i >= 0 else arcs[~i][::-1]
            out.extend(a if not out else a[1:])
        return out

    (name, obj), = d["objects"].items()
    geoms = obj["geometries"]
    boroughs = []
    for g in geoms:
        polys = [g["arcs"]] if g["type"] == "Polygon" else g["arcs"]
        problems = []
        for k, rings in enumerate(polys):
            coords = [ring(r) for r in rings]
            distinct = len(set(coords[0]))
            if distinct < 3:
                problems.append("polygon %d: %d distinct points" % (k + 1, distinct))
                continue
            why = explain_validity(Polygon(coords[0], coords[1:]))
            if why != "Valid Geometry":
                problems.append("polygon %d: %s" % (k + 1, why))
        boroughs.append({"id": g.get("id"), "problems": problems})
    return {"records": len(geoms), "ids": [g.get("id") for g in geoms], "object": name, "geos": boroughs}


def attributes():
    return {
        "nc_sids/nc": shp_summary("nc_sids/nc", "cp1252", [0, 1, 2, 99]),
        "boston_tracts/boston_tracts": shp_summary("boston_tracts/boston_tracts", "cp1252", [0, 505]),
        "swiss_2024/districts": shp_summary("swiss_2024/districts", "utf-8", [0, 2, 142], "name"),
        "swiss_2024/cantons": shp_summary("swiss_2024/cantons", "utf-8", [0, 25], "name"),
        "codepages/olinda1": shp_summary("codepages/olinda1", "cp1252", [0, 1, 469], "NM_BAIR"),
        "codepages/naturalearth_lowres": shp_summary("codepages/naturalearth_lowres", "latin1", [0, 176], "name"),
        "codepages/latin1": shp_summary("codepages/latin1", "latin1", [0]),
        "us_counties/cb_2016_us_county_500k": shp_summary("us_counties/cb_2016_us_county_500k", "utf-8", [0, 3232], "NAME", "GEOID"),
        "montreal_districts/election": geojson_summary("montreal_districts/election.geojson", [0, 57]),
        "london/londonBoroughs": topojson_summary("london/londonBoroughs.json"),
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    outputs = [("import_swiss_wgs84.json", swiss_wgs84()), ("import_attributes.json", attributes()),
               ("import_lv95_crs_member.geojson", lv95_geojson())]
    for name, data in outputs:
        with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=1)
            f.write("\n")
        print("wrote", name)


if __name__ == "__main__":
    main()
