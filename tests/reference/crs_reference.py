#!/usr/bin/env python3
"""Reference coordinates for quartier-geo's CRS module, computed with pyproj (PROJ).

Writes two fixtures that the Rust tests in `crates/quartier-geo/src/crs/tests.rs` compare against:

- `tests/fixtures/reference/crs_points.json`: for every supported CRS a handful of real points,
  each as WGS84 lon/lat and as x/y in the CRS.
  A point is either *given* in lon/lat (a place inside the CRS's area of use, transformed forward)
  or *given* in x/y (a vertex of a real fixture in that CRS, transformed inverse).
  `lon/lat/x/y` come from PROJ's default operation at that point (the best one available
  without grid files: PROJ_NETWORK is off and pyproj's wheel ships no grids).
  For CRSs with a datum shift, `helmert` holds the same point through the one EPSG Helmert
  transformation that Quartier uses (named in `helmert_operation`), so that the Rust side can
  be checked to the centimetre against the same parameters and, separately, its distance to
  PROJ's default (possibly better) operation can be measured.
- `tests/fixtures/reference/crs_prj.json`: what PROJ identifies each `.prj` of `tests/fixtures/*/` as
  (rerun this script when a `.prj` is added there; a Rust test checks that none is missing),
  and the WKT PROJ writes for every required CRS in three flavours (ESRI, GDAL WKT1, WKT2:2019),
  which Quartier must identify back to the same EPSG code.

Where a grid-based operation exists whose grid Debian ships (`proj-data`: BeTA2007 for DHDN,
CHENyx06 for CH1903), `grid` holds the point through that operation too, to measure how far the
Helmert shift is from the best available one.

Run from the repository root:

    pip install pyproj==3.7.2 pyshp==3.1.6
    apt-get download proj-data && dpkg -x proj-data_9.1.1-1_all.deb /tmp/projdata
    PROJ_DATA_DEBIAN=/tmp/projdata/usr/share/proj python3 tests/reference/crs_reference.py

Without PROJ_DATA_DEBIAN the `grid` entries are left out.

Versions used for the committed fixtures: Python 3.11.7, pyproj 3.7.2, PROJ 9.5.1, pyshp 3.1.6
(the exact versions are also written into the JSON).
"""

import glob
import json
import os
import warnings

import pyproj
import shapefile  # pyshp
from pyproj import CRS, Transformer
from pyproj.aoi import AreaOfInterest
from pyproj.transformer import TransformerGroup

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIX = os.path.join(ROOT, "tests", "fixtures")
OUT = os.path.join(FIX, "reference")

# Places inside the areas of use (WGS84 lon, lat), rounded to what a map shows.
DUEREN = ("Düren", 6.4833, 50.8000)
AACHEN = ("Aachen", 6.0839, 50.7753)
COLOGNE = ("Köln", 6.9583, 50.9413)
FRANKFURT = ("Frankfurt am Main", 8.6821, 50.1109)
MUNICH = ("München", 11.5761, 48.1374)
BERLIN = ("Berlin", 13.4050, 52.5200)
DRESDEN = ("Dresden", 13.7373, 51.0504)
CHEMNITZ = ("Chemnitz", 12.9214, 50.8278)
ZURICH = ("Zürich", 8.5417, 47.3769)
GENEVA = ("Genève", 6.1432, 46.2044)
LUGANO = ("Lugano", 8.9511, 46.0037)
LONDON = ("London", -0.1276, 51.5072)
EDINBURGH = ("Edinburgh", -3.1883, 55.9533)
PARIS = ("Paris", 2.3522, 48.8566)
MARSEILLE = ("Marseille", 5.3698, 43.2965)
AMSTERDAM = ("Amsterdam", 4.9041, 52.3676)
MAASTRICHT = ("Maastricht", 5.6909, 50.8514)
LISBON = ("Lisboa", -9.1393, 38.7223)
HELSINKI = ("Helsinki", 24.9384, 60.1699)
RALEIGH = ("Raleigh", -78.6382, 35.7796)
BOSTON = ("Boston", -71.0589, 42.3601)
DENVER = ("Denver", -104.9903, 39.7392)
SYDNEY = ("Sydney", 151.2093, -33.8688)
RIO = ("Rio de Janeiro", -43.1729, -22.9068)
NORTH = ("near the Mercator limit", 12.0, 84.9)

# The EPSG Helmert transformation Quartier uses for each CRS with a datum shift
# (the same parameters as the `+towgs84` of its proj4 definition).
HELMERT = {
    4267: "NAD27 to WGS 84 (4)",
    31466: "DHDN to WGS 84 (2)",
    31467: "DHDN to WGS 84 (2)",
    31468: "DHDN to WGS 84 (2)",
    31469: "DHDN to WGS 84 (2)",
    2056: "CH1903+ to WGS 84 (1)",
    21781: "CH1903 to WGS 84 (2)",
    27700: "OSGB36 to WGS 84 (6)",
    28992: "Amersfoort to WGS 84 (3)",
}


# CRSs whose WKT, as PROJ writes it in each flavour, must identify back to the code.
WKT_CODES = [
    4326, 4258, 4267, 4269, 3857, 25832, 25833, 31466, 31467, 31468, 31469, 2056, 21781, 27700, 2154, 3035, 28992,
    32601, 32632, 32660, 32701, 32733, 25828, 25838, 26917, 26717,
]

# Grid-based EPSG operations and the grid files (as PROJ names them, as Debian's proj-data names them).
GRID_OPS = {
    31466: "DHDN to WGS 84 (4)",
    31467: "DHDN to WGS 84 (4)",
    31468: "DHDN to WGS 84 (4)",
    31469: "DHDN to WGS 84 (4)",
    21781: "CH1903 to WGS 84 (3)",
}
GRID_FILES = {"BETA2007.gsb": "BETA2007.gsb", "CHENyx06_ETRS.gsb": "CHENYX06_etrs.gsb"}


def fixture_vertices(stem, n_shapes=3, per_shape=2):
    """The first vertices of the first shapes of a real fixture, in its own CRS."""
    r = shapefile.Reader(os.path.join(FIX, stem))
    out = []
    for i in range(n_shapes):
        shape = r.shape(i)
        rec = r.record(i)
        label = next((v for v in rec if isinstance(v, str) and v.strip()), str(i))
        for j in range(per_shape):
            x, y = shape.points[j]
            out.append((f"{os.path.basename(stem)} #{i} {label} vertex {j}", x, y))
    return out


def utm_places(zone, south):
    """Two places per UTM zone: near the central meridian and 2.5 degrees off it."""
    cm = -183 + 6 * zone
    lats = (-10.0, -45.0) if south else (10.0, 52.0)
    return [
        (f"zone {zone} central meridian", cm + 0.3, lats[0]),
        (f"zone {zone} 2.5 deg off", cm - 2.5, lats[1]),
    ]


# EPSG code -> (places given in lon/lat, vertices given in x/y)
CASES = {
    4326: ([DUEREN, SYDNEY], []),
    4258: ([DUEREN, LISBON], []),
    4267: ([RALEIGH, BOSTON, DENVER], fixture_vertices("nc_sids/nc") + fixture_vertices("boston_tracts/boston_tracts")),
    4269: ([RALEIGH, BOSTON, DENVER], []),
    3857: ([DUEREN, SYDNEY, RIO, NORTH], []),
    25832: ([DUEREN, MUNICH, FRANKFURT], []),
    25833: ([BERLIN, DRESDEN], []),
    31466: ([DUEREN, AACHEN, COLOGNE], []),
    31467: ([DUEREN, FRANKFURT], []),
    31468: ([MUNICH, BERLIN], []),
    31469: ([DRESDEN, CHEMNITZ], []),
    2056: ([ZURICH, GENEVA, LUGANO], fixture_vertices("swiss_2024/districts")),
    21781: ([ZURICH, GENEVA, LUGANO], []),
    27700: ([LONDON, EDINBURGH], []),
    2154: ([PARIS, MARSEILLE], []),
    3035: ([DUEREN, LISBON, HELSINKI], []),
    28992: ([AMSTERDAM, MAASTRICHT], []),
}
for zone in range(1, 61):
    CASES[32600 + zone] = (utm_places(zone, False), [])
    CASES[32700 + zone] = (utm_places(zone, True), [])
for zone in range(28, 39):
    # EPSG:25832 and 25833 keep their German places and get the zone's generic ones too.
    CASES.setdefault(25800 + zone, ([], []))[0].extend(utm_places(zone, False))


def aoi(lon, lat):
    d = 0.01
    return AreaOfInterest(lon - d, lat - d, lon + d, lat + d)


def default_ops(code, lon, lat):
    """PROJ's default operation pair at a point (PROJ picks by location, so pin it there)."""
    fwd = Transformer.from_crs(4326, code, always_xy=True, area_of_interest=aoi(lon, lat))
    inv = Transformer.from_crs(code, 4326, always_xy=True, area_of_interest=aoi(lon, lat))
    return fwd, inv


def used_operation(t):
    """The operation PROJ actually applied in the last transform (it may choose among several)."""
    try:
        return t.get_last_used_operation().description
    except pyproj.exceptions.ProjError:  # a transformer with a single operation
        return t.description


def named_ops(code, name):

    def pick(src, dst):
        group = TransformerGroup(src, dst, always_xy=True)
        found = [t for t in group.transformers if name in t.description]
        if len(found) != 1:
            raise SystemExit(f"EPSG:{code}: expected one operation named {name!r}, got {[t.description for t in group.transformers]}")
        return found[0]

    return pick(4326, code), pick(code, 4326)


def helmert_ops(code):
    return named_ops(code, HELMERT[code])


def point_record(code, label, given, lon, lat, x, y):
    rec = {"label": label, "given": given}
    if given == "lonlat":
        fwd, inv = default_ops(code, lon, lat)
        x, y = fwd.transform(lon, lat, errcheck=True)
        op = used_operation(fwd)
    else:
        # Locate the vertex roughly first, then pin PROJ's choice there.
        lon0, lat0 = Transformer.from_crs(code, 4326, always_xy=True).transform(x, y, errcheck=True)
        fwd, inv = default_ops(code, lon0, lat0)
        lon, lat = inv.transform(x, y, errcheck=True)
        op = used_operation(inv)
    rec.update({"lon": lon, "lat": lat, "x": x, "y": y, "operation": op})
    if code in HELMERT:
        hf, hi = helmert_ops(code)
        if given == "lonlat":
            hx, hy = hf.transform(lon, lat, errcheck=True)
            rec["helmert"] = {"lon": lon, "lat": lat, "x": hx, "y": hy}
        else:
            hlon, hlat = hi.transform(x, y, errcheck=True)
            rec["helmert"] = {"lon": hlon, "lat": hlat, "x": x, "y": y}
    return rec


def add_grid_records(crs_out, debian_proj_dir):
    """Second pass, with Debian's grids on PROJ's search path: the grid-based operation per point."""
    import tempfile

    grids = tempfile.mkdtemp(prefix="quartier-grids-")
    for proj_name, debian_name in GRID_FILES.items():
        os.symlink(os.path.join(debian_proj_dir, debian_name), os.path.join(grids, proj_name))
    pyproj.datadir.append_data_dir(grids)
    for entry in crs_out:
        code = entry["epsg"]
        if code not in GRID_OPS:
            continue
        entry["grid_operation"] = GRID_OPS[code]
        gf, gi = named_ops(code, GRID_OPS[code])
        for rec in entry["points"]:
            if rec["given"] == "lonlat":
                gx, gy = gf.transform(rec["lon"], rec["lat"], errcheck=True)
                rec["grid"] = {"lon": rec["lon"], "lat": rec["lat"], "x": gx, "y": gy}
            else:
                glon, glat = gi.transform(rec["x"], rec["y"], errcheck=True)
                rec["grid"] = {"lon": glon, "lat": glat, "x": rec["x"], "y": rec["y"]}


def main():
    # "Best transformation is not available" (no grids) is expected, and so is the PROJ-string warning.
    warnings.simplefilter("ignore")  # "best transformation is not available": that is the point
    crs_out = []
    for code, (places, vertices) in CASES.items():
        crs = CRS.from_epsg(code)
        entry = {
            "epsg": code,
            "name": crs.name,
            "helmert_operation": HELMERT.get(code),
            "points": [],
        }
        for label, lon, lat in places:
            entry["points"].append(point_record(code, label, "lonlat", lon, lat, None, None))
        for label, x, y in vertices:
            entry["points"].append(point_record(code, label, "xy", None, None, x, y))
        crs_out.append(entry)
    debian_proj_dir = os.environ.get("PROJ_DATA_DEBIAN")
    if debian_proj_dir:
        add_grid_records(crs_out, debian_proj_dir)

    versions = {
        "generator": "tests/reference/crs_reference.py",
        "pyproj": pyproj.__version__,
        "proj": pyproj.proj_version_str,
        "pyshp": shapefile.__version__,
        "grids": "default and helmert: none (PROJ_NETWORK off, no grid files); grid: "
        + (f"{', '.join(GRID_FILES)} from Debian proj-data 9.1.1" if os.environ.get("PROJ_DATA_DEBIAN") else "not computed"),
    }
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "crs_points.json"), "w", encoding="utf-8") as f:
        json.dump({**versions, "crs": crs_out}, f, ensure_ascii=False, indent=1)
        f.write("\n")

    prj = []
    for path in sorted(glob.glob(os.path.join(FIX, "*", "*.prj"))):
        crs = CRS.from_wkt(open(path, encoding="utf-8").read())
        horizontal = crs.sub_crs_list[0] if crs.is_compound else crs
        try:
            proj_string = horizontal.to_proj4()
        except pyproj.exceptions.CRSError:
            proj_string = None  # PROJ cannot use it either: Quartier must refuse it with a clear error
        prj.append({
            "file": os.path.relpath(path, ROOT),
            "name": crs.name,
            "epsg": crs.to_epsg(),
            "horizontal_epsg": horizontal.to_epsg(),
            "horizontal_name": horizontal.name,
            "horizontal_proj4": proj_string,
        })
    wkt = []
    for code in WKT_CODES:
        crs = CRS.from_epsg(code)
        for flavour in ("WKT1_ESRI", "WKT1_GDAL", "WKT2_2019"):
            wkt.append({"epsg": code, "flavour": flavour, "wkt": crs.to_wkt(flavour)})
    with open(os.path.join(OUT, "crs_prj.json"), "w", encoding="utf-8") as f:
        json.dump({**versions, "prj": prj, "wkt": wkt}, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
