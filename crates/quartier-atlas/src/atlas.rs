//! The published atlas, prepared for requests: [`Atlas`].
//!
//! Everything that depends only on the data is computed once, in [`Atlas::new`]: the prepared
//! layers ([`PreparedLayer`]: render geometry, point index, statistics, id lookups).
//! Everything that depends on the data *and* a style is computed on first use and kept:
//! a [`Classified`] indicator (breaks, colours, per-district fills) per canonical style, and the
//! rendered tiles in the [`TileCache`].
//! Its two entry points for outputs, [`Atlas::tile`] and [`Atlas::legend`], live in the modules
//! `tile` and `legend`, which build on this one.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use crate::manifest::{Basemap, LoadedAtlas, Localized};
use bytes::Bytes;
use quartier_geo::classify::{self, Classification, ClassifyError, Note, SortedValues};
use quartier_geo::palette::{self, NO_DATA};
use quartier_render::{TileCoord, TileStyle};

use crate::cache::{CacheStats, TileCache, TileKey};
use crate::error::AtlasError;
use crate::hash::{self, Etag, Fnv};
use crate::layer::PreparedLayer;
use crate::messages::{classify_de, palette_de};
use crate::stats::IndicatorStats;
use crate::style::{ResolvedStyle, Style};
use crate::suppression::SUPPRESSED;
use crate::tile::Restyle;

/// At most this many classified styles are kept; past it the registry starts afresh, so that a
/// client sending endless manual breaks cannot grow memory without bound.
const MAX_STYLES: usize = 4096;

/// Default tile cache budget in MiB.
pub const DEFAULT_CACHE_MB: u64 = 64;

/// How an atlas is prepared.
#[derive(Debug, Clone)]
pub struct AtlasOptions {
    /// Tile cache budget in bytes (tiles, district rasters and hover grids); 0 disables the
    /// cache, and with it restyling from rasters.
    pub cache_bytes: u64,
    /// How tiles are made from a kept district raster.
    pub restyle: Restyle,
}

impl Default for AtlasOptions {
    fn default() -> Self {
        AtlasOptions {
            cache_bytes: DEFAULT_CACHE_MB * 1024 * 1024,
            restyle: Restyle::default(),
        }
    }
}

/// An indicator classified with one style: what legend and tiles need.
#[derive(Debug)]
pub struct Classified {
    /// Position of the layer in the atlas.
    pub layer: usize,
    /// Position of the indicator in its layer.
    pub indicator: usize,
    /// The style as resolved from the request and the manifest.
    pub style: ResolvedStyle,
    /// Its canonical query string.
    pub canonical: String,
    /// Interned id of this (layer, indicator, style), for tile cache keys. 64 bits, so that ids
    /// never wrap: a 32-bit counter wraps after 4.3 billion new styles (a day of random breaks
    /// at the load test's restyle rate), and a style that got a live style's id would be
    /// answered, and could replace, that style's cached tiles.
    pub id: u64,
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
    /// The strong ETag of one tile drawn with this classification (as `render_tile` draws it;
    /// [`Atlas::tile_etag`] weakens it where tiles are restyled from kept rasters).
    pub fn tile_etag(&self, version: u64, tile: TileCoord, scale: u8) -> Etag {
        let hash = self
            .etag_base
            .u64(u64::from(tile.z))
            .u64(u64::from(tile.x))
            .u64(u64::from(tile.y))
            .u64(u64::from(scale))
            .finish();
        Etag::new(version, hash)
    }

    /// The tile cache key of a tile drawn with this classification.
    pub fn tile_key(&self, tile: TileCoord, scale: u8) -> TileKey {
        TileKey {
            layer: self.layer as u16,
            indicator: self.indicator as u16,
            style: self.id,
            z: tile.z,
            x: tile.x,
            y: tile.y,
            scale,
        }
    }
}

/// One colour per class: for classes split at a centre each side's arm of the diverging scheme;
/// for another centre on a diverging scheme, the class holding it neutral; else the scheme's
/// published colours for `k` classes (the palette module also covers 1 and 2 classes, as when all
/// values are equal).
fn class_colors(
    scheme: &palette::Scheme,
    classification: &Classification,
    centre: Option<f64>,
    split: bool,
) -> Result<Vec<[u8; 3]>, AtlasError> {
    let k = classification.classes();
    if k == 0 {
        return Ok(Vec::new());
    }
    let bad = |e: palette::PaletteError| AtlasError::bad_style(e.to_string(), palette_de(&e));
    let breaks = &classification.breaks;
    match centre {
        Some(c) if split => {
            let below = breaks[1..].partition_point(|&b| b <= c);
            palette::split_colors(scheme, below, k - below).map_err(bad)
        }
        Some(c) if scheme.kind == palette::SchemeKind::Diverging => {
            palette::centred_colors(scheme, breaks, c).map_err(bad)
        }
        // A centre means nothing to a sequential or qualitative scheme: it is ignored.
        _ => scheme.colors(k).map_err(bad),
    }
}

/// The classes of a categorical indicator: class `k` holds the code `k + 1`.
fn categorical(values: &[Option<f64>], k: usize) -> Classification {
    let mut counts = vec![0; k];
    let mut missing = 0;
    for v in values {
        match v.filter(|v| v.fract() == 0.0 && *v >= 1.0 && *v <= k as f64) {
            Some(code) => counts[code as usize - 1] += 1,
            None => missing += 1,
        }
    }
    let mut breaks = vec![1.0];
    breaks.extend((1..=k).map(|c| c as f64));
    let notes = if missing > 0 {
        vec![Note::Missing {
            missing,
            total: values.len(),
        }]
    } else {
        Vec::new()
    };
    Classification {
        method: classify::Method::Manual,
        requested: k,
        breaks,
        counts,
        missing,
        notes,
    }
}

/// `#rrggbb` as RGB (grey for anything else, which the manifest code never writes).
fn rgb(hex: &str) -> [u8; 3] {
    let byte = |i: usize| {
        hex.get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .unwrap_or(0x99)
    };
    [byte(1), byte(3), byte(5)]
}

/// Counts and missing of `classification` (made over pooled periods) for the values shown.
fn recount(classification: &mut Classification, view: &crate::periods::View) {
    let mut counts = vec![0; classification.classes()];
    let mut missing = 0;
    for (i, v) in view.values.iter().enumerate() {
        if view.suppressed.get(i).copied().unwrap_or(false) {
            continue;
        }
        match v.and_then(|v| classification.class_of(v)) {
            Some(k) => counts[k] += 1,
            None => missing += 1,
        }
    }
    classification.counts = counts;
    classification.missing = missing;
}

/// Tile counters.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) rendered: AtomicU64,
    pub(crate) empty: AtomicU64,
    pub(crate) rasters_built: AtomicU64,
    pub(crate) spliced: AtomicU64,
    pub(crate) reencoded: AtomicU64,
    pub(crate) fallbacks: AtomicU64,
}

/// Counters of an atlas, for `/health` and logs.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AtlasStats {
    /// Tiles rendered (not answered from the cache).
    pub tiles_rendered: u64,
    /// Tiles answered with the shared empty tile (outside every district).
    pub tiles_empty: u64,
    /// District rasters built (a tile seen in its second style).
    pub rasters_built: u64,
    /// Tiles made from a kept raster with a new palette in front of its image data.
    pub tiles_spliced: u64,
    /// Tiles made from a kept raster by renumbering its image (exact bytes, busy tiles) or as
    /// one colour.
    pub tiles_reencoded: u64,
    /// Tiles a kept raster could not give (more colours than a palette), drawn instead.
    pub raster_fallbacks: u64,
    /// The tile cache.
    pub cache: CacheStats,
    /// Classified styles kept.
    pub styles: usize,
}

type StyleKey = (u16, u16, String);

/// The published atlas: its layers prepared for requests, classifications and tiles kept.
///
/// ```no_run
/// use quartier_atlas::{Atlas, AtlasOptions, Lang, Style};
/// use quartier_render::TileCoord;
///
/// # fn example() -> Result<(), Box<dyn std::error::Error>> {
/// let (loaded, _report) = quartier_atlas::manifest::LoadedAtlas::load("geodata/atlas.toml".as_ref())?;
/// let atlas = Atlas::new(loaded, &AtlasOptions::default());
/// let style = Style::from_pairs([("method", "jenks"), ("classes", "4")]);
/// let legend = atlas.legend("nc", "sids_rate74", &style, Lang::De)?;
/// let tile = atlas.tile("nc", "sids_rate74", &style, TileCoord::new_checked(7, 35, 50).unwrap(), 1)?;
/// println!("{} classes; tile of {} bytes, ETag {}", legend.classes, tile.png.len(), tile.etag);
/// # Ok(())
/// # }
/// ```
pub struct Atlas {
    /// Atlas title.
    pub title: Localized,
    /// Atlas description.
    pub description: Option<Localized>,
    /// Optional basemap for the page.
    pub basemap: Option<Basemap>,
    /// Where the map page opens (`[start]` of the first manifest that has one).
    pub start: Option<crate::manifest::StartView>,
    /// Data version (fingerprint of the input files).
    pub version: String,
    /// The version as a number, for ETags.
    pub version_hash: u64,
    /// The layers in atlas order.
    pub layers: Vec<PreparedLayer>,
    /// Rendered tiles, district rasters and hover grids.
    pub tiles: TileCache,
    /// How tiles are made from kept district rasters.
    pub restyle: Restyle,
    layer_index: HashMap<String, usize>,
    styles: RwLock<HashMap<StyleKey, Arc<Classified>>>,
    next_style: AtomicU64,
    empty_tiles: [Bytes; 2],
    pub(crate) counters: Counters,
}

impl std::fmt::Debug for Atlas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Atlas")
            .field("version", &self.version)
            .field("layers", &self.layers)
            .finish_non_exhaustive()
    }
}

impl Atlas {
    /// Prepare a loaded atlas for requests.
    ///
    /// Layers are prepared in parallel threads (R-tree, render geometry, statistics), which is most
    /// of the start-up time for large layers.
    pub fn new(atlas: LoadedAtlas, options: &AtlasOptions) -> Self {
        let LoadedAtlas {
            title,
            description,
            basemap,
            start,
            layers,
            version,
            ..
        } = atlas;
        let layers: Vec<PreparedLayer> = std::thread::scope(|s| {
            let handles: Vec<_> = layers
                .into_iter()
                .map(|l| s.spawn(move || PreparedLayer::new(l)))
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
        Atlas {
            title,
            description,
            basemap,
            start,
            version_hash: hash::version_number(&version),
            version,
            layers,
            tiles: TileCache::new(options.cache_bytes),
            restyle: options.restyle,
            layer_index,
            styles: RwLock::new(HashMap::new()),
            next_style: AtomicU64::new(0),
            empty_tiles: [
                Bytes::from_static(quartier_render::empty_tile_png(1)),
                Bytes::from_static(quartier_render::empty_tile_png(2)),
            ],
            counters: Counters::default(),
        }
    }

    /// Position and state of a layer, or an error listing the layers.
    pub fn layer(&self, id: &str) -> Result<(usize, &PreparedLayer), AtlasError> {
        match self.layer_index.get(id) {
            Some(&i) => Ok((i, &self.layers[i])),
            None => Err(AtlasError::UnknownLayer {
                id: id.to_string(),
                known: self
                    .layers
                    .iter()
                    .map(|l| l.id())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }

    /// The indicator (by position) classified with the requested style; computed once per
    /// canonical style and kept.
    pub fn classified(
        &self,
        layer: usize,
        indicator: usize,
        style: &Style,
    ) -> Result<Arc<Classified>, AtlasError> {
        let l = &self.layers[layer];
        let ind = &l.atlas.indicators[indicator];
        // `centre=mean` is the layer's reference, the value the profile compares with: the
        // ratio of the totals for ratios and densities, else the mean of the districts.
        let resolved = ResolvedStyle::for_indicator(ind, style, |choice| {
            if choice.compare.is_none() && choice.period == ind.periods.last().copied() {
                l.stats[indicator].reference
            } else {
                IndicatorStats::of(ind, &l.view(indicator, choice).values, 0, Some(choice))
                    .reference
            }
        })?;
        let canonical = resolved.canonical();
        let key = (layer as u16, indicator as u16, canonical);
        if let Some(c) = self.read_styles().get(&key) {
            return Ok(c.clone());
        }
        // The values shown (a period, a change, an index) and those the breaks cover (every
        // period pooled for `scope=all`). Withheld values are not data: the classifier sees only
        // the other districts, so that its counts, `missing` and notes speak of real gaps.
        let view = l.view(indicator, &resolved.periods);
        let published = || view.classified_values(ind, &resolved.periods);
        let scheme = palette::scheme(&resolved.palette)
            .map_err(|e| AtlasError::bad_style(e.to_string(), palette_de(&e)))?;
        // A centre on a diverging scheme splits the classes there (see `classify::classify_around`).
        let split = resolved.centre.filter(|_| {
            resolved.breaks.is_none()
                && classify::splits_at_centre(resolved.method)
                && palette::max_side(scheme) > 0
        });
        let classified = match split {
            // A typology: one class per category, whatever the style asks.
            _ if !ind.categories.is_empty() => Ok(categorical(&published(), ind.categories.len())),
            Some(c) => classify::classify_around(
                &published(),
                resolved.method,
                resolved.classes,
                c,
                palette::max_side(scheme),
            ),
            None => {
                // Sorted once per indicator where the period shown does not change them.
                let fresh;
                let sorted = match l.kept_sorted_values(indicator, &resolved.periods) {
                    Some(kept) => kept,
                    None => {
                        fresh = SortedValues::new(&published());
                        &fresh
                    }
                };
                classify::classify_sorted(
                    sorted,
                    resolved.method,
                    resolved.classes,
                    resolved.breaks.as_deref(),
                )
            }
        };
        let mut classification = match classified {
            Ok(c) => c,
            // An indicator without any value still gets a map (all no data) and a legend that
            // says why, not an error.
            Err(ClassifyError::NoValues { total }) => Classification {
                method: resolved.method,
                requested: resolved.classes,
                breaks: Vec::new(),
                counts: Vec::new(),
                missing: total,
                notes: vec![Note::NoValues { total }],
            },
            Err(e) => {
                return Err(AtlasError::bad_style(
                    format!("cannot classify {:?} with {}: {e}", ind.id, key.2),
                    format!(
                        "{:?} lässt sich mit {} nicht einteilen: {}",
                        ind.id,
                        key.2,
                        classify_de(&e)
                    ),
                ))
            }
        };
        if view.break_periods.len() > 1 && !resolved.periods.is_change() {
            // Breaks over every period; counts and missing of the period shown.
            recount(&mut classification, &view);
        }
        let colors = if ind.categories.is_empty() {
            class_colors(scheme, &classification, resolved.centre, split.is_some())?
        } else {
            ind.categories.iter().map(|c| rgb(&c.color)).collect()
        };
        let opaque = |c: [u8; 3]| [c[0], c[1], c[2], 255];
        let fills = view
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                if view.suppressed.get(i).copied().unwrap_or(false) {
                    return opaque(SUPPRESSED);
                }
                v.and_then(|v| classification.class_of(v))
                    .and_then(|k| colors.get(k).copied())
                    .map_or(opaque(NO_DATA), opaque)
            })
            .collect();
        // Spliced and exact tiles show the same pixels in different bytes: different ETags.
        // The layer's own data version: another layer's new data leaves these tiles' tags alone.
        let etag_base = Fnv::new()
            .field(&l.atlas.version)
            .u64(self.restyle as u64)
            .field(l.id())
            .field(&ind.id)
            .field(&key.2);
        // Thin grey borders of the requested width (default 0.5 px, see `style::DEFAULT_BORDER`).
        let tile_style = TileStyle {
            border_width: resolved.border,
            ..TileStyle::new(fills)
        };
        let classified = Arc::new(Classified {
            layer,
            indicator,
            canonical: key.2.clone(),
            style: resolved,
            id: self.next_style.fetch_add(1, Ordering::Relaxed),
            classification,
            colors,
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

    /// [`Atlas::classified`] by layer and indicator id.
    pub fn classify(
        &self,
        layer: &str,
        indicator: &str,
        style: &Style,
    ) -> Result<Arc<Classified>, AtlasError> {
        let (li, l) = self.layer(layer)?;
        let (ii, _) = l.indicator(indicator)?;
        self.classified(li, ii, style)
    }

    fn read_styles(&self) -> std::sync::RwLockReadGuard<'_, HashMap<StyleKey, Arc<Classified>>> {
        // A panic while holding the lock leaves a map that is still consistent (inserts are atomic).
        self.styles.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The transparent tile at this scale (1 or 2).
    pub fn empty_tile(&self, scale: u8) -> Bytes {
        self.empty_tiles[usize::from(scale >= 2)].clone()
    }

    /// Counters.
    pub fn stats(&self) -> AtlasStats {
        AtlasStats {
            tiles_rendered: self.counters.rendered.load(Ordering::Relaxed),
            tiles_empty: self.counters.empty.load(Ordering::Relaxed),
            rasters_built: self.counters.rasters_built.load(Ordering::Relaxed),
            tiles_spliced: self.counters.spliced.load(Ordering::Relaxed),
            tiles_reencoded: self.counters.reencoded.load(Ordering::Relaxed),
            raster_fallbacks: self.counters.fallbacks.load(Ordering::Relaxed),
            cache: self.tiles.stats(),
            styles: self.read_styles().len(),
        }
    }
}
