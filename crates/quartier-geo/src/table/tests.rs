//! Tests of the table reader on the real exports in `tests/fixtures/`, compared with pandas
//! (`tests/reference/tables_reference.py` -> `tests/fixtures/reference/tables_reference.json`),
//! plus small inline inputs for the detection rules and bad input.

use std::path::PathBuf;

use serde_json::Value;

use super::number::{decimal_hint, DecimalHint};
use super::*;

/// A file under `tests/fixtures/` (shared with the join tests).
pub(crate) fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(rel)
}

/// `tests/fixtures/reference/tables_reference.json`, written by pandas.
pub(crate) fn reference() -> Value {
    let text = std::fs::read_to_string(fixture("reference/tables_reference.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// A fixture table read with detection only.
pub(crate) fn read(rel: &str) -> Table {
    Table::read(&fixture(rel), &TableOptions::default()).unwrap()
}

fn inline(text: &str) -> Result<Table, TableError> {
    Table::from_bytes("inline.csv", text.as_bytes(), &TableOptions::default())
}

const GENESIS: &str = "de_kreise_indicators/raw_latin1/12411-05-01-4.csv";
const BKA: &str = "de_kreise_indicators/raw_latin1/KR-F-01-T01-Kreise-Faelle-HZ_csv.csv";

/// A JSON number or null as `Option<f64>`.
fn opt(v: &Value) -> Option<f64> {
    v.as_f64()
}

// --- GENESIS 12411-05-01-4: Latin-1, `;`, 6 title rows, a header with empty cells, footnotes ---

#[test]
fn genesis_layout_is_detected() {
    let r = &reference()["genesis"];
    let t = read(GENESIS);
    assert_eq!(t.encoding, "windows-1252");
    assert_eq!(t.delimiter, b';');
    assert_eq!(t.decimal, ',');
    assert_eq!(t.header_line as u64, r["header_line"].as_u64().unwrap());
    assert_eq!(
        t.headers,
        [
            "column_1",
            "column_2",
            "column_3",
            "Insgesamt",
            "männlich",
            "weiblich"
        ]
    );
    assert_eq!(t.rows.len() as u64, r["data_rows"].as_u64().unwrap());
    assert_eq!(
        t.rows[0].line as u64,
        r["first_data_line"].as_u64().unwrap()
    );
    let last = t.rows.last().unwrap().line as u64;
    assert_eq!(last, r["last_data_line"].as_u64().unwrap());

    let titles: Vec<&Skipped> = t
        .skipped
        .iter()
        .filter(|s| s.kind == SkipKind::Title)
        .collect();
    assert_eq!(
        titles.iter().map(|s| s.line).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5, 6]
    );
    assert_eq!(titles[0].text, "GENESIS-Tabelle: 12411-05-01-4");
    assert_eq!(
        titles[1].text,
        "Durchschnittliche Jahresbevölkerung nach Geschlecht -"
    );
    let notes: Vec<&Skipped> = t
        .skipped
        .iter()
        .filter(|s| s.kind == SkipKind::Footnote)
        .collect();
    // The footnotes start right after the last data row, with GENESIS' rule line.
    assert_eq!(notes[0].line as u64, last + 1);
    assert_eq!(notes[0].text, "__________");
    assert!(notes
        .iter()
        .any(|s| s.text.starts_with("© Statistische Ämter")));
    assert_eq!(notes.last().unwrap().text, "Stand: 20.08.2021 / 09:42:26");
}

#[test]
fn genesis_rows_match_pandas() {
    let r = &reference()["genesis"];
    let t = read(GENESIS);
    let total = t.numeric("Insgesamt").unwrap();
    let male = t.numeric("männlich").unwrap();
    let female = t.numeric("weiblich").unwrap();
    let picked = r["rows"].as_array().unwrap();
    assert!(
        picked.len() >= 15,
        "the reference picks rows of three years"
    );
    for p in picked {
        let line = p["line"].as_u64().unwrap() as usize;
        let i = t.rows.iter().position(|row| row.line == line).unwrap();
        let row = &t.rows[i];
        assert_eq!(row.cells[0], p["year"].as_str().unwrap(), "line {line}");
        assert_eq!(row.cells[1], p["ags"].as_str().unwrap(), "line {line}");
        assert_eq!(row.cells[2], p["name"].as_str().unwrap(), "line {line}");
        assert_eq!(total[i], opt(&p["Insgesamt"]), "line {line}");
        assert_eq!(male[i], opt(&p["männlich"]), "line {line}");
        assert_eq!(female[i], opt(&p["weiblich"]), "line {line}");
    }
}

#[test]
fn genesis_every_year_matches_pandas() {
    let r = &reference()["genesis"]["per_year"];
    let t = read(GENESIS);
    let years = r.as_object().unwrap();
    assert_eq!(years.len(), 25); // 1995-2019
    for (year, expect) in years {
        let y = t.filter("column_1", year).unwrap();
        let total = y.numeric("Insgesamt").unwrap();
        let female = y.numeric("weiblich").unwrap();
        let ags = y.text("column_2").unwrap();
        assert_eq!(
            y.rows.len() as u64,
            expect["rows"].as_u64().unwrap(),
            "{year}"
        );
        let missing = total.iter().filter(|v| v.is_none()).count() as u64;
        assert_eq!(
            missing,
            expect["missing_insgesamt"].as_u64().unwrap(),
            "{year}"
        );
        let kreise: Vec<usize> = (0..y.rows.len())
            .filter(|&i| ags[i].as_deref().is_some_and(|a| a.len() == 5))
            .collect();
        assert_eq!(kreise.len() as u64, expect["kreise_rows"].as_u64().unwrap());
        let sum = |v: &[Option<f64>]| kreise.iter().filter_map(|&i| v[i]).sum::<f64>();
        assert_eq!(
            sum(&total),
            expect["kreise_sum_insgesamt"].as_f64().unwrap(),
            "{year}"
        );
        assert_eq!(
            sum(&female),
            expect["kreise_sum_weiblich"].as_f64().unwrap(),
            "{year}"
        );
    }
}

/// Düren (AGS 05358) in the Latin-1 GENESIS export, the acceptance test.
#[test]
fn genesis_duren_2019() {
    let t = read(GENESIS).filter("column_1", "2019").unwrap();
    let i = t.rows.iter().position(|r| r.cells[1] == "05358").unwrap();
    let row = &t.rows[i];
    // Read off the file with `iconv -f latin1 | grep 05358`, line 106:
    // `2019;05358;      Düren, Kreis;264180;131063;133117`; pandas agrees (genesis_rows_match_pandas).
    assert_eq!(row.line, 106);
    assert_eq!(row.cells[2], "Düren, Kreis");
    assert_eq!(t.numeric("Insgesamt").unwrap()[i], Some(264180.0));
    assert_eq!(t.numeric("männlich").unwrap()[i], Some(131063.0));
    assert_eq!(t.numeric("weiblich").unwrap()[i], Some(133117.0));
    // The same number in another source: lp_population.csv, population_2019.
    let lp = read("de_kreise_indicators/lp_population.csv");
    let j = lp.rows.iter().position(|r| r.cells[1] == "05358").unwrap();
    assert_eq!(lp.numeric("population_2019").unwrap()[j], Some(264180.0));
}

/// GENESIS against lp_population.csv for every Kreis and year both have (2008-2019).
#[test]
fn genesis_agrees_with_lp_population() {
    let r = &reference()["lp_population_vs_genesis"];
    let g = read(GENESIS);
    let lp = read("de_kreise_indicators/lp_population.csv");
    assert_eq!(lp.headers[0], "column_1"); // pandas' unnamed index column
    assert_eq!(lp.rows.len() as u64, r["rows"].as_u64().unwrap());
    let lp_keys = lp.text("kreis_key").unwrap();
    let (mut compared, mut both_missing) = (0u64, 0u64);
    let mut differ = Vec::new();
    for year in 2008..=2019 {
        let gy = g.filter("column_1", &year.to_string()).unwrap();
        let g_keys = gy.text("column_2").unwrap();
        let g_vals = gy.numeric("Insgesamt").unwrap();
        let lp_vals = lp.numeric(&format!("population_{year}")).unwrap();
        for (k, lp_v) in lp_keys.iter().zip(&lp_vals) {
            let Some(gi) = g_keys.iter().position(|gk| gk == k) else {
                continue;
            };
            compared += 1;
            match (g_vals[gi], *lp_v) {
                (None, None) => both_missing += 1,
                (a, b) if a == b => {}
                (a, b) => differ.push(serde_json::json!([year, k, a, b])),
            }
        }
    }
    assert_eq!(compared, r["compared"].as_u64().unwrap());
    assert_eq!(both_missing, r["both_missing"].as_u64().unwrap());
    assert_eq!(Value::Array(differ), r["differ"]);
}

// --- BKA PKS 2019: Latin-1, `;`, English number format, a row of column numbers above the header ---

#[test]
fn bka_layout_and_duren() {
    let r = &reference()["bka"];
    let t = read(BKA);
    assert_eq!(t.encoding, "windows-1252");
    assert_eq!(t.delimiter, b';');
    assert_eq!(t.decimal, '.'); // `8,380` and `7.1`: thousands comma, decimal point
    assert_eq!(t.header_line as u64, r["header_line"].as_u64().unwrap());
    assert_eq!(t.headers.len() as u64, r["columns"].as_u64().unwrap());
    let named: Vec<Value> = t.headers[..18]
        .iter()
        .map(|h| Value::from(h.as_str()))
        .collect();
    assert_eq!(Value::Array(named), r["header"]);
    assert_eq!(
        t.headers[18..],
        [
            "column_19",
            "column_20",
            "column_21",
            "column_22",
            "column_23"
        ]
    );
    assert_eq!(t.rows.len() as u64, r["data_rows"].as_u64().unwrap());
    assert_eq!(t.skipped.len(), 1);
    assert_eq!(t.skipped[0].line, 1);
    assert_eq!(t.skipped[0].kind, SkipKind::Title);

    let total = t.filter("Schluessel", "------").unwrap();
    assert_eq!(total.rows.len() as u64, r["total_rows"].as_u64().unwrap());
    let d = &r["duren_total"];
    let i = total
        .rows
        .iter()
        .position(|row| row.cells[2] == "5358")
        .unwrap();
    assert_eq!(total.rows[i].line as u64, d["line"].as_u64().unwrap());
    assert_eq!(total.rows[i].cells[1], d["Straftat"].as_str().unwrap());
    assert_eq!(
        total.rows[i].cells[3],
        d["Stadt-/Landkreis"].as_str().unwrap()
    );
    for col in [
        "Anzahl erfasste Faelle",
        "Haeufigkeitszahl",
        "Aufklaerungsquote",
        "erfasste Faelle, davon Versuche - Anteil in %",
        "column_23",
    ] {
        assert_eq!(total.numeric(col).unwrap()[i], opt(&d[col]), "{col}");
    }
    // The Häufigkeitszahl is cases per 100,000 inhabitants (column 23): 15,691 / 264,638 * 1e5.
    let cases = total.numeric("Anzahl erfasste Faelle").unwrap()[i].unwrap();
    let people = total.numeric("column_23").unwrap()[i].unwrap();
    let hz = total.numeric("Haeufigkeitszahl").unwrap()[i].unwrap();
    assert_eq!((cases / people * 1e5).round(), hz);

    let sum = |c: &str| total.numeric(c).unwrap().iter().flatten().sum::<f64>();
    assert_eq!(
        sum("Anzahl erfasste Faelle"),
        r["total_sum_faelle"].as_f64().unwrap()
    );
    assert_eq!(sum("column_23"), r["total_sum_column_23"].as_f64().unwrap());
}

// --- UTF-8 tables ---

#[test]
fn districts_csv_keeps_leading_zeros() {
    let r = &reference()["districts"];
    let t = read("de_kreise_indicators/districts.csv");
    assert_eq!(t.encoding, "UTF-8");
    assert_eq!(t.delimiter, b';');
    assert_eq!(t.decimal, '.'); // `941.49` in a `;` table
    assert!(t.skipped.is_empty());
    assert_eq!(t.rows.len() as u64, r["rows"].as_u64().unwrap());
    let ags = t.text("AGS").unwrap();
    let first: Vec<Value> = ags[..3].iter().map(|a| Value::from(a.as_deref())).collect();
    assert_eq!(Value::Array(first), r["first_ags"]);
    let d = &r["duren"];
    let i = ags
        .iter()
        .position(|a| a.as_deref() == Some("05358"))
        .unwrap();
    assert_eq!(t.rows[i].line as u64, d["line"].as_u64().unwrap());
    assert_eq!(t.rows[i].cells[2], d["name"].as_str().unwrap());
    for col in ["area_km2", "population", "population_per_km2"] {
        assert_eq!(t.numeric(col).unwrap()[i], opt(&d[col]), "{col}");
    }
    let pop: f64 = t.numeric("population").unwrap().iter().flatten().sum();
    assert_eq!(pop, r["sum_population"].as_f64().unwrap());
    let area: f64 = t.numeric("area_km2").unwrap().iter().flatten().sum();
    approx::assert_relative_eq!(
        area,
        r["sum_area_km2"].as_f64().unwrap(),
        max_relative = 1e-12
    );
}

#[test]
fn montreal_election_with_accents() {
    let r = &reference()["election"];
    let t = read("montreal_districts/election.csv");
    assert_eq!(t.encoding, "UTF-8");
    assert_eq!(t.delimiter, b',');
    assert_eq!(t.header_line, 1);
    let headers: Vec<Value> = t.headers.iter().map(|h| Value::from(h.as_str())).collect();
    assert_eq!(Value::Array(headers), r["headers"]);
    assert_eq!(t.rows.len() as u64, r["rows"].as_u64().unwrap());
    let names = t.text("district").unwrap();
    let d = &r["district_32"];
    let i = t.rows.iter().position(|row| row.cells[7] == "32").unwrap();
    assert_eq!(names[i].as_deref(), d["district"].as_str()); // "32-Côte-des-Neiges"
    assert_eq!(
        t.text("winner").unwrap()[i].as_deref(),
        d["winner"].as_str()
    );
    for col in ["Coderre", "Bergeron", "Joly", "total"] {
        assert_eq!(t.numeric(col).unwrap()[i], opt(&d[col]), "{col}");
    }
    assert!(names
        .iter()
        .flatten()
        .any(|n| n == "132-Étienne-Desmarteau"));
    let sum = |c: &str| t.numeric(c).unwrap().iter().flatten().sum::<f64>();
    assert_eq!(sum("Coderre"), r["sum_coderre"].as_f64().unwrap());
    assert_eq!(sum("total"), r["sum_total"].as_f64().unwrap());
}

// --- Encoding ---

#[test]
fn encoding_detection_and_overrides() {
    // "Düren" in UTF-8, UTF-8 with BOM, Latin-1, UTF-16LE with BOM.
    let utf8 = "AGS;Name\n05358;Düren\n";
    let t = inline(utf8).unwrap();
    assert_eq!(
        (t.encoding.as_str(), t.rows[0].cells[1].as_str()),
        ("UTF-8", "Düren")
    );

    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(utf8.as_bytes());
    let t = Table::from_bytes("bom.csv", &bom, &TableOptions::default()).unwrap();
    assert_eq!(t.headers[0], "AGS"); // not "\u{feff}AGS"
    assert_eq!(t.encoding, "UTF-8");

    let latin1 = b"AGS;Name\n05358;D\xFCren\n";
    let t = Table::from_bytes("l1.csv", latin1, &TableOptions::default()).unwrap();
    assert_eq!(
        (t.encoding.as_str(), t.rows[0].cells[1].as_str()),
        ("windows-1252", "Düren")
    );

    let mut utf16 = vec![0xFF, 0xFE];
    for unit in utf8.encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let t = Table::from_bytes("u16.csv", &utf16, &TableOptions::default()).unwrap();
    assert_eq!(
        (t.encoding.as_str(), t.rows[0].cells[1].as_str()),
        ("UTF-16LE", "Düren")
    );

    // Overrides: "latin1" is a WHATWG label of windows-1252; a wrong override is visible.
    let opts = |e: &str| TableOptions {
        encoding: Some(e.to_string()),
        ..TableOptions::default()
    };
    let t = Table::from_bytes("l1.csv", latin1, &opts("latin1")).unwrap();
    assert_eq!(t.rows[0].cells[1], "Düren");
    let t = Table::from_bytes("u8.csv", utf8.as_bytes(), &opts("windows-1252")).unwrap();
    assert_eq!(t.rows[0].cells[1], "DÃ¼ren"); // what a wrong override does, as asked
    let err = Table::from_bytes("l1.csv", latin1, &opts("utf-8")).unwrap_err();
    assert!(
        matches!(err, TableError::InvalidText { line: 2, .. }),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "l1.csv: line 2 is not valid UTF-8: give the file's real encoding (e.g. \"windows-1252\") or leave it to detection"
    );
    let err = Table::from_bytes("l1.csv", latin1, &opts("klingon")).unwrap_err();
    assert!(matches!(err, TableError::UnknownEncoding { .. }));
    assert!(err.to_string().contains("\"klingon\""), "{err}");
}

#[test]
fn genesis_with_explicit_options_reads_the_same() {
    let detected = read(GENESIS);
    let opts = TableOptions {
        delimiter: Some(b';'),
        encoding: Some("latin1".to_string()),
        decimal: Some(','),
        header_row: Some(7),
    };
    let given = Table::read(&fixture(GENESIS), &opts).unwrap();
    assert_eq!(given, detected);
}

// --- Delimiter, header, footnotes ---

#[test]
fn delimiter_detection() {
    let tab = inline("AGS\tName\tEinwohner\n05358\tDüren, Kreis\t264180\n05334\tAachen\t556246\n")
        .unwrap();
    assert_eq!(tab.delimiter, b'\t');
    assert_eq!(tab.rows[0].cells[1], "Düren, Kreis");
    let comma = inline("id,name,value\n1,\"Düren; Kreis\",2.5\n2,b,3\n").unwrap();
    assert_eq!(comma.delimiter, b',');
    assert_eq!(comma.rows[0].cells[1], "Düren; Kreis");
    // Excel's hint line.
    let hinted = inline("sep=,\nid,name\n1,a;b\n").unwrap();
    assert_eq!((hinted.delimiter, hinted.header_line), (b',', 2));
    assert_eq!(hinted.rows[0].cells[1], "a;b");
    // A single column.
    let single = inline("AGS\n05358\n05334\n").unwrap();
    assert_eq!(single.headers, ["AGS"]);
    assert_eq!(single.rows.len(), 2);
}

#[test]
fn header_override_and_generated_names() {
    // The real header is all numbers (years), which detection cannot know.
    let text = "2017;2018;2019\n1;2;3\n4;5;6\n";
    let err = inline(text).unwrap_err();
    assert!(
        matches!(err, TableError::NoHeader { width: 3, .. }),
        "{err}"
    );
    let opts = TableOptions {
        header_row: Some(1),
        ..TableOptions::default()
    };
    let t = Table::from_bytes("years.csv", text.as_bytes(), &opts).unwrap();
    assert_eq!(t.headers, ["2017", "2018", "2019"]);
    assert_eq!(t.numeric("2019").unwrap(), [Some(3.0), Some(6.0)]);

    let bad = TableOptions {
        header_row: Some(9),
        ..TableOptions::default()
    };
    let err = Table::from_bytes("years.csv", text.as_bytes(), &bad).unwrap_err();
    assert_eq!(
        err.to_string(),
        "years.csv: header_row 9 is not the first line of a non-empty row (the file's last row starts at line 3)"
    );
}

#[test]
fn blank_rows_in_the_data_are_ignored() {
    let t = inline("a;b\n1;2\n;\n\n3;4\n").unwrap();
    assert_eq!(t.rows.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 5]);
    assert!(t.skipped.is_empty());
    let t = inline("a;b\r\n1;2\r\n\r\n3;4\r\n").unwrap(); // CRLF, as Excel writes
    assert_eq!(t.rows.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 4]);
    // Extra trailing empty fields (some exporters end every row with a delimiter) are dropped.
    let t = inline("a;b\n1;2;\n3;4;;\n").unwrap();
    assert_eq!(t.rows[1].cells, ["3", "4"]);
}

// --- Numbers ---

#[test]
fn parse_number_formats() {
    let cases: &[(&str, char, Option<f64>)] = &[
        ("1.234,5", ',', Some(1234.5)),
        ("1,234.5", '.', Some(1234.5)),
        ("1.234.567", ',', Some(1234567.0)),
        ("1,234,567.25", '.', Some(1234567.25)),
        ("-7,1", ',', Some(-7.1)),
        ("−7.1", '.', Some(-7.1)),
        ("+3", '.', Some(3.0)),
        ("0,25", ',', Some(0.25)),
        (",5", ',', Some(0.5)),
        ("1 234,5", ',', Some(1234.5)),
        ("1\u{a0}234", ',', Some(1234.0)),
        ("1'234.5", '.', Some(1234.5)),
        ("1.5e-3", '.', Some(0.0015)),
        ("2E5", ',', Some(200000.0)),
        ("  264180  ", ',', Some(264180.0)),
        ("05358", ',', Some(5358.0)),
    ];
    for &(text, decimal, expect) in cases {
        assert_eq!(
            parse_number(text, decimal),
            Ok(expect),
            "{text:?} with {decimal:?}"
        );
    }
    for marker in ["", " ", "NA", "-", ".", "x", "…", "...", "/", "#N/A", "NaN"] {
        assert_eq!(parse_number(marker, ','), Ok(None), "{marker:?}");
        assert_eq!(parse_number(marker, '.'), Ok(None), "{marker:?}");
    }
    let bad: &[(&str, char)] = &[
        ("7.1", ','),   // a decimal point where the table has a decimal comma
        ("1,23", '.'),  // same the other way round
        ("0.123", ','), // thousands groups do not start with 0
        ("1,2,3", ','), // two decimal separators
        ("12a", '.'),
        ("Düren", ','),
        ("1e", '.'),
        ("inf", '.'),
        ("--5", '.'),
        ("1.5", ';'), // not a decimal separator
    ];
    let huge = "9".repeat(400); // overflows to infinity
    assert!(parse_number(&huge, '.').is_err());
    for &(text, decimal) in bad {
        assert!(
            parse_number(text, decimal).is_err(),
            "{text:?} with {decimal:?}"
        );
    }
    assert_eq!(
        parse_number("7.1", ',').unwrap_err().to_string(),
        "\"7.1\" is not a number with decimal ',': '.' must separate groups of three digits"
    );
}

#[test]
fn decimal_votes() {
    assert_eq!(decimal_hint("7,1"), DecimalHint::Decimal(','));
    assert_eq!(decimal_hint("1.234,5"), DecimalHint::Decimal(','));
    assert_eq!(decimal_hint("7.1"), DecimalHint::Decimal('.'));
    assert_eq!(decimal_hint("1,234.5"), DecimalHint::Decimal('.'));
    assert_eq!(decimal_hint("8,380"), DecimalHint::Ambiguous);
    assert_eq!(decimal_hint("1234"), DecimalHint::Ambiguous);
    assert_eq!(decimal_hint("Düren"), DecimalHint::NotNumeric);
    assert_eq!(decimal_hint("-"), DecimalHint::NotNumeric);
    // Ambiguous cells only: the delimiter decides.
    assert_eq!(
        inline("a;b\nx;1.234\n").unwrap().numeric("b").unwrap(),
        [Some(1234.0)]
    );
    assert_eq!(
        inline("a,b\nx,1.234\n").unwrap().numeric("b").unwrap(),
        [Some(1.234)]
    );
    // Votes beat the delimiter, and the decimal can be given.
    assert_eq!(inline("a;b\nx;1.5\ny;1.234\n").unwrap().decimal, '.');
    let opts = TableOptions {
        decimal: Some('.'),
        ..TableOptions::default()
    };
    let t = Table::from_bytes("d.csv", b"a;b\nx;1.234\n", &opts).unwrap();
    assert_eq!(t.numeric("b").unwrap(), [Some(1.234)]);
    let opts = TableOptions {
        decimal: Some(';'),
        ..TableOptions::default()
    };
    let err = Table::from_bytes("d.csv", b"a;b\nx;1\n", &opts).unwrap_err();
    assert!(
        matches!(
            err,
            TableError::InvalidOption {
                option: "decimal",
                ..
            }
        ),
        "{err}"
    );
}

// --- Bad input: clear errors, never a panic ---

#[test]
fn non_numeric_value_names_line_and_column() {
    let t = read("tables/not_numeric.csv");
    assert_eq!(t.numeric("Einwohner").unwrap_err().to_string(), format!(
        "{}: line 4, column \"Einwohner\" (no. 3): \"rund 250000\" is not a number (and 1 more cell in this column)",
        fixture("tables/not_numeric.csv").display()
    ));
    match t.numeric("Einwohner").unwrap_err() {
        TableError::NotANumber {
            line,
            column,
            position,
            reason,
            more,
            ..
        } => {
            assert_eq!(
                (line, column.as_str(), position, reason.text(), more),
                (4, "Einwohner", 3, "rund 250000", 1)
            );
        }
        other => panic!("unexpected error {other}"),
    }
    // The text of the column is still available, and other columns are fine.
    assert_eq!(t.numeric("Fläche").unwrap()[0], Some(941.49));
}

#[test]
fn missing_column_lists_the_headers() {
    let t = read("montreal_districts/election.csv");
    let err = t.numeric("Coderr").unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}: no column \"Coderr\"; the columns are: \"district\", \"Coderre\", \"Bergeron\", \"Joly\", \"total\", \"winner\", \"result\", \"district_id\"",
            fixture("montreal_districts/election.csv").display()
        )
    );
    let t = inline("a;b;a\n1;2;3\n").unwrap();
    let err = t.column("a").unwrap_err();
    assert!(
        matches!(&err, TableError::AmbiguousColumn { positions, .. } if positions == &[1, 3]),
        "{err}"
    );
}

#[test]
fn empty_files_are_errors() {
    for name in ["tables/empty.csv", "tables/blank_lines.csv"] {
        let err = Table::read(&fixture(name), &TableOptions::default()).unwrap_err();
        assert!(matches!(err, TableError::Empty { .. }), "{name}: {err}");
        assert_eq!(
            err.to_string(),
            format!("{}: the table is empty", fixture(name).display())
        );
    }
    let err = Table::from_bytes("bom.csv", b"\xEF\xBB\xBF", &TableOptions::default()).unwrap_err();
    assert!(matches!(err, TableError::Empty { .. }), "{err}");
    let err = inline("AGS;Name\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "inline.csv: the header on line 1 has no data rows below it"
    );
    let err = Table::read(
        &fixture("tables/does_not_exist.csv"),
        &TableOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, TableError::Io { .. }), "{err}");
}

#[test]
fn ragged_rows_are_errors() {
    let err = read_err("tables/ragged.csv");
    assert!(
        matches!(
            err,
            TableError::RaggedRow {
                line: 4,
                found: 4,
                expected: 3,
                header_line: 2,
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("line 4 has 4 fields but the header (line 2) has 3"),
        "{err}"
    );
    // A short row is an error too: its values would shift.
    let err = inline("a;b;c\n1;2;3\n4;5\n6;7;8\n").unwrap_err();
    assert!(
        matches!(
            err,
            TableError::RaggedRow {
                line: 3,
                found: 2,
                expected: 3,
                ..
            }
        ),
        "{err}"
    );
}

fn read_err(rel: &str) -> TableError {
    Table::read(&fixture(rel), &TableOptions::default()).unwrap_err()
}

#[test]
fn garbage_does_not_panic() {
    let inputs: &[&[u8]] = &[
        b"\"",
        b"\"unterminated\nquote;x\n1;2",
        b";;;;\n;;;;\n",
        b"\xff\xfe\x00",
        b"\xfe\xff",
        b"a;b\n\"1\";\"2\"\"\n",
        b"1;2;3\n4;5;6\n",
        b"\r\n\r\n",
        &[0u8; 64],
    ];
    for input in inputs {
        // Whatever the outcome, reading and asking for every column must return, not panic.
        if let Ok(t) = Table::from_bytes("garbage.csv", input, &TableOptions::default()) {
            for h in &t.headers {
                let _ = t.numeric(h);
                let _ = t.text(h);
            }
        }
    }
}
