#!/usr/bin/env bash
# Seeding speed: `quartier seed` of the NC SIDS indicator at zoom 0-12 into PMTiles and MBTiles,
# with 1 thread and with every core, on the release binary. Prints one line per run with tiles,
# seconds and tiles/s as the seeder logs them; the numbers go to benches/RESULTS.md by hand.
#
# Environment: QUARTIER_BIN (default: target/release/quartier, built if missing), ZOOM (default
# 0-12), THREADS (default "1 N" with N the number of cores).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${QUARTIER_BIN:-}" ]; then
  cargo build --release -p quartier-server --locked -q
  QUARTIER_BIN="$PWD/target/release/quartier"
fi
ZOOM="${ZOOM:-0-12}"
THREADS="${THREADS:-1 $(nproc)}"
OUT="$(mktemp -d -t quartier-seed.XXXXXX)"
trap 'rm -rf "$OUT"' EXIT
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), cores: $(nproc), zoom $ZOOM"
for ext in pmtiles mbtiles; do
  for t in $THREADS; do
    line="$(RUST_LOG=info "$QUARTIER_BIN" seed geodata/atlas.toml --layer nc --indicator sids_rate74 \
      --zoom "$ZOOM" --threads "$t" -o "$OUT/nc.$ext" 2>&1 | grep tiles_per_second | tail -1)"
    tiles="$(grep -o 'tiles=[0-9]*' <<<"$line" | head -1 | cut -d= -f2)"
    secs="$(grep -o 'seconds=[0-9.]*' <<<"$line" | cut -d= -f2)"
    tps="$(grep -o 'tiles_per_second=[0-9.]*' <<<"$line" | cut -d= -f2)"
    bytes="$(stat -c %s "$OUT/nc.$ext")"
    printf '%-8s threads=%s tiles=%s seconds=%s tiles/s=%s bytes=%s\n' "$ext" "$t" "$tiles" "$secs" "$tps" "$bytes"
  done
done

# The peer: Mapnik seeding the same layer and zooms into MBTiles (benches/seed_peer.py), one
# pinned core, against `quartier seed --threads 1` pinned to the same core, in this run. Needs
# Debian's python3-mapnik (benches/peers/run.sh installs it); skipped without it.
if /usr/bin/python3 -c 'import mapnik' 2>/dev/null; then
  PORT="$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  "$QUARTIER_BIN" serve geodata/atlas.toml --bind "127.0.0.1:$PORT" >"$OUT/serve.log" 2>&1 &
  SERVER=$!
  trap 'kill $SERVER 2>/dev/null || true; rm -rf "$OUT"' EXIT
  for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$PORT/health" >/dev/null && break
    sleep 0.1
  done
  /usr/bin/python3 benches/peers/peers.py prepare "http://127.0.0.1:$PORT" "$OUT/peer" >/dev/null
  kill "$SERVER"
  line="$(RUST_LOG=info taskset -c 1 "$QUARTIER_BIN" seed geodata/atlas.toml --layer nc --indicator sids_rate74 \
    --zoom "$ZOOM" --threads 1 -o "$OUT/pinned.mbtiles" 2>&1 | grep tiles_per_second | tail -1)"
  printf 'quartier pinned to core 1: %s\n' "$(grep -o 'tiles=[0-9]*.*' <<<"$line")"
  printf 'mapnik pinned to core 1:   %s\n' "$(taskset -c 1 /usr/bin/python3 benches/seed_peer.py "$OUT/peer" "$OUT/mapnik.mbtiles")"
else
  echo "python3-mapnik not installed: no peer (apt-get install python3-mapnik)"
fi
