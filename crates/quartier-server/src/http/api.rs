//! The data routes: `/health`, `/api/atlas`, `/api/layers`, `/api/layers/{layer}`,
//! `features.geojson`, `/at` and `/districts/{id}`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use quartier_atlas::layer::PreparedLayer;
use quartier_atlas::manifest::{Indicator, Theme};
use quartier_atlas::stats::IndicatorStats;
use quartier_atlas::style::url_escape;
use quartier_atlas::suppression::SUPPRESSED;
use quartier_atlas::{Lang, Style, Titles};
use quartier_geo::classify::{MAX_CLASSES, MIN_CLASSES};
use quartier_geo::palette::{self, NO_DATA};
use serde::{Deserialize, Serialize};

use super::respond::{bytes_response, json_response, LangQuery, JSON_CACHE_CONTROL};
use crate::error::{AppError, AppResult, JsonPath, JsonQuery};
use crate::state::AppState;

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
pub(super) async fn health(State(state): State<Arc<AppState>>) -> Response {
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
    basemap: Option<&'a quartier_atlas::manifest::Basemap>,
    /// Where the page opens when its address names no view.
    start: Option<&'a quartier_atlas::manifest::StartView>,
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
pub(super) async fn atlas(
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
        start: state.start.as_ref(),
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
    /// The layer's data version (its tiles' `v=`): changes only with this layer's inputs.
    version: &'a str,
    /// `[w, s, e, n]` in WGS84.
    bounds: Option<[f64; 4]>,
    attribution: Option<&'a str>,
    /// Where the page opens (bounds and a district), when the manifest says.
    #[serde(skip_serializing_if = "Option::is_none")]
    view: Option<&'a quartier_atlas::manifest::View>,
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
    /// The periods the indicator has values for (absent: none).
    #[serde(skip_serializing_if = "<[i32]>::is_empty")]
    periods: &'a [i32],
    /// The default period: the latest.
    #[serde(skip_serializing_if = "Option::is_none")]
    period: Option<i32>,
    /// For a composite index: components, weights and directions.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    components: &'a [quartier_atlas::manifest::Component],
    /// For a categorical indicator (a typology): code, key, title and colour of each category.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    categories: &'a [quartier_atlas::manifest::Category],
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
        periods: &ind.periods,
        period: ind.periods.last().copied(),
        components: &ind.components,
        categories: &ind.categories,
    }
}

fn layer_json(layer: &PreparedLayer, lang: Lang, detail: bool) -> LayerJson<'_> {
    let a = &layer.atlas;
    let id = url_escape(&a.id);
    LayerJson {
        id: &a.id,
        title: a.title.get(lang.as_str()),
        titles: (&a.title).into(),
        features: a.layer.districts.len(),
        version: &a.version,
        bounds: layer.bounds,
        attribution: a.attribution.as_deref(),
        view: a.view.as_ref(),
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
pub(super) async fn layers(
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
pub(super) async fn layer(
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

/// The districts in WGS84 with id, name and every indicator value; built once per layer.
pub(super) async fn features(
    State(state): State<Arc<AppState>>,
    JsonPath(id): JsonPath<String>,
    JsonQuery(params): JsonQuery<Style>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let (li, _) = state.layer(&id)?;
    let st = Arc::clone(&state);
    // Serialising a large layer takes a while the first time: keep it off the async workers.
    let body = tokio::task::spawn_blocking(move || {
        quartier_atlas::geojson::features_with(&st.layers[li], &params)
    })
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
pub(super) struct AtQuery {
    lon: Option<String>,
    lat: Option<String>,
    period: Option<String>,
    compare: Option<String>,
    change: Option<String>,
}

impl AtQuery {
    /// The period parameters as a style (the rest of a style does not change values).
    fn periods(&self) -> Style {
        Style {
            period: self.period.clone(),
            compare: self.compare.clone(),
            change: self.change.clone(),
            ..Style::default()
        }
    }
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
pub(super) async fn at(
    State(state): State<Arc<AppState>>,
    JsonPath(id): JsonPath<String>,
    JsonQuery(q): JsonQuery<AtQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let (_, layer) = state.layer(&id)?;
    let lon = coordinate("lon", q.lon.as_deref(), 180.0)?;
    let lat = coordinate("lat", q.lat.as_deref(), 90.0)?;
    let i = layer.locate(lon, lat).ok_or_else(|| {
        AppError::not_found(format!(
            "no district of layer {id:?} contains lon={lon}, lat={lat}"
        ))
    })?;
    json_response(
        &state,
        &headers,
        &layer.district_values_with(i, &q.periods()),
        "application/json",
    )
}

// ---------------------------------------------------------------------------------------------
// GET /api/layers/{layer}/districts/{id}

/// One district by its id: the same answer as `/at`, for the page's profile and for links.
pub(super) async fn district(
    State(state): State<Arc<AppState>>,
    JsonPath((layer_id, district_id)): JsonPath<(String, String)>,
    JsonQuery(q): JsonQuery<AtQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let (_, layer) = state.layer(&layer_id)?;
    let i = layer.district(&district_id)?;
    json_response(
        &state,
        &headers,
        &layer.district_values_with(i, &q.periods()),
        "application/json",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
