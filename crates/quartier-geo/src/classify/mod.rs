//! Class breaks for choropleth maps: quantile, equal interval, Fisher-Jenks, standard deviation,
//! pretty (round numbers) and manual breaks, for 2 to 9 classes.
//!
//! # Brief overview
//!
//! [`classify`] turns a column of values (with gaps) into a [`Classification`]: breaks
//! `[min, b1, ..., bk]`, where `b_i` is the inclusive upper bound of class `i`, as in PySAL
//! mapclassify (class `i` holds the values `v` with `b(i-1) < v <= b_i`; the first class holds
//! everything up to `b1`).
//! [`Classification::class_of`] puts any value into its class.
//! Missing values (`None`, NaN and infinities) are counted in [`Classification::missing`] and belong
//! to no class: the map draws them in the no-data colour ([`crate::palette::NO_DATA`]).
//!
//! # Methods
//!
//! Each method reproduces PySAL mapclassify (the reference the tests compare with, on the NC
//! SIDS and Boston tracts data) except where noted:
//!
//! - [`Method::Quantile`]: mapclassify `Quantiles`: the upper bounds are the `100 i / k`
//!   percentiles with linear interpolation between order statistics (scipy `scoreatpercentile`);
//!   ties that make percentiles coincide merge classes.
//! - [`Method::EqualInterval`]: mapclassify `EqualInterval`: `k` classes of width `(max - min) / k`.
//! - [`Method::Jenks`]: Fisher's exact optimal partition (the least total sum of squared deviations
//!   from the class means), mapclassify `FisherJenks`.
//!   mapclassify accumulates in 32-bit floats and can miss the optimum by a hair (Boston `CMEDV`
//!   in 6 classes: a sum of squares of 1775.08785 instead of the optimal 1775.08741, shown by the
//!   exact rational arithmetic in `tests/reference/classify_reference.py`); Quartier computes in
//!   64 bits and returns the optimum.
//!   Among equally good partitions the one with the largest last class wins, as in mapclassify.
//!   The search runs over the sorted distinct values weighted by their counts (an optimal partition
//!   never splits equal values) with a divide-and-conquer dynamic programme in `O(k n log n)`,
//!   the technique of Ckmeans.1d.dp: 100,000 distinct values take about 50 ms on one core
//!   (`benches/benches/classify.rs`).
//! - [`Method::StdDev`]: mapclassify `StdMean`: bands of one (sample, `n - 1`) standard deviation `s`
//!   around the mean `m`.
//!   The upper bounds are `m + j s` for the multiples `j` of the class count, then the maximum:
//!   for an odd `k = 2h + 1` the multiples are `±1, ..., ±h` (5 classes: mapclassify's default
//!   `[-2, -1, 1, 2]`), for an even `k = 2h` they are `-(h-1), ..., 0, ..., h-1` (the mean is a
//!   break).
//!   Bands below the minimum stay as empty classes (so a class always means the same band); when
//!   the top band already reaches the maximum there is one class fewer, as in mapclassify.
//! - [`Method::Pretty`]: round numbers, R's `pretty(x, n = k)` (1, 2 or 5 times a power of ten),
//!   which may give a few classes more or fewer than asked; the number is kept within
//!   2..=[`MAX_CLASSES`] by asking `pretty` for fewer (or more) intervals.
//!   Breaks are the `f64` nearest to the round decimals (R's `seq()` may be an ulp off).
//!   The reference is R itself.
//! - [`Method::Manual`]: the given upper bounds, mapclassify `UserDefined`: when values lie above the
//!   last given bound, a class up to the maximum is added.
//!
//! # Awkward data
//!
//! Nothing panics and no break is ever NaN:
//! - all values missing: [`ClassifyError::NoValues`] (nothing to classify);
//! - all values equal: one class `[v, v]` and a note (not an error, so that a constant indicator
//!   can still be mapped; [`crate::palette::Scheme::colors`] gives one colour for it);
//! - fewer distinct values than classes: fewer classes and a note (Jenks: one class per distinct
//!   value, where mapclassify raises an error; quantile: as mapclassify), or empty classes and a
//!   note (equal interval and standard deviation keep their fixed geometry).
//!
//! # Example
//!
//! ```
//! use quartier_geo::classify::{classify, Method};
//!
//! let values = [Some(1.0), Some(2.0), None, Some(4.0), Some(8.0), Some(9.0), Some(f64::NAN)];
//! let c = classify(&values, Method::Jenks, 2, None).unwrap();
//! assert_eq!(c.breaks, [1.0, 4.0, 9.0]);
//! assert_eq!(c.counts, [3, 2]);
//! assert_eq!(c.missing, 2);
//! assert_eq!(c.class_of(8.5), Some(1));
//! ```

mod around;
mod jenks;
mod notes;
mod pretty;
mod sorted;
#[cfg(test)]
mod tests;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use around::{allot, classify_around, splits_at_centre};
pub use notes::Note;
pub use pretty::pretty;
pub use sorted::SortedValues;

/// The fewest classes a request may ask for.
pub const MIN_CLASSES: usize = 2;
/// The most classes a request may ask for (and a classification may have): more cannot be told
/// apart on a map, and ColorBrewer's sequential schemes stop at 9.
pub const MAX_CLASSES: usize = 9;

/// A classification method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Method {
    /// Equal counts per class (mapclassify `Quantiles`).
    #[serde(rename = "quantile")]
    Quantile,
    /// Equal widths (mapclassify `EqualInterval`).
    #[serde(rename = "equal")]
    EqualInterval,
    /// Fisher-Jenks natural breaks, the exact optimum (mapclassify `FisherJenks`).
    #[serde(rename = "jenks")]
    Jenks,
    /// Standard-deviation bands around the mean (mapclassify `StdMean`).
    #[serde(rename = "stddev")]
    StdDev,
    /// Round numbers (R `pretty()`).
    #[serde(rename = "pretty")]
    Pretty,
    /// Given upper bounds (mapclassify `UserDefined`).
    #[serde(rename = "manual")]
    Manual,
}

impl Method {
    /// Every method, in the order the API documents them.
    pub const ALL: [Method; 6] = [
        Method::Quantile,
        Method::EqualInterval,
        Method::Jenks,
        Method::StdDev,
        Method::Pretty,
        Method::Manual,
    ];

    /// The name used in URLs, manifests and JSON: `quantile`, `equal`, `jenks`, `stddev`,
    /// `pretty`, `manual`.
    pub fn name(self) -> &'static str {
        match self {
            Method::Quantile => "quantile",
            Method::EqualInterval => "equal",
            Method::Jenks => "jenks",
            Method::StdDev => "stddev",
            Method::Pretty => "pretty",
            Method::Manual => "manual",
        }
    }
}

fn method_names() -> String {
    Method::ALL.map(Method::name).join(", ")
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Method {
    type Err = ClassifyError;

    /// Parses a method name, ignoring case and surrounding spaces.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        Method::ALL
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| ClassifyError::UnknownMethod { name: s.to_owned() })
    }
}

/// Errors from [`classify`] and from parsing a [`Method`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ClassifyError {
    /// The method name is not one of [`Method::ALL`].
    #[error(
        "unknown classification method {name:?}: expected one of {}",
        method_names()
    )]
    UnknownMethod {
        /// The name given.
        name: String,
    },
    /// The number of classes is outside [`MIN_CLASSES`]..=[`MAX_CLASSES`].
    #[error("{classes} classes requested: choose between {MIN_CLASSES} and {MAX_CLASSES}")]
    ClassesOutOfRange {
        /// The number asked for.
        classes: usize,
    },
    /// Every value is missing (empty, NaN or infinite), so there is nothing to classify.
    ///
    /// Consider: check the join of the indicator table (unmatched keys leave districts empty) and
    /// the column's number format.
    #[error(
        "all {total} values are missing (empty, NaN or infinite): there is nothing to classify"
    )]
    NoValues {
        /// The number of values given.
        total: usize,
    },
    /// Method `manual` was chosen without breaks.
    #[error("method manual needs breaks: ascending upper class bounds such as 10,20,30")]
    ManualBreaksMissing,
    /// Breaks were given for a method that computes its own.
    #[error("breaks are only used with method manual, not with {method}: drop the breaks or choose manual")]
    UnexpectedBreaks {
        /// The method chosen.
        method: Method,
    },
    /// Classes on each side of a centre were asked for with a method that does not adapt to the
    /// data, or with a centre that is not a finite number.
    #[error("classes on each side of a centre need a finite centre and method quantile, equal or jenks, not {method}")]
    CannotSplit {
        /// The method chosen.
        method: Method,
    },
    /// Method `manual` was given an empty list of breaks.
    #[error("manual breaks are empty: give 1 to {MAX_CLASSES} ascending upper class bounds")]
    ManualBreaksEmpty,
    /// A manual break is NaN or infinite.
    #[error("manual break {position} is {value}: breaks must be finite numbers")]
    ManualBreakNotFinite {
        /// The break's position, counted from 1.
        position: usize,
        /// The break.
        value: f64,
    },
    /// Manual breaks do not strictly ascend.
    #[error(
        "manual breaks must ascend, but break {position} ({value}) is not greater than break {} ({previous})",
        .position - 1
    )]
    ManualBreaksNotAscending {
        /// The offending break's position, counted from 1.
        position: usize,
        /// The break before it.
        previous: f64,
        /// The offending break.
        value: f64,
    },
    /// Manual breaks make more than [`MAX_CLASSES`] classes.
    #[error(
        "{breaks} manual breaks make {classes} classes{}: at most {MAX_CLASSES} are allowed",
        if .classes > .breaks { format!(" (with the extra class for values up to the maximum {})", .max) } else { String::new() }
    )]
    TooManyManualClasses {
        /// The number of breaks given.
        breaks: usize,
        /// The number of classes they make.
        classes: usize,
        /// The largest value.
        max: f64,
    },
}

/// The result of [`classify`]: breaks, counts and what was adjusted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Classification {
    /// The method used.
    pub method: Method,
    /// The number of classes asked for (for manual breaks: the number of breaks given).
    pub requested: usize,
    /// `[min, b1, ..., bk]`: `b_i` is the inclusive upper bound of class `i`.
    /// `breaks[0]` is the smallest value, or `b1` when that is lower (an empty first class, possible
    /// with standard deviations and manual breaks).
    /// Strictly ascending from `b1` on, always finite.
    pub breaks: Vec<f64>,
    /// The number of values in each class.
    pub counts: Vec<usize>,
    /// The number of missing values (`None`, NaN or infinite), which belong to no class.
    pub missing: usize,
    /// What was adjusted, e.g. "only 3 distinct values: 3 classes instead of 5". Data, not text:
    /// the atlas words each [`Note`] in the reader's language with its number formatting, and
    /// `to_string()` gives the English sentence with the plain numbers.
    pub notes: Vec<Note>,
}

impl Classification {
    /// The number of classes.
    pub fn classes(&self) -> usize {
        self.counts.len()
    }

    /// The class (0-based) of a value: the first class whose upper bound is at least `v`.
    /// Values below the first class go to the first class and values above the last to the last
    /// (mapclassify's `find_bin`), so data added later still gets a colour.
    /// `None` for NaN and infinities, which are missing values.
    pub fn class_of(&self, v: f64) -> Option<usize> {
        // A hand-built classification without classes (e.g. for a column with no values) has no
        // class for anything.
        let uppers = self.breaks.get(1..).filter(|u| !u.is_empty())?;
        if !v.is_finite() {
            return None;
        }
        Some(uppers.partition_point(|&b| b < v).min(uppers.len() - 1))
    }
}

/// Classifies `values` into classes by `method`.
///
/// `classes` must be within [`MIN_CLASSES`]..=[`MAX_CLASSES`]; the result can have fewer classes
/// (too few distinct values, ties, standard-deviation bands) or, with [`Method::Pretty`], more, and
/// says so in [`Classification::notes`].
/// `manual_breaks` are the ascending upper class bounds for [`Method::Manual`] (which ignores
/// `classes`) and must be `None` for every other method.
/// See the module docs for each method's exact definition.
pub fn classify(
    values: &[Option<f64>],
    method: Method,
    classes: usize,
    manual_breaks: Option<&[f64]>,
) -> Result<Classification, ClassifyError> {
    classify_sorted(&SortedValues::new(values), method, classes, manual_breaks)
}

/// [`classify`] of values already sorted by [`SortedValues::new`]: the same result, without
/// sorting again (the atlas keeps an indicator's sorted values for all its styles).
///
/// # Errors
/// As [`classify`].
pub fn classify_sorted(
    sorted: &SortedValues,
    method: Method,
    classes: usize,
    manual_breaks: Option<&[f64]>,
) -> Result<Classification, ClassifyError> {
    let manual = match (method, manual_breaks) {
        (Method::Manual, None) => return Err(ClassifyError::ManualBreaksMissing),
        (Method::Manual, Some(b)) => Some(check_manual(b)?),
        (_, Some(_)) => return Err(ClassifyError::UnexpectedBreaks { method }),
        (_, None) => None,
    };
    if manual.is_none() && !(MIN_CLASSES..=MAX_CLASSES).contains(&classes) {
        return Err(ClassifyError::ClassesOutOfRange { classes });
    }
    let requested = manual.map_or(classes, <[f64]>::len);

    let (missing, total) = (sorted.missing(), sorted.total());
    let sorted = sorted.values();
    if sorted.is_empty() {
        return Err(ClassifyError::NoValues { total });
    }
    let (min, max) = (sorted[0], sorted[sorted.len() - 1]);
    let n = sorted.len();

    let mut notes = Vec::new();
    if missing > 0 {
        notes.push(Note::Missing { missing, total });
    }
    let uppers = match (method, manual) {
        (_, Some(breaks)) => manual_uppers(breaks, max, &mut notes)?,
        _ if min == max => {
            notes.push(Note::AllEqual {
                n,
                value: min,
                asked: classes,
            });
            vec![max]
        }
        (Method::Quantile, None) => {
            let uppers = quantile(sorted, classes);
            fewer(method, sorted, uppers, classes, &mut notes)
        }
        (Method::EqualInterval, None) => {
            let uppers = equal_interval(min, max, classes);
            fewer(method, sorted, uppers, classes, &mut notes)
        }
        (Method::Jenks, None) => {
            let uppers = jenks::fisher_jenks(sorted, classes);
            fewer(method, sorted, uppers, classes, &mut notes)
        }
        (Method::StdDev, None) => std_mean(sorted, max, classes, &mut notes),
        (Method::Pretty, None) => pretty_uppers(min, max, classes, &mut notes),
        (Method::Manual, None) => return Err(ClassifyError::ManualBreaksMissing),
    };

    Ok(finish(method, requested, sorted, uppers, missing, notes))
}

/// The classification of the `sorted` valid values by their class upper bounds `uppers` (not
/// empty): breaks from the minimum, counts, and a note on empty classes.
fn finish(
    method: Method,
    requested: usize,
    sorted: &[f64],
    uppers: Vec<f64>,
    missing: usize,
    mut notes: Vec<Note>,
) -> Classification {
    let mut breaks = Vec::with_capacity(uppers.len() + 1);
    breaks.push(sorted[0].min(uppers[0]));
    breaks.extend_from_slice(&uppers);
    let counts = count(sorted, &uppers);
    let empty = counts.iter().filter(|&&c| c == 0).count();
    if empty > 0 {
        notes.push(Note::EmptyClasses {
            empty,
            classes: counts.len(),
        });
    }
    Classification {
        method,
        requested,
        breaks,
        counts,
        missing,
        notes,
    }
}

/// Merges breaks that coincide (ties in quantiles, or a range too small for the magnitude of
/// the values) and notes when that leaves fewer classes than asked for.
fn fewer(
    method: Method,
    sorted: &[f64],
    mut uppers: Vec<f64>,
    asked: usize,
    notes: &mut Vec<Note>,
) -> Vec<f64> {
    uppers.dedup();
    let got = uppers.len();
    if got < asked {
        let distinct = 1 + sorted.windows(2).filter(|w| w[0] != w[1]).count();
        notes.push(if distinct < asked {
            Note::FewDistinct {
                distinct,
                got,
                asked,
            }
        } else if method == Method::Quantile {
            Note::QuantileTies {
                n: sorted.len(),
                got,
                asked,
            }
        } else {
            Note::BreaksCoincide { got, asked }
        });
    }
    uppers
}

/// Checks manual breaks: 1 to [`MAX_CLASSES`] finite, strictly ascending numbers.
fn check_manual(breaks: &[f64]) -> Result<&[f64], ClassifyError> {
    if breaks.is_empty() {
        return Err(ClassifyError::ManualBreaksEmpty);
    }
    if let Some((i, &value)) = breaks.iter().enumerate().find(|(_, b)| !b.is_finite()) {
        return Err(ClassifyError::ManualBreakNotFinite {
            position: i + 1,
            value,
        });
    }
    if let Some(i) = (1..breaks.len()).find(|&i| breaks[i] <= breaks[i - 1]) {
        return Err(ClassifyError::ManualBreaksNotAscending {
            position: i + 1,
            previous: breaks[i - 1],
            value: breaks[i],
        });
    }
    Ok(breaks)
}

/// mapclassify `UserDefined`: the given bounds, plus the maximum when values lie above the last.
fn manual_uppers(
    breaks: &[f64],
    max: f64,
    notes: &mut Vec<Note>,
) -> Result<Vec<f64>, ClassifyError> {
    let mut uppers = breaks.to_vec();
    let last = breaks[breaks.len() - 1];
    let classes = breaks.len() + usize::from(last < max);
    if classes > MAX_CLASSES {
        return Err(ClassifyError::TooManyManualClasses {
            breaks: breaks.len(),
            classes,
            max,
        });
    }
    if last < max {
        notes.push(Note::AboveLastBreak { last, max });
        uppers.push(max);
    }
    Ok(uppers)
}

/// Counts the sorted values per class (`b(i-1) < v <= b_i`; everything up to `b1` in the first).
fn count(sorted: &[f64], uppers: &[f64]) -> Vec<usize> {
    let mut counts = Vec::with_capacity(uppers.len());
    let mut start = 0;
    for (i, &b) in uppers.iter().enumerate() {
        let end = if i + 1 == uppers.len() {
            sorted.len()
        } else {
            start + sorted[start..].partition_point(|&v| v <= b)
        };
        counts.push(end - start);
        start = end;
    }
    counts
}

/// numpy's `np.arange(start, stop, step)` for floats, element for element: the length is
/// `ceil((stop - start) / step)`, then `start`, `start + step`, and `start + i * delta` with
/// `delta = (start + step) - start`.
fn arange(start: f64, stop: f64, step: f64) -> Vec<f64> {
    let len = ((stop - start) / step).ceil();
    let len = if len.is_finite() && len > 0.0 {
        len as usize
    } else {
        0
    };
    let mut out = Vec::with_capacity(len);
    if len > 0 {
        out.push(start);
    }
    if len > 1 {
        let next = start + step;
        let delta = next - start;
        out.push(next);
        out.extend((2..len).map(|i| start + i as f64 * delta));
    }
    out
}

/// scipy's `scoreatpercentile(sorted, per)` with its default linear ("fraction") interpolation,
/// computed in the same order of operations.
fn score_at_percentile(sorted: &[f64], per: f64) -> f64 {
    let idx = per / 100.0 * (sorted.len() - 1) as f64;
    let i = idx as usize;
    if i as f64 == idx || i + 1 >= sorted.len() {
        return sorted[i.min(sorted.len() - 1)];
    }
    let j = i + 1;
    let (wi, wj) = (j as f64 - idx, idx - i as f64);
    (sorted[i] * wi + sorted[j] * wj) / (wi + wj)
}

/// mapclassify `quantile(y, k)`: the percentiles `np.arange(w, 100 + w, w)` with `w = 100 / k`
/// (the last capped at 100), deduplicated and sorted.
fn quantile(sorted: &[f64], k: usize) -> Vec<f64> {
    let w = 100.0 / k as f64;
    let mut p = arange(w, 100.0 + w, w);
    if let Some(last) = p.last_mut() {
        if *last > 100.0 {
            *last = 100.0;
        }
    }
    let mut q: Vec<f64> = p
        .iter()
        .map(|&per| score_at_percentile(sorted, per.min(100.0)))
        .collect();
    q.sort_by(f64::total_cmp);
    q.dedup();
    q
}

/// mapclassify `EqualInterval`: `np.arange(min + width, max + width, width)` cut to `k` entries,
/// the last replaced by the maximum.
fn equal_interval(min: f64, max: f64, k: usize) -> Vec<f64> {
    let width = (max - min) / k as f64;
    let mut cuts = arange(min + width, max + width, width);
    if cuts.len() != k {
        // Only when the range is tiny against the magnitude (numpy would then give fewer or more
        // entries than k): fall back to the plain definition.
        cuts = (1..=k).map(|i| min + i as f64 * width).collect();
    }
    cuts[k - 1] = max;
    cuts
}

/// The multiples of the standard deviation that bound `k` classes (see the module docs).
pub(crate) fn std_multiples(k: usize) -> Vec<i32> {
    let h = (k / 2) as i32;
    if k % 2 == 1 {
        (-h..=h).filter(|&j| j != 0).collect()
    } else {
        (-(h - 1)..h).collect()
    }
}

/// A sum with Neumaier's compensation, accurate to the last bit or so whatever the order.
fn accurate_sum(values: impl Iterator<Item = f64>) -> f64 {
    let (mut sum, mut comp) = (0.0f64, 0.0f64);
    for v in values {
        let t = sum + v;
        if sum.abs() >= v.abs() {
            comp += (sum - t) + v;
        } else {
            comp += (v - t) + sum;
        }
        sum = t;
    }
    sum + comp
}

/// mapclassify `StdMean` with the multiples for `k` classes.
fn std_mean(values: &[f64], max: f64, k: usize, notes: &mut Vec<Note>) -> Vec<f64> {
    let n = values.len() as f64;
    // Mean and deviation in units of `scale`: 1 for ordinary data (so the result is exactly
    // mapclassify's), the largest magnitude when squares would overflow (values near 1e200 gave an
    // infinite deviation and NaN breaks, found by tests/properties.rs).
    let mean_sd = |scale: f64| {
        let mean = accurate_sum(values.iter().map(|v| v / scale)) / n;
        let var = accurate_sum(values.iter().map(|v| {
            let d = v / scale - mean;
            d * d
        })) / (n - 1.0);
        (mean, var.sqrt())
    };
    let (mut scale, (mut mean, mut sd)) = (1.0, mean_sd(1.0));
    if !(mean.is_finite() && sd.is_finite()) {
        scale = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        (mean, sd) = mean_sd(scale);
    }
    let multiples = std_multiples(k);
    let mut cuts: Vec<f64> = multiples
        .iter()
        .map(|&j| (mean + sd * f64::from(j)) * scale)
        // Bands beyond the range of f64 are dropped below (they would be empty) and capped above.
        .filter(|&c| c > f64::NEG_INFINITY)
        .map(|c| c.min(f64::MAX))
        .collect();
    cuts.dedup();
    let top = cuts[cuts.len() - 1];
    if top < max {
        cuts.push(max);
    } else {
        let j = multiples[multiples.len() - 1];
        notes.push(Note::StdDevBandHoldsMaximum {
            multiple: j,
            top,
            max,
            got: cuts.len(),
            asked: k,
        });
    }
    cuts
}

/// R's `pretty(c(min, max), n)` as class upper bounds, with `n` adjusted until there are between
/// 2 and [`MAX_CLASSES`] classes.
fn pretty_uppers(min: f64, max: f64, k: usize, notes: &mut Vec<Note>) -> Vec<f64> {
    let mut n = k;
    let mut seq = pretty(min, max, n);
    while seq.len() - 1 > MAX_CLASSES && n > 1 {
        n -= 1;
        seq = pretty(min, max, n);
    }
    while seq.len() - 1 < MIN_CLASSES {
        n += 1;
        seq = pretty(min, max, n);
    }
    let mut uppers = seq[1..].to_vec();
    // R's bounds cover the data; the nearest-decimal rounding here must not undercut the maximum.
    let last = uppers.len() - 1;
    uppers[last] = uppers[last].max(max);
    if uppers.len() != k {
        notes.push(Note::RoundBreaks {
            got: uppers.len(),
            asked: k,
        });
    }
    uppers
}
