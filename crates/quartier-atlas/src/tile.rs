//! The one tile entry point: empty tile -> cache -> restyled from a kept district raster ->
//! one-colour tile -> render (or build the raster and restyle) -> cache.
//!
//! Every consumer of tiles goes through here: the HTTP tile route and its fast lane, and later
//! seeding and static maps. [`Atlas::tile`] is the whole pipeline, synchronous;
//! [`Atlas::tile_with`] is the same pipeline for async callers, which hand the one slow step (the
//! render of a tile that is neither empty, cached nor of one colour) to a [`RenderJob`] runner of
//! their choosing, e.g. a thread pool; [`Atlas::ready_tile`] is its cheap first half (empty,
//! cached, or a new palette in front of a kept raster's image data: microseconds), which the
//! server's fast lane answers without ever waiting.
//!
//! Restyling (issue 13): a tile's pixels depend on the layer, the tile, the scale and the border
//! width; only the colours depend on indicator and style. The first style of a tile is drawn
//! with `render_tile` (a raster costs about three draws to build, and most tiles are only ever
//! seen in one style); the second builds the tile's [`DistrictRaster`] and keeps it in the cache;
//! every later style is [`DistrictRaster::apply_spliced`] ([`Restyle::Spliced`], the default:
//! `render_tile`'s pixels, its palette in the raster's order) or [`DistrictRaster::apply`]
//! ([`Restyle::Exact`]: `render_tile`'s bytes, usually by compressing the image again). A raster
//! that cannot give a tile ([`Restyled::Fallback`]) is drawn with `render_tile`.

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use bytes::Bytes;
use quartier_render::{
    drawn_border_width, render_one_colour_tile, render_tile, DistrictRaster, RestylePath, Restyled,
    TileCoord,
};

use crate::atlas::{Atlas, Classified};
use crate::cache::RasterKey;
use crate::error::AtlasError;
use crate::hash::Etag;
use crate::style::Style;

/// How a tile was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answered {
    /// Outside every district: the shared transparent tile.
    Empty,
    /// From the tile cache (or from a concurrent render of the same tile).
    Hit,
    /// Drawn now and kept in the cache.
    Miss,
    /// Drawn now and not kept (cache disabled, or asked not to use it).
    Bypass,
    /// A new palette in front of a kept district raster's image data (nothing drawn), and kept.
    Restyled,
}

/// How a tile is made from a kept [`DistrictRaster`] (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Restyle {
    /// [`DistrictRaster::apply_spliced`]: `render_tile`'s pixels behind the raster's own
    /// palette, a few microseconds; the bytes differ from `render_tile`'s (its palette merges
    /// equal colours), so the tile ETags of this mode differ from those of [`Restyle::Exact`].
    #[default]
    Spliced,
    /// [`DistrictRaster::apply`]: `render_tile`'s exact bytes, usually by renumbering and
    /// compressing the kept image again (0.6-1.5x a draw's time; no drawing).
    Exact,
}

impl Answered {
    /// `empty`, `hit`, `miss` or `bypass` (the server's `x-quartier-cache` header).
    pub fn as_str(self) -> &'static str {
        match self {
            Answered::Empty => "empty",
            Answered::Hit => "hit",
            Answered::Miss => "miss",
            Answered::Bypass => "bypass",
            Answered::Restyled => "restyled",
        }
    }
}

/// A tile: PNG bytes, the strong ETag that names them, and how it was answered.
#[derive(Debug, Clone)]
pub struct Tile {
    /// The PNG.
    pub png: Bytes,
    /// The ETag: the layer's data version, layer, indicator, canonical style, tile and scale.
    pub etag: Etag,
    /// How it was answered.
    pub answered: Answered,
}

/// Whether a tile may come from and go into the tile cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheUse {
    /// Look it up, keep it when drawn.
    Use,
    /// Draw it even when cached, and do not keep it (benchmarks of the renderer).
    Bypass,
}

/// The slow step of a tile, to run wherever the caller runs slow work: draw one tile.
#[derive(Debug)]
pub struct RenderJob {
    classified: Arc<Classified>,
    tile: TileCoord,
    scale: u8,
    /// Whether the tile may be restyled from (and its raster kept in) the cache.
    rasters: bool,
}

impl RenderJob {
    /// Draw the tile (a few milliseconds of CPU), or restyle it from its district raster, which
    /// is built and kept when the tile is seen in its second style. Returns a copy of exactly the
    /// tile's size: the encoder's buffer is larger than most tiles, and tiles that live on in the
    /// cache would pin the render threads' memory between their short-lived scratch buffers (US
    /// counties with a full 64 MiB cache: peak RSS 224 -> 194 MB).
    pub fn render(self, atlas: &Atlas) -> Result<Bytes, AtlasError> {
        let tile = self.tile;
        let failed =
            |e: quartier_render::RenderError| AtlasError::Render(format!("tile {tile:?}: {e}"));
        let layer = &atlas.layers[self.classified.layer].render;
        let style = &self.classified.tile_style;
        if self.rasters {
            let key = raster_key(&self.classified, tile, self.scale);
            let raster = match atlas.tiles.raster(&key) {
                Some(r) => Some(r),
                None if atlas.tiles.seen_before(key) => {
                    let r = DistrictRaster::new(layer, tile, self.scale, drawn_border_width(style))
                        .map_err(failed)?;
                    let r = Arc::new(r);
                    atlas.tiles.insert_raster(key, Arc::clone(&r));
                    atlas.counters.rasters_built.fetch_add(1, Ordering::Relaxed);
                    Some(r)
                }
                None => None,
            };
            if let Some(r) = raster {
                if let Some(png) = atlas.restyle(&r, &self.classified)? {
                    return Ok(png);
                }
            }
        }
        let png = render_tile(layer, style, tile, self.scale).map_err(failed)?;
        atlas.counters.rendered.fetch_add(1, Ordering::Relaxed);
        Ok(Bytes::copy_from_slice(&png))
    }
}

/// The cache key of the district raster `classified` draws `tile` from.
fn raster_key(classified: &Classified, tile: TileCoord, scale: u8) -> RasterKey {
    RasterKey {
        layer: classified.layer as u16,
        z: tile.z,
        x: tile.x,
        y: tile.y,
        scale,
        border: drawn_border_width(&classified.tile_style).to_bits(),
    }
}

impl Atlas {
    /// The tile `tile` at `scale` (1: 256 px, 2: 512 px) of an indicator drawn in `style`.
    ///
    /// ```no_run
    /// # fn example(atlas: &quartier_atlas::Atlas) -> Result<(), quartier_atlas::AtlasError> {
    /// use quartier_atlas::{Answered, Style};
    /// use quartier_render::TileCoord;
    ///
    /// let coord = TileCoord::new_checked(7, 35, 50).expect("a tile of zoom 7");
    /// let tile = atlas.tile("nc", "SID74", &Style::default(), coord, 2)?;
    /// assert!(matches!(tile.answered, Answered::Miss | Answered::Hit));
    /// std::fs::write("35-50@2x.png", &tile.png).ok();
    /// # Ok(())
    /// # }
    /// ```
    pub fn tile(
        &self,
        layer: &str,
        indicator: &str,
        style: &Style,
        tile: TileCoord,
        scale: u8,
    ) -> Result<Tile, AtlasError> {
        let classified = self.classify(layer, indicator, style)?;
        block_on(
            self.tile_with(&classified, tile, scale, CacheUse::Use, |job| {
                std::future::ready(job.render(self))
            }),
        )
    }

    /// The ETag of a raster tile: weak where later styles of the tile are restyled from its kept
    /// district raster ([`Restyle::Spliced`] with a cache), since those carry a fresh draw's
    /// pixels in other bytes, so that which bytes a URL gets depends on what the server has
    /// seen before; strong where every answer is `render_tile`'s bytes (no cache, or
    /// [`Restyle::Exact`]), as from `quartier seed`.
    pub fn tile_etag(&self, classified: &Classified, tile: TileCoord, scale: u8) -> Etag {
        let etag = classified.tile_etag(self.layers[classified.layer].version_hash, tile, scale);
        if self.restyle == Restyle::Spliced && self.tiles.is_enabled() {
            etag.weak()
        } else {
            etag
        }
    }

    /// The tile when it can be answered at once: empty (outside the layer), cached, or
    /// restyled in microseconds from a kept district raster (then kept from its second request
    /// on). [`Atlas::tile_with`] answers through this first.
    pub fn ready_tile(&self, classified: &Classified, tile: TileCoord, scale: u8) -> Option<Tile> {
        if let Some(t) = self.empty(classified, tile, scale) {
            return Some(t);
        }
        let key = classified.tile_key(tile, scale);
        let etag = self.tile_etag(classified, tile, scale);
        if let Some(png) = self.tiles.get_hit(&key) {
            return Some(Tile {
                png,
                etag,
                answered: Answered::Hit,
            });
        }
        let png = self.quick_restyle(classified, tile, scale)?;
        // Kept from its second request on (see `cache`): most restyles are one look at a style.
        self.tiles.insert_restyled(key, &png);
        Some(Tile {
            png,
            etag,
            answered: Answered::Restyled,
        })
    }

    /// The tile from its kept raster when that takes microseconds: spliced, at most 256 entries.
    /// `None` for everything else (no raster, exact bytes asked, a busy tile, a fallback).
    fn quick_restyle(&self, classified: &Classified, tile: TileCoord, scale: u8) -> Option<Bytes> {
        if self.restyle != Restyle::Spliced || !self.tiles.is_enabled() {
            return None;
        }
        let raster = self.tiles.raster(&raster_key(classified, tile, scale))?;
        if raster.entries().is_some_and(|n| n > 256) {
            return None;
        }
        self.restyle(&raster, classified).ok().flatten()
    }

    /// From a one-colour tile's second style on, keeps its raster (no drawing: as cheap as the
    /// one-colour test), so that later styles are answered by [`Atlas::ready_tile`] (the
    /// server's fast lane) like every other restyled tile.
    fn keep_one_colour_raster(
        &self,
        classified: &Classified,
        tile: TileCoord,
        scale: u8,
    ) -> Result<(), AtlasError> {
        let key = raster_key(classified, tile, scale);
        if self.tiles.raster(&key).is_none() && self.tiles.seen_before(key) {
            let style = &classified.tile_style;
            let layer = &self.layers[classified.layer].render;
            let raster = DistrictRaster::new(layer, tile, scale, drawn_border_width(style))
                .map_err(|e| AtlasError::Render(format!("tile {tile:?}: {e}")))?;
            self.tiles.insert_raster(key, Arc::new(raster));
            self.counters.rasters_built.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }

    /// `classified`'s tile from a raster, or `None` when the raster says to draw it instead.
    fn restyle(
        &self,
        raster: &DistrictRaster,
        classified: &Classified,
    ) -> Result<Option<Bytes>, AtlasError> {
        let style = &classified.tile_style;
        let restyled = match self.restyle {
            Restyle::Spliced => raster.apply_spliced(style),
            Restyle::Exact => raster.apply(style),
        }
        .map_err(|e| AtlasError::Render(format!("tile {:?}: {e}", raster.tile())))?;
        match restyled {
            Restyled::Png { png, path } => {
                let counter = match path {
                    RestylePath::Spliced => &self.counters.spliced,
                    RestylePath::OneColour | RestylePath::Reencoded => &self.counters.reencoded,
                };
                counter.fetch_add(1, Ordering::Relaxed);
                Ok(Some(Bytes::from(png)))
            }
            Restyled::Fallback(_) => {
                self.counters.fallbacks.fetch_add(1, Ordering::Relaxed);
                Ok(None)
            }
        }
    }

    fn empty(&self, classified: &Classified, tile: TileCoord, scale: u8) -> Option<Tile> {
        if !self.layers[classified.layer].tile_is_empty(tile) {
            return None;
        }
        self.counters.empty.fetch_add(1, Ordering::Relaxed);
        Some(Tile {
            png: self.empty_tile(scale),
            etag: self.tile_etag(classified, tile, scale),
            answered: Answered::Empty,
        })
    }

    /// The whole tile pipeline for async callers: empty tile, cache, restyle from a kept raster
    /// ([`Atlas::ready_tile`]), then the cache's render slot (concurrent requests for one
    /// tile wait for a single render), one-colour tile (inside one district or between them: no
    /// drawing), and only then `run` with the [`RenderJob`] of the slow draw.
    pub async fn tile_with<F, Fut>(
        &self,
        classified: &Arc<Classified>,
        tile: TileCoord,
        scale: u8,
        cache: CacheUse,
        run: F,
    ) -> Result<Tile, AtlasError>
    where
        F: FnOnce(RenderJob) -> Fut,
        Fut: Future<Output = Result<Bytes, AtlasError>>,
    {
        let ready = match cache {
            CacheUse::Use => self.ready_tile(classified, tile, scale),
            CacheUse::Bypass => self.empty(classified, tile, scale),
        };
        if let Some(t) = ready {
            return Ok(t);
        }
        let etag = self.tile_etag(classified, tile, scale);
        let rasters = cache == CacheUse::Use && self.tiles.is_enabled();
        let draw = async {
            // A one-colour tile is answered here: it skips the caller's hop to a thread pool and
            // back, which costs more than the test.
            let one_colour = render_one_colour_tile(
                &self.layers[classified.layer].render,
                &classified.tile_style,
                tile,
                scale,
            )
            .map_err(|e| AtlasError::Render(format!("tile {tile:?}: {e}")))?;
            if let Some(png) = one_colour {
                self.counters.rendered.fetch_add(1, Ordering::Relaxed);
                // Only the fast lane's spliced restyle uses a one-colour tile's raster.
                if rasters && self.restyle == Restyle::Spliced {
                    self.keep_one_colour_raster(classified, tile, scale)?;
                }
                return Ok(Bytes::from(png));
            }
            run(RenderJob {
                classified: Arc::clone(classified),
                tile,
                scale,
                rasters,
            })
            .await
        };
        let (png, answered) = if cache == CacheUse::Bypass || !self.tiles.is_enabled() {
            (draw.await?, Answered::Bypass)
        } else {
            match self
                .tiles
                .get_or_render(classified.tile_key(tile, scale), draw)
                .await?
            {
                (png, true) => (png, Answered::Hit),
                (png, false) => (png, Answered::Miss),
            }
        };
        Ok(Tile {
            png,
            etag,
            answered,
        })
    }
}

/// Wakes a parked thread.
struct ThreadWaker(std::thread::Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Run a future to completion on this thread, parking while it waits: the synchronous entry
/// points need no async runtime (the only waits are for another thread's render of the same tile).
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(v) => return v,
            Poll::Pending => std::thread::park(),
        }
    }
}
