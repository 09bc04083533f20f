//! Hover without geometry (issue 13): the district under each 4 × 4 pixel cell of a tile, as
//! UTFGrid 1.2 JSON whose keys are positions in the layer (and so in `values.json`).
//!
//! A grid depends only on the layer and the tile, never on indicator or style: one per tile,
//! kept in the tile cache under the same budget. UTFGrid was measured 2-4× smaller gzipped than
//! an id PNG on the US counties (`benches/RESULTS.md`), and a screen of grids is about 12 kB
//! against the 7.9 MB of gzipped `features.geojson` the page used to load for hover.

use bytes::Bytes;
use quartier_render::{hover_utfgrid, TileCoord};

use crate::atlas::Atlas;
use crate::cache::RasterKey;
use crate::error::AtlasError;
use crate::hash::{Etag, Fnv};

/// A tile's hover grid.
#[derive(Debug, Clone)]
pub struct HoverGrid {
    /// UTFGrid 1.2 JSON: `grid` (64 rows of 64 characters), `keys` (layer positions as decimal
    /// strings, `""` for no district).
    pub json: Bytes,
    /// Strong ETag: data version, layer and tile.
    pub etag: Etag,
}

impl Atlas {
    /// The ETag of a hover grid, known without computing it (for 304s).
    pub fn hover_grid_etag(&self, layer: usize, tile: TileCoord) -> Etag {
        let hash = Fnv::new()
            .field("utfgrid")
            .field(&self.version)
            .field(self.layers[layer].id())
            .u64(u64::from(tile.z))
            .u64(u64::from(tile.x))
            .u64(u64::from(tile.y))
            .finish();
        Etag::new(self.version_hash, hash)
    }

    /// The hover grid of `tile` in layer `layer` (by position): from the cache, else computed
    /// (a millisecond or two on a busy tile: callers with an async runtime run it off their
    /// workers) and kept.
    pub fn hover_grid(&self, layer: usize, tile: TileCoord) -> Result<HoverGrid, AtlasError> {
        let etag = self.hover_grid_etag(layer, tile);
        let key = RasterKey {
            layer: layer as u16,
            z: tile.z,
            x: tile.x,
            y: tile.y,
            scale: 1,
            border: 0,
        };
        if let Some(json) = self.tiles.grid(&key) {
            return Ok(HoverGrid { json, etag });
        }
        let json = hover_utfgrid(&self.layers[layer].render, tile)
            .map_err(|e| AtlasError::Render(format!("hover grid of tile {tile:?}: {e}")))?;
        let json = Bytes::from(json);
        self.tiles.insert_grid(key, json.clone());
        Ok(HoverGrid { json, etag })
    }
}
