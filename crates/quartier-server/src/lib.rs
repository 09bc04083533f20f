//! The `quartier` server: an atlas of district layers published over HTTP as choropleth tiles,
//! legends and data.
//!
//! # Brief overview
//!
//! - [`source`]: what to serve: atlas manifests and boundary files, merged into one atlas; the
//!   bundled demo atlas and the map page folder.
//! - [`state`]: the loaded atlas prepared for requests ([`AppState`]): render geometry, point index,
//!   statistics, classifications per style; no HTTP in there.
//! - [`http`]: the routes and their handlers, and [`app`], the router.
//!   Every route is documented in `docs/api.md`.
//! - [`style`]: the style query parameters (`method`, `classes`, `palette`, `breaks`, `centre`).
//! - [`cache`]: the tile cache with a byte budget; [`etag`]: strong ETags and 304s.
//! - [`fast`]: the fast lane answering cached tiles before the router.
//! - [`labels`]: the legend's texts (class ranges, no data, suppressed) in German and English.
//! - [`locate`]: the district containing a point (R-tree plus exact point-in-polygon).
//! - [`suppression`]: small-number suppression: the colour of withheld districts, and the rule that
//!   no withheld number reaches any answer.
//! - [`error`]: [`AppError`](error::AppError), every failure as a JSON answer.
//! - [`serve`]: binding a socket and shutting down gracefully on Ctrl-C or SIGTERM.
//! - [`reload`]: `SIGHUP` loads every source again and swaps the new atlas in only when it loaded;
//!   otherwise the last good atlas stays live.
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

pub mod cache;
pub mod error;
pub mod etag;
pub mod fast;
pub mod http;
pub mod labels;
pub mod locate;
pub mod reload;
pub mod serve;
pub mod source;
pub mod state;
pub mod style;
pub mod suppression;

pub use http::app;
pub use state::AppState;
