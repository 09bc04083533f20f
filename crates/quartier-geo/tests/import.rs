//! Boundary import on the real datasets in `tests/fixtures/`, compared with independent readers.
//!
//! References (see `tests/reference/import_reference.py`): pyshp read every shapefile's records,
//! Python's json module the GeoJSON/TopoJSON files, and pyproj reprojected Swiss districts.
//! The broken inputs in `tests/fixtures/bad/` come from `tests/reference/make_bad_fixtures.py`.

// Helpers outside `#[test]` functions unwrap too; a failed unwrap is a failed test here.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use geo::{BoundingRect, Validation};
use quartier_geo::import::{read_layer, ImportError, ImportOptions, Imported};
use quartier_geo::validate::self_intersection;
use quartier_geo::{AttributeValues, Layer};
use serde_json::Value;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(rel)
}

fn reference(name: &str) -> Value {
    let text = std::fs::read_to_string(fixture("reference").join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn read(rel: &str) -> Imported {
    read_with(rel, ImportOptions::default())
}

fn read_with(rel: &str, opts: ImportOptions) -> Imported {
    match read_layer(&fixture(rel), &opts) {
        Ok(imported) => imported,
        Err(e) => panic!("{rel}: {e}"),
    }
}

fn with_crs(crs: &str) -> ImportOptions {
    ImportOptions {
        crs: Some(crs.into()),
        ..Default::default()
    }
}

fn error(rel: &str, opts: ImportOptions) -> ImportError {
    match read_layer(&fixture(rel), &opts) {
        Ok(_) => panic!("{rel} should not import"),
        Err(e) => e,
    }
}

/// The value of attribute `field` for the district at 1-based `record`, as JSON for comparison.
fn attr(layer: &Layer, field: &str, record: usize) -> Value {
    let a = layer
        .attribute(field)
        .unwrap_or_else(|| panic!("no field {field}"));
    match &a.values {
        AttributeValues::Number(v) => v[record - 1].map_or(Value::Null, |x| serde_json::json!(x)),
        AttributeValues::Text(v) => v[record - 1].clone().map_or(Value::Null, Value::String),
    }
}

/// Compare the layer's fields and sampled records with what pyshp read (`import_attributes.json`).
fn check_against_pyshp(imported: &Imported, dataset: &str) {
    let r = &reference("import_attributes.json")[dataset];
    let layer = &imported.layer;
    assert_eq!(
        layer.districts.len() as u64,
        r["records"].as_u64().unwrap(),
        "{dataset}"
    );
    let fields: Vec<(String, String)> = r["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let kind = match (f[1].as_str().unwrap(), f[3].as_u64().unwrap()) {
                ("C", _) => "text",
                ("N" | "F", 0) => "integer",
                ("N" | "F", _) => "number",
                (other, _) => panic!("type {other} not in the fixtures"),
            };
            (f[0].as_str().unwrap().to_string(), kind.to_string())
        })
        .collect();
    let ours: Vec<(String, String)> = imported
        .report
        .fields
        .iter()
        .map(|f| (f.name.clone(), f.kind.clone()))
        .collect();
    assert_eq!(ours, fields, "{dataset}");
    // Self-intersections: GEOS (shapely) found none in these files, and neither may we.
    let geos: Vec<u64> = r["geos_invalid"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f[0].as_u64().unwrap())
        .collect();
    let ours: Vec<u64> = imported
        .report
        .validation
        .warnings
        .iter()
        .map(|f| f.feature as u64)
        .collect();
    assert_eq!(ours, geos, "{dataset}: {}", imported.report.validation);
    assert!(
        imported.report.validation.errors.is_empty(),
        "{dataset}: {}",
        imported.report.validation
    );
    for (record, values) in r["sample"].as_object().unwrap() {
        let record: usize = record.parse().unwrap();
        for (field, expected) in values.as_object().unwrap() {
            let got = attr(layer, field, record);
            let expected = match expected {
                Value::String(s) if s.is_empty() => Value::Null,
                Value::Number(n) => serde_json::json!(n.as_f64().unwrap()),
                other => other.clone(),
            };
            assert_eq!(got, expected, "{dataset} record {record} field {field}");
        }
    }
}

/// Every exterior counter-clockwise and every hole clockwise, as the layer promises.
fn assert_layer_winding(layer: &Layer) {
    use geo::Winding;
    for d in &layer.districts {
        for p in &d.geometry.0 {
            assert!(p.exterior().is_ccw(), "district {} exterior", d.id);
            for h in p.interiors() {
                assert!(h.is_cw(), "district {} hole", d.id);
            }
        }
    }
}

#[test]
fn nc_sids_counties() {
    let imported = read("nc_sids/nc.shp");
    check_against_pyshp(&imported, "nc_sids/nc");
    let (layer, report) = (&imported.layer, &imported.report);
    assert_eq!(report.format, "ESRI Shapefile");
    assert_eq!(report.id_field.as_deref(), Some("FIPS"));
    assert_eq!(report.name_field.as_deref(), Some("NAME"));
    assert_eq!(layer.districts[0].id, "37009");
    assert_eq!(layer.districts[0].name, "Ashe");
    assert_eq!(report.encoding.as_deref(), Some("windows-1252"));
    assert_eq!(
        report.encoding_source.as_deref(),
        Some("DBF language driver 0x57")
    );
    assert_eq!(report.crs_source, ".prj");
    assert!(
        report.crs.contains("4267"),
        "nc.prj is NAD27 (EPSG:4267), got {}",
        report.crs
    );
    assert!(report.validation.is_usable(), "{}", report.validation);
    assert_layer_winding(layer);
    let [w, s, e, n] = report.bounds_wgs84.unwrap();
    // NAD27 -> WGS84 moves North Carolina by well under 0.001°; bounds from the .shp header.
    assert!(
        (w - -84.32385).abs() < 1e-3 && (s - 33.88199).abs() < 1e-3,
        "{w} {s}"
    );
    assert!(
        (e - -75.45698).abs() < 1e-3 && (n - 36.58965).abs() < 1e-3,
        "{e} {n}"
    );
    assert_eq!(
        report.vertices,
        layer
            .districts
            .iter()
            .map(|d| geo::CoordsIter::coords_count(&d.geometry))
            .sum::<usize>()
    );
    for d in &layer.districts {
        assert_eq!(d.mercator, quartier_geo::crs::to_mercator(&d.geometry));
    }
}

#[test]
fn nc_sids_zip_reads_like_the_folder() {
    let zipped = read("zip/nc_sids.zip");
    let plain = read("nc_sids/nc.shp");
    assert_eq!(zipped.layer.districts, plain.layer.districts);
    assert_eq!(zipped.layer.attributes, plain.layer.attributes);
    assert!(zipped.report.path.ends_with("nc_sids.zip"));
}

#[test]
fn boston_tracts_without_an_id_field_use_feature_numbers() {
    let imported = read("boston_tracts/boston_tracts.shp");
    check_against_pyshp(&imported, "boston_tracts/boston_tracts");
    let layer = &imported.layer;
    assert_eq!(imported.report.id_field, None);
    assert_eq!(layer.districts[0].id, "1");
    assert_eq!(layer.districts[505].id, "506");
    // Text keys keep their leading zeros.
    assert_eq!(attr(layer, "poltract", 1), Value::String("0001".into()));
}

#[test]
fn swiss_districts_utf8_without_cpg_and_lv95() {
    let imported = read("swiss_2024/districts.shp");
    check_against_pyshp(&imported, "swiss_2024/districts");
    let (layer, report) = (&imported.layer, &imported.report);
    assert_eq!(report.encoding.as_deref(), Some("UTF-8"));
    assert_eq!(
        report.encoding_source.as_deref(),
        Some("detected (all text is valid UTF-8)")
    );
    assert_eq!(report.id_field.as_deref(), Some("id"));
    let bulach = &layer.districts[layer.index_of("103").unwrap()];
    assert_eq!(bulach.name, "Bezirk Bülach");
    assert!(
        report.crs.contains("2056"),
        "swiss .prj is CH1903+/LV95 (EPSG:2056), got {}",
        report.crs
    );
    assert!(report.validation.is_usable(), "{}", report.validation);
    assert_layer_winding(layer);
}

#[test]
fn swiss_districts_reprojected_like_pyproj() {
    let imported = read("swiss_2024/districts.shp");
    let r = reference("import_swiss_wgs84.json");
    for d in r["districts"].as_array().unwrap() {
        let id = d["id"].as_str().unwrap();
        let district = &imported.layer.districts[imported.layer.index_of(id).unwrap()];
        assert_eq!(district.name, d["name"].as_str().unwrap());
        let first = district.geometry.0[0].exterior().0[0];
        let want = d["first_vertex_wgs84"].as_array().unwrap();
        let tol = 1e-7;
        assert!(
            (first.x - want[0].as_f64().unwrap()).abs() < tol,
            "{id} lon {} vs {}",
            first.x,
            want[0]
        );
        assert!(
            (first.y - want[1].as_f64().unwrap()).abs() < tol,
            "{id} lat {} vs {}",
            first.y,
            want[1]
        );
        let bbox = district.geometry.bounding_rect().unwrap();
        let want: Vec<f64> = d["bbox_wgs84"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let got = [bbox.min().x, bbox.min().y, bbox.max().x, bbox.max().y];
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() < tol, "{id} bbox {got:?} vs {want:?}");
        }
        let vertices: usize = district
            .geometry
            .0
            .iter()
            .map(|p| p.exterior().0.len() + p.interiors().iter().map(|h| h.0.len()).sum::<usize>())
            .sum();
        assert_eq!(
            vertices as u64,
            d["vertices"].as_u64().unwrap(),
            "{id} vertices"
        );
    }
}

#[test]
fn geojson_crs_member_is_honoured() {
    // Two Swiss districts in LV95 with `"crs": "urn:ogc:def:crs:EPSG::2056"`, written by pyshp.
    let imported = read("reference/import_lv95_crs_member.geojson");
    assert_eq!(imported.report.crs_source, "crs member");
    assert!(
        imported.report.crs.contains("2056"),
        "{}",
        imported.report.crs
    );
    let r = reference("import_swiss_wgs84.json");
    for d in r["districts"].as_array().unwrap() {
        let Some(i) = imported.layer.index_of(d["id"].as_str().unwrap()) else {
            continue;
        };
        let first = imported.layer.districts[i].geometry.0[0].exterior().0[0];
        let want = d["first_vertex_wgs84"].as_array().unwrap();
        assert!(
            (first.x - want[0].as_f64().unwrap()).abs() < 1e-7,
            "{} {first:?}",
            d["id"]
        );
        assert!(
            (first.y - want[1].as_f64().unwrap()).abs() < 1e-7,
            "{} {first:?}",
            d["id"]
        );
    }
    assert_eq!(imported.layer.districts[1].name, "Bezirk Bülach");
    // The override still wins over the member: read as WGS84, LV95 metres are out of range.
    let wrong = read_with(
        "reference/import_lv95_crs_member.geojson",
        with_crs("EPSG:4326"),
    );
    assert_eq!(wrong.report.validation.errors.len(), 2);
}

#[test]
fn swiss_cantons() {
    let imported = read("swiss_2024/cantons.shp");
    check_against_pyshp(&imported, "swiss_2024/cantons");
    assert_eq!(imported.layer.districts[0].name, "Zürich");
    assert_eq!(imported.layer.districts[0].id, "1");
}

#[test]
fn olinda_cp1252_from_the_language_driver() {
    let imported = read("codepages/olinda1.shp");
    check_against_pyshp(&imported, "codepages/olinda1");
    let report = &imported.report;
    assert_eq!(report.encoding.as_deref(), Some("windows-1252"));
    assert_eq!(
        report.encoding_source.as_deref(),
        Some("DBF language driver 0x57")
    );
    assert_eq!(report.name_field.as_deref(), Some("NM_BAIR"));
    assert_eq!(imported.layer.districts[49].name, "Alto da Nação");
    // `ID` is numeric (N 24.15) and written without ".0".
    assert_eq!(report.id_field.as_deref(), Some("ID"));
    assert_eq!(imported.layer.districts[0].id, "28801");
}

#[test]
fn naturalearth_cpg_latin1() {
    let imported = read("codepages/naturalearth_lowres.shp");
    check_against_pyshp(&imported, "codepages/naturalearth_lowres");
    let report = &imported.report;
    assert_eq!(report.encoding_source.as_deref(), Some(".cpg (ISO-8859-1)"));
    assert_eq!(imported.layer.districts[60].name, "Côte d'Ivoire");
    assert!(report.crs.contains("4326"), "{}", report.crs);
}

#[test]
fn an_encoding_override_always_wins() {
    // Decoding the UTF-8 Swiss file as windows-1252 gives the classic mojibake, proving the override is used.
    let opts = ImportOptions {
        encoding: Some("windows-1252".into()),
        ..Default::default()
    };
    let imported = read_with("swiss_2024/districts.shp", opts);
    assert_eq!(imported.report.encoding_source.as_deref(), Some("override"));
    assert_eq!(imported.layer.districts[2].name, "Bezirk BÃ¼lach");
    let bad = ImportOptions {
        encoding: Some("klingon".into()),
        ..Default::default()
    };
    let e = error("swiss_2024/districts.shp", bad).to_string();
    assert!(
        e.contains(
            "unknown encoding \"klingon\" (from --encoding, or encoding = in the atlas manifest)"
        ),
        "{e}"
    );
}

#[test]
fn latin1_without_shx_and_prj() {
    let e = error("codepages/latin1.shp", ImportOptions::default());
    assert!(matches!(e, ImportError::NoCrs { .. }));
    let msg = e.to_string();
    assert!(
        msg.contains("latin1.shp has no .prj file")
            && msg.contains("--crs")
            && msg.contains("crs ="),
        "{msg}"
    );
    let imported = read_with("codepages/latin1.shp", with_crs("EPSG:4326"));
    check_against_pyshp(&imported, "codepages/latin1");
    assert_eq!(imported.layer.districts[0].name, "Ñandú");
    assert_eq!(imported.layer.districts[0].id, "2");
    assert_eq!(imported.report.crs_source, "--crs");
    assert!(imported
        .report
        .encoding_source
        .as_deref()
        .unwrap()
        .starts_with("detected (text is not UTF-8"));
    assert!(
        imported
            .report
            .notes
            .iter()
            .any(|n| n.contains("no .shx file")),
        "{:?}",
        imported.report.notes
    );
}

#[test]
fn us_counties_need_a_crs_and_keep_leading_zeros() {
    let e = error(
        "us_counties/cb_2016_us_county_500k.shp",
        ImportOptions::default(),
    );
    assert!(matches!(e, ImportError::NoCrs { .. }), "{e}");
    let imported = read_with(
        "us_counties/cb_2016_us_county_500k.shp",
        with_crs("EPSG:4269"),
    );
    check_against_pyshp(&imported, "us_counties/cb_2016_us_county_500k");
    let (layer, report) = (&imported.layer, &imported.report);
    assert_eq!(report.id_field.as_deref(), Some("GEOID"));
    // The first GEOID with a leading zero, as pyshp read it.
    let sample =
        &reference("import_attributes.json")["us_counties/cb_2016_us_county_500k"]["sample"]["19"];
    assert_eq!(layer.districts[18].id, sample["GEOID"].as_str().unwrap());
    assert!(layer.districts[18].id.starts_with('0'));
    assert_eq!(layer.districts[417].name, "Mayagüez");
    assert_eq!(report.encoding.as_deref(), Some("UTF-8"));
    assert!(report.vertices > 1_000_000, "{}", report.vertices);
    assert!(report.validation.is_usable(), "{}", report.validation);
}

#[test]
fn london_boroughs_topojson() {
    let imported = read("london/londonBoroughs.json");
    let r = &reference("import_attributes.json")["london/londonBoroughs"];
    let ids: Vec<&str> = r["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let layer = &imported.layer;
    assert_eq!(imported.report.format, "TopoJSON");
    assert_eq!(
        layer
            .districts
            .iter()
            .map(|d| d.id.as_str())
            .collect::<Vec<_>>(),
        ids
    );
    assert_eq!(imported.report.id_field.as_deref(), Some("(feature id)"));
    assert_eq!(layer.districts[0].name, "Kingston upon Thames");
    assert_layer_winding(layer);
    let report = &imported.report.validation;
    assert!(report.is_usable(), "{report}");
    // TopoJSON has no winding rule, so nothing may be reported as wrongly wound.
    assert!(
        report
            .repaired
            .iter()
            .all(|f| !f.problem.contains("winding")),
        "{report}"
    );
    // Quantization broke two boroughs; GEOS (shapely) found the same on its own decoding.
    for borough in r["geos"].as_array().unwrap() {
        let id = borough["id"].as_str().unwrap();
        let ours: Vec<&str> = report
            .warnings
            .iter()
            .chain(&report.repaired)
            .filter(|f| f.id == id)
            .map(|f| f.problem.as_str())
            .collect();
        for problem in borough["problems"].as_array().unwrap() {
            let problem = problem.as_str().unwrap();
            let (polygon, what) = problem.split_once(": ").unwrap();
            if let Some(point) = what.strip_prefix("Self-intersection[") {
                let xy: Vec<f64> = point
                    .trim_end_matches(']')
                    .split(' ')
                    .map(|v| v.parse().unwrap())
                    .collect();
                let expected = format!("{polygon}: self-intersection: exterior ring has edges crossing at ({:.7}, {:.7})", xy[0], xy[1]);
                assert!(
                    ours.iter().any(|p| p.starts_with(&expected)),
                    "{id}: {ours:?} lacks {expected}"
                );
            } else {
                let k = polygon.trim_start_matches("polygon ");
                assert!(
                    ours.iter().any(|p| p.contains(&format!(
                        "dropped polygon(s) {k} with fewer than 3 distinct points"
                    ))),
                    "{id}: {ours:?}"
                );
            }
        }
    }
    let geos_warned: Vec<&str> = r["geos"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| {
            b["problems"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p.as_str().unwrap().contains("Self-intersection"))
        })
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    // Every self-intersection GEOS found is repaired by the overlay, none is left as a warning.
    assert!(report.warnings.is_empty(), "{report}");
    assert_eq!(
        report
            .repaired
            .iter()
            .filter(|f| f.problem.contains("rebuilt by polygon overlay"))
            .map(|f| f.id.as_str())
            .collect::<Vec<_>>(),
        geos_warned
    );
    // Greater London lies within these bounds (OS grid extent of the GLA area, rounded outwards).
    let [w, s, e, n] = imported.report.bounds_wgs84.unwrap();
    assert!(
        w > -0.52 && e < 0.34 && s > 51.28 && n < 51.70,
        "{w} {s} {e} {n}"
    );
}

#[test]
fn montreal_geojson() {
    let imported = read("montreal_districts/election.geojson");
    let r = &reference("import_attributes.json")["montreal_districts/election"];
    let layer = &imported.layer;
    assert_eq!(layer.districts.len(), 58);
    assert_eq!(imported.report.format, "GeoJSON");
    assert_eq!(imported.report.crs_source, "GeoJSON default");
    assert_eq!(imported.report.encoding.as_deref(), Some("UTF-8"));
    for (record, sample) in r["sample"].as_object().unwrap() {
        let record: usize = record.parse().unwrap();
        assert_eq!(
            layer.districts[record - 1].id,
            sample["id"].as_str().unwrap()
        );
        assert_eq!(
            attr(layer, "district", record),
            sample["properties"]["district"]
        );
    }
    assert_eq!(
        attr(layer, "district", 1),
        Value::String("11-Sault-au-Récollet".into())
    );
    let first = r["first_vertex"].as_array().unwrap();
    let got = layer.districts[0].geometry.0[0].exterior().0[0];
    assert_eq!(
        (got.x, got.y),
        (first[0].as_f64().unwrap(), first[1].as_f64().unwrap())
    );
    assert!(
        imported.report.validation.is_usable(),
        "{}",
        imported.report.validation
    );
    assert_layer_winding(layer);
}

#[test]
fn explicit_id_and_name_fields() {
    let opts = ImportOptions {
        id_field: Some("CNTY_ID".into()),
        name_field: Some("fips".into()),
        ..Default::default()
    };
    let imported = read_with("nc_sids/nc.shp", opts);
    assert_eq!(imported.layer.districts[0].id, "1825");
    assert_eq!(imported.layer.districts[0].name, "37009");
    let opts = ImportOptions {
        id_field: Some("NOPE".into()),
        ..Default::default()
    };
    let e = error("nc_sids/nc.shp", opts).to_string();
    assert!(
        e.contains(
            "has no field \"NOPE\" (asked for as the id field); its fields are: AREA, PERIMETER"
        ),
        "{e}"
    );
    let opts = ImportOptions {
        layer_id: Some("kreise".into()),
        ..Default::default()
    };
    assert_eq!(read_with("nc_sids/nc.shp", opts).layer.id, "kreise");
    assert_eq!(read("nc_sids/nc.shp").layer.id, "nc");
}

#[test]
fn our_self_intersection_check_agrees_with_geo() {
    // geo's `Validation` is quadratic but independent; wherever it finds a polygon valid, our
    // sweep must not report a crossing (and anything we report, geo must find invalid too).
    for rel in [
        "nc_sids/nc.shp",
        "swiss_2024/districts.shp",
        "codepages/olinda1.shp",
    ] {
        let imported = read(rel);
        for d in &imported.layer.districts {
            for p in &d.geometry.0 {
                if self_intersection(p).is_some() {
                    assert!(
                        !p.is_valid(),
                        "{rel} {}: we report a crossing, geo finds it valid",
                        d.id
                    );
                }
                if p.is_valid() {
                    assert_eq!(self_intersection(p), None, "{rel} {}", d.id);
                }
            }
        }
    }
}

#[test]
fn report_display_and_json() {
    let imported = read("swiss_2024/districts.shp");
    let text = imported.report.to_string();
    assert!(text.contains("Format:      ESRI Shapefile"), "{text}");
    assert!(text.contains("Features:    143"), "{text}");
    assert!(
        text.contains("Encoding:    UTF-8 (from detected (all text is valid UTF-8))"),
        "{text}"
    );
    assert!(text.contains("  name  text     143 non-null"), "{text}");
    let json = serde_json::to_value(&imported.report).unwrap();
    assert_eq!(json["features"], 143);
    assert_eq!(json["fields"][0]["kind"], "integer");
    assert_eq!(json["validation"]["errors"], serde_json::json!([]));
}

// ---- bad input ----

#[test]
fn truncated_shp_names_the_record() {
    for rel in ["bad/nc_truncated.shp", "bad/nc_truncated_noshx.shp"] {
        let e = error(rel, ImportOptions::default());
        let msg = e.to_string();
        assert!(matches!(e, ImportError::Shp { .. }), "{rel}: {msg}");
        assert!(
            msg.contains("is 30000 bytes but its header says 46196 bytes, so it is truncated"),
            "{rel}: {msg}"
        );
        assert!(msg.contains(", record "), "{rel}: {msg}");
    }
}

#[test]
fn dbf_with_fewer_records_than_shapes() {
    let e = error("bad/nc_fewer_records.shp", ImportOptions::default());
    let msg = e.to_string();
    assert!(
        matches!(
            e,
            ImportError::RecordCount {
                shapes: 100,
                records: 99,
                ..
            }
        ),
        "{msg}"
    );
    assert!(
        msg.contains("nc_fewer_records.shp has 100 shapes but")
            && msg.contains("nc_fewer_records.dbf has 99 records"),
        "{msg}"
    );
    let e = error("bad/nc_dbf_truncated.shp", ImportOptions::default()).to_string();
    assert!(e.contains("nc_dbf_truncated.dbf, record 61: the header announces 100 records but the file holds only 60"), "{e}");
}

#[test]
fn broken_field_definitions() {
    let e = error("bad/nc_broken_field.shp", ImportOptions::default()).to_string();
    assert!(
        e.contains("nc_broken_field.dbf: field 5 (NAME) has an unknown type byte 0x5A ('Z')"),
        "{e}"
    );
    let e = error("bad/nc_broken_widths.shp", ImportOptions::default()).to_string();
    assert!(e.contains("field definitions are broken"), "{e}");
}

#[test]
fn missing_prj_and_unknown_crs() {
    let e = error("bad/nc_noprj.shp", ImportOptions::default()).to_string();
    assert!(e.contains("nc_noprj.shp has no .prj file"), "{e}");
    let e = error("bad/nc_unknown_crs.shp", ImportOptions::default());
    assert!(
        matches!(&e, ImportError::Crs { origin, .. } if origin == ".prj"),
        "{e}"
    );
    assert!(e.to_string().contains("nc_unknown_crs.prj"), "{e}");
    let e = error("bad/unknown_crs.geojson", ImportOptions::default());
    assert!(
        matches!(&e, ImportError::Crs { origin, .. } if origin == "crs member"),
        "{e}"
    );
    let e = error("nc_sids/nc.shp", with_crs("EPSG:999999"));
    assert!(
        matches!(&e, ImportError::Crs { origin, .. } if origin == "--crs, or crs = in the atlas manifest"),
        "{e}"
    );
}

#[test]
fn missing_file_unknown_format_empty_and_broken_json() {
    let e = error("nc_sids/does_not_exist.shp", ImportOptions::default());
    assert!(matches!(e, ImportError::NotFound { .. }), "{e}");
    let e = error("SOURCES.md", ImportOptions::default());
    assert!(matches!(e, ImportError::UnknownFormat { .. }), "{e}");
    let e = error("bad/empty.geojson", ImportOptions::default());
    assert!(
        e.to_string().ends_with(
            "empty.geojson has no features: a district layer needs at least one polygon"
        ),
        "{e}"
    );
    let e = error("bad/broken.geojson", ImportOptions::default());
    assert!(matches!(e, ImportError::Json { line: 3, .. }), "{e}");
    let e = error("bad/two_shapefiles.zip", ImportOptions::default()).to_string();
    assert!(
        e.contains("the archive holds 2 shapefiles (a/nc.shp, b/nc_copy.shp)"),
        "{e}"
    );
}

#[test]
fn point_features_are_an_error_naming_the_feature() {
    let e = error("bad/points.geojson", ImportOptions::default());
    assert!(
        matches!(&e, ImportError::NotPolygon { feature: 2, .. }),
        "{e}"
    );
    assert!(
        e.to_string()
            .contains("feature 2 (id \"05334\"): the geometry is a Point"),
        "{e}"
    );
}

#[test]
fn nan_coordinate_is_an_error_for_that_county_only() {
    let imported = read("bad/nc_nan.shp");
    let v = &imported.report.validation;
    assert!(!v.is_usable());
    assert_eq!(v.errors.len(), 1, "{v}");
    // Record 3 is Surry county, FIPS 37171 (per pyshp).
    let fips = reference("import_attributes.json")["nc_sids/nc"]["sample"]["3"]["FIPS"].clone();
    assert_eq!(Value::String(v.errors[0].id.clone()), fips);
    assert_eq!(v.errors[0].feature, 3);
    assert!(v.errors[0].problem.contains("is not a number"), "{v}");
    assert!(imported.layer.districts[2].geometry.0.is_empty());
    assert_eq!(imported.layer.districts.len(), 100);
}

#[test]
fn invalid_geometries_are_repaired_reported_or_rejected() {
    // Feature ids repeat, so they are only used when asked for (by default the feature number would be).
    let opts = ImportOptions {
        id_field: Some("id".into()),
        ..Default::default()
    };
    let imported = read_with("bad/invalid_geometry.geojson", opts);
    let v = &imported.report.validation;
    let ids = |list: &[quartier_geo::validate::Finding]| {
        list.iter().map(|f| f.id.clone()).collect::<Vec<_>>()
    };
    assert_eq!(ids(&v.repaired), vec!["02", "02", "03"], "{v}");
    let repaired: String = v
        .repaired
        .iter()
        .map(|f| f.problem.clone())
        .collect::<Vec<_>>()
        .join("; ");
    assert!(repaired.contains("closed 1 unclosed rings"), "{repaired}");
    assert!(
        repaired.contains("dropped 1 duplicate consecutive points"),
        "{repaired}"
    );
    assert!(
        repaired.contains("reversed 1 rings with the wrong winding"),
        "{repaired}"
    );
    assert!(v.warnings.is_empty(), "{v}");
    assert!(
        v.repaired[2]
            .problem
            .contains("edges crossing at (6.5000000, 50.5000000); rebuilt by polygon overlay"),
        "{v}"
    );
    assert_eq!(ids(&v.errors), vec!["04", "05"], "{v}");
    assert_eq!(v.empty, vec!["06".to_string()]);
    assert_eq!(v.duplicate_ids, vec!["01".to_string()]);
    assert!(!v.is_usable());
    let text = v.to_string();
    assert!(
        text.starts_with("NOT usable (2 errors, 1 duplicate ids, 3 repaired, 0 warnings, 1 empty)"),
        "{text}"
    );
    assert!(
        text.contains("error: feature 4 (id \"04\"): coordinate (318000, 5630000)"),
        "{text}"
    );
}

/// The official VG250 boundaries wind their rings clockwise: every Kreis of the Regierungsbezirk
/// Köln is rewound, and the report says so once by kind with a few examples, not once per Kreis
/// (issue 10: "summarise repairs by kind").
#[test]
fn vg250_kreise_are_rewound_and_the_report_summarises_by_kind() {
    let imported = read_with(
        "de_vg250/koeln_kreise.geojson",
        ImportOptions {
            id_field: Some("AGS".into()),
            name_field: Some("GEN".into()),
            ..ImportOptions::default()
        },
    );
    let layer = &imported.layer;
    assert_eq!(layer.districts.len(), 11);
    assert_layer_winding(layer);
    let duren = layer.districts.iter().find(|d| d.id == "05358").unwrap();
    assert_eq!(duren.name, "Düren");
    let v = &imported.report.validation;
    assert!(v.is_usable());
    assert_eq!(
        v.repairs_by_kind(),
        vec![("rings with the wrong winding reversed", 11)]
    );
    let text = v.to_string();
    assert!(
        text.contains("\n  repaired by kind: 11 districts: rings with the wrong winding reversed"),
        "{text}"
    );
    assert_eq!(text.matches("\n  repaired: feature").count(), 3, "{text}");
    assert!(text.ends_with("\n  repaired: ... and 8 more"), "{text}");
}

/// A field asked for in another case is found, and the report says so (issue 10: "field names
/// match case-insensitively without a word").
#[test]
fn fields_found_by_ignoring_case_are_noted() {
    let imported = read_with(
        "nc_sids/nc.shp",
        ImportOptions {
            id_field: Some("fips".into()),
            name_field: Some("name".into()),
            ..ImportOptions::default()
        },
    );
    let report = &imported.report;
    assert_eq!(report.id_field.as_deref(), Some("FIPS"));
    assert_eq!(report.name_field.as_deref(), Some("NAME"));
    assert_eq!(imported.layer.districts[0].id, "37009");
    assert_eq!(imported.layer.districts[0].name, "Ashe");
    let notes: Vec<&str> = report
        .notes
        .iter()
        .filter(|n| n.contains("case differs"))
        .map(String::as_str)
        .collect();
    assert_eq!(
        notes,
        [
            "the id field \"fips\" was matched to the field \"FIPS\", whose case differs; write \"FIPS\" to match it exactly",
            "the name field \"name\" was matched to the field \"NAME\", whose case differs; write \"NAME\" to match it exactly",
        ]
    );
    assert!(report
        .to_string()
        .contains("write \"FIPS\" to match it exactly"));
    // The exact spelling gives no note.
    let exact = read_with(
        "nc_sids/nc.shp",
        ImportOptions {
            id_field: Some("FIPS".into()),
            ..ImportOptions::default()
        },
    );
    assert!(!exact
        .report
        .notes
        .iter()
        .any(|n| n.contains("case differs")));
}
