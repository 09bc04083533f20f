//! `[[layer.typology]]`: the status × dynamics types of a composite index as a categorical map,
//! as Berlin's Monitoring Soziale Stadtentwicklung draws them (issue 10).
//!
//! For the period `period` the status index is computed from the components as the page shows it
//! and classed by standard deviations of the index (high > +1, medium, low < −1, very low < −1.5);
//! the dynamics index is the same computation on each component's change from `compare` to
//! `period`, classed positive (> +1), stable or negative (< −1). The type's code is
//! `3 × status + dynamics + 1` (1 = high / positive … 12 = very low / negative); a district
//! without both classes has no type. Colours: one ColorBrewer hue per status (Greens, Greys,
//! Oranges, Reds), darker as the dynamics get less favourable.

use quartier_geo::aggregate::derive::{self, Change};

use super::error::ManifestError;
use super::spec::TypologySpec;
use super::types::{Category, Indicator, Localized, Style};
use crate::index::{self, DynamicsClass, StatusClass};

type Invalid<'a> = &'a dyn Fn(String, String) -> ManifestError;

const STATUS: [(StatusClass, &str, &str, [&str; 3]); 4] = [
    (
        StatusClass::High,
        "hoch",
        "high",
        ["#e5f5e0", "#a1d99b", "#31a354"],
    ),
    (
        StatusClass::Medium,
        "mittel",
        "medium",
        ["#f0f0f0", "#bdbdbd", "#636363"],
    ),
    (
        StatusClass::Low,
        "niedrig",
        "low",
        ["#fee6ce", "#fdae6b", "#e6550d"],
    ),
    (
        StatusClass::VeryLow,
        "sehr niedrig",
        "very low",
        ["#fee0d2", "#fc9272", "#de2d26"],
    ),
];
const DYNAMICS: [(DynamicsClass, &str, &str); 3] = [
    (DynamicsClass::Positive, "positiv", "positive"),
    (DynamicsClass::Stable, "stabil", "stable"),
    (DynamicsClass::Negative, "negativ", "negative"),
];

/// The twelve categories, in code order.
pub(crate) fn categories() -> Vec<Category> {
    let mut out = Vec::with_capacity(12);
    for (s, (status, s_de, s_en, colors)) in STATUS.iter().enumerate() {
        for (d, (dynamics, d_de, d_en)) in DYNAMICS.iter().enumerate() {
            out.push(Category {
                code: (3 * s + d + 1) as u32,
                key: format!("{}/{}", status.as_str(), dynamics.as_str()),
                title: Localized::Both {
                    de: Some(format!("{s_de} / {d_de}")),
                    en: Some(format!("{s_en} / {d_en}")),
                },
                color: colors[d].to_string(),
            });
        }
    }
    out
}

/// The index of `indicators` named `id` in `period`, or its dynamics from `compare`, computed
/// from its components as [`crate::layer::PreparedLayer::view`] does.
fn index_values(
    ind: &Indicator,
    indicators: &[Indicator],
    period: i32,
    compare: Option<i32>,
) -> Vec<Option<f64>> {
    let inputs: Vec<(Vec<Option<f64>>, f64, i8)> = ind
        .components
        .iter()
        .filter_map(|c| {
            let ci = indicators.iter().find(|i| i.id == c.indicator)?;
            let now = ci.period_values(Some(period)).0;
            let v = match compare {
                Some(p) => derive::change(ci.period_values(Some(p)).0, now, Change::Absolute),
                None => now.to_vec(),
            };
            Some((v, c.weight, c.direction))
        })
        .collect();
    let refs: Vec<(&[Option<f64>], f64, i8)> = inputs
        .iter()
        .map(|(v, w, d)| (v.as_slice(), *w, *d))
        .collect();
    index::composite(&refs).values
}

/// The typology as a categorical indicator.
pub(super) fn typology(
    layer_id: &str,
    spec: &TypologySpec,
    indicators: &[Indicator],
    layer_style: Style,
    invalid: Invalid,
) -> Result<Indicator, ManifestError> {
    let ctx = format!("layer {layer_id:?}, typology {:?}", spec.id);
    let bad = |m: String| invalid(ctx.clone(), m);
    let ind = indicators
        .iter()
        .find(|i| i.id == spec.index && !i.components.is_empty())
        .ok_or_else(|| {
            let indices: Vec<&str> = indicators
                .iter()
                .filter(|i| !i.components.is_empty())
                .map(|i| i.id.as_str())
                .collect();
            bad(format!(
                "index = {:?} is no [[layer.index]] of this layer; its indices: {}",
                spec.index,
                if indices.is_empty() {
                    "none".to_string()
                } else {
                    indices.join(", ")
                }
            ))
        })?;
    let (first, last) = match (ind.periods.first(), ind.periods.last()) {
        (Some(a), Some(b)) if a != b => (*a, *b),
        _ => {
            return Err(bad(format!(
                "index {:?} needs at least two periods for a dynamics (it has {:?})",
                ind.id, ind.periods
            )))
        }
    };
    let period = spec.period.unwrap_or(last);
    let compare = spec.compare.unwrap_or(first);
    for (name, p) in [("period", period), ("compare", compare)] {
        if !ind.periods.contains(&p) {
            return Err(bad(format!(
                "{name} = {p}: index {:?} has the periods {:?}",
                ind.id, ind.periods
            )));
        }
    }
    if compare >= period {
        return Err(bad(format!(
            "compare = {compare} must come before period = {period}: the dynamics run from compare to period"
        )));
    }
    let status = index::sd_units(&index_values(ind, indicators, period, None));
    let dynamics = index::sd_units(&index_values(ind, indicators, period, Some(compare)));
    let values: Vec<Option<f64>> = status
        .iter()
        .zip(&dynamics)
        .map(|(s, d)| {
            let s = STATUS
                .iter()
                .position(|x| Some(x.0) == s.map(StatusClass::of))?;
            let d = DYNAMICS
                .iter()
                .position(|x| Some(x.0) == d.map(DynamicsClass::of))?;
            Some((3 * s + d + 1) as f64)
        })
        .collect();
    let title = spec
        .title
        .clone()
        .unwrap_or_else(|| spec.id.as_str().into());
    Ok(Indicator {
        title,
        year: Some(period),
        description: spec.description.clone(),
        decimals: Some(0),
        formula: format!(
            "status({}, {period}) × dynamics({}, {compare}–{period})",
            ind.id, ind.id
        ),
        categories: categories(),
        ..Indicator::from_field(&spec.id, values, layer_style)
    })
}
