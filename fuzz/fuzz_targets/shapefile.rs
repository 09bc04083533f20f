//! A shapefile's `.shp` and `.shx` through the whole import (rings, holes, reprojection from
//! NAD27, validation). Input: a little-endian u32 length, that many `.shp` bytes, then the `.shx`
//! (none when empty). `seed.sh` packs the fixtures this way.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quartier_geo::import::{fuzzing, ImportOptions};

fuzz_target!(|data: &[u8]| {
    let Some((len, rest)) = data.split_first_chunk::<4>() else {
        return;
    };
    let len = (u32::from_le_bytes(*len) as usize).min(rest.len());
    let (shp, shx) = rest.split_at(len);
    let shx = (!shx.is_empty()).then_some(shx);
    let opts = ImportOptions {
        crs: Some("EPSG:4267".into()),
        ..ImportOptions::default()
    };
    let _ = fuzzing::shapefile(shp, shx, None, None, &opts);
});
