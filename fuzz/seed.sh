#!/usr/bin/env bash
# Seed each fuzz target's corpus (fuzz/corpus/<target>/) from small files in tests/fixtures.
# Idempotent; the corpora are not committed (fuzz/.gitignore), only this recipe.
#
#   fuzz/seed.sh            # then: RUSTC_BOOTSTRAP=1 cargo fuzz run <target>
set -euo pipefail
cd "$(dirname "$0")"
FIX=../tests/fixtures
MAX=100000 # bytes: small seeds keep libFuzzer fast

seed() { # seed TARGET FILE...
    local target=$1
    shift
    mkdir -p "corpus/$target"
    for f in "$@"; do
        [ -f "$f" ] && [ "$(stat -c %s "$f")" -le "$MAX" ] || continue
        cp "$f" "corpus/$target/$(echo "${f#"$FIX"/}" | tr / _)"
    done
}

# The shapefile target reads a u32 (little-endian) .shp length, the .shp, then the .shx.
mkdir -p corpus/shapefile
for shp in "$FIX"/nc_sids/nc.shp "$FIX"/codepages/*.shp "$FIX"/bad/nc_truncated.shp "$FIX"/bad/nc_nan.shp; do
    [ -f "$shp" ] || continue
    shx="${shp%.shp}.shx"
    out="corpus/shapefile/$(basename "$shp" .shp)"
    python3 - "$shp" "$shx" "$out" <<'PY'
import os, struct, sys
shp, shx, out = sys.argv[1:]
data = open(shp, "rb").read()
index = open(shx, "rb").read() if os.path.exists(shx) else b""
open(out, "wb").write(struct.pack("<I", len(data)) + data + index)
PY
done

seed dbf "$FIX"/nc_sids/nc.dbf "$FIX"/codepages/*.dbf "$FIX"/swiss_2024/*.dbf "$FIX"/bad/*.dbf
seed zip "$FIX"/zip/*.zip "$FIX"/bad/*.zip
seed geojson "$FIX"/bad/*.geojson "$FIX"/reference/import_lv95_crs_member.geojson "$FIX"/montreal_districts/*.geojson
seed topojson "$FIX"/london/*.json
seed prj "$FIX"/*/*.prj
seed csv "$FIX"/tables/*.csv "$FIX"/montreal_districts/*.csv "$FIX"/de_kreise_indicators/*.csv \
    "$FIX"/de_kreise_indicators/raw_latin1/*.csv
for t in corpus/*; do echo "$t: $(ls "$t" | wc -l) files"; done

# The style target reads a query string: style queries the page and the tests send.
mkdir -p corpus/style
i=0
for q in "method=quantile&classes=5&palette=YlGnBu" "method=manual&breaks=100,200,300" "period=2010" \
    "period=2019&compare=2008&change=percent" "method=jenks&classes=4&centre=mean&palette=RdBu" \
    "scope=period&period=2015&border=2" "method=stddev&classes=6" "method=pretty&classes=3&palette=Blues" \
    "method=equal&classes=9&centre=0&palette=PuOr&border=0.5"; do
    printf '%s' "$q" >"corpus/style/seed$i"
    i=$((i + 1))
done
