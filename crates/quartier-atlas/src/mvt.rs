//! The vector tile entry point: [`Atlas::vector_tile`], the districts meeting one tile as a
//! Mapbox Vector Tile, with the properties the atlas decides for an indicator and a style.
//!
//! Geometry is the renderer's own per-zoom geometry ([`quartier_render::render_mvt`]), so a
//! vector tile shows the same boundaries as the PNG tile of its zoom. Properties, per district:
//!
//! | key      | type    | what                                                             |
//! |----------|---------|------------------------------------------------------------------|
//! | `id`     | text    | the district id, as in `features.geojson` (leading zeros kept)   |
//! | `name`   | text    | the district name                                                |
//! | `value`  | number  | the indicator's value; absent when missing or withheld           |
//! | `class`  | integer | its class in the legend (0 = lowest); absent without a value     |
//! | `colour` | text    | the fill the PNG tile draws, `#rrggbb` (no-data and withheld too) |
//! | `status` | text    | `data`, `no_data` or `suppressed`                                |
//!
//! The MVT layer is named after the atlas layer (its id), which a MapLibre style names as its
//! `source-layer`. The feature id is the district's position in the layer.

use bytes::Bytes;
use quartier_geo::palette::{self, NO_DATA};
use quartier_render::{render_mvt, MvtAttributes, MvtValue, TileCoord};

use crate::atlas::{Atlas, Classified};
use crate::error::AtlasError;
use crate::hash::Etag;
use crate::style::Style;
use crate::suppression::{self, SUPPRESSED};

/// The property keys of every vector tile feature, in order.
pub const MVT_KEYS: [&str; 6] = ["id", "name", "value", "class", "colour", "status"];

/// The ETag scale that names a vector tile: PNG tiles use 1 and 2, so a vector tile and a PNG
/// tile of one tile and style never share an ETag.
const MVT_ETAG_SCALE: u8 = 0;

/// A vector tile: the protobuf bytes (uncompressed; empty when no district meets the tile) and
/// its strong ETag.
#[derive(Debug, Clone)]
pub struct VectorTile {
    /// Mapbox Vector Tile 2.1 bytes, uncompressed.
    pub mvt: Bytes,
    /// The strong ETag: the layer's data version, layer, indicator, canonical style, tile.
    pub etag: Etag,
}

/// The properties of every district of a classified indicator, in layer order.
fn attributes(atlas: &Atlas, c: &Classified) -> MvtAttributes {
    let layer = &atlas.layers[c.layer];
    let ind = &layer.atlas.indicators[c.indicator];
    let text = |s: &str| Some(MvtValue::Text(s.to_string()));
    let rows = layer
        .atlas
        .layer
        .districts
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let withheld = suppression::is_suppressed(ind, i);
            let value = ind.values.get(i).copied().flatten().filter(|_| !withheld);
            let class = value.and_then(|v| c.classification.class_of(v));
            let colour = class.and_then(|k| c.colors.get(k).copied());
            let (colour, status) = match (withheld, colour) {
                (true, _) => (SUPPRESSED, "suppressed"),
                (false, Some(rgb)) => (rgb, "data"),
                (false, None) => (NO_DATA, "no_data"),
            };
            vec![
                text(&d.id),
                text(&d.name),
                value.map(MvtValue::Number),
                class.map(|k| MvtValue::Integer(k as i64)),
                text(&palette::hex(colour)),
                text(status),
            ]
        })
        .collect();
    MvtAttributes {
        keys: MVT_KEYS.iter().map(|k| k.to_string()).collect(),
        rows,
    }
}

impl Atlas {
    /// The vector tile `tile` of an indicator in `style` (see the module docs for its content).
    ///
    /// ```no_run
    /// # fn example(atlas: &quartier_atlas::Atlas) -> Result<(), quartier_atlas::AtlasError> {
    /// use quartier_atlas::Style;
    /// use quartier_render::TileCoord;
    ///
    /// let coord = TileCoord::new_checked(6, 17, 25).expect("a tile of zoom 6");
    /// let tile = atlas.vector_tile("nc", "sids_rate74", &Style::default(), coord)?;
    /// std::fs::write("17-25.mvt", &tile.mvt).ok();
    /// # Ok(())
    /// # }
    /// ```
    pub fn vector_tile(
        &self,
        layer: &str,
        indicator: &str,
        style: &Style,
        tile: TileCoord,
    ) -> Result<VectorTile, AtlasError> {
        let c = self.classify(layer, indicator, style)?;
        self.classified_vector_tile(&c, tile)
    }

    /// The ETag of a vector tile, without drawing it (for 304 answers).
    pub fn vector_tile_etag(&self, c: &Classified, tile: TileCoord) -> Etag {
        c.tile_etag(self.layers[c.layer].version_hash, tile, MVT_ETAG_SCALE)
    }

    /// [`Atlas::vector_tile`] of an indicator already classified.
    pub fn classified_vector_tile(
        &self,
        c: &Classified,
        tile: TileCoord,
    ) -> Result<VectorTile, AtlasError> {
        let etag = self.vector_tile_etag(c, tile);
        let layer = &self.layers[c.layer];
        if layer.tile_is_empty(tile) {
            return Ok(VectorTile {
                mvt: Bytes::new(),
                etag,
            });
        }
        let mvt = render_mvt(&layer.render, &attributes(self, c), layer.id(), tile)
            .map_err(|e| AtlasError::Render(format!("vector tile {tile:?}: {e}")))?;
        Ok(VectorTile {
            mvt: Bytes::from(mvt),
            etag,
        })
    }
}
