//! The values a classification works on: the finite ones, in ascending order, and how many there
//! were in all (the rest is missing). Every method starts from them, so a caller that classifies
//! one set of values in many styles (the atlas: every restyle of an indicator, with new breaks on
//! every request) sorts them once and keeps them.

/// The finite values of a column in ascending order, with the column's length.
#[derive(Debug, Clone, PartialEq)]
pub struct SortedValues {
    values: Vec<f64>,
    total: usize,
}

impl SortedValues {
    /// The finite values of `values` (no `None`, NaN or infinity), sorted.
    pub fn new(values: &[Option<f64>]) -> SortedValues {
        let mut sorted = Vec::with_capacity(values.len());
        sorted.extend(values.iter().flatten().copied().filter(|v| v.is_finite()));
        sorted.sort_by(f64::total_cmp);
        SortedValues {
            values: sorted,
            total: values.len(),
        }
    }

    /// The finite values, ascending.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// How many values the column had, missing ones included.
    pub fn total(&self) -> usize {
        self.total
    }

    /// How many were missing (`None`, NaN or infinite).
    pub fn missing(&self) -> usize {
        self.total - self.values.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_finite_values_in_order_and_counts_the_rest() {
        let s = SortedValues::new(&[
            Some(3.0),
            None,
            Some(f64::NAN),
            Some(-1.0),
            Some(f64::INFINITY),
            Some(2.0),
        ]);
        assert_eq!(s.values(), [-1.0, 2.0, 3.0]);
        assert_eq!((s.total(), s.missing()), (6, 3));
    }
}
