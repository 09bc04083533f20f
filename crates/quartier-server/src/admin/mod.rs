//! The admin API: stage a new table or boundary file as a version, read its validation report,
//! preview it, publish it, roll back by publishing an older one. Off unless a token is
//! configured (`QUARTIER_ADMIN_TOKEN` or `--admin-token-file`, never a command-line value).
//!
//! | route | what |
//! |---|---|
//! | `PUT /admin/layers/{layer}/tables/{table}` | stage a version with a new CSV for a table |
//! | `PUT /admin/layers/{layer}/boundaries` | stage a version with a new boundary file |
//! | `GET /admin/layers` | the layers of the base manifest with the files an upload may replace |
//! | `GET /admin/versions` | every version: id, time, change, live |
//! | `POST /admin/versions/{id}/publish[?force=1]` | make a version live (rollback: an older id) |
//! | an API or tile route with `?version=ID` | the staged version instead of the live one |
//!
//! Every request needs `Authorization: Bearer TOKEN` (compared in constant time); without it the
//! answer is 401. Versions live under `--data-dir` ([`store`]) and survive restarts: the server
//! starts on the last published one. Publishing runs the same guards as a reload
//! ([`crate::guards`]).

pub mod store;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, Query, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use tower::ServiceExt;

use crate::error::{error_chain, AppError};
use crate::guards;
use crate::reload::{LiveApp, ReloadError, Reloader};
use crate::state::AppState;
use store::{safe_relative, VersionStore};

/// The largest upload: a city's boundary zip or table is a few MB; this leaves room.
pub const MAX_UPLOAD_BYTES: usize = 256 * 1024 * 1024;
/// The shortest token accepted: shorter ones can be guessed.
pub const MIN_TOKEN_LEN: usize = 16;
/// Staged versions kept loaded for previews.
const PREVIEWS: usize = 4;
/// The routes a preview answers (what the map page asks for).
const PREVIEW_ROUTES: [&str; 3] = ["/api/", "/tiles/", "/styles/"];

/// The admin API of one server.
pub struct Admin {
    token: Vec<u8>,
    store: VersionStore,
    live: LiveApp,
    reloader: Reloader,
    previews: Mutex<Vec<(String, Arc<AppState>)>>,
}

impl std::fmt::Debug for Admin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Admin").finish_non_exhaustive()
    }
}

/// Why the admin API could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AdminError {
    /// The token is too short.
    #[error("the admin token has {0} characters: use at least {MIN_TOKEN_LEN} random ones (e.g. `openssl rand -hex 24`)")]
    ShortToken(usize),
    /// The data directory cannot be used.
    #[error("cannot use the data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// The system's error.
        #[source]
        source: std::io::Error,
    },
}

impl Admin {
    /// The admin API over `live`, storing versions under `data_dir`.
    pub fn new(
        token: &str,
        data_dir: &Path,
        live: LiveApp,
        reloader: Reloader,
    ) -> Result<Arc<Admin>, AdminError> {
        let token = token.trim();
        if token.len() < MIN_TOKEN_LEN {
            return Err(AdminError::ShortToken(token.len()));
        }
        let store = VersionStore::open(data_dir).map_err(|source| AdminError::DataDir {
            path: data_dir.to_path_buf(),
            source,
        })?;
        Ok(Arc::new(Admin {
            token: token.as_bytes().to_vec(),
            store,
            live,
            reloader,
            previews: Mutex::default(),
        }))
    }

    /// The manifest of the last published version under `data_dir`, to start on after a restart.
    pub fn published_manifest(data_dir: &Path) -> Option<PathBuf> {
        let store = VersionStore::open(data_dir).ok()?;
        store.manifest(&store.live()?)
    }

    /// True when this request is the admin API's: an `/admin/` route, or an API, tile or style
    /// route with `version=` (a preview). The page's own files are not claimed: the preview page
    /// `/?version=ID` is the ordinary page, which then sends the token with its requests.
    pub fn claims(request: &Request) -> bool {
        let path = request.uri().path();
        path.starts_with("/admin/")
            || (PREVIEW_ROUTES.iter().any(|p| path.starts_with(p))
                && version_param(request).is_some())
    }

    /// Answer an admin request (one that [`Admin::claims`]).
    pub async fn answer(self: Arc<Self>, request: Request) -> Response {
        if !self.authorized(&request) {
            tracing::warn!(
                path = request.uri().path(),
                "admin request without a valid token"
            );
            return AppError::Unauthorized(
                "this needs the admin token: send Authorization: Bearer TOKEN".into(),
            )
            .into_response();
        }
        if !request.uri().path().starts_with("/admin/") {
            return self.preview(request).await;
        }
        let router = Router::new()
            .route("/admin/layers/{layer}/tables/{table}", put(stage_table))
            .route("/admin/layers/{layer}/boundaries", put(stage_boundaries))
            .route("/admin/layers", get(layers))
            .route("/admin/versions", get(list))
            .route("/admin/versions/{id}/publish", post(publish))
            .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES))
            .layer(axum::middleware::from_fn(no_store))
            .with_state(self);
        match router.oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    }

    /// Bearer token, compared in constant time (for tokens of the right length).
    fn authorized(&self, request: &Request) -> bool {
        let given = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .unwrap_or_default()
            .as_bytes();
        given.len() == self.token.len()
            && given
                .iter()
                .zip(&self.token)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }

    /// A read route answered by a staged version.
    async fn preview(self: Arc<Self>, request: Request) -> Response {
        let Some(id) = version_param(&request) else {
            return AppError::bad_request("no version given").into_response();
        };
        let admin = Arc::clone(&self);
        let state = match tokio::task::spawn_blocking(move || admin.loaded(&id)).await {
            Ok(Ok(state)) => state,
            Ok(Err(e)) => return e.into_response(),
            Err(e) => return AppError::Internal(format!("preview failed: {e}")).into_response(),
        };
        let mut response = match crate::app(state).oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        no_store_headers(&mut response);
        response
    }

    /// Version `id` loaded and checked, from the preview cache or the disk.
    fn loaded(&self, id: &str) -> Result<Arc<AppState>, AppError> {
        if let Some((_, state)) = self.previews().iter().find(|(v, _)| v == id) {
            return Ok(Arc::clone(state));
        }
        let manifest = self.store.manifest(id).ok_or_else(|| {
            AppError::not_found(format!("no version {id:?}; see GET /admin/versions"))
        })?;
        let loaded = self
            .reloader
            .load_from(&[manifest])
            .map_err(|e| AppError::Unprocessable(error_chain(&e)))?;
        let mut previews = self.previews();
        if previews.len() >= PREVIEWS {
            previews.remove(0);
        }
        previews.push((id.to_string(), Arc::clone(&loaded.state)));
        Ok(loaded.state)
    }

    fn previews(&self) -> std::sync::MutexGuard<'_, Vec<(String, Arc<AppState>)>> {
        self.previews.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The manifest new versions start from: the published version's, else the one source.
    fn base(&self) -> Result<(PathBuf, Option<String>), AppError> {
        if let Some(id) = self.store.live() {
            if let Some(m) = self.store.manifest(&id) {
                return Ok((m, Some(id)));
            }
        }
        match self.reloader.sources().as_slice() {
            [one] if crate::source::is_manifest(one) => Ok((one.clone(), None)),
            _ => Err(AppError::Conflict(
                "the admin API needs the server started with exactly one atlas manifest (.toml)"
                    .into(),
            )),
        }
    }

    /// Stage a version with `bytes` for the file named by `pick` in the base manifest, load it,
    /// and answer its report. `pick` returns (the file's path in the manifest, a new manifest
    /// text if the file name changes, the change described).
    fn stage(
        &self,
        bytes: &[u8],
        pick: impl FnOnce(&toml::Value, &str) -> Result<(String, Option<String>, String), AppError>,
    ) -> Result<Response, AppError> {
        let (manifest, parent) = self.base()?;
        let text = std::fs::read_to_string(&manifest)
            .map_err(|e| AppError::Internal(format!("cannot read {}: {e}", manifest.display())))?;
        let value: toml::Value = toml::from_str(&text)
            .map_err(|e| AppError::Unprocessable(format!("the live manifest is invalid: {e}")))?;
        let (file, new_text, change) = pick(&value, &text)?;
        let file = safe_relative(&file).ok_or_else(|| {
            AppError::Conflict(format!(
                "{file:?} is outside the manifest's folder: the admin API can only replace files \
                 next to the manifest"
            ))
        })?;
        let info = self
            .store
            .stage(&manifest, &file, bytes, new_text.as_deref(), change, parent)
            .map_err(|e| AppError::Internal(format!("cannot write the version: {e}")))?;
        let dir_manifest = self
            .store
            .manifest(&info.id)
            .ok_or_else(|| AppError::Internal("the staged version vanished".into()))?;
        match self.reloader.load_from(&[dir_manifest]) {
            Ok(loaded) => {
                let losses = guards::losses(&self.reloader.published_coverage(), &loaded.coverage);
                tracing::info!(id = %info.id, change = %info.change, "version staged");
                let body = serde_json::json!({
                    "id": info.id,
                    "change": info.change,
                    "publishable": losses.is_empty(),
                    "losses": losses,
                    "report": loaded.reports,
                });
                Ok((StatusCode::CREATED, Json(body)).into_response())
            }
            Err(e) => {
                // Nothing of a version that cannot load is kept; the answer says why.
                let _ = std::fs::remove_dir_all(
                    self.store
                        .manifest(&info.id)
                        .and_then(|m| m.parent().map(Path::to_path_buf))
                        .unwrap_or_default(),
                );
                Err(AppError::Unprocessable(format!(
                    "the new version is refused: {}",
                    error_chain(&e)
                )))
            }
        }
    }
}

/// The `version=` parameter of a request's query.
fn version_param(request: &Request) -> Option<String> {
    request.uri().query().and_then(|q| {
        q.split('&')
            .find_map(|p| p.strip_prefix("version="))
            .map(str::to_string)
    })
}

async fn no_store(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    no_store_headers(&mut response);
    response
}

/// Admin answers and previews are for the officer only: never kept by a cache.
fn no_store_headers(response: &mut Response) {
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
}

/// The `[[layer]]` with `id` in a manifest.
fn layer<'a>(manifest: &'a toml::Value, id: &str) -> Result<&'a toml::Value, AppError> {
    manifest
        .get("layer")
        .and_then(toml::Value::as_array)
        .and_then(|layers| {
            layers
                .iter()
                .find(|l| l.get("id").and_then(toml::Value::as_str) == Some(id))
        })
        .ok_or_else(|| AppError::not_found(format!("no layer {id:?} in the manifest")))
}

async fn stage_table(
    State(admin): State<Arc<Admin>>,
    UrlPath((layer_id, table_id)): UrlPath<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    blocking(move || {
        admin.stage(&body, |manifest, _| {
            let table = layer(manifest, &layer_id)?
                .get("table")
                .and_then(toml::Value::as_array)
                .and_then(|t| {
                    t.iter()
                        .find(|t| t.get("id").and_then(toml::Value::as_str) == Some(&table_id))
                })
                .ok_or_else(|| {
                    AppError::not_found(format!("layer {layer_id:?} has no table {table_id:?}"))
                })?;
            let path = table
                .get("path")
                .and_then(toml::Value::as_str)
                .unwrap_or_default()
                .to_string();
            Ok((
                path,
                None,
                format!("layer {layer_id}: table {table_id} ({} bytes)", body.len()),
            ))
        })
    })
    .await
}

async fn stage_boundaries(
    State(admin): State<Arc<Admin>>,
    UrlPath(layer_id): UrlPath<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    blocking(move || {
        let ext = if body.starts_with(b"PK\x03\x04") {
            "zip"
        } else if body
            .windows(16)
            .any(|w| w == b"\"type\":\"Topology" || w == b"\"type\": \"Topolog")
        {
            "topojson"
        } else if body.first().is_some_and(|b| *b == b'{') || body.starts_with(b"\xef\xbb\xbf{") {
            "geojson"
        } else {
            return Err(AppError::bad_request(
                "the body is neither a zip nor GeoJSON/TopoJSON: upload a zipped shapefile, \
                 a .geojson or a .topojson file",
            ));
        };
        admin.stage(&body, |manifest, text| {
            let source = layer(manifest, &layer_id)?
                .get("source")
                .and_then(toml::Value::as_str)
                .unwrap_or_default()
                .to_string();
            let stem = Path::new(&source).with_extension("");
            let file = format!("{}.{ext}", stem.display());
            // The manifest names the new file when the format changes (`nc.shp` to `nc.zip`).
            let new_text = (file != source)
                .then(|| text.replacen(&format!("\"{source}\""), &format!("\"{file}\""), 1));
            Ok((
                file,
                new_text,
                format!("layer {layer_id}: boundaries ({ext}, {} bytes)", body.len()),
            ))
        })
    })
    .await
}

/// The layers of the manifest new versions start from, with what an upload may replace: the
/// boundary file and each table (the admin page's choices).
async fn layers(State(admin): State<Arc<Admin>>) -> Result<Response, AppError> {
    let (manifest, _) = admin.base()?;
    let text = std::fs::read_to_string(&manifest)
        .map_err(|e| AppError::Internal(format!("cannot read {}: {e}", manifest.display())))?;
    let value: toml::Value = toml::from_str(&text)
        .map_err(|e| AppError::Unprocessable(format!("the live manifest is invalid: {e}")))?;
    let text_of =
        |v: &toml::Value, key: &str| v.get(key).and_then(toml::Value::as_str).map(str::to_string);
    let body: Vec<_> = value
        .get("layer")
        .and_then(toml::Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|l| {
            let tables: Vec<_> = l
                .get("table")
                .and_then(toml::Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .map(|t| serde_json::json!({"id": text_of(t, "id"), "path": text_of(t, "path")}))
                .collect();
            serde_json::json!({"id": text_of(l, "id"), "source": text_of(l, "source"), "tables": tables})
        })
        .collect();
    Ok(Json(body).into_response())
}

async fn list(State(admin): State<Arc<Admin>>) -> Result<Response, AppError> {
    let live = admin.store.live();
    let versions = admin
        .store
        .list()
        .map_err(|e| AppError::Internal(format!("cannot list the versions: {e}")))?;
    let body: Vec<_> = versions
        .into_iter()
        .map(|v| {
            let is_live = live.as_deref() == Some(v.id.as_str());
            serde_json::json!({
                "id": v.id, "created": v.created, "change": v.change,
                "parent": v.parent, "live": is_live,
            })
        })
        .collect();
    Ok(Json(body).into_response())
}

/// A publish the guards refused, as a 409. Losses come in English and German with the numbers
/// and point to `?force=1` (the admin page's "Publish anyway"), not to the signal a reload from
/// the command line is forced with.
fn publish_refused(e: ReloadError) -> AppError {
    let ReloadError::Publish(guards::PublishError::Loss { losses }) = &e else {
        return AppError::Conflict(error_chain(&e));
    };
    let list =
        |line: fn(&guards::Loss) -> String| losses.iter().map(line).collect::<Vec<_>>().join("; ");
    AppError::Localized {
        status: StatusCode::CONFLICT,
        en: format!(
            "the new data has less than the live data: {}; if that is intended, publish with ?force=1",
            list(|l| l.to_string())
        ),
        de: format!(
            "die neuen Daten haben weniger als die veröffentlichten: {}; wenn das gewollt ist, \
             mit ?force=1 veröffentlichen",
            list(guards::Loss::german)
        ),
    }
}

#[derive(Debug, Deserialize)]
struct PublishQuery {
    #[serde(default)]
    force: Option<String>,
}

async fn publish(
    State(admin): State<Arc<Admin>>,
    UrlPath(id): UrlPath<String>,
    Query(q): Query<PublishQuery>,
) -> Result<Response, AppError> {
    let force = matches!(q.force.as_deref(), Some("1" | "true" | "yes"));
    blocking(move || {
        let manifest = admin.store.manifest(&id).ok_or_else(|| {
            AppError::not_found(format!("no version {id:?}; see GET /admin/versions"))
        })?;
        admin
            .reloader
            .publish_from(&[manifest], &admin.live, force)
            .map_err(publish_refused)?;
        admin
            .store
            .set_live(&id)
            .map_err(|e| AppError::Internal(format!("published, but cannot record it: {e}")))?;
        tracing::info!(%id, force, "version published");
        Ok(
            Json(serde_json::json!({"live": id, "data_version": admin.live.state().version}))
                .into_response(),
        )
    })
    .await
}

/// Run file and load work on the blocking pool.
async fn blocking(
    work: impl FnOnce() -> Result<Response, AppError> + Send + 'static,
) -> Result<Response, AppError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AppError::Internal(format!("admin task failed: {e}")))?
}
