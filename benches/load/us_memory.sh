#!/usr/bin/env bash
# Memory of `quartier serve` on all 3,233 US counties: VmHWM and VmRSS once the layer is loaded,
# then after DURATION seconds of tile requests (the load test's US list, 256 px and @2x, enough
# to fill the default 64 MiB cache), and the number of threads. One line per run.
#
#   benches/load/us_memory.sh                         # release build of this checkout, 20 s
#   DURATION=60 QUARTIER=/tmp/old/quartier benches/load/us_memory.sh
#   benches/load/us_memory.sh MALLOC_ARENA_MAX=2      # extra VAR=VALUE: the server's environment
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DURATION="${DURATION:-20}"
QUARTIER="${QUARTIER:-}"
WORK="$(mktemp -d /tmp/quartier-us-memory.XXXXXX)"
if [ -z "$QUARTIER" ]; then
  (cd "$ROOT" && cargo build --release -p quartier-server --quiet)
  QUARTIER="$ROOT/target/release/quartier"
fi
command -v wrk >/dev/null || { echo "needs wrk (benches/load/run.sh installs it)"; exit 1; }
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
U="http://127.0.0.1:$PORT"
env "$@" "$QUARTIER" serve "$ROOT/tests/fixtures/us_counties/cb_2016_us_county_500k.shp" \
  --crs EPSG:4269 --id-field GEOID --bind "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
P=$!
trap 'kill $P 2>/dev/null || true' EXIT
for _ in $(seq 600); do curl -sf "$U/health" >/dev/null && break; sleep 0.05; done
mem() { awk '/VmHWM|VmRSS/ {printf "%.1f ", $2/1024}' "/proc/$P/status"; }
READY="$(mem)"
python3 "$HERE/load.py" us "$WORK" >/dev/null
cat >"$WORK/us.lua" <<LUA
local urls = {}
for line in io.lines("$WORK/us.txt") do urls[#urls + 1] = line end
local i = 0
request = function() i = i % #urls + 1; return wrk.format("GET", urls[i]) end
LUA
wrk -t2 -c8 -d"${DURATION}s" -s "$WORK/us.lua" "$U" >"$WORK/wrk.txt"
AFTER="$(mem)"
THREADS="$(ls "/proc/$P/task" | wc -l)"
CACHE="$(curl -s "$U/health" | python3 -c 'import json,sys; c=json.load(sys.stdin)["stats"]["cache"]; print("%d tiles, %.1f MB" % (c["tiles"], c["bytes"]/2**20))')"
echo "ready: HWM RSS ${READY}MB | after ${DURATION}s: HWM RSS ${AFTER}MB | $THREADS threads | $(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.txt") req/s | cache $CACHE"
