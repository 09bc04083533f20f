//! JSON tables: an array of flat objects, as statistics portals and npm data packages ship them
//! (`[{"AGS": "05358", "population": 264638}, ...]`).
//!
//! Headers are the keys in order of first appearance; a key missing from an object is an empty
//! (missing) cell.
//! Strings are kept exactly (keys keep their leading zeros), numbers are written as JSON wrote them
//! (so the table's decimal mark is `.`), booleans as `true`/`false`, `null` as an empty cell.
//! Nested arrays or objects are an error naming the line, because a table cell holds one value.
//! Each row's `line` is the line where its object starts, found by a small scan that skips strings.

use std::path::PathBuf;

use serde_json::Value;

use super::{Row, Table, TableError};

/// Line (1-based) on which each top-level array element starts.
fn element_lines(bytes: &[u8]) -> Vec<usize> {
    let mut lines = Vec::new();
    let (mut line, mut depth, mut in_string, mut escaped) = (1usize, 0usize, false, false);
    let mut expecting_element = false;
    for &b in bytes {
        if b == b'\n' {
            line += 1;
        }
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        if depth == 1 && expecting_element && !b.is_ascii_whitespace() && b != b']' {
            lines.push(line);
            expecting_element = false;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth == 1 {
                    expecting_element = true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b',' if depth == 1 => expecting_element = true,
            _ => {}
        }
    }
    lines
}

/// Parse a JSON array of flat objects into a [`Table`].
pub(super) fn parse(path: PathBuf, bytes: &[u8]) -> Result<Table, TableError> {
    let malformed = |line: usize, message: String| TableError::Json {
        path: path.clone(),
        line,
        message,
    };
    let text =
        std::str::from_utf8(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)).map_err(|e| {
            TableError::InvalidText {
                path: path.clone(),
                line: 1 + bytes[..e.valid_up_to()]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count(),
                encoding: "UTF-8".into(),
            }
        })?;
    let value: Value = serde_json::from_str(text)
        .map_err(|e| malformed(e.line(), format!("not valid JSON: {e}")))?;
    let Value::Array(items) = value else {
        return Err(malformed(
            1,
            "a JSON table must be an array of objects ([{\"key\": ..., \"value\": ...}, ...])"
                .into(),
        ));
    };
    if items.is_empty() {
        return Err(TableError::Empty { path });
    }
    let lines = element_lines(bytes);
    let line_of = |i: usize| lines.get(i).copied().unwrap_or(1);
    let mut headers: Vec<String> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Value::Object(map) = item else {
            return Err(malformed(
                line_of(i),
                format!("element {} is not an object", i + 1),
            ));
        };
        for key in map.keys() {
            if !headers.iter().any(|h| h == key) {
                headers.push(key.clone());
            }
        }
    }
    let mut rows = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let Value::Object(mut map) = item else {
            continue; // rejected above
        };
        let mut cells = Vec::with_capacity(headers.len());
        for h in &headers {
            let cell = match map.remove(h) {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.trim().to_string(),
                Some(Value::Number(n)) => n.to_string(),
                Some(Value::Bool(b)) => b.to_string(),
                Some(Value::Array(_) | Value::Object(_)) => {
                    return Err(malformed(
                        line_of(i),
                        format!(
                        "field {h:?} holds a nested array or object; a table cell holds one value"
                    ),
                    ))
                }
            };
            cells.push(cell);
        }
        rows.push(Row {
            line: line_of(i),
            cells,
        });
    }
    Ok(Table {
        path,
        headers,
        rows,
        delimiter: b',',
        encoding: "UTF-8".into(),
        decimal: '.',
        header_line: 1,
        skipped: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn element_lines_skip_strings_and_nesting() {
        let json = b"[\n  {\"a\": \"x,{]\"},\n  {\"a\": 1}\n]";
        assert_eq!(element_lines(json), vec![2, 3]);
    }

    #[test]
    fn nested_values_and_non_arrays_are_errors_with_lines() {
        let e = parse("t.json".into(), b"[\n{\"a\": 1},\n{\"a\": [1, 2]}\n]").unwrap_err();
        assert!(
            e.to_string().contains("line 3") && e.to_string().contains("\"a\""),
            "{e}"
        );
        let e = parse("t.json".into(), b"{\"a\": 1}").unwrap_err();
        assert!(e.to_string().contains("array of objects"), "{e}");
        let e = parse("t.json".into(), b"[1, 2]").unwrap_err();
        assert!(e.to_string().contains("element 1 is not an object"), "{e}");
        let e = parse("t.json".into(), b"[{\"a\": 1}").unwrap_err();
        assert!(e.to_string().contains("not valid JSON"), "{e}");
        assert!(matches!(
            parse("t.json".into(), b"[]"),
            Err(TableError::Empty { .. })
        ));
    }

    #[test]
    fn missing_keys_and_nulls_are_missing_cells() {
        let t = parse(
            "t.json".into(),
            b"[{\"k\": \"01\", \"v\": 1.5}, {\"k\": \"02\", \"v\": null}, {\"k\": \"03\"}]",
        )
        .unwrap();
        assert_eq!(t.headers, ["k", "v"]);
        assert_eq!(t.numeric("v").unwrap(), vec![Some(1.5), None, None]);
        assert_eq!(t.text("k").unwrap()[0].as_deref(), Some("01"));
    }
}
