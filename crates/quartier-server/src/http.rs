//! The HTTP API: routes next to their handlers, and [`app`], the router.
//!
//! Every route, its parameters, answers and errors are listed in `docs/api.md`; the paths and JSON
//! field names are a contract with the map page and other clients.
//! Handlers only translate between HTTP and [`AppState`]: parse and check parameters, call the
//! state, shape the JSON.
//! They return [`AppError`] for every failure, which becomes a JSON `{"error": "..."}` answer.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::handler::HandlerWithoutStateExt;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use quartier_geo::atlas::{Indicator, Localized, Theme};
use quartier_geo::classify::{MAX_CLASSES, MIN_CLASSES};
use quartier_geo::palette::{self, NO_DATA};
use quartier_render::TileCoord;
use serde::{Deserialize, Serialize};
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

use crate::error::{AppError, AppResult, JsonPath, JsonQuery};
use crate::etag::{etag_for_body, if_none_match};
use crate::fast::{tile_response, FastTiles};
use crate::labels;
use crate::state::{AppState, IndicatorStats, LayerState};
use crate::style::{url_escape, Lang, StyleParams};
use crate::suppression::{self, SUPPRESSED};

/// `Cache-Control` of tiles: they change only when the data does, and their ETag says when.
pub const TILE_CACHE_CONTROL: &str = "public, max-age=3600";

/// `Cache-Control` of JSON answers: short, so a page sees new data within a minute.
pub const JSON_CACHE_CONTROL: &str = "public, max-age=60";

/// Request header that makes the server render a tile even when it is cached, and not keep it
/// (for benchmarks of the renderer over HTTP).
pub const NO_CACHE_HEADER: &str = "x-quartier-no-cache";

/// Response header saying how a tile was answered: `hit`, `miss`, `bypass` or `empty`.
pub const CACHE_STATUS_HEADER: &str = "x-quartier-cache";

/// The router with every route, CORS, compression of JSON and request tracing.
///
/// Tests call it in-process with `tower::ServiceExt::oneshot`; `quartier serve` binds it to a socket.
pub fn app(state: Arc<AppState>) -> Router {
    let json = Router::new()
        .route("/health", get(health))
        .route("/api/atlas", get(atlas))
        .route("/api/layers", get(layers))
        .route("/api/layers/{layer}", get(layer))
        .route("/api/layers/{layer}/features.geojson", get(features))
        .route("/api/layers/{layer}/at", get(at))
        .route("/api/layers/{layer}/districts/{id}", get(district))
        .route(
            "/api/layers/{layer}/indicators/{indicator}/legend.json",
            get(legend),
        )
        .route("/tiles/{layer}/{indicator}/tilejson.json", get(tilejson))
        // Gzip only where it pays: JSON. PNG tiles are compressed already and on the hot path.
        .layer(CompressionLayer::new());
    let tiles = Router::new().route("/tiles/{layer}/{indicator}/{z}/{x}/{tile}", get(tile));
    let router = Router::new()
        .merge(json)
        .merge(tiles)
        .method_not_allowed_fallback(method_not_allowed);
    let router = match &state.web_dir {
        // The page's scripts and styles are text: gzip them like the JSON.
        Some(dir) => router.fallback_service(
            tower::ServiceBuilder::new()
                .layer(CompressionLayer::new())
                .service(ServeDir::new(dir).not_found_service(not_found.into_service())),
        ),
        None => router.fallback(no_web_page),
    };
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::HEAD])
        .allow_headers(Any)
        .expose_headers([header::ETAG, HeaderName::from_static(CACHE_STATUS_HEADER)]);
    // Cached tiles are answered by the fast lane in front of the router; CORS and tracing wrap both.
    let router = router.with_state(Arc::clone(&state));
    Router::new()
        .fallback_service(FastTiles::new(state, router))
        .layer(cors)
        .layer(TraceLayer::new_for_http())
}

// ---------------------------------------------------------------------------------------------
// Responses

/// A JSON answer with a strong ETag over its bytes; 304 when the client has it.
fn json_response(
    state: &AppState,
    headers: &HeaderMap,
    value: &impl Serialize,
    content_type: &'static str,
) -> AppResult<Response> {
    let body = serde_json::to_vec(value)
        .map_err(|e| AppError::Internal(format!("cannot serialise answer: {e}")))?;
    Ok(bytes_response(
        state,
        headers,
        Bytes::from(body),
        content_type,
        JSON_CACHE_CONTROL,
    ))
}

fn bytes_response(
    state: &AppState,
    headers: &HeaderMap,
    body: Bytes,
    content_type: &'static str,
    cache_control: &'static str,
) -> Response {
    let etag = etag_for_body(state.version_hash, &body);
    if if_none_match(headers, &etag) {
        return not_modified(etag, cache_control);
    }
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static(cache_control),
            ),
            (header::ETAG, etag),
        ],
        body,
    )
        .into_response()
}

fn not_modified(etag: HeaderValue, cache_control: &'static str) -> Response {
    (
        StatusCode::NOT_MODIFIED,
        [
            (header::ETAG, etag),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static(cache_control),
            ),
        ],
    )
        .into_response()
}

/// A title in the requested language plus both languages, for pages that switch language.
#[derive(Debug, Serialize)]
struct Titles<'a> {
    de: &'a str,
    en: &'a str,
}

impl<'a> From<&'a Localized> for Titles<'a> {
    fn from(l: &'a Localized) -> Self {
        Titles {
            de: l.get("de"),
            en: l.get("en"),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// GET /health

#[derive(Serialize)]
struct Health<'a> {
    status: &'static str,
    version: &'a str,
    layers: usize,
    stats: crate::state::Stats,
}

/// Liveness and counters; never cached.
async fn health(State(state): State<Arc<AppState>>) -> Response {
    let body = Health {
        status: "ok",
        version: &state.version,
        layers: state.layers.len(),
        stats: state.stats(),
    };
    let mut response = axum::Json(body).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

// ---------------------------------------------------------------------------------------------
// GET /api/atlas

#[derive(Serialize)]
struct AtlasJson<'a> {
    title: &'a str,
    titles: Titles<'a>,
    description: Option<&'a str>,
    descriptions: Option<Titles<'a>>,
    basemap: Option<&'a quartier_geo::atlas::Basemap>,
    version: &'a str,
    lang: &'static str,
    layers: Vec<&'a str>,
    themes: Vec<ThemeJson<'a>>,
    methods: Vec<&'static str>,
    min_classes: usize,
    max_classes: usize,
    palettes: Vec<PaletteJson>,
    default_palette: &'static str,
    no_data_color: String,
    /// Fill of districts whose value is withheld by small-number suppression.
    suppressed_color: String,
}

#[derive(Serialize)]
struct ThemeJson<'a> {
    id: &'static str,
    title: &'static str,
    titles: Titles<'a>,
}

#[derive(Serialize)]
struct PaletteJson {
    name: &'static str,
    kind: palette::SchemeKind,
    colorblind_safe: bool,
    max_classes: usize,
}

fn theme_json(theme: Theme, lang: Lang) -> ThemeJson<'static> {
    ThemeJson {
        id: theme.as_str(),
        title: theme.title(lang.as_str()),
        titles: Titles {
            de: theme.title("de"),
            en: theme.title("en"),
        },
    }
}

/// What the page needs before anything else: titles, basemap, themes and the style choices.
async fn atlas(
    State(state): State<Arc<AppState>>,
    JsonQuery(q): JsonQuery<LangQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let lang = Lang::parse(q.lang.as_deref())?;
    let body = AtlasJson {
        title: state.title.get(lang.as_str()),
        titles: (&state.title).into(),
        description: state.description.as_ref().map(|d| d.get(lang.as_str())),
        descriptions: state.description.as_ref().map(Titles::from),
        basemap: state.basemap.as_ref(),
        version: &state.version,
        lang: lang.as_str(),
        layers: state.layers.iter().map(|l| l.id()).collect(),
        themes: Theme::ALL.iter().map(|t| theme_json(*t, lang)).collect(),
        methods: vec!["quantile", "equal", "jenks", "stddev", "pretty", "manual"],
        min_classes: MIN_CLASSES,
        max_classes: MAX_CLASSES,
        palettes: palette::schemes()
            .iter()
            .map(|s| PaletteJson {
                name: s.name,
                kind: s.kind,
                colorblind_safe: s.colorblind_safe,
                max_classes: s.classes_range().1,
            })
            .collect(),
        default_palette: palette::DEFAULT_SCHEME,
        no_data_color: palette::hex(NO_DATA),
        suppressed_color: palette::hex(SUPPRESSED),
    };
    json_response(&state, &headers, &body, "application/json")
}

// ---------------------------------------------------------------------------------------------
// GET /api/layers and /api/layers/{layer}

#[derive(Serialize)]
struct LayerJson<'a> {
    id: &'a str,
    title: &'a str,
    titles: Titles<'a>,
    features: usize,
    /// `[w, s, e, n]` in WGS84.
    bounds: Option<[f64; 4]>,
    attribution: Option<&'a str>,
    indicators: Vec<IndicatorJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    links: Option<Links>,
}

#[derive(Serialize)]
struct Links {
    features: String,
    at: String,
    legend: String,
    tilejson: String,
    tiles: String,
}

#[derive(Serialize)]
struct StyleJson<'a> {
    method: String,
    classes: usize,
    palette: &'a str,
    breaks: Option<&'a [f64]>,
    centre: Option<f64>,
}

#[derive(Serialize)]
struct IndicatorJson<'a> {
    id: &'a str,
    title: &'a str,
    titles: Titles<'a>,
    unit: &'a str,
    units: Titles<'a>,
    theme: &'static str,
    theme_title: &'static str,
    source: Option<&'a str>,
    year: Option<i32>,
    decimals: Option<u8>,
    description: Option<&'a str>,
    descriptions: Option<Titles<'a>>,
    formula: &'a str,
    style: StyleJson<'a>,
    /// Small-number suppression: counts from 1 up to below this are withheld (absent: none).
    #[serde(skip_serializing_if = "Option::is_none")]
    suppress_below: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stats: Option<&'a IndicatorStats>,
}

fn indicator_json<'a>(
    ind: &'a Indicator,
    stats: Option<&'a IndicatorStats>,
    lang: Lang,
) -> IndicatorJson<'a> {
    let l = lang.as_str();
    IndicatorJson {
        id: &ind.id,
        title: ind.title.get(l),
        titles: (&ind.title).into(),
        unit: ind.unit.get(l),
        units: (&ind.unit).into(),
        theme: ind.theme.as_str(),
        theme_title: ind.theme.title(l),
        source: ind.source.as_deref(),
        year: ind.year,
        decimals: ind.decimals,
        description: ind.description.as_ref().map(|d| d.get(l)),
        descriptions: ind.description.as_ref().map(Titles::from),
        formula: &ind.formula,
        style: StyleJson {
            method: ind.style.method.to_string(),
            classes: ind.style.classes,
            palette: &ind.style.palette,
            breaks: ind.style.breaks.as_deref(),
            centre: ind.style.centre,
        },
        suppress_below: ind.suppress_below,
        stats,
    }
}

fn layer_json(layer: &LayerState, lang: Lang, detail: bool) -> LayerJson<'_> {
    let a = &layer.atlas;
    let id = url_escape(&a.id);
    LayerJson {
        id: &a.id,
        title: a.title.get(lang.as_str()),
        titles: (&a.title).into(),
        features: a.layer.districts.len(),
        bounds: layer.bounds,
        attribution: a.attribution.as_deref(),
        indicators: a
            .indicators
            .iter()
            .zip(&layer.stats)
            .map(|(ind, stats)| indicator_json(ind, detail.then_some(stats), lang))
            .collect(),
        links: detail.then(|| Links {
            features: format!("/api/layers/{id}/features.geojson"),
            at: format!("/api/layers/{id}/at?lon={{lon}}&lat={{lat}}"),
            legend: format!("/api/layers/{id}/indicators/{{indicator}}/legend.json"),
            tilejson: format!("/tiles/{id}/{{indicator}}/tilejson.json"),
            tiles: format!("/tiles/{id}/{{indicator}}/{{z}}/{{x}}/{{y}}.png"),
        }),
    }
}

/// Every layer with its indicators.
async fn layers(
    State(state): State<Arc<AppState>>,
    JsonQuery(q): JsonQuery<LangQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let lang = Lang::parse(q.lang.as_deref())?;
    let body: Vec<LayerJson> = state
        .layers
        .iter()
        .map(|l| layer_json(l, lang, false))
        .collect();
    json_response(&state, &headers, &body, "application/json")
}

/// One layer, with per-indicator statistics (mean, min, max, counts) and links.
async fn layer(
    State(state): State<Arc<AppState>>,
    JsonPath(id): JsonPath<String>,
    JsonQuery(q): JsonQuery<LangQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let lang = Lang::parse(q.lang.as_deref())?;
    let (_, layer) = state.layer(&id)?;
    json_response(
        &state,
        &headers,
        &layer_json(layer, lang, true),
        "application/json",
    )
}

// ---------------------------------------------------------------------------------------------
// GET /api/layers/{layer}/features.geojson

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
/// of 3,000 counties without suppression as short as before.
fn build_features(layer: &LayerState) -> Bytes {
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

/// The districts in WGS84 with id, name and every indicator value; built once per layer.
async fn features(
    State(state): State<Arc<AppState>>,
    JsonPath(id): JsonPath<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let (li, _) = state.layer(&id)?;
    let st = Arc::clone(&state);
    // Serialising a large layer takes a while the first time: keep it off the async workers.
    let body = tokio::task::spawn_blocking(move || st.layers[li].features_geojson(build_features))
        .await
        .map_err(|e| AppError::Internal(format!("features of layer {id:?}: {e}")))?;
    Ok(bytes_response(
        &state,
        &headers,
        body,
        "application/geo+json",
        JSON_CACHE_CONTROL,
    ))
}

// ---------------------------------------------------------------------------------------------
// GET /api/layers/{layer}/at?lon=&lat=

#[derive(Debug, Default, Deserialize)]
struct AtQuery {
    lon: Option<String>,
    lat: Option<String>,
}

#[derive(Serialize)]
struct AtJson<'a> {
    id: &'a str,
    name: &'a str,
    layer: &'a str,
    values: BTreeMap<&'a str, Option<f64>>,
    ranks: BTreeMap<&'a str, Option<u32>>,
    /// Indicators whose value is withheld by small-number suppression (their value is `null`).
    suppressed: Vec<&'a str>,
}

fn coordinate(name: &str, value: Option<&str>, limit: f64) -> AppResult<f64> {
    let example = "e.g. ?lon=-79.25&lat=36.05 (WGS84 degrees)";
    let text = value
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            AppError::bad_request(format!("{name} is missing: give lon and lat, {example}"))
        })?;
    let v: f64 = text
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| {
            AppError::bad_request(format!(
                "{name}={text:?} is not a number: give decimal degrees, {example}"
            ))
        })?;
    if v.abs() > limit {
        return Err(AppError::bad_request(format!(
            "{name}={v} is out of range: {name} goes from -{limit} to {limit} degrees \
             (are lon and lat swapped?)"
        )));
    }
    Ok(v)
}

/// The district containing a point, with its values and ranks; 404 when there is none.
async fn at(
    State(state): State<Arc<AppState>>,
    JsonPath(id): JsonPath<String>,
    JsonQuery(q): JsonQuery<AtQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let (_, layer) = state.layer(&id)?;
    let lon = coordinate("lon", q.lon.as_deref(), 180.0)?;
    let lat = coordinate("lat", q.lat.as_deref(), 90.0)?;
    let districts = &layer.atlas.layer.districts;
    let i = layer.locator.locate(districts, lon, lat).ok_or_else(|| {
        AppError::not_found(format!(
            "no district of layer {id:?} contains lon={lon}, lat={lat}"
        ))
    })?;
    json_response(
        &state,
        &headers,
        &district_json(layer, i),
        "application/json",
    )
}

/// One district's id, name, values, ranks and withheld indicators (`/at` and `/districts/{id}`).
fn district_json(layer: &LayerState, i: usize) -> AtJson<'_> {
    let d = &layer.atlas.layer.districts[i];
    let inds = &layer.atlas.indicators;
    AtJson {
        id: &d.id,
        name: &d.name,
        layer: layer.id(),
        values: inds
            .iter()
            .map(|ind| (ind.id.as_str(), ind.values.get(i).copied().flatten()))
            .collect(),
        ranks: inds
            .iter()
            .zip(&layer.stats)
            .map(|(ind, s)| (ind.id.as_str(), s.ranks.get(i).copied().flatten()))
            .collect(),
        suppressed: suppression::withheld_at(inds, i),
    }
}

// ---------------------------------------------------------------------------------------------
// GET /api/layers/{layer}/districts/{id}

/// One district by its id: the same answer as `/at`, for the page's profile and for links.
async fn district(
    State(state): State<Arc<AppState>>,
    JsonPath((layer_id, district_id)): JsonPath<(String, String)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let (_, layer) = state.layer(&layer_id)?;
    let i = layer.district(&district_id)?;
    json_response(
        &state,
        &headers,
        &district_json(layer, i),
        "application/json",
    )
}

// ---------------------------------------------------------------------------------------------
// GET /api/layers/{layer}/indicators/{indicator}/legend.json

#[derive(Serialize)]
struct LegendJson<'a> {
    layer: &'a str,
    indicator: &'a str,
    title: &'a str,
    titles: Titles<'a>,
    unit: &'a str,
    units: Titles<'a>,
    decimals: Option<u8>,
    method: String,
    /// Number of classes drawn (may be fewer than asked for; `notes` says why).
    classes: usize,
    /// Number of classes asked for.
    requested_classes: usize,
    palette: &'a str,
    breaks: &'a [f64],
    colors: Vec<String>,
    counts: &'a [usize],
    /// Districts without a value, drawn in `no_data_color` (withheld ones are not counted here).
    missing: usize,
    no_data_color: String,
    /// Districts whose value is withheld by small-number suppression, drawn in `suppressed_color`.
    suppressed: usize,
    suppressed_color: String,
    /// The layer's suppression threshold (`null`: no suppression).
    suppress_below: Option<f64>,
    notes: &'a [String],
    /// One text per class, "lower – upper" with the legend's decimals, in the request's language.
    labels: Vec<String>,
    /// The text of the no-data row.
    no_data_label: &'static str,
    /// The text of the suppressed row; `null` when the legend has none (no suppression).
    suppressed_label: Option<String>,
    centre: Option<f64>,
    mean: Option<f64>,
    min: Option<f64>,
    max: Option<f64>,
    /// The canonical style query, to put on tile URLs.
    style: &'a str,
    /// Tile URL template drawing exactly this legend.
    tiles: String,
}

/// The classification of an indicator under the requested style.
async fn legend(
    State(state): State<Arc<AppState>>,
    JsonPath((layer_id, indicator_id)): JsonPath<(String, String)>,
    JsonQuery(params): JsonQuery<StyleParams>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let lang = Lang::parse(params.lang.as_deref())?;
    let (li, layer) = state.layer(&layer_id)?;
    let (ii, ind) = layer.indicator(&indicator_id)?;
    let c = state.classified(li, ii, &params)?;
    let stats = &layer.stats[ii];
    let l = lang.as_str();
    let language = lang.language();
    let body = LegendJson {
        layer: layer.id(),
        indicator: &ind.id,
        title: ind.title.get(l),
        titles: (&ind.title).into(),
        unit: ind.unit.get(l),
        units: (&ind.unit).into(),
        decimals: ind.decimals,
        method: c.classification.method.to_string(),
        classes: c.colors.len(),
        requested_classes: c.style.classes,
        palette: &c.style.palette,
        breaks: &c.classification.breaks,
        colors: c.colors.iter().map(|rgb| palette::hex(*rgb)).collect(),
        counts: &c.classification.counts,
        // Withheld districts are not given to the classifier: `missing` is real no-data only.
        missing: c.classification.missing,
        no_data_color: palette::hex(NO_DATA),
        suppressed: stats.suppressed,
        suppressed_color: palette::hex(SUPPRESSED),
        suppress_below: ind.suppress_below,
        notes: &c.classification.notes,
        labels: labels::class_labels(&c.classification.breaks, ind.decimals, language),
        no_data_label: labels::no_data_label(language),
        suppressed_label: (ind.suppress_below.is_some() || stats.suppressed > 0)
            .then(|| labels::suppressed_label(ind.suppress_below, language)),
        centre: c.style.centre,
        mean: stats.mean,
        min: stats.min,
        max: stats.max,
        style: &c.canonical,
        tiles: tile_template("", layer.id(), &ind.id, &c.canonical),
    };
    json_response(&state, &headers, &body, "application/json")
}

fn tile_template(base: &str, layer: &str, indicator: &str, style: &str) -> String {
    format!(
        "{base}/tiles/{}/{}/{{z}}/{{x}}/{{y}}.png?{style}",
        url_escape(layer),
        url_escape(indicator)
    )
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

/// `http(s)://host` of the request, so TileJSON URLs work behind any name the client used.
fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_graphic()));
    let proto = match headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
    {
        Some("https") => "https",
        _ => "http",
    };
    host.map(|h| format!("{proto}://{h}")).unwrap_or_default()
}

/// A zoom at which the bounds fill a typical map view (about 800 px wide).
fn fit_zoom(bounds: [f64; 4]) -> u8 {
    let span = (bounds[2] - bounds[0])
        .max((bounds[3] - bounds[1]) * 1.5)
        .max(1e-6);
    (360.0 * 800.0 / 256.0 / span)
        .log2()
        .floor()
        .clamp(0.0, 16.0) as u8
}

/// TileJSON 3.0.0 for one indicator under the requested style.
async fn tilejson(
    State(state): State<Arc<AppState>>,
    JsonPath((layer_id, indicator_id)): JsonPath<(String, String)>,
    JsonQuery(params): JsonQuery<StyleParams>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let lang = Lang::parse(params.lang.as_deref())?;
    let (li, layer) = state.layer(&layer_id)?;
    let (ii, ind) = layer.indicator(&indicator_id)?;
    let c = state.classified(li, ii, &params)?;
    let base = base_url(&headers);
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
        tiles: vec![tile_template(&base, layer.id(), &ind.id, &c.canonical)],
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

// ---------------------------------------------------------------------------------------------
// GET /tiles/{layer}/{indicator}/{z}/{x}/{y}.png and {y}@2x.png

/// `"5.png"` -> `(5, 1)`, `"5@2x.png"` -> `(5, 2)`.
pub(crate) fn parse_tile_name(name: &str) -> AppResult<(&str, u8)> {
    let bad = || {
        AppError::bad_request(format!(
            "tile file {name:?} is not {{y}}.png or {{y}}@2x.png (e.g. 26.png or 26@2x.png)"
        ))
    };
    let stem = name.strip_suffix(".png").ok_or_else(bad)?;
    match stem.split_once('@') {
        None => Ok((stem, 1)),
        Some((y, "2x")) => Ok((y, 2)),
        Some((y, "1x")) => Ok((y, 1)),
        Some(_) => Err(bad()),
    }
}

/// Check `z/x/y` and say exactly what is allowed when it is wrong.
pub(crate) fn parse_tile(z: &str, x: &str, y: &str) -> AppResult<TileCoord> {
    let max = TileCoord::MAX_ZOOM;
    let z: u8 = z.parse().map_err(|_| {
        AppError::bad_request(format!("zoom {z:?} is not a whole number from 0 to {max}"))
    })?;
    if z > max {
        return Err(AppError::bad_request(format!(
            "zoom {z} is above the maximum zoom {max}"
        )));
    }
    let last = TileCoord::tiles_per_side(z) - 1;
    let coordinate = |name: &str, v: &str| -> AppResult<u32> {
        v.parse::<u32>().ok().filter(|v| *v <= last).ok_or_else(|| {
            AppError::bad_request(format!(
                "{name} = {v:?} does not exist at zoom {z}: x and y go from 0 to {last}"
            ))
        })
    };
    let (x, y) = (coordinate("x", x)?, coordinate("y", y)?);
    TileCoord::new_checked(z, x, y)
        .ok_or_else(|| AppError::bad_request(format!("tile {z}/{x}/{y} does not exist")))
}

/// One PNG tile: 304 on a matching ETag, else from the cache, else rendered on the blocking pool.
async fn tile(
    State(state): State<Arc<AppState>>,
    JsonPath((layer_id, indicator_id, z, x, name)): JsonPath<(
        String,
        String,
        String,
        String,
        String,
    )>,
    JsonQuery(params): JsonQuery<StyleParams>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let (li, layer) = state.layer(&layer_id)?;
    let (ii, _) = layer.indicator(&indicator_id)?;
    let (y, scale) = parse_tile_name(&name)?;
    let coord = parse_tile(&z, &x, y)?;
    let classified = state.classified(li, ii, &params)?;
    let etag = classified.tile_etag(state.version_hash, coord, scale);
    if if_none_match(&headers, &etag) {
        return Ok(not_modified(etag, TILE_CACHE_CONTROL));
    }
    let (png, status) = if layer.tile_is_empty(coord) {
        (state.empty_tile(scale), "empty")
    } else if !state.tiles.is_enabled()
        || headers
            .get(NO_CACHE_HEADER)
            .is_some_and(|v| v.as_bytes() == b"1")
    {
        (state.render(li, classified, coord, scale).await?, "bypass")
    } else {
        let key = AppState::tile_key(li, ii, &classified, coord, scale);
        let render = state.render(li, classified, coord, scale);
        match state.tiles.get_or_render(key, render).await? {
            (png, true) => (png, "hit"),
            (png, false) => (png, "miss"),
        }
    };
    Ok(tile_response(png, etag, HeaderValue::from_static(status)))
}

// ---------------------------------------------------------------------------------------------
// Fallbacks

/// Unknown route: a JSON 404 pointing at the API.
async fn not_found(uri: Uri) -> AppError {
    AppError::not_found(format!(
        "no route {}: the API is under /api/layers and /tiles (see docs/api.md)",
        uri.path()
    ))
}

async fn method_not_allowed(method: Method, uri: Uri) -> AppError {
    AppError::MethodNotAllowed(format!(
        "{method} is not allowed on {}: the API is read-only, use GET",
        uri.path()
    ))
}

/// What `/` shows when the map page is not installed.
const NO_WEB_PAGE: &str = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>Quartier</title></head><body style=\"font-family:sans-serif;max-width:40em;margin:2em auto\">\
<h1>Quartier is running</h1>\
<p>The map page was not found: the server looks for a folder <code>web/</code> with an \
<code>index.html</code> in the current directory and in its source checkout. \
Start <code>quartier serve</code> from the repository root to get the map.</p>\
<p>The API works without it: <a href=\"/api/layers\">/api/layers</a>, \
<a href=\"/api/atlas\">/api/atlas</a>, <a href=\"/health\">/health</a>.</p>\
</body></html>\n";

async fn no_web_page(request: Request) -> Response {
    match request.uri().path() {
        "/" | "/index.html" => Html(NO_WEB_PAGE).into_response(),
        _ => not_found(request.uri().clone()).await.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_names() {
        assert_eq!(parse_tile_name("26.png").unwrap(), ("26", 1));
        assert_eq!(parse_tile_name("26@2x.png").unwrap(), ("26", 2));
        assert!(parse_tile_name("26.jpg")
            .unwrap_err()
            .to_string()
            .contains("{y}.png or {y}@2x.png"));
        assert!(parse_tile_name("26@3x.png").is_err());
    }

    #[test]
    fn tile_ranges() {
        let t = parse_tile("3", "7", "0").unwrap();
        assert_eq!((t.z, t.x, t.y), (3, 7, 0));
        let e = parse_tile("3", "8", "0").unwrap_err().to_string();
        assert!(e.contains("x and y go from 0 to 7"), "{e}");
        let e = parse_tile("3", "0", "-1").unwrap_err().to_string();
        assert!(e.contains("y = \"-1\""), "{e}");
        let e = parse_tile("23", "0", "0").unwrap_err().to_string();
        assert!(e.contains("maximum zoom 22"), "{e}");
        let e = parse_tile("z", "0", "0").unwrap_err().to_string();
        assert!(e.contains("0 to 22"), "{e}");
    }

    #[test]
    fn coordinates() {
        assert_eq!(coordinate("lon", Some("-79.25"), 180.0).unwrap(), -79.25);
        assert!(coordinate("lat", Some("95"), 90.0)
            .unwrap_err()
            .to_string()
            .contains("swapped"));
        assert!(coordinate("lat", None, 90.0)
            .unwrap_err()
            .to_string()
            .contains("missing"));
        assert!(coordinate("lat", Some("abc"), 90.0)
            .unwrap_err()
            .to_string()
            .contains("not a number"));
        assert!(coordinate("lat", Some("NaN"), 90.0).is_err());
    }

    #[test]
    fn base_urls() {
        let mut h = HeaderMap::new();
        assert_eq!(base_url(&h), "");
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert_eq!(base_url(&h), "http://127.0.0.1:8080");
        h.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert_eq!(base_url(&h), "https://127.0.0.1:8080");
    }

    #[test]
    fn zoom_that_fits() {
        // A city (0.3 degrees wide) fits around zoom 11; the world at zoom 1 or 2.
        assert_eq!(fit_zoom([-71.2, 42.2, -70.9, 42.45]), 11);
        assert!(fit_zoom([-180.0, -85.0, 180.0, 85.0]) <= 2);
    }
}
