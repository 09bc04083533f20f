//! `values.json`: a layer's districts without geometry (issue 13): what the page's table,
//! profile, search and hover box need, in layer order, so that a hover grid's keys (layer
//! positions) index it directly. `features.geojson` stays for downloads.
//!
//! For the 3,233 US counties this is a few hundred kB (gzipped far less) against 24.6 MB of
//! `features.geojson`.

use std::borrow::Cow;

use serde::Serialize;

use crate::layer::PreparedLayer;
use crate::periods::withheld_in;
use crate::stats::IndicatorStats;
use crate::style::Style;
use crate::suppression;

/// A layer's district values, columns named once.
#[derive(Debug, Serialize)]
pub struct LayerValues<'a> {
    /// Layer id.
    pub layer: &'a str,
    /// The period asked for (`None`: each indicator's latest). Indicators without that period
    /// have no values in it.
    pub period: Option<&'a str>,
    /// With `compare`: the values are the changes from this period to `period` (as the change
    /// map's tiles and legend), ranks among the changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compare: Option<&'a str>,
    /// Indicator ids: the order of every district's `values` and `ranks`.
    pub indicators: Vec<&'a str>,
    /// Per indicator (same order): count, mean, extremes and the reference (the ratio of the
    /// totals for rates, else the mean) of the values shown, so that a profile in another year
    /// compares with that year.
    pub stats: Vec<Cow<'a, IndicatorStats>>,
    /// The districts in layer order (hover grid keys are positions in this list).
    pub districts: Vec<DistrictRow<'a>>,
}

/// One district's row of `values.json`.
#[derive(Debug, Serialize)]
pub struct DistrictRow<'a> {
    /// District id.
    pub id: &'a str,
    /// District name.
    pub name: &'a str,
    /// Values in `indicators` order (`null`: no data or withheld).
    pub values: Vec<Option<f64>>,
    /// Ranks among the districts in `indicators` order (1 = highest).
    pub ranks: Vec<Option<u32>>,
    /// Indicators whose value is withheld by small-number suppression; omitted when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suppressed: Vec<&'a str>,
}

/// The values of `layer` in the period (or change) `params` asks for: `period`, `compare`,
/// `change`, as on tiles and `legend.json`; the layer's default values (borrowed, not copied)
/// without them.
pub fn layer_values<'a>(layer: &'a PreparedLayer, params: &'a Style) -> LayerValues<'a> {
    let inds = &layer.atlas.indicators;
    let given = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.trim().is_empty());
    let asked = given(&params.period) || given(&params.compare);
    let views = if asked {
        layer.views(params)
    } else {
        Vec::new()
    };
    let n = layer.atlas.layer.districts.len();
    // Per indicator: the statistics (with the ranks) and the values shown.
    let stats: Vec<Cow<'a, IndicatorStats>> = if asked {
        views
            .iter()
            .zip(inds)
            .map(|(view, ind)| {
                Cow::Owned(match view {
                    Some((choice, v)) => {
                        let withheld = v.suppressed.iter().filter(|s| **s).count();
                        IndicatorStats::of(ind, &v.values, withheld, Some(choice))
                    }
                    None => IndicatorStats::new(&vec![None; n], 0),
                })
            })
            .collect()
    } else {
        layer.stats.iter().map(Cow::Borrowed).collect()
    };
    let values: Vec<&[Option<f64>]> = if asked {
        views
            .iter()
            .map(|v| v.as_ref().map_or(&[][..], |(_, v)| v.values.as_slice()))
            .collect()
    } else {
        inds.iter().map(|ind| ind.values.as_slice()).collect()
    };
    let districts = layer
        .atlas
        .layer
        .districts
        .iter()
        .enumerate()
        .map(|(i, d)| DistrictRow {
            id: &d.id,
            name: &d.name,
            values: values.iter().map(|v| v.get(i).copied().flatten()).collect(),
            ranks: stats
                .iter()
                .map(|s| s.ranks.get(i).copied().flatten())
                .collect(),
            suppressed: if asked {
                withheld_in(inds, &views, i)
            } else {
                suppression::withheld_at(inds, i)
            },
        })
        .collect();
    LayerValues {
        layer: layer.id(),
        period: params.period.as_deref(),
        compare: params.compare.as_deref(),
        indicators: inds.iter().map(|ind| ind.id.as_str()).collect(),
        stats,
        districts,
    }
}

/// One indicator over every period, for the page's table with a column per period:
/// `series.json`.
#[derive(Debug, Serialize)]
pub struct IndicatorSeries<'a> {
    /// Layer id.
    pub layer: &'a str,
    /// Indicator id.
    pub indicator: &'a str,
    /// The periods, ascending (empty for an indicator without periods).
    pub periods: &'a [i32],
    /// The districts in layer order.
    pub districts: Vec<SeriesRow<'a>>,
}

/// One district's values of [`IndicatorSeries`].
#[derive(Debug, Serialize)]
pub struct SeriesRow<'a> {
    /// District id.
    pub id: &'a str,
    /// District name.
    pub name: &'a str,
    /// One value per period (`null`: no data or withheld).
    pub values: Vec<Option<f64>>,
    /// Periods whose value is withheld by small-number suppression; omitted when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suppressed: Vec<i32>,
}

/// Indicator `i` of `layer` in every period (withheld values are `null` and listed).
pub fn indicator_series(layer: &PreparedLayer, i: usize) -> IndicatorSeries<'_> {
    let ind = &layer.atlas.indicators[i];
    let districts = layer
        .atlas
        .layer
        .districts
        .iter()
        .enumerate()
        .map(|(d, district)| SeriesRow {
            id: &district.id,
            name: &district.name,
            values: ind
                .series
                .iter()
                .map(|values| values.get(d).copied().flatten())
                .collect(),
            suppressed: ind
                .periods
                .iter()
                .zip(&ind.series_suppressed)
                .filter(|(_, s)| s.get(d).copied().unwrap_or(false))
                .map(|(p, _)| *p)
                .collect(),
        })
        .collect();
    IndicatorSeries {
        layer: layer.id(),
        indicator: &ind.id,
        periods: &ind.periods,
        districts,
    }
}
