//! What GeoJSON and TopoJSON share once their geometry is read: feature properties as attribute
//! columns, JSON numbers as keys, and the [`Parsed`] result. Both readers import this module,
//! neither imports the other's internals.

use geo::MultiPolygon;
use serde_json::{Map, Value};

use super::{format_number, Column, FieldKind, Parsed};
use crate::crs::Crs;
use crate::layer::AttributeValues;

/// A JSON number as a key: integers as written, floats without a needless `.0`.
pub(crate) fn json_number_key(n: &serde_json::Number) -> String {
    if n.is_i64() || n.is_u64() {
        n.to_string()
    } else {
        n.as_f64()
            .map(format_number)
            .unwrap_or_else(|| n.to_string())
    }
}

/// The [`Parsed`] of a GeoJSON or TopoJSON file (the caller sets the encoding).
pub(crate) fn json_parsed(
    format: &'static str,
    geometries: Vec<Option<MultiPolygon<f64>>>,
    ids: Vec<Option<String>>,
    properties: &[Option<Map<String, Value>>],
    (crs, crs_source): (Crs, String),
    repaired: Vec<(usize, String)>,
    notes: Vec<String>,
) -> Parsed {
    let has_ids = ids.iter().any(Option::is_some);
    Parsed {
        format,
        geometries,
        columns: property_columns(properties),
        feature_ids: has_ids.then_some(ids),
        crs,
        crs_source,
        encoding: None,
        encoding_source: None,
        repaired,
        notes,
    }
}

/// Property columns in the order of the JSON maps' keys, first seen first: all numbers (or null) become numeric, all booleans
/// logical, anything else text (numbers in a mixed column keep their JSON form).
pub(crate) fn property_columns(properties: &[Option<Map<String, Value>>]) -> Vec<Column> {
    let mut names: Vec<&String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for map in properties.iter().flatten() {
        for key in map.keys() {
            if seen.insert(key) {
                names.push(key);
            }
        }
    }
    names
        .into_iter()
        .map(|name| {
            let values: Vec<Option<&Value>> = properties
                .iter()
                .map(|m| {
                    m.as_ref()
                        .and_then(|m| m.get(name))
                        .filter(|v| !v.is_null())
                })
                .collect();
            let present = || values.iter().flatten();
            let (kind, values) = if present().all(|v| v.is_number()) {
                let integral = present().all(|v| v.is_i64() || v.is_u64());
                let kind = if integral {
                    FieldKind::Integer
                } else {
                    FieldKind::Number
                };
                (
                    kind,
                    AttributeValues::Number(
                        values.iter().map(|v| v.and_then(Value::as_f64)).collect(),
                    ),
                )
            } else {
                let kind = if present().all(|v| v.is_boolean()) {
                    FieldKind::Logical
                } else {
                    FieldKind::Text
                };
                let text = values
                    .iter()
                    .map(|v| {
                        v.map(|v| match v {
                            Value::String(s) => s.clone(),
                            Value::Number(n) => json_number_key(n),
                            other => other.to_string(),
                        })
                    })
                    .collect();
                (kind, AttributeValues::Text(text))
            };
            Column {
                name: name.clone(),
                kind,
                values,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn property_kinds() {
        let rows: Vec<Option<Map<String, Value>>> = vec![
            serde_json::from_str(r#"{"ags":"05358","pop":263722,"rate":1.5,"ok":true,"mixed":1}"#)
                .unwrap(),
            serde_json::from_str(r#"{"ags":"05370","pop":null,"rate":2,"ok":false,"mixed":"x"}"#)
                .unwrap(),
            None,
        ];
        let cols = property_columns(&rows);
        // serde_json's map may sort keys, so look columns up by name.
        let col = |name: &str| cols.iter().find(|c| c.name == name).unwrap();
        assert_eq!(cols.len(), 5);
        assert_eq!(col("ags").kind, FieldKind::Text);
        assert_eq!(col("pop").kind, FieldKind::Integer);
        assert_eq!(col("rate").kind, FieldKind::Number);
        assert_eq!(col("ok").kind, FieldKind::Logical);
        assert_eq!(col("mixed").kind, FieldKind::Text);
        assert_eq!(
            col("pop").values,
            AttributeValues::Number(vec![Some(263722.0), None, None])
        );
        assert_eq!(
            col("mixed").values,
            AttributeValues::Text(vec![Some("1".into()), Some("x".into()), None])
        );
        assert_eq!(
            col("ags").values,
            AttributeValues::Text(vec![Some("05358".into()), Some("05370".into()), None])
        );
    }
}
