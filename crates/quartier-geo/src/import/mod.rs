//! Import district boundaries into a [`Layer`]: ESRI shapefiles (also zipped), GeoJSON and TopoJSON.
//!
//! # Brief overview
//!
//! [`read_layer`] opens one file, reads geometry and attributes, identifies the CRS and the text
//! encoding, reprojects to EPSG:4326 (plus a Web Mercator copy), runs
//! [`crate::validate::validate_and_repair`], and returns the [`Layer`] together
//! with an [`ImportReport`] that says what was found and where it came from (what `ogrinfo` tells;
//! `quartier inspect` prints it).
//!
//! ```no_run
//! use quartier_geo::import::{read_layer, ImportOptions};
//! let opts = ImportOptions { crs: Some("EPSG:4269".into()), ..Default::default() };
//! let imported = read_layer("tests/fixtures/us_counties/cb_2016_us_county_500k.shp".as_ref(), &opts)?;
//! assert_eq!(imported.layer.districts.len(), 3233);
//! println!("{}", imported.report);
//! # Ok::<(), quartier_geo::import::ImportError>(())
//! ```
//!
//! # Formats
//!
//! - **ESRI shapefile** (`.shp` with `.shx`, `.dbf`, `.prj`, `.cpg`; any of `.shp`, `.dbf`, `.shx` may
//!   be given): Polygon, PolygonM and PolygonZ records; null shapes become empty districts.
//!   A missing `.shx` is not needed: records are read in sequence, which rebuilds the index.
//!   Outer rings are clockwise in shapefiles and holes counter-clockwise; each hole is assigned
//!   to the smallest outer ring that contains it (a "hole" inside no outer ring becomes an outer
//!   ring, with a warning).
//!   See [`codepage`] for how the DBF text encoding is chosen.
//! - **`.zip`** holding exactly one shapefile (in any folder of the archive).
//! - **GeoJSON** (`.geojson`, `.json`): a FeatureCollection (or one Feature) of Polygon,
//!   MultiPolygon or polygon-only GeometryCollection features; the legacy `crs` member
//!   (`urn:ogc:def:crs:EPSG::25832`, `EPSG:25832`, `urn:ogc:def:crs:OGC:1.3:CRS84`) is honoured,
//!   otherwise coordinates are WGS84 as RFC 7946 says.
//!   Properties whose values are all numbers (or null) become numeric attributes.
//! - **TopoJSON** (a `.json` or `.topojson` file whose `type` is `Topology`): arcs with or without
//!   the quantizing transform, negative arc indices, holes. Winding is normalised silently because
//!   TopoJSON producers (d3, topojson-server) use clockwise exteriors by convention.
//!
//! Point and line features in a boundary file are an error that names the feature.
//!
//! # Limits
//!
//! Every file is checked before it is read: a directory, FIFO, socket or device is refused
//! ([`ImportError::NotAFile`]) without being opened, and a file longer than its cap
//! ([`ImportError::TooLarge`]; 512 MiB for geometry, 64 KiB for `.prj`/`.cpg`) without a byte read.
//! The `.shp` and `.dbf` headers are checked before the rest of the file is read, and zip members
//! by their declared size, compression ratio and, while inflating, their actual size.
//! The caps are in [`crate::limits`]; [`read_layer_with_limits`] takes others.
//!
//! # CRS
//!
//! An explicit CRS ([`ImportOptions::crs`], `--crs`, `crs =` in the manifest) always wins.
//! Otherwise: the `.prj` of a shapefile (a shapefile without `.prj` is an error that says to pass
//! `--crs`), the `crs` member of a GeoJSON file, or WGS84 for GeoJSON/TopoJSON without one.
//!
//! # Ids and names
//!
//! District ids are strings, always; text keeps its form (`"05358"` stays `"05358"`) and numbers
//! are written without a fractional part when they have none (`1825`, not `1825.0`).
//! Without [`ImportOptions::id_field`] the id is, in this order:
//! 1. the GeoJSON/TopoJSON feature `id`, when every feature has one and they are unique;
//! 2. the first field named `id`, `GEOID`, `FIPS`, `AGS` or `code` (case-insensitive, in that
//!    order) whose values are all present and unique;
//! 3. the 1-based feature number.
//!
//! An explicit id field may name a field (exact case first, then case-insensitive) or `id` for
//! the feature id; a district whose id value is missing gets its feature number, with a warning.
//! Without [`ImportOptions::name_field`] the name is the first field named `name` (any case), then
//! one starting with `NAME_` or `NM_`, then `GEN`, then `BEZEICHNUNG`; a district without a name
//! value, or a layer without such a field, uses the id.

pub mod codepage;
mod dbf;
mod error;
pub mod files;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod geojson;
mod json_features;
pub(crate) mod shapefile;
pub(crate) mod shp_records;
mod topojson;
mod zip;

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

use geo::{CoordsIter, MultiPolygon};
use serde::Serialize;

use crate::crs::{self, Crs, ToWgs84};
use crate::layer::{Attribute, AttributeValues, District, Layer};
use crate::limits::{self, Limits};

use crate::validate::{validate_and_repair, Finding, ValidationReport};
pub use error::ImportError;
pub(crate) use error::{failure, io_error, read_file};

/// What the caller knows better than the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// CRS override (`EPSG:25832`, `25832`, `+proj=...`, WKT); wins over `.prj` and GeoJSON `crs`.
    pub crs: Option<String>,
    /// Text encoding override for the DBF (`UTF-8`, `windows-1252`, `ISO-8859-1`, `850`, ...).
    pub encoding: Option<String>,
    /// Field holding the district key; see the module docs for the default.
    pub id_field: Option<String>,
    /// Field holding the district name; see the module docs for the default.
    pub name_field: Option<String>,
    /// Layer id; the file stem when not given.
    pub layer_id: Option<String>,
}

/// A successful import: the layer and what was found on the way.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The districts, in EPSG:4326 and EPSG:3857.
    pub layer: Layer,
    /// What was found: formats, CRS, encoding, fields, validation.
    pub report: ImportReport,
}

/// One attribute field as `inspect` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldInfo {
    /// Field name.
    pub name: String,
    /// `text`, `number`, `integer`, `date` or `logical`.
    pub kind: String,
    /// How many districts have a value.
    pub non_null: usize,
}

/// What an import found, for `quartier inspect` (human text via `Display`, JSON via serde).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportReport {
    /// The file read.
    pub path: PathBuf,
    /// `ESRI Shapefile`, `GeoJSON` or `TopoJSON`.
    pub format: String,
    /// The source CRS's name, such as `CH1903+ / LV95 (EPSG:2056)`.
    pub crs: String,
    /// Where the CRS came from: `.prj`, `--crs`, `crs member`, `GeoJSON default`, `TopoJSON default`.
    pub crs_source: String,
    /// The text encoding used, such as `UTF-8` or `windows-1252` (`None` when there is no text to decode).
    pub encoding: Option<String>,
    /// Where the encoding came from: `.cpg`, `DBF language driver 0x57`, `detected`, `override`, ...
    pub encoding_source: Option<String>,
    /// Attribute fields in source order.
    pub fields: Vec<FieldInfo>,
    /// Number of districts.
    pub features: usize,
    /// Number of vertices over all districts (closing points included).
    pub vertices: usize,
    /// `[west, south, east, north]` in WGS84 degrees.
    pub bounds_wgs84: Option<[f64; 4]>,
    /// The field the ids came from: a field name, `(feature id)`, or `None` for feature numbers.
    pub id_field: Option<String>,
    /// The field the names came from, `None` when names are the ids.
    pub name_field: Option<String>,
    /// Geometry checks and repairs.
    pub validation: ValidationReport,
    /// Other things worth knowing (rebuilt `.shx`, overridden `.prj`, values read as missing).
    pub notes: Vec<String>,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "File:        {}", self.path.display())?;
        writeln!(f, "Format:      {}", self.format)?;
        writeln!(f, "CRS:         {} (from {})", self.crs, self.crs_source)?;
        match (&self.encoding, &self.encoding_source) {
            (Some(e), Some(s)) => writeln!(f, "Encoding:    {e} (from {s})")?,
            (Some(e), None) => writeln!(f, "Encoding:    {e}")?,
            _ => writeln!(f, "Encoding:    (no text)")?,
        }
        writeln!(f, "Features:    {}", self.features)?;
        writeln!(f, "Vertices:    {}", self.vertices)?;
        match self.bounds_wgs84 {
            Some([w, s, e, n]) => writeln!(
                f,
                "Bounds:      ({w:.6}, {s:.6}) - ({e:.6}, {n:.6}) lon/lat WGS84"
            )?,
            None => writeln!(f, "Bounds:      (no geometry)")?,
        }
        writeln!(
            f,
            "Id field:    {}",
            self.id_field.as_deref().unwrap_or("(feature number)")
        )?;
        writeln!(
            f,
            "Name field:  {}",
            self.name_field.as_deref().unwrap_or("(the id)")
        )?;
        writeln!(f, "Fields:      {}", self.fields.len())?;
        let width = self
            .fields
            .iter()
            .map(|x| x.name.chars().count())
            .max()
            .unwrap_or(0);
        for field in &self.fields {
            writeln!(
                f,
                "  {:width$}  {:8} {} non-null",
                field.name, field.kind, field.non_null
            )?;
        }
        for note in &self.notes {
            writeln!(f, "Note:        {note}")?;
        }
        write!(f, "Validation:  {}", self.validation)
    }
}

/// The type of an attribute column as reported by `inspect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldKind {
    Text,
    Number,
    Integer,
    Date,
    Logical,
}

impl FieldKind {
    fn as_str(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Number => "number",
            FieldKind::Integer => "integer",
            FieldKind::Date => "date",
            FieldKind::Logical => "logical",
        }
    }
}

/// One attribute column as a reader produced it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Column {
    pub name: String,
    pub kind: FieldKind,
    pub values: AttributeValues,
}

/// What a format reader hands to the common part of the import.
#[derive(Debug)]
pub(crate) struct Parsed {
    pub format: &'static str,
    /// Geometry per feature in the source CRS; `None` for a null geometry.
    pub geometries: Vec<Option<MultiPolygon<f64>>>,
    pub columns: Vec<Column>,
    /// Feature ids (GeoJSON/TopoJSON), `None` for formats without them.
    pub feature_ids: Option<Vec<Option<String>>>,
    pub crs: Crs,
    pub crs_source: String,
    pub encoding: Option<String>,
    pub encoding_source: Option<String>,
    /// Repairs made while reading, as (1-based feature, problem).
    pub repaired: Vec<(usize, String)>,
    pub notes: Vec<String>,
}

/// Read one boundary file into a validated layer in EPSG:4326.
///
/// Fails on what makes the whole file unusable (missing file, unknown format or CRS, broken
/// `.shp`/`.dbf`, point features, no features); problems with single districts are in
/// [`ImportReport::validation`], and [`ValidationReport::is_usable`] says whether the layer can be served.
pub fn read_layer(path: &Path, opts: &ImportOptions) -> Result<Imported, ImportError> {
    read_layer_with_limits(path, opts, &Limits::default())
}

/// [`read_layer`] with other size caps than the [defaults](crate::limits).
///
/// Every file is checked against its cap by its length before it is read, and a path that is
/// not a regular file (a directory, a FIFO) is refused before it is opened.
pub fn read_layer_with_limits(
    path: &Path,
    opts: &ImportOptions,
    limits: &Limits,
) -> Result<Imported, ImportError> {
    let meta = std::fs::metadata(path).map_err(|e| io_error(path, e))?;
    if let Some(kind) = limits::not_a_file(meta.file_type()) {
        return Err(ImportError::NotAFile {
            path: path.to_path_buf(),
            kind,
        });
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let parsed = match ext.as_str() {
        "shp" | "dbf" | "shx" => shapefile::parse(shapefile::parts_from_dir(path, limits)?, opts)?,
        "zip" => shapefile::parse(zip::parts_from_zip(path, limits)?, opts)?,
        "geojson" | "json" | "topojson" => {
            let bytes = read_file(path, limits.geometry_bytes, "a GeoJSON or TopoJSON file")?;
            geojson::parse(path, &bytes, opts)?
        }
        _ => {
            return Err(ImportError::UnknownFormat {
                path: path.to_path_buf(),
            })
        }
    };
    finish(path, parsed, opts)
}

/// Where an [`ImportOptions::crs`] comes from, for messages: the options do not say whether the
/// command line or the manifest set it, so the message names both.
const CRS_OPTION: &str = "--crs, or crs = in the atlas manifest";

/// Where an [`ImportOptions::encoding`] comes from, for messages (see [`CRS_OPTION`]).
const ENCODING_OPTION: &str = "--encoding, or encoding = in the atlas manifest";

/// The CRS override from the options, parsed.
pub(crate) fn crs_override(path: &Path, opts: &ImportOptions) -> Result<Option<Crs>, ImportError> {
    opts.crs
        .as_deref()
        .map(|text| {
            Crs::parse(text).map_err(|source| ImportError::Crs {
                path: path.to_path_buf(),
                origin: CRS_OPTION.into(),
                source: Box::new(source),
            })
        })
        .transpose()
}

/// The encoding override from the options, parsed.
pub(crate) fn encoding_override(
    path: &Path,
    opts: &ImportOptions,
) -> Result<Option<codepage::Codepage>, ImportError> {
    opts.encoding
        .as_deref()
        .map(|label| {
            codepage::Codepage::from_label(label).ok_or_else(|| ImportError::UnknownEncoding {
                path: path.to_path_buf(),
                label: label.to_string(),
                origin: ENCODING_OPTION.into(),
            })
        })
        .transpose()
}

/// A number as a key: integers without `.0`, others in Rust's shortest round-trip form.
pub(crate) fn format_number(x: f64) -> String {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// The values of a column as key strings.
fn column_keys(values: &AttributeValues) -> Vec<Option<String>> {
    match values {
        AttributeValues::Text(v) => v.clone(),
        AttributeValues::Number(v) => v.iter().map(|x| x.map(format_number)).collect(),
    }
}

/// Whether every key is present and unique.
fn complete_and_unique(keys: &[Option<String>]) -> bool {
    let mut seen = HashSet::with_capacity(keys.len());
    keys.iter()
        .all(|k| k.as_deref().is_some_and(|k| seen.insert(k)))
}

/// The column called `name`: exact case first, then case-insensitive.
fn find_column<'a>(columns: &'a [Column], name: &str) -> Option<&'a Column> {
    columns
        .iter()
        .find(|c| c.name == name)
        .or_else(|| columns.iter().find(|c| c.name.eq_ignore_ascii_case(name)))
}

/// Field names for error messages.
fn available(columns: &[Column], has_feature_ids: bool) -> String {
    let mut names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
    if has_feature_ids {
        names.push("id (the feature id)".into());
    }
    if names.is_empty() {
        "(none)".into()
    } else {
        names.join(", ")
    }
}

/// Label used in reports for ids taken from GeoJSON/TopoJSON feature ids.
const FEATURE_ID: &str = "(feature id)";

/// Ids per feature, the field they came from, and (1-based feature, warning) for missing values.
type ChosenIds = (Vec<String>, Option<String>, Vec<(usize, String)>);

/// Choose the ids by the rules in the module docs.
fn choose_ids(
    path: &Path,
    parsed: &Parsed,
    opts: &ImportOptions,
) -> Result<ChosenIds, ImportError> {
    let n = parsed.geometries.len();
    let numbers = || (1..=n).map(|i| i.to_string()).collect::<Vec<_>>();
    let (keys, field): (Vec<Option<String>>, Option<String>) = match opts.id_field.as_deref() {
        Some(name) => match find_column(&parsed.columns, name) {
            Some(c) => (column_keys(&c.values), Some(c.name.clone())),
            None => match &parsed.feature_ids {
                Some(ids) if name.eq_ignore_ascii_case("id") || name == FEATURE_ID => {
                    (ids.clone(), Some(FEATURE_ID.to_string()))
                }
                _ => {
                    return Err(ImportError::NoSuchField {
                        path: path.to_path_buf(),
                        field: name.to_string(),
                        role: "id",
                        available: available(&parsed.columns, parsed.feature_ids.is_some()),
                    })
                }
            },
        },
        None => {
            let from_features = parsed
                .feature_ids
                .as_ref()
                .filter(|ids| complete_and_unique(ids));
            if let Some(ids) = from_features {
                (ids.clone(), Some(FEATURE_ID.to_string()))
            } else {
                let found = ["id", "GEOID", "FIPS", "AGS", "code"]
                    .iter()
                    .find_map(|candidate| {
                        parsed
                            .columns
                            .iter()
                            .filter(|c| c.name.eq_ignore_ascii_case(candidate))
                            .map(|c| (column_keys(&c.values), c.name.clone()))
                            .find(|(keys, _)| complete_and_unique(keys))
                    });
                match found {
                    Some((keys, name)) => (keys, Some(name)),
                    None => return Ok((numbers(), None, Vec::new())),
                }
            }
        }
    };
    let mut warnings = Vec::new();
    let ids = keys
        .into_iter()
        .enumerate()
        .map(|(i, k)| {
            k.unwrap_or_else(|| {
                warnings.push((
                    i + 1,
                    "the id field has no value; used the feature number as id".to_string(),
                ));
                (i + 1).to_string()
            })
        })
        .collect();
    Ok((ids, field, warnings))
}

/// Names per feature (the id where missing) and the field they came from.
fn choose_names(
    path: &Path,
    parsed: &Parsed,
    opts: &ImportOptions,
    ids: &[String],
) -> Result<(Vec<String>, Option<String>), ImportError> {
    let column = match opts.name_field.as_deref() {
        Some(name) => {
            Some(
                find_column(&parsed.columns, name).ok_or_else(|| ImportError::NoSuchField {
                    path: path.to_path_buf(),
                    field: name.to_string(),
                    role: "name",
                    available: available(&parsed.columns, false),
                })?,
            )
        }
        None => {
            let starts = |c: &&Column, prefix: &str| {
                c.name.len() > prefix.len() && c.name[..prefix.len()].eq_ignore_ascii_case(prefix)
            };
            let cols = &parsed.columns;
            cols.iter()
                .find(|c| c.name.eq_ignore_ascii_case("name"))
                .or_else(|| {
                    cols.iter()
                        .find(|c| c.name.is_char_boundary(5) && starts(c, "NAME_"))
                })
                .or_else(|| {
                    cols.iter()
                        .find(|c| c.name.is_char_boundary(3) && starts(c, "NM_"))
                })
                .or_else(|| cols.iter().find(|c| c.name.eq_ignore_ascii_case("GEN")))
                .or_else(|| {
                    cols.iter()
                        .find(|c| c.name.eq_ignore_ascii_case("BEZEICHNUNG"))
                })
        }
    };
    match column {
        Some(c) => {
            let names = column_keys(&c.values)
                .into_iter()
                .zip(ids)
                .map(|(name, id)| name.unwrap_or_else(|| id.clone()))
                .collect();
            Ok((names, Some(c.name.clone())))
        }
        None => Ok((ids.to_vec(), None)),
    }
}

/// `notes`, plus one for each field asked for that was found only by ignoring case
/// (`id_field = "ags"` reading the field `AGS`): it works, but the report says so, because the
/// next file may have both spellings.
fn case_notes(
    opts: &ImportOptions,
    id_field: &Option<String>,
    name_field: &Option<String>,
    mut notes: Vec<String>,
) -> Vec<String> {
    for (role, asked, found) in [
        ("id", &opts.id_field, id_field),
        ("name", &opts.name_field, name_field),
    ] {
        if let (Some(asked), Some(found)) = (asked, found) {
            if asked != found && found != FEATURE_ID && asked.eq_ignore_ascii_case(found) {
                notes.push(format!(
                    "the {role} field {asked:?} was matched to the field {found:?}, whose case differs; \
                     write {found:?} to match it exactly"
                ));
            }
        }
    }
    notes
}

/// The common second half of every import: ids, names, reprojection, validation, report.
fn finish(path: &Path, parsed: Parsed, opts: &ImportOptions) -> Result<Imported, ImportError> {
    if parsed.geometries.is_empty() {
        return Err(ImportError::Empty {
            path: path.to_path_buf(),
        });
    }
    let (ids, id_field, id_warnings) = choose_ids(path, &parsed, opts)?;
    let (names, name_field) = choose_names(path, &parsed, opts, &ids)?;
    let transform = if parsed.crs.is_wgs84() {
        None
    } else {
        Some(
            ToWgs84::new(&parsed.crs).map_err(|source| ImportError::Crs {
                path: path.to_path_buf(),
                origin: parsed.crs_source.clone(),
                source: Box::new(source),
            })?,
        )
    };
    let mut early = ValidationReport::default();
    let finding = |i: usize, problem: String| Finding {
        id: ids[i - 1].clone(),
        feature: i,
        problem,
    };
    for (i, problem) in &parsed.repaired {
        early.repaired.push(finding(*i, problem.clone()));
    }
    for (i, problem) in id_warnings {
        early.warnings.push(finding(i, problem));
    }
    let mut failed = HashSet::new();
    let mut districts = Vec::with_capacity(parsed.geometries.len());
    for (i, (geometry, (id, name))) in parsed
        .geometries
        .into_iter()
        .zip(ids.iter().zip(names))
        .enumerate()
    {
        let mut geometry = geometry.unwrap_or_else(|| MultiPolygon(Vec::new()));
        let finite = geometry
            .coords_iter()
            .all(|c| c.x.is_finite() && c.y.is_finite());
        if let (Some(t), true) = (&transform, finite) {
            if let Err(e) = t.multipolygon(&mut geometry) {
                early
                    .errors
                    .push(finding(i + 1, format!("cannot reproject to WGS84: {e}")));
                failed.insert(id.clone());
                geometry = MultiPolygon(Vec::new());
            }
        }
        let mercator = crs::to_mercator(&geometry);
        districts.push(District {
            id: id.clone(),
            name,
            geometry,
            mercator,
        });
    }
    let layer_id = opts.layer_id.clone().unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "layer".into())
    });
    let fields = parsed
        .columns
        .iter()
        .map(|c| FieldInfo {
            name: c.name.clone(),
            kind: c.kind.as_str().to_string(),
            non_null: match &c.values {
                AttributeValues::Number(v) => v.iter().filter(|x| x.is_some()).count(),
                AttributeValues::Text(v) => v.iter().filter(|x| x.is_some()).count(),
            },
        })
        .collect();
    let attributes = parsed
        .columns
        .into_iter()
        .map(|c| Attribute {
            name: c.name,
            values: c.values,
        })
        .collect();
    let mut layer = Layer {
        id: layer_id,
        districts,
        attributes,
    };
    let mut validation = validate_and_repair(&mut layer);
    validation.empty.retain(|id| !failed.contains(id));
    validation.extend(early);
    validation.sort();
    let report = ImportReport {
        path: path.to_path_buf(),
        format: parsed.format.to_string(),
        crs: parsed.crs.name().to_string(),
        crs_source: parsed.crs_source,
        encoding: parsed.encoding,
        encoding_source: parsed.encoding_source,
        fields,
        features: layer.districts.len(),
        vertices: layer
            .districts
            .iter()
            .map(|d| d.geometry.coords_count())
            .sum(),
        bounds_wgs84: layer.bounds_wgs84(),
        notes: case_notes(opts, &id_field, &name_field, parsed.notes),
        id_field,
        name_field,
        validation,
    };
    Ok(Imported { layer, report })
}
