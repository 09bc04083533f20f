//! Vector tile encoding (`quartier_render::render_mvt`): the districts of one tile rebuilt from
//! the renderer's arcs, clipped, wound and encoded, with five properties per feature. US
//! counties at the busiest zoom-4 tile and a zoom-6 tile (the render bench's tiles), NC at z7.
//!
//! Run: `cargo bench -p quartier-benches --bench mvt -- --warm-up-time 1 --measurement-time 3`

#[path = "../../crates/quartier-archive/tests/common/mod.rs"]
mod common;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use quartier_render::{render_mvt, MvtAttributes, TileCoord, TileLayer};

fn bench_tiles(
    c: &mut Criterion,
    name: &str,
    layer: &TileLayer,
    attrs: &MvtAttributes,
    tiles: &[(u8, u32, u32)],
) {
    let mut group = c.benchmark_group(format!("mvt/{name}"));
    for &(z, x, y) in tiles {
        let t = TileCoord::new_unchecked(z, x, y);
        let bytes = render_mvt(layer, attrs, "districts", t).expect("valid tile");
        eprintln!("{name} {t}: {} bytes", bytes.len());
        group.bench_with_input(BenchmarkId::from_parameter(t), &t, |b, &t| {
            b.iter(|| {
                render_mvt(
                    black_box(layer),
                    black_box(attrs),
                    "districts",
                    black_box(t),
                )
            })
        });
    }
    group.finish();
}

fn mvt(c: &mut Criterion) {
    let (us, us_layer) = common::load("us_counties/cb_2016_us_county_500k.shp", Some("EPSG:4269"));
    bench_tiles(
        c,
        "us_counties",
        &us_layer,
        &common::attributes(&us, |i| Some(i as f64 * 0.37)),
        &[(4, 4, 6), (6, 16, 24)],
    );
    let (nc, nc_layer) = common::load("nc_sids/nc.shp", None);
    bench_tiles(
        c,
        "nc_counties",
        &nc_layer,
        &common::attributes(&nc, |i| Some(i as f64 * 0.37)),
        &[(7, 36, 50)],
    );
}

criterion_group!(benches, mvt);
criterion_main!(benches);
