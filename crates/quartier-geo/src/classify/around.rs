//! Classes on each side of a centre, for diverging maps (a change, a deviation from an average).
//!
//! Classifying all values at once and colouring around the centre afterwards can leave every
//! decline in one pale class (with quantiles over a change where most districts grew, −8 % and
//! −0.1 % share the class next to the neutral one). [`classify_around`] instead puts a break at the
//! centre and classifies the values on each side separately with the same method, so declines and
//! rises get classes of their own:
//!
//! - a value equal to the centre belongs to the side below (upper bounds are inclusive);
//! - the classes are shared out by the number of values on each side, rounded half up
//!   (`below = ⌊k·n_below/n + ½⌋`), with at least one class for a side that has values and at most
//!   `max_side` (what the diverging colour scheme can show on one arm);
//! - quantiles and Fisher-Jenks classify each side's values, equal intervals cut `[min, centre]`
//!   and `[centre, max]`; the last class below ends at the centre itself.
//!
//! The reference is mapclassify run on each side's values (`tests/reference/de_atlas_reference.py`).

use super::{equal_interval, fewer, finish, jenks, quantile, Classification, ClassifyError};
use super::{Method, Note};
use super::{MAX_CLASSES, MIN_CLASSES};

/// Whether [`classify_around`] applies to a method: those that adapt to the data. Standard
/// deviations are already centred on the mean, round numbers and manual breaks are the reader's
/// own choice.
pub fn splits_at_centre(method: Method) -> bool {
    matches!(
        method,
        Method::Quantile | Method::EqualInterval | Method::Jenks
    )
}

/// How many of `classes` go below and above the centre, given the number of values on each side.
pub fn allot(classes: usize, n_below: usize, n_above: usize, max_side: usize) -> (usize, usize) {
    let max_side = max_side.max(1);
    match (n_below, n_above) {
        (0, 0) => (0, 0),
        (_, 0) => (classes.min(max_side), 0),
        (0, _) => (0, classes.min(max_side)),
        _ => {
            let n = n_below + n_above;
            let below = ((2 * classes * n_below + n) / (2 * n)).clamp(1, classes - 1);
            let below = below.min(max_side);
            let above = (classes - below).min(max_side);
            // Capping the side above may leave room below again.
            let below = (classes - above).min(max_side).max(below);
            (below, above)
        }
    }
}

/// Classifies `values` into classes on each side of `centre` (see the module docs).
///
/// `method` must be one that [`splits_at_centre`]; `classes` is the total asked for
/// ([`MIN_CLASSES`]..=[`MAX_CLASSES`]) and `max_side` the most classes on one side. When all
/// values are equal this is [`super::classify`]. The result's notes start with
/// [`Note::SplitAtCentre`].
pub fn classify_around(
    values: &[Option<f64>],
    method: Method,
    classes: usize,
    centre: f64,
    max_side: usize,
) -> Result<Classification, ClassifyError> {
    if !splits_at_centre(method) || !centre.is_finite() {
        return Err(ClassifyError::CannotSplit { method });
    }
    if !(MIN_CLASSES..=MAX_CLASSES).contains(&classes) {
        return Err(ClassifyError::ClassesOutOfRange { classes });
    }
    let mut sorted: Vec<f64> = values
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    let missing = values.len() - sorted.len();
    if sorted.is_empty() {
        return Err(ClassifyError::NoValues {
            total: values.len(),
        });
    }
    sorted.sort_by(f64::total_cmp);
    let (min, max) = (sorted[0], sorted[sorted.len() - 1]);
    if min == max {
        return super::classify(values, method, classes, None);
    }
    let split = sorted.partition_point(|&v| v <= centre);
    let (lower, upper) = sorted.split_at(split);
    let (k_below, k_above) = allot(classes, lower.len(), upper.len(), max_side);

    let side = |values: &[f64], lo: f64, hi: f64, k: usize| -> Vec<f64> {
        if values.is_empty() || k == 0 {
            return Vec::new();
        }
        let mut uppers = match method {
            // One class, or one value (equal intervals over an empty range would never end).
            _ if k == 1 || lo >= hi || values[0] == values[values.len() - 1] => vec![hi],
            Method::EqualInterval => equal_interval(lo, hi, k),
            Method::Jenks => jenks::fisher_jenks(values, k),
            _ => quantile(values, k),
        };
        uppers.dedup();
        uppers
    };
    let mut below = side(lower, min, centre, k_below);
    if let Some(last) = below.last_mut() {
        // The side below ends at the centre, so the legend reads "… bis 0" / "> 0 – …".
        *last = centre;
    }
    let above = side(upper, centre, max, k_above);
    let (got_below, got_above) = (below.len(), above.len());
    let mut uppers = below;
    uppers.extend(above);

    let mut notes = Vec::new();
    if missing > 0 {
        notes.push(Note::Missing {
            missing,
            total: values.len(),
        });
    }
    notes.push(Note::SplitAtCentre {
        centre,
        below: got_below,
        above: got_above,
    });
    // Ties or too few distinct values on a side (the sides were merged already).
    let uppers = fewer(method, &sorted, uppers, k_below + k_above, &mut notes);
    Ok(finish(method, classes, &sorted, uppers, missing, notes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_are_shared_by_the_values_on_each_side() {
        // Half and half: the odd class goes below (rounded half up).
        assert_eq!(allot(5, 50, 50, 5), (3, 2));
        assert_eq!(allot(4, 50, 50, 5), (2, 2));
        // Few values below still get one class of their own.
        assert_eq!(allot(5, 1, 99, 5), (1, 4));
        // At most 5 on one arm: 9 classes over 1 decline and 99 rises are 4 and 5.
        assert_eq!(allot(9, 1, 99, 5), (4, 5));
        assert_eq!(allot(9, 99, 1, 5), (5, 4));
        // One side only: all classes there, as many as the arm has colours.
        assert_eq!(allot(7, 0, 40, 5), (0, 5));
        assert_eq!(allot(3, 40, 0, 5), (3, 0));
        assert_eq!(allot(3, 0, 0, 5), (0, 0));
    }

    #[test]
    fn each_side_is_classified_on_its_own_and_the_centre_is_a_break() {
        let values: Vec<Option<f64>> = [-8.0, -4.0, -2.0, -0.5, 0.0, 1.0, 2.0, 3.0, 5.0, 8.0]
            .into_iter()
            .map(Some)
            .chain([None])
            .collect();
        let c = classify_around(&values, Method::Quantile, 4, 0.0, 5).unwrap();
        // Quantiles of [-8, -4, -2, -0.5, 0] in 2 classes: the median -2, then the centre 0;
        // of [1, 2, 3, 5, 8]: 3, then the maximum.
        assert_eq!(c.breaks, [-8.0, -2.0, 0.0, 3.0, 8.0]);
        assert_eq!(c.counts, [3, 2, 3, 2]);
        assert_eq!(c.missing, 1);
        assert_eq!(
            c.notes[1],
            Note::SplitAtCentre {
                centre: 0.0,
                below: 2,
                above: 2
            }
        );
        // Equal intervals: [−8, 0] and [0, 8] in equal steps.
        let c = classify_around(&values, Method::EqualInterval, 4, 0.0, 5).unwrap();
        assert_eq!(c.breaks, [-8.0, -4.0, 0.0, 4.0, 8.0]);
        // Jenks on [1, 2, 3, 5, 8] in 2 classes: {1, 2, 3} and {5, 8}.
        let c = classify_around(&values, Method::Jenks, 4, 0.0, 5).unwrap();
        assert_eq!(&c.breaks[3..], [3.0, 8.0]);
    }

    #[test]
    fn awkward_data_never_panics() {
        let all = |v: &[f64]| v.iter().copied().map(Some).collect::<Vec<_>>();
        // Every value on one side: classes only there.
        let c = classify_around(&all(&[1.0, 2.0, 3.0, 4.0]), Method::Quantile, 7, 0.0, 5).unwrap();
        // (numpy's percentile interpolation gives 3.4000000000000004 too.)
        assert_eq!(c.breaks, [1.0, 1.6, 2.2, 2.8, 3.4000000000000004, 4.0]);
        // Values below that all equal the centre: one class up to it.
        let c = classify_around(
            &all(&[0.0, 0.0, 2.0, 4.0]),
            Method::EqualInterval,
            4,
            0.0,
            5,
        )
        .unwrap();
        assert_eq!(c.breaks[..2], [0.0, 0.0]);
        assert_eq!(c.counts[0], 2);
        // All equal: one class, as `classify` gives it.
        let c = classify_around(&all(&[2.0, 2.0]), Method::Jenks, 5, 0.0, 5).unwrap();
        assert_eq!(c.breaks, [2.0, 2.0]);
        // Fewer distinct values than classes.
        let c = classify_around(&all(&[-1.0, 1.0, 1.0, 2.0]), Method::Quantile, 6, 0.0, 5).unwrap();
        assert!(c.classes() < 6);
        assert!(c
            .notes
            .iter()
            .any(|n| matches!(n, Note::FewDistinct { distinct: 3, .. })));
        // Wrong method, bad centre, nothing to classify.
        let v = all(&[1.0, 2.0]);
        assert!(classify_around(&v, Method::StdDev, 4, 0.0, 5).is_err());
        assert!(classify_around(&v, Method::Quantile, 4, f64::NAN, 5).is_err());
        assert!(classify_around(&v, Method::Quantile, 1, 0.0, 5).is_err());
        assert!(matches!(
            classify_around(&[None, Some(f64::NAN)], Method::Quantile, 4, 0.0, 5),
            Err(ClassifyError::NoValues { total: 2 })
        ));
    }
}
