#!/usr/bin/env python3
"""Independent readers for Quartier's tile archives and vector tiles.

Called by the Rust tests `crates/quartier-archive/tests/archive_roundtrip.rs` and
`crates/quartier-render/tests/mvt_reference.rs`; prints one JSON object on stdout and lets the
Rust side assert on it, so that nothing here shares code with the writers it checks.

    archive_reference.py check               exit 0 when the packages below are importable
    archive_reference.py pmtiles ARCHIVE OUT  every tile of a PMTiles archive into OUT/z_x_y.bin
    archive_reference.py mbtiles ARCHIVE OUT  the same for MBTiles (tile_row flipped back to XYZ)
    archive_reference.py mvt TILE.mvt INPUT.json  decode one vector tile, compare with the input

Readers: `pmtiles` (PyPI, protomaps' reference implementation), Python's `sqlite3`,
`mapbox-vector-tile` (PyPI) and `shapely` for areas. Tiles are written out as stored, after
undoing the archive's own gzip compression where the header or metadata says so.
"""

import gzip
import json
import os
import sqlite3
import sys


def check():
    import mapbox_vector_tile  # noqa: F401
    import pmtiles.reader  # noqa: F401
    import shapely  # noqa: F401


def dump_pmtiles(path, out):
    from pmtiles.reader import MmapSource, Reader, all_tiles
    from pmtiles.tile import Compression, deserialize_directory

    with open(path, "rb") as f:
        get = MmapSource(f)
        reader = Reader(get)
        header = reader.header()
        gz = header["tile_compression"] == Compression.GZIP
        count = 0
        for (z, x, y), data in all_tiles(get):
            if gz:
                data = gzip.decompress(data)
            with open(os.path.join(out, f"{z}_{x}_{y}.bin"), "wb") as t:
                t.write(data)
            count += 1

        # Directory statistics: entries, how many carry a run length > 1, distinct contents.
        def entries(offset, length):
            for e in deserialize_directory(get(offset, length)):
                if e.run_length == 0:
                    yield from entries(header["leaf_directory_offset"] + e.offset, e.length)
                else:
                    yield e

        dir_entries = list(entries(header["root_offset"], header["root_length"]))
        ids = [e.tile_id for e in dir_entries]
        result = {
            "tiles": count,
            "entries": len(dir_entries),
            "runs": sum(1 for e in dir_entries if e.run_length > 1),
            "distinct_offsets": len({e.offset for e in dir_entries}),
            "sorted": ids == sorted(ids),
            "clustered": bool(header["clustered"]),
            "tile_contents": header["tile_contents_count"],
            "tile_type": header["tile_type"].value,
            "tile_compression": header["tile_compression"].value,
            "min_zoom": header["min_zoom"],
            "max_zoom": header["max_zoom"],
            "bounds": [
                header["min_lon_e7"] / 1e7,
                header["min_lat_e7"] / 1e7,
                header["max_lon_e7"] / 1e7,
                header["max_lat_e7"] / 1e7,
            ],
            "metadata": reader.metadata(),
        }
    print(json.dumps(result))


def dump_mbtiles(path, out):
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    meta = dict(con.execute("SELECT name, value FROM metadata"))
    gz = meta.get("format") == "pbf"
    count = 0
    for z, col, row, data in con.execute(
        "SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles"
    ):
        y = (1 << z) - 1 - row  # TMS row back to XYZ
        if gz:
            data = gzip.decompress(data)
        with open(os.path.join(out, f"{z}_{col}_{y}.bin"), "wb") as t:
            t.write(data)
        count += 1
    images = con.execute("SELECT count(*) FROM images").fetchone()[0]
    integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
    con.close()
    print(json.dumps({"tiles": count, "images": images, "integrity": integrity, "metadata": meta}))


def decode_mvt(tile_path, input_path):
    """Decode with mapbox-vector-tile and measure against the input districts.

    INPUT.json: {"extent": 4096, "buffer": 64, "districts": {"<feature id>": GeoJSON geometry
    in tile coordinates (y down), full detail, unclipped}}. Areas are measured inside the tile
    proper with shapely, and so are the holes inside it.
    """
    import mapbox_vector_tile
    from shapely.geometry import box, shape
    from shapely.validation import make_valid

    with open(tile_path, "rb") as f:
        data = f.read()
    with open(input_path) as f:
        expected = json.load(f)
    extent, buf = expected["extent"], expected["buffer"]
    tile_box = box(0, 0, extent, extent)
    buffered = box(-buf, -buf, extent + buf, extent + buf)

    def holes(geom):
        """Areas of the holes, largest first."""
        polys = getattr(geom, "geoms", [geom])
        areas = [type(p)(r).area for p in polys if p.geom_type == "Polygon" for r in p.interiors]
        return sorted(areas, reverse=True)

    inputs = {}
    for fid, g in expected["districts"].items():
        geom = make_valid(shape(g))
        inside = geom.intersection(tile_box)
        inputs[fid] = {
            "area_in_tile": inside.area,
            "perimeter_in_tile": inside.length,
            "area_in_buffer": geom.intersection(buffered).area,
            "holes_in_tile": holes(inside),
        }
    decoded = mapbox_vector_tile.decode(data, default_options={"y_coord_down": True})
    layers = []
    features = []
    for name, layer in decoded.items():
        layers.append({"name": name, "extent": layer["extent"], "version": layer.get("version")})
        for feat in layer["features"]:
            geom = shape(feat["geometry"])
            inside = make_valid(geom).intersection(tile_box)
            # The decoder groups rings by the first ring's winding; the specification fixes it:
            # an exterior ring has a positive surveyor's area in tile coordinates (y down).
            polys = feat["geometry"]["coordinates"]
            if feat["geometry"]["type"] == "Polygon":
                polys = [polys]
            signs = [[surveyor_sign(r) for r in poly] for poly in polys]
            features.append({
                "layer": name,
                "id": feat["id"],
                "type": feat["geometry"]["type"],
                "properties": feat["properties"],
                "valid": geom.is_valid,
                "bounds": list(geom.bounds),
                "area_in_tile": inside.area,
                "holes_in_tile": holes(inside),
                "exterior_signs": [sg[0] for sg in signs],
                "hole_signs": [x for sg in signs for x in sg[1:]],
            })
    print(json.dumps({"layers": layers, "features": features, "inputs": inputs}))


def surveyor_sign(ring):
    """Sign of the surveyor's (shoelace) formula over a closed ring, as the MVT spec states it."""
    a = sum(ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1] for i in range(len(ring) - 1))
    return (a > 0) - (a < 0)


def main(argv):
    if len(argv) >= 2 and argv[1] == "check":
        check()
    elif len(argv) == 4 and argv[1] == "pmtiles":
        dump_pmtiles(argv[2], argv[3])
    elif len(argv) == 4 and argv[1] == "mbtiles":
        dump_mbtiles(argv[2], argv[3])
    elif len(argv) == 4 and argv[1] == "mvt":
        decode_mvt(argv[2], argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
