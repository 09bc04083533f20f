//! TopoJSON: polygons stitched from shared arcs.
//!
//! Read by hand (about as long as converting through the `topojson` crate, which is built on an
//! older `geojson` than ours): arcs are delta-encoded integers when the topology has a
//! `transform` (quantized), absolute coordinates otherwise; a ring lists arc indices, and a
//! negative index `~i` (that is `-i - 1`) means arc `i` reversed. Consecutive arcs share their
//! joining point, which is kept once.

use std::path::Path;

use geo::{Coord, LineString, MultiPolygon, Polygon};
use serde_json::{Map, Value};

use super::json_features::{json_number_key, json_parsed};
use super::{crs_override, ImportError, ImportOptions, Parsed};
use crate::crs::Crs;
use crate::limits::echo;
use crate::validate::signed_area2;

/// Decoded arcs in file coordinates.
struct Arcs(Vec<Vec<Coord<f64>>>);

impl Arcs {
    fn decode(path: &Path, topology: &Value) -> Result<Arcs, ImportError> {
        let err = |reason: String| ImportError::Structure {
            path: path.to_path_buf(),
            feature: None,
            reason,
        };
        let transform = match topology.get("transform") {
            None | Some(Value::Null) => None,
            Some(t) => {
                let pair = |key: &str| -> Option<(f64, f64)> {
                    let a = t.get(key)?.as_array()?;
                    Some((a.first()?.as_f64()?, a.get(1)?.as_f64()?))
                };
                match (pair("scale"), pair("translate")) {
                    (Some(s), Some(t)) => Some((s, t)),
                    _ => {
                        return Err(err(
                            "the transform needs scale and translate, each two numbers".into(),
                        ))
                    }
                }
            }
        };
        let arcs = topology
            .get("arcs")
            .and_then(Value::as_array)
            .ok_or_else(|| err("the topology has no arcs array".into()))?;
        let mut out = Vec::with_capacity(arcs.len());
        for (k, arc) in arcs.iter().enumerate() {
            let points = arc
                .as_array()
                .ok_or_else(|| err(format!("arc {k} is not an array of positions")))?;
            let mut coords = Vec::with_capacity(points.len());
            let (mut x, mut y) = (0.0, 0.0);
            for p in points {
                let (px, py) = p
                    .as_array()
                    .and_then(|a| Some((a.first()?.as_f64()?, a.get(1)?.as_f64()?)))
                    .ok_or_else(|| {
                        err(format!(
                            "arc {k} has a position that is not two numbers: {}",
                            echo(&p.to_string())
                        ))
                    })?;
                coords.push(match transform {
                    Some(((sx, sy), (tx, ty))) => {
                        x += px;
                        y += py;
                        Coord {
                            x: x * sx + tx,
                            y: y * sy + ty,
                        }
                    }
                    None => Coord { x: px, y: py },
                });
            }
            out.push(coords);
        }
        Ok(Arcs(out))
    }

    /// A ring from arc indices.
    fn ring(&self, indices: &Value) -> Result<Vec<Coord<f64>>, String> {
        let indices = indices
            .as_array()
            .ok_or("a ring is not an array of arc indices")?;
        let mut ring: Vec<Coord<f64>> = Vec::new();
        for index in indices {
            let i = index.as_i64().ok_or_else(|| {
                format!("arc index {} is not an integer", echo(&index.to_string()))
            })?;
            let (k, reversed) = if i >= 0 { (i, false) } else { (!i, true) };
            let arc = usize::try_from(k)
                .ok()
                .and_then(|k| self.0.get(k))
                .ok_or_else(|| {
                    format!(
                        "arc index {i} refers to arc {k}, but there are {} arcs",
                        self.0.len()
                    )
                })?;
            let points: Box<dyn Iterator<Item = &Coord<f64>>> = if reversed {
                Box::new(arc.iter().rev())
            } else {
                Box::new(arc.iter())
            };
            let skip = usize::from(!ring.is_empty());
            ring.extend(points.skip(skip));
        }
        Ok(ring)
    }

    /// A polygon from rings of arc indices, wound as the layer wants (exterior counter-clockwise).
    fn polygon(&self, rings: &Value) -> Result<Option<Polygon<f64>>, String> {
        let rings = rings
            .as_array()
            .ok_or("a polygon is not an array of rings")?;
        let mut it = rings.iter();
        let Some(exterior) = it.next() else {
            return Ok(None);
        };
        let oriented = |coords: Vec<Coord<f64>>, ccw: bool| {
            let mut coords = coords;
            if (signed_area2(&coords) > 0.0) != ccw {
                coords.reverse();
            }
            LineString(coords)
        };
        let exterior = oriented(self.ring(exterior)?, true);
        let interiors = it
            .map(|r| Ok(oriented(self.ring(r)?, false)))
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Some(Polygon::new(exterior, interiors)))
    }
}

/// Parse a TopoJSON topology; the object is `opts.layer_id` when it names one, else the first
/// object (the others are listed in a note).
pub(crate) fn parse(
    path: &Path,
    topology: &Value,
    opts: &ImportOptions,
) -> Result<Parsed, ImportError> {
    let structure = |feature: Option<usize>, reason: String| ImportError::Structure {
        path: path.to_path_buf(),
        feature,
        reason,
    };
    let arcs = Arcs::decode(path, topology)?;
    let objects = topology
        .get("objects")
        .and_then(Value::as_object)
        .filter(|o| !o.is_empty())
        .ok_or_else(|| structure(None, "the topology has no objects".into()))?;
    let mut notes = Vec::new();
    let chosen = opts
        .layer_id
        .as_deref()
        .and_then(|id| objects.get_key_value(id));
    let Some((object_name, object)) = chosen.or_else(|| objects.iter().next()) else {
        return Err(structure(None, "the topology has no objects".into()));
    };
    if objects.len() > 1 {
        let names: Vec<&str> = objects.keys().map(String::as_str).collect();
        notes.push(format!(
            "the topology has the objects {}; read {object_name:?} (give the layer id to choose another)",
            names.join(", ")
        ));
    }
    let geometries: Vec<&Value> = match object.get("type").and_then(Value::as_str) {
        Some("GeometryCollection") => object
            .get("geometries")
            .and_then(Value::as_array)
            .map(|g| g.iter().collect())
            .ok_or_else(|| {
                structure(
                    None,
                    format!("object {object_name:?} has no geometries array"),
                )
            })?,
        _ => vec![object],
    };
    let (crs, crs_source) = match crs_override(path, opts)? {
        Some(crs) => (crs, "--crs".to_string()),
        None => (Crs::wgs84(), "TopoJSON default".to_string()),
    };
    let mut shapes = Vec::with_capacity(geometries.len());
    let mut ids = Vec::with_capacity(geometries.len());
    let mut properties: Vec<Option<Map<String, Value>>> = Vec::with_capacity(geometries.len());
    for (i, g) in geometries.into_iter().enumerate() {
        let feature = i + 1;
        let id = match g.get("id") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(json_number_key(n)),
            _ => None,
        };
        let kind = g.get("type").and_then(Value::as_str);
        let bad = |reason: String| ImportError::Feature {
            path: path.to_path_buf(),
            feature,
            id: id.clone(),
            reason,
        };
        let polygons: Vec<Polygon<f64>> = match kind {
            Some("Polygon") => arcs
                .polygon(g.get("arcs").unwrap_or(&Value::Null))
                .map_err(bad)?
                .into_iter()
                .collect(),
            Some("MultiPolygon") => {
                let parts = g
                    .get("arcs")
                    .and_then(Value::as_array)
                    .ok_or_else(|| bad("a MultiPolygon has no arcs array".into()))?;
                let mut out = Vec::with_capacity(parts.len());
                for part in parts {
                    out.extend(arcs.polygon(part).map_err(bad)?);
                }
                out
            }
            None => Vec::new(),
            Some(other) => {
                return Err(ImportError::NotPolygon {
                    path: path.to_path_buf(),
                    feature,
                    id,
                    kind: other.to_string(),
                })
            }
        };
        shapes.push((!polygons.is_empty()).then_some(MultiPolygon(polygons)));
        ids.push(id);
        properties.push(g.get("properties").and_then(Value::as_object).cloned());
    }
    Ok(json_parsed(
        "TopoJSON",
        shapes,
        ids,
        &properties,
        (crs, crs_source),
        Vec::new(),
        notes,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantized_arcs_negative_indices_and_holes() {
        // Two squares sharing an edge, quantized; the second uses the shared arc reversed, and
        // the first has a hole (a closed arc of its own).
        let topo: Value = serde_json::from_str(
            r#"{"type":"Topology",
                "transform":{"scale":[0.5,0.25],"translate":[10,20]},
                "objects":{"d":{"type":"GeometryCollection","geometries":[
                  {"type":"Polygon","id":"a","arcs":[[0,1],[3]],"properties":{"pop":5}},
                  {"type":"Polygon","id":7,"arcs":[[2,-1]]}]}},
                "arcs":[
                  [[4,0],[0,8]],
                  [[4,8],[-4,0],[0,-8],[4,0]],
                  [[4,0],[4,0],[0,8],[-4,0]],
                  [[1,2],[0,4],[2,0],[0,-4],[-2,0]]]}"#,
        )
        .unwrap();
        let parsed = parse(Path::new("t.json"), &topo, &ImportOptions::default()).unwrap();
        assert_eq!(
            parsed.feature_ids,
            Some(vec![Some("a".into()), Some("7".into())])
        );
        let a = parsed.geometries[0].as_ref().unwrap();
        // Arc 0 decodes to (12, 20) -> (12, 22); arc 1 continues around the west square.
        let ext: Vec<(f64, f64)> = a.0[0].exterior().0.iter().map(|c| (c.x, c.y)).collect();
        assert_eq!(ext.len(), 5);
        assert!(ext.contains(&(12.0, 20.0)) && ext.contains(&(10.0, 22.0)));
        assert!(signed_area2(&a.0[0].exterior().0) > 0.0);
        assert_eq!(a.0[0].interiors().len(), 1);
        assert!(signed_area2(&a.0[0].interiors()[0].0) < 0.0);
        let b = parsed.geometries[1].as_ref().unwrap();
        let ext_b: Vec<(f64, f64)> = b.0[0].exterior().0.iter().map(|c| (c.x, c.y)).collect();
        assert!(ext_b.contains(&(14.0, 22.0)) && ext_b.contains(&(12.0, 20.0)));
        assert_eq!(ext_b.first(), ext_b.last());
    }

    #[test]
    fn bad_arc_index_is_an_error_naming_the_feature() {
        let topo: Value = serde_json::from_str(
            r#"{"type":"Topology","objects":{"d":{"type":"GeometryCollection","geometries":[
                {"type":"Polygon","arcs":[[5]]}]}},"arcs":[[[0,0],[1,0],[1,1],[0,0]]]}"#,
        )
        .unwrap();
        let e = parse(Path::new("t.json"), &topo, &ImportOptions::default())
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "t.json, feature 1: arc index 5 refers to arc 5, but there are 1 arcs"
        );
    }
}
