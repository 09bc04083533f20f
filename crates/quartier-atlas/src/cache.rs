//! The in-memory tile cache: rendered PNGs, the district rasters they are restyled from, and
//! hover grids, all kept under one byte budget.
//!
//! A cached tile is a [`Bytes`]: a hit clones a reference count, never the pixels, and goes straight
//! into the response body.
//! A [`DistrictRaster`] (issue 13) is a tile drawn once without colours, per layer, tile, scale
//! and border width; any other style of that tile is then a new palette in front of its kept
//! image data. It is kept under the same budget as the PNGs, weighed by its
//! [`DistrictRaster::byte_size`]. The data version is not part of any key: an atlas owns its
//! cache, and a reload builds a new atlas with an empty one.
//! The cache is [`quick_cache`]'s sharded concurrent cache, weighted by bytes, with an S3-FIFO/CLOCK
//! eviction policy: tiles seen once (a crawl over a zoom level) are evicted before tiles seen again
//! (the city centre everyone looks at), and a hit takes only a shard's read lock.
//! Concurrent misses of the same tile are coalesced: one request renders, the others wait for it.
//!
//! A restyled tile is kept only from its second request on ([`TileCache::insert_restyled`]): it
//! is remade from its raster in microseconds, while a planner trying breaks asks for each tile
//! of a style once. Keeping every one of those evicted the tiles and rasters that are dear to
//! remake, and the churn cost more than the restyle itself (benches/RESULTS.md, "Restyled tiles
//! kept from their second request on").
//!
//! A budget of zero (`--no-cache`) disables the cache entirely.

use std::future::Future;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use quartier_render::DistrictRaster;
use quick_cache::sync::Cache;
use quick_cache::Weighter;
use serde::Serialize;

use crate::hash::Fnv;

/// What identifies a rendered tile. Small and `Copy`, so a lookup allocates nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileKey {
    /// Position of the layer in the atlas.
    pub layer: u16,
    /// Position of the indicator in its layer.
    pub indicator: u16,
    /// Interned id of the canonical style (the atlas's style registry; never reused).
    pub style: u64,
    /// Zoom.
    pub z: u8,
    /// Column.
    pub x: u32,
    /// Row (XYZ, 0 at the north).
    pub y: u32,
    /// 1 for 256 px, 2 for 512 px (`@2x`).
    pub scale: u8,
}

/// What identifies a district raster, and a hover grid (with `scale` 1 and `border` 0): the
/// tile's pixels without colours, shared by every indicator and style of the layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RasterKey {
    /// Position of the layer in the atlas.
    pub layer: u16,
    /// Zoom.
    pub z: u8,
    /// Column.
    pub x: u32,
    /// Row (XYZ, 0 at the north).
    pub y: u32,
    /// 1 for 256 px, 2 for 512 px (`@2x`).
    pub scale: u8,
    /// The drawn border width's bits (`f32::to_bits`; 0 for no border).
    pub border: u32,
}

/// One cache slot's key: the kinds of entry share the budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Slot {
    Tile(TileKey),
    Raster(RasterKey),
    /// The tile was drawn once (in some style) without a raster: the next style builds one.
    Seen(RasterKey),
    Grid(RasterKey),
}

/// One cache slot's value.
#[derive(Debug, Clone)]
enum Kept {
    Png(Bytes),
    Raster(Arc<DistrictRaster>),
    Seen,
    Grid(Bytes),
}

/// Approximate bookkeeping cost of one entry besides its bytes (key, slot, `Bytes` header).
const ENTRY_OVERHEAD: u64 = 96;

#[derive(Debug, Clone, Copy)]
struct ByteWeighter;

impl Weighter<Slot, Kept> for ByteWeighter {
    fn weight(&self, _key: &Slot, kept: &Kept) -> u64 {
        ENTRY_OVERHEAD
            + match kept {
                Kept::Png(b) | Kept::Grid(b) => b.len() as u64,
                Kept::Raster(r) => r.byte_size() as u64,
                Kept::Seen => 0,
            }
    }
}

/// Counters of the cache, for `/health` and the shutdown summary.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct CacheStats {
    /// Byte budget; 0 when the cache is disabled.
    pub budget_bytes: u64,
    /// Bytes held now (tiles, rasters, grids plus bookkeeping).
    pub bytes: u64,
    /// PNG tiles held now.
    pub tiles: usize,
    /// District rasters held now.
    pub rasters: usize,
    /// Bytes of the district rasters held now (with bookkeeping), part of `bytes`.
    pub raster_bytes: u64,
    /// Hover grids held now.
    pub grids: usize,
    /// Requests answered from the cache.
    pub hits: u64,
    /// Requests that had to render.
    pub misses: u64,
}

/// The tile cache (or its absence).
pub struct TileCache {
    inner: Option<Cache<Slot, Kept, ByteWeighter>>,
    budget: u64,
    doorkeeper: Doorkeeper,
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
        let items = (budget_bytes / TYPICAL_TILE_BYTES).clamp(16, 1 << 20) as usize;
        let inner =
            (budget_bytes > 0).then(|| Cache::with_weighter(items, budget_bytes, ByteWeighter));
        TileCache {
            inner,
            budget: budget_bytes,
            // Four slots per tile the budget holds: a tile asked for twice within a few budgets'
            // worth of other restyles is remembered (256 KiB for the default 64 MiB).
            doorkeeper: Doorkeeper::new(4 * items),
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
        let found = self.png(key);
        self.count(found.is_some());
        found
    }

    fn png(&self, key: &TileKey) -> Option<Bytes> {
        match self.inner.as_ref()?.get(&Slot::Tile(*key))? {
            Kept::Png(png) => Some(png),
            _ => None,
        }
    }

    /// The cached tile, counting only a hit: for a lookup whose miss is handed on to
    /// [`Self::get_or_render`], which counts it.
    pub fn get_hit(&self, key: &TileKey) -> Option<Bytes> {
        let found = self.png(key)?;
        self.count(true);
        Some(found)
    }

    /// Keep a tile. A tile larger than a shard's share of the budget is simply not kept.
    pub fn insert(&self, key: TileKey, tile: Bytes) {
        if let Some(cache) = &self.inner {
            cache.insert(Slot::Tile(key), Kept::Png(tile));
        }
    }

    /// Keep a tile restyled from its raster, if it was asked for before: see the module doc.
    /// Returns whether it was kept.
    pub fn insert_restyled(&self, key: TileKey, tile: &Bytes) -> bool {
        let Some(cache) = &self.inner else {
            return false;
        };
        let again = self.doorkeeper.seen_again(&key);
        if again {
            cache.insert(Slot::Tile(key), Kept::Png(tile.clone()));
        }
        again
    }

    /// The kept district raster of a tile, if any.
    pub fn raster(&self, key: &RasterKey) -> Option<Arc<DistrictRaster>> {
        match self.inner.as_ref()?.get(&Slot::Raster(*key))? {
            Kept::Raster(r) => Some(r),
            _ => None,
        }
    }

    /// Keep a district raster (and forget that the tile was only seen).
    pub fn insert_raster(&self, key: RasterKey, raster: Arc<DistrictRaster>) {
        if let Some(cache) = &self.inner {
            cache.insert(Slot::Raster(key), Kept::Raster(raster));
            cache.remove(&Slot::Seen(key));
        }
    }

    /// Notes that the tile was drawn, and says whether it had been before (in another style):
    /// a raster pays from the second style on, and costs about three draws to build, so the
    /// first style of a tile is simply drawn. Always false when the cache is disabled.
    pub fn seen_before(&self, key: RasterKey) -> bool {
        let Some(cache) = &self.inner else {
            return false;
        };
        if cache.get(&Slot::Seen(key)).is_some() {
            return true;
        }
        cache.insert(Slot::Seen(key), Kept::Seen);
        false
    }

    /// The kept hover grid of a tile, if any.
    pub fn grid(&self, key: &RasterKey) -> Option<Bytes> {
        match self.inner.as_ref()?.get(&Slot::Grid(*key))? {
            Kept::Grid(g) => Some(g),
            _ => None,
        }
    }

    /// Keep a hover grid.
    pub fn insert_grid(&self, key: RasterKey, grid: Bytes) {
        if let Some(cache) = &self.inner {
            cache.insert(Slot::Grid(key), Kept::Grid(grid));
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
        match cache.get_value_or_guard_async(&Slot::Tile(key)).await {
            Ok(Kept::Png(tile)) => {
                self.count(true);
                Ok((tile, true))
            }
            // Only PNGs live under tile slots.
            Ok(_) => {
                self.count(false);
                Ok((render.await?, false))
            }
            Err(guard) => {
                self.count(false);
                let tile = render.await?;
                let _ = guard.insert(Kept::Png(tile.clone()));
                Ok((tile, false))
            }
        }
    }

    fn count(&self, hit: bool) {
        let counter = if hit { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Current counters (walks the entries to count them by kind: for `/health`, not per tile).
    pub fn stats(&self) -> CacheStats {
        let mut stats = CacheStats {
            budget_bytes: self.budget,
            bytes: self.inner.as_ref().map_or(0, |c| c.weight()),
            tiles: 0,
            rasters: 0,
            raster_bytes: 0,
            grids: 0,
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        };
        for (slot, kept) in self.inner.iter().flat_map(|c| c.iter()) {
            match slot {
                Slot::Tile(_) => stats.tiles += 1,
                Slot::Raster(_) => {
                    stats.rasters += 1;
                    stats.raster_bytes += ByteWeighter.weight(&slot, &kept);
                }
                Slot::Grid(_) => stats.grids += 1,
                Slot::Seen(_) => {}
            }
        }
        stats
    }

    /// Drop every tile, raster and grid (e.g. after the data changed).
    pub fn clear(&self) {
        if let Some(cache) = &self.inner {
            cache.clear();
        }
    }
}

/// Which restyled tiles were asked for lately: a direct-mapped table of 32-bit fingerprints,
/// lock-free and allocation-free per request (the doorkeeper of TinyLFU admission). Two tiles
/// sharing a slot push each other out, which only costs a restyle; a fingerprint collision only
/// keeps a tile one request early.
struct Doorkeeper {
    slots: Box<[AtomicU32]>,
}

impl Doorkeeper {
    /// At least `slots` slots (a power of two, at least one).
    fn new(slots: usize) -> Self {
        Doorkeeper {
            slots: (0..slots.next_power_of_two())
                .map(|_| AtomicU32::new(0))
                .collect(),
        }
    }

    /// True when `key` was the last key seen in its slot; notes it there either way.
    fn seen_again(&self, k: &TileKey) -> bool {
        // The workspace's FNV-1a over the packed key: its low bits pick the slot.
        let h = Fnv::new()
            .u64(k.style)
            .u64(u64::from(k.x) | u64::from(k.y) << 32)
            .u64(u64::from(k.layer) | u64::from(k.indicator) << 16)
            .u64(u64::from(k.z) | u64::from(k.scale) << 8)
            .finish();
        let slot = &self.slots[(h as usize) & (self.slots.len() - 1)];
        // The high half as the fingerprint, never 0 (an empty slot).
        let print = ((h >> 32) as u32).max(1);
        slot.swap(print, Ordering::Relaxed) == print
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
    fn a_restyled_tile_is_kept_from_its_second_request() {
        let cache = TileCache::new(1 << 20);
        let tile = Bytes::from_static(b"png");
        assert!(!cache.insert_restyled(key(1), &tile));
        assert!(cache.get(&key(1)).is_none());
        assert!(cache.insert_restyled(key(1), &tile));
        assert_eq!(cache.get(&key(1)), Some(tile.clone()));
        // Another style of the same tile is another key: first sight again.
        let other = TileKey { style: 1, ..key(1) };
        assert!(!cache.insert_restyled(other, &tile));
        assert!(!TileCache::new(0).insert_restyled(key(1), &tile));
    }

    #[test]
    fn the_doorkeeper_forgets_only_what_shares_its_slot() {
        // 1,000 keys, each seen twice after all were seen once.
        let keys: Vec<TileKey> = (0..1000)
            .map(|i| TileKey {
                style: u64::from(i / 10),
                x: i % 10,
                ..key(0)
            })
            .collect();
        let remembered = |door: &Doorkeeper| {
            assert!(keys.iter().all(|k| !door.seen_again(k)));
            keys.iter().filter(|k| door.seen_again(k)).count()
        };
        // 4,096 slots: a key is forgotten only when another shares its slot, about
        // 1000 * (1 - e^(-1000/4096)) = 217 of them for a random hash; FNV does no worse.
        let again = remembered(&Doorkeeper::new(4096));
        assert!(again >= 750, "{again} of 1000 remembered");
        // 64 slots: each remembers at most its one last key.
        let again = remembered(&Doorkeeper::new(64));
        assert!(again <= 64, "{again} of 1000 remembered in 64 slots");
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
