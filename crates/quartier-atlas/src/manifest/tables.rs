//! A layer's tables, read and joined once each: wide tables (one row per district, a column per
//! indicator and year) and long tables (`period_column`: one row per district and period, as
//! GENESIS exports them), which are split into one join per period.

use std::collections::BTreeMap;
use std::path::Path;

use quartier_geo::join::{self, JoinOptions, JoinReport};
use quartier_geo::table::{Table, TableOptions};

use super::error::ManifestError;
use super::fingerprint::Fingerprint;
use super::report::{PeriodJoin, TableSummary};
use super::spec::{LayerSpec, TableSpec};

/// One table joined to the layer's districts.
pub(super) struct Joined {
    table: Table,
    join: join::Join,
    /// The key column, for rows that are not districts (`reference`).
    key: String,
}

/// A table of a layer: wide (one join) or long (one join per period).
pub(super) enum LayerTable {
    /// One row per district.
    Wide(Box<Joined>),
    /// One row per district and period, ascending by period.
    Long(Vec<(i32, Joined)>),
}

/// The tables of a layer by id.
pub(super) struct Tables {
    pub(super) layer: String,
    pub(super) by_id: BTreeMap<String, LayerTable>,
}

type Invalid<'a> = &'a dyn Fn(String, String) -> ManifestError;

fn delimiter_of(t: &TableSpec, ctx: &str, invalid: Invalid) -> Result<Option<u8>, ManifestError> {
    Ok(match t.delimiter.as_deref() {
        None => None,
        Some("\\t") | Some("tab") | Some("\t") => Some(b'\t'),
        Some(d) if d.len() == 1 => d.bytes().next(),
        Some(d) => {
            return Err(invalid(
                ctx.to_string(),
                format!("delimiter = {d:?}: use one character such as \";\", \",\" or \"tab\""),
            ))
        }
    })
}

impl Tables {
    /// Read, filter, recode and join every `[[layer.table]]` of `spec`; one join report per table
    /// (for a long table, the report of its latest period).
    pub(super) fn load(
        spec: &LayerSpec,
        base: &Path,
        ids: &[&str],
        fp: &mut Fingerprint,
        invalid: Invalid,
    ) -> Result<(Tables, Vec<JoinReport>, Vec<TableSummary>), ManifestError> {
        let mut by_id = BTreeMap::new();
        let mut reports = Vec::new();
        let mut summaries = Vec::new();
        let table_error = |source| ManifestError::Table {
            layer: spec.id.clone(),
            source: Box::new(source),
        };
        let join_error = |source| ManifestError::Join {
            layer: spec.id.clone(),
            source: Box::new(source),
        };
        for t in &spec.tables {
            let ctx = format!("layer {:?}, table {:?}", spec.id, t.id);
            let table_path = base.join(&t.path);
            fp.add_file(&table_path);
            let opts = TableOptions {
                delimiter: delimiter_of(t, &ctx, invalid)?,
                encoding: t.encoding.clone(),
                decimal: t.decimal,
                header_row: t.header_row,
            };
            let mut table = Table::read(&table_path, &opts).map_err(table_error)?;
            let rows_read = table.rows.len();
            for f in t.filter.iter().flat_map(|f| f.conditions()) {
                table = table.filter(&f.column, &f.value).map_err(table_error)?;
            }
            let mut summary = TableSummary {
                id: t.id.clone(),
                path: table_path.clone(),
                rows: rows_read,
                filtered_out: rows_read - table.rows.len(),
                skipped: table.skipped.clone(),
                key_mapped: 0,
                periods: Vec::new(),
            };
            if !t.key_map.is_empty() {
                let col = table.column(&t.key).map_err(table_error)?;
                for row in &mut table.rows {
                    if let Some(cell) = row.cells.get_mut(col) {
                        if let Some(to) = t.key_map.get(cell.trim()) {
                            *cell = to.clone();
                            summary.key_mapped += 1;
                        }
                    }
                }
            }
            let jopts = JoinOptions {
                pad_width: t.pad,
                case_sensitive: !t.case_insensitive,
            };
            let joined = |table: Table| -> Result<Joined, ManifestError> {
                let join = join::join(ids, &table, &t.key, &jopts).map_err(join_error)?;
                Ok(Joined {
                    table,
                    join,
                    key: t.key.clone(),
                })
            };
            let loaded = match &t.period_column {
                None => {
                    let j = joined(table)?;
                    reports.push(j.join.report.clone());
                    LayerTable::Wide(Box::new(j))
                }
                Some(pc) => {
                    let cells = table.text(pc).map_err(table_error)?;
                    let mut periods: BTreeMap<i32, String> = BTreeMap::new();
                    for (row, cell) in table.rows.iter().zip(&cells) {
                        let Some(cell) = cell else { continue };
                        let Ok(year) = cell.trim().parse::<i32>() else {
                            return Err(invalid(
                                ctx,
                                format!(
                                    "period_column = {pc:?}: line {} has {cell:?}, not a year; \
                                     filter such rows out (filter = [{{ column = ..., value = ... }}])",
                                    row.line
                                ),
                            ));
                        };
                        periods.entry(year).or_insert_with(|| cell.clone());
                    }
                    if periods.is_empty() {
                        return Err(invalid(
                            ctx,
                            format!("period_column = {pc:?} has no years in any row"),
                        ));
                    }
                    let mut per = Vec::with_capacity(periods.len());
                    for (year, text) in periods {
                        let part = table.filter(pc, &text).map_err(table_error)?;
                        let j = joined(part)?;
                        summary.periods.push(PeriodJoin {
                            period: year,
                            matched: j.join.report.matched,
                            rows_without_district: j.join.report.rows_without_district.len(),
                        });
                        per.push((year, j));
                    }
                    if let Some((_, last)) = per.last() {
                        reports.push(last.join.report.clone());
                    }
                    LayerTable::Long(per)
                }
            };
            if by_id.insert(t.id.clone(), loaded).is_some() {
                return Err(invalid(
                    ctx,
                    "the table id is used twice in this layer".into(),
                ));
            }
            summaries.push(summary);
        }
        Ok((
            Tables {
                layer: spec.id.clone(),
                by_id,
            },
            reports,
            summaries,
        ))
    }

    /// The ids of the tables, for messages.
    pub(super) fn ids(&self) -> String {
        self.by_id.keys().cloned().collect::<Vec<_>>().join(", ")
    }

    /// The periods of a long table (`None` for a wide table or an unknown id).
    pub(super) fn periods_of(&self, id: &str) -> Option<Vec<i32>> {
        match self.by_id.get(id)? {
            LayerTable::Wide(_) => None,
            LayerTable::Long(per) => Some(per.iter().map(|(y, _)| *y).collect()),
        }
    }

    /// Whether `id` is a table of this layer.
    pub(super) fn has(&self, id: &str) -> bool {
        self.by_id.contains_key(id)
    }

    /// The number in `column` of the row of table `id` whose key is `key` as the table spells it
    /// (after `key_map`), for `period` in a long table: `Ok(None)` when the table (or that
    /// period) has no such row, `Ok(Some(None))` when its cell is empty.
    pub(super) fn row_value(
        &self,
        id: &str,
        column: &str,
        period: Option<i32>,
        key: &str,
    ) -> Result<Option<Option<f64>>, ManifestError> {
        let err = |source| ManifestError::Table {
            layer: self.layer.clone(),
            source: Box::new(source),
        };
        let Some(joined) = self.joined(id, period) else {
            return Ok(None);
        };
        let keys = joined.table.text(&joined.key).map_err(err)?;
        let Some(row) = keys
            .iter()
            .position(|k| k.as_deref().map(str::trim) == Some(key.trim()))
        else {
            return Ok(None);
        };
        let values = joined.table.numeric(column).map_err(err)?;
        Ok(Some(values.get(row).copied().flatten()))
    }

    /// Keys of rows that matched no district (the first few, for messages).
    pub(super) fn unmatched_keys(&self, id: &str) -> Vec<String> {
        self.joined(id, None)
            .map(|j| {
                j.join
                    .report
                    .rows_without_district
                    .iter()
                    .take(8)
                    .map(|(_, k)| k.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Table `id`, or for a long table its join of `period` (the latest without one).
    fn joined(&self, id: &str, period: Option<i32>) -> Option<&Joined> {
        match self.by_id.get(id)? {
            LayerTable::Wide(j) => Some(j),
            LayerTable::Long(per) => match period {
                Some(p) => per.iter().find(|(y, _)| *y == p).map(|(_, j)| j),
                None => per.last().map(|(_, j)| j),
            },
        }
    }

    /// A column of table `id` aligned with the districts, for `period` in a long table.
    /// `Ok(None)`: the table is long and has no rows for that period.
    pub(super) fn numeric(
        &self,
        id: &str,
        column: &str,
        period: Option<i32>,
    ) -> Result<Option<Vec<Option<f64>>>, ManifestError> {
        let err = |source| ManifestError::Table {
            layer: self.layer.clone(),
            source: Box::new(source),
        };
        let Some(joined) = self.joined(id, period) else {
            return Ok(None);
        };
        joined
            .join
            .numeric(&joined.table, column)
            .map(Some)
            .map_err(err)
    }
}
