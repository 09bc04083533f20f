#!/usr/bin/env bash
# Derives crates/quartier-render/fonts/NotoSansMath-Signs.ttf: the minus sign and three relations
# (U+2212 −, U+2248 ≈, U+2264 ≤, U+2265 ≥) of Noto Sans Math, which Noto Sans itself lacks, so that
# print pages show the legend labels' real minus sign (the page and the legend use U+2212).
# Source: Debian's fonts-noto-core 20201225-1 (NotoSansMath-Regular.ttf, SIL OFL 1.1); subset with
# fontTools' pyftsubset from PyPI. Reproducible: the same package and fontTools give the same file.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
python3 -m pip install --quiet fonttools==4.68.0
(cd "$WORK" && apt-get download fonts-noto-core=20201225-1 >/dev/null && dpkg-deb -x fonts-noto-core_*.deb x)
python3 -m fontTools.subset "$WORK/x/usr/share/fonts/truetype/noto/NotoSansMath-Regular.ttf" \
  --unicodes=U+2212,U+2248,U+2264,U+2265 --layout-features='' --no-hinting \
  --name-IDs='*' --name-legacy --name-languages='*' \
  --output-file="$ROOT/crates/quartier-render/fonts/NotoSansMath-Signs.ttf"
sha256sum "$ROOT/crates/quartier-render/fonts/NotoSansMath-Signs.ttf"
