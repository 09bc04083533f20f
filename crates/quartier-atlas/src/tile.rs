//! The one tile entry point: empty tile -> cache -> one-colour tile -> render -> cache.
//!
//! Every consumer of tiles goes through here: the HTTP tile route and its fast lane, and later
//! seeding and static maps. [`Atlas::tile`] is the whole pipeline, synchronous;
//! [`Atlas::tile_with`] is the same pipeline for async callers, which hand the one slow step (the
//! render of a tile that is neither empty, cached nor of one colour) to a [`RenderJob`] runner of
//! their choosing, e.g. a thread pool; [`Atlas::ready_tile`] is its cheap first half (empty or
//! cached), which the server's fast lane answers without ever waiting.

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use bytes::Bytes;
use quartier_render::{render_one_colour_tile, render_tile, TileCoord};

use crate::atlas::{Atlas, Classified};
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
}

impl Answered {
    /// `empty`, `hit`, `miss` or `bypass` (the server's `x-quartier-cache` header).
    pub fn as_str(self) -> &'static str {
        match self {
            Answered::Empty => "empty",
            Answered::Hit => "hit",
            Answered::Miss => "miss",
            Answered::Bypass => "bypass",
        }
    }
}

/// A tile: PNG bytes, the strong ETag that names them, and how it was answered.
#[derive(Debug, Clone)]
pub struct Tile {
    /// The PNG.
    pub png: Bytes,
    /// The strong ETag: data version, layer, indicator, canonical style, tile and scale.
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
}

impl RenderJob {
    /// Draw the tile (a few milliseconds of CPU). Returns a copy of exactly the tile's size: the
    /// encoder's buffer is larger than most tiles, and tiles that live on in the cache would pin
    /// the render threads' memory between their short-lived scratch buffers (US counties with a
    /// full 64 MiB cache: peak RSS 224 -> 194 MB).
    pub fn render(self, atlas: &Atlas) -> Result<Bytes, AtlasError> {
        let tile = self.tile;
        let png = render_tile(
            &atlas.layers[self.classified.layer].render,
            &self.classified.tile_style,
            tile,
            self.scale,
        )
        .map_err(|e| AtlasError::Render(format!("tile {tile:?}: {e}")))?;
        atlas.counters.rendered.fetch_add(1, Ordering::Relaxed);
        Ok(Bytes::copy_from_slice(&png))
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

    /// The tile when it can be answered at once: empty (outside the layer) or cached. The
    /// same answer [`Atlas::tile_with`] would give for it.
    pub fn ready_tile(&self, classified: &Classified, tile: TileCoord, scale: u8) -> Option<Tile> {
        if let Some(t) = self.empty(classified, tile, scale) {
            return Some(t);
        }
        let png = self.tiles.get_hit(&classified.tile_key(tile, scale))?;
        Some(Tile {
            png,
            etag: classified.tile_etag(self.version_hash, tile, scale),
            answered: Answered::Hit,
        })
    }

    fn empty(&self, classified: &Classified, tile: TileCoord, scale: u8) -> Option<Tile> {
        if !self.layers[classified.layer].tile_is_empty(tile) {
            return None;
        }
        self.counters.empty.fetch_add(1, Ordering::Relaxed);
        Some(Tile {
            png: self.empty_tile(scale),
            etag: classified.tile_etag(self.version_hash, tile, scale),
            answered: Answered::Empty,
        })
    }

    /// The whole tile pipeline for async callers: empty tile, cache (concurrent requests for one
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
        if let Some(t) = self.empty(classified, tile, scale) {
            return Ok(t);
        }
        let etag = classified.tile_etag(self.version_hash, tile, scale);
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
                return Ok(Bytes::from(png));
            }
            run(RenderJob {
                classified: Arc::clone(classified),
                tile,
                scale,
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
