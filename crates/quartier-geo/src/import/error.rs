//! [`ImportError`], and the reads that produce its file-level variants.

use std::path::{Path, PathBuf};

use crate::crs::CrsError;
use crate::limits::{self, human_bytes, ReadFailure};

/// Errors that stop an import. Problems with single features that leave the rest usable are
/// reported in [`ValidationReport`](crate::validate::ValidationReport) instead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The file does not exist.
    #[error("{} does not exist", path.display())]
    NotFound {
        /// The path as given.
        path: PathBuf,
    },
    /// The path names a directory, FIFO, socket or device instead of a file.
    #[error("{} is {kind}, not a file: give the path of a regular file", path.display())]
    NotAFile {
        /// The path as given (or the shapefile part found beside it).
        path: PathBuf,
        /// What it is: `a directory`, `a FIFO (named pipe)`, `a socket`, `a device`.
        kind: &'static str,
    },
    /// The file is larger than Quartier reads for its kind (see [`crate::limits`]); nothing
    /// beyond its header was read.
    ///
    /// Consider: a file this large is usually damaged or not what was meant; if it is genuine,
    /// simplify or split it, or raise the limit.
    #[error(
        "{} is {}, more than the {} allowed for {what}: if the file is genuine, simplify or split it, \
         or raise the limit",
        path.display(),
        human_bytes(*size),
        human_bytes(*limit)
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its length in bytes.
        size: u64,
        /// The cap in bytes.
        limit: u64,
        /// What kind of file: `a .shp file`, `a GeoJSON or TopoJSON file`, ...
        what: &'static str,
    },
    /// The file exists but could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// The extension is none we read.
    ///
    /// Consider: convert the file with `ogr2ogr -f GeoJSON out.geojson in.gpkg`.
    #[error("cannot tell the format of {}: expected .shp, .zip, .geojson, .json or .topojson", path.display())]
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// A shapefile without `.prj` and no CRS given.
    #[error(
        "{} has no .prj file, so its coordinate reference system is unknown: pass --crs (for example \
         --crs EPSG:25832) or set `crs =` for this layer in the atlas manifest",
        path.display()
    )]
    NoCrs {
        /// The `.shp` file.
        path: PathBuf,
    },
    /// The CRS in the `.prj`, the GeoJSON `crs` member or the override is not understood.
    #[error("unknown CRS in {} (from {origin}): {source}; pass --crs to say which CRS it is", path.display())]
    Crs {
        /// The file the CRS came from (the `.prj`, or the data file).
        path: PathBuf,
        /// Where the CRS text came from: `.prj`, `crs member`, or for [`ImportOptions::crs`](super::ImportOptions::crs)
        /// `--crs, or crs = in the atlas manifest`.
        origin: String,
        /// Why the CRS was not understood (boxed: `CrsError` is large and errors travel by value).
        #[source]
        source: Box<CrsError>,
    },
    /// An encoding name that we do not know.
    #[error(
        "unknown encoding {label:?} (from {origin}) for {}: use a name such as UTF-8, windows-1252, \
         ISO-8859-1, 850 or 437",
        path.display()
    )]
    UnknownEncoding {
        /// The data file.
        path: PathBuf,
        /// The encoding name as given.
        label: String,
        /// `.cpg`, or for [`ImportOptions::encoding`](super::ImportOptions::encoding) `--encoding, or encoding = in the atlas manifest`.
        origin: String,
    },
    /// The `.shp` is broken (truncated, wrong file code, bad record).
    #[error("{}{}: {reason}", path.display(), feature.map(|n| format!(", record {n}")).unwrap_or_default())]
    Shp {
        /// The `.shp` file.
        path: PathBuf,
        /// 1-based record number, when the problem is in a record.
        feature: Option<usize>,
        /// What is wrong.
        reason: String,
    },
    /// The `.dbf` is broken (truncated, broken field definitions).
    #[error("{}{}: {reason}", path.display(), record.map(|n| format!(", record {n}")).unwrap_or_default())]
    Dbf {
        /// The `.dbf` file.
        path: PathBuf,
        /// 1-based record number, when the problem is in a record.
        record: Option<usize>,
        /// What is wrong.
        reason: String,
    },
    /// `.shp` and `.dbf` disagree on the number of features.
    #[error(
        "{} has {shapes} shapes but {} has {records} records: the files do not belong together or one \
         of them is truncated",
        shp.display(),
        dbf.display()
    )]
    RecordCount {
        /// The `.shp` file.
        shp: PathBuf,
        /// The `.dbf` file.
        dbf: PathBuf,
        /// Shapes in the `.shp`.
        shapes: usize,
        /// Records in the `.dbf`.
        records: usize,
    },
    /// A point or line feature in a boundary layer.
    #[error(
        "{}, feature {feature}{}: the geometry is a {kind}, but district boundaries must be Polygon or MultiPolygon",
        path.display(),
        id.as_ref().map(|i| format!(" (id {i:?})")).unwrap_or_default()
    )]
    NotPolygon {
        /// The data file.
        path: PathBuf,
        /// 1-based feature number.
        feature: usize,
        /// The feature id, when the format has one.
        id: Option<String>,
        /// The geometry type found.
        kind: String,
    },
    /// The file is not valid JSON.
    #[error("{} is not valid JSON (line {line}, column {column}): {source}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        #[source]
        source: serde_json::Error,
    },
    /// Valid JSON, but not the GeoJSON or TopoJSON structure we need.
    #[error("{}{}: {reason}", path.display(), feature.map(|n| format!(", feature {n}")).unwrap_or_default())]
    Structure {
        /// The file.
        path: PathBuf,
        /// 1-based feature number, when the problem is in a feature.
        feature: Option<usize>,
        /// What is wrong.
        reason: String,
    },
    /// A feature whose structure is not GeoJSON or TopoJSON (a string where a number belongs,
    /// a geometry without coordinates).
    #[error(
        "{}, feature {feature}{}: {reason}",
        path.display(),
        id.as_ref().map(|i| format!(" (id {:?})", limits::echo(i))).unwrap_or_default()
    )]
    Feature {
        /// The data file.
        path: PathBuf,
        /// 1-based feature number.
        feature: usize,
        /// The feature id, when it has one.
        id: Option<String>,
        /// What is wrong.
        reason: String,
    },
    /// The file has no features at all.
    #[error("{} has no features: a district layer needs at least one polygon", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// A `.zip` that does not hold exactly one readable shapefile.
    #[error("{}: {reason}", path.display())]
    Zip {
        /// The archive.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// `id_field` or `name_field` names a field that does not exist.
    #[error("{} has no field {field:?} (asked for as the {role} field); its fields are: {available}", path.display())]
    NoSuchField {
        /// The data file.
        path: PathBuf,
        /// The field asked for.
        field: String,
        /// `id` or `name`.
        role: &'static str,
        /// The fields that do exist, comma-separated.
        available: String,
    },
}

/// Read a whole regular file of at most `cap` bytes (`what` names its kind in messages).
pub(crate) fn read_file(path: &Path, cap: u64, what: &'static str) -> Result<Vec<u8>, ImportError> {
    limits::read_capped(path, cap).map_err(|f| failure(path, cap, what, f))
}

/// An IO error as an [`ImportError`].
pub(crate) fn io_error(path: &Path, source: std::io::Error) -> ImportError {
    match source.kind() {
        std::io::ErrorKind::NotFound => ImportError::NotFound {
            path: path.to_path_buf(),
        },
        _ => ImportError::Io {
            path: path.to_path_buf(),
            source,
        },
    }
}

/// A failed capped read of a `what` with the cap `cap` as an [`ImportError`].
pub(crate) fn failure(
    path: &Path,
    cap: u64,
    what: &'static str,
    failure: ReadFailure,
) -> ImportError {
    let path = path.to_path_buf();
    match failure {
        ReadFailure::NotFound(_) => ImportError::NotFound { path },
        ReadFailure::NotAFile(kind) => ImportError::NotAFile { path, kind },
        ReadFailure::TooLarge { size } => ImportError::TooLarge {
            path,
            size,
            limit: cap,
            what,
        },
        ReadFailure::Io(source) => ImportError::Io { path, source },
    }
}
