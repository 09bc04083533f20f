//! Bounded renders: with every render slot busy, a tile waits at most `render_wait` and is then
//! answered 503 with `Retry-After`, instead of queueing without end. In process, on the 100 NC
//! counties (`tests/fixtures/nc_sids/nc.shp`), with the tile cache bypassed so every request
//! renders.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use quartier_server::http::NO_CACHE_HEADER;
use quartier_server::source;
use quartier_server::state::{AppState, ServerOptions};
use tower::ServiceExt;

fn nc(options: &ServerOptions) -> Arc<AppState> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/nc_sids/nc.shp");
    let (atlas, _) = source::load_all(&[path], &Default::default()).unwrap();
    Arc::new(AppState::new(atlas, options))
}

/// 18 tiles at zoom 8 over North Carolina's county borders, all requested at once.
async fn burst(state: Arc<AppState>) -> Vec<(StatusCode, Option<String>)> {
    let mut set = tokio::task::JoinSet::new();
    for (x, y) in (68..74).flat_map(|x| (100..103).map(move |y| (x, y))) {
        let app = quartier_server::app(Arc::clone(&state));
        set.spawn(async move {
            let request = Request::get(format!("/tiles/nc/SID74/8/{x}/{y}.png"))
                .header(NO_CACHE_HEADER, "1")
                .body(Body::empty())
                .unwrap();
            let response = app.oneshot(request).await.unwrap();
            let retry = response
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_string());
            (response.status(), retry)
        });
    }
    set.join_all().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renders_beyond_the_slots_get_503_with_retry_after() {
    // One slot, held (as a long render would), and no waiting: every tile that needs a draw is
    // turned away at once; tiles of one colour need no slot.
    let state = nc(&ServerOptions {
        render_threads: 1,
        render_wait: Duration::ZERO,
        ..ServerOptions::default()
    });
    let held = state.occupy_render_slots().unwrap();
    let answers = burst(Arc::clone(&state)).await;
    let ok = answers.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    let busy: Vec<_> = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    assert!(busy.len() >= answers.len() / 2, "{answers:?}");
    assert_eq!(ok + busy.len(), answers.len(), "{answers:?}");
    assert!(
        busy.iter().all(|(_, r)| r.as_deref() == Some("1")),
        "{busy:?}"
    );
    // Freed, the slot serves the same burst.
    drop(held);
    let answers = burst(state).await;
    assert!(
        answers.iter().any(|(s, _)| *s == StatusCode::OK),
        "{answers:?}"
    );

    // With the default wait of 2 s the same burst is served in full.
    let state = nc(&ServerOptions {
        render_threads: 1,
        ..ServerOptions::default()
    });
    let answers = burst(state).await;
    assert!(
        answers.iter().all(|(s, _)| *s == StatusCode::OK),
        "{answers:?}"
    );
}
