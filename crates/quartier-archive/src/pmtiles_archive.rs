//! PMTiles v3 through the `pmtiles` crate's writer, clustered.
//!
//! Tiles arrive in any order (a seeder renders them in parallel), but a clustered archive
//! stores them in tile-id (Hilbert) order. So each tile is first appended to an unnamed scratch
//! file beside the archive, keeping only `(tile id, offset, length)` in memory; `finish` sorts
//! that index and feeds the tiles to the writer in order. The writer stores identical tiles once
//! (a 128-bit content hash) and merges runs of identical consecutive tiles into one directory
//! entry with a run length, as the format allows.

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

use pmtiles::{PmTilesWriter, TileId};
use quartier_render::TileCoord;

use crate::error::{io, ArchiveError, Result};
use crate::metadata::ArchiveMetadata;
use crate::writer::{persist, temp_beside};

pub(crate) struct PmTilesArchive {
    builder: PmTilesWriter,
    scratch: BufWriter<File>,
    scratch_len: u64,
    /// `(tile id, z, x, y, offset, length)` of every tile in the scratch file.
    index: Vec<(u64, TileCoord, u64, usize)>,
}

fn pmt_err(path: &Path) -> impl FnOnce(pmtiles::PmtError) -> ArchiveError + '_ {
    move |source| ArchiveError::PmTiles {
        path: path.to_path_buf(),
        source,
    }
}

impl PmTilesArchive {
    pub fn create(path: &Path, meta: &ArchiveMetadata) -> Result<PmTilesArchive> {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let scratch = tempfile::tempfile_in(dir).map_err(io(path))?;
        let [w, s, e, n] = meta.bounds;
        let (cx, cy, cz) = meta.center();
        let builder = PmTilesWriter::new(meta.format.pmtiles_type())
            .min_zoom(meta.min_zoom)
            .max_zoom(meta.max_zoom)
            .bounds(w, s, e, n)
            .center(cx, cy)
            .center_zoom(cz)
            .metadata(meta.pmtiles_json());
        Ok(PmTilesArchive {
            builder,
            scratch: BufWriter::new(scratch),
            scratch_len: 0,
            index: Vec::new(),
        })
    }

    pub fn add_tile(&mut self, path: &Path, tile: TileCoord, data: &[u8]) -> Result<()> {
        let id = pm_coord(path, tile)?;
        self.scratch.write_all(data).map_err(io(path))?;
        self.index
            .push((TileId::from(id).value(), tile, self.scratch_len, data.len()));
        self.scratch_len += data.len() as u64;
        Ok(())
    }

    /// Returns the number of distinct tile contents stored.
    pub fn finish(self, path: &Path) -> Result<u64> {
        let PmTilesArchive {
            builder,
            scratch,
            mut index,
            ..
        } = self;
        let mut scratch = scratch.into_inner().map_err(|e| io(path)(e.into_error()))?;
        index.sort_unstable_by_key(|e| e.0);
        let tmp = temp_beside(path)?;
        let mut writer = builder.create(tmp.as_file()).map_err(pmt_err(path))?;
        let mut buf = Vec::new();
        let mut unique = std::collections::HashSet::new();
        let mut next = None;
        for &(_, tile, offset, len) in &index {
            if next != Some(offset) {
                scratch.seek(SeekFrom::Start(offset)).map_err(io(path))?;
            }
            buf.resize(len, 0);
            scratch.read_exact(&mut buf).map_err(io(path))?;
            next = Some(offset + len as u64);
            unique.insert(twox_hash::XxHash3_128::oneshot(&buf));
            writer
                .add_tile(pm_coord(path, tile)?, &buf)
                .map_err(pmt_err(path))?;
        }
        writer.finalize().map_err(pmt_err(path))?;
        persist(tmp, path)?;
        Ok(unique.len() as u64)
    }
}

fn pm_coord(path: &Path, tile: TileCoord) -> Result<pmtiles::TileCoord> {
    pmtiles::TileCoord::new(tile.z, tile.x, tile.y).map_err(pmt_err(path))
}
