//! Hover without geometry (issue 13): `GET /api/layers/{layer}/values.json` (the districts'
//! ids, names, values, ranks and withheld indicators, no geometry) and
//! `GET /tiles/{layer}/{z}/{x}/{y}.grid.json` (which district lies under each 4 × 4 pixel cell of
//! a tile, UTFGrid 1.2, keys are positions in `values.json`). The page hovers and clicks with
//! these; `features.geojson` is only for downloads.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use quartier_atlas::values::{indicator_series, layer_values};
use quartier_atlas::Style;

use super::respond::{etag_header, if_none_match, json_response, not_modified};
use super::tiles::{parse_tile, TILE_CACHE_CONTROL};
use crate::error::{AppError, AppResult, JsonPath, JsonQuery};
use crate::state::AppState;

// ---------------------------------------------------------------------------------------------
// GET /api/layers/{layer}/values.json?period=&compare=&change=

/// The layer's districts without geometry, in layer order, in the period (or change) asked for.
pub(super) async fn values(
    State(state): State<Arc<AppState>>,
    JsonPath(id): JsonPath<String>,
    JsonQuery(params): JsonQuery<Style>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let (_, layer) = state.layer(&id)?;
    json_response(
        &state,
        &headers,
        &layer_values(layer, &params),
        "application/json",
    )
}

// ---------------------------------------------------------------------------------------------
// GET /api/layers/{layer}/indicators/{indicator}/series.json

/// One indicator in every period, per district: the page's table with a column per period.
pub(super) async fn series(
    State(state): State<Arc<AppState>>,
    JsonPath((id, indicator)): JsonPath<(String, String)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let (_, layer) = state.layer(&id)?;
    let (i, _) = layer.indicator(&indicator)?;
    json_response(
        &state,
        &headers,
        &indicator_series(layer, i),
        "application/json",
    )
}

// ---------------------------------------------------------------------------------------------
// GET /tiles/{layer}/{z}/{x}/{y}.grid.json

/// One tile's hover grid: 304 on a matching ETag (known without computing the grid), else from
/// the cache or computed on the render threads (a millisecond or two) and kept.
pub(super) async fn grid(
    State(state): State<Arc<AppState>>,
    JsonPath((layer_id, z, x, name)): JsonPath<(String, String, String, String)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let (li, _) = state.layer(&layer_id)?;
    let y = name.strip_suffix(".grid.json").ok_or_else(|| {
        AppError::bad_request(format!(
            "hover grid file {name:?} is not {{y}}.grid.json (e.g. 26.grid.json)"
        ))
    })?;
    let coord = parse_tile(&z, &x, y)?;
    let etag = etag_header(&state.hover_grid_etag(li, coord));
    if if_none_match(&headers, &etag) {
        return Ok(not_modified(etag, TILE_CACHE_CONTROL));
    }
    let st = Arc::clone(&state);
    let grid = state
        .off_runtime(move || st.hover_grid(li, coord))
        .await
        .map_err(|e| AppError::Internal(format!("hover grid of tile {coord:?}: {e}")))??;
    let mut response = Response::new(Body::from(grid.json));
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(TILE_CACHE_CONTROL),
    );
    h.insert(header::ETAG, etag);
    Ok(response)
}
