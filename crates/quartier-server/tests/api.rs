//! In-process tests of every route and every error case, on the real bundled atlas
//! (`geodata/atlas.toml`: Boston tracts, Montréal districts, NC counties, Boston's towns dissolved
//! from the tracts, London boroughs with the cycle-hire stations counted in).
//!
//! The router is called with `tower::ServiceExt::oneshot`, no socket (axum's `examples/testing`).
//! Expected values come from independent references committed as fixtures:
//! - `tests/fixtures/reference/server_interior_points.json` (`tests/reference/server_reference.py`:
//!   pyshp + shapely polylabel + pyproj): a point deep inside every district, each layer's WGS84
//!   bounds, and each NC county's SIDS rate;
//! - `aggregate_boston.json` and `aggregate_london.json` (`tests/reference/aggregate_reference.py`,
//!   shapely): the 92 towns dissolved from the tracts, and the stations counted per borough;
//!   with the threshold of a layer's manifest, the counts say which boroughs must be withheld by
//!   small-number suppression (on the bundled `london` layer none; on the test atlas
//!   `tests/london_suppressed.toml`, threshold 40, four);
//! - `classify_mapclassify.json` (PySAL mapclassify breaks) and `classify_colorbrewer.json`
//!   (ColorBrewer's published colours), both from `tests/reference/classify_reference.py`.
#![allow(clippy::unwrap_used)] // test helpers may panic: a failing fixture read is a failing test

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use bytes::Bytes;
use quartier_atlas::Restyle;
use quartier_server::source;
use quartier_server::state::{AppState, ServerOptions};
use serde_json::Value;
use tower::ServiceExt;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture(name: &str) -> Value {
    let path = repo().join("tests/fixtures/reference").join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn reference() -> &'static Value {
    static R: OnceLock<Value> = OnceLock::new();
    R.get_or_init(|| fixture("server_interior_points.json"))
}

/// The layers of the bundled atlas, in manifest order.
const LAYERS: [&str; 5] = ["boston", "montreal", "nc", "boston_towns", "london"];

/// Number of districts per layer of [`LAYERS`]: 506 Boston tracts, 58 Montréal districts and
/// 100 NC counties (tests/fixtures/SOURCES.md); the towns and boroughs as many as the shapely
/// references of the aggregation found.
fn feature_counts() -> [u64; 5] {
    let towns = fixture("aggregate_boston.json")["towns"]
        .as_array()
        .unwrap()
        .len();
    let boroughs = fixture("aggregate_london.json")["boroughs"]
        .as_array()
        .unwrap()
        .len();
    [506, 58, 100, towns as u64, boroughs as u64]
}

/// The bundled atlas, loaded once for all tests of this file.
fn atlas_state() -> Arc<AppState> {
    static STATE: OnceLock<Arc<AppState>> = OnceLock::new();
    STATE
        .get_or_init(|| {
            let (atlas, _) =
                source::load_all(&[repo().join("geodata/atlas.toml")], &Default::default())
                    .unwrap();
            Arc::new(AppState::new(atlas, &ServerOptions::default()))
        })
        .clone()
}

/// A fresh state serving `nc.shp` directly (its own counters and cache).
/// The data version of the bundled atlas's layer `nc` (its tiles' `v=`).
fn nc_version() -> String {
    let state = atlas_state();
    let (_, nc) = state.layer("nc").unwrap();
    nc.atlas.version.clone()
}

fn nc_file_state(options: &ServerOptions) -> Arc<AppState> {
    let path = repo().join("tests/fixtures/nc_sids/nc.shp");
    let (atlas, _) = source::load_all(&[path], &Default::default()).unwrap();
    Arc::new(AppState::new(atlas, options))
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body[..self.body.len().min(300)])
            )
        })
    }

    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }

    /// The error message of a JSON error answer.
    fn error(&self) -> String {
        assert_eq!(self.header("content-type"), "application/json");
        self.json()["error"].as_str().unwrap().to_string()
    }
}

async fn send(state: Arc<AppState>, request: Request<Body>) -> Answer {
    let response = quartier_server::app(state).oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    Answer {
        status,
        headers,
        body,
    }
}

async fn get_with(state: Arc<AppState>, uri: &str, headers: &[(&str, &str)]) -> Answer {
    let mut request = Request::get(uri);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    send(state, request.body(Body::empty()).unwrap()).await
}

async fn get(uri: &str) -> Answer {
    get_with(atlas_state(), uri, &[]).await
}

async fn get_json(uri: &str) -> Value {
    let a = get(uri).await;
    assert_eq!(
        a.status,
        StatusCode::OK,
        "{uri}: {}",
        String::from_utf8_lossy(&a.body)
    );
    a.json()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn assert_close(actual: &[f64], expected: &[f64], tolerance: f64, what: &str) {
    assert_eq!(
        actual.len(),
        expected.len(),
        "{what}: {actual:?} vs {expected:?}"
    );
    for (a, e) in actual.iter().zip(expected) {
        assert!(
            (a - e).abs() <= tolerance,
            "{what}: {actual:?} vs {expected:?}"
        );
    }
}

/// mapclassify's upper bounds and counts for a dataset, method and class count.
fn mapclassify(dataset: &str, method: &str, k: u64) -> (Vec<f64>, Vec<u64>) {
    static F: OnceLock<Value> = OnceLock::new();
    let f = F.get_or_init(|| fixture("classify_mapclassify.json"));
    let case = f["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["dataset"] == dataset && c["method"] == method && c["k"] == k)
        .unwrap_or_else(|| panic!("no mapclassify case {dataset} {method} {k}"));
    let counts = case["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_u64().unwrap())
        .collect();
    (floats(&case["bins"]), counts)
}

/// ColorBrewer's published colours of a scheme for k classes.
fn colorbrewer(scheme: &str, k: usize) -> Vec<String> {
    static F: OnceLock<Value> = OnceLock::new();
    let f = F.get_or_init(|| fixture("classify_colorbrewer.json"));
    let s = f["schemes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == scheme)
        .unwrap();
    s["colors"][k.to_string()]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect()
}

fn rgb(hex: &str) -> [u8; 4] {
    let n = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap();
    [(n >> 16) as u8, (n >> 8) as u8, n as u8, 255]
}

// ---------------------------------------------------------------------------------------------
// /health, /api/atlas, /api/layers

#[tokio::test]
async fn health_reports_ok_and_is_not_cached() {
    let a = get("/health").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.header("cache-control"), "no-store");
    let v = a.json();
    assert_eq!(v["status"], "ok");
    assert_eq!(v["layers"], LAYERS.len());
    assert_eq!(v["stats"]["cache"]["budget_bytes"], 64 * 1024 * 1024);
}

#[tokio::test]
async fn atlas_has_titles_themes_and_style_choices() {
    let v = get_json("/api/atlas?lang=de").await;
    assert_eq!(v["title"], "Quartier Demo-Atlas");
    assert_eq!(v["titles"]["en"], "Quartier demo atlas");
    assert_eq!(v["lang"], "de");
    assert!(v["basemap"].is_null());
    assert_eq!(v["layers"], serde_json::json!(LAYERS));
    let themes = v["themes"].as_array().unwrap();
    assert_eq!(themes.len(), 7);
    assert_eq!(themes[0]["id"], "demography");
    assert_eq!(themes[0]["title"], "Demografie und Integration");
    assert_eq!(themes[0]["titles"]["en"], "Demography and integration");
    assert_eq!(v["min_classes"], 2);
    assert_eq!(v["max_classes"], 9);
    assert_eq!(v["default_palette"], "YlGnBu");
    assert_eq!(v["no_data_color"], "#a6a6a6");
    assert_eq!(v["suppressed_color"], SUPPRESSED_COLOR);
    assert!(v["palettes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "YlOrRd" && p["kind"] == "sequential"));
}

#[tokio::test]
async fn layers_list_matches_the_files() {
    let v = get_json("/api/layers").await;
    let layers = v.as_array().unwrap();
    let ids: Vec<&str> = layers.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, LAYERS);
    let features: Vec<u64> = layers
        .iter()
        .map(|l| l["features"].as_u64().unwrap())
        .collect();
    assert_eq!(features, feature_counts());
    // The reference counts are the ones the issue names: 92 towns, 33 boroughs.
    assert_eq!(&features[3..], [92, 33]);
    for l in layers {
        let id = l["id"].as_str().unwrap();
        let expected = floats(&reference()["bounds"][id]);
        // pyproj and Quartier both apply a Helmert NAD27 shift: within 1e-5 degrees (about 1 m).
        assert_close(&floats(&l["bounds"]), &expected, 1e-5, id);
    }
    let nc = &layers[2];
    assert_eq!(nc["title"], "North Carolina counties");
    let ind = &nc["indicators"][0];
    assert_eq!(ind["id"], "sids_rate74");
    assert_eq!(ind["title"], "Sudden infant deaths 1974–78");
    assert_eq!(ind["unit"], "per 1,000 births");
    assert_eq!(ind["theme"], "demography");
    assert_eq!(ind["year"], 1974);
    assert_eq!(ind["decimals"], 2);
    assert_eq!(ind["source"], "NC SIDS data (Cressie 1991)");
    assert_eq!(ind["style"]["palette"], "YlOrRd");
    // The list carries no statistics; the detail route does.
    assert!(ind.get("stats").is_none());
    assert_eq!(layers[0]["indicators"].as_array().unwrap().len(), 11);
}

#[tokio::test]
async fn layers_in_german() {
    let v = get_json("/api/layers?lang=de").await;
    let ind = &v[2]["indicators"][0];
    assert_eq!(ind["title"], "Plötzlicher Kindstod 1974–78");
    assert_eq!(ind["unit"], "je 1.000 Geburten");
    assert_eq!(ind["titles"]["en"], "Sudden infant deaths 1974–78");
    assert_eq!(ind["theme_title"], "Demografie und Integration");
}

#[tokio::test]
async fn layer_detail_has_statistics_from_the_data() {
    let v = get_json("/api/layers/nc").await;
    let stats = &v["indicators"][0]["stats"];
    let rates: Vec<f64> = reference()["layers"]["nc"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["sids_rate74"].as_f64().unwrap())
        .collect();
    assert_eq!(rates.len(), 100);
    let mean = rates.iter().sum::<f64>() / 100.0;
    let max = rates.iter().copied().fold(f64::MIN, f64::max);
    assert!((stats["mean"].as_f64().unwrap() - mean).abs() < 1e-12);
    assert!((stats["max"].as_f64().unwrap() - max).abs() < 1e-12);
    assert_eq!(stats["min"], 0.0);
    assert_eq!(stats["count"], 100);
    assert_eq!(stats["missing"], 0);
    assert_eq!(v["links"]["tiles"], "/tiles/nc/{indicator}/{z}/{x}/{y}.png");
}

#[tokio::test]
async fn unknown_layer_is_a_404_listing_the_layers() {
    for uri in [
        "/api/layers/paris",
        "/api/layers/paris/features.geojson",
        "/api/layers/paris/at?lon=0&lat=0",
        "/api/layers/paris/indicators/x/legend.json",
        "/tiles/paris/x/0/0/0.png",
        "/tiles/paris/x/tilejson.json",
    ] {
        let a = get(uri).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(
            a.error(),
            format!("no layer \"paris\"; layers are: {}", LAYERS.join(", ")),
            "{uri}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// features.geojson

#[tokio::test]
async fn features_keep_ids_names_and_values() {
    let a = get("/api/layers/boston/features.geojson").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.header("content-type"), "application/geo+json");
    let v = a.json();
    assert_eq!(v["type"], "FeatureCollection");
    let features = v["features"].as_array().unwrap();
    assert_eq!(features.len(), 506);
    // Keys keep their leading zeros.
    assert_eq!(features[0]["id"], "0001");
    assert_eq!(features[0]["properties"]["id"], "0001");
    assert_eq!(features[0]["properties"]["name"], "Boston Allston-Brighton");
    assert_eq!(features[0]["geometry"]["type"], "MultiPolygon");
    let values = features[0]["properties"]["values"].as_object().unwrap();
    assert_eq!(values.len(), 11);

    let v = get_json("/api/layers/montreal/features.geojson").await;
    let names: Vec<&str> = v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"32-Côte-des-Neiges"));
    assert!(names.contains(&"34-Notre-Dame-de-Grâce"));
}

// ---------------------------------------------------------------------------------------------
// /at

#[tokio::test]
async fn at_finds_every_district_at_its_interior_point() {
    for (layer, features) in LAYERS.iter().zip(feature_counts()) {
        let points = reference()["layers"][layer].as_array().unwrap();
        // Only districts with a point at least 150 m from their border are in the reference: that
        // is nearly all of them (478 of the 506 tracts, every borough).
        assert!(
            points.len() as f64 >= 0.9 * features as f64,
            "{layer}: {} points for {features} districts",
            points.len()
        );
        for p in points {
            let uri = format!("/api/layers/{layer}/at?lon={}&lat={}", p["lon"], p["lat"]);
            let v = get_json(&uri).await;
            assert_eq!(v["id"], p["id"], "{uri}");
            assert_eq!(v["name"], p["name"], "{uri}");
        }
    }
}

#[tokio::test]
async fn at_returns_values_and_ranks() {
    let points = reference()["layers"]["nc"].as_array().unwrap();
    // The county with the highest SIDS rate ranks first.
    let top = points
        .iter()
        .max_by(|a, b| {
            a["sids_rate74"]
                .as_f64()
                .unwrap()
                .total_cmp(&b["sids_rate74"].as_f64().unwrap())
        })
        .unwrap();
    let v = get_json(&format!(
        "/api/layers/nc/at?lon={}&lat={}",
        top["lon"], top["lat"]
    ))
    .await;
    assert_eq!(v["ranks"]["sids_rate74"], 1);
    let value = v["values"]["sids_rate74"].as_f64().unwrap();
    assert!((value - top["sids_rate74"].as_f64().unwrap()).abs() < 1e-12);
    assert_eq!(v["values"].as_object().unwrap().len(), 5);
}

#[tokio::test]
async fn district_by_id_equals_at() {
    for layer in ["nc", "london"] {
        for p in reference()["layers"][layer]
            .as_array()
            .unwrap()
            .iter()
            .step_by(7)
        {
            let at = get_json(&format!(
                "/api/layers/{layer}/at?lon={}&lat={}",
                p["lon"], p["lat"]
            ))
            .await;
            let id = p["id"].as_str().unwrap();
            let path = id.replace(' ', "%20");
            let by_id = get_json(&format!("/api/layers/{layer}/districts/{path}")).await;
            assert_eq!(by_id, at, "{layer}/{id}");
            assert_eq!(by_id["id"], p["id"]);
        }
    }
    let a = get("/api/layers/nc/districts/99999").await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let e = a.error();
    assert!(e.contains("layer \"nc\" has no district \"99999\""), "{e}");
    assert_eq!(
        get("/api/layers/nowhere/districts/1").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn at_outside_every_district_is_a_404() {
    // The Atlantic, east of Cape Hatteras.
    let a = get("/api/layers/nc/at?lon=-74&lat=35").await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert!(a
        .error()
        .contains("no district of layer \"nc\" contains lon=-74, lat=35"));
}

#[tokio::test]
async fn at_with_bad_coordinates_is_a_400() {
    for (query, says) in [
        ("", "lon is missing"),
        ("?lon=-79", "lat is missing"),
        ("?lon=abc&lat=35", "not a number"),
        ("?lon=-79&lat=NaN", "not a number"),
        ("?lon=35&lat=-179", "swapped"),
        ("?lon=200&lat=35", "lon goes from -180 to 180"),
    ] {
        let a = get(&format!("/api/layers/nc/at{query}")).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(a.error().contains(says), "{query}: {}", a.error());
    }
}

// ---------------------------------------------------------------------------------------------
// legend.json

#[tokio::test]
async fn legend_equals_mapclassify_and_colorbrewer() {
    let v = get_json("/api/layers/nc/indicators/sids_rate74/legend.json").await;
    assert_eq!(v["method"], "quantile");
    assert_eq!(v["classes"], 5);
    assert_eq!(v["palette"], "YlOrRd");
    let (bins, counts) = mapclassify("nc_sids_rate", "quantile", 5);
    let breaks = floats(&v["breaks"]);
    assert_eq!(breaks[0], 0.0);
    assert_close(&breaks[1..], &bins, 1e-12, "quantile breaks");
    assert_eq!(v["counts"], serde_json::json!(counts));
    assert_eq!(v["colors"], serde_json::json!(colorbrewer("YlOrRd", 5)));
    assert_eq!(v["missing"], 0);
    assert_eq!(v["no_data_color"], "#a6a6a6");
    assert_eq!(v["unit"], "per 1,000 births");
    assert_eq!(v["title"], "Sudden infant deaths 1974–78");
    // The layer's data version on the URL: such tiles are cached for a year (tests/security.rs).
    assert_eq!(
        v["tiles"],
        format!(
            "/tiles/nc/sids_rate74/{{z}}/{{x}}/{{y}}.png?method=quantile&classes=5&palette=YlOrRd&v={}",
            nc_version()
        )
    );
}

#[tokio::test]
async fn legend_follows_the_style_parameters() {
    let v = get_json(
        "/api/layers/nc/indicators/sids_rate74/legend.json?method=jenks&classes=4&palette=Blues",
    )
    .await;
    let (bins, counts) = mapclassify("nc_sids_rate", "jenks", 4);
    assert_close(&floats(&v["breaks"])[1..], &bins, 1e-12, "jenks breaks");
    assert_eq!(v["counts"], serde_json::json!(counts));
    assert_eq!(v["colors"], serde_json::json!(colorbrewer("Blues", 4)));
    assert_eq!(v["style"], "method=jenks&classes=4&palette=Blues");

    let v = get_json("/api/layers/nc/indicators/SID74/legend.json?method=equal&classes=6").await;
    let (bins, counts) = mapclassify("nc_sid74", "equal", 6);
    assert_close(&floats(&v["breaks"])[1..], &bins, 1e-9, "equal breaks");
    assert_eq!(v["counts"], serde_json::json!(counts));
    // The manifest's default palette for SID74 is the atlas default.
    assert_eq!(v["colors"], serde_json::json!(colorbrewer("YlGnBu", 6)));
}

#[tokio::test]
async fn legend_with_manual_breaks() {
    let v = get_json("/api/layers/nc/indicators/sids_rate74/legend.json?breaks=1,2,3").await;
    assert_eq!(v["method"], "manual");
    let breaks = floats(&v["breaks"]);
    // mapclassify UserDefined adds a class up to the maximum.
    assert_eq!(&breaks[1..4], &[1.0, 2.0, 3.0]);
    assert_eq!(v["classes"], 4);
    let total: u64 = v["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_u64().unwrap())
        .sum();
    assert_eq!(total, 100);
}

#[tokio::test]
async fn legend_in_german() {
    let v = get_json("/api/layers/nc/indicators/sids_rate74/legend.json?lang=de").await;
    assert_eq!(v["title"], "Plötzlicher Kindstod 1974–78");
    assert_eq!(v["unit"], "je 1.000 Geburten");
}

/// The page's legend texts for a break list (`tests/reference/legend_labels.mjs`: the page's own
/// formatting functions run in Node), for the manifest `decimals`, with the legend's two
/// additions since: U+2212 for the minus, and "> " before the open lower end of every class
/// after the first (a break belongs to the class below it).
fn page_labels(breaks: &[f64], decimals: Option<u64>, lang: &str) -> Vec<String> {
    let fixture = fixture("legend_labels.json");
    let case = fixture["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["decimals"].as_u64() == decimals
                && floats(&c["breaks"])
                    .iter()
                    .zip(breaks)
                    .all(|(a, b)| (a - b).abs() <= 1e-12 * b.abs().max(1.0))
                && c["breaks"].as_array().unwrap().len() == breaks.len()
        })
        .unwrap_or_else(|| panic!("no reference labels for {breaks:?} with {decimals:?}"));
    case[lang]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let l = l.as_str().unwrap().replace('-', "\u{2212}");
            if i == 0 {
                l
            } else {
                format!(">\u{202f}{l}")
            }
        })
        .collect()
}

#[tokio::test]
async fn legend_labels_are_what_the_page_printed() {
    for (indicator, style, decimals) in [
        ("sids_rate74", "", 2),
        ("sids_rate74", "?method=jenks&classes=4", 2),
        ("SID74", "?method=equal&classes=6", 0),
    ] {
        for lang in ["de", "en"] {
            let sep = if style.is_empty() { '?' } else { '&' };
            let uri =
                format!("/api/layers/nc/indicators/{indicator}/legend.json{style}{sep}lang={lang}");
            let v = get_json(&uri).await;
            assert_eq!(v["decimals"], decimals, "{uri}");
            let labels: Vec<String> = serde_json::from_value(v["labels"].clone()).unwrap();
            assert_eq!(
                labels,
                page_labels(&floats(&v["breaks"]), Some(decimals), lang),
                "{uri}"
            );
            assert_eq!(
                v["no_data_label"],
                fixture("legend_labels.json")["no_data"][lang]
            );
            assert!(
                v["suppressed_label"].is_null(),
                "{uri}: nc suppresses nothing"
            );
        }
    }
    // Read once by eye: NC's SIDS rates in quintiles, as the legend shows them.
    let v = get_json("/api/layers/nc/indicators/sids_rate74/legend.json?lang=de").await;
    assert_eq!(v["labels"][0], "0,00\u{2009}–\u{2009}0,86");
    let v = get_json("/api/layers/nc/indicators/sids_rate74/legend.json").await;
    assert_eq!(v["labels"][4], ">\u{202f}2.78\u{2009}–\u{2009}9.55");
}

#[tokio::test]
async fn legend_labels_of_a_suppressing_layer() {
    let url = "/api/layers/london_suppressed/indicators/stations/legend.json";
    let threshold = manifest_threshold(SUPPRESSION_MANIFEST, "london_suppressed");
    let reference = fixture("legend_labels.json");
    let row = reference["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["threshold"].as_f64() == Some(threshold))
        .unwrap();
    for lang in ["de", "en"] {
        let v = get_with(suppression_state(), &format!("{url}?lang={lang}"), &[])
            .await
            .json();
        assert_eq!(v["suppressed_label"], row[lang]);
        assert_eq!(v["no_data_label"], reference["no_data"][lang]);
        assert_eq!(
            v["labels"].as_array().unwrap().len(),
            v["colors"].as_array().unwrap().len()
        );
    }
}

#[tokio::test]
async fn bad_style_parameters_are_400s_that_say_what_is_allowed() {
    let base = "/api/layers/nc/indicators/sids_rate74/legend.json";
    for (query, says) in [
        (
            "method=kmeans",
            "use quantile, equal, jenks, stddev, pretty or manual",
        ),
        ("classes=12", "use 2 to 9 classes"),
        ("classes=1", "use 2 to 9 classes"),
        ("classes=many", "not a whole number"),
        ("palette=Rainbow", "unknown colour scheme"),
        ("method=manual", "method=manual needs breaks"),
        ("breaks=3,1", "breaks must increase"),
        ("breaks=1,two", "not a finite number"),
        ("method=jenks&breaks=1,2", "only used with method=manual"),
        ("breaks=1,2,3,4,5,6,7,8,9,10", "at most 9"),
        // (With quantiles a centre above every value is fine: all classes lie below it.)
        ("palette=RdBu&method=stddev&centre=99", "centre"),
        ("lang=fr", "lang=de or lang=en"),
    ] {
        for uri in [
            format!("{base}?{query}"),
            format!("/tiles/nc/sids_rate74/6/17/25.png?{query}"),
            format!("/tiles/nc/sids_rate74/tilejson.json?{query}"),
        ] {
            if query.starts_with("lang") && uri.contains(".png") {
                continue; // tiles have no language
            }
            let a = get(&uri).await;
            assert_eq!(a.status, StatusCode::BAD_REQUEST, "{uri}");
            assert!(a.error().contains(says), "{uri}: {}", a.error());
        }
    }
}

#[tokio::test]
async fn unknown_indicator_is_a_404_listing_the_indicators() {
    for uri in [
        "/api/layers/nc/indicators/crime/legend.json",
        "/tiles/nc/crime/6/17/25.png",
        "/tiles/nc/crime/tilejson.json",
    ] {
        let a = get(uri).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(
            a.error(),
            "layer \"nc\" has no indicator \"crime\"; its indicators are: \
             sids_rate74, sids_rate79, SID74, births74, nonwhite_births74"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Tiles

/// Global pixel of a WGS84 point at zoom `z` for tiles of `size` pixels (Web Mercator, XYZ).
fn global_pixel(lon: f64, lat: f64, z: u8, size: u32) -> (u64, u64) {
    let n = f64::from(size) * 2f64.powi(i32::from(z));
    let x = (lon + 180.0) / 360.0 * n;
    let lat = lat.to_radians();
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n;
    (x as u64, y as u64)
}

fn decode(png: &[u8]) -> image::RgbaImage {
    image::load_from_memory_with_format(png, image::ImageFormat::Png)
        .unwrap()
        .to_rgba8()
}

/// Width of a tile pixel in metres at latitude `lat` (an upper bound for points nearer the
/// equator than `lat`), zoom `z` and scale 1 or 2.
fn pixel_metres(lat: f64, z: u8, scale: u32) -> f64 {
    156_543.03 * lat.to_radians().cos() / 2f64.powi(i32::from(z)) / f64::from(scale)
}

/// Pixels of the tiles of one layer, indicator and style at one zoom and scale, each tile fetched
/// once through the router.
struct TileSampler {
    state: Arc<AppState>,
    /// `/tiles/{layer}/{indicator}`.
    path: String,
    z: u8,
    scale: u32,
    tiles: std::collections::HashMap<(u64, u64), image::RgbaImage>,
}

impl TileSampler {
    fn new(state: Arc<AppState>, layer: &str, indicator: &str, z: u8, scale: u32) -> Self {
        TileSampler {
            state,
            path: format!("/tiles/{layer}/{indicator}"),
            z,
            scale,
            tiles: Default::default(),
        }
    }

    /// The RGBA pixel of the tile covering a WGS84 point.
    async fn pixel(&mut self, lon: f64, lat: f64) -> [u8; 4] {
        let size = 256 * self.scale;
        let (gx, gy) = global_pixel(lon, lat, self.z, size);
        let (tx, ty) = (gx / u64::from(size), gy / u64::from(size));
        if !self.tiles.contains_key(&(tx, ty)) {
            let suffix = if self.scale == 2 { "@2x" } else { "" };
            let uri = format!("{}/{}/{tx}/{ty}{suffix}.png", self.path, self.z);
            let a = get_with(self.state.clone(), &uri, &[]).await;
            assert_eq!(a.status, StatusCode::OK, "{uri}");
            assert_eq!(a.header("content-type"), "image/png");
            let img = decode(&a.body);
            assert_eq!((img.width(), img.height()), (size, size));
            self.tiles.insert((tx, ty), img);
        }
        self.tiles[&(tx, ty)]
            .get_pixel((gx % u64::from(size)) as u32, (gy % u64::from(size)) as u32)
            .0
    }
}

/// At the interior point of every NC county far enough from its border, the tile pixel is exactly
/// the colour of the county's class: class from mapclassify's breaks on the rate computed by the
/// reference script, colour from ColorBrewer.
async fn check_county_colours(z: u8, scale: u32) {
    let (bins, _) = mapclassify("nc_sids_rate", "quantile", 5);
    let colours = colorbrewer("YlOrRd", 5);
    // A pixel at this zoom is at most this many metres wide in NC (latitude above 33°N).
    let pixel_m = pixel_metres(34.0, z, scale);
    let mut tiles = TileSampler::new(atlas_state(), "nc", "sids_rate74", z, scale);
    let mut checked = 0;
    for p in reference()["layers"]["nc"].as_array().unwrap() {
        // Keep clear of the anti-aliased border (1 px at most) and of the datum shift.
        if p["radius_m"].as_f64().unwrap() < 4.0 * pixel_m + 100.0 {
            continue;
        }
        let rate = p["sids_rate74"].as_f64().unwrap();
        let class = bins.iter().position(|b| rate <= *b).unwrap();
        let px = tiles
            .pixel(p["lon"].as_f64().unwrap(), p["lat"].as_f64().unwrap())
            .await;
        assert_eq!(
            px,
            rgb(&colours[class]),
            "{} ({}) at z{z} scale {scale}: rate {rate}, class {class}",
            p["name"],
            p["id"]
        );
        checked += 1;
    }
    assert!(checked >= 60, "only {checked} counties checked at z{z}");
}

#[tokio::test]
async fn tiles_draw_each_county_in_its_class_colour() {
    check_county_colours(7, 1).await;
    check_county_colours(8, 1).await;
    check_county_colours(7, 2).await;
}

/// The distinct RGBA values of a tile.
fn distinct_colours(png: &[u8]) -> std::collections::BTreeSet<[u8; 4]> {
    decode(png).pixels().map(|p| p.0).collect()
}

#[tokio::test]
async fn border_width_is_a_style_parameter() {
    // A z7 tile in the middle of North Carolina holds many county borders.
    let tile = "/tiles/nc/sids_rate74/7/36/50.png";
    let legend = get_json("/api/layers/nc/indicators/sids_rate74/legend.json").await;
    let mut allowed: std::collections::BTreeSet<[u8; 4]> = legend["colors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| rgb(c.as_str().unwrap()))
        .collect();
    allowed.insert(rgb(legend["no_data_color"].as_str().unwrap()));
    allowed.insert([0, 0, 0, 0]);
    // Without borders a tile holds nothing but the class colours (and transparency outside).
    let none = get(&format!("{tile}?border=0")).await;
    assert_eq!(none.status, StatusCode::OK);
    let colours = distinct_colours(&none.body);
    assert!(colours.is_subset(&allowed), "{colours:?}");
    // The default and a 1 px border add blended border shades, more pixels of them at 1 px.
    let thin = distinct_colours(&get(tile).await.body);
    assert!(!thin.is_subset(&allowed));
    let count_border = |png: &[u8]| {
        decode(png)
            .pixels()
            .filter(|p| !allowed.contains(&p.0))
            .count()
    };
    let thin_px = count_border(&get(tile).await.body);
    let wide = get(&format!("{tile}?border=1")).await;
    assert!(
        count_border(&wide.body) > thin_px,
        "1 px borders cover more pixels"
    );
    // The width is part of the style: its own ETag, and spelled out in the canonical style.
    assert_ne!(wide.header("etag"), get(tile).await.header("etag"));
    let l = get_json("/api/layers/nc/indicators/sids_rate74/legend.json?border=1").await;
    assert!(l["style"].as_str().unwrap().ends_with("&border=1"), "{l}");
    let bad = get(&format!("{tile}?border=9")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.error().contains("0 (no borders) to 4 pixels"),
        "{}",
        bad.error()
    );
}

#[tokio::test]
async fn tile_outside_the_layer_is_empty_and_transparent() {
    let a = get("/tiles/nc/sids_rate74/6/0/0.png").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.header("x-quartier-cache"), "empty");
    let img = decode(&a.body);
    assert_eq!(img.width(), 256);
    assert!(img.pixels().all(|p| p.0[3] == 0));
    let a = get("/tiles/nc/sids_rate74/6/0/0@2x.png").await;
    assert_eq!(decode(&a.body).width(), 512);
}

#[tokio::test]
async fn bad_tile_coordinates_are_400s() {
    for (path, says) in [
        ("23/0/0.png", "above the maximum zoom 22"),
        ("z/0/0.png", "zoom \"z\" is not a whole number from 0 to 22"),
        ("6/64/0.png", "x and y go from 0 to 63"),
        ("6/0/64.png", "x and y go from 0 to 63"),
        ("6/-1/0.png", "x = \"-1\" does not exist at zoom 6"),
        ("6/0/abc.png", "y = \"abc\" does not exist"),
        ("6/0/0.jpg", "is not {y}.png or {y}@2x.png"),
        ("6/0/0@3x.png", "is not {y}.png or {y}@2x.png"),
    ] {
        let a = get(&format!("/tiles/nc/sids_rate74/{path}")).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{path}");
        assert!(a.error().contains(says), "{path}: {}", a.error());
    }
}

#[tokio::test]
async fn tile_etag_gives_304_and_changes_with_the_style() {
    let uri = "/tiles/nc/sids_rate74/6/17/25.png";
    let a = get(uri).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.header("cache-control"), "public, max-age=3600");
    let etag = a.header("etag").to_string();
    // Weak: the same pixels, bytes that depend on what was drawn before (see below).
    assert!(etag.starts_with("W/\"") && etag.ends_with('"'), "{etag}");
    let b = get_with(atlas_state(), uri, &[("if-none-match", &etag)]).await;
    assert_eq!(b.status, StatusCode::NOT_MODIFIED);
    assert!(b.body.is_empty());
    assert_eq!(b.header("etag"), etag);
    // The same style spelled differently is the same tile.
    let c = get(&format!("{uri}?palette=ylorrd&classes=5&method=QUANTILE")).await;
    assert_eq!(c.header("etag"), etag);
    assert_eq!(c.body, a.body);
    // Another style, another tile, another ETag.
    let d = get(&format!("{uri}?method=jenks")).await;
    assert_ne!(d.header("etag"), etag);
    assert_ne!(d.body, a.body);
    // @2x is another tile too.
    let e = get("/tiles/nc/sids_rate74/6/17/25@2x.png").await;
    assert_ne!(e.header("etag"), etag);
}

/// Why PNG tile ETags are weak by default: a tile restyled from its kept district raster has the
/// drawn tile's pixels in other bytes, so one URL's bytes depend on what the server drew before.
/// With `--exact-tiles` (`Restyle::Exact`) every answer is the renderer's bytes: a strong tag.
#[tokio::test]
async fn tile_etags_are_weak_where_tiles_are_restyled_and_strong_where_exact() {
    // A tile of few counties: its raster's palette fits (tiles of many are renumbered, and then
    // have the renderer's bytes in either mode).
    let tile = "/tiles/nc/SID74/8/71/101.png";
    let uri = format!("{tile}?method=jenks");
    for (restyle, weak) in [(Restyle::Spliced, true), (Restyle::Exact, false)] {
        let options = ServerOptions {
            restyle,
            ..ServerOptions::default()
        };
        let fresh = get_with(nc_file_state(&options), &uri, &[]).await;
        assert_eq!(fresh.header("x-quartier-cache"), "miss");
        let seen = nc_file_state(&options);
        for other in ["?method=quantile", "?method=equal"] {
            get_with(seen.clone(), &format!("{tile}{other}"), &[]).await;
        }
        // Drawn from the district raster kept at the second style (the router says "miss").
        let restyled = get_with(seen.clone(), &uri, &[]).await;
        let etag = fresh.header("etag").to_string();
        assert_eq!(etag, restyled.header("etag"), "{restyle:?}");
        assert_eq!(etag.starts_with("W/\""), weak, "{restyle:?}: {etag}");
        assert_eq!(
            fresh.body != restyled.body,
            weak,
            "{restyle:?}: other bytes only when weak"
        );
        let pixels = |png: &[u8]| image::load_from_memory(png).unwrap().to_rgba8();
        assert!(
            pixels(&fresh.body) == pixels(&restyled.body),
            "{restyle:?}: the same pixels"
        );
        let again = get_with(seen, &uri, &[("if-none-match", &etag)]).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    }
}

#[tokio::test]
async fn tile_cache_hits_and_bypass() {
    let state = nc_file_state(&ServerOptions::default());
    let uri = "/tiles/nc/SID74/7/35/50.png";
    let first = get_with(state.clone(), uri, &[]).await;
    assert_eq!(first.header("x-quartier-cache"), "miss");
    let second = get_with(state.clone(), uri, &[]).await;
    assert_eq!(second.header("x-quartier-cache"), "hit");
    assert_eq!(first.body, second.body);
    let bypass = get_with(state.clone(), uri, &[("x-quartier-no-cache", "1")]).await;
    assert_eq!(bypass.header("x-quartier-cache"), "bypass");
    assert_eq!(bypass.body, first.body);
    let stats = state.stats();
    assert_eq!(stats.tiles_rendered, 2);
    assert_eq!(
        (stats.cache.hits, stats.cache.misses, stats.cache.tiles),
        (1, 1, 1)
    );
    assert!(stats.cache.bytes >= first.body.len() as u64);

    let uncached = nc_file_state(&ServerOptions {
        cache_bytes: 0,
        ..ServerOptions::default()
    });
    for _ in 0..2 {
        let a = get_with(uncached.clone(), uri, &[]).await;
        assert_eq!(a.header("x-quartier-cache"), "bypass");
        assert_eq!(a.body, first.body);
    }
    assert_eq!(uncached.stats().tiles_rendered, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_for_one_tile_render_it_once() {
    let state = nc_file_state(&ServerOptions::default());
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let s = state.clone();
            tokio::spawn(async move { get_with(s, "/tiles/nc/BIR74/6/17/25.png", &[]).await })
        })
        .collect();
    let mut bodies = Vec::new();
    for t in tasks {
        let a = t.await.unwrap();
        assert_eq!(a.status, StatusCode::OK);
        bodies.push(a.body);
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(state.stats().tiles_rendered, 1);
}

#[tokio::test]
async fn a_boundary_file_serves_every_numeric_field() {
    let state = nc_file_state(&ServerOptions::default());
    let a = get_with(state.clone(), "/api/layers", &[]).await;
    let v = a.json();
    assert_eq!(v[0]["id"], "nc");
    let ids: Vec<&str> = v[0]["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"SID74") && ids.contains(&"BIR79"), "{ids:?}");
    let a = get_with(state, "/api/layers/nc/indicators/SID74/legend.json", &[]).await;
    let v = a.json();
    let (bins, counts) = mapclassify("nc_sid74", "quantile", 5);
    assert_close(&floats(&v["breaks"])[1..], &bins, 1e-12, "SID74 quantiles");
    assert_eq!(v["counts"], serde_json::json!(counts));
}

#[test]
fn two_sources_with_one_layer_id_are_refused() {
    let err = source::load_all(
        &[
            repo().join("geodata/atlas.toml"),
            repo().join("tests/fixtures/nc_sids/nc.shp"),
        ],
        &Default::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("layer id \"nc\" is defined by both"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Small-number suppression (docs/manifest.md): counts from 1 up to below the layer's threshold, and
// what is computed from them, are withheld. Which boroughs that hits is computed here from the
// shapely reference counts (aggregate_london.json) and the manifest's threshold.

/// The suppression test atlas: London's boroughs with the stations counted in and a threshold
/// high enough that real boroughs are withheld (see the comment in the manifest).
const SUPPRESSION_MANIFEST: &str = "crates/quartier-server/tests/london_suppressed.toml";

/// The `#333333` of the server's `SUPPRESSED`, as documented in docs/api.md.
const SUPPRESSED_COLOR: &str = "#333333";

fn suppression_state() -> Arc<AppState> {
    static STATE: OnceLock<Arc<AppState>> = OnceLock::new();
    STATE
        .get_or_init(|| {
            let (atlas, _) =
                source::load_all(&[repo().join(SUPPRESSION_MANIFEST)], &Default::default())
                    .unwrap();
            Arc::new(AppState::new(atlas, &ServerOptions::default()))
        })
        .clone()
}

/// The `suppress_below` of a layer, read from the manifest's text (the line after its `id`).
fn manifest_threshold(manifest: &str, layer: &str) -> f64 {
    let text = std::fs::read_to_string(repo().join(manifest)).unwrap();
    let block = text
        .split("[[layer]]")
        .find(|b| b.contains(&format!("\nid = \"{layer}\"")))
        .unwrap_or_else(|| panic!("no layer {layer} in {manifest}"));
    let line = block
        .lines()
        .find_map(|l| l.trim().strip_prefix("suppress_below = "))
        .unwrap_or_else(|| panic!("layer {layer} of {manifest} has no suppress_below"));
    line.parse().unwrap()
}

/// What the published indicators of the London layers are computed from, in the reference:
/// (indicator, reference field of aggregate_london.json).
const LONDON_INDICATORS: [(&str, &str); 3] = [
    ("stations", "count"),
    ("station_density", "count"),
    ("bikes", "nbikes_sum"),
];

/// One borough of the reference: its id and the counts of [`LONDON_INDICATORS`].
struct Borough {
    id: String,
    counts: Value,
}

fn london_boroughs() -> Vec<Borough> {
    fixture("aggregate_london.json")["boroughs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| Borough {
            id: b["id"].as_str().unwrap().to_string(),
            counts: b.clone(),
        })
        .collect()
}

impl Borough {
    /// The reference count `indicator` is computed from.
    fn count(&self, indicator: &str) -> f64 {
        let (_, field) = LONDON_INDICATORS
            .iter()
            .find(|(i, _)| *i == indicator)
            .unwrap();
        self.counts[field].as_f64().unwrap()
    }

    /// The reference value of `indicator`: the count, or for the density the count per km² of
    /// geodesic area (pyproj's Geod).
    fn value(&self, indicator: &str) -> f64 {
        let count = self.count(indicator);
        match indicator {
            "station_density" => count / self.counts["area_km2"].as_f64().unwrap(),
            _ => count,
        }
    }

    /// True when `indicator` must be withheld for this borough under `threshold`.
    fn withheld(&self, indicator: &str, threshold: f64) -> bool {
        (1.0..threshold).contains(&self.count(indicator))
    }
}

fn assert_relative(actual: f64, expected: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= 1e-9 * expected.abs(),
        "{what}: {actual} vs {expected}"
    );
}

/// Everything the API says about suppression on a London layer agrees with the reference counts:
/// legend counts and colours, layer statistics, features.geojson, and `/at` at every borough's
/// interior point. Returns how many (borough, indicator) pairs are withheld.
async fn check_london_suppression(state: Arc<AppState>, layer: &str, threshold: f64) -> usize {
    let boroughs = london_boroughs();
    let get_ok = |uri: String| {
        let state = state.clone();
        async move {
            let a = get_with(state, &uri, &[]).await;
            assert_eq!(a.status, StatusCode::OK, "{uri}");
            a.json()
        }
    };
    let detail = get_ok(format!("/api/layers/{layer}")).await;
    let features = get_ok(format!("/api/layers/{layer}/features.geojson")).await;
    let features = features["features"].as_array().unwrap();
    assert_eq!(features.len(), boroughs.len());
    let mut withheld_pairs = 0;
    for (indicator, _) in LONDON_INDICATORS {
        let withheld: Vec<&Borough> = boroughs
            .iter()
            .filter(|b| b.withheld(indicator, threshold))
            .collect();
        withheld_pairs += withheld.len();
        let published = boroughs.len() - withheld.len();

        // features.geojson: null plus the indicator named in `suppressed`, or the value.
        let mut values = Vec::new();
        for f in features {
            let p = &f["properties"];
            let b = boroughs.iter().find(|b| b.id == p["id"]).unwrap();
            let names = p["suppressed"].as_array().cloned().unwrap_or_default();
            let named = names.iter().any(|n| n == indicator);
            if b.withheld(indicator, threshold) {
                assert!(p["values"][indicator].is_null(), "{layer} {}: {p}", b.id);
                assert!(named, "{layer} {}: {indicator} not named in {p}", b.id);
            } else {
                // Published values are the reference values, 0 included.
                let v = p["values"][indicator].as_f64().unwrap();
                assert_relative(v, b.value(indicator), &format!("{layer} {}", b.id));
                assert!(!named, "{layer} {}: {p}", b.id);
                values.push(v);
            }
        }
        assert_eq!(values.len(), published);

        // Statistics and the classification see only the published values.
        let ind = detail["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == indicator)
            .unwrap();
        assert_eq!(ind["suppress_below"], threshold);
        let stats = &ind["stats"];
        assert_eq!(stats["suppressed"], withheld.len(), "{layer} {indicator}");
        assert_eq!(stats["count"], published);
        assert_eq!(stats["missing"], 0);
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        let max = values.iter().copied().fold(f64::MIN, f64::max);
        let min = values.iter().copied().fold(f64::MAX, f64::min);
        assert_relative(stats["mean"].as_f64().unwrap(), mean, "mean");
        assert_eq!(stats["max"].as_f64().unwrap(), max);
        assert_eq!(stats["min"].as_f64().unwrap(), min);

        let legend = get_ok(format!(
            "/api/layers/{layer}/indicators/{indicator}/legend.json"
        ))
        .await;
        assert_eq!(legend["suppressed"], withheld.len(), "{layer} {indicator}");
        assert_eq!(legend["suppressed_color"], SUPPRESSED_COLOR);
        assert_eq!(legend["suppress_below"], threshold);
        assert_eq!(legend["missing"], 0);
        // The classifier never saw the withheld districts, so no note calls them missing.
        let notes = legend["notes"].as_array().unwrap();
        assert!(
            notes
                .iter()
                .all(|n| !n.as_str().unwrap().contains("missing")),
            "{notes:?}"
        );
        assert_eq!(legend["no_data_color"], "#a6a6a6");
        assert_ne!(legend["suppressed_color"], legend["no_data_color"]);
        let colors = legend["colors"].as_array().unwrap();
        assert!(colors.iter().all(|c| c != SUPPRESSED_COLOR), "{colors:?}");
        let classified: u64 = legend["counts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_u64().unwrap())
            .sum();
        assert_eq!(classified as usize, published, "{layer} {indicator}");
        let breaks = floats(&legend["breaks"]);
        assert_eq!(breaks[0], min);
        assert_eq!(*breaks.last().unwrap(), max);
    }

    // `/at`: the same, with ranks among the published values only.
    for p in reference()["layers"]["london"].as_array().unwrap() {
        let uri = format!("/api/layers/{layer}/at?lon={}&lat={}", p["lon"], p["lat"]);
        let at = get_ok(uri.clone()).await;
        assert_eq!(at["id"], p["id"], "{uri}");
        let b = boroughs.iter().find(|b| b.id == p["id"]).unwrap();
        let expected: Vec<&str> = LONDON_INDICATORS
            .iter()
            .map(|(i, _)| *i)
            .filter(|i| b.withheld(i, threshold))
            .collect();
        let named: Vec<&str> = at["suppressed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap())
            .filter(|n| LONDON_INDICATORS.iter().any(|(i, _)| i == n))
            .collect();
        assert_eq!(named, expected, "{uri}");
        for (indicator, _) in LONDON_INDICATORS {
            if b.withheld(indicator, threshold) {
                assert!(at["values"][indicator].is_null(), "{uri}");
                assert!(at["ranks"][indicator].is_null(), "{uri}");
            } else {
                let v = b.value(indicator);
                assert_relative(at["values"][indicator].as_f64().unwrap(), v, &uri);
                // Rank 1 is the highest published value; ties share the better rank.
                let higher = boroughs
                    .iter()
                    .filter(|o| !o.withheld(indicator, threshold))
                    .filter(|o| o.value(indicator) > v * (1.0 + 1e-9))
                    .count();
                assert_eq!(at["ranks"][indicator], higher + 1, "{uri} {indicator}");
            }
        }
    }
    withheld_pairs
}

#[tokio::test]
async fn bundled_london_withholds_exactly_what_its_counts_say() {
    let threshold = manifest_threshold("geodata/atlas.toml", "london");
    assert_eq!(threshold, 3.0);
    // No borough has 1 or 2 stations (or bikes), so with the threshold 3 nothing is withheld:
    // every count is published, 0 included, and the legend still names the rule.
    assert_eq!(
        check_london_suppression(atlas_state(), "london", threshold).await,
        0
    );
    let nc = get_json("/api/layers/nc/indicators/sids_rate74/legend.json").await;
    assert_eq!(nc["suppressed"], 0);
    assert!(nc["suppress_below"].is_null());
}

#[tokio::test]
async fn suppressed_boroughs_are_published_as_suppressed_never_as_their_value() {
    let threshold = manifest_threshold(SUPPRESSION_MANIFEST, "london_suppressed");
    let withheld =
        check_london_suppression(suppression_state(), "london_suppressed", threshold).await;
    // Real boroughs are withheld for stations and station density (bikes are all 0 or 46 and more).
    assert!(withheld >= 2, "{withheld}");
}

#[tokio::test]
async fn tiles_draw_suppressed_boroughs_in_the_suppressed_colour() {
    let threshold = manifest_threshold(SUPPRESSION_MANIFEST, "london_suppressed");
    let boroughs = london_boroughs();
    for (z, scale) in [(11, 1), (12, 1), (11, 2)] {
        let legend = get_with(
            suppression_state(),
            "/api/layers/london_suppressed/indicators/stations/legend.json",
            &[],
        )
        .await
        .json();
        let breaks = floats(&legend["breaks"]);
        let pixel_m = pixel_metres(51.0, z, scale);
        let mut tiles = TileSampler::new(
            suppression_state(),
            "london_suppressed",
            "stations",
            z,
            scale,
        );
        let (mut suppressed, mut classed) = (0, 0);
        for p in reference()["layers"]["london"].as_array().unwrap() {
            if p["radius_m"].as_f64().unwrap() < 4.0 * pixel_m {
                continue;
            }
            let b = boroughs.iter().find(|b| b.id == p["id"]).unwrap();
            let px = tiles
                .pixel(p["lon"].as_f64().unwrap(), p["lat"].as_f64().unwrap())
                .await;
            if b.withheld("stations", threshold) {
                assert_eq!(px, rgb(SUPPRESSED_COLOR), "{} at z{z} scale {scale}", b.id);
                suppressed += 1;
            } else {
                let count = b.counts["count"].as_f64().unwrap();
                let class = breaks[1..].iter().position(|u| count <= *u).unwrap();
                let colour = legend["colors"][class].as_str().unwrap();
                assert_eq!(px, rgb(colour), "{} ({count}) at z{z} scale {scale}", b.id);
                classed += 1;
            }
        }
        assert!(
            suppressed >= 1 && classed >= 20,
            "z{z}: {suppressed} suppressed, {classed} classed"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// TileJSON

#[tokio::test]
async fn tilejson_carries_the_style_and_the_bounds() {
    let a = get_with(
        atlas_state(),
        "/tiles/nc/sids_rate74/tilejson.json?method=jenks&classes=4",
        &[("host", "maps.example.org:8080")],
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    let v = a.json();
    assert_eq!(v["tilejson"], "3.0.0");
    assert_eq!(v["scheme"], "xyz");
    // Root-relative without --public-url: the Host header never makes it into an answer.
    assert_eq!(
        v["tiles"][0],
        format!(
            "/tiles/nc/sids_rate74/{{z}}/{{x}}/{{y}}.png?method=jenks&classes=4&palette=YlOrRd&v={}",
            nc_version()
        )
    );
    assert_eq!(v["minzoom"], 0);
    assert_eq!(v["maxzoom"], 22);
    assert_close(
        &floats(&v["bounds"]),
        &floats(&reference()["bounds"]["nc"]),
        1e-5,
        "tilejson bounds",
    );
    assert_eq!(
        v["attribution"],
        "NC SIDS data (Cressie 1991) via R package sf"
    );
    assert!(v["legend"].as_str().unwrap().ends_with(
        "/api/layers/nc/indicators/sids_rate74/legend.json?method=jenks&classes=4&palette=YlOrRd"
    ));
    let center = floats(&v["center"]);
    assert!(center[0] > -84.4 && center[0] < -75.4 && center[1] > 33.8 && center[1] < 36.6);
}

// ---------------------------------------------------------------------------------------------
// HTTP behaviour: caching of JSON, compression, CORS, fallbacks

#[tokio::test]
async fn json_etag_gives_304() {
    let a = get("/api/layers").await;
    assert_eq!(a.header("cache-control"), "public, max-age=60");
    let etag = a.header("etag").to_string();
    let b = get_with(atlas_state(), "/api/layers", &[("if-none-match", &etag)]).await;
    assert_eq!(b.status, StatusCode::NOT_MODIFIED);
    // Another language is another body and another ETag.
    let c = get("/api/layers?lang=de").await;
    assert_ne!(c.header("etag"), etag);
}

#[tokio::test]
async fn json_is_gzipped_and_tiles_are_not() {
    let a = get_with(atlas_state(), "/api/layers", &[("accept-encoding", "gzip")]).await;
    assert_eq!(a.header("content-encoding"), "gzip");
    let plain = get("/api/layers").await;
    assert!(a.body.len() < plain.body.len() / 2);
    let t = get_with(
        atlas_state(),
        "/tiles/nc/sids_rate74/6/17/25.png",
        &[("accept-encoding", "gzip")],
    )
    .await;
    assert_eq!(t.header("content-encoding"), "");
}

#[tokio::test]
async fn cors_is_open_for_get() {
    let a = get_with(
        atlas_state(),
        "/tiles/nc/sids_rate74/6/17/25.png",
        &[("origin", "https://example.org")],
    )
    .await;
    assert_eq!(a.header("access-control-allow-origin"), "*");
    let preflight = Request::builder()
        .method(Method::OPTIONS)
        .uri("/api/layers")
        .header("origin", "https://example.org")
        .header("access-control-request-method", "GET")
        .body(Body::empty())
        .unwrap();
    let p = send(atlas_state(), preflight).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.header("access-control-allow-methods").contains("GET"));
}

#[tokio::test]
async fn unknown_routes_and_methods_are_json_errors() {
    let a = get("/api/nothing").await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert!(a.error().contains("no route /api/nothing"));
    let post = Request::post("/api/layers").body(Body::empty()).unwrap();
    let p = send(atlas_state(), post).await;
    assert_eq!(p.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(p.error().contains("read-only"));
}

#[tokio::test]
async fn without_a_web_folder_the_root_says_so() {
    let a = get("/").await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.header("content-type").starts_with("text/html"));
    assert!(String::from_utf8_lossy(&a.body).contains("The map page was not found"));
}

const APP_JS: &str =
    "// The page script: long enough to be worth compressing.\nconsole.log('Quartier');\n";

#[tokio::test]
async fn the_web_folder_is_served_at_the_root() {
    let dir = std::env::temp_dir().join(format!("quartier-web-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<h1>Karte</h1>").unwrap();
    std::fs::write(dir.join("app.js"), APP_JS).unwrap();
    let state = nc_file_state(&ServerOptions {
        web_dir: Some(dir.clone()),
        ..ServerOptions::default()
    });
    let a = get_with(state.clone(), "/", &[]).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(&a.body[..], b"<h1>Karte</h1>");
    let js = get_with(state.clone(), "/app.js", &[]).await;
    assert_eq!(js.status, StatusCode::OK);
    assert_eq!(&js.body[..], APP_JS.as_bytes());
    let gz = get_with(state.clone(), "/app.js", &[("accept-encoding", "gzip")]).await;
    assert_eq!(gz.header("content-encoding"), "gzip");
    let missing = get_with(state.clone(), "/nothing.css", &[]).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.error().contains("no route /nothing.css"));
    // The API still wins over files.
    assert_eq!(get_with(state, "/health", &[]).await.status, StatusCode::OK);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn no_bad_input_gives_a_500() {
    for uri in [
        "/api/layers/%FF",
        "/api/layers/nc/at?lon=%FF&lat=1",
        "/api/layers/nc/at?lon=1e400&lat=1",
        "/tiles/nc/sids_rate74/99999999999/0/0.png",
        "/tiles/nc/sids_rate74/4/99999999999/0.png",
        "/tiles/nc/sids_rate74/4/0/99999999999@2x.png",
        "/tiles/nc/sids_rate74/4/0/.png",
        "/tiles/nc/sids_rate74/4/0/@2x.png",
        "/tiles/nc/sids_rate74/6/17/25.png?classes=-1",
        "/tiles/nc/sids_rate74/6/17/25.png?breaks=,,,",
        "/tiles/nc/sids_rate74/6/17/25.png?breaks=1e400",
        "/tiles/nc/sids_rate74/6/17/25.png?method=manual&breaks=5",
        "/tiles/nc/sids_rate74/6/17/25.png?centre=mean&palette=RdBu",
        "/api/layers/nc/indicators/sids_rate74/legend.json?classes=99999999999999999999999",
        "/api/layers/nc/indicators/sids_rate74/legend.json?method=&classes=&palette=",
        "/tiles/%2e%2e/%2e%2e/0/0/0.png",
        "/../Cargo.toml",
    ] {
        let a = get(uri).await;
        assert!(
            a.status.is_success() || a.status.is_client_error(),
            "{uri}: {} {}",
            a.status,
            String::from_utf8_lossy(&a.body)
        );
        if a.status.is_client_error() {
            assert_eq!(a.header("content-type"), "application/json", "{uri}");
        }
    }
}

/// The German demo atlas (`geodata/de/atlas.toml`), as `quartier serve` without a SOURCE serves it
/// first: periods in `/api/layers`, `period`/`compare`/`scope` on legend, tiles, TileJSON, `/at`
/// and `features.geojson`; values checked against `de_atlas_duren.json` and
/// `de_atlas_change.json` (`tests/reference/de_atlas_reference.py`).
fn german_state() -> Arc<AppState> {
    static STATE: OnceLock<Arc<AppState>> = OnceLock::new();
    STATE
        .get_or_init(|| {
            let sources = source::default_atlases().unwrap();
            assert!(sources[0].ends_with("geodata/de/atlas.toml"), "{sources:?}");
            let (atlas, _) = source::load_all(&sources, &Default::default()).unwrap();
            Arc::new(AppState::new(atlas, &ServerOptions::default()))
        })
        .clone()
}

async fn german_json(uri: &str) -> Value {
    let a = get_with(german_state(), uri, &[]).await;
    assert_eq!(
        a.status,
        StatusCode::OK,
        "{uri}: {}",
        String::from_utf8_lossy(&a.body)
    );
    a.json()
}

#[tokio::test]
async fn german_atlas_serves_periods_change_maps_and_the_index() {
    let layers = german_json("/api/layers?lang=de").await;
    assert_eq!(layers[0]["id"], "kreise", "the German atlas comes first");
    // The page opens on Düren (the manifest's start view, the first atlas's).
    let atlas = german_json("/api/atlas").await;
    assert_eq!(atlas["start"]["layer"], "kreise");
    assert_eq!(atlas["start"]["zoom"], 8);
    assert_eq!(atlas["start"]["lon"], 6.48);
    assert!(
        layers
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["id"] == "boston"),
        "Boston stays"
    );
    let income = layers[0]["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "income")
        .unwrap();
    assert_eq!(income["periods"].as_array().unwrap().len(), 19);
    assert_eq!(income["period"], 2018);
    let status = layers[0]["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "status")
        .unwrap();
    assert_eq!(status["components"].as_array().unwrap().len(), 4);

    // /at in Düren (6.48° E, 50.80° N) for 2010: the source table's value.
    let duren = fixture("de_atlas_duren.json");
    let at = german_json("/api/layers/kreise/at?lon=6.48&lat=50.80&period=2010").await;
    assert_eq!(at["id"], "05358");
    assert_eq!(
        at["values"]["population"],
        duren["indicators"]["population"]["2010"]
    );
    assert_eq!(
        at["series"]["income"]["2000"],
        duren["indicators"]["income"]["2000"]
    );
    // values.json in a period and as a change (what the page's table and hover box show).
    let values = german_json("/api/layers/kreise/values.json?period=2010").await;
    let col = |v: &Value, id: &str| {
        v["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .position(|i| i == id)
            .unwrap()
    };
    let row = |v: &Value| {
        v["districts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == "05358")
            .unwrap()
            .clone()
    };
    assert_eq!(
        row(&values)["values"][col(&values, "population")],
        duren["indicators"]["population"]["2010"]
    );
    // A change map: population 2019 − 2008.
    let change = fixture("de_atlas_change.json");
    let values = german_json("/api/layers/kreise/values.json?period=2019&compare=2008").await;
    assert_eq!(values["compare"], "2008");
    assert_eq!(
        row(&values)["values"][col(&values, "population")],
        change["maps"][0]["values"]["05358"]
    );
    let at = german_json("/api/layers/kreise/districts/05358?period=2019&compare=2008").await;
    assert_eq!(
        at["values"]["population"],
        change["maps"][0]["values"]["05358"]
    );
    let features =
        german_json("/api/layers/kreise/features.geojson?period=2019&compare=2008").await;
    let d = features["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "05358")
        .unwrap();
    assert_eq!(
        d["properties"]["values"]["population"],
        change["maps"][0]["values"]["05358"]
    );

    // Legend and TileJSON carry the period in the canonical style; tiles of two periods differ.
    let legend = german_json("/api/layers/kreise/indicators/income/legend.json?period=2005").await;
    assert!(
        legend["style"]
            .as_str()
            .unwrap()
            .ends_with("&period=2005&scope=all"),
        "{legend}"
    );
    assert_eq!(legend["break_periods"].as_array().unwrap().len(), 19);
    let tilejson = german_json("/tiles/kreise/income/tilejson.json?period=2005").await;
    assert!(
        tilejson["tiles"][0]
            .as_str()
            .unwrap()
            .contains("period=2005"),
        "{tilejson}"
    );
    let a = get_with(
        german_state(),
        "/tiles/kreise/income/6/33/21.png?period=2005",
        &[],
    )
    .await;
    let b = get_with(
        german_state(),
        "/tiles/kreise/income/6/33/21.png?period=2015",
        &[],
    )
    .await;
    assert_eq!((a.status, b.status), (StatusCode::OK, StatusCode::OK));
    assert_ne!(a.header("etag"), b.header("etag"));
    let bad = get_with(
        german_state(),
        "/tiles/kreise/income/6/33/21.png?period=1990",
        &[],
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.error().contains("2000–2018"), "{}", bad.error());
}

// ---------------------------------------------------------------------------------------------
// values.json and hover grids (issue 13)

#[tokio::test]
async fn values_json_is_features_without_geometry() {
    for layer in LAYERS {
        let features = get_json(&format!("/api/layers/{layer}/features.geojson")).await;
        let a = get(&format!("/api/layers/{layer}/values.json")).await;
        assert_eq!(a.status, StatusCode::OK);
        assert!(!a.header("etag").is_empty());
        let v = a.json();
        assert_eq!(v["layer"], layer);
        assert_eq!(v["period"], Value::Null, "each indicator's latest");
        let indicators: Vec<&str> = v["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i.as_str().unwrap())
            .collect();
        let rows = v["districts"].as_array().unwrap();
        let features = features["features"].as_array().unwrap();
        assert_eq!(rows.len(), features.len(), "{layer}");
        for (row, f) in rows.iter().zip(features) {
            let p = &f["properties"];
            assert_eq!(row["id"], p["id"], "{layer}");
            assert_eq!(row["name"], p["name"], "{layer}");
            for (i, ind) in indicators.iter().enumerate() {
                assert_eq!(row["values"][i], p["values"][ind], "{layer} {ind}");
            }
            assert_eq!(row.get("suppressed"), p.get("suppressed"), "{layer}");
        }
        assert!(
            a.body.len() * 4 < serde_json::to_vec(&features).unwrap().len(),
            "{layer}: values.json should be far smaller than the features"
        );
    }
    // Ranks as /districts/{id} gives them.
    let v = get_json("/api/layers/nc/values.json").await;
    let col = v["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .position(|i| i == "sids_rate74")
        .unwrap();
    for row in v["districts"].as_array().unwrap().iter().take(10) {
        let d = get_json(&format!(
            "/api/layers/nc/districts/{}",
            row["id"].as_str().unwrap()
        ))
        .await;
        assert_eq!(row["ranks"][col], d["ranks"]["sids_rate74"]);
    }
    let missing = get("/api/layers/nope/values.json").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

/// The tile of zoom `z` holding (lon, lat), and the pixel in it.
fn tile_pixel(lon: f64, lat: f64, z: u8) -> (u32, u32, usize, usize) {
    let n = f64::from(1u32 << z) * 256.0;
    let px = (lon + 180.0) / 360.0 * n;
    let lat = lat.to_radians();
    let py = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n;
    (
        (px / 256.0) as u32,
        (py / 256.0) as u32,
        px.rem_euclid(256.0) as usize,
        py.rem_euclid(256.0) as usize,
    )
}

#[tokio::test]
async fn hover_grids_name_the_district_at_every_reference_point() {
    for layer in ["nc", "london"] {
        let values = get_json(&format!("/api/layers/{layer}/values.json")).await;
        let rows = values["districts"].as_array().unwrap();
        let points = reference()["layers"][layer].as_array().unwrap();
        assert!(points.len() > 30);
        for p in points {
            // Zoom 13: a 4 px cell is at most 76 m wide, and every reference point lies at least
            // 150 m inside its district (shapely, tests/reference).
            let (x, y, px, py) =
                tile_pixel(p["lon"].as_f64().unwrap(), p["lat"].as_f64().unwrap(), 13);
            let uri = format!("/tiles/{layer}/13/{x}/{y}.grid.json");
            let a = get(&uri).await;
            assert_eq!(a.status, StatusCode::OK, "{uri}");
            assert_eq!(a.header("content-type"), "application/json");
            assert_eq!(a.header("cache-control"), "public, max-age=3600");
            let g = a.json();
            let row: Vec<char> = g["grid"][py / 4].as_str().unwrap().chars().collect();
            let mut code = row[px / 4] as u32;
            code -= if code >= 93 {
                2
            } else if code >= 35 {
                1
            } else {
                0
            };
            let key = g["keys"][(code - 32) as usize].as_str().unwrap();
            let position: usize = key
                .parse()
                .unwrap_or_else(|_| panic!("{uri}: no district at {p}"));
            assert_eq!(rows[position]["id"], p["id"], "{uri} at {px},{py}");
            // The grid names its districts itself (UTFGrid `data`), as values.json does.
            assert_eq!(g["data"][key]["id"], p["id"], "{uri}");
            assert_eq!(g["data"][key]["name"], rows[position]["name"], "{uri}");
        }
    }
}

#[tokio::test]
async fn hover_grid_etags_and_errors() {
    let uri = "/tiles/nc/7/35/50.grid.json";
    let a = get(uri).await;
    let etag = a.header("etag").to_string();
    assert!(etag.starts_with('"'));
    let again = get_with(atlas_state(), uri, &[("if-none-match", &etag)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert_ne!(
        get("/tiles/nc/7/36/50.grid.json").await.header("etag"),
        etag
    );
    let bad = get("/tiles/nc/7/35/50.grid.png").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.error().contains("{y}.grid.json"), "{}", bad.error());
    assert_eq!(
        get("/tiles/nc/7/999/50.grid.json").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        get("/tiles/xx/7/35/50.grid.json").await.status,
        StatusCode::NOT_FOUND
    );
}

/// Every error the atlas gives has a German wording next to the English one (`error_de`), and
/// the German one holds no English word once parameter names, values and ids are taken out
/// (issue 14: "no English word in the German UI … a test walks the notes and errors").
#[tokio::test]
async fn atlas_errors_come_in_german_too_without_english_words() {
    // Words that give English away; German messages quote parameters (`breaks=1,2`) and ids
    // (`"kreise"`), which are removed before looking.
    const ENGLISH: [&str; 24] = [
        "the", "is", "not", "use", "with", "has", "must", "only", "unknown", "are", "of", "and",
        "or", "to", "no", "give", "pick", "one", "them", "out", "range", "classes", "number",
        "period",
    ];
    let cases = [
        ("/api/layers/nowhere", 404),
        ("/api/layers/kreise/indicators/nothing/legend.json", 404),
        ("/api/layers/kreise/districts/99999", 404),
        ("/api/layers/kreise/indicators/population/legend.json?method=kmeans", 400),
        ("/api/layers/kreise/indicators/population/legend.json?classes=12", 400),
        ("/api/layers/kreise/indicators/population/legend.json?classes=many", 400),
        ("/api/layers/kreise/indicators/population/legend.json?palette=Rainbow", 400),
        ("/api/layers/kreise/indicators/population/legend.json?method=manual", 400),
        ("/api/layers/kreise/indicators/population/legend.json?breaks=3,1", 400),
        ("/api/layers/kreise/indicators/population/legend.json?breaks=1,two", 400),
        ("/api/layers/kreise/indicators/population/legend.json?method=jenks&breaks=1,2", 400),
        ("/api/layers/kreise/indicators/population/legend.json?breaks=1,2,3,4,5,6,7,8,9,10", 400),
        ("/api/layers/kreise/indicators/population/legend.json?palette=RdBu&method=stddev&centre=1e9", 400),
        ("/api/layers/kreise/indicators/population/legend.json?border=9", 400),
        ("/api/layers/kreise/indicators/population/legend.json?period=1990", 400),
        ("/api/layers/kreise/indicators/population/legend.json?compare=2019", 400),
        ("/api/layers/kreise/indicators/population/legend.json?compare=2008&change=ratio", 400),
        ("/api/layers/kreise/indicators/population/legend.json?scope=decade", 400),
        ("/api/layers/kreise/indicators/pks_frequency/legend.json?period=2019", 400),
        ("/api/layers/kreise/indicators/population/legend.json?lang=fr", 400),
        ("/tiles/kreise/population/6/33/21.png?classes=1", 400),
    ];
    for (uri, status) in cases {
        let a = get_with(german_state(), uri, &[]).await;
        let body = a.json();
        assert_eq!(a.status.as_u16(), status, "{uri}: {body}");
        let en = body["error"].as_str().unwrap();
        let de = body["error_de"]
            .as_str()
            .unwrap_or_else(|| panic!("{uri}: no error_de in {body}"));
        assert_ne!(en, de, "{uri}");
        let words = without_quotes(de);
        // Ids such as `no_hauptschule` are names, not words.
        let words = words.split(|c: char| !(c.is_alphanumeric() || c == '_'));
        for w in words.filter(|w| !w.contains('_')) {
            assert!(
                !ENGLISH.contains(&w.to_lowercase().as_str()),
                "{uri}: English word {w:?} in {de:?}"
            );
        }
    }
}

/// A German message without what it quotes: `"..."` strings, `name=value` parameters, file and
/// route names (`features.geojson`, `/api/atlas`) and scheme or method names given as choices.
fn without_quotes(text: &str) -> String {
    let mut out = String::new();
    let mut in_quote = false;
    for c in text.chars() {
        if c == '"' {
            in_quote = !in_quote;
            out.push(' ');
        } else if !in_quote {
            out.push(c);
        }
    }
    out.split_whitespace()
        .filter(|w| !w.contains('=') && !w.contains('.') && !w.contains('/'))
        .filter(|w| {
            let w = w.trim_matches(|c: char| !c.is_alphanumeric());
            !matches!(
                w,
                "quantile"
                    | "equal"
                    | "jenks"
                    | "stddev"
                    | "pretty"
                    | "manual"
                    | "YlOrRd"
                    | "Blues"
                    | "RdBu"
                    | "BrBG"
                    | "viridis"
                    | "NaN"
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `series.json`: one indicator in every period per district, for the table's column per period
/// (issue 10); Düren's values equal the source tables (`de_atlas_duren.json`) in every period.
#[tokio::test]
async fn series_json_has_every_period_of_one_indicator() {
    let duren = fixture("de_atlas_duren.json");
    for id in ["population", "income", "crime_rate"] {
        let s = german_json(&format!("/api/layers/kreise/indicators/{id}/series.json")).await;
        let want = duren["indicators"][id].as_object().unwrap();
        let periods: Vec<String> = s["periods"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(periods, want.keys().cloned().collect::<Vec<_>>(), "{id}");
        let districts = s["districts"].as_array().unwrap();
        assert_eq!(districts.len(), 401);
        let row = districts.iter().find(|d| d["id"] == "05358").unwrap();
        assert_eq!(row["name"], "Düren");
        for (k, p) in periods.iter().enumerate() {
            let got = row["values"][k].as_f64().unwrap();
            let w = want[p].as_f64().unwrap();
            assert!(
                (got - w).abs() <= 1e-9 * w.abs().max(1.0),
                "{id} {p}: {got} != {w}"
            );
        }
    }
    // An indicator without periods has none; an unknown one is a 404 in both languages.
    let bundled = get("/api/layers/nc/indicators/sids_rate74/series.json").await;
    assert_eq!(bundled.status, StatusCode::OK);
    assert_eq!(bundled.json()["periods"], serde_json::json!([]));
    let missing = get_with(
        german_state(),
        "/api/layers/kreise/indicators/nothing/series.json",
        &[],
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.json()["error_de"]
        .as_str()
        .unwrap()
        .contains("keinen Indikator"));
}

/// Per-layer data versions (issue 11): a new table for one layer changes that layer's version,
/// its tiles' ETags and the `v=` of its tile URLs, and leaves another layer's alone, so a publish
/// keeps the other layers' tiles valid in every cache. The atlas's version changes with either.
#[tokio::test]
async fn a_new_table_changes_only_its_layers_version_and_tiles() {
    let dir = std::env::temp_dir().join(format!("quartier-layer-versions-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let fixtures = repo().join("tests/fixtures");
    for f in ["election.geojson", "election.csv"] {
        std::fs::copy(fixtures.join("montreal_districts").join(f), dir.join(f)).unwrap();
    }
    for f in ["nc.shp", "nc.shx", "nc.dbf", "nc.prj"] {
        std::fs::copy(fixtures.join("nc_sids").join(f), dir.join(f)).unwrap();
    }
    std::fs::write(
        dir.join("atlas.toml"),
        "[[layer]]\nid = \"montreal\"\nsource = \"election.geojson\"\nname_field = \"district\"\n\n\
         [[layer.table]]\nid = \"election\"\npath = \"election.csv\"\nkey = \"district_id\"\n\n\
         [[layer.indicator]]\nid = \"votes\"\ntable = \"election\"\nfield = \"total\"\n\n\
         [[layer]]\nid = \"nc\"\nsource = \"nc.shp\"\nid_field = \"FIPS\"\nname_field = \"NAME\"\n\n\
         [[layer.indicator]]\nid = \"SID74\"\nfield = \"SID74\"\n",
    )
    .unwrap();
    let load = || {
        let (atlas, _) = source::load_all(&[dir.join("atlas.toml")], &Default::default()).unwrap();
        Arc::new(AppState::new(atlas, &ServerOptions::default()))
    };
    // Per state: each layer's version, a tile's ETag, the legend's tile URL, and the atlas version.
    async fn look(state: Arc<AppState>) -> (Vec<String>, Vec<String>, Vec<String>, String) {
        let layers: Value =
            serde_json::from_slice(&get_with(state.clone(), "/api/layers", &[]).await.body)
                .unwrap();
        let versions = layers
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["version"].as_str().unwrap().to_string())
            .collect();
        let mut etags = Vec::new();
        let mut urls = Vec::new();
        for (tile, legend) in [
            (
                "/tiles/montreal/votes/11/604/731.png",
                "/api/layers/montreal/indicators/votes/legend.json",
            ),
            (
                "/tiles/nc/SID74/7/35/50.png",
                "/api/layers/nc/indicators/SID74/legend.json",
            ),
        ] {
            let t = get_with(state.clone(), tile, &[]).await;
            assert_eq!(t.status, StatusCode::OK, "{tile}");
            etags.push(t.header("etag").to_string());
            let l: Value =
                serde_json::from_slice(&get_with(state.clone(), legend, &[]).await.body).unwrap();
            urls.push(l["tiles"].as_str().unwrap().to_string());
        }
        let atlas: Value =
            serde_json::from_slice(&get_with(state.clone(), "/api/atlas", &[]).await.body).unwrap();
        (
            versions,
            etags,
            urls,
            atlas["version"].as_str().unwrap().to_string(),
        )
    }
    let (v0, e0, u0, a0) = look(load()).await;
    // Loading the same files again gives the same versions and tags (replicas agree).
    assert_eq!(
        look(load()).await,
        (v0.clone(), e0.clone(), u0.clone(), a0.clone())
    );
    for (url, version) in u0.iter().zip(&v0) {
        assert!(
            url.ends_with(&format!("&v={version}")),
            "{url} names its layer's version"
        );
    }
    assert_ne!(v0[0], v0[1], "each layer has its own version");

    // A new election table: Montréal's version, tags and URLs change; North Carolina's do not.
    let csv = std::fs::read_to_string(dir.join("election.csv")).unwrap();
    let changed = csv.replace(
        "101-Bois-de-Liesse,2481,1829,3024,7334,",
        "101-Bois-de-Liesse,2481,1829,3024,9999,",
    );
    assert_ne!(changed, csv);
    std::fs::write(dir.join("election.csv"), changed).unwrap();
    let (v1, e1, u1, a1) = look(load()).await;
    assert_ne!(v1[0], v0[0], "montreal's version follows its table");
    assert_ne!(e1[0], e0[0]);
    assert_ne!(u1[0], u0[0]);
    assert_eq!(
        (&v1[1], &e1[1], &u1[1]),
        (&v0[1], &e0[1], &u0[1]),
        "nc's are untouched"
    );
    assert_ne!(a1, a0, "the atlas version covers every layer");
    std::fs::remove_dir_all(&dir).unwrap();
}
