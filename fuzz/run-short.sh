#!/usr/bin/env bash
# The short fuzz pass for CI: every target for SECONDS_PER_TARGET seconds (default 20), one after
# the other, on a corpus seeded from tests/fixtures. Exits non-zero on the first crash, leak or
# timeout; libFuzzer leaves the input under fuzz/artifacts/<target>/.
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`); on a stable toolchain RUSTC_BOOTSTRAP=1 lets it
# use the nightly-only sanitizer flags.
#
#   fuzz/run-short.sh              # all targets, 20 s each
#   SECONDS_PER_TARGET=60 fuzz/run-short.sh csv dbf
set -euo pipefail
cd "$(dirname "$0")"
export RUSTC_BOOTSTRAP=1
SECONDS_PER_TARGET=${SECONDS_PER_TARGET:-20}
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
    TARGETS=(shapefile dbf zip geojson topojson prj csv style)
fi
./seed.sh >/dev/null
cargo fuzz build -O
mkdir -p logs
for t in "${TARGETS[@]}"; do
    echo "== $t (${SECONDS_PER_TARGET} s)"
    # -rss_limit_mb: the readers cap every file, so an input that needs more is a finding.
    # -timeout: one input taking 10 s is a hang.
    status=0
    cargo fuzz run -O "$t" "corpus/$t" -- \
        -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -timeout=10 -max_len=262144 \
        -print_final_stats=1 >"logs/$t.log" 2>&1 || status=$?
    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|SUMMARY|==[0-9]+==)' "logs/$t.log" || true
    if [ "$status" -ne 0 ]; then
        tail -40 "logs/$t.log" >&2
        echo "fuzz target $t failed (exit $status): the input is in fuzz/artifacts/$t/" >&2
        exit "$status"
    fi
done
echo "fuzzing: ${#TARGETS[@]} targets, ${SECONDS_PER_TARGET} s each, no crash"
