//! What `quartier check` prints: everything found while loading an atlas, per layer.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use quartier_geo::aggregate::AggregateReport;
use quartier_geo::import::ImportReport;
use quartier_geo::join::JoinReport;
use quartier_geo::table::{SkipKind, Skipped};

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
    /// One join report per table (for a long table: of its latest period).
    pub joins: Vec<JoinReport>,
    /// How each table was read: rows, what was skipped and filtered out, joins per period.
    pub tables: Vec<TableSummary>,
    /// What the aggregation of an aggregated layer did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aggregate: Option<AggregateReport>,
    /// Indicators and their value counts.
    pub indicators: Vec<IndicatorSummary>,
}

/// How a table was read, beyond its join: what `quartier check` shows so that an officer sees what
/// was skipped (title rows, notes, filtered rows such as Germany and the Länder).
#[derive(Debug, Clone, Serialize)]
pub struct TableSummary {
    /// The table id.
    pub id: String,
    /// The file.
    pub path: PathBuf,
    /// Data rows read (before filters).
    pub rows: usize,
    /// Rows removed by `filter`.
    pub filtered_out: usize,
    /// Title and footnote rows skipped, with their line and text.
    pub skipped: Vec<Skipped>,
    /// Keys recoded by `key_map`.
    pub key_mapped: usize,
    /// For a long table: the join of each period.
    pub periods: Vec<PeriodJoin>,
}

/// The join of one period of a long table.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodJoin {
    /// The period.
    pub period: i32,
    /// Districts that got a row.
    pub matched: usize,
    /// Rows of the period that no district matched (Germany, Länder, defunct districts).
    pub rows_without_district: usize,
}

impl fmt::Display for TableSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let titles = self
            .skipped
            .iter()
            .filter(|s| s.kind == SkipKind::Title)
            .count();
        let notes = self.skipped.len() - titles;
        write!(
            f,
            "table {:?} ({}): {} data rows, {titles} title rows and {notes} note rows skipped",
            self.id,
            self.path.display(),
            self.rows
        )?;
        if self.filtered_out > 0 {
            write!(f, ", {} rows filtered out", self.filtered_out)?;
        }
        if self.key_mapped > 0 {
            write!(f, ", {} keys recoded by key_map", self.key_mapped)?;
        }
        if let (Some(first), Some(last)) = (self.periods.first(), self.periods.last()) {
            let least = self.periods.iter().map(|p| p.matched).min().unwrap_or(0);
            write!(
                f,
                "; long table, periods {}–{}: at least {least} districts matched in every period",
                first.period, last.period
            )?;
        }
        writeln!(f)
    }
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
    /// The districts without a value (not withheld), as `id (name)`, in layer order: which
    /// rows or cells to fill.
    pub missing_districts: Vec<String>,
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
            for t in &l.tables {
                write!(f, "{t}")?;
            }
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
                if !i.missing_districts.is_empty() {
                    const SHOWN: usize = 8;
                    let shown = i.missing_districts.iter().take(SHOWN).cloned();
                    let mut list = shown.collect::<Vec<_>>().join(", ");
                    if i.missing_districts.len() > SHOWN {
                        list.push_str(&format!(" and {} more", i.missing_districts.len() - SHOWN));
                    }
                    write!(f, ": {list}")?;
                }
                writeln!(f)?;
            }
        }
        Ok(())
    }
}
