#!/usr/bin/env python3
"""Reference breaks for classes split at a centre (issue 14: "diverging classification around a
centre"), computed with mapclassify on the change maps of `de_atlas_change.json` (population
2019 - 2008 absolute and percent, Abitur share 2019 - 2006), which `de_atlas_reference.py` derives
from the committed tables with pandas alone.

Run from the repository root (a few seconds):

    pip install numpy==2.4.6 mapclassify==2.10.0
    python3 tests/reference/de_split_reference.py

The rule it checks (`quartier_geo::classify::classify_around`):

- values <= centre are below, values > centre above; missing values are left out;
- k classes are shared out by the number of values on each side, rounded half up,
  below = floor(k * n_below / n + 1/2), at least 1 and at most k - 1 when both sides have values,
  and at most 5 on a side (ColorBrewer's diverging schemes have 11 colours, so 5 on each arm);
- each side is classified on its own with mapclassify (`Quantiles`, `FisherJenks`), or for
  equal intervals with `EqualInterval` over the side's values plus the centre (so the side spans
  [min, centre] and [centre, max]); the last bin below is replaced by the centre itself.

It writes `tests/fixtures/reference/de_atlas_split.json`: per change map and method, the allotment
and the upper bounds of all classes.
"""

from __future__ import annotations

import json
from pathlib import Path

import mapclassify
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "reference"
MAX_SIDE = 5
CENTRE = 0.0


def allot(k: int, n_below: int, n_above: int) -> tuple[int, int]:
    if n_below == 0:
        return 0, min(k, MAX_SIDE)
    if n_above == 0:
        return min(k, MAX_SIDE), 0
    n = n_below + n_above
    below = min(max((2 * k * n_below + n) // (2 * n), 1), k - 1)
    below = min(below, MAX_SIDE)
    above = min(k - below, MAX_SIDE)
    below = max(min(k - above, MAX_SIDE), below)
    return below, above


def side_bins(values: np.ndarray, k: int, method: str, lo: float, hi: float) -> list[float]:
    if k == 0 or len(values) == 0:
        return []
    if k == 1 or values.min() == values.max():
        return [hi]
    if method == "quantile":
        bins = mapclassify.Quantiles(values, k=k).bins
    elif method == "jenks":
        bins = mapclassify.FisherJenks(values, k=k).bins
    else:
        # EqualInterval over [lo, hi]: the side's values plus the end that is the centre.
        bins = mapclassify.EqualInterval(np.append(values, [lo, hi]), k=k).bins
    out: list[float] = []
    for b in bins:
        if not out or b != out[-1]:
            out.append(float(b))
    return out


def main() -> None:
    change = json.loads((FIXTURES / "de_atlas_change.json").read_text(encoding="utf-8"))
    maps = []
    for m in change["maps"]:
        values = np.array(sorted(v for v in m["values"].values() if v is not None))
        below_values = values[values <= CENTRE]
        above_values = values[values > CENTRE]
        for method, k in (("quantile", 5), ("quantile", 9), ("jenks", 4), ("equal", 6)):
            kb, ka = allot(k, len(below_values), len(above_values))
            below = side_bins(below_values, kb, method, float(values.min()), CENTRE)
            if below:
                below[-1] = CENTRE
            above = side_bins(above_values, ka, method, CENTRE, float(values.max()))
            maps.append({
                "indicator": m["indicator"], "period": m["period"], "compare": m["compare"],
                "change": m["change"], "method": method, "classes": k, "centre": CENTRE,
                "n_below": int(len(below_values)), "n_above": int(len(above_values)),
                "below": len(below), "above": len(above),
                "uppers": below + above,
            })
    out = FIXTURES / "de_atlas_split.json"
    out.write_text(json.dumps({"mapclassify": mapclassify.__version__, "maps": maps}, indent=1) + "\n",
                   encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)} ({len(maps)} classifications)")


if __name__ == "__main__":
    main()
