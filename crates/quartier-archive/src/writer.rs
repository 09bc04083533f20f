//! [`ArchiveWriter`]: checks each tile, hands it to the format's writer, and moves the finished
//! archive into place atomically.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use quartier_render::TileCoord;

use crate::error::{ArchiveError, Result};
use crate::mbtiles_archive::MbTilesArchive;
use crate::metadata::ArchiveMetadata;
use crate::pmtiles_archive::PmTilesArchive;

/// The two archive formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ArchiveFormat {
    /// PMTiles v3: one file, clustered in Hilbert order, read by HTTP range requests.
    PmTiles,
    /// MBTiles 1.3: an SQLite database (TMS rows), read by QGIS, GDAL and most tile servers.
    MbTiles,
}

impl ArchiveFormat {
    /// The format named by the file's extension (`.pmtiles` or `.mbtiles`, any case).
    ///
    /// # Errors
    ///
    /// [`ArchiveError::UnknownFormat`] for any other extension.
    pub fn from_path(path: &Path) -> Result<ArchiveFormat> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("pmtiles") => Ok(ArchiveFormat::PmTiles),
            Some("mbtiles") => Ok(ArchiveFormat::MbTiles),
            _ => Err(ArchiveError::UnknownFormat {
                path: path.to_path_buf(),
            }),
        }
    }
}

/// What was written, returned by [`ArchiveWriter::finish`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveSummary {
    /// Tiles given (addressable tiles in the archive).
    pub tiles: u64,
    /// Distinct tile contents stored (identical tiles are stored once).
    pub unique_tiles: u64,
    /// Size of the finished file in bytes.
    pub bytes: u64,
}

enum Backend {
    PmTiles(PmTilesArchive),
    MbTiles(MbTilesArchive),
}

/// Writes one tile archive from tiles given one at a time, in any order.
///
/// Nothing appears at the archive's path until [`Self::finish`] succeeds: the archive is built
/// in a temporary file in the same folder and renamed over the path at the end (a rename within
/// one file system is atomic), so readers see the old archive or the complete new one, never
/// half of one. Dropping the writer without finishing removes the temporary files.
pub struct ArchiveWriter {
    path: PathBuf,
    min_zoom: u8,
    max_zoom: u8,
    seen: HashSet<TileCoord>,
    backend: Backend,
}

impl std::fmt::Debug for ArchiveWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArchiveWriter")
            .field("path", &self.path)
            .field("tiles", &self.seen.len())
            .finish_non_exhaustive()
    }
}

impl ArchiveWriter {
    /// Starts an archive at `path`, in the format its extension names.
    ///
    /// # Errors
    ///
    /// An unknown extension, an unusable zoom range, or a folder that cannot be written.
    pub fn create(path: impl AsRef<Path>, metadata: &ArchiveMetadata) -> Result<ArchiveWriter> {
        let path = path.as_ref();
        let format = ArchiveFormat::from_path(path)?;
        ArchiveWriter::create_as(path, format, metadata)
    }

    /// Starts an archive at `path` in `format`, whatever the file is called.
    ///
    /// # Errors
    ///
    /// An unusable zoom range, or a folder that cannot be written.
    pub fn create_as(
        path: impl AsRef<Path>,
        format: ArchiveFormat,
        metadata: &ArchiveMetadata,
    ) -> Result<ArchiveWriter> {
        let path = path.as_ref().to_path_buf();
        if metadata.min_zoom > metadata.max_zoom || metadata.max_zoom > TileCoord::MAX_ZOOM {
            return Err(ArchiveError::InvalidZoomRange {
                path,
                min_zoom: metadata.min_zoom,
                max_zoom: metadata.max_zoom,
            });
        }
        let backend = match format {
            ArchiveFormat::PmTiles => Backend::PmTiles(PmTilesArchive::create(&path, metadata)?),
            ArchiveFormat::MbTiles => Backend::MbTiles(MbTilesArchive::create(&path, metadata)?),
        };
        Ok(ArchiveWriter {
            path,
            min_zoom: metadata.min_zoom,
            max_zoom: metadata.max_zoom,
            seen: HashSet::new(),
            backend,
        })
    }

    /// Adds one tile (XYZ, `y = 0` in the north) with its bytes: a PNG, or an uncompressed MVT.
    ///
    /// # Errors
    ///
    /// A tile outside the zoom range or its zoom, one given twice, an empty one, or a failed write.
    pub fn add_tile(&mut self, tile: TileCoord, data: &[u8]) -> Result<()> {
        if !tile.is_valid() || tile.z < self.min_zoom || tile.z > self.max_zoom {
            return Err(ArchiveError::TileOutOfRange {
                path: self.path.clone(),
                tile,
                min_zoom: self.min_zoom,
                max_zoom: self.max_zoom,
            });
        }
        if data.is_empty() {
            return Err(ArchiveError::EmptyTile {
                path: self.path.clone(),
                tile,
            });
        }
        if !self.seen.insert(tile) {
            return Err(ArchiveError::DuplicateTile {
                path: self.path.clone(),
                tile,
            });
        }
        match &mut self.backend {
            Backend::PmTiles(a) => a.add_tile(&self.path, tile, data),
            Backend::MbTiles(a) => a.add_tile(&self.path, tile, data),
        }
    }

    /// Adds every tile of `tiles`, stopping at the first error.
    ///
    /// # Errors
    ///
    /// As [`Self::add_tile`].
    pub fn add_tiles<I, B>(&mut self, tiles: I) -> Result<()>
    where
        I: IntoIterator<Item = (TileCoord, B)>,
        B: AsRef<[u8]>,
    {
        tiles
            .into_iter()
            .try_for_each(|(tile, data)| self.add_tile(tile, data.as_ref()))
    }

    /// Writes the archive's index, syncs it to disk and renames it into place.
    ///
    /// # Errors
    ///
    /// A failed write or rename; the archive's path is then left untouched.
    pub fn finish(self) -> Result<ArchiveSummary> {
        let tiles = self.seen.len() as u64;
        let unique_tiles = match self.backend {
            Backend::PmTiles(a) => a.finish(&self.path)?,
            Backend::MbTiles(a) => a.finish(&self.path)?,
        };
        let bytes = std::fs::metadata(&self.path)
            .map_err(crate::error::io(&self.path))?
            .len();
        Ok(ArchiveSummary {
            tiles,
            unique_tiles,
            bytes,
        })
    }
}

/// Writes a whole archive from `tiles` in one call (see [`ArchiveWriter`]).
///
/// # Errors
///
/// As [`ArchiveWriter::create`], [`ArchiveWriter::add_tile`] and [`ArchiveWriter::finish`].
pub fn write_archive<I, B>(
    path: impl AsRef<Path>,
    metadata: &ArchiveMetadata,
    tiles: I,
) -> Result<ArchiveSummary>
where
    I: IntoIterator<Item = (TileCoord, B)>,
    B: AsRef<[u8]>,
{
    let mut writer = ArchiveWriter::create(path, metadata)?;
    writer.add_tiles(tiles)?;
    writer.finish()
}

/// The temporary file an archive is built in: same folder (so the final rename stays on one
/// file system), a name starting with a dot and the archive's name.
pub(crate) fn temp_beside(path: &Path) -> Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let stem = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    tempfile::Builder::new()
        .prefix(&format!(".{stem}."))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(crate::error::io(path))
}

/// Syncs the finished temporary file and renames it over `path`.
pub(crate) fn persist(tmp: tempfile::NamedTempFile, path: &Path) -> Result<()> {
    // A temporary file is created readable by its owner only (0600); a published archive must be
    // readable by the web server that serves it (nginx workers run as another user), like every
    // other file `quartier export` writes.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(crate::error::io(path))?;
    }
    tmp.as_file().sync_all().map_err(crate::error::io(path))?;
    tmp.persist(path)
        .map_err(|e| crate::error::io(path)(e.error))?;
    Ok(())
}
