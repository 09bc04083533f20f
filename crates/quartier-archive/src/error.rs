//! The one error type of the crate: why an archive could not be written.

use std::path::PathBuf;

use quartier_render::TileCoord;

/// Why an archive could not be written. Every variant names the archive's file.
///
/// When writing fails the archive's path is left as it was before (absent, or the previous
/// archive): the tiles go to a temporary file beside it, renamed into place only at the end.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ArchiveError {
    /// Reading or writing a file failed (disk full, no permission, folder missing).
    #[error("cannot write tile archive {}: {source}", path.display())]
    Io {
        /// The archive being written.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// SQLite refused a statement while writing an MBTiles archive.
    #[error("cannot write MBTiles archive {}: {source}", path.display())]
    Sqlite {
        /// The archive being written.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// The PMTiles writer failed.
    #[error("cannot write PMTiles archive {}: {source}", path.display())]
    PmTiles {
        /// The archive being written.
        path: PathBuf,
        /// What the `pmtiles` crate said.
        #[source]
        source: pmtiles::PmtError,
    },
    /// The file name ends neither in `.pmtiles` nor in `.mbtiles`.
    #[error("cannot tell the archive format of {}: name it *.pmtiles or *.mbtiles", path.display())]
    UnknownFormat {
        /// The path given.
        path: PathBuf,
    },
    /// The metadata's zoom range is upside down or deeper than tiles go.
    #[error("{}: zoom range {min_zoom}-{max_zoom} is not usable; give 0 <= min <= max <= {}", path.display(), TileCoord::MAX_ZOOM)]
    InvalidZoomRange {
        /// The archive being written.
        path: PathBuf,
        /// Smallest zoom asked for.
        min_zoom: u8,
        /// Largest zoom asked for.
        max_zoom: u8,
    },
    /// A tile does not exist at its zoom, or lies outside the archive's zoom range.
    #[error("{}: tile {tile} does not belong in this archive (zoom {min_zoom}-{max_zoom}, x and y below 2^zoom)", path.display())]
    TileOutOfRange {
        /// The archive being written.
        path: PathBuf,
        /// The tile given.
        tile: TileCoord,
        /// The archive's smallest zoom.
        min_zoom: u8,
        /// The archive's largest zoom.
        max_zoom: u8,
    },
    /// The same tile was given twice.
    #[error("{}: tile {tile} was given twice; give each tile once", path.display())]
    DuplicateTile {
        /// The archive being written.
        path: PathBuf,
        /// The tile given twice.
        tile: TileCoord,
    },
    /// A tile has no bytes (neither format stores empty tiles).
    #[error("{}: tile {tile} is empty; leave tiles without content out of the archive", path.display())]
    EmptyTile {
        /// The archive being written.
        path: PathBuf,
        /// The empty tile.
        tile: TileCoord,
    },
}

/// Result of the archive writers.
pub type Result<T, E = ArchiveError> = std::result::Result<T, E>;

/// Attaches the archive's path to an I/O error.
pub(crate) fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> ArchiveError + '_ {
    move |source| ArchiveError::Io {
        path: path.to_path_buf(),
        source,
    }
}
