//! Unit tests of the vector tile geometry: rings rebuilt from arcs, holes found, winding,
//! clipping. The encoded bytes are checked by an independent decoder in
//! `tests/mvt_reference.rs`.

use geo_types::{polygon, MultiPolygon};

use super::*;

/// Square ring (counter-clockwise in mercator, y up) around the origin, `r` metres each side.
fn square(r: f64) -> geo_types::Polygon<f64> {
    polygon![(x: -r, y: -r), (x: r, y: -r), (x: r, y: r), (x: -r, y: r)]
}

/// A district with a hole, the island inside the hole, and a neighbour sharing an edge.
fn doughnut_layer() -> TileLayer {
    let with_hole = geo_types::Polygon::new(
        square(4000.0).exterior().clone(),
        vec![square(2000.0).exterior().clone()],
    );
    let island = square(1000.0);
    let east = polygon![(x: 4000.0, y: -4000.0), (x: 8000.0, y: -4000.0), (x: 8000.0, y: 4000.0), (x: 4000.0, y: 4000.0)];
    TileLayer::new(vec![
        MultiPolygon(vec![with_hole]),
        MultiPolygon(vec![island]),
        MultiPolygon(vec![east]),
    ])
}

fn shoelace(r: &[[i32; 2]]) -> i64 {
    grid_area(r)
}

#[test]
fn rings_are_rebuilt_from_shared_arcs() {
    let layer = doughnut_layer();
    let full = &layer.levels[layer.levels.len() - 1];
    let mut rings = Vec::new();
    district_rings(&layer, full, 0, &mut rings);
    // The outer ring is cut into arcs at the corners it shares with the neighbour; chained
    // back, it is one ring of 8000 x 8000 m, and the hole one of 4000 x 4000 m.
    let mut areas: Vec<f64> = rings.iter().map(|r| signed_area(r).abs()).collect();
    areas.sort_by(f64::total_cmp);
    assert_eq!(areas, vec![16e6, 64e6]);
    district_rings(&layer, full, 2, &mut rings);
    assert_eq!(rings.len(), 1);
    assert_eq!(signed_area(&rings[0]).abs(), 16e6 * 2.0);
}

#[test]
fn holes_wind_against_exteriors_and_follow_them() {
    let layer = doughnut_layer();
    // Zoom 12 around the origin: the tile 12/2048/2047 has the origin at its bottom-left corner,
    // so take the four tiles there and check the one north-east of the origin.
    let tile = TileCoord::new_unchecked(12, 2048, 2047);
    let frame = PixelFrame::new(tile, MVT_EXTENT);
    let mut rings = Vec::new();
    district_rings(&layer, layer.level(12, 2), 0, &mut rings);
    let polygons = tile_polygons(&rings, &frame);
    assert_eq!(polygons.len(), 1, "one exterior with its hole");
    assert_eq!(polygons[0].len(), 2);
    assert!(
        shoelace(&polygons[0][0]) > 0,
        "exterior positive (clockwise on screen)"
    );
    assert!(shoelace(&polygons[0][1]) < 0, "hole negative");
    // The island is an exterior ring of its own district.
    district_rings(&layer, layer.level(12, 2), 1, &mut rings);
    let island = tile_polygons(&rings, &frame);
    assert_eq!(island.len(), 1);
    assert!(shoelace(&island[0][0]) > 0);
    // Nothing leaves the buffered tile.
    let lo = -(MVT_BUFFER as i32);
    let hi = (MVT_EXTENT + MVT_BUFFER) as i32;
    for p in polygons.iter().flatten().flatten() {
        assert!(
            (lo..=hi).contains(&p[0]) && (lo..=hi).contains(&p[1]),
            "{p:?}"
        );
    }
}

#[test]
fn clipping_keeps_the_part_inside() {
    // A triangle half outside the box [0, 10]^2.
    let ring = [[-10.0, 0.0], [10.0, 0.0], [10.0, 10.0]];
    let clipped = clip_to_box(&ring, 0.0, 10.0);
    let grid = on_grid(&clipped);
    // Inside: the triangle (0,0)-(10,0)-(10,10)... minus nothing: the part with x >= 0 is the
    // quadrilateral (0,0),(10,0),(10,10),(0,5), area 75.
    assert_eq!(grid_area(&grid).abs(), 150);
    assert!(clip_to_box(&[[20.0, 20.0], [30.0, 20.0], [30.0, 30.0]], 0.0, 10.0).is_empty());
}

#[test]
fn encoding_checks_its_input() {
    let layer = doughnut_layer();
    let attrs = MvtAttributes {
        keys: vec!["id".into()],
        rows: vec![vec![None]; 3],
    };
    let tile = TileCoord::new_unchecked(12, 2048, 2047);
    let bytes = render_mvt(&layer, &attrs, "districts", tile).expect("valid request");
    assert!(!bytes.is_empty());
    let far = TileCoord::new_unchecked(12, 0, 0);
    assert!(render_mvt(&layer, &attrs, "districts", far)
        .expect("valid request")
        .is_empty());
    let short = MvtAttributes {
        keys: vec!["id".into()],
        rows: vec![vec![None]; 2],
    };
    assert!(matches!(
        render_mvt(&layer, &short, "districts", tile),
        Err(MvtError::RowCountMismatch {
            rows: 2,
            districts: 3
        })
    ));
    let narrow = MvtAttributes {
        keys: vec!["id".into(), "name".into()],
        rows: vec![vec![None]; 3],
    };
    assert!(matches!(
        render_mvt(&layer, &narrow, "districts", tile),
        Err(MvtError::RowWidthMismatch { district: 0, .. })
    ));
    assert!(matches!(
        render_mvt(
            &layer,
            &attrs,
            "districts",
            TileCoord::new_unchecked(1, 2, 0)
        ),
        Err(MvtError::InvalidTile { .. })
    ));
}
