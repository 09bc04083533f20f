#!/usr/bin/env python3
"""Reference points for the HTTP server tests (crates/quartier-server/tests/api.rs, tests/tests.rs).

For every district of the bundled atlas layers (geodata/: NC counties, Boston tracts, Montréal
districts, Boston's towns dissolved from the tracts, London boroughs) this finds a point well
inside it, independently of Quartier:

- pyshp reads the shapefiles, Python's json module the GeoJSON; the London TopoJSON is decoded by
  `decode_topojson` of aggregate_reference.py (arcs decoded by hand from the specification,
  Richmond upon Thames repaired with GEOS's make_valid);
- Boston's towns (layer `boston_towns`) are the shapely unary_union of their tracts, grouped by
  the tracts' TOWN field (stripped), as `[layer.aggregate] dissolve = "TOWN"` in geodata/atlas.toml;
- shapely's polylabel finds the pole of inaccessibility of the district's largest polygon (the
  interior point farthest from its boundary) and its distance to the boundary;
- pyproj reprojects NAD27 (EPSG:4267, the .prj of NC and Boston) to WGS84 (EPSG:4326).
  Without PROJ network grids PROJ picks a Helmert/ballpark transformation that can be some tens
  of metres off NADCON; every point kept here lies at least 150 m inside its district, so that
  error cannot move it across a border.

It also writes each layer's WGS84 bounds (every vertex reprojected), and each NC county's SIDS rate 1974 (SID74 / BIR74 * 1000, the atlas indicator
`sids_rate74`) computed here from the DBF, so a test can tell which class (from mapclassify's
breaks in classify_mapclassify.json) and so which colour a county must be drawn in.

Versions used to write the committed output: Python 3.11.7, pyshp 3.1.6, shapely 2.2.0,
pyproj 3.7.2 (PROJ 9.5.1).

    pip install pyshp==3.1.6 shapely==2.2.0 pyproj==3.7.2
    python3 tests/reference/server_reference.py

Writes tests/fixtures/reference/server_interior_points.json.
"""
import json
import math
import os

import sys

import pyproj
import shapefile
import shapely
from shapely.geometry import shape
from shapely.ops import polylabel, unary_union

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from aggregate_reference import decode_topojson  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
GEODATA = os.path.join(HERE, "..", "..", "geodata")
OUT = os.path.join(HERE, "..", "fixtures", "reference", "server_interior_points.json")

# Points closer than this to their district's border are left out (metres).
MIN_RADIUS_M = 150.0
METRES_PER_DEGREE = 111_320.0


def interior(geom):
    """Pole of inaccessibility of the largest polygon, and its distance to the boundary (degrees)."""
    polys = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]
    largest = max(polys, key=lambda p: p.area)
    p = polylabel(largest, tolerance=1e-6)
    return p, largest.exterior.distance(p) if largest.contains(p) else 0.0, largest


def radius_m(lat, deg):
    """A lower bound of a distance in degrees as metres (longitude degrees shrink with latitude)."""
    return deg * METRES_PER_DEGREE * math.cos(math.radians(lat))


def shapefile_points(path, id_field, name_field, extra=None):
    nad27 = pyproj.Transformer.from_crs("EPSG:4267", "EPSG:4326", always_xy=True)
    r = shapefile.Reader(path, encoding="utf-8")
    out = []
    for sr in r.iterShapeRecords():
        rec = sr.record.as_dict()
        geom = shape(sr.shape.__geo_interface__)
        row = geometry_row(str(rec[id_field]), rec[name_field], geom, nad27.transform)
        if row and extra:
            row.update(extra(rec))
        if row:
            out.append(row)
    return out


def geojson_points(path, name_field):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    rows = (
        geometry_row(str(feat["id"]), feat["properties"][name_field], shape(feat["geometry"]))
        for feat in data["features"]
    )
    return [r for r in rows if r]


def geometry_row(district_id, name, geom, to_wgs84=None):
    """The interior point row of one district geometry, or None when it is too close to a border."""
    p, deg, largest = interior(geom)
    # Distance to holes too: the pole is inside the polygon, so distance to the whole boundary
    # is what counts.
    deg = min(deg, largest.boundary.distance(p))
    lon, lat = to_wgs84(p.x, p.y) if to_wgs84 else (p.x, p.y)
    row = {
        "id": district_id,
        "name": name,
        "lon": round(lon, 7),
        "lat": round(lat, 7),
        "radius_m": round(radius_m(lat, deg), 1),
    }
    return row if row["radius_m"] >= MIN_RADIUS_M else None


def dissolved_towns(path):
    """Boston's tracts unioned per TOWN, in order of first appearance: [(town, geometry)]."""
    r = shapefile.Reader(path, encoding="utf-8")
    order, parts = [], {}
    for sr in r.iterShapeRecords():
        town = sr.record["TOWN"].strip()
        if town not in parts:
            order.append(town)
            parts[town] = []
        parts[town].append(shape(sr.shape.__geo_interface__))
    return [(town, unary_union(parts[town])) for town in order]


def town_points(path):
    nad27 = pyproj.Transformer.from_crs("EPSG:4267", "EPSG:4326", always_xy=True)
    rows = (geometry_row(town, town, g, nad27.transform) for town, g in dissolved_towns(path))
    return [r for r in rows if r]


def london_points(path):
    boroughs, _, _ = decode_topojson(path)
    # The feature id is the borough's name, and the layer has no name field: name = id.
    rows = (geometry_row(str(bid), str(bid), g) for bid, g in boroughs)
    return [r for r in rows if r]


def london_bounds(path):
    boroughs, _, _ = decode_topojson(path)
    return list(shapely.GeometryCollection([g for _, g in boroughs]).bounds)


def shapefile_bounds(path):
    """WGS84 bounds [w, s, e, n] of every vertex, reprojected from NAD27."""
    nad27 = pyproj.Transformer.from_crs("EPSG:4267", "EPSG:4326", always_xy=True)
    xs, ys = [], []
    for shp in shapefile.Reader(path).iterShapes():
        lons, lats = nad27.transform(*zip(*shp.points))
        xs.extend(lons)
        ys.extend(lats)
    return [min(xs), min(ys), max(xs), max(ys)]


def geojson_bounds(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    b = shapely.GeometryCollection([shape(f["geometry"]) for f in data["features"]]).bounds
    return list(b)


def nc_extra(rec):
    bir, sid = rec["BIR74"], rec["SID74"]
    return {"sids_rate74": sid / bir * 1000 if bir else None}


def main():
    result = {
        "generator": "tests/reference/server_reference.py",
        "versions": {
            "pyshp": shapefile.__version__,
            "shapely": shapely.__version__,
            "pyproj": pyproj.__version__,
            "proj": pyproj.proj_version_str,
        },
        "min_radius_m": MIN_RADIUS_M,
        "bounds": {
            "nc": shapefile_bounds(os.path.join(GEODATA, "nc", "nc.shp")),
            "boston": shapefile_bounds(os.path.join(GEODATA, "boston", "boston_tracts.shp")),
            "montreal": geojson_bounds(os.path.join(GEODATA, "montreal", "election.geojson")),
            # The union of all tracts has the tracts' extent: the same vertices are extreme.
            "boston_towns": shapefile_bounds(os.path.join(GEODATA, "boston", "boston_tracts.shp")),
            "london": london_bounds(os.path.join(GEODATA, "london", "londonBoroughs.json")),
        },
        "layers": {
            "nc": shapefile_points(os.path.join(GEODATA, "nc", "nc.shp"), "FIPS", "NAME", nc_extra),
            "boston": shapefile_points(
                os.path.join(GEODATA, "boston", "boston_tracts.shp"), "poltract", "TOWN"
            ),
            "montreal": geojson_points(
                os.path.join(GEODATA, "montreal", "election.geojson"), "district"
            ),
            "boston_towns": town_points(os.path.join(GEODATA, "boston", "boston_tracts.shp")),
            "london": london_points(os.path.join(GEODATA, "london", "londonBoroughs.json")),
        },
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1, ensure_ascii=False)
        f.write("\n")
    for layer, rows in result["layers"].items():
        print(f"{layer}: {len(rows)} interior points")


if __name__ == "__main__":
    main()
