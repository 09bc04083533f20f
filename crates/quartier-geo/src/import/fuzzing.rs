//! The readers on bytes in memory, for the fuzz targets in `fuzz/` (Cargo feature `fuzzing`).
//!
//! Not a stable API: these functions exist so that libFuzzer can drive the same code as
//! [`read_layer`](super::read_layer) without a file per input. Each returns what the real reader
//! returns, so a fuzz target sees the same errors a user would.

use std::io::Cursor;
use std::path::Path;

use super::codepage::Codepage;
use super::dbf::Dbf;
use super::shapefile::{self, ShapefileParts};
use super::{finish, geojson, zip, ImportError, ImportOptions, Imported};
use crate::limits::Limits;

/// A shapefile from its parts, imported with `opts` (give a CRS when there is no `.prj`).
pub fn shapefile(
    shp: &[u8],
    shx: Option<&[u8]>,
    dbf: Option<&[u8]>,
    prj: Option<&[u8]>,
    opts: &ImportOptions,
) -> Result<Imported, ImportError> {
    let path = Path::new("fuzz.shp");
    let parts = ShapefileParts {
        shp_path: path.to_path_buf(),
        shp: shp.to_vec(),
        shx: shx.map(<[u8]>::to_vec),
        dbf: dbf.map(|b| (path.with_extension("dbf"), b.to_vec())),
        prj: prj.map(|b| (path.with_extension("prj"), b.to_vec())),
        cpg: None,
    };
    let parsed = shapefile::parse(parts, opts)?;
    finish(path, parsed, opts)
}

/// A `.dbf` on its own: parsed, checked for UTF-8 and decoded as windows-1252; the column count.
pub fn dbf(bytes: &[u8]) -> Result<usize, ImportError> {
    let dbf = Dbf::parse(bytes, Path::new("fuzz.dbf"))?;
    let _ = (dbf.all_text_is_utf8(), dbf.has_non_ascii());
    Ok(dbf.columns(Codepage::CP1252, &mut Vec::new()).len())
}

/// A GeoJSON or TopoJSON document, imported as `name` (`x.geojson`, `x.topojson`).
pub fn json(name: &str, bytes: &[u8], opts: &ImportOptions) -> Result<Imported, ImportError> {
    let path = Path::new(name);
    let parsed = geojson::parse(path, bytes, opts)?;
    finish(path, parsed, opts)
}

/// A `.zip` archive in memory, imported as the shapefile it holds (default [`Limits`]).
pub fn zip_archive(bytes: &[u8], opts: &ImportOptions) -> Result<Imported, ImportError> {
    let path = Path::new("fuzz.zip");
    let parts = zip::parts_from_reader(path, Cursor::new(bytes), &Limits::default())?;
    let parsed = shapefile::parse(parts, opts)?;
    finish(path, parsed, opts)
}
