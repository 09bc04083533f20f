#!/usr/bin/env python3
"""Load test helper: URL lists, the static copy of the tiles for nginx, process readings and the
report. Run by benches/load/run.sh (see README.md there). Standard library only.

  load.py urls SERVER WORK        write WORK/{tiles,legend,at}.txt (request paths) and prefetch
                                  the tiles into WORK/static/ for nginx
  load.py us WORK                 write WORK/us.txt: US county tiles over the contiguous states,
                                  zooms 3-10, 256 px and @2x
  load.py warm SERVER LIST STYLE  fetch every path of LIST once with ?STYLE (one connection)
  load.py proc PID...             print utime+stime seconds and VmHWM kB, summed over processes
  load.py wait PID URL            wait until URL answers 200; print milliseconds since PID started
  load.py report WORK             print the table from WORK/cases.jsonl
"""

import json
import os
import sys
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peers"))
from peers import dispatch, tile_list, wrk_numbers  # noqa: E402  (shared with the peer comparison)

STYLE = "method=quantile&classes=5&palette=YlOrRd"
LAYER, INDICATOR = "nc", "sids_rate74"
US_LAYER = "cb_2016_us_county_500k"


def get(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.status, r.read()


def urls(server, work):
    """Request lists: the NC tiles of zooms 5-11 (the peer comparison's list), the legend under
    a few styles, and /at for points on a grid over the layer that fall inside a county."""
    bounds = json.loads(get(f"{server}/api/layers/{LAYER}")[1])["bounds"]
    tiles = tile_list(bounds)
    static = os.path.join(work, "static")
    with open(os.path.join(work, "tiles.txt"), "w") as f, open(os.path.join(work, "static.txt"), "w") as g:
        for z, x, y in tiles:
            path = f"/tiles/{LAYER}/{INDICATOR}/{z}/{x}/{y}.png"
            status, body = get(f"{server}{path}?{STYLE}")
            if status != 200 or body[:4] != b"\x89PNG":
                raise SystemExit(f"{path}: status {status}")
            os.makedirs(os.path.join(static, str(z), str(x)), exist_ok=True)
            with open(os.path.join(static, str(z), str(x), f"{y}.png"), "wb") as out:
                out.write(body)
            f.write(f"{path}?{STYLE}\n")
            g.write(f"/{z}/{x}/{y}.png\n")
    with open(os.path.join(work, "legend.txt"), "w") as f:
        for method in ("quantile", "jenks", "equal"):
            for classes in (4, 5, 7):
                f.write(f"/api/layers/{LAYER}/indicators/{INDICATOR}/legend.json?method={method}&classes={classes}&palette=YlOrRd\n")
    w, s, e, n = bounds
    points = 0
    with open(os.path.join(work, "at.txt"), "w") as f:
        for i in range(40):
            for j in range(20):
                lon, lat = w + (e - w) * (i + 0.5) / 40, s + (n - s) * (j + 0.5) / 20
                path = f"/api/layers/{LAYER}/at?lon={lon:.5f}&lat={lat:.5f}"
                try:
                    status, _ = get(f"{server}{path}")
                except urllib.error.HTTPError as err:
                    status = err.code
                if status == 200:
                    f.write(path + "\n")
                    points += 1
    print(json.dumps({"tiles": len(tiles), "static_bytes": sum(
        os.path.getsize(os.path.join(d, x)) for d, _, files in os.walk(static) for x in files), "at_points": points}))


def us_list(work):
    """Enough distinct US county tiles (256 px and @2x) to fill the default tile cache (64 MiB)."""
    tiles = tile_list([-125.0, 24.5, -66.9, 49.4], range(3, 11))
    with open(os.path.join(work, "us.txt"), "w") as f:
        for suffix in ("", "@2x"):
            f.writelines(f"/tiles/{US_LAYER}/ALAND/{z}/{x}/{y}{suffix}.png\n" for z, x, y in tiles)
    print(2 * len(tiles))


def warm(server, path, style):
    """One pass over a list of tile paths in one style (e.g. the restyle case's warm-up)."""
    with open(path) as f:
        paths = [line.strip() for line in f if line.strip()]
    for p in paths:
        status, body = get(f"{server}{p}?{style}")
        if status != 200 or body[:4] != b"\x89PNG":
            raise SystemExit(f"{p}?{style}: status {status}")
    print(len(paths))


def proc(pids):
    """CPU seconds (utime + stime) and memory high-water mark, summed over processes."""
    ticks = os.sysconf("SC_CLK_TCK")
    cpu, hwm = 0.0, 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        cpu += (int(fields[11]) + int(fields[12])) / ticks
        with open(f"/proc/{pid}/status") as f:
            hwm += next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    print(f"{cpu} {hwm}")


def wait(pid, url):
    """Poll URL every 2 ms; print the time from the process's start (from /proc, 10 ms
    resolution) to its first 200 answer."""
    import time
    deadline = time.monotonic() + 60
    while True:
        try:
            if get(url)[0] == 200:
                break
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"{url} did not answer within 60 s")
        time.sleep(0.002)
    with open("/proc/uptime") as f:
        now = float(f.read().split()[0])
    with open(f"/proc/{pid}/stat") as f:
        started = int(f.read().rsplit(")", 1)[1].split()[19]) / os.sysconf("SC_CLK_TCK")
    print(f"{(now - started) * 1000:.0f}")


def report(work):
    cases = []
    with open(os.path.join(work, "cases.jsonl")) as f:
        for line in f:
            case = json.loads(line)
            case.update(wrk_numbers(os.path.join(work, case["wrk"])))
            case["cpu_us"] = case["cpu_s"] / case["requests"] * 1e6
            cases.append(case)
    nginx = {c["name"].split("(")[1].rstrip(")"): c for c in cases if c["server"] == "nginx"}
    print(f"{'case':<36} {'req/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'CPU us/req':>10} "
          f"{'/ nginx defaults':>16} {'/ nginx tuned':>13} {'errors':>6}")
    for c in cases:
        ratios = [f"{c['per_s'] / n['per_s']:.2f}x" for n in (nginx.get("defaults"), nginx.get("tuned")) if n]
        print(f"{c['name']:<36} {c['per_s']:>9.0f} {c.get('p50_ms', 0):>7.3f} {c.get('p99_ms', 0):>7.3f} "
              f"{c['cpu_us']:>10.1f} {ratios[0]:>16} {ratios[1]:>13} {c['non_2xx'] + c['socket_errors']:>6}")
    with open(os.path.join(work, "extra.json")) as f:
        extra = json.load(f)
    print(f"quartier serve (bundled atlas): ready {extra['ready_ms']} ms after start, "
          f"peak RSS {extra['rss_quartier_kb'] / 1024:.1f} MB after all cases")
    print(f"nginx (master + workers): peak RSS {extra['rss_nginx_kb'] / 1024:.1f} MB")
    print(f"quartier serve us_counties (default cache): ready {extra['us_ready_ms']} ms, "
          f"peak RSS {extra['rss_us_kb'] / 1024:.1f} MB after {extra['us_requests']} tile requests, cache {extra['us_cache']}")
    # The better of the two cached runs (one before, one after the nginx runs).
    cached = max((c for c in cases if c["name"].startswith("quartier cached")), key=lambda c: c["per_s"])
    restyle = next((c for c in cases if c["name"].startswith("quartier restyle")), None)
    uncached = next((c for c in cases if c["name"].startswith("quartier uncached")), None)
    if restyle:
        print(f"restyle / cached (best of the cached runs): {restyle['per_s'] / cached['per_s']:.2f}x; "
              f"restyle / uncached: {restyle['per_s'] / uncached['per_s']:.2f}x")
        path = os.path.join(work, "health_after_restyle.json")
        if os.path.exists(path):
            with open(path) as f:
                s = json.load(f)["stats"]
            print("after restyle: " + ", ".join(f"{k} {s.get(k)}" for k in (
                "tiles_rendered", "rasters_built", "tiles_spliced", "tiles_reencoded", "raster_fallbacks"))
                + f"; cache {s['cache']['tiles']} tiles, {s['cache']['rasters']} rasters "
                f"({s['cache']['raster_bytes'] / 2**20:.1f} MB) of {s['cache']['bytes'] / 2**20:.1f} MB")
    checks = [
        ("cached tiles >= 45,000 req/s", cached["per_s"] >= 45000),
        ("cached tiles >= 0.7x nginx (defaults)", cached["per_s"] >= 0.7 * nginx["defaults"]["per_s"]),
        ("cached tiles >= 0.7x nginx (tuned)", cached["per_s"] >= 0.7 * nginx["tuned"]["per_s"]),
        ("cached tiles p99 < 5 ms", cached.get("p99_ms", 1e9) < 5),
        ("restyle >= 0.5x cached", bool(restyle) and restyle["per_s"] >= 0.5 * cached["per_s"]),
        ("cached tiles < 25 us server CPU per request", cached["cpu_us"] < 25),
        ("bundled atlas ready within 1 s", extra["ready_ms"] < 1000),
        ("peak RSS serving US counties < 200 MB", extra["rss_us_kb"] < 200 * 1024),
    ]
    for label, ok in checks:
        print(f"target {label}: {'met' if ok else 'MISSED'}")


def main():
    dispatch({"urls": urls, "us": us_list, "proc": lambda *pids: proc(pids), "wait": wait, "warm": warm,
              "report": report}, __doc__)


if __name__ == "__main__":
    main()
