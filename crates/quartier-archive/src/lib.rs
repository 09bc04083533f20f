#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]

mod error;
mod mbtiles_archive;
mod metadata;
mod pmtiles_archive;
mod tile_range;
mod writer;

pub use error::{ArchiveError, Result};
pub use metadata::{ArchiveMetadata, TileFormat};
pub use tile_range::TileRange;
pub use writer::{write_archive, ArchiveFormat, ArchiveSummary, ArchiveWriter};
