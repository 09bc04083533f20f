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
. "$HERE/../lib.sh"
DURATION="${DURATION:-20}"
WORK="$(mktemp -d /tmp/quartier-us-memory.XXXXXX)"
quartier_bin
command -v wrk >/dev/null || { echo "needs wrk (benches/load/run.sh installs it)"; exit 1; }
PORT="$(free_port)"
U="http://127.0.0.1:$PORT"
env "$@" "$QUARTIER" serve "$ROOT/tests/fixtures/us_counties/cb_2016_us_county_500k.shp" \
  --crs EPSG:4269 --id-field GEOID --bind "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
P=$!
trap 'kill $P 2>/dev/null || true' EXIT
for _ in $(seq 600); do curl -sf "$U/health" >/dev/null && break; sleep 0.05; done
mem() { awk '/VmHWM|VmRSS/ {printf "%.1f ", $2/1024}' "/proc/$P/status"; }
READY="$(mem)"
python3 "$HERE/load.py" us "$WORK" >/dev/null
wrk_list_lua "$WORK/us.txt" "$WORK/us.lua"
wrk -t2 -c8 -d"${DURATION}s" -s "$WORK/us.lua" "$U" >"$WORK/wrk.txt"
AFTER="$(mem)"
THREADS="$(ls "/proc/$P/task" | wc -l)"
CACHE="$(curl -s "$U/health" | python3 -c 'import json,sys; c=json.load(sys.stdin)["stats"]["cache"]; print("%d tiles, %.1f MB" % (c["tiles"], c["bytes"]/2**20))')"
echo "ready: HWM RSS ${READY}MB | after ${DURATION}s: HWM RSS ${AFTER}MB | $THREADS threads | $(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.txt") req/s | cache $CACHE"
