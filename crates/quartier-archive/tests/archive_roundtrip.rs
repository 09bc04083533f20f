//! Archives of real tiles, read back by independent readers (the `pmtiles` package from PyPI,
//! Python's `sqlite3`): every tile byte-identical at its z/x/y, metadata as written, identical
//! tiles stored once. Plus the errors and the atomic replacement, which need no reader.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{load, reference, scratch, tiles_over};
use quartier_archive::{write_archive, ArchiveError, ArchiveMetadata, ArchiveWriter, TileFormat};
use quartier_render::{render_mvt, render_tile, MvtAttributes, MvtValue, TileCoord, TileStyle};
use serde_json::json;

fn metadata(format: TileFormat, max_zoom: u8) -> ArchiveMetadata {
    ArchiveMetadata {
        name: "NC SIDS 1974".into(),
        description: "Sudden infant deaths per county / Plötzlicher Kindstod je County".into(),
        attribution: "US Census Bureau; NC SIDS (Cressie 1993)".into(),
        format,
        bounds: [-84.3239, 33.882, -75.457, 36.5896],
        min_zoom: 0,
        max_zoom,
        legend: Some(
            json!({"title": "SID74", "classes": [{"min": 0, "max": 4, "colour": "#ffffb2"}]}),
        ),
        vector_layers: (format == TileFormat::Mvt)
            .then(|| json!([{"id": "districts", "fields": {"id": "String", "value": "Number"}}])),
    }
}

/// NC SIDS PNG tiles of zoom 0 to 7 over the state plus one tile around it (so that many
/// transparent tiles repeat), rendered by the real renderer.
fn nc_png_tiles() -> BTreeMap<TileCoord, Vec<u8>> {
    let (_, layer) = load("nc_sids/nc.shp", None);
    let style = TileStyle {
        // One colour per county, so that neighbouring tiles differ.
        fills: (0..layer.len())
            .map(|i| {
                let v = (60 + i * 37 % 190) as u8;
                [0xff, v, 0xff - v, 0xff]
            })
            .collect(),
        border: [0x66, 0x66, 0x66, 0xff],
        border_width: 1.0,
    };
    let bounds = layer.bounds().unwrap();
    (0..=7)
        .flat_map(|z| tiles_over(bounds, z, 1))
        .map(|t| (t, render_tile(&layer, &style, t, 1).unwrap()))
        .collect()
}

/// Reads `archive` back with the reference reader into `OUT/z_x_y.bin` files; checks that they
/// are exactly `tiles`; returns the reader's report.
fn read_back(
    kind: &str,
    archive: &Path,
    tiles: &BTreeMap<TileCoord, Vec<u8>>,
) -> serde_json::Value {
    let mut out = archive.as_os_str().to_owned();
    out.push(".readback");
    let out = std::path::PathBuf::from(out);
    std::fs::create_dir_all(&out).unwrap();
    let report = reference(&[kind.as_ref(), archive.as_os_str(), out.as_os_str()]);
    assert_eq!(report["tiles"], tiles.len(), "{kind}: tile count");
    for (t, bytes) in tiles {
        let file = out.join(format!("{}_{}_{}.bin", t.z, t.x, t.y));
        let back = std::fs::read(&file).unwrap_or_else(|e| panic!("{kind}: tile {t} missing: {e}"));
        assert!(
            back == *bytes,
            "{kind}: tile {t} differs ({} bytes back, {} written)",
            back.len(),
            bytes.len()
        );
    }
    assert_eq!(
        std::fs::read_dir(&out).unwrap().count(),
        tiles.len(),
        "{kind}: extra tiles"
    );
    report
}

fn check_pmtiles(report: &serde_json::Value, meta: &ArchiveMetadata, unique: u64, tile_type: u64) {
    assert_eq!(report["clustered"], true);
    assert_eq!(report["sorted"], true);
    assert_eq!(report["tile_type"], tile_type);
    assert_eq!(
        report["distinct_offsets"], unique,
        "identical tiles share their bytes"
    );
    assert!(
        report["runs"].as_u64().unwrap() > 0,
        "runs of identical tiles become run lengths"
    );
    assert!(report["entries"].as_u64().unwrap() < report["tiles"].as_u64().unwrap());
    assert_eq!(report["min_zoom"], meta.min_zoom);
    assert_eq!(report["max_zoom"], meta.max_zoom);
    for (got, want) in report["bounds"].as_array().unwrap().iter().zip(meta.bounds) {
        assert!(
            (got.as_f64().unwrap() - want).abs() < 1e-6,
            "bounds {got} vs {want}"
        );
    }
    let m = &report["metadata"];
    assert_eq!(m["name"], meta.name.as_str());
    assert_eq!(m["attribution"], meta.attribution.as_str());
    assert_eq!(m["description"], meta.description.as_str());
    assert_eq!(m["legend"], *meta.legend.as_ref().unwrap());
}

fn check_mbtiles(report: &serde_json::Value, meta: &ArchiveMetadata, unique: u64) {
    assert_eq!(report["integrity"], "ok");
    assert_eq!(
        report["images"], unique,
        "identical tiles stored once in images"
    );
    let m = &report["metadata"];
    assert_eq!(m["name"], meta.name.as_str());
    assert_eq!(m["format"], meta.format.mbtiles_format());
    assert_eq!(m["minzoom"], meta.min_zoom.to_string());
    assert_eq!(m["maxzoom"], meta.max_zoom.to_string());
    assert_eq!(m["bounds"], "-84.3239,33.882,-75.457,36.5896");
    assert_eq!(m["attribution"], meta.attribution.as_str());
    let extra: serde_json::Value = serde_json::from_str(m["json"].as_str().unwrap()).unwrap();
    assert_eq!(extra["legend"], *meta.legend.as_ref().unwrap());
    assert_eq!(extra.get("vector_layers"), meta.vector_layers.as_ref());
}

#[test]
#[cfg_attr(
    not(reference_readers),
    ignore = "python3 with pmtiles, mapbox-vector-tile and shapely not found; pip install them"
)]
fn png_archives_read_back_byte_identical() {
    let tiles = nc_png_tiles();
    let distinct: std::collections::HashSet<&Vec<u8>> = tiles.values().collect();
    assert!(
        tiles.len() > 50 && distinct.len() < tiles.len(),
        "{} tiles, {} distinct",
        tiles.len(),
        distinct.len()
    );
    let dir = scratch("png_archives");
    let meta = metadata(TileFormat::Png, 7);
    for (name, kind) in [("nc.pmtiles", "pmtiles"), ("nc.mbtiles", "mbtiles")] {
        let path = dir.join(name);
        // Handed over backwards: the PMTiles writer must still cluster them.
        let summary =
            write_archive(&path, &meta, tiles.iter().rev().map(|(t, b)| (*t, b))).unwrap();
        assert_eq!(summary.tiles, tiles.len() as u64);
        assert_eq!(summary.unique_tiles, distinct.len() as u64);
        assert_eq!(summary.bytes, std::fs::metadata(&path).unwrap().len());
        // Readable by a web server's user, not only by its writer (a temporary file is 0600).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o644, "{name}: mode {mode:o}");
        }
        let report = read_back(kind, &path, &tiles);
        if kind == "pmtiles" {
            check_pmtiles(&report, &meta, summary.unique_tiles, 2);
        } else {
            check_mbtiles(&report, &meta, summary.unique_tiles);
        }
    }
    let mut left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        [
            "nc.mbtiles",
            "nc.mbtiles.readback",
            "nc.pmtiles",
            "nc.pmtiles.readback"
        ],
        "no temporary files left"
    );
}

#[test]
#[cfg_attr(
    not(reference_readers),
    ignore = "python3 with pmtiles, mapbox-vector-tile and shapely not found; pip install them"
)]
fn mvt_archives_read_back_byte_identical() {
    let (districts, layer) = load("nc_sids/nc.shp", None);
    let attributes = MvtAttributes {
        keys: vec!["id".into(), "name".into()],
        rows: districts
            .districts
            .iter()
            .map(|d| {
                vec![
                    Some(MvtValue::Text(d.id.clone())),
                    Some(MvtValue::Text(d.name.clone())),
                ]
            })
            .collect(),
    };
    let tiles: BTreeMap<TileCoord, Vec<u8>> = (0..=8)
        .flat_map(|z| tiles_over(layer.bounds().unwrap(), z, 0))
        .map(|t| (t, render_mvt(&layer, &attributes, "districts", t).unwrap()))
        .filter(|(_, b)| !b.is_empty())
        .collect();
    assert!(tiles.len() > 10, "{} non-empty vector tiles", tiles.len());
    let dir = scratch("mvt_archives");
    let meta = metadata(TileFormat::Mvt, 8);
    for (name, kind) in [("nc.pmtiles", "pmtiles"), ("nc.mbtiles", "mbtiles")] {
        let path = dir.join(name);
        write_archive(&path, &meta, tiles.iter().map(|(t, b)| (*t, b))).unwrap();
        let report = read_back(kind, &path, &tiles);
        if kind == "pmtiles" {
            assert_eq!(report["tile_type"], 1, "mvt");
            assert_eq!(report["tile_compression"], 2, "gzip");
            assert_eq!(
                report["metadata"]["vector_layers"],
                *meta.vector_layers.as_ref().unwrap()
            );
        } else {
            check_mbtiles(&report, &meta, tiles.len() as u64);
        }
    }
}

#[test]
fn bad_tiles_are_refused_with_the_file_named() {
    let dir = scratch("bad_tiles");
    let path = dir.join("bad.pmtiles");
    let meta = metadata(TileFormat::Png, 3);
    let png = quartier_render::empty_tile_png(1);
    let mut w = ArchiveWriter::create(&path, &meta).unwrap();
    let t = TileCoord::new_unchecked(1, 1, 0);
    w.add_tile(t, png).unwrap();
    let dup = w.add_tile(t, png).unwrap_err();
    assert!(matches!(dup, ArchiveError::DuplicateTile { tile, .. } if tile == t));
    assert!(
        dup.to_string().contains("bad.pmtiles") && dup.to_string().contains("1/1/0"),
        "{dup}"
    );
    let deep = w
        .add_tile(TileCoord::new_unchecked(4, 0, 0), png)
        .unwrap_err();
    assert!(
        matches!(deep, ArchiveError::TileOutOfRange { .. }),
        "{deep}"
    );
    let outside = w
        .add_tile(TileCoord::new_unchecked(1, 2, 0), png)
        .unwrap_err();
    assert!(
        matches!(outside, ArchiveError::TileOutOfRange { .. }),
        "{outside}"
    );
    let empty = w
        .add_tile(TileCoord::new_unchecked(0, 0, 0), &[])
        .unwrap_err();
    assert!(matches!(empty, ArchiveError::EmptyTile { .. }), "{empty}");
    drop(w);
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "an abandoned archive leaves nothing"
    );

    let unknown = ArchiveWriter::create(dir.join("tiles.zip"), &meta).unwrap_err();
    assert!(
        unknown.to_string().contains("tiles.zip") && unknown.to_string().contains(".mbtiles"),
        "{unknown}"
    );
    let missing = ArchiveWriter::create(dir.join("no/such/folder/a.mbtiles"), &meta).unwrap_err();
    assert!(
        matches!(missing, ArchiveError::Io { .. }) && missing.to_string().contains("a.mbtiles"),
        "{missing}"
    );
    let upside_down = ArchiveMetadata {
        min_zoom: 5,
        max_zoom: 2,
        ..meta
    };
    assert!(matches!(
        ArchiveWriter::create(&path, &upside_down).unwrap_err(),
        ArchiveError::InvalidZoomRange {
            min_zoom: 5,
            max_zoom: 2,
            ..
        }
    ));
}

#[test]
fn an_archive_is_replaced_only_when_complete() {
    let dir = scratch("atomic");
    let meta = metadata(TileFormat::Png, 2);
    let png = quartier_render::empty_tile_png(1);
    for name in ["a.pmtiles", "a.mbtiles"] {
        let path = dir.join(name);
        write_archive(&path, &meta, [(TileCoord::new_unchecked(0, 0, 0), png)]).unwrap();
        let before = std::fs::read(&path).unwrap();
        // A second run that fails half-way (a tile out of range) leaves the first archive.
        let mut w = ArchiveWriter::create(&path, &meta).unwrap();
        w.add_tile(TileCoord::new_unchecked(1, 0, 0), png).unwrap();
        assert!(w.add_tile(TileCoord::new_unchecked(9, 0, 0), png).is_err());
        drop(w);
        assert!(std::fs::read(&path).unwrap() == before, "{name} untouched");
        // A run that completes replaces it.
        let tiles = [
            (TileCoord::new_unchecked(0, 0, 0), png),
            (TileCoord::new_unchecked(1, 0, 1), png),
        ];
        let summary = write_archive(&path, &meta, tiles).unwrap();
        assert_eq!((summary.tiles, summary.unique_tiles), (2, 1));
        assert!(std::fs::read(&path).unwrap() != before);
    }
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        2,
        "only the two archives"
    );
}
