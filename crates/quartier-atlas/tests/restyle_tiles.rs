//! Tiles restyled from kept district rasters (issue 13) are today's tiles: over the NC and
//! Boston lists, in several styles, every tile `Atlas::tile` answers is `render_tile`'s bytes
//! ([`Restyle::Exact`]) or, in the default [`Restyle::Spliced`], its bytes wherever the old
//! renderer made the tile and its pixels where a kept raster did.
#![allow(clippy::unwrap_used)] // test helpers may panic: a failing fixture read is a failing test

use std::path::Path;

use quartier_atlas::manifest::LoadedAtlas;
use quartier_atlas::{Answered, Atlas, AtlasOptions, Restyle, Style};
use quartier_render::{render_tile, TileCoord, MERCATOR_HALF_EXTENT};

fn atlas(rel: &str, restyle: Restyle) -> Atlas {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(rel);
    let (loaded, _) = LoadedAtlas::from_boundary_file(&path, &Default::default()).unwrap();
    Atlas::new(
        loaded,
        &AtlasOptions {
            restyle,
            ..AtlasOptions::default()
        },
    )
}

/// Every tile of zooms `zooms` meeting the layer's bounding box (the peer comparison's list
/// for NC at zooms 5 to 11).
fn tiles_over(atlas: &Atlas, zooms: std::ops::RangeInclusive<u8>) -> Vec<TileCoord> {
    let [x0, y0, x1, y1] = atlas.layers[0].mercator_bounds.unwrap();
    let mut out = Vec::new();
    for z in zooms {
        let n = f64::from(1u32 << z);
        let col = |x: f64| ((x + MERCATOR_HALF_EXTENT) / (2.0 * MERCATOR_HALF_EXTENT) * n) as u32;
        let row = |y: f64| ((MERCATOR_HALF_EXTENT - y) / (2.0 * MERCATOR_HALF_EXTENT) * n) as u32;
        for x in col(x0)..=col(x1) {
            for y in row(y1)..=row(y0) {
                out.push(TileCoord::new_checked(z, x, y).unwrap());
            }
        }
    }
    out
}

fn decode(png: &[u8]) -> image::RgbaImage {
    image::load_from_memory_with_format(png, image::ImageFormat::Png)
        .unwrap()
        .to_rgba8()
}

/// Styles of one border width (one raster per tile): the first draws every tile and the
/// second builds the rasters, so that all later ones are restyled.
fn styles(indicators: &[&str], border: &str) -> Vec<(String, Style)> {
    let mut out = Vec::new();
    for (i, q) in [
        "method=quantile&classes=5&palette=YlOrRd",
        "method=jenks&classes=4&palette=Blues",
        "method=equal&classes=7&palette=viridis",
        "method=quantile&classes=3&palette=RdBu",
        "method=equal&classes=2&palette=Greens",
    ]
    .iter()
    .enumerate()
    {
        let ind = indicators[i % indicators.len()];
        let query = format!("{q}&border={border}");
        let pairs: Vec<(String, String)> = query
            .split('&')
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap();
                (k.to_string(), v.to_string())
            })
            .collect();
        out.push((ind.to_string(), Style::from_pairs(pairs)));
    }
    out
}

/// Tiles made from a kept raster so far.
fn restyled(atlas: &Atlas) -> u64 {
    let s = atlas.stats();
    s.tiles_spliced + s.tiles_reencoded
}

/// Requests every tile of the list in every style at `scale`, and compares each answer with
/// `render_tile` in the same style: the bytes wherever the old renderer made the tile (every
/// tile in `Exact` mode; in `Spliced` mode the tiles no raster made: each tile's first style,
/// tiles of one colour, fallbacks), else the pixels. Every non-empty tile of the first style
/// must be among those compared byte for byte. Returns (tiles restyled from a raster, tiles
/// compared byte for byte).
fn check(atlas: &Atlas, tiles: &[TileCoord], styles: &[(String, Style)], scale: u8) -> (u64, u64) {
    let layer = atlas.layers[0].id().to_string();
    let mut bytes_compared = 0;
    for (i, (indicator, style)) in styles.iter().enumerate() {
        let classified = atlas.classify(&layer, indicator, style).unwrap();
        for &t in tiles {
            let before = restyled(atlas);
            let got = atlas.tile(&layer, indicator, style, t, scale).unwrap();
            if got.answered == Answered::Empty {
                continue;
            }
            let want =
                render_tile(&atlas.layers[0].render, &classified.tile_style, t, scale).unwrap();
            // Each (style, tile) is asked once, so nothing here is a cache hit of a restyled tile.
            assert_ne!(got.answered, Answered::Hit);
            let from_raster = restyled(atlas) > before;
            assert!(
                i > 0 || !from_raster,
                "{t:?}: a first style is drawn, never restyled"
            );
            if atlas.restyle == Restyle::Exact || !from_raster {
                bytes_compared += 1;
                assert!(
                    got.png[..] == want[..],
                    "{layer} {t:?}@{scale} {indicator} {}: bytes differ ({:?})",
                    classified.canonical,
                    got.answered
                );
            } else {
                assert!(
                    decode(&got.png) == decode(&want),
                    "{layer} {t:?}@{scale} {indicator} {}: pixels differ ({:?})",
                    classified.canonical,
                    got.answered
                );
            }
        }
    }
    (restyled(atlas), bytes_compared)
}

#[test]
fn nc_tiles_from_rasters_are_render_tiles_bytes_and_pixels() {
    for restyle in [Restyle::Exact, Restyle::Spliced] {
        let atlas = atlas("nc_sids/nc.shp", restyle);
        let tiles = tiles_over(&atlas, 5..=10);
        assert_eq!(tiles.len(), 358, "zooms 5 to 10 of the peer list");
        let styles = styles(&["SID74", "BIR79", "NWBIR74"], "1");
        let (restyled, bytes_compared) = check(&atlas, &tiles, &styles, 1);
        let s = atlas.stats();
        // Where the old renderer drew (the first style of every tile at least), its bytes.
        assert!(bytes_compared >= 300, "{restyle:?}: {bytes_compared}");
        // Every drawn tile got its raster in the second style; every later style used it.
        assert!(s.rasters_built > 100, "{restyle:?}: {s:?}");
        assert!(restyled >= 3 * s.rasters_built, "{restyle:?}: {s:?}");
        assert!(s.cache.rasters > 0 && s.cache.raster_bytes > 0, "{s:?}");
        if restyle == Restyle::Spliced {
            assert!(s.tiles_spliced > 0, "{s:?}");
        }
    }
}

#[test]
fn boston_tiles_from_rasters_at_both_scales_and_no_border() {
    for restyle in [Restyle::Exact, Restyle::Spliced] {
        let atlas = atlas("boston_tracts/boston_tracts.shp", restyle);
        let tiles = tiles_over(&atlas, 10..=12);
        for (scale, border) in [(1, "0.5"), (2, "0")] {
            let styles = styles(&["MEDV", "CRIM", "LSTAT"], border);
            let (_, bytes_compared) = check(&atlas, &tiles, &styles, scale);
            assert!(bytes_compared > 0, "{restyle:?} @{scale}");
        }
        let s = atlas.stats();
        assert!(s.rasters_built > 20, "{restyle:?}: {s:?}");
        assert!(
            s.tiles_spliced + s.tiles_reencoded > 40,
            "{restyle:?}: {s:?}"
        );
    }
}

#[test]
fn a_tile_seen_in_one_style_is_drawn_the_third_restyled() {
    let atlas = atlas("nc_sids/nc.shp", Restyle::Spliced);
    let t = TileCoord::new_checked(9, 145, 201).unwrap();
    let st = styles(&["SID74"], "1");
    let answer = |i: usize| atlas.tile("nc", "SID74", &st[i].1, t, 1).unwrap();
    assert_eq!(answer(0).answered, Answered::Miss);
    assert_eq!(atlas.stats().rasters_built, 0);
    assert_eq!(answer(1).answered, Answered::Miss);
    assert_eq!(atlas.stats().rasters_built, 1);
    let third = answer(2);
    assert_eq!(third.answered, Answered::Restyled);
    // Kept from its second request on: a planner trying styles asks for each tile once.
    assert_eq!(answer(2).answered, Answered::Restyled);
    assert_eq!(answer(2).answered, Answered::Hit);
    assert_eq!(answer(2).png, third.png);
    // The fast lane's half of the pipeline restyles too.
    let classified = atlas.classify("nc", "SID74", &st[3].1).unwrap();
    let ready = atlas.ready_tile(&classified, t, 1).unwrap();
    assert_eq!(ready.answered, Answered::Restyled);
    assert_eq!(ready.etag, atlas.tile_etag(&classified, t, 1));
    let s = atlas.stats();
    assert_eq!(
        (s.rasters_built, s.tiles_spliced, s.tiles_rendered),
        (1, 4, 1)
    );
}

#[test]
fn without_a_cache_nothing_is_restyled() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/nc_sids/nc.shp");
    let (loaded, _) = LoadedAtlas::from_boundary_file(&path, &Default::default()).unwrap();
    let atlas = Atlas::new(
        loaded,
        &AtlasOptions {
            cache_bytes: 0,
            ..AtlasOptions::default()
        },
    );
    let t = TileCoord::new_checked(9, 145, 201).unwrap();
    for (_, style) in styles(&["SID74"], "1") {
        assert_eq!(
            atlas.tile("nc", "SID74", &style, t, 1).unwrap().answered,
            Answered::Bypass
        );
    }
    assert_eq!(atlas.stats().rasters_built, 0);
}
