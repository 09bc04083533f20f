//! `quartier render` (one map as PNG, SVG or PDF) and `quartier report` (the whole report of a
//! layer as one PDF).
//!
//! Glue only: the flags become the atlas's print parameters ([`PrintParams`],
//! [`Style`](quartier_atlas::Style)), the
//! atlas makes the pages ([`Atlas::map_page`], [`Atlas::report`]), `quartier-render` encodes them.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context};
use clap::Args;
use quartier_atlas::print::{MapRequest, PrintFormat, PrintParams, ReportProgress, ReportRequest};
use quartier_atlas::Atlas;
use quartier_server::source;

use crate::flags::{ImportFlags, StyleFlags};

const RENDER_EXAMPLES: &str = "\
Examples:
  The SIDS rate of the bundled atlas as a 300 dpi A4 PNG:
    quartier render --layer nc --indicator sids_rate74 -o sids.png

  The same map as vector PDF, A3 landscape, German texts, Jenks with 4 classes:
    quartier render geodata/atlas.toml --layer nc --indicator sids_rate74 \\
      --size A3 --landscape --lang de --method jenks --classes 4 -o sids.pdf

  One Kreis with its neighbours greyed, as SVG with real text:
    quartier render tests/fixtures/de_report/atlas.toml --layer kreise --indicator abitur \\
      --district 05358 --lang de -o dueren.svg

  A change map of the German atlas, population 2008 to 2019, in German:
    quartier render geodata/de/atlas.toml --layer kreise --indicator population \
      --period 2019 --compare 2008 --lang de -o bevoelkerung.pdf

  A box in degrees (west,south,east,north), a web-sized PNG:
    quartier render --layer boston --indicator crime --bbox=-71.2,42.3,-71.0,42.4 \\
      --size 1600x1200px --dpi 150 -o crime.png

The format comes from the extension of -o (.png, .svg, .pdf). Classes, colours and legend labels
are those of the live map for the same style parameters (the map page's legend.json).
Sizes: A4, A3, WxHmm (e.g. 210x148mm) or WxHpx; dpi 36 to 1200 (default 300); a PNG may have
at most 80 million pixels.";

const REPORT_EXAMPLES: &str = "\
Examples:
  The report of the 401 German Kreise, in German:
    quartier report tests/fixtures/de_report/atlas.toml --layer kreise --lang de -o kreise.pdf

  The German atlas in 2015 (profiles show each indicator's change since its first year):
    quartier report geodata/de/atlas.toml --layer kreise --period 2015 --lang de -o 2015.pdf

  The North Carolina counties of the bundled atlas, every map with 7 Jenks classes:
    quartier report geodata/atlas.toml --layer nc --method jenks --classes 7 -o nc.pdf

Pages: a title page with contents, one map per indicator grouped by theme (demography, work,
income, education, housing, safety, other), one profile per district (locator map, value,
average, rank of every indicator), and a sources page: 1 + indicators + districts + 1 pages.";

/// `quartier render`.
#[derive(Debug, Args)]
#[command(after_help = RENDER_EXAMPLES)]
pub struct RenderArgs {
    /// Atlas manifest (.toml) or boundary file [default: what `quartier serve` publishes: the
    /// German demo atlas and the bundled atlas].
    #[arg(value_name = "ATLAS_OR_FILE")]
    pub source: Option<PathBuf>,
    /// Layer id [default: the only layer, when there is one].
    #[arg(long, value_name = "LAYER")]
    pub layer: Option<String>,
    /// Indicator id (see `quartier check` or /api/layers/{layer}).
    #[arg(long, value_name = "INDICATOR")]
    pub indicator: String,
    /// Style of the map, as on the web map.
    #[command(flatten)]
    pub style: StyleFlags,
    /// Show only this box, in degrees: west,south,east,north.
    #[arg(
        long,
        value_name = "W,S,E,N",
        allow_hyphen_values = true,
        conflicts_with = "district"
    )]
    pub bbox: Option<String>,
    /// Show this district (by id) in its colour, its neighbours greyed around it.
    #[arg(long, value_name = "ID")]
    pub district: Option<String>,
    /// Page size: A4, A3, WxHmm or WxHpx.
    #[arg(long, value_name = "SIZE", default_value = "A4")]
    pub size: String,
    /// Landscape instead of portrait.
    #[arg(long)]
    pub landscape: bool,
    /// Resolution of a PNG in dots per inch (SVG and PDF are vector).
    #[arg(long, value_name = "N", default_value_t = 300.0)]
    pub dpi: f64,
    /// Language of titles, legend labels and numbers: de or en.
    #[arg(long, value_name = "LANG", default_value = "en")]
    pub lang: String,
    /// Title instead of the indicator's.
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// Output file; its extension (.png, .svg, .pdf) chooses the format.
    #[arg(short, long, value_name = "OUT")]
    pub output: PathBuf,
    /// Import options for a boundary file.
    #[command(flatten)]
    pub import: ImportFlags,
}

/// `quartier report`.
#[derive(Debug, Args)]
#[command(after_help = REPORT_EXAMPLES)]
pub struct ReportArgs {
    /// Atlas manifest (.toml) or boundary file [default: what `quartier serve` publishes: the
    /// German demo atlas and the bundled atlas].
    #[arg(value_name = "ATLAS")]
    pub source: Option<PathBuf>,
    /// Layer id [default: the only layer, when there is one].
    #[arg(long, value_name = "LAYER")]
    pub layer: Option<String>,
    /// Style of every map (what is not given comes from each indicator's manifest style).
    #[command(flatten)]
    pub style: StyleFlags,
    /// Language of every text: de or en.
    #[arg(long, value_name = "LANG", default_value = "en")]
    pub lang: String,
    /// Pages composed at the same time [default: one per core].
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// Output PDF.
    #[arg(short, long, value_name = "OUT.pdf")]
    pub output: PathBuf,
    /// Import options for a boundary file.
    #[command(flatten)]
    pub import: ImportFlags,
}

fn format_of(path: &Path) -> anyhow::Result<PrintFormat> {
    path.extension()
        .and_then(|e| e.to_str())
        .and_then(PrintFormat::from_extension)
        .with_context(|| {
            format!(
                "cannot tell the format of {}: the output must end in .png, .svg or .pdf",
                path.display()
            )
        })
}

/// Load one source (when none is given, the atlases `quartier serve` publishes: the German demo
/// atlas first) and prepare it without a tile cache.
fn load(source: Option<&Path>, import: &ImportFlags) -> anyhow::Result<Atlas> {
    let paths = match source {
        Some(p) => vec![p.to_path_buf()],
        None => source::default_atlases()?,
    };
    crate::seed_cmd::load_atlas(&paths, import)
}

/// The layer asked for, or the only one.
fn layer_id(atlas: &Atlas, layer: Option<&str>) -> anyhow::Result<String> {
    match layer {
        Some(l) => Ok(atlas.layer(l)?.1.id().to_string()),
        None if atlas.layers.len() == 1 => Ok(atlas.layers[0].id().to_string()),
        None => bail!(
            "the atlas has {} layers: choose one with --layer ({})",
            atlas.layers.len(),
            atlas
                .layers
                .iter()
                .map(|l| l.id())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Write `bytes` to `path` through a temporary file, so that a failed run leaves no half file.
fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension("part");
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}

/// `quartier render ... -o OUT`.
pub fn render(args: &RenderArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let format = format_of(&args.output)?;
    let params = PrintParams {
        size: Some(args.size.clone()),
        landscape: Some(args.landscape.to_string()),
        dpi: Some(args.dpi.to_string()),
        bbox: args.bbox.clone(),
        district: args.district.clone(),
        lang: Some(args.lang.clone()),
        title: args.title.clone(),
    };
    let (view, page, lang) = (params.view()?, params.page(300.0)?, params.lang()?);
    let atlas = load(args.source.as_deref(), &args.import)?;
    let layer = layer_id(&atlas, args.layer.as_deref())?;
    let title = params.title();
    let style = args.style.style();
    let request = MapRequest {
        layer: &layer,
        indicator: &args.indicator,
        style: &style,
        view: &view,
        page,
        lang,
        title: title.as_deref(),
    };
    let (bytes, composed) = atlas.print_map(&request, format)?;
    for note in composed.notes() {
        tracing::warn!("{note}");
    }
    write_file(&args.output, &bytes)?;
    let (w, h) = composed.pixel_size();
    tracing::info!(
        elapsed = ?started.elapsed(),
        labels = composed.labels().len(),
        "wrote {} ({} bytes{})",
        args.output.display(),
        bytes.len(),
        if format == PrintFormat::Png {
            format!(", {w} x {h} px")
        } else {
            String::new()
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// `quartier report ATLAS --layer L -o report.pdf`.
pub fn report(args: &ReportArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    if format_of(&args.output)? != PrintFormat::Pdf {
        bail!(
            "a report is a PDF: name the output {}",
            args.output.with_extension("pdf").display()
        );
    }
    let lang = quartier_atlas::Lang::parse(Some(&args.lang))?;
    let atlas = load(args.source.as_deref(), &args.import)?;
    let layer = layer_id(&atlas, args.layer.as_deref())?;
    let style = args.style.style();
    let bar = indicatif::ProgressBar::hidden();
    if std::io::stderr().is_terminal() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        if let Ok(s) = indicatif::ProgressStyle::with_template(
            "{msg:>10} {bar:40} {pos}/{len} pages {elapsed} (eta {eta})",
        ) {
            bar.set_style(s);
        }
        bar.set_message("composing");
    }
    let progress = |p: ReportProgress| match p {
        ReportProgress::Composed { done, total } => {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
        ReportProgress::Writing => bar.set_message("writing"),
    };
    let pdf = atlas.report(
        &ReportRequest {
            layer: &layer,
            style: &style,
            lang,
            threads: args.threads,
        },
        &progress,
    )?;
    let pages = bar.position();
    bar.finish_and_clear();
    write_file(&args.output, &pdf)?;
    tracing::info!(
        elapsed = ?started.elapsed(),
        "wrote {} ({pages} pages, {} bytes)",
        args.output.display(),
        pdf.len()
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_come_from_the_extension() {
        assert_eq!(format_of(Path::new("a.PNG")).unwrap(), PrintFormat::Png);
        assert_eq!(format_of(Path::new("x/b.svg")).unwrap(), PrintFormat::Svg);
        assert_eq!(format_of(Path::new("c.pdf")).unwrap(), PrintFormat::Pdf);
        let e = format_of(Path::new("d.jpg")).unwrap_err().to_string();
        assert!(e.contains(".png, .svg or .pdf"), "{e}");
    }
}
