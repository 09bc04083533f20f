//! Composite indices, as German social monitoring reports compute them (Berlin's Monitoring
//! Soziale Stadtentwicklung, Hamburg's Sozialmonitoring): components standardised per period, a
//! weighted mean of the z-scores, and classes by standard deviations of the index.
//!
//! The rules (`docs/manifest.md`, "Composite indices"; checked against the independent script
//! `tests/reference/de_atlas_reference.py`):
//!
//! - each component is standardised over the districts that have a value for it:
//!   z = (x − mean) / SD, with the population SD (ddof = 0);
//! - the index is Σ weight·direction·z / Σ weight; a district missing any component has no index,
//!   and [`Composite::missing`] names the components it lacks;
//! - a dynamics index is the same computation on each component's change between two periods;
//! - classes use the index standardised once more over the districts with an index,
//!   s = (index − mean) / SD: status high s > 1, medium, low s < −1, very low s < −1.5;
//!   dynamics positive s > 1, stable, negative s < −1.

use serde::Serialize;

/// An index computed over one period (or one change between two).
#[derive(Debug, Clone, PartialEq)]
pub struct Composite {
    /// The index per district; `None` where a component is missing.
    pub values: Vec<Option<f64>>,
    /// Per component, per district: z = (x − mean) / SD.
    pub z: Vec<Vec<Option<f64>>>,
    /// Per district: the positions of the components it lacks.
    pub missing: Vec<Vec<usize>>,
}

/// Mean and population standard deviation (ddof = 0) of the present values.
pub fn mean_sd(values: &[Option<f64>]) -> Option<(f64, f64)> {
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    if present.is_empty() {
        return None;
    }
    let n = present.len() as f64;
    let mean = present.iter().sum::<f64>() / n;
    let var = present.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    Some((mean, var.sqrt()))
}

/// z-scores of `values` over the districts that have one; all `None` when the SD is 0.
pub fn standardise(values: &[Option<f64>]) -> Vec<Option<f64>> {
    match mean_sd(values) {
        Some((mean, sd)) if sd > 0.0 => values.iter().map(|v| v.map(|x| (x - mean) / sd)).collect(),
        _ => vec![None; values.len()],
    }
}

/// The index over `components`: (values per district, weight, direction) each.
pub fn composite(components: &[(&[Option<f64>], f64, i8)]) -> Composite {
    let n = components.first().map_or(0, |c| c.0.len());
    let z: Vec<Vec<Option<f64>>> = components.iter().map(|c| standardise(c.0)).collect();
    let wsum: f64 = components.iter().map(|c| c.1).sum();
    let mut values = Vec::with_capacity(n);
    let mut missing = Vec::with_capacity(n);
    for i in 0..n {
        let lacks: Vec<usize> = (0..components.len())
            .filter(|&k| z[k].get(i).copied().flatten().is_none())
            .collect();
        let value = lacks.is_empty().then(|| {
            components
                .iter()
                .zip(&z)
                .map(|(c, zk)| c.1 * f64::from(c.2) * zk[i].unwrap_or(0.0))
                .sum::<f64>()
                / wsum
        });
        values.push(value);
        missing.push(lacks);
    }
    Composite { values, z, missing }
}

/// A status class by standard deviations of the index (Berlin's classes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusClass {
    /// s > +1.
    High,
    /// −1 ≤ s ≤ +1.
    Medium,
    /// −1.5 ≤ s < −1.
    Low,
    /// s < −1.5.
    VeryLow,
}

/// A dynamics class by standard deviations of the dynamics index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DynamicsClass {
    /// s > +1.
    Positive,
    /// −1 ≤ s ≤ +1.
    Stable,
    /// s < −1.
    Negative,
}

impl StatusClass {
    /// The class of s (the index in standard deviations).
    pub fn of(s: f64) -> StatusClass {
        if s > 1.0 {
            StatusClass::High
        } else if s < -1.5 {
            StatusClass::VeryLow
        } else if s < -1.0 {
            StatusClass::Low
        } else {
            StatusClass::Medium
        }
    }

    /// The manifest/API name (`very_low`).
    pub fn as_str(self) -> &'static str {
        match self {
            StatusClass::High => "high",
            StatusClass::Medium => "medium",
            StatusClass::Low => "low",
            StatusClass::VeryLow => "very_low",
        }
    }
}

impl DynamicsClass {
    /// The class of s (the dynamics index in standard deviations).
    pub fn of(s: f64) -> DynamicsClass {
        if s > 1.0 {
            DynamicsClass::Positive
        } else if s < -1.0 {
            DynamicsClass::Negative
        } else {
            DynamicsClass::Stable
        }
    }

    /// The API name (`positive`).
    pub fn as_str(self) -> &'static str {
        match self {
            DynamicsClass::Positive => "positive",
            DynamicsClass::Stable => "stable",
            DynamicsClass::Negative => "negative",
        }
    }
}

/// The index in standard deviations of itself: s = (index − mean) / SD over the districts with one.
pub fn sd_units(index: &[Option<f64>]) -> Vec<Option<f64>> {
    standardise(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn population_sd_and_missing_components() {
        let a = [Some(1.0), Some(2.0), Some(3.0), None];
        let b = [Some(10.0), Some(30.0), Some(20.0), Some(40.0)];
        let c = composite(&[(&a, 1.0, 1), (&b, 1.0, -1)]);
        // a: mean 2, SD sqrt(2/3); b over four: mean 25, SD sqrt(125).
        let za = (3.0 - 2.0) / (2.0f64 / 3.0).sqrt();
        let zb = (20.0 - 25.0) / 125.0f64.sqrt();
        assert!((c.values[2].unwrap() - (za - zb) / 2.0).abs() < 1e-12);
        assert_eq!(c.values[3], None);
        assert_eq!(c.missing[3], vec![0]);
        assert!(c.missing[0].is_empty());
    }

    #[test]
    fn class_boundaries_follow_berlin() {
        assert_eq!(StatusClass::of(1.0), StatusClass::Medium);
        assert_eq!(StatusClass::of(1.01), StatusClass::High);
        assert_eq!(StatusClass::of(-1.0), StatusClass::Medium);
        assert_eq!(StatusClass::of(-1.5), StatusClass::Low);
        assert_eq!(StatusClass::of(-1.51), StatusClass::VeryLow);
        assert_eq!(DynamicsClass::of(-1.01), DynamicsClass::Negative);
        assert_eq!(DynamicsClass::of(1.0), DynamicsClass::Stable);
    }
}
