//! Reading what is aggregated: points (GeoJSON, point shapefiles, CSV with coordinate columns) or
//! finer units (any boundary file [`crate::import`] reads), reprojected to WGS84.
//!
//! Which one a file holds is decided by its content: a shapefile by its header's shape type, a
//! GeoJSON file by its first geometry (TopoJSON is always units), a CSV table is always points.
//!
//! A point whose coordinates are missing, not numbers, or cannot be reprojected is skipped and
//! listed as a [`Problem`] with its feature or line.
//! Coordinates that cannot be in the CRS they are said to be in (degrees beyond ±180°/±90°) skip the
//! point too; when *every* point is like that, the CRS is wrong and the read fails with
//! [`AggregateError::CrsMismatch`].

use std::path::{Path, PathBuf};

use geo::Coord;
use serde_json::Value;

use crate::aggregate::{AggregateError, Location, Problem};
use crate::crs::{Crs, ToWgs84};
use crate::import::{self, ImportOptions};
use crate::layer::Layer;
use crate::limits::{self, human_bytes, ReadFailure, MAX_GEOMETRY_BYTES};

mod csv;
mod geojson;
mod shapefile;

use self::csv::csv_points;
use geojson::geojson_points;
use shapefile::shapefile_points;

/// How to read a point or unit source; every `None` means "find out from the file".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceOptions {
    /// CRS of the coordinates (`EPSG:25832`, `+proj=...`); wins over `.prj` and GeoJSON `crs`.
    /// CSV and GeoJSON without one are WGS84 longitude/latitude.
    pub crs: Option<String>,
    /// Text encoding: of the DBF for shapefiles, of the table for CSV.
    pub encoding: Option<String>,
    /// CSV column of the x coordinate (longitude, easting); see [`X_NAMES`] for the default.
    pub x: Option<String>,
    /// CSV column of the y coordinate (latitude, northing); see [`Y_NAMES`] for the default.
    pub y: Option<String>,
    /// CSV delimiter, detected when `None`.
    pub delimiter: Option<u8>,
}

/// CSV headers taken as the x coordinate, compared ignoring case, in this order.
pub const X_NAMES: &[&str] = &[
    "lon",
    "lng",
    "long",
    "longitude",
    "x",
    "easting",
    "rechtswert",
    "laenge",
    "länge",
];
/// CSV headers taken as the y coordinate, compared ignoring case, in this order.
pub const Y_NAMES: &[&str] = &["lat", "latitude", "y", "northing", "hochwert", "breite"];

/// Points in WGS84 with the numeric fields asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct Points {
    /// The file.
    pub path: PathBuf,
    /// `GeoJSON`, `ESRI Shapefile` or `CSV`.
    pub format: &'static str,
    /// The source CRS's name.
    pub crs: String,
    /// Usable points, longitude/latitude.
    pub coords: Vec<Coord<f64>>,
    /// Where each usable point came from (feature or line).
    pub origins: Vec<Location>,
    /// The fields asked for, one value per usable point.
    pub fields: Vec<(String, Vec<Option<f64>>)>,
    /// Features or rows read, usable or not.
    pub read: usize,
    /// Points that were skipped, and why.
    pub problems: Vec<Problem>,
}

impl Points {
    /// The values of field `name`, one per usable point.
    pub fn field(&self, name: &str) -> Option<&[Option<f64>]> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }
}

/// Finer units (polygons) in WGS84, as imported.
#[derive(Debug, Clone)]
pub struct Units {
    /// The file.
    pub path: PathBuf,
    /// The source CRS's name.
    pub crs: String,
    /// The units as a layer (ids and names by the import rules, all attributes).
    pub layer: Layer,
}

/// What a source file holds.
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)] // one per aggregation, never in a collection
pub enum Source {
    /// Points.
    Points(Points),
    /// Finer units.
    Units(Units),
}

impl Source {
    /// The file read.
    pub fn path(&self) -> &Path {
        match self {
            Source::Points(p) => &p.path,
            Source::Units(u) => &u.path,
        }
    }
}

/// Read a point or unit source; `fields` are the numeric fields points must carry.
///
/// Units keep all their attributes; which fields they need is checked when aggregating.
pub fn read_source(
    path: &Path,
    opts: &SourceOptions,
    fields: &[String],
) -> Result<Source, AggregateError> {
    if !path.exists() {
        return Err(AggregateError::NotFound {
            path: path.to_path_buf(),
        });
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "csv" | "tsv" | "txt" => csv_points(path, opts, fields).map(Source::Points),
        "shp" | "dbf" | "shx" => {
            let shp = path.with_extension("shp");
            match shp_shape_type(&shp)? {
                1 | 11 | 21 | 8 | 18 | 28 => {
                    shapefile_points(&shp, opts, fields).map(Source::Points)
                }
                3 | 13 | 23 => Err(AggregateError::Geometry {
                    path: shp,
                    feature: 1,
                    found: "Polyline".into(),
                    expected: "aggregation needs points or polygons".into(),
                }),
                _ => units(path, opts),
            }
        }
        "zip" => units(path, opts),
        "geojson" | "json" | "topojson" => {
            let bytes = read_bytes(path, MAX_GEOMETRY_BYTES)?;
            let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
            let value: Value = serde_json::from_slice(body).map_err(|e| AggregateError::Json {
                path: path.to_path_buf(),
                line: e.line(),
                column: e.column(),
                reason: e.to_string(),
            })?;
            if value.get("type").and_then(Value::as_str) == Some("Topology") {
                return units(path, opts);
            }
            match first_geometry_type(&value) {
                Some("Point") | Some("MultiPoint") => {
                    geojson_points(path, &value, opts, fields).map(Source::Points)
                }
                _ => units(path, opts),
            }
        }
        _ => Err(AggregateError::UnknownFormat {
            path: path.to_path_buf(),
        }),
    }
}

/// Read a whole regular file of at most `cap` bytes (see [`crate::limits`]).
fn read_bytes(path: &Path, cap: u64) -> Result<Vec<u8>, AggregateError> {
    limits::read_capped(path, cap).map_err(|f| read_failure(path, cap, f))
}

/// A failed capped read as an [`AggregateError`].
fn read_failure(path: &Path, cap: u64, failure: ReadFailure) -> AggregateError {
    let path = path.to_path_buf();
    let reason = match failure {
        ReadFailure::NotFound(_) => return AggregateError::NotFound { path },
        ReadFailure::NotAFile(kind) => {
            format!("it is {kind}, not a file: give the path of a regular file")
        }
        ReadFailure::TooLarge { size } => format!(
            "it is {}, more than the {} allowed: if the file is genuine, split it or raise the limit",
            human_bytes(size),
            human_bytes(cap)
        ),
        ReadFailure::Io(e) => e.to_string(),
    };
    AggregateError::Io { path, reason }
}

/// Units through the boundary importer.
fn units(path: &Path, opts: &SourceOptions) -> Result<Source, AggregateError> {
    let imported = import::read_layer(
        path,
        &ImportOptions {
            crs: opts.crs.clone(),
            encoding: opts.encoding.clone(),
            ..Default::default()
        },
    )?;
    Ok(Source::Units(Units {
        path: path.to_path_buf(),
        crs: imported.report.crs,
        layer: imported.layer,
    }))
}

/// The shape type in a `.shp` header (byte 32, little-endian).
fn shp_shape_type(shp: &Path) -> Result<i32, AggregateError> {
    use std::io::Read;
    let mut head = [0u8; 36];
    // Checked before opening: a FIFO would block, and the file's size is capped like every read.
    let (mut f, _) = limits::open_regular(shp, MAX_GEOMETRY_BYTES)
        .map_err(|e| read_failure(shp, MAX_GEOMETRY_BYTES, e))?;
    f.read_exact(&mut head)
        .map_err(|_| AggregateError::Structure {
            path: shp.to_path_buf(),
            at: None,
            reason: "the file is shorter than a shapefile header (100 bytes)".into(),
        })?;
    Ok(i32::from_le_bytes([head[32], head[33], head[34], head[35]]))
}

/// The `type` of the first non-null geometry of a GeoJSON document.
fn first_geometry_type(value: &Value) -> Option<&str> {
    fn geometry_type(f: &Value) -> Option<&str> {
        f.get("geometry")
            .and_then(|g| g.get("type"))
            .and_then(Value::as_str)
    }
    match value.get("type").and_then(Value::as_str)? {
        "FeatureCollection" => value
            .get("features")?
            .as_array()?
            .iter()
            .find_map(geometry_type),
        "Feature" => geometry_type(value),
        other => Some(other),
    }
}

/// Parse the CRS the options give, if any.
fn crs_override(path: &Path, opts: &SourceOptions) -> Result<Option<Crs>, AggregateError> {
    opts.crs
        .as_deref()
        .map(|t| {
            Crs::parse(t).map_err(|source| AggregateError::Crs {
                path: path.to_path_buf(),
                origin: "--crs".into(),
                source: Box::new(source),
            })
        })
        .transpose()
}

/// Raw points in the source CRS, before the range check and reprojection.
struct RawPoints {
    xy: Vec<(f64, f64)>,
    origins: Vec<Location>,
    /// Per field, one value per raw point.
    fields: Vec<(String, Vec<Option<f64>>)>,
    read: usize,
    problems: Vec<Problem>,
}

/// Check the coordinates against the CRS and reproject to WGS84.
fn finish(
    path: &Path,
    format: &'static str,
    crs: &Crs,
    raw: RawPoints,
) -> Result<Points, AggregateError> {
    let RawPoints {
        xy,
        origins,
        fields,
        read,
        mut problems,
    } = raw;
    if read == 0 {
        return Err(AggregateError::Empty {
            path: path.to_path_buf(),
            kind: "points",
        });
    }
    let geographic = crs.is_geographic();
    let out_of_range = |x: f64, y: f64| geographic && (x.abs() > 360.0 || y.abs() > 90.0);
    if !xy.is_empty() && xy.iter().all(|&(x, y)| out_of_range(x, y)) {
        let (x, y) = xy[0];
        return Err(AggregateError::CrsMismatch {
            path: path.to_path_buf(),
            at: format!("{} (and every other point)", origins[0]),
            reason: format!(
                "the coordinates ({x}, {y}) are not longitude/latitude in {}: longitudes lie within ±180° and latitudes within ±90°; these look like projected coordinates",
                crs.name()
            ),
        });
    }
    let to_wgs84 = if crs.is_wgs84() {
        None
    } else {
        Some(ToWgs84::new(crs).map_err(|source| AggregateError::Crs {
            path: path.to_path_buf(),
            origin: "the source CRS".into(),
            source: Box::new(source),
        })?)
    };
    let mut keep = Vec::with_capacity(xy.len());
    let mut coords = Vec::with_capacity(xy.len());
    for (i, &(x, y)) in xy.iter().enumerate() {
        if out_of_range(x, y) {
            problems.push(Problem {
                location: origins[i].clone(),
                message: format!(
                    "the coordinates ({x}, {y}) are not longitude/latitude in {}; the point was skipped",
                    crs.name()
                ),
            });
            continue;
        }
        let lonlat = match &to_wgs84 {
            None => Ok((x, y)),
            Some(t) => t.point(x, y),
        };
        match lonlat {
            Ok((lon, lat)) => {
                keep.push(i);
                coords.push(Coord { x: lon, y: lat });
            }
            Err(e) => problems.push(Problem {
                location: origins[i].clone(),
                message: format!("cannot reproject the point to WGS84 ({e}); it was skipped"),
            }),
        }
    }
    let fields = fields
        .into_iter()
        .map(|(name, values)| (name, keep.iter().map(|&i| values[i]).collect()))
        .collect();
    let origins = keep.iter().map(|&i| origins[i].clone()).collect();
    problems.sort_by_key(|p| location_order(&p.location));
    Ok(Points {
        path: path.to_path_buf(),
        format,
        crs: crs.name().to_string(),
        coords,
        origins,
        fields,
        read,
        problems,
    })
}

fn location_order(l: &Location) -> (u8, usize) {
    match l {
        Location::Feature(n) | Location::Line(n) => (0, *n),
        Location::District(_) => (1, 0),
    }
}
