//! GeoJSON (RFC 7946, plus the legacy `crs` member of the 2008 spec), and the JSON entry point
//! that hands TopoJSON on to [`super::topojson`].

use std::path::Path;

use ::geojson::{GeoJson, Geometry, GeometryValue, PolygonType};
use geo::{Coord, LineString, MultiPolygon, Polygon};
use serde_json::{Map, Value};

use super::json_features::{json_number_key, json_parsed};
use super::{crs_override, encoding_override, topojson, ImportError, ImportOptions, Parsed};
use crate::crs::Crs;
use crate::limits::echo;

/// Decode the file's text: the override if given, else UTF-8 (a BOM is skipped).
pub(crate) fn decode_text(
    path: &Path,
    bytes: &[u8],
    opts: &ImportOptions,
) -> Result<(String, String, String), ImportError> {
    if let Some(cp) = encoding_override(path, opts)? {
        return Ok((
            cp.decode(bytes).into_owned(),
            cp.name().to_string(),
            "override".into(),
        ));
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(body) {
        Ok(text) => Ok((text.to_string(), "UTF-8".into(), "JSON is UTF-8 (RFC 8259)".into())),
        Err(e) => Err(ImportError::Structure {
            path: path.to_path_buf(),
            feature: None,
            reason: format!(
                "the text is not valid UTF-8 at byte {}; JSON must be UTF-8 (pass --encoding if the file uses another encoding)",
                e.valid_up_to()
            ),
        }),
    }
}

/// Parse a `.geojson`/`.json`/`.topojson` file: TopoJSON when its `type` is `Topology`, else GeoJSON.
pub(crate) fn parse(
    path: &Path,
    bytes: &[u8],
    opts: &ImportOptions,
) -> Result<Parsed, ImportError> {
    let (text, encoding, encoding_source) = decode_text(path, bytes, opts)?;
    let value: Value = serde_json::from_str(&text).map_err(|source| ImportError::Json {
        path: path.to_path_buf(),
        line: source.line(),
        column: source.column(),
        source,
    })?;
    let mut parsed = if value.get("type").and_then(Value::as_str) == Some("Topology") {
        topojson::parse(path, &value, opts)?
    } else {
        parse_geojson(path, value, opts).map_err(|e| match e {
            ImportError::Structure { feature: None, .. } => bad_feature(path, &text).unwrap_or(e),
            e => e,
        })?
    };
    parsed.encoding = Some(encoding);
    parsed.encoding_source = Some(encoding_source);
    Ok(parsed)
}

/// The first feature of a FeatureCollection that is not valid GeoJSON, as an error naming it
/// by number and id. Only called after the whole collection was refused (the serde error names
/// no feature), so the text is parsed a second time only on that error path.
fn bad_feature(path: &Path, text: &str) -> Option<ImportError> {
    let Ok(Value::Object(mut root)) = serde_json::from_str::<Value>(text) else {
        return None;
    };
    let Some(Value::Array(features)) = root.remove("features") else {
        return None;
    };
    features.into_iter().enumerate().find_map(|(i, f)| {
        let id = match f.get("id") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(json_number_key(n)),
            _ => None,
        };
        serde_json::from_value::<::geojson::Feature>(f)
            .err()
            .map(|e| ImportError::Feature {
                path: path.to_path_buf(),
                feature: i + 1,
                id,
                reason: format!("not a GeoJSON Feature: {}", echo(&e.to_string())),
            })
    })
}

/// The EPSG code in a legacy GeoJSON `crs` name, such as `urn:ogc:def:crs:EPSG::25832`.
fn crs_member_code(name: &str) -> Option<String> {
    if name.ends_with("CRS84") || name.ends_with("CRS:84") {
        return Some("EPSG:4326".into());
    }
    if !name.to_ascii_uppercase().contains("EPSG") {
        return None;
    }
    let code = name.rsplit(':').next()?.trim();
    code.parse::<u32>().ok().map(|c| format!("EPSG:{c}"))
}

/// The CRS of a GeoJSON file and where it came from.
fn geojson_crs(
    path: &Path,
    crs_member: Option<&Value>,
    opts: &ImportOptions,
) -> Result<(Crs, String), ImportError> {
    if let Some(crs) = crs_override(path, opts)? {
        return Ok((crs, "--crs".into()));
    }
    let Some(member) = crs_member.filter(|v| !v.is_null()) else {
        return Ok((Crs::wgs84(), "GeoJSON default".into()));
    };
    let name = member
        .pointer("/properties/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let text = crs_member_code(name).unwrap_or_else(|| {
        if name.is_empty() {
            member.to_string()
        } else {
            name.to_string()
        }
    });
    let crs = Crs::parse(&text).map_err(|source| ImportError::Crs {
        path: path.to_path_buf(),
        origin: "crs member".into(),
        source: Box::new(source),
    })?;
    Ok((crs, "crs member".into()))
}

/// A GeoJSON position ring as coordinates; positions need at least x and y.
fn ring_coords(
    path: &Path,
    feature: usize,
    ring: &[::geojson::Position],
    unclosed: &mut usize,
) -> Result<LineString<f64>, ImportError> {
    if ring.first() != ring.last() {
        // `Polygon::new` closes the ring; count it so the repair is reported.
        *unclosed += 1;
    }
    ring.iter()
        .map(|p| match p.as_slice() {
            [x, y, ..] => Ok(Coord { x: *x, y: *y }),
            _ => Err(ImportError::Structure {
                path: path.to_path_buf(),
                feature: Some(feature),
                reason: format!("a position has {} numbers; it needs at least 2", p.len()),
            }),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(LineString)
}

/// One GeoJSON polygon; an empty coordinate array yields `None`.
fn polygon(
    path: &Path,
    feature: usize,
    rings: &PolygonType,
    unclosed: &mut usize,
) -> Result<Option<Polygon<f64>>, ImportError> {
    let mut it = rings.iter();
    let Some(exterior) = it.next() else {
        return Ok(None);
    };
    let exterior = ring_coords(path, feature, exterior, unclosed)?;
    let interiors = it
        .map(|r| ring_coords(path, feature, r, unclosed))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(Polygon::new(exterior, interiors)))
}

/// Collect the polygons of a geometry; `Err(kind)` for a non-areal geometry.
fn collect_polygons(
    path: &Path,
    feature: usize,
    geometry: &Geometry,
    out: &mut Vec<Polygon<f64>>,
    unclosed: &mut usize,
) -> Result<Result<(), &'static str>, ImportError> {
    match &geometry.value {
        GeometryValue::Polygon { coordinates } => {
            out.extend(polygon(path, feature, coordinates, unclosed)?)
        }
        GeometryValue::MultiPolygon { coordinates } => {
            for p in coordinates {
                out.extend(polygon(path, feature, p, unclosed)?);
            }
        }
        GeometryValue::GeometryCollection { geometries } => {
            for g in geometries {
                if let Err(kind) = collect_polygons(path, feature, g, out, unclosed)? {
                    return Ok(Err(kind));
                }
            }
        }
        other => return Ok(Err(other.type_name())),
    }
    Ok(Ok(()))
}

/// A feature id as a key string.
fn id_string(id: &::geojson::feature::Id) -> String {
    match id {
        ::geojson::feature::Id::String(s) => s.clone(),
        ::geojson::feature::Id::Number(n) => json_number_key(n),
    }
}

fn parse_geojson(path: &Path, value: Value, opts: &ImportOptions) -> Result<Parsed, ImportError> {
    let structure = |feature: Option<usize>, reason: String| ImportError::Structure {
        path: path.to_path_buf(),
        feature,
        reason,
    };
    let crs_member = value.get("crs").cloned();
    let geojson: GeoJson = serde_json::from_value(value).map_err(|e| {
        structure(
            None,
            format!("not a GeoJSON FeatureCollection: {}", echo(&e.to_string())),
        )
    })?;
    let features = match geojson {
        GeoJson::FeatureCollection(fc) => fc.features,
        GeoJson::Feature(f) => vec![f],
        GeoJson::Geometry(g) => {
            return Err(structure(
                None,
                format!(
                    "the file is a bare {} geometry; a district layer needs a FeatureCollection with one feature per district",
                    g.value.type_name()
                ),
            ))
        }
    };
    let (crs, crs_source) = geojson_crs(path, crs_member.as_ref(), opts)?;
    let mut geometries = Vec::with_capacity(features.len());
    let mut ids = Vec::with_capacity(features.len());
    let mut properties: Vec<Option<Map<String, Value>>> = Vec::with_capacity(features.len());
    let mut repaired = Vec::new();
    for (i, f) in features.into_iter().enumerate() {
        let feature = i + 1;
        let id = f.id.as_ref().map(id_string);
        let mut polygons = Vec::new();
        if let Some(g) = &f.geometry {
            let mut unclosed = 0;
            if let Err(kind) = collect_polygons(path, feature, g, &mut polygons, &mut unclosed)? {
                return Err(ImportError::NotPolygon {
                    path: path.to_path_buf(),
                    feature,
                    id,
                    kind: kind.to_string(),
                });
            }
            if unclosed > 0 {
                repaired.push((feature, format!("closed {unclosed} unclosed rings")));
            }
        }
        geometries.push((!polygons.is_empty()).then_some(MultiPolygon(polygons)));
        ids.push(id);
        properties.push(f.properties);
    }
    Ok(json_parsed(
        "GeoJSON",
        geometries,
        ids,
        &properties,
        (crs, crs_source),
        repaired,
        Vec::new(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crs_member_names() {
        assert_eq!(
            crs_member_code("urn:ogc:def:crs:EPSG::25832").as_deref(),
            Some("EPSG:25832")
        );
        assert_eq!(
            crs_member_code("urn:ogc:def:crs:EPSG:6.6:4326").as_deref(),
            Some("EPSG:4326")
        );
        assert_eq!(crs_member_code("EPSG:2056").as_deref(), Some("EPSG:2056"));
        assert_eq!(
            crs_member_code("urn:ogc:def:crs:OGC:1.3:CRS84").as_deref(),
            Some("EPSG:4326")
        );
        assert_eq!(crs_member_code("something else"), None);
    }
}
