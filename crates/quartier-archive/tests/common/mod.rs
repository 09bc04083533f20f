//! Shared by the integration tests and the `archive` and `mvt` benches (which include this file):
//! real layers from `tests/fixtures/`, their vector tile properties, tiles over their extent,
//! fresh scratch folders, and the independent readers of `tests/reference/archive_reference.py`.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use quartier_render::{MvtAttributes, MvtValue, TileCoord, TileLayer};

/// The repository root: the folder above this package holding `tests/reference/`.
pub fn repo_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = here
        .ancestors()
        .find(|p| p.join("tests/reference").is_dir());
    root.unwrap_or(here).to_path_buf()
}

/// A fresh, empty folder for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A boundary file of `tests/fixtures/` through Quartier's importer (with `crs` for files
/// without a `.prj`), and its render layer.
pub fn load(rel: &str, crs: Option<&str>) -> (quartier_geo::Layer, TileLayer) {
    let path = repo_root().join("tests/fixtures").join(rel);
    let opts = quartier_geo::import::ImportOptions {
        crs: crs.map(String::from),
        ..Default::default()
    };
    let imported = quartier_geo::import::read_layer(&path, &opts)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mercator = imported.layer.districts.iter().map(|d| d.mercator.clone());
    let render = TileLayer::new(mercator.collect());
    (imported.layer, render)
}

/// Properties as a server gives them: id, name, `value` (from `value`), class and colour.
pub fn attributes(
    layer: &quartier_geo::Layer,
    value: impl Fn(usize) -> Option<f64>,
) -> MvtAttributes {
    MvtAttributes {
        keys: ["id", "name", "value", "class", "colour"]
            .map(String::from)
            .to_vec(),
        rows: layer
            .districts
            .iter()
            .enumerate()
            .map(|(i, d)| {
                vec![
                    Some(MvtValue::Text(d.id.clone())),
                    Some(MvtValue::Text(d.name.clone())),
                    value(i).map(MvtValue::Number),
                    Some(MvtValue::Integer(i as i64 % 5)),
                    Some(MvtValue::Text(format!(
                        "#{:06x}",
                        (i * 2_654_435) % 0x100_0000
                    ))),
                ]
            })
            .collect(),
    }
}

/// Tiles of zoom `z` meeting `bounds` (mercator metres), grown by `pad` tiles on each side.
pub fn tiles_over(bounds: [f64; 4], z: u8, pad: u32) -> Vec<TileCoord> {
    let range = quartier_archive::TileRange::covering_mercator(bounds, z).unwrap();
    range.grow(pad).into_iter().collect()
}

/// Runs the reference script with `args` and parses what it prints.
pub fn reference(args: &[&std::ffi::OsStr]) -> serde_json::Value {
    let script = repo_root().join("tests/reference/archive_reference.py");
    let out = Command::new("python3")
        .arg(&script)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{} {args:?} failed:\n{}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}
