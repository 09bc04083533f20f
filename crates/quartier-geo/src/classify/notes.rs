//! What a classification adjusted, as data: the atlas words each note in the reader's language
//! (German or English, numbers formatted as its legend formats them); `Display` gives the plain
//! English sentence for logs, `check` and tests.

use std::fmt;

use serde::Serialize;

/// One adjustment [`classify`](super::classify) made, with the numbers that explain it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Note {
    /// No value at all: the map is all no data (the atlas's note for [`super::ClassifyError::NoValues`]).
    NoValues {
        /// All values.
        total: usize,
    },
    /// Some values are missing (empty, NaN or infinite) and shown as no data.
    Missing {
        /// Values without a number.
        missing: usize,
        /// All values.
        total: usize,
    },
    /// Every value is the same, so there is one class.
    AllEqual {
        /// How many values.
        n: usize,
        /// The one value.
        value: f64,
        /// Classes asked for.
        asked: usize,
    },
    /// Fewer distinct values than classes asked for.
    FewDistinct {
        /// Distinct values.
        distinct: usize,
        /// Classes drawn.
        got: usize,
        /// Classes asked for.
        asked: usize,
    },
    /// Ties make quantile breaks coincide.
    QuantileTies {
        /// How many values.
        n: usize,
        /// Classes drawn.
        got: usize,
        /// Classes asked for.
        asked: usize,
    },
    /// Breaks coincide in floating point.
    BreaksCoincide {
        /// Classes drawn.
        got: usize,
        /// Classes asked for.
        asked: usize,
    },
    /// Some classes hold no value.
    EmptyClasses {
        /// Empty classes.
        empty: usize,
        /// All classes.
        classes: usize,
    },
    /// Values above the last manual break form an extra class.
    AboveLastBreak {
        /// The last break given.
        last: f64,
        /// The largest value.
        max: f64,
    },
    /// With standard deviations, the band up to `mean + multiple·sd` already holds the maximum.
    StdDevBandHoldsMaximum {
        /// The signed multiple of the standard deviation of the last band.
        multiple: i32,
        /// The upper bound of that band.
        top: f64,
        /// The largest value.
        max: f64,
        /// Classes drawn.
        got: usize,
        /// Classes asked for.
        asked: usize,
    },
    /// The values below and above a centre were classified separately
    /// ([`classify_around`](super::classify_around)).
    SplitAtCentre {
        /// The centre, the upper bound of the last class below it.
        centre: f64,
        /// Classes up to the centre.
        below: usize,
        /// Classes above the centre.
        above: usize,
    },
    /// Round ("pretty") breaks give another number of classes.
    RoundBreaks {
        /// Classes drawn.
        got: usize,
        /// Classes asked for.
        asked: usize,
    },
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Note::NoValues { total } => write!(
                f,
                "all {total} values are missing (empty, NaN or infinite): there is nothing to classify"
            ),
            Note::Missing { missing, total } => write!(
                f,
                "{missing} of {total} values are missing (empty, NaN or infinite) and shown as no data"
            ),
            Note::AllEqual { n, value, asked } => {
                write!(f, "all {n} values equal {value}: one class instead of {asked}")
            }
            Note::FewDistinct {
                distinct,
                got,
                asked,
            } => write!(
                f,
                "only {distinct} distinct values: {got} classes instead of {asked}"
            ),
            Note::QuantileTies { n, got, asked } => write!(
                f,
                "ties among the {n} values make quantiles coincide: {got} classes instead of {asked}"
            ),
            Note::BreaksCoincide { got, asked } => write!(
                f,
                "breaks coincide in floating point: {got} classes instead of {asked}"
            ),
            Note::EmptyClasses { empty, classes } => {
                write!(f, "{empty} of {classes} classes are empty")
            }
            Note::AboveLastBreak { last, max } => write!(
                f,
                "values above the last break {last} (up to {max}) form an extra class"
            ),
            Note::StdDevBandHoldsMaximum {
                multiple,
                top,
                max,
                got,
                asked,
            } => write!(
                f,
                "the band up to mean {} {} standard deviation{} ({top}) already holds the maximum {max}: {got} classes instead of {asked}",
                if multiple < 0 { "-" } else { "+" },
                multiple.abs(),
                if multiple.abs() == 1 { "" } else { "s" },
            ),
            Note::RoundBreaks { got, asked } => {
                write!(f, "round breaks give {got} classes instead of {asked}")
            }
            Note::SplitAtCentre {
                centre,
                below,
                above,
            } => write!(
                f,
                "classes on each side of {centre}: {below} up to it, {above} above it"
            ),
        }
    }
}
