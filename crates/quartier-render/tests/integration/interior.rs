//! Pixels inside districts carry exactly the district's colour; pixels outside every district
//! are transparent. Expected values come from geo on the full-detail polygons.

use geo::{
    BoundingRect, Contains, Coord, Distance, Euclidean, InteriorPoint, LineString, MultiPolygon,
    Point, Rect,
};
use quartier_render::{render_tile, TileCoord, TileStyle};

use crate::fixtures::{
    boston, class_style, decode, locate, nc, pixel_centre, pixel_m, unique_style, Fixture,
    TileCache,
};

/// Distance from `p` to the nearest ring of any district, in metres.
fn clearance(polygons: &[MultiPolygon<f64>], p: Point<f64>) -> f64 {
    polygons
        .iter()
        .flat_map(|mp| mp.iter())
        .flat_map(|poly| std::iter::once(poly.exterior()).chain(poly.interiors()))
        .map(|ring: &LineString<f64>| Euclidean.distance(&p, ring))
        .fold(f64::INFINITY, f64::min)
}

/// How far from every boundary a pixel must be for its colour to be certain: simplification
/// (half a pixel), the border's reach (a line `w = max(width × scale, 1)` pixels wide colours
/// pixel centres up to `(w / 2 + 0.5) · √2` from its ends) and the distance from a point to
/// its pixel's centre (half a diagonal).
fn needed_clearance_px(style: &TileStyle, scale: u8) -> f64 {
    let w = (f64::from(style.border_width) * f64::from(scale)).max(1.0);
    0.5 + (w / 2.0 + 0.5) * std::f64::consts::SQRT_2 + std::f64::consts::FRAC_1_SQRT_2
}

/// PNG colour type from the IHDR chunk: 3 is palette, 6 is RGBA.
fn colour_type(png: &[u8]) -> u8 {
    png[25]
}

fn check_interior_points(fx: &Fixture, style: &TileStyle, zooms: &[(u8, u8)], min_checked: usize) {
    let mut cache = TileCache::new(&fx.layer, style);
    for &(zoom, scale) in zooms {
        let need = needed_clearance_px(style, scale) * pixel_m(zoom, scale);
        let mut checked = 0;
        for (d, mp) in fx.polygons.iter().enumerate() {
            let Some(ip) = mp.interior_point() else {
                continue;
            };
            if clearance(&fx.polygons, ip) < need {
                continue;
            }
            let (tile, i, j) = locate(ip.0, zoom, scale);
            let img = cache.get(tile, scale);
            assert_eq!(
                img.get_pixel(i, j).0,
                style.fills[d],
                "district {d} at zoom {zoom} scale {scale}: pixel ({i}, {j}) of tile {tile}"
            );
            checked += 1;
        }
        assert!(
            checked >= min_checked,
            "only {checked} districts far enough from borders at zoom {zoom} scale {scale}"
        );
    }
}

#[test]
fn nc_interior_points_have_their_class_colour() {
    let fx = nc();
    assert_eq!(fx.layer.len(), 100);
    let style = class_style(100, 1.0);
    check_interior_points(fx, &style, &[(6, 1), (6, 2), (7, 1), (8, 2), (9, 1)], 60);
}

#[test]
fn nc_interior_points_with_a_colour_per_county() {
    let fx = nc();
    let style = unique_style(100, 1.0);
    check_interior_points(fx, &style, &[(6, 2), (8, 1)], 60);
}

#[test]
fn boston_interior_points_at_city_zooms() {
    let fx = boston();
    let n = fx.layer.len();
    let style = class_style(n, 1.0);
    check_interior_points(fx, &style, &[(12, 1), (13, 2), (14, 1)], n / 2);
}

#[test]
fn class_tiles_are_indexed_and_unique_colours_fall_back_to_rgba() {
    let fx = nc();
    let tile = TileCoord::new_checked(6, 17, 25).unwrap();
    let indexed = render_tile(&fx.layer, &class_style(100, 1.0), tile, 1).unwrap();
    assert_eq!(colour_type(&indexed), 3);
    let rgba = render_tile(&fx.layer, &unique_style(100, 1.0), tile, 1).unwrap();
    assert_eq!(colour_type(&rgba), 6);
    // Without borders the 100 colours fit a palette.
    let no_border = render_tile(&fx.layer, &unique_style(100, 0.0), tile, 1).unwrap();
    assert_eq!(colour_type(&no_border), 3);
}

/// Samples every `step`-th pixel of `tile`; each one far enough from every boundary must be
/// exactly the colour of the district containing it, or transparent when none does.
fn check_grid(
    fx: &Fixture,
    style: &TileStyle,
    tile: TileCoord,
    scale: u8,
    step: u32,
) -> (usize, usize) {
    let img = decode(&render_tile(&fx.layer, style, tile, scale).unwrap());
    let need = needed_clearance_px(style, scale) * pixel_m(tile.z, scale);
    let boxes: Vec<Rect<f64>> = fx
        .polygons
        .iter()
        .map(|p| p.bounding_rect().unwrap())
        .collect();
    let (mut inside, mut outside) = (0, 0);
    let size = 256 * u32::from(scale);
    for j in (step / 2..size).step_by(step as usize) {
        for i in (step / 2..size).step_by(step as usize) {
            let c: Coord<f64> = pixel_centre(tile, i, j, scale);
            let p = Point(c);
            if clearance(&fx.polygons, p) < need {
                continue;
            }
            let owner = (0..fx.polygons.len())
                .find(|&d| boxes[d].contains(&c) && fx.polygons[d].contains(&p));
            let px = img.get_pixel(i, j).0;
            match owner {
                Some(d) => {
                    assert_eq!(
                        px, style.fills[d],
                        "pixel ({i}, {j}) of {tile}@{scale}x lies in district {d}"
                    );
                    inside += 1;
                }
                None => {
                    assert_eq!(
                        px[3], 0,
                        "pixel ({i}, {j}) of {tile}@{scale}x lies outside every district"
                    );
                    outside += 1;
                }
            }
        }
    }
    (inside, outside)
}

#[test]
fn nc_grid_inside_exact_outside_transparent() {
    let fx = nc();
    let style = class_style(100, 1.0);
    // The middle of the state at zoom 7, with the Pamlico Sound (outside every county) to the east.
    let (inside, outside) =
        check_grid(fx, &style, TileCoord::new_checked(7, 36, 50).unwrap(), 1, 3);
    eprintln!("7/36/50: {inside} inside, {outside} outside");
    assert!(
        inside > 1000 && outside > 100,
        "{inside} inside, {outside} outside"
    );
    // Albemarle and Pamlico sounds at zoom 8 @2x: sounds, barrier islands and ocean.
    let (inside, outside) = check_grid(
        fx,
        &style,
        TileCoord::new_checked(8, 73, 100).unwrap(),
        2,
        7,
    );
    eprintln!("8/73/100@2x: {inside} inside, {outside} outside");
    assert!(
        inside > 300 && outside > 300,
        "{inside} inside, {outside} outside"
    );
}

#[test]
fn boston_grid_inside_exact_outside_transparent() {
    let fx = boston();
    let style = unique_style(fx.layer.len(), 1.0);
    let (inside, outside) = check_grid(
        fx,
        &style,
        TileCoord::new_checked(13, 2479, 3030).unwrap(),
        1,
        4,
    );
    assert!(
        inside > 1000 && outside > 100,
        "{inside} inside, {outside} outside"
    );
}
