//! Points from a GeoJSON file: coordinates, properties and the `crs` member.

use super::{crs_override, finish, Points, RawPoints, SourceOptions};
use crate::aggregate::{AggregateError, Location, Problem};
use crate::crs::Crs;
use crate::table::parse_number;
use serde::Deserialize;
use serde_json::Value;
use std::path::Path;

/// The GeoJSON `crs` member's EPSG reference, e.g. `urn:ogc:def:crs:EPSG::25832`.
pub(super) fn crs_member(value: &Value) -> Option<String> {
    let name = value.pointer("/crs/properties/name")?.as_str()?;
    Some(name.to_string())
}

/// Why a feature's point coordinates are unusable, in words.
pub(super) fn diagnose_point(feature: &Value) -> String {
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
pub(super) fn property_number(v: Option<&Value>) -> Result<Option<f64>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(Value::String(s)) => parse_number(s, '.').map_err(|_| format!("{s:?}")),
        Some(other) => Err(other.to_string()),
    }
}

pub(super) fn geojson_points(
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

pub(super) fn list_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "(none)".into()
    } else {
        names.join(", ")
    }
}
