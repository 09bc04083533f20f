//! `GET /metrics`: Prometheus text format 0.0.4, written by hand from atomic counters (a few
//! dozen lines of text; no registry to keep consistent with the atlas's own counters).
//!
//! - `quartier_http_requests_total{route, status}` and `quartier_http_request_duration_seconds`
//!   (histogram per route): every request, counted by `count` in the envelope layer
//!   (`super::envelope`), the outermost layer, so the fast lane's cached tiles count too.
//!   `route` is the route family (`tile_png`, `tile_mvt`, `api`, `ogc`, `wmts`, `style`,
//!   `health`, `metrics`, `page`), never the raw path, so the number of series stays small
//!   whatever clients request.
//! - `quartier_tile_render_seconds`: the render step of tiles drawn on the render pool.
//! - `quartier_tile_cache_{hits,misses,...}`, `quartier_tiles_{rendered,empty}_total`,
//!   `quartier_styles`: the atlas's counters ([`quartier_atlas::AtlasStats`]) of the live atlas.
//! - `quartier_atlas_info{version}` and `quartier_atlas_load_seconds`,
//!   `quartier_atlas_loaded_timestamp_seconds`: which data is live, how long it took to load.
//!
//! Request counters live for the process (a reload keeps them); atlas counters are the live
//! atlas's (a reload starts them afresh, as its tile cache does).

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::Response;

use crate::state::AppState;

/// Upper bounds of the latency buckets in seconds: a cached tile takes tens of microseconds, a
/// rendered one milliseconds, a large GeoJSON tens of milliseconds.
const BUCKETS: [f64; 12] = [
    0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
];

/// The route families, the `route` label.
const ROUTES: [&str; 9] = [
    "tile_png", "tile_mvt", "api", "ogc", "wmts", "style", "health", "metrics", "page",
];

/// Status classes kept apart: the statuses Quartier answers with; anything else is `other`.
const STATUSES: [u16; 8] = [200, 204, 304, 400, 404, 405, 500, 503];

/// A histogram of durations: counts per bucket (not cumulative), sum in nanoseconds.
#[derive(Debug, Default)]
pub struct Histogram {
    buckets: [AtomicU64; BUCKETS.len() + 1],
    sum_ns: AtomicU64,
}

impl Histogram {
    /// Count one observation.
    pub fn observe(&self, d: Duration) {
        let s = d.as_secs_f64();
        let i = BUCKETS
            .iter()
            .position(|b| s <= *b)
            .unwrap_or(BUCKETS.len());
        self.buckets[i].fetch_add(1, Ordering::Relaxed);
        self.sum_ns.fetch_add(
            d.as_nanos().min(u128::from(u64::MAX)) as u64,
            Ordering::Relaxed,
        );
    }

    fn write(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        let mut cumulative = 0;
        for (i, b) in BUCKETS.iter().enumerate() {
            cumulative += self.buckets[i].load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{b}\"}} {cumulative}");
        }
        cumulative += self.buckets[BUCKETS.len()].load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {cumulative}"
        );
        let sum = self.sum_ns.load(Ordering::Relaxed) as f64 / 1e9;
        let braces = |s: &str| {
            if s.is_empty() {
                String::new()
            } else {
                format!("{{{s}}}")
            }
        };
        let _ = writeln!(out, "{name}_sum{} {sum}", braces(labels));
        let _ = writeln!(out, "{name}_count{} {cumulative}", braces(labels));
    }
}

/// The process's request and render counters.
#[derive(Debug, Default)]
pub struct Metrics {
    /// `[route][status]`, the last status slot for any other status.
    requests: [[AtomicU64; STATUSES.len() + 1]; ROUTES.len()],
    latency: [Histogram; ROUTES.len()],
    /// Time of the render step of tiles drawn on the render pool.
    pub render: Histogram,
}

/// The one set of counters of this process.
pub static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::default);

/// The route family of a path (see the module docs).
pub(crate) fn route_of(path: &str) -> usize {
    let family = if let Some(rest) = path.strip_prefix("/tiles/") {
        if rest.ends_with(".mvt") {
            "tile_mvt"
        } else if rest.ends_with(".json") {
            "api"
        } else {
            "tile_png"
        }
    } else if path.starts_with("/api/") {
        "api"
    } else if path == "/ogc" || path.starts_with("/ogc/") {
        "ogc"
    } else if path.starts_with("/wmts/") {
        "wmts"
    } else if path.starts_with("/styles/") {
        "style"
    } else if path == "/health" {
        "health"
    } else if path == "/metrics" {
        "metrics"
    } else {
        "page"
    };
    ROUTES
        .iter()
        .position(|r| *r == family)
        .unwrap_or(ROUTES.len() - 1)
}

/// Count an answer by route family and status, and time it (from `started`, when the request
/// came in); called by the envelope (`http::envelope`) for every answer.
pub(crate) fn count(route: usize, status: axum::http::StatusCode, started: Instant) {
    let status = status.as_u16();
    let slot = STATUSES
        .iter()
        .position(|s| *s == status)
        .unwrap_or(STATUSES.len());
    METRICS.requests[route][slot].fetch_add(1, Ordering::Relaxed);
    METRICS.latency[route].observe(started.elapsed());
}

/// Answers counted so far for a route family (as [`route_of`] gives it) and status.
#[cfg(test)]
pub(crate) fn answered(route: usize, status: u16) -> u64 {
    let slot = STATUSES
        .iter()
        .position(|s| *s == status)
        .unwrap_or(STATUSES.len());
    METRICS.requests[route][slot].load(Ordering::Relaxed)
}

/// The exposition text.
pub fn render(state: &AppState) -> String {
    let m = &*METRICS;
    let mut out = String::with_capacity(8 * 1024);
    out.push_str(
        "# HELP quartier_http_requests_total HTTP requests answered, by route family and status.\n",
    );
    out.push_str("# TYPE quartier_http_requests_total counter\n");
    for (r, route) in ROUTES.iter().enumerate() {
        for (s, count) in m.requests[r].iter().enumerate() {
            let n = count.load(Ordering::Relaxed);
            if n == 0 {
                continue;
            }
            let status = STATUSES.get(s).map_or("other".to_string(), u16::to_string);
            let _ = writeln!(
                out,
                "quartier_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
    }
    out.push_str("# HELP quartier_http_request_duration_seconds Time to answer a request, by route family.\n");
    out.push_str("# TYPE quartier_http_request_duration_seconds histogram\n");
    for (r, route) in ROUTES.iter().enumerate() {
        m.latency[r].write(
            &mut out,
            "quartier_http_request_duration_seconds",
            &format!("route=\"{route}\""),
        );
    }
    out.push_str("# HELP quartier_tile_render_seconds Time to draw one tile on the render pool.\n");
    out.push_str("# TYPE quartier_tile_render_seconds histogram\n");
    m.render.write(&mut out, "quartier_tile_render_seconds", "");

    let s = state.atlas.stats();
    let counters = [
        (
            "quartier_tiles_rendered_total",
            "counter",
            "Tiles drawn (not answered from the cache).",
            s.tiles_rendered,
        ),
        (
            "quartier_tiles_empty_total",
            "counter",
            "Tiles answered with the shared empty tile.",
            s.tiles_empty,
        ),
        (
            "quartier_tile_cache_hits_total",
            "counter",
            "Tiles answered from the tile cache.",
            s.cache.hits,
        ),
        (
            "quartier_tile_cache_misses_total",
            "counter",
            "Tiles looked up in the tile cache and not found.",
            s.cache.misses,
        ),
        (
            "quartier_tile_cache_tiles",
            "gauge",
            "Tiles kept in the tile cache.",
            s.cache.tiles as u64,
        ),
        (
            "quartier_tile_cache_bytes",
            "gauge",
            "Bytes of the tiles kept in the tile cache.",
            s.cache.bytes,
        ),
        (
            "quartier_styles",
            "gauge",
            "Classified styles kept.",
            s.styles as u64,
        ),
    ];
    for (name, kind, help, value) in counters {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
        );
    }
    let version: String = state
        .version
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let _ = writeln!(
        out,
        "# HELP quartier_atlas_info The live atlas: its data version.\n# TYPE quartier_atlas_info gauge\nquartier_atlas_info{{version=\"{version}\"}} 1"
    );
    let _ = writeln!(
        out,
        "# HELP quartier_atlas_load_seconds Time to load and prepare the live atlas.\n# TYPE quartier_atlas_load_seconds gauge\nquartier_atlas_load_seconds {}",
        state.load_time.as_secs_f64()
    );
    let _ = writeln!(
        out,
        "# HELP quartier_atlas_loaded_timestamp_seconds When the live atlas went live (Unix time).\n# TYPE quartier_atlas_loaded_timestamp_seconds gauge\nquartier_atlas_loaded_timestamp_seconds {}",
        state.loaded_at_unix
    );
    out
}

// ---------------------------------------------------------------------------------------------
// GET /metrics

/// The Prometheus exposition; never cached.
pub(super) async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    let mut response = Response::new(axum::body::Body::from(render(&state)));
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_families() {
        let name = |p: &str| ROUTES[route_of(p)];
        assert_eq!(name("/tiles/nc/x/7/35/50.png"), "tile_png");
        assert_eq!(name("/tiles/nc/x/7/35/50@2x.png"), "tile_png");
        assert_eq!(name("/tiles/nc/x/7/35/50.mvt"), "tile_mvt");
        assert_eq!(name("/tiles/nc/x/tilejson.json"), "api");
        assert_eq!(name("/api/layers"), "api");
        assert_eq!(name("/ogc"), "ogc");
        assert_eq!(name("/ogcx"), "page");
        assert_eq!(name("/wmts/1.0.0/WMTSCapabilities.xml"), "wmts");
        assert_eq!(name("/"), "page");
    }

    #[test]
    fn histograms_are_cumulative() {
        let h = Histogram::default();
        h.observe(Duration::from_micros(50));
        h.observe(Duration::from_millis(3));
        h.observe(Duration::from_secs(5));
        let mut out = String::new();
        h.write(&mut out, "x", "route=\"a\"");
        assert!(
            out.contains("x_bucket{route=\"a\",le=\"0.0001\"} 1\n"),
            "{out}"
        );
        assert!(
            out.contains("x_bucket{route=\"a\",le=\"0.005\"} 2\n"),
            "{out}"
        );
        assert!(out.contains("x_bucket{route=\"a\",le=\"1\"} 2\n"), "{out}");
        assert!(
            out.contains("x_bucket{route=\"a\",le=\"+Inf\"} 3\n"),
            "{out}"
        );
        assert!(out.contains("x_count{route=\"a\"} 3\n"), "{out}");
    }
}
