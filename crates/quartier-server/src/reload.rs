//! Publishing new data without breaking what is live: the router can be replaced while serving.
//!
//! GIS staff update a manifest, a boundary file or a table, run `quartier check`, and send the
//! running server `SIGHUP` (`kill -HUP <pid>`, or `kill -USR1 <pid>` to accept losses). The server then loads every source again, off
//! the async threads, exactly as at start. Only when that succeeds does [`LiveApp::replace`] swap
//! in the new atlas; requests already running finish on the atlas they started with. When loading
//! fails (a broken manifest, a half-copied shapefile, a duplicate key), the error is logged and the
//! last good atlas stays live, untouched: an import is all or nothing.
//!
//! Before anything goes live, the publish guards ([`crate::guards`]) check the new version as
//! `quartier check` does (a layer with a NaN coordinate or a join matching under half of the
//! districts is refused) and compare it with the live one: fewer joined districts or values are
//! refused with the numbers, unless the reload is forced (SIGUSR1).
//!
//! The new atlas has a new data fingerprint, so its ETags differ and clients fetch fresh tiles;
//! the old tile cache goes with the old state.

use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::response::Response;
use axum::Router;
use quartier_atlas::manifest::AtlasReport;
use quartier_geo::import::ImportOptions;
use tower::Service;

use crate::error::error_chain;
use crate::guards::{self, Coverage, PublishError};
use crate::http::app;
use crate::source::{self, SourceError};
use crate::state::{AppState, ServerOptions};

/// The router of the atlas that is live now, replaceable while serving.
#[derive(Clone)]
pub struct LiveApp {
    current: Arc<RwLock<Live>>,
}

/// A router together with the state it serves.
struct Live {
    router: Router,
    state: Arc<AppState>,
}

impl std::fmt::Debug for LiveApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveApp")
            .field("version", &self.state().version)
            .finish_non_exhaustive()
    }
}

impl LiveApp {
    /// Serve `state` until it is replaced.
    pub fn new(state: Arc<AppState>) -> LiveApp {
        LiveApp {
            current: Arc::new(RwLock::new(Live {
                router: app(Arc::clone(&state)),
                state,
            })),
        }
    }

    /// The state that is live now.
    pub fn state(&self) -> Arc<AppState> {
        Arc::clone(&self.read().state)
    }

    /// Make `state` live; later requests see it, running ones finish on the old one.
    pub fn replace(&self, state: Arc<AppState>) {
        let router = app(Arc::clone(&state));
        // A poisoned lock still holds a whole `Live` (the swap below is one assignment).
        let mut live = self.current.write().unwrap_or_else(|e| e.into_inner());
        *live = Live { router, state };
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Live> {
        self.current.read().unwrap_or_else(|e| e.into_inner())
    }
}

impl Service<Request> for LiveApp {
    type Response = Response;
    type Error = Infallible;
    type Future = <Router as Service<Request>>::Future;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // A router is always ready.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let mut router = self.read().router.clone();
        router.call(request)
    }
}

/// How to load the atlas again: the sources and options `quartier serve` started with, and
/// what the live version covers (for the publish guards).
#[derive(Debug, Clone)]
pub struct Reloader {
    /// Atlas manifests and boundary files: as given on the command line, or the published
    /// version's manifest (admin API).
    sources: Arc<RwLock<Vec<PathBuf>>>,
    /// `--crs`, `--encoding`, `--id-field`, `--name-field`.
    pub import: ImportOptions,
    /// Cache budget, map page folder, render threads.
    pub options: ServerOptions,
    /// The coverage of the version that is live, which a reload must not shrink.
    published: Arc<Mutex<Coverage>>,
}

/// Why a version was not loaded or not made live.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReloadError {
    /// A source failed to load.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The data loaded but a publish guard refused it.
    #[error(transparent)]
    Publish(#[from] PublishError),
}

/// A version loaded and checked, not yet live.
#[derive(Debug)]
pub struct Loaded {
    /// Ready to serve.
    pub state: Arc<AppState>,
    /// What it covers.
    pub coverage: Coverage,
    /// What loading found (validation, joins, indicators), as `quartier check` prints it.
    pub reports: Vec<AtlasReport>,
}

impl Reloader {
    /// A reloader for these sources; nothing is loaded yet.
    pub fn new(sources: Vec<PathBuf>, import: ImportOptions, options: ServerOptions) -> Self {
        Reloader {
            sources: Arc::new(RwLock::new(sources)),
            import,
            options,
            published: Arc::default(),
        }
    }

    /// Load every source again, check it as `quartier check` would, and prepare it for serving;
    /// nothing live is touched.
    pub fn load(&self) -> Result<Loaded, ReloadError> {
        self.load_from(&self.sources())
    }

    /// Load `sources` with this reloader's options and check them; nothing live is touched.
    pub fn load_from(&self, sources: &[PathBuf]) -> Result<Loaded, ReloadError> {
        let (atlas, reports) = source::load_all(sources, &self.import)?;
        guards::check_publishable(&reports)?;
        Ok(Loaded {
            state: Arc::new(AppState::new(atlas, &self.options)),
            coverage: Coverage::of(&reports),
            reports,
        })
    }

    /// The sources a reload loads.
    pub fn sources(&self) -> Vec<PathBuf> {
        self.sources
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// What the live version covers.
    pub fn published_coverage(&self) -> Coverage {
        self.published().clone()
    }

    /// Load `sources`, check them against the live version (unless `force`), make them live,
    /// and make them what later reloads load (the admin API's publish).
    pub fn publish_from(
        &self,
        sources: &[PathBuf],
        live: &LiveApp,
        force: bool,
    ) -> Result<String, ReloadError> {
        let loaded = self.load_from(sources)?;
        guards::check_no_loss(&self.published(), &loaded.coverage, force)?;
        let version = loaded.state.version.clone();
        live.replace(loaded.state);
        *self.published() = loaded.coverage;
        *self.sources.write().unwrap_or_else(|e| e.into_inner()) = sources.to_vec();
        tracing::info!(%version, force, "published: the new data is live");
        Ok(version)
    }

    /// The first load at start: checked like a reload, and the version a reload is compared to.
    pub fn start(&self) -> Result<Arc<AppState>, ReloadError> {
        let loaded = self.load()?;
        *self.published() = loaded.coverage;
        Ok(loaded.state)
    }

    /// Load again and, when that worked and loses nothing against the live version (or `force`),
    /// make the result live; otherwise keep what is live. Returns the version live afterwards.
    pub fn reload(&self, live: &LiveApp, force: bool) -> Result<String, ReloadError> {
        let outcome = self.load().and_then(|loaded| {
            guards::check_no_loss(&self.published(), &loaded.coverage, force)?;
            Ok(loaded)
        });
        match outcome {
            Ok(loaded) => {
                let version = loaded.state.version.clone();
                live.replace(loaded.state);
                *self.published() = loaded.coverage;
                tracing::info!(%version, force, "atlas reloaded: the new data is live");
                Ok(version)
            }
            Err(e) => {
                tracing::error!(
                    live = %live.state().version,
                    "reload refused, the last good atlas stays live: {}",
                    error_chain(&e)
                );
                Err(e)
            }
        }
    }

    fn published(&self) -> std::sync::MutexGuard<'_, Coverage> {
        // A poisoned lock still holds a whole coverage (it is replaced in one assignment).
        self.published.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::path::Path;

    use axum::body::Body;
    use tower::ServiceExt;

    use super::*;

    fn fixture(rel: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures")
            .join(rel)
    }

    async fn layer_ids(live: &LiveApp) -> Vec<String> {
        let request = Request::get("/api/layers").body(Body::empty()).unwrap();
        let response = live.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), 200);
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_str().unwrap().to_string())
            .collect()
    }

    fn reloader(sources: Vec<PathBuf>) -> Reloader {
        Reloader::new(sources, ImportOptions::default(), ServerOptions::default())
    }

    #[tokio::test]
    async fn a_failed_reload_keeps_the_last_good_atlas_and_a_good_one_goes_live() {
        let dir = std::env::temp_dir().join(format!("quartier-reload-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // The source a city edits in place: first Montréal's 58 districts.
        let source = dir.join("districts.json");
        std::fs::copy(fixture("montreal_districts/election.geojson"), &source).unwrap();
        let reloader = reloader(vec![source.clone()]);
        let live = LiveApp::new(reloader.start().unwrap());
        let first = live.state().version.clone();
        assert_eq!(layer_ids(&live).await, ["districts"]);

        // A half-written file: the reload fails, the same atlas answers.
        let text = std::fs::read_to_string(&source).unwrap();
        std::fs::write(&source, &text[..text.len() / 2]).unwrap();
        let err = reloader.reload(&live, false).unwrap_err();
        assert!(
            error_chain(&err).contains("districts.json"),
            "{}",
            error_chain(&err)
        );
        assert_eq!(live.state().version, first);
        assert_eq!(layer_ids(&live).await, ["districts"]);

        // A good new file (London's 33 boroughs, TopoJSON) goes live with a new version.
        std::fs::copy(fixture("london/londonBoroughs.json"), &source).unwrap();
        // (The Montréal file has no numeric fields, so no indicator loses values: see
        // tests/publish.rs for a reload refused for its losses.)
        let version = reloader.reload(&live, false).unwrap();
        assert_ne!(version, first);
        assert_eq!(live.state().version, version);
        assert_eq!(live.state().layers[0].atlas.layer.districts.len(), 33);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
