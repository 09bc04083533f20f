//! Security headers, URLs that never come from `Host`, dotfiles that are never served: in
//! process, on the 100 NC counties served straight from `tests/fixtures/nc_sids/nc.shp`.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use quartier_server::source;
use quartier_server::state::{AppState, ServerOptions};
use serde_json::Value;
use tower::ServiceExt;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn state(options: &ServerOptions) -> Arc<AppState> {
    let path = repo().join("tests/fixtures/nc_sids/nc.shp");
    let (atlas, _) = source::load_all(&[path], &Default::default()).unwrap();
    Arc::new(AppState::new(atlas, options))
}

async fn get(
    state: Arc<AppState>,
    uri: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut request = Request::get(uri);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = quartier_server::app(state)
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, headers, body.to_vec())
}

/// The first indicator of the `nc` layer.
async fn first_indicator(state: Arc<AppState>) -> String {
    let (_, _, body) = get(state, "/api/layers/nc", &[]).await;
    let v: Value = serde_json::from_slice(&body).unwrap();
    v["indicators"][0]["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let s = state(&ServerOptions::default());
    let ind = first_indicator(Arc::clone(&s)).await;
    for uri in [
        "/health".to_string(),
        "/api/layers".to_string(),
        format!("/tiles/nc/{ind}/8/71/101.png"),
        "/no/such/route".to_string(),
        "/".to_string(),
    ] {
        let (status, h, _) = get(Arc::clone(&s), &uri, &[]).await;
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self';"),
            "{uri} ({status}): {csp}"
        );
        assert!(csp.contains("object-src 'none'"), "{uri}: {csp}");
        // Any site may embed the page by default: no frame-ancestors restriction.
        assert!(!csp.contains("frame-ancestors"), "{uri}: {csp}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{uri}");
        assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin");
        // Any site may embed the page by default (its Embed dialog): no X-Frame-Options.
        assert!(h.get("x-frame-options").is_none(), "{uri}");
    }
}

#[tokio::test]
async fn frame_ancestors_are_configurable_for_embeds() {
    let only_self = state(&ServerOptions {
        frame_ancestors: Some("'self'".into()),
        ..ServerOptions::default()
    });
    let (_, h, _) = get(only_self, "/", &[]).await;
    assert!(h["content-security-policy"]
        .to_str()
        .unwrap()
        .ends_with("frame-ancestors 'self'"));
    assert_eq!(h["x-frame-options"], "SAMEORIGIN");
    let s = state(&ServerOptions {
        frame_ancestors: Some("'self' https://news.example".into()),
        ..ServerOptions::default()
    });
    let (_, h, _) = get(s, "/health", &[]).await;
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        csp.ends_with("frame-ancestors 'self' https://news.example"),
        "{csp}"
    );
    // X-Frame-Options cannot name other sites: it is left to the CSP.
    assert!(h.get("x-frame-options").is_none());
}

#[tokio::test]
async fn tilejson_urls_come_from_the_public_url_never_from_host() {
    let s = state(&ServerOptions::default());
    let ind = first_indicator(Arc::clone(&s)).await;
    let uri = format!("/tiles/nc/{ind}/tilejson.json");
    let (status, _, body) = get(
        Arc::clone(&s),
        &uri,
        &[("host", "evil.example"), ("x-forwarded-proto", "https")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(body).unwrap();
    assert!(!text.contains("evil.example"), "{text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    let tiles = v["tiles"][0].as_str().unwrap();
    assert!(
        tiles.starts_with(&format!("/tiles/nc/{ind}/{{z}}/")),
        "{tiles}"
    );
    assert!(v["legend"].as_str().unwrap().starts_with("/api/layers/nc/"));

    let s = state(&ServerOptions {
        public_url: Some("https://maps.example.org/atlas".into()),
        ..ServerOptions::default()
    });
    let (_, _, body) = get(s, &uri, &[("host", "evil.example")]).await;
    let v: Value = serde_json::from_slice(&body).unwrap();
    let tiles = v["tiles"][0].as_str().unwrap();
    assert!(
        tiles.starts_with(&format!("https://maps.example.org/atlas/tiles/nc/{ind}/")),
        "{tiles}"
    );
    assert!(v["legend"]
        .as_str()
        .unwrap()
        .starts_with("https://maps.example.org/atlas/api/layers/nc/"));
}

#[tokio::test]
async fn dotfiles_in_the_page_folder_are_never_served() {
    let dir = std::env::temp_dir().join(format!("quartier-dotfiles-{}", std::process::id()));
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::write(dir.join("index.html"), "<h1>Karte</h1>").unwrap();
    std::fs::write(dir.join(".env"), "QUARTIER_ADMIN_TOKEN=secret").unwrap();
    std::fs::write(dir.join(".git/config"), "[remote]").unwrap();
    let s = state(&ServerOptions {
        web_dir: Some(dir.clone()),
        ..ServerOptions::default()
    });
    let (status, h, _) = get(Arc::clone(&s), "/", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(h.contains_key("content-security-policy"));
    for uri in ["/.env", "/.git/config", "/%2egit/config", "/%2Eenv"] {
        let (status, _, body) = get(Arc::clone(&s), uri, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert!(!String::from_utf8_lossy(&body).contains("secret"), "{uri}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn tiles_named_by_the_live_version_are_immutable_for_a_year() {
    let s = state(&ServerOptions::default());
    let ind = first_indicator(Arc::clone(&s)).await;
    let (_, _, body) = get(
        Arc::clone(&s),
        &format!("/api/layers/nc/indicators/{ind}/legend.json"),
        &[],
    )
    .await;
    let legend: Value = serde_json::from_slice(&body).unwrap();
    let template = legend["tiles"].as_str().unwrap();
    assert!(
        template.ends_with(&format!("&v={}", s.version)),
        "{template}"
    );
    // North Carolina at zoom 8: the legend's own URL, then the same tile without and with an
    // old `v`.
    let tile = template.replace("{z}/{x}/{y}", "8/71/101");
    let (status, h, _) = get(Arc::clone(&s), &tile, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h["cache-control"], "public, max-age=31536000, immutable");
    // Again: now from the tile cache, through the fast lane.
    let (_, h, _) = get(Arc::clone(&s), &tile, &[]).await;
    assert_eq!(h["cache-control"], "public, max-age=31536000, immutable");
    let unversioned = &tile[..tile.find("&v=").unwrap()];
    let (_, h, _) = get(Arc::clone(&s), unversioned, &[]).await;
    assert_eq!(h["cache-control"], "public, max-age=3600");
    let old = format!("{unversioned}&v=0000000000000000");
    let (_, h, _) = get(Arc::clone(&s), &old, &[]).await;
    assert_eq!(h["cache-control"], "public, max-age=3600");
}

#[test]
fn bad_public_urls_and_frame_ancestors_are_refused() {
    use quartier_server::http::{parse_frame_ancestors, parse_public_url};
    assert_eq!(
        parse_public_url("https://maps.example.org/").unwrap(),
        "https://maps.example.org"
    );
    assert!(parse_public_url("maps.example.org").is_err());
    assert!(parse_public_url("https://a.example/?x=1").is_err());
    assert!(parse_frame_ancestors("*").is_ok());
    assert!(parse_frame_ancestors("* ; script-src *").is_err());
}
