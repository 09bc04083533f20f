//! `quartier_render::render_mvt` checked by an independent decoder (`mapbox-vector-tile` from
//! PyPI, areas by shapely, `tests/reference/archive_reference.py mvt`) on real layers: the
//! features are the districts meeting the tile with exactly the properties given, the geometry
//! stays inside the buffered tile, and its area inside the tile matches the full-detail input
//! within what the per-zoom simplification allows.
//!
//! The test lives with the archives because its readers are the same Python packages.

#![allow(clippy::unwrap_used)]

mod common;

use common::{load, reference, scratch};
use quartier_render::{
    render_mvt, MvtAttributes, MvtValue, TileCoord, MERCATOR_HALF_EXTENT, MVT_BUFFER, MVT_EXTENT,
};
use serde_json::{json, Value};

/// Properties with the numeric field `field` as the value.
fn attributes(layer: &quartier_geo::Layer, field: &str) -> MvtAttributes {
    let values = layer.numeric(field).unwrap();
    common::attributes(layer, |i| values[i])
}

/// The districts whose box meets the buffered tile, in tile coordinates, as GeoJSON.
fn input_json(layer: &quartier_geo::Layer, tile: TileCoord) -> Value {
    let k = f64::from(MVT_EXTENT) * f64::from(TileCoord::tiles_per_side(tile.z))
        / (2.0 * MERCATOR_HALF_EXTENT);
    let (ox, oy) = (
        f64::from(tile.x * MVT_EXTENT),
        f64::from(tile.y * MVT_EXTENT),
    );
    let to_tile = |c: &geo_types::Coord<f64>| {
        json!([
            (c.x + MERCATOR_HALF_EXTENT) * k - ox,
            (MERCATOR_HALF_EXTENT - c.y) * k - oy
        ])
    };
    let (lo, hi) = (-f64::from(MVT_BUFFER), f64::from(MVT_EXTENT + MVT_BUFFER));
    let mut districts = serde_json::Map::new();
    for (i, d) in layer.districts.iter().enumerate() {
        let polys: Vec<Value> = d
            .mercator
            .0
            .iter()
            .map(|p| {
                let rings = std::iter::once(p.exterior()).chain(p.interiors());
                Value::Array(rings.map(|r| r.0.iter().map(to_tile).collect()).collect())
            })
            .collect();
        let coords = polys
            .iter()
            .flat_map(|p| p.as_array().unwrap())
            .flat_map(|r| r.as_array().unwrap());
        let meets = coords.clone().any(|c| c[0].as_f64().unwrap() >= lo)
            && coords.clone().any(|c| c[0].as_f64().unwrap() <= hi)
            && coords.clone().any(|c| c[1].as_f64().unwrap() >= lo)
            && coords.clone().any(|c| c[1].as_f64().unwrap() <= hi);
        if meets {
            districts.insert(
                i.to_string(),
                json!({"type": "MultiPolygon", "coordinates": polys}),
            );
        }
    }
    json!({"extent": MVT_EXTENT, "buffer": MVT_BUFFER, "districts": districts})
}

/// Number of hole areas in `v` (a JSON array) of at least `min` square units.
fn count(v: &Value, min: f64) -> usize {
    v.as_array()
        .unwrap()
        .iter()
        .filter(|a| a.as_f64().unwrap() >= min)
        .count()
}

/// Encodes `tile`, decodes it in Python, checks it; returns (features, holes) seen.
fn check_tile(
    layer: &quartier_geo::Layer,
    render: &quartier_render::TileLayer,
    attrs: &MvtAttributes,
    tile: TileCoord,
) -> (usize, usize) {
    let bytes = render_mvt(render, attrs, "districts", tile).unwrap();
    let dir = scratch(&format!("mvt_{}_{}_{}", tile.z, tile.x, tile.y));
    let (tile_file, input_file) = (dir.join("tile.mvt"), dir.join("input.json"));
    std::fs::write(&tile_file, &bytes).unwrap();
    std::fs::write(&input_file, input_json(layer, tile).to_string()).unwrap();
    let report = reference(&[
        "mvt".as_ref(),
        tile_file.as_os_str(),
        input_file.as_os_str(),
    ]);

    assert_eq!(
        report["layers"],
        json!([{"name": "districts", "extent": 4096, "version": 2}]),
        "{tile}"
    );
    let features = report["features"].as_array().unwrap();
    let inputs = report["inputs"].as_object().unwrap();
    // Every district with more than a sliver in the buffered tile is there, and no other.
    for (id, input) in inputs {
        if input["area_in_buffer"].as_f64().unwrap() > 100.0 {
            assert!(
                features.iter().any(|f| f["id"].as_u64() == id.parse().ok()),
                "{tile}: district {id} missing"
            );
        }
    }
    let (mut total, mut total_in, mut holes) = (0.0, 0.0, 0);
    let (lo, hi) = (-f64::from(MVT_BUFFER), f64::from(MVT_EXTENT + MVT_BUFFER));
    for f in features {
        let id = f["id"].as_u64().unwrap() as usize;
        let input = inputs
            .get(&id.to_string())
            .unwrap_or_else(|| panic!("{tile}: district {id} does not meet the tile"));
        // Properties exactly as given (a missing value stays missing).
        let mut want = serde_json::Map::new();
        for (key, value) in attrs.keys.iter().zip(&attrs.rows[id]) {
            match value {
                Some(MvtValue::Text(s)) => want.insert(key.clone(), json!(s)),
                Some(MvtValue::Number(v)) => want.insert(key.clone(), json!(v)),
                Some(MvtValue::Integer(v)) => want.insert(key.clone(), json!(v)),
                _ => None,
            };
        }
        assert_eq!(
            f["properties"],
            Value::Object(want),
            "{tile}: district {id}"
        );
        let b: Vec<f64> = f["bounds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert!(
            b[0] >= lo && b[1] >= lo && b[2] <= hi && b[3] <= hi,
            "{tile}: district {id} at {b:?}"
        );
        // Area inside the tile: simplification moves a boundary by at most half a pixel of the
        // 512 px tile (4 units), so the difference is bounded by 4 units times the perimeter.
        let (got, want) = (
            f["area_in_tile"].as_f64().unwrap(),
            input["area_in_tile"].as_f64().unwrap(),
        );
        let allowed = 4.0 * input["perimeter_in_tile"].as_f64().unwrap() + 1.0;
        assert!(
            (got - want).abs() <= allowed,
            "{tile}: district {id} area {got} vs {want} (allowed {allowed})"
        );
        // Holes: those well above the tolerance survive, none appear from nowhere (a hole
        // smaller than a few units may vanish with simplification, as in the PNG tiles).
        let (decoded, input_holes) = (&f["holes_in_tile"], &input["holes_in_tile"]);
        assert!(
            count(decoded, 16.0) >= count(input_holes, 400.0)
                && count(decoded, 16.0) <= count(input_holes, 1e-9),
            "{tile}: district {id} holes {decoded} vs input {input_holes}"
        );
        // Winding (MVT 2.1, 4.3.4.4): exterior rings positive, holes negative.
        assert!(
            f["exterior_signs"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s == 1),
            "{tile}: district {id} exterior winding {}",
            f["exterior_signs"]
        );
        assert!(
            f["hole_signs"].as_array().unwrap().iter().all(|s| s == -1),
            "{tile}: district {id} hole winding {}",
            f["hole_signs"]
        );
        total += got;
        total_in += want;
        holes += count(decoded, 400.0);
    }
    // Shared boundaries move together, so the total is much closer than each district.
    assert!(
        (total - total_in).abs() <= 0.005 * total_in,
        "{tile}: total area {total} vs {total_in}"
    );
    (features.len(), holes)
}

#[test]
#[cfg_attr(
    not(reference_readers),
    ignore = "python3 with pmtiles, mapbox-vector-tile and shapely not found; pip install them"
)]
fn nc_vector_tiles_match_the_input() {
    let (layer, render) = load("nc_sids/nc.shp", None);
    let attrs = attributes(&layer, "SID74");
    let mut features = 0;
    for (z, x, y) in [(5, 8, 12), (7, 36, 50), (9, 145, 201), (6, 17, 25)] {
        features += check_tile(&layer, &render, &attrs, TileCoord::new_unchecked(z, x, y)).0;
    }
    assert!(features > 100, "{features} features");
}

#[test]
#[cfg_attr(
    not(reference_readers),
    ignore = "python3 with pmtiles, mapbox-vector-tile and shapely not found; pip install them"
)]
fn us_county_vector_tiles_match_the_input_holes_included() {
    let (layer, render) = load("us_counties/cb_2016_us_county_500k.shp", Some("EPSG:4269"));
    let attrs = attributes(&layer, "ALAND");
    let (features, _) = check_tile(&layer, &render, &attrs, TileCoord::new_unchecked(4, 4, 6));
    assert!(
        features > 500,
        "{features} features in the busiest zoom-4 tile"
    );
    // Northern Virginia: independent cities are holes in their counties (Fairfax City in
    // Fairfax County), so the tile must carry holes, each wound against its exterior.
    let (_, holes) = check_tile(&layer, &render, &attrs, TileCoord::new_unchecked(8, 73, 97));
    assert!(holes > 0, "no holes decoded around Fairfax");
}
