//! The `quartier` server: an atlas of district layers published over HTTP as choropleth tiles,
//! legends and data.
//!
//! # Brief overview
//!
//! The atlas itself (data, styles, tiles, legends) is `quartier-atlas`; this crate is the HTTP
//! and command-line glue around it.
//!
//! - [`source`]: what to serve: atlas manifests and boundary files, merged into one atlas; the
//!   bundled demo atlas and the map page folder.
//! - [`state`]: [`AppState`], the published `quartier_atlas::Atlas` plus the render pool and the
//!   page folder.
//! - [`http`]: [`app`], the router, over modules by route family (api, legend, tiles with the
//!   fast lane, page). Every route is documented in `docs/api.md`.
//! - [`error`]: [`AppError`](error::AppError), every failure as a JSON answer; the one mapping
//!   of `quartier_atlas::AtlasError` to HTTP statuses.
//! - [`serve`]: binding a socket and shutting down gracefully on Ctrl-C or SIGTERM; at the
//!   connection cap a new client takes the slot of the connection idle longest (`connections`).
//! - [`reload`]: `SIGHUP` loads every source again and swaps the new atlas in only when it loaded
//!   and passed the publish guards; otherwise the last good atlas stays live.
//! - [`admin`]: the admin API (off unless a token is configured): stage, preview, publish and
//!   roll back versions stored under `--data-dir`.
//! - [`guards`]: the publish guards: unusable data, joins that match too few districts, and
//!   versions that lose values against the live one never go live.
//!
//! The `quartier` binary (`src/main.rs`) is glue: it parses the command line, loads the sources
//! and calls into this library, `quartier-geo` and `quartier-render`.
//!
//! # Example
//!
//! Answer a request in-process, as the tests do:
//!
//! ```no_run
//! use std::sync::Arc;
//! use quartier_server::{app, source, state::{AppState, ServerOptions}};
//! use tower::ServiceExt;
//!
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! let (atlas, _reports) = source::load_all(&[source::default_atlas()?], &Default::default())?;
//! let state = Arc::new(AppState::new(atlas, &ServerOptions::default()));
//! let request = axum::http::Request::get("/api/layers").body(axum::body::Body::empty())?;
//! let response = app(state).oneshot(request).await?;
//! assert_eq!(response.status(), 200);
//! # Ok(())
//! # }
//! ```

pub mod admin;
mod connections;
pub mod error;
pub mod guards;
pub mod http;
pub mod reload;
pub mod render_pool;
pub mod serve;
pub mod source;
pub mod state;
mod workers;

pub use http::app;
pub use state::AppState;
