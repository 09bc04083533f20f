//! The admin flow end to end over HTTP with the real binary: stage a table, read the report,
//! preview it, publish it, refuse a version that loses values, roll back, restart on the
//! published version. Data: Montréal's 58 districts and the 2013 election table
//! (`tests/fixtures/montreal_districts/`); district 101 (Bois-de-Liesse) had 7,334 votes cast.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

mod common;
use common::{fixture, request, Server};

const TOKEN: &str = "test-token-0123456789abcdef";

/// A Montréal atlas in `dir/src`, a token file, and the data dir; returns the serve arguments.
fn setup(dir: &Path) -> (PathBuf, Vec<String>) {
    let src = dir.join("src");
    std::fs::create_dir_all(&src).unwrap();
    for f in ["election.geojson", "election.csv"] {
        std::fs::copy(fixture(&format!("montreal_districts/{f}")), src.join(f)).unwrap();
    }
    std::fs::write(
        src.join("atlas.toml"),
        "title = \"Montréal\"\n\n[[layer]]\nid = \"montreal\"\nsource = \"election.geojson\"\n\
         name_field = \"district\"\n\n[[layer.table]]\nid = \"election\"\npath = \"election.csv\"\n\
         key = \"district_id\"\n\n[[layer.indicator]]\nid = \"votes\"\ntable = \"election\"\n\
         field = \"total\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("token"), format!("{TOKEN}\n")).unwrap();
    let args = vec![
        "--data-dir".to_string(),
        dir.join("data").display().to_string(),
        "--admin-token-file".to_string(),
        dir.join("token").display().to_string(),
    ];
    (src.join("atlas.toml"), args)
}

fn start(manifest: &Path, args: &[String]) -> Server {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Server::start_with(None, &[manifest.as_os_str()], &args)
}

/// The election table with district 101's votes cast set to `votes`.
fn table_with(votes: u32) -> String {
    let text = std::fs::read_to_string(fixture("montreal_districts/election.csv")).unwrap();
    text.replace(
        "101-Bois-de-Liesse,2481,1829,3024,7334,",
        &format!("101-Bois-de-Liesse,2481,1829,3024,{votes},"),
    )
}

const AUTH: (&str, &str) = ("Authorization", "Bearer test-token-0123456789abcdef");

fn votes_101(server: &Server, version: Option<&str>) -> f64 {
    let (path, headers) = match version {
        Some(v) => (
            format!("/api/layers/montreal/districts/101?version={v}"),
            vec![AUTH],
        ),
        None => ("/api/layers/montreal/districts/101".to_string(), vec![]),
    };
    let (status, body) = request(server.addr, "GET", &path, &headers, b"");
    assert_eq!(status, 200, "{path}: {body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    v["values"]["votes"].as_f64().unwrap()
}

fn stage(server: &Server, csv: &str) -> (u16, Value) {
    let (status, body) = request(
        server.addr,
        "PUT",
        "/admin/layers/montreal/tables/election",
        &[AUTH, ("Content-Type", "text/csv")],
        csv.as_bytes(),
    );
    (
        status,
        serde_json::from_str(&body).unwrap_or(Value::String(body)),
    )
}

fn publish(server: &Server, id: &str) -> (u16, String) {
    request(
        server.addr,
        "POST",
        &format!("/admin/versions/{id}/publish"),
        &[AUTH],
        b"",
    )
}

#[test]
fn stage_preview_publish_refuse_roll_back_and_restart() {
    let dir = std::env::temp_dir().join(format!("quartier-admin-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (manifest, args) = setup(&dir);
    let mut server = start(&manifest, &args);
    assert_eq!(votes_101(&server, None), 7334.0);

    // Without the token: 401, for admin routes and previews alike.
    let (status, _) = request(server.addr, "GET", "/admin/versions", &[], b"");
    assert_eq!(status, 401);
    let wrong = ("Authorization", "Bearer test-token-0123456789abcdeX");
    let (status, _) = request(server.addr, "GET", "/admin/versions", &[wrong], b"");
    assert_eq!(status, 401);
    let (status, _) = request(
        server.addr,
        "GET",
        "/api/layers/montreal/districts/101?version=1",
        &[],
        b"",
    );
    assert_eq!(status, 401);
    // The preview page itself is the ordinary page (it sends the token with its requests).
    let (status, page) = request(server.addr, "GET", "/?version=1&lang=de", &[], b"");
    assert_eq!(status, 200);
    assert!(page.contains("preview-banner"), "the map page");

    // The layers and the files an upload may replace (the admin page's choices).
    let (status, body) = request(server.addr, "GET", "/admin/layers", &[AUTH], b"");
    assert_eq!(status, 200, "{body}");
    let layers: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(layers[0]["id"], "montreal");
    assert_eq!(layers[0]["source"], "election.geojson");
    assert_eq!(layers[0]["tables"][0]["id"], "election");
    assert_eq!(layers[0]["tables"][0]["path"], "election.csv");

    // Stage: the report, nothing live yet, the preview shows it.
    let (status, a) = stage(&server, &table_with(9999));
    assert_eq!(status, 201, "{a}");
    let a_id = a["id"].as_str().unwrap().to_string();
    assert_eq!(a["publishable"], true, "{a}");
    assert_eq!(
        a["report"][0]["layers"][0]["joins"][0]["matched"], 58,
        "{a}"
    );
    assert_eq!(votes_101(&server, None), 7334.0);
    assert_eq!(votes_101(&server, Some(&a_id)), 9999.0);

    // Publish: live at once.
    let (status, body) = publish(&server, &a_id);
    assert_eq!(status, 200, "{body}");
    assert_eq!(votes_101(&server, None), 9999.0);

    // A second version, published.
    let (_, b) = stage(&server, &table_with(8888));
    let b_id = b["id"].as_str().unwrap().to_string();
    assert_eq!(publish(&server, &b_id).0, 200);
    assert_eq!(votes_101(&server, None), 8888.0);

    // A table cut to 50 rows: staged with its losses, refused at publish with the numbers.
    let text = table_with(8888);
    let cut = text.lines().take(51).collect::<Vec<_>>().join("\n") + "\n";
    let (status, c) = stage(&server, &cut);
    assert_eq!(status, 201, "{c}");
    assert_eq!(c["publishable"], false, "{c}");
    let (status, body) = publish(&server, c["id"].as_str().unwrap());
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("58 live, 50 new"), "{body}");
    // In German too, and pointing to what the API offers, not to a signal for the command line.
    let refused: Value = serde_json::from_str(&body).unwrap();
    let de = refused["error_de"].as_str().unwrap_or_default();
    assert!(
        de.contains("58 veröffentlicht, 50 neu") && de.contains("?force=1"),
        "{body}"
    );
    assert!(!body.contains("kill -USR1"), "{body}");
    assert_eq!(votes_101(&server, None), 8888.0);

    // A table cut mid-line: refused at staging, nothing kept.
    let (status, d) = stage(&server, &text[..text.len() - 10]);
    assert_eq!(status, 422, "{d}");

    // Rollback: publish the older version.
    assert_eq!(publish(&server, &a_id).0, 200);
    assert_eq!(votes_101(&server, None), 9999.0);
    let (status, body) = request(server.addr, "GET", "/admin/versions", &[AUTH], b"");
    assert_eq!(status, 200);
    let versions: Value = serde_json::from_str(&body).unwrap();
    let versions = versions.as_array().unwrap();
    assert_eq!(versions.len(), 3, "{body}");
    let live: Vec<&str> = versions
        .iter()
        .filter(|v| v["live"] == true)
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    assert_eq!(live, [a_id.as_str()]);

    // Restart: the published version is live again.
    server.signal("TERM");
    server.wait_exit(Duration::from_secs(10)).unwrap();
    let server = start(&manifest, &args);
    assert_eq!(votes_101(&server, None), 9999.0);
    drop(server);
    std::fs::remove_dir_all(&dir).unwrap();
}
