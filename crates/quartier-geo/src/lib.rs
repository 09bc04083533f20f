//! Quartier's data side: everything between a city's files and a classified district layer.
//!
//! # Brief overview
//!
//! **Layers**
//! - [`Layer`](layer::Layer): districts with string ids, names, geometry in EPSG:4326 and EPSG:3857, and attributes.
//!
//! **Import**
//! - [`import`]: ESRI shapefiles (also zipped), GeoJSON and TopoJSON, with codepage detection.
//! - [`crs`]: identify a CRS from `.prj` WKT, EPSG codes or `+proj` strings, and reproject.
//! - [`validate`]: geometry checks and repairs, collected into a validation report.
//!
//! **Indicators**
//! - [`table`]: CSV/TSV indicator tables as exported from Excel or GENESIS.
//! - [`join`]: join a table to a layer by key, with a join report.
//! - [`aggregate`]: points and finer units into districts (counts, sums, weighted means), rates, densities, suppression.
//! - [`atlas`]: the TOML atlas manifest that ties layers, tables and indicators together.
//!
//! **Maps**
//! - [`classify`]: class breaks (quantile, equal interval, Fisher-Jenks, standard deviation, pretty, manual).
//! - [`palette`]: ColorBrewer and viridis colour schemes.
//!
//! Nothing here knows about HTTP, async or pixels.

/// Points and finer units aggregated into districts; derived rates and small-number suppression.
pub mod aggregate;
pub mod atlas;
pub mod classify;
pub mod crs;
pub mod import;
pub mod join;
pub mod layer;
pub mod palette;
pub mod table;
pub mod validate;

pub use layer::{Attribute, AttributeValues, District, Layer};
