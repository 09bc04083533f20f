//! The fast lane for cached tiles: [`FastTiles`] answers `GET /tiles/…png` from the tile cache
//! (or restyled in microseconds from a kept district raster) before the router sees the request.
//!
//! A cached tile is most of what a busy server sends, and the bytes are ready: what is left is
//! finding them. The router's way costs a few dozen allocations per request (percent-decoded path
//! parameters, owned strings for the style parameters, the canonical style string as a map key).
//! The fast lane reads the path segments in place, finds the classified style through a memo
//! keyed by the raw query string, takes the tile from the atlas's tile pipeline only when it is
//! ready at once ([`Atlas::ready_tile`](quartier_atlas::Atlas::ready_tile): empty or cached), and
//! answers it with precomputed header values and a `Bytes` clone of the cached tile.
//!
//! Anything else goes to the router unchanged: misses (which render), conditional requests
//! (`If-None-Match`), the cache-bypass header, percent-encoded paths, and every error, so the
//! answers and messages stay those of the tile route. Answers from the fast lane are byte-for-byte
//! those of the handler; `tests` checks this for hits, empty tiles and the fallbacks.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::{ready, Ready};
use std::sync::{Arc, RwLock};
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::http::{header, HeaderValue, Method};
use axum::response::Response;
use futures_util::future::Either;
use tower::Service;

use quartier_atlas::hash::Fnv;
use quartier_atlas::{Answered, Classified, Style};

use super::respond::etag_header;
use super::tiles::{parse_tile, parse_tile_name, tile_response, NO_CACHE_HEADER};
use crate::state::AppState;

/// Raw query strings remembered per (layer, indicator); past this many the memo starts afresh
/// (as the style registry does), so that endless distinct queries cannot grow memory.
const MAX_QUERIES: usize = 4096;

/// A memo entry: the raw query (to rule out hash collisions) and its classified style.
type Remembered = (Box<str>, Arc<Classified>);

/// Wraps the router: answers cached tiles itself, passes everything else on.
#[derive(Clone)]
pub struct FastTiles<S> {
    lane: Arc<Lane>,
    inner: S,
}

impl<S> std::fmt::Debug for FastTiles<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FastTiles").finish_non_exhaustive()
    }
}

struct Lane {
    state: Arc<AppState>,
    /// Hash of (layer, indicator, raw query) -> the query and the style it resolves to.
    styles: RwLock<HashMap<u64, Remembered>>,
}

impl<S> FastTiles<S> {
    /// The fast lane in front of `inner` (the router, with `state`).
    pub fn new(state: Arc<AppState>, inner: S) -> Self {
        FastTiles {
            lane: Arc::new(Lane {
                state,
                styles: RwLock::new(HashMap::new()),
            }),
            inner,
        }
    }
}

impl<S> Service<Request> for FastTiles<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<Ready<Result<Response, Infallible>>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        match self.lane.cached_tile(&request) {
            Some(response) => Either::Left(ready(Ok(response))),
            None => Either::Right(self.inner.call(request)),
        }
    }
}

impl Lane {
    /// The answer to `request` when it is a plain GET of a tile that is cached or empty.
    fn cached_tile(&self, request: &Request) -> Option<Response> {
        if request.method() != Method::GET {
            return None;
        }
        let headers = request.headers();
        if headers.contains_key(header::IF_NONE_MATCH) || headers.contains_key(NO_CACHE_HEADER) {
            return None;
        }
        let uri = request.uri();
        let rest = uri.path().strip_prefix("/tiles/")?;
        if rest.contains('%') {
            return None;
        }
        let mut parts = rest.split('/');
        let (layer_id, indicator_id, z, x, name) = (
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
        );
        if parts.next().is_some() {
            return None;
        }
        let state = &self.state;
        let (li, layer) = state.layer(layer_id).ok()?;
        let (ii, _) = layer.indicator(indicator_id).ok()?;
        let _ = layer;
        let (y, scale) = parse_tile_name(name).ok()?;
        let coord = parse_tile(z, x, y).ok()?;
        let classified = self.style(li, ii, uri)?;
        let tile = state.ready_tile(&classified, coord, scale)?;
        let status = match tile.answered {
            Answered::Empty => STATUS_EMPTY,
            Answered::Restyled => STATUS_RESTYLED,
            _ => STATUS_HIT,
        };
        Some(tile_response(tile.png, etag_header(&tile.etag), status))
    }

    /// The classified style of a raw query, remembered after the first request.
    fn style(
        &self,
        layer: usize,
        indicator: usize,
        uri: &axum::http::Uri,
    ) -> Option<Arc<Classified>> {
        let query = uri.query().unwrap_or("");
        let hash = Fnv::new()
            .u64(layer as u64)
            .u64(indicator as u64)
            .bytes(query.as_bytes())
            .finish();
        {
            let styles = self.styles.read().unwrap_or_else(|e| e.into_inner());
            match styles.get(&hash) {
                Some((q, c)) if &**q == query => return Some(Arc::clone(c)),
                // Another query with the same hash: leave it to the router.
                Some(_) => return None,
                None => {}
            }
        }
        // The same parse as axum's `Query` (serde_urlencoded), without its error-path wrapper,
        // which cost 3 % of a new style's request: a query that does not parse goes to the
        // router, whose error names the parameter.
        let params: Style = serde_urlencoded::from_str(query).ok()?;
        let classified = self.state.classified(layer, indicator, &params).ok()?;
        let mut styles = self.styles.write().unwrap_or_else(|e| e.into_inner());
        if styles.len() >= MAX_QUERIES {
            styles.clear();
        }
        styles.insert(hash, (query.into(), Arc::clone(&classified)));
        Some(classified)
    }
}

const STATUS_HIT: HeaderValue = HeaderValue::from_static("hit");
const STATUS_EMPTY: HeaderValue = HeaderValue::from_static("empty");
const STATUS_RESTYLED: HeaderValue = HeaderValue::from_static("restyled");

#[cfg(test)]
pub(crate) mod tests {
    use super::super::tiles::CACHE_STATUS_HEADER;
    use super::*;
    use crate::source;
    use crate::state::ServerOptions;
    use axum::body::Body;
    use axum::http::StatusCode;
    use bytes::Bytes;
    use tower::ServiceExt;

    /// The NC SIDS boundary file served as an atlas (also used by `workers.rs`'s tests).
    pub(crate) fn nc_state() -> Arc<AppState> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/nc_sids/nc.shp");
        let (atlas, _) = source::load_all(&[path], &Default::default()).unwrap();
        Arc::new(AppState::new(atlas, &ServerOptions::default()))
    }

    fn lane(state: &Arc<AppState>) -> Lane {
        Lane {
            state: Arc::clone(state),
            styles: RwLock::new(HashMap::new()),
        }
    }

    fn request(uri: &str, headers: &[(&str, &str)]) -> Request {
        let mut r = Request::get(uri);
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        r.body(Body::empty()).unwrap()
    }

    async fn parts(response: Response) -> (StatusCode, Vec<(String, String)>, Bytes) {
        let status = response.status();
        let mut headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_string()))
            .collect();
        headers.sort();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, headers, body)
    }

    /// What the tile route itself sends: without the CORS headers the router's layers add
    /// around both, and without `content-length`, which axum sets on routed answers and hyper
    /// sets from the body's exact size on the others (the same on the wire).
    fn tile_headers(headers: &[(String, String)]) -> Vec<(String, String)> {
        headers
            .iter()
            .filter(|(k, _)| {
                !k.starts_with("access-control") && k != "vary" && k != "content-length"
                    // Added around both by the app's security layer (`http::envelope`).
                    && !super::super::security::ADDED_HEADERS.contains(&k.as_str())
            })
            .cloned()
            .collect()
    }

    /// The handler's answer for a request the lane passes on (an `If-None-Match` that does not
    /// match leaves the handler's answer as it would be without the header).
    async fn via_router(
        state: &Arc<AppState>,
        uri: &str,
    ) -> (StatusCode, Vec<(String, String)>, Bytes) {
        let response = crate::app(Arc::clone(state))
            .oneshot(request(uri, &[("if-none-match", "\"other\"")]))
            .await
            .unwrap();
        parts(response).await
    }

    #[tokio::test]
    async fn a_hit_is_answered_as_the_handler_answers_it() {
        let state = nc_state();
        let lane = lane(&state);
        let uri = "/tiles/nc/SID74/7/35/50.png?method=jenks&classes=4";
        assert!(
            lane.cached_tile(&request(uri, &[])).is_none(),
            "not cached yet"
        );
        let first = crate::app(Arc::clone(&state))
            .oneshot(request(uri, &[]))
            .await
            .unwrap();
        assert_eq!(first.headers()[CACHE_STATUS_HEADER], "miss");
        let fast = parts(lane.cached_tile(&request(uri, &[])).unwrap()).await;
        let slow = via_router(&state, uri).await;
        assert_eq!(fast.0, StatusCode::OK);
        assert_eq!(fast.1, tile_headers(&slow.1));
        assert_eq!(fast.2, slow.2);
        assert!(fast.1.contains(&("x-quartier-cache".into(), "hit".into())));
        // One miss (the first request), two hits (lane and handler).
        let s = state.stats().cache;
        assert_eq!((s.hits, s.misses), (2, 1));
    }

    #[tokio::test]
    async fn an_empty_tile_is_answered_as_the_handler_answers_it() {
        let state = nc_state();
        // Zoom 5, the Pacific: far from North Carolina.
        let uri = "/tiles/nc/SID74/5/0/12@2x.png";
        let fast = parts(lane(&state).cached_tile(&request(uri, &[])).unwrap()).await;
        let slow = via_router(&state, uri).await;
        assert_eq!(fast.1, tile_headers(&slow.1));
        assert_eq!(fast.2, slow.2);
        assert!(fast
            .1
            .contains(&("x-quartier-cache".into(), "empty".into())));
    }

    #[tokio::test]
    async fn everything_else_goes_to_the_router() {
        let state = nc_state();
        let lane = lane(&state);
        let cached = "/tiles/nc/SID74/7/35/50.png";
        crate::app(Arc::clone(&state))
            .oneshot(request(cached, &[]))
            .await
            .unwrap();
        assert!(lane.cached_tile(&request(cached, &[])).is_some());
        for (uri, headers) in [
            (cached, vec![("if-none-match", "\"x\"")]),
            (cached, vec![(NO_CACHE_HEADER, "1")]),
            ("/tiles/nc/SID74/7/36/50.png", vec![]), // not rendered yet
            ("/tiles/nc/SID74/7/35/50.png?classes=99", vec![]),
            ("/tiles/nc/SID74/7/35/50.png?method=nonsense", vec![]),
            ("/tiles/xx/SID74/7/35/50.png", vec![]),
            ("/tiles/nc/xx/7/35/50.png", vec![]),
            ("/tiles/nc/SID74/7/35/50.jpg", vec![]),
            ("/tiles/nc/SID74/7/999/50.png", vec![]),
            ("/tiles/nc/SID74/7/35/50.png/more", vec![]),
            ("/tiles/n%63/SID74/7/35/50.png", vec![]),
            ("/api/layers", vec![]),
        ] {
            assert!(
                lane.cached_tile(&request(uri, &headers)).is_none(),
                "{uri} {headers:?}"
            );
        }
        let head = Request::head(cached).body(Body::empty()).unwrap();
        assert!(lane.cached_tile(&head).is_none());
        // The router still answers those, e.g. the percent-encoded layer id.
        let a = crate::app(Arc::clone(&state))
            .oneshot(request("/tiles/n%63/SID74/7/35/50.png", &[]))
            .await
            .unwrap();
        assert_eq!(a.status(), StatusCode::OK);
        assert_eq!(a.headers()[CACHE_STATUS_HEADER], "hit");
    }

    /// A tile drawn in two styles has its raster; a third style is restyled by the lane, and
    /// kept only from its second request on (`quartier_atlas::cache`'s admission).
    #[tokio::test]
    async fn a_restyled_tile_is_cached_from_its_second_request() {
        let state = nc_state();
        let lane = lane(&state);
        let tile = "/tiles/nc/SID74/9/145/201.png";
        for style in ["method=quantile", "method=jenks"] {
            let r = crate::app(Arc::clone(&state))
                .oneshot(request(&format!("{tile}?{style}"), &[]))
                .await
                .unwrap();
            assert_eq!(r.headers()[CACHE_STATUS_HEADER], "miss", "{style}");
        }
        let third = format!("{tile}?method=manual&breaks=1,2,5");
        let status = |r: Response| r.headers()[CACHE_STATUS_HEADER].clone();
        let answers = [
            status(lane.cached_tile(&request(&third, &[])).unwrap()),
            status(lane.cached_tile(&request(&third, &[])).unwrap()),
            status(lane.cached_tile(&request(&third, &[])).unwrap()),
        ];
        assert_eq!(answers, [STATUS_RESTYLED, STATUS_RESTYLED, STATUS_HIT]);
        assert_eq!(state.stats().rasters_built, 1);
    }

    #[tokio::test]
    async fn one_style_under_two_spellings_shares_its_tiles() {
        let state = nc_state();
        let lane = lane(&state);
        crate::app(Arc::clone(&state))
            .oneshot(request(
                "/tiles/nc/SID74/7/35/50.png?classes=4&method=equal",
                &[],
            ))
            .await
            .unwrap();
        let a = lane
            .cached_tile(&request(
                "/tiles/nc/SID74/7/35/50.png?method=equal&classes=4",
                &[],
            ))
            .unwrap();
        let b = lane
            .cached_tile(&request(
                "/tiles/nc/SID74/7/35/50.png?classes=4&method=equal",
                &[],
            ))
            .unwrap();
        assert_eq!(a.headers()[header::ETAG], b.headers()[header::ETAG]);
        assert_eq!(lane.styles.read().unwrap().len(), 2);
    }
}
