//! A `.zip` holding one shapefile, as cities often publish them: read its parts into memory.
//!
//! An archive is checked before anything is inflated: its length against the geometry cap, its
//! entry count, and for each member that is read its declared size and compression ratio; the
//! inflating itself stops one byte past the member's cap, so a member that lies about its size
//! (a zip bomb) costs no more than the cap. See [`crate::limits`].

use std::io::{Read, Seek};
use std::path::{Path, PathBuf};

use super::shapefile::{part_limit, ShapefileParts};
use super::{failure, ImportError};
use crate::limits::{self, human_bytes, Limits, ReadFailure, ZIP_RATIO_MIN_BYTES};

/// Find the single `.shp` in the archive (any folder, any case) and read it with its siblings.
pub(crate) fn parts_from_zip(path: &Path, limits: &Limits) -> Result<ShapefileParts, ImportError> {
    let (file, _) = limits::open_regular(path, limits.geometry_bytes)
        .map_err(|f| failure(path, limits.geometry_bytes, "a zip archive", f))?;
    parts_from_reader(path, std::io::BufReader::new(file), limits)
}

/// [`parts_from_zip`] on an open archive; `path` names it in messages.
pub(crate) fn parts_from_reader(
    path: &Path,
    reader: impl Read + Seek,
    limits: &Limits,
) -> Result<ShapefileParts, ImportError> {
    let zip_err = |reason: String| ImportError::Zip {
        path: path.to_path_buf(),
        reason,
    };
    let mut archive = ::zip::ZipArchive::new(reader)
        .map_err(|e| zip_err(format!("not a readable zip archive: {e}")))?;
    if archive.len() > limits.zip_entries {
        return Err(zip_err(format!(
            "the archive has {} entries, more than the {} allowed: a shapefile needs fewer than ten",
            archive.len(),
            limits.zip_entries
        )));
    }
    let names: Vec<String> = archive.file_names().map(str::to_string).collect();
    // Skip macOS resource forks (`__MACOSX/`, `._x.shp`), which are not shapefiles.
    let is_junk = |n: &str| {
        n.starts_with("__MACOSX/") || n.rsplit('/').next().is_some_and(|f| f.starts_with("._"))
    };
    let ext_of = |n: &str| {
        n.rsplit_once('.')
            .map(|(stem, ext)| (stem.to_string(), ext.to_ascii_lowercase()))
    };
    let shps: Vec<&String> = names
        .iter()
        .filter(|n| !is_junk(n) && ext_of(n).is_some_and(|(_, e)| e == "shp"))
        .collect();
    let shp_name = match shps.as_slice() {
        [one] => (*one).clone(),
        [] => return Err(zip_err("the archive holds no .shp file".into())),
        many => {
            let list: Vec<&str> = many.iter().map(|s| s.as_str()).collect();
            return Err(zip_err(format!(
                "the archive holds {} shapefiles ({}); unzip it and pass the one you mean",
                many.len(),
                list.join(", ")
            )));
        }
    };
    let Some((stem, _)) = ext_of(&shp_name) else {
        return Err(zip_err("the archive holds no .shp file".into()));
    };
    let member = |ext: &str| {
        names
            .iter()
            .find(|n| ext_of(n).is_some_and(|(s, e)| s == stem && e == ext))
            .cloned()
    };
    let mut read = |name: Option<String>,
                    ext: &str|
     -> Result<Option<(PathBuf, Vec<u8>)>, ImportError> {
        let Some(name) = name else { return Ok(None) };
        let (cap, what) = part_limit(ext, limits);
        let file = archive
            .by_name(&name)
            .map_err(|e| zip_err(format!("cannot read {name}: {e}")))?;
        let (declared, compressed) = (file.size(), file.compressed_size());
        if declared > cap {
            return Err(zip_err(format!(
                "{name} would inflate to {}, more than the {} allowed for {what}",
                human_bytes(declared),
                human_bytes(cap)
            )));
        }
        if declared > ZIP_RATIO_MIN_BYTES && declared / compressed.max(1) > limits.zip_ratio {
            return Err(zip_err(format!(
                "{name} would inflate from {} to {} (more than {}:1): the archive looks like a zip bomb",
                human_bytes(compressed),
                human_bytes(declared),
                limits.zip_ratio
            )));
        }
        let bytes = limits::read_stream(file, cap, declared).map_err(|f| match f {
            ReadFailure::TooLarge { .. } => zip_err(format!(
                "{name} inflates to more than the {} allowed for {what} although the archive says {}: \
                 the archive is damaged or a zip bomb",
                human_bytes(cap),
                human_bytes(declared)
            )),
            ReadFailure::Io(e) => zip_err(format!("cannot read {name}: {e}")),
            ReadFailure::NotFound(_) | ReadFailure::NotAFile(_) => {
                zip_err(format!("cannot read {name}"))
            }
        })?;
        Ok(Some((path.join(&name), bytes)))
    };
    let shp = read(Some(shp_name.clone()), "shp")?
        .map(|(_, b)| b)
        .unwrap_or_default();
    Ok(ShapefileParts {
        shp_path: path.join(&shp_name),
        shp,
        shx: read(member("shx"), "shx")?.map(|(_, b)| b),
        dbf: read(member("dbf"), "dbf")?,
        prj: read(member("prj"), "prj")?,
        cpg: read(member("cpg"), "cpg")?,
    })
}
