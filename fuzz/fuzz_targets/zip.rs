//! A `.zip` archive holding a shapefile, through the whole import with the default limits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quartier_geo::import::{fuzzing, ImportOptions};

fuzz_target!(|data: &[u8]| {
    let _ = fuzzing::zip_archive(data, &ImportOptions::default());
});
