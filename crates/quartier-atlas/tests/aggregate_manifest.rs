//! Aggregated layers in an atlas manifest (`[layer.aggregate]`), on real data compared with the
//! independent shapely/pyproj references of `tests/reference/aggregate_reference.py`
//! (`tests/fixtures/reference/aggregate_*.json`). Moved here from quartier-geo's aggregation tests
//! with the manifest.
#![allow(clippy::unwrap_used)] // test helpers may panic: a failing fixture read is a failing test

use std::path::{Path, PathBuf};

use approx::assert_relative_eq;
use quartier_atlas::manifest::{LoadedAtlas as Atlas, ManifestError as AtlasError};
use quartier_geo::aggregate::Method;
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

fn reference(name: &str) -> Value {
    let text = std::fs::read_to_string(fixtures().join("reference").join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("quartier-aggregate-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A manifest in a temporary folder whose paths point into the fixtures.
fn manifest(name: &str, text: &str) -> PathBuf {
    let dir = temp_dir(name);
    let path = dir.join("atlas.toml");
    let text = text.replace("FIXTURES", &fixtures().display().to_string());
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn atlas_layer_of_points_with_suppression_and_density() {
    let path = manifest(
        "atlas-london",
        r#"
[[layer]]
id = "london"
source = "FIXTURES/london/londonBoroughs.json"
suppress_below = 40

[layer.aggregate]
from = "FIXTURES/london/cycle_hire.geojson"
sum = ["nbikes"]

[[layer.indicator]]
id = "stations"
field = "count"

[[layer.indicator]]
id = "bikes_per_station"
numerator = "nbikes_sum"
denominator = "count"

[[layer.indicator]]
id = "station_density"
density = "count"
"#,
    );
    let (atlas, report) = Atlas::load(&path).unwrap();
    let london = atlas.layer("london").unwrap();
    let expected = reference("aggregate_london.json");
    let stations = london.indicator("stations").unwrap();
    let per_station = london.indicator("bikes_per_station").unwrap();
    let density = london.indicator("station_density").unwrap();
    assert_eq!(stations.suppress_below, Some(40.0));
    let mut withheld = Vec::new();
    for (i, row) in expected["boroughs"].as_array().unwrap().iter().enumerate() {
        let count = row["count"].as_f64().unwrap();
        let bikes = row["nbikes_sum"].as_f64().unwrap();
        let area = row["area_km2"].as_f64().unwrap();
        // Counts of 1 to 39 are withheld, and so is every value computed from them.
        let small = count > 0.0 && count < 40.0;
        for ind in [stations, per_station, density] {
            assert_eq!(ind.suppressed[i], small, "{} {}", ind.id, row["id"]);
        }
        if small {
            withheld.push(row["id"].as_str().unwrap());
            assert_eq!(stations.values[i], None);
            assert_eq!(density.values[i], None);
            continue;
        }
        assert_eq!(stations.values[i], Some(count));
        let d = density.values[i].unwrap();
        assert_relative_eq!(d, count / area, max_relative = 1e-9);
        match per_station.values[i] {
            Some(v) => assert_relative_eq!(v, bikes / count),
            None => assert_eq!(count, 0.0),
        }
    }
    assert_eq!(
        withheld,
        ["Southwark", "Islington", "Hackney", "City of London"]
    );
    assert_eq!(density.formula, "count / area (km²)");
    // `quartier check` shows the aggregation and the suppressed values.
    let text = report.to_string();
    assert!(text.contains("742 points read: 741 assigned"), "{text}");
    assert!(
        text.contains("stations                 29 values, 4 missing (4 suppressed)"),
        "{text}"
    );
    let summary = &report.layers[0].indicators[0];
    assert_eq!((summary.values, summary.suppressed), (29, 4));
}

#[test]
fn atlas_layer_dissolved_by_key_and_a_change_between_two_periods() {
    let path = manifest(
        "atlas-boston",
        r#"
[[layer]]
id = "towns"
source = "FIXTURES/boston_tracts/boston_tracts.shp"

[layer.aggregate]
dissolve = "TOWN"
sum = ["POP"]
mean = [{ field = "LSTAT", weight = "POP" }]

[[layer.indicator]]
id = "population"
field = "POP_sum"

[[layer.indicator]]
id = "lower_status"
field = "LSTAT_mean"

[[layer.indicator]]
id = "population_density"
density = "POP_sum"

[[layer]]
id = "nc"
source = "FIXTURES/nc_sids/nc.shp"
id_field = "FIPS"

[[layer.indicator]]
id = "births_change"
change = { from = "BIR74", to = "BIR79", percent = true }
"#,
    );
    let (atlas, report) = Atlas::load(&path).unwrap();
    let towns = atlas.layer("towns").unwrap();
    assert_eq!(towns.layer.id, "towns");
    assert_eq!(towns.layer.districts.len(), 92);
    let expected = reference("aggregate_boston.json");
    let pop = towns.indicator("population").unwrap();
    let lstat = towns.indicator("lower_status").unwrap();
    let density = towns.indicator("population_density").unwrap();
    for (i, t) in expected["towns"].as_array().unwrap().iter().enumerate() {
        assert_eq!(pop.values[i], t["POP_sum"].as_f64());
        assert_relative_eq!(
            lstat.values[i].unwrap(),
            t["LSTAT_mean"].as_f64().unwrap(),
            max_relative = 1e-9
        );
        assert!(density.values[i].unwrap() > 0.0);
        assert!(!pop.suppressed[i], "no threshold, nothing suppressed");
    }
    assert_eq!(
        report.layers[0].aggregate.as_ref().unwrap().method,
        Method::Dissolve
    );

    let nc = atlas.layer("nc").unwrap();
    let change = nc.indicator("births_change").unwrap();
    assert_eq!(change.formula, "(BIR79 − BIR74) / BIR74 × 100");
    let want = reference("aggregate_nc_change.json");
    for (fips, v) in want.as_object().unwrap() {
        let i = nc.layer.index_of(fips).unwrap();
        assert_relative_eq!(
            change.values[i].unwrap(),
            v.as_f64().unwrap(),
            max_relative = 1e-12
        );
    }
}

#[test]
fn atlas_aggregate_errors_name_the_layer_and_what_to_write() {
    let both = manifest(
        "atlas-both",
        r#"
[[layer]]
id = "london"
source = "FIXTURES/london/londonBoroughs.json"
[layer.aggregate]
from = "FIXTURES/london/cycle_hire.geojson"
dissolve = "id"
"#,
    );
    let e = Atlas::load(&both).unwrap_err().to_string();
    assert!(
        e.contains("layer \"london\", [layer.aggregate]: say either from"),
        "{e}"
    );

    let missing = manifest(
        "atlas-missing",
        r#"
[[layer]]
id = "london"
source = "FIXTURES/london/londonBoroughs.json"
[layer.aggregate]
from = "FIXTURES/london/cycle_hire.geojson"
sum = ["bikes"]
"#,
    );
    let e = Atlas::load(&missing).unwrap_err();
    assert!(matches!(e, AtlasError::Aggregate { .. }));
    let e = e.to_string();
    assert!(e.starts_with("layer \"london\": cannot aggregate: "), "{e}");
    assert!(e.contains("has no field \"bikes\""), "{e}");

    let typo = manifest(
        "atlas-typo",
        r#"
[[layer]]
id = "london"
source = "FIXTURES/london/londonBoroughs.json"
[layer.aggregate]
from = "FIXTURES/london/cycle_hire.geojson"
sums = ["nbikes"]
"#,
    );
    let e = Atlas::load(&typo).unwrap_err().to_string();
    assert!(e.contains("unknown field `sums`"), "{e}");
}

#[test]
fn bundled_atlas_has_boston_towns_and_london_boroughs_aggregated() {
    let geodata = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../geodata");
    let (atlas, report) = Atlas::load(&geodata.join("atlas.toml")).unwrap();
    assert!(report.is_usable(), "{report}");
    let towns = atlas.layer("boston_towns").unwrap();
    let expected = reference("aggregate_boston.json");
    let population = towns.indicator("population").unwrap();
    for (i, t) in expected["towns"].as_array().unwrap().iter().enumerate() {
        assert_eq!(towns.layer.districts[i].id, t["id"].as_str().unwrap());
        assert_eq!(population.values[i], t["POP_sum"].as_f64());
    }
    let london = atlas.layer("london").unwrap();
    let stations = london.indicator("stations").unwrap();
    let bikes = london.indicator("bikes").unwrap();
    let expected = reference("aggregate_london.json");
    for (i, row) in expected["boroughs"].as_array().unwrap().iter().enumerate() {
        assert_eq!(stations.values[i], row["count"].as_f64());
        assert_eq!(bikes.values[i], row["nbikes_sum"].as_f64());
    }
}
