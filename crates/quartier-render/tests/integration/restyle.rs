//! `DistrictRaster`: a tile drawn once and restyled by palette gives `render_tile`'s bytes
//! (`apply`) and its pixels (`apply_spliced`), over the NC and Boston tiles of the benches and
//! the peer comparison, at both scales, four border widths and several styles.

use std::collections::HashMap;

use quartier_render::{
    drawn_border_width, render_tile, DistrictRaster, FallbackReason, RenderError, RestylePath,
    Restyled, TileCoord, TileLayer, TileStyle, MERCATOR_HALF_EXTENT,
};

use crate::fixtures::{boston, class_style, decode, nc, YLORRD5};

/// Every tile of zoom `z` meeting the layer's bounding box (the peer comparison's list).
fn tiles_over(layer: &TileLayer, z: u8) -> Vec<TileCoord> {
    let [x0, y0, x1, y1] = layer.bounds().unwrap();
    let n = f64::from(1u32 << z);
    let col = |x: f64| ((x + MERCATOR_HALF_EXTENT) / (2.0 * MERCATOR_HALF_EXTENT) * n) as u32;
    let row = |y: f64| ((MERCATOR_HALF_EXTENT - y) / (2.0 * MERCATOR_HALF_EXTENT) * n) as u32;
    let mut out = Vec::new();
    for x in col(x0)..=col(x1) {
        for y in row(y1)..=row(y0) {
            out.push(TileCoord::new_checked(z, x, y).unwrap());
        }
    }
    out
}

fn tile(z: u8, x: u32, y: u32) -> TileCoord {
    TileCoord::new_checked(z, x, y).unwrap()
}

/// The styles every tile is restyled with: classes, classes with no-data grey and unfilled
/// districts, one repeated colour, half-transparent classes, a colour per district (more
/// than 256 colours with borders on busy tiles) and an invisible border.
fn styles(n: usize, border_width: f32) -> Vec<(&'static str, TileStyle)> {
    let grey = [0xcc, 0xcc, 0xcc, 0xff];
    let with = |fills: Vec<[u8; 4]>, border: [u8; 4]| TileStyle {
        fills,
        border,
        border_width,
    };
    let dark = [0x55, 0x55, 0x55, 0xff];
    vec![
        (
            "classes",
            with((0..n).map(|i| YLORRD5[i % 5]).collect(), dark),
        ),
        (
            "no-data and unfilled",
            with(
                (0..n)
                    .map(|i| match i % 7 {
                        0 => grey,
                        3 => [0, 0, 0, 0],
                        _ => YLORRD5[(i * 3) % 5],
                    })
                    .collect(),
                [0x99, 0x99, 0x99, 0xff],
            ),
        ),
        ("one colour", with(vec![YLORRD5[2]; n], dark)),
        (
            "translucent",
            with(
                (0..n)
                    .map(|i| {
                        let [r, g, b, _] = YLORRD5[i % 3];
                        [r, g, b, 0x80]
                    })
                    .collect(),
                [0x20, 0x20, 0x80, 0xa0],
            ),
        ),
        (
            "unique",
            with(
                (0..n)
                    .map(|i| [(i * 37 % 256) as u8, (i * 91 % 256) as u8, 9, 255])
                    .collect(),
                dark,
            ),
        ),
        (
            "no border",
            with((0..n).map(|i| YLORRD5[(i + 1) % 5]).collect(), [0, 0, 0, 0]),
        ),
    ]
}

#[derive(Default)]
struct Tally {
    paths: HashMap<String, usize>,
}

fn check_layer(name: &str, layer: &TileLayer, tiles: &[TileCoord], tally: &mut Tally) {
    for &t in tiles {
        for scale in [1u8, 2] {
            for width in [0.0f32, 0.5, 1.0, 2.0] {
                let mut rasters: HashMap<u32, DistrictRaster> = HashMap::new();
                for (style_name, style) in styles(layer.len(), width) {
                    let drawn = drawn_border_width(&style);
                    let raster = rasters
                        .entry(drawn.to_bits())
                        .or_insert_with(|| DistrictRaster::new(layer, t, scale, drawn).unwrap());
                    let want = render_tile(layer, &style, t, scale).unwrap();
                    let at = format!("{name} {t}@{scale}x width {width}, {style_name}");
                    let exact = raster.apply(&style).unwrap();
                    let key = match &exact {
                        Restyled::Png { png, path } => {
                            assert!(png == &want, "{at}: bytes differ ({path:?})");
                            format!("{path:?}")
                        }
                        Restyled::Fallback(reason) => {
                            // Honest fallbacks only: the tile really is RGBA, or really busy.
                            match reason {
                                FallbackReason::TooManyColours => {
                                    assert_eq!(want[25], 6, "{at}: an indexed tile fell back")
                                }
                                FallbackReason::TooManyEntries => assert!(raster.is_too_busy()),
                                FallbackReason::Undecodable => panic!("{at}: undecodable"),
                            }
                            format!("fallback {reason:?}")
                        }
                    };
                    *tally.paths.entry(key).or_default() += 1;
                    match raster.apply_spliced(&style).unwrap() {
                        Restyled::Png { png, path } => {
                            if path == RestylePath::OneColour {
                                assert!(png == want, "{at}: one-colour bytes differ");
                            }
                            assert!(decode(&png) == decode(&want), "{at}: spliced pixels differ");
                        }
                        Restyled::Fallback(reason) => {
                            // Only where the exact bytes fell back too.
                            assert_eq!(exact, Restyled::Fallback(reason), "{at}");
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn restyled_rasters_are_render_tiles_bytes() {
    let mut tally = Tally::default();
    let nc = &nc().layer;
    let mut nc_tiles: Vec<TileCoord> = (5..=7).flat_map(|z| tiles_over(nc, z)).collect();
    nc_tiles.extend([tile(9, 145, 201), tile(10, 290, 403), tile(11, 580, 806)]);
    check_layer("nc", nc, &nc_tiles, &mut tally);
    let boston = &boston().layer;
    let boston_tiles = [
        tile(11, 619, 757),
        tile(12, 1239, 1514),
        tile(13, 2478, 3030),
        tile(13, 2477, 3029),
        tile(14, 4957, 6059),
        tile(14, 4956, 6058),
    ];
    check_layer("boston", boston, &boston_tiles, &mut tally);
    eprintln!("restyle paths: {:?}", tally.paths);
    // Every path was taken, so each comparison above was really made.
    for path in [
        "Spliced",
        "Reencoded",
        "OneColour",
        "fallback TooManyColours",
    ] {
        assert!(
            tally.paths.get(path).copied().unwrap_or(0) > 0,
            "{path}: {:?}",
            tally.paths
        );
    }
    let drawn: usize = ["Spliced", "Reencoded"]
        .iter()
        .map(|p| tally.paths[*p])
        .sum();
    assert!(drawn > 200, "{:?}", tally.paths);
}

#[test]
fn raster_and_style_must_agree_on_the_border() {
    let layer = &nc().layer;
    let t = tile(7, 36, 50);
    let raster = DistrictRaster::new(layer, t, 1, 1.0).unwrap();
    let mut style = TileStyle::new(vec![YLORRD5[0]; layer.len()]);
    style.border_width = 2.0;
    assert!(matches!(
        raster.apply(&style),
        Err(RenderError::RasterWidthMismatch { .. })
    ));
    style.fills.pop();
    assert!(matches!(
        raster.apply_spliced(&style),
        Err(RenderError::FillCountMismatch { .. })
    ));
    assert!(matches!(
        DistrictRaster::new(layer, t, 3, 1.0),
        Err(RenderError::UnsupportedScale { scale: 3 })
    ));
    assert!(matches!(
        DistrictRaster::new(layer, t, 1, f32::NAN),
        Err(RenderError::InvalidBorderWidth { .. })
    ));
    // A kept raster costs a cache less than two PNGs of the tile, busy (16-bit entries) or not.
    for t in [t, tile(9, 145, 201)] {
        let raster = DistrictRaster::new(layer, t, 1, 1.0).unwrap();
        let png = render_tile(layer, &class_style(layer.len(), 1.0), t, 1).unwrap();
        assert!(
            raster.byte_size() < 2 * png.len(),
            "{t}: {} bytes against a PNG of {}",
            raster.byte_size(),
            png.len()
        );
    }
}
