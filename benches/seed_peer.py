"""Seeding peer of benches/seed.sh: Mapnik (Debian's python3-mapnik) draws the same choropleth as
`quartier seed` (classes, colours and borders from Quartier's legend, set up exactly as the peer
comparison in benches/peers does) for every tile of the NC layer's bounds at zooms 0-12, and
writes the tiles into an MBTiles 1.3 file with sqlite3, on one core, in one transaction: what a
Mapnik-based seeder (TileStache, mod_tile's render_list) does per tile, without its overhead.

    /usr/bin/python3 benches/seed_peer.py WORK OUT.mbtiles   # WORK from `peers.py prepare`

Prints one JSON line: tiles, seconds, tiles per second, bytes.
"""

import json
import os
import sqlite3
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers"))
import peers  # noqa: E402


def main(work, out):
    setup, _ = peers.load(work)
    tiles = peers.tile_list(setup["bounds"], zooms=range(0, 13))
    render = peers.mapnik_renderer(work, setup)
    if os.path.exists(out):
        os.remove(out)
    db = sqlite3.connect(out)
    db.executescript(
        "CREATE TABLE metadata (name TEXT, value TEXT);"
        "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);"
        "CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);")
    db.executemany("INSERT INTO metadata VALUES (?, ?)", [("name", "nc sids_rate74 (mapnik)"), ("format", "png")])
    start = time.perf_counter()
    for z, x, y in tiles:
        png = render(*peers.tile_bbox(z, x, y))
        db.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, x, (1 << z) - 1 - y, png))
    db.commit()
    seconds = time.perf_counter() - start
    db.close()
    print(json.dumps({"seeder": "mapnik", "tiles": len(tiles), "seconds": seconds,
                      "tiles_per_s": len(tiles) / seconds, "bytes": os.path.getsize(out)}))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
