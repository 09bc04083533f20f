//! The GeoJSON writer of `features.geojson`: a layer's districts with their values.
//!
//! Written by hand rather than through a GeoJSON crate's object model: a layer of 3,000 counties
//! has a million coordinates, and writing them straight into one string is several times faster
//! and keeps the rounding of coordinates (6 decimals) in one place.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use bytes::Bytes;

use crate::layer::PreparedLayer;
use crate::style::Style;
use crate::suppression;

/// Decimal places of coordinates in `features.geojson`: 6 is about 11 cm, finer than any
/// district boundary, and keeps the file a third shorter than full precision.
const GEOJSON_DECIMALS: f64 = 1e6;

fn push_coord(out: &mut String, v: f64) {
    let rounded = (v * GEOJSON_DECIMALS).round() / GEOJSON_DECIMALS;
    let _ = write!(out, "{rounded}");
}

fn push_ring(out: &mut String, ring: &geo::LineString<f64>) {
    out.push('[');
    for (i, c) in ring.0.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('[');
        push_coord(out, c.x);
        out.push(',');
        push_coord(out, c.y);
        out.push(']');
    }
    out.push(']');
}

/// Serialise a layer as an RFC 7946 FeatureCollection: properties `id`, `name`, `values`, and
/// `suppressed` (the indicators whose value is withheld) where there are any: that keeps the file
/// of 3,000 counties without suppression as short as before. Written on first use and kept.
pub fn features(layer: &PreparedLayer) -> Bytes {
    layer.features_geojson(feature_collection)
}

/// `features.geojson` with the values of the period (or change) a request asks for
/// (`period`, `compare`, `change`); without them the kept copy of [`features`]. Indicators without
/// the requested period have `null` values.
pub fn features_with(layer: &PreparedLayer, params: &Style) -> Bytes {
    if params.period.is_none() && params.compare.is_none() {
        return features(layer);
    }
    let views = layer.views(params);
    write_collection(layer, |i| {
        let a = &layer.atlas;
        let values = a
            .indicators
            .iter()
            .zip(&views)
            .map(|(ind, v)| {
                let value = v
                    .as_ref()
                    .and_then(|(_, v)| v.values.get(i).copied().flatten());
                (ind.id.as_str(), value)
            })
            .collect();
        (
            values,
            crate::periods::withheld_in(&a.indicators, &views, i),
        )
    })
}

/// The layer as a FeatureCollection, written now (see [`features`] for the kept copy).
fn feature_collection(layer: &PreparedLayer) -> Bytes {
    let a = &layer.atlas;
    write_collection(layer, |i| {
        let values = a
            .indicators
            .iter()
            .map(|ind| (ind.id.as_str(), ind.values.get(i).copied().flatten()))
            .collect();
        (values, suppression::withheld_at(&a.indicators, i))
    })
}

type Properties<'a> = (BTreeMap<&'a str, Option<f64>>, Vec<&'a str>);

fn write_collection<'a>(
    layer: &'a PreparedLayer,
    properties_of: impl Fn(usize) -> Properties<'a>,
) -> Bytes {
    let a = &layer.atlas;
    let mut out = String::with_capacity(1024 + a.layer.districts.len() * 512);
    out.push_str("{\"type\":\"FeatureCollection\",\"features\":[");
    for (i, d) in a.layer.districts.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let (values, withheld) = properties_of(i);
        let properties = if withheld.is_empty() {
            serde_json::json!({ "id": d.id, "name": d.name, "values": values })
        } else {
            serde_json::json!({ "id": d.id, "name": d.name, "values": values, "suppressed": withheld })
        };
        let _ = write!(
            out,
            "{{\"type\":\"Feature\",\"id\":{},\"properties\":{properties},\
             \"geometry\":{{\"type\":\"MultiPolygon\",\"coordinates\":[",
            serde_json::Value::from(d.id.as_str())
        );
        for (p, poly) in d.geometry.0.iter().enumerate() {
            if p > 0 {
                out.push(',');
            }
            out.push('[');
            push_ring(&mut out, poly.exterior());
            for hole in poly.interiors() {
                out.push(',');
                push_ring(&mut out, hole);
            }
            out.push(']');
        }
        out.push_str("]}}");
    }
    out.push_str("]}");
    Bytes::from(out)
}
