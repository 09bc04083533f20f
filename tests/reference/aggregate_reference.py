#!/usr/bin/env python3
"""Reference values for aggregation into districts (crates/quartier-geo/tests/aggregate.rs).

Computed independently of Quartier from the same files: pyshp reads the shapefiles, Python's json
module reads GeoJSON and TopoJSON (arcs decoded by hand from the TopoJSON specification), shapely
(GEOS) does point-in-polygon, unions and intersections, and pyproj's Geod (GeographicLib) measures
geodesic areas on the WGS84 ellipsoid.

Versions used to write the committed output: Python 3.11.7, pyshp 3.1.6, shapely 2.2.0 (GEOS 3.14.1),
pyproj 3.7.2 (PROJ 9.5.1).

    pip install pyshp==3.1.6 shapely==2.2.0 pyproj==3.7.2
    python3 tests/reference/aggregate_reference.py

Writes into tests/fixtures/reference/:
- aggregate_london.json: cycle-hire docking stations per London borough (count, sum of nbikes) by
  the first-borough-whose-closed-polygon-covers-the-point rule, the stations in no borough,
  geodesic borough areas, and the same rule for points placed exactly on borough vertices
  (aggregate_london_border_points.json, written here too);
  plus an area-weighted case in longitude/latitude with geodesic areas: a 0.02 x 0.01 degree grid
  over central London (aggregate_london_grid.json, written here too).
- aggregate_boston.json: the 506 Boston tracts grouped by TOWN (first appearance order): tract
  counts, POP sums, POP-weighted means of LSTAT and CRIM, plain means of CMEDV, and the number of
  polygons and holes of each town's dissolved geometry.
- aggregate_nc_change.json: the percent change of births from 1974-78 (BIR74) to 1979-84 (BIR79)
  per North Carolina county (FIPS), for the change-between-two-years indicator.
- aggregate_swiss.json: an area-weighted case in projected metres: a regular 10 km grid in
  CH1903+/LV95 (EPSG:2056, written as aggregate_swiss_grid.json) apportioned into the 143 Swiss
  districts by planar intersection areas; and the number of Bezirke per canton (the DBF's KTNR),
  what aggregating the Bezirke into the cantons by area must count.
A unit whose largest piece holds at least 1 - 0.001 of its area, and whose other pieces are each
under 0.001 of their district's area, goes whole to that district (the others are slivers).

The rules reproduced (see crates/quartier-geo/src/aggregate/mod.rs): a point belongs to the first
district in layer order whose closed polygon contains it; a unit's sums go to a district in
proportion area(unit & district) / area(unit); a weighted mean by area is
sum(v * w * a) / sum(w * a) with a the intersection area (w = 1 without a weight field).
"""
import json
import os

import shapefile
from pyproj import Geod
from shapely.geometry import MultiPolygon, Point, Polygon, box, shape
from shapely.geometry.polygon import orient
from shapely.ops import unary_union
from shapely.validation import make_valid

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
OUT = os.path.join(ROOT, "reference")
GEOD = Geod(ellps="WGS84")


def polygons(geom):
    """The polygons of a polygonal result (intersections may return collections)."""
    if geom.is_empty:
        return []
    if geom.geom_type == "Polygon":
        return [geom]
    if geom.geom_type == "MultiPolygon":
        return list(geom.geoms)
    if geom.geom_type == "GeometryCollection":
        return [p for g in geom.geoms for p in polygons(g)]
    return []


def geodesic_area(geom):
    """Geodesic area in m² of longitude/latitude polygons, each oriented counter-clockwise."""
    return sum(abs(GEOD.geometry_area_perimeter(orient(p, 1.0))[0]) for p in polygons(geom))


def decode_topojson(path):
    """[(id, shapely geometry)] in the object's order; arcs decoded from the specification."""
    with open(path, encoding="utf-8") as f:
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

    (obj,) = d["objects"].values()
    out = []
    repaired = []
    for g in obj["geometries"]:
        polys = [g["arcs"]] if g["type"] == "Polygon" else g["arcs"]
        parts = []
        for rings in polys:
            coords = [ring(r) for r in rings]
            if len(set(coords[0])) < 3:
                continue
            poly = Polygon(coords[0], coords[1:])
            if not poly.is_valid:
                # Quartier's importer rebuilds a self-intersecting polygon by polygon overlay
                # (Richmond upon Thames); GEOS's make_valid is the independent equivalent.
                repaired.append(g["id"])
                poly = make_valid(poly)
            parts.extend(polygons(poly))
        out.append((g["id"], MultiPolygon(parts)))
    return out, arcs, repaired


def first_covering(districts, point):
    """Index of the first district whose closed polygon covers the point, or None."""
    for i, (_, geom) in enumerate(districts):
        if geom.covers(point):
            return i
    return None


SLIVER = 1e-3  # quartier_geo::aggregate::SLIVER


def apportion(districts, cells, area, weight_field, value_fields, mean_field):
    """Area-weighted apportionment of grid cells (GeoJSON features) into districts.

    A cell whose largest piece holds at least 1 - SLIVER of its area, and whose other pieces are
    each under SLIVER of their own district's area, goes whole to that district (the rest are
    slivers); every other cell is shared by its pieces' areas."""
    n = len(districts)
    district_area = [area(dgeom) for _, dgeom in districts]
    count = [0.0] * n
    sums = {f: [0.0] * n for f in value_fields}
    num = [0.0] * n
    den = [0.0] * n
    plain_num = [0.0] * n
    plain_den = [0.0] * n
    reached = [False] * n
    totals = {f: 0.0 for f in value_fields}
    outside = {f: 0.0 for f in value_fields}
    assigned = split = out = slivers = 0

    def add(d, frac, a, props):
        reached[d] = True
        count[d] += frac
        for f in value_fields:
            sums[f][d] += props[f] * frac
        w = props[weight_field] * a
        num[d] += props[mean_field] * w
        den[d] += w
        plain_num[d] += props[mean_field] * a
        plain_den[d] += a

    for cell in cells:
        geom = shape(cell["geometry"])
        props = cell["properties"]
        cell_area = area(geom)
        pieces = []
        for d, (_, dgeom) in enumerate(districts):
            if not geom.intersects(dgeom):
                continue
            a = area(geom.intersection(dgeom))
            if a > 0:
                pieces.append((d, a))
        for f in value_fields:
            totals[f] += props[f]
        if pieces:
            best, best_a = max(pieces, key=lambda p: p[1])
            if best_a >= (1 - SLIVER) * cell_area and all(
                    a < SLIVER * district_area[d] for d, a in pieces if d != best):
                add(best, 1.0, cell_area, props)
                assigned += 1
                if len(pieces) > 1 or best_a / cell_area < 1 - 1e-9:
                    slivers += 1
                continue
        placed = 0.0
        largest = 0.0
        touched = 0
        for d, a in pieces:
            frac = a / cell_area
            placed += frac
            largest = max(largest, frac)
            if frac > 1e-9:
                touched += 1
            add(d, frac, a, props)
        for f in value_fields:
            outside[f] += props[f] * (1 - placed)
        if largest >= 1 - 1e-9:
            assigned += 1
        elif touched:
            split += 1
        else:
            out += 1
    rows = []
    for d, (did, _) in enumerate(districts):
        rows.append({
            "id": did,
            "count": count[d],
            # A district no cell reaches has missing sums (units that do not cover it say nothing).
            **{f + "_sum": sums[f][d] if reached[d] else None for f in value_fields},
            mean_field + "_mean_weighted": num[d] / den[d] if den[d] else None,
            mean_field + "_mean_area": plain_num[d] / plain_den[d] if plain_den[d] else None,
        })
    return {
        "districts": rows,
        "cells": len(cells),
        "assigned": assigned,
        "split": split,
        "slivers": slivers,
        "outside": out,
        "totals": totals,
        "outside_totals": outside,
    }


def grid(x0, y0, dx, dy, nx, ny, crs=None):
    """A regular grid as a GeoJSON FeatureCollection, row by row from the south-west."""
    feats = []
    for j in range(ny):
        for i in range(nx):
            x, y = x0 + i * dx, y0 + j * dy
            ring = [[x, y], [x + dx, y], [x + dx, y + dy], [x, y + dy], [x, y]]
            feats.append({
                "type": "Feature",
                "properties": {
                    "cell": "r%dc%d" % (j, i),
                    "pop": (i * 7919 + j * 104729) % 1000 + 1,
                    "share": ((i * 31 + j * 17) % 100) / 4,
                },
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            })
    fc = {"type": "FeatureCollection"}
    if crs:
        fc["crs"] = {"type": "name", "properties": {"name": crs}}
    fc["features"] = feats
    return fc


def write(name, data, compact=False):
    """Results indented for review; input files (grids, points) compact, one feature per line."""
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        if compact:
            head = {k: v for k, v in data.items() if k != "features"}
            text = json.dumps(head, ensure_ascii=False)[:-1]
            f.write(text + (', ' if len(head) > 0 else '') + '"features": [\n')
            f.write(",\n".join(json.dumps(x, ensure_ascii=False, separators=(",", ":")) for x in data["features"]))
            f.write("\n]}\n")
        else:
            json.dump(data, f, ensure_ascii=False, indent=1)
            f.write("\n")


def london():
    boroughs, arcs, repaired = decode_topojson(os.path.join(ROOT, "london", "londonBoroughs.json"))
    with open(os.path.join(ROOT, "london", "cycle_hire.geojson"), encoding="utf-8") as f:
        stations = json.load(f)["features"]
    count = [0] * len(boroughs)
    nbikes = [0] * len(boroughs)
    outside = []
    for k, s in enumerate(stations):
        i = first_covering(boroughs, Point(s["geometry"]["coordinates"]))
        if i is None:
            outside.append(k + 1)
        else:
            count[i] += 1
            nbikes[i] += s["properties"]["nbikes"]

    # Points exactly on borough borders: every 7th vertex of every arc (arcs are the shared borders).
    border_points = []
    for a, arc in enumerate(arcs):
        for v in range(0, len(arc), 7):
            border_points.append(arc[v])
    border_fc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"n": n + 1}, "geometry": {"type": "Point", "coordinates": list(p)}}
            for n, p in enumerate(border_points)
        ],
    }
    write("aggregate_london_border_points.json", border_fc, compact=True)
    border_assigned = []
    on_repaired = []
    repaired_geoms = [g for bid, g in boroughs if bid in repaired]
    for n, p in enumerate(border_points):
        i = first_covering(boroughs, Point(p))
        border_assigned.append(None if i is None else boroughs[i][0])
        # The importer's repair snaps the rebuilt polygon's vertices to its overlay grid
        # (about 1e-10 degrees), so "exactly on the border" is not defined there.
        if any(g.distance(Point(p)) < 1e-8 for g in repaired_geoms):
            on_repaired.append(n + 1)
    on_boundary = sum(1 for p in border_points if any(g.boundary.intersects(Point(p)) for _, g in boroughs))

    # Area-weighted in longitude/latitude, geodesic areas: a grid over central London.
    lgrid = grid(-0.25, 51.45, 0.02, 0.01, 15, 12)
    write("aggregate_london_grid.json", lgrid, compact=True)
    weighted = apportion(boroughs, lgrid["features"], geodesic_area, "pop", ["pop"], "share")

    return {
        "stations": len(stations),
        "boroughs": [
            {"id": bid, "count": count[i], "nbikes_sum": nbikes[i], "area_km2": geodesic_area(g) / 1e6}
            for i, (bid, g) in enumerate(boroughs)
        ],
        "outside_features": outside,
        "repaired_boroughs": repaired,
        "border_points": {
            "points": len(border_points),
            "on_boundary": on_boundary,
            "district": border_assigned,
            "near_repaired_borough": on_repaired,
        },
        "grid": weighted,
    }


def boston():
    r = shapefile.Reader(os.path.join(ROOT, "boston_tracts", "boston_tracts"), encoding="cp1252")
    order = []
    groups = {}
    for sr in r.iterShapeRecords():
        rec = sr.record
        town = rec["TOWN"].strip()
        if town not in groups:
            order.append(town)
            groups[town] = []
        groups[town].append((rec, shape(sr.shape.__geo_interface__)))
    towns = []
    for town in order:
        rows = groups[town]
        pop = sum(rec["POP"] for rec, _ in rows)
        lstat = sum(rec["LSTAT"] * rec["POP"] for rec, _ in rows) / pop
        crim = sum(rec["CRIM"] * rec["POP"] for rec, _ in rows) / pop
        cmedv = sum(rec["CMEDV"] for rec, _ in rows) / len(rows)
        union = unary_union([g for _, g in rows])
        parts = polygons(union)
        towns.append({
            "id": town,
            "count": len(rows),
            "POP_sum": pop,
            "units_sum": sum(rec["units"] for rec, _ in rows),
            "LSTAT_mean": lstat,
            "CRIM_mean": crim,
            "CMEDV_mean": cmedv,
            "polygons": len(parts),
            "holes": sum(len(p.interiors) for p in parts),
        })
    return {"tracts": len(r), "towns": towns}


def swiss():
    r = shapefile.Reader(os.path.join(ROOT, "swiss_2024", "districts"), encoding="utf-8")
    districts = []
    for sr in r.iterShapeRecords():
        districts.append((str(sr.record["id"]), shape(sr.shape.__geo_interface__)))
    g = grid(2480000, 1070000, 10000, 10000, 36, 24, "urn:ogc:def:crs:EPSG::2056")
    write("aggregate_swiss_grid.json", g, compact=True)
    out = apportion(districts, g["features"], lambda geom: geom.area, "pop", ["pop"], "share")
    out["grid"] = {"x0": 2480000, "y0": 1070000, "size": 10000, "nx": 36, "ny": 24, "crs": "EPSG:2056"}
    # The 143 Bezirke nest in the 26 cantons (their KTNR): apportioned by area, each goes whole
    # to its canton, so the counts are whole numbers (slivers where the two files disagree by
    # millimetres must not make 12 Bezirke 11.99999998716896).
    per_canton = {}
    for rec in r.iterRecords():
        per_canton[str(rec["KTNR"])] = per_canton.get(str(rec["KTNR"]), 0) + 1
    out["bezirke_per_canton"] = per_canton
    return out


def nc_change():
    """Percent change of births from 1974-78 to 1979-84 per NC county, by FIPS."""
    r = shapefile.Reader(os.path.join(ROOT, "nc_sids", "nc"), encoding="cp1252")
    return {
        rec["FIPS"]: (rec["BIR79"] - rec["BIR74"]) / rec["BIR74"] * 100 if rec["BIR74"] else None
        for rec in r.records()
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    write("aggregate_nc_change.json", nc_change())
    write("aggregate_london.json", london())
    write("aggregate_boston.json", boston())
    write("aggregate_swiss.json", swiss())


if __name__ == "__main__":
    main()
