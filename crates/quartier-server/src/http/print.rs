//! Print routes: `/static/{layer}/{indicator}.{png|svg|pdf}` (one map, the style parameters of
//! the tiles plus the print parameters), `/report/{layer}/{district}.pdf` (one profile) and
//! `/report/{layer}.pdf` (the whole report).
//!
//! The pages are the atlas's ([`Atlas::map_page`](quartier_atlas::Atlas::map_page) and friends),
//! composed and encoded on the blocking pool, at most one per core at a time. ETags hash the
//! data version and everything the page depends on, so a 304 costs no drawing.

use std::sync::{Arc, OnceLock};

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use quartier_atlas::hash::Fnv;
use quartier_atlas::print::{
    MapRequest, PrintFormat, PrintParams, PrintRequestError, ProfileRequest, ReportRequest,
};
use quartier_atlas::{Etag, Style};
use quartier_render::print::compose_profile;
use tokio::sync::Semaphore;

use super::respond::{etag_header, if_none_match, not_modified};
use super::tiles::TILE_CACHE_CONTROL;
use crate::error::{AppError, AppResult, JsonPath, JsonQuery};
use crate::state::AppState;

/// Resolution of a PNG when the request gives none: screen-and-office quality, a quarter of the
/// pixels of 300 dpi (ask for `dpi=300` to print).
pub const DEFAULT_HTTP_DPI: f64 = 150.0;

impl From<PrintRequestError> for AppError {
    fn from(e: PrintRequestError) -> Self {
        match e {
            PrintRequestError::Atlas(a) => a.into(),
            e if e.is_bad_request() => AppError::BadRequest(e.to_string()),
            e => AppError::Internal(e.to_string()),
        }
    }
}

/// Pages drawn at the same time: one per core, so that a burst of print requests queues
/// instead of taking the memory of many 300 dpi pages at once.
fn permits() -> &'static Semaphore {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    PERMITS
        .get_or_init(|| Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())))
}

/// `"name.ext"` -> `("name", "ext")`, with the extensions allowed listed when it is wrong.
fn split_name<'a>(name: &'a str, allowed: &[&str], what: &str) -> AppResult<(&'a str, String)> {
    let bad = || {
        AppError::bad_request(format!(
            "{name:?} is not {what}.{}",
            allowed.join(format!(" or {what}.").as_str())
        ))
    };
    let (stem, ext) = name.rsplit_once('.').ok_or_else(bad)?;
    let ext = ext.to_ascii_lowercase();
    if stem.is_empty() || !allowed.contains(&ext.as_str()) {
        return Err(bad());
    }
    Ok((stem, ext))
}

/// Runs a page job on the blocking pool under a permit.
async fn draw<T: Send + 'static>(
    job: impl FnOnce() -> Result<T, PrintRequestError> + Send + 'static,
) -> AppResult<T> {
    let _permit = permits()
        .acquire()
        .await
        .map_err(|e| AppError::Internal(format!("print pool closed: {e}")))?;
    tokio::task::spawn_blocking(job)
        .await
        .map_err(|e| AppError::Internal(format!("print task failed: {e}")))?
        .map_err(AppError::from)
}

fn answer(body: Vec<u8>, content_type: &'static str, etag: HeaderValue, file: &str) -> Response {
    let disposition = format!("inline; filename=\"{}\"", file.replace(['"', '\\'], "_"));
    let mut response = (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static(TILE_CACHE_CONTROL),
            ),
            (header::ETAG, etag),
        ],
        body,
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// The ETag of a print answer: the data version and every input of the page.
fn print_etag(state: &AppState, parts: &[&str]) -> HeaderValue {
    let hash = parts
        .iter()
        .fold(Fnv::new().field("print"), |h, p| h.field(p))
        .finish();
    etag_header(&Etag::new(state.version_hash, hash))
}

/// `GET /static/{layer}/{indicator}.{png|svg|pdf}`.
pub(super) async fn static_map(
    State(state): State<Arc<AppState>>,
    JsonPath((layer, file)): JsonPath<(String, String)>,
    JsonQuery(style): JsonQuery<Style>,
    JsonQuery(params): JsonQuery<PrintParams>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let (indicator, ext) = split_name(&file, &["png", "svg", "pdf"], "{indicator}")?;
    let indicator = indicator.to_string();
    let classified = state.classify(&layer, &indicator, &style)?;
    let view = params.view()?;
    let page = params.page(DEFAULT_HTTP_DPI)?;
    let lang = params.lang()?;
    let etag = print_etag(
        &state,
        &[
            &layer,
            &file,
            &classified.canonical,
            &format!("{view:?} {page:?} {lang:?} {:?}", params.title()),
        ],
    );
    if if_none_match(&headers, &etag) {
        return Ok(not_modified(etag, TILE_CACHE_CONTROL));
    }
    let format = PrintFormat::from_extension(&ext)
        .ok_or_else(|| AppError::Internal(format!("unchecked extension {ext}")))?;
    let st = Arc::clone(&state);
    let body = draw(move || {
        let title = params.title();
        let request = MapRequest {
            layer: &layer,
            indicator: &indicator,
            style: &style,
            view: &view,
            page,
            lang,
            title: title.as_deref(),
        };
        Ok(st.print_map(&request, format)?.0)
    })
    .await?;
    let content_type = format.content_type();
    Ok(answer(body, content_type, etag, &file))
}

/// `GET /report/{layer}.pdf`: the whole report.
pub(super) async fn report(
    State(state): State<Arc<AppState>>,
    JsonPath(file): JsonPath<String>,
    JsonQuery(style): JsonQuery<Style>,
    JsonQuery(params): JsonQuery<PrintParams>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let (layer, _) = split_name(&file, &["pdf"], "{layer}")?;
    let layer = state.layer(layer)?.1.id().to_string();
    let lang = params.lang()?;
    // Every style parameter is checked before the work starts (a bad one is a 400 at once).
    for ind in &state.layer(&layer)?.1.atlas.indicators {
        state.classify(&layer, &ind.id, &style)?;
    }
    let etag = print_etag(&state, &[&file, &format!("{style:?} {lang:?}")]);
    if if_none_match(&headers, &etag) {
        return Ok(not_modified(etag, TILE_CACHE_CONTROL));
    }
    let st = Arc::clone(&state);
    let body = draw(move || {
        st.report(
            &ReportRequest {
                layer: &layer,
                style: &style,
                lang,
                // One page at a time: the server's other requests keep their cores.
                threads: 1,
            },
            &|_| {},
        )
    })
    .await?;
    Ok(answer(body, "application/pdf", etag, &file))
}

/// `GET /report/{layer}/{district}.pdf`: one district's profile.
pub(super) async fn profile(
    State(state): State<Arc<AppState>>,
    JsonPath((layer, file)): JsonPath<(String, String)>,
    JsonQuery(style): JsonQuery<Style>,
    JsonQuery(params): JsonQuery<PrintParams>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let (district, _) = split_name(&file, &["pdf"], "{district}")?;
    let district = district.to_string();
    state.layer(&layer)?.1.district(&district)?;
    let lang = params.lang()?;
    let page = params.page(DEFAULT_HTTP_DPI)?;
    let etag = print_etag(
        &state,
        &[&layer, &file, &format!("{style:?} {page:?} {lang:?}")],
    );
    if if_none_match(&headers, &etag) {
        return Ok(not_modified(etag, TILE_CACHE_CONTROL));
    }
    let st = Arc::clone(&state);
    let body = draw(move || {
        let geometry = st.print_geometry(&layer)?;
        let profile = st.profile_page(
            &geometry,
            &ProfileRequest {
                layer: &layer,
                district: &district,
                style: &style,
                page,
                lang,
            },
        )?;
        Ok(compose_profile(&profile)?.to_pdf()?)
    })
    .await?;
    Ok(answer(body, "application/pdf", etag, &file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names() {
        let (s, e) = split_name("sids.PNG", &["png", "svg", "pdf"], "{indicator}").unwrap();
        assert_eq!((s, e.as_str()), ("sids", "png"));
        let (s, _) = split_name("05358.pdf", &["pdf"], "{district}").unwrap();
        assert_eq!(s, "05358");
        let e = split_name("sids.jpg", &["png", "svg", "pdf"], "{indicator}")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("{indicator}.png or {indicator}.svg or {indicator}.pdf"),
            "{e}"
        );
        assert!(split_name(".pdf", &["pdf"], "{layer}").is_err());
        assert!(split_name("nc", &["pdf"], "{layer}").is_err());
    }
}
