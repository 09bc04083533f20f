//! Restyling a tile from its `DistrictRaster` (issue 13) against drawing it with `render_tile`,
//! in the same run: building the raster once, `apply` (the exact bytes of `render_tile`) and
//! `apply_spliced` (a new palette in front of the kept image data) in a style never used
//! before, and `render_tile` itself. Tiles that a raster cannot give are drawn, as a server
//! would. Also prints the sizes of the two hover encodings on the US counties, zooms 4 to 8.
//!
//! Run: `cargo bench -p quartier-benches --bench restyle -- --warm-up-time 1 --measurement-time 3`

use std::collections::HashMap;
use std::hint::black_box;
use std::io::Write;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use quartier_render::{
    hover_id_png, hover_utfgrid, render_tile, DistrictRaster, Restyled, TileCoord, TileLayer,
    TileStyle, MERCATOR_HALF_EXTENT,
};

mod inputs;

use inputs::{busiest_tile, read, tile, YLORRD5};

/// `count` styles of five classes with 1 px grey borders, each with its own class assignment
/// (as different breaks or indicators give).
fn styles(n: usize, count: u64) -> Vec<TileStyle> {
    (0..count)
        .map(|k| TileStyle {
            fills: (0..n as u64)
                .map(|i| {
                    let h = (i ^ (k << 20)).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 59;
                    YLORRD5[(h % 5) as usize]
                })
                .collect(),
            border: [0x99, 0x99, 0x99, 0xff],
            border_width: 1.0,
        })
        .collect()
}

/// Every tile of zooms 5 to 11 meeting the layer's bounding box (the peer comparison's list).
fn tiles_over(layer: &TileLayer, zooms: std::ops::RangeInclusive<u8>) -> Vec<TileCoord> {
    let Some([x0, y0, x1, y1]) = layer.bounds() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for z in zooms {
        let n = f64::from(1u32 << z);
        let col = |x: f64| ((x + MERCATOR_HALF_EXTENT) / (2.0 * MERCATOR_HALF_EXTENT) * n) as u32;
        let row = |y: f64| ((MERCATOR_HALF_EXTENT - y) / (2.0 * MERCATOR_HALF_EXTENT) * n) as u32;
        for x in col(x0)..=col(x1) {
            for y in row(y1)..=row(y0) {
                out.push(tile(z, x, y));
            }
        }
    }
    out
}

/// The tile's PNG from a raster, drawn when the raster falls back.
fn restyled(layer: &TileLayer, r: &DistrictRaster, style: &TileStyle, spliced: bool) -> Vec<u8> {
    let out = if spliced {
        r.apply_spliced(style)
    } else {
        r.apply(style)
    };
    match out {
        Ok(Restyled::Png { png, .. }) => png,
        _ => render_tile(layer, style, r.tile(), 1).unwrap_or_default(),
    }
}

fn rasters(layer: &TileLayer, tiles: &[TileCoord]) -> Vec<DistrictRaster> {
    tiles
        .iter()
        .map(|&t| DistrictRaster::new(layer, t, 1, 1.0).unwrap_or_else(|e| panic!("{t}: {e}")))
        .collect()
}

/// How each tile of a list is answered in `style`, the rasters' bytes, and the PNG bytes.
fn census(layer: &TileLayer, rs: &[DistrictRaster], style: &TileStyle) -> String {
    let mut paths: HashMap<String, usize> = HashMap::new();
    let (mut exact_bytes, mut spliced_bytes) = (0, 0);
    for r in rs {
        let key = match r.apply(style) {
            Ok(Restyled::Png { path, .. }) => format!("{path:?}"),
            Ok(Restyled::Fallback(why)) => format!("fallback {why:?}"),
            Err(e) => panic!("{e}"),
        };
        *paths.entry(key).or_default() += 1;
        exact_bytes += restyled(layer, r, style, false).len();
        spliced_bytes += restyled(layer, r, style, true).len();
    }
    let raster_bytes: usize = rs.iter().map(DistrictRaster::byte_size).sum();
    format!(
        "{} tiles: {paths:?}; rasters {raster_bytes} B; PNG bytes exact {exact_bytes}, spliced {spliced_bytes}",
        rs.len()
    )
}

fn list(c: &mut Criterion, name: &str, layer: &TileLayer, tiles: &[TileCoord]) {
    let styles = styles(layer.len(), 64);
    let rs = rasters(layer, tiles);
    eprintln!("{name}: {}", census(layer, &rs, &styles[0]));
    let mut group = c.benchmark_group(format!("restyle/{name}"));
    group.sample_size(10);
    group.throughput(Throughput::Elements(tiles.len() as u64));
    let mut k = 0;
    group.bench_function("render_tile", |b| {
        b.iter(|| {
            k = (k + 1) % styles.len();
            for &t in tiles {
                black_box(render_tile(layer, &styles[k], t, 1).ok());
            }
        })
    });
    group.bench_function("raster_new", |b| {
        b.iter(|| black_box(rasters(layer, tiles)))
    });
    for (label, spliced) in [("apply", false), ("apply_spliced", true)] {
        group.bench_function(label, |b| {
            b.iter(|| {
                k = (k + 1) % styles.len();
                for r in &rs {
                    black_box(restyled(layer, r, &styles[k], spliced));
                }
            })
        });
    }
    group.finish();
}

fn single_tiles(c: &mut Criterion, name: &str, layer: &TileLayer, tiles: &[TileCoord]) {
    let styles = styles(layer.len(), 64);
    let mut group = c.benchmark_group(format!("restyle_tile/{name}"));
    for &t in tiles {
        let r = DistrictRaster::new(layer, t, 1, 1.0).unwrap_or_else(|e| panic!("{t}: {e}"));
        eprintln!(
            "{name} {t}: {} entries, raster {} B, {}",
            r.entries().map_or("no".into(), |n| n.to_string()),
            r.byte_size(),
            census(layer, std::slice::from_ref(&r), &styles[0])
        );
        let mut k = 0;
        group.bench_with_input(BenchmarkId::new("render_tile", t), &t, |b, &t| {
            b.iter(|| {
                k = (k + 1) % styles.len();
                render_tile(layer, &styles[k], t, 1)
            })
        });
        group.bench_with_input(BenchmarkId::new("raster_new", t), &t, |b, &t| {
            b.iter(|| DistrictRaster::new(layer, t, 1, 1.0))
        });
        if r.is_too_busy() {
            continue;
        }
        for (label, spliced) in [("apply", false), ("apply_spliced", true)] {
            group.bench_with_input(BenchmarkId::new(label, t), &t, |b, _| {
                b.iter(|| {
                    k = (k + 1) % styles.len();
                    restyled(layer, &r, &styles[k], spliced)
                })
            });
        }
    }
    group.finish();
}

fn gzip_len(bytes: &[u8]) -> usize {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap_or_default();
    gz.finish().map_or(0, |v| v.len())
}

/// Sizes of the hover encodings over the busiest tile of zooms 4 to 8 and the 5 × 5 tiles
/// around it, and their cost on the busiest zoom-6 tile.
fn hover(c: &mut Criterion, us_polys: &[geo_types::MultiPolygon<f64>], us: &TileLayer) {
    for z in 4..=8u8 {
        let centre = busiest_tile(us_polys, z);
        let mut sums = [0usize; 4];
        let mut n = 0;
        for dx in -2i64..=2 {
            for dy in -2i64..=2 {
                let (x, y) = (i64::from(centre.x) + dx, i64::from(centre.y) + dy);
                let Some(t) = TileCoord::new_checked(z, x as u32, y as u32) else {
                    continue;
                };
                let grid = hover_utfgrid(us, t).unwrap_or_default();
                let png = hover_id_png(us, t).unwrap_or_default();
                for (s, v) in sums.iter_mut().zip([
                    grid.len(),
                    gzip_len(grid.as_bytes()),
                    png.len(),
                    gzip_len(&png),
                ]) {
                    *s += v;
                }
                n += 1;
            }
        }
        let [g, gz, p, pz] = sums.map(|s| s / n.max(1));
        eprintln!(
            "hover us_counties z{z} (busiest {centre} and {n} tiles around): UTFGrid {g} B ({gz} B gzip), id PNG {p} B ({pz} B gzip), mean per tile"
        );
    }
    let t = busiest_tile(us_polys, 6);
    let mut group = c.benchmark_group("hover/us_counties");
    group.bench_with_input(BenchmarkId::new("utfgrid", t), &t, |b, &t| {
        b.iter(|| hover_utfgrid(us, t))
    });
    group.bench_with_input(BenchmarkId::new("id_png", t), &t, |b, &t| {
        b.iter(|| hover_id_png(us, t))
    });
    group.finish();
}

fn restyle(c: &mut Criterion) {
    let nc = TileLayer::new(read("nc_sids/nc.shp"));
    list(c, "nc_list", &nc, &tiles_over(&nc, 5..=11));
    single_tiles(
        c,
        "nc_counties",
        &nc,
        &[tile(5, 8, 12), tile(7, 36, 50), tile(9, 145, 201)],
    );
    let boston = TileLayer::new(read("boston_tracts/boston_tracts.shp"));
    single_tiles(
        c,
        "boston_tracts",
        &boston,
        &[
            tile(11, 619, 757),
            tile(12, 1239, 1514),
            tile(13, 2478, 3030),
            tile(14, 4957, 6059),
        ],
    );
    let us_polys = read("us_counties/cb_2016_us_county_500k.shp");
    let us = TileLayer::new(us_polys.clone());
    hover(c, &us_polys, &us);
}

criterion_group!(benches, restyle);
criterion_main!(benches);
