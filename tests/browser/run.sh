#!/usr/bin/env bash
# End-to-end tests of the map page (web/) in a real headless browser.
#
# Installs what it needs when missing (Debian's chromium; playwright-core and axe-core from npm,
# pinned in package-lock.json), builds the `quartier` binary, serves the bundled atlas on a free
# loopback port, and runs map.test.mjs and page.test.mjs with node's built-in test runner (the
# German CSV is also read back with pandas, which it installs too). Next to the bundled atlas it
# serves the suppression test atlas crates/quartier-server/tests/london_suppressed.toml (layer
# `london_suppressed`: real boroughs withheld, which the bundled `london` layer has none of) and
# tests/browser/kreise_search.toml (layer `kreise`: the 401 German Kreise, with twin names and
# negative values); the US counties on a second port for hover_grid.test.mjs. Screenshots land in tests/browser/screenshots/ (git-ignored). The server is stopped on exit, whatever happens.
#
# Environment: CHROMIUM (default /usr/bin/chromium), QUARTIER_BIN (skip the build and use this
# binary), QUARTIER_TEST_ARGS (extra arguments for `node --test`, e.g. --test-name-pattern=legend),
# PYTHON (default python3; pandas==3.1.1 is installed into it when missing).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  echo "== installing Debian's chromium =="
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq chromium >/dev/null
fi
export CHROMIUM

# The npm packages at exactly their locked versions; `npm ci` only when one is missing or differs.
if ! node -e "
  const lock = require('$HERE/package-lock.json');
  for (const [p, meta] of Object.entries(lock.packages)) {
    if (!p.startsWith('node_modules/')) continue;
    let v = null;
    try { v = require('$HERE/' + p + '/package.json').version; } catch (e) {}
    if (v !== meta.version) process.exit(1);
  }"; then
  echo "== npm ci (tests/browser) =="
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)
fi

# pandas reads the downloaded CSVs back (page.test.mjs), independently of the page's writer; the
# version tests/reference uses, installed when the Python in use lacks it.
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c "import pandas" 2>/dev/null; then
  echo "== pip install pandas (for $PYTHON) =="
  "$PYTHON" -m pip install --quiet pandas==3.1.1
fi
export PYTHON

if [ -z "${QUARTIER_BIN:-}" ]; then
  echo "== cargo build -p quartier-server =="
  cargo build -p quartier-server --locked
  QUARTIER_BIN="$ROOT/target/debug/quartier"
fi

# A free port: bind port 0 and read what the kernel chose.
PORT="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
LOG="$(mktemp -t quartier-browser-server.XXXXXX.log)"
echo "== quartier serve on 127.0.0.1:$PORT (log: $LOG) =="
"$QUARTIER_BIN" serve geodata/atlas.toml crates/quartier-server/tests/london_suppressed.toml tests/browser/kreise_search.toml \
  --bind "127.0.0.1:$PORT" >"$LOG" 2>&1 &
SERVER_PID=$!
# The 3,233 US counties on a second port, for hover without geometry (hover_grid.test.mjs).
US_PORT="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
"$QUARTIER_BIN" serve tests/fixtures/us_counties/cb_2016_us_county_500k.shp --crs EPSG:4269 --id-field GEOID \
  --bind "127.0.0.1:$US_PORT" >"$LOG.us" 2>&1 &
US_PID=$!
export QUARTIER_US_URL="http://127.0.0.1:$US_PORT"
# The German demo atlas (periods, change maps) on a third port, for periods.test.mjs.
DE_PORT="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
"$QUARTIER_BIN" serve geodata/de/atlas.toml --bind "127.0.0.1:$DE_PORT" >"$LOG.de" 2>&1 &
DE_PID=$!
export QUARTIER_DE_URL="http://127.0.0.1:$DE_PORT"
# A Montréal atlas with the admin API on (token file, data dir) on a fourth port, for
# admin.test.mjs: the admin page uploads, previews, publishes and rolls back there.
ADMIN_DIR="$(mktemp -d -t quartier-admin.XXXXXX)"
mkdir -p "$ADMIN_DIR/src"
cp tests/fixtures/montreal_districts/election.geojson tests/fixtures/montreal_districts/election.csv "$ADMIN_DIR/src/"
cat >"$ADMIN_DIR/src/atlas.toml" <<'TOML'
title = "Montréal"

[[layer]]
id = "montreal"
source = "election.geojson"
name_field = "district"

[[layer.table]]
id = "election"
path = "election.csv"
key = "district_id"

[[layer.indicator]]
id = "votes"
table = "election"
field = "total"
title = { de = "Abgegebene Stimmen", en = "Votes cast" }
TOML
export QUARTIER_ADMIN_TOKEN_VALUE="browser-test-token-0123456789abcdef"
printf '%s\n' "$QUARTIER_ADMIN_TOKEN_VALUE" >"$ADMIN_DIR/token"
ADMIN_PORT="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
"$QUARTIER_BIN" serve "$ADMIN_DIR/src/atlas.toml" --data-dir "$ADMIN_DIR/data" --admin-token-file "$ADMIN_DIR/token" \
  --bind "127.0.0.1:$ADMIN_PORT" >"$LOG.admin" 2>&1 &
ADMIN_PID=$!
export QUARTIER_ADMIN_URL="http://127.0.0.1:$ADMIN_PORT"
cleanup() {
  rm -rf "$ADMIN_DIR"
  for pid in "$SERVER_PID" "$US_PID" "$DE_PID" "$ADMIN_PID"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
}
trap cleanup EXIT INT TERM

# Wait for /health (a debug build loads the atlas in a few seconds).
export QUARTIER_URL="http://127.0.0.1:$PORT"
for _ in $(seq 1 300); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "quartier serve exited before it was ready; its log:" >&2
    cat "$LOG" >&2
    exit 1
  fi
  if node -e "fetch(process.env.QUARTIER_URL + '/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; then
    break
  fi
  sleep 0.2
done
if ! node -e "fetch(process.env.QUARTIER_URL + '/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; then
  echo "quartier serve did not answer /health within 60 s; its log:" >&2
  cat "$LOG" >&2
  exit 1
fi

for _ in $(seq 1 600); do
  node -e "fetch(process.env.QUARTIER_US_URL + '/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))" && break
  sleep 0.2
done
for _ in $(seq 1 300); do
  node -e "fetch(process.env.QUARTIER_DE_URL + '/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))" && break
  sleep 0.2
done
for _ in $(seq 1 300); do
  node -e "fetch(process.env.QUARTIER_ADMIN_URL + '/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))" && break
  sleep 0.2
done

# The static site of `quartier export` (layer nc, zoom 0-8), served by Python's file server with
# no Quartier process behind it (static.test.mjs).
SITE="$(mktemp -d -t quartier-static-site.XXXXXX)"
echo "== quartier export geodata/atlas.toml --layer nc --zoom 0-8 -o $SITE =="
"$QUARTIER_BIN" export geodata/atlas.toml --layer nc --zoom 0-8 -o "$SITE" >>"$LOG" 2>&1
# The German atlas with every year (the year slider on a static host), as a site in a sub-path.
echo "== quartier export geodata/de/atlas.toml --zoom 0-6 -o $SITE/de =="
"$QUARTIER_BIN" export geodata/de/atlas.toml --zoom 0-6 -o "$SITE/de" >>"$LOG" 2>&1
STATIC_PORT="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
(cd "$SITE" && exec python3 -m http.server "$STATIC_PORT" --bind 127.0.0.1) >>"$LOG" 2>&1 &
STATIC_PID=$!
# The same folder from nginx (Debian's nginx-light, installed if missing), which answers Range
# requests: the page then reads the archives by range instead of whole (docs/deploy.md).
NGINX="${NGINX:-/usr/sbin/nginx}"
if [ ! -x "$NGINX" ]; then
  echo "== installing Debian's nginx-light =="
  SUDO=""; if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx-light >/dev/null
fi
# mktemp -d makes the folder 0700; nginx's workers run as another user and must read it.
chmod a+rx "$SITE"
NGINX_PORT="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
NGINX_DIR="$(mktemp -d -t quartier-static-nginx.XXXXXX)"
cat >"$NGINX_DIR/nginx.conf" <<CONF
worker_processes 1;
pid $NGINX_DIR/nginx.pid;
error_log $NGINX_DIR/error.log;
events { worker_connections 64; }
http {
  include /etc/nginx/mime.types;
  access_log $NGINX_DIR/access.log;
  client_body_temp_path $NGINX_DIR/body;
  proxy_temp_path $NGINX_DIR/proxy;
  fastcgi_temp_path $NGINX_DIR/fastcgi;
  uwsgi_temp_path $NGINX_DIR/uwsgi;
  scgi_temp_path $NGINX_DIR/scgi;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $SITE;
    index index.html;
  }
}
CONF
"$NGINX" -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf"
cleanup_static() {
  kill "$STATIC_PID" 2>/dev/null || true
  wait "$STATIC_PID" 2>/dev/null || true
  [ -f "$NGINX_DIR/nginx.pid" ] && kill "$(cat "$NGINX_DIR/nginx.pid")" 2>/dev/null || true
  rm -rf "$SITE" "$NGINX_DIR"
  cleanup
}
trap cleanup_static EXIT INT TERM
export STATIC_URL="http://127.0.0.1:$STATIC_PORT"
export NGINX_STATIC_URL="http://127.0.0.1:$NGINX_PORT"
for _ in $(seq 1 100); do
  if node -e "Promise.all([process.env.STATIC_URL, process.env.NGINX_STATIC_URL].map((u) => fetch(u + '/index.html'))).then((rs) => process.exit(rs.every((r) => r.ok) ? 0 : 1), () => process.exit(1))"; then
    break
  fi
  sleep 0.1
done

echo "== node --test tests/browser/map.test.mjs page.test.mjs hover_grid.test.mjs static.test.mjs print.test.mjs periods.test.mjs maplibre.test.mjs admin.test.mjs =="
status=0
# shellcheck disable=SC2086
(cd "$HERE" && node --test ${QUARTIER_TEST_ARGS:-} map.test.mjs page.test.mjs hover_grid.test.mjs static.test.mjs print.test.mjs periods.test.mjs maplibre.test.mjs admin.test.mjs) || status=$?
echo "screenshots: $HERE/screenshots/"
if [ "$status" -ne 0 ]; then
  echo "browser tests failed; the server's log ($LOG) ends with:" >&2
  tail -n 40 "$LOG" >&2
fi
exit "$status"
