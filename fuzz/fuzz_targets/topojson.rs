//! A TopoJSON topology through the whole import (quantized arcs, arc indices, holes).
//! The same entry point as `geojson`, with a corpus of topologies.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quartier_geo::import::{fuzzing, ImportOptions};

fuzz_target!(|data: &[u8]| {
    let _ = fuzzing::json("fuzz.topojson", data, &ImportOptions::default());
});
