#!/usr/bin/python3
"""Peer comparison helper: prepares the shared inputs and renders the tile list with Mapnik or
MapServer in one process, timing the loop inside the process.

Run by benches/peers/run.sh (see README.md there); each subcommand prints one JSON line.

  peers.py prepare SERVER WORK   fetch breaks, bounds and values from a running Quartier; write
                                 WORK/nc.{shp,shx,prj,dbf} (DBF with FIPS, RATE, CLS), the tile
                                 list WORK/tiles.txt, WORK/urls.txt and WORK/setup.json
  peers.py mapnik WORK [ROUND]   render every tile of the list with Mapnik, print tiles/s
                                 (WORK/mapnik_rROUND.json)
  peers.py mapserver WORK [ROUND]  the same with MapServer (mapscript)
  peers.py quartier SERVER WORK  fetch the list once from Quartier (checks every answer, saves
                                 the sample tiles and the mean tile size)
  peers.py montage WORK          the samples of the three side by side (needs Pillow)
  peers.py report WORK           print the comparison table from WORK/*.json and the wrk output

Uses only the standard library plus Debian's python3-mapnik / python3-mapscript, so it runs
with /usr/bin/python3 (those modules are not on PyPI).
"""

import json
import math
import os
import shutil
import struct
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
NC = os.path.join(ROOT, "tests", "fixtures", "nc_sids", "nc")
STYLE = "method=quantile&classes=5&palette=YlOrRd&border=1"
LAYER, INDICATOR = "nc", "sids_rate74"
ZOOMS = range(5, 12)
R = 6378137.0
HALF = math.pi * R
# Quartier's NAD27 -> WGS 84 operation (EPSG:1173, crates/quartier-geo/src/crs/epsg.rs): the peers
# get the same Helmert shift through PROJ, so all three put the counties in the same place.
NAD27 = "+proj=longlat +ellps=clrk66 +towgs84=-8,160,176 +no_defs"
MERCATOR = "epsg:3857"
# 1 px grey borders, as issue 6 specifies: Quartier's `border=1` style parameter (its default
# is 0.5 px) and the same #999999 line of width 1 in each peer.
BORDER = "#999999"
BORDER_WIDTH = 1
# Tiles saved for the check by eye: the whole state, a region, a few counties, one border.
SAMPLES = [(5, 8, 12), (7, 35, 50), (9, 143, 201), (11, 574, 804)]


def get_json(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.load(r)


# ---------------------------------------------------------------------------------------------
# DBF (dBase III) reading and writing, enough for this layer.

def read_dbf(path):
    with open(path, "rb") as f:
        data = f.read()
    n, header_len, record_len = struct.unpack("<IHH", data[4:12])
    fields, pos = [], 32
    while data[pos] != 0x0D:
        name = data[pos:pos + 11].split(b"\0")[0].decode("ascii")
        fields.append((name, chr(data[pos + 11]), data[pos + 16]))
        pos += 32
    rows = []
    for i in range(n):
        rec = data[header_len + i * record_len: header_len + (i + 1) * record_len]
        off, row = 1, {}
        for name, _kind, length in fields:
            row[name] = rec[off:off + length].decode("latin-1").strip()
            off += length
        rows.append(row)
    return rows


def write_dbf(path, fields, rows):
    """fields: [(name, 'C' or 'N', length, decimals)]; rows: lists of already formatted text."""
    record_len = 1 + sum(f[2] for f in fields)
    header_len = 32 + 32 * len(fields) + 1
    with open(path, "wb") as f:
        f.write(struct.pack("<BBBBIHH20x", 3, 126, 1, 1, len(rows), header_len, record_len))
        for name, kind, length, decimals in fields:
            f.write(struct.pack("<11sc4xBB14x", name.encode("ascii"), kind.encode("ascii"), length, decimals))
        f.write(b"\r")
        for row in rows:
            f.write(b" ")
            for (name, kind, length, _d), text in zip(fields, row):
                if len(text) > length:
                    raise ValueError(f"{name}: {text!r} is longer than {length}")
                f.write((text.ljust(length) if kind == "C" else text.rjust(length)).encode("ascii"))
        f.write(b"\x1a")


# ---------------------------------------------------------------------------------------------
# Tiles

def lon_to_x(lon, z):
    return int(math.floor((lon + 180.0) / 360.0 * (1 << z)))


def lat_to_y(lat, z):
    s = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    return int(math.floor((1 - s / math.pi) / 2 * (1 << z)))


def tile_list(bounds, zooms=ZOOMS):
    """Every XYZ tile whose square meets a WGS84 bounding box `[w, s, e, n]` (zooms 5 to 11)."""
    w, s, e, n = bounds
    tiles = []
    for z in zooms:
        for x in range(lon_to_x(w, z), lon_to_x(e, z) + 1):
            for y in range(lat_to_y(n, z), lat_to_y(s, z) + 1):
                tiles.append((z, x, y))
    return tiles


def tile_bbox(z, x, y):
    side = 2 * HALF / (1 << z)
    return (-HALF + x * side, HALF - (y + 1) * side, -HALF + (x + 1) * side, HALF - y * side)


# ---------------------------------------------------------------------------------------------
# prepare

def prepare(server, work):
    os.makedirs(work, exist_ok=True)
    layer = get_json(f"{server}/api/layers/{LAYER}")
    legend = get_json(f"{server}/api/layers/{LAYER}/indicators/{INDICATOR}/legend.json?{STYLE}")
    features = get_json(f"{server}/api/layers/{LAYER}/features.geojson")
    breaks, colors = legend["breaks"], legend["colors"]
    rate = {f["properties"]["id"]: f["properties"]["values"][INDICATOR] for f in features["features"]}
    for ext in ("shp", "shx", "prj"):
        shutil.copyfile(f"{NC}.{ext}", os.path.join(work, f"nc.{ext}"))
    rows = []
    for row in read_dbf(f"{NC}.dbf"):
        v = rate[row["FIPS"]]
        # Quartier's Classification::class_of: the first class whose upper bound is >= v.
        cls = next((k for k, b in enumerate(breaks[1:]) if v <= b), len(breaks) - 2)
        # repr() round-trips: MapServer and Mapnik parse back exactly the double Quartier has.
        rows.append([row["FIPS"], repr(float(v)), str(cls)])
    write_dbf(os.path.join(work, "nc.dbf"), [("FIPS", "C", 5, 0), ("RATE", "N", 24, 17), ("CLS", "N", 2, 0)], rows)
    tiles = tile_list(layer["bounds"])
    with open(os.path.join(work, "tiles.txt"), "w") as f:
        f.writelines(f"{z} {x} {y}\n" for z, x, y in tiles)
    with open(os.path.join(work, "urls.txt"), "w") as f:
        f.writelines(f"/tiles/{LAYER}/{INDICATOR}/{z}/{x}/{y}.png?{STYLE}\n" for z, x, y in tiles)
    setup = {"breaks": breaks, "colors": colors, "bounds": layer["bounds"], "tiles": len(tiles),
             "per_zoom": {z: sum(1 for t in tiles if t[0] == z) for z in ZOOMS}}
    with open(os.path.join(work, "setup.json"), "w") as f:
        json.dump(setup, f)
    print(json.dumps(setup))


def load(work):
    with open(os.path.join(work, "setup.json")) as f:
        setup = json.load(f)
    with open(os.path.join(work, "tiles.txt")) as f:
        tiles = [tuple(int(v) for v in line.split()) for line in f]
    return setup, tiles


def class_filters(breaks):
    """(class, upper bound) pairs; drawn first-match in this order, as class_of assigns them."""
    return list(enumerate(breaks[1:]))


def run_loop(name, work, tiles, render, rnd="1"):
    """Render the list once to warm up caches (file, PROJ, fonts), then time one full pass."""
    samples = os.path.join(work, "samples")
    os.makedirs(samples, exist_ok=True)
    for t in tiles[:50]:
        render(*tile_bbox(*t))
    for z, x, y in SAMPLES:
        with open(os.path.join(samples, f"{name}_{z}_{x}_{y}.png"), "wb") as f:
            f.write(render(*tile_bbox(z, x, y)))
    total = 0
    start = time.perf_counter()
    for t in tiles:
        total += len(render(*tile_bbox(*t)))
    seconds = time.perf_counter() - start
    result = {"peer": name, "tiles": len(tiles), "seconds": seconds, "tiles_per_s": len(tiles) / seconds,
              "mean_bytes": total / len(tiles), "cpus": sorted(os.sched_getaffinity(0))}
    result["round"] = int(rnd)
    with open(os.path.join(work, f"{name}_r{rnd}.json"), "w") as f:
        json.dump(result, f)
    print(json.dumps(result))


# ---------------------------------------------------------------------------------------------
# Mapnik

def mapnik_peer(work, rnd="1"):
    setup, tiles = load(work)
    run_loop("mapnik", work, tiles, mapnik_renderer(work, setup), rnd)


def mapnik_renderer(work, setup):
    """A function (x0, y0, x1, y1) -> PNG bytes drawing the choropleth of `setup` with Mapnik
    (also used by benches/seed_peer.py)."""
    import mapnik
    m = mapnik.Map(256, 256, MERCATOR)
    fills = mapnik.Style()
    fills.filter_mode = mapnik.filter_mode.FIRST
    filters = [(k, mapnik.Expression(f"[RATE] <= {upper!r}")) for k, upper in class_filters(setup["breaks"])]
    for k, expression in filters:
        rule = mapnik.Rule()
        rule.filter = expression
        sym = mapnik.PolygonSymbolizer()
        sym.fill = mapnik.Color(setup["colors"][k])
        rule.symbols.append(sym)
        fills.rules.append(rule)
    rule = mapnik.Rule()  # values above the last break go to the last class, as in Quartier
    rule.set_else(True)
    sym = mapnik.PolygonSymbolizer()
    sym.fill = mapnik.Color(setup["colors"][-1])
    rule.symbols.append(sym)
    fills.rules.append(rule)
    borders = mapnik.Style()
    rule = mapnik.Rule()
    line = mapnik.LineSymbolizer()
    line.stroke = mapnik.Color(BORDER)
    line.stroke_width = BORDER_WIDTH
    rule.symbols.append(line)
    borders.rules.append(rule)
    m.append_style("fills", fills)
    m.append_style("borders", borders)
    layer = mapnik.Layer("nc", NAD27)
    layer.datasource = mapnik.Shapefile(file=os.path.join(work, "nc.shp"))
    layer.styles.append("fills")
    layer.styles.append("borders")
    m.layers.append(layer)
    check_mapnik_classes(layer.datasource, filters, work)

    def render(x0, y0, x1, y1):
        m.zoom_to_box(mapnik.Box2d(x0, y0, x1, y1))
        im = mapnik.Image(256, 256)
        mapnik.render(m, im)
        return im.tostring("png8")

    return render


def check_mapnik_classes(datasource, filters, work):
    """Mapnik parses DBF numbers and expression constants with its own parser, which is not
    always correctly rounded (it reads 1.8315018315018314 as ...312): evaluate each county's
    filters in Mapnik itself and make sure it lands in the class Quartier gives it."""
    expected = {r["FIPS"]: int(r["CLS"]) for r in read_dbf(os.path.join(work, "nc.dbf"))}
    seen = 0
    for f in datasource.all_features():
        got = next((k for k, e in filters if e.evaluate(f)), len(filters) - 1)
        if got != expected[f["FIPS"]]:
            raise SystemExit(f"mapnik puts county {f['FIPS']} (RATE {f['RATE']!r}) in class {got}, "
                             f"Quartier in class {expected[f['FIPS']]}")
        seen += 1
    if seen != len(expected):
        raise SystemExit(f"mapnik sees {seen} features, the DBF has {len(expected)}")


# ---------------------------------------------------------------------------------------------
# MapServer

def mapfile(work, setup):
    classes = "\n".join(
        f'    CLASS EXPRESSION ([RATE] <= {upper!r}) STYLE COLOR "{setup["colors"][k]}" END END'
        for k, upper in class_filters(setup["breaks"]))
    classes += f'\n    CLASS STYLE COLOR "{setup["colors"][-1]}" END END'
    proj = " ".join(f'"{p[1:]}"' for p in NAD27.split())
    return f"""
MAP
  SIZE 256 256
  EXTENT -20037508.342789244 -20037508.342789244 20037508.342789244 20037508.342789244
  UNITS METERS
  SHAPEPATH "{work}"
  IMAGETYPE "png8t"
  PROJECTION "init=epsg:3857" END
  OUTPUTFORMAT
    NAME "png8t"
    DRIVER "AGG/PNG8"
    MIMETYPE "image/png"
    IMAGEMODE RGBA
    TRANSPARENT ON
    EXTENSION "png"
  END
  LAYER
    NAME "fills"
    TYPE POLYGON
    STATUS ON
    DATA "nc"
    PROJECTION {proj} END
{classes}
  END
  LAYER
    NAME "borders"
    TYPE POLYGON
    STATUS ON
    DATA "nc"
    PROJECTION {proj} END
    CLASS STYLE OUTLINECOLOR "{BORDER}" WIDTH {BORDER_WIDTH} END END
  END
END
"""


def mapserver_peer(work, rnd="1"):
    import mapscript
    setup, tiles = load(work)
    text = mapfile(work, setup)
    with open(os.path.join(work, "nc.map"), "w") as f:
        f.write(text)
    m = mapscript.mapObj(os.path.join(work, "nc.map"))

    def render(x0, y0, x1, y1):
        m.setExtent(x0, y0, x1, y1)
        return m.draw().getBytes()

    run_loop("mapserver", work, tiles, render, rnd)


# ---------------------------------------------------------------------------------------------
# Quartier: one pass over the list on one keep-alive connection, to check every answer and
# save the samples (its speed is measured with wrk by run.sh).

def quartier_fetch(server, work):
    import http.client
    _, tiles = load(work)
    host, port = server.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    headers = {"x-quartier-no-cache": "1"}

    def get(z, x, y):
        conn.request("GET", f"/tiles/{LAYER}/{INDICATOR}/{z}/{x}/{y}.png?{STYLE}", headers=headers)
        r = conn.getresponse()
        body = r.read()
        if r.status != 200 or r.getheader("content-type") != "image/png" or body[:8] != b"\x89PNG\r\n\x1a\n":
            raise SystemExit(f"tile {z}/{x}/{y}: status {r.status}, {r.getheader('content-type')}, {body[:80]!r}")
        return body, r.getheader("x-quartier-cache")

    total, statuses = 0, {}
    for t in tiles:
        body, status = get(*t)
        total += len(body)
        statuses[status] = statuses.get(status, 0) + 1
    samples = os.path.join(work, "samples")
    os.makedirs(samples, exist_ok=True)
    for z, x, y in SAMPLES:
        with open(os.path.join(samples, f"quartier_{z}_{x}_{y}.png"), "wb") as f:
            f.write(get(z, x, y)[0])
    result = {"tiles": len(tiles), "mean_bytes": total / len(tiles), "cache_status": statuses}
    with open(os.path.join(work, "quartier_fetch.json"), "w") as f:
        json.dump(result, f)
    print(json.dumps(result))


def montage(work):
    """One picture per sample tile with the three renderings side by side (needs Pillow; skipped
    without it)."""
    try:
        from PIL import Image
    except ImportError:
        print("no Pillow: look at the single tiles in samples/ instead")
        return
    samples = os.path.join(work, "samples")
    for z, x, y in SAMPLES:
        out = Image.new("RGBA", (3 * 256 + 20, 256), (255, 255, 255, 255))
        tiles = {}
        for i, name in enumerate(("quartier", "mapnik", "mapserver")):
            tiles[name] = Image.open(os.path.join(samples, f"{name}_{z}_{x}_{y}.png")).convert("RGBA")
            out.alpha_composite(tiles[name], (i * 266, 0))
        out.save(os.path.join(samples, f"side_by_side_{z}_{x}_{y}.png"))
        # Share of pixels within 8 levels per channel of Quartier's (borders are anti-aliased
        # differently by each renderer; fills must agree).
        ours = tiles["quartier"].tobytes()
        agree = []
        for name in ("mapnik", "mapserver"):
            theirs = tiles[name].tobytes()
            same = sum(1 for i in range(0, len(ours), 4)
                       if max(abs(ours[i + c] - theirs[i + c]) for c in range(4)) <= 8)
            agree.append(f"{name} {400 * same / len(ours):.1f} %")
        print(f"tile {z}/{x}/{y}: pixels as Quartier's: {', '.join(agree)}")
    print(f"side-by-side pictures (quartier | mapnik | mapserver) in {samples}")


# ---------------------------------------------------------------------------------------------
# report

def wrk_numbers(path):
    """Requests/s (`per_s`), latency percentiles and errors from `wrk --latency` output."""
    out = {"non_2xx": 0, "socket_errors": 0}
    units = {"us": 1e-3, "ms": 1.0, "s": 1e3}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if line.startswith("Requests/sec:"):
                out["per_s"] = float(parts[1])
            elif len(parts) == 2 and parts[0] in ("50%", "99%"):
                value = parts[1]
                unit = next(u for u in ("us", "ms", "s") if value.endswith(u))
                out["p" + parts[0][:-1] + "_ms"] = float(value[:-len(unit)]) * units[unit]
            elif line.strip().startswith("Non-2xx"):
                out["non_2xx"] = int(parts[-1])
            elif line.strip().startswith("Socket errors"):
                out["socket_errors"] = sum(int(p.strip(",")) for p in parts if p.strip(",").isdigit())
            elif "requests in" in line:
                out["requests"] = int(parts[0])
    return out


def report(work):
    setup, _ = load(work)
    with open(os.path.join(work, "quartier_fetch.json")) as f:
        fetched = json.load(f)
    rounds = sorted(int(n[len("mapnik_r"):-5]) for n in os.listdir(work)
                    if n.startswith("mapnik_r") and n.endswith(".json"))
    # Best of the rounds for every renderer, with the spread of the rounds as the noise.
    peers = []
    for name in ("mapnik", "mapserver"):
        all_rounds = []
        for r in rounds:
            with open(os.path.join(work, f"{name}_r{r}.json")) as f:
                all_rounds.append(json.load(f))
        best = max(all_rounds, key=lambda x: x["tiles_per_s"])
        best["spread"] = [min(x["tiles_per_s"] for x in all_rounds), best["tiles_per_s"]]
        peers.append(best)
    runs = []
    for connections in (1, 4):
        all_rounds = []
        for r in rounds:
            w = wrk_numbers(os.path.join(work, f"wrk_c{connections}_r{r}.txt"))
            with open(os.path.join(work, f"cpu_c{connections}_r{r}.txt")) as f:
                cpu_s = float(f.read())
            w["cpu_us_per_tile"] = cpu_s / w["requests"] * 1e6
            w["connections"] = connections
            w["tiles_per_s"] = w["per_s"]
            all_rounds.append(w)
        best = max(all_rounds, key=lambda x: x["tiles_per_s"])
        best["spread"] = [min(x["tiles_per_s"] for x in all_rounds), best["tiles_per_s"]]
        runs.append(best)
    print(f"NC counties, SIDS rate 1974 per 1,000 births (quantile, 5 classes, YlOrRd), "
          f"{setup['tiles']} tiles at zooms 5-11 {setup['per_zoom']}")
    print(f"breaks from Quartier's legend.json: {setup['breaks']}")
    print(f"best of {len(rounds)} rounds, every renderer pinned to the same core "
          f"(cpus {peers[0].get('cpus')}); spread = slowest..fastest round")
    print(f"{'renderer (one core each)':<40} {'tiles/s':>9} {'ms/tile':>8} {'bytes/tile':>10} {'spread tiles/s':>16}")
    for r in peers:
        print(f"{r['peer'] + ' (Python loop, in-process)':<40} {r['tiles_per_s']:>9.0f} "
              f"{1000 / r['tiles_per_s']:>8.3f} {r['mean_bytes']:>10.0f} "
              f"{r['spread'][0]:>7.0f}..{r['spread'][1]:.0f}")
    for w in runs:
        label = f"quartier (HTTP, wrk -c{w['connections']}, no cache)"
        print(f"{label:<40} {w['tiles_per_s']:>9.0f} {1000 / w['tiles_per_s']:>8.3f} "
              f"{fetched['mean_bytes']:>10.0f} {w['spread'][0]:>7.0f}..{w['spread'][1]:.0f}   "
              f"p50 {w.get('p50_ms', 0):.3f} ms, p99 {w.get('p99_ms', 0):.3f} ms, "
              f"server CPU {w['cpu_us_per_tile']:.0f} us/tile, errors {w['non_2xx'] + w['socket_errors']}")
    best = max(w["tiles_per_s"] for w in runs)
    for r in peers:
        ratios = ", ".join(f"{w['tiles_per_s'] / r['tiles_per_s']:.1f}x with -c{w['connections']}" for w in runs)
        verdict = "met" if best / r["tiles_per_s"] >= 20 else "MISSED"
        print(f"quartier / {r['peer']} (best of {len(rounds)} each): {ratios} (target 20x: {verdict})")
    print(f"quartier answers over the list: {fetched['cache_status']}")


def dispatch(commands, doc):
    """Run `argv[1]` from `commands` (name -> function taking the remaining arguments)."""
    if len(sys.argv) < 3 or sys.argv[1] not in commands:
        sys.exit(doc)
    commands[sys.argv[1]](*sys.argv[2:])


def main():
    dispatch({"prepare": prepare, "mapnik": mapnik_peer, "mapserver": mapserver_peer,
              "quartier": quartier_fetch, "montage": montage, "report": report}, __doc__)


if __name__ == "__main__":
    main()
