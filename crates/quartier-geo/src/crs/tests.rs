//! Tests of the CRS module against pyproj references and the real fixtures.
//!
//! The reference numbers come from `tests/reference/crs_reference.py` (pyproj 3.7.2, PROJ 9.5.1)
//! and live in `tests/fixtures/reference/crs_points.json` and `crs_prj.json`.

use std::path::PathBuf;

use geo::{coord, LineString, MultiPolygon, Polygon};
use serde_json::Value;

use super::*;

fn repo_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

fn reference(name: &str) -> Value {
    let path = repo_path(&format!("tests/fixtures/reference/{name}"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn num(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("no number {key} in {v}"))
}

/// Metres between two lon/lat positions (equirectangular; exact enough for centimetre-to-metre errors).
fn lonlat_metres(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    const M_PER_DEG: f64 = 111_320.0;
    let dx = (lon1 - lon2) * M_PER_DEG * lat1.to_radians().cos();
    let dy = (lat1 - lat2) * M_PER_DEG;
    dx.hypot(dy)
}

/// Distance in metres between two positions in `crs` (degrees when geographic).
fn crs_metres(crs: &Crs, (x1, y1): (f64, f64), (x2, y2): (f64, f64)) -> f64 {
    if crs.is_geographic() {
        lonlat_metres(x1, y1, x2, y2)
    } else {
        (x1 - x2).hypot(y1 - y2)
    }
}

/// Largest forward and inverse error (metres) of Quartier against one set of pyproj results.
struct Errors {
    forward: f64,
    inverse: f64,
}

fn measure(crs: &Crs, points: &[(f64, f64, f64, f64)]) -> Errors {
    let fwd = Transformer::new(&Crs::wgs84(), crs).unwrap();
    let inv = ToWgs84::new(crs).unwrap();
    let mut e = Errors {
        forward: 0.0,
        inverse: 0.0,
    };
    for &(lon, lat, x, y) in points {
        let got = fwd.point(lon, lat).unwrap();
        e.forward = e.forward.max(crs_metres(crs, got, (x, y)));
        let (glon, glat) = inv.point(x, y).unwrap();
        e.inverse = e.inverse.max(lonlat_metres(glon, glat, lon, lat));
    }
    e
}

/// Upper bounds (metres) for the distance to PROJ's *default* operation where PROJ picks another
/// shift than Quartier's Helmert; measured values are in docs/crs-accuracy.md.
fn default_operation_bound(epsg: u32) -> f64 {
    match epsg {
        // Denver: PROJ picks NAD27 to WGS 84 (6) (-8,159,175) there, 1 m from (4).
        4267 => 1.5,
        // Berlin: PROJ picks DHDN to WGS 84 (3) (former GDR) there.
        31468 => 0.7,
        // PROJ picks Amersfoort to WGS 84 (4), Quartier (3): a few millimetres apart.
        28992 => 0.01,
        _ => 0.01,
    }
}

/// Upper bounds (metres) for the distance to PROJ through a grid-based operation (BeTA2007 for DHDN,
/// CHENyx06 for CH1903): what a Helmert shift cannot do, measured values in docs/crs-accuracy.md.
fn grid_operation_bound(epsg: u32) -> f64 {
    match epsg {
        31466..=31469 => 2.0,
        21781 => 1.2,
        _ => 0.0,
    }
}

#[test]
fn every_supported_crs_matches_pyproj() {
    let doc = reference("crs_points.json");
    let mut report = Vec::new();
    for entry in doc["crs"].as_array().unwrap() {
        let epsg = entry["epsg"].as_u64().unwrap() as u32;
        let crs = Crs::from_epsg(epsg).unwrap_or_else(|e| panic!("EPSG:{epsg}: {e}"));
        assert_eq!(crs.epsg(), Some(epsg));
        let points = entry["points"].as_array().unwrap();
        let pick = |v: &Value| (num(v, "lon"), num(v, "lat"), num(v, "x"), num(v, "y"));
        let default: Vec<_> = points.iter().map(pick).collect();
        let helmert: Vec<_> = points
            .iter()
            .filter(|p| p.get("helmert").is_some())
            .map(|p| pick(&p["helmert"]))
            .collect();
        let d = measure(&crs, &default);
        if entry["helmert_operation"].is_null() {
            // Same datum (or a null shift): the projection itself must agree to the centimetre.
            assert!(
                d.forward < 0.01 && d.inverse < 0.01,
                "EPSG:{epsg}: forward {} m, inverse {} m",
                d.forward,
                d.inverse
            );
            report.push(format!(
                "EPSG:{epsg} projection forward {:.2e} m inverse {:.2e} m",
                d.forward, d.inverse
            ));
        } else {
            let h = measure(&crs, &helmert);
            assert!(
                h.forward < 0.01 && h.inverse < 0.01,
                "EPSG:{epsg} vs same Helmert: forward {} m, inverse {} m",
                h.forward,
                h.inverse
            );
            let bound = default_operation_bound(epsg);
            assert!(
                d.forward < bound && d.inverse < bound,
                "EPSG:{epsg} vs PROJ default: forward {} m, inverse {} m",
                d.forward,
                d.inverse
            );
            let mut line = format!(
                "EPSG:{epsg} helmert forward {:.2e} m inverse {:.2e} m; PROJ default forward {:.3} m inverse {:.3} m",
                h.forward, h.inverse, d.forward, d.inverse
            );
            let grid: Vec<_> = points
                .iter()
                .filter(|p| p.get("grid").is_some())
                .map(|p| pick(&p["grid"]))
                .collect();
            if !grid.is_empty() {
                let g = measure(&crs, &grid);
                let bound = grid_operation_bound(epsg);
                assert!(
                    g.forward < bound && g.inverse < bound,
                    "EPSG:{epsg} vs grid: forward {} m, inverse {} m",
                    g.forward,
                    g.inverse
                );
                line += &format!(
                    "; grid forward {:.3} m inverse {:.3} m",
                    g.forward, g.inverse
                );
            }
            report.push(line);
        }
    }
    // Every UTM zone, north and south, and ETRS89 zones 28–38 are in the reference.
    for code in (32601..=32660).chain(32701..=32760).chain(25828..=25838) {
        assert!(
            report
                .iter()
                .any(|r| r.starts_with(&format!("EPSG:{code} "))),
            "EPSG:{code} not covered"
        );
    }
    if std::env::var_os("QUARTIER_CRS_REPORT").is_some() {
        eprintln!("{}", report.join("\n"));
    }
}

#[test]
fn fixture_vertices_reproject_like_pyproj() {
    // Bezirk Affoltern (swiss_2024/districts.shp, EPSG:2056), first vertex, through CH1903+ to WGS 84 (1).
    let doc = reference("crs_points.json");
    let swiss = doc["crs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["epsg"] == 2056)
        .unwrap();
    let first = swiss["points"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["given"] == "xy")
        .unwrap();
    assert_eq!(
        (num(first, "x"), num(first, "y")),
        (2_679_202.0, 1_245_177.0)
    );
    let (lon, lat) = ToWgs84::new(&Crs::from_epsg(2056).unwrap())
        .unwrap()
        .point(2_679_202.0, 1_245_177.0)
        .unwrap();
    let h = &first["helmert"];
    assert!(lonlat_metres(lon, lat, num(h, "lon"), num(h, "lat")) < 0.01);
}

#[test]
fn every_prj_fixture_is_identified() {
    let doc = reference("crs_prj.json");
    let files = doc["prj"].as_array().unwrap();
    // Every `.prj` under tests/fixtures/*/ is in the reference (rerun tests/reference/crs_reference.py).
    for dir in std::fs::read_dir(repo_path("tests/fixtures")).unwrap() {
        let dir = dir.unwrap().path();
        for file in std::fs::read_dir(&dir).into_iter().flatten() {
            let path = file.unwrap().path();
            if path.extension().is_some_and(|e| e == "prj") {
                let rel = path
                    .strip_prefix(repo_path(""))
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                let rel = rel.trim_start_matches("./");
                assert!(
                    files.iter().any(|f| rel.ends_with(f["file"].as_str().unwrap())),
                    "{rel} is not in tests/fixtures/reference/crs_prj.json: rerun tests/reference/crs_reference.py"
                );
            }
        }
    }
    for f in files {
        let rel = f["file"].as_str().unwrap();
        let wkt = std::fs::read_to_string(repo_path(rel)).unwrap();
        let expected = f["horizontal_epsg"].as_u64().map(|c| c as u32);
        let name = f["horizontal_name"].as_str().unwrap();
        match Crs::from_wkt(&wkt) {
            Ok(crs) => {
                assert_eq!(crs.epsg(), expected, "{rel}: identified as {}", crs.name());
                if expected.is_none() {
                    // olinda1: GRS80 with an unnamed datum, which PROJ cannot tie to a code either.
                    assert!(
                        f["horizontal_proj4"].is_string(),
                        "{rel}: PROJ cannot use it, but Quartier did: {}",
                        crs.proj4()
                    );
                    assert_eq!(crs.identification(), Identification::WktParameters);
                    assert!(crs.name().starts_with(name), "{}", crs.name());
                }
            }
            Err(err) => {
                // Only what PROJ cannot use either may fail, and then with a message naming the CRS.
                assert!(f["horizontal_proj4"].is_null(), "{rel}: {err}");
                let msg = err.to_string();
                assert!(
                    msg.contains(name) && msg.contains("--crs EPSG:xxxx"),
                    "{rel}: {msg}"
                );
            }
        }
    }
    let olinda = Crs::from_wkt(
        &std::fs::read_to_string(repo_path("tests/fixtures/codepages/olinda1.prj")).unwrap(),
    )
    .unwrap();
    assert!(ToWgs84::new(&olinda).unwrap().transformer().is_identity());
}

#[test]
fn wkt_as_proj_writes_it_is_identified_in_every_flavour() {
    let doc = reference("crs_prj.json");
    let cases = doc["wkt"].as_array().unwrap();
    assert_eq!(cases.len(), 78);
    for case in cases {
        let code = case["epsg"].as_u64().unwrap() as u32;
        let flavour = case["flavour"].as_str().unwrap();
        let crs = Crs::from_wkt(case["wkt"].as_str().unwrap())
            .unwrap_or_else(|e| panic!("EPSG:{code} {flavour}: {e}"));
        assert_eq!(crs.epsg(), Some(code), "{flavour}: {}", crs.name());
        let expected = match flavour {
            "WKT1_ESRI" => Identification::Name,
            _ => Identification::WktAuthority,
        };
        assert_eq!(crs.identification(), expected, "EPSG:{code} {flavour}");
        assert_eq!(crs.warning(), None, "EPSG:{code} {flavour}");
    }
}

#[test]
fn esri_prj_files_are_identified_by_name() {
    let nc = std::fs::read_to_string(repo_path("tests/fixtures/nc_sids/nc.prj")).unwrap();
    let crs = Crs::from_wkt(&nc).unwrap();
    assert_eq!(crs.name(), "NAD27 (EPSG:4267)");
    assert_eq!(crs.identification(), Identification::Name);
    assert_eq!(
        crs.proj4(),
        "+proj=longlat +ellps=clrk66 +towgs84=-8,160,176 +no_defs"
    );

    // The cantons file carries a trailing VERTCS; the horizontal part is what counts.
    let cantons =
        std::fs::read_to_string(repo_path("tests/fixtures/swiss_2024/cantons.prj")).unwrap();
    let crs = Crs::from_wkt(&cantons).unwrap();
    assert_eq!(crs.name(), "CH1903+ / LV95 (EPSG:2056)");
    assert_eq!(crs.identification(), Identification::Name);
    assert_eq!(crs.warning(), None);
}

#[test]
fn esri_wkt_parameters_agree_with_the_epsg_definition() {
    // Without the name, the Swiss ESRI WKT's own parameters (plus the CH1903+ shift added by datum
    // name) must put the first vertex of Bezirk Affoltern where EPSG:2056 does.
    let wkt =
        std::fs::read_to_string(repo_path("tests/fixtures/swiss_2024/districts.prj")).unwrap();
    let renamed = wkt.replacen("CH1903+_LV95", "Landesvermessung", 1);
    let by_params = Crs::from_wkt(&renamed).unwrap();
    assert_eq!(by_params.identification(), Identification::WktParameters);
    assert!(
        by_params
            .proj4()
            .contains("+towgs84=674.374,15.056,405.346"),
        "{}",
        by_params.proj4()
    );
    let by_code = Crs::from_epsg(2056).unwrap();
    let p = ToWgs84::new(&by_params)
        .unwrap()
        .point(2_679_202.0, 1_245_177.0)
        .unwrap();
    let q = ToWgs84::new(&by_code)
        .unwrap()
        .point(2_679_202.0, 1_245_177.0)
        .unwrap();
    assert!(lonlat_metres(p.0, p.1, q.0, q.1) < 0.01, "{p:?} vs {q:?}");

    // The NAD27 geographic WKT without its name: the datum name brings the NAD27 shift.
    let nc = std::fs::read_to_string(repo_path("tests/fixtures/nc_sids/nc.prj")).unwrap();
    let anon = Crs::from_wkt(&nc.replacen("GCS_North_American_1927", "GCS_Custom", 1)).unwrap();
    assert_eq!(anon.epsg(), Some(4267), "{}", anon.proj4());
}

#[test]
fn a_name_with_other_parameters_is_not_trusted() {
    // Named like ETRS89 / UTM zone 32N, but with the zone-prefixed easting of EPSG:4647.
    let wkt = r#"PROJCS["ETRS_1989_UTM_Zone_32N",GEOGCS["GCS_ETRS_1989",DATUM["D_ETRS_1989",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",32500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",9.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
    let crs = Crs::from_wkt(wkt).unwrap();
    assert_eq!(crs.identification(), Identification::WktParameters);
    assert!(crs
        .warning()
        .unwrap()
        .contains("ETRS89 / UTM zone 32N (EPSG:25832)"));
    let (lon, _) = ToWgs84::new(&crs)
        .unwrap()
        .point(32_500_000.0, 5_600_000.0)
        .unwrap();
    assert!((lon - 9.0).abs() < 1e-9);
}

#[test]
fn ogc_wkt_of_every_required_crs_is_identified_with_and_without_authority() {
    let required = [
        4326, 4258, 4267, 4269, 3857, 25832, 25833, 31466, 31467, 31468, 31469, 2056, 21781, 27700,
        2154, 3035, 28992,
    ];
    for code in required
        .into_iter()
        .chain([32601, 32632, 32760, 25828, 25838])
    {
        let wkt = crs_definitions::from_code(code as u16).unwrap().wkt;
        let crs = Crs::from_wkt(wkt).unwrap();
        assert_eq!(
            (crs.epsg(), crs.identification()),
            (Some(code), Identification::WktAuthority)
        );
        // Strip every AUTHORITY: the EPSG name alone must find the same code.
        let mut bare = String::new();
        let mut rest = wkt;
        while let Some(i) = rest.find(",AUTHORITY[") {
            bare.push_str(&rest[..i]);
            let after = &rest[i..];
            let end = after.find(']').unwrap();
            rest = &after[end + 1..];
        }
        bare.push_str(rest);
        let crs =
            Crs::from_wkt(&bare).unwrap_or_else(|e| panic!("EPSG:{code} without authority: {e}"));
        assert_eq!(crs.epsg(), Some(code), "{bare}");
    }
}

#[test]
fn parse_accepts_what_users_write() {
    for text in [
        "EPSG:25832",
        "epsg:25832",
        " 25832 ",
        "urn:ogc:def:crs:EPSG::25832",
        "http://www.opengis.net/def/crs/EPSG/0/25832",
        "ETRS89 / UTM zone 32N",
        "ETRS_1989_UTM_Zone_32N",
        "+proj=utm +zone=32 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs",
    ] {
        let crs = Crs::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(crs.epsg(), Some(25832), "{text}");
        assert_eq!(crs.name(), "ETRS89 / UTM zone 32N (EPSG:25832)");
        assert_eq!(crs, Crs::from_epsg(25832).unwrap());
    }
    assert!(Crs::parse("urn:ogc:def:crs:OGC:1.3:CRS84")
        .unwrap()
        .is_wgs84());
    assert!(Crs::parse("EPSG:4326").unwrap().is_wgs84());
    assert_eq!(Crs::parse("EPSG:900913").unwrap().epsg(), Some(3857));
    assert_eq!(Crs::parse("ESRI:102100").unwrap().epsg(), Some(3857));
    let custom =
        Crs::parse("+proj=tmerc +lat_0=0 +lon_0=6.5 +k=1 +x_0=0 +y_0=0 +ellps=GRS80 +units=m")
            .unwrap();
    assert_eq!(custom.epsg(), None);
    assert!(custom.name().starts_with("custom (+proj=tmerc"));
    let (lon, lat) = ToWgs84::new(&custom)
        .unwrap()
        .point(0.0, 5_600_000.0)
        .unwrap();
    assert!(
        (lon - 6.5).abs() < 1e-9 && (lat - 50.5).abs() < 0.1,
        "{lon} {lat}"
    );
}

#[test]
fn garbage_gets_a_clear_error() {
    let cases = [
        (
            "hello world",
            "unknown CRS \"hello world\": not an EPSG code",
        ),
        ("EPSG:abc", "\"abc\" is not an EPSG code"),
        (
            "EPSG:99999999",
            "unknown CRS \"EPSG:99999999\": this EPSG code is not in the built-in table",
        ),
        ("", "the CRS text is empty"),
        ("GEOGCS[\"broken\",DATUM[", "not valid WKT: expected"),
        (
            "VERTCS[\"LN_1902\",VDATUM[\"Landesnivellement_1902\"]]",
            "not a projected or geographic one",
        ),
    ];
    for (text, expected) in cases {
        let err = Crs::parse(text).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, CrsError::Unknown { .. }), "{text}: {msg}");
        assert!(msg.contains(expected), "{text}: {msg}");
        assert!(
            msg.contains("pass --crs EPSG:xxxx (or crs = \"EPSG:xxxx\" in the atlas manifest)"),
            "{msg}"
        );
    }
    let err = Crs::parse("+proj=nonsense +ellps=GRS80").unwrap_err();
    assert!(matches!(err, CrsError::Unsupported { .. }), "{err}");
    assert!(err.to_string().contains("projection not found"), "{err}");
    let err = Crs::parse("+proj=longlat +ellps=clrk66 +nadgrids=@conus").unwrap_err();
    assert!(err.to_string().contains("needs datum grid files"), "{err}");
}

#[test]
fn bad_coordinates_are_errors_not_panics() {
    let utm = ToWgs84::new(&Crs::from_epsg(25832).unwrap()).unwrap();
    let err = utm.point(f64::NAN, 5_630_000.0).unwrap_err();
    assert!(err.to_string().contains("not a finite number"), "{err}");
    assert!(
        err.to_string()
            .contains("from ETRS89 / UTM zone 32N (EPSG:25832) to WGS 84 (EPSG:4326)"),
        "{err}"
    );

    let wgs = ToWgs84::new(&Crs::wgs84()).unwrap();
    assert!(wgs
        .point(6.5, 95.0)
        .unwrap_err()
        .to_string()
        .contains("latitude 95 is outside -90..90"));
    assert!(wgs
        .point(400.0, 50.0)
        .unwrap_err()
        .to_string()
        .contains("longitude 400 is outside"));
    let to_utm = Transformer::new(&Crs::wgs84(), &Crs::from_epsg(25832).unwrap()).unwrap();
    assert!(to_utm.point(6.5, -91.0).is_err());

    // Whatever comes in, every CRS answers with a finite coordinate or an error.
    let extremes = [
        0.0,
        -0.0,
        1e-300,
        1.0,
        -1.0,
        90.0,
        180.0,
        1e7,
        -1e7,
        1e15,
        -1e15,
        1e300,
        f64::MAX,
        f64::MIN,
        f64::INFINITY,
        f64::NAN,
    ];
    for code in [
        4326, 4267, 3857, 25832, 31466, 2056, 21781, 27700, 2154, 3035, 28992, 32760,
    ] {
        let crs = Crs::from_epsg(code).unwrap();
        let to = ToWgs84::new(&crs).unwrap();
        let from = Transformer::new(&Crs::wgs84(), &crs).unwrap();
        for &x in &extremes {
            for &y in &extremes {
                for t in [to.transformer(), &from] {
                    if let Ok((a, b)) = t.point(x, y) {
                        assert!(
                            a.is_finite() && b.is_finite(),
                            "EPSG:{code} ({x}, {y}) -> ({a}, {b})"
                        );
                    }
                }
            }
        }
    }

    let mut mp = MultiPolygon(vec![Polygon::new(
        LineString(vec![
            coord! {x: 2_679_202.0, y: 1_245_177.0},
            coord! {x: f64::NAN, y: 0.0},
            coord! {x: 2_679_202.0, y: 1_245_177.0},
        ]),
        vec![],
    )]);
    let err = ToWgs84::new(&Crs::from_epsg(2056).unwrap())
        .unwrap()
        .multipolygon(&mut mp)
        .unwrap_err();
    assert!(matches!(err, CrsError::Transform { .. }), "{err}");
}

#[test]
fn multipolygon_transform_equals_point_transform() {
    let crs = Crs::from_epsg(2056).unwrap();
    let t = ToWgs84::new(&crs).unwrap();
    let ring = vec![
        coord! {x: 2_679_202.0, y: 1_245_177.0},
        coord! {x: 2_680_084.0, y: 1_244_256.0},
        coord! {x: 2_680_029.0, y: 1_244_010.0},
        coord! {x: 2_679_202.0, y: 1_245_177.0},
    ];
    let mut mp = MultiPolygon(vec![Polygon::new(LineString(ring.clone()), vec![])]);
    t.multipolygon(&mut mp).unwrap();
    for (got, src) in mp.0[0].exterior().0.iter().zip(&ring) {
        assert_eq!((got.x, got.y), t.point(src.x, src.y).unwrap());
    }
}

#[test]
fn web_mercator_round_trips() {
    let merc = Crs::from_epsg(3857).unwrap();
    assert!(merc.is_web_mercator());
    let to_wgs = ToWgs84::new(&merc).unwrap();
    let to_merc = Transformer::new(&Crs::wgs84(), &merc).unwrap();
    for &(x, y) in &[
        (0.0, 0.0),
        (721_713.4, 6_593_725.1),
        (-20_037_508.342789244, 20_037_508.342789244),
        (16_832_507.0, -4_011_415.0),
    ] {
        let (lon, lat) = to_wgs.point(x, y).unwrap();
        let (x2, y2) = lonlat_to_mercator(lon, lat);
        assert!(
            (x2 - x).abs() <= 1e-8 && (y2 - y).abs() <= 1e-8,
            "({x}, {y}) -> ({x2}, {y2})"
        );
        assert_eq!(to_merc.point(lon, lat).unwrap(), (x2, y2));
    }
    let (lon, lat) = mercator_to_lonlat(20_037_508.342789244, 20_037_508.342789244);
    assert!((lon - 180.0).abs() < 1e-12 && (lat - 85.051_128_779_806_59).abs() < 1e-12);
    // A projected source into Web Mercator goes through WGS 84 and the same closed formulas.
    let utm_to_merc = Transformer::new(&Crs::from_epsg(25832).unwrap(), &merc).unwrap();
    let (lon, lat) = ToWgs84::new(&Crs::from_epsg(25832).unwrap())
        .unwrap()
        .point(324_400.0, 5_630_200.0)
        .unwrap();
    assert_eq!(
        utm_to_merc.point(324_400.0, 5_630_200.0).unwrap(),
        lonlat_to_mercator(lon, lat)
    );
}

#[test]
fn wgs84_compatible_geographic_crss_are_identity() {
    for code in [4326, 4258, 4269] {
        let t = ToWgs84::new(&Crs::from_epsg(code).unwrap()).unwrap();
        assert!(t.transformer().is_identity(), "EPSG:{code}");
        assert_eq!(t.point(-78.6382, 35.7796).unwrap(), (-78.6382, 35.7796));
    }
    assert!(!ToWgs84::new(&Crs::from_epsg(4267).unwrap())
        .unwrap()
        .transformer()
        .is_identity());
}

#[test]
fn datum_shift_definitions_are_explicit() {
    assert!(Crs::from_epsg(4267)
        .unwrap()
        .proj4()
        .contains("+towgs84=-8,160,176"));
    for code in 31466..=31469 {
        assert!(Crs::from_epsg(code)
            .unwrap()
            .proj4()
            .contains("+towgs84=598.1,73.7,418.2,0.202,0.045,-2.455,6.7"));
    }
    for code in [2056, 21781] {
        assert!(Crs::from_epsg(code)
            .unwrap()
            .proj4()
            .contains("+towgs84=674.374,15.056,405.346"));
    }
}

#[test]
fn transformers_can_be_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Crs>();
    assert_send_sync::<Transformer>();
    assert_send_sync::<ToWgs84>();
}
