//! Print pages (`quartier_render::print`): composing a full A4 landscape map of the 3,233 US
//! counties (the contiguous states in view, every county drawn, names placed) and encoding it as
//! SVG text, PNG at 300 dpi and PDF.
//!
//! The layer comes straight from `tests/fixtures/us_counties` (lon/lat, converted to Web
//! Mercator with the spherical formula) and is prepared once outside the timing, as a server
//! does when it loads a layer. Target (issue 15): a few seconds for the 300 dpi page.
//!
//! Run: `cargo bench -p quartier-benches --bench print -- --warm-up-time 1 --measurement-time 10`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use geo_types::Coord;
use quartier_render::print::{
    compose_map, compose_profile, pdf_document, DistrictStyle, Lang, Legend, LegendKind, LegendRow,
    MapContent, MapPage, Orientation, PageSize, PageSpec, PrintLayer, ProfilePage, ProfileRow,
    Series, View,
};
use quartier_render::TileLayer;

mod inputs;
use inputs::{mercator, read_with_names, YLORRD5};

fn mercator_point(lon: f64, lat: f64) -> [f64; 2] {
    let c = mercator(Coord { x: lon, y: lat });
    [c.x, c.y]
}

fn print(c: &mut Criterion) {
    let (polys, names) = read_with_names("us_counties/cb_2016_us_county_500k.shp", "NAME");
    let tiles = TileLayer::new(polys.clone());
    let layer = PrintLayer::new(&polys, &tiles).expect("same length");
    let n = polys.len();
    let a = mercator_point(-125.0, 24.0);
    let b = mercator_point(-66.5, 49.5);
    let page = MapPage {
        page: PageSpec {
            size: PageSize::A4,
            orientation: Orientation::Landscape,
            dpi: 300.0,
        },
        map: MapContent {
            layer,
            styles: (0..n)
                .map(|i| DistrictStyle::filled(YLORRD5[i % 5]))
                .collect(),
            labels: names.into_iter().map(Some).collect(),
            view: View::BBox([a[0], a[1], b[0], b[1]]),
        },
        title: "US counties".to_string(),
        subtitle: Some("Five classes by position".to_string()),
        legend: Legend {
            title: None,
            rows: (0..5)
                .map(|k| LegendRow {
                    kind: LegendKind::Class,
                    colour: YLORRD5[k],
                    label: format!("class {}", k + 1),
                    count: Some((0..n).filter(|i| i % 5 == k).count()),
                })
                .collect(),
        },
        source: Some("US Census Bureau, cartographic boundary file 2016".to_string()),
        attribution: None,
        scale_bar: true,
        lang: Lang::En,
    };
    let composed = compose_map(&page).expect("page composes");
    eprintln!(
        "us_counties A4 landscape 300 dpi: {:?} px, SVG {} bytes, {} labels placed",
        composed.pixel_size(),
        composed.svg().len(),
        composed.labels().len()
    );

    let mut group = c.benchmark_group("print_us_counties_a4_300dpi");
    group.sample_size(10);
    group.bench_function("compose_svg", |b| {
        b.iter(|| black_box(compose_map(black_box(&page)).expect("composes")));
    });
    group.bench_function("png_encode", |b| {
        b.iter(|| black_box(composed.to_png().expect("png")));
    });
    group.bench_function("pdf_encode", |b| {
        b.iter(|| black_box(composed.to_pdf().expect("pdf")));
    });
    group.bench_function("compose_and_png", |b| {
        b.iter(|| black_box(compose_map(&page).expect("composes").to_png().expect("png")));
    });
    group.finish();
}

/// Profile pages of the 100 NC counties (a locator map of the whole layer, eight indicator
/// rows with charts over ten periods), composed and written as one PDF: the per-district cost of
/// a report.
fn report(c: &mut Criterion) {
    let (polys, names) = read_with_names("nc_sids/nc.shp", "NAME");
    let tiles = TileLayer::new(polys.clone());
    let layer = PrintLayer::new(&polys, &tiles).expect("same length");
    let periods: Vec<String> = (2010..2020).map(|y| y.to_string()).collect();
    let pages: Vec<ProfilePage> = (0..polys.len())
        .map(|d| ProfilePage {
            page: PageSpec::default(),
            title: names[d].clone(),
            subtitle: Some("County profile".to_string()),
            locator: Some(MapContent::locator(layer, d, YLORRD5[4])),
            rows: (0..8)
                .map(|k| ProfileRow {
                    title: format!("Indicator {k}"),
                    unit: "%".to_string(),
                    value: Some(d as f64 + k as f64),
                    reference: Some(50.0),
                    rank: Some((d as u32 + 1, 100)),
                    change: Some(1.5),
                    decimals: 1,
                    series: Some(Series {
                        periods: periods.clone(),
                        values: (0..10).map(|p| Some((d * p) as f64)).collect(),
                        reference: (0..10).map(|_| Some(50.0)).collect(),
                    }),
                })
                .collect(),
            index: None,
            source: Some("NC SIDS".to_string()),
            lang: Lang::En,
        })
        .collect();
    let mut group = c.benchmark_group("print_profiles_nc");
    group.sample_size(10);
    group.bench_function("100_profiles_to_one_pdf", |b| {
        b.iter(|| {
            let composed: Vec<_> = pages
                .iter()
                .map(|p| compose_profile(p).expect("composes"))
                .collect();
            black_box(pdf_document(&composed, "Report").expect("pdf"))
        });
    });
    group.finish();
}

criterion_group!(benches, print, report);
criterion_main!(benches);
