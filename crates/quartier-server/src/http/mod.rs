//! The HTTP API: [`app`], the router, over modules by route family.
//!
//! - `api`: the atlas, layers, features, districts (`/health`, `/api/...` but the legend);
//! - `legend`: `legend.json` and TileJSON, both over the atlas's one legend entry point;
//! - `tiles`: the PNG tile route, and `fast`, the lane answering cached tiles before the router;
//! - `print`: print maps (`/static/...`), profiles and reports (`/report/...`) as PNG, SVG, PDF;
//! - `hover`: `values.json` and the hover grids, hover and click without geometry;
//! - `vector`: vector tiles (`.mvt` on the tile route), their TileJSON and a MapLibre style;
//! - `ogc`: OGC API – Tiles under `/ogc`; `wmts`: the RESTful WMTS capabilities;
//! - `metrics`: `/metrics` in Prometheus format and the middleware counting every request;
//! - `page`: the map page's files and the fallbacks (404, 405);
//! - `respond`: JSON answers with ETags, 304s, the language parameter;
//! - `security`: CSP and the other security headers, dotfiles refused, error answers logged,
//!   versioned tile URLs cached for a year.
//!
//! Every route, its parameters, answers and errors are listed in `docs/api.md`; the paths and JSON
//! field names are a contract with the map page and other clients.
//! Handlers only translate between HTTP and the atlas: parse parameters, call
//! `quartier_atlas::Atlas`, shape the answer. They return [`AppError`](crate::error::AppError) for
//! every failure, which becomes a JSON `{"error": "..."}` answer.

use std::sync::Arc;

use axum::handler::HandlerWithoutStateExt;
use axum::http::{header, HeaderName, Method};
use axum::routing::get;
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

use crate::state::AppState;

mod api;
mod envelope;
pub(crate) mod fast;
mod hover;
mod legend;
pub mod metrics;
mod ogc;
mod page;
mod print;
mod respond;
mod security;
mod tiles;
mod vector;
mod wmts;

pub use fast::FastTiles;
pub use respond::JSON_CACHE_CONTROL;
pub use security::{
    parse_frame_ancestors, parse_public_url, DEFAULT_FRAME_ANCESTORS, VERSIONED_TILE_CACHE_CONTROL,
};
pub use tiles::{CACHE_STATUS_HEADER, NO_CACHE_HEADER, TILE_CACHE_CONTROL};

/// The router with every route, CORS, compression of JSON and request tracing.
///
/// Tests call it in-process with `tower::ServiceExt::oneshot`; `quartier serve` binds it to a socket.
pub fn app(state: Arc<AppState>) -> Router {
    let json = Router::new()
        .route("/health", get(api::health))
        .route("/metrics", get(metrics::metrics))
        .route("/api/atlas", get(api::atlas))
        .route("/api/layers", get(api::layers))
        .route("/api/layers/{layer}", get(api::layer))
        .route("/api/layers/{layer}/features.geojson", get(api::features))
        .route("/api/layers/{layer}/values.json", get(hover::values))
        .route(
            "/api/layers/{layer}/indicators/{indicator}/series.json",
            get(hover::series),
        )
        .route("/api/layers/{layer}/at", get(api::at))
        .route("/api/layers/{layer}/districts/{id}", get(api::district))
        .route(
            "/api/layers/{layer}/indicators/{indicator}/legend.json",
            get(legend::legend),
        )
        .route(
            "/tiles/{layer}/{indicator}/tilejson.json",
            get(legend::tilejson),
        )
        .route("/tiles/{layer}/{z}/{x}/{tile}", get(hover::grid))
        .route(
            "/tiles/{layer}/{indicator}/vector.json",
            get(vector::tilejson),
        )
        .route("/styles/{layer}/{indicator}", get(vector::maplibre_style))
        .route("/ogc", get(ogc::landing))
        .route("/ogc/", get(ogc::landing))
        .route("/ogc/conformance", get(ogc::conformance))
        .route("/ogc/collections", get(ogc::collections))
        .route("/ogc/collections/{id}", get(ogc::collection_route))
        .route("/ogc/collections/{id}/map/tiles", get(ogc::tilesets))
        .route("/ogc/collections/{id}/map/tiles/{tms}", get(ogc::tileset))
        .route("/ogc/tileMatrixSets", get(ogc::tile_matrix_sets))
        .route("/ogc/tileMatrixSets/{tms}", get(ogc::tile_matrix_set))
        .route(
            "/wmts/1.0.0/WMTSCapabilities.xml",
            get(wmts::capabilities_route),
        )
        // Gzip only where it pays: JSON. PNG tiles are compressed already and on the hot path.
        .layer(CompressionLayer::new());
    let tiles = Router::new()
        .route(
            "/tiles/{layer}/{indicator}/{z}/{x}/{tile}",
            get(tiles::tile),
        )
        .route(
            "/ogc/collections/{id}/map/tiles/{tms}/{z}/{row}/{col}",
            get(ogc::tile),
        );
    let print = Router::new()
        .route("/static/{layer}/{file}", get(print::static_map))
        .route("/report/{file}", get(print::report))
        .route("/report/{layer}/{file}", get(print::profile));
    let router = Router::new()
        .merge(json)
        .merge(tiles)
        .merge(print)
        .method_not_allowed_fallback(page::method_not_allowed);
    let router = match &state.web_dir {
        // The page's scripts and styles are text: gzip them like the JSON.
        Some(dir) => router.fallback_service(
            tower::ServiceBuilder::new()
                .layer(axum::middleware::from_fn(security::refuse_dotfiles))
                .layer(CompressionLayer::new())
                .service(ServeDir::new(dir).not_found_service(page::not_found.into_service())),
        ),
        None => router.fallback(page::no_web_page),
    };
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::HEAD])
        .allow_headers(Any)
        .expose_headers([header::ETAG, HeaderName::from_static(CACHE_STATUS_HEADER)]);
    // Cached tiles are answered by the fast lane in front of the router; CORS and tracing wrap both.
    let router = router.with_state(Arc::clone(&state));
    let secure = security::SecurityHeaders::new(
        state.basemap.as_ref().map(|b| b.url.as_str()),
        state.frame_ancestors.as_deref(),
    );
    let versions: Arc<security::LayerVersions> = Arc::new(
        state
            .layers
            .iter()
            .map(|l| (l.id().to_string(), l.atlas.version.clone()))
            .collect(),
    );
    // One service, composed once: `Router::layer` boxes each layer's service again, so that
    // a cached tile went through four boxed services, each cloned per request. Outermost
    // first: the trace span; the envelope (counted, timed, security headers and status logging
    // on every answer, the fast lane's tiles included); CORS; the fast lane; the router.
    let service = tower::ServiceBuilder::new()
        .layer(TraceLayer::new_for_http())
        .layer(envelope::EnvelopeLayer::new(secure, versions))
        .layer(cors)
        .service(FastTiles::new(state, router));
    Router::new().fallback_service(service)
}
