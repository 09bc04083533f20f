//! Shared inputs: the real layers of `tests/fixtures/`, converted to Web Mercator, and the
//! pixel arithmetic the checks use.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use geo::{Coord, MapCoords, MultiPolygon};
use quartier_render::{render_tile, TileCoord, TileLayer, TileStyle, MERCATOR_HALF_EXTENT};

/// Earth radius of the spherical Web Mercator.
const R: f64 = 6_378_137.0;

pub fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(rel)
}

/// Spherical Web Mercator of a longitude/latitude in degrees (the datum is ignored: the
/// renderer only needs planar metres, and the checks use the same metres).
pub fn mercator(c: Coord<f64>) -> Coord<f64> {
    Coord {
        x: R * c.x.to_radians(),
        y: R * (std::f64::consts::FRAC_PI_4 + c.y.to_radians() / 2.0)
            .tan()
            .ln(),
    }
}

/// The polygons of a lon/lat shapefile, in mercator metres, in file order.
pub fn read_lonlat_shapefile(rel: &str) -> Vec<MultiPolygon<f64>> {
    let shapes = shapefile::read_shapes_as::<_, shapefile::Polygon>(fixture(rel)).unwrap();
    shapes
        .into_iter()
        .map(|p| {
            let mp: MultiPolygon<f64> = p.try_into().unwrap();
            mp.map_coords(mercator)
        })
        .collect()
}

pub struct Fixture {
    pub polygons: Vec<MultiPolygon<f64>>,
    pub layer: TileLayer,
}

/// The 100 North Carolina counties of `nc_sids` (NAD27 lon/lat, read as if WGS84).
pub fn nc() -> &'static Fixture {
    static NC: OnceLock<Fixture> = OnceLock::new();
    NC.get_or_init(|| load("nc_sids/nc.shp"))
}

/// The 180 Boston census tracts of `boston_tracts`.
pub fn boston() -> &'static Fixture {
    static BOSTON: OnceLock<Fixture> = OnceLock::new();
    BOSTON.get_or_init(|| load("boston_tracts/boston_tracts.shp"))
}

fn load(rel: &str) -> Fixture {
    let polygons = read_lonlat_shapefile(rel);
    let layer = TileLayer::new(polygons.clone());
    Fixture { polygons, layer }
}

/// ColorBrewer YlOrRd with 5 classes (the example), opaque.
pub const YLORRD5: [[u8; 4]; 5] = [
    [0xff, 0xff, 0xb2, 0xff],
    [0xfe, 0xcc, 0x5c, 0xff],
    [0xfd, 0x8d, 0x3c, 0xff],
    [0xf0, 0x3b, 0x20, 0xff],
    [0xbd, 0x00, 0x26, 0xff],
];

/// A class style: district `i` gets class `i % 5`.
pub fn class_style(n: usize, border_width: f32) -> TileStyle {
    TileStyle {
        fills: (0..n).map(|i| YLORRD5[i % 5]).collect(),
        border: [0x55, 0x55, 0x55, 0xff],
        border_width,
    }
}

/// A style with a different colour for every district (forces more than 256 colours with
/// borders, so the RGBA path).
pub fn unique_style(n: usize, border_width: f32) -> TileStyle {
    TileStyle {
        fills: (0..n)
            .map(|i| {
                [
                    (i * 37 % 256) as u8,
                    (i * 91 % 256) as u8,
                    (i / 2 % 256) as u8,
                    255,
                ]
            })
            .collect(),
        border: [0x20, 0x20, 0x20, 0xff],
        border_width,
    }
}

/// Where a mercator point falls: its tile and the pixel in it at `zoom`, `scale`.
pub fn locate(p: Coord<f64>, zoom: u8, scale: u8) -> (TileCoord, u32, u32) {
    let size = 256.0 * f64::from(scale);
    let world = size * f64::from(1u32 << zoom);
    let gx = (p.x + MERCATOR_HALF_EXTENT) / (2.0 * MERCATOR_HALF_EXTENT) * world;
    let gy = (MERCATOR_HALF_EXTENT - p.y) / (2.0 * MERCATOR_HALF_EXTENT) * world;
    let (tx, ty) = ((gx / size).floor(), (gy / size).floor());
    let tile = TileCoord::new_checked(zoom, tx as u32, ty as u32).unwrap();
    (tile, (gx - tx * size) as u32, (gy - ty * size) as u32)
}

/// Mercator point of the centre of pixel `(i, j)` of `tile`.
pub fn pixel_centre(tile: TileCoord, i: u32, j: u32, scale: u8) -> Coord<f64> {
    let size = 256.0 * f64::from(scale);
    let world = size * f64::from(1u32 << tile.z);
    let gx = f64::from(tile.x) * size + f64::from(i) + 0.5;
    let gy = f64::from(tile.y) * size + f64::from(j) + 0.5;
    Coord {
        x: gx / world * 2.0 * MERCATOR_HALF_EXTENT - MERCATOR_HALF_EXTENT,
        y: MERCATOR_HALF_EXTENT - gy / world * 2.0 * MERCATOR_HALF_EXTENT,
    }
}

/// Metres per pixel at `zoom`, `scale`.
pub fn pixel_m(zoom: u8, scale: u8) -> f64 {
    2.0 * MERCATOR_HALF_EXTENT / (256.0 * f64::from(scale) * f64::from(1u32 << zoom))
}

pub fn decode(png: &[u8]) -> image::RgbaImage {
    image::load_from_memory_with_format(png, image::ImageFormat::Png)
        .unwrap()
        .to_rgba8()
}

/// Renders and decodes tiles, each once.
pub struct TileCache<'a> {
    layer: &'a TileLayer,
    style: &'a TileStyle,
    tiles: HashMap<(TileCoord, u8), image::RgbaImage>,
}

impl<'a> TileCache<'a> {
    pub fn new(layer: &'a TileLayer, style: &'a TileStyle) -> Self {
        TileCache {
            layer,
            style,
            tiles: HashMap::new(),
        }
    }

    pub fn get(&mut self, tile: TileCoord, scale: u8) -> &image::RgbaImage {
        self.tiles
            .entry((tile, scale))
            .or_insert_with(|| decode(&render_tile(self.layer, self.style, tile, scale).unwrap()))
    }
}
