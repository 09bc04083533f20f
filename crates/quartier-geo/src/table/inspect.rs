//! How a table will be read, for `quartier inspect TABLE.csv`: what the detection decided
//! (encoding, delimiter, decimal mark, header row), the title and note rows it skipped, and every
//! column with its type and missing count. A GIS officer sees this before writing the manifest,
//! instead of finding out from a join report.

use std::fmt;

use serde::Serialize;

use super::{is_missing, parse_number, Skipped, Table};

/// One column as [`Table::inspect`] sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnSummary {
    /// Header, trimmed.
    pub name: String,
    /// `number` when every cell that is not a missing marker is a number in the table's
    /// format, `text` otherwise.
    pub kind: &'static str,
    /// Cells with a value.
    pub values: usize,
    /// Empty cells and missing markers (`.`, `-`, `x`, …).
    pub missing: usize,
    /// The first cell that is not a number, for a text column that is mostly numbers (so the
    /// officer sees why): `(line, text)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_text: Option<(usize, String)>,
}

/// What [`Table::inspect`] reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableInspection {
    /// The file.
    pub path: String,
    /// Encoding used (WHATWG name).
    pub encoding: String,
    /// Field delimiter, as text (`;`, `,`, `\t`).
    pub delimiter: String,
    /// Decimal mark.
    pub decimal: char,
    /// 1-based line of the header row.
    pub header_line: usize,
    /// Data rows.
    pub rows: usize,
    /// Title rows above the header and note rows below the data.
    pub skipped: Vec<Skipped>,
    /// The columns in file order.
    pub columns: Vec<ColumnSummary>,
}

impl Table {
    /// The summary `quartier inspect` prints for a table.
    pub fn inspect(&self) -> TableInspection {
        let columns = self
            .headers
            .iter()
            .enumerate()
            .map(|(c, name)| {
                let (mut values, mut missing, mut numbers) = (0, 0, 0);
                let mut first_text = None;
                for row in &self.rows {
                    let cell = row.cells.get(c).map_or("", String::as_str);
                    if cell.is_empty() || is_missing(cell) {
                        missing += 1;
                        continue;
                    }
                    values += 1;
                    match parse_number(cell, self.decimal) {
                        Ok(Some(_)) => numbers += 1,
                        _ => {
                            if first_text.is_none() {
                                first_text = Some((row.line, crate::limits::echo(cell)));
                            }
                        }
                    }
                }
                let number = values > 0 && numbers == values;
                ColumnSummary {
                    name: name.clone(),
                    kind: if number { "number" } else { "text" },
                    values,
                    missing,
                    // Only worth saying for a column that is mostly numbers.
                    first_text: first_text.filter(|_| !number && numbers * 2 > values),
                }
            })
            .collect();
        TableInspection {
            path: self.path.display().to_string(),
            encoding: self.encoding.clone(),
            delimiter: match self.delimiter {
                b'\t' => "\\t".to_string(),
                d => (d as char).to_string(),
            },
            decimal: self.decimal,
            header_line: self.header_line,
            rows: self.rows.len(),
            skipped: self.skipped.clone(),
            columns,
        }
    }
}

impl fmt::Display for TableInspection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "File:        {}", self.path)?;
        writeln!(f, "Format:      table (CSV)")?;
        writeln!(f, "Encoding:    {}", self.encoding)?;
        writeln!(f, "Delimiter:   {}", self.delimiter)?;
        writeln!(f, "Decimal:     {}", self.decimal)?;
        writeln!(f, "Header:      line {}", self.header_line)?;
        writeln!(f, "Rows:        {}", self.rows)?;
        if !self.skipped.is_empty() {
            writeln!(f, "Skipped:     {} rows", self.skipped.len())?;
            for s in &self.skipped {
                let kind = match s.kind {
                    super::SkipKind::Title => "title",
                    super::SkipKind::Footnote => "note",
                };
                // One line per skipped row: a note spanning lines is shown with " / ".
                let text = s
                    .text
                    .split('\n')
                    .map(str::trim)
                    .collect::<Vec<_>>()
                    .join(" / ");
                writeln!(f, "  line {:>5} {kind:<5} {text}", s.line)?;
            }
        }
        writeln!(f, "Columns:     {}", self.columns.len())?;
        let width = self
            .columns
            .iter()
            .map(|c| c.name.chars().count())
            .max()
            .unwrap_or(0);
        for c in &self.columns {
            write!(
                f,
                "  {:<width$}  {:<6} {:>6} values, {:>6} missing",
                c.name, c.kind, c.values, c.missing
            )?;
            if let Some((line, text)) = &c.first_text {
                write!(f, " (line {line}: {text:?} is not a number)")?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}
