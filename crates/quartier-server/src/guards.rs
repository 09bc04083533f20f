//! Publish guards: what must be true before a new version of the data goes live, the same for
//! `quartier check`, `quartier serve`, and a reload on SIGHUP.
//!
//! - [`check_publishable`]: every layer is usable as `quartier check` judges it (no unusable
//!   geometry such as a NaN coordinate, no duplicate ids), and every table join finds a row for
//!   at least half of the layer's districts (a table cut short in a copy finds far fewer).
//! - [`losses`]: against the version that is live, no layer, indicator, joined district or
//!   indicator value may disappear. A reload that would lose some is refused with the numbers,
//!   unless it is forced (SIGUSR1), because a yearly update never has fewer values by accident.

use std::collections::BTreeMap;
use std::fmt;

use quartier_atlas::manifest::AtlasReport;

/// The smallest share of a layer's districts a table join must match to be published.
pub const MIN_JOIN_COVERAGE: f64 = 0.5;

/// Why a version must not go live.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PublishError {
    /// `quartier check` would call the data unusable.
    #[error("not published: {}; run `quartier check` for the details and fix the data", .problems.join("; "))]
    Unusable {
        /// One line per problem, naming the file or layer and the numbers.
        problems: Vec<String>,
    },
    /// The new version has fewer districts joined or fewer values than the live one.
    #[error(
        "not published: the new data has less than the live data: {}; \
         if that is intended, reload with `kill -USR1 <pid>` (forced)",
        .losses.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
    )]
    Loss {
        /// What shrank, with the numbers.
        losses: Vec<Loss>,
    },
}

/// One thing the new version has less of than the live one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Loss {
    /// Layer id.
    pub layer: String,
    /// `join <table> on <key>`, `indicator <id>`, or `layer`.
    pub what: String,
    /// Count in the live version (districts joined, values, or 1 for a layer/indicator).
    pub live: usize,
    /// Count in the new version.
    pub new: usize,
}

impl fmt::Display for Loss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "layer {:?}, {}: {} live, {} new",
            self.layer, self.what, self.live, self.new
        )
    }
}

impl Loss {
    /// The same line in German, for the admin page (`what` stays as the report names it).
    pub fn german(&self) -> String {
        format!(
            "Gebiet „{}“, {}: {} veröffentlicht, {} neu",
            self.layer, self.what, self.live, self.new
        )
    }
}

/// What a version covers, per layer: joined districts per table and values per indicator.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    layers: BTreeMap<String, LayerCoverage>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct LayerCoverage {
    joins: BTreeMap<String, usize>,
    indicators: BTreeMap<String, usize>,
}

impl Coverage {
    /// The coverage of a loaded version, from its reports.
    pub fn of(reports: &[AtlasReport]) -> Coverage {
        let mut layers = BTreeMap::new();
        for layer in reports.iter().flat_map(|r| &r.layers) {
            let joins = layer
                .joins
                .iter()
                .map(|j| (join_name(&j.table, &j.key), j.matched))
                .collect();
            let indicators = layer
                .indicators
                .iter()
                .map(|i| (i.id.clone(), i.values))
                .collect();
            layers.insert(layer.id.clone(), LayerCoverage { joins, indicators });
        }
        Coverage { layers }
    }
}

fn join_name(table: &std::path::Path, key: &str) -> String {
    let file = table.file_name().map_or_else(
        || table.display().to_string(),
        |f| f.to_string_lossy().into_owned(),
    );
    format!("join of {file} on {key}")
}

/// Refuse a version that `quartier check` calls unusable or whose joins match too few districts.
pub fn check_publishable(reports: &[AtlasReport]) -> Result<(), PublishError> {
    let mut problems = Vec::new();
    for layer in reports.iter().flat_map(|r| &r.layers) {
        let v = &layer.import.validation;
        if !v.errors.is_empty() {
            let first = &v.errors[0];
            problems.push(format!(
                "layer {:?}: {} district(s) with unusable geometry (first: feature {}, id {:?}: {})",
                layer.id,
                v.errors.len(),
                first.feature,
                first.id,
                first.problem
            ));
        }
        if !v.duplicate_ids.is_empty() {
            problems.push(format!(
                "layer {:?}: {} duplicate district id(s) (first: {:?})",
                layer.id,
                v.duplicate_ids.len(),
                v.duplicate_ids[0]
            ));
        }
        for j in &layer.joins {
            // Every district of the (possibly aggregated) layer is either matched or listed.
            let districts = j.matched + j.districts_without_row.len();
            let coverage = j.matched as f64 / districts.max(1) as f64;
            if coverage < MIN_JOIN_COVERAGE {
                problems.push(format!(
                    "layer {:?}: the {} matches only {} of {} districts (at least {:.0}% needed; \
                     is the table cut short or the key column wrong?)",
                    layer.id,
                    join_name(&j.table, &j.key),
                    j.matched,
                    districts,
                    MIN_JOIN_COVERAGE * 100.0
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(PublishError::Unusable { problems })
    }
}

/// What `new` has less of than `live`: a layer, an indicator, joined districts or values.
pub fn losses(live: &Coverage, new: &Coverage) -> Vec<Loss> {
    let mut out = Vec::new();
    for (id, old) in &live.layers {
        let Some(now) = new.layers.get(id) else {
            out.push(Loss {
                layer: id.clone(),
                what: "layer removed".into(),
                live: 1,
                new: 0,
            });
            continue;
        };
        let joins = old.joins.iter().map(|(name, n)| {
            let now = now.joins.get(name).copied().unwrap_or(0);
            (name.clone(), *n, now)
        });
        let indicators = old.indicators.iter().map(|(name, n)| {
            let now = now.indicators.get(name).copied().unwrap_or(0);
            (format!("indicator {name}"), *n, now)
        });
        for (what, live, new) in joins.chain(indicators) {
            if new < live {
                out.push(Loss {
                    layer: id.clone(),
                    what,
                    live,
                    new,
                });
            }
        }
    }
    out
}

/// Refuse `new` when it loses anything against `live`, unless `force`.
pub fn check_no_loss(live: &Coverage, new: &Coverage, force: bool) -> Result<(), PublishError> {
    let losses = losses(live, new);
    if losses.is_empty() {
        return Ok(());
    }
    if force {
        for loss in &losses {
            tracing::warn!("forced publish: {loss}");
        }
        return Ok(());
    }
    Err(PublishError::Loss { losses })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coverage(layer: &str, joins: &[(&str, usize)], inds: &[(&str, usize)]) -> Coverage {
        let mut c = Coverage::default();
        c.layers.insert(
            layer.into(),
            LayerCoverage {
                joins: joins.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
                indicators: inds.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            },
        );
        c
    }

    #[test]
    fn losses_are_counted_and_gains_are_not() {
        let live = coverage("m", &[("join of e.csv on id", 58)], &[("turnout", 58)]);
        let same = live.clone();
        assert!(losses(&live, &same).is_empty());
        let cut = coverage("m", &[("join of e.csv on id", 45)], &[("turnout", 45)]);
        let l = losses(&live, &cut);
        assert_eq!(l.len(), 2);
        assert_eq!(
            l[0].to_string(),
            "layer \"m\", join of e.csv on id: 58 live, 45 new"
        );
        assert_eq!(l[1].what, "indicator turnout");
        assert!(losses(&cut, &live).is_empty());
        assert_eq!(losses(&live, &Coverage::default())[0].what, "layer removed");
        assert!(check_no_loss(&live, &cut, true).is_ok());
        let err = check_no_loss(&live, &cut, false).unwrap_err().to_string();
        assert!(
            err.contains("58 live, 45 new") && err.contains("USR1"),
            "{err}"
        );
    }
}
