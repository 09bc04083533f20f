//! A small dBase III/IV reader for the attribute table of a shapefile.
//!
//! We read the `.dbf` ourselves instead of through the `dbase` crate because the importer needs
//! three things that crate hides: the raw bytes of every text field (to detect UTF-8 before
//! decoding), the language-driver byte, and errors that name the record and the field.
//! The format: a 32-byte header (record count, header length, record length, language driver at
//! byte 29), 32-byte field descriptors ended by `0x0D`, then fixed-width records, each starting
//! with a deletion flag.

use std::path::Path;

use super::codepage::Codepage;
use super::{Column, FieldKind, ImportError};
use crate::layer::AttributeValues;

/// One field descriptor.
#[derive(Debug, Clone)]
pub(crate) struct DbfField {
    /// The name's raw bytes (decoded with the table's codepage later).
    name: Vec<u8>,
    /// dBase type letter: `C`, `N`, `F`, `L`, `D`, `I`, `O`, `+`, `M`, ...
    kind: u8,
    /// Offset inside a record (after the deletion flag).
    offset: usize,
    /// Width in bytes.
    len: usize,
    /// Decimal places for `N`/`F`.
    decimals: u8,
}

/// A parsed DBF table that still holds the raw record bytes.
#[derive(Debug)]
pub(crate) struct Dbf<'a> {
    /// Language-driver id (header byte 29), `0` when not set.
    pub ldid: u8,
    fields: Vec<DbfField>,
    records: usize,
    data: &'a [u8],
    header_len: usize,
    record_len: usize,
}

/// Why the first bytes of a `.dbf` (`head`, at least the 32-byte header to be valid) cannot
/// start a table in a file of `len` bytes; checked before the rest of the file is read.
pub(crate) fn header_problem(head: &[u8], len: u64) -> Option<String> {
    if head.len() < 32 {
        return Some(format!(
            "the file is {len} bytes, too short for a DBF header (32 bytes)"
        ));
    }
    let header_len = u16::from_le_bytes([head[8], head[9]]);
    (header_len < 33 || u64::from(header_len) > len).then(|| {
        format!("the header says it is {header_len} bytes long, but the file has {len} bytes")
    })
}

/// Field types whose values are text in the file and that may carry non-ASCII bytes.
const TEXT_KINDS: &[u8] = b"CVW";

impl<'a> Dbf<'a> {
    /// Parse the header and field descriptors and check that the records are all there.
    pub fn parse(data: &'a [u8], path: &Path) -> Result<Dbf<'a>, ImportError> {
        let err = |record: Option<usize>, reason: String| ImportError::Dbf {
            path: path.to_path_buf(),
            record,
            reason,
        };
        if let Some(reason) = header_problem(data, data.len() as u64) {
            return Err(err(None, reason));
        }
        let records = u32::from_le_bytes([data[4], data[5], data[6], data[7]]) as usize;
        let header_len = u16::from_le_bytes([data[8], data[9]]) as usize;
        let record_len = u16::from_le_bytes([data[10], data[11]]) as usize;
        let ldid = data[29];
        let mut fields = Vec::new();
        let mut pos = 32;
        let mut offset = 1; // after the deletion flag
        loop {
            if pos >= header_len {
                return Err(err(
                    None,
                    "the field descriptors are not ended by 0x0D inside the header".to_string(),
                ));
            }
            if data[pos] == 0x0D {
                break;
            }
            if pos + 32 > header_len {
                return Err(err(
                    None,
                    format!(
                        "field descriptor {} is cut off by the end of the header",
                        fields.len() + 1
                    ),
                ));
            }
            let d = &data[pos..pos + 32];
            let name: Vec<u8> = d[..11].iter().copied().take_while(|&b| b != 0).collect();
            let number = fields.len() + 1;
            let shown = String::from_utf8_lossy(&name).into_owned();
            if name.is_empty() || name.iter().any(|&b| b < 0x20) {
                return Err(err(
                    None,
                    format!("field {number} has an empty or unreadable name {shown:?}"),
                ));
            }
            let kind = d[11];
            if !b"CNFLDIMOB+@GPTVWYQ0".contains(&kind) {
                return Err(err(
                    None,
                    format!(
                        "field {number} ({shown}) has an unknown type byte 0x{kind:02X} ({:?})",
                        kind as char
                    ),
                ));
            }
            // A field of width 0 (some exporters write them for empty columns) takes no bytes
            // in a record; like pyshp, read it as a field whose values are all missing.
            let len = d[16] as usize;
            fields.push(DbfField {
                name,
                kind,
                offset,
                len,
                decimals: d[17],
            });
            offset += len;
            pos += 32;
        }
        if offset != record_len {
            return Err(err(
                None,
                format!(
                    "the field widths add up to {offset} bytes per record (with the deletion flag) but the \
                     header says records are {record_len} bytes; the field definitions are broken"
                ),
            ));
        }
        let available = (data.len() - header_len) / record_len.max(1);
        if available < records {
            return Err(err(
                Some(available + 1),
                format!(
                    "the header announces {records} records but the file holds only {available} complete ones; \
                     it is truncated"
                ),
            ));
        }
        Ok(Dbf {
            ldid,
            fields,
            records,
            data,
            header_len,
            record_len,
        })
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.records
    }

    /// The raw bytes of field `f` in record `r` (both 0-based).
    fn raw(&self, r: usize, f: &DbfField) -> &'a [u8] {
        let start = self.header_len + r * self.record_len + f.offset;
        &self.data[start..start + f.len]
    }

    /// Whether every field name and every text value is valid UTF-8 (the detection rule).
    pub fn all_text_is_utf8(&self) -> bool {
        if self
            .fields
            .iter()
            .any(|f| std::str::from_utf8(&f.name).is_err())
        {
            return false;
        }
        let text: Vec<&DbfField> = self
            .fields
            .iter()
            .filter(|f| TEXT_KINDS.contains(&f.kind))
            .collect();
        (0..self.records).all(|r| {
            text.iter()
                .all(|f| std::str::from_utf8(self.raw(r, f)).is_ok())
        })
    }

    /// Whether any name or text value has a byte outside ASCII (when not, the codepage does not matter).
    pub fn has_non_ascii(&self) -> bool {
        if self.fields.iter().any(|f| !f.name.is_ascii()) {
            return true;
        }
        let text: Vec<&DbfField> = self
            .fields
            .iter()
            .filter(|f| TEXT_KINDS.contains(&f.kind))
            .collect();
        (0..self.records).any(|r| text.iter().any(|f| !self.raw(r, f).is_ascii()))
    }

    /// Decode every field into a column; `notes` collects values read as missing.
    pub fn columns(&self, codepage: Codepage, notes: &mut Vec<String>) -> Vec<Column> {
        let mut columns = Vec::with_capacity(self.fields.len());
        for f in &self.fields {
            let name = codepage.decode(&f.name).trim().to_string();
            if f.len == 0 {
                notes.push(format!(
                    "field {name} has width 0 in the .dbf, so it holds no values; all its values are missing"
                ));
            }
            let mut bad = 0usize;
            let mut first_bad = None;
            let (kind, values) = match f.kind {
                b'N' | b'F' => {
                    let kind = if f.decimals == 0 {
                        FieldKind::Integer
                    } else {
                        FieldKind::Number
                    };
                    let v = (0..self.records)
                        .map(|r| {
                            let raw = self.raw(r, f);
                            let value = parse_number(raw);
                            if value.is_none() && !is_blank_number(raw) {
                                bad += 1;
                                first_bad.get_or_insert_with(|| {
                                    (r + 1, String::from_utf8_lossy(raw).trim().to_string())
                                });
                            }
                            value
                        })
                        .collect();
                    (kind, AttributeValues::Number(v))
                }
                b'I' | b'+' => {
                    let v = (0..self.records)
                        .map(|r| {
                            let raw = self.raw(r, f);
                            raw.try_into()
                                .ok()
                                .map(|b: [u8; 4]| f64::from(i32::from_le_bytes(b)))
                        })
                        .collect();
                    (FieldKind::Integer, AttributeValues::Number(v))
                }
                b'O' => {
                    let v = (0..self.records)
                        .map(|r| {
                            self.raw(r, f)
                                .try_into()
                                .ok()
                                .map(f64::from_le_bytes)
                                .filter(|x| x.is_finite())
                        })
                        .collect();
                    (FieldKind::Number, AttributeValues::Number(v))
                }
                b'L' => {
                    let v = (0..self.records)
                        .map(|r| match self.raw(r, f).first() {
                            Some(b'T' | b't' | b'Y' | b'y') => Some("true".to_string()),
                            Some(b'F' | b'f' | b'N' | b'n') => Some("false".to_string()),
                            _ => None,
                        })
                        .collect();
                    (FieldKind::Logical, AttributeValues::Text(v))
                }
                b'D' => {
                    let v = (0..self.records)
                        .map(|r| parse_date(self.raw(r, f)))
                        .collect();
                    (FieldKind::Date, AttributeValues::Text(v))
                }
                k if TEXT_KINDS.contains(&k) => {
                    let v = (0..self.records)
                        .map(|r| {
                            let raw = self.raw(r, f);
                            let end = raw
                                .iter()
                                .rposition(|&b| b != b' ' && b != 0)
                                .map_or(0, |p| p + 1);
                            let start = raw[..end].iter().position(|&b| b != b' ').unwrap_or(end);
                            (start < end).then(|| codepage.decode(&raw[start..end]).into_owned())
                        })
                        .collect();
                    (FieldKind::Text, AttributeValues::Text(v))
                }
                other => {
                    notes.push(format!(
                        "field {name} has dBase type {:?} (memo, binary or timestamp), which is not read; all its values are missing",
                        other as char
                    ));
                    (
                        FieldKind::Text,
                        AttributeValues::Text(vec![None; self.records]),
                    )
                }
            };
            if let Some((record, value)) = first_bad {
                notes.push(format!(
                    "field {name}: {bad} values are not numbers (first: {value:?} in record {record}); read as missing"
                ));
            }
            columns.push(Column { name, kind, values });
        }
        columns
    }
}

/// A DBF numeric field: blanks, `*` (overflow) and unparsable text are missing.
fn parse_number(raw: &[u8]) -> Option<f64> {
    let text = std::str::from_utf8(raw)
        .ok()?
        .trim_matches(|c: char| c == ' ' || c == '\0');
    if text.is_empty() {
        return None;
    }
    text.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// Values that mean "no value" in a numeric field and are not worth a note.
fn is_blank_number(raw: &[u8]) -> bool {
    raw.iter()
        .all(|&b| matches!(b, b' ' | b'\0' | b'*' | b'?' | b'-'))
}

/// A DBF date `YYYYMMDD` as ISO `YYYY-MM-DD`; blanks are missing.
fn parse_date(raw: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(raw).ok()?.trim();
    if text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()) && text != "00000000" {
        Some(format!("{}-{}-{}", &text[..4], &text[4..6], &text[6..]))
    } else if text.is_empty() {
        None
    } else {
        Some(text.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Build a DBF in memory: fields as (name, type, width, decimals), records as field texts.
    pub(crate) fn build(
        fields: &[(&str, u8, u8, u8)],
        records: &[Vec<&[u8]>],
        ldid: u8,
    ) -> Vec<u8> {
        let header_len = 32 + 32 * fields.len() + 1;
        let record_len = 1 + fields.iter().map(|f| f.2 as usize).sum::<usize>();
        let mut out = vec![0u8; 32];
        out[0] = 3;
        out[4..8].copy_from_slice(&(records.len() as u32).to_le_bytes());
        out[8..10].copy_from_slice(&(header_len as u16).to_le_bytes());
        out[10..12].copy_from_slice(&(record_len as u16).to_le_bytes());
        out[29] = ldid;
        for (name, kind, len, dec) in fields {
            let mut d = [0u8; 32];
            d[..name.len()].copy_from_slice(name.as_bytes());
            d[11] = *kind;
            d[16] = *len;
            d[17] = *dec;
            out.extend_from_slice(&d);
        }
        out.push(0x0D);
        for rec in records {
            out.push(b' ');
            for (value, f) in rec.iter().zip(fields) {
                let mut cell = vec![b' '; f.2 as usize];
                cell[..value.len()].copy_from_slice(value);
                out.extend_from_slice(&cell);
            }
        }
        out.push(0x1A);
        out
    }

    #[test]
    fn numbers_keep_missing_and_text_is_trimmed() {
        let data = build(
            &[
                ("AGS", b'C', 5, 0),
                ("POP", b'N', 8, 0),
                ("RATE", b'N', 6, 2),
                ("DAY", b'D', 8, 0),
                ("OK", b'L', 1, 0),
            ],
            &[
                vec![b"05358", b"  263722", b"  1.50", b"20181231", b"T"],
                vec![b"05370", b"", b"abc", b"", b"?"],
            ],
            0,
        );
        let dbf = Dbf::parse(&data, Path::new("t.dbf")).unwrap();
        assert_eq!(dbf.len(), 2);
        let mut notes = Vec::new();
        let cols = dbf.columns(Codepage::UTF8, &mut notes);
        assert_eq!(
            cols[0].values,
            AttributeValues::Text(vec![Some("05358".into()), Some("05370".into())])
        );
        assert_eq!(cols[1].kind, FieldKind::Integer);
        assert_eq!(
            cols[1].values,
            AttributeValues::Number(vec![Some(263722.0), None])
        );
        assert_eq!(cols[2].kind, FieldKind::Number);
        assert_eq!(
            cols[2].values,
            AttributeValues::Number(vec![Some(1.5), None])
        );
        assert_eq!(
            cols[3].values,
            AttributeValues::Text(vec![Some("2018-12-31".into()), None])
        );
        assert_eq!(
            cols[4].values,
            AttributeValues::Text(vec![Some("true".into()), None])
        );
        assert_eq!(notes.len(), 1);
        assert!(notes[0].contains("\"abc\" in record 2"), "{notes:?}");
    }

    #[test]
    fn broken_headers_are_errors() {
        let good = build(&[("NAME", b'C', 10, 0)], &[vec![b"x"]], 0);
        // Record length in the header does not match the field widths.
        let mut bad = good.clone();
        bad[10] = 20;
        let e = Dbf::parse(&bad, Path::new("t.dbf"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("field definitions are broken"), "{e}");
        // Unknown type byte.
        let mut bad = good.clone();
        bad[32 + 11] = b'Z';
        let e = Dbf::parse(&bad, Path::new("t.dbf"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown type byte 0x5A"), "{e}");
        // Fewer records than announced.
        let mut bad = good.clone();
        bad[4] = 3;
        let e = Dbf::parse(&bad, Path::new("t.dbf"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("announces 3 records but the file holds only 1"),
            "{e}"
        );
        // Too short.
        assert!(Dbf::parse(&good[..10], Path::new("t.dbf")).is_err());
        // Every truncation of a valid file is an error or a valid parse, never a panic.
        for n in 0..good.len() {
            let _ = Dbf::parse(&good[..n], Path::new("t.dbf"));
        }
    }

    #[test]
    fn utf8_detection_looks_at_all_text() {
        let utf8 = build(
            &[("N", b'C', 20, 0)],
            &[vec!["Bezirk Bülach".as_bytes()]],
            0,
        );
        let dbf = Dbf::parse(&utf8, Path::new("t.dbf")).unwrap();
        assert!(dbf.all_text_is_utf8() && dbf.has_non_ascii());
        let latin = build(&[("N", b'C', 20, 0)], &[vec![b"Alto da Na\xe7\xe3o"]], 0);
        let dbf = Dbf::parse(&latin, Path::new("t.dbf")).unwrap();
        assert!(!dbf.all_text_is_utf8());
        let mut notes = Vec::new();
        let cols = dbf.columns(Codepage::CP1252, &mut notes);
        assert_eq!(
            cols[0].values,
            AttributeValues::Text(vec![Some("Alto da Nação".into())])
        );
    }
}
