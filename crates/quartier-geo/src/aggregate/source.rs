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
use serde::Deserialize;
use serde_json::Value;

use super::{AggregateError, Location, Problem};
use crate::crs::{Crs, ToWgs84};
use crate::import::files::sibling;
use crate::import::{self, shp_records, ImportOptions};
use crate::layer::{AttributeValues, Layer};
use crate::limits::{self, human_bytes, ReadFailure, MAX_GEOMETRY_BYTES, MAX_SIDECAR_BYTES};
use crate::table::{parse_number, Table, TableOptions};

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

// ---------------------------------------------------------------------------------------------
// GeoJSON

/// The GeoJSON `crs` member's EPSG reference, e.g. `urn:ogc:def:crs:EPSG::25832`.
fn crs_member(value: &Value) -> Option<String> {
    let name = value.pointer("/crs/properties/name")?.as_str()?;
    Some(name.to_string())
}

/// Why a feature's point coordinates are unusable, in words.
fn diagnose_point(feature: &Value) -> String {
    let Some(geometry) = feature.get("geometry").filter(|g| !g.is_null()) else {
        return "the feature has no geometry, so no coordinates".into();
    };
    let coords = match geometry.get("coordinates") {
        None | Some(Value::Null) => return "the point has no coordinates".into(),
        Some(Value::Array(a)) => a,
        Some(other) => return format!("the coordinates are {other}, not an array of numbers"),
    };
    // A MultiPoint's first position.
    let coords = match coords.first() {
        Some(Value::Array(inner)) => inner,
        _ => coords,
    };
    for (k, name) in ["x (longitude)", "y (latitude)"].iter().enumerate() {
        match coords.get(k) {
            None => {
                return format!(
                    "the point has {} coordinates; it needs x and y",
                    coords.len()
                )
            }
            Some(Value::Number(_)) => {}
            Some(Value::Null) => return format!("coordinate {name} is missing (null)"),
            Some(other) => return format!("coordinate {name} is {other}, not a number"),
        }
    }
    "the feature is not valid GeoJSON".into()
}

/// A property as a number: numbers, numeric strings and missing markers; anything else is `Err`.
fn property_number(v: Option<&Value>) -> Result<Option<f64>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(Value::String(s)) => parse_number(s, '.').map_err(|_| format!("{s:?}")),
        Some(other) => Err(other.to_string()),
    }
}

fn geojson_points(
    path: &Path,
    value: &Value,
    opts: &SourceOptions,
    fields: &[String],
) -> Result<Points, AggregateError> {
    let structure = |reason: &str| AggregateError::Structure {
        path: path.to_path_buf(),
        at: None,
        reason: reason.to_string(),
    };
    let features: Vec<&Value> = match value.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => value
            .get("features")
            .and_then(Value::as_array)
            .ok_or_else(|| structure("the FeatureCollection has no \"features\" array"))?
            .iter()
            .collect(),
        Some("Feature") => vec![value],
        _ => {
            return Err(structure(
                "a point source must be a GeoJSON FeatureCollection or Feature",
            ))
        }
    };
    let crs = match crs_override(path, opts)? {
        Some(c) => c,
        None => match crs_member(value) {
            Some(name) => {
                let text = match name.rsplit(':').next() {
                    Some(code) if name.to_ascii_uppercase().contains("EPSG") => {
                        format!("EPSG:{code}")
                    }
                    _ => name.clone(),
                };
                Crs::parse(&text).map_err(|source| AggregateError::Crs {
                    path: path.to_path_buf(),
                    origin: "crs member".into(),
                    source: Box::new(source),
                })?
            }
            None => Crs::wgs84(),
        },
    };
    let mut raw = RawPoints {
        xy: Vec::with_capacity(features.len()),
        origins: Vec::with_capacity(features.len()),
        fields: fields.iter().map(|f| (f.clone(), Vec::new())).collect(),
        read: features.len(),
        problems: Vec::new(),
    };
    let mut present = vec![false; fields.len()];
    for (i, fv) in features.iter().enumerate() {
        let n = i + 1;
        let skip = |raw: &mut RawPoints, why: String| {
            raw.problems.push(Problem {
                location: Location::Feature(n),
                message: format!("{why}; the point was skipped"),
            })
        };
        let feature = match geojson::Feature::deserialize(*fv) {
            Ok(f) => f,
            Err(_) => {
                skip(&mut raw, diagnose_point(fv));
                continue;
            }
        };
        let Some(geometry) = &feature.geometry else {
            skip(
                &mut raw,
                "the feature has no geometry, so no coordinates".into(),
            );
            continue;
        };
        let position = match &geometry.value {
            geojson::GeometryValue::Point { coordinates } => coordinates.clone(),
            geojson::GeometryValue::MultiPoint { coordinates } if coordinates.len() == 1 => {
                coordinates[0].clone()
            }
            geojson::GeometryValue::MultiPoint { coordinates } => {
                skip(
                    &mut raw,
                    format!(
                        "the feature is a MultiPoint of {} points, but each feature must be one point (split it, e.g. with ogr2ogr -explodecollections)",
                        coordinates.len()
                    ),
                );
                continue;
            }
            other => {
                return Err(AggregateError::Geometry {
                    path: path.to_path_buf(),
                    feature: n,
                    found: other.type_name().to_string(),
                    expected: "the file's first feature is a point, and a source holds either points or polygons".into(),
                })
            }
        };
        let (x, y) = match position.as_slice() {
            [x, y, ..] if x.is_finite() && y.is_finite() => (*x, *y),
            [_, _, ..] => {
                skip(&mut raw, "the coordinates are not finite numbers".into());
                continue;
            }
            other => {
                skip(
                    &mut raw,
                    format!(
                        "the point has {} coordinates; it needs x and y",
                        other.len()
                    ),
                );
                continue;
            }
        };
        for (k, name) in fields.iter().enumerate() {
            let v = feature.properties.as_ref().and_then(|p| p.get(name));
            present[k] |= v.is_some();
            let number = property_number(v).map_err(|value| AggregateError::NotNumeric {
                path: path.to_path_buf(),
                at: format!("feature {n}"),
                field: name.clone(),
                value,
            })?;
            raw.fields[k].1.push(number);
        }
        raw.xy.push((x, y));
        raw.origins.push(Location::Feature(n));
    }
    if let Some(k) = present.iter().position(|p| !p) {
        if !raw.xy.is_empty() {
            let mut names: Vec<String> = Vec::new();
            for fv in &features {
                if let Some(props) = fv.get("properties").and_then(Value::as_object) {
                    for key in props.keys() {
                        if !names.contains(key) {
                            names.push(key.clone());
                        }
                    }
                }
            }
            return Err(AggregateError::NoSuchField {
                path: path.to_path_buf(),
                field: fields[k].clone(),
                role: "a value to sum or average",
                available: list_or_none(&names),
            });
        }
    }
    finish(path, "GeoJSON", &crs, raw)
}

fn list_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "(none)".into()
    } else {
        names.join(", ")
    }
}

// ---------------------------------------------------------------------------------------------
// Shapefile

fn shapefile_points(
    shp: &Path,
    opts: &SourceOptions,
    fields: &[String],
) -> Result<Points, AggregateError> {
    use shapefile::Shape;
    let structure = |at: Option<usize>, reason: String| AggregateError::Structure {
        path: shp.to_path_buf(),
        at,
        reason,
    };
    let crs = match crs_override(shp, opts)? {
        Some(c) => c,
        None => {
            let prj = sibling(shp, "prj").ok_or_else(|| AggregateError::NoCrs {
                path: shp.to_path_buf(),
            })?;
            let wkt = String::from_utf8_lossy(&read_bytes(&prj, MAX_SIDECAR_BYTES)?).into_owned();
            Crs::from_wkt(wkt.trim()).map_err(|source| AggregateError::Crs {
                path: prj,
                origin: ".prj".into(),
                source: Box::new(source),
            })?
        }
    };
    // Read whole (capped); each record's counts are checked before the crate reserves memory
    // for them, and records are read in sequence (see `import::shp_records`).
    let bytes = read_bytes(shp, MAX_GEOMETRY_BYTES)?;
    let reader = shp_records::Records::new(&bytes, None)
        .map_err(|e| structure(None, format!("not a readable shapefile: {e}")))?;
    let mut raw = RawPoints {
        xy: Vec::new(),
        origins: Vec::new(),
        fields: fields.iter().map(|f| (f.clone(), Vec::new())).collect(),
        read: 0,
        problems: Vec::new(),
    };
    // Per record: the raw point, or None when skipped.
    let mut records: Vec<Option<(f64, f64)>> = Vec::new();
    for (i, shape) in reader.enumerate() {
        let n = i + 1;
        let shape = shape.map_err(|e| structure(Some(n), e))?;
        let xy = match &shape {
            Shape::Point(p) => Some((p.x, p.y)),
            Shape::PointM(p) => Some((p.x, p.y)),
            Shape::PointZ(p) => Some((p.x, p.y)),
            Shape::Multipoint(m) if m.points().len() == 1 => Some((m[0].x, m[0].y)),
            Shape::MultipointM(m) if m.points().len() == 1 => Some((m[0].x, m[0].y)),
            Shape::MultipointZ(m) if m.points().len() == 1 => Some((m[0].x, m[0].y)),
            Shape::Multipoint(_) | Shape::MultipointM(_) | Shape::MultipointZ(_) => {
                raw.problems.push(Problem {
                    location: Location::Feature(n),
                    message: "the record is a multipoint of several points, but each record must be one point; it was skipped".into(),
                });
                None
            }
            Shape::NullShape => {
                raw.problems.push(Problem {
                    location: Location::Feature(n),
                    message: "the record has a null shape, so no coordinates; it was skipped"
                        .into(),
                });
                None
            }
            other => {
                return Err(AggregateError::Geometry {
                    path: shp.to_path_buf(),
                    feature: n,
                    found: other.shapetype().to_string(),
                    expected: "the shapefile's header says it holds points".into(),
                })
            }
        };
        let xy = xy.filter(|(x, y)| {
            let ok = x.is_finite() && y.is_finite();
            if !ok {
                raw.problems.push(Problem {
                    location: Location::Feature(n),
                    message: "the coordinates are not finite numbers; the point was skipped".into(),
                });
            }
            ok
        });
        records.push(xy);
    }
    raw.read = records.len();
    let values = dbf_fields(shp, opts, fields, records.len())?;
    for (i, xy) in records.into_iter().enumerate() {
        if let Some(xy) = xy {
            raw.xy.push(xy);
            raw.origins.push(Location::Feature(i + 1));
            for (k, column) in values.iter().enumerate() {
                raw.fields[k].1.push(column[i]);
            }
        }
    }
    finish(shp, "ESRI Shapefile", &crs, raw)
}

/// The numeric fields asked for, read from the `.dbf` next to `shp` with the importer's DBF reader
/// and codepage rules (so text fields holding numbers and odd codepages behave as in an import).
fn dbf_fields(
    shp: &Path,
    opts: &SourceOptions,
    fields: &[String],
    records: usize,
) -> Result<Vec<Vec<Option<f64>>>, AggregateError> {
    if fields.is_empty() {
        return Ok(Vec::new());
    }
    let columns =
        crate::import::shapefile::read_attributes(shp, opts.encoding.as_deref(), records)?;
    let dbf = shp.with_extension("dbf");
    fields
        .iter()
        .map(|f| {
            let column = columns.iter().find(|c| &c.name == f).ok_or_else(|| {
                let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
                AggregateError::NoSuchField {
                    path: dbf.clone(),
                    field: f.clone(),
                    role: "a value to sum or average",
                    available: if names.is_empty() {
                        "(none: there is no .dbf file)".into()
                    } else {
                        list_or_none(&names)
                    },
                }
            })?;
            match &column.values {
                AttributeValues::Number(v) => Ok(v.clone()),
                AttributeValues::Text(v) => v
                    .iter()
                    .enumerate()
                    .map(|(i, s)| match s {
                        None => Ok(None),
                        Some(s) => parse_number(s, '.').map_err(|_| AggregateError::NotNumeric {
                            path: dbf.clone(),
                            at: format!("record {}", i + 1),
                            field: f.clone(),
                            value: format!("{s:?}"),
                        }),
                    })
                    .collect(),
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// CSV

/// The column for a coordinate: the one named in the options, else the first of `names`.
fn coordinate_column(
    table: &Table,
    given: Option<&str>,
    names: &[&str],
    role: &'static str,
) -> Result<Option<usize>, AggregateError> {
    match given {
        Some(name) => table
            .column(name)
            .map(Some)
            .map_err(|_| AggregateError::NoSuchField {
                path: table.path.clone(),
                field: name.to_string(),
                role,
                available: table.headers.join(", "),
            }),
        None => Ok(names
            .iter()
            .find_map(|n| table.headers.iter().position(|h| h.to_lowercase() == *n))),
    }
}

fn csv_points(
    path: &Path,
    opts: &SourceOptions,
    fields: &[String],
) -> Result<Points, AggregateError> {
    let table = Table::read(
        path,
        &TableOptions {
            delimiter: opts.delimiter,
            encoding: opts.encoding.clone(),
            ..Default::default()
        },
    )?;
    let x = coordinate_column(&table, opts.x.as_deref(), X_NAMES, "the x coordinate")?;
    let y = coordinate_column(&table, opts.y.as_deref(), Y_NAMES, "the y coordinate")?;
    let (Some(x), Some(y)) = (x, y) else {
        return Err(AggregateError::NoCoordinateColumns {
            path: path.to_path_buf(),
            looked_for: format!("x: {}; y: {}", X_NAMES.join(", "), Y_NAMES.join(", ")),
            available: table.headers.join(", "),
        });
    };
    let crs = crs_override(path, opts)?.unwrap_or_else(Crs::wgs84);
    let columns: Vec<Vec<Option<f64>>> = fields
        .iter()
        .map(|f| {
            table.column(f).map_err(|_| AggregateError::NoSuchField {
                path: path.to_path_buf(),
                field: f.clone(),
                role: "a value to sum or average",
                available: table.headers.join(", "),
            })?;
            Ok(table.numeric(f)?)
        })
        .collect::<Result<_, AggregateError>>()?;
    let mut raw = RawPoints {
        xy: Vec::with_capacity(table.rows.len()),
        origins: Vec::with_capacity(table.rows.len()),
        fields: fields.iter().map(|f| (f.clone(), Vec::new())).collect(),
        read: table.rows.len(),
        problems: Vec::new(),
    };
    for (r, row) in table.rows.iter().enumerate() {
        let coordinate = |col: usize| -> Result<f64, String> {
            let name = &table.headers[col];
            let cell = row.cells.get(col).map_or("", String::as_str);
            match parse_number(cell, table.decimal) {
                Ok(Some(v)) if v.is_finite() => Ok(v),
                Ok(Some(_)) => Err(format!("column {name:?}: {cell:?} is not a finite number")),
                Ok(None) if cell.is_empty() => Err(format!("column {name:?} is empty")),
                Ok(None) => Err(format!("column {name:?} holds {cell:?}, a missing value")),
                Err(e) => Err(format!("column {name:?}: {e}")),
            }
        };
        match (coordinate(x), coordinate(y)) {
            (Ok(xv), Ok(yv)) => {
                raw.xy.push((xv, yv));
                raw.origins.push(Location::Line(row.line));
                for (k, c) in columns.iter().enumerate() {
                    raw.fields[k].1.push(c[r]);
                }
            }
            (Err(e), _) | (_, Err(e)) => raw.problems.push(Problem {
                location: Location::Line(row.line),
                message: format!("{e}, so the point has no coordinates; it was skipped"),
            }),
        }
    }
    finish(path, "CSV", &crs, raw)
}
