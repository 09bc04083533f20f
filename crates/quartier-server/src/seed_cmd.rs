//! `quartier seed`: every tile of one indicator over a zoom range and an extent, through the
//! atlas's one tile entry point ([`Atlas::tile`]), into a PMTiles or MBTiles archive.
//!
//! The tiles are the served tiles: same pipeline, same bytes, so an archive on a CDN and a
//! running server answer alike. Tiles outside every district (the shared transparent tile) are
//! left out of the archive; archive readers answer a missing tile as empty.
//! Rendering runs on every core (one worker thread each, pulling the next tile from a shared
//! counter); the archive is written on the calling thread, which is the one place the tiles
//! meet, with a progress bar on stderr.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::Args;
use quartier_archive::{ArchiveMetadata, ArchiveSummary, ArchiveWriter, TileFormat, TileRange};
use quartier_atlas::{Atlas, AtlasOptions, Lang, Style};
use quartier_render::TileCoord;
use quartier_server::source;

use crate::flags::{ImportFlags, StyleFlags};

const SEED_EXAMPLES: &str = "\
Examples:
  NC SIDS deaths 1974 per 1,000 births, zoom 0 to 12, all cores, into one PMTiles file:
    quartier seed geodata/atlas.toml --layer nc --indicator sids_rate74 --zoom 0-12 -o sids74.pmtiles

  The same in another style, as MBTiles for QGIS (TMS rows, `format=png`):
    quartier seed geodata/atlas.toml --layer nc --indicator sids_rate74 --method jenks --classes 4 -o sids74.mbtiles

  Only the Triangle (Raleigh/Durham) at street zooms, retina tiles:
    quartier seed geodata/atlas.toml --layer nc --indicator sids_rate74 --zoom 8-12 --bbox -79.2,35.6,-78.4,36.2 --scale 2 -o triangle.pmtiles

  A boundary file directly (layer named after the file, every numeric field an indicator):
    quartier seed tests/fixtures/nc_sids/nc.shp --indicator SID74 -o sid74.pmtiles

Tiles are byte-identical to what `quartier serve` answers for the same style; tiles outside every
district are left out (readers show them as empty). The archive appears at OUT only when complete.
Exit status: 0 success, 2 an error.";

/// Flags of `quartier seed`.
#[derive(Debug, Clone, Args)]
#[command(after_help = SEED_EXAMPLES)]
pub struct SeedArgs {
    /// Atlas manifest (.toml) or boundary file (.shp, .zip, .geojson, .topojson).
    #[arg(value_name = "ATLAS_OR_FILE")]
    pub source: PathBuf,
    /// Layer id [default: the first layer].
    #[arg(long, value_name = "LAYER")]
    pub layer: Option<String>,
    /// Indicator id [default: the layer's first indicator].
    #[arg(long, value_name = "INDICATOR")]
    pub indicator: Option<String>,
    /// Style of the tiles (the tile URL's query parameters).
    #[command(flatten)]
    pub style: StyleFlags,
    /// Zoom levels, `MIN-MAX` or one zoom.
    #[arg(long, value_name = "MIN-MAX", default_value = "0-12", value_parser = parse_zooms)]
    pub zoom: Zooms,
    /// Only tiles meeting this extent in degrees: west,south,east,north [default: the layer's].
    #[arg(long, value_name = "W,S,E,N", value_parser = parse_bbox, allow_hyphen_values = true)]
    pub bbox: Option<Bbox>,
    /// Tile scale: 1 (256 px) or 2 (512 px, the `@2x` tiles).
    #[arg(long, value_name = "1|2", default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=2))]
    pub scale: u8,
    /// Rendering threads [default: one per core].
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// The archive to write: `.pmtiles` (PMTiles v3) or `.mbtiles` (MBTiles 1.3).
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: PathBuf,
    /// Import options for a boundary file.
    #[command(flatten)]
    pub import: ImportFlags,
}

/// A zoom range, smallest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zooms(pub u8, pub u8);

/// An extent in degrees: west, south, east, north.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bbox(pub [f64; 4]);

pub(crate) fn parse_zooms(text: &str) -> Result<Zooms, String> {
    let max = TileCoord::MAX_ZOOM;
    let zoom = |s: &str| {
        s.trim()
            .parse::<u8>()
            .ok()
            .filter(|z| *z <= max)
            .ok_or_else(|| format!("{s:?} is not a zoom from 0 to {max} (write e.g. 0-12 or 7)"))
    };
    let (a, b) = match text.split_once('-') {
        Some((a, b)) => (zoom(a)?, zoom(b)?),
        None => (zoom(text)?, zoom(text)?),
    };
    if a > b {
        return Err(format!(
            "zooms {a}-{b} go backwards: write the smaller first ({b}-{a})"
        ));
    }
    Ok(Zooms(a, b))
}

fn parse_bbox(text: &str) -> Result<Bbox, String> {
    let v: Vec<f64> = text
        .split(',')
        .map(|s| s.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("{text:?} is not four numbers west,south,east,north"))?;
    let [w, s, e, n] = v[..] else {
        return Err(format!(
            "{text:?} has {} numbers: give four, west,south,east,north (e.g. -79.2,35.6,-78.4,36.2)",
            v.len()
        ));
    };
    if !(-180.0..=180.0).contains(&w) || !(-180.0..=180.0).contains(&e) || w >= e {
        return Err(format!(
            "{text:?}: west {w} and east {e} must lie in -180..180 with west < east"
        ));
    }
    if !(-90.0..=90.0).contains(&s) || !(-90.0..=90.0).contains(&n) || s >= n {
        return Err(format!(
            "{text:?}: south {s} and north {n} must lie in -90..90 with south < north"
        ));
    }
    Ok(Bbox([w, s, e, n]))
}

/// What to seed from a prepared atlas (shared by `seed` and `export`).
#[derive(Debug, Clone)]
pub(crate) struct SeedPlan<'a> {
    pub layer: &'a str,
    pub indicator: &'a str,
    pub style: Style,
    pub zooms: Zooms,
    pub bbox: Option<[f64; 4]>,
    pub scale: u8,
    pub threads: usize,
    /// Show a progress bar (when stderr is a terminal).
    pub progress: bool,
}

/// What a seed run did.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SeedReport {
    pub archive: ArchiveSummary,
    pub threads: usize,
    pub elapsed: Duration,
}

impl SeedReport {
    pub fn tiles_per_second(&self) -> f64 {
        self.archive.tiles as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// The part of `a` inside `b`, or `None` when they do not meet.
fn intersect(a: [f64; 4], b: [f64; 4]) -> Option<[f64; 4]> {
    let r = [
        a[0].max(b[0]),
        a[1].max(b[1]),
        a[2].min(b[2]),
        a[3].min(b[3]),
    ];
    (r[0] <= r[2] && r[1] <= r[3]).then_some(r)
}

/// The atlas prepared for work that draws every tile or page once (seeding, print): no tile cache.
pub(crate) fn load_atlas(sources: &[PathBuf], import: &ImportFlags) -> anyhow::Result<Atlas> {
    let (loaded, _) = source::load_all(sources, &import.options())?;
    let options = AtlasOptions {
        cache_bytes: 0,
        ..AtlasOptions::default()
    };
    Ok(Atlas::new(loaded, &options))
}

/// The layer and indicator ids asked for, or the first of each.
pub(crate) fn pick<'a>(
    atlas: &'a Atlas,
    layer: Option<&'a str>,
    indicator: Option<&'a str>,
) -> anyhow::Result<(&'a str, &'a str)> {
    let l = match layer {
        Some(id) => atlas.layer(id)?.1,
        None => match atlas.layers.first() {
            Some(l) => l,
            None => bail!("the atlas has no layers: nothing to seed"),
        },
    };
    let ind = match indicator {
        Some(id) => &l.indicator(id)?.1.id,
        None => match l.atlas.indicators.first() {
            Some(i) => &i.id,
            None => bail!(
                "layer {:?} has no indicators: nothing to seed (give the manifest an [[layer.indicator]])",
                l.id()
            ),
        },
    };
    Ok((l.id(), ind.as_str()))
}

/// Seed one indicator into the archive at `out`.
pub(crate) fn seed(atlas: &Atlas, plan: &SeedPlan<'_>, out: &Path) -> anyhow::Result<SeedReport> {
    let started = Instant::now();
    let (_, layer) = atlas.layer(plan.layer)?;
    let (_, indicator) = layer.indicator(plan.indicator)?;
    // Classify first: a bad style fails here, before any file is created.
    atlas.classify(plan.layer, plan.indicator, &plan.style)?;
    let Some(layer_bounds) = layer.bounds else {
        bail!("layer {:?} has no districts: nothing to seed", plan.layer);
    };
    let bounds = match plan.bbox {
        Some(b) => intersect(layer_bounds, b).with_context(|| {
            format!(
                "--bbox {b:?} does not meet layer {:?} (its extent is {layer_bounds:?})",
                plan.layer
            )
        })?,
        None => layer_bounds,
    };
    let Zooms(min_zoom, max_zoom) = plan.zooms;
    let tiles: Vec<TileCoord> = (min_zoom..=max_zoom)
        .filter_map(|z| TileRange::covering_lonlat(bounds, z))
        .flatten()
        .filter(|t| !layer.tile_is_empty(*t))
        .collect();
    let legend = atlas.legend(plan.layer, plan.indicator, &plan.style, Lang::En)?;
    let metadata = ArchiveMetadata {
        name: format!("{}: {}", layer.atlas.title.en(), indicator.title.en()),
        description: format!(
            "{} ({}); Quartier data version of the layer {}",
            indicator.title.get("de"),
            legend.style,
            layer.atlas.version
        ),
        attribution: layer.atlas.attribution.clone().unwrap_or_default(),
        format: TileFormat::Png,
        bounds,
        min_zoom,
        max_zoom,
        legend: Some(serde_json::to_value(&legend)?),
        vector_layers: None,
    };
    let mut writer = ArchiveWriter::create(out, &metadata)?;
    let threads = match plan.threads {
        0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
        n => n,
    };
    let bar = if plan.progress {
        let bar = indicatif::ProgressBar::new(tiles.len() as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{msg} {bar:40} {pos}/{len} tiles, {per_sec}, {eta} left",
        ) {
            bar.set_style(style);
        }
        bar.set_message(match &plan.style.period {
            Some(p) => format!("{}/{} {p}", plan.layer, plan.indicator),
            None => format!("{}/{}", plan.layer, plan.indicator),
        });
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let written: anyhow::Result<()> = std::thread::scope(|s| {
        // A bounded queue: workers wait rather than pile up tiles the writer has not taken yet.
        let (send, receive) = mpsc::sync_channel(threads * 16);
        for _ in 0..threads {
            let send = send.clone();
            let (next, stop, tiles) = (&next, &stop, &tiles);
            s.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let Some(&t) = tiles.get(next.fetch_add(1, Ordering::Relaxed)) else {
                        break;
                    };
                    let tile = atlas.tile(plan.layer, plan.indicator, &plan.style, t, plan.scale);
                    if send.send((t, tile)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(send);
        for (t, tile) in receive {
            let result = tile
                .with_context(|| format!("tile {}/{}/{}", t.z, t.x, t.y))
                .and_then(|tile| Ok(writer.add_tile(t, &tile.png)?));
            if let Err(e) = result {
                // Tell the workers to stop; the receiver is dropped on return, so a worker
                // waiting to send gives up too.
                stop.store(true, Ordering::Relaxed);
                return Err(e);
            }
            bar.inc(1);
        }
        Ok(())
    });
    bar.finish_and_clear();
    written?;
    let archive = writer.finish()?;
    Ok(SeedReport {
        archive,
        threads,
        elapsed: started.elapsed(),
    })
}

/// `quartier seed ATLAS_OR_FILE -o OUT`.
pub fn run(args: &SeedArgs) -> anyhow::Result<ExitCode> {
    let atlas = load_atlas(std::slice::from_ref(&args.source), &args.import)?;
    let (layer, indicator) = pick(&atlas, args.layer.as_deref(), args.indicator.as_deref())?;
    let plan = SeedPlan {
        layer,
        indicator,
        style: args.style.style(),
        zooms: args.zoom,
        bbox: args.bbox.map(|b| b.0),
        scale: args.scale,
        threads: args.threads,
        progress: true,
    };
    let report = seed(&atlas, &plan, &args.output)
        .with_context(|| format!("cannot seed {}", args.output.display()))?;
    tracing::info!(
        tiles = report.archive.tiles,
        unique = report.archive.unique_tiles,
        bytes = report.archive.bytes,
        threads = report.threads,
        seconds = report.elapsed.as_secs_f64(),
        tiles_per_second = report.tiles_per_second().round(),
        "wrote {} ({layer}/{indicator}, zoom {}-{})",
        args.output.display(),
        args.zoom.0,
        args.zoom.1
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoom_ranges() {
        assert_eq!(parse_zooms("0-12"), Ok(Zooms(0, 12)));
        assert_eq!(parse_zooms("7"), Ok(Zooms(7, 7)));
        assert!(parse_zooms("12-0").unwrap_err().contains("0-12"));
        assert!(parse_zooms("0-23").unwrap_err().contains("0 to 22"));
        assert!(parse_zooms("a").is_err());
    }

    #[test]
    fn extents() {
        assert_eq!(
            parse_bbox("-79.2,35.6,-78.4,36.2"),
            Ok(Bbox([-79.2, 35.6, -78.4, 36.2]))
        );
        assert!(parse_bbox("1,2,3").unwrap_err().contains("has 3 numbers"));
        assert!(parse_bbox("3,0,1,1").unwrap_err().contains("west < east"));
        assert!(parse_bbox("0,5,1,1").unwrap_err().contains("south < north"));
        assert!(parse_bbox("a,b,c,d").is_err());
        assert_eq!(
            intersect([0.0, 0.0, 2.0, 2.0], [1.0, 1.0, 3.0, 3.0]),
            Some([1.0, 1.0, 2.0, 2.0])
        );
        assert_eq!(intersect([0.0, 0.0, 1.0, 1.0], [2.0, 2.0, 3.0, 3.0]), None);
    }
}
