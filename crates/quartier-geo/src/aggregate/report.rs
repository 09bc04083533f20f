//! What an aggregation reports: problems with single points or units, and field balances.

use std::fmt;

use serde::Serialize;

use super::{short_number, Method};
use std::path::PathBuf;

/// Where a problem is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Location {
    /// 1-based feature or record number of the source.
    Feature(usize),
    /// 1-based line of a CSV source.
    Line(usize),
    /// A target district, by id.
    District(String),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Feature(n) => write!(f, "feature {n}"),
            Location::Line(n) => write!(f, "line {n}"),
            Location::District(id) => write!(f, "district {id:?}"),
        }
    }
}

/// One point, unit or district that could not be used as it is, and what was done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Where.
    pub location: Location,
    /// What is wrong and what was done, e.g. `the latitude "abc" is not a number; the point was skipped`.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// How much of a summed field ended up in districts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldBalance {
    /// The field.
    pub field: String,
    /// Its total over all usable points or units.
    pub total: f64,
    /// The part that went to no district (outside every district, or an unmatched key).
    pub outside: f64,
}

/// What an aggregation did, for `quartier aggregate` and `quartier check`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AggregateReport {
    /// The points or units.
    pub source: PathBuf,
    /// The target districts: their file, or their layer id (`None` when dissolved from the units).
    pub districts: Option<String>,
    /// How points or units were assigned.
    pub method: Method,
    /// The source's CRS, e.g. `WGS 84 (EPSG:4326)`.
    pub source_crs: String,
    /// How areas were measured, e.g. `geodesic (WGS84 ellipsoid)`.
    pub areas: String,
    /// Points or units read.
    pub read: usize,
    /// Unusable (missing or bad coordinates, no key): left out, each listed in `problems`.
    pub skipped: usize,
    /// Assigned whole to one district.
    pub assigned: usize,
    /// Points on a border between districts, assigned by the first-district rule (counted in `assigned`).
    pub on_border: usize,
    /// Units shared between districts or partly outside all of them (by area only).
    pub split: usize,
    /// Units given whole to one district although slivers of them (under
    /// [`SLIVER`](super::SLIVER) of their area) lie across a border or outside every
    /// district: counted in `assigned` (by area only).
    pub slivers: usize,
    /// In no district (outside all, or a key that matches none).
    pub outside: usize,
    /// Where the points or units in no district came from, in source order.
    pub outside_items: Vec<Location>,
    /// Per summed field: total and the part that went nowhere.
    pub balance: Vec<FieldBalance>,
    /// Per-item problems, in source order, then per-district ones.
    pub problems: Vec<Problem>,
}

/// How many problems the text report lists before summarising the rest.
const REPORT_LIST_LIMIT: usize = 20;

impl fmt::Display for AggregateReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "source:    {} ({})",
            self.source.display(),
            self.source_crs
        )?;
        match &self.districts {
            Some(d) => writeln!(f, "districts: {d}")?,
            None => writeln!(f, "districts: dissolved from the units")?,
        }
        writeln!(f, "method:    {}", self.method)?;
        writeln!(f, "areas:     {}", self.areas)?;
        let what = if self.method == Method::Points {
            "points"
        } else {
            "units"
        };
        write!(
            f,
            "{} {what} read: {} assigned, {} split, {} outside, {} skipped",
            self.read, self.assigned, self.split, self.outside, self.skipped
        )?;
        if self.on_border > 0 {
            write!(
                f,
                " ({} on a border, given to the first district containing them)",
                self.on_border
            )?;
        }
        if self.slivers > 0 {
            write!(
                f,
                " ({} assigned whole despite slivers of under {} % of their area across a border, \
                 where the boundary files disagree)",
                self.slivers,
                super::SLIVER * 100.0
            )?;
        }
        writeln!(f)?;
        if !self.outside_items.is_empty() {
            let shown: Vec<String> = self
                .outside_items
                .iter()
                .take(REPORT_LIST_LIMIT)
                .map(Location::to_string)
                .collect();
            let more = self.outside_items.len().saturating_sub(REPORT_LIST_LIMIT);
            write!(f, "in no district: {}", shown.join(", "))?;
            if more > 0 {
                write!(f, " and {more} more")?;
            }
            writeln!(f)?;
        }
        for b in &self.balance {
            if b.outside != 0.0 {
                let share = if b.total != 0.0 {
                    b.outside / b.total * 100.0
                } else {
                    0.0
                };
                writeln!(
                    f,
                    "{}: {} of {} ({share:.3} %) went to no district",
                    b.field,
                    short_number(b.outside),
                    short_number(b.total)
                )?;
            }
        }
        for p in self.problems.iter().take(REPORT_LIST_LIMIT) {
            writeln!(f, "  {p}")?;
        }
        if self.problems.len() > REPORT_LIST_LIMIT {
            writeln!(
                f,
                "  ... and {} more problems",
                self.problems.len() - REPORT_LIST_LIMIT
            )?;
        }
        Ok(())
    }
}
