//! The manifest as written: the serde form of the TOML file, before anything is loaded.
//! Unknown keys are an error with the line and column, so a typo never silently drops a setting.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use quartier_geo::aggregate::{AggregateManifest, ChangeSpec};

use super::types::{Basemap, Localized, StartView, StyleSpec, Theme};

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
    pub(super) start: Option<StartView>,
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
    /// District names from a template over the boundary file's fields, `"{GEN} ({BEZ})"`
    /// (instead of `name_field`).
    pub(super) name: Option<String>,
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
    /// Composite indices over the layer's indicators (`[[layer.index]]`).
    #[serde(default, rename = "index")]
    pub(super) indices: Vec<IndexSpec>,
    /// Status × dynamics typologies of an index (`[[layer.typology]]`).
    #[serde(default, rename = "typology")]
    pub(super) typologies: Vec<TypologySpec>,
    /// Where the page opens: bounds `[w, s, e, n]` and a district to show.
    pub(super) view: Option<View>,
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
    pub(super) filter: Option<Filters>,
    /// A long table: the column holding the period (year); (key, period) is then the row key.
    pub(super) period_column: Option<String>,
    /// Keys recoded before the join (`{ "02" = "02000" }`), after trimming, before padding.
    #[serde(default)]
    pub(super) key_map: BTreeMap<String, String>,
}

/// Keep only the rows whose `column` equals `value`, e.g. one year of a GENESIS time series.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RowFilter {
    pub(super) column: String,
    pub(super) value: String,
}

/// One filter condition or several, all of which must hold.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum Filters {
    /// `filter = { column = "...", value = "..." }`.
    One(RowFilter),
    /// `filter = [{ ... }, { ... }]`.
    All(Vec<RowFilter>),
}

impl Filters {
    pub(super) fn conditions(&self) -> &[RowFilter] {
        match self {
            Filters::One(f) => std::slice::from_ref(f),
            Filters::All(v) => v,
        }
    }
}

/// The periods of an indicator: `"2008-2019"` (every year of the range) or `[2008, 2010]`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum PeriodsSpec {
    /// A range `"2008-2019"`, or one year `"2019"`.
    Range(String),
    /// A list of years.
    List(Vec<i32>),
}

/// Where the page opens.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct View {
    /// Bounds `[west, south, east, north]` in degrees.
    pub bounds: Option<[f64; 4]>,
    /// A district id to show (and whose profile the page offers).
    pub district: Option<String>,
}

/// A composite index (`[[layer.index]]`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct IndexSpec {
    pub(super) id: String,
    pub(super) title: Option<Localized>,
    pub(super) unit: Option<Localized>,
    pub(super) description: Option<Localized>,
    #[serde(default)]
    pub(super) theme: Theme,
    pub(super) decimals: Option<u8>,
    pub(super) components: Vec<ComponentSpec>,
    #[serde(default)]
    pub(super) style: StyleSpec,
}

/// `[[layer.typology]]`: the status × dynamics types of a composite index, as a categorical map.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TypologySpec {
    pub(super) id: String,
    pub(super) title: Option<Localized>,
    pub(super) description: Option<Localized>,
    /// The `[[layer.index]]` whose status and dynamics it combines.
    pub(super) index: String,
    /// The status period (default: the index's latest).
    pub(super) period: Option<i32>,
    /// The dynamics run from this period to `period` (default: the index's first).
    pub(super) compare: Option<i32>,
}

/// One component of an index.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ComponentSpec {
    pub(super) indicator: String,
    #[serde(default = "one")]
    pub(super) weight: f64,
    #[serde(default = "plus")]
    pub(super) direction: i8,
}

fn one() -> f64 {
    1.0
}

fn plus() -> i8 {
    1
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
    /// The periods (years) of the indicator: `{year}` in field names stands for each.
    pub(super) periods: Option<PeriodsSpec>,
    /// For a `field` that is itself a ratio (a density, a figure per head): its denominator
    /// (area, population), so that the layer's reference is the ratio of the totals
    /// Σ weight·value / Σ weight rather than the mean of the districts.
    pub(super) weight: Option<String>,
    /// A row of the indicator's tables (Germany, the Land) to compare districts with, instead of
    /// the layer's own reference.
    pub(super) reference: Option<ReferenceSpec>,
}

/// `reference = { key = "DG", title = { de = "Deutschland", en = "Germany" } }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ReferenceSpec {
    /// The row's key as the table spells it (after any `key_map`).
    pub(super) key: String,
    /// What the row is, for the page and print ("Deutschland"); default: the key.
    pub(super) title: Option<Localized>,
}
