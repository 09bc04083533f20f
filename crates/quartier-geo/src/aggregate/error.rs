//! Errors that stop an aggregation.

use std::path::PathBuf;

use crate::crs::CrsError;
use crate::import::ImportError;

/// Errors that stop an aggregation. Problems with single points or units that leave the rest
/// usable are collected in [`AggregateReport::problems`](super::AggregateReport::problems) instead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AggregateError {
    /// The source or district file could not be imported as a boundary file.
    #[error(transparent)]
    Import(#[from] Box<ImportError>),
    /// A CSV point table could not be read, or a value column holds a non-number.
    #[error(transparent)]
    Table(#[from] Box<crate::table::TableError>),
    /// The file does not exist.
    #[error("{} does not exist", path.display())]
    NotFound {
        /// The path as given.
        path: PathBuf,
    },
    /// The file exists but could not be read.
    #[error("cannot read {}: {reason}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        reason: String,
    },
    /// The extension is none we read as a point or unit source.
    ///
    /// Consider: convert the file with `ogr2ogr -f GeoJSON out.geojson in.gpkg`.
    #[error("cannot tell the format of {}: expected .geojson, .json, .shp, .zip, .topojson, .csv, .tsv or .txt", path.display())]
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// A JSON source is not valid JSON.
    #[error("{} is not valid JSON (line {line}, column {column}): {reason}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        reason: String,
    },
    /// Valid JSON but not GeoJSON we can use, or a broken point shapefile.
    #[error("{}{}: {reason}", path.display(), at.map(|n| format!(", feature {n}")).unwrap_or_default())]
    Structure {
        /// The file.
        path: PathBuf,
        /// 1-based feature or record number, when the problem is in one.
        at: Option<usize>,
        /// What is wrong.
        reason: String,
    },
    /// A point shapefile without `.prj` and no CRS given.
    #[error("{} has no .prj file, so the points' coordinate reference system is unknown: pass --crs (for example --crs EPSG:25832) or set `crs =` in [layer.aggregate]", path.display())]
    NoCrs {
        /// The `.shp` file.
        path: PathBuf,
    },
    /// The CRS given or found is not understood.
    #[error("{}: unknown CRS (from {origin}): {source}", path.display())]
    Crs {
        /// The file the CRS belongs to.
        path: PathBuf,
        /// Where the CRS text came from: `--crs`, `.prj`, `crs member`, `area CRS`.
        origin: String,
        /// Why the CRS was not understood.
        #[source]
        source: Box<CrsError>,
    },
    /// The coordinates cannot be in the CRS they are said to be in (degrees beyond ±180/±90, or no
    /// point anywhere near the districts).
    ///
    /// Consider: pass `--crs` with the CRS the coordinates really are in; check that x and y (or
    /// longitude and latitude) are not swapped.
    #[error("{}, {at}: {reason}; pass --crs with the coordinates' real CRS (for example --crs EPSG:25832), or check that x and y are not swapped", path.display())]
    CrsMismatch {
        /// The source file.
        path: PathBuf,
        /// The first point or unit concerned (`feature 3`, `line 17`, `all 742 points`).
        at: String,
        /// What is wrong, with the coordinates.
        reason: String,
    },
    /// A CSV point table without recognisable coordinate columns.
    #[error("{}: found no coordinate columns (looked for {looked_for}); the columns are: {available}; name them with --x and --y", path.display())]
    NoCoordinateColumns {
        /// The table.
        path: PathBuf,
        /// The column names tried.
        looked_for: String,
        /// The table's headers.
        available: String,
    },
    /// A field asked for (sum, mean, weight, key, coordinate) does not exist.
    #[error("{} has no field {field:?} (asked for as {role}); its fields are: {available}", path.display())]
    NoSuchField {
        /// The source file.
        path: PathBuf,
        /// The field asked for.
        field: String,
        /// What it was asked for: `a sum`, `a mean`, `a weight`, `the key`, `the x coordinate`.
        role: &'static str,
        /// The fields that exist, comma-separated.
        available: String,
    },
    /// A field to sum or average holds something other than numbers.
    #[error("{}, {at}: field {field:?} is {value}, not a number; sums and means need numeric fields", path.display())]
    NotNumeric {
        /// The source file.
        path: PathBuf,
        /// The first feature or line concerned (`feature 3`, `line 17`).
        at: String,
        /// The field.
        field: String,
        /// The value found, quoted.
        value: String,
    },
    /// A source mixes points with other geometry, or is lines.
    #[error("{}, feature {feature}: the geometry is a {found}, but {expected}", path.display())]
    Geometry {
        /// The source file.
        path: PathBuf,
        /// 1-based feature number.
        feature: usize,
        /// The geometry type found.
        found: String,
        /// What was expected, as a sentence part.
        expected: String,
    },
    /// Points, or units without a key, need target districts.
    #[error("{} holds {kind}, which need districts to go into: pass --into DISTRICTS (or `into =` in [layer.aggregate])", path.display())]
    NoDistricts {
        /// The source file.
        path: PathBuf,
        /// `points` or `units without a key`.
        kind: &'static str,
    },
    /// An output column would replace a field the districts already have.
    #[error("the districts already have a field {column:?}, which the aggregation would overwrite: rename the field or aggregate another one")]
    ColumnClash {
        /// The column name.
        column: String,
    },
    /// The CRS for planar areas is geographic.
    #[error("the area CRS {crs} is in degrees: planar areas need a projected CRS in metres (for example EPSG:2056, EPSG:25832 or EPSG:3035), or leave it out for geodesic areas")]
    AreaCrsNotProjected {
        /// The CRS name.
        crs: String,
    },
    /// Geometry could not be projected into the area CRS.
    #[error("cannot project {what} into the area CRS: {source}")]
    AreaProjection {
        /// `district "X"` or `unit 17`.
        what: String,
        /// The reprojection error.
        #[source]
        source: Box<CrsError>,
    },
    /// The source holds nothing to aggregate.
    #[error("{} holds no {kind}", path.display())]
    Empty {
        /// The source file.
        path: PathBuf,
        /// `points` or `features`.
        kind: &'static str,
    },
}

impl From<ImportError> for AggregateError {
    fn from(e: ImportError) -> Self {
        AggregateError::Import(Box::new(e))
    }
}

impl From<crate::table::TableError> for AggregateError {
    fn from(e: crate::table::TableError) -> Self {
        AggregateError::Table(Box::new(e))
    }
}
