//! What an archive says about its tiles: name, extent, zooms, attribution, legend, format.

use serde_json::{json, Map, Value};

/// The content of the tiles, which decides how they are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TileFormat {
    /// PNG images, stored as given.
    Png,
    /// Mapbox Vector Tiles, given uncompressed and stored gzip-compressed, as both PMTiles
    /// readers and MBTiles 1.3 (`format = pbf`) expect.
    Mvt,
}

impl TileFormat {
    /// The MBTiles `format` value: `png` or `pbf`.
    #[must_use]
    pub fn mbtiles_format(self) -> &'static str {
        match self {
            TileFormat::Png => "png",
            TileFormat::Mvt => "pbf",
        }
    }

    pub(crate) fn pmtiles_type(self) -> pmtiles::TileType {
        match self {
            TileFormat::Png => pmtiles::TileType::Png,
            TileFormat::Mvt => pmtiles::TileType::Mvt,
        }
    }
}

/// Metadata written into an archive, the same for both formats.
#[derive(Debug, Clone, PartialEq)]
pub struct ArchiveMetadata {
    /// Human-readable name of the tileset (MBTiles `name`, PMTiles metadata `name`).
    pub name: String,
    /// One-line description; may be empty.
    pub description: String,
    /// Attribution shown by map clients (HTML allowed, as in TileJSON); may be empty.
    pub attribution: String,
    /// What the tiles are.
    pub format: TileFormat,
    /// Extent of the data in degrees, `[west, south, east, north]` (WGS 84).
    pub bounds: [f64; 4],
    /// Smallest zoom in the archive.
    pub min_zoom: u8,
    /// Largest zoom in the archive.
    pub max_zoom: u8,
    /// The layer's legend (Quartier's legend JSON), stored under the key `legend`.
    pub legend: Option<Value>,
    /// For vector tiles: TileJSON `vector_layers` (an array describing each layer and its
    /// fields); PMTiles and MBTiles readers of MVT expect it.
    pub vector_layers: Option<Value>,
}

impl ArchiveMetadata {
    /// The centre of the bounds, at the smallest zoom: `(lon, lat, zoom)`.
    #[must_use]
    pub fn center(&self) -> (f64, f64, u8) {
        let [w, s, e, n] = self.bounds;
        ((w + e) / 2.0, (s + n) / 2.0, self.min_zoom)
    }

    /// The JSON object of extra keys both formats carry: `legend` and `vector_layers`.
    pub(crate) fn extra_json(&self) -> Map<String, Value> {
        let mut extra = Map::new();
        if let Some(layers) = &self.vector_layers {
            extra.insert("vector_layers".into(), layers.clone());
        }
        if let Some(legend) = &self.legend {
            extra.insert("legend".into(), legend.clone());
        }
        extra
    }

    /// The PMTiles metadata object (TileJSON-like keys plus the extras).
    pub(crate) fn pmtiles_json(&self) -> String {
        let mut obj = Map::new();
        obj.insert("name".into(), json!(self.name));
        obj.insert("description".into(), json!(self.description));
        obj.insert("attribution".into(), json!(self.attribution));
        obj.insert("type".into(), json!("overlay"));
        obj.insert("format".into(), json!(self.format.mbtiles_format()));
        obj.insert("version".into(), json!("1"));
        obj.extend(self.extra_json());
        Value::Object(obj).to_string()
    }

    /// The MBTiles 1.3 `metadata` rows, `(name, value)`.
    pub(crate) fn mbtiles_rows(&self) -> Vec<(&'static str, String)> {
        let [w, s, e, n] = self.bounds;
        let (cx, cy, cz) = self.center();
        let mut rows = vec![
            ("name", self.name.clone()),
            ("format", self.format.mbtiles_format().to_owned()),
            ("bounds", format!("{w},{s},{e},{n}")),
            ("center", format!("{cx},{cy},{cz}")),
            ("minzoom", self.min_zoom.to_string()),
            ("maxzoom", self.max_zoom.to_string()),
            ("attribution", self.attribution.clone()),
            ("description", self.description.clone()),
            ("type", "overlay".to_owned()),
            ("version", "1".to_owned()),
        ];
        let extra = self.extra_json();
        if !extra.is_empty() {
            rows.push(("json", Value::Object(extra).to_string()));
        }
        rows
    }
}
