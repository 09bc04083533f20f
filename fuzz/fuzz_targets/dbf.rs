//! A `.dbf` on its own: header, field descriptors, every record decoded.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quartier_geo::import::fuzzing;

fuzz_target!(|data: &[u8]| {
    let _ = fuzzing::dbf(data);
});
