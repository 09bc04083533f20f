//! Finds out whether the independent readers the reference tests need are installed
//! (python3 with `pmtiles`, `mapbox-vector-tile` and `shapely` from PyPI). When they are not,
//! those tests are compiled as ignored, with a message saying what to install, instead of
//! passing without checking anything.

use std::path::Path;
use std::process::{Command, Stdio};

fn main() {
    println!("cargo::rustc-check-cfg=cfg(reference_readers)");
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let script = Path::new(&manifest).join("../../tests/reference/archive_reference.py");
    println!("cargo::rerun-if-changed={}", script.display());
    println!("cargo::rerun-if-env-changed=PATH");
    let found = Command::new("python3")
        .arg(&script)
        .arg("check")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found {
        println!("cargo::rustc-cfg=reference_readers");
    } else {
        println!(
            "cargo::warning=python3 with pmtiles, mapbox-vector-tile and shapely not found: \
             the reference-reader tests of quartier-archive are ignored \
             (pip install pmtiles mapbox-vector-tile shapely, then touch tests/reference/archive_reference.py)"
        );
    }
}
