//! The in-memory tile cache: rendered PNGs kept under a byte budget.
//!
//! A cached tile is a [`Bytes`]: a hit clones a reference count, never the pixels, and goes straight
//! into the response body.
//! The cache is [`quick_cache`]'s sharded concurrent cache, weighted by bytes, with an S3-FIFO/CLOCK
//! eviction policy: tiles seen once (a crawl over a zoom level) are evicted before tiles seen again
//! (the city centre everyone looks at), and a hit takes only a shard's read lock.
//! Concurrent misses of the same tile are coalesced: one request renders, the others wait for it.
//!
//! A budget of zero (`--no-cache`) disables the cache entirely.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use quick_cache::sync::Cache;
use quick_cache::Weighter;
use serde::Serialize;

/// What identifies a rendered tile. Small and `Copy`, so a lookup allocates nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileKey {
    /// Position of the layer in the atlas.
    pub layer: u16,
    /// Position of the indicator in its layer.
    pub indicator: u16,
    /// Interned id of the canonical style (the atlas's style registry).
    pub style: u32,
    /// Zoom.
    pub z: u8,
    /// Column.
    pub x: u32,
    /// Row (XYZ, 0 at the north).
    pub y: u32,
    /// 1 for 256 px, 2 for 512 px (`@2x`).
    pub scale: u8,
}

/// Approximate bookkeeping cost of one entry besides its bytes (key, slot, `Bytes` header).
const ENTRY_OVERHEAD: u64 = 96;

#[derive(Debug, Clone, Copy)]
struct ByteWeighter;

impl Weighter<TileKey, Bytes> for ByteWeighter {
    fn weight(&self, _key: &TileKey, tile: &Bytes) -> u64 {
        tile.len() as u64 + ENTRY_OVERHEAD
    }
}

/// Counters of the cache, for `/health` and the shutdown summary.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct CacheStats {
    /// Byte budget; 0 when the cache is disabled.
    pub budget_bytes: u64,
    /// Bytes held now (tiles plus bookkeeping).
    pub bytes: u64,
    /// Tiles held now.
    pub tiles: usize,
    /// Requests answered from the cache.
    pub hits: u64,
    /// Requests that had to render.
    pub misses: u64,
}

/// The tile cache (or its absence).
pub struct TileCache {
    inner: Option<Cache<TileKey, Bytes, ByteWeighter>>,
    budget: u64,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl std::fmt::Debug for TileCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TileCache")
            .field("stats", &self.stats())
            .finish()
    }
}

/// Typical size of a cached tile, to size the cache's index up front.
const TYPICAL_TILE_BYTES: u64 = 4 * 1024;

impl TileCache {
    /// A cache holding at most `budget_bytes`; zero disables it.
    pub fn new(budget_bytes: u64) -> Self {
        let inner = (budget_bytes > 0).then(|| {
            let items = (budget_bytes / TYPICAL_TILE_BYTES).clamp(16, 1 << 20) as usize;
            Cache::with_weighter(items, budget_bytes, ByteWeighter)
        });
        TileCache {
            inner,
            budget: budget_bytes,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// True when tiles are kept at all.
    pub fn is_enabled(&self) -> bool {
        self.inner.is_some()
    }

    /// The cached tile, if any.
    pub fn get(&self, key: &TileKey) -> Option<Bytes> {
        let found = self.inner.as_ref()?.get(key);
        self.count(found.is_some());
        found
    }

    /// The cached tile, counting only a hit: for a lookup whose miss is handed on to
    /// [`Self::get_or_render`], which counts it.
    pub fn get_hit(&self, key: &TileKey) -> Option<Bytes> {
        let found = self.inner.as_ref()?.get(key)?;
        self.count(true);
        Some(found)
    }

    /// Keep a tile. A tile larger than a shard's share of the budget is simply not kept.
    pub fn insert(&self, key: TileKey, tile: Bytes) {
        if let Some(cache) = &self.inner {
            cache.insert(key, tile);
        }
    }

    /// The cached tile, or the one `render` produces, which is then kept; the flag says whether
    /// the tile came from the cache.
    ///
    /// While one caller renders a tile, other callers asking for the same key wait for its result
    /// instead of rendering it again (and count as hits). An error is returned to the renderer's
    /// caller and nothing is kept; waiting callers then render themselves.
    pub async fn get_or_render<E, F>(&self, key: TileKey, render: F) -> Result<(Bytes, bool), E>
    where
        F: Future<Output = Result<Bytes, E>>,
    {
        let Some(cache) = &self.inner else {
            self.count(false);
            return Ok((render.await?, false));
        };
        match cache.get_value_or_guard_async(&key).await {
            Ok(tile) => {
                self.count(true);
                Ok((tile, true))
            }
            Err(guard) => {
                self.count(false);
                let tile = render.await?;
                let _ = guard.insert(tile.clone());
                Ok((tile, false))
            }
        }
    }

    fn count(&self, hit: bool) {
        let counter = if hit { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Current counters.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            budget_bytes: self.budget,
            bytes: self.inner.as_ref().map_or(0, |c| c.weight()),
            tiles: self.inner.as_ref().map_or(0, |c| c.len()),
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }

    /// Drop every tile (e.g. after the data changed).
    pub fn clear(&self) {
        if let Some(cache) = &self.inner {
            cache.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(x: u32) -> TileKey {
        TileKey {
            layer: 0,
            indicator: 0,
            style: 0,
            z: 10,
            x,
            y: 0,
            scale: 1,
        }
    }

    #[test]
    fn hit_returns_the_same_bytes_without_copying() {
        let cache = TileCache::new(1 << 20);
        let tile = Bytes::from(vec![7u8; 1000]);
        cache.insert(key(1), tile.clone());
        let got = cache.get(&key(1)).unwrap();
        assert_eq!(got.as_ptr(), tile.as_ptr());
        assert!(cache.get(&key(2)).is_none());
        let s = cache.stats();
        assert_eq!((s.hits, s.misses, s.tiles), (1, 1, 1));
    }

    #[test]
    fn budget_is_respected() {
        let budget = 64 * 1024;
        let cache = TileCache::new(budget);
        for x in 0..1000 {
            cache.insert(key(x), Bytes::from(vec![0u8; 1024]));
        }
        let s = cache.stats();
        assert!(s.bytes <= budget, "{} bytes held, budget {budget}", s.bytes);
        assert!(s.tiles > 0 && s.tiles < 1000);
    }

    #[test]
    fn disabled_cache_keeps_nothing() {
        let cache = TileCache::new(0);
        assert!(!cache.is_enabled());
        cache.insert(key(1), Bytes::from_static(b"png"));
        assert!(cache.get(&key(1)).is_none());
        assert_eq!(cache.stats().tiles, 0);
    }

    #[test]
    fn get_or_render_renders_once() {
        crate::tile::block_on(renders_once());
    }

    async fn renders_once() {
        let cache = TileCache::new(1 << 20);
        let first: Result<_, ()> = cache
            .get_or_render(key(1), async { Ok(Bytes::from_static(b"a")) })
            .await;
        assert_eq!(first.unwrap(), (Bytes::from_static(b"a"), false));
        // A second render would give "b": the cached "a" must win.
        let second: Result<_, ()> = cache
            .get_or_render(key(1), async { Ok(Bytes::from_static(b"b")) })
            .await;
        assert_eq!(second.unwrap(), (Bytes::from_static(b"a"), true));
        let failed = cache.get_or_render(key(2), async { Err("boom") }).await;
        assert_eq!(failed.unwrap_err(), "boom");
        assert!(cache.get(&key(2)).is_none());
        let s = cache.stats();
        assert_eq!((s.hits, s.misses), (1, 3));
    }
}
