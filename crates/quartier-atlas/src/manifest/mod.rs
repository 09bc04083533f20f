//! The atlas manifest: one TOML file that says which layers a city publishes, which tables are
//! joined to them and how each indicator is computed, titled and styled.
//!
//! # Brief overview
//!
//! [`LoadedAtlas::load`] reads a manifest, imports every layer with `quartier_geo::import`, reads and joins
//! its tables with `quartier_geo::table` and `quartier_geo::join`, computes each [`Indicator`] (a field, or a
//! ratio `numerator / denominator × factor`), and returns the atlas together with an
//! [`AtlasReport`] (import, validation and join reports) that `quartier check` prints.
//! [`LoadedAtlas::from_boundary_file`] makes a one-layer atlas from a boundary file alone, as
//! `quartier serve nc.shp` does: every numeric attribute becomes an indicator.
//!
//! The manifest format is documented with a commented example in `geodata/atlas.toml` and in
//! `docs/manifest.md`.
//! Unknown keys are an error with the line and column, so a typo never silently drops a setting.
//! Relative paths are resolved against the manifest's folder.
//!
//! The module is split by concern: `spec` (the TOML as written), `types` (what a loaded atlas
//! holds), `styles` (defaults and the style check), `fingerprint` (the data version), `load`
//! (reading everything), `report` (what `quartier check` prints), `error`.

mod error;
mod fingerprint;
mod guards;
mod indicators;
mod load;
mod names;
mod report;
mod spec;
mod styles;
mod tables;
mod types;
mod typology;

pub use error::ManifestError;
pub use guards::{layer_id_problem, MAX_LAYER_ID_LEN};
pub use load::MAX_MANIFEST_BYTES;
pub use report::{AtlasReport, IndicatorSummary, LayerReport, PeriodJoin, TableSummary};
pub use spec::View;
pub use types::{
    AtlasLayer, Basemap, Category, Centre, Component, ExternalReference, Indicator, LoadedAtlas,
    Localized, Reference, StartView, Style, StyleSpec, Theme,
};
