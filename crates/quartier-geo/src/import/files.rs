//! Which files make up a boundary source: one answer for the importers and the atlas fingerprint.
//!
//! A shapefile is several files next to each other (`.shp`, `.shx`, `.dbf`, `.prj`, `.cpg`), and
//! their extensions come in any case (`NC.SHP` with `NC.DBF` from older Windows tools). Whoever
//! reads a shapefile and whoever decides whether it changed must see the same files, or a changed
//! `NC.DBF` would be read but not noticed, and a reload would keep serving stale tiles.

use std::path::{Path, PathBuf};

/// The parts of a shapefile, in the order they are read.
pub const SHAPEFILE_PARTS: [&str; 5] = ["shp", "shx", "dbf", "prj", "cpg"];

/// The entry next to `path` with the same stem and extension `ext` in any case (`NC.DBF`,
/// `nc.dbf`). Directories and other non-files count, so that reading them is refused with a clear
/// error instead of the part being silently left out.
pub fn sibling(path: &Path, ext: &str) -> Option<PathBuf> {
    let exact = path.with_extension(ext);
    if std::fs::metadata(&exact).is_ok() {
        return Some(exact);
    }
    let stem = path.file_stem()?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_stem() == Some(stem)
                && p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| e.eq_ignore_ascii_case(ext))
        })
}

/// True when `path` names a part of a shapefile that the importer opens it by (`.shp`, `.dbf`,
/// `.shx`, in any case).
pub fn is_shapefile(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        ["shp", "dbf", "shx"]
            .iter()
            .any(|s| e.eq_ignore_ascii_case(s))
    })
}

/// Every file a boundary source is read from: for a shapefile each of its parts that exists
/// ([`SHAPEFILE_PARTS`], any case), for anything else (GeoJSON, TopoJSON, zip) the file itself.
///
/// ```
/// use std::path::Path;
/// use quartier_geo::import::files::source_files;
///
/// let nc = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../geodata/nc/nc.shp");
/// let files = source_files(&nc);
/// assert!(files.iter().any(|f| f.extension().is_some_and(|e| e == "dbf")));
/// ```
pub fn source_files(path: &Path) -> Vec<PathBuf> {
    if !is_shapefile(path) {
        return vec![path.to_path_buf()];
    }
    SHAPEFILE_PARTS
        .iter()
        .filter_map(|ext| sibling(path, ext))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upper_case_parts_are_found() {
        let dir = std::env::temp_dir().join(format!("quartier-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for ext in ["SHP", "SHX", "DBF", "PRJ"] {
            std::fs::write(dir.join(format!("NC.{ext}")), ext).unwrap();
        }
        let files = source_files(&dir.join("NC.SHP"));
        let names: Vec<String> = files
            .iter()
            .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["NC.SHP", "NC.SHX", "NC.DBF", "NC.PRJ"]);
        // Opened by its .dbf, the same files.
        assert_eq!(source_files(&dir.join("NC.DBF")), files);
        let json = dir.join("districts.geojson");
        assert_eq!(source_files(&json), vec![json]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
