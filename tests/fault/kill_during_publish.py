#!/usr/bin/env python3
"""`kill -9` at any moment of a publish leaves a published version live after a restart.

Runs ROUNDS times: start `quartier serve` (admin API on, one data folder kept across rounds) on
a copy of the bundled atlas, stage a changed Montréal table and publish it while a timer sends
SIGKILL at a random moment between the start of staging and a little after the publish answer
(the window is measured first, without a kill), then start the server again
on the same data folder. Checks that it starts, that the version it serves is the first one or
one that a publish answered 200 for or that was in flight when killed (old or new, never a
mixture), that district 101's value is that version's, and that a publish answered 200 is the
version live after the restart. Bounded, loopback only.

    python3 tests/fault/kill_during_publish.py [--bin target/release/quartier] [--rounds 20]

Prints one JSON line; exits 1 on a failed start or a version/value that is neither old nor new.
"""
import argparse, http.client, json, os, random, re, shutil, signal, subprocess, sys, tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOKEN = "kill-during-publish-token-0123456789"
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reload_under_load import share, with_votes  # noqa: E402


def start(bin_, manifest, data):
    server = subprocess.Popen([bin_, "serve", manifest, "--bind", "127.0.0.1:0", "--data-dir", data],
                              stderr=subprocess.PIPE, text=True,
                              env=dict(os.environ, QUARTIER_ADMIN_TOKEN=TOKEN, RUST_LOG="info"))
    log = []
    deadline = time.time() + 60
    while time.time() < deadline:
        line = server.stderr.readline()
        if not line:
            break
        log.append(line)
        m = re.search(r"layer\(s\) on ([0-9.]+):(\d+);", line)
        if m:
            threading.Thread(target=lambda: [None for _ in server.stderr], daemon=True).start()
            return server, (m.group(1), int(m.group(2)))
    server.kill()
    raise SystemExit("the server did not start:\n" + "".join(log))


def get(addr, path):
    c = http.client.HTTPConnection(*addr, timeout=10)
    c.request("GET", path)
    r = c.getresponse()
    return json.loads(r.read())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/release/quartier"))
    ap.add_argument("--rounds", type=int, default=20)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="quartier-kill-")
    atlas = os.path.join(work, "atlas")
    shutil.copytree(os.path.join(ROOT, "geodata"), atlas, ignore=shutil.ignore_patterns("de"))
    manifest, data = os.path.join(atlas, "atlas.toml"), os.path.join(work, "data")
    with open(os.path.join(atlas, "montreal/election.csv"), encoding="utf-8") as f:
        table = f.read()
    random.seed(20261203)
    expected = {}  # share of district 101 -> how many times a restarted server showed it
    shares = {share(table)}
    outcomes = {"killed_before_answer": 0, "published": 0, "restarts": 0}
    bad = []
    try:
        # The window: how long staging and publishing take here, measured once without a kill.
        server, addr = start(args.bin, manifest, data)
        began = time.perf_counter()
        c = http.client.HTTPConnection(*addr, timeout=30)
        auth = {"Authorization": "Bearer " + TOKEN}
        c.request("PUT", "/admin/layers/montreal/tables/election", body=table.encode(), headers=auth)
        staged = json.loads(c.getresponse().read())
        c.request("POST", f"/admin/versions/{staged['id']}/publish?force=1", body=b"", headers=auth)
        c.getresponse().read()
        window = (time.perf_counter() - began) * 1.2
        server.kill()
        server.wait()
        for k in range(1, args.rounds + 1):
            server, addr = start(args.bin, manifest, data)
            new = with_votes(table, 7 * k)
            shares.add(share(new))
            timer = threading.Timer(random.uniform(0, window), lambda: server.send_signal(signal.SIGKILL))
            timer.start()
            try:
                c = http.client.HTTPConnection(*addr, timeout=10)
                auth = {"Authorization": "Bearer " + TOKEN}
                c.request("PUT", "/admin/layers/montreal/tables/election", body=new.encode(), headers=auth)
                staged = json.loads(c.getresponse().read())
                c.request("POST", f"/admin/versions/{staged['id']}/publish", body=b"", headers=auth)
                status = c.getresponse().status
                outcomes["published" if status == 200 else "killed_before_answer"] += 1
            except Exception:
                status = None
                outcomes["killed_before_answer"] += 1
            timer.join()
            server.kill()
            server.wait()
            # Restart on the same data folder: it must come up on a whole version.
            server, addr = start(args.bin, manifest, data)
            outcomes["restarts"] += 1
            value = get(addr, "/api/layers/montreal/districts/101")["values"]["coderre_share"]
            if not any(abs(value - s) < 1e-9 for s in shares):
                bad.append({"round": k, "value": value})
            # A publish answered 200 is durable: the restarted server shows the new table.
            if status == 200 and abs(value - share(new)) > 1e-9:
                bad.append({"round": k, "value": value, "published": share(new)})
            expected[round(value, 9)] = expected.get(round(value, 9), 0) + 1
            server.kill()
            server.wait()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = {"rounds": args.rounds, "window_ms": round(window * 1000, 1), **outcomes, "distinct_live_values": len(expected), "bad": bad}
    print(json.dumps(result))
    sys.exit(1 if bad or outcomes["restarts"] != args.rounds else 0)


if __name__ == "__main__":
    main()
