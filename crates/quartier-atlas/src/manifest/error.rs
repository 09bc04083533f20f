//! Errors that make an atlas manifest unusable.

use std::path::PathBuf;

use quartier_geo::aggregate;
use quartier_geo::import;
use quartier_geo::join;

/// Errors that make an atlas unusable.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ManifestError {
    /// The manifest could not be read.
    #[error("cannot read atlas manifest {path}: {source}")]
    Io {
        /// The manifest path.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The manifest is not valid TOML or does not follow the schema.
    #[error("atlas manifest {path} is invalid: {message}")]
    Syntax {
        /// The manifest path.
        path: PathBuf,
        /// What the TOML parser said, with line and column.
        message: String,
    },
    /// A setting is present but wrong; the message says what to do.
    #[error("atlas manifest {path}: {context}: {message}")]
    Invalid {
        /// The manifest path.
        path: PathBuf,
        /// Where in the manifest (`layer "boston", indicator "crime"`).
        context: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// A layer's boundary file could not be imported.
    #[error("layer {layer:?}: {source}")]
    Import {
        /// The layer id.
        layer: String,
        /// The import error (names the file and feature).
        #[source]
        source: Box<import::ImportError>,
    },
    /// A table could not be read or a column is unusable.
    #[error("layer {layer:?}: {source}")]
    Table {
        /// The layer id.
        layer: String,
        /// The table error (names the file, line and column).
        #[source]
        source: Box<quartier_geo::table::TableError>,
    },
    /// A table could not be joined (e.g. a duplicate key).
    #[error("layer {layer:?}: {source}")]
    Join {
        /// The layer id.
        layer: String,
        /// The join error.
        #[source]
        source: Box<join::JoinError>,
    },
    /// An aggregated layer (`[layer.aggregate]`) could not be computed.
    #[error("layer {layer:?}: cannot aggregate: {source}")]
    Aggregate {
        /// The layer id.
        layer: String,
        /// The aggregation error (names the file, feature or line).
        #[source]
        source: Box<aggregate::AggregateError>,
    },
}
