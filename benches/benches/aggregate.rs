//! Aggregation speed: 1,000,000 points into the 3,233 US counties (`us_counties`, about 1 M
//! vertices), and a 10 km grid apportioned by area into the 143 Swiss districts.
//!
//! The points are generated deterministically (a fixed-seed 64-bit LCG) uniformly inside the
//! contiguous United States' bounding box; 435,057 of them (44 %) fall in the sea, the Great Lakes,
//! Canada or Mexico and exercise the "in no district" path too (`quartier aggregate` on the same
//! points written as CSV: 564,943 assigned).
//!
//! - `index_us_counties`, `geodesic_areas_us_counties`: the one-off costs per layer (the
//!   [`DistrictIndex`], and the `area_km2` column: Karney's geodesic area over 1 M vertices).
//! - `locate_1m_points`: [`DistrictIndex::assign`] alone, the index built once (points per second
//!   of the point-in-polygon step).
//! - `points_into_us_counties`: the whole of [`aggregate`] for the same points with a count and a
//!   sum: index build, assignment, accumulation, output columns and geodesic county areas.
//! - `swiss_grid_by_area`: the reference grid (864 cells of 10 km) into the Swiss districts in
//!   EPSG:2056 metres.
//!
//! Run: `cargo bench -p quartier-benches --bench aggregate -- --warm-up-time 1 --measurement-time 5`.
//! Measured on the project's 2-core machine (criterion, release): see the numbers at the end of
//! this comment, updated when the code changes.
//!
//! - `index_us_counties`: 74 ms
//! - `geodesic_areas_us_counties`: 0.49 s (Karney's algorithm: about 0.5 µs per vertex)
//! - `locate_1m_points`: 0.28 to 0.34 s, 3.0 to 3.6 million points per second
//! - `points_into_us_counties`: 1.07 s end to end (0.93 million points per second; the areas and
//!   the index are paid once per layer, whatever the number of points)
//! - `swiss_grid_by_area`: 66 ms
//!
//! (Measured while other builds shared the two cores, load average 3.5; criterion's spread was
//! about ±10 %, and the two runs of `locate_1m_points` gave the range above.)

use std::path::{Path, PathBuf};

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use geo_types::Coord;
use quartier_geo::aggregate::{
    aggregate, aggregate_files, derive, AggregateOptions, AggregateSpec, AreaMode, DistrictIndex,
    Location, Points, Source,
};
use quartier_geo::crs::Crs;
use quartier_geo::import::{read_layer, ImportOptions};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(rel)
}

/// Points in the contiguous US bounding box from a fixed-seed LCG (Knuth's MMIX constants).
fn us_points(n: usize) -> Vec<Coord<f64>> {
    let mut state: u64 = 0x5eed_1234_abcd_0001;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .map(|_| Coord {
            x: -125.0 + next() * (125.0 - 66.9),
            y: 24.4 + next() * (49.4 - 24.4),
        })
        .collect()
}

fn points_into_counties(c: &mut Criterion) {
    const N: usize = 1_000_000;
    let opts = ImportOptions {
        crs: Some("EPSG:4269".into()),
        ..Default::default()
    };
    let counties = match read_layer(&fixture("us_counties/cb_2016_us_county_500k.shp"), &opts) {
        Ok(i) => i.layer,
        Err(e) => {
            eprintln!("skipping: {e}");
            return;
        }
    };
    let coords = us_points(N);
    let mut group = c.benchmark_group("aggregate");
    group.sample_size(10);
    group.throughput(Throughput::Elements(N as u64));

    let geometries: Vec<_> = counties
        .districts
        .iter()
        .map(|d| d.geometry.clone())
        .collect();
    let index = DistrictIndex::new(&geometries);
    // One-off costs per layer, measured apart so that the per-point rate can be read off.
    group.throughput(Throughput::Elements(counties.districts.len() as u64));
    group.bench_function("index_us_counties", |b| {
        b.iter(|| DistrictIndex::new(black_box(&geometries)).len())
    });
    group.bench_function("geodesic_areas_us_counties", |b| {
        b.iter(|| derive::areas_km2(black_box(&counties)).len())
    });
    group.throughput(Throughput::Elements(N as u64));
    group.bench_function("locate_1m_points", |b| {
        b.iter(|| {
            index
                .assign(black_box(&coords))
                .iter()
                .filter(|d| d.is_some())
                .count()
        })
    });

    let points = Source::Points(Points {
        path: "generated".into(),
        format: "generated",
        crs: "WGS 84 (EPSG:4326)".into(),
        origins: (1..=N).map(Location::Feature).collect(),
        fields: vec![("n".into(), (0..N).map(|i| Some((i % 7) as f64)).collect())],
        coords,
        read: N,
        problems: Vec::new(),
    });
    let spec = AggregateSpec {
        sum: vec!["n".into()],
        ..Default::default()
    };
    group.bench_function("points_into_us_counties", |b| {
        b.iter(|| {
            aggregate(black_box(&points), Some(&counties), &spec, None)
                .map(|a| a.report.assigned)
                .unwrap_or_default()
        })
    });
    group.finish();
}

fn grid_by_area(c: &mut Criterion) {
    let grid = fixture("reference/aggregate_swiss_grid.json");
    let districts = fixture("swiss_2024/districts.shp");
    let Ok(crs) = Crs::from_epsg(2056) else {
        return;
    };
    let opts = AggregateOptions {
        spec: AggregateSpec {
            sum: vec!["pop".into()],
            area: AreaMode::Planar(crs),
            ..Default::default()
        },
        ..Default::default()
    };
    let mut group = c.benchmark_group("aggregate");
    group.sample_size(10);
    group.bench_function("swiss_grid_by_area", |b| {
        b.iter(|| {
            aggregate_files(black_box(&grid), Some(&districts), &opts)
                .map(|a| a.report.split)
                .unwrap_or_default()
        })
    });
    group.finish();
}

criterion_group!(benches, points_into_counties, grid_by_area);
criterion_main!(benches);
