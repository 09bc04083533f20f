#!/usr/bin/env python3
"""Reference points for the HTTP server tests (crates/quartier-server/tests/api.rs, tests/tests.rs).

For every district of the bundled atlas layers (geodata/: NC counties, Boston tracts, Montréal
districts) this finds a point well inside it, independently of Quartier:

- pyshp reads the shapefiles, Python's json module the GeoJSON;
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

import pyproj
import shapefile
import shapely
from shapely.geometry import shape
from shapely.ops import polylabel

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
        geom = shape(sr.shape.__geo_interface__)
        p, deg, largest = interior(geom)
        # Distance to holes too: the pole is inside the polygon, so distance to the whole
        # boundary is what counts.
        deg = min(deg, largest.boundary.distance(p))
        lon, lat = nad27.transform(p.x, p.y)
        rec = sr.record.as_dict()
        row = {
            "id": str(rec[id_field]),
            "name": rec[name_field],
            "lon": round(lon, 7),
            "lat": round(lat, 7),
            "radius_m": round(radius_m(lat, deg), 1),
        }
        if extra:
            row.update(extra(rec))
        if row["radius_m"] >= MIN_RADIUS_M:
            out.append(row)
    return out


def geojson_points(path, name_field):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    out = []
    for feat in data["features"]:
        geom = shape(feat["geometry"])
        p, deg, largest = interior(geom)
        deg = min(deg, largest.boundary.distance(p))
        row = {
            "id": str(feat["id"]),
            "name": feat["properties"][name_field],
            "lon": round(p.x, 7),
            "lat": round(p.y, 7),
            "radius_m": round(radius_m(p.y, deg), 1),
        }
        if row["radius_m"] >= MIN_RADIUS_M:
            out.append(row)
    return out


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
        },
        "layers": {
            "nc": shapefile_points(os.path.join(GEODATA, "nc", "nc.shp"), "FIPS", "NAME", nc_extra),
            "boston": shapefile_points(
                os.path.join(GEODATA, "boston", "boston_tracts.shp"), "poltract", "TOWN"
            ),
            "montreal": geojson_points(
                os.path.join(GEODATA, "montreal", "election.geojson"), "district"
            ),
        },
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1, ensure_ascii=False)
        f.write("\n")
    for layer, rows in result["layers"].items():
        print(f"{layer}: {len(rows)} interior points")


if __name__ == "__main__":
    main()
