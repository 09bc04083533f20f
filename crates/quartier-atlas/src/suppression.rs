//! Small-number suppression as the server publishes it.
//!
//! A layer with `suppress_below = N` in its manifest withholds counts from 1 up to below `N`, and
//! whatever is computed from them (`docs/manifest.md`, "Small-number suppression").
//! `quartier-geo` marks such a district per indicator ([`Indicator::suppressed`], its value then
//! `None`). The server shows it as its own state, never as its value and never as "no data":
//!
//! - tiles fill it with [`SUPPRESSED`] (`suppressed_color` in `legend.json` and `/api/atlas`);
//! - `legend.json` counts it in `suppressed`, not in `missing`; the classifier never sees it
//!   ([`published_values`]);
//! - `features.geojson` and `/at` give `null` as its value and name the indicator in `suppressed`;
//! - statistics, ranks and the classification never see the number (it is `None` for them).
//!
//! [`withhold`] runs once per indicator when a layer is prepared, so that a withheld number cannot
//! reach any answer even if a value were left next to a suppressed flag.

use std::borrow::Cow;

use crate::manifest::Indicator;
use quartier_geo::palette::Rgb;

/// The fill of districts whose value is withheld: a dark charcoal grey, `#333333`.
///
/// Why this colour: it must not be mistaken for a class or for "no data" (`#a6a6a6`). Of all greys,
/// `#333333` is, with the no-data grey, the one farthest from every colour of every scheme the
/// server offers at every class count (at least 22 units of RGB distance; the darker greys
/// `#404040`, `#4d4d4d` and `#525252` are data colours of `RdGy` and `Greys`), and its darkness reads
/// as "blacked out", as in printed statistics. The map page adds a hatch over these districts and
/// in the legend, so the state is never told by colour alone.
pub const SUPPRESSED: Rgb = [0x33, 0x33, 0x33];

/// True when district `i` of `indicator` is withheld.
pub fn is_suppressed(indicator: &Indicator, i: usize) -> bool {
    indicator.suppressed.get(i).copied().unwrap_or(false)
}

/// Clear the value of every withheld district of `indicator` (they should be `None` already) and
/// return how many districts are withheld.
pub fn withhold(indicator: &mut Indicator) -> usize {
    let mut withheld = 0;
    for (value, suppressed) in indicator.values.iter_mut().zip(&indicator.suppressed) {
        if *suppressed {
            *value = None;
            withheld += 1;
        }
    }
    withheld
}

/// The values of the districts that are not withheld (borrowed when `withheld` is 0, the usual case):
/// what the classifier sees.
pub fn published_values(indicator: &Indicator, withheld: usize) -> Cow<'_, [Option<f64>]> {
    if withheld == 0 {
        return Cow::Borrowed(&indicator.values);
    }
    Cow::Owned(
        indicator
            .values
            .iter()
            .enumerate()
            .filter(|(i, _)| !is_suppressed(indicator, *i))
            .map(|(_, v)| *v)
            .collect(),
    )
}

/// The ids of the indicators whose value is withheld for district `i`, in indicator order.
pub fn withheld_at(indicators: &[Indicator], i: usize) -> Vec<&str> {
    indicators
        .iter()
        .filter(|ind| is_suppressed(ind, i))
        .map(|ind| ind.id.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Style;
    use quartier_geo::classify::Method;
    use quartier_geo::palette::{schemes, NO_DATA};

    fn distance(a: Rgb, b: Rgb) -> f64 {
        (0..3)
            .map(|i| (f64::from(a[i]) - f64::from(b[i])).powi(2))
            .sum::<f64>()
            .sqrt()
    }

    #[test]
    fn suppressed_is_far_from_every_class_colour_and_from_no_data() {
        let mut nearest = f64::INFINITY;
        for s in schemes() {
            let (_, max) = s.classes_range();
            for k in 1..=max.min(12) {
                for c in s.colors(k).unwrap() {
                    nearest = nearest.min(distance(c, SUPPRESSED));
                }
            }
        }
        assert!(nearest > 22.0, "{nearest}");
        assert!(distance(NO_DATA, SUPPRESSED) > 150.0);
    }

    fn indicator(id: &str, values: Vec<Option<f64>>, suppressed: Vec<bool>) -> Indicator {
        let style = Style {
            method: Method::Quantile,
            classes: 5,
            palette: "YlGnBu".into(),
            breaks: None,
            centre: None,
        };
        Indicator {
            suppressed,
            suppress_below: Some(3.0),
            ..Indicator::from_field(id, values, style)
        }
    }

    #[test]
    fn withholding_clears_values_and_names_indicators() {
        // A value left next to a suppressed flag (against the contract) is cleared too.
        let mut a = indicator(
            "a",
            vec![Some(0.0), None, Some(2.0)],
            vec![false, true, true],
        );
        let b = indicator(
            "b",
            vec![Some(5.0), Some(7.0), None],
            vec![false, false, true],
        );
        assert_eq!(withhold(&mut a), 2);
        assert_eq!(a.values, [Some(0.0), None, None]);
        assert_eq!(published_values(&a, 2).as_ref(), [Some(0.0)]);
        let both = [a, b];
        assert!(withheld_at(&both, 0).is_empty());
        assert_eq!(withheld_at(&both, 1), ["a"]);
        assert_eq!(withheld_at(&both, 2), ["a", "b"]);
        // Flags shorter than the values (a layer without suppression) withhold nothing.
        assert!(!is_suppressed(&indicator("c", vec![Some(1.0)], vec![]), 0));
    }
}
