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
//! A whole atlas (layers, joined tables, indicators, styles) loads with
//! [`Atlas::load`](atlas::Atlas::load); `geodata/atlas.toml` is the commented example.

/// Points and finer units aggregated into districts; derived rates and small-number suppression.
pub mod aggregate;
/// The TOML atlas manifest: layers, joined tables, indicators and their default styles.
pub mod atlas;
/// Class breaks for choropleths, as PySAL mapclassify computes them.
pub mod classify;
/// Coordinate reference systems: identification and reprojection (proj4rs).
pub mod crs;
/// Boundary readers: shapefile (also zipped), GeoJSON, TopoJSON; codepages; the import report.
pub mod import;
/// Key joins of indicator tables to layers, with a join report.
pub mod join;
/// The district layer every importer produces.
pub mod layer;
/// ColorBrewer, viridis and cividis colour schemes with their published colours.
pub mod palette;
/// CSV/TSV indicator tables: encoding, delimiter, decimal mark, title and footnote rows.
pub mod table;
/// Geometry checks and repairs, collected into a validation report.
pub mod validate;

pub use layer::{Attribute, AttributeValues, District, Layer};
