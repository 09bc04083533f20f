//! The envelope of every answer: counted and timed for `/metrics`, the security headers added,
//! versioned tiles cached for a year, the status logged.
//!
//! One hand-written tower service instead of two `axum::middleware::from_fn` layers: those clone
//! the inner service, box it and box a future for every request, which on cached tiles (the
//! busiest answers, about 19 µs of server CPU each) cost about 3 µs; without them the server
//! answered 15 % more cached tiles in the same run (`benches/RESULTS.md`). What the envelope does
//! to an answer lives next to what it is about (`security::finish`, `metrics::count`).

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::Request;
use axum::http::Method;
use axum::response::Response;
use tower::{Layer, Service};

use super::metrics;
use super::security::{self, LayerVersions, SecurityHeaders};

/// Wraps a service in the [`Envelope`].
#[derive(Clone)]
pub(crate) struct EnvelopeLayer {
    headers: Arc<SecurityHeaders>,
    versions: Arc<LayerVersions>,
}

impl EnvelopeLayer {
    pub(crate) fn new(headers: SecurityHeaders, versions: Arc<LayerVersions>) -> Self {
        EnvelopeLayer {
            headers: Arc::new(headers),
            versions,
        }
    }
}

impl<S> Layer<S> for EnvelopeLayer {
    type Service = Envelope<S>;

    fn layer(&self, inner: S) -> Envelope<S> {
        Envelope {
            inner,
            headers: Arc::clone(&self.headers),
            versions: Arc::clone(&self.versions),
        }
    }
}

/// See the module docs.
#[derive(Clone)]
pub(crate) struct Envelope<S> {
    inner: S,
    headers: Arc<SecurityHeaders>,
    versions: Arc<LayerVersions>,
}

/// What the envelope needs of the request once the answer is there.
struct Asked {
    route: usize,
    started: Instant,
    method: Method,
    /// For the log line of an error answer.
    uri: axum::http::Uri,
    versioned: bool,
    varies_with_host: bool,
}

impl<S> Service<Request> for Envelope<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
    S::Future: Unpin,
{
    type Response = Response;
    type Error = Infallible;
    type Future = EnvelopeFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let uri = request.uri();
        let path = uri.path();
        let asked = Asked {
            route: metrics::route_of(path),
            started: Instant::now(),
            method: request.method().clone(),
            versioned: security::is_versioned_tile(path, uri.query(), &self.versions),
            varies_with_host: security::varies_with_host(path),
            uri: uri.clone(),
        };
        EnvelopeFuture {
            inner: self.inner.call(request),
            asked: Some(asked),
            headers: Arc::clone(&self.headers),
        }
    }
}

/// The inner answer, then the envelope's work on it.
pub(crate) struct EnvelopeFuture<F> {
    inner: F,
    asked: Option<Asked>,
    headers: Arc<SecurityHeaders>,
}

impl<F> Future for EnvelopeFuture<F>
where
    F: Future<Output = Result<Response, Infallible>> + Unpin,
{
    type Output = Result<Response, Infallible>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Ok(mut response) = std::task::ready!(Pin::new(&mut self.inner).poll(cx));
        // Polled once more after it was ready would be a tower contract breach; answer as is.
        if let Some(asked) = self.asked.take() {
            security::finish(
                &self.headers,
                &mut response,
                asked.versioned,
                asked.varies_with_host,
            );
            security::log_status(&asked.method, asked.uri.path(), response.status());
            metrics::count(asked.route, response.status(), asked.started);
        }
        Poll::Ready(Ok(response))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{header, StatusCode};
    use tower::ServiceExt;

    fn versions() -> Arc<LayerVersions> {
        Arc::new(
            [("nc".to_string(), "abc".to_string())]
                .into_iter()
                .collect(),
        )
    }

    async fn through(uri: &str, status: StatusCode) -> Response {
        // A ready future: the envelope asks for an `Unpin` inner future, as axum's router has.
        let inner = tower::service_fn(move |_: Request| {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = status;
            r.headers_mut().insert(
                header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("public, max-age=3600"),
            );
            std::future::ready(Ok::<_, Infallible>(r))
        });
        let layer = EnvelopeLayer::new(SecurityHeaders::new(None, Some("'none'")), versions());
        layer
            .layer(inner)
            .oneshot(Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn adds_the_headers_and_caches_only_the_live_version_for_a_year() {
        let live = through("/tiles/nc/sids/7/36/50.png?v=abc", StatusCode::OK).await;
        let h = live.headers();
        assert!(h.contains_key(header::CONTENT_SECURITY_POLICY));
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(
            h[header::CACHE_CONTROL],
            security::VERSIONED_TILE_CACHE_CONTROL
        );
        // An old version keeps the hour; a 404 is never made immutable.
        let old = through("/tiles/nc/sids/7/36/50.png?v=old", StatusCode::OK).await;
        assert_eq!(old.headers()[header::CACHE_CONTROL], "public, max-age=3600");
        let missing = through("/tiles/nc/sids/7/36/50.png?v=abc", StatusCode::NOT_FOUND).await;
        assert_eq!(
            missing.headers()[header::CACHE_CONTROL],
            "public, max-age=3600"
        );
        // Answers that name the server's address vary with it.
        let wmts = through("/wmts/1.0.0/WMTSCapabilities.xml", StatusCode::OK).await;
        assert_eq!(wmts.headers()[header::VARY], "host");
    }

    #[tokio::test]
    async fn counts_every_answer_by_route_and_status() {
        // 503 on /health: no other test of this process answers that.
        let route = metrics::route_of("/health");
        let before = metrics::answered(route, 503);
        through("/health", StatusCode::SERVICE_UNAVAILABLE).await;
        assert_eq!(metrics::answered(route, 503), before + 1);
    }
}
