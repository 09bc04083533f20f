#!/usr/bin/env bash
# Peer comparison: Quartier vs Mapnik vs MapServer on the same choropleth and the same tile list,
# all pinned to the same core, best of ROUNDS (default 3) rounds, in one run. See README.md here.
#
#   benches/peers/run.sh            # everything; prints the table
#   WORK=/tmp/peers DURATION=10 benches/peers/run.sh
#
# Needs root for apt-get (once). All traffic goes to 127.0.0.1 only.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
. "$HERE/../lib.sh"
WORK="${WORK:-$(mktemp -d /tmp/quartier-peers.XXXXXX)}"
DURATION="${DURATION:-10}"        # seconds of wrk per Quartier measurement
SERVER_CPU="${SERVER_CPU:-1}"     # the core the renderers (and Quartier's server) run on
CLIENT_CPU="${CLIENT_CPU:-0}"     # the core wrk runs on
PY=/usr/bin/python3               # Debian's python: python3-mapnik and python3-mapscript live there
mkdir -p "$WORK"

# --- tools -----------------------------------------------------------------------------------
need=()
$PY -c 'import mapnik' 2>/dev/null || need+=(python3-mapnik)
$PY -c 'import mapscript' 2>/dev/null || need+=(python3-mapscript mapserver-bin)
command -v wrk >/dev/null || need+=(wrk)
command -v taskset >/dev/null || need+=(util-linux)
if ((${#need[@]})); then
  echo "installing ${need[*]} from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
quartier_bin  # QUARTIER=/path/to/quartier measures another build without building

# --- Quartier, one core, no tile cache -------------------------------------------------------
PORT="$(free_port)"
SERVER="http://127.0.0.1:$PORT"
(cd "$ROOT" && exec taskset -c "$SERVER_CPU" "$QUARTIER" serve --no-cache --bind "127.0.0.1:$PORT") \
  >"$WORK/quartier.log" 2>&1 &
QPID=$!
trap 'kill "$QPID" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -sf "$SERVER/health" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -sf "$SERVER/health" >/dev/null || { cat "$WORK/quartier.log"; exit 1; }

# Breaks, colours, bounds and district values from the running server; the tile list.
$PY "$HERE/peers.py" prepare "$SERVER" "$WORK" >/dev/null
# One checked pass over the list (every answer a PNG), sample tiles, mean size.
$PY "$HERE/peers.py" quartier "$SERVER" "$WORK" >/dev/null

# wrk cycles through the list, each request with the cache-bypass header (the server has no
# cache anyway with --no-cache). Server CPU time is read from /proc around each run.
wrk_list_lua "$WORK/urls.txt" "$WORK/urls.lua" x-quartier-no-cache 1
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"; }
# ROUNDS rounds (default 3), each: Quartier with 1 and 4 connections, then Mapnik, then MapServer,
# every renderer pinned to the same core SERVER_CPU (Quartier's server idles while the peers run);
# the report takes the best round of each, and prints the spread as the noise.
for round in $(seq "${ROUNDS:-3}"); do
  for c in 1 4; do
    before="$(cpu_seconds "$QPID")"
    taskset -c "$CLIENT_CPU" wrk -t1 -c"$c" -d"${DURATION}s" --latency -s "$WORK/urls.lua" "$SERVER" \
      >"$WORK/wrk_c${c}_r$round.txt"
    after="$(cpu_seconds "$QPID")"
    echo "$after - $before" | bc -l >"$WORK/cpu_c${c}_r$round.txt"
  done
  taskset -c "$SERVER_CPU" $PY "$HERE/peers.py" mapnik "$WORK" "$round" >/dev/null
  taskset -c "$SERVER_CPU" $PY "$HERE/peers.py" mapserver "$WORK" "$round" >/dev/null
done
kill "$QPID"; wait "$QPID" 2>/dev/null || true
trap - EXIT

# --- results -----------------------------------------------------------------------------------
echo "date: $(date -u +%Y-%m-%dT%H:%MZ); $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); kernel $(uname -r)"
echo "versions: quartier $("$QUARTIER" --version | awk '{print $2}'), $($PY -c 'import mapnik; v=mapnik.mapnik_version(); print("mapnik %d.%d.%d" % (v//100000, v//100%1000, v%100))'), $($PY -c 'import mapscript; print(mapscript.msGetVersion().split(" OUTPUT")[0])'), $(wrk --version 2>&1 | head -1 | awk '{print "wrk", $2}')"
$PY "$HERE/peers.py" report "$WORK"
# Side-by-side pictures for the check by eye (needs Pillow, e.g. from PyPI; skipped without it).
python3 "$HERE/peers.py" montage "$WORK" 2>/dev/null || echo "samples (not side by side): $WORK/samples"
