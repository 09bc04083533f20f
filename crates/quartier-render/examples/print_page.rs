//! Composes a map page of a lon/lat polygon shapefile and writes it as SVG, PNG and PDF, for
//! looking at print output by eye (`pdftoppm -png -r 80 map.pdf page` and an image viewer).
//!
//! ```text
//! cargo run -p quartier-render --example print_page -- tests/fixtures/nc_sids/nc.shp NAME \
//!     --landscape --dpi 150 --out /tmp/print
//! cargo run --release -p quartier-render --example print_page -- \
//!     tests/fixtures/us_counties/cb_2016_us_county_500k.shp NAME \
//!     --bbox -125,24,-66.5,49.5 --landscape --out /tmp/print
//! ```
//!
//! Districts get the five YlOrRd classes by position; `NAME_FIELD` gives the labels.

use std::path::PathBuf;
use std::time::Instant;

use geo::{Coord, MapCoords, MultiPolygon};
use quartier_render::print::{
    compose_map, DistrictStyle, Lang, Legend, LegendKind, LegendRow, MapContent, MapPage,
    Orientation, PageSize, PageSpec, PrintLayer, View,
};
use quartier_render::TileLayer;

const YLORRD5: [[u8; 4]; 5] = [
    [0xff, 0xff, 0xb2, 0xff],
    [0xfe, 0xcc, 0x5c, 0xff],
    [0xfd, 0x8d, 0x3c, 0xff],
    [0xf0, 0x3b, 0x20, 0xff],
    [0xbd, 0x00, 0x26, 0xff],
];

fn mercator(c: Coord<f64>) -> Coord<f64> {
    const R: f64 = 6_378_137.0;
    Coord {
        x: R * c.x.to_radians(),
        y: R * (std::f64::consts::FRAC_PI_4 + c.y.to_radians() / 2.0)
            .tan()
            .ln(),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: print_page SHAPEFILE NAME_FIELD [--bbox W,S,E,N] [--landscape] [--a3] [--dpi N] [--out DIR]";
    let (Some(shp), Some(field)) = (args.first(), args.get(1)) else {
        return Err(usage.into());
    };
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
    };
    let out = PathBuf::from(value("--out").map_or("print-out", String::as_str));
    let dpi: f64 = value("--dpi").map_or(Ok(300.0), |v| v.parse())?;
    let view = match value("--bbox") {
        Some(b) => {
            let v: Vec<f64> = b.split(',').map(str::parse).collect::<Result<_, _>>()?;
            let [w, s, e, n] = v[..] else {
                return Err("--bbox needs W,S,E,N in degrees".into());
            };
            let a = mercator(Coord { x: w, y: s });
            let b = mercator(Coord { x: e, y: n });
            View::BBox([a.x, a.y, b.x, b.y])
        }
        None => View::Layer,
    };

    let rows = shapefile::read_as::<_, shapefile::Polygon, shapefile::dbase::Record>(shp)?;
    let mut polygons = Vec::new();
    let mut labels = Vec::new();
    for (shape, record) in rows {
        let mp: MultiPolygon<f64> = shape.try_into()?;
        polygons.push(mp.map_coords(mercator));
        labels.push(match record.get(field) {
            Some(shapefile::dbase::FieldValue::Character(Some(s))) => Some(s.clone()),
            _ => None,
        });
    }
    let n = polygons.len();
    let tiles = TileLayer::new(polygons.clone());
    let page = MapPage {
        page: PageSpec {
            size: if args.iter().any(|a| a == "--a3") {
                PageSize::A3
            } else {
                PageSize::A4
            },
            orientation: if args.iter().any(|a| a == "--landscape") {
                Orientation::Landscape
            } else {
                Orientation::Portrait
            },
            dpi,
        },
        map: MapContent {
            layer: PrintLayer::new(&polygons, &tiles)?,
            styles: (0..n)
                .map(|i| DistrictStyle::filled(YLORRD5[i % 5]))
                .collect(),
            labels,
            view,
        },
        title: format!("{n} districts of {shp}"),
        subtitle: Some("Five classes by position".to_string()),
        legend: Legend {
            title: Some("Class".to_string()),
            rows: (0..5)
                .map(|k| LegendRow {
                    kind: LegendKind::Class,
                    colour: YLORRD5[k],
                    label: format!("class {}", k + 1),
                    count: Some((0..n).filter(|i| i % 5 == k).count()),
                })
                .collect(),
        },
        source: Some(format!("Source: {shp}")),
        attribution: None,
        scale_bar: true,
        lang: Lang::En,
    };
    std::fs::create_dir_all(&out)?;
    let t = Instant::now();
    let composed = compose_map(&page)?;
    eprintln!(
        "composed in {:?}, {} labels",
        t.elapsed(),
        composed.labels().len()
    );
    std::fs::write(out.join("map.svg"), composed.svg())?;
    let t = Instant::now();
    std::fs::write(out.join("map.png"), composed.to_png()?)?;
    eprintln!("PNG {:?} px in {:?}", composed.pixel_size(), t.elapsed());
    let t = Instant::now();
    std::fs::write(out.join("map.pdf"), composed.to_pdf()?)?;
    eprintln!("PDF in {:?}; written to {}", t.elapsed(), out.display());
    Ok(())
}
