//! `values.json`: a layer's districts without geometry (issue 13): what the page's table,
//! profile, search and hover box need, in layer order, so that a hover grid's keys (layer
//! positions) index it directly. `features.geojson` stays for downloads.
//!
//! For the 3,233 US counties this is a few hundred kB (gzipped far less) against 24.6 MB of
//! `features.geojson`.

use serde::Serialize;

use crate::layer::PreparedLayer;
use crate::suppression;

/// A layer's district values, columns named once.
#[derive(Debug, Serialize)]
pub struct LayerValues<'a> {
    /// Layer id.
    pub layer: &'a str,
    /// The period asked for. Periods are not modelled yet: it is passed through, and the
    /// values are the layer's only ones.
    pub period: Option<&'a str>,
    /// Indicator ids: the order of every district's `values` and `ranks`.
    pub indicators: Vec<&'a str>,
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

/// The values of `layer`, for `period` (passed through, see [`LayerValues::period`]).
pub fn layer_values<'a>(layer: &'a PreparedLayer, period: Option<&'a str>) -> LayerValues<'a> {
    let inds = &layer.atlas.indicators;
    let districts = layer
        .atlas
        .layer
        .districts
        .iter()
        .enumerate()
        .map(|(i, d)| DistrictRow {
            id: &d.id,
            name: &d.name,
            values: inds
                .iter()
                .map(|ind| ind.values.get(i).copied().flatten())
                .collect(),
            ranks: layer
                .stats
                .iter()
                .map(|s| s.ranks.get(i).copied().flatten())
                .collect(),
            suppressed: suppression::withheld_at(inds, i),
        })
        .collect();
    LayerValues {
        layer: layer.id(),
        period,
        indicators: inds.iter().map(|ind| ind.id.as_str()).collect(),
        districts,
    }
}
