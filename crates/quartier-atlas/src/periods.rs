//! Indicators over time: which period a request shows (`period`), change maps (`compare`,
//! `change`), and which values the classification covers (`scope`).
//!
//! A [`PeriodChoice`] is resolved from a request's [`Style`] against an indicator's periods and
//! is part of the [`ResolvedStyle`](crate::style::ResolvedStyle): its canonical form is in the
//! canonical style string, so the classification cache, the tile cache and the ETags tell periods
//! apart. [`PreparedLayer::view`] gives the values a choice shows (for a composite index with
//! `compare`: the dynamics index, computed on each component's change).
//!
//! - `period=2015`: that period; default: the latest.
//! - `compare=2010`: a change map, value of `period` minus value of `compare`
//!   (`change=absolute`, the default; percentage points for shares) or
//!   `(period − compare) / compare × 100` (`change=percent`). Unless the request names a palette,
//!   it is drawn in a diverging scheme centred on 0.
//! - `scope=all` (default): breaks over the values of every period pooled, so that a colour means
//!   the same in every year; `scope=period`: breaks over the shown period alone. A change map is
//!   classified over its own values (`scope` does not apply and is not part of its canonical form).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use quartier_geo::aggregate::derive::{self, Change};
use quartier_geo::classify::SortedValues;

use crate::error::AtlasError;
use crate::index;
use crate::layer::PreparedLayer;
use crate::manifest::Indicator;
use crate::style::Style;

/// Which values the classification covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    /// Every period pooled (the default for indicators with periods).
    #[default]
    All,
    /// The shown period only.
    Period,
}

/// The periods a request shows, resolved against an indicator.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PeriodChoice {
    /// The period shown; `None` for an indicator without periods.
    pub period: Option<i32>,
    /// The period compared with (a change map).
    pub compare: Option<i32>,
    /// How a change is expressed.
    pub percent: bool,
    /// Which values the classification covers.
    pub scope: Scope,
}

fn year(name: &str, text: &str, ind: &Indicator) -> Result<i32, AtlasError> {
    let y = text.trim().parse::<i32>().ok();
    match y.filter(|y| ind.periods.contains(y)) {
        Some(y) => Ok(y),
        None => Err(AtlasError::bad_style(
            format!(
                "{name}={text:?}: indicator {:?} has the periods {}; {}",
                ind.id,
                period_list(&ind.periods),
                if ind.periods.is_empty() {
                    "it has no periods: leave period and compare out"
                } else {
                    "pick one of them"
                }
            ),
            if ind.periods.is_empty() {
                format!(
                    "{name}={text:?}: Indikator {:?} hat keine Zeiträume: period und compare weglassen",
                    ind.id
                )
            } else {
                format!(
                    "{name}={text:?}: Indikator {:?} hat die Zeiträume {}; einen davon wählen",
                    ind.id,
                    period_list(&ind.periods)
                )
            },
        )),
    }
}

/// `2008–2019` for consecutive years, else the list.
pub fn period_list(periods: &[i32]) -> String {
    match (periods.first(), periods.last()) {
        (None, _) | (_, None) => "none".into(),
        (Some(a), Some(b)) if (b - a) as usize + 1 == periods.len() && a != b => {
            format!("{a}–{b}")
        }
        _ => periods
            .iter()
            .map(i32::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl PeriodChoice {
    /// Resolve a request's `period`, `compare`, `change` and `scope` against an indicator.
    pub fn resolve(ind: &Indicator, params: &Style) -> Result<PeriodChoice, AtlasError> {
        let period = match given(&params.period) {
            Some(p) => Some(year("period", p, ind)?),
            None => ind.periods.last().copied(),
        };
        let compare = given(&params.compare)
            .map(|c| year("compare", c, ind))
            .transpose()?;
        if compare.is_some() && compare == period {
            let c = compare.unwrap_or_default();
            return Err(AtlasError::bad_style(
                format!("compare={c} equals period: compare with another period"),
                format!("compare={c} ist der gezeigte Zeitraum (period={c}): mit einem anderen Zeitraum vergleichen"),
            ));
        }
        let percent = match given(&params.change) {
            None | Some("absolute") => false,
            Some("percent") => true,
            Some(c) => {
                return Err(AtlasError::bad_style(
                    format!("change={c:?}: use change=absolute (difference) or change=percent"),
                    format!(
                        "change={c:?}: change=absolute (Differenz) oder change=percent angeben"
                    ),
                ))
            }
        };
        let scope = match given(&params.scope) {
            None | Some("all") => Scope::All,
            Some("period") => Scope::Period,
            Some(s) => {
                return Err(AtlasError::bad_style(
                    format!("scope={s:?}: use scope=all (breaks over every period) or scope=period"),
                    format!(
                        "scope={s:?}: scope=all (Grenzen über alle Zeiträume) oder scope=period angeben"
                    ),
                ))
            }
        };
        Ok(PeriodChoice {
            period,
            compare,
            percent: percent && compare.is_some(),
            scope: if period.is_some() && compare.is_none() {
                scope
            } else {
                Scope::Period
            },
        })
    }

    /// The canonical query parameters (empty for an indicator without periods).
    pub fn canonical(&self) -> String {
        let mut s = String::new();
        self.write_canonical(&mut s);
        s
    }

    /// [`PeriodChoice::canonical`] appended to `s`: a new style's canonical string is written
    /// in one buffer (a restyled tile's request builds one).
    pub fn write_canonical(&self, s: &mut String) {
        if let Some(p) = self.period {
            let _ = write!(s, "&period={p}");
        }
        match self.compare {
            Some(c) => {
                let change = if self.percent { "percent" } else { "absolute" };
                let _ = write!(s, "&compare={c}&change={change}");
            }
            None if self.period.is_some() => {
                let scope = match self.scope {
                    Scope::All => "all",
                    Scope::Period => "period",
                };
                let _ = write!(s, "&scope={scope}");
            }
            None => {}
        }
    }

    /// True for a change map.
    pub fn is_change(&self) -> bool {
        self.compare.is_some()
    }
}

/// The values a [`PeriodChoice`] shows.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    /// Per district (layer order); `None`: no data or withheld.
    pub values: Vec<Option<f64>>,
    /// Per district: withheld by small-number suppression.
    pub suppressed: Vec<bool>,
    /// The periods whose values the breaks cover.
    pub break_periods: Vec<i32>,
    /// Per district: the index components it lacks (composite indices only).
    pub missing_components: Vec<Vec<String>>,
    /// Per component, per district: the component's z-score (composite indices only).
    pub z: Vec<Vec<Option<f64>>>,
}

impl View {
    /// The values the classification sees: the shown ones, or every period's for `scope=all`,
    /// withheld districts left out.
    pub fn classified_values(&self, ind: &Indicator, choice: &PeriodChoice) -> Vec<Option<f64>> {
        let published = |v: &[Option<f64>], s: &[bool]| -> Vec<Option<f64>> {
            let mut out = Vec::with_capacity(v.len());
            out.extend(
                v.iter()
                    .zip(s.iter().chain(std::iter::repeat(&false)))
                    .filter(|(_, s)| !**s)
                    .map(|(v, _)| *v),
            );
            out
        };
        if choice.scope == Scope::All && !choice.is_change() && !ind.periods.is_empty() {
            ind.series
                .iter()
                .zip(&ind.series_suppressed)
                .flat_map(|(v, s)| published(v, s))
                .collect()
        } else {
            published(&self.values, &self.suppressed)
        }
    }
}

impl PreparedLayer {
    /// The sorted values the classes of indicator `i` are computed from under `choice`, kept
    /// for the next style when they do not depend on the period shown: every period pooled
    /// (`scope=all`, the default) or an indicator without periods, and not a change. A restyle
    /// then classifies without collecting and sorting the values again. `None`: compute them.
    pub fn kept_sorted_values(&self, i: usize, choice: &PeriodChoice) -> Option<&SortedValues> {
        let ind = &self.atlas.indicators[i];
        if choice.is_change() || (choice.scope != Scope::All && !ind.periods.is_empty()) {
            return None;
        }
        let kept = self.sorted_values.get(i)?;
        Some(kept.get_or_init(|| {
            SortedValues::new(&self.view(i, choice).classified_values(ind, choice))
        }))
    }

    /// The values of indicator `i` (by position) for `choice`.
    pub fn view(&self, i: usize, choice: &PeriodChoice) -> View {
        let ind = &self.atlas.indicators[i];
        let n = ind.values.len();
        let (values, suppressed) = ind.period_values(choice.period);
        let break_periods = match (choice.compare, choice.scope) {
            (None, Scope::All) => ind.periods.clone(),
            (None, Scope::Period) => choice.period.into_iter().collect(),
            (Some(c), _) => choice.period.into_iter().chain([c]).collect(),
        };
        let components: Vec<(&Indicator, f64, i8)> = ind
            .components
            .iter()
            .filter_map(|c| {
                let (_, ci) = self.indicator(&c.indicator).ok()?;
                Some((ci, c.weight, c.direction))
            })
            .collect();
        let kind = if choice.percent {
            Change::Percent
        } else {
            Change::Absolute
        };
        // Index: computed afresh from the components (a dynamics index works on their changes).
        if !components.is_empty() {
            let inputs: Vec<(Vec<Option<f64>>, f64, i8)> = components
                .iter()
                .map(|(ci, w, d)| {
                    let now = ci.period_values(choice.period).0;
                    let v = match choice.compare {
                        Some(c) => {
                            derive::change(ci.period_values(Some(c)).0, now, Change::Absolute)
                        }
                        None => now.to_vec(),
                    };
                    (v, *w, *d)
                })
                .collect();
            let refs: Vec<(&[Option<f64>], f64, i8)> = inputs
                .iter()
                .map(|(v, w, d)| (v.as_slice(), *w, *d))
                .collect();
            let c = index::composite(&refs);
            let missing_components = c
                .missing
                .iter()
                .map(|m| {
                    m.iter()
                        .map(|k| ind.components[*k].indicator.clone())
                        .collect()
                })
                .collect();
            return View {
                values: c.values,
                suppressed: vec![false; n],
                break_periods,
                missing_components,
                z: c.z,
            };
        }
        let (values, suppressed) = match choice.compare {
            None => (values.to_vec(), suppressed.to_vec()),
            Some(c) => {
                let (before, before_s) = ind.period_values(Some(c));
                let s = derive::either(suppressed, before_s);
                let v = derive::change(before, values, kind);
                (v, s)
            }
        };
        View {
            values,
            suppressed,
            break_periods,
            missing_components: Vec::new(),
            z: Vec::new(),
        }
    }

    /// The views of every indicator for a request's `period`/`compare`/`change`: indicators that
    /// do not have the requested period get `None` (their values are then all missing).
    pub fn views(&self, params: &Style) -> Vec<Option<(PeriodChoice, View)>> {
        (0..self.atlas.indicators.len())
            .map(|i| {
                let choice = PeriodChoice::resolve(&self.atlas.indicators[i], params).ok()?;
                let view = self.view(i, &choice);
                Some((choice, view))
            })
            .collect()
    }
}

/// Ids of the indicators whose value at district `i` is withheld in `views` (those of
/// [`PreparedLayer::views`]): what [`crate::suppression::withheld_at`] says for the default
/// values, for the period or change a request asks for.
pub fn withheld_in<'a>(
    indicators: &'a [Indicator],
    views: &[Option<(PeriodChoice, View)>],
    i: usize,
) -> Vec<&'a str> {
    indicators
        .iter()
        .zip(views)
        .filter(|(_, v)| {
            v.as_ref()
                .is_some_and(|(_, v)| v.suppressed.get(i) == Some(&true))
        })
        .map(|(ind, _)| ind.id.as_str())
        .collect()
}

/// What a district's answer says about a composite index in the period shown.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IndexDetail {
    /// The components it lacks (then it has no index value).
    pub missing: Vec<String>,
    /// weight·direction·z per component (`null` where missing).
    pub contributions: BTreeMap<String, Option<f64>>,
    /// The index in standard deviations of the index over the districts.
    pub sd_units: Option<f64>,
    /// The class by standard deviations: status `high`, `medium`, `low`, `very_low`, or with
    /// `compare` the dynamics class `positive`, `stable`, `negative`.
    pub class: Option<&'static str>,
}

impl IndexDetail {
    /// The detail of district `i` of an index `ind` seen through `view`.
    pub fn of(ind: &Indicator, choice: &PeriodChoice, view: &View, i: usize) -> IndexDetail {
        let s = index::sd_units(&view.values).get(i).copied().flatten();
        let class = s.map(|s| {
            if choice.is_change() {
                index::DynamicsClass::of(s).as_str()
            } else {
                index::StatusClass::of(s).as_str()
            }
        });
        IndexDetail {
            missing: view.missing_components.get(i).cloned().unwrap_or_default(),
            contributions: ind
                .components
                .iter()
                .zip(&view.z)
                .map(|(c, z)| {
                    let v = z
                        .get(i)
                        .copied()
                        .flatten()
                        .map(|z| c.weight * f64::from(c.direction) * z);
                    (c.indicator.clone(), v)
                })
                .collect(),
            sd_units: s,
            class,
        }
    }
}
