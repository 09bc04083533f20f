#!/usr/bin/env bash
# Two `quartier serve` replicas behind nginx (Debian's nginx-light) as a caching load balancer on
# loopback (docs/deploy.md, "Replicas behind a cache"). Checks, and exits non-zero when one fails:
#   1. both replicas answer every tile of a sample with the same bytes and the same ETag;
#   2. nginx answers a repeated request from its cache (X-Cache-Status: HIT) with the same bytes;
#   3. killing one replica in the middle of a run of uncached requests costs no failed request.
# Prints what it measured; the numbers go to benches/RESULTS.md by hand.
#
# Environment: QUARTIER_BIN (default: target/debug/quartier, built if missing), NGINX (default
# /usr/sbin/nginx, installed from Debian if missing), REQUESTS (default 400).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

NGINX="${NGINX:-/usr/sbin/nginx}"
if [ ! -x "$NGINX" ]; then
  echo "== installing Debian's nginx-light =="
  SUDO=""; if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx-light >/dev/null
fi
if [ -z "${QUARTIER_BIN:-}" ]; then
  cargo build -p quartier-server --locked -q
  QUARTIER_BIN="$ROOT/target/debug/quartier"
fi
REQUESTS="${REQUESTS:-400}"

WORK="$(mktemp -d -t quartier-replicas.XXXXXX)"
chmod 755 "$WORK"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
A_PORT="$(free_port)"; B_PORT="$(free_port)"; LB_PORT="$(free_port)"

start_replica() {
  "$QUARTIER_BIN" serve geodata/atlas.toml --bind "127.0.0.1:$1" >"$WORK/replica-$1.log" 2>&1 &
  PIDS+=("$!")
}
start_replica "$A_PORT"; A_PID="${PIDS[-1]}"
start_replica "$B_PORT"; B_PID="${PIDS[-1]}"
for port in "$A_PORT" "$B_PORT"; do
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
    sleep 0.1
  done
  curl -sf "http://127.0.0.1:$port/health" >/dev/null || { echo "replica on $port did not start"; cat "$WORK/replica-$port.log"; exit 1; }
done

mkdir -p "$WORK/cache" "$WORK/tmp"
cat >"$WORK/nginx.conf" <<CONF
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/error.log warn;
$( [ "$(id -u)" -eq 0 ] && echo "user root;" )
events { worker_connections 256; }
http {
    access_log $WORK/access.log;
    client_body_temp_path $WORK/tmp/body;
    proxy_temp_path $WORK/tmp/proxy;
    fastcgi_temp_path $WORK/tmp/fastcgi;
    uwsgi_temp_path $WORK/tmp/uwsgi;
    scgi_temp_path $WORK/tmp/scgi;
    proxy_cache_path $WORK/cache levels=1:2 keys_zone=quartier:16m max_size=256m inactive=1h;
    upstream quartier {
        server 127.0.0.1:$A_PORT max_fails=1 fail_timeout=5s;
        server 127.0.0.1:$B_PORT max_fails=1 fail_timeout=5s;
        keepalive 16;
    }
    server {
        listen 127.0.0.1:$LB_PORT;
        location / {
            proxy_pass http://quartier;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_cache quartier;
            proxy_cache_valid 200 1h;
            proxy_cache_use_stale error timeout updating http_502 http_503;
            proxy_cache_lock on;
            proxy_next_upstream error timeout http_502 http_503;
            add_header X-Cache-Status \$upstream_cache_status;
        }
    }
}
CONF
"$NGINX" -p "$WORK" -c "$WORK/nginx.conf"
for _ in $(seq 1 50); do [ -f "$WORK/nginx.pid" ] && break; sleep 0.1; done

fail=0
check() { if [ "$1" = ok ]; then echo "ok   $2"; else echo "FAIL $2"; fail=1; fi; }

# 1. The same bytes and ETags from both replicas (PNG and vector tiles, two styles, the legend).
SAMPLE=(
  "/tiles/nc/sids_rate74/7/35/50.png" "/tiles/nc/sids_rate74/7/36/50@2x.png"
  "/tiles/nc/sids_rate74/8/71/101.png?method=jenks&classes=4" "/tiles/boston/population/11/619/757.png"
  "/tiles/nc/sids_rate74/6/17/25.mvt" "/api/layers/nc/indicators/sids_rate74/legend.json"
)
same=0
for p in "${SAMPLE[@]}"; do
  a="$(curl -s -D "$WORK/ha" "http://127.0.0.1:$A_PORT$p" | sha256sum)"
  b="$(curl -s -D "$WORK/hb" "http://127.0.0.1:$B_PORT$p" | sha256sum)"
  ea="$(grep -i '^etag:' "$WORK/ha" | tr -d '\r')"; eb="$(grep -i '^etag:' "$WORK/hb" | tr -d '\r')"
  if [ "$a" = "$b" ] && [ -n "$ea" ] && [ "$ea" = "$eb" ]; then same=$((same + 1)); else echo "  differs: $p ($ea / $eb)"; fi
done
check "$([ "$same" -eq "${#SAMPLE[@]}" ] && echo ok)" "replicas agree on bytes and ETag for $same of ${#SAMPLE[@]} answers"

# 2. Repeats come from nginx's cache.
url="http://127.0.0.1:$LB_PORT/tiles/nc/sids_rate74/7/35/50.png"
first="$(curl -s -D "$WORK/h1" "$url" | sha256sum)"; s1="$(grep -i '^x-cache-status:' "$WORK/h1" | tr -d '\r' | awk '{print $2}')"
second="$(curl -s -D "$WORK/h2" "$url" | sha256sum)"; s2="$(grep -i '^x-cache-status:' "$WORK/h2" | tr -d '\r' | awk '{print $2}')"
direct="$(curl -s "http://127.0.0.1:$A_PORT/tiles/nc/sids_rate74/7/35/50.png" | sha256sum)"
check "$([ "$s1" = MISS ] && [ "$s2" = HIT ] && [ "$first" = "$second" ] && [ "$second" = "$direct" ] && echo ok)" \
  "nginx: first $s1, repeat $s2, same bytes as the replica"

# 3. Kill replica B after a quarter of a run of uncached tile requests (distinct tiles of zoom 9-10
#    over North Carolina, so that every request goes to a replica).
python3 - "$LB_PORT" "$REQUESTS" "$B_PID" >"$WORK/run.json" <<'PY'
import json, os, signal, sys, time, urllib.request, urllib.error
port, n, victim = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
tiles = [(z, x, y) for z in (9, 10) for x in range(int(0.2657 * 2**z), int(0.2904 * 2**z) + 1)
         for y in range(int(0.3950 * 2**z), int(0.4050 * 2**z) + 1)][:n]
failed, statuses, killed_at = [], {}, None
started = time.time()
for i, (z, x, y) in enumerate(tiles):
    if i == len(tiles) // 4:
        os.kill(victim, signal.SIGKILL)
        killed_at = i
    url = f"http://127.0.0.1:{port}/tiles/nc/sids_rate74/{z}/{x}/{y}.png"
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            statuses[r.status] = statuses.get(r.status, 0) + 1
            r.read()
    except Exception as e:  # any error is a failed request
        failed.append(f"{url}: {e}")
print(json.dumps({"requests": len(tiles), "killed_at": killed_at, "statuses": statuses,
                  "failed": failed, "seconds": time.time() - started}))
PY
cat "$WORK/run.json"
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if not r['failed'] and r['statuses'].get('200',0)==r['requests'] else 1)" "$WORK/run.json" \
  && check ok "a replica killed mid-run: $(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(r['requests'], 'requests, all 200, killed after', r['killed_at'])" "$WORK/run.json")" \
  || check fail "requests failed after the replica was killed"
exit "$fail"
