#!/usr/bin/env python3
"""Slow and idle clients against `quartier serve` on loopback, under `prlimit --nofile=1024`.

Opens N idle sockets (default 1,100, more than the server's open-file limit), a few that send half
a request, then measures how long `GET /health` takes, how long until the idle sockets are closed
by the server, and how long SIGTERM takes to stop it with idle clients connected. Bounded: every
wait has a timeout, everything runs on 127.0.0.1, the server is killed on exit.

    python3 tests/fault/idle_clients.py [--bin target/debug/quartier] [--idle 1100] [--header-timeout 10]

Prints one line per measurement (the numbers SECURITY.md quotes).
"""
import argparse, os, re, resource, signal, socket, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/debug/quartier"))
    ap.add_argument("--idle", type=int, default=1100)
    ap.add_argument("--header-timeout", type=int, default=10,
                    help="passed to the server; 0: not passed (for a server without the flag)")
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, args.idle + 200)), hard))
    src = os.path.join(ROOT, "tests/fixtures/montreal_districts/election.geojson")
    flags = ["--header-timeout", str(args.header_timeout)] if args.header_timeout else []
    wait = args.header_timeout or 10
    server = subprocess.Popen(
        ["prlimit", "--nofile=1024", "--", args.bin, "serve", src, "--bind", "127.0.0.1:0", *flags],
        stderr=subprocess.PIPE, text=True)
    try:
        addr = None
        deadline = time.time() + 60
        while addr is None and time.time() < deadline:
            line = server.stderr.readline()
            m = re.search(r"layer\(s\) on ([0-9.]+):(\d+);", line)
            if m:
                addr = (m.group(1), int(m.group(2)))
        if addr is None:
            sys.exit("server did not start")
        t0 = time.time()
        idle = []
        for _ in range(args.idle):
            s = socket.socket()
            s.settimeout(5)
            try:
                s.connect(addr)
                idle.append(s)
            except OSError:
                s.close()
        for s in idle[:10]:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        print(f"idle sockets: {len(idle)} connected in {time.time() - t0:.1f} s")
        t1 = time.time()
        try:
            h = socket.create_connection(addr, timeout=60)
            h.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            status = h.recv(64).split(b"\r\n")[0].decode()
        except OSError as e:
            status = f"no answer ({e})"
        print(f"/health with {len(idle)} idle sockets: {status!r} after {time.time() - t1:.2f} s")
        closed = 0
        t2 = time.time()
        for s in idle:
            s.settimeout(max(0.1, wait * 3 - (time.time() - t2)))
            try:
                if s.recv(1) == b"":
                    closed += 1
            except socket.timeout:
                pass
            except OSError:
                closed += 1
        print(f"closed by the server: {closed} of {len(idle)} within {time.time() - t0:.1f} s of opening")
        fresh = []
        for _ in range(50):
            try:
                fresh.append(socket.create_connection(addr, timeout=5))
            except OSError:
                break
        t3 = time.time()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
            print(f"SIGTERM with {len(fresh)} idle clients: exit {server.returncode} after {time.time() - t3:.2f} s")
        except subprocess.TimeoutExpired:
            print(f"SIGTERM with {len(fresh)} idle clients: still running after 60 s")
            server.kill()
        for s in idle + fresh:
            s.close()
        server.wait(timeout=10)
        log = server.stderr.read()
        print(f"'accept error' lines in the log: {log.count('accept error')}")
    finally:
        if server.poll() is None:
            server.kill()


if __name__ == "__main__":
    main()
