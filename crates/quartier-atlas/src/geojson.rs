//! The GeoJSON writer of `features.geojson`: a layer's districts with their values.
//!
//! Written by hand rather than through a GeoJSON crate's object model: a layer of 3,000 counties
//! has a million coordinates, and writing them straight into one string is several times faster
//! and keeps the rounding of coordinates (6 decimals) in one place.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use bytes::Bytes;

use crate::layer::PreparedLayer;
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

/// The layer as a FeatureCollection, written now (see [`features`] for the kept copy).
fn feature_collection(layer: &PreparedLayer) -> Bytes {
    let a = &layer.atlas;
    let mut out = String::with_capacity(1024 + a.layer.districts.len() * 512);
    out.push_str("{\"type\":\"FeatureCollection\",\"features\":[");
    for (i, d) in a.layer.districts.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let values: BTreeMap<&str, Option<f64>> = a
            .indicators
            .iter()
            .map(|ind| (ind.id.as_str(), ind.values.get(i).copied().flatten()))
            .collect();
        let withheld = suppression::withheld_at(&a.indicators, i);
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
