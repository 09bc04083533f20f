//! Quartier's data side: everything between a city's files and a classified district layer.
//!
//! # Brief overview
//!
//! **Layers**
//! - [`Layer`]: districts with string ids, names, geometry in EPSG:4326 and EPSG:3857, and attributes.
//!
//! **Import**
//! - [`import`]: ESRI shapefiles (also zipped), GeoJSON and TopoJSON, with codepage detection;
//!   [`import::files`] says which files make up a boundary source.
//! - [`crs`]: identify a CRS from `.prj` WKT, EPSG codes or `+proj` strings, and reproject.
//! - [`validate`]: geometry checks and repairs, collected into a validation report.
//! - [`limits`]: size caps on every file read, checked by the file's length before reading.
//!
//! **Indicators**
//! - [`table`]: CSV/TSV indicator tables as exported from Excel or GENESIS.
//! - [`join`]: join a table to a layer by key, with a join report.
//! - [`aggregate`]: points and finer units into districts (counts, sums, weighted means), rates, densities, suppression.
//! - [`locate`]: which district contains a point (the one point locator).
//!
//! **Maps**
//! - [`classify`]: class breaks (quantile, equal interval, Fisher-Jenks, standard deviation, pretty, manual).
//! - [`palette`]: ColorBrewer and viridis colour schemes.
//!
//! Nothing here knows about HTTP, async, pixels or the atlas manifest (that is `quartier-atlas`).
//!
//! # Example
//!
//! Import a boundary file, join nothing, and classify one of its fields as a map would:
//!
//! ```
//! use std::path::Path;
//! use quartier_geo::{classify, import, palette};
//!
//! let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../geodata/nc/nc.shp");
//! let imported = import::read_layer(&path, &import::ImportOptions::default())?;
//! assert_eq!(imported.layer.districts.len(), 100);
//! assert_eq!(imported.report.crs, "NAD27 (EPSG:4267)");
//!
//! let sid74 = imported.layer.numeric("SID74").expect("a numeric field");
//! let classes = classify::classify(sid74, classify::Method::Jenks, 5, None)?;
//! let colors = palette::scheme("YlOrRd")?.colors(classes.classes())?;
//! assert_eq!(palette::hex(colors[0]), "#ffffb2");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A whole atlas (layers, joined tables, indicators, styles) is the `quartier-atlas` crate's: its
//! `manifest` module loads `geodata/atlas.toml`, the commented example, with this crate.

pub mod aggregate;
pub mod classify;
pub mod crs;
pub mod import;
pub mod join;
pub mod layer;
pub mod limits;
pub mod locate;
pub mod palette;
pub mod table;
pub mod validate;

pub use layer::{Attribute, AttributeValues, District, Layer};
