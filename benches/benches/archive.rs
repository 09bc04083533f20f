//! Writing tile archives (`quartier-archive`): every NC SIDS tile of zoom 0 to 10, rendered
//! beforehand by `render_tile`, into one PMTiles and one MBTiles archive (temporary file,
//! dedup, index, sync, rename). Rendering is not timed: this is the archive's share of a seed.
//!
//! Run: `cargo bench -p quartier-benches --bench archive -- --warm-up-time 1 --measurement-time 5`

#[path = "../../crates/quartier-archive/tests/common/mod.rs"]
mod common;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use quartier_archive::{write_archive, ArchiveMetadata, TileFormat, TileRange};
use quartier_render::{render_tile, TileStyle};

fn archive(c: &mut Criterion) {
    let (_, layer) = common::load("nc_sids/nc.shp", None);
    let style = TileStyle {
        fills: (0..layer.len())
            .map(|i| [0xff, (60 + i * 37 % 190) as u8, 0x40, 0xff])
            .collect(),
        border: [0x99, 0x99, 0x99, 0xff],
        border_width: 1.0,
    };
    let bounds = layer.bounds().expect("NC has geometry");
    let tiles: Vec<_> = (0..=10)
        .flat_map(|z| TileRange::covering_mercator(bounds, z).expect("zoom 0-10"))
        .map(|t| (t, render_tile(&layer, &style, t, 1).expect("valid tile")))
        .collect();
    let bytes: usize = tiles.iter().map(|(_, b)| b.len()).sum();
    eprintln!("nc z0-10: {} tiles, {bytes} bytes of PNG", tiles.len());
    let meta = ArchiveMetadata {
        name: "NC SIDS".into(),
        description: String::new(),
        attribution: String::new(),
        format: TileFormat::Png,
        bounds: [-84.3239, 33.882, -75.457, 36.5896],
        min_zoom: 0,
        max_zoom: 10,
        legend: None,
        vector_layers: None,
    };
    let dir = std::env::temp_dir().join(format!("quartier-bench-archive-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary folder");
    let mut group = c.benchmark_group("archive/nc_z0-10");
    group.sample_size(20);
    group.throughput(Throughput::Elements(tiles.len() as u64));
    for name in ["nc.pmtiles", "nc.mbtiles"] {
        let path = dir.join(name);
        let summary = write_archive(&path, &meta, tiles.iter().map(|(t, b)| (*t, b)))
            .expect("archive written");
        eprintln!("{name}: {summary:?}");
        group.bench_function(name, |b| {
            b.iter(|| write_archive(&path, &meta, black_box(&tiles).iter().map(|(t, b)| (*t, b))))
        });
    }
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, archive);
criterion_main!(benches);
