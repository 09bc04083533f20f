#!/usr/bin/env bash
# The whole Quartier test suite, from a clean clone: the Rust tests of every crate (unit, integration,
# doc tests, reference comparisons), then the end-to-end browser tests of the map page, whose script
# installs what it needs (Debian's chromium, playwright-core from npm) on first use, then a short
# fuzz pass over every fuzz target.
set -euo pipefail
cd "$(dirname "$0")/.."

# The print tests of quartier-render read the PDFs back with poppler (pdftotext, pdftoppm,
# pdffonts, pdfinfo), which shares no code with the PDF writer.
if [ ! -x /usr/bin/pdftotext ] || [ ! -x /usr/bin/pdftoppm ] || [ ! -x /usr/bin/pdffonts ]; then
  echo "== installing Debian's poppler-utils =="
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq poppler-utils >/dev/null
fi

# GDAL's own clients for the OGC API – Tiles and WMTS tests (tests/outputs.rs: gdalinfo and
# gdal_translate; numpy compares the pixels). The check is on the tools the tests run: asking
# `python3` for Debian's python3-gdal fails under another Python (pyenv) and made every run
# install again.
if ! command -v gdal_translate >/dev/null || ! command -v gdalinfo >/dev/null; then
  echo "== installing Debian's gdal-bin =="
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq gdal-bin >/dev/null
fi

# Independent readers for the tile archive, vector tile, WMTS and metrics tests (quartier-archive's
# build script finds the first three; the install must succeed, so that CI never passes with them
# ignored).
python3 -m pip install --quiet pmtiles==3.8.1 mapbox-vector-tile==2.2.0 shapely==2.2.0 \
  OWSLib==0.32.1 prometheus-client==0.21.1
# quartier-archive's build script caches whether it found them, and `cargo clippy` in .ci/run ran it
# before this install: the variable makes it look again, and fail rather than ignore the tests.
export QUARTIER_REFERENCE_READERS=required

echo "== cargo test (workspace) =="
cargo test --workspace --locked

if [ -x tests/browser/run.sh ]; then
  echo "== browser end-to-end tests =="
  tests/browser/run.sh
fi

# A short fuzz pass (SECURITY.md, "Fuzzing"): every reader of outside data and the style queries,
# FUZZ_SECONDS each (default 20; 0 skips it), with cargo-fuzz installed from crates.io on first use.
FUZZ_SECONDS="${FUZZ_SECONDS:-20}"
if [ "$FUZZ_SECONDS" -gt 0 ]; then
  if ! command -v cargo-fuzz >/dev/null; then
    echo "== installing cargo-fuzz =="
    cargo install --locked cargo-fuzz
  fi
  echo "== fuzz/run-short.sh ($FUZZ_SECONDS s per target) =="
  SECONDS_PER_TARGET="$FUZZ_SECONDS" fuzz/run-short.sh
fi
