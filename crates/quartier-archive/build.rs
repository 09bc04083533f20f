//! Finds out whether the independent readers the reference tests need are installed
//! (python3 with `pmtiles`, `mapbox-vector-tile` and `shapely` from PyPI). When they are not,
//! those tests are compiled as ignored, with a message saying what to install, instead of
//! passing without checking anything.
//!
//! The answer is cached with the build script's run, and `cargo clippy` on a clean clone runs it
//! before the test script has installed the readers: so `scripts/test-all.sh` sets
//! `QUARTIER_REFERENCE_READERS=required` after its install, which reruns this script (the
//! variable changed) and makes a missing reader a build error there, never a silently ignored test.

use std::path::Path;
use std::process::{Command, Stdio};

fn main() {
    println!("cargo::rustc-check-cfg=cfg(reference_readers)");
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let script = Path::new(&manifest).join("../../tests/reference/archive_reference.py");
    println!("cargo::rerun-if-changed={}", script.display());
    println!("cargo::rerun-if-env-changed=PATH");
    println!("cargo::rerun-if-env-changed=QUARTIER_REFERENCE_READERS");
    let required = std::env::var("QUARTIER_REFERENCE_READERS").is_ok_and(|v| v == "required");
    let found = Command::new("python3")
        .arg(&script)
        .arg("check")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found {
        println!("cargo::rustc-cfg=reference_readers");
    } else if required {
        eprintln!(
            "QUARTIER_REFERENCE_READERS=required, but python3 cannot import pmtiles, \
             mapbox-vector-tile and shapely (tests/reference/archive_reference.py check failed): \
             pip install pmtiles==3.8.1 mapbox-vector-tile==2.2.0 shapely==2.2.0"
        );
        std::process::exit(1);
    } else {
        println!(
            "cargo::warning=python3 with pmtiles, mapbox-vector-tile and shapely not found: \
             the reference-reader tests of quartier-archive are ignored \
             (pip install pmtiles mapbox-vector-tile shapely, then touch tests/reference/archive_reference.py)"
        );
    }
}
