//! The detection rules of [`crate::table`]: encoding, delimiter, header and footnotes, decimal separator.
//!
//! Each function implements one numbered rule of the module docs, so that the docs and the code can be
//! read side by side.

use std::collections::HashMap;
use std::path::Path;

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

use super::number::{decimal_hint, is_missing, looks_numeric, DecimalHint};
use super::{Row, SkipKind, Skipped, TableError};
use crate::limits::echo;

/// How many rows the delimiter detection looks at.
const DELIMITER_SAMPLE_ROWS: usize = 1000;

/// Candidate delimiters, in tie-breaking order.
const DELIMITERS: [u8; 3] = [b';', b'\t', b','];

/// One parsed record: its first line and its trimmed cells.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub line: usize,
    pub cells: Vec<String>,
}

impl Record {
    fn non_empty(&self) -> usize {
        self.cells.iter().filter(|c| !c.is_empty()).count()
    }
}

/// 1-based line number of byte offset `at` in `bytes`.
fn line_of(bytes: &[u8], at: usize) -> usize {
    bytes[..at.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Decodes the file: the encoding rules 1-3, or the override.
pub(crate) fn decode(
    path: &Path,
    bytes: &[u8],
    label: Option<&str>,
) -> Result<(String, &'static Encoding), TableError> {
    let encoding = match label {
        Some(label) => Some(Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
            TableError::UnknownEncoding {
                path: path.to_path_buf(),
                label: label.to_string(),
            }
        })?),
        None => None,
    };
    // Rule 1 (and for an override: a mark of the same encoding is removed).
    let (encoding, body) = match (encoding, Encoding::for_bom(bytes)) {
        (None, Some((enc, bom))) => (enc, &bytes[bom..]),
        (Some(enc), Some((bom_enc, bom))) if enc == bom_enc => (enc, &bytes[bom..]),
        (Some(enc), _) => (enc, bytes),
        // Rules 2 and 3.
        (None, None) => match std::str::from_utf8(bytes) {
            Ok(text) => return Ok((text.to_string(), UTF_8)),
            Err(_) => (WINDOWS_1252, bytes),
        },
    };
    if encoding == UTF_8 {
        return match std::str::from_utf8(body) {
            Ok(text) => Ok((text.to_string(), UTF_8)),
            Err(e) => Err(TableError::InvalidText {
                path: path.to_path_buf(),
                line: line_of(body, e.valid_up_to()),
                encoding: UTF_8.name().to_string(),
            }),
        };
    }
    let (text, had_errors) = encoding.decode_without_bom_handling(body);
    if had_errors {
        let at = text.find('\u{fffd}').unwrap_or(0);
        return Err(TableError::InvalidText {
            path: path.to_path_buf(),
            line: line_of(text.as_bytes(), at),
            encoding: encoding.name().to_string(),
        });
    }
    Ok((text.into_owned(), encoding))
}

/// Excel's `sep=;` first line: the delimiter it names and the rest of the text.
pub(crate) fn excel_sep_line(text: &str) -> Option<u8> {
    let first = text.lines().next()?.trim();
    let rest = first.strip_prefix("sep=")?;
    match rest.as_bytes() {
        [b] if b.is_ascii() => Some(*b),
        [] => None,
        _ if rest == "\\t" => Some(b'\t'),
        _ => None,
    }
}

/// Parses the text into trimmed records; `limit` stops early (for detection).
pub(crate) fn records(
    path: &Path,
    text: &str,
    delimiter: u8,
    limit: Option<usize>,
) -> Result<Vec<Record>, TableError> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    let mut record = csv::StringRecord::new();
    // Line numbers are counted here from byte offsets: the csv crate's own line count skips blank
    // lines and counts CRLF late, and its offsets point before the line breaks that precede a record.
    let bytes = text.as_bytes();
    let (mut counted_to, mut line) = (0usize, 1usize);
    loop {
        if limit.is_some_and(|l| out.len() >= l) {
            break;
        }
        match reader.read_record(&mut record) {
            Ok(true) => {
                let mut start = record
                    .position()
                    .map_or(counted_to, |p| {
                        usize::try_from(p.byte()).unwrap_or(usize::MAX)
                    })
                    .clamp(counted_to, bytes.len());
                while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
                    start += 1;
                }
                line += bytes[counted_to..start]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                counted_to = start;
                out.push(Record {
                    line,
                    cells: record.iter().map(|c| c.trim().to_string()).collect(),
                });
            }
            Ok(false) => break,
            Err(e) => {
                let at = e.position().map_or(counted_to, |p| {
                    usize::try_from(p.byte()).unwrap_or(usize::MAX)
                });
                return Err(TableError::Csv {
                    path: path.to_path_buf(),
                    line: line_of(bytes, at),
                    message: e.to_string(),
                });
            }
        }
    }
    Ok(out)
}

/// The most common value and how often it occurs; ties go to the larger value if `prefer_larger`,
/// else to the smaller.
fn mode(counts: impl Iterator<Item = usize>, prefer_larger: bool) -> Option<(usize, usize)> {
    let mut freq: HashMap<usize, usize> = HashMap::new();
    for c in counts {
        *freq.entry(c).or_default() += 1;
    }
    freq.into_iter().max_by_key(|&(value, n)| {
        let tie = if prefer_larger {
            value
        } else {
            usize::MAX - value
        };
        (n, tie)
    })
}

/// Delimiter rule 2: the candidate giving the most rows of one field count (at least two).
pub(crate) fn detect_delimiter(path: &Path, text: &str) -> Result<u8, TableError> {
    let mut best: Option<(usize, usize, u8)> = None; // (rows agreeing, width, delimiter)
    for &d in &DELIMITERS {
        let recs = records(path, text, d, Some(DELIMITER_SAMPLE_ROWS))?;
        let Some((width, agreeing)) =
            mode(recs.iter().map(|r| r.cells.len()).filter(|&n| n >= 2), true)
        else {
            continue;
        };
        let better = match best {
            None => true,
            Some((a, w, _)) => (agreeing, width) > (a, w),
        };
        if better {
            best = Some((agreeing, width, d));
        }
    }
    // A single-column file: any delimiter reads it the same way.
    Ok(best.map_or(b',', |(_, _, d)| d))
}

/// Whether a row has `width` fields, not counting extra trailing empty ones.
fn fits(cells: &[String], width: usize) -> bool {
    cells.len() >= width && cells[width..].iter().all(String::is_empty)
}

/// Rule 1: the most common field count among rows with at least two non-empty cells (ties go to the
/// smaller count, since extra trailing empty fields are tolerated); 1 when there are none.
fn detected_width(records: &[Record]) -> usize {
    let wide = records.iter().filter(|r| r.non_empty() >= 2);
    mode(wide.map(|r| r.cells.len()), false).map_or(1, |(w, _)| w)
}

/// Whether a cell is text: non-empty, not a missing marker, not a number.
fn is_text(cell: &str) -> bool {
    !cell.is_empty() && !is_missing(cell) && !looks_numeric(cell)
}

/// The split of the records into titles, header, data and footnotes.
#[derive(Debug)]
pub(crate) struct Layout {
    pub header_line: usize,
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
    pub skipped: Vec<Skipped>,
}

/// The text of a skipped record, for the report.
fn skipped_text(cells: &[String], delimiter: u8) -> String {
    let sep = char::from(delimiter).to_string();
    let last = cells
        .iter()
        .rposition(|c| !c.is_empty())
        .map_or(0, |i| i + 1);
    cells[..last].join(&sep)
}

/// Rule 4's exception: a cut-off last line. `complete` says whether the text ends with a line
/// break; `last` is the index of the last data row (rule 4), `width` the header's width.
///
/// The last non-empty record is cut off when the file does not end with a line break, the record
/// lies below the header and has fewer fields than the header, and either it has at least two
/// fields (a footnote has one) or it directly follows the last data row (a cut in the first field).
/// A real footnote glued to the data without a final line break is refused too; the message says
/// to add the line break.
fn truncated_row(
    path: &Path,
    records: &[Record],
    header_idx: usize,
    last: usize,
    width: usize,
    complete: bool,
) -> Result<(), TableError> {
    if complete || width < 2 {
        return Ok(());
    }
    let Some(end) = records.iter().rposition(|r| r.non_empty() > 0) else {
        return Ok(());
    };
    let row = &records[end];
    let adjacent = end == last + 1 && row.line == records[last].line + 1;
    let cut = end > header_idx && row.cells.len() < width && (row.cells.len() >= 2 || adjacent);
    if cut {
        return Err(TableError::Truncated {
            path: path.to_path_buf(),
            line: row.line,
            found: row.cells.len(),
            expected: width,
        });
    }
    Ok(())
}

/// Header and data rules 1-6.
pub(crate) fn layout(
    path: &Path,
    mut records: Vec<Record>,
    header_row: Option<usize>,
    delimiter: u8,
    complete: bool,
) -> Result<Layout, TableError> {
    if records.iter().all(|r| r.non_empty() == 0) {
        return Err(TableError::Empty {
            path: path.to_path_buf(),
        });
    }
    let table_width = detected_width(&records);
    let header_idx = match header_row {
        Some(line) => records
            .iter()
            .position(|r| r.line == line && r.non_empty() > 0)
            .ok_or_else(|| TableError::BadHeaderRow {
                path: path.to_path_buf(),
                line,
                last_line: records.last().map_or(0, |r| r.line),
            })?,
        None => {
            // Rule 2: the first row of that width that reads like a header.
            let min_cells = table_width.min(2);
            records
                .iter()
                .position(|r| {
                    fits(&r.cells, table_width)
                        && r.non_empty() >= min_cells
                        && r.cells.iter().any(|c| is_text(c))
                })
                .ok_or_else(|| TableError::NoHeader {
                    path: path.to_path_buf(),
                    width: table_width,
                })?
        }
    };
    let header = &records[header_idx];
    // The header's width: the table's width (rule 1), but never cutting off a named column, and
    // without trailing empty header cells beyond it.
    let named = header
        .cells
        .iter()
        .rposition(|c| !c.is_empty())
        .map_or(1, |i| i + 1);
    let width = named.max(table_width.min(header.cells.len()));
    let header_line = header.line;
    // Rule 3: names for empty header cells.
    let headers: Vec<String> = header.cells[..width]
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if c.is_empty() {
                format!("column_{}", i + 1)
            } else {
                c.clone()
            }
        })
        .collect();

    // Rule 4: the data ends at the last row with at least two non-empty cells.
    let min_cells = width.min(2);
    let Some(last) = records[header_idx + 1..]
        .iter()
        .rposition(|r| r.non_empty() >= min_cells)
        .map(|i| header_idx + 1 + i)
    else {
        return Err(TableError::NoRows {
            path: path.to_path_buf(),
            header_line,
        });
    };
    truncated_row(path, &records, header_idx, last, width, complete)?;
    // Rule 5 first, so that the records can then be moved into rows without copying.
    if let Some(r) = records[header_idx + 1..=last]
        .iter()
        .find(|r| r.non_empty() > 0 && !fits(&r.cells, width))
    {
        return Err(TableError::RaggedRow {
            path: path.to_path_buf(),
            line: r.line,
            found: r.cells.len(),
            expected: width,
            header_line,
        });
    }
    let skip = |r: &Record, kind| {
        (r.non_empty() > 0).then(|| Skipped {
            line: r.line,
            kind,
            text: echo(&skipped_text(&r.cells, delimiter)),
        })
    };
    let mut skipped: Vec<Skipped> = records[..header_idx]
        .iter()
        .filter_map(|r| skip(r, SkipKind::Title))
        .collect();
    skipped.extend(
        records[last + 1..]
            .iter()
            .filter_map(|r| skip(r, SkipKind::Footnote)),
    );
    records.truncate(last + 1);
    let rows = records
        .drain(header_idx + 1..)
        .filter(|r| r.non_empty() > 0)
        .map(|mut r| {
            // Extra trailing empty fields are dropped.
            r.cells.truncate(width);
            Row {
                line: r.line,
                cells: r.cells,
            }
        })
        .collect();
    Ok(Layout {
        header_line,
        headers,
        rows,
        skipped,
    })
}

/// Decimal rule: the votes of the number-like cells, with the delimiter as tie-breaker.
pub(crate) fn detect_decimal(rows: &[Row], delimiter: u8) -> char {
    let (mut comma, mut dot) = (0usize, 0usize);
    for cell in rows.iter().flat_map(|r| r.cells.iter()) {
        match decimal_hint(cell) {
            DecimalHint::Decimal(',') => comma += 1,
            DecimalHint::Decimal(_) => dot += 1,
            DecimalHint::Ambiguous | DecimalHint::NotNumeric => {}
        }
    }
    match comma.cmp(&dot) {
        std::cmp::Ordering::Greater => ',',
        std::cmp::Ordering::Less => '.',
        std::cmp::Ordering::Equal if delimiter == b';' => ',',
        std::cmp::Ordering::Equal => '.',
    }
}
