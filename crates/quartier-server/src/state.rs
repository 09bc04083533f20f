//! What the server holds while it runs: the loaded atlas, prepared for answering requests.
//!
//! Everything that depends only on the data is computed once, when [`AppState::new`] is called:
//! the render-ready [`TileLayer`] per layer, the point [`Locator`], per-indicator statistics
//! (mean, min, max, ranks) and lookup tables from ids to positions.
//! Everything that depends on the data *and* a style is computed on first use and kept:
//! a [`Classified`] indicator (breaks, colours, per-district fills) per canonical style, and the
//! rendered tiles in the [`TileCache`].
//! This module knows no HTTP: it is the layer registry the handlers in `crate::http` call into.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Instant;

use bytes::Bytes;
use quartier_geo::atlas::{Atlas, AtlasLayer, Basemap, Indicator, Localized};
use quartier_geo::classify::{self, Classification, ClassifyError};
use quartier_geo::palette::{self, NO_DATA};
use quartier_render::{render_one_colour_tile, render_tile, TileCoord, TileLayer, TileStyle};
use tokio::sync::Semaphore;

use crate::cache::{CacheStats, TileCache, TileKey};
use crate::error::AppError;
use crate::etag::{self, Fnv};
use crate::locate::Locator;
use crate::style::{ResolvedStyle, StyleParams};
use crate::suppression::{self, SUPPRESSED};

/// At most this many classified styles are kept; past it the cache starts afresh, so that a client
/// sending endless manual breaks cannot grow the server's memory without bound.
const MAX_STYLES: usize = 4096;

/// Default tile cache budget in MiB.
pub const DEFAULT_CACHE_MB: u64 = 64;

/// How the server was asked to run (from the command line).
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Tile cache budget in bytes; 0 disables the cache.
    pub cache_bytes: u64,
    /// Folder of the map page; `None` serves a short page saying it is missing.
    pub web_dir: Option<PathBuf>,
    /// Tiles rendered at the same time; 0 means one per core.
    pub render_threads: usize,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            cache_bytes: DEFAULT_CACHE_MB * 1024 * 1024,
            web_dir: None,
            render_threads: 0,
        }
    }
}

/// Summary statistics of one indicator over a layer's districts, for the profile panel
/// ("your district vs. the city") and the legend.
///
/// Withheld values (small-number suppression) are not in any of them: `count + missing +
/// suppressed` is the number of districts.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IndicatorStats {
    /// Districts with a value.
    pub count: usize,
    /// Districts without a value (no data), not counting withheld ones.
    pub missing: usize,
    /// Districts whose value is withheld by small-number suppression.
    pub suppressed: usize,
    /// Arithmetic mean of the district values (unweighted), `None` when all are missing.
    pub mean: Option<f64>,
    /// Smallest value.
    pub min: Option<f64>,
    /// Largest value.
    pub max: Option<f64>,
    /// Per district (layer order): rank 1 is the highest value; equal values share the best rank.
    #[serde(skip)]
    pub ranks: Vec<Option<u32>>,
}

impl IndicatorStats {
    /// Compute the statistics of `values`, of which `suppressed` districts are withheld (their
    /// values must be `None` already: see [`crate::suppression::withhold`]).
    pub fn new(values: &[Option<f64>], suppressed: usize) -> Self {
        let present: Vec<(usize, f64)> = values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.filter(|v| v.is_finite()).map(|v| (i, v)))
            .collect();
        let count = present.len();
        let mean = (count > 0).then(|| present.iter().map(|(_, v)| v).sum::<f64>() / count as f64);
        let min = present.iter().map(|(_, v)| *v).reduce(f64::min);
        let max = present.iter().map(|(_, v)| *v).reduce(f64::max);
        let mut order = present.clone();
        order.sort_by(|a, b| b.1.total_cmp(&a.1));
        let mut ranks = vec![None; values.len()];
        let mut previous: Option<(f64, u32)> = None;
        for (position, (i, v)) in order.iter().enumerate() {
            let rank = match previous {
                Some((pv, pr)) if pv == *v => pr,
                _ => position as u32 + 1,
            };
            ranks[*i] = Some(rank);
            previous = Some((*v, rank));
        }
        IndicatorStats {
            count,
            missing: (values.len() - count).saturating_sub(suppressed),
            suppressed,
            mean,
            min,
            max,
            ranks,
        }
    }
}

/// One layer, ready to answer requests.
pub struct LayerState {
    /// The layer as loaded: districts and indicators.
    /// `District::mercator` is empty here: that geometry lives in `render`.
    pub atlas: AtlasLayer,
    /// Render-ready geometry (Web Mercator, with its own R-tree).
    pub render: TileLayer,
    /// Point lookup for `/at`.
    pub locator: Locator,
    /// Statistics per indicator, aligned with `atlas.indicators`.
    pub stats: Vec<IndicatorStats>,
    /// Bounds in WGS84 `[w, s, e, n]`.
    pub bounds: Option<[f64; 4]>,
    /// Bounds in Web Mercator metres `[w, s, e, n]`, to answer tiles outside without rendering.
    pub mercator_bounds: Option<[f64; 4]>,
    indicator_index: HashMap<String, usize>,
    district_index: HashMap<String, usize>,
    /// `features.geojson`, serialised on first request.
    features: OnceLock<Bytes>,
}

impl std::fmt::Debug for LayerState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LayerState")
            .field("id", &self.atlas.id)
            .field("districts", &self.atlas.layer.districts.len())
            .field("indicators", &self.atlas.indicators.len())
            .finish_non_exhaustive()
    }
}

fn mercator_bounds(layer: &AtlasLayer) -> Option<[f64; 4]> {
    use geo::BoundingRect;
    layer
        .layer
        .districts
        .iter()
        .filter_map(|d| d.mercator.bounding_rect())
        .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
        .reduce(|a, b| {
            [
                a[0].min(b[0]),
                a[1].min(b[1]),
                a[2].max(b[2]),
                a[3].max(b[3]),
            ]
        })
}

impl LayerState {
    /// Prepare a layer: render geometry (moved out of the districts), point index, statistics.
    pub fn new(mut atlas: AtlasLayer) -> Self {
        let mercator_bounds = mercator_bounds(&atlas);
        // The Web Mercator copy is only drawn: move it into the renderer rather than keep it
        // twice (for 3,000 US counties that is a million vertices).
        let mercator = atlas
            .layer
            .districts
            .iter_mut()
            .map(|d| std::mem::replace(&mut d.mercator, geo::MultiPolygon(Vec::new())))
            .collect();
        let render = TileLayer::new(mercator);
        let locator = Locator::new(&atlas.layer.districts);
        let stats = atlas
            .indicators
            .iter_mut()
            .map(|i| {
                let suppressed = suppression::withhold(i);
                IndicatorStats::new(&i.values, suppressed)
            })
            .collect();
        let indicator_index = atlas
            .indicators
            .iter()
            .enumerate()
            .map(|(i, ind)| (ind.id.clone(), i))
            .collect();
        // The first district of an id wins, as `/at` prefers the first district in layer order.
        let mut district_index = HashMap::new();
        for (i, d) in atlas.layer.districts.iter().enumerate() {
            district_index.entry(d.id.clone()).or_insert(i);
        }
        LayerState {
            bounds: atlas.layer.bounds_wgs84(),
            mercator_bounds,
            render,
            locator,
            stats,
            indicator_index,
            district_index,
            features: OnceLock::new(),
            atlas,
        }
    }

    /// The layer id.
    pub fn id(&self) -> &str {
        &self.atlas.id
    }

    /// Position and definition of an indicator, or a 404 listing the layer's indicators.
    pub fn indicator(&self, id: &str) -> Result<(usize, &Indicator), AppError> {
        match self.indicator_index.get(id) {
            Some(&i) => Ok((i, &self.atlas.indicators[i])),
            None => Err(AppError::not_found(format!(
                "layer {:?} has no indicator {id:?}; its indicators are: {}",
                self.atlas.id,
                self.atlas
                    .indicators
                    .iter()
                    .map(|i| i.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// Position of a district by its id, or a 404 naming the layer.
    pub fn district(&self, id: &str) -> Result<usize, AppError> {
        self.district_index.get(id).copied().ok_or_else(|| {
            AppError::not_found(format!(
                "layer {:?} has no district {id:?}: district ids are those of features.geojson \
                 (e.g. {:?})",
                self.atlas.id,
                self.atlas
                    .layer
                    .districts
                    .first()
                    .map_or("", |d| d.id.as_str())
            ))
        })
    }

    /// `features.geojson`, built once with `build`.
    pub fn features_geojson(&self, build: impl FnOnce(&LayerState) -> Bytes) -> Bytes {
        self.features.get_or_init(|| build(self)).clone()
    }

    /// True when a tile cannot touch any district (including its border line), so it is empty.
    pub fn tile_is_empty(&self, tile: TileCoord) -> bool {
        let Some([w, s, e, n]) = self.mercator_bounds else {
            return true;
        };
        let [tw, ts, te, tn] = tile.bounds_mercator();
        // A border line reaches up to its width beyond the polygon: keep a margin of 2 pixels.
        let margin = 2.0 * (te - tw) / f64::from(quartier_render::TILE_SIZE);
        tw > e + margin || te < w - margin || ts > n + margin || tn < s - margin
    }
}

/// An indicator classified with one style: what legend and tiles need.
#[derive(Debug)]
pub struct Classified {
    /// The style as resolved from the request and the manifest.
    pub style: ResolvedStyle,
    /// Its canonical query string.
    pub canonical: String,
    /// Interned id of this (layer, indicator, style), for tile cache keys.
    pub id: u32,
    /// Breaks, counts and notes.
    pub classification: Classification,
    /// One colour per class.
    pub colors: Vec<[u8; 3]>,
    /// Fill per district (layer order) plus the border, as the renderer takes it.
    pub tile_style: TileStyle,
    /// ETag hash of everything but the tile itself.
    etag_base: Fnv,
}

impl Classified {
    /// The strong ETag of one tile drawn with this classification.
    pub fn tile_etag(&self, version: u64, tile: TileCoord, scale: u8) -> axum::http::HeaderValue {
        let hash = self
            .etag_base
            .u64(u64::from(tile.z))
            .u64(u64::from(tile.x))
            .u64(u64::from(tile.y))
            .u64(u64::from(scale))
            .finish();
        etag::etag(version, hash)
    }
}

/// One colour per class: a diverging scheme centred on `centre` when one is set, else the
/// scheme's published colours for `k` classes (the palette module also covers 1 and 2 classes,
/// as when all values are equal).
fn class_colors(
    scheme: &palette::Scheme,
    breaks: &[f64],
    k: usize,
    centre: Option<f64>,
) -> Result<Vec<[u8; 3]>, AppError> {
    if k == 0 {
        return Ok(Vec::new());
    }
    let bad = |e: palette::PaletteError| AppError::bad_request(e.to_string());
    match centre {
        Some(c) if scheme.kind == palette::SchemeKind::Diverging => {
            palette::centred_colors(scheme, breaks, c).map_err(bad)
        }
        // A centre means nothing to a sequential or qualitative scheme: it is ignored.
        _ => scheme.colors(k).map_err(bad),
    }
}

/// Tile counters.
#[derive(Debug, Default)]
struct Counters {
    rendered: AtomicU64,
    empty: AtomicU64,
}

/// Counters for `/health` and the shutdown log.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Stats {
    /// Seconds since the state was built.
    pub uptime_s: f64,
    /// Tiles rendered (not answered from the cache).
    pub tiles_rendered: u64,
    /// Tiles answered with the shared empty tile (outside every district).
    pub tiles_empty: u64,
    /// The tile cache.
    pub cache: CacheStats,
    /// Classified styles kept.
    pub styles: usize,
}

/// Everything the handlers share, behind one `Arc`.
pub struct AppState {
    /// Atlas title.
    pub title: Localized,
    /// Atlas description.
    pub description: Option<Localized>,
    /// Optional basemap for the page.
    pub basemap: Option<Basemap>,
    /// Data version (fingerprint of the input files).
    pub version: String,
    /// The version as a number, for ETags.
    pub version_hash: u64,
    /// The layers in atlas order.
    pub layers: Vec<LayerState>,
    /// Rendered tiles.
    pub tiles: TileCache,
    /// Where the map page lives.
    pub web_dir: Option<PathBuf>,
    layer_index: HashMap<String, usize>,
    styles: RwLock<HashMap<(u16, u16, String), Arc<Classified>>>,
    next_style: AtomicU32,
    render_permits: Arc<Semaphore>,
    empty_tiles: [Bytes; 2],
    counters: Counters,
    started: Instant,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("version", &self.version)
            .field("layers", &self.layers)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// Prepare an atlas for serving.
    ///
    /// Layers are prepared in parallel threads (R-tree, render geometry, statistics), which is most
    /// of the start-up time for large layers.
    pub fn new(atlas: Atlas, options: &ServerOptions) -> Self {
        let Atlas {
            title,
            description,
            basemap,
            layers,
            version,
            ..
        } = atlas;
        let layers: Vec<LayerState> = std::thread::scope(|s| {
            let handles: Vec<_> = layers
                .into_iter()
                .map(|l| s.spawn(move || LayerState::new(l)))
                .collect();
            handles
                .into_iter()
                .map(|h| match h.join() {
                    Ok(l) => l,
                    Err(panic) => std::panic::resume_unwind(panic),
                })
                .collect()
        });
        let layer_index = layers
            .iter()
            .enumerate()
            .map(|(i, l)| (l.id().to_string(), i))
            .collect();
        let threads = match options.render_threads {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        };
        AppState {
            title,
            description,
            basemap,
            version_hash: etag::version_number(&version),
            version,
            layers,
            tiles: TileCache::new(options.cache_bytes),
            web_dir: options.web_dir.clone(),
            layer_index,
            styles: RwLock::new(HashMap::new()),
            next_style: AtomicU32::new(0),
            render_permits: Arc::new(Semaphore::new(threads)),
            empty_tiles: [
                Bytes::from_static(quartier_render::empty_tile_png(1)),
                Bytes::from_static(quartier_render::empty_tile_png(2)),
            ],
            counters: Counters::default(),
            started: Instant::now(),
        }
    }

    /// Position and state of a layer, or a 404 listing the layers.
    pub fn layer(&self, id: &str) -> Result<(usize, &LayerState), AppError> {
        match self.layer_index.get(id) {
            Some(&i) => Ok((i, &self.layers[i])),
            None => Err(AppError::not_found(format!(
                "no layer {id:?}; layers are: {}",
                self.layers
                    .iter()
                    .map(|l| l.id())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// The indicator classified with the requested style; computed once per canonical style.
    pub fn classified(
        &self,
        layer: usize,
        indicator: usize,
        params: &StyleParams,
    ) -> Result<Arc<Classified>, AppError> {
        let l = &self.layers[layer];
        let ind = &l.atlas.indicators[indicator];
        let style = ResolvedStyle::resolve(&ind.style, params, l.stats[indicator].mean)?;
        let canonical = style.canonical();
        let key = (layer as u16, indicator as u16, canonical);
        if let Some(c) = self.read_styles().get(&key) {
            return Ok(c.clone());
        }
        // Withheld values are not data: the classifier sees only the other districts, so that its
        // counts, `missing` and notes speak of real gaps ("4 of 33 values are missing" would be
        // wrong for four withheld boroughs).
        let published = suppression::published_values(ind, l.stats[indicator].suppressed);
        let classification = match classify::classify(
            &published,
            style.method,
            style.classes,
            style.breaks.as_deref(),
        ) {
            Ok(c) => c,
            // An indicator without any value still gets a map (all no data) and a legend that
            // says why, not an error.
            Err(e @ ClassifyError::NoValues { .. }) => Classification {
                method: style.method,
                requested: style.classes,
                breaks: Vec::new(),
                counts: Vec::new(),
                missing: published.len(),
                notes: vec![e.to_string()],
            },
            Err(e) => {
                return Err(AppError::bad_request(format!(
                    "cannot classify {:?} with {}: {e}",
                    ind.id, key.2
                )))
            }
        };
        let scheme =
            palette::scheme(&style.palette).map_err(|e| AppError::bad_request(e.to_string()))?;
        let colors = class_colors(
            scheme,
            &classification.breaks,
            classification.classes(),
            style.centre,
        )?;
        let opaque = |c: [u8; 3]| [c[0], c[1], c[2], 255];
        let fills = ind
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                if suppression::is_suppressed(ind, i) {
                    return opaque(SUPPRESSED);
                }
                v.and_then(|v| classification.class_of(v))
                    .and_then(|k| colors.get(k).copied())
                    .map_or(opaque(NO_DATA), opaque)
            })
            .collect();
        let etag_base = Fnv::new()
            .field(&self.version)
            .field(l.id())
            .field(&ind.id)
            .field(&key.2);
        let tile_style = TileStyle {
            border_width: style.border,
            ..TileStyle::new(fills)
        };
        let classified = Arc::new(Classified {
            canonical: key.2.clone(),
            style,
            id: self.next_style.fetch_add(1, Ordering::Relaxed),
            classification,
            colors,
            // Thin grey borders of the requested width (default 0.5 px, see `style::DEFAULT_BORDER`).
            tile_style,
            etag_base,
        });
        let mut styles = self.styles.write().unwrap_or_else(|e| e.into_inner());
        if styles.len() >= MAX_STYLES {
            styles.clear();
        }
        // Another request may have classified the same style meanwhile: keep the first, so that
        // every tile of a style shares one id.
        Ok(styles.entry(key).or_insert(classified).clone())
    }

    fn read_styles(
        &self,
    ) -> std::sync::RwLockReadGuard<'_, HashMap<(u16, u16, String), Arc<Classified>>> {
        // A panic while holding the lock leaves a map that is still consistent (inserts are atomic).
        self.styles.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The tile cache key of a tile.
    pub fn tile_key(
        layer: usize,
        indicator: usize,
        classified: &Classified,
        tile: TileCoord,
        scale: u8,
    ) -> TileKey {
        TileKey {
            layer: layer as u16,
            indicator: indicator as u16,
            style: classified.id,
            z: tile.z,
            x: tile.x,
            y: tile.y,
            scale,
        }
    }

    /// Render one tile on the blocking pool (at most one render per core at a time), or answer
    /// with the shared empty tile when it is outside the layer.
    pub async fn render(
        self: &Arc<Self>,
        layer: usize,
        classified: Arc<Classified>,
        tile: TileCoord,
        scale: u8,
    ) -> Result<Bytes, AppError> {
        if self.layers[layer].tile_is_empty(tile) {
            self.counters.empty.fetch_add(1, Ordering::Relaxed);
            return Ok(self.empty_tile(scale));
        }
        // A one-colour tile (inside one district, or between them) needs no drawing: answered
        // here, it skips the hop to the blocking pool and back, which costs more than the test.
        let one_colour = render_one_colour_tile(
            &self.layers[layer].render,
            &classified.tile_style,
            tile,
            scale,
        )
        .map_err(|e| AppError::Internal(format!("tile {tile:?}: {e}")))?;
        if let Some(png) = one_colour {
            self.counters.rendered.fetch_add(1, Ordering::Relaxed);
            return Ok(Bytes::from(png));
        }
        let permit = Arc::clone(&self.render_permits)
            .acquire_owned()
            .await
            .map_err(|e| AppError::Internal(format!("render pool closed: {e}")))?;
        let state = Arc::clone(self);
        let png = tokio::task::spawn_blocking(move || {
            // The permit lives as long as the render, even when the client has gone away and
            // this future was dropped: at most one render per core, always.
            let _permit = permit;
            render_tile(
                &state.layers[layer].render,
                &classified.tile_style,
                tile,
                scale,
            )
        })
        .await
        .map_err(|e| AppError::Internal(format!("render task of tile {tile:?} failed: {e}")))?
        .map_err(|e| AppError::Internal(format!("tile {tile:?}: {e}")))?;
        self.counters.rendered.fetch_add(1, Ordering::Relaxed);
        // A copy of exactly the tile's size, made here rather than kept from the render thread:
        // the encoder's buffer is larger than most tiles, and tiles that live on in the cache
        // would pin the render threads' memory between their short-lived scratch buffers. With
        // the copy the cache's byte budget is the memory its tiles take (US counties with a full
        // 64 MiB cache: peak RSS 224 -> 194 MB).
        Ok(Bytes::copy_from_slice(&png))
    }

    /// The transparent tile at this scale (1 or 2).
    pub fn empty_tile(&self, scale: u8) -> Bytes {
        self.empty_tiles[usize::from(scale >= 2)].clone()
    }

    /// Counters for `/health`.
    pub fn stats(&self) -> Stats {
        Stats {
            uptime_s: self.started.elapsed().as_secs_f64(),
            tiles_rendered: self.counters.rendered.load(Ordering::Relaxed),
            tiles_empty: self.counters.empty.load(Ordering::Relaxed),
            cache: self.tiles.stats(),
            styles: self.read_styles().len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_mean_min_max_and_ranks() {
        let s = IndicatorStats::new(&[Some(3.0), None, Some(5.0), Some(3.0), Some(1.0)], 0);
        assert_eq!(s.count, 4);
        assert_eq!(s.missing, 1);
        assert_eq!(s.mean, Some(3.0));
        assert_eq!((s.min, s.max), (Some(1.0), Some(5.0)));
        // 5 is first; the two 3s share rank 2; 1 is fourth.
        assert_eq!(s.ranks, vec![Some(2), None, Some(1), Some(2), Some(4)]);
    }

    #[test]
    fn stats_of_nothing() {
        let s = IndicatorStats::new(&[None, None], 0);
        assert_eq!((s.count, s.missing, s.mean, s.min), (0, 2, None, None));
        assert_eq!(s.ranks, vec![None, None]);
    }

    #[test]
    fn withheld_values_are_neither_missing_nor_counted() {
        // Two of five districts withheld (their values already cleared), one without data.
        let s = IndicatorStats::new(&[Some(4.0), None, None, Some(8.0), None], 2);
        assert_eq!((s.count, s.missing, s.suppressed), (2, 1, 2));
        assert_eq!((s.mean, s.min, s.max), (Some(6.0), Some(4.0), Some(8.0)));
        assert_eq!(s.ranks, vec![Some(2), None, None, Some(1), None]);
    }
}
