#!/usr/bin/env python3
"""Publishing under load: mixed reads while the data changes every second, on loopback.

Starts `quartier serve` on a copy of the bundled atlas with the admin API on, keeps READERS
threads reading (tiles, legend, values.json, a district, /health) over keep-alive connections,
and every second does one of: publish a new version of the Montréal election table (district
101's Coderre votes +k), SIGHUP, stage a truncated copy of the table (must be refused, 422),
roll back to the version before. A watcher reads /health and district 101 every 50 ms and checks
that every version it sees live is one that was published (or the first), and that the value it
answers is the one of that version's table. Bounded: DURATION seconds, every request with a
timeout, everything on 127.0.0.1, the server killed on exit.

    python3 tests/fault/reload_under_load.py [--bin target/release/quartier] [--duration 20]

Prints one JSON line; exits 1 when a request failed or a version that was never published (or a
value that does not belong to the live version) was seen.
"""
import argparse, http.client, json, os, re, shutil, signal, subprocess, sys, tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOKEN = "reload-under-load-token-0123456789"
READS = [
    "/tiles/montreal/coderre_share/11/604/731.png", "/tiles/montreal/coderre_share/12/1209/1463.png",
    "/tiles/nc/sids_rate74/7/35/50.png", "/api/layers/montreal/indicators/coderre_share/legend.json",
    "/api/layers/montreal/values.json", "/api/layers/montreal/districts/101", "/health",
]


def request(conn, method, path, body=None, headers=None):
    conn.request(method, path, body=body, headers=headers or {})
    r = conn.getresponse()
    return r.status, r.read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/release/quartier"))
    ap.add_argument("--duration", type=float, default=20)
    ap.add_argument("--readers", type=int, default=4)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="quartier-reload-")
    atlas = os.path.join(work, "atlas")
    shutil.copytree(os.path.join(ROOT, "geodata"), atlas, ignore=shutil.ignore_patterns("de"))
    with open(os.path.join(atlas, "montreal/election.csv"), encoding="utf-8") as f:
        table = f.read()
    server = subprocess.Popen(
        [args.bin, "serve", os.path.join(atlas, "atlas.toml"), "--bind", "127.0.0.1:0",
         "--data-dir", os.path.join(work, "data")],
        stderr=subprocess.PIPE, text=True, env=dict(os.environ, QUARTIER_ADMIN_TOKEN=TOKEN, RUST_LOG="info"))
    log = []
    try:
        addr = None
        deadline = time.time() + 60
        while addr is None and time.time() < deadline:
            line = server.stderr.readline()
            log.append(line)
            m = re.search(r"layer\(s\) on ([0-9.]+):(\d+);", line)
            if m:
                addr = (m.group(1), int(m.group(2)))
        if addr is None:
            sys.exit("the server did not start:\n" + "".join(log))
        threading.Thread(target=lambda: [log.append(l) for l in server.stderr], daemon=True).start()
        result = run(addr, args, server, table)
    finally:
        server.kill()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result))
    sys.exit(0 if result["failed"] == 0 and not result["unknown_versions"] and not result["wrong_values"] else 1)


def share(table, district="101"):
    """Coderre's share in `district` as the table states it (the expected value of that version)."""
    head, *rows = table.strip().splitlines()
    cols = head.split(",")
    for row in rows:
        cells = dict(zip(cols, row.split(",")))
        if cells["district_id"] == district:
            return float(cells["Coderre"]) / float(cells["total"]) * 100
    raise SystemExit("district 101 not in the table")


def with_votes(table, extra):
    """The table with `extra` more votes for Coderre (and in the total) in district 101."""
    head, *rows = table.strip().splitlines()
    cols = head.split(",")
    out = [head]
    for row in rows:
        cells = row.split(",")
        if cells[cols.index("district_id")] == "101":
            for c in ("Coderre", "total"):
                cells[cols.index(c)] = str(int(cells[cols.index(c)]) + extra)
        out.append(",".join(cells))
    return "\n".join(out) + "\n"


def run(addr, args, server, table):
    stop = time.time() + args.duration
    counts = {"ok": 0, "failed": 0, "statuses": {}}
    lock = threading.Lock()
    expected = {}  # data version -> expected share of district 101
    seen, samples, wrong = {}, [], []

    def reader(k):
        conn = http.client.HTTPConnection(*addr, timeout=10)
        i = k
        while time.time() < stop:
            path = READS[i % len(READS)]
            i += 1
            try:
                status, _ = request(conn, "GET", path)
            except Exception as e:  # a refused or reset connection is a failed request
                status = type(e).__name__
                conn.close()
                conn = http.client.HTTPConnection(*addr, timeout=10)
            with lock:
                counts["statuses"][str(status)] = counts["statuses"].get(str(status), 0) + 1
                counts["ok" if status in (200, 304) else "failed"] += 1

    def watcher():
        conn = http.client.HTTPConnection(*addr, timeout=10)
        while time.time() < stop:
            try:
                _, before = request(conn, "GET", "/health")
                _, body = request(conn, "GET", "/api/layers/montreal/districts/101")
                _, after = request(conn, "GET", "/health")
                v0, v1 = json.loads(before)["version"], json.loads(after)["version"]
                value = json.loads(body)["values"]["coderre_share"]
            except Exception:
                conn.close()
                conn = http.client.HTTPConnection(*addr, timeout=10)
                continue
            with lock:
                for v in (v0, v1):
                    seen[v] = seen.get(v, 0) + 1
                # The same version before and after: the value is that version's.
                if v0 == v1:
                    samples.append((v0, value))
            time.sleep(0.05)

    admin = http.client.HTTPConnection(*addr, timeout=30)
    auth = {"Authorization": "Bearer " + TOKEN}
    _, body = request(admin, "GET", "/health")
    first = json.loads(body)["version"]
    expected[first] = share(table)
    threads = [threading.Thread(target=reader, args=(k,)) for k in range(args.readers)]
    threads.append(threading.Thread(target=watcher))
    for t in threads:
        t.start()
    published, actions, extra, step = [], {"publish": 0, "hangup": 0, "refused": 0, "rollback": 0}, 0, 0
    while time.time() < stop - 1:
        kind = ["publish", "hangup", "truncated", "rollback"][step % 4]
        step += 1
        if kind == "publish":
            extra += 7
            new = with_votes(table, extra)
            status, body = request(admin, "PUT", "/admin/layers/montreal/tables/election", new.encode(), auth)
            staged = json.loads(body)
            if status != 201:
                raise SystemExit(f"staging answered {status}: {body[:300]}")
            status, body = request(admin, "POST", f"/admin/versions/{staged['id']}/publish", b"", auth)
            if status != 200:
                raise SystemExit(f"publish answered {status}: {body[:300]}")
            live = json.loads(body)["data_version"]
            with lock:
                expected[live] = share(new)
            published.append(staged["id"])
            actions["publish"] += 1
        elif kind == "hangup":
            server.send_signal(signal.SIGHUP)
            actions["hangup"] += 1
        elif kind == "truncated":
            cut = with_votes(table, extra)[:-100]
            status, _ = request(admin, "PUT", "/admin/layers/montreal/tables/election", cut.encode(), auth)
            if status != 422:
                raise SystemExit(f"a truncated table was answered {status}, not 422")
            actions["refused"] += 1
        elif len(published) >= 2:
            status, body = request(admin, "POST", f"/admin/versions/{published[-2]}/publish?force=1", b"", auth)
            if status != 200:
                raise SystemExit(f"rollback answered {status}: {body[:300]}")
            published.append(published[-2])
            actions["rollback"] += 1
        time.sleep(1)
    for t in threads:
        t.join()
    # Every version seen live was published (or was the first), and district 101 answered by a
    # version is that version's share.
    unknown = set(seen) - set(expected)
    checked = 0
    for version, value in samples:
        if version in expected:
            checked += 1
            if abs(value - expected[version]) > 1e-9:
                wrong.append({"version": version, "got": value, "expected": expected[version]})
    return {"duration_s": args.duration, "readers": args.readers, "requests": counts["ok"] + counts["failed"],
            "failed": counts["failed"], "statuses": counts["statuses"], "actions": actions,
            "versions_seen": len(seen), "versions_published": len(expected) - 1, "values_checked": checked,
            "unknown_versions": sorted(unknown), "wrong_values": wrong}


if __name__ == "__main__":
    main()
