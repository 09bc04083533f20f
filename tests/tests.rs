//! End-to-end tests: the real `quartier` binary on the real files of this repository.
//!
//! `inspect` and `check` run to completion and are judged by exit code and output; `serve` runs
//! on a free port (`--bind 127.0.0.1:0`) and is asked over real HTTP.
//! How the binary is found is explained in `lib.rs`.
//! Expected numbers come from `tests/fixtures/SOURCES.md` (feature counts, CRS, codepages) and the
//! reference fixtures under `tests/fixtures/reference/`.
#![allow(clippy::unwrap_used)] // test helpers may panic: a failing fixture read is a failing test

use quartier_tests::{quartier, quartier_in, repo_root, scratch_dir, Server};
use serde_json::Value;

/// The layers of the bundled atlas `geodata/atlas.toml`, in manifest order.
const ATLAS_LAYERS: [&str; 5] = ["boston", "montreal", "nc", "boston_towns", "london"];

/// The layers `quartier serve` publishes without a SOURCE: the German demo atlas
/// (`geodata/de/atlas.toml`) first, then the bundled atlas.
const SERVED_LAYERS: [&str; 6] = [
    "kreise",
    "boston",
    "montreal",
    "nc",
    "boston_towns",
    "london",
];

/// The `id` of every object of a JSON array.
fn ids_of(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// quartier --help

#[test]
fn help_teaches_with_examples() {
    let out = quartier(&["--help"]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout.contains("quartier serve nc.shp"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("Exit status: 0 success, 1"));
    let out = quartier(&["serve", "--help"]);
    assert_eq!(out.code, 0);
    for flag in [
        "--bind",
        "--crs",
        "--encoding",
        "--id-field",
        "--name-field",
        "--cache-mb",
        "--no-cache",
    ] {
        assert!(out.stdout.contains(flag), "serve --help lacks {flag}");
    }
    assert!(out.stdout.contains("[default: 127.0.0.1:8080]"));
}

#[test]
fn usage_errors_exit_2() {
    let out = quartier(&["serve", "--bind", "not-an-address"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--bind"), "{}", out.stderr);
    assert_eq!(quartier(&["frobnicate"]).code, 2);
}

// ---------------------------------------------------------------------------------------------
// quartier inspect

#[test]
fn inspect_nc_counties() {
    let out = quartier(&["inspect", "tests/fixtures/nc_sids/nc.shp"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("Format:      ESRI Shapefile"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("CRS:         NAD27 (EPSG:4267) (from .prj)"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("Features:    100\n"), "{}", out.stdout);
    assert!(out.stdout.contains("Validation:  usable"), "{}", out.stdout);
    assert!(out.stdout.contains("FIPS"));
}

#[test]
fn inspect_json_is_machine_readable() {
    let out = quartier(&["inspect", "tests/fixtures/codepages/olinda1.shp", "--json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    // 470 census tracts of Olinda, CP1252 from the DBF language driver 0x57 (SOURCES.md).
    assert_eq!(v["features"], 470);
    assert_eq!(v["encoding"], "windows-1252");
    assert!(v["encoding_source"].as_str().unwrap().contains("0x57"));
    assert!(v["fields"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["name"] == "NM_BAIR"));
}

#[test]
fn inspect_a_shapefile_without_prj_asks_for_crs() {
    let out = quartier(&["inspect", "tests/fixtures/codepages/latin1.shp"]);
    assert_eq!(out.code, 2);
    assert!(out.stdout.is_empty());
    assert!(
        out.stderr.starts_with("quartier: error: "),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("latin1.shp has no .prj"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("pass --crs"), "{}", out.stderr);
    // The error is printed once, not repeated by its cause chain.
    assert_eq!(
        out.stderr.matches("has no .prj").count(),
        1,
        "{}",
        out.stderr
    );

    let out = quartier(&[
        "inspect",
        "tests/fixtures/codepages/latin1.shp",
        "--crs",
        "EPSG:4326",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("(from --crs)"), "{}", out.stdout);
    assert!(out.stdout.contains("Features:    1\n"), "{}", out.stdout);
}

#[test]
fn inspect_us_counties_with_crs() {
    let out = quartier(&[
        "inspect",
        "tests/fixtures/us_counties/cb_2016_us_county_500k.shp",
        "--crs",
        "EPSG:4269",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // 3,233 counties (SOURCES.md), NAD83 as given.
    assert!(out.stdout.contains("Features:    3233\n"), "{}", out.stdout);
    assert!(
        out.stdout.contains("NAD83 (EPSG:4269) (from --crs)"),
        "{}",
        out.stdout
    );
}

#[test]
fn inspect_unusable_file_exits_1() {
    let out = quartier(&["inspect", "tests/fixtures/bad/nc_nan.shp"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.contains("NOT usable"), "{}", out.stdout);
    // Surry County (FIPS 37171) has the NaN coordinate (tests/fixtures/bad/README.md).
    assert!(out.stdout.contains("37171"), "{}", out.stdout);
}

#[test]
fn inspect_missing_file_exits_2() {
    let out = quartier(&["inspect", "tests/fixtures/nowhere.shp"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("nowhere.shp"), "{}", out.stderr);
}

/// `inspect` of a raw GENESIS export (issue 10): how it will be read, before a manifest names
/// it. The file's own lines (open it in any editor): six title lines, the header on line 7,
/// "DG" (Germany) in the key column on line 8, the notes from line 13458.
#[test]
fn inspect_shows_how_a_table_will_be_read() {
    let out = quartier(&[
        "inspect",
        "geodata/de/raw_latin1/12411-05-01-4.csv",
        "--json",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["encoding"], "windows-1252");
    assert_eq!(v["delimiter"], ";");
    assert_eq!(v["decimal"], ",");
    assert_eq!(v["header_line"], 7);
    let skipped = v["skipped"].as_array().unwrap();
    assert_eq!(
        skipped.iter().filter(|s| s["kind"] == "title").count(),
        6,
        "{skipped:?}"
    );
    assert!(skipped
        .iter()
        .any(|s| s["kind"] == "footnote" && s["line"] == 13458));
    let key = &v["columns"][1];
    assert_eq!(key["kind"], "text");
    assert_eq!(key["first_text"][0], 8);
    assert_eq!(key["first_text"][1], "DG");
    let text = quartier(&["inspect", "geodata/montreal/election.csv"]).stdout;
    assert!(text.contains("Delimiter:   ,"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("Coderre") && l.contains("number")),
        "{text}"
    );
}

// ---------------------------------------------------------------------------------------------
// quartier check

#[test]
fn check_the_bundled_atlas() {
    let out = quartier(&["check", "geodata/atlas.toml"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("== layer nc =="), "{}", out.stdout);
    assert!(out
        .stdout
        .contains("usable: `quartier serve` will publish it"));
    let out = quartier(&["check", "geodata/atlas.toml", "--json"]);
    assert_eq!(out.code, 0);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(ids_of(&v["layers"]), ATLAS_LAYERS);
}

#[test]
fn check_a_broken_manifest_names_the_line() {
    let dir = scratch_dir("broken-manifest");
    let manifest = dir.join("atlas.toml");
    let nc = repo_root().join("tests/fixtures/nc_sids/nc.shp");
    std::fs::write(
        &manifest,
        format!(
            "title = \"Test\"\n\n[[layer]]\nid = \"nc\"\nsource = {:?}\nid_feld = \"FIPS\"\n",
            nc.display().to_string()
        ),
    )
    .unwrap();
    let out = quartier(&["check", manifest.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    // The typo `id_feld` is on line 6.
    assert!(out.stderr.contains("line 6"), "{}", out.stderr);
    assert!(out.stderr.contains("id_feld"), "{}", out.stderr);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A layer without indicators (issue 14): `check` exits 1 and says what to add; `serve` still
/// shows the outlines and says in its log why nothing is coloured.
#[test]
fn a_layer_without_indicators_fails_check_and_is_named_in_the_serve_log() {
    let dir = scratch_dir("no-indicators");
    let manifest = dir.join("atlas.toml");
    let nc = repo_root().join("tests/fixtures/nc_sids/nc.shp");
    std::fs::write(
        &manifest,
        format!(
            "title = \"Test\"\n\n[[layer]]\nid = \"nc\"\nsource = {:?}\nid_field = \"FIPS\"\n",
            nc.display().to_string()
        ),
    )
    .unwrap();
    let out = quartier(&["check", manifest.to_str().unwrap()]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout
            .contains("layer \"nc\" publishes no indicator: add [[layer.indicator]]"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("would show its outlines only"),
        "{}",
        out.stdout
    );
    let server = Server::start(&[manifest.to_str().unwrap()]);
    assert_eq!(server.get("/health").status, 200);
    let log = server.log();
    assert!(log.contains("publishes no indicator"), "{log}");
    drop(server);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn check_an_unusable_layer_exits_1() {
    let dir = scratch_dir("unusable-layer");
    let manifest = dir.join("atlas.toml");
    let nan = repo_root().join("tests/fixtures/bad/nc_nan.shp");
    std::fs::write(
        &manifest,
        format!(
            "[[layer]]\nid = \"nc\"\nsource = {:?}\nid_field = \"FIPS\"\n\n\
             [[layer.indicator]]\nid = \"SID74\"\nfield = \"SID74\"\n",
            nan.display().to_string()
        ),
    )
    .unwrap();
    let out = quartier(&["check", manifest.to_str().unwrap()]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("NOT usable"), "{}", out.stdout);
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------------------------------
// quartier serve

fn json(server: &Server, path: &str) -> Value {
    let r = server.get(path);
    assert_eq!(r.status, 200, "{path}: {}", r.text());
    serde_json::from_slice(&r.body).unwrap()
}

#[test]
fn serve_the_bundled_atlas_on_a_free_port() {
    let server = Server::start(&[]);
    let health = json(&server, "/health");
    assert_eq!(health["status"], "ok");
    assert_eq!(health["layers"], SERVED_LAYERS.len());
    assert_eq!(ids_of(&json(&server, "/api/layers")), SERVED_LAYERS);
    // A tile over North Carolina is a PNG.
    let tile = server.get("/tiles/nc/sids_rate74/6/17/25.png");
    assert_eq!(tile.status, 200);
    assert_eq!(tile.header("content-type"), Some("image/png"));
    assert!(tile.body.starts_with(b"\x89PNG\r\n\x1a\n"));
    // Errors are JSON over the wire too.
    let bad = server.get("/tiles/nc/sids_rate74/30/0/0.png");
    assert_eq!(bad.status, 400);
    assert!(
        bad.text().contains("above the maximum zoom"),
        "{}",
        bad.text()
    );
    // The root is the map page (web/ of this checkout), or the page saying it is missing.
    let root = server.get("/");
    assert_eq!(root.status, 200);
    assert!(root
        .header("content-type")
        .unwrap_or("")
        .starts_with("text/html"));
    let log = server.log();
    assert!(log.contains("atlas ready"), "{log}");
    // SIGTERM stops it gracefully with exit status 0.
    let code = server.terminate();
    assert_eq!(code, 0);
}

#[test]
fn serve_a_shapefile_directly() {
    let server = Server::start(&[
        "tests/fixtures/nc_sids/nc.shp",
        "--id-field",
        "FIPS",
        "--name-field",
        "NAME",
        "--no-cache",
    ]);
    let layers = json(&server, "/api/layers");
    assert_eq!(layers[0]["id"], "nc");
    assert!(layers[0]["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["id"] == "SID74"));
    // Ashe County's interior point (tests/fixtures/reference/server_interior_points.json).
    let at = json(&server, "/api/layers/nc/at?lon=-81.4977501&lat=36.4259361");
    assert_eq!(at["id"], "37009");
    assert_eq!(at["name"], "Ashe");
    let health = json(&server, "/health");
    assert_eq!(health["stats"]["cache"]["budget_bytes"], 0);
}

#[cfg(unix)]
#[test]
fn sighup_reloads_the_data_and_a_broken_file_keeps_the_last_good_data_live() {
    let dir = scratch_dir("reload");
    let source = dir.join("districts.json");
    let fixtures = repo_root().join("tests/fixtures");
    std::fs::copy(
        fixtures.join("montreal_districts/election.geojson"),
        &source,
    )
    .unwrap();
    let server = Server::start(&[source.to_str().unwrap(), "--no-cache"]);
    let features = |server: &Server| json(server, "/api/layers")[0]["features"].clone();
    assert_eq!(features(&server), 58);
    let version = json(&server, "/health")["version"].clone();

    // A half-copied file: the reload fails and says so; the 58 districts stay live.
    let text = std::fs::read_to_string(&source).unwrap();
    std::fs::write(&source, &text[..text.len() / 2]).unwrap();
    server.hangup("the last good atlas stays live");
    assert_eq!(features(&server), 58);
    assert_eq!(json(&server, "/health")["version"], version);

    // The finished new file (London's 33 boroughs): the reload puts it live.
    std::fs::copy(fixtures.join("london/londonBoroughs.json"), &source).unwrap();
    server.hangup("atlas reloaded");
    assert_eq!(features(&server), 33);
    assert_ne!(json(&server, "/health")["version"], version);
    assert_eq!(server.terminate(), 0);
}

#[test]
fn serve_finds_the_bundled_atlas_from_any_directory() {
    let dir = scratch_dir("elsewhere");
    let server = Server::start_in(&dir, &[]);
    assert_eq!(json(&server, "/health")["layers"], SERVED_LAYERS.len());
    drop(server);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn serve_on_a_busy_port_exits_2() {
    let first = Server::start(&["tests/fixtures/nc_sids/nc.shp"]);
    let addr = first.addr.to_string();
    let out = quartier(&["serve", "tests/fixtures/nc_sids/nc.shp", "--bind", &addr]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!("cannot listen on {addr}")),
        "{}",
        out.stderr
    );
}

#[test]
fn serve_a_missing_source_exits_2() {
    let out = quartier_in(&repo_root(), &["serve", "nowhere.toml"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("nowhere.toml"), "{}", out.stderr);
}
