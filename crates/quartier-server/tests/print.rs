//! Print output end to end: the `quartier render` and `quartier report` commands (the built
//! binary, as a user runs it) and the HTTP routes `/static/...` and `/report/...`.
//!
//! The report test uses `tests/fixtures/de_report/atlas.toml` (the 401 German Kreise of
//! `geodata/de`, six indicators): its page count must be 1 + 6 + 401 + 1, and poppler's
//! `pdftotext` must find district names with umlauts in it. The colour agreement of printed
//! maps with the tiles is tested in `quartier-atlas` (`tests/print.rs`); here the CLI's PNG is
//! checked against the HTTP tile at interior points from the shapely reference fixture.
#![allow(clippy::unwrap_used)] // test helpers may panic: a failing fixture read is a failing test

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use quartier_server::source;
use quartier_server::state::{AppState, ServerOptions};
use tower::ServiceExt;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn out_dir() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("print-cli");
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn quartier(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_quartier"))
        .args(args)
        .current_dir(repo())
        .output()
        .unwrap()
}

fn tool(name: &str, args: &[&str]) -> String {
    let path = PathBuf::from("/usr/bin").join(name);
    assert!(
        path.exists(),
        "{name} is missing: install Debian's poppler-utils (scripts/test-all.sh does)"
    );
    let out = Command::new(path).args(args).output().unwrap();
    assert!(out.status.success(), "{name} failed: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn decode(png: &[u8]) -> image::RgbaImage {
    image::load_from_memory_with_format(png, image::ImageFormat::Png)
        .unwrap()
        .to_rgba8()
}

fn pages_of(pdf: &Path) -> usize {
    let info = tool("pdfinfo", &[pdf.to_str().unwrap()]);
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn render_writes_png_svg_and_pdf_by_extension() {
    let dir = out_dir();
    for ext in ["png", "svg", "pdf"] {
        let out = dir.join(format!("sids.{ext}"));
        let o = quartier(&[
            "render",
            "--layer",
            "nc",
            "--indicator",
            "sids_rate74",
            "--lang",
            "de",
            "--dpi",
            "72",
            "--title",
            "Plötzlicher Kindstod",
            "-o",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{o:?}");
        let bytes = std::fs::read(&out).unwrap();
        match ext {
            "png" => {
                assert_eq!(decode(&bytes).dimensions(), (595, 842), "A4 at 72 dpi");
            }
            "svg" => {
                let svg = String::from_utf8(bytes).unwrap();
                assert!(svg.contains(">Plötzlicher Kindstod</text>"));
                assert!(svg.contains(">Keine Daten</text>"), "German no-data row");
                assert!(svg.contains(">Wake</text>") || svg.contains(">Mecklenburg</text>"));
            }
            _ => {
                let text = tool("pdftotext", &[out.to_str().unwrap(), "-"]);
                assert!(text.contains("Plötzlicher Kindstod"), "{text}");
                assert!(text.contains("Quelle:"), "{text}");
            }
        }
    }
}

#[test]
fn render_refuses_bad_input_with_a_message() {
    let png = out_dir().join("bad.png");
    let png = png.to_str().unwrap();
    let jpg = out_dir().join("bad.jpg");
    let jpg = jpg.to_str().unwrap();
    let cases: [(&[&str], &str); 5] = [
        (
            &["--indicator", "sids_rate74", "-o", jpg],
            ".png, .svg or .pdf",
        ),
        (
            &["--indicator", "nope", "-o", png],
            "has no indicator \"nope\"",
        ),
        (
            &["--indicator", "sids_rate74", "--dpi", "5000", "-o", png],
            "from 36 to 1200",
        ),
        (
            &["--indicator", "sids_rate74", "--size", "A5", "-o", png],
            "A4, A3, WxHmm",
        ),
        (
            &[
                "--indicator",
                "sids_rate74",
                "--district",
                "nope",
                "-o",
                png,
            ],
            "no district \"nope\"",
        ),
    ];
    for (args, message) in cases {
        let mut all = vec!["render", "--layer", "nc"];
        all.extend_from_slice(args);
        let o = quartier(&all);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{all:?}: {err}");
        assert!(err.contains(message), "{all:?}: {err}");
    }
    assert!(!Path::new(png).exists(), "a failed run leaves no file");
    let o = quartier(&["render", "--indicator", "x", "-o", png]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("choose one with --layer"), "{err}");
}

#[test]
fn the_german_report_has_every_page_and_its_umlauts() {
    let out = out_dir().join("kreise.pdf");
    let o = quartier(&[
        "report",
        "tests/fixtures/de_report/atlas.toml",
        "--layer",
        "kreise",
        "--lang",
        "de",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{o:?}");
    // Title page, six maps, 401 profiles, sources.
    assert_eq!(pages_of(&out), 1 + 6 + 401 + 1);
    let text = tool("pdftotext", &[out.to_str().unwrap(), "-"]);
    for name in [
        "Sozialraumbericht Deutschland",
        "Düren",
        "Mönchengladbach",
        "Fürth",
        "Schulabgänger mit Abitur",
        "Quellen",
        "Durchschnitt",
        "Keine Daten",
    ] {
        assert!(text.contains(name), "{name} missing from the report");
    }
    // Every Kreis has its profile page: the title of page 1 + 6 + k + 1 is the k-th name.
    let first_profile = tool(
        "pdftotext",
        &["-f", "8", "-l", "8", out.to_str().unwrap(), "-"],
    );
    assert!(first_profile.contains("Flensburg"), "{first_profile}");
    let sources = tool(
        "pdftotext",
        &["-f", "409", "-l", "409", out.to_str().unwrap(), "-"],
    );
    assert!(
        sources.contains("Polizeiliche Kriminalstatistik"),
        "{sources}"
    );
}

// ---------------------------------------------------------------------------------------------
// HTTP

fn state() -> Arc<AppState> {
    static STATE: OnceLock<Arc<AppState>> = OnceLock::new();
    STATE
        .get_or_init(|| {
            let (atlas, _) =
                source::load_all(&[repo().join("geodata/atlas.toml")], &Default::default())
                    .unwrap();
            Arc::new(AppState::new(atlas, &ServerOptions::default()))
        })
        .clone()
}

async fn get(
    uri: &str,
    if_none_match: Option<&str>,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut request = Request::get(uri);
    if let Some(tag) = if_none_match {
        request = request.header("if-none-match", tag);
    }
    let response = quartier_server::app(state())
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, headers, body.to_vec())
}

#[tokio::test]
async fn static_maps_in_three_formats_with_etags() {
    let base = "/static/nc/sids_rate74";
    let q = "?method=jenks&classes=4&lang=de&dpi=50&size=A4&landscape=1";
    let (s, h, png) = get(&format!("{base}.png{q}"), None).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&png));
    assert_eq!(h["content-type"], "image/png");
    assert_eq!(
        decode(&png).dimensions(),
        (585, 413),
        "A4 landscape at 50 dpi"
    );
    let etag = h["etag"].to_str().unwrap().to_string();
    assert!(h["cache-control"].to_str().unwrap().contains("max-age"));
    let (s, _, body) = get(&format!("{base}.png{q}"), Some(&etag)).await;
    assert_eq!(s, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    // Another style is another page.
    let (_, h2, _) = get(&format!("{base}.png?method=quantile&dpi=50"), None).await;
    assert_ne!(h2["etag"].to_str().unwrap(), etag);

    let (s, h, svg) = get(&format!("{base}.svg{q}"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h["content-type"], "image/svg+xml");
    let svg = String::from_utf8(svg).unwrap();
    let st = state();
    let legend = st
        .legend(
            "nc",
            "sids_rate74",
            &quartier_atlas::Style::from_pairs([("method", "jenks"), ("classes", "4")]),
            quartier_atlas::Lang::De,
        )
        .unwrap();
    for (label, colour) in legend.labels.iter().zip(&legend.colors) {
        // As SVG text: "&", "<" and ">" escaped (labels above the first break start with ">").
        let text = label
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        assert!(svg.contains(&format!(">{text}</text>")), "{label}");
        assert!(svg.contains(colour.as_str()), "{colour}");
    }
    let (s, h, pdf) = get(&format!("{base}.pdf{q}"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h["content-type"], "application/pdf");
    assert!(pdf.starts_with(b"%PDF-"));
}

#[tokio::test]
async fn print_limits_and_names_are_400s_and_404s() {
    let cases = [
        (
            "/static/nc/sids_rate74.png?dpi=5000",
            400,
            "from 36 to 1200",
        ),
        (
            "/static/nc/sids_rate74.png?size=A3&dpi=1200",
            400,
            "lower the dpi",
        ),
        (
            "/static/nc/sids_rate74.png?size=9x9mm",
            400,
            "sides 50..2000 mm",
        ),
        ("/static/nc/sids_rate74.gif", 400, "{indicator}.png"),
        ("/static/nc/sids_rate74.png?bbox=1,2,3", 400, "four numbers"),
        ("/static/nc/sids_rate74.png?classes=12", 400, "classes"),
        ("/static/nc/nope.png", 404, "has no indicator"),
        ("/static/nope/x.png", 404, "no layer"),
        ("/report/nc/nope.pdf", 404, "no district"),
        ("/report/nope.pdf", 404, "no layer"),
        ("/report/nc.png", 400, "{layer}.pdf"),
    ];
    for (uri, status, message) in cases {
        let (s, _, body) = get(uri, None).await;
        let body = String::from_utf8_lossy(&body);
        assert_eq!(s.as_u16(), status, "{uri}: {body}");
        assert!(body.contains(message), "{uri}: {body}");
    }
}

#[tokio::test]
async fn profiles_and_reports_over_http() {
    let (s, h, pdf) = get("/report/nc/37183.pdf?lang=de", None).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&pdf));
    assert_eq!(h["content-type"], "application/pdf");
    let path = out_dir().join("wake.pdf");
    std::fs::write(&path, &pdf).unwrap();
    assert_eq!(pages_of(&path), 1);
    let text = tool("pdftotext", &[path.to_str().unwrap(), "-"]);
    assert!(
        text.contains("Wake") && text.contains("Durchschnitt"),
        "{text}"
    );

    let (s, _, pdf) = get("/report/montreal.pdf?lang=en", None).await;
    assert_eq!(s, StatusCode::OK);
    let path = out_dir().join("montreal.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let st = state();
    let (_, montreal) = st.layer("montreal").unwrap();
    let expected = 1 + montreal.atlas.indicators.len() + montreal.atlas.layer.districts.len() + 1;
    assert_eq!(pages_of(&path), expected);
}
