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
