#!/usr/bin/env bash
# The whole Quartier test suite, from a clean clone: the Rust tests of every crate (unit, integration,
# doc tests, reference comparisons), then the end-to-end browser tests of the map page, whose script
# installs what it needs (Debian's chromium, playwright-core from npm) on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

# Independent readers for the tile archive and vector tile tests (quartier-archive's build script
# finds them; without them those tests are reported as ignored, with the reason).
python3 -m pip install --quiet pmtiles==3.8.1 mapbox-vector-tile==2.2.0 shapely==2.2.0 \
  || echo "pip install failed: the archive and vector tile reference tests will be ignored"

echo "== cargo test (workspace) =="
cargo test --workspace --locked

if [ -x tests/browser/run.sh ]; then
  echo "== browser end-to-end tests =="
  tests/browser/run.sh
fi
