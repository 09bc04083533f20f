//! The manifest as written: the serde form of the TOML file, before anything is loaded.
//! Unknown keys are an error with the line and column, so a typo never silently drops a setting.

use std::path::PathBuf;

use serde::Deserialize;

use quartier_geo::aggregate::{AggregateManifest, ChangeSpec};

use super::types::{Basemap, Localized, StyleSpec, Theme};

/// The manifest as written (serde form).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Manifest {
    pub(super) title: Option<Localized>,
    #[serde(default)]
    pub(super) description: Option<Localized>,
    #[serde(default)]
    pub(super) style: StyleSpec,
    pub(super) basemap: Option<Basemap>,
    #[serde(default, rename = "layer")]
    pub(super) layers: Vec<LayerSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LayerSpec {
    pub(super) id: String,
    pub(super) title: Option<Localized>,
    pub(super) source: PathBuf,
    pub(super) crs: Option<String>,
    pub(super) encoding: Option<String>,
    pub(super) id_field: Option<String>,
    pub(super) name_field: Option<String>,
    pub(super) attribution: Option<String>,
    #[serde(default)]
    pub(super) style: StyleSpec,
    #[serde(default, rename = "table")]
    pub(super) tables: Vec<TableSpec>,
    #[serde(default, rename = "indicator")]
    pub(super) indicators: Vec<IndicatorSpec>,
    /// Small-number suppression: counts below this are published as suppressed.
    pub(super) suppress_below: Option<f64>,
    /// The layer's values are aggregated from points or finer units.
    pub(super) aggregate: Option<AggregateManifest>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TableSpec {
    pub(super) id: String,
    pub(super) path: PathBuf,
    pub(super) key: String,
    pub(super) pad: Option<usize>,
    #[serde(default)]
    pub(super) case_insensitive: bool,
    pub(super) delimiter: Option<String>,
    pub(super) encoding: Option<String>,
    pub(super) decimal: Option<char>,
    pub(super) header_row: Option<usize>,
    pub(super) filter: Option<RowFilter>,
}

/// Keep only the rows whose `column` equals `value`, e.g. one year of a GENESIS time series.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RowFilter {
    pub(super) column: String,
    pub(super) value: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct IndicatorSpec {
    pub(super) id: String,
    pub(super) title: Option<Localized>,
    pub(super) unit: Option<Localized>,
    #[serde(default)]
    pub(super) theme: Theme,
    pub(super) source: Option<String>,
    pub(super) year: Option<i32>,
    pub(super) table: Option<String>,
    pub(super) field: Option<String>,
    pub(super) numerator: Option<String>,
    pub(super) denominator: Option<String>,
    pub(super) factor: Option<f64>,
    pub(super) decimals: Option<u8>,
    pub(super) description: Option<Localized>,
    #[serde(default)]
    pub(super) style: StyleSpec,
    /// A field per km² of the district's geodesic area.
    pub(super) density: Option<String>,
    /// The change between two years' fields.
    pub(super) change: Option<ChangeSpec>,
    /// Whether the input fields are counts for small-number suppression (default: by name for
    /// aggregation output, `count` and `*_sum`).
    pub(super) suppress: Option<bool>,
}
