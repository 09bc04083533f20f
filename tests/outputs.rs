//! End-to-end tests of the outputs beyond one server (issue 12): `quartier seed` archives read
//! back by independent readers (the `pmtiles` package from PyPI, Python's `sqlite3`, through
//! `tests/reference/archive_reference.py`) and compared byte for byte with what `quartier serve`
//! answers for the same tiles.
//!
//! These tests need python3 with `pmtiles` (installed by `scripts/test-all.sh`); without it they
//! fail and say so, rather than pass without checking.
#![allow(clippy::unwrap_used)] // test helpers may panic: a failing fixture read is a failing test

use std::path::Path;
use std::process::Command;

use quartier_tests::{quartier, repo_root, scratch_dir, Server};
use serde_json::Value;

/// North Carolina's extent (west, south, east, north), from `tests/fixtures/SOURCES.md`.
const NC_BOUNDS: [f64; 4] = [-84.3239, 33.882, -75.457, 36.5896];

/// The style every test seeds and requests, as the tile URL's query.
const STYLE_QUERY: &str = "method=jenks&classes=4";

/// The tile column and row of a point at zoom `z` (the slippy-map formulas, written here
/// independently of the server's tile maths).
fn tile_of(lon: f64, lat: f64, z: u8) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let x = ((lon + 180.0) / 360.0 * n).floor();
    let lat = lat.to_radians();
    let y = ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor();
    (x.clamp(0.0, n - 1.0) as u32, y.clamp(0.0, n - 1.0) as u32)
}

/// Every tile of zooms `z0..=z1` meeting `bounds`.
fn tiles_over(bounds: [f64; 4], z0: u8, z1: u8) -> Vec<(u8, u32, u32)> {
    let mut tiles = Vec::new();
    for z in z0..=z1 {
        let (x0, y0) = tile_of(bounds[0], bounds[3], z);
        let (x1, y1) = tile_of(bounds[2], bounds[1], z);
        for x in x0..=x1 {
            for y in y0..=y1 {
                tiles.push((z, x, y));
            }
        }
    }
    tiles
}

/// Run `tests/reference/NAME ARGS...` and parse its JSON answer.
fn reference(script: &str, args: &[&std::ffi::OsStr]) -> Value {
    let script = repo_root().join("tests/reference").join(script);
    let run = Command::new("python3")
        .arg(&script)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 {}: {e}", script.display()));
    assert!(
        run.status.success(),
        "{} failed (scripts/test-all.sh installs its packages):\n{}",
        script.display(),
        String::from_utf8_lossy(&run.stderr)
    );
    serde_json::from_slice(&run.stdout).unwrap()
}

/// Run the reference reader on an archive; it writes every tile into `OUT/z_x_y.bin`.
fn read_back(kind: &str, archive: &Path) -> (Value, std::path::PathBuf) {
    let out = archive.with_extension(format!("{kind}.readback"));
    std::fs::create_dir_all(&out).unwrap();
    let report = reference(
        "archive_reference.py",
        &[kind.as_ref(), archive.as_os_str(), out.as_os_str()],
    );
    (report, out)
}

fn seed(out: &Path, zooms: &str) {
    let run = quartier(&[
        "seed",
        "geodata/atlas.toml",
        "--layer",
        "nc",
        "--indicator",
        "sids_rate74",
        "--method",
        "jenks",
        "--style",
        "classes=4",
        "--zoom",
        zooms,
        "--threads",
        "2",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "seed failed:\n{}", run.stderr);
    assert!(run.stderr.contains("tiles_per_second"), "{}", run.stderr);
}

/// Every tile over North Carolina at zoom 0-8: in the archive exactly when the server draws
/// something there, and then with the server's bytes; metadata as the server's legend says.
fn check_archive(kind: &str, server: &Server, report: &Value, dir: &Path) {
    let mut in_archive = 0;
    for (z, x, y) in tiles_over(NC_BOUNDS, 0, 8) {
        let served = server.get(&format!(
            "/tiles/nc/sids_rate74/{z}/{x}/{y}.png?{STYLE_QUERY}"
        ));
        assert_eq!(served.status, 200, "{z}/{x}/{y}");
        match std::fs::read(dir.join(format!("{z}_{x}_{y}.bin"))) {
            Ok(bytes) => {
                in_archive += 1;
                assert!(
                    bytes == served.body,
                    "{kind}: tile {z}/{x}/{y} differs from the served one"
                );
                assert_ne!(
                    served.header("x-quartier-cache"),
                    Some("empty"),
                    "{z}/{x}/{y}"
                );
            }
            Err(_) => assert_eq!(
                served.header("x-quartier-cache"),
                Some("empty"),
                "{kind}: tile {z}/{x}/{y} has districts but is not in the archive"
            ),
        }
    }
    assert_eq!(
        report["tiles"], in_archive,
        "{kind}: no tile beyond those over NC"
    );
    assert!(in_archive > 30, "{kind}: only {in_archive} tiles");
}

#[test]
fn seeded_archives_hold_the_served_tiles() {
    let dir = scratch_dir("seed");
    let pm = dir.join("sids74.pmtiles");
    let mb = dir.join("sids74.mbtiles");
    seed(&pm, "0-8");
    seed(&mb, "0-8");
    let server = Server::start(&[]);
    let legend: Value = serde_json::from_slice(
        &server
            .get(&format!(
                "/api/layers/nc/indicators/sids_rate74/legend.json?{STYLE_QUERY}&lang=en"
            ))
            .body,
    )
    .unwrap();

    let (report, tiles) = read_back("pmtiles", &pm);
    check_archive("pmtiles", &server, &report, &tiles);
    assert_eq!(report["clustered"], true);
    assert_eq!(
        (report["min_zoom"].as_u64(), report["max_zoom"].as_u64()),
        (Some(0), Some(8))
    );
    let meta = &report["metadata"];
    assert_eq!(meta["legend"]["breaks"], legend["breaks"]);
    assert_eq!(meta["legend"]["colors"], legend["colors"]);
    assert_eq!(meta["legend"]["labels"], legend["labels"]);
    assert_eq!(
        meta["legend"]["style"],
        "method=jenks&classes=4&palette=YlOrRd"
    );
    assert!(
        meta["attribution"].as_str().unwrap().contains("SIDS"),
        "{meta}"
    );
    let bounds: Vec<f64> = report["bounds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    for (b, e) in bounds.iter().zip(NC_BOUNDS) {
        assert!(
            (b - e).abs() < 1e-3,
            "bounds {bounds:?}, expected {NC_BOUNDS:?}"
        );
    }

    let (report, tiles) = read_back("mbtiles", &mb);
    check_archive("mbtiles", &server, &report, &tiles);
    assert_eq!(report["integrity"], "ok");
    let meta = &report["metadata"];
    assert_eq!(
        (meta["minzoom"].as_str(), meta["maxzoom"].as_str()),
        (Some("0"), Some("8"))
    );
    let extra: Value = serde_json::from_str(meta["json"].as_str().unwrap()).unwrap();
    assert_eq!(extra["legend"]["breaks"], legend["breaks"]);
}

#[test]
fn seed_refuses_bad_requests_without_writing() {
    let dir = scratch_dir("seed-errors");
    let out = dir.join("x.pmtiles");
    let o = out.to_str().unwrap();
    let bad_style = quartier(&[
        "seed",
        "geodata/atlas.toml",
        "--layer",
        "nc",
        "--classes",
        "12",
        "-o",
        o,
    ]);
    assert_eq!(bad_style.code, 2);
    assert!(
        bad_style.stderr.contains("use 2 to 9"),
        "{}",
        bad_style.stderr
    );
    let bad_layer = quartier(&["seed", "geodata/atlas.toml", "--layer", "xx", "-o", o]);
    assert_eq!(bad_layer.code, 2);
    assert!(bad_layer.stderr.contains("boston"), "{}", bad_layer.stderr);
    let outside = quartier(&[
        "seed",
        "geodata/atlas.toml",
        "--layer",
        "nc",
        "--bbox",
        "0,0,1,1",
        "-o",
        o,
    ]);
    assert_eq!(outside.code, 2);
    assert!(
        outside.stderr.contains("does not meet layer"),
        "{}",
        outside.stderr
    );
    let bad_ext = quartier(&[
        "seed",
        "geodata/atlas.toml",
        "-o",
        dir.join("x.zip").to_str().unwrap(),
    ]);
    assert_eq!(bad_ext.code, 2);
    assert!(!out.exists());
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "no temporary files left"
    );
}

// ---------------------------------------------------------------------------------------------
// Vector tiles

fn json(server: &Server, path: &str) -> Value {
    let r = server.get(path);
    assert_eq!(r.status, 200, "{path}: {}", r.text());
    serde_json::from_slice(&r.body).unwrap()
}

/// The vector tiles over North Carolina at zoom 6, decoded by `mapbox-vector-tile`, carry every
/// county once or more with the id, name and value of `features.geojson` and the class and
/// colour that `legend.json` gives that value.
#[test]
fn vector_tiles_carry_the_json_values_and_classes() {
    let server = Server::start(&[]);
    let dir = scratch_dir("mvt");
    let legend = json(
        &server,
        &format!("/api/layers/nc/indicators/sids_rate74/legend.json?{STYLE_QUERY}"),
    );
    let features = json(&server, "/api/layers/nc/features.geojson");
    let mut files = Vec::new();
    for (z, x, y) in tiles_over(NC_BOUNDS, 6, 6) {
        let r = server.get(&format!(
            "/tiles/nc/sids_rate74/{z}/{x}/{y}.mvt?{STYLE_QUERY}"
        ));
        assert_eq!(r.status, 200);
        assert_eq!(
            r.header("content-type"),
            Some("application/vnd.mapbox-vector-tile")
        );
        assert!(r.header("etag").is_some());
        let f = dir.join(format!("{z}_{x}_{y}.mvt"));
        std::fs::write(&f, &r.body).unwrap();
        files.push(f);
    }
    let args: Vec<_> = std::iter::once(std::ffi::OsStr::new("mvt"))
        .chain(files.iter().map(|f| f.as_os_str()))
        .collect();
    let decoded = reference("outputs_reference.py", &args);
    let breaks: Vec<f64> = legend["breaks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_f64().unwrap())
        .collect();
    let colours = legend["colors"].as_array().unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for tile in decoded.as_object().unwrap().values() {
        let layers = tile["layers"].as_object().unwrap();
        assert_eq!(
            layers.keys().collect::<Vec<_>>(),
            ["nc"],
            "one MVT layer named after the atlas layer"
        );
        for f in layers["nc"].as_array().unwrap() {
            let p = &f["properties"];
            let id = p["id"].as_str().unwrap();
            let feature = features["features"]
                .as_array()
                .unwrap()
                .iter()
                .find(|g| g["properties"]["id"] == id)
                .unwrap_or_else(|| panic!("district {id} is not in features.geojson"));
            assert_eq!(p["name"], feature["properties"]["name"], "{id}");
            assert!(f["type"].as_str().unwrap().ends_with("Polygon"));
            let value = &feature["properties"]["values"]["sids_rate74"];
            match value.as_f64() {
                Some(v) => {
                    assert_eq!(p["value"].as_f64(), Some(v), "{id}");
                    // The class whose upper break is the first >= v (the lowest class includes the minimum).
                    let k = breaks[1..]
                        .iter()
                        .position(|b| v <= *b)
                        .unwrap_or(breaks.len() - 2);
                    assert_eq!(
                        p["class"].as_u64(),
                        Some(k as u64),
                        "{id}: {v} in {breaks:?}"
                    );
                    assert_eq!(&p["colour"], &colours[k], "{id}");
                    assert_eq!(p["status"], "data");
                }
                None => {
                    assert!(
                        p.get("value").is_none() && p.get("class").is_none(),
                        "{id}: {p}"
                    );
                    assert_eq!(p["colour"], legend["no_data_color"]);
                }
            }
            seen.insert(id.to_string());
        }
    }
    assert_eq!(
        seen.len(),
        features["features"].as_array().unwrap().len(),
        "every county in some tile"
    );

    // The TileJSON names the same tiles and fields; the MapLibre style draws them by colour.
    let tj = json(
        &server,
        &format!("/tiles/nc/sids_rate74/vector.json?{STYLE_QUERY}"),
    );
    let url = tj["tiles"][0].as_str().unwrap();
    assert!(
        url.ends_with(
            "/tiles/nc/sids_rate74/{z}/{x}/{y}.mvt?method=jenks&classes=4&palette=YlOrRd"
        ),
        "{url}"
    );
    assert_eq!(tj["vector_layers"][0]["id"], "nc");
    assert_eq!(tj["vector_layers"][0]["fields"]["value"], "Number");
    let style = json(
        &server,
        &format!("/styles/nc/sids_rate74.json?{STYLE_QUERY}"),
    );
    assert_eq!(style["version"], 8);
    assert_eq!(style["sources"]["quartier"]["tiles"][0], url);
    assert_eq!(style["layers"][1]["source-layer"], "nc");
    assert_eq!(
        style["layers"][1]["paint"]["fill-color"],
        serde_json::json!(["get", "colour"])
    );
    // Outside every district: an empty tile, still 200.
    let empty = server.get("/tiles/nc/sids_rate74/6/0/0.mvt");
    assert_eq!((empty.status, empty.body.len()), (200, 0));
    let bad = server.get("/tiles/nc/sids_rate74/6/0/0.pbf");
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("{y}.mvt"), "{}", bad.text());
}

// ---------------------------------------------------------------------------------------------
// OGC API – Tiles and WMTS, read by GDAL and OWSLib

fn gdal_report(name: &str) -> (Server, Value) {
    let server = Server::start(&[]);
    let dir = scratch_dir(name);
    let base = format!("http://{}", server.addr);
    let r = reference(
        "outputs_reference.py",
        &[
            "gdal".as_ref(),
            base.as_ref(),
            STYLE_QUERY.as_ref(),
            dir.as_os_str(),
        ],
    );
    (server, r)
}

/// GDAL's OGCAPI and WMTS drivers find every collection and open one in Web Mercator as RGBA;
/// `gdal_translate` of one tile's area through each gives a 256 x 256 RGBA image.
#[test]
fn gdal_reads_ogc_api_tiles_and_wmts() {
    let (server, r) = gdal_report("gdal");
    let subdatasets = r["ogc_subdatasets"].as_array().unwrap();
    let collections = json(&server, "/ogc/collections");
    assert_eq!(
        subdatasets.len(),
        collections["collections"].as_array().unwrap().len()
    );
    assert!(
        subdatasets.iter().any(|s| s
            .as_str()
            .unwrap()
            .ends_with("/ogc/collections/nc.sids_rate74")),
        "{subdatasets:?}"
    );
    assert!(
        r["ogc_crs"].as_str().unwrap().contains("3857"),
        "{}",
        r["ogc_crs"]
    );
    for client in ["ogc", "wmts"] {
        assert_eq!(r[format!("{client}_bands")], 4, "{client}: RGBA");
        let t = &r[format!("{client}_tile")];
        assert_eq!(t["shape_equal"], true, "{client}: {t}");
        assert!(
            t["opaque_pixels"].as_u64().unwrap() > 10_000,
            "{client}: the tile shows NC: {t}"
        );
    }
}

/// The pixels GDAL reads through WMTS (`gdal_translate` of tile 7/35/50's extent at 256 × 256)
/// equal the tile route's tile, band for band (the PNG's palette expanded to RGBA).
#[test]
fn gdal_wmts_pixels_equal_the_tile_route() {
    let (_server, r) = gdal_report("gdal-wmts-pixels");
    let t = &r["wmts_tile"];
    assert_eq!(
        t["max_diff"], 0,
        "wmts: pixels differ from the tile route: {t}"
    );
}

/// The same through OGC API – Tiles.
///
/// Ignored: GDAL 3.6.2 (Debian 12) opens the collection with a y extent of the whole tile matrix
/// (67,090,274 rows at zoom 18 where North Carolina needs a few thousand) although x is right,
/// and then reads tiles from rows outside the layer (the empty tile; every pixel transparent).
/// The cause is in GDAL 3.6's OGCAPI driver (`gdalogcapidataset.cpp`, `CreateWMS_XML`): with our
/// `tileMatrixSetLimits` it narrows the columns and the row range to the limits but still writes
/// `SizeY = rowCount × tileHeight` with `rowCount` the whole matrix height, so the y pixel size
/// comes out 64 times too small at zoom 7 (`gdalinfo -oo TILEMATRIX=7`: 807 × 19,315 pixels of
/// 1,223 × 19.1 m). Turning the limits off (`GDAL_OGCAPI_TILEMATRIXSET_LIMITS=NO`) makes 3.6 fail
/// to open the collection at all. The limits we send are right (checked per zoom against the
/// tile ranges the page requests); the same tiles through WMTS match exactly (above). Run with
/// `--ignored` on a newer GDAL to see it pass.
#[test]
#[ignore = "GDAL 3.6's OGCAPI driver reads rows outside the layer; see the doc comment"]
fn gdal_ogcapi_pixels_equal_the_tile_route() {
    let (_server, r) = gdal_report("gdal-ogc-pixels");
    let t = &r["ogc_tile"];
    assert_eq!(
        t["max_diff"], 0,
        "ogc: pixels differ from the tile route: {t}"
    );
}

/// OWSLib reads the WMTS capabilities: every collection a layer, WebMercatorQuad with 19 tile
/// matrices at the standard scales, and the tile it fetches is the tile route's.
#[test]
fn owslib_reads_wmts() {
    let server = Server::start(&[]);
    let base = format!("http://{}", server.addr);
    let r = reference(
        "outputs_reference.py",
        &["owslib".as_ref(), base.as_ref(), STYLE_QUERY.as_ref()],
    );
    let layers = r["layers"].as_array().unwrap();
    assert!(layers.iter().any(|l| l == "nc.sids_rate74"), "{layers:?}");
    assert_eq!(r["matrix_sets"], serde_json::json!(["WebMercatorQuad"]));
    assert_eq!(r["matrices"], 19);
    // The scale denominator of zoom 7 in the Google Maps compatible well-known scale set.
    assert!(
        (r["scale_7"].as_f64().unwrap() - 4_367_830.187_724).abs() < 1e-3,
        "{r}"
    );
    assert_eq!(r["tile_equal"], true, "{r}");
    assert!(
        r["tile_url"]
            .as_str()
            .unwrap()
            .ends_with("/tiles/nc/sids_rate74/7/35/50.png?method=jenks&classes=4"),
        "{r}"
    );
    let bbox: Vec<f64> = r["bbox"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    for (b, e) in bbox.iter().zip(NC_BOUNDS) {
        assert!((b - e).abs() < 1e-3, "{bbox:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// /metrics, parsed by prometheus_client

/// After a known set of requests, `/metrics` parses with the Prometheus text parser and counts
/// them by route family and status, with tile cache hits and misses and render times.
#[test]
fn metrics_parse_and_count_requests() {
    let server = Server::start(&[]);
    let tile = "/tiles/nc/sids_rate74/7/35/50.png";
    for _ in 0..3 {
        assert_eq!(server.get(tile).status, 200);
    }
    assert_eq!(server.get("/tiles/nc/sids_rate74/6/17/25.mvt").status, 200);
    assert_eq!(server.get("/api/layers/nope").status, 404);
    let base = format!("http://{}/metrics", server.addr);
    let r = reference("outputs_reference.py", &["metrics".as_ref(), base.as_ref()]);
    assert!(
        r["content_type"]
            .as_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4"),
        "{r}"
    );
    let f = &r["families"];
    let sample = |family: &str, name: &str, labels: Value| -> f64 {
        f[family]["samples"]
            .as_array()
            .unwrap_or_else(|| panic!("no family {family} in {f}"))
            .iter()
            .find(|s| s[0] == name && s[1] == labels)
            .unwrap_or_else(|| panic!("no {name} {labels} in {}", f[family]))[2]
            .as_f64()
            .unwrap()
    };
    let req = |route: &str, status: &str| {
        sample(
            "quartier_http_requests",
            "quartier_http_requests_total",
            serde_json::json!({"route": route, "status": status}),
        )
    };
    assert_eq!(f["quartier_http_requests"]["type"], "counter");
    assert_eq!(req("tile_png", "200"), 3.0);
    assert_eq!(req("tile_mvt", "200"), 1.0);
    assert_eq!(req("api", "404"), 1.0);
    assert_eq!(
        f["quartier_http_request_duration_seconds"]["type"],
        "histogram"
    );
    let count = sample(
        "quartier_http_request_duration_seconds",
        "quartier_http_request_duration_seconds_count",
        serde_json::json!({"route": "tile_png"}),
    );
    assert_eq!(count, 3.0);
    // One render, then two answers from the cache (the fast lane).
    assert_eq!(
        sample(
            "quartier_tile_cache_misses",
            "quartier_tile_cache_misses_total",
            serde_json::json!({})
        ),
        1.0
    );
    assert_eq!(
        sample(
            "quartier_tile_cache_hits",
            "quartier_tile_cache_hits_total",
            serde_json::json!({})
        ),
        2.0
    );
    assert_eq!(
        sample(
            "quartier_tile_render_seconds",
            "quartier_tile_render_seconds_count",
            serde_json::json!({})
        ),
        1.0
    );
    let version = json(&server, "/health")["version"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        sample(
            "quartier_atlas_info",
            "quartier_atlas_info",
            serde_json::json!({"version": version})
        ),
        1.0
    );
    assert!(
        sample(
            "quartier_atlas_load_seconds",
            "quartier_atlas_load_seconds",
            serde_json::json!({})
        ) > 0.0
    );
}

// ---------------------------------------------------------------------------------------------
// The static site

/// Every file of a folder, as paths relative to it with `/` separators.
fn files_under(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(root).unwrap();
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}

/// The server route a JSON file of the static site answers for (`None` for files that are not
/// answers: the page, archives), written independently of `export_cmd.rs` from docs/deploy.md's
/// table: the language becomes part of the file name and a year the folder `p/{year}/`.
fn route_of(file: &str) -> Option<String> {
    let (period, rest) = match file.strip_prefix("p/") {
        Some(p) => {
            let (year, rest) = p.split_once('/').unwrap();
            (Some(year), rest)
        }
        None => (None, file),
    };
    if !rest.starts_with("api/") {
        return None;
    }
    let mut query: Vec<String> = period.map(|p| format!("period={p}")).into_iter().collect();
    let path = if let Some(stem) = rest
        .strip_suffix(".de.json")
        .map(|s| (s, "de"))
        .or_else(|| rest.strip_suffix(".en.json").map(|s| (s, "en")))
    {
        query.push(format!("lang={}", stem.1));
        if stem.0.ends_with("/legend") {
            format!("/{}.json", stem.0)
        } else {
            format!("/{}", stem.0)
        }
    } else if rest.contains("/districts/") {
        format!("/{}", rest.strip_suffix(".json").unwrap())
    } else {
        format!("/{rest}")
    };
    Some(if query.is_empty() {
        path
    } else {
        format!("{path}?{}", query.join("&"))
    })
}

/// `quartier export` of the German atlas with every year: each JSON file is the server's answer
/// for its route byte for byte (the atlas with the two `static_*` keys added), every year of every
/// indicator has its files and (but the latest) its archive, and the archives read back by the
/// `pmtiles` package hold the server's tiles of that year. `--periods latest` writes no year.
#[test]
fn export_writes_every_year_as_the_server_answers() {
    let dir = scratch_dir("export-de");
    let site = dir.join("site");
    let run = quartier(&[
        "export",
        "geodata/de/atlas.toml",
        "--zoom",
        "0-6",
        "--threads",
        "2",
        "-o",
        site.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "export failed:\n{}", run.stderr);
    // Byte for byte as the archive: the renderer's bytes always (a strong ETag), not restyled.
    let server = Server::start(&["geodata/de/atlas.toml", "--exact-tiles"]);
    let layers = json(&server, "/api/layers");
    let kreise = &layers[0];
    assert_eq!(kreise["id"], "kreise");

    let files = files_under(&site);
    // The map page, without the admin page, which needs a server's admin API.
    assert!(files.contains(&"index.html".to_string()) && files.contains(&"preview.js".to_string()));
    assert!(
        !files.iter().any(|f| f.starts_with("admin")),
        "no admin page on a static site"
    );
    let mut compared = 0;
    for file in &files {
        let Some(route) = route_of(file) else {
            continue;
        };
        // Every district's profile in the default and one other year, the rest for one district.
        if file.contains("/districts/")
            && !(file.starts_with("api/") || file.starts_with("p/2010/"))
            && !file.ends_with("/05358.json")
        {
            continue;
        }
        let served = server.get(&route);
        assert_eq!(served.status, 200, "{file} -> {route}");
        let written = std::fs::read(site.join(file)).unwrap();
        if file.starts_with("api/atlas.") {
            let mut atlas: Value = serde_json::from_slice(&written).unwrap();
            assert_eq!(atlas["static_max_zoom"], 6);
            assert_eq!(atlas["static_periods"], true);
            let map = atlas.as_object_mut().unwrap();
            map.remove("static_max_zoom");
            map.remove("static_periods");
            let served: Value = serde_json::from_slice(&served.body).unwrap();
            assert_eq!(atlas, served, "{file}");
        } else {
            assert!(written == served.body, "{file} differs from GET {route}");
        }
        compared += 1;
    }
    assert!(compared > 1000, "only {compared} files compared");

    // Every year of every indicator: its legends, and an archive for every year but the latest.
    let mut years = std::collections::BTreeSet::new();
    for ind in kreise["indicators"].as_array().unwrap() {
        let id = ind["id"].as_str().unwrap();
        let periods: Vec<i64> = ind["periods"]
            .as_array()
            .map(|p| p.iter().map(|y| y.as_i64().unwrap()).collect())
            .unwrap_or_default();
        assert!(
            files.contains(&format!("tiles/kreise/{id}.pmtiles")),
            "{id}"
        );
        for (k, year) in periods.iter().enumerate() {
            years.insert(*year);
            for lang in ["de", "en"] {
                let legend =
                    format!("p/{year}/api/layers/kreise/indicators/{id}/legend.{lang}.json");
                assert!(files.contains(&legend), "{legend}");
            }
            let archive = format!("p/{year}/tiles/kreise/{id}.pmtiles");
            assert_eq!(
                files.contains(&archive),
                k + 1 < periods.len(),
                "{archive}: every year but the latest"
            );
        }
    }
    for year in &years {
        assert!(files.contains(&format!("p/{year}/api/layers/kreise/values.json")));
        assert!(files.contains(&format!("p/{year}/api/layers/kreise/districts/05358.json")));
    }
    assert_eq!(years.first(), Some(&1995));

    // The archives of income in 2000 and in its latest year hold the server's tiles of that year.
    for (archive, query) in [
        ("p/2000/tiles/kreise/income.pmtiles", "?period=2000"),
        ("tiles/kreise/income.pmtiles", ""),
    ] {
        let (report, tiles) = read_back("pmtiles", &site.join(archive));
        let mut checked = 0;
        for entry in std::fs::read_dir(&tiles).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let zxy: Vec<&str> = name.split('_').collect();
            let served = server.get(&format!(
                "/tiles/kreise/income/{}/{}/{}.png{query}",
                zxy[0], zxy[1], zxy[2]
            ));
            assert!(
                std::fs::read(&path).unwrap() == served.body,
                "{archive}: tile {name} differs from the served one"
            );
            checked += 1;
        }
        assert_eq!(report["tiles"], checked);
        assert!(checked >= 10, "{archive}: {checked} tiles");
    }
    let a2000 = std::fs::read(site.join("p/2000/tiles/kreise/income.pmtiles")).unwrap();
    let latest = std::fs::read(site.join("tiles/kreise/income.pmtiles")).unwrap();
    assert_ne!(a2000, latest, "the years differ");

    // Only the latest year: no `p/` folder, and the page is told so.
    let quick = dir.join("latest");
    let run = quartier(&[
        "export",
        "geodata/de/atlas.toml",
        "--periods",
        "latest",
        "--zoom",
        "0-2",
        "-o",
        quick.to_str().unwrap(),
    ]);
    assert_eq!(
        run.code, 0,
        "export --periods latest failed:\n{}",
        run.stderr
    );
    assert!(!quick.join("p").exists());
    let atlas: Value =
        serde_json::from_slice(&std::fs::read(quick.join("api/atlas.en.json")).unwrap()).unwrap();
    assert_eq!(atlas["static_periods"], false);
}
