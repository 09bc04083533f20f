//! Publish guards: bad data never goes live, whether through `quartier check`, `quartier serve`
//! or a reload; a reload that loses values against the live version is refused with the
//! numbers unless forced; manifest settings that tiles would refuse are refused at load.
//!
//! Data: Montréal's 58 districts with the 2013 election table
//! (`tests/fixtures/montreal_districts/`), and the 100 NC counties (`tests/fixtures/nc_sids/`)
//! with one coordinate overwritten by NaN.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use quartier_atlas::manifest::LoadedAtlas;
use quartier_server::error::error_chain;
use quartier_server::reload::{LiveApp, Reloader};
use quartier_server::state::ServerOptions;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(rel)
}

/// A fresh folder under the system's temp dir, named for the test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("quartier-publish-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A Montréal manifest in `dir` with the election table, `layer_extra` added to the layer
/// and `top` to the atlas.
fn montreal(dir: &Path, top: &str, layer_extra: &str) -> PathBuf {
    std::fs::copy(
        fixture("montreal_districts/election.geojson"),
        dir.join("election.geojson"),
    )
    .unwrap();
    if !dir.join("election.csv").exists() {
        std::fs::copy(
            fixture("montreal_districts/election.csv"),
            dir.join("election.csv"),
        )
        .unwrap();
    }
    let manifest = format!(
        "title = \"Montréal\"\n{top}\n\n[[layer]]\nid = \"montreal\"\nsource = \"election.geojson\"\n\
         name_field = \"district\"\n{layer_extra}\n\n[[layer.table]]\nid = \"election\"\n\
         path = \"election.csv\"\nkey = \"district_id\"\n\n[[layer.indicator]]\nid = \"votes\"\n\
         table = \"election\"\nfield = \"total\"\n"
    );
    let path = dir.join("atlas.toml");
    std::fs::write(&path, manifest).unwrap();
    path
}

/// Keep the header and the first `rows` rows of the election table (a copy cut at a line end).
fn cut_table(dir: &Path, rows: usize) {
    let text = std::fs::read_to_string(fixture("montreal_districts/election.csv")).unwrap();
    let kept: Vec<&str> = text.lines().take(rows + 1).collect();
    std::fs::write(dir.join("election.csv"), kept.join("\n") + "\n").unwrap();
}

fn load_error(path: &Path) -> String {
    match LoadedAtlas::load(path) {
        Ok(_) => panic!("{} loaded", path.display()),
        Err(e) => error_chain(&e),
    }
}

#[test]
fn a_reload_that_loses_values_is_refused_with_the_numbers_unless_forced() {
    let dir = scratch("loss");
    let manifest = montreal(&dir, "", "");
    let reloader = Reloader::new(vec![manifest], Default::default(), ServerOptions::default());
    let live = LiveApp::new(reloader.start().unwrap());
    let first = live.state().version.clone();

    // 50 of 58 rows: still above half, so usable, but 8 districts lose their values.
    cut_table(&dir, 50);
    let err = error_chain(&reloader.reload(&live, false).unwrap_err());
    assert!(
        err.contains("join of election.csv on district_id: 58 live, 50 new"),
        "{err}"
    );
    assert!(err.contains("indicator votes: 58 live, 50 new"), "{err}");
    assert_eq!(live.state().version, first);

    // Forced (SIGUSR1): it goes live, and becomes what the next reload is compared with.
    let forced = reloader.reload(&live, true).unwrap();
    assert_ne!(forced, first);
    assert_eq!(live.state().version, forced);

    // 13 of 58 rows: under half the districts, never published, forced or not.
    cut_table(&dir, 13);
    let err = error_chain(&reloader.reload(&live, true).unwrap_err());
    assert!(err.contains("matches only 13 of 58 districts"), "{err}");
    assert_eq!(live.state().version, forced);

    // The whole table again: more values is no loss.
    cut_table(&dir, 58);
    reloader.reload(&live, false).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Copies of nc.shp/.shx/.dbf/.prj in `dir` whose first polygon's first x is NaN.
fn nc_with_nan(dir: &Path) -> PathBuf {
    for ext in ["shp", "shx", "dbf", "prj"] {
        std::fs::copy(
            fixture(&format!("nc_sids/nc.{ext}")),
            dir.join(format!("nc.{ext}")),
        )
        .unwrap();
    }
    let shp = dir.join("nc.shp");
    let mut bytes = std::fs::read(&shp).unwrap();
    // File header 100 bytes, record header 8, shape type 4, box 32, then parts and points.
    let parts = i32::from_le_bytes(bytes[144..148].try_into().unwrap()) as usize;
    let x = 152 + 4 * parts;
    bytes[x..x + 8].copy_from_slice(&f64::NAN.to_le_bytes());
    std::fs::write(&shp, bytes).unwrap();
    shp
}

#[test]
fn a_nan_coordinate_is_refused_by_check_serve_and_reload_alike() {
    let dir = scratch("nan");
    let shp = nc_with_nan(&dir);
    let bin = env!("CARGO_BIN_EXE_quartier");
    std::fs::write(
        dir.join("atlas.toml"),
        "[[layer]]\nid = \"nc\"\nsource = \"nc.shp\"\n",
    )
    .unwrap();
    let check = Command::new(bin)
        .arg("check")
        .arg(dir.join("atlas.toml"))
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(1), "{check:?}");

    // `serve` refuses to start on it (it used to publish it with a warning).
    let started = Instant::now();
    let mut serve = Command::new(bin)
        .arg("serve")
        .arg(&shp)
        .args(["--bind", "127.0.0.1:0"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let status = loop {
        if let Some(status) = serve.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = serve.kill();
            panic!("`quartier serve` published a layer with a NaN coordinate");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut serve.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not published"), "{stderr}");
    assert!(stderr.contains("unusable geometry"), "{stderr}");

    // A reload to the same data is refused, the good version stays live.
    let good = dir.join("good");
    std::fs::create_dir_all(&good).unwrap();
    for ext in ["shp", "shx", "dbf", "prj"] {
        std::fs::copy(
            fixture(&format!("nc_sids/nc.{ext}")),
            good.join(format!("nc.{ext}")),
        )
        .unwrap();
    }
    let reloader = Reloader::new(
        vec![good.join("nc.shp")],
        Default::default(),
        ServerOptions::default(),
    );
    let live = LiveApp::new(reloader.start().unwrap());
    let version = live.state().version.clone();
    std::fs::copy(&shp, good.join("nc.shp")).unwrap();
    let err = error_chain(&reloader.reload(&live, true).unwrap_err());
    assert!(err.contains("unusable geometry"), "{err}");
    assert_eq!(live.state().version, version);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn styles_are_checked_as_tiles_use_them() {
    let dir = scratch("styles");
    for (top, expected) in [
        (
            "style = { method = \"manual\", breaks = [3, 1] }",
            "must increase",
        ),
        (
            "style = { method = \"manual\", breaks = [1, nan] }",
            "not a finite number",
        ),
        (
            "style = { centre = nan, palette = \"RdBu\" }",
            "centre = NaN",
        ),
        (
            "style = { centre = inf, palette = \"RdBu\" }",
            "centre = inf",
        ),
    ] {
        let err = load_error(&montreal(&dir, top, ""));
        assert!(err.contains(expected), "{top}: {err}");
        assert!(err.contains("indicator \"votes\""), "{top}: {err}");
    }
    // A good manual style still loads.
    let ok = montreal(
        &dir,
        "style = { method = \"manual\", breaks = [5000, 10000] }",
        "",
    );
    LoadedAtlas::load(&ok).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn layer_ids_thresholds_crs_and_encoding_are_checked_before_import() {
    let dir = scratch("layer");
    let cases = [
        ("id = \"\"", "the id is empty"),
        ("id = \"a/../b\"", "part of every tile URL"),
        ("suppress_below = -5", "suppress_below = -5"),
        ("suppress_below = nan", "suppress_below = NaN"),
        ("crs = \"EPSG:99999\"", "crs = \"EPSG:99999\""),
        ("encoding = \"klingon\"", "encoding = \"klingon\""),
    ];
    for (setting, expected) in cases {
        let path = montreal(&dir, "", "");
        let text = std::fs::read_to_string(&path).unwrap();
        let text = if let Some(id) = setting.strip_prefix("id = ") {
            text.replace("id = \"montreal\"", &format!("id = {id}"))
        } else {
            text.replace(
                "name_field = \"district\"",
                &format!("name_field = \"district\"\n{setting}"),
            )
        };
        std::fs::write(&path, text).unwrap();
        let err = load_error(&path);
        assert!(err.contains(expected), "{setting}: {err}");
        // The manifest said it, not the command line.
        assert!(
            !err.contains("--crs") && !err.contains("--encoding"),
            "{setting}: {err}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
