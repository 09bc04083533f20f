//! OGC API – Tiles under `/ogc`: landing page, conformance, one collection per (layer,
//! indicator) named `{layer}.{indicator}`, its map tilesets in the WebMercatorQuad tile matrix
//! set with the bounds of the layer, and the tiles themselves (the PNG tiles of the tile route,
//! through the same atlas entry point). QGIS and GDAL (`OGCAPI:` driver) add a layer from the
//! landing page's URL.
//!
//! Style parameters on a collection, tileset or tile URL (`?method=jenks&classes=4`) are carried
//! into the links, so a client that keeps the query gets that style's tiles.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use quartier_atlas::layer::PreparedLayer;
use quartier_atlas::style::url_escape;
use quartier_atlas::{CacheUse, Lang, Style};
use quartier_render::{TileCoord, MERCATOR_HALF_EXTENT};
use serde_json::{json, Value};

use super::respond::{etag_header, if_none_match, json_response, not_modified};
use super::tiles::{parse_tile, tile_response, TILE_CACHE_CONTROL};
use crate::error::{AppError, AppResult, JsonPath, JsonQuery};
use crate::state::AppState;

/// The id of the one tile matrix set.
pub const TMS_ID: &str = "WebMercatorQuad";

/// Its registered URI.
pub const TMS_URI: &str = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad";

/// Its CRS.
pub const CRS_3857: &str = "http://www.opengis.net/def/crs/EPSG/0/3857";

/// Longitude/latitude order WGS 84, the CRS of extents.
const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

/// The deepest tile matrix advertised: street level; deeper tiles are still served on request.
pub const OGC_MAX_ZOOM: u8 = 18;

/// Scale denominator of zoom 0 (256 px tiles, 0.28 mm pixels, as the TMS standard defines it).
pub const SCALE_ZOOM_0: f64 = 559_082_264.028_717_8;

const REL_TILESETS_MAP: &str = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-map";
const REL_TILING_SCHEME: &str = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme";

/// `?` and the raw query, or nothing.
fn query_suffix(q: &Option<String>) -> String {
    match q.as_deref() {
        Some(q) if !q.is_empty() => format!("?{q}"),
        _ => String::new(),
    }
}

fn link(rel: &str, kind: &str, href: String, title: &str) -> Value {
    json!({"rel": rel, "type": kind, "href": href, "title": title})
}

/// The layer and indicator of a collection id `{layer}.{indicator}` (the layer id may itself
/// hold dots: the longest known layer prefix wins).
fn split_collection<'a>(state: &'a AppState, id: &'a str) -> AppResult<(&'a str, &'a str)> {
    id.rmatch_indices('.')
        .map(|(i, _)| (&id[..i], &id[i + 1..]))
        .find(|(layer, _)| state.layer(layer).is_ok())
        .ok_or_else(|| {
            AppError::not_found(format!(
                "no collection {id:?}: collection ids are {{layer}}.{{indicator}}, e.g. nc.sids_rate74 \
                 (see /ogc/collections)"
            ))
        })
}

/// The WebMercatorQuad tile rows and columns meeting `bounds` at zoom `z`.
fn limits(bounds: [f64; 4], z: u8) -> Value {
    let n = f64::from(TileCoord::tiles_per_side(z));
    let col = |lon: f64| ((lon + 180.0) / 360.0 * n).floor().clamp(0.0, n - 1.0) as u32;
    let row = |lat: f64| {
        let lat = lat.clamp(-85.051_128_78, 85.051_128_78).to_radians();
        let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0;
        (y * n).floor().clamp(0.0, n - 1.0) as u32
    };
    json!({
        "tileMatrix": z.to_string(),
        "minTileRow": row(bounds[3]),
        "maxTileRow": row(bounds[1]),
        "minTileCol": col(bounds[0]),
        "maxTileCol": col(bounds[2]),
    })
}

fn layer_bounds(layer: &PreparedLayer) -> [f64; 4] {
    layer
        .bounds
        .unwrap_or([-180.0, -85.051_129, 180.0, 85.051_129])
}

/// One collection's description.
fn collection(base: &str, layer: &PreparedLayer, indicator: usize, q: &str) -> Value {
    let ind = &layer.atlas.indicators[indicator];
    let id = format!("{}.{}", layer.id(), ind.id);
    let href = format!("{base}/ogc/collections/{}", url_escape(&id));
    let l = Lang::En.as_str();
    json!({
        "id": id,
        "title": format!("{}: {}", layer.atlas.title.get(l), ind.title.get(l)),
        "description": ind.description.as_ref().map(|d| d.get(l)),
        "attribution": layer.atlas.attribution,
        "dataType": "map",
        "extent": {"spatial": {"bbox": [layer_bounds(layer)], "crs": CRS84}},
        "links": [
            link("self", "application/json", format!("{href}{q}"), "this collection"),
            link(REL_TILESETS_MAP, "application/json", format!("{href}/map/tiles{q}"), "map tilesets"),
            link("describedby", "application/json",
                format!("{base}/api/layers/{}/indicators/{}/legend.json{q}", url_escape(layer.id()), url_escape(&ind.id)),
                "legend"),
        ],
    })
}

// ---------------------------------------------------------------------------------------------
// GET /ogc, /ogc/conformance, /ogc/collections, /ogc/collections/{id}

/// The landing page.
pub(super) async fn landing(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let base = super::security::client_base(state.public_url.as_deref(), &headers);
    let body = json!({
        "title": state.title.get("en"),
        "description": state.description.as_ref().map(|d| d.get("en")),
        "links": [
            link("self", "application/json", format!("{base}/ogc"), "this document"),
            link("conformance", "application/json", format!("{base}/ogc/conformance"), "conformance classes"),
            link("data", "application/json", format!("{base}/ogc/collections"), "collections"),
            link("http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes", "application/json",
                format!("{base}/ogc/tileMatrixSets"), "tile matrix sets"),
            link("alternate", "application/xml", format!("{base}/wmts/1.0.0/WMTSCapabilities.xml"), "WMTS capabilities"),
        ],
    });
    json_response(&state, &headers, &body, "application/json")
}

/// The conformance classes.
pub(super) async fn conformance(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let body = json!({"conformsTo": [
        "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/json",
        "http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/collections",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/png",
        "http://www.opengis.net/spec/tms/2.0/conf/json-tilematrixset",
    ]});
    json_response(&state, &headers, &body, "application/json")
}

/// Every (layer, indicator) as a collection.
pub(super) async fn collections(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> AppResult<Response> {
    let base = super::security::client_base(state.public_url.as_deref(), &headers);
    let q = query_suffix(&raw);
    let list: Vec<Value> = state
        .layers
        .iter()
        .flat_map(|l| (0..l.atlas.indicators.len()).map(move |i| (l, i)))
        .map(|(l, i)| collection(&base, l, i, &q))
        .collect();
    let body = json!({
        "links": [link("self", "application/json", format!("{base}/ogc/collections{q}"), "collections")],
        "collections": list,
    });
    json_response(&state, &headers, &body, "application/json")
}

/// One collection.
pub(super) async fn collection_route(
    State(state): State<Arc<AppState>>,
    JsonPath(id): JsonPath<String>,
    RawQuery(raw): RawQuery,
    JsonQuery(style): JsonQuery<Style>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let (layer_id, indicator_id) = split_collection(&state, &id)?;
    let (li, layer) = state.layer(layer_id)?;
    let (ii, _) = layer.indicator(indicator_id)?;
    state.classified(li, ii, &style)?;
    let body = collection(
        &super::security::client_base(state.public_url.as_deref(), &headers),
        layer,
        ii,
        &query_suffix(&raw),
    );
    json_response(&state, &headers, &body, "application/json")
}

// ---------------------------------------------------------------------------------------------
// GET /ogc/collections/{id}/map/tiles and .../map/tiles/WebMercatorQuad

/// The tilesets of a collection: one, in WebMercatorQuad.
pub(super) async fn tilesets(
    State(state): State<Arc<AppState>>,
    JsonPath(id): JsonPath<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> AppResult<Response> {
    split_collection(&state, &id)?;
    let base = super::security::client_base(state.public_url.as_deref(), &headers);
    let q = query_suffix(&raw);
    let href = format!("{base}/ogc/collections/{}/map/tiles", url_escape(&id));
    let body = json!({
        "links": [link("self", "application/json", format!("{href}{q}"), "tilesets")],
        "tilesets": [{
            "title": format!("{id} in {TMS_ID}"),
            "dataType": "map",
            "crs": CRS_3857,
            "tileMatrixSetURI": TMS_URI,
            "links": [
                link("self", "application/json", format!("{href}/{TMS_ID}{q}"), "tileset"),
                link(REL_TILING_SCHEME, "application/json", format!("{base}/ogc/tileMatrixSets/{TMS_ID}"), TMS_ID),
            ],
        }],
    });
    json_response(&state, &headers, &body, "application/json")
}

/// The tileset: tile URL template, tile matrix set, limits per zoom from the layer's bounds.
pub(super) async fn tileset(
    State(state): State<Arc<AppState>>,
    JsonPath((id, tms)): JsonPath<(String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> AppResult<Response> {
    check_tms(&tms)?;
    let (layer_id, _) = split_collection(&state, &id)?;
    let (_, layer) = state.layer(layer_id)?;
    let bounds = layer_bounds(layer);
    let base = super::security::client_base(state.public_url.as_deref(), &headers);
    let q = query_suffix(&raw);
    let href = format!(
        "{base}/ogc/collections/{}/map/tiles/{TMS_ID}",
        url_escape(&id)
    );
    let body = json!({
        "title": format!("{id} in {TMS_ID}"),
        "dataType": "map",
        "crs": CRS_3857,
        "tileMatrixSetURI": TMS_URI,
        "boundingBox": {"lowerLeft": [bounds[0], bounds[1]], "upperRight": [bounds[2], bounds[3]], "crs": CRS84},
        "tileMatrixSetLimits": (0..=OGC_MAX_ZOOM).map(|z| limits(bounds, z)).collect::<Vec<_>>(),
        "links": [
            link("self", "application/json", format!("{href}{q}"), "this tileset"),
            link(REL_TILING_SCHEME, "application/json", format!("{base}/ogc/tileMatrixSets/{TMS_ID}"), TMS_ID),
            json!({"rel": "item", "type": "image/png", "templated": true, "title": "PNG tiles",
                   "href": format!("{href}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}{q}")}),
        ],
    });
    json_response(&state, &headers, &body, "application/json")
}

fn check_tms(tms: &str) -> AppResult<()> {
    if tms == TMS_ID {
        Ok(())
    } else {
        Err(AppError::not_found(format!(
            "no tile matrix set {tms:?}: tiles are offered in {TMS_ID} only"
        )))
    }
}

/// One PNG tile by tile matrix, row and column: the tile route's tile, through the same pipeline.
pub(super) async fn tile(
    State(state): State<Arc<AppState>>,
    JsonPath((id, tms, z, row, col)): JsonPath<(String, String, String, String, String)>,
    JsonQuery(style): JsonQuery<Style>,
    headers: HeaderMap,
) -> AppResult<Response> {
    check_tms(&tms)?;
    let (layer_id, indicator_id) = split_collection(&state, &id)?;
    let (li, layer) = state.layer(layer_id)?;
    let (ii, _) = layer.indicator(indicator_id)?;
    let coord = parse_tile(&z, &col, &row)?;
    let classified = state.classified(li, ii, &style)?;
    let etag = etag_header(&state.atlas.tile_etag(&classified, coord, 1));
    if if_none_match(&headers, &etag) {
        return Ok(not_modified(etag, TILE_CACHE_CONTROL));
    }
    let t = state.tile(&classified, coord, 1, CacheUse::Use).await?;
    Ok(tile_response(
        t.png,
        etag,
        HeaderValue::from_static(t.answered.as_str()),
    ))
}

// ---------------------------------------------------------------------------------------------
// GET /ogc/tileMatrixSets and /ogc/tileMatrixSets/WebMercatorQuad

/// The tile matrix sets offered.
pub(super) async fn tile_matrix_sets(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let base = super::security::client_base(state.public_url.as_deref(), &headers);
    let body = json!({"tileMatrixSets": [{
        "id": TMS_ID,
        "title": "Google Maps Compatible for the World",
        "uri": TMS_URI,
        "links": [link("self", "application/json", format!("{base}/ogc/tileMatrixSets/{TMS_ID}"), TMS_ID)],
    }]});
    json_response(&state, &headers, &body, "application/json")
}

/// WebMercatorQuad as a TMS 2.0 JSON document, with the TMS 1.0 names alongside (`type`,
/// `identifier`, `supportedCRS`, `boundingBox`, `topLeftCorner`) for older readers: GDAL 3.6
/// (Debian 12) reads only those.
pub(super) async fn tile_matrix_set(
    State(state): State<Arc<AppState>>,
    JsonPath(tms): JsonPath<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    check_tms(&tms)?;
    json_response(&state, &headers, &web_mercator_quad(), "application/json")
}

fn web_mercator_quad() -> Value {
    let e = MERCATOR_HALF_EXTENT;
    let matrices: Vec<Value> = (0..=TileCoord::MAX_ZOOM)
        .map(|z| {
            let n = TileCoord::tiles_per_side(z);
            let scale = SCALE_ZOOM_0 / f64::from(n);
            json!({
                "id": z.to_string(),
                "identifier": z.to_string(),
                "scaleDenominator": scale,
                "cellSize": 2.0 * e / 256.0 / f64::from(n),
                "cornerOfOrigin": "topLeft",
                "pointOfOrigin": [-e, e],
                "topLeftCorner": [-e, e],
                "tileWidth": 256,
                "tileHeight": 256,
                "matrixWidth": n,
                "matrixHeight": n,
            })
        })
        .collect();
    json!({
        "type": "TileMatrixSetType",
        "id": TMS_ID,
        "identifier": TMS_ID,
        "title": "Google Maps Compatible for the World",
        "uri": TMS_URI,
        "crs": CRS_3857,
        "supportedCRS": CRS_3857,
        "boundingBox": {"type": "BoundingBoxType", "crs": CRS_3857, "lowerCorner": [-e, -e], "upperCorner": [e, e]},
        "orderedAxes": ["X", "Y"],
        "wellKnownScaleSet": "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
        "tileMatrices": matrices,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_of_north_carolina() {
        // The same columns and rows as quartier-archive's TileRange test at zoom 7.
        let l = limits([-84.3239, 33.882, -75.457, 36.5896], 7);
        assert_eq!(
            (l["minTileCol"].as_u64(), l["maxTileCol"].as_u64()),
            (Some(34), Some(37))
        );
        assert_eq!(
            (l["minTileRow"].as_u64(), l["maxTileRow"].as_u64()),
            (Some(50), Some(51))
        );
    }

    #[test]
    fn the_tile_matrix_set_is_web_mercator() {
        let t = web_mercator_quad();
        let z0 = &t["tileMatrices"][0];
        assert_eq!(z0["matrixWidth"], 1);
        // 156543.03 m per pixel at zoom 0, the well-known figure.
        assert!((z0["cellSize"].as_f64().unwrap() - 156_543.033_928).abs() < 1e-3);
        let z18 = &t["tileMatrices"][18];
        assert!((z18["scaleDenominator"].as_f64().unwrap() - 2_132.729_584_23).abs() < 1e-3);
    }
}
