//! A `.zip` holding one shapefile, as cities often publish them: read its parts into memory.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::shapefile::ShapefileParts;
use super::{read_file, ImportError};

/// Find the single `.shp` in the archive (any folder, any case) and read it with its siblings.
pub(crate) fn parts_from_zip(path: &Path) -> Result<ShapefileParts, ImportError> {
    let zip_err = |reason: String| ImportError::Zip {
        path: path.to_path_buf(),
        reason,
    };
    let bytes = read_file(path)?;
    let mut archive = ::zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| zip_err(format!("not a readable zip archive: {e}")))?;
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
    let mut read = |name: Option<String>| -> Result<Option<(PathBuf, Vec<u8>)>, ImportError> {
        let Some(name) = name else { return Ok(None) };
        let mut file = archive
            .by_name(&name)
            .map_err(|e| zip_err(format!("cannot read {name}: {e}")))?;
        let mut buf = Vec::new();
        file.read_to_end(&mut buf)
            .map_err(|e| zip_err(format!("cannot read {name}: {e}")))?;
        Ok(Some((path.join(&name), buf)))
    };
    let shp = read(Some(shp_name.clone()))?
        .map(|(_, b)| b)
        .unwrap_or_default();
    Ok(ShapefileParts {
        shp_path: path.join(&shp_name),
        shp,
        shx: read(member("shx"))?.map(|(_, b)| b),
        dbf: read(member("dbf"))?,
        prj: read(member("prj"))?,
        cpg: read(member("cpg"))?,
    })
}
