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
use crate::layer::PreparedLayer;

/// Adds UTFGrid's `data`: for every key, the district's `id` and `name`, so that a page can name
/// the district under the mouse before (or without) loading `values.json`.
fn with_names(grid: &str, layer: &PreparedLayer) -> Result<Vec<u8>, String> {
    let mut value: serde_json::Value = serde_json::from_str(grid).map_err(|e| e.to_string())?;
    let districts = &layer.atlas.layer.districts;
    let data: serde_json::Map<String, serde_json::Value> = value["keys"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|k| k.as_str())
        .filter_map(|k| {
            let d = districts.get(k.parse::<usize>().ok()?)?;
            Some((
                k.to_string(),
                serde_json::json!({ "id": d.id, "name": d.name }),
            ))
        })
        .collect();
    value["data"] = serde_json::Value::Object(data);
    serde_json::to_vec(&value).map_err(|e| e.to_string())
}

/// A tile's hover grid.
#[derive(Debug, Clone)]
pub struct HoverGrid {
    /// UTFGrid 1.2 JSON: `grid` (64 rows of 64 characters), `keys` (layer positions as decimal
    /// strings, `""` for no district), `data` (per key: the district's `id` and `name`).
    pub json: Bytes,
    /// Strong ETag: the layer's data version, layer and tile.
    pub etag: Etag,
}

impl Atlas {
    /// The ETag of a hover grid, known without computing it (for 304s).
    pub fn hover_grid_etag(&self, layer: usize, tile: TileCoord) -> Etag {
        let hash = Fnv::new()
            .field("utfgrid")
            .field(&self.layers[layer].atlas.version)
            .field(self.layers[layer].id())
            .u64(u64::from(tile.z))
            .u64(u64::from(tile.x))
            .u64(u64::from(tile.y))
            .finish();
        Etag::new(self.layers[layer].version_hash, hash)
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
        let failed = |e: String| AtlasError::Render(format!("hover grid of tile {tile:?}: {e}"));
        let grid =
            hover_utfgrid(&self.layers[layer].render, tile).map_err(|e| failed(e.to_string()))?;
        let json = Bytes::from(with_names(&grid, &self.layers[layer]).map_err(failed)?);
        self.tiles.insert_grid(key, json.clone());
        Ok(HoverGrid { json, etag })
    }
}
