//! No seams and no shifts at tile edges: the four tiles under a parent, put side by side,
//! equal the parent drawn at 512 px (`@2x`), which uses the same global pixel grid and the
//! same simplified geometry. A district spanning the four tiles must join up exactly.

use quartier_render::{render_tile, TileCoord, TileLayer, TileStyle};

use crate::fixtures::{boston, class_style, decode, nc, unique_style};

/// Pixels of the 2×2 mosaic of `parent`'s children (each at scale 1 with `child_style`) that
/// differ from `parent` at scale 2 with `parent_style`; also returns how many distinct
/// colours the parent has, to make sure the tile was not empty.
fn mosaic_diff(
    layer: &TileLayer,
    child_style: &TileStyle,
    parent_style: &TileStyle,
    parent: TileCoord,
) -> (usize, usize) {
    let big = decode(&render_tile(layer, parent_style, parent, 2).unwrap());
    let mut diff = 0;
    for (k, child) in parent.children().unwrap().into_iter().enumerate() {
        let img = decode(&render_tile(layer, child_style, child, 1).unwrap());
        let (ox, oy) = (256 * (k as u32 % 2), 256 * (k as u32 / 2));
        for (i, j, px) in img.enumerate_pixels() {
            if big.get_pixel(ox + i, oy + j).0 != px.0 {
                diff += 1;
            }
        }
    }
    let colours: std::collections::HashSet<[u8; 4]> = big.pixels().map(|p| p.0).collect();
    (diff, colours.len())
}

#[test]
fn nc_children_join_into_the_parent_exactly_without_borders() {
    let fx = nc();
    let style = class_style(100, 0.0);
    for parent in [(5, 8, 12), (6, 17, 25), (6, 18, 25), (8, 72, 100)] {
        let parent = TileCoord::new_checked(parent.0, parent.1, parent.2).unwrap();
        let (diff, colours) = mosaic_diff(&fx.layer, &style, &style, parent);
        assert_eq!(diff, 0, "{diff} pixels differ under {parent}");
        assert!(colours >= 3, "{parent} has only {colours} colours");
    }
}

#[test]
fn nc_children_join_into_the_parent_with_borders() {
    let fx = nc();
    // At @2x the border is twice as wide in pixels: half the width gives the same lines.
    let child = unique_style(100, 1.0);
    let parent_style = unique_style(100, 0.5);
    for parent in [(6, 18, 25), (7, 36, 50)] {
        let parent = TileCoord::new_checked(parent.0, parent.1, parent.2).unwrap();
        let (diff, colours) = mosaic_diff(&fx.layer, &child, &parent_style, parent);
        assert_eq!(diff, 0, "{diff} pixels differ under {parent}");
        assert!(colours > 50, "{parent} has only {colours} colours");
    }
}

#[test]
fn boston_tracts_spanning_four_tiles_join_up() {
    let fx = boston();
    let n = fx.layer.len();
    for (child, parent_style) in [
        (class_style(n, 0.0), class_style(n, 0.0)),
        (class_style(n, 2.0), class_style(n, 1.0)),
    ] {
        for parent in [(12, 1239, 1514), (13, 2477, 3031), (14, 4956, 6060)] {
            let parent = TileCoord::new_checked(parent.0, parent.1, parent.2).unwrap();
            let (diff, colours) = mosaic_diff(&fx.layer, &child, &parent_style, parent);
            assert_eq!(
                diff, 0,
                "{diff} pixels differ under {parent} (border {})",
                child.border_width
            );
            assert!(colours >= 2, "{parent} has only {colours} colours");
        }
    }
}

#[test]
fn neighbouring_tiles_continue_across_their_shared_edge() {
    // The brief's direct check: the last column of a tile and the first column of its eastern
    // neighbour are adjacent columns of one image, so where both are plain fills of the same
    // district on either side of the edge they must have the same colour, and every district
    // colour found in one column at a row is found in the other unless a border lies between.
    let fx = nc();
    let style = class_style(100, 1.0);
    let west = TileCoord::new_checked(7, 35, 50).unwrap();
    let east = TileCoord::new_checked(7, 36, 50).unwrap();
    let a = decode(&render_tile(&fx.layer, &style, west, 1).unwrap());
    let b = decode(&render_tile(&fx.layer, &style, east, 1).unwrap());
    let fills: std::collections::HashSet<[u8; 4]> = style.fills.iter().copied().collect();
    let mut same = 0;
    for j in 0..256 {
        let (l, r) = (a.get_pixel(255, j).0, b.get_pixel(0, j).0);
        // A border pixel is a blend, not a fill; a plain fill on both sides with no border in
        // between belongs to one district.
        if fills.contains(&l) && fills.contains(&r) {
            assert_eq!(
                l, r,
                "row {j}: west {l:?} east {r:?} with no border between"
            );
            same += 1;
        }
    }
    assert!(same > 100, "{same}");
}
