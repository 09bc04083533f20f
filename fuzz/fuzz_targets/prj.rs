//! `.prj` WKT (and `--crs` text): identification, then a transformer to WGS84 and one point.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quartier_geo::crs::{Crs, ToWgs84};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for crs in [Crs::from_wkt(text.trim()), Crs::parse(&text)]
        .into_iter()
        .flatten()
    {
        let _ = (crs.name(), crs.warning(), crs.is_geographic());
        if let Ok(t) = ToWgs84::new(&crs) {
            let mut mp = geo_types::MultiPolygon(vec![geo_types::Polygon::new(
                geo_types::LineString::from(vec![
                    (500000.0, 5000000.0),
                    (500100.0, 5000000.0),
                    (500000.0, 5000100.0),
                ]),
                vec![],
            )]);
            let _ = t.multipolygon(&mut mp);
        }
    }
});
