//! Answers shared by every route family: JSON with a strong ETag over its bytes, 304s for
//! `If-None-Match`, and the `lang` parameter.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use quartier_atlas::Etag;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// `Cache-Control` of JSON answers: short, so a page sees new data within a minute.
pub const JSON_CACHE_CONTROL: &str = "public, max-age=60";

/// The `lang` query parameter of routes with texts.
#[derive(Debug, Default, Deserialize)]
pub(super) struct LangQuery {
    pub(super) lang: Option<String>,
}

/// An ETag as a header value (quotes, hex digits and a dash: always valid).
pub(super) fn etag_header(etag: &Etag) -> HeaderValue {
    HeaderValue::from_bytes(etag.as_bytes()).unwrap_or_else(|_| HeaderValue::from_static("\"0\""))
}

/// True when the request's `If-None-Match` matches `etag`, i.e. the client's copy is current and
/// the answer is 304.
///
/// RFC 9110 §13.1.2: a list of entity tags or `*`, compared weakly (a `W/` prefix is ignored).
pub(super) fn if_none_match(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let ours = etag.as_bytes();
    let ours = ours.strip_prefix(b"W/").unwrap_or(ours);
    headers.get_all(header::IF_NONE_MATCH).iter().any(|value| {
        value.as_bytes().split(|b| *b == b',').any(|tag| {
            let tag = tag.trim_ascii();
            let tag = tag.strip_prefix(b"W/").unwrap_or(tag);
            tag == b"*" || tag == ours
        })
    })
}

/// A JSON answer with a strong ETag over its bytes; 304 when the client has it.
pub(super) fn json_response(
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

pub(super) fn bytes_response(
    state: &AppState,
    headers: &HeaderMap,
    body: Bytes,
    content_type: &'static str,
    cache_control: &'static str,
) -> Response {
    let etag = etag_header(&Etag::of_body(state.version_hash, &body));
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

pub(super) fn not_modified(etag: HeaderValue, cache_control: &'static str) -> Response {
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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header::IF_NONE_MATCH;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(IF_NONE_MATCH, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn if_none_match_lists_wildcards_and_weak_tags() {
        let e = etag_header(&Etag::new(1, 2));
        let tag = e.to_str().unwrap().to_string();
        assert!(if_none_match(&headers(&[&tag]), &e));
        assert!(if_none_match(&headers(&[&format!("\"x\", {tag}")]), &e));
        assert!(if_none_match(&headers(&[&format!("W/{tag}")]), &e));
        assert!(if_none_match(&headers(&["\"x\"", &tag]), &e));
        assert!(if_none_match(&headers(&["*"]), &e));
        assert!(!if_none_match(&headers(&["\"x\""]), &e));
        assert!(!if_none_match(&HeaderMap::new(), &e));
    }
}
