//! Tests of the join on real tables, with the expected reports computed by pandas
//! (`tests/reference/tables_reference.py` -> `tests/fixtures/reference/tables_reference.json`).

use serde_json::Value;

use super::*;
use crate::table::tests::{fixture, read, reference};
use crate::table::TableOptions;

fn inline(text: &str) -> Table {
    Table::from_bytes("inline.csv", text.as_bytes(), &TableOptions::default()).unwrap()
}

/// The AGS of the 401 Kreise in `districts.csv`, standing in for a layer's district ids.
fn kreise() -> Vec<String> {
    read("de_kreise_indicators/districts.csv")
        .text("AGS")
        .unwrap()
        .into_iter()
        .map(Option::unwrap)
        .collect()
}

fn refs(ids: &[String]) -> Vec<&str> {
    ids.iter().map(String::as_str).collect()
}

/// The report as the reference JSON writes it.
fn assert_report(report: &JoinReport, expect: &Value) {
    let districts = report.matched + report.districts_without_row.len();
    assert_eq!(districts as u64, expect["districts"].as_u64().unwrap());
    assert_eq!(report.matched as u64, expect["matched"].as_u64().unwrap());
    let json = serde_json::to_value(report).unwrap();
    assert_eq!(
        json["districts_without_row"],
        expect["districts_without_row"]
    );
    assert_eq!(
        json["rows_without_district"],
        expect["rows_without_district"]
    );
}

/// Montréal: election.csv on the 58 feature ids of election.geojson.
#[test]
fn montreal_election_joins_all_58_districts() {
    let r = &reference()["joins"]["election_on_geojson"];
    let text = std::fs::read_to_string(fixture("montreal_districts/election.geojson")).unwrap();
    let fc: geojson::FeatureCollection = text.parse().unwrap();
    let ids: Vec<String> = fc
        .features
        .iter()
        .map(|f| match f.id.as_ref().unwrap() {
            geojson::feature::Id::String(s) => s.clone(),
            geojson::feature::Id::Number(n) => n.to_string(),
        })
        .collect();
    assert_eq!(ids.len(), 58);
    let table = read("montreal_districts/election.csv");
    let joined = join(&refs(&ids), &table, "district_id", &JoinOptions::default()).unwrap();
    assert_report(&joined.report, r);
    assert_eq!(joined.report.matched, 58);

    // The names and votes land on the right feature: the GeoJSON's own `district` property
    // must equal the joined table's `district` column, feature by feature; the two files spell
    // one name differently (checked with Python's json and csv modules), which is the only mismatch.
    let names = joined.text(&table, "district").unwrap();
    let mut differ = Vec::new();
    for ((f, id), name) in fc.features.iter().zip(&ids).zip(&names) {
        let own = f.property("district").and_then(|v| v.as_str()).unwrap();
        let name = name.as_deref().unwrap();
        assert!(name.starts_with(&format!("{id}-")), "{id}: {name}");
        if own != name {
            differ.push((own, name));
        }
    }
    assert_eq!(differ, [("112-De Lorimier", "112-DeLorimier")]);
    let e = &reference()["election"]["district_32"];
    let i = ids.iter().position(|id| id == "32").unwrap();
    assert_eq!(names[i].as_deref(), e["district"].as_str()); // "32-Côte-des-Neiges"
    let coderre = joined.numeric(&table, "Coderre").unwrap();
    assert_eq!(coderre[i], e["Coderre"].as_f64());
    let total: f64 = coderre.iter().flatten().sum();
    assert_eq!(
        total,
        reference()["election"]["sum_coderre"].as_f64().unwrap()
    );
}

/// GENESIS 2019 on the Kreise: Hamburg and Berlin have no Kreis row (they are Länder there), and
/// the totals, Regierungsbezirke and former Kreise are rows without a district.
#[test]
fn genesis_2019_join_report() {
    let r = &reference()["joins"]["genesis_2019_on_districts"];
    let ids = kreise();
    let table = read("de_kreise_indicators/raw_latin1/12411-05-01-4.csv")
        .filter("column_1", "2019")
        .unwrap();
    let joined = join(&refs(&ids), &table, "column_2", &JoinOptions::default()).unwrap();
    assert_report(&joined.report, r);
    assert_eq!(joined.report.districts_without_row, ["02000", "11000"]);

    // Düren's value lands on Düren.
    let pop = joined.numeric(&table, "Insgesamt").unwrap();
    let duren = ids.iter().position(|a| a == "05358").unwrap();
    assert_eq!(pop[duren], Some(264180.0));
    let hamburg = ids.iter().position(|a| a == "02000").unwrap();
    assert_eq!(pop[hamburg], None);
    // Kreise whose row says `-` (missing) stay missing: none of the matched Kreise here.
    let matched_missing = (0..ids.len())
        .filter(|&i| joined.row_of[i].is_some() && pop[i].is_none())
        .count();
    assert_eq!(matched_missing, 0);

    let text = joined.report.to_string();
    assert!(text.starts_with(&format!(
        "join of {} on column \"column_2\": 399 of 401 districts matched\n  districts without a row (2): \"02000\", \"11000\"\n  rows without a district (139): line 8 \"DG\", line 9 \"01\", ",
        fixture("de_kreise_indicators/raw_latin1/12411-05-01-4.csv").display()
    )), "{text}");
    assert!(text.ends_with(", and 119 more\n"), "{text}");
}

/// The BKA writes AGS without the leading zero: `5358`. Padding to 5 digits joins all 401 Kreise.
#[test]
fn bka_join_needs_padding() {
    let r = &reference()["joins"]["bka_total_on_districts_pad5"];
    let ids = kreise();
    let table = read("de_kreise_indicators/raw_latin1/KR-F-01-T01-Kreise-Faelle-HZ_csv.csv")
        .filter("Schluessel", "------")
        .unwrap();
    let plain = join(
        &refs(&ids),
        &table,
        "Gemeindeschluessel",
        &JoinOptions::default(),
    )
    .unwrap();
    // Without padding every Kreis of Schleswig-Holstein to Saarland (keys 0xxxx) goes unmatched.
    let zero_led = ids.iter().filter(|a| a.starts_with('0')).count();
    assert_eq!(plain.report.matched, ids.len() - zero_led);

    let opts = JoinOptions {
        pad_width: Some(5),
        ..JoinOptions::default()
    };
    let joined = join(&refs(&ids), &table, "Gemeindeschluessel", &opts).unwrap();
    assert_report(&joined.report, r);
    let duren = ids.iter().position(|a| a == "05358").unwrap();
    let d = &reference()["bka"]["duren_total"];
    let cases = joined.numeric(&table, "Anzahl erfasste Faelle").unwrap();
    assert_eq!(cases[duren], d["Anzahl erfasste Faelle"].as_f64());
    assert_eq!(
        joined.text(&table, "Stadt-/Landkreis").unwrap()[duren].as_deref(),
        Some("Düren")
    );
}

#[test]
fn duplicate_keys_name_both_lines() {
    // The whole GENESIS time series: every region once per year.
    let g = reference()["genesis"]["first_duplicate"].clone();
    let table = read("de_kreise_indicators/raw_latin1/12411-05-01-4.csv");
    let err = join(&["05358"], &table, "column_2", &JoinOptions::default()).unwrap_err();
    match &err {
        JoinError::DuplicateKey(d) => {
            assert_eq!(d.key.as_str(), g["key"].as_str().unwrap());
            assert_eq!(d.first_line as u64, g["lines"][0].as_u64().unwrap());
            assert_eq!(d.second_line as u64, g["lines"][1].as_u64().unwrap());
        }
        other => panic!("unexpected error {other}"),
    }

    // `05358` and `5358` are different keys until padding makes them one.
    let table = read("tables/duplicate_key.csv");
    let ok = join(&["05358"], &table, "AGS", &JoinOptions::default()).unwrap();
    assert_eq!(ok.report.rows_without_district.len(), 3);
    let opts = JoinOptions {
        pad_width: Some(5),
        ..JoinOptions::default()
    };
    let err = join(&["05358"], &table, "AGS", &opts).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}: duplicate key \"05358\" in column \"AGS\" on lines 2 and 5 (written \"05358\" and \"5358\"): every key may appear once; filter the table to one row per key (e.g. one year)",
            fixture("tables/duplicate_key.csv").display()
        )
    );
}

#[test]
fn missing_key_column_lists_the_headers() {
    let table = read("montreal_districts/election.csv");
    let err = join(&["11"], &table, "id", &JoinOptions::default()).unwrap_err();
    assert!(
        matches!(err, JoinError::Table(TableError::UnknownColumn { .. })),
        "{err}"
    );
    assert!(
        err.to_string().ends_with("no column \"id\"; the columns are: \"district\", \"Coderre\", \"Bergeron\", \"Joly\", \"total\", \"winner\", \"result\", \"district_id\""),
        "{err}"
    );
}

#[test]
fn key_rules() {
    let plain = JoinOptions::default();
    let padded = JoinOptions {
        pad_width: Some(5),
        ..JoinOptions::default()
    };
    let folded = JoinOptions {
        case_sensitive: false,
        ..JoinOptions::default()
    };
    assert_eq!(normalize_key("  05358\u{a0}", &plain), "05358");
    assert_eq!(normalize_key("5358", &plain), "5358");
    assert_eq!(normalize_key("5358", &padded), "05358");
    assert_eq!(normalize_key("05358", &padded), "05358");
    assert_eq!(normalize_key("123456", &padded), "123456");
    assert_eq!(normalize_key("DG", &padded), "DG");
    assert_eq!(normalize_key("5358.0", &padded), "5358.0");
    assert_eq!(normalize_key("", &padded), "");
    assert_eq!(normalize_key("Côte-des-Neiges", &folded), "côte-des-neiges");
    assert_eq!(normalize_key("CÔTE-DES-NEIGES", &folded), "côte-des-neiges");

    // Whitespace and case on both sides; empty keys never match and are reported.
    let table = inline("name;value\n  Düren ;1\nAACHEN;2\n;3\nHeinsberg;4\n");
    let ids = ["Düren", "Aachen", " heinsberg", ""];
    let exact = join(&ids, &table, "name", &plain).unwrap();
    assert_eq!(exact.row_of, [Some(0), None, None, None]);
    assert_eq!(
        exact.report.districts_without_row,
        ["Aachen", " heinsberg", ""]
    );
    assert_eq!(
        exact.report.rows_without_district,
        [
            (3, "AACHEN".to_string()),
            (4, String::new()),
            (5, "Heinsberg".to_string())
        ]
    );
    let loose = join(&ids, &table, "name", &folded).unwrap();
    assert_eq!(loose.row_of, [Some(0), Some(1), Some(3), None]);
    assert_eq!(
        loose.numeric(&table, "value").unwrap(),
        [Some(1.0), Some(2.0), Some(4.0), None]
    );
    // Case folding can make two rows one key.
    let twice = inline("name;value\nDüren;1\nDÜREN;2\n");
    assert!(join(&["Düren"], &twice, "name", &plain).is_ok());
    match join(&["Düren"], &twice, "name", &folded) {
        Err(JoinError::DuplicateKey(d)) => assert_eq!((d.first_line, d.second_line), (2, 3)),
        other => panic!("expected a duplicate key, got {other:?}"),
    }
    // Duplicate district ids share the row.
    let shared = join(&["Düren", "Düren"], &table, "name", &plain).unwrap();
    assert_eq!(shared.row_of, [Some(0), Some(0)]);
    assert_eq!(shared.report.matched, 2);
}

#[test]
fn report_as_text_and_json() {
    let table = inline("AGS;Einwohner\n05358;263722\n05334;555465\nDG;83019213\n");
    let joined = join(&["05358", "05370"], &table, "AGS", &JoinOptions::default()).unwrap();
    assert_eq!(
        joined.report.to_string(),
        "join of inline.csv on column \"AGS\": 1 of 2 districts matched\n  districts without a row (1): \"05370\"\n  rows without a district (2): line 3 \"05334\", line 4 \"DG\"\n"
    );
    assert_eq!(
        serde_json::to_value(&joined.report).unwrap(),
        serde_json::json!({
            "table": "inline.csv",
            "key": "AGS",
            "matched": 1,
            "districts_without_row": ["05370"],
            "rows_without_district": [[3, "05334"], [4, "DG"]],
        })
    );
    let all = join(
        &["05358", "05334", "DG"],
        &table,
        "AGS",
        &JoinOptions::default(),
    )
    .unwrap();
    assert_eq!(
        all.report.to_string(),
        "join of inline.csv on column \"AGS\": 3 of 3 districts matched\n  districts without a row: none\n  rows without a district: none\n"
    );
}
