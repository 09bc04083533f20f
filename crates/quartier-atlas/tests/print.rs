//! Print pages from the bundled atlas: the printed legend is the live legend, and the printed
//! map shows the tile colours at interior points of the districts (PNG, the PDF rasterised by
//! poppler's `pdftoppm`, and the SVG's own district fills).
#![allow(clippy::unwrap_used)] // test helpers may panic: a failing fixture read is a failing test

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use geo::{BoundingRect, Contains, Distance, Euclidean, InteriorPoint};
use quartier_atlas::manifest::LoadedAtlas;
use quartier_atlas::print::{print_legend, MapRequest, PrintView, ProfileRequest};
use quartier_atlas::{Atlas, AtlasOptions, Lang, Style};
use quartier_render::print::{
    compose_map, compose_profile, Composition, LegendKind, Orientation, PageSize, PageSpec,
};
use quartier_render::TileCoord;

fn atlas() -> &'static Atlas {
    static ATLAS: OnceLock<Atlas> = OnceLock::new();
    ATLAS.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../geodata/atlas.toml");
        let (loaded, _) = LoadedAtlas::load(&path).unwrap();
        Atlas::new(loaded, &AtlasOptions::default())
    })
}

fn hex(c: [u8; 4]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

fn styles() -> Vec<Style> {
    vec![
        Style::default(),
        Style::from_pairs([("method", "jenks"), ("classes", "4"), ("palette", "Blues")]),
        Style::from_pairs([("breaks", "1,2,3")]),
        Style::from_pairs([
            ("method", "equal"),
            ("classes", "7"),
            ("palette", "viridis"),
        ]),
    ]
}

#[test]
fn the_printed_legend_is_the_live_legend() {
    let atlas = atlas();
    let cases = [
        ("nc", "sids_rate74"),
        ("boston", "median_income"),
        ("london", "bikes"),
        ("montreal", "coderre_share"),
    ];
    let mut checked = 0;
    for (layer, indicator) in cases {
        let geometry = atlas.print_geometry(layer).unwrap();
        for style in styles() {
            for lang in [Lang::De, Lang::En] {
                let live = atlas.legend(layer, indicator, &style, lang).unwrap();
                let page = atlas
                    .map_page(
                        &geometry,
                        &MapRequest {
                            layer,
                            indicator,
                            style: &style,
                            view: &PrintView::Layer,
                            page: PageSpec::default(),
                            lang,
                            title: None,
                        },
                    )
                    .unwrap();
                assert_eq!(page.legend, print_legend(&live));
                let classes: Vec<_> = page
                    .legend
                    .rows
                    .iter()
                    .filter(|r| r.kind == LegendKind::Class)
                    .collect();
                let labels: Vec<&str> = classes.iter().map(|r| r.label.as_str()).collect();
                let colours: Vec<String> = classes.iter().map(|r| hex(r.colour)).collect();
                let counts: Vec<usize> = classes.iter().map(|r| r.count.unwrap()).collect();
                assert_eq!(labels, live.labels, "{layer}/{indicator} {style:?}");
                assert_eq!(colours, live.colors);
                assert_eq!(counts, live.counts);
                let no_data = page
                    .legend
                    .rows
                    .iter()
                    .find(|r| r.kind == LegendKind::NoData)
                    .unwrap();
                assert_eq!(no_data.label, live.no_data_label);
                assert_eq!(no_data.count, Some(live.missing));
                assert_eq!(hex(no_data.colour), live.no_data_color);
                let suppressed = page
                    .legend
                    .rows
                    .iter()
                    .find(|r| r.kind == LegendKind::Suppressed);
                assert_eq!(suppressed.map(|r| r.label.clone()), live.suppressed_label);
                if let Some(s) = suppressed {
                    assert_eq!(s.count, Some(live.suppressed));
                }
                // Every district is drawn with its tile fill.
                let classified = atlas.classify(layer, indicator, &style).unwrap();
                let fills: Vec<[u8; 4]> = page.map.styles.iter().map(|s| s.fill).collect();
                assert_eq!(fills, classified.tile_style.fills);
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 32);
    // London withholds small counts: its legend has the suppressed row, with districts in it.
    let london = atlas
        .legend("london", "bikes", &Style::default(), Lang::De)
        .unwrap();
    assert!(london.suppressed_label.is_some());
}

fn tool(name: &str) -> PathBuf {
    let path = PathBuf::from("/usr/bin").join(name);
    assert!(
        path.exists(),
        "{name} is missing: install Debian's poppler-utils (scripts/test-all.sh does)"
    );
    path
}

fn tmp(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("atlas-print");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn decode(png: &[u8]) -> image::RgbaImage {
    image::load_from_memory_with_format(png, image::ImageFormat::Png)
        .unwrap()
        .to_rgba8()
}

fn pdftoppm(pdf: &[u8], name: &str, dpi: u32) -> image::RgbaImage {
    let path = tmp(name);
    std::fs::write(&path, pdf).unwrap();
    let prefix = tmp(&format!("{name}-page"));
    let out = Command::new(tool("pdftoppm"))
        .args(["-png", "-r", &dpi.to_string(), "-singlefile"])
        .arg(&path)
        .arg(&prefix)
        .output()
        .unwrap();
    assert!(out.status.success(), "pdftoppm failed: {out:?}");
    decode(&std::fs::read(format!("{}.png", prefix.display())).unwrap())
}

/// The tile of zoom `z` holding a mercator point, and the pixel of the point in it.
fn tile_pixel(p: [f64; 2], z: u8) -> (TileCoord, u32, u32) {
    let half = quartier_render::MERCATOR_HALF_EXTENT;
    let n = f64::from(1u32 << z);
    let gx = (p[0] + half) / (2.0 * half) * n * 256.0;
    let gy = (half - p[1]) / (2.0 * half) * n * 256.0;
    let (tx, ty) = ((gx / 256.0) as u32, (gy / 256.0) as u32);
    let tile = TileCoord::new_checked(z, tx, ty).unwrap();
    (tile, gx as u32 - tx * 256, gy as u32 - ty * 256)
}

fn colour_close(got: [u8; 4], want: [u8; 4], tolerance: u8) -> bool {
    got.iter()
        .zip(want)
        .all(|(a, b)| a.abs_diff(b) <= tolerance)
}

#[test]
fn printed_maps_show_the_tile_colours_at_interior_points() {
    let atlas = atlas();
    let (layer, indicator) = ("nc", "sids_rate74");
    let style = Style::from_pairs([("method", "jenks"), ("classes", "5"), ("palette", "YlOrRd")]);
    let geometry = atlas.print_geometry(layer).unwrap();
    let dpi = 100.0;
    let request = MapRequest {
        layer,
        indicator,
        style: &style,
        view: &PrintView::Layer,
        page: PageSpec {
            size: PageSize::A3,
            orientation: Orientation::Landscape,
            dpi,
        },
        lang: Lang::De,
        title: Some("Plötzlicher Kindstod in Nord-Carolina"),
    };
    let composed: Composition = compose_map(&atlas.map_page(&geometry, &request).unwrap()).unwrap();
    let png = decode(&composed.to_png().unwrap());
    let pdf = pdftoppm(&composed.to_pdf().unwrap(), "nc-colours.pdf", 100);
    let svg = composed.svg();
    let frame = composed.map_frame().unwrap();
    let (_, prepared) = atlas.layer(layer).unwrap();
    let classified = atlas.classify(layer, indicator, &style).unwrap();
    let mut checked = 0;
    for (i, d) in prepared.atlas.layer.districts.iter().enumerate() {
        let merc = quartier_geo::crs::to_mercator(&d.geometry);
        // A point at least 3 pt inside the county and clear of every label: its interior
        // point, else the first such point of a 9 x 9 grid over it.
        let margin = 3.0 / frame.scale;
        let usable = |p: &geo::Point<f64>| {
            let q = frame.project([p.x(), p.y()]);
            let under_label = composed.labels().iter().any(|l| {
                let b = l.bbox;
                b[0] - 2.0 <= q[0] && q[0] <= b[2] + 2.0 && b[1] - 2.0 <= q[1] && q[1] <= b[3] + 2.0
            });
            merc.contains(p)
                && !under_label
                && merc
                    .0
                    .iter()
                    .flat_map(|poly| std::iter::once(poly.exterior()).chain(poly.interiors()))
                    .all(|ring| Euclidean.distance(p, ring) > margin)
        };
        let Some(b) = merc.bounding_rect() else {
            continue;
        };
        let grid = (1..10).flat_map(|a| {
            (1..10).map(move |k| {
                geo::Point::new(
                    b.min().x + b.width() * f64::from(a) / 10.0,
                    b.min().y + b.height() * f64::from(k) / 10.0,
                )
            })
        });
        let Some(p) = merc
            .interior_point()
            .into_iter()
            .chain(grid)
            .find(|p| usable(p))
        else {
            continue;
        };
        let q = frame.project([p.x(), p.y()]);
        let (tile, ti, tj) = tile_pixel([p.x(), p.y()], 9);
        let t = atlas.tile(layer, indicator, &style, tile, 1).unwrap();
        let want = decode(&t.png).get_pixel(ti, tj).0;
        assert_eq!(want, classified.tile_style.fills[i], "{} tile", d.name);
        let at = ((q[0] / 72.0 * dpi) as u32, (q[1] / 72.0 * dpi) as u32);
        assert_eq!(
            png.get_pixel(at.0, at.1).0,
            want,
            "{} PNG at {at:?}",
            d.name
        );
        let got = pdf.get_pixel(at.0, at.1).0;
        assert!(
            colour_close(got, want, 3),
            "{}: pdftoppm {got:?} vs {want:?}",
            d.name
        );
        let path = svg.find(&format!("id=\"d{i}\"")).unwrap();
        assert!(svg[path..path + 60].contains(&hex(want)), "{} SVG", d.name);
        checked += 1;
    }
    assert!(checked >= 95, "only {checked} counties checked");
}

#[test]
fn a_district_view_and_a_profile_from_the_atlas() {
    let atlas = atlas();
    let geometry = atlas.print_geometry("nc").unwrap();
    let page = atlas
        .map_page(
            &geometry,
            &MapRequest {
                layer: "nc",
                indicator: "sids_rate74",
                style: &Style::default(),
                view: &PrintView::District("37183".to_string()),
                page: PageSpec::default(),
                lang: Lang::En,
                title: None,
            },
        )
        .unwrap();
    let (_, nc) = atlas.layer("nc").unwrap();
    let wake = nc.district("37183").unwrap();
    assert_eq!(nc.atlas.layer.districts[wake].name, "Wake");
    assert!(!page.map.styles[wake].context);
    assert_eq!(page.map.styles.iter().filter(|s| s.context).count(), 99);
    assert!(page.subtitle.as_deref().unwrap().starts_with("Wake · "));

    let profile = atlas
        .profile_page(
            &geometry,
            &ProfileRequest {
                layer: "nc",
                district: "37183",
                style: &Style::default(),
                page: PageSpec::default(),
                lang: Lang::De,
            },
        )
        .unwrap();
    assert_eq!(profile.title, "Wake");
    assert_eq!(profile.rows.len(), nc.atlas.indicators.len());
    // The profile's numbers are the district endpoint's: value, the layer's reference (for the
    // rates the ratio of the totals), rank of the count.
    let values = nc.district_values(wake);
    for (k, ind) in nc.atlas.indicators.iter().enumerate() {
        let row = profile
            .rows
            .iter()
            .find(|r| r.title == ind.title.get("de"))
            .unwrap();
        assert_eq!(row.value, values.values[ind.id.as_str()]);
        assert_eq!(row.reference, nc.stats[k].reference);
        assert_eq!(
            row.rank,
            values.ranks[ind.id.as_str()].map(|r| (r, nc.stats[k].count as u32))
        );
    }
    let text = compose_profile(&profile).unwrap();
    assert!(text.svg().contains(">Wake</text>"));
    assert!(atlas
        .profile_page(
            &geometry,
            &ProfileRequest {
                district: "nope",
                ..ProfileRequest {
                    layer: "nc",
                    district: "",
                    style: &Style::default(),
                    page: PageSpec::default(),
                    lang: Lang::De,
                }
            },
        )
        .unwrap_err()
        .is_bad_request());
}
