//! Vector tiles for MapLibre and other clients: `/tiles/{layer}/{indicator}/{z}/{x}/{y}.mvt`
//! (answered here once the tile route has parsed it), their TileJSON
//! `/tiles/{layer}/{indicator}/vector.json`, and a MapLibre style per indicator
//! `/styles/{layer}/{indicator}.json` that draws the same choropleth as the PNG tiles, from the
//! `colour` property the atlas puts on every district (`quartier_atlas::mvt`).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use quartier_atlas::mvt::MVT_KEYS;
use quartier_atlas::style::url_escape;
use quartier_atlas::{Classified, Lang, Style};
use quartier_render::TileCoord;
use serde_json::{json, Value};

use super::legend::fit_zoom;
use super::respond::{etag_header, if_none_match, json_response, not_modified, LangQuery};
use super::tiles::TILE_CACHE_CONTROL;
use crate::error::{AppError, AppResult, JsonPath, JsonQuery};
use crate::state::AppState;

/// The media type of Mapbox Vector Tiles.
pub const MVT_CONTENT_TYPE: &str = "application/vnd.mapbox-vector-tile";

/// The largest zoom of the vector source: past it, MapLibre scales the zoom-14 tile (the
/// renderer's finest level of detail is reached well before).
pub const VECTOR_MAX_ZOOM: u8 = 14;

/// One vector tile: 304 on a matching ETag, else drawn on the render threads (a few milliseconds
/// for a county layer; vector tiles are not kept in the tile cache).
pub(super) async fn vector_tile(
    state: &Arc<AppState>,
    classified: Arc<Classified>,
    coord: TileCoord,
    headers: &HeaderMap,
) -> AppResult<Response> {
    let etag = etag_header(&state.vector_tile_etag(&classified, coord));
    if if_none_match(headers, &etag) {
        return Ok(not_modified(etag, TILE_CACHE_CONTROL));
    }
    let s = Arc::clone(state);
    let tile = state
        .off_runtime(move || s.classified_vector_tile(&classified, coord))
        .await
        .map_err(|e| AppError::Internal(format!("vector tile task failed: {e}")))??;
    let mut response = Response::new(Body::from(tile.mvt));
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(MVT_CONTENT_TYPE),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(TILE_CACHE_CONTROL),
    );
    h.insert(header::ETAG, etag);
    Ok(response)
}

/// `{base}/tiles/{layer}/{indicator}/{z}/{x}/{y}.mvt?{style}`.
fn mvt_template(base: &str, layer: &str, indicator: &str, style: &str) -> String {
    format!(
        "{base}/tiles/{}/{}/{{z}}/{{x}}/{{y}}.mvt?{style}",
        url_escape(layer),
        url_escape(indicator)
    )
}

/// The TileJSON of the vector tiles of one indicator and style, as a JSON value.
fn vector_tilejson(
    state: &AppState,
    headers: &HeaderMap,
    layer_id: &str,
    indicator_id: &str,
    style: &Style,
    lang: Lang,
) -> AppResult<Value> {
    let (li, layer) = state.layer(layer_id)?;
    let (ii, ind) = layer.indicator(indicator_id)?;
    let c = state.classified(li, ii, style)?;
    let base = super::security::client_base(state.public_url.as_deref(), headers);
    let bounds = layer
        .bounds
        .unwrap_or([-180.0, -85.051_129, 180.0, 85.051_129]);
    let l = lang.as_str();
    let fields: serde_json::Map<String, Value> = MVT_KEYS
        .iter()
        .map(|k| {
            let kind = if matches!(*k, "value" | "class") {
                "Number"
            } else {
                "String"
            };
            (k.to_string(), json!(kind))
        })
        .collect();
    Ok(json!({
        "tilejson": "3.0.0",
        "name": format!("{}: {}", layer.atlas.title.get(l), ind.title.get(l)),
        "description": ind.description.as_ref().map(|d| d.get(l)),
        "version": "1.0.0",
        "attribution": layer.atlas.attribution.as_deref(),
        "scheme": "xyz",
        "tiles": [mvt_template(&base, layer.id(), &ind.id, &c.canonical)],
        "minzoom": 0,
        "maxzoom": VECTOR_MAX_ZOOM,
        "bounds": bounds,
        "center": [
            (bounds[0] + bounds[2]) / 2.0,
            (bounds[1] + bounds[3]) / 2.0,
            f64::from(fit_zoom(bounds)),
        ],
        "vector_layers": [{
            "id": layer.id(),
            "description": layer.atlas.title.get(l),
            "minzoom": 0,
            "maxzoom": VECTOR_MAX_ZOOM,
            "fields": fields,
        }],
        "legend": format!(
            "{base}/api/layers/{}/indicators/{}/legend.json?{}&lang={l}",
            url_escape(layer.id()),
            url_escape(&ind.id),
            c.canonical
        ),
    }))
}

// ---------------------------------------------------------------------------------------------
// GET /tiles/{layer}/{indicator}/vector.json

/// TileJSON 3.0.0 of the vector tiles, with `vector_layers`.
pub(super) async fn tilejson(
    State(state): State<Arc<AppState>>,
    JsonPath((layer_id, indicator_id)): JsonPath<(String, String)>,
    JsonQuery(style): JsonQuery<Style>,
    JsonQuery(q): JsonQuery<LangQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let lang = Lang::parse(q.lang.as_deref())?;
    let body = vector_tilejson(&state, &headers, &layer_id, &indicator_id, &style, lang)?;
    json_response(&state, &headers, &body, "application/json")
}

// ---------------------------------------------------------------------------------------------
// GET /styles/{layer}/{indicator}.json

/// A MapLibre style (version 8) drawing the choropleth from the vector tiles: fills in each
/// district's `colour`, thin grey borders as on the PNG tiles.
pub(super) async fn maplibre_style(
    State(state): State<Arc<AppState>>,
    JsonPath((layer_id, file)): JsonPath<(String, String)>,
    JsonQuery(style): JsonQuery<Style>,
    JsonQuery(q): JsonQuery<LangQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let indicator_id = file.strip_suffix(".json").ok_or_else(|| {
        AppError::bad_request(format!(
            "style file {file:?} is not {{indicator}}.json (e.g. /styles/nc/sids_rate74.json)"
        ))
    })?;
    let lang = Lang::parse(q.lang.as_deref())?;
    let source = vector_tilejson(&state, &headers, &layer_id, indicator_id, &style, lang)?;
    let (li, layer) = state.layer(&layer_id)?;
    let (ii, _) = layer.indicator(indicator_id)?;
    let border = f64::from(state.classified(li, ii, &style)?.style.border);
    let body = json!({
        "version": 8,
        "name": source["name"],
        "center": [source["center"][0], source["center"][1]],
        "zoom": source["center"][2],
        "metadata": {"quartier:legend": source["legend"]},
        "sources": {
            "quartier": {
                "type": "vector",
                "tiles": source["tiles"],
                "minzoom": 0,
                "maxzoom": VECTOR_MAX_ZOOM,
                "bounds": source["bounds"],
                "attribution": source["attribution"],
            }
        },
        "layers": [
            {"id": "background", "type": "background", "paint": {"background-color": "#ffffff"}},
            {
                "id": "districts",
                "type": "fill",
                "source": "quartier",
                "source-layer": layer.id(),
                "paint": {"fill-color": ["get", "colour"]},
            },
            {
                "id": "borders",
                "type": "line",
                "source": "quartier",
                "source-layer": layer.id(),
                "layout": {"visibility": if border > 0.0 { "visible" } else { "none" }},
                "paint": {"line-color": "#666666", "line-width": border.max(0.1)},
            },
        ],
    });
    json_response(&state, &headers, &body, "application/json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_escape_ids() {
        assert_eq!(
            mvt_template("http://h", "a b", "x", "method=quantile"),
            "http://h/tiles/a%20b/x/{z}/{x}/{y}.mvt?method=quantile"
        );
    }
}
