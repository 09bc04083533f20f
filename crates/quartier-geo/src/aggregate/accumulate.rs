//! Per-district accumulators shared by every aggregation: counts, sums, weighted means, the
//! balance of what went nowhere, and the common end that turns them into output columns.

use super::{
    derive, AggregateError, AggregateReport, AggregateSpec, Aggregated, FieldBalance, Location,
    Problem,
};
use crate::layer::{Attribute, AttributeValues, Layer};

/// Per-district accumulators for the output columns.
#[derive(Debug, Clone)]
pub(crate) struct Accumulator {
    /// Points or (fractions of) units per district.
    pub count: Vec<f64>,
    /// Per summed field, per district: the sum, and whether any value contributed.
    pub sums: Vec<Vec<f64>>,
    pub sum_seen: Vec<Vec<bool>>,
    /// Per mean, per district: `Σ v·w` and `Σ w`, and whether any value contributed.
    pub mean_num: Vec<Vec<f64>>,
    pub mean_den: Vec<Vec<f64>>,
    pub mean_seen: Vec<Vec<bool>>,
    /// Whether anything reached the district.
    pub reached: Vec<bool>,
}

impl Accumulator {
    pub fn new(districts: usize, spec: &AggregateSpec) -> Accumulator {
        let grid = |k: usize| vec![vec![0.0; districts]; k];
        let flags = |k: usize| vec![vec![false; districts]; k];
        Accumulator {
            count: vec![0.0; districts],
            sums: grid(spec.sum.len()),
            sum_seen: flags(spec.sum.len()),
            mean_num: grid(spec.mean.len()),
            mean_den: grid(spec.mean.len()),
            mean_seen: flags(spec.mean.len()),
            reached: vec![false; districts],
        }
    }

    /// Append the output columns to `layer` and return their names.
    ///
    /// `empty_is_zero`: whether sums of a district nothing reached are 0 (points) or missing (units).
    pub fn finish(
        self,
        layer: &mut Layer,
        spec: &AggregateSpec,
        areas_km2: Vec<f64>,
        empty_is_zero: bool,
        problems: &mut Vec<Problem>,
    ) -> Result<Vec<String>, AggregateError> {
        let names = spec.columns();
        for n in &names {
            if layer.attribute(n).is_some() {
                return Err(AggregateError::ColumnClash { column: n.clone() });
            }
        }
        let n = layer.districts.len();
        let mut columns: Vec<Vec<Option<f64>>> = Vec::new();
        columns.push(self.count.iter().map(|c| Some(*c)).collect());
        for (k, _) in spec.sum.iter().enumerate() {
            columns.push(
                (0..n)
                    .map(|d| {
                        if self.sum_seen[k][d] || (empty_is_zero && !self.reached[d]) {
                            Some(self.sums[k][d])
                        } else {
                            None
                        }
                    })
                    .collect(),
            );
        }
        for (k, m) in spec.mean.iter().enumerate() {
            let mut zero_weight = Vec::new();
            let col = (0..n)
                .map(|d| {
                    if !self.mean_seen[k][d] {
                        None
                    } else if self.mean_den[k][d] == 0.0 {
                        zero_weight.push(d);
                        None
                    } else {
                        Some(self.mean_num[k][d] / self.mean_den[k][d])
                    }
                })
                .collect();
            for d in zero_weight {
                problems.push(Problem {
                    location: Location::District(layer.districts[d].id.clone()),
                    message: format!(
                        "the weights{} of its values of {} add up to zero, so the mean is undefined; it is left missing",
                        m.weight.as_ref().map(|w| format!(" ({w})")).unwrap_or_default(),
                        m.field
                    ),
                });
            }
            columns.push(col);
        }
        columns.push(areas_km2.into_iter().map(Some).collect());
        for (name, values) in names.iter().zip(columns) {
            layer.attributes.push(Attribute {
                name: name.clone(),
                values: AttributeValues::Number(values),
            });
        }
        Ok(names)
    }
}

/// The values one point or unit contributes, after checking its weights.
#[derive(Debug, Clone, Default)]
pub(crate) struct ItemValues {
    /// Per summed field.
    pub sums: Vec<Option<f64>>,
    /// Per mean: value and weight, `None` when the item does not count in that mean.
    pub means: Vec<Option<(f64, f64)>>,
}

/// One source column, aligned with the points or units.
pub(crate) type Column<'a> = &'a [Option<f64>];

/// The source columns an aggregation reads, aligned with its points or units.
#[derive(Debug)]
pub(crate) struct Values<'a> {
    pub sums: Vec<&'a [Option<f64>]>,
    /// Per mean: the values and the weights (`None` for a plain mean).
    pub means: Vec<(Column<'a>, Option<Column<'a>>)>,
    pub spec: &'a AggregateSpec,
}

impl<'a> Values<'a> {
    /// Look up every column of `spec` with `get`, which reports a missing or non-numeric field.
    pub fn new(
        spec: &'a AggregateSpec,
        mut get: impl FnMut(&str, &'static str) -> Result<&'a [Option<f64>], AggregateError>,
    ) -> Result<Values<'a>, AggregateError> {
        let sums = spec
            .sum
            .iter()
            .map(|f| get(f, "a field to sum"))
            .collect::<Result<_, _>>()?;
        let means = spec
            .mean
            .iter()
            .map(|m| {
                let v = get(&m.field, "a field to average")?;
                let w = m
                    .weight
                    .as_deref()
                    .map(|w| get(w, "a weight"))
                    .transpose()?;
                Ok((v, w))
            })
            .collect::<Result<_, AggregateError>>()?;
        Ok(Values { sums, means, spec })
    }

    /// The values of item `i`; a negative or missing weight leaves the item out of that mean and
    /// is reported at `location`.
    pub fn item(&self, i: usize, location: &Location, problems: &mut Vec<Problem>) -> ItemValues {
        let mut out = ItemValues::default();
        self.item_into(i, location, problems, &mut out);
        out
    }

    /// [`Values::item`] into a reused buffer (no allocation per point).
    pub fn item_into(
        &self,
        i: usize,
        location: &Location,
        problems: &mut Vec<Problem>,
        out: &mut ItemValues,
    ) {
        out.sums.clear();
        out.sums.extend(self.sums.iter().map(|c| c[i]));
        out.means.clear();
        for ((values, weights), m) in self.means.iter().zip(&self.spec.mean) {
            let Some(v) = values[i] else {
                out.means.push(None);
                continue;
            };
            let w = match weights.map(|ws| ws[i]) {
                None => Some(1.0),
                Some(Some(w)) if w >= 0.0 && w.is_finite() => Some(w),
                Some(Some(w)) => {
                    problems.push(Problem {
                        location: location.clone(),
                        message: format!(
                            "the weight {} is {w}, but weights must be zero or more; its {} is left out of the mean",
                            m.weight.as_deref().unwrap_or_default(),
                            m.field
                        ),
                    });
                    None
                }
                Some(None) => {
                    problems.push(Problem {
                        location: location.clone(),
                        message: format!(
                            "the weight {} is missing; its {} is left out of the mean",
                            m.weight.as_deref().unwrap_or_default(),
                            m.field
                        ),
                    });
                    None
                }
            };
            out.means.push(w.map(|w| (v, w)));
        }
    }
}

impl Accumulator {
    /// Add `share` (1 for a whole item) of an item to district `d`; its mean weights are further
    /// multiplied by `mean_factor` (the intersection area for units by area, else 1).
    pub fn add(&mut self, d: usize, share: f64, mean_factor: f64, item: &ItemValues) {
        self.reached[d] = true;
        self.count[d] += share;
        for (k, v) in item.sums.iter().enumerate() {
            if let Some(v) = v {
                self.sums[k][d] += v * share;
                self.sum_seen[k][d] = true;
            }
        }
        for (k, m) in item.means.iter().enumerate() {
            if let Some((v, w)) = m {
                let w = w * mean_factor;
                self.mean_num[k][d] += v * w;
                self.mean_den[k][d] += w;
                self.mean_seen[k][d] = true;
            }
        }
    }
}

/// Totals of the summed fields and the parts that went to no district.
#[derive(Debug, Clone)]
pub(crate) struct Balance {
    total: Vec<f64>,
    outside: Vec<f64>,
}

impl Balance {
    pub fn new(spec: &AggregateSpec) -> Balance {
        Balance {
            total: vec![0.0; spec.sum.len()],
            outside: vec![0.0; spec.sum.len()],
        }
    }

    /// Record an item of which the fraction `placed` went to districts.
    pub fn add(&mut self, item: &ItemValues, placed: f64) {
        for (k, v) in item.sums.iter().enumerate() {
            if let Some(v) = v {
                self.total[k] += v;
                self.outside[k] += v * (1.0 - placed);
            }
        }
    }

    pub fn finish(self, spec: &AggregateSpec) -> Vec<FieldBalance> {
        spec.sum
            .iter()
            .zip(self.total.into_iter().zip(self.outside))
            .map(|(f, (total, outside))| FieldBalance {
                field: f.clone(),
                total,
                outside,
            })
            .collect()
    }
}

/// The common end of every aggregation: report districts nothing reached (with `unreached`,
/// when that is worth a problem), append the output columns with their geodesic areas, and
/// settle the balance. `empty_is_zero`: see [`Accumulator::finish`].
pub(crate) fn conclude(
    mut layer: Layer,
    acc: Accumulator,
    balance: Balance,
    mut report: AggregateReport,
    spec: &AggregateSpec,
    empty_is_zero: bool,
    unreached: Option<&str>,
) -> Result<Aggregated, AggregateError> {
    if let Some(message) = unreached {
        for (d, district) in layer.districts.iter().enumerate() {
            if !acc.reached[d] {
                report.problems.push(Problem {
                    location: Location::District(district.id.clone()),
                    message: message.to_string(),
                });
            }
        }
    }
    let areas = derive::areas_km2(&layer);
    let columns = acc.finish(&mut layer, spec, areas, empty_is_zero, &mut report.problems)?;
    report.balance = balance.finish(spec);
    Ok(Aggregated {
        layer,
        columns,
        report,
    })
}

/// How often progress is reported, in items.
pub(crate) const PROGRESS_STEP: usize = 1 << 14;
