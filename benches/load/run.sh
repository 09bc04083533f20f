#!/usr/bin/env bash
# Load test: wrk against `quartier serve` (release build) and against nginx serving the same tiles
# as static files, in one run, on loopback only. See README.md in this folder.
#
#   benches/load/run.sh                       # every case, 10 s each
#   DURATION=5 CONNECTIONS=64 WORK=/tmp/load benches/load/run.sh
#
# Needs root for apt-get (once). Every request goes to 127.0.0.1; every case is bounded in time.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
. "$HERE/../lib.sh"
WORK="${WORK:-$(mktemp -d /tmp/quartier-load.XXXXXX)}"
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
PY=python3
mkdir -p "$WORK"
chmod 755 "$WORK"   # nginx's workers (user nobody) read the static tiles from here

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
if ((${#need[@]})); then
  echo "installing ${need[*]} from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
quartier_bin  # QUARTIER=/path/to/quartier measures another build without building

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# wrk script cycling through a list of request paths, with an optional extra header; prints its path.
lua() { # lua LIST [HEADER VALUE]
  local out="$WORK/$(basename "$1" .txt)${3:+_$3}.lua"
  wrk_list_lua "$1" "$out" "${@:2}"
  echo "$out"
}

: >"$WORK/cases.jsonl"
case_run() { # case_run NAME SERVER-LABEL URL LUA PID...
  local name="$1" label="$2" url="$3" script="$4"; shift 4
  local out="wrk_$(echo "$name" | tr -c 'a-z0-9' '_').txt"
  read -r cpu0 _ < <($PY "$HERE/load.py" proc "$@")
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$script" "$url" >"$WORK/$out"
  read -r cpu1 _ < <($PY "$HERE/load.py" proc "$@")
  printf '{"name": "%s", "server": "%s", "wrk": "%s", "cpu_s": %s}\n' \
    "$name" "$label" "$out" "$(echo "$cpu1 - $cpu0" | bc -l)" >>"$WORK/cases.jsonl"
}

# --- Quartier on the bundled atlas ------------------------------------------------------------
QPORT="$(free_port)"
Q="http://127.0.0.1:$QPORT"
(cd "$ROOT" && exec "$QUARTIER" serve --bind "127.0.0.1:$QPORT") >"$WORK/quartier.log" 2>&1 &
QPID=$!
PIDS+=("$QPID")
READY_MS="$($PY "$HERE/load.py" wait "$QPID" "$Q/health")"

# Request lists; fetching the tiles once also fills Quartier's cache (the cached case is hot).
$PY "$HERE/load.py" urls "$Q" "$WORK" >"$WORK/urls.json"
TILES_LUA="$(lua "$WORK/tiles.txt")"
BYPASS_LUA="$(lua "$WORK/tiles.txt" x-quartier-no-cache 1)"
STATIC_LUA="$(lua "$WORK/static.txt")"
LEGEND_LUA="$(lua "$WORK/legend.txt")"
AT_LUA="$(lua "$WORK/at.txt")"
# Restyle (issue 13): the NC list without its style, every request with manual breaks never seen
# before (four random breaks inside the indicator's range; each wrk thread seeds its own
# generator), so every tile is a miss of the PNG cache and answered from the tile's kept raster.
sed 's/?.*//' "$WORK/tiles.txt" >"$WORK/restyle.txt"
cat >"$WORK/restyle.lua" <<EOF
local urls = {}
for line in io.lines("$WORK/restyle.txt") do urls[#urls + 1] = line end
local threads = 0
function setup(thread) threads = threads + 1; thread:set("seed", threads) end
local i = 0
function init(args) math.randomseed(seed * 7919 + os.time()); i = seed * 97 end
request = function()
  i = i % #urls + 1
  local b = {}
  for k = 1, 4 do b[k] = 0.2 + math.random() * 5.8 end
  table.sort(b)
  local q = string.format("?method=manual&breaks=%.9f,%.9f,%.9f,%.9f&palette=YlOrRd", b[1], b[2], b[3], b[4])
  return wrk.format("GET", urls[i] .. q)
end
EOF
RESTYLE_LUA="$WORK/restyle.lua"

# --- nginx with the same tiles as static files, twice ------------------------------------------
# "defaults": the http settings of Debian's /etc/nginx/nginx.conf (sendfile, tcp_nopush, an access
# log, keepalive_requests 1000); "tuned": no access log, open_file_cache, unlimited keep-alive.
start_nginx() { # start_nginx NAME EXTRA-HTTP-SETTINGS; sets NPORT, NPID, NGINX_PIDS
  NPORT="$(free_port)"
  local dir="$WORK/nginx_$1"
  mkdir -p "$dir"
  cat >"$dir/nginx.conf" <<EOF
worker_processes $THREADS;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 1024; }
http {
  sendfile on;
  tcp_nopush on;
  types { image/png png; }
  $2
  server {
    listen 127.0.0.1:$NPORT;
    root $WORK/static;
    location / { add_header Cache-Control "public, max-age=3600"; }
  }
}
EOF
  "$NGINX" -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" &
  NPID=$!
  PIDS+=("$NPID")
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$NPORT$(head -1 "$WORK/static.txt")" -o /dev/null && break
    sleep 0.05
  done
  NGINX_PIDS=("$NPID" $(ps --ppid "$NPID" -o pid=))
  cmp <(curl -s "http://127.0.0.1:$NPORT$(sed -n 100p "$WORK/static.txt")") \
      <(curl -s "$Q$(sed -n 100p "$WORK/tiles.txt")") || { echo "nginx and quartier serve different bytes"; exit 1; }
}

# --- the cases ----------------------------------------------------------------------------------
case_run "quartier cached tiles" quartier "$Q" "$TILES_LUA" "$QPID"
start_nginx defaults "access_log $WORK/nginx_defaults/access.log;"
case_run "nginx static tiles (defaults)" nginx "http://127.0.0.1:$NPORT" "$STATIC_LUA" "${NGINX_PIDS[@]}"
read -r _ RSS_N < <($PY "$HERE/load.py" proc "${NGINX_PIDS[@]}")
kill "$NPID"; wait "$NPID" 2>/dev/null || true
start_nginx tuned "access_log off; tcp_nodelay on; keepalive_requests 1000000; open_file_cache max=10000 inactive=60s;"
case_run "nginx static tiles (tuned)" nginx "http://127.0.0.1:$NPORT" "$STATIC_LUA" "${NGINX_PIDS[@]}"
kill "$NPID"; wait "$NPID" 2>/dev/null || true
case_run "quartier cached tiles (again)" quartier "$Q" "$TILES_LUA" "$QPID"
case_run "quartier uncached tiles (bypass)" quartier "$Q" "$BYPASS_LUA" "$QPID"
# Warm-up in another style: with the list's first pass (quantile, above) this is each tile's
# second style, which builds and keeps its district raster.
$PY "$HERE/load.py" warm "$Q" "$WORK/restyle.txt" "method=jenks&classes=4&palette=Blues" >/dev/null
case_run "quartier restyle (new style per request)" quartier "$Q" "$RESTYLE_LUA" "$QPID"
curl -s "$Q/health" >"$WORK/health_after_restyle.json"
case_run "quartier cached tiles (after restyle)" quartier "$Q" "$TILES_LUA" "$QPID"
case_run "quartier legend.json" quartier "$Q" "$LEGEND_LUA" "$QPID"
case_run "quartier /at" quartier "$Q" "$AT_LUA" "$QPID"
read -r _ RSS_Q < <($PY "$HERE/load.py" proc "$QPID")
kill "$QPID"; wait "$QPID" 2>/dev/null || true
PIDS=()

# --- peak RSS serving all US counties with the default cache budget ------------------------------
UPORT="$(free_port)"
U="http://127.0.0.1:$UPORT"
"$QUARTIER" serve "$ROOT/tests/fixtures/us_counties/cb_2016_us_county_500k.shp" --crs EPSG:4269 \
  --id-field GEOID --bind "127.0.0.1:$UPORT" >"$WORK/quartier_us.log" 2>&1 &
UPID=$!
PIDS+=("$UPID")
US_READY_MS="$($PY "$HERE/load.py" wait "$UPID" "$U/health")"
$PY "$HERE/load.py" us "$WORK" >/dev/null
US_LUA="$(lua "$WORK/us.txt")"
wrk -t"$THREADS" -c8 -d"$((DURATION * 2))s" -s "$US_LUA" "$U" >"$WORK/wrk_us.txt"
read -r _ RSS_U < <($PY "$HERE/load.py" proc "$UPID")
US_CACHE="$(curl -s "$U/health" | $PY -c 'import json,sys; c=json.load(sys.stdin)["stats"]["cache"]; print("%d tiles, %.1f MB of %.0f MB" % (c["tiles"], c["bytes"]/2**20, c["budget_bytes"]/2**20))')"
US_REQUESTS="$(awk '/requests in/ {print $1}' "$WORK/wrk_us.txt")"
kill "$UPID"; wait "$UPID" 2>/dev/null || true
PIDS=()

cat >"$WORK/extra.json" <<EOF
{"ready_ms": $READY_MS, "rss_quartier_kb": $RSS_Q, "rss_nginx_kb": $RSS_N,
 "us_ready_ms": $US_READY_MS, "rss_us_kb": $RSS_U, "us_requests": $US_REQUESTS, "us_cache": "$US_CACHE"}
EOF

echo "date: $(date -u +%Y-%m-%dT%H:%MZ); $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); kernel $(uname -r)"
echo "versions: quartier $("$QUARTIER" --version | awk '{print $2}'), $("$NGINX" -v 2>&1 | cut -d' ' -f3), $(wrk --version 2>&1 | head -1 | awk '{print "wrk", $2}')"
echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s per case; lists: $(cat "$WORK/urls.json")"
$PY "$HERE/load.py" report "$WORK"
