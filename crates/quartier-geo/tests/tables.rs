//! Every table of `tests/fixtures/de_kreise_indicators` reads with detection alone, and Düren's
//! row (AGS `05358`) has the values pandas reads with explicit options
//! (`tests/reference/de_kreise_reference.py` -> `tests/fixtures/reference/de_kreise_duren.json`).
#![allow(clippy::unwrap_used)] // test helpers may panic: a failing fixture read is a failing test

use std::path::{Path, PathBuf};

use quartier_geo::table::{Table, TableOptions};
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

#[test]
fn every_kreise_table_reads_with_durens_values() {
    let reference: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("reference/de_kreise_duren.json")).unwrap(),
    )
    .unwrap();
    let files = reference["files"].as_object().unwrap();
    assert_eq!(files.len(), 7);
    for (name, r) in files {
        let path = fixtures().join("de_kreise_indicators").join(name);
        let table =
            Table::read(&path, &TableOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            table.rows.len() as u64,
            r["rows"].as_u64().unwrap(),
            "{name}"
        );
        let key = r["key"].as_str().unwrap();
        let keys = table.text(key).unwrap();
        let duren: Vec<usize> = keys
            .iter()
            .enumerate()
            .filter(|(_, k)| k.as_deref() == Some("05358"))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(duren.len(), 1, "{name}: Düren once");
        let row = duren[0];
        let mut compared = 0;
        for (column, expected) in r["duren_numeric"].as_object().unwrap() {
            if column.starts_with("Unnamed") {
                continue; // pandas' name for the unnamed index column; ours is column_1
            }
            let ours = table
                .numeric(column)
                .unwrap_or_else(|e| panic!("{name}: {e}"))[row];
            match expected.as_f64() {
                None => assert_eq!(ours, None, "{name} {column}"),
                Some(v) => {
                    let o = ours.unwrap_or_else(|| panic!("{name} {column}: missing"));
                    approx::assert_relative_eq!(o, v, max_relative = 1e-15);
                }
            }
            compared += 1;
        }
        // Columns pandas kept as text because other rows hold GENESIS markers ("-", "."): Düren's
        // cell is still a number, and ours parses it; the key and names stay text as written.
        for (column, text) in r["duren_text"].as_object().unwrap() {
            let text = text.as_str().unwrap();
            if column.starts_with("Unnamed") {
                continue;
            }
            assert_eq!(
                table.text(column).unwrap()[row].as_deref(),
                Some(text),
                "{name} {column}"
            );
            if let Ok(v) = text.parse::<f64>() {
                assert_eq!(
                    table.numeric(column).unwrap()[row],
                    Some(v),
                    "{name} {column}"
                );
                compared += 1;
            }
        }
        assert!(compared > 0, "{name}: nothing compared");
    }
}

#[test]
fn json_and_csv_versions_of_the_kreise_agree() {
    let csv = Table::read(
        &fixtures().join("de_kreise_indicators/districts.csv"),
        &TableOptions::default(),
    )
    .unwrap();
    let json = Table::read(
        &fixtures().join("de_kreise_indicators/districts.json"),
        &TableOptions::default(),
    )
    .unwrap();
    assert_eq!(csv.headers, json.headers);
    assert_eq!(csv.text("AGS").unwrap(), json.text("AGS").unwrap());
    assert_eq!(csv.text("name").unwrap(), json.text("name").unwrap());
    for column in ["area_km2", "population", "population_per_km2"] {
        assert_eq!(
            csv.numeric(column).unwrap(),
            json.numeric(column).unwrap(),
            "{column}"
        );
    }
    // Each JSON row knows the line its object starts on, for error messages.
    assert_eq!(json.rows[0].line, 2);
    assert_eq!(json.rows[1].line, 13);
}
