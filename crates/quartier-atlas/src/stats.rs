//! Summary statistics of an indicator over a layer: what the profile compares a district with.

use crate::manifest::{Indicator, Localized, Reference};
use crate::periods::PeriodChoice;

/// Summary statistics of one indicator over a layer's districts, for the profile panel
/// ("your district vs. the city") and the legend.
///
/// Withheld values (small-number suppression) are not in any of them: `count + missing +
/// suppressed` is the number of districts.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IndicatorStats {
    /// Districts with a value.
    pub count: usize,
    /// Districts without a value (no data), not counting withheld ones.
    pub missing: usize,
    /// Districts whose value is withheld by small-number suppression.
    pub suppressed: usize,
    /// Arithmetic mean of the district values (unweighted), `None` when all are missing.
    pub mean: Option<f64>,
    /// Smallest value.
    pub min: Option<f64>,
    /// Largest value.
    pub max: Option<f64>,
    /// What a district is compared with: a table row the manifest names (Germany, the Land),
    /// else for a ratio or density the ratio of the totals (the layer as a whole), else the mean
    /// of the districts. See [`IndicatorStats::of`].
    pub reference: Option<f64>,
    /// What `reference` is: `external`, `ratio_of_totals` or `mean` (the page names it).
    pub reference_kind: &'static str,
    /// For an `external` reference, what the row is ("Deutschland" / "Germany").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_title: Option<Localized>,
    /// Per district (layer order): rank 1 is the highest value; equal values share the best rank.
    #[serde(skip)]
    pub ranks: Vec<Option<u32>>,
}

impl IndicatorStats {
    /// Compute the statistics of `values`, of which `suppressed` districts are withheld (their
    /// values must be `None` already: see [`crate::suppression::withhold`]).
    pub fn new(values: &[Option<f64>], suppressed: usize) -> Self {
        let present: Vec<(usize, f64)> = values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.filter(|v| v.is_finite()).map(|v| (i, v)))
            .collect();
        let count = present.len();
        let mean = (count > 0).then(|| present.iter().map(|(_, v)| v).sum::<f64>() / count as f64);
        let min = present.iter().map(|(_, v)| *v).reduce(f64::min);
        let max = present.iter().map(|(_, v)| *v).reduce(f64::max);
        let mut order = present.clone();
        order.sort_by(|a, b| b.1.total_cmp(&a.1));
        let mut ranks = vec![None; values.len()];
        let mut previous: Option<(f64, u32)> = None;
        for (position, (i, v)) in order.iter().enumerate() {
            let rank = match previous {
                Some((pv, pr)) if pv == *v => pr,
                _ => position as u32 + 1,
            };
            ranks[*i] = Some(rank);
            previous = Some((*v, rank));
        }
        IndicatorStats {
            count,
            missing: (values.len() - count).saturating_sub(suppressed),
            suppressed,
            mean,
            min,
            max,
            reference: mean,
            reference_kind: "mean",
            reference_title: None,
            ranks,
        }
    }

    /// The statistics of indicator `ind` over the `values` shown for `choice` (`None`: its
    /// default values), of which `withheld` districts are withheld: compared with the indicator's
    /// own reference for that period (a change has none: it compares with the mean of the
    /// changes), and for a typology nothing averaged or ranked. Every statistic of an indicator
    /// (layer, legend, `values.json`, print profile, `centre=mean`) is made here.
    pub fn of(
        ind: &Indicator,
        values: &[Option<f64>],
        withheld: usize,
        choice: Option<&PeriodChoice>,
    ) -> Self {
        let reference = match choice {
            None => ind.reference_for(None),
            Some(c) if c.is_change() => None,
            Some(c) => ind.reference_for(c.period),
        };
        let stats = IndicatorStats::new(values, withheld).with_reference(reference);
        if ind.categories.is_empty() {
            stats
        } else {
            stats.categorical()
        }
    }

    /// The statistics of a categorical indicator (a typology): the count of districts with a
    /// type, and nothing that would average or rank the types' codes.
    fn categorical(mut self) -> Self {
        self.mean = None;
        self.min = None;
        self.max = None;
        self.reference = None;
        self.reference_kind = "none";
        self.ranks = vec![None; self.ranks.len()];
        self
    }

    /// The same statistics compared with `reference` (an external row or the ratio of the
    /// totals, [`crate::manifest::Indicator::reference_for`]) when there is one, else with the
    /// mean of the districts.
    fn with_reference(mut self, reference: Option<Reference>) -> Self {
        if let Some(r) = reference.filter(|r| r.value.is_finite()) {
            self.reference = Some(r.value);
            self.reference_kind = r.kind;
            self.reference_title = r.title.cloned();
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_mean_min_max_and_ranks() {
        let s = IndicatorStats::new(&[Some(3.0), None, Some(5.0), Some(3.0), Some(1.0)], 0);
        assert_eq!(s.count, 4);
        assert_eq!(s.missing, 1);
        assert_eq!(s.mean, Some(3.0));
        assert_eq!((s.min, s.max), (Some(1.0), Some(5.0)));
        // 5 is first; the two 3s share rank 2; 1 is fourth.
        assert_eq!(s.ranks, vec![Some(2), None, Some(1), Some(2), Some(4)]);
    }

    #[test]
    fn stats_of_nothing() {
        let s = IndicatorStats::new(&[None, None], 0);
        assert_eq!((s.count, s.missing, s.mean, s.min), (0, 2, None, None));
        assert_eq!(s.ranks, vec![None, None]);
    }

    #[test]
    fn withheld_values_are_neither_missing_nor_counted() {
        // Two of five districts withheld (their values already cleared), one without data.
        let s = IndicatorStats::new(&[Some(4.0), None, None, Some(8.0), None], 2);
        assert_eq!((s.count, s.missing, s.suppressed), (2, 1, 2));
        assert_eq!((s.mean, s.min, s.max), (Some(6.0), Some(4.0), Some(8.0)));
        assert_eq!(s.ranks, vec![Some(2), None, None, Some(1), None]);
    }
}
