//! `quartier export`: the whole atlas as a static site for any web host, object storage or CDN,
//! with no Quartier process on the hot path (`docs/deploy.md`).
//!
//! The site is what the map page asks for, taken from the server itself: every JSON answer comes
//! from the router in-process (the same handlers, so the files are the answers byte for byte),
//! written under the path the page requests with the language in the file name (a static host
//! ignores query strings; `web/static-site.js` maps the page's URLs to these files). The tiles
//! are one PMTiles archive per indicator in its default style, seeded through the atlas's tile
//! entry point as `quartier seed` does; the page reads them with the vendored `pmtiles` package.
//!
//! Every period of an indicator gets its own files under `p/{PERIOD}/`, mirroring the paths of
//! the default (each indicator's latest period), so the page's year slider works on a static host
//! too: the legend, `values.json` and the district profiles of that year, and a tile archive per
//! indicator and year. The latest year's archive is the default one, not a copy. Change maps
//! (`compare`) would need a file per pair of years and stay with the server.
//!
//! ```text
//! site/index.html, main.js, ..., vendor/       the map page (web/), marked as static
//! site/api/atlas.{de,en}.json                  /api/atlas?lang=..
//! site/api/layers.{de,en}.json                 /api/layers?lang=..
//! site/api/layers/{layer}.{de,en}.json         /api/layers/{layer}?lang=..
//! site/api/layers/{layer}/features.geojson
//! site/api/layers/{layer}/values.json
//! site/api/layers/{layer}/districts/{id}.json
//! site/api/layers/{layer}/indicators/{ind}/legend.{de,en}.json
//! site/api/layers/{layer}/indicators/{ind}/series.json    (indicators with periods)
//! site/tiles/{layer}/{ind}.pmtiles
//! site/p/{period}/api/layers/{layer}/values.json           (every period of the layer)
//! site/p/{period}/api/layers/{layer}/districts/{id}.json
//! site/p/{period}/api/layers/{layer}/indicators/{ind}/legend.{de,en}.json
//! site/p/{period}/tiles/{layer}/{ind}.pmtiles               (every period but the latest)
//! ```

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use bytes::Bytes;
use clap::{Args, ValueEnum};
use quartier_atlas::layer::PreparedLayer;
use quartier_atlas::style::url_escape;
use quartier_atlas::Style;
use quartier_server::source;
use quartier_server::state::{AppState, ServerOptions};
use tower::ServiceExt;

use crate::flags::ImportFlags;
use crate::seed_cmd::{self, SeedPlan, Zooms};

const EXPORT_EXAMPLES: &str = "\
Examples:
  The bundled atlas as a static site, tiles to zoom 12, then try it locally:
    quartier export geodata/atlas.toml -o site/
    cd site && python3 -m http.server 8000      # open http://127.0.0.1:8000/

  Only North Carolina, tiles to zoom 10:
    quartier export geodata/atlas.toml --layer nc --zoom 0-10 -o site-nc/

  The German districts with every year of every indicator (the year slider works), to zoom 8:
    quartier export geodata/de/atlas.toml --zoom 0-8 -o site-de/
  Only each indicator's latest year (one archive per indicator, a quicker export):
    quartier export geodata/de/atlas.toml --periods latest -o site-de/

Upload the folder to any static host (object storage + CDN, nginx, GitHub Pages): docs/deploy.md.
The page shows every indicator in its default style, in every year; other classifications and change
maps need `quartier serve`.
Exit status: 0 success, 2 an error.";

/// Flags of `quartier export`.
#[derive(Debug, Clone, Args)]
#[command(after_help = EXPORT_EXAMPLES)]
pub struct ExportArgs {
    /// Atlas manifest (.toml) or boundary file (.shp, .zip, .geojson, .topojson).
    #[arg(value_name = "ATLAS_OR_FILE")]
    pub source: PathBuf,
    /// Only these layers (repeat for more) [default: every layer].
    #[arg(long, value_name = "LAYER")]
    pub layer: Vec<String>,
    /// Zoom levels of the tile archives, `MIN-MAX`.
    #[arg(long, value_name = "MIN-MAX", default_value = "0-12", value_parser = seed_cmd::parse_zooms)]
    pub zoom: Zooms,
    /// Which years of indicators with periods get files and tile archives.
    #[arg(long, value_enum, value_name = "WHICH", default_value = "all")]
    pub periods: PeriodsChoice,
    /// Rendering threads [default: one per core].
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// Folder of the map page [default: web/ in the current directory or the checkout].
    #[arg(long, value_name = "DIR")]
    pub web: Option<PathBuf>,
    /// The folder to write the site into (created; files in it are replaced).
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    pub output: PathBuf,
    /// Import options for a boundary file.
    #[command(flatten)]
    pub import: ImportFlags,
}

/// Which periods `export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PeriodsChoice {
    /// Every period of every indicator: the page's year slider works.
    All,
    /// Each indicator's latest period only: the page hides the year slider.
    Latest,
}

/// The languages of the page.
const LANGS: [&str; 2] = ["de", "en"];

/// The page's files a static site has no use for: the admin page talks to a server's admin API.
const SERVER_ONLY: [&str; 5] = [
    "README.md",
    "admin.html",
    "admin.js",
    "admin-i18n.js",
    "admin.css",
];

/// Copy the page's folder into the site, without its README and the admin page.
fn copy_page(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    for entry in
        std::fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))?
    {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_page(&entry.path(), &target)?;
        } else if !SERVER_ONLY.iter().any(|f| entry.file_name() == *f) {
            std::fs::copy(entry.path(), &target).with_context(|| {
                format!(
                    "cannot copy {} to {}",
                    entry.path().display(),
                    target.display()
                )
            })?;
        }
    }
    Ok(())
}

/// Mark the copied page as static and load the `pmtiles` reader before the page's modules.
fn mark_static(index: &Path) -> anyhow::Result<()> {
    let html = std::fs::read_to_string(index)
        .with_context(|| format!("cannot read {}", index.display()))?;
    let leaflet = "<script src=\"vendor/leaflet/leaflet.js\"></script>";
    if !html.contains("<html") || !html.contains(leaflet) {
        bail!(
            "{} does not look like Quartier's map page (no <html> or no {leaflet}): pass --web",
            index.display()
        );
    }
    let html = html
        .replacen("<html", "<html data-quartier-static=\"1\"", 1)
        .replacen(
            leaflet,
            &format!("{leaflet}\n  <script src=\"vendor/pmtiles/pmtiles.js\"></script>"),
            1,
        );
    std::fs::write(index, html).with_context(|| format!("cannot write {}", index.display()))
}

/// One GET through the router, in-process.
async fn get(router: &Router, path: &str) -> anyhow::Result<Bytes> {
    let request = Request::get(path).body(Body::empty())?;
    let response = router.clone().oneshot(request).await?;
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
    if status != StatusCode::OK {
        bail!(
            "GET {path} answered {status}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    Ok(body)
}

fn write(site: &Path, relative: &str, body: &[u8]) -> anyhow::Result<()> {
    let path = site.join(relative);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(&path, body).with_context(|| format!("cannot write {}", path.display()))
}

/// A file name for an id: ids with a slash or a leading dot cannot be one.
fn file_safe(id: &str) -> bool {
    !id.is_empty() && !id.contains('/') && !id.contains('\\') && !id.starts_with('.')
}

/// Every period of a layer's indicators, oldest first (the `p/{PERIOD}/` folders of the site).
fn layer_periods(layer: &PreparedLayer) -> Vec<i32> {
    let mut periods: Vec<i32> = layer
        .atlas
        .indicators
        .iter()
        .flat_map(|i| i.periods.iter().copied())
        .collect();
    periods.sort_unstable();
    periods.dedup();
    periods
}

/// The answers that change with the year shown: at the default paths for each indicator's latest
/// year (`period` `None`), or under `p/{YEAR}/` for what the page asks for with `?period=YEAR`.
/// They are the legends (of the indicators with that year) in both languages, `values.json`
/// (the page's districts without geometry: table, profile, search, hover box) and the profiles.
async fn write_year(
    router: &Router,
    site: &Path,
    layer: &PreparedLayer,
    period: Option<i32>,
) -> anyhow::Result<()> {
    let id = url_escape(layer.id());
    let dir = match period {
        Some(p) => format!("p/{p}/api/layers/{}", layer.id()),
        None => format!("api/layers/{}", layer.id()),
    };
    // The route with the year and the language, as the page asks for it.
    let url = |path: String, lang: Option<&str>| {
        let params: Vec<String> = period
            .map(|p| format!("period={p}"))
            .into_iter()
            .chain(lang.map(|l| format!("lang={l}")))
            .collect();
        if params.is_empty() {
            path
        } else {
            format!("{path}?{}", params.join("&"))
        }
    };
    for lang in LANGS {
        for ind in layer
            .atlas
            .indicators
            .iter()
            .filter(|i| period.is_none_or(|p| i.periods.contains(&p)))
        {
            let path = format!(
                "/api/layers/{id}/indicators/{}/legend.json",
                url_escape(&ind.id)
            );
            write(
                site,
                &format!("{dir}/indicators/{}/legend.{lang}.json", ind.id),
                &get(router, &url(path, Some(lang))).await?,
            )?;
        }
    }
    let values = url(format!("/api/layers/{id}/values.json"), None);
    write(
        site,
        &format!("{dir}/values.json"),
        &get(router, &values).await?,
    )?;
    for d in &layer.atlas.layer.districts {
        if !file_safe(&d.id) {
            if period.is_none() {
                tracing::warn!(layer = layer.id(), district = %d.id, "district id cannot be a file name: its profile is left out");
            }
            continue;
        }
        let path = url(
            format!("/api/layers/{id}/districts/{}", url_escape(&d.id)),
            None,
        );
        write(
            site,
            &format!("{dir}/districts/{}.json", d.id),
            &get(router, &path).await?,
        )?;
    }
    Ok(())
}

/// Every JSON answer the page needs, in both languages (and in every period with `all`).
async fn write_json(
    state: &AppState,
    router: &Router,
    site: &Path,
    max_zoom: u8,
    periods: PeriodsChoice,
) -> anyhow::Result<()> {
    for lang in LANGS {
        let mut atlas: serde_json::Value =
            serde_json::from_slice(&get(router, &format!("/api/atlas?lang={lang}")).await?)?;
        // The page scales the archive's deepest tiles beyond it.
        atlas["static_max_zoom"] = max_zoom.into();
        // Whether the site holds every period (the page shows the year slider then).
        atlas["static_periods"] = (periods == PeriodsChoice::All).into();
        write(
            site,
            &format!("api/atlas.{lang}.json"),
            &serde_json::to_vec(&atlas)?,
        )?;
        write(
            site,
            &format!("api/layers.{lang}.json"),
            &get(router, &format!("/api/layers?lang={lang}")).await?,
        )?;
        for layer in &state.layers {
            let id = url_escape(layer.id());
            write(
                site,
                &format!("api/layers/{}.{lang}.json", layer.id()),
                &get(router, &format!("/api/layers/{id}?lang={lang}")).await?,
            )?;
        }
    }
    for layer in &state.layers {
        let id = url_escape(layer.id());
        write(
            site,
            &format!("api/layers/{}/features.geojson", layer.id()),
            &get(router, &format!("/api/layers/{id}/features.geojson")).await?,
        )?;
        write_year(router, site, layer, None).await?;
        if periods == PeriodsChoice::All {
            // The table's "one column per year".
            for ind in layer
                .atlas
                .indicators
                .iter()
                .filter(|i| i.periods.len() > 1)
            {
                let path = format!(
                    "/api/layers/{id}/indicators/{}/series.json",
                    url_escape(&ind.id)
                );
                write(
                    site,
                    &format!(
                        "api/layers/{}/indicators/{}/series.json",
                        layer.id(),
                        ind.id
                    ),
                    &get(router, &path).await?,
                )?;
            }
            for period in layer_periods(layer) {
                write_year(router, site, layer, Some(period)).await?;
            }
        }
    }
    Ok(())
}

/// `quartier export ATLAS_OR_FILE -o DIR`.
pub fn run(args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let (mut loaded, _) =
        source::load_all(std::slice::from_ref(&args.source), &args.import.options())?;
    for id in &args.layer {
        if !loaded.layers.iter().any(|l| &l.id == id) {
            let known: Vec<&str> = loaded.layers.iter().map(|l| l.id.as_str()).collect();
            bail!(
                "--layer {id:?}: the atlas has no such layer; its layers are {}",
                known.join(", ")
            );
        }
    }
    if !args.layer.is_empty() {
        loaded.layers.retain(|l| args.layer.contains(&l.id));
    }
    for l in &loaded.layers {
        let bad = std::iter::once(&l.id)
            .chain(l.indicators.iter().map(|i| &i.id))
            .find(|id| !file_safe(id));
        if let Some(id) = bad {
            bail!(
                "id {id:?} of layer {:?} cannot be a file name: rename it in the manifest",
                l.id
            );
        }
    }
    let web = match args.web.clone().or_else(source::default_web_dir) {
        Some(w) => w,
        None => bail!("no map page found (web/index.html): pass --web DIR"),
    };
    let site = &args.output;
    let options = ServerOptions {
        cache_bytes: 0,
        web_dir: None,
        render_threads: 0,
        ..ServerOptions::default()
    };
    let state = Arc::new(AppState::new(loaded, &options));
    let router = quartier_server::app(Arc::clone(&state));
    copy_page(&web, site)?;
    mark_static(&site.join("index.html"))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(write_json(&state, &router, site, args.zoom.1, args.periods))?;
    let mut tiles = 0;
    let mut archives = 0;
    for layer in &state.layers {
        for ind in &layer.atlas.indicators {
            // The default style's latest period first, then (with `all`) every earlier period.
            let earlier = match (args.periods, ind.periods.split_last()) {
                (PeriodsChoice::All, Some((_, earlier))) => earlier,
                _ => &[],
            };
            let runs = std::iter::once(None).chain(earlier.iter().map(Some));
            for period in runs {
                let plan = SeedPlan {
                    layer: layer.id(),
                    indicator: &ind.id,
                    style: Style {
                        period: period.map(i32::to_string),
                        ..Style::default()
                    },
                    zooms: args.zoom,
                    bbox: None,
                    scale: 1,
                    threads: args.threads,
                    progress: true,
                };
                let prefix = period.map_or(String::new(), |p| format!("p/{p}/"));
                let out = site.join(format!("{prefix}tiles/{}/{}.pmtiles", layer.id(), ind.id));
                if let Some(dir) = out.parent() {
                    std::fs::create_dir_all(dir)
                        .with_context(|| format!("cannot create {}", dir.display()))?;
                }
                let report = seed_cmd::seed(&state.atlas, &plan, &out)
                    .with_context(|| format!("cannot seed {}", out.display()))?;
                tiles += report.archive.tiles;
                archives += 1;
            }
        }
    }
    tracing::info!(
        layers = state.layers.len(),
        archives,
        tiles,
        "wrote the static site {} (serve the folder with any web server, e.g. `python3 -m http.server`)",
        site.display()
    );
    Ok(ExitCode::SUCCESS)
}
