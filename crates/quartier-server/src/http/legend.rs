//! `legend.json` and TileJSON: both name a style's classification, through the atlas's one
//! legend entry point and its style registry.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use bytes::Bytes;
use quartier_atlas::legend::tile_template;
use quartier_atlas::style::url_escape;
use quartier_atlas::{Lang, Style};
use quartier_render::TileCoord;
use serde::Serialize;

use super::respond::{bytes_response, json_response, LangQuery, JSON_CACHE_CONTROL};
use crate::error::{AppError, AppResult, JsonPath, JsonQuery};
use crate::state::AppState;

// ---------------------------------------------------------------------------------------------
// GET /api/layers/{layer}/indicators/{indicator}/legend.json

/// The classification of an indicator under the requested style.
pub(super) async fn legend(
    State(state): State<Arc<AppState>>,
    JsonPath((layer_id, indicator_id)): JsonPath<(String, String)>,
    JsonQuery(style): JsonQuery<Style>,
    JsonQuery(q): JsonQuery<LangQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let lang = Lang::parse(q.lang.as_deref())?;
    let (li, layer) = state.layer(&layer_id)?;
    let (ii, _) = layer.indicator(&indicator_id)?;
    let key = (state.classified(li, ii, &style)?.id, lang.as_str());
    let kept = state
        .legends
        .lock()
        .ok()
        .and_then(|memo| memo.get(&key).cloned());
    let bytes = match kept {
        Some(bytes) => bytes,
        None => {
            let mut body = state.legend(&layer_id, &indicator_id, &style, lang)?;
            // Versioned tile URLs: cached for a year, and a publish changes them at once.
            super::security::add_version(&mut body.tiles, &layer.atlas.version);
            let bytes =
                Bytes::from(serde_json::to_vec(&body).map_err(|e| {
                    AppError::Internal(format!("cannot serialise the legend: {e}"))
                })?);
            if let Ok(mut memo) = state.legends.lock() {
                if memo.len() >= crate::state::MAX_LEGENDS {
                    memo.clear();
                }
                memo.insert(key, bytes.clone());
            }
            bytes
        }
    };
    Ok(bytes_response(
        &state,
        &headers,
        bytes,
        "application/json",
        JSON_CACHE_CONTROL,
    ))
}

// ---------------------------------------------------------------------------------------------
// GET /tiles/{layer}/{indicator}/tilejson.json

#[derive(Serialize)]
struct TileJson<'a> {
    tilejson: &'static str,
    name: String,
    description: Option<&'a str>,
    version: &'static str,
    attribution: Option<&'a str>,
    scheme: &'static str,
    tiles: Vec<String>,
    minzoom: u8,
    maxzoom: u8,
    bounds: [f64; 4],
    center: [f64; 3],
    legend: String,
}

/// A zoom at which the bounds fill a typical map view (about 800 px wide).
pub(super) fn fit_zoom(bounds: [f64; 4]) -> u8 {
    let span = (bounds[2] - bounds[0])
        .max((bounds[3] - bounds[1]) * 1.5)
        .max(1e-6);
    (360.0 * 800.0 / 256.0 / span)
        .log2()
        .floor()
        .clamp(0.0, 16.0) as u8
}

/// TileJSON 3.0.0 for one indicator under the requested style.
pub(super) async fn tilejson(
    State(state): State<Arc<AppState>>,
    JsonPath((layer_id, indicator_id)): JsonPath<(String, String)>,
    JsonQuery(style): JsonQuery<Style>,
    JsonQuery(q): JsonQuery<LangQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let lang = Lang::parse(q.lang.as_deref())?;
    let (li, layer) = state.layer(&layer_id)?;
    let (ii, ind) = layer.indicator(&indicator_id)?;
    let c = state.classified(li, ii, &style)?;
    let base = super::security::base_url(state.public_url.as_deref());
    let bounds = layer
        .bounds
        .unwrap_or([-180.0, -85.051_129, 180.0, 85.051_129]);
    let l = lang.as_str();
    let mut legend = format!(
        "{base}/api/layers/{}/indicators/{}/legend.json?{}",
        url_escape(layer.id()),
        url_escape(&ind.id),
        c.canonical
    );
    if lang == Lang::De {
        legend.push_str("&lang=de");
    }
    let body = TileJson {
        tilejson: "3.0.0",
        name: format!("{}: {}", layer.atlas.title.get(l), ind.title.get(l)),
        description: ind.description.as_ref().map(|d| d.get(l)),
        version: "1.0.0",
        attribution: layer.atlas.attribution.as_deref(),
        scheme: "xyz",
        tiles: vec![{
            let mut tiles = tile_template(base, layer.id(), &ind.id, &c.canonical);
            super::security::add_version(&mut tiles, &layer.atlas.version);
            tiles
        }],
        minzoom: 0,
        maxzoom: TileCoord::MAX_ZOOM,
        bounds,
        center: [
            (bounds[0] + bounds[2]) / 2.0,
            (bounds[1] + bounds[3]) / 2.0,
            f64::from(fit_zoom(bounds)),
        ],
        legend,
    };
    json_response(&state, &headers, &body, "application/json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoom_that_fits() {
        // A city (0.3 degrees wide) fits around zoom 11; the world at zoom 1 or 2.
        assert_eq!(fit_zoom([-71.2, 42.2, -70.9, 42.45]), 11);
        assert!(fit_zoom([-180.0, -85.0, 180.0, 85.0]) <= 2);
    }
}
