//! MBTiles 1.3 through SQLite (`rusqlite`, SQLite compiled in).
//!
//! The schema is the deduplicating one of mbutil and martin: `map` says which content each
//! tile has, `images` holds each distinct content once (keyed by its 128-bit xxHash3 in hex),
//! and the view `tiles` joins them into the table the specification names, so every reader
//! that selects from `tiles` works unchanged. Rows are TMS: `tile_row = 2^z - 1 - y`.
//!
//! The database is built in a temporary file with journaling and syncing off (a crash leaves
//! only a temporary file, never a broken archive), then synced and renamed into place.

use std::path::Path;

use quartier_render::TileCoord;
use rusqlite::{params, Connection};

use crate::error::{io, ArchiveError, Result};
use crate::metadata::{ArchiveMetadata, TileFormat};
use crate::writer::{persist, temp_beside};

const SCHEMA: &str = "
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
CREATE TABLE metadata (name TEXT NOT NULL, value TEXT);
CREATE UNIQUE INDEX metadata_name ON metadata (name);
CREATE TABLE map (
    zoom_level INTEGER NOT NULL,
    tile_column INTEGER NOT NULL,
    tile_row INTEGER NOT NULL,
    tile_id TEXT NOT NULL
);
CREATE UNIQUE INDEX map_index ON map (zoom_level, tile_column, tile_row);
CREATE TABLE images (tile_id TEXT NOT NULL, tile_data BLOB NOT NULL);
CREATE UNIQUE INDEX images_id ON images (tile_id);
CREATE VIEW tiles AS
    SELECT map.zoom_level AS zoom_level, map.tile_column AS tile_column,
           map.tile_row AS tile_row, images.tile_data AS tile_data
    FROM map JOIN images ON images.tile_id = map.tile_id;
BEGIN;
";

pub(crate) struct MbTilesArchive {
    // Declared before `tmp` so that the connection closes before the temporary file is removed.
    conn: Connection,
    tmp: tempfile::NamedTempFile,
    format: TileFormat,
    gzip_buf: Vec<u8>,
}

fn sql_err(path: &Path) -> impl FnOnce(rusqlite::Error) -> ArchiveError + '_ {
    move |source| ArchiveError::Sqlite {
        path: path.to_path_buf(),
        source,
    }
}

impl MbTilesArchive {
    pub fn create(path: &Path, meta: &ArchiveMetadata) -> Result<MbTilesArchive> {
        let tmp = temp_beside(path)?;
        let conn = Connection::open(tmp.path()).map_err(sql_err(path))?;
        conn.execute_batch(SCHEMA).map_err(sql_err(path))?;
        {
            let mut insert = conn
                .prepare("INSERT INTO metadata (name, value) VALUES (?1, ?2)")
                .map_err(sql_err(path))?;
            for (name, value) in meta.mbtiles_rows() {
                insert
                    .execute(params![name, value])
                    .map_err(sql_err(path))?;
            }
        }
        Ok(MbTilesArchive {
            conn,
            tmp,
            format: meta.format,
            gzip_buf: Vec::new(),
        })
    }

    pub fn add_tile(&mut self, path: &Path, tile: TileCoord, data: &[u8]) -> Result<()> {
        let stored: &[u8] = match self.format {
            TileFormat::Png => data,
            TileFormat::Mvt => {
                self.gzip_buf.clear();
                gzip(data, &mut self.gzip_buf).map_err(io(path))?;
                &self.gzip_buf
            }
        };
        let id = format!("{:032x}", twox_hash::XxHash3_128::oneshot(stored));
        let tms_row = TileCoord::tiles_per_side(tile.z) - 1 - tile.y;
        self.conn
            .prepare_cached("INSERT OR IGNORE INTO images (tile_id, tile_data) VALUES (?1, ?2)")
            .and_then(|mut s| s.execute(params![id, stored]))
            .map_err(sql_err(path))?;
        self.conn
            .prepare_cached(
                "INSERT INTO map (zoom_level, tile_column, tile_row, tile_id) VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut s| s.execute(params![tile.z, tile.x, tms_row, id]))
            .map_err(sql_err(path))?;
        Ok(())
    }

    /// Returns the number of distinct tile contents stored.
    pub fn finish(self, path: &Path) -> Result<u64> {
        let MbTilesArchive { conn, tmp, .. } = self;
        conn.execute_batch("COMMIT; ANALYZE;")
            .map_err(sql_err(path))?;
        let unique: i64 = conn
            .query_row("SELECT count(*) FROM images", [], |r| r.get(0))
            .map_err(sql_err(path))?;
        conn.close().map_err(|(_, e)| sql_err(path)(e))?;
        persist(tmp, path)?;
        Ok(u64::try_from(unique).unwrap_or(0))
    }
}

/// Gzip, as MBTiles 1.3 wants vector tiles stored.
pub(crate) fn gzip(data: &[u8], out: &mut Vec<u8>) -> std::io::Result<()> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(out, flate2::Compression::default());
    enc.write_all(data)?;
    enc.finish()?;
    Ok(())
}
