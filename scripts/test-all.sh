#!/usr/bin/env bash
# The whole Quartier test suite, from a clean clone: the Rust tests of every crate (unit, integration,
# doc tests, reference comparisons), then the end-to-end browser tests of the map page, whose script
# installs what it needs (Debian's chromium, playwright-core from npm) on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo test (workspace) =="
cargo test --workspace --locked

if [ -x tests/browser/run.sh ]; then
  echo "== browser end-to-end tests =="
  tests/browser/run.sh
fi
