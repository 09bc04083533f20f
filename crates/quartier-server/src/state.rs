//! What the server holds while it runs: the published [`Atlas`] plus what only a server needs
//! (the map page folder, the render pool's permits, the start time).
//!
//! Everything about data, styles, tiles and legends is the atlas's (`quartier-atlas`); this module
//! only runs its slow step, drawing a tile, on the server's render threads ([`RenderPool`]) with
//! at most one render per core; a tile that waits longer than [`ServerOptions::render_wait`] for
//! a slot gets a 503.

use std::ops::Deref;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use quartier_atlas::cache::CacheStats;
use quartier_atlas::manifest::LoadedAtlas;
use quartier_atlas::tile::{CacheUse, Tile};
use quartier_atlas::{Atlas, AtlasError, AtlasOptions, Classified, RenderJob, Restyle};
use quartier_render::TileCoord;
use tokio::sync::Semaphore;

use crate::error::AppError;
use crate::render_pool::RenderPool;

pub use quartier_atlas::atlas::DEFAULT_CACHE_MB;

/// How the server was asked to run (from the command line).
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Tile cache budget in bytes; 0 disables the cache.
    pub cache_bytes: u64,
    /// Folder of the map page; `None` serves a short page saying it is missing.
    pub web_dir: Option<PathBuf>,
    /// Tiles rendered at the same time; 0 means one per core.
    pub render_threads: usize,
    /// How tiles are restyled from kept district rasters.
    pub restyle: Restyle,
    /// The address clients reach the server at (`--public-url`), the base of absolute URLs in
    /// answers (TileJSON); `None` gives root-relative URLs. Never taken from `Host`.
    pub public_url: Option<String>,
    /// Sites allowed to frame the page (`--frame-ancestors`, CSP sources); `None` is `*`.
    pub frame_ancestors: Option<String>,
    /// How long a tile waits for a free render slot before it is answered 503 with
    /// `Retry-After` (`--render-wait`): under overload, clients learn it at once instead of
    /// queueing without end.
    pub render_wait: Duration,
}

/// Default of [`ServerOptions::render_wait`], in milliseconds.
pub const DEFAULT_RENDER_WAIT_MS: u64 = 2000;

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            cache_bytes: DEFAULT_CACHE_MB * 1024 * 1024,
            web_dir: None,
            render_threads: 0,
            restyle: Restyle::default(),
            public_url: None,
            frame_ancestors: None,
            render_wait: Duration::from_millis(DEFAULT_RENDER_WAIT_MS),
        }
    }
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
    /// District rasters built (a tile seen in its second style).
    pub rasters_built: u64,
    /// Tiles restyled from a kept raster with a new palette (nothing drawn).
    pub tiles_spliced: u64,
    /// Tiles restyled from a kept raster by renumbering its image, or as one colour.
    pub tiles_reencoded: u64,
    /// Tiles a kept raster could not give, drawn instead.
    pub raster_fallbacks: u64,
    /// The tile cache.
    pub cache: CacheStats,
    /// Classified styles kept.
    pub styles: usize,
}

/// Everything the handlers share, behind one `Arc`; dereferences to the [`Atlas`].
pub struct AppState {
    /// The published atlas.
    pub atlas: Atlas,
    /// Where the map page lives.
    pub web_dir: Option<PathBuf>,
    /// See [`ServerOptions::public_url`].
    pub public_url: Option<String>,
    /// See [`ServerOptions::frame_ancestors`].
    pub frame_ancestors: Option<String>,
    /// Time to prepare the atlas (plus, at start, to read its sources), for `/metrics`.
    pub load_time: Duration,
    /// When this atlas went live, in seconds since 1970, for `/metrics`.
    pub loaded_at_unix: f64,
    render_permits: Arc<Semaphore>,
    render_wait: Duration,
    /// The render threads; `None` if they could not be started (then tokio's blocking pool
    /// draws, as it did before the pool).
    render_pool: Option<RenderPool>,
    started: Instant,
    /// `legend.json` bodies by (classified style id, language): a legend is the same for the
    /// life of this atlas, and formatting its labels and notes in two languages costs more than
    /// answering it (see `http::legend`). At most [`MAX_LEGENDS`] are kept.
    pub(crate) legends:
        std::sync::Mutex<std::collections::HashMap<(u64, &'static str), bytes::Bytes>>,
}

/// How many `legend.json` bodies an atlas keeps; past it the memo starts afresh (a client
/// sending endless manual breaks cannot grow memory without bound).
pub(crate) const MAX_LEGENDS: usize = 4096;

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("atlas", &self.atlas)
            .finish_non_exhaustive()
    }
}

impl Deref for AppState {
    type Target = Atlas;

    fn deref(&self) -> &Atlas {
        &self.atlas
    }
}

impl AppState {
    /// Prepare an atlas for serving.
    pub fn new(atlas: LoadedAtlas, options: &ServerOptions) -> Self {
        let prepare = Instant::now();
        let threads = match options.render_threads {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        };
        let atlas = Atlas::new(
            atlas,
            &AtlasOptions {
                cache_bytes: options.cache_bytes,
                restyle: options.restyle,
            },
        );
        AppState {
            atlas,
            load_time: prepare.elapsed(),
            loaded_at_unix: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64()),
            web_dir: options.web_dir.clone(),
            public_url: options.public_url.clone(),
            frame_ancestors: options.frame_ancestors.clone(),
            render_permits: Arc::new(Semaphore::new(threads)),
            render_wait: options.render_wait,
            render_pool: RenderPool::new(threads)
                .inspect_err(|e| {
                    tracing::warn!("{e}; tiles are drawn on tokio's blocking pool instead");
                })
                .ok(),
            started: Instant::now(),
            legends: std::sync::Mutex::default(),
        }
    }

    /// A tile through the atlas's one pipeline, its slow draw on the render threads (at most one
    /// render per core at a time).
    pub async fn tile(
        self: &Arc<Self>,
        classified: &Arc<Classified>,
        tile: TileCoord,
        scale: u8,
        cache: CacheUse,
    ) -> Result<Tile, AppError> {
        // Failures of the pool are internal errors like a failed render (`AtlasError::Render`
        // becomes a 500 with the detail in the log); a render that found no free slot in time
        // is a 503 (`busy` tells the two apart after the atlas hands the error back).
        let busy = Arc::new(AtomicBool::new(false));
        let run = |job: RenderJob| {
            let state = Arc::clone(self);
            let busy = Arc::clone(&busy);
            async move {
                let slot = Arc::clone(&state.render_permits).acquire_owned();
                let permit = match tokio::time::timeout(state.render_wait, slot).await {
                    Ok(permit) => permit
                        .map_err(|e| AtlasError::Render(format!("render pool closed: {e}")))?,
                    Err(_) => {
                        busy.store(true, Ordering::Relaxed);
                        return Err(AtlasError::Render("every render slot stayed busy".into()));
                    }
                };
                let work = {
                    let state = Arc::clone(&state);
                    move || {
                        // The permit lives as long as the render, even when the client has gone
                        // away and this future was dropped: at most one render per core, always.
                        let _permit = permit;
                        let started = Instant::now();
                        let png = job.render(&state.atlas);
                        crate::http::metrics::METRICS
                            .render
                            .observe(started.elapsed());
                        png
                    }
                };
                state.off_runtime(work).await.map_err(|e| {
                    AtlasError::Render(format!("render task of tile {tile:?} failed: {e}"))
                })?
            }
        };
        match self
            .atlas
            .tile_with(classified, tile, scale, cache, run)
            .await
        {
            Ok(tile) => Ok(tile),
            Err(_) if busy.load(Ordering::Relaxed) => Err(AppError::Unavailable {
                message: format!(
                    "every render slot stayed busy for {:?}: try again in a second \
                     (Der Server ist ausgelastet; bitte gleich noch einmal versuchen.)",
                    self.render_wait
                ),
                retry_after_s: 1,
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// Runs CPU work of a request (a tile's draw, a hover grid, a vector tile) on the render
    /// threads and waits for it without blocking the runtime; the error says what went wrong
    /// (a panic in the work, or no thread to run it).
    pub async fn off_runtime<T, F>(&self, work: F) -> Result<T, String>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        match &self.render_pool {
            Some(pool) => pool.run(work).await.map_err(|e| e.to_string()),
            None => tokio::task::spawn_blocking(work)
                .await
                .map_err(|e| e.to_string()),
        }
    }

    /// Takes every free render slot until the returned permit is dropped: tiles that need a draw
    /// then wait `render_wait` and are answered 503. For overload tests (a tile of a small layer
    /// renders faster than a burst of requests reaches the slots, so only held slots show the
    /// overload path every time) and for draining renders before maintenance.
    pub fn occupy_render_slots(&self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        let free = u32::try_from(self.render_permits.available_permits()).ok()?;
        Arc::clone(&self.render_permits)
            .try_acquire_many_owned(free)
            .ok()
    }

    /// Counters for `/health`.
    pub fn stats(&self) -> Stats {
        let s = self.atlas.stats();
        Stats {
            uptime_s: self.started.elapsed().as_secs_f64(),
            tiles_rendered: s.tiles_rendered,
            tiles_empty: s.tiles_empty,
            rasters_built: s.rasters_built,
            tiles_spliced: s.tiles_spliced,
            tiles_reencoded: s.tiles_reencoded,
            raster_fallbacks: s.raster_fallbacks,
            cache: s.cache,
            styles: s.styles,
        }
    }
}
