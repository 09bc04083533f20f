//! Derived indicators (rates, densities, change between two years) and small-number suppression.
//!
//! Every function takes and returns one value per district; `None` is missing, never zero, and a
//! value that cannot be computed (a zero denominator, a zero area, a change from zero in percent)
//! is missing too, never infinity.
//!
//! # Small-number suppression
//!
//! Statistics offices withhold small counts, because "2 benefit recipients in this block" can
//! identify people.
//! With a threshold *t* (`suppress_below` in the atlas manifest):
//!
//! - a **count** `c` with `0 < c < t` is suppressed ([`suppressed_count`]); zero is published,
//!   because an empty cell discloses nothing about a person;
//! - a **rate** is suppressed when its denominator is below *t* (the same rule), or when its
//!   numerator is a suppressed count (numerator = rate × denominator would give it away);
//! - a **density** is suppressed when its count is;
//! - a **change** is suppressed when either of its counts is;
//! - a **mean** of aggregated points or units is suppressed when fewer than *t* of them went into it.
//!
//! A suppressed value is published as suppressed, not as missing and never as its value: the atlas
//! keeps a per-district flag next to the (then empty) value, so that legend, tiles and profile can
//! show "suppressed" as its own state.
//!
//! ```
//! use quartier_geo::aggregate::derive::{change, rate, suppress_counts, Change};
//!
//! let births = [Some(1570.0), Some(2.0), Some(0.0)];
//! let deaths = [Some(15.0), Some(1.0), Some(0.0)];
//! assert_eq!(rate(&deaths, &births, 1000.0), vec![Some(15.0 / 1570.0 * 1000.0), Some(500.0), None]);
//! assert_eq!(suppress_counts(&births, 3.0), vec![false, true, false]);
//! assert_eq!(change(&[Some(80.0)], &[Some(100.0)], Change::Percent), vec![Some(25.0)]);
//! ```

use geo::{GeodesicArea, MultiPolygon, Orient};

use super::{AREA_KM2, COUNT};
use crate::layer::Layer;

/// Square metres per square kilometre.
const M2_PER_KM2: f64 = 1_000_000.0;

/// `numerator / denominator × factor` per district (per 100: `factor` 100; per 1,000: 1000).
pub fn rate(
    numerator: &[Option<f64>],
    denominator: &[Option<f64>],
    factor: f64,
) -> Vec<Option<f64>> {
    numerator
        .iter()
        .zip(denominator)
        .map(|(n, d)| match (n, d) {
            (Some(n), Some(d)) if *d != 0.0 => Some(n / d * factor),
            _ => None,
        })
        .collect()
}

/// `value / area` per km²; a district without area has no density.
pub fn density_per_km2(values: &[Option<f64>], areas_km2: &[f64]) -> Vec<Option<f64>> {
    values
        .iter()
        .zip(areas_km2)
        .map(|(v, a)| match v {
            Some(v) if *a > 0.0 => Some(v / a),
            _ => None,
        })
        .collect()
}

/// How a change between two years is expressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// `to − from`, in the values' unit.
    Absolute,
    /// `(to − from) / from × 100`; missing when `from` is zero.
    Percent,
}

/// The change from one year's values to another's.
pub fn change(from: &[Option<f64>], to: &[Option<f64>], kind: Change) -> Vec<Option<f64>> {
    from.iter()
        .zip(to)
        .map(|(a, b)| match (a, b, kind) {
            (Some(a), Some(b), Change::Absolute) => Some(b - a),
            (Some(a), Some(b), Change::Percent) if *a != 0.0 => Some((b - a) / a * 100.0),
            _ => None,
        })
        .collect()
}

/// Geodesic area on the WGS84 ellipsoid in km², of longitude/latitude geometry.
///
/// Karney's algorithm ([`geo::GeodesicArea`], geographiclib): exact to the nanometre for polygons
/// of any size, unlike Web Mercator areas (which are 2.5 times too large at 51° north).
/// Rings are oriented first (exteriors counter-clockwise), since an exterior wound the other way
/// would be measured as the rest of the globe.
pub fn geodesic_area_km2(geometry: &MultiPolygon<f64>) -> f64 {
    geometry
        .0
        .iter()
        .map(|p| {
            p.orient(geo::orient::Direction::Default)
                .geodesic_area_unsigned()
        })
        .sum::<f64>()
        / M2_PER_KM2
}

/// [`geodesic_area_km2`] of every district of a layer.
pub fn areas_km2(layer: &Layer) -> Vec<f64> {
    layer
        .districts
        .iter()
        .map(|d| geodesic_area_km2(&d.geometry))
        .collect()
}

/// Whether a count is withheld under `threshold`: `0 < count < threshold`.
pub fn suppressed_count(count: Option<f64>, threshold: f64) -> bool {
    matches!(count, Some(c) if c > 0.0 && c < threshold)
}

/// [`suppressed_count`] per district.
pub fn suppress_counts(counts: &[Option<f64>], threshold: f64) -> Vec<bool> {
    counts
        .iter()
        .map(|c| suppressed_count(*c, threshold))
        .collect()
}

/// Whether an aggregation output column holds counts (`count`, `FIELD_sum`).
pub fn is_count_column(name: &str) -> bool {
    name == COUNT || name.ends_with("_sum")
}

/// Whether an aggregation output value is withheld under `threshold`: counts and sums by
/// [`suppressed_count`], means when their district's `count` is suppressed, areas never.
pub fn suppressed_output(
    column: &str,
    value: Option<f64>,
    count: Option<f64>,
    threshold: f64,
) -> bool {
    if column == AREA_KM2 {
        false
    } else if is_count_column(column) {
        suppressed_count(value, threshold)
    } else if column.ends_with("_mean") {
        suppressed_count(count, threshold)
    } else {
        false
    }
}

/// Which districts' values of a layer field are withheld under `threshold`.
///
/// `is_count` says whether the field is a count; `None` decides by name for aggregation output
/// columns ([`is_count_column`]), and means (`FIELD_mean`) follow their district's `count`.
pub fn suppressed_field(
    layer: &Layer,
    field: &str,
    is_count: Option<bool>,
    threshold: f64,
) -> Vec<bool> {
    let n = layer.districts.len();
    let by_name = is_count_column(field) && layer.numeric(COUNT).is_some();
    if is_count.unwrap_or(by_name) {
        return match layer.numeric(field) {
            Some(v) => suppress_counts(v, threshold),
            None => vec![false; n],
        };
    }
    if is_count.is_none() && field.ends_with("_mean") {
        if let Some(c) = layer.numeric(COUNT) {
            return suppress_counts(c, threshold);
        }
    }
    vec![false; n]
}

/// Element-wise `or` of suppression flags.
pub fn either(a: &[bool], b: &[bool]) -> Vec<bool> {
    a.iter().zip(b).map(|(x, y)| *x || *y).collect()
}
