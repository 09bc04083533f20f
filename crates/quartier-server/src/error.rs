//! Errors as HTTP responses: one [`AppError`] that every handler returns.
//!
//! Bad input (a wrong parameter, an unknown layer) is the client's to fix: it gets a 400 or 404 with a
//! message saying what is allowed, and is not logged above debug.
//! Internal failures (a tile that failed to render, a panicked render thread) get a generic 500 body;
//! the detail goes to the log, never to the client.
//! This follows axum's `examples/error-handling`.
//!
//! The extractors [`JsonPath`] and [`JsonQuery`] wrap axum's `Path` and `Query` so that their
//! rejections, too, come back as JSON (axum's `examples/customize-path-rejection`).

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use quartier_atlas::{AtlasError, Lang};
use serde::de::DeserializeOwned;

/// What went wrong with a request, as the client should see it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// A parameter is malformed or out of range (400); the message says what is allowed.
    #[error("{0}")]
    BadRequest(String),
    /// The layer, indicator, district or route does not exist (404); the message says what does.
    #[error("{0}")]
    NotFound(String),
    /// The method is not allowed on this route (405): the API is read-only.
    #[error("{0}")]
    MethodNotAllowed(String),
    /// An error whose message exists in English and German (the atlas's 400s and 404s, a publish
    /// refused for its losses): the body carries both (`error`, `error_de`), and the page shows
    /// its reader's.
    #[error("{en}")]
    Localized {
        /// 400 (a bad parameter), 404 (an unknown name) or 409 (a refused publish).
        status: StatusCode,
        /// The English message.
        en: String,
        /// The German message.
        de: String,
    },
    /// Something failed on the server (500); the message is logged, the client sees a generic text.
    #[error("internal error: {0}")]
    Internal(String),
    /// The admin API was asked without its token (401).
    #[error("{0}")]
    Unauthorized(String),
    /// The request conflicts with the server's state (409): an admin action the data refuses.
    #[error("{0}")]
    Conflict(String),
    /// The uploaded data cannot be used (422); the message says why.
    #[error("{0}")]
    Unprocessable(String),
    /// The server cannot answer now but will soon (503 with `Retry-After`): all render slots
    /// stayed busy, or the answer took longer than the request timeout.
    #[error("{message}")]
    Unavailable {
        /// What is busy and what to do.
        message: String,
        /// Seconds after which a retry is likely to succeed.
        retry_after_s: u64,
    },
}

/// Result of a handler.
pub type AppResult<T> = Result<T, AppError>;

/// The one place where the atlas's failures become HTTP statuses: unknown names are 404s, bad
/// parameters 400s, failed renders 500s.
impl From<AtlasError> for AppError {
    fn from(e: AtlasError) -> Self {
        let status = match e {
            AtlasError::UnknownLayer { .. }
            | AtlasError::UnknownIndicator { .. }
            | AtlasError::UnknownDistrict { .. } => StatusCode::NOT_FOUND,
            AtlasError::BadStyle(_) | AtlasError::BadLanguage(_) => StatusCode::BAD_REQUEST,
            AtlasError::Render(m) => return AppError::Internal(m),
        };
        AppError::Localized {
            status,
            en: e.to_string(),
            de: e.message(Lang::De),
        }
    }
}

impl AppError {
    /// A 400 with this message.
    pub fn bad_request(message: impl Into<String>) -> Self {
        AppError::BadRequest(message.into())
    }

    /// A 404 with this message.
    pub fn not_found(message: impl Into<String>) -> Self {
        AppError::NotFound(message.into())
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Localized { status, .. } => *status,
        }
    }

    /// The 503 for a request that found no answer within `timeout`.
    pub fn request_timeout(timeout: std::time::Duration) -> Self {
        AppError::Unavailable {
            message: format!(
                "the server did not answer within {timeout:?}; try again in a moment \
                 (Der Server hat nicht rechtzeitig geantwortet; bitte gleich noch einmal versuchen.)"
            ),
            retry_after_s: 2,
        }
    }
}

/// The JSON body `{"error": "..."}` with its content type, built without serde so that no error
/// path can itself fail.
pub fn json_error_body(message: &str) -> String {
    json_error_body_in(message, None)
}

/// `{"error": "...", "error_de": "..."}`: the English message and, where there is one, the German.
pub fn json_error_body_in(message: &str, german: Option<&str>) -> String {
    let mut out = String::with_capacity(message.len() + 14);
    out.push_str("{\"error\":");
    // serde_json's string escaping cannot fail for a `&str`.
    out.push_str(&serde_json::Value::from(message).to_string());
    if let Some(de) = german {
        out.push_str(",\"error_de\":");
        out.push_str(&serde_json::Value::from(de).to_string());
    }
    out.push('}');
    out
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            AppError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                "internal error: the server failed to answer this request; the log has the details"
                    .to_string()
            }
            AppError::Unavailable { message, .. } => {
                tracing::error!(%status, "{message}");
                message.clone()
            }
            AppError::Localized { en, .. } => {
                tracing::debug!(%status, error = %en, "bad request");
                en.clone()
            }
            other => {
                tracing::debug!(%status, error = %other, "bad request");
                other.to_string()
            }
        };
        let german = match &self {
            AppError::Localized { de, .. } => Some(de.as_str()),
            _ => None,
        };
        let mut response = (status, json_error_body_in(&message, german)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        // Errors depend on the request only, but must never be cached as if they were data.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        match self {
            AppError::Unavailable { retry_after_s, .. } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after_s));
            }
            AppError::Unauthorized(_) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            _ => {}
        }
        response
    }
}

/// axum's `Path`, with rejections turned into a JSON 400.
#[derive(Debug)]
pub struct JsonPath<T>(pub T);

impl<S, T> FromRequestParts<S> for JsonPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(JsonPath(value)),
            Err(rejection) => Err(path_rejection(rejection)),
        }
    }
}

fn path_rejection(rejection: PathRejection) -> AppError {
    match rejection {
        PathRejection::FailedToDeserializePathParams(e) => {
            AppError::bad_request(format!("bad path parameter: {}", e.body_text()))
        }
        // A route without the parameters its handler expects is a programming error.
        other => AppError::Internal(other.body_text()),
    }
}

/// axum's `Query`, with rejections turned into a JSON 400.
#[derive(Debug)]
pub struct JsonQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for JsonQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(JsonQuery(value)),
            Err(rejection) => Err(query_rejection(rejection)),
        }
    }
}

fn query_rejection(rejection: QueryRejection) -> AppError {
    AppError::bad_request(format!("bad query string: {}", rejection.body_text()))
}

/// An error and its causes on one line, `a: b: c`, leaving out a cause whose text its parent
/// already quotes (many errors print their source in their own message). For logs and the CLI.
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = String::new();
    let mut cause = Some(err);
    while let Some(e) = cause {
        let text = e.to_string();
        if !out.contains(&text) {
            if !out.is_empty() {
                out.push_str(": ");
            }
            out.push_str(&text);
        }
        cause = e.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_is_json_and_escapes_quotes() {
        let body = json_error_body("unknown layer \"x\"");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["error"], "unknown layer \"x\"");
    }

    #[test]
    fn statuses() {
        assert_eq!(AppError::bad_request("x").status(), StatusCode::BAD_REQUEST);
        assert_eq!(AppError::not_found("x").status(), StatusCode::NOT_FOUND);
        assert_eq!(
            AppError::Internal("x".into()).status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    #[test]
    fn internal_detail_is_not_sent() {
        let response = AppError::Internal("secret path /etc/x".into()).into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    }
}
