//! Properties of the tile maths that hold for every tile (issue 11, proptest): every tile of every
//! zoom exists exactly when `x` and `y` are below `2^z`; its extent is a `2^-z` share of the
//! Web Mercator square; its four children tile it exactly and name it as their parent; and a
//! point inside a tile is inside exactly one of its children. The fixed-value tests (tile
//! 7/35/50 over North Carolina, the slippy-map formulas) are in `src/tile.rs` and the archive
//! crate; these cover the zooms and corners no fixture holds.

use proptest::prelude::*;
use quartier_render::{TileCoord, MERCATOR_HALF_EXTENT};

/// Any tile that exists: a zoom, then a column and row below `2^z`.
fn tile() -> impl Strategy<Value = TileCoord> {
    (0u8..=TileCoord::MAX_ZOOM).prop_flat_map(|z| {
        let n = TileCoord::tiles_per_side(z);
        (Just(z), 0..n, 0..n).prop_map(|(z, x, y)| TileCoord::new_unchecked(z, x, y))
    })
}

proptest! {
    #[test]
    fn a_tile_exists_exactly_when_x_and_y_are_below_two_to_the_zoom(z in 0u8..=40, x: u32, y: u32) {
        let n = if z <= 31 { 1u64 << z } else { u64::MAX };
        let exists = z <= TileCoord::MAX_ZOOM && u64::from(x) < n && u64::from(y) < n;
        prop_assert_eq!(TileCoord::new_checked(z, x, y).is_some(), exists);
    }

    #[test]
    fn a_tile_covers_its_share_of_the_world(t in tile()) {
        let [w, s, e, n] = t.bounds_mercator();
        let side = 2.0 * MERCATOR_HALF_EXTENT / f64::from(TileCoord::tiles_per_side(t.z));
        let tol = 1e-6 * MERCATOR_HALF_EXTENT / f64::from(TileCoord::tiles_per_side(t.z)) + 1e-6;
        prop_assert!((e - w - side).abs() <= tol, "width {} for {side}", e - w);
        prop_assert!((n - s - side).abs() <= tol, "height {} for {side}", n - s);
        for v in [w, s, e, n] {
            prop_assert!(v.is_finite() && v.abs() <= MERCATOR_HALF_EXTENT * (1.0 + 1e-12));
        }
        // The first tile of a row starts at the antimeridian, the first row at the top.
        if t.x == 0 { prop_assert!((w + MERCATOR_HALF_EXTENT).abs() <= 1e-6); }
        if t.y == 0 { prop_assert!((n - MERCATOR_HALF_EXTENT).abs() <= 1e-6); }
    }

    #[test]
    fn children_tile_their_parent_exactly(t in tile()) {
        let Some(children) = t.children() else {
            prop_assert_eq!(t.z, TileCoord::MAX_ZOOM);
            return Ok(());
        };
        let [w, s, e, n] = t.bounds_mercator();
        let mid = [(w + e) / 2.0, (s + n) / 2.0];
        let tol = 1e-6;
        for c in children {
            prop_assert!(c.is_valid());
            prop_assert_eq!(c.parent(), Some(t));
            let [cw, cs, ce, cn] = c.bounds_mercator();
            // Each child is one quarter: half the parent's width and height, its corners the
            // parent's corners and middle.
            prop_assert!(((ce - cw) - (e - w) / 2.0).abs() <= tol, "width of {}", c);
            prop_assert!(((cn - cs) - (n - s) / 2.0).abs() <= tol, "height of {}", c);
            prop_assert!((cw - w).abs() <= tol || (cw - mid[0]).abs() <= tol);
            prop_assert!((ce - e).abs() <= tol || (ce - mid[0]).abs() <= tol);
            prop_assert!((cs - s).abs() <= tol || (cs - mid[1]).abs() <= tol);
            prop_assert!((cn - n).abs() <= tol || (cn - mid[1]).abs() <= tol);
        }
        // North-west, north-east, south-west, south-east, as documented.
        prop_assert_eq!((children[0].x, children[0].y), (2 * t.x, 2 * t.y));
        prop_assert_eq!((children[3].x, children[3].y), (2 * t.x + 1, 2 * t.y + 1));
    }

    #[test]
    fn a_point_inside_a_tile_is_inside_one_child(t in tile(), fx in 0.001f64..0.999, fy in 0.001f64..0.999) {
        let Some(children) = t.children() else { return Ok(()); };
        let [w, s, e, n] = t.bounds_mercator();
        let p = [w + fx * (e - w), s + fy * (n - s)];
        let holding = children
            .iter()
            .filter(|c| {
                let [cw, cs, ce, cn] = c.bounds_mercator();
                p[0] >= cw && p[0] < ce && p[1] > cs && p[1] <= cn
            })
            .count();
        // On the line between two children (fx or fy exactly one half) a point may sit on a
        // shared edge; elsewhere exactly one child holds it.
        if (fx - 0.5).abs() > 1e-9 && (fy - 0.5).abs() > 1e-9 {
            prop_assert_eq!(holding, 1, "point {:?} in tile {}", p, t);
        }
    }
}
