//! Indicator tables: CSV and TSV files as exported from Excel or from a statistics office (GENESIS).
//!
//! [`Table::read`] takes a file as it comes and finds out by itself how it is written;
//! [`Table::numeric`] and [`Table::text`] then give one column, one entry per data row.
//! Every detected property can be overridden through [`TableOptions`], and what was found is kept in
//! the [`Table`] (`delimiter`, `encoding`, `decimal`, `header_line`, `skipped`), so that a report can say it.
//! Joining a table to districts is [`crate::join`]'s job.
//! A `.json` file is read as a JSON table instead: an array of flat objects (see the `json` submodule's rules).
//!
//! # Example
//!
//! ```
//! use quartier_geo::table::{Table, TableOptions};
//!
//! let csv = "Tabelle 1: Einwohner;;\nAGS;Name;Einwohner\n05358;Düren;264.180\n05334;Aachen;556.246\n\nQuelle: IT.NRW;;\n";
//! let table = Table::from_bytes("einwohner.csv", csv.as_bytes(), &TableOptions::default())?;
//! assert_eq!(table.header_line, 2);
//! assert_eq!(table.decimal, ',');
//! assert_eq!(table.text("AGS")?[0].as_deref(), Some("05358"));
//! assert_eq!(table.numeric("Einwohner")?, vec![Some(264180.0), Some(556246.0)]);
//! assert_eq!(table.skipped.len(), 2); // the title and the source note
//! # Ok::<(), quartier_geo::table::TableError>(())
//! ```
//!
//! # Detection rules
//!
//! **Encoding** (override: [`TableOptions::encoding`], a WHATWG label such as `"utf-8"`,
//! `"windows-1252"`, `"latin1"`, `"iso-8859-15"`, `"utf-16le"`):
//! 1. A byte-order mark decides (UTF-8, UTF-16LE, UTF-16BE) and is removed.
//! 2. Otherwise a file that is valid UTF-8 throughout is UTF-8.
//! 3. Otherwise it is Windows-1252 (CP1252), which reads Latin-1 (ISO-8859-1) text identically;
//!    that is what Excel and GENESIS write on Western European Windows systems.
//!    (WHATWG also maps the labels `latin1` and `iso-8859-1` to Windows-1252.)
//!
//! **Delimiter** (override: [`TableOptions::delimiter`]):
//! 1. A first line `sep=;` (Excel's hint) names the delimiter; that line is skipped as a title.
//! 2. Otherwise `;`, tab and `,` are each tried on the first 1,000 rows, and the one wins that
//!    gives the most rows with one and the same field count (of at least two).
//!    Ties go to the larger field count, then to `;`, tab, `,` in that order.
//!
//! **Header, data and footnotes** (override of the header: [`TableOptions::header_row`]):
//! 1. The table's width is the most common field count among rows with at least two non-empty cells
//!    (on a tie the smaller count, since extra trailing empty fields are tolerated, see 5).
//! 2. The header is the first row that has this width (extra trailing empty fields allowed), at least
//!    two non-empty cells, and at least one cell that is neither a number nor a missing marker.
//!    The rows above it are titles and are skipped: GENESIS' title rows have one non-empty cell, and
//!    the BKA's row of column numbers `1;2;…;18` has only numbers.
//! 3. Header cells are trimmed.
//!    An empty header cell is named `column_N`, N being its 1-based position: in the GENESIS export
//!    `12411-05-01-4` the year is `column_1`, the AGS `column_2` and the name `column_3`.
//! 4. The data rows are the rows after the header up to the last row with at least two non-empty
//!    cells (one for a one-column table).
//!    Everything after that has at most one non-empty cell per row (`__________`, notes, `© …`,
//!    `Stand: …`) and is skipped as footnotes.
//!    A data row whose cells are all empty is ignored, like a blank line.
//!    (So a district row at the very end with nothing but its key counts as a footnote: it carries no
//!    values, and the join report lists that district as without a row.)
//!    Exception: when the file does not end with a line break and its last line has fewer fields than
//!    the header, the file was cut off (a half-copied file), and that is a [`TableError::Truncated`],
//!    if the line has two fields or more, or directly follows the data (no blank line, no other
//!    footnote in between). A cut inside the last field of a row leaves every field in place and
//!    cannot be told from a file without a final line break.
//! 5. Every data row has as many fields as the header; extra trailing empty fields are dropped
//!    (some exporters end every row with a delimiter), anything else is a [`TableError::RaggedRow`]:
//!    a short row is an error too, because its values would land in the wrong columns.
//! 6. All cells are trimmed of leading and trailing whitespace (GENESIS indents the names).
//!    Cells stay text until a column is asked for as numbers: keys such as `05358` keep their zeros.
//!
//! **Decimal separator** (override: [`TableOptions::decimal`]), one for the whole table:
//! every number-like cell of the data rows votes.
//! A cell that only reads as a number with `,` as decimal (`7,1`, `1.234,5`, `0,25`) votes `,`;
//! one that only reads with `.` (`7.1`, `1,234.5`) votes `.`; cells that read either way (`1234`,
//! `8,380`) do not vote.
//! The majority wins; without votes, or on a tie, it is `,` when the delimiter is `;` (the habit of
//! decimal-comma locales) and `.` otherwise.
//! The other of `.` and `,` is then the thousands separator (see [`parse_number`]).
//!
//! **Missing values**: the cells in [`MISSING_MARKERS`] (`""`, `NA`, `-`, `.`, `x`, `…`, `...`, `/`
//! and a few spreadsheet spellings) are `None` in [`Table::numeric`], never zero.
//! [`Table::text`] gives `None` only for empty cells.

mod detect;
mod inspect;
mod json;
mod number;

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::limits::{self, human_bytes, Limits, ReadFailure};

pub use inspect::{ColumnSummary, TableInspection};
pub use number::{is_missing, parse_number, NumberError, MISSING_MARKERS};

/// How to read a table; every `None` means "detect it" (see the [module docs](self)).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableOptions {
    /// Field delimiter, e.g. `b';'`, `b','` or `b'\t'`.
    pub delimiter: Option<u8>,
    /// Text encoding as a WHATWG label: `"utf-8"`, `"windows-1252"`, `"latin1"`, `"utf-16le"`, ….
    pub encoding: Option<String>,
    /// Decimal separator, `'.'` or `','`.
    pub decimal: Option<char>,
    /// 1-based line of the header row; the lines above it are skipped as titles.
    pub header_row: Option<usize>,
}

/// Why a line of the file is not part of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum SkipKind {
    /// Above the header (title, subtitle, unit, a row of column numbers).
    Title,
    /// Below the data (notes, source, copyright, date).
    Footnote,
}

/// A title or footnote row that was skipped, kept so that a report can show what was left out.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    /// 1-based line where the row starts.
    pub line: usize,
    /// Title or footnote.
    pub kind: SkipKind,
    /// The row's text (cells joined with the delimiter, trailing empty cells left out), cut after
    /// [`MAX_ECHO_CHARS`](crate::limits::MAX_ECHO_CHARS) characters.
    pub text: String,
}

/// One data row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// 1-based line in the file where the row starts, for error messages and the join report.
    pub line: usize,
    /// Trimmed cells, exactly one per header.
    pub cells: Vec<String>,
}

/// An indicator table: a header and text cells, plus how the file was read.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The file (or the name given to [`Table::from_bytes`]), for messages.
    pub path: PathBuf,
    /// Column names, trimmed; empty header cells are named `column_N` (1-based).
    pub headers: Vec<String>,
    /// Data rows in file order.
    pub rows: Vec<Row>,
    /// The field delimiter used.
    pub delimiter: u8,
    /// The encoding used, by its WHATWG name (`"UTF-8"`, `"windows-1252"`, `"UTF-16LE"`).
    pub encoding: String,
    /// The decimal separator used for [`Table::numeric`].
    pub decimal: char,
    /// 1-based line of the header row.
    pub header_line: usize,
    /// Title rows above the header and footnote rows below the data.
    pub skipped: Vec<Skipped>,
}

/// What can go wrong reading a table or looking up a column.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum TableError {
    /// The file could not be read.
    #[error("{}: cannot read the table: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The path names a directory, FIFO, socket or device instead of a file.
    #[error("{} is {kind}, not a file: give the path of a regular file", path.display())]
    NotAFile {
        /// The path.
        path: PathBuf,
        /// What it is: `a directory`, `a FIFO (named pipe)`, `a socket`, `a device`.
        kind: &'static str,
    },
    /// The file is larger than Quartier reads for a table (see [`crate::limits`]); nothing of it
    /// was read.
    ///
    /// Consider: split the table (one year, one region), or raise the limit if it is genuine.
    #[error(
        "{}: the table is {}, more than the {} allowed for a table: if the file is genuine, split it \
         or raise the limit",
        path.display(),
        human_bytes(*size),
        human_bytes(*limit)
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its length in bytes.
        size: u64,
        /// The cap in bytes.
        limit: u64,
    },
    /// The last line is cut off: it has fewer fields than the header and the file does not end
    /// with a line break, as when a copy or download stopped half-way.
    ///
    /// Consider: copy the file again; if the line is a footnote, end the file with a line break.
    #[error(
        "{}: line {line} has {found} of the header's {expected} fields and the file ends without a \
         line break, so the file looks cut off: copy it again (if the line is a footnote, end the \
         file with a line break)",
        path.display()
    )]
    Truncated {
        /// The file.
        path: PathBuf,
        /// 1-based line of the cut row.
        line: usize,
        /// Fields in the cut row.
        found: usize,
        /// Fields in the header.
        expected: usize,
    },
    /// The file has no content (or only blank lines and delimiters).
    #[error("{}: the table is empty", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// The encoding override is not a known label.
    ///
    /// Consider: `utf-8`, `windows-1252` (also for Latin-1), `iso-8859-15`, `utf-16le`.
    #[error("{}: unknown encoding {label:?}: use a WHATWG label such as \"utf-8\", \"windows-1252\", \"latin1\", \"iso-8859-15\" or \"utf-16le\"", path.display())]
    UnknownEncoding {
        /// The file.
        path: PathBuf,
        /// The label given.
        label: String,
    },
    /// The bytes are not valid in the encoding (only possible when it was given or marked by a BOM).
    #[error("{}: line {line} is not valid {encoding}: give the file's real encoding (e.g. \"windows-1252\") or leave it to detection", path.display())]
    InvalidText {
        /// The file.
        path: PathBuf,
        /// 1-based line of the first invalid byte.
        line: usize,
        /// The encoding that was used.
        encoding: String,
    },
    /// An option has a value that cannot work.
    #[error("{}: {option} {value:?} is not supported: use {allowed}", path.display())]
    InvalidOption {
        /// The file.
        path: PathBuf,
        /// Which option (`delimiter`, `decimal`).
        option: &'static str,
        /// The value given.
        value: String,
        /// What is allowed.
        allowed: &'static str,
    },
    /// A JSON table is not an array of flat objects.
    #[error("{}: line {line}: {message}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The CSV parser failed.
    #[error("{}: line {line}: {message}", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// The parser's message.
        message: String,
    },
    /// No row looks like a header.
    ///
    /// Consider: give the header's line number (`header_row`).
    #[error("{}: found no header row (a row of {width} fields with at least one text cell): give its line number as header_row", path.display())]
    NoHeader {
        /// The file.
        path: PathBuf,
        /// The most common field count, which the header was expected to have.
        width: usize,
    },
    /// The header row override does not point at the start of a row.
    #[error("{}: header_row {line} is not the first line of a non-empty row (the file's last row starts at line {last_line})", path.display())]
    BadHeaderRow {
        /// The file.
        path: PathBuf,
        /// The line given.
        line: usize,
        /// The line where the last row starts.
        last_line: usize,
    },
    /// There is a header but no data row below it.
    #[error("{}: the header on line {header_line} has no data rows below it", path.display())]
    NoRows {
        /// The file.
        path: PathBuf,
        /// 1-based line of the header.
        header_line: usize,
    },
    /// A data row has a different number of fields than the header.
    ///
    /// Consider: a missing or extra delimiter, or a delimiter inside a value that is not quoted.
    #[error("{}: line {line} has {found} fields but the header (line {header_line}) has {expected}: check for a missing or extra delimiter, or an unquoted delimiter inside a value", path.display())]
    RaggedRow {
        /// The file.
        path: PathBuf,
        /// 1-based line of the row.
        line: usize,
        /// Fields in the row.
        found: usize,
        /// Fields in the header.
        expected: usize,
        /// 1-based line of the header.
        header_line: usize,
    },
    /// No column has this name.
    #[error("{}: no column {column:?}; the columns are: {}", path.display(), quoted_list(available))]
    UnknownColumn {
        /// The file.
        path: PathBuf,
        /// The name asked for.
        column: String,
        /// The table's headers.
        available: Vec<String>,
    },
    /// Several columns have this name.
    ///
    /// Consider: rename the columns in the file so that each name is unique.
    #[error("{}: {} columns are called {column:?} (positions {}): rename them so that each name is unique", path.display(), positions.len(), list(positions))]
    AmbiguousColumn {
        /// The file.
        path: PathBuf,
        /// The name asked for.
        column: String,
        /// 1-based positions of the columns with that name.
        positions: Vec<usize>,
    },
    /// A cell of a column read as numbers is not a number.
    ///
    /// Consider: the decimal separator (`decimal`), or a missing marker the table uses.
    #[error("{}: line {line}, column {column:?} (no. {position}): {reason}{}", path.display(), more_cells(*more))]
    NotANumber {
        /// The file.
        path: PathBuf,
        /// 1-based line of the first bad cell.
        line: usize,
        /// The column's name.
        column: String,
        /// The column's 1-based position.
        position: usize,
        /// What is wrong with the cell (it carries the cell's text: [`NumberError::text`]).
        #[source]
        reason: NumberError,
        /// How many more cells in the column are not numbers.
        more: usize,
    },
}

/// `"a", "b", "c"` for error messages.
fn quoted_list(items: &[String]) -> String {
    items
        .iter()
        .map(|s| format!("{s:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `1, 2, 3` for error messages.
fn list(items: &[usize]) -> String {
    items
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The tail of a [`TableError::NotANumber`] message.
fn more_cells(more: usize) -> String {
    match more {
        0 => String::new(),
        1 => " (and 1 more cell in this column)".to_string(),
        n => format!(" (and {n} more cells in this column)"),
    }
}

impl Table {
    /// Reads a table file, detecting what `opts` leaves open (see the [module docs](self)).
    pub fn read(path: &Path, opts: &TableOptions) -> Result<Table, TableError> {
        Self::read_with_limits(path, opts, &Limits::default())
    }

    /// [`Table::read`] with another size cap than the [default](crate::limits::MAX_TABLE_BYTES):
    /// the file's length is checked before it is read, and a path that is not a regular file
    /// (a directory, a FIFO) is refused before it is opened.
    pub fn read_with_limits(
        path: &Path,
        opts: &TableOptions,
        limits: &Limits,
    ) -> Result<Table, TableError> {
        let bytes = limits::read_capped(path, limits.table_bytes).map_err(|f| {
            let path = path.to_path_buf();
            match f {
                ReadFailure::NotAFile(kind) => TableError::NotAFile { path, kind },
                ReadFailure::TooLarge { size } => TableError::TooLarge {
                    path,
                    size,
                    limit: limits.table_bytes,
                },
                ReadFailure::NotFound(source) | ReadFailure::Io(source) => {
                    TableError::Io { path, source }
                }
            }
        })?;
        Self::parse(path.to_path_buf(), &bytes, opts)
    }

    /// Reads a table from memory; `name` stands in for the path in messages.
    pub fn from_bytes(name: &str, bytes: &[u8], opts: &TableOptions) -> Result<Table, TableError> {
        Self::parse(PathBuf::from(name), bytes, opts)
    }

    fn parse(path: PathBuf, bytes: &[u8], opts: &TableOptions) -> Result<Table, TableError> {
        let is_json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        if is_json {
            return json::parse(path, bytes);
        }
        if let Some(decimal) = opts.decimal {
            if decimal != '.' && decimal != ',' {
                return Err(TableError::InvalidOption {
                    path,
                    option: "decimal",
                    value: decimal.to_string(),
                    allowed: "'.' or ','",
                });
            }
        }
        if let Some(d) = opts.delimiter {
            if !d.is_ascii() || d == b'"' || d == b'\n' || d == b'\r' {
                return Err(TableError::InvalidOption {
                    path,
                    option: "delimiter",
                    value: char::from(d).to_string(),
                    allowed: "an ASCII character other than a quote or line break, such as ';', ',' or '\\t'",
                });
            }
        }
        let (text, encoding) = detect::decode(&path, bytes, opts.encoding.as_deref())?;
        if text.trim().is_empty() {
            return Err(TableError::Empty { path });
        }
        let delimiter = match opts.delimiter {
            Some(d) => d,
            None => match detect::excel_sep_line(&text) {
                Some(d) => d,
                None => detect::detect_delimiter(&path, &text)?,
            },
        };
        let records = detect::records(&path, &text, delimiter, None)?;
        let complete = text.ends_with(['\n', '\r']);
        let layout = detect::layout(&path, records, opts.header_row, delimiter, complete)?;
        let decimal = opts
            .decimal
            .unwrap_or_else(|| detect::detect_decimal(&layout.rows, delimiter));
        Ok(Table {
            path,
            headers: layout.headers,
            rows: layout.rows,
            delimiter,
            encoding: encoding.name().to_string(),
            decimal,
            header_line: layout.header_line,
            skipped: layout.skipped,
        })
    }

    /// Position (0-based) of the column called `name` (compared after trimming, case-sensitive).
    pub fn column(&self, name: &str) -> Result<usize, TableError> {
        let name = name.trim();
        let positions: Vec<usize> = self
            .headers
            .iter()
            .enumerate()
            .filter(|(_, h)| h.as_str() == name)
            .map(|(i, _)| i)
            .collect();
        match positions.as_slice() {
            [i] => Ok(*i),
            [] => Err(TableError::UnknownColumn {
                path: self.path.clone(),
                column: name.to_string(),
                available: self.headers.clone(),
            }),
            _ => Err(TableError::AmbiguousColumn {
                path: self.path.clone(),
                column: name.to_string(),
                positions: positions.iter().map(|i| i + 1).collect(),
            }),
        }
    }

    /// The column as numbers, one entry per row; missing markers are `None`.
    ///
    /// Any other cell that is not a number in the table's format is an error naming the first
    /// such cell (file, line, column, text) and counting the others.
    pub fn numeric(&self, name: &str) -> Result<Vec<Option<f64>>, TableError> {
        let col = self.column(name)?;
        let mut values = Vec::with_capacity(self.rows.len());
        let mut first_error: Option<(usize, NumberError)> = None;
        let mut more = 0;
        for row in &self.rows {
            let cell = row.cells.get(col).map_or("", String::as_str);
            match parse_number(cell, self.decimal) {
                Ok(v) => values.push(v),
                Err(e) => {
                    if first_error.is_none() {
                        first_error = Some((row.line, e));
                    } else {
                        more += 1;
                    }
                    values.push(None);
                }
            }
        }
        match first_error {
            None => Ok(values),
            Some((line, reason)) => Err(TableError::NotANumber {
                path: self.path.clone(),
                line,
                column: self.headers[col].clone(),
                position: col + 1,
                reason,
                more,
            }),
        }
    }

    /// The column as text, one entry per row; only empty cells are `None`.
    pub fn text(&self, name: &str) -> Result<Vec<Option<String>>, TableError> {
        let col = self.column(name)?;
        Ok(self
            .rows
            .iter()
            .map(|row| row.cells.get(col).filter(|c| !c.is_empty()).cloned())
            .collect())
    }

    /// A copy of the table with only the rows whose cell in `column` equals `value` (after trimming).
    ///
    /// This is how a long table becomes one row per key before a join: a GENESIS time series holds
    /// every Kreis once per year (`filter("column_1", "2019")`), the BKA table once per offence
    /// (`filter("Schluessel", "------")` for all offences).
    pub fn filter(&self, column: &str, value: &str) -> Result<Table, TableError> {
        let col = self.column(column)?;
        let value = value.trim();
        let rows = self
            .rows
            .iter()
            .filter(|r| r.cells.get(col).is_some_and(|c| c == value))
            .cloned()
            .collect();
        Ok(Table {
            rows,
            ..self.clone_without_rows()
        })
    }

    /// The table's metadata with no rows (avoids cloning rows that are about to be filtered).
    fn clone_without_rows(&self) -> Table {
        Table {
            path: self.path.clone(),
            headers: self.headers.clone(),
            rows: Vec::new(),
            delimiter: self.delimiter,
            encoding: self.encoding.clone(),
            decimal: self.decimal,
            header_line: self.header_line,
            skipped: self.skipped.clone(),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
