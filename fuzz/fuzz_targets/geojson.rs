//! A GeoJSON document through the whole import (CRS member, polygons, properties, validation).
#![no_main]

use libfuzzer_sys::fuzz_target;
use quartier_geo::import::{fuzzing, ImportOptions};

fuzz_target!(|data: &[u8]| {
    let _ = fuzzing::json("fuzz.geojson", data, &ImportOptions::default());
});
