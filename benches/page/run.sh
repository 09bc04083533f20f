#!/usr/bin/env bash
# Page load on the US counties: time until a hover names a county, and bytes transferred before it,
# for the page of BEFORE_REF (default: main, the page that loads features.geojson) and this
# checkout's page, both served by this checkout's release build. See README.md in this folder.
#
#   benches/page/run.sh                 # 5 rounds each, alternating
#   ROUNDS=9 BEFORE_REF=c95f1ca QUARTIER=target/release/quartier benches/page/run.sh
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
. "$HERE/../lib.sh"
WORK="${WORK:-$(mktemp -d /tmp/quartier-pageload.XXXXXX)}"
ROUNDS="${ROUNDS:-5}"
BEFORE_REF="${BEFORE_REF:-main}"
quartier_bin
[ -d "$ROOT/tests/browser/node_modules/playwright-core" ] || (cd "$ROOT/tests/browser" && npm ci --no-audit --no-fund --loglevel=error)
mkdir -p "$WORK/before"
git -C "$ROOT" archive "$BEFORE_REF" web | tar -x -C "$WORK/before"

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
US=(tests/fixtures/us_counties/cb_2016_us_county_500k.shp --crs EPSG:4269 --id-field GEOID)
B_PORT="$(free_port)"; A_PORT="$(free_port)"
(cd "$ROOT" && exec "$QUARTIER" serve "${US[@]}" --web "$WORK/before/web" --bind "127.0.0.1:$B_PORT") >"$WORK/before.log" 2>&1 &
PIDS+=($!)
(cd "$ROOT" && exec "$QUARTIER" serve "${US[@]}" --bind "127.0.0.1:$A_PORT") >"$WORK/after.log" 2>&1 &
PIDS+=($!)
for port in "$B_PORT" "$A_PORT"; do
  for _ in $(seq 600); do curl -sf "http://127.0.0.1:$port/health" -o /dev/null && break; sleep 0.1; done
done
echo "date: $(date -u +%Y-%m-%dT%H:%MZ); before: web/ of $BEFORE_REF ($(git -C "$ROOT" rev-parse --short "$BEFORE_REF")), after: $(git -C "$ROOT" rev-parse --short HEAD) (+ working tree); $ROUNDS rounds"
node "$HERE/page_load.mjs" "http://127.0.0.1:$B_PORT" "http://127.0.0.1:$A_PORT" "$ROUNDS"
