#!/usr/bin/env bash
# Wall time of whole reports with the release binary (issue 15: the German Kreise report, 401
# profiles, "finishes in under a minute on this 2-core machine").
#
# Each case runs RUNS times (default 3) with /usr/bin/time (wall, user, max RSS); the load
# average before each run is printed too, because the machine is shared. The numbers go to
# benches/RESULTS.md by hand.
#
#   benches/report/run.sh                          # builds target/release/quartier if missing
#   QUARTIER=/path/to/quartier RUNS=5 benches/report/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
QUARTIER=${QUARTIER:-target/release/quartier}
RUNS=${RUNS:-3}
if [ ! -x "$QUARTIER" ]; then
  cargo build --release --locked -p quartier-server
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

run() {
  local name=$1; shift
  for i in $(seq "$RUNS"); do
    printf '%s run %s, load %s: ' "$name" "$i" "$(cut -d' ' -f1-3 /proc/loadavg)"
    /usr/bin/time -f '%e s wall, %U s user, %S s sys, %M KB max RSS' \
      "$QUARTIER" "$@" -o "$out/$name.pdf" 2>&1 >/dev/null | grep ' s wall'
  done
  printf '%s: %s pages, %s bytes\n' "$name" \
    "$(pdfinfo "$out/$name.pdf" | awk '/^Pages:/ {print $2}')" "$(stat -c %s "$out/$name.pdf")"
}

export RUST_LOG=warn
run kreise report tests/fixtures/de_report/atlas.toml --layer kreise --lang de
run kreise_1thread report tests/fixtures/de_report/atlas.toml --layer kreise --lang de --threads 1
run nc report geodata/atlas.toml --layer nc --lang en
