#!/usr/bin/env python3
"""Independent clients for Quartier's outputs beyond one server (issue 12).

Called by the Rust end-to-end tests in `tests/outputs.rs`; prints one JSON object on stdout and
lets the Rust side assert on it, so that nothing here shares code with the server it checks.

    outputs_reference.py mvt TILE.mvt...        decode vector tiles with mapbox-vector-tile (PyPI):
                                                {"TILE.mvt": {"layers": {name: [{"id", "properties",
                                                "type"}]}}}
    outputs_reference.py metrics URL            parse /metrics with prometheus_client's text parser:
                                                {"families": {name: {"type", "samples": [[name,
                                                labels, value]]}}}
    outputs_reference.py owslib BASE QUERY      read BASE/wmts/1.0.0/WMTSCapabilities.xml?QUERY with
                                                OWSLib, fetch tile 7/35/50 of nc.sids_rate74 through
                                                it and compare with BASE's tile route
    outputs_reference.py gdal BASE QUERY OUT    `gdalinfo` on the OGC API landing page, collection and
                                                WMTS capabilities; `gdal_translate` of tile 7/35/50's
                                                area through both; pixels (decoded by GDAL, compared with
                                                numpy) equal the tile route's

Packages: mapbox-vector-tile, prometheus-client, OWSLib, numpy (PyPI) and gdal-bin (Debian), all
installed by scripts/test-all.sh.
"""

import json
import sys


def decode_mvt(paths):
    import mapbox_vector_tile

    out = {}
    for path in paths:
        with open(path, "rb") as f:
            data = f.read()
        decoded = mapbox_vector_tile.decode(data) if data else {}
        out[path] = {
            "layers": {
                name: [
                    {"id": feat["id"], "properties": feat["properties"],
                     "type": feat["geometry"]["type"]}
                    for feat in layer["features"]
                ]
                for name, layer in decoded.items()
            }
        }
    print(json.dumps(out))


def parse_metrics(url):
    import urllib.request

    from prometheus_client.parser import text_string_to_metric_families

    with urllib.request.urlopen(url) as r:
        text = r.read().decode("utf-8")
        content_type = r.headers.get("Content-Type")
    families = {}
    for fam in text_string_to_metric_families(text):
        families[fam.name] = {
            "type": fam.type,
            "samples": [[s.name, s.labels, s.value] for s in fam.samples],
        }
    print(json.dumps({"content_type": content_type, "families": families}))


# The tile every client test fetches: NC at zoom 7 (column 35, row 50).
Z, X, Y = 7, 35, 50
LAYER = "nc.sids_rate74"


def fetch(url):
    import urllib.request

    with urllib.request.urlopen(url) as r:
        return r.read()


def owslib_wmts(base, query):
    from owslib.wmts import WebMapTileService

    url = f"{base}/wmts/1.0.0/WMTSCapabilities.xml" + (f"?{query}" if query else "")
    wmts = WebMapTileService(url)
    layer = wmts.contents[LAYER]
    tms = wmts.tilematrixsets["WebMercatorQuad"]
    template = [r for r in layer.resourceURLs if r["resourceType"] == "tile"][0]["template"]
    tile_url = (template.replace("{TileMatrix}", str(Z)).replace("{TileCol}", str(X))
                .replace("{TileRow}", str(Y)))
    via_owslib = wmts.gettile(layer=LAYER, tilematrixset="WebMercatorQuad", tilematrix=str(Z),
                              row=Y, column=X, format="image/png").read()
    direct = fetch(f"{base}/tiles/nc/sids_rate74/{Z}/{X}/{Y}.png" + (f"?{query}" if query else ""))
    print(json.dumps({
        "layers": sorted(wmts.contents),
        "formats": layer.formats,
        "bbox": list(layer.boundingBoxWGS84),
        "matrix_sets": sorted(wmts.tilematrixsets),
        "matrices": len(tms.tilematrix),
        "scale_7": tms.tilematrix[str(Z)].scaledenominator,
        "tile_url": tile_url,
        "tile_equal": via_owslib == direct,
        "tile_bytes": len(direct),
    }))


def gdal_clients(base, query, out):
    import os
    import subprocess

    import numpy as np

    q = f"?{query}" if query else ""
    # GDAL's WMS driver keeps fetched tiles in ./gdalwmscache unless told otherwise.
    env = dict(os.environ, GDAL_DEFAULT_WMS_CACHE_PATH=os.path.join(out, "gdalwmscache"))

    def run(args):
        r = subprocess.run(args, capture_output=True, text=True, env=env)
        if r.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed: {r.stderr}")
        return r.stdout

    def info(name, options=()):
        return json.loads(run(["gdalinfo", "-json", *options, name]))

    def raw(path, bands):
        """ENVI output written with INTERLEAVE=BSQ: band sequential bytes, (bands, 256, 256).
        (Without the option GDAL writes a pixel-interleaved source, the WMS/WMTS/OGCAPI
        datasets, as BIP, which read as BSQ looked like every pixel differing.)"""
        return np.fromfile(path, dtype=np.uint8).reshape(bands, 256, 256)

    # The tile's extent in Web Mercator metres.
    e = 20037508.342789244
    size = 2 * e / (1 << Z)
    ulx, uly = -e + X * size, e - Y * size
    lrx, lry = ulx + size, uly - size

    # The tile route's tile, decoded by GDAL's PNG driver (palette tiles expanded to RGBA).
    png = os.path.join(out, "tile.png")
    with open(png, "wb") as f:
        f.write(fetch(f"{base}/tiles/nc/sids_rate74/{Z}/{X}/{Y}.png{q}"))
    bands = info(png)["bands"]
    expand = ["-expand", "rgba"] if "colorTable" in bands[0] else []
    run(["gdal_translate", "-q", "-of", "ENVI", "-co", "INTERLEAVE=BSQ", *expand, png, os.path.join(out, "tile.raw")])
    tile = raw(os.path.join(out, "tile.raw"), 4 if expand else len(bands))

    def translate(name, stem, options=()):
        dest = os.path.join(out, stem + ".raw")
        run(["gdal_translate", "-q", "-of", "ENVI", "-co", "INTERLEAVE=BSQ", *options, "-projwin", repr(ulx), repr(uly), repr(lrx),
             repr(lry), "-outsize", "256", "256", name, dest])
        got = raw(dest, info(dest)["bands"].__len__())
        same_shape = got.shape == tile.shape
        diff = int(np.abs(got.astype(int) - tile.astype(int)).max()) if same_shape else None
        return {"bands": got.shape[0], "shape_equal": same_shape, "max_diff": diff,
                "opaque_pixels": int((tile[3] > 0).sum())}

    # GDAL 3.6 (Debian 12) crops the collection to its CRS84 bbox without reprojecting it (later
    # versions reproject): give the extent in Web Mercator as open options, which every version
    # takes as they are.
    import math
    w, so, ea, no = json.loads(fetch(f"{base}/ogc/collections/{LAYER}"))["extent"]["spatial"]["bbox"][0]
    merc = lambda lon, lat: (e * lon / 180, e * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi)
    (x0, y0), (x1, y1) = merc(w, so), merc(ea, no)
    extent = ["-oo", f"MINX={x0!r}", "-oo", f"MINY={y0!r}", "-oo", f"MAXX={x1!r}", "-oo", f"MAXY={y1!r}"]

    landing = info(f"OGCAPI:{base}/ogc")
    subdatasets = landing.get("metadata", {}).get("SUBDATASETS", {})
    collection_name = f"OGCAPI:{base}/ogc/collections/{LAYER}{q}"
    collection = info(collection_name, extent)
    wmts_name = f"WMTS:{base}/wmts/1.0.0/WMTSCapabilities.xml{q},layer={LAYER}"
    wmts = info(wmts_name)
    print(json.dumps({
        "ogc_subdatasets": [v for k, v in subdatasets.items() if k.endswith("_NAME")],
        "ogc_size": collection["size"],
        "ogc_crs": collection["coordinateSystem"]["wkt"],
        "ogc_bands": len(collection["bands"]),
        "ogc_tile": translate(collection_name, "ogc", extent),
        "wmts_size": wmts["size"],
        "wmts_bands": len(wmts["bands"]),
        "wmts_tile": translate(wmts_name, "wmts"),
    }))


def main(argv):
    if len(argv) >= 3 and argv[1] == "mvt":
        decode_mvt(argv[2:])
    elif len(argv) == 4 and argv[1] == "owslib":
        owslib_wmts(argv[2], argv[3])
    elif len(argv) == 5 and argv[1] == "gdal":
        gdal_clients(argv[2], argv[3], argv[4])
    elif len(argv) == 3 and argv[1] == "metrics":
        parse_metrics(argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
