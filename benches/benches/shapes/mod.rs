//! Shared bench inputs: the shapefiles of `tests/fixtures/` in Web Mercator, and the class
//! colours. Included as a module by each bench file (`mod shapes;`).

#![allow(dead_code)] // not every bench uses every helper

use std::path::PathBuf;

use geo_types::{Coord, MultiPolygon};

pub const R: f64 = 6_378_137.0;

/// ColorBrewer YlOrRd, 5 classes.
pub const YLORRD5: [[u8; 4]; 5] = [
    [0xff, 0xff, 0xb2, 0xff],
    [0xfe, 0xcc, 0x5c, 0xff],
    [0xfd, 0x8d, 0x3c, 0xff],
    [0xf0, 0x3b, 0x20, 0xff],
    [0xbd, 0x00, 0x26, 0xff],
];

pub fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(rel)
}

pub fn mercator(c: Coord<f64>) -> Coord<f64> {
    Coord {
        x: R * c.x.to_radians(),
        y: R * (std::f64::consts::FRAC_PI_4 + c.y.to_radians() / 2.0)
            .tan()
            .ln(),
    }
}

pub fn read(rel: &str) -> Vec<MultiPolygon<f64>> {
    let path = fixture(rel);
    let shapes = shapefile::read_shapes_as::<_, shapefile::Polygon>(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    shapes.into_iter().map(|p| to_mercator(p, &path)).collect()
}

/// The polygons of a lon/lat shapefile in mercator metres, and the text field `name_field` of
/// each record.
pub fn read_with_names(rel: &str, name_field: &str) -> (Vec<MultiPolygon<f64>>, Vec<String>) {
    let path = fixture(rel);
    let rows = shapefile::read_as::<_, shapefile::Polygon, shapefile::dbase::Record>(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    rows.into_iter()
        .map(|(shape, record)| {
            let name = match record.get(name_field) {
                Some(shapefile::dbase::FieldValue::Character(Some(s))) => s.clone(),
                _ => String::new(),
            };
            (to_mercator(shape, &path), name)
        })
        .unzip()
}

fn to_mercator(shape: shapefile::Polygon, path: &std::path::Path) -> MultiPolygon<f64> {
    let mp: MultiPolygon<f64> = shape
        .try_into()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    MultiPolygon(
        mp.0.into_iter()
            .map(|poly| {
                let (ext, ints) = poly.into_inner();
                geo_types::Polygon::new(
                    ext.0.into_iter().map(mercator).collect(),
                    ints.into_iter()
                        .map(|r| r.0.into_iter().map(mercator).collect())
                        .collect(),
                )
            })
            .collect(),
    )
}
