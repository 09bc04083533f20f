//! Bad requests are errors with the values involved; bad geometry is skipped; nothing panics.

use geo::{polygon, MultiPolygon};
use quartier_render::{empty_tile_png, render_tile, RenderError, TileCoord, TileLayer, TileStyle};

use crate::fixtures::{class_style, decode, nc};

#[test]
fn wrong_number_of_fills() {
    let fx = nc();
    let err = render_tile(
        &fx.layer,
        &class_style(99, 1.0),
        TileCoord::new_checked(6, 18, 25).unwrap(),
        1,
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            RenderError::FillCountMismatch {
                fills: 99,
                districts: 100
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "style has 99 fill colours but the layer has 100 districts; give one colour per district, in layer order"
    );
}

#[test]
fn scale_other_than_one_or_two() {
    let fx = nc();
    for scale in [0, 3, 4, 255] {
        let err = render_tile(
            &fx.layer,
            &class_style(100, 1.0),
            TileCoord::new_checked(6, 18, 25).unwrap(),
            scale,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "unsupported tile scale {scale}; use 1 for 256 px tiles or 2 for 512 px @2x tiles"
            )
        );
    }
}

#[test]
fn tile_outside_its_zoom() {
    let fx = nc();
    for tile in [
        TileCoord::new_unchecked(6, 64, 0),
        TileCoord::new_unchecked(6, 0, 64),
        TileCoord::new_unchecked(23, 0, 0),
    ] {
        let err = render_tile(&fx.layer, &class_style(100, 1.0), tile, 1).unwrap_err();
        assert!(matches!(err, RenderError::InvalidTile { .. }), "{err:?}");
        assert!(
            err.to_string()
                .starts_with(&format!("tile {tile} does not exist")),
            "{err}"
        );
    }
}

#[test]
fn unusable_border_width() {
    let fx = nc();
    let style = TileStyle {
        border_width: f32::NAN,
        ..class_style(100, 1.0)
    };
    let err = render_tile(
        &fx.layer,
        &style,
        TileCoord::new_checked(6, 18, 25).unwrap(),
        1,
    )
    .unwrap_err();
    assert!(
        matches!(err, RenderError::InvalidBorderWidth { .. }),
        "{err:?}"
    );
}

#[test]
fn tiles_away_from_the_layer_are_the_shared_empty_tile() {
    let fx = nc();
    let style = class_style(100, 1.0);
    for (tile, scale) in [
        ((0, 0, 0), 1),
        ((6, 0, 0), 1),
        ((12, 100, 100), 2),
        ((22, 0, (1 << 22) - 1), 1),
    ] {
        let t = TileCoord::new_checked(tile.0, tile.1, tile.2).unwrap();
        let png = render_tile(&fx.layer, &style, t, scale).unwrap();
        if tile.0 == 0 {
            // The world tile shows North Carolina.
            assert_ne!(png, empty_tile_png(scale));
            continue;
        }
        assert_eq!(png, empty_tile_png(scale), "{t}");
    }
}

#[test]
fn nan_and_infinite_vertices_are_skipped() {
    let (a, b) = (1.0e5, 2.0e5);
    let good =
        polygon![(x: a, y: a), (x: b, y: a), (x: b, y: b), (x: f64::NAN, y: 0.0), (x: a, y: b)];
    let all_bad =
        polygon![(x: f64::NAN, y: 0.0), (x: f64::INFINITY, y: 1.0), (x: 0.0, y: f64::NEG_INFINITY)];
    let layer = TileLayer::new(vec![MultiPolygon(vec![good]), MultiPolygon(vec![all_bad])]);
    // One in the first ring; four in the second, whose closing vertex repeats its NaN first one.
    assert_eq!(layer.skipped_vertices(), 5);
    assert_eq!(layer.skipped_rings(), 1);
    assert_eq!(layer.bounds(), Some([a, a, b, b]));
    let style = TileStyle::new(vec![[10, 20, 30, 255], [40, 50, 60, 255]]);
    // At zoom 8 a pixel is 611.5 m: the square starts at pixel 163.5 of tile 8/128/127 and
    // reaches past its top and right edges.
    let img = decode(
        &render_tile(
            &layer,
            &style,
            TileCoord::new_checked(8, 128, 127).unwrap(),
            1,
        )
        .unwrap(),
    );
    assert_eq!(img.get_pixel(200, 50).0, [10, 20, 30, 255]);
    assert_eq!(img.get_pixel(150, 50).0[3], 0);
    assert_eq!(img.get_pixel(200, 100).0[3], 0);
}

#[test]
fn huge_and_degenerate_coordinates_do_not_panic() {
    let huge = polygon![(x: -1e300, y: -1e300), (x: 1e300, y: -1e300), (x: 1e300, y: 1e300), (x: -1e300, y: 1e300)];
    let sliver = polygon![(x: 0.0, y: 0.0), (x: 1e-300, y: 0.0), (x: 0.0, y: 1e-300)];
    let collinear = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 1.0), (x: 2.0, y: 2.0)];
    let layer = TileLayer::new(vec![
        MultiPolygon(vec![huge]),
        MultiPolygon(vec![sliver]),
        MultiPolygon(vec![collinear]),
    ]);
    let style = TileStyle::new(vec![[1, 2, 3, 255], [4, 5, 6, 255], [7, 8, 9, 255]]);
    for (z, x, y) in [(0, 0, 0), (3, 4, 4), (22, 1 << 21, 1 << 21), (22, 0, 0)] {
        for scale in [1, 2] {
            let png = render_tile(
                &layer,
                &style,
                TileCoord::new_checked(z, x, y).unwrap(),
                scale,
            )
            .unwrap();
            decode(&png);
        }
    }
}

#[test]
fn empty_layer_and_transparent_fills() {
    let empty = TileLayer::new(vec![]);
    assert!(empty.is_empty());
    let png = render_tile(
        &empty,
        &TileStyle::new(vec![]),
        TileCoord::new_checked(0, 0, 0).unwrap(),
        1,
    )
    .unwrap();
    assert_eq!(png, empty_tile_png(1));
    // Alpha 0 fills and no border draw nothing at all.
    let fx = nc();
    let style = TileStyle {
        fills: vec![[255, 0, 0, 0]; 100],
        border: [0, 0, 0, 255],
        border_width: 0.0,
    };
    let png = render_tile(
        &fx.layer,
        &style,
        TileCoord::new_checked(6, 18, 25).unwrap(),
        2,
    )
    .unwrap();
    assert_eq!(png, empty_tile_png(2));
}
