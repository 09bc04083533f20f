//! What `quartier check` prints: everything found while loading an atlas, per layer.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use quartier_geo::aggregate::AggregateReport;
use quartier_geo::import::ImportReport;
use quartier_geo::join::JoinReport;

/// What `quartier check` prints: everything found while loading, per layer.
#[derive(Debug, Clone, Serialize, Default)]
pub struct AtlasReport {
    /// The manifest path (or the boundary file for a one-file atlas).
    pub path: PathBuf,
    /// Per layer: import report and join reports.
    pub layers: Vec<LayerReport>,
}

/// The reports of one layer.
#[derive(Debug, Clone, Serialize)]
pub struct LayerReport {
    /// The layer id.
    pub id: String,
    /// Import and validation report of its boundary file.
    pub import: ImportReport,
    /// One join report per table.
    pub joins: Vec<JoinReport>,
    /// What the aggregation of an aggregated layer did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aggregate: Option<AggregateReport>,
    /// Indicators and their value counts.
    pub indicators: Vec<IndicatorSummary>,
}

/// How many values an indicator has.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorSummary {
    /// The indicator id.
    pub id: String,
    /// Districts with a value.
    pub values: usize,
    /// Districts without.
    pub missing: usize,
    /// Districts whose value is withheld by small-number suppression (counted in `missing` too).
    pub suppressed: usize,
}

impl AtlasReport {
    /// True when every layer is usable (no validation errors).
    pub fn is_usable(&self) -> bool {
        self.layers.iter().all(|l| l.import.validation.is_usable())
    }
}

impl fmt::Display for AtlasReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "atlas {}", self.path.display())?;
        for l in &self.layers {
            writeln!(f, "\n== layer {} ==", l.id)?;
            writeln!(f, "{}", l.import)?;
            for j in &l.joins {
                writeln!(f, "{j}")?;
            }
            if let Some(a) = &l.aggregate {
                writeln!(f, "aggregation:\n{a}")?;
            }
            writeln!(f, "indicators:")?;
            for i in &l.indicators {
                write!(
                    f,
                    "  {:<24} {} values, {} missing",
                    i.id, i.values, i.missing
                )?;
                if i.suppressed > 0 {
                    write!(f, " ({} suppressed)", i.suppressed)?;
                }
                writeln!(f)?;
            }
        }
        Ok(())
    }
}
