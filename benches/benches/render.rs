//! Render+encode of single choropleth tiles (`quartier_render::render_tile`), and the one-off
//! preparation of a layer (`TileLayer::new`).
//!
//! Layers come straight from the shapefiles in `tests/fixtures/` (lon/lat, converted to Web
//! Mercator with the spherical formula), so this bench does not depend on `quartier-geo`'s
//! import. Targets (issue 6): median under 0.2 ms for a city district tile, under 2 ms for a
//! zoom-4 tile of all US counties, on one core.
//!
//! Run: `cargo bench -p quartier-benches --bench render -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use geo_types::MultiPolygon;
use quartier_render::{render_tile, TileCoord, TileLayer, TileStyle, MERCATOR_HALF_EXTENT};

mod shapes;
use shapes::{read, YLORRD5};

/// Five classes by position, 1 px grey borders (the peer comparison's style).
fn style(n: usize) -> TileStyle {
    TileStyle {
        fills: (0..n).map(|i| YLORRD5[i % 5]).collect(),
        border: [0x99, 0x99, 0x99, 0xff],
        border_width: 1.0,
    }
}

/// The zoom-`z` tile whose box meets the most districts' boxes.
fn busiest_tile(polys: &[MultiPolygon<f64>], z: u8) -> TileCoord {
    let n = 1u32 << z;
    let side = 2.0 * MERCATOR_HALF_EXTENT / f64::from(n);
    let mut counts = vec![0usize; (n * n) as usize];
    for mp in polys {
        let pts = mp.iter().flat_map(|p| p.exterior().0.iter());
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for c in pts {
            (x0, y0, x1, y1) = (x0.min(c.x), y0.min(c.y), x1.max(c.x), y1.max(c.y));
        }
        let tx = |x: f64| {
            (((x + MERCATOR_HALF_EXTENT) / side)
                .floor()
                .clamp(0.0, f64::from(n - 1))) as u32
        };
        let ty = |y: f64| {
            (((MERCATOR_HALF_EXTENT - y) / side)
                .floor()
                .clamp(0.0, f64::from(n - 1))) as u32
        };
        for x in tx(x0)..=tx(x1) {
            for y in ty(y1)..=ty(y0) {
                counts[(y * n + x) as usize] += 1;
            }
        }
    }
    let best = (0..counts.len()).max_by_key(|&k| counts[k]).unwrap_or(0) as u32;
    TileCoord::new_unchecked(z, best % n, best / n)
}

fn tile(z: u8, x: u32, y: u32) -> TileCoord {
    TileCoord::new_checked(z, x, y).unwrap_or_else(|| panic!("no tile {z}/{x}/{y}"))
}

fn bench_layer(c: &mut Criterion, name: &str, layer: &TileLayer, tiles: &[TileCoord]) {
    let style = style(layer.len());
    let mut group = c.benchmark_group(format!("render/{name}"));
    for &t in tiles {
        for scale in [1u8, 2] {
            let png = render_tile(layer, &style, t, scale).unwrap_or_else(|e| panic!("{t}: {e}"));
            eprintln!(
                "{name} {t}@{scale}x: {} bytes, {} vertices at this zoom",
                png.len(),
                layer.vertex_count_at(t.z, scale)
            );
            group.bench_with_input(BenchmarkId::new(format!("@{scale}x"), t), &t, |b, &t| {
                b.iter(|| render_tile(black_box(layer), black_box(&style), black_box(t), scale))
            });
        }
    }
    group.finish();
}

fn render(c: &mut Criterion) {
    let boston = TileLayer::new(read("boston_tracts/boston_tracts.shp"));
    bench_layer(
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

    let nc = TileLayer::new(read("nc_sids/nc.shp"));
    bench_layer(
        c,
        "nc_counties",
        &nc,
        &[tile(5, 8, 12), tile(7, 36, 50), tile(9, 145, 201)],
    );

    let us_polys = read("us_counties/cb_2016_us_county_500k.shp");
    let z4 = busiest_tile(&us_polys, 4);
    let z6 = busiest_tile(&us_polys, 6);
    let z8 = busiest_tile(&us_polys, 8);
    let us = TileLayer::new(us_polys.clone());
    eprintln!(
        "us_counties: {} districts, {} arcs, {} vertices",
        us.len(),
        us.arc_count(),
        us.vertex_count()
    );
    bench_layer(c, "us_counties", &us, &[tile(0, 0, 0), z4, z6, z8]);

    let mut group = c.benchmark_group("prepare");
    group.sample_size(10);
    group.bench_function("us_counties", |b| {
        b.iter(|| TileLayer::new(black_box(us_polys.clone())))
    });
    group.finish();
}

criterion_group!(benches, render);
criterion_main!(benches);
