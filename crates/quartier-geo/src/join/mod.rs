//! Joining an indicator [`Table`] to a layer's districts by key, with a [`JoinReport`].
//!
//! [`join`] matches each district id to at most one table row and says what did not match;
//! [`Join::numeric`] then gives a table column aligned with the districts.
//! It is a left join seen from the layer: every district keeps its place, with missing values
//! where the table has no row for it.
//!
//! # Example
//!
//! ```
//! use quartier_geo::join::{join, JoinOptions};
//! use quartier_geo::table::{Table, TableOptions};
//!
//! // The BKA writes AGS without their leading zero.
//! let csv = "Gemeindeschluessel;Faelle\n5358;15691\n5334;40911\n16077;2811\n";
//! let table = Table::from_bytes("bka.csv", csv.as_bytes(), &TableOptions::default())?;
//! let opts = JoinOptions { pad_width: Some(5), ..JoinOptions::default() };
//! let joined = join(&["05358", "05334", "05370"], &table, "Gemeindeschluessel", &opts)?;
//! assert_eq!(joined.numeric(&table, "Faelle")?, vec![Some(15691.0), Some(40911.0), None]);
//! assert_eq!(joined.report.matched, 2);
//! assert_eq!(joined.report.districts_without_row, vec!["05370".to_string()]);
//! assert_eq!(joined.report.rows_without_district, vec![(4, "16077".to_string())]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Key rules
//!
//! ```text
//! Keys are text. A district id and a table key match when they are equal after these steps,
//! applied the same way to both sides:
//!
//!   1. Whitespace     Leading and trailing whitespace (also no-break spaces) is removed.
//!                     Inner whitespace is kept.
//!   2. Padding        Off by default. With pad_width = N, a key made only of the digits 0-9 and
//!                     shorter than N is left-padded with zeros to N characters ("5358" -> "05358"
//!                     for AGS, N = 5). Keys with any other character ("DG", "5358.0", "05358a")
//!                     and keys of N or more digits are left as they are. Use it when one side lost
//!                     its leading zeros in a spreadsheet. N is at most 64 (MAX_PAD_WIDTH); a larger
//!                     N is an error, since no key system has codes that long.
//!   3. Case           Case-sensitive by default. With case_sensitive = false both sides are
//!                     compared in Unicode lower case ("Côte-des-Neiges" = "CÔTE-DES-NEIGES").
//!
//! Nothing is ever parsed as a number: "05358" and "5358" are different keys unless padding is on,
//! and "1.0" never matches "1".
//!
//! Unmatched districts   keep their place; their values are missing (None), never zero. They are
//!                       listed in the report's districts_without_row, in layer order.
//! Unmatched rows        are ignored for the map and listed in rows_without_district with their
//!                       line and key (totals such as "DG" Deutschland or a Land end up here).
//! Empty keys            never match; a row with an empty key cell is listed as a row without a
//!                       district (with key "").
//! Duplicate table keys  two rows whose keys are equal after steps 1-3 are an error that names both
//!                       lines. Filter the table to one row per key first (Table::filter, e.g. one
//!                       year of a GENESIS time series).
//! Duplicate district ids are not the join's concern: each such district gets the same row (the
//!                       validation report flags duplicate ids).
//! ```

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;

use serde::Serialize;
use thiserror::Error;

use crate::table::{Table, TableError};

/// The largest [`JoinOptions::pad_width`]: the longest numeric codes in use (US census blocks,
/// 15 digits; German ARS, 12) fit with room to spare, and a width typed by mistake
/// (`pad = 65536`) is an error instead of a key of 65,536 characters.
pub const MAX_PAD_WIDTH: usize = 64;

/// How keys are compared (see the [key rules](self#key-rules)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinOptions {
    /// Left-pad keys made only of digits with zeros to this width (5 for AGS), at most
    /// [`MAX_PAD_WIDTH`]. _Default:_ `None`.
    pub pad_width: Option<usize>,
    /// Compare keys case-sensitively. _Default:_ `true`.
    pub case_sensitive: bool,
}

impl Default for JoinOptions {
    fn default() -> Self {
        JoinOptions {
            pad_width: None,
            case_sensitive: true,
        }
    }
}

/// The outcome of a join: which row each district got, and the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Join {
    /// Per district (layer order): index into `table.rows`, `None` when the table has no row for it.
    pub row_of: Vec<Option<usize>>,
    /// What matched and what did not.
    pub report: JoinReport,
}

/// What a join found, for people ([`fmt::Display`]) and for `--json` ([`Serialize`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JoinReport {
    /// The table's file.
    pub table: PathBuf,
    /// The key column.
    pub key: String,
    /// How many districts got a row.
    pub matched: usize,
    /// Ids of the districts without a row, in layer order, as the layer spells them.
    pub districts_without_row: Vec<String>,
    /// Rows that no district matched: their 1-based line and key as the table spells it.
    pub rows_without_district: Vec<(usize, String)>,
}

/// How many unmatched items [`JoinReport`]'s text lists before summarising the rest.
const REPORT_LIST_LIMIT: usize = 20;

impl fmt::Display for JoinReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let districts = self.matched + self.districts_without_row.len();
        writeln!(
            f,
            "join of {} on column {:?}: {} of {} districts matched",
            self.table.display(),
            self.key,
            self.matched,
            districts
        )?;
        write_list(
            f,
            "districts without a row",
            self.districts_without_row
                .iter()
                .map(|id| format!("{id:?}")),
            self.districts_without_row.len(),
        )?;
        write_list(
            f,
            "rows without a district",
            self.rows_without_district
                .iter()
                .map(|(line, key)| format!("line {line} {key:?}")),
            self.rows_without_district.len(),
        )
    }
}

/// One line of the report text: a count and the first items.
fn write_list(
    f: &mut fmt::Formatter<'_>,
    title: &str,
    items: impl Iterator<Item = String>,
    count: usize,
) -> fmt::Result {
    if count == 0 {
        return writeln!(f, "  {title}: none");
    }
    let shown: Vec<String> = items.take(REPORT_LIST_LIMIT).collect();
    let rest = count - shown.len();
    write!(f, "  {title} ({count}): {}", shown.join(", "))?;
    if rest > 0 {
        write!(f, ", and {rest} more")?;
    }
    writeln!(f)
}

/// What can go wrong joining a table.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum JoinError {
    /// The key column does not exist, or another table error.
    #[error(transparent)]
    Table(#[from] TableError),
    /// Two rows have the same key (after trimming, padding and case folding).
    ///
    /// Consider: filter the table to one row per key, e.g. one year of a time series.
    #[error("{0}")]
    DuplicateKey(Box<DuplicateKey>),
    /// The pad width is larger than [`MAX_PAD_WIDTH`].
    #[error("{}: pad = {width} is out of range: the pad width must be 0 to {max} (5 for German AGS, for example)", path.display())]
    PadWidth {
        /// The table's file.
        path: PathBuf,
        /// The width given.
        width: usize,
        /// [`MAX_PAD_WIDTH`].
        max: usize,
    },
}

/// The details of a [`JoinError::DuplicateKey`] (boxed: errors stay small).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{}: duplicate key {key:?} in column {column:?} on lines {first_line} and {second_line}{}: every key may appear once; filter the table to one row per key (e.g. one year)", path.display(), spelled(first_text, second_text))]
pub struct DuplicateKey {
    /// The table's file.
    pub path: PathBuf,
    /// The key column.
    pub column: String,
    /// The key after the key rules.
    pub key: String,
    /// 1-based line of the first row with the key.
    pub first_line: usize,
    /// 1-based line of the second row with the key.
    pub second_line: usize,
    /// The key as the first row spells it.
    pub first_text: String,
    /// The key as the second row spells it.
    pub second_text: String,
}

/// Mentions the spellings when they differ (`5358` and `05358` with padding).
fn spelled(first: &str, second: &str) -> String {
    if first == second {
        String::new()
    } else {
        format!(" (written {first:?} and {second:?})")
    }
}

/// A key after the [key rules](self#key-rules): trimmed, padded, case-folded.
///
/// Public so that other parts (the atlas, validation) compare keys exactly as the join does.
pub fn normalize_key(raw: &str, opts: &JoinOptions) -> String {
    let trimmed = raw.trim();
    let padded = match opts.pad_width {
        // Wider pads are refused by `join`; here they are ignored so that this never panics
        // (`format!` cannot pad beyond 65,535) nor allocates without bound.
        Some(width)
            if width <= MAX_PAD_WIDTH
                && trimmed.len() < width
                && !trimmed.is_empty()
                && trimmed.bytes().all(|b| b.is_ascii_digit()) =>
        {
            format!("{trimmed:0>width$}")
        }
        _ => trimmed.to_string(),
    };
    if opts.case_sensitive {
        padded
    } else {
        padded.to_lowercase()
    }
}

/// Joins `table` to districts by the column `key`: one row (or none) per district id.
///
/// `district_ids` are in layer order; the result's [`Join::row_of`] has the same order.
/// Unmatched districts and rows are not errors but go into the [`JoinReport`]; a key that appears
/// twice in the table is a [`JoinError::DuplicateKey`].
pub fn join(
    district_ids: &[&str],
    table: &Table,
    key: &str,
    opts: &JoinOptions,
) -> Result<Join, JoinError> {
    if let Some(width) = opts.pad_width.filter(|&w| w > MAX_PAD_WIDTH) {
        return Err(JoinError::PadWidth {
            path: table.path.clone(),
            width,
            max: MAX_PAD_WIDTH,
        });
    }
    let col = table.column(key)?;
    // Key -> row index; empty keys never match.
    let mut by_key: HashMap<String, usize> = HashMap::with_capacity(table.rows.len());
    for (i, row) in table.rows.iter().enumerate() {
        let raw = row.cells.get(col).map_or("", String::as_str);
        let k = normalize_key(raw, opts);
        if k.is_empty() {
            continue;
        }
        if let Some(&first) = by_key.get(&k) {
            let first_row = &table.rows[first];
            return Err(JoinError::DuplicateKey(Box::new(DuplicateKey {
                path: table.path.clone(),
                column: table.headers[col].clone(),
                key: k,
                first_line: first_row.line,
                second_line: row.line,
                first_text: first_row.cells.get(col).cloned().unwrap_or_default(),
                second_text: raw.to_string(),
            })));
        }
        by_key.insert(k, i);
    }

    let mut row_of = Vec::with_capacity(district_ids.len());
    let mut used = vec![false; table.rows.len()];
    let mut districts_without_row = Vec::new();
    for id in district_ids {
        let k = normalize_key(id, opts);
        let hit = if k.is_empty() {
            None
        } else {
            by_key.get(&k).copied()
        };
        match hit {
            Some(i) => used[i] = true,
            None => districts_without_row.push((*id).to_string()),
        }
        row_of.push(hit);
    }
    let rows_without_district = table
        .rows
        .iter()
        .zip(&used)
        .filter(|(_, &u)| !u)
        .map(|(row, _)| (row.line, row.cells.get(col).cloned().unwrap_or_default()))
        .collect();
    Ok(Join {
        report: JoinReport {
            table: table.path.clone(),
            key: table.headers[col].clone(),
            matched: row_of.iter().filter(|r| r.is_some()).count(),
            districts_without_row,
            rows_without_district,
        },
        row_of,
    })
}

impl Join {
    /// The table column as numbers aligned with the districts; `None` for districts without a row.
    ///
    /// `table` must be the table the join was made with (a row index it does not have reads as missing).
    pub fn numeric(&self, table: &Table, column: &str) -> Result<Vec<Option<f64>>, TableError> {
        let values = table.numeric(column)?;
        Ok(self.align(&values))
    }

    /// The table column as text aligned with the districts; `None` for districts without a row
    /// and for empty cells.
    pub fn text(&self, table: &Table, column: &str) -> Result<Vec<Option<String>>, TableError> {
        let values = table.text(column)?;
        Ok(self.align(&values))
    }

    /// Per-row values to per-district values.
    fn align<T: Clone>(&self, per_row: &[Option<T>]) -> Vec<Option<T>> {
        self.row_of
            .iter()
            .map(|r| r.and_then(|i| per_row.get(i).cloned().flatten()))
            .collect()
    }
}

#[cfg(test)]
mod tests;
