//! Points from a shapefile: the records walked by `shp_records`, attributes from the `.dbf`.

use super::geojson::list_or_none;
use super::{crs_override, finish, read_bytes, Points, RawPoints, SourceOptions};
use crate::aggregate::{AggregateError, Location, Problem};
use crate::crs::Crs;
use crate::import::files::sibling;
use crate::import::shp_records;
use crate::layer::AttributeValues;
use crate::limits::{MAX_GEOMETRY_BYTES, MAX_SIDECAR_BYTES};
use crate::table::parse_number;
use std::path::Path;

pub(super) fn shapefile_points(
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
pub(super) fn dbf_fields(
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
