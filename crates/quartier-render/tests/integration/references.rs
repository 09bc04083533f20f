//! Reference images: a few tiles compared pixel by pixel with PNGs kept in `tests/images/`.
//!
//! The references were checked by eye when blessed. `QUARTIER_BLESS=1` rewrites them; a
//! missing reference is written (and the test passes) on a developer's machine but fails when
//! `CI=true`. A failure writes the actual tile and a diff image to `target/render-diffs/`.
//! See `tests/README.md`.

use std::path::PathBuf;

use quartier_render::{render_tile, TileCoord, TileLayer, TileStyle};

use crate::fixtures::{boston, class_style, decode, nc, unique_style};

/// A channel may differ by this much before the pixel counts as different. The renderer is
/// deterministic (f64 arithmetic without fused operations), so this only absorbs rounding of
/// blended border shades should the blending change.
const CHANNEL_TOLERANCE: u8 = 2;

/// Share of pixels allowed to differ beyond the channel tolerance.
const PIXEL_TOLERANCE: f64 = 0.000_5;

fn images_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/images")
}

fn diffs_dir() -> PathBuf {
    // CARGO_TARGET_TMPDIR is `<target>/tmp`.
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("render-diffs")
}

fn check(name: &str, layer: &TileLayer, style: &TileStyle, tile: TileCoord, scale: u8) {
    let png = render_tile(layer, style, tile, scale).unwrap();
    compare_with_reference(name, &png);
}

/// Compares a PNG with `images/<name>.png` (or writes it when blessing or missing).
pub fn compare_with_reference(name: &str, png: &[u8]) {
    let path = images_dir().join(format!("{name}.png"));
    let bless = std::env::var("QUARTIER_BLESS").is_ok_and(|v| v == "1");
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    if bless || !path.exists() {
        assert!(
            bless || !ci,
            "reference image {} is missing; create it with `QUARTIER_BLESS=1 cargo test -p quartier-render --test integration references`, look at it and commit it",
            path.display()
        );
        std::fs::create_dir_all(images_dir()).unwrap();
        std::fs::write(&path, png).unwrap();
        eprintln!("wrote reference image {}", path.display());
        return;
    }
    let actual = decode(png);
    let expected = decode(&std::fs::read(&path).unwrap());
    assert_eq!(
        actual.dimensions(),
        expected.dimensions(),
        "{name}: size differs from {}",
        path.display()
    );
    let mut diff = image::RgbaImage::new(actual.width(), actual.height());
    let mut count = 0usize;
    for (i, j, a) in actual.enumerate_pixels() {
        let e = expected.get_pixel(i, j);
        let off =
            a.0.iter()
                .zip(e.0)
                .any(|(x, y)| x.abs_diff(y) > CHANNEL_TOLERANCE);
        if off {
            count += 1;
            diff.put_pixel(i, j, image::Rgba([255, 0, 255, 255]));
        } else {
            // Faded expected image for context.
            let g = e.0;
            diff.put_pixel(
                i,
                j,
                image::Rgba([g[0] / 4 + 191, g[1] / 4 + 191, g[2] / 4 + 191, 255]),
            );
        }
    }
    let allowed = (PIXEL_TOLERANCE * f64::from(actual.width() * actual.height())) as usize;
    if count > allowed {
        let dir = diffs_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let diff_path = dir.join(format!("{name}.diff.png"));
        diff.save(&diff_path).unwrap();
        std::fs::write(dir.join(format!("{name}.actual.png")), png).unwrap();
        panic!(
            "{name}: {count} pixels differ from {} (allowed {allowed}); diff in {}; re-bless with QUARTIER_BLESS=1 if the change is intended",
            path.display(),
            diff_path.display()
        );
    }
}

fn tile(z: u8, x: u32, y: u32) -> TileCoord {
    TileCoord::new_checked(z, x, y).unwrap()
}

#[test]
fn nc_counties_zoom6_east() {
    check(
        "nc_z6_18_25",
        &nc().layer,
        &class_style(100, 1.0),
        tile(6, 18, 25),
        1,
    );
}

#[test]
fn nc_sounds_zoom8_at_2x() {
    check(
        "nc_z8_73_100@2x",
        &nc().layer,
        &class_style(100, 1.0),
        tile(8, 73, 100),
        2,
    );
}

#[test]
fn nc_counties_zoom5_rgba() {
    check(
        "nc_z5_8_12_rgba",
        &nc().layer,
        &unique_style(100, 1.0),
        tile(5, 8, 12),
        1,
    );
}

#[test]
fn boston_tracts_zoom13() {
    let n = boston().layer.len();
    check(
        "boston_z13_2478_3030",
        &boston().layer,
        &class_style(n, 1.0),
        tile(13, 2478, 3030),
        1,
    );
}

#[test]
fn boston_tracts_zoom14_at_2x_thick_translucent_border() {
    let n = boston().layer.len();
    let style = TileStyle {
        border: [0x00, 0x00, 0x80, 0x80],
        ..class_style(n, 2.0)
    };
    check(
        "boston_z14_4957_6059@2x",
        &boston().layer,
        &style,
        tile(14, 4957, 6059),
        2,
    );
}

#[test]
fn print_map_page_a4_landscape_72dpi() {
    let page =
        quartier_render::print::compose_map(&crate::print::map_page(crate::print::landscape(72.0)))
            .unwrap();
    compare_with_reference("print_map_nc_a4_landscape", &page.to_png().unwrap());
}

#[test]
fn print_profile_page_a4_72dpi() {
    let page = quartier_render::print::compose_profile(&crate::print::profile_page(
        quartier_render::print::Lang::De,
    ))
    .unwrap();
    compare_with_reference("print_profile_nc_a4", &page.to_png().unwrap());
}
