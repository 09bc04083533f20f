"""Independent reference for the layer-wide reference values of the German demo atlas (issue 14):
for an indicator that is a ratio (numerator / denominator × factor), the layer's reference is the
ratio of the totals, Σ numerator / Σ denominator × factor over the Kreise that have both, not
the unweighted mean of the 401 rates. For a field that is itself a ratio and names its denominator
as `weight` (density: the area on 31.12.2018 from districts.csv; income per head: the GENESIS
annual average population), it is Σ weight·value / Σ weight over the Kreise that have both.
Computed with pandas from the source tables, sharing only the table readers of
`de_atlas_reference.py`; writes `tests/fixtures/reference/de_atlas_totals.json`.

    python3 tests/reference/de_totals_reference.py
"""

import sys

import numpy as np
import pandas as pd

from de_atlas_reference import INDICATORS, genesis_kreis_key, kreise_of_layer, num, read_genesis, read_lp, write


def main() -> None:
    kreise = kreise_of_layer()
    out = {"versions": {"python": sys.version.split()[0], "pandas": pd.__version__, "numpy": np.__version__},
           "indicators": {}}
    for ind, spec in INDICATORS.items():
        if "numerator" not in spec:
            continue
        (nt, nf), (dt, df_) = spec["numerator"], spec["denominator"]
        periods = {}
        for year in spec["periods"]:
            n = read_lp(nt)[nf.format(year=year)].reindex(kreise).astype(float)
            d = read_lp(dt)[df_.format(year=year)].reindex(kreise).astype(float)
            both = n.notna() & d.notna() & (d != 0)
            rates = n[both] / d[both] * spec["factor"]
            periods[str(year)] = {
                "ratio_of_totals": num(n[both].sum() / d[both].sum() * spec["factor"]),
                "mean_of_districts": num(rates.mean()),
                "districts": int(both.sum()),
            }
        out["indicators"][ind] = periods

    # Fields weighted by their denominator.
    area = read_lp("districts.csv")["area_km2"].reindex(kreise).astype(float)
    genesis, _ = read_genesis()
    genesis["AGS"] = genesis.key.map(genesis_kreis_key)
    weights = {
        "density": lambda year: area,
        "income": lambda year: genesis[genesis.Jahr == year].set_index("AGS")["total_value"].reindex(kreise),
    }
    for ind, weight_of in weights.items():
        spec = INDICATORS[ind]
        periods = {}
        for year in spec["periods"]:
            v = read_lp(spec["table"])[spec["field"].format(year=year)].reindex(kreise).astype(float)
            w = weight_of(year).astype(float)
            both = v.notna() & w.notna() & (w != 0)
            periods[str(year)] = {
                "ratio_of_totals": num((v[both] * w[both]).sum() / w[both].sum()),
                "mean_of_districts": num(v.dropna().mean()),
                "districts": int(both.sum()),
            }
        out["indicators"][ind] = periods
    write("de_atlas_totals.json", out)


if __name__ == "__main__":
    main()
