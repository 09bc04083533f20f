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
use quartier_render::{render_tile, TileCoord, TileLayer, TileStyle};

mod inputs;

use inputs::{busiest_tile, read, tile, YLORRD5};

/// Five classes by position, 1 px grey borders (the peer comparison's style).
fn style(n: usize) -> TileStyle {
    TileStyle {
        fills: (0..n).map(|i| YLORRD5[i % 5]).collect(),
        border: [0x99, 0x99, 0x99, 0xff],
        border_width: 1.0,
    }
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
