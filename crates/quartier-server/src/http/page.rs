//! The map page and the fallbacks: what `/` shows without the page, unknown routes (a JSON 404)
//! and methods other than GET and HEAD (405).

use axum::extract::Request;
use axum::http::{Method, Uri};
use axum::response::{Html, IntoResponse, Response};

use crate::error::AppError;

/// Unknown route: a JSON 404 pointing at the API.
pub(super) async fn not_found(uri: Uri) -> AppError {
    AppError::not_found(format!(
        "no route {}: the API is under /api/layers and /tiles (see docs/api.md)",
        uri.path()
    ))
}

pub(super) async fn method_not_allowed(method: Method, uri: Uri) -> AppError {
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

pub(super) async fn no_web_page(request: Request) -> Response {
    match request.uri().path() {
        "/" | "/index.html" => Html(NO_WEB_PAGE).into_response(),
        _ => not_found(request.uri().clone()).await.into_response(),
    }
}
