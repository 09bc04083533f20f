//! Print pages (static map and profile) on the real NC counties: the SVG, PNG and PDF of one
//! composition hold the texts and show the class colours at the counties' interior points,
//! the labels are inside their counties and never overlap.
//!
//! Expected colours come from the data (SID74 per 1000 births, ranked into five classes here),
//! interior points from geo, PDF text and pixels from poppler (`pdftotext`, `pdftoppm`,
//! `pdffonts`), which shares no code with the encoders.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use geo::{Contains, InteriorPoint, MapCoords, MultiPolygon};
use quartier_render::print::{
    compose_map, compose_profile, pdf_document, Composition, DistrictStyle, IndexComponent, Lang,
    Legend, LegendKind, LegendRow, MapContent, MapPage, Orientation, PageSize, PageSpec,
    PrintError, PrintLayer, ProfilePage, ProfileRow, Series, View,
};
use quartier_render::{render_tile, TileLayer};

use crate::fixtures::{decode, fixture, locate, mercator, YLORRD5};

/// The NC counties with their names and SIDS rates.
pub struct Counties {
    pub polygons: Vec<MultiPolygon<f64>>,
    pub tiles: TileLayer,
    pub names: Vec<String>,
    /// SID74 per 1000 births 1974.
    pub rate: Vec<f64>,
    pub sid74: Vec<f64>,
    /// Quintile class of `rate` (0..5), by rank.
    pub class: Vec<usize>,
}

pub fn counties() -> &'static Counties {
    static C: OnceLock<Counties> = OnceLock::new();
    C.get_or_init(|| {
        let rows = shapefile::read_as::<_, shapefile::Polygon, shapefile::dbase::Record>(fixture(
            "nc_sids/nc.shp",
        ))
        .unwrap();
        let mut polygons = Vec::new();
        let (mut names, mut rate, mut sid74) = (Vec::new(), Vec::new(), Vec::new());
        for (shape, record) in rows {
            let mp: MultiPolygon<f64> = shape.try_into().unwrap();
            polygons.push(mp.map_coords(mercator));
            let text = |f: &str| match record.get(f) {
                Some(shapefile::dbase::FieldValue::Character(Some(s))) => s.clone(),
                other => panic!("{f}: {other:?}"),
            };
            let number = |f: &str| match record.get(f) {
                Some(shapefile::dbase::FieldValue::Numeric(Some(v))) => *v,
                other => panic!("{f}: {other:?}"),
            };
            names.push(text("NAME"));
            sid74.push(number("SID74"));
            rate.push(1000.0 * number("SID74") / number("BIR74"));
        }
        let mut order: Vec<usize> = (0..rate.len()).collect();
        order.sort_by(|&a, &b| rate[a].total_cmp(&rate[b]));
        let mut class = vec![0; rate.len()];
        for (rank, &i) in order.iter().enumerate() {
            class[i] = rank * 5 / rate.len();
        }
        let tiles = TileLayer::new(polygons.clone());
        Counties {
            polygons,
            tiles,
            names,
            rate,
            sid74,
            class,
        }
    })
}

fn index_of(name: &str) -> usize {
    counties().names.iter().position(|n| n == name).unwrap()
}

/// Three big counties renamed after German Kreise, to see umlauts through every encoder.
pub const UMLAUT_NAMES: [(&str, &str); 3] = [
    ("Robeson", "Mönchengladbach"),
    ("Sampson", "Düren"),
    ("Columbus", "Fürth"),
];
pub const NO_DATA: [u8; 4] = [0xd9, 0xd9, 0xd9, 0xff];
pub const TITLE: &str = "Plötzlicher Kindstod 1974 je 1000 Geburten";

pub fn layer() -> PrintLayer<'static> {
    let c = counties();
    PrintLayer::new(&c.polygons, &c.tiles).unwrap()
}

/// Suppressed: fewer than 2 cases (hatched, as the live map would).
fn suppressed(i: usize) -> bool {
    counties().sid74[i] < 2.0
}

pub fn legend() -> Legend {
    let c = counties();
    let mut rows: Vec<LegendRow> = (0..5)
        .map(|k| {
            let members: Vec<f64> = (0..c.rate.len())
                .filter(|&i| c.class[i] == k && !suppressed(i))
                .map(|i| c.rate[i])
                .collect();
            let lo = members.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = members.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            LegendRow {
                kind: LegendKind::Class,
                colour: YLORRD5[k],
                label: format!("{lo:.2} – {hi:.2} ‰").replace('.', ","),
                count: Some(members.len()),
            }
        })
        .collect();
    rows.push(LegendRow {
        kind: LegendKind::Suppressed,
        colour: [0xff, 0xff, 0xff, 0xff],
        label: "weniger als 2 Fälle".to_string(),
        count: Some((0..c.rate.len()).filter(|&i| suppressed(i)).count()),
    });
    rows.push(LegendRow {
        kind: LegendKind::NoData,
        colour: NO_DATA,
        label: "keine Daten".to_string(),
        count: Some(0),
    });
    Legend {
        title: Some("Fälle je 1000 Geburten".to_string()),
        rows,
    }
}

pub fn map_page(spec: PageSpec) -> MapPage<'static> {
    let c = counties();
    let styles = (0..c.rate.len())
        .map(|i| {
            if suppressed(i) {
                DistrictStyle {
                    hatch: true,
                    ..DistrictStyle::filled([0xff, 0xff, 0xff, 0xff])
                }
            } else {
                DistrictStyle::filled(YLORRD5[c.class[i]])
            }
        })
        .collect();
    let labels = c
        .names
        .iter()
        .map(|n| {
            let renamed = UMLAUT_NAMES.iter().find(|(from, _)| from == n);
            Some(renamed.map_or(n.clone(), |(_, to)| (*to).to_string()))
        })
        .collect();
    MapPage {
        page: spec,
        map: MapContent {
            layer: layer(),
            styles,
            labels,
            view: View::Layer,
        },
        title: TITLE.to_string(),
        subtitle: Some("North Carolina, Counties · Quintile".to_string()),
        legend: legend(),
        source: Some("Quelle: NC SIDS (Cressie 1991), Debian-Paket r-cran-sf".to_string()),
        attribution: Some("Grenzen: US Census Bureau".to_string()),
        scale_bar: true,
        lang: Lang::De,
    }
}

pub fn landscape(dpi: f64) -> PageSpec {
    PageSpec {
        size: PageSize::A4,
        orientation: Orientation::Landscape,
        dpi,
    }
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
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("print");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn pdftotext(pdf: &[u8], name: &str) -> String {
    let path = tmp(name);
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new(tool("pdftotext"))
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success(), "pdftotext failed: {out:?}");
    String::from_utf8(out.stdout).unwrap()
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
    let png = std::fs::read(format!("{}.png", prefix.display())).unwrap();
    decode(&png)
}

/// Interior point of county `name` (geo, full detail), in mercator metres.
fn interior(name: &str) -> [f64; 2] {
    let p = counties().polygons[index_of(name)]
        .interior_point()
        .unwrap();
    [p.x(), p.y()]
}

/// Pixel of a page point at `dpi`.
fn pixel(q: [f64; 2], dpi: f64) -> (u32, u32) {
    ((q[0] / 72.0 * dpi) as u32, (q[1] / 72.0 * dpi) as u32)
}

fn assert_colour(img: &image::RgbaImage, at: (u32, u32), want: [u8; 4], tolerance: u8, what: &str) {
    let got = img.get_pixel(at.0, at.1).0;
    let close = got
        .iter()
        .zip(want)
        .all(|(a, b)| a.abs_diff(b) <= tolerance);
    assert!(close, "{what}: pixel {at:?} is {got:?}, expected {want:?}");
}

/// Whether a page point is under a placed label (with its halo, plus a pixel).
fn under_label(page: &Composition, q: [f64; 2]) -> bool {
    page.labels().iter().any(|l| {
        let b = l.bbox;
        b[0] - 1.0 <= q[0] && q[0] <= b[2] + 1.0 && b[1] - 1.0 <= q[1] && q[1] <= b[3] + 1.0
    })
}

fn composed(dpi: f64) -> &'static Composition {
    static PAGE: OnceLock<Composition> = OnceLock::new();
    assert_eq!(dpi, 100.0);
    // A3, so that "Mönchengladbach" fits into Robeson county.
    let spec = PageSpec {
        size: PageSize::A3,
        ..landscape(100.0)
    };
    PAGE.get_or_init(|| compose_map(&map_page(spec)).unwrap())
}

#[test]
fn svg_parses_and_holds_legend_labels_and_class_colours() {
    let page = composed(100.0);
    let svg = page.svg();
    let tree = usvg::Tree::from_str(svg, &usvg::Options::default()).unwrap();
    assert!(
        (tree.size().width() - 420.0 / 25.4 * 96.0).abs() < 0.5,
        "A3 landscape"
    );
    for row in legend().rows {
        let escaped = row.label.replace('<', "&lt;");
        assert!(
            svg.contains(&format!(">{escaped}</text>")),
            "legend label {} missing",
            row.label
        );
        let count = row.count.unwrap();
        assert!(
            svg.contains(&format!(">{count}</text>")),
            "count {count} missing"
        );
    }
    for colour in YLORRD5 {
        let hex = format!("#{:02x}{:02x}{:02x}", colour[0], colour[1], colour[2]);
        // Swatch and district fills.
        assert!(svg.matches(&hex).count() >= 2, "{hex} missing");
    }
    assert!(svg.contains(&format!(">{TITLE}</text>")));
    assert!(svg.contains("url(#hatch)"));
    // Wake's path has its class colour.
    let wake = index_of("Wake");
    let hex = {
        let c = YLORRD5[counties().class[wake]];
        format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
    };
    let at = svg.find(&format!("id=\"d{wake}\"")).unwrap();
    assert!(svg[at..at + 40].contains(&hex), "{}", &svg[at..at + 40]);
}

#[test]
fn png_svg_raster_pdf_raster_and_tiles_agree_at_interior_points() {
    let page = composed(100.0);
    let png = decode(&page.to_png().unwrap());
    assert_eq!(png.dimensions(), page.pixel_size());
    assert_eq!(png.dimensions(), (1654, 1169), "A3 landscape at 100 dpi");
    let pdf_img = pdftoppm(&page.to_pdf().unwrap(), "colours.pdf", 100);
    // poppler rounds the page size up, resvg to the nearest pixel.
    assert!(
        pdf_img.width().abs_diff(png.width()) <= 1 && pdf_img.height().abs_diff(png.height()) <= 1
    );
    // The SVG text rasterised on its own at 200 dpi, with the default usvg options.
    let tree = usvg::Tree::from_str(page.svg(), &usvg::Options::default()).unwrap();
    let (sw, sh) = (2 * png.width(), 2 * png.height());
    let mut pixmap = resvg::tiny_skia::Pixmap::new(sw, sh).unwrap();
    let k = sw as f32 / tree.size().width();
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(k, k),
        &mut pixmap.as_mut(),
    );
    let svg_img = decode(&pixmap.encode_png().unwrap());

    let frame = page.map_frame().unwrap();
    let c = counties();
    let style = quartier_render::TileStyle {
        fills: (0..c.class.len()).map(|j| YLORRD5[c.class[j]]).collect(),
        border: [0x80, 0x80, 0x80, 0xff],
        border_width: 0.0,
    };
    let mut checked = Vec::new();
    for i in 0..c.polygons.len() {
        if suppressed(i) {
            continue; // the hatch covers the fill
        }
        let Some(p) = sample_point(page, i) else {
            continue;
        };
        let q = frame.project(p);
        let want = YLORRD5[c.class[i]];
        let name = &c.names[i];
        assert_colour(&png, pixel(q, 100.0), want, 0, &format!("{name} PNG"));
        assert_colour(
            &pdf_img,
            pixel(q, 100.0),
            want,
            3,
            &format!("{name} pdftoppm"),
        );
        assert_colour(&svg_img, pixel(q, 200.0), want, 0, &format!("{name} SVG"));
        // The tile renderer draws the same colour there (zoom 9, 256 px).
        let (tile, ti, tj) = locate(geo::Coord { x: p[0], y: p[1] }, 9, 1);
        let tile_img = decode(&render_tile(&c.tiles, &style, tile, 1).unwrap());
        assert_eq!(tile_img.get_pixel(ti, tj).0, want, "{name} tile");
        checked.push(name.as_str());
    }
    assert!(
        checked.contains(&"Wake") && checked.contains(&"Mecklenburg"),
        "{checked:?}"
    );
    let checked = checked.len();
    assert!(checked >= 60, "only {checked} counties checked");
}

/// A point of county `i` (mercator) at least 2 pt inside it and clear of every label: the
/// interior point when it is clear, else the first such point of a grid over the county.
fn sample_point(page: &Composition, i: usize) -> Option<[f64; 2]> {
    use geo::{BoundingRect, Distance, Euclidean};
    let frame = page.map_frame().unwrap();
    let mp = &counties().polygons[i];
    let margin_m = 2.0 / frame.scale;
    let ok = |p: [f64; 2]| {
        let pt = geo::Point::new(p[0], p[1]);
        mp.contains(&pt)
            && mp
                .0
                .iter()
                .flat_map(|poly| std::iter::once(poly.exterior()).chain(poly.interiors()))
                .all(|ring| Euclidean.distance(&pt, ring) > margin_m)
            && !under_label(page, frame.project(p))
    };
    let first = interior(&counties().names[i]);
    if ok(first) {
        return Some(first);
    }
    let b = mp.bounding_rect()?;
    (1..10)
        .flat_map(|a| (1..10).map(move |k| (a, k)))
        .map(|(a, k)| {
            [
                b.min().x + b.width() * f64::from(a) / 10.0,
                b.min().y + b.height() * f64::from(k) / 10.0,
            ]
        })
        .find(|&p| ok(p))
}

#[test]
fn pdf_is_valid_with_embedded_subset_font_and_the_texts() {
    let page = composed(100.0);
    let pdf = page.to_pdf().unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = pdftotext(&pdf, "text.pdf");
    assert!(text.contains(TITLE), "title missing in:\n{text}");
    for row in legend().rows {
        assert!(
            text.contains(&row.label),
            "legend label {} missing in:\n{text}",
            row.label
        );
    }
    let placed: Vec<&str> = page.labels().iter().map(|l| l.text.as_str()).collect();
    for (_, name) in UMLAUT_NAMES {
        assert!(placed.contains(&name), "{name} not placed: {placed:?}");
        assert!(text.contains(name), "{name} missing in:\n{text}");
    }
    // pdffonts: every font embedded ("emb" yes) and subset ("sub" yes).
    let path = tmp("fonts.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let out = Command::new(tool("pdffonts")).arg(&path).output().unwrap();
    let listing = String::from_utf8(out.stdout).unwrap();
    let fonts: Vec<&str> = listing.lines().skip(2).collect();
    assert!(!fonts.is_empty(), "{listing}");
    for f in &fonts {
        assert!(f.contains("NotoSans"), "{listing}");
        let cols: Vec<&str> = f.split_whitespace().collect();
        // name type [encoding...] emb sub uni object ID
        let n = cols.len();
        assert_eq!(
            (cols[n - 5], cols[n - 4]),
            ("yes", "yes"),
            "not embedded and subset: {f}"
        );
    }
}

#[test]
fn labels_are_inside_their_counties_and_never_overlap() {
    let page = composed(100.0);
    let labels = page.labels();
    assert!(labels.len() >= 20, "only {} labels placed", labels.len());
    let frame = page.map_frame().unwrap();
    let c = counties();
    // Largest first: the biggest county by area on the page is labelled.
    for l in labels {
        let b = l.bbox;
        let ring: Vec<(f64, f64)> = [
            [b[0], b[1]],
            [b[2], b[1]],
            [b[2], b[3]],
            [b[0], b[3]],
            [b[0], b[1]],
        ]
        .iter()
        .map(|&q| {
            let p = frame.unproject(q);
            (p[0], p[1])
        })
        .collect();
        let rect = geo::Polygon::new(geo::LineString::from(ring), vec![]);
        assert!(
            c.polygons[l.district].contains(&rect),
            "{} sticks out of its county",
            l.text
        );
    }
    for (i, a) in labels.iter().enumerate() {
        for b in &labels[i + 1..] {
            let apart = a.bbox[2] <= b.bbox[0]
                || b.bbox[2] <= a.bbox[0]
                || a.bbox[3] <= b.bbox[1]
                || b.bbox[3] <= a.bbox[1];
            assert!(apart, "{} and {} overlap", a.text, b.text);
        }
    }
    // The text boxes usvg lays out from the SVG (shaped, kerned) stay within the placed boxes.
    let mut opts = usvg::Options::default();
    opts.fontdb_mut()
        .load_font_data(include_bytes!("../../fonts/NotoSans-Regular.ttf").to_vec());
    let tree = usvg::Tree::from_str(page.svg(), &opts).unwrap();
    let mut text_boxes = Vec::new();
    collect_text_boxes(tree.root(), &mut text_boxes);
    for l in labels {
        let found = text_boxes.iter().find(|(t, _)| t == &l.text);
        let (_, r) = found.unwrap_or_else(|| panic!("no text node for {}", l.text));
        // usvg boxes are in user units, which are the page's points.
        let (x0, x1) = (f64::from(r.left()), f64::from(r.right()));
        assert!(
            x0 >= l.bbox[0] - 0.01 && x1 <= l.bbox[2] + 0.01,
            "{}: laid out {x0}..{x1} outside {:?}",
            l.text,
            l.bbox
        );
    }
}

fn collect_text_boxes(group: &usvg::Group, out: &mut Vec<(String, usvg::Rect)>) {
    for node in group.children() {
        match node {
            usvg::Node::Group(g) => collect_text_boxes(g, out),
            usvg::Node::Text(t) => {
                let s: String = t.chunks().iter().map(|c| c.text()).collect();
                out.push((s, t.bounding_box()));
            }
            _ => {}
        }
    }
}

pub fn profile_page(lang: Lang) -> ProfilePage<'static> {
    let c = counties();
    let d = index_of("Robeson");
    let periods: Vec<String> = (2015..=2020).map(|y| y.to_string()).collect();
    let row = |title: &str, unit: &str, v: f64, r: f64, rank: u32, with_series: bool| ProfileRow {
        title: title.to_string(),
        unit: unit.to_string(),
        value: Some(v),
        reference: Some(r),
        rank: Some((rank, 100)),
        change: Some(v * 0.1),
        decimals: 1,
        series: with_series.then(|| Series {
            periods: periods.clone(),
            values: (0..6)
                .map(|k| Some(v * (0.9 + 0.02 * f64::from(k))))
                .collect(),
            reference: (0..6)
                .map(|k| if k == 2 { None } else { Some(r) })
                .collect(),
        }),
    };
    ProfilePage {
        page: PageSpec {
            dpi: 72.0,
            ..PageSpec::default()
        },
        title: "Düren".to_string(),
        subtitle: Some("Kreisprofil · Mönchengladbach und Fürth zum Vergleich".to_string()),
        locator: Some(MapContent::locator(layer(), d, YLORRD5[4])),
        rows: vec![
            row(
                "Plötzlicher Kindstod je 1000 Geburten",
                "‰",
                c.rate[d],
                2.0,
                3,
                true,
            ),
            row("Geburten 1974", "Anzahl", 2181.0, 1100.0, 5, true),
            row("Anteil nicht-weißer Geburten", "%", 58.5, 30.2, 9, false),
        ],
        index: Some((
            "Sozialindex: Komponenten".to_string(),
            vec![
                IndexComponent {
                    name: "Arbeitslosigkeit".to_string(),
                    weight: 0.4,
                    direction: 1.0,
                    z: Some(1.2),
                },
                IndexComponent {
                    name: "Einkommen".to_string(),
                    weight: 0.35,
                    direction: -1.0,
                    z: Some(0.8),
                },
                IndexComponent {
                    name: "Schulabschlüsse".to_string(),
                    weight: 0.25,
                    direction: -1.0,
                    z: None,
                },
            ],
        )),
        source: Some("Quelle: NC SIDS (Cressie 1991)".to_string()),
        lang,
    }
}

#[test]
fn profile_page_in_three_encodings() {
    let page = compose_profile(&profile_page(Lang::De)).unwrap();
    let svg = page.svg();
    for s in [
        "Düren",
        "Durchschnitt",
        "Veränderung",
        "Verlauf",
        "Plötzlicher Kindstod je 1000 Geburten",
        "2.181,0",
        "Sozialindex: Komponenten",
    ] {
        assert!(svg.contains(s), "{s} missing from the SVG");
    }
    assert!(page.notes().is_empty());
    // The highlighted county has the highlight colour at its interior point, the others grey.
    let png = decode(&page.to_png().unwrap());
    assert_eq!(png.dimensions(), (595, 842));
    let frame = page.map_frame().unwrap();
    assert_colour(
        &png,
        pixel(frame.project(interior("Robeson")), 72.0),
        YLORRD5[4],
        0,
        "Robeson",
    );
    assert_colour(
        &png,
        pixel(frame.project(interior("Wake")), 72.0),
        quartier_render::print::CONTEXT_FILL,
        0,
        "Wake",
    );
    let text = pdftotext(&page.to_pdf().unwrap(), "profile.pdf");
    for s in [
        "Düren",
        "Mönchengladbach",
        "Fürth",
        "Rang",
        "Schulabschlüsse",
    ] {
        assert!(text.contains(s), "{s} missing in:\n{text}");
    }
    let en = compose_profile(&profile_page(Lang::En)).unwrap();
    assert!(en.svg().contains(">Average</text>") && en.svg().contains("2,181.0"));
}

#[test]
fn profile_rows_that_do_not_fit_are_counted_not_drawn_over_the_footer() {
    let mut p = profile_page(Lang::En);
    let row = p.rows[0].clone();
    p.rows = vec![row; 60];
    let page = compose_profile(&p).unwrap();
    assert_eq!(page.notes().len(), 1);
    let n: usize = page.notes()[0].split(' ').next().unwrap().parse().unwrap();
    assert!(n > 30 && n < 60, "{n} rows left out");
}

#[test]
fn a_report_is_one_pdf_with_every_page() {
    let pages = vec![
        compose_map(&map_page(PageSpec {
            dpi: 72.0,
            ..PageSpec::default()
        }))
        .unwrap(),
        compose_profile(&profile_page(Lang::De)).unwrap(),
        compose_profile(&profile_page(Lang::En)).unwrap(),
    ];
    let pdf = pdf_document(&pages, "Bericht").unwrap();
    let path = tmp("report.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let out = Command::new(tool("pdfinfo")).arg(&path).output().unwrap();
    let info = String::from_utf8(out.stdout).unwrap();
    assert!(
        info.lines()
            .any(|l| l.starts_with("Pages:") && l.ends_with(" 3")),
        "{info}"
    );
    assert!(info.contains("Bericht"), "{info}");
    assert!(matches!(pdf_document(&[], "leer"), Err(PrintError::Pdf(_))));
}

#[test]
fn bad_input_gives_errors_not_panics() {
    let mut p = map_page(landscape(1200.0));
    p.page.size = PageSize::A3;
    assert!(matches!(compose_map(&p), Err(PrintError::TooLarge { .. })));
    let mut p = map_page(landscape(100.0));
    p.map.styles.pop();
    assert!(matches!(
        compose_map(&p),
        Err(PrintError::LengthMismatch { .. })
    ));
    let mut p = map_page(landscape(100.0));
    p.map.view = View::District {
        index: 1000,
        margin: 0.2,
    };
    assert!(matches!(compose_map(&p), Err(PrintError::View(_))));
    // Broken geometry: NaN vertices and an empty district print without panicking.
    let polys = vec![
        MultiPolygon(vec![geo::Polygon::new(
            geo::LineString::from(vec![(0.0, 0.0), (f64::NAN, 1.0), (1e4, 0.0), (1e4, 1e4)]),
            vec![],
        )]),
        MultiPolygon(vec![]),
    ];
    let tiles = TileLayer::new(polys.clone());
    let page = MapPage {
        map: MapContent {
            layer: PrintLayer::new(&polys, &tiles).unwrap(),
            styles: vec![DistrictStyle::filled(YLORRD5[0]); 2],
            labels: vec![Some("A & <B>".to_string()), None],
            view: View::Layer,
        },
        ..map_page(landscape(72.0))
    };
    let composed = compose_map(&page).unwrap();
    assert!(!composed.to_png().unwrap().is_empty());
    // The smallest page, with a legend wider than the room left for the map, and a title of
    // 100,000 characters.
    let tiny = MapPage {
        page: PageSpec {
            size: PageSize::Mm {
                width: 50.0,
                height: 50.0,
            },
            orientation: Orientation::Portrait,
            dpi: 72.0,
        },
        title: "Düren ".repeat(20_000),
        ..map_page(landscape(72.0))
    };
    let tiny = compose_map(&tiny).unwrap();
    let frame = tiny.map_frame().unwrap();
    assert!(
        frame.scale > 0.0 && frame.width > 0.0 && frame.height > 0.0,
        "{frame:?}"
    );
    assert!(tiny.svg().contains("…</text>"));
    assert_eq!(decode(&tiny.to_png().unwrap()).dimensions(), (142, 142));
    assert!(composed.to_pdf().unwrap().starts_with(b"%PDF"));
    let district = MapPage {
        map: MapContent {
            view: View::District {
                index: 1,
                margin: 0.1,
            },
            ..page.map.clone()
        },
        ..page.clone()
    };
    assert!(matches!(compose_map(&district), Err(PrintError::View(_))));
}

#[test]
fn district_view_greys_the_neighbours() {
    let c = counties();
    let wake = index_of("Wake");
    let mut p = map_page(PageSpec {
        dpi: 72.0,
        ..PageSpec::default()
    });
    for (i, s) in p.map.styles.iter_mut().enumerate() {
        s.context = i != wake;
    }
    p.map.view = View::District {
        index: wake,
        margin: 0.3,
    };
    let page = compose_map(&p).unwrap();
    let png = decode(&page.to_png().unwrap());
    let frame = page.map_frame().unwrap();
    let labelled: Vec<usize> = page.labels().iter().map(|l| l.district).collect();
    assert!(labelled.contains(&wake), "Wake is labelled");
    for name in ["Durham", "Johnston", "Franklin"] {
        let q = frame.project(interior(name));
        if under_label(&page, q) {
            continue;
        }
        assert_colour(
            &png,
            pixel(q, 72.0),
            quartier_render::print::CONTEXT_FILL,
            0,
            name,
        );
    }
    assert!(c.polygons.len() == 100);
}
