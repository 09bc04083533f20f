//! The published atlas: what every output of Quartier (HTTP tiles and legends, later seeding,
//! reports, OGC tiles) is made from, with no HTTP and no async runtime in it.
//!
//! # Brief overview
//!
//! - [`manifest`]: the atlas manifest (TOML) loaded into a [`LoadedAtlas`](manifest::LoadedAtlas):
//!   layers imported and joined with `quartier-geo`, indicators computed, styles checked, and the
//!   data version (one fingerprint of every input file).
//! - [`Atlas`] (`atlas`): a loaded atlas prepared for requests: layers, the style registry
//!   ([`Classified`] per canonical style), the tile cache, counters.
//! - [`Atlas::tile`] (`tile`): the one tile entry point (empty -> cache -> restyled from a kept
//!   district raster -> one-colour -> render); [`Atlas::tile_with`] is the same for async callers
//!   that render on their own pool.
//! - [`Atlas::hover_grid`] (`hover`): the district under each cell of a tile (UTFGrid), and
//!   [`values`]: a layer's districts without geometry, for hover, table and profile.
//! - [`Atlas::legend`] (`legend`): the one legend entry point (classes, breaks, colours, counts,
//!   labels in German and English).
//! - [`Atlas::vector_tile`] (`mvt`): the districts of one tile as a Mapbox Vector Tile with id,
//!   name, value, class, colour and status for a style.
//! - [`Style`] (`style`): a requested style as query parameters, resolved against the manifest.
//! - [`labels`]: the legend's number formatting, as the map page printed it.
//! - [`layer`]: one layer prepared (render geometry, point index, statistics, id lookups).
//! - [`geojson`]: the `features.geojson` writer; [`suppression`]: withheld small numbers;
//!   [`cache`]: the tile cache; [`hash`]: FNV-1a and ETags; [`stats`]: indicator statistics.
//! - [`AtlasError`] (`error`): every failure, typed, for the server to map to HTTP in one place.

pub mod atlas;
pub mod cache;
pub mod error;
pub mod geojson;
pub mod hash;
pub mod hover;
pub mod index;
pub mod labels;
pub mod lang;
pub mod layer;
pub mod legend;
pub mod manifest;
pub mod messages;
pub mod mvt;
pub mod periods;
pub mod print;
pub mod stats;
pub mod style;
pub mod suppression;
pub mod tile;
pub mod values;

pub use atlas::{Atlas, AtlasOptions, AtlasStats, Classified};
pub use error::AtlasError;
pub use hash::Etag;
pub use lang::Lang;
pub use legend::{Legend, Titles};
pub use mvt::VectorTile;
pub use style::Style;
pub use tile::{Answered, CacheUse, RenderJob, Restyle, Tile};
