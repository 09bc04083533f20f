//! Aggregate indicators into districts: points, finer units, derived rates, small-number suppression.
//!
//! # Brief overview
//!
//! Cities rarely hold their indicators per district.
//! They hold points (daycare places, geocoded benefit recipients, incidents), finer units
//! (building blocks, census tracts, 100 m grid cells) with counts, and the district boundaries.
//! This module turns those into one row per district:
//!
//! - [`read_source`] reads points (GeoJSON, point shapefile, CSV with coordinate columns, in any
//!   CRS) or finer units (any boundary file [`crate::import`] reads) into a [`Source`] in WGS84.
//! - [`aggregate`] assigns them to districts and sums, counts and averages:
//!   points by point-in-polygon ([`DistrictIndex`]: an R-tree over polygon envelopes, a grid of
//!   the same envelopes for point lookups, and an exact, banded point-in-polygon test), units by
//!   key (into given districts, or dissolved into new ones), or units by area ([`Apportioner`]:
//!   area-weighted apportionment through polygon intersection with geo's `BooleanOps`).
//! - [`aggregate_files`] does both for two files, as `quartier aggregate` does.
//! - [`derive`](mod@derive) computes rates per 100 or 1,000, densities per km² (geodesic area), change between
//!   two years, and small-number suppression.
//! - [`AggregateManifest`] is the `[layer.aggregate]` table of the atlas manifest.
//!
//! The result is an [`Aggregated`]: the districts as a [`Layer`] with one numeric attribute per
//! output column (`count`, `FIELD_sum`, `FIELD_mean`, `area_km2`), and an [`AggregateReport`] that
//! says how many points or units were assigned, split or left outside, and which ones were unusable.
//!
//! # Rules
//!
//! **A point on a border** belongs to exactly one district: among the districts whose *closed*
//! polygon (interior plus boundary) contains the point, the one that comes first in the layer.
//! The test is exact (robust orientation predicates, no tolerance), so a point on a shared edge or
//! vertex is found on both sides and the layer order decides; this is what a reference computes with
//! shapely's `covers` in layer order.
//!
//! **Units by key** carry their district's key in a field (`TOWN`); keys are compared as text after
//! trimming, numbers written as [`crate::import`] writes ids (`25`, not `25.0`).
//! Without target districts, the districts are the *dissolved* units: one district per key, in order
//! of first appearance, its geometry the union of its units' polygons.
//!
//! **Units by area** are apportioned by the share of their area that lies in each district:
//! a unit's sums go to district *d* times `area(unit ∩ d) / area(unit)`.
//! Areas are geodesic (on the WGS84 ellipsoid, Karney's algorithm through [`geo::GeodesicArea`]) of
//! the intersection computed in longitude/latitude, unless [`AreaMode::Planar`] names a projected
//! CRS: then units and districts are projected into it and both intersection and area are planar
//! there (use the data's own national grid, e.g. EPSG:2056, to match what a GIS computes there).
//! Layers are stored in WGS84, so data that came in that CRS makes a round trip through WGS84;
//! with proj4rs's Helmert shifts that moves coordinates by up to about a millimetre (CH1903+), the
//! same smooth shift for units and districts, so the shares still agree with shapely's on the
//! original coordinates to 3e-9 (the Swiss test below).
//! What lies outside every district is lost and reported.
//! Two boundary files rarely agree to the millimetre: a unit whose largest piece holds all but
//! 0.1 % ([`SLIVER`]) of its area, and whose other pieces are each under 0.1 % of their own
//! district's area, goes whole to that district, and the report counts such slivers apart from
//! real splits (Swiss Bezirke into cantons: 12 for Zürich, not 11.99999998716896; a small district
//! inside a large unit is no sliver and keeps its share).
//!
//! Measured against the independent references in `tests/reference/aggregate_reference.py`:
//! London station counts and bike sums per borough exact; Boston town population sums exact and
//! population-weighted means identical; a 10 km grid over the Swiss districts in LV95 metres within
//! 3.1e-9 relative; a grid over London with geodesic areas within 1.6e-8; geodesic borough areas
//! within 1.4e-10 of pyproj's.
//!
//! **Means** are weighted by a field when one is given (`Σ v·w / Σ w`, e.g. the population-weighted
//! mean of a share), otherwise plain means of the points or units; by area they are weighted by the
//! intersection area (times the weight field, if any).
//! A district whose weights add up to zero has no mean, and the report says so.
//!
//! **Missing is not zero.** A point or unit without a value does not count in that field's sum or
//! mean; a district with no point at all has `count` 0 and sums 0 (no docking station, no bikes), but
//! a district no unit reaches has missing sums, because units that do not cover it say nothing.
//!
//! **Small numbers** are withheld by the rules in [`derive`](mod@derive); the atlas keeps the values of a
//! suppressed district as `None` next to a `suppressed` flag, and `quartier aggregate
//! --suppress-below` writes them as `.`.
//!
//! # Example
//!
//! ```
//! use quartier_geo::aggregate::{aggregate_files, AggregateOptions, AggregateSpec};
//!
//! let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/london");
//! let opts = AggregateOptions {
//!     spec: AggregateSpec { sum: vec!["nbikes".into()], ..Default::default() },
//!     ..Default::default()
//! };
//! let out = aggregate_files(&fixtures.join("cycle_hire.geojson"), Some(&fixtures.join("londonBoroughs.json")), &opts)?;
//! let westminster = out.layer.index_of("Westminster").unwrap();
//! assert!(out.layer.numeric("count").unwrap()[westminster].unwrap() > 50.0);
//! assert_eq!(out.report.read, 742);
//! # Ok::<(), quartier_geo::aggregate::AggregateError>(())
//! ```

mod accumulate;
pub mod derive;
mod error;
mod manifest;
mod points;
mod report;
mod source;
mod units;

#[cfg(test)]
mod tests;

use std::fmt;
use std::path::Path;

use serde::Serialize;

use crate::crs::Crs;
use crate::import::{self, ImportOptions};
use crate::layer::Layer;

pub(crate) use accumulate::{conclude, Accumulator, Balance, ItemValues, Values, PROGRESS_STEP};

pub use crate::locate::{DistrictIndex, Position};
pub use error::AggregateError;
pub use manifest::{AggregateManifest, ChangeSpec, MeanSpec};
pub use report::{AggregateReport, FieldBalance, Location, Problem};
pub use source::{read_source, Points, Source, SourceOptions, Units, X_NAMES, Y_NAMES};
pub use units::{Apportioner, Measure, SLIVER};

/// Name of the output column that counts points or units per district.
pub const COUNT: &str = "count";
/// Name of the output column with each district's geodesic area in km².
pub const AREA_KM2: &str = "area_km2";

/// How areas are measured for area-weighted apportionment and shown in `area_km2`.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum AreaMode {
    /// Intersections in longitude/latitude, areas geodesic on the WGS84 ellipsoid.
    #[default]
    Geodesic,
    /// Units and districts projected into this CRS (metres); intersections and areas planar there.
    Planar(Crs),
}

/// A mean to compute per district.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mean {
    /// The field averaged (`LSTAT`); output column `FIELD_mean`.
    pub field: String,
    /// The weight field (`POP`); `None` for a plain mean (area-weighted for units by area).
    pub weight: Option<String>,
}

/// What to compute per district.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AggregateSpec {
    /// Fields summed per district; output columns `FIELD_sum`.
    pub sum: Vec<String>,
    /// Means per district; output columns `FIELD_mean`.
    pub mean: Vec<Mean>,
    /// Units carry their district's key in this field (units only).
    pub key: Option<String>,
    /// How areas are measured (units by area, and the `area_km2` column's companion computations).
    pub area: AreaMode,
}

impl AggregateSpec {
    /// Every source field the aggregation reads (sums, means, weights, key), each once.
    pub fn fields(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut push = |f: &str| {
            if !out.iter().any(|o| o == f) {
                out.push(f.to_string());
            }
        };
        for f in &self.sum {
            push(f);
        }
        for m in &self.mean {
            push(&m.field);
            if let Some(w) = &m.weight {
                push(w);
            }
        }
        if let Some(k) = &self.key {
            push(k);
        }
        out
    }

    /// Output column names in order: `count`, the sums, the means, `area_km2`.
    pub fn columns(&self) -> Vec<String> {
        let mut out = vec![COUNT.to_string()];
        out.extend(self.sum.iter().map(|f| format!("{f}_sum")));
        out.extend(self.mean.iter().map(|m| format!("{}_mean", m.field)));
        out.push(AREA_KM2.to_string());
        out
    }
}

/// Everything [`aggregate_files`] needs besides the two paths.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AggregateOptions {
    /// How to read the points or units.
    pub source: SourceOptions,
    /// How to read the target districts (CRS, id and name fields).
    pub districts: ImportOptions,
    /// What to compute.
    pub spec: AggregateSpec,
}

/// How the source was assigned to districts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Method {
    /// Points, each in the one district that contains it.
    Points,
    /// Units by a key field into given districts.
    Key,
    /// Units by a key field, dissolved into new districts.
    Dissolve,
    /// Units apportioned by area.
    Area,
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Method::Points => "points into districts (point in polygon)",
            Method::Key => "units into districts by key",
            Method::Dissolve => "units dissolved by key",
            Method::Area => "units into districts by area",
        })
    }
}

/// The districts with the aggregated columns, and what happened.
#[derive(Debug, Clone)]
pub struct Aggregated {
    /// The districts (WGS84 and Mercator geometry) with their original attributes followed by the
    /// output columns, all numeric.
    pub layer: Layer,
    /// The output column names in order (`count`, `FIELD_sum`..., `FIELD_mean`..., `area_km2`).
    pub columns: Vec<String>,
    /// Counts and problems.
    pub report: AggregateReport,
}

impl Aggregated {
    /// The output column `name`, one value per district.
    pub fn column(&self, name: &str) -> Option<&[Option<f64>]> {
        self.layer.numeric(name)
    }

    /// Write one row per district: `id`, `name`, then the output columns.
    ///
    /// Numbers are written in Rust's shortest round-trip form (integers without `.0`), missing
    /// values as empty cells, and with `suppress_below` counts below it (see
    /// [`derive::suppressed_count`]) as `.`, the statistics offices' mark for a withheld value,
    /// which [`crate::table`] reads back as missing.
    pub fn write_csv<W: std::io::Write>(
        &self,
        out: W,
        suppress_below: Option<f64>,
    ) -> Result<(), std::io::Error> {
        let mut w = csv::Writer::from_writer(out);
        let mut header = vec!["id".to_string(), "name".to_string()];
        header.extend(self.columns.iter().cloned());
        w.write_record(&header).map_err(csv_io)?;
        let columns: Vec<(&str, &[Option<f64>])> = self
            .columns
            .iter()
            .filter_map(|c| self.layer.numeric(c).map(|v| (c.as_str(), v)))
            .collect();
        let count = self.layer.numeric(COUNT);
        for (i, d) in self.layer.districts.iter().enumerate() {
            let mut row = vec![d.id.clone(), d.name.clone()];
            for (name, values) in &columns {
                let v = values[i];
                let hidden = suppress_below.is_some_and(|t| {
                    let n = count.and_then(|c| c[i]);
                    derive::suppressed_output(name, v, n, t)
                });
                row.push(match (hidden, v) {
                    (true, _) => ".".to_string(),
                    (false, Some(x)) => number_text(x),
                    (false, None) => String::new(),
                });
            }
            w.write_record(&row).map_err(csv_io)?;
        }
        w.flush()
    }
}

fn csv_io(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

/// A number for people: integers as they are, others with at most three decimals.
fn short_number(x: f64) -> String {
    if x.fract() == 0.0 {
        number_text(x)
    } else {
        let s = format!("{x:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A number as text: integers without `.0`, others in Rust's shortest round-trip form.
pub(crate) fn number_text(x: f64) -> String {
    import::format_number(x)
}

/// Aggregate points or units into districts. See the [module docs](self) for the rules.
///
/// `districts` may be `None` only for units with a key (they are dissolved into districts).
/// `progress`, when given, is called now and then with (items done, items in total).
pub fn aggregate(
    source: &Source,
    districts: Option<&Layer>,
    spec: &AggregateSpec,
    progress: Option<&mut dyn FnMut(usize, usize)>,
) -> Result<Aggregated, AggregateError> {
    let mut noop = |_: usize, _: usize| {};
    let progress: &mut dyn FnMut(usize, usize) = match progress {
        Some(p) => p,
        None => &mut noop,
    };
    if let AreaMode::Planar(crs) = &spec.area {
        if crs.is_geographic() {
            return Err(AggregateError::AreaCrsNotProjected {
                crs: crs.name().to_string(),
            });
        }
    }
    let out = match (source, districts) {
        (Source::Points(p), Some(d)) => points::aggregate(p, d, spec, progress)?,
        (Source::Points(p), None) => {
            return Err(AggregateError::NoDistricts {
                path: p.path.clone(),
                kind: "points",
            })
        }
        (Source::Units(u), d) => match (&spec.key, d) {
            (Some(key), Some(d)) => units::by_key(u, d, key, spec, progress)?,
            (Some(key), None) => units::dissolve(u, key, spec, progress)?,
            (None, Some(d)) => units::by_area(u, d, spec, progress)?,
            (None, None) => {
                return Err(AggregateError::NoDistricts {
                    path: u.path.clone(),
                    kind: "units without a key",
                })
            }
        },
    };
    Ok(out)
}

/// Read `source` and, unless the units are dissolved by key, the districts `into`, and aggregate.
pub fn aggregate_files(
    source: &Path,
    into: Option<&Path>,
    opts: &AggregateOptions,
) -> Result<Aggregated, AggregateError> {
    aggregate_files_with_progress(source, into, opts, None)
}

/// [`aggregate_files`] with a progress callback (items done, items in total).
pub fn aggregate_files_with_progress(
    source: &Path,
    into: Option<&Path>,
    opts: &AggregateOptions,
    progress: Option<&mut dyn FnMut(usize, usize)>,
) -> Result<Aggregated, AggregateError> {
    let districts = match into {
        Some(path) => Some(import::read_layer(path, &opts.districts)?.layer),
        None => None,
    };
    let src = read_source(source, &opts.source, &opts.spec.fields())?;
    let mut out = aggregate(&src, districts.as_ref(), &opts.spec, progress)?;
    if let Some(path) = into {
        out.report.districts = Some(path.display().to_string());
    }
    Ok(out)
}
