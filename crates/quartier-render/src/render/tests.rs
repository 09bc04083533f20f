use super::*;
use geo_types::{polygon, MultiPolygon};

fn decode(bytes: &[u8]) -> image::RgbaImage {
    image::load_from_memory_with_format(bytes, image::ImageFormat::Png)
        .unwrap()
        .to_rgba8()
}

/// 400 squares of 1,900 m in tile 10/512/511 (just north-east of 0°, 0°), each 12.4 px wide.
fn checkerboard() -> (TileLayer, Vec<[f64; 2]>) {
    let side = 1900.0;
    let mut districts = Vec::new();
    let mut centres = Vec::new();
    for r in 0..20 {
        for c in 0..20 {
            let (x0, y0) = (100.0 + f64::from(c) * side, 100.0 + f64::from(r) * side);
            let (x1, y1) = (x0 + side, y0 + side);
            districts.push(MultiPolygon(vec![
                polygon![(x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1)],
            ]));
            centres.push([(x0 + x1) / 2.0, (y0 + y1) / 2.0]);
        }
    }
    (TileLayer::new(districts), centres)
}

#[test]
fn more_than_256_colours_in_one_tile() {
    let (layer, centres) = checkerboard();
    let tile = TileCoord::new_checked(10, 512, 511).unwrap();
    for border_width in [0.0, 1.0] {
        let fills: Vec<[u8; 4]> = (0..400u32)
            .map(|i| [(i % 256) as u8, (i / 256) as u8 * 100, 7, 255])
            .collect();
        let style = TileStyle {
            fills: fills.clone(),
            border: [0, 0, 0, 255],
            border_width,
        };
        let png = render_tile(&layer, &style, tile, 1).unwrap();
        // RGBA: colour type 6 in the IHDR chunk.
        assert_eq!(png[25], 6);
        let img = decode(&png);
        let frame = PixelFrame::new(tile, 256);
        for (d, &c) in centres.iter().enumerate() {
            let p = frame.pixel(c);
            let px = img.get_pixel(p[0] as u32, p[1] as u32).0;
            assert_eq!(px, fills[d], "square {d} with border {border_width}");
        }
    }
}

#[test]
fn two_classes_without_border_make_a_small_palette() {
    let (layer, centres) = checkerboard();
    let tile = TileCoord::new_checked(10, 512, 511).unwrap();
    let fills: Vec<[u8; 4]> = (0..400)
        .map(|i| {
            if (i + i / 20) % 2 == 0 {
                [255, 0, 0, 255]
            } else {
                [0, 0, 255, 255]
            }
        })
        .collect();
    let style = TileStyle {
        fills: fills.clone(),
        border: [0, 0, 0, 255],
        border_width: 0.0,
    };
    let png = render_tile(&layer, &style, tile, 2).unwrap();
    // Palette (3) at 2 bits: transparent plus the two classes.
    assert_eq!((png[24], png[25]), (2, 3));
    let img = decode(&png);
    let frame = PixelFrame::new(tile, 512);
    for (d, &c) in centres.iter().enumerate() {
        let p = frame.pixel(c);
        assert_eq!(img.get_pixel(p[0] as u32, p[1] as u32).0, fills[d]);
    }
    // South-west of the board lies outside every square.
    assert_eq!(img.get_pixel(0, 511).0[3], 0);
}

#[test]
fn dense_and_sparse_composition_agree_even_past_256_colours() {
    let (layer, _) = checkerboard();
    let tile = TileCoord::new_checked(10, 512, 511).unwrap();
    for colours in [5u32, 200] {
        let fills: Vec<[u8; 4]> = (0..400u32)
            .map(|i| [(i % colours) as u8, 9, (i % colours) as u8 / 2, 255])
            .collect();
        let style = TileStyle {
            fills,
            border: [0, 0, 0, 255],
            border_width: 1.0,
        };
        let frame = PixelFrame::new(tile, 256);
        let mut candidates = Vec::new();
        layer.districts_in(frame.mercator_box(2.0), &mut candidates);
        let mut slots: Vec<[u8; 4]> = vec![[0, 0, 0, 0]];
        let district_slot: Vec<u32> = candidates
            .iter()
            .map(|&d| {
                let c = style.fills[d as usize];
                let at = slots.iter().position(|s| *s == c).unwrap_or_else(|| {
                    slots.push(c);
                    slots.len() - 1
                });
                at as u32
            })
            .collect();
        let job = TileJob {
            layer: &layer,
            level: layer.level(10, 1),
            frame,
            candidates: &candidates,
            pen: Pen::new(1.0),
        };
        let grid = Grid::new(256);
        let mut buf = vec![0u8; grid.len()];
        job.fill(&mut buf, grid, &district_slot);
        let cov = job.borders(grid).unwrap();
        let dense = compose(buf.clone(), grid, &slots, &cov, style.border, true);
        let sparse = compose(buf, grid, &slots, &cov, style.border, false);
        assert_eq!(dense, sparse, "{colours} colours");
        // 5 colours fit a palette; 200 colours with 15 border shades each do not.
        assert_eq!(dense[25], if colours == 5 { 3 } else { 6 });
        assert_eq!(dense, render_tile(&layer, &style, tile, 1).unwrap());
    }
}

#[test]
fn a_tile_inside_one_district_is_one_colour() {
    let (layer, _) = checkerboard();
    // Zoom 16: a tile is 611 m; 16/32769/32766 spans 611 m to 1,222 m, inside the first square.
    let frame_tile = TileCoord::new_checked(16, 32769, 32766).unwrap();
    let fills = vec![[10, 20, 30, 255]; 400];
    let style = TileStyle {
        fills,
        border: [0, 0, 0, 255],
        border_width: 1.0,
    };
    let png = render_tile(&layer, &style, frame_tile, 1).unwrap();
    // One palette entry at one bit per pixel.
    assert_eq!((png[24], png[25]), (1, 3));
    assert!(png.len() < 200, "{} bytes", png.len());
    let img = decode(&png);
    assert!(img.pixels().all(|p| p.0 == [10, 20, 30, 255]));
}

/// Every tile of zooms 14 to 17 over the checkerboard, drawn pixel by pixel and through
/// the one-colour shortcut: the same bytes, and the shortcut taken where it should be.
#[test]
fn one_colour_tiles_are_the_bytes_drawing_gives() {
    let (layer, _) = checkerboard();
    let fills: Vec<[u8; 4]> = (0..400u32)
        .map(|i| match i % 3 {
            0 => [200, 30, 30, 255],
            1 => [30, 200, 30, 128], // half transparent: a tRNS chunk
            _ => [0, 0, 0, 0],       // not drawn
        })
        .collect();
    for border in [[0, 0, 0, 255], [0, 0, 0, 0]] {
        let style = TileStyle {
            fills: fills.clone(),
            border,
            border_width: 1.0,
        };
        let mut shortcuts = 0;
        // Zoom 16 at 256 px and zoom 15 at 512 px (the same pixels), every other tile.
        for (z, scale, step) in [(16u8, 1u8, 2usize), (15, 2, 1)] {
            let n = 1u32 << (z - 10);
            for x in (512 * n - 1..=513 * n).step_by(step) {
                for y in (511 * n - 1..=512 * n).step_by(step) {
                    let tile = TileCoord::new_checked(z, x, y).unwrap();
                    let setup = Setup::new(&layer, &style, tile, scale).unwrap();
                    let fast = render_one_colour_tile(&layer, &style, tile, scale).unwrap();
                    let drawn = draw(setup, &layer, &style);
                    if let Some(png) = fast {
                        assert_eq!(png, drawn, "{tile:?}@{scale}x");
                        shortcuts += 1;
                    }
                    assert_eq!(render_tile(&layer, &style, tile, scale).unwrap(), drawn);
                }
            }
        }
        // Squares of 1,900 m hold one-colour tiles of 611 m (zoom 16).
        assert!(shortcuts > 100, "{shortcuts} one-colour tiles");
    }
}

#[test]
fn holes_overlaps_and_nearby_borders() {
    let square = |x0: f64, y0: f64, side: f64| -> geo_types::LineString<f64> {
        vec![
            (x0, y0),
            (x0 + side, y0),
            (x0 + side, y0 + side),
            (x0, y0 + side),
            (x0, y0),
        ]
        .into()
    };
    // A 20 km square with a 5 km hole, and a second square over its east half.
    let holed = MultiPolygon(vec![geo_types::Polygon::new(
        square(0.0, 0.0, 20_000.0),
        vec![square(7_500.0, 7_500.0, 5_000.0)],
    )]);
    let east = MultiPolygon(vec![geo_types::Polygon::new(
        square(10_000.0, 0.0, 10_000.0),
        vec![],
    )]);
    let layer = TileLayer::new(vec![holed, east]);
    let red = [255, 0, 0, 255];
    let blue = [0, 0, 255, 255];
    let style = |fills: Vec<[u8; 4]>| TileStyle {
        fills,
        border: [0, 0, 0, 255],
        border_width: 1.0,
    };
    // Zoom 17 tiles are 306 m: the tile holding a point (in mercator metres).
    let frame = PixelFrame::new(TileCoord::new_checked(17, 0, 0).unwrap(), 256);
    let t = |x: f64, y: f64| {
        let [px, py] = frame.pixel([x, y]);
        TileCoord::new_checked(17, (px / 256.0) as u32, (py / 256.0) as u32).unwrap()
    };
    let one = |fills: Vec<[u8; 4]>, tile: TileCoord| {
        render_one_colour_tile(&layer, &style(fills), tile, 1).unwrap()
    };
    let hole = t(8_500.0, 11_000.0);
    let both = t(15_000.0, 5_000.0);
    let west = t(4_000.0, 4_000.0);
    assert_eq!(one(vec![red, blue], hole), Some(empty_tile_png(1).to_vec()));
    assert_eq!(one(vec![red, blue], both), Some(solid_tile_png(blue, 1)));
    assert_eq!(
        one(vec![red, [0, 0, 0, 0]], both),
        Some(solid_tile_png(red, 1))
    );
    assert_eq!(one(vec![red, blue], west), Some(solid_tile_png(red, 1)));
    // The tile the east square's west edge crosses.
    let on_line = t(10_000.0, 5_000.0);
    assert_eq!(one(vec![red, blue], on_line), None);
    let png = render_tile(&layer, &style(vec![red, blue]), on_line, 1).unwrap();
    let colours: std::collections::HashSet<[u8; 4]> = decode(&png).pixels().map(|p| p.0).collect();
    assert!(
        colours.contains(&red) && colours.contains(&blue),
        "{colours:?}"
    );
}

#[test]
fn segments_against_a_square() {
    let m = |a: [f64; 2], b: [f64; 2]| segment_meets_square(a, b, 0.0, 10.0);
    assert!(m([-5.0, 5.0], [15.0, 5.0])); // straight through
    assert!(m([2.0, 2.0], [3.0, 3.0])); // inside
    assert!(m([-1.0, 10.0], [11.0, 10.0])); // along an edge
    assert!(!m([-5.0, -5.0], [-1.0, 20.0])); // left of it
    assert!(!m([-5.0, 4.0], [4.0, -5.0])); // cuts the corner region outside
    assert!(m([-5.0, 6.0], [6.0, -5.0])); // cuts the corner inside
    assert!(!m([12.0, 12.0], [12.0, 12.0])); // a point outside
}
