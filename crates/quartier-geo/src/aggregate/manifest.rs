//! The `[layer.aggregate]` table of the atlas manifest: what an aggregated layer is made from.
//!
//! ```toml
//! [[layer]]
//! id = "london"
//! source = "london/londonBoroughs.json"     # the districts, as for every layer
//! suppress_below = 3                        # small-number suppression (see aggregate::derive)
//!
//! [layer.aggregate]
//! from = "london/cycle_hire.geojson"        # points or finer units, counted into the districts
//! sum = ["nbikes"]                          # -> columns count, nbikes_sum, area_km2
//! ```
//!
//! A layer whose districts are the dissolved units says `dissolve = "FIELD"` instead of `from`:
//! its `source` then holds the units, and each value of the field becomes one district.
//! See `docs/manifest.md` for every key.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{
    aggregate, read_source, AggregateError, AggregateSpec, Aggregated, AreaMode, Mean, Source,
    SourceOptions, Units,
};
use crate::crs::Crs;
use crate::layer::Layer;

/// A mean in the manifest: `{ field = "LSTAT", weight = "POP" }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MeanSpec {
    /// The field averaged; output column `FIELD_mean`.
    pub field: String,
    /// The weight field; without it a plain mean (area-weighted for units by area).
    pub weight: Option<String>,
}

/// A change between two years in the manifest: `change = { from = "POP_2018", to = "POP_2019" }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeSpec {
    /// The earlier year's field.
    pub from: String,
    /// The later year's field.
    pub to: String,
    /// `(to − from) / from × 100` instead of `to − from`.
    #[serde(default)]
    pub percent: bool,
}

impl ChangeSpec {
    /// How the change is expressed.
    pub fn kind(&self) -> super::derive::Change {
        if self.percent {
            super::derive::Change::Percent
        } else {
            super::derive::Change::Absolute
        }
    }

    /// The formula shown in the profile, e.g. `(POP_2019 − POP_2018) / POP_2018 × 100`.
    pub fn formula(&self) -> String {
        if self.percent {
            format!("({} − {}) / {} × 100", self.to, self.from, self.from)
        } else {
            format!("{} − {}", self.to, self.from)
        }
    }
}

/// `[layer.aggregate]`: the layer's indicators are aggregated from points or finer units.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AggregateManifest {
    /// Points or finer units aggregated into the layer's districts (path relative to the manifest).
    pub from: Option<PathBuf>,
    /// The layer's `source` holds units, dissolved into one district per value of this field.
    pub dissolve: Option<String>,
    /// With `from`: the units carry their district's id in this field (otherwise by location or area).
    pub key: Option<String>,
    /// Fields summed per district (`FIELD_sum`).
    #[serde(default)]
    pub sum: Vec<String>,
    /// Means per district (`FIELD_mean`).
    #[serde(default)]
    pub mean: Vec<MeanSpec>,
    /// CRS of `from` when its file does not say (`EPSG:25832`).
    pub crs: Option<String>,
    /// Encoding of `from` (DBF codepage or CSV encoding).
    pub encoding: Option<String>,
    /// CSV column with the x coordinate of points.
    pub x: Option<String>,
    /// CSV column with the y coordinate of points.
    pub y: Option<String>,
    /// Projected CRS for planar area-weighting (`EPSG:2056`); geodesic areas without it.
    pub area_crs: Option<String>,
}

impl AggregateManifest {
    /// Check the combination of keys; the error says what to write instead.
    pub fn validate(&self) -> Result<(), String> {
        match (&self.from, &self.dissolve, &self.key) {
            (Some(_), None, _) | (None, Some(_), None) => Ok(()),
            (Some(_), Some(_), _) => Err(
                "say either from = \"FILE\" (aggregate into this layer's districts) or dissolve = \"FIELD\" (dissolve this layer's units), not both".into(),
            ),
            (None, Some(_), Some(_)) => Err(
                "key goes with from = \"FILE\"; with dissolve the key is the dissolve field".into(),
            ),
            (None, None, _) => Err(
                "say what to aggregate: from = \"FILE\" (points or units into this layer's districts) or dissolve = \"FIELD\" (this layer's units dissolved by a field)".into(),
            ),
        }
    }

    /// The files read besides the layer's `source` (for the atlas fingerprint).
    pub fn source_path(&self, base: &Path) -> Option<PathBuf> {
        self.from.as_ref().map(|f| base.join(f))
    }

    /// The aggregation spec this table describes.
    pub fn spec(&self) -> Result<AggregateSpec, AggregateError> {
        let area = match &self.area_crs {
            None => AreaMode::Geodesic,
            Some(text) => {
                AreaMode::Planar(Crs::parse(text).map_err(|source| AggregateError::Crs {
                    path: PathBuf::from("[layer.aggregate]"),
                    origin: "area_crs".into(),
                    source: Box::new(source),
                })?)
            }
        };
        Ok(AggregateSpec {
            sum: self.sum.clone(),
            mean: self
                .mean
                .iter()
                .map(|m| Mean {
                    field: m.field.clone(),
                    weight: m.weight.clone(),
                })
                .collect(),
            key: self.key.clone().or_else(|| self.dissolve.clone()),
            area,
        })
    }

    /// Aggregate into `layer` (the imported `source`, read from `source_path` in `source_crs`):
    /// from the `from` file into its districts, or by dissolving its units.
    pub fn apply(
        &self,
        base: &Path,
        layer: Layer,
        source_path: &Path,
        source_crs: &str,
    ) -> Result<Aggregated, AggregateError> {
        let spec = self.spec()?;
        if self.dissolve.is_some() {
            let id = layer.id.clone();
            let units = Source::Units(Units {
                path: source_path.to_path_buf(),
                crs: source_crs.to_string(),
                layer,
            });
            let mut out = aggregate(&units, None, &spec, None)?;
            out.layer.id = id;
            return Ok(out);
        }
        let from = self.source_path(base).unwrap_or_default();
        let opts = SourceOptions {
            crs: self.crs.clone(),
            encoding: self.encoding.clone(),
            x: self.x.clone(),
            y: self.y.clone(),
            delimiter: None,
        };
        let src = read_source(&from, &opts, &spec.fields())?;
        let mut out = aggregate(&src, Some(&layer), &spec, None)?;
        out.report.districts = Some(source_path.display().to_string());
        Ok(out)
    }
}
