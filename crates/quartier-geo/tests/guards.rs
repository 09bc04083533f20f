//! Guards against bad files (issue 11, findings 2 to 5): size caps checked before reading,
//! zip bombs, non-regular files, a cut-off last CSV line, an out-of-range pad width, fields of
//! width 0, feature-level JSON errors and capped echoes of input.
//!
//! Big inputs are sparse files (`File::set_len`: gigabytes of length, no disk, no memory) and zip
//! archives built here with the `zip` crate. A refused file shows that nothing was read by the
//! error it gives: [`ImportError::TooLarge`] is returned from the file's metadata before it is
//! opened, and a zip member's error says whether it was refused by its declared size (nothing
//! inflated) or after inflating one byte past its cap.
//!
//! The width-0 DBF is compared with pyshp (`tests/reference/dbf_reference.py`).

// Helpers outside `#[test]` functions unwrap too; a failed unwrap is a failed test here.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use quartier_geo::import::{read_layer, read_layer_with_limits, ImportError, ImportOptions};
use quartier_geo::join::{join, normalize_key, JoinError, JoinOptions, MAX_PAD_WIDTH};
use quartier_geo::limits::{Limits, MAX_GEOMETRY_BYTES, MAX_SIDECAR_BYTES, MAX_TABLE_BYTES};
use quartier_geo::table::{Table, TableError, TableOptions};
use quartier_geo::AttributeValues;
use serde_json::Value;

const GIB: u64 = 1 << 30;
const MIB: u64 = 1 << 20;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(rel)
}

/// A fresh directory for one test.
fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("quartier-guards-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A sparse file of `len` bytes: its length says gigabytes, it holds zeros and takes no disk.
fn sparse(path: &Path, len: u64) {
    std::fs::File::create(path).unwrap().set_len(len).unwrap();
}

/// `nc.shp`, `.shx`, `.dbf`, `.prj` copied into `dir`, leaving out `skip`.
fn copy_nc(dir: &Path, skip: &[&str]) -> PathBuf {
    for ext in ["shp", "shx", "dbf", "prj"] {
        if !skip.contains(&ext) {
            let from = fixture(&format!("nc_sids/nc.{ext}"));
            std::fs::copy(from, dir.join(format!("nc.{ext}"))).unwrap();
        }
    }
    dir.join("nc.shp")
}

fn import_error(path: &Path) -> ImportError {
    match read_layer(path, &ImportOptions::default()) {
        Ok(_) => panic!("{} should not import", path.display()),
        Err(e) => e,
    }
}

/// Run `f` on another thread and fail (instead of hanging) when it takes longer than 20 s:
/// opening a FIFO blocks until a writer comes.
fn within_seconds<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(20))
        .expect("the reader blocked (opened a FIFO?) instead of refusing it")
}

// ---- size caps (finding 3) ----

#[test]
fn every_shapefile_part_over_its_cap_is_refused_by_its_length() {
    for (ext, limit, what) in [
        ("shp", MAX_GEOMETRY_BYTES, "a .shp file"),
        ("shx", MAX_GEOMETRY_BYTES, "a .shx file"),
        ("dbf", MAX_GEOMETRY_BYTES, "a .dbf file"),
        ("prj", MAX_SIDECAR_BYTES, "a .prj file"),
        ("cpg", MAX_SIDECAR_BYTES, "a .cpg file"),
    ] {
        let dir = temp_dir(&format!("cap-{ext}"));
        let shp = copy_nc(&dir, &[ext]);
        let part = dir.join(format!("nc.{ext}"));
        sparse(&part, 2 * GIB);
        let e = import_error(&shp);
        match &e {
            ImportError::TooLarge {
                path,
                size,
                limit: l,
                what: w,
            } => {
                assert_eq!(path, &part);
                assert_eq!((*size, *l, *w), (2 * GIB, limit, what), "{e}");
            }
            other => panic!("{ext}: {other}"),
        }
        let msg = e.to_string();
        assert!(
            msg.contains(&format!("nc.{ext} is 2 GiB, more than the")) && msg.contains(what),
            "{msg}"
        );
    }
}

#[test]
fn json_and_zip_files_over_the_cap_are_refused_by_their_length() {
    let dir = temp_dir("cap-json");
    for (name, what) in [
        ("big.geojson", "a GeoJSON or TopoJSON file"),
        ("big.topojson", "a GeoJSON or TopoJSON file"),
        ("big.json", "a GeoJSON or TopoJSON file"),
        ("big.zip", "a zip archive"),
    ] {
        let path = dir.join(name);
        sparse(&path, 2 * GIB);
        let e = import_error(&path);
        assert!(
            matches!(&e, ImportError::TooLarge { size, limit, what: w, .. }
                if *size == 2 * GIB && *limit == MAX_GEOMETRY_BYTES && *w == what),
            "{name}: {e}"
        );
        assert!(e.to_string().contains("512 MiB"), "{e}");
    }
}

#[test]
fn tables_over_the_cap_are_refused_by_their_length() {
    let dir = temp_dir("cap-table");
    for name in ["big.csv", "big.tsv", "big.json"] {
        let path = dir.join(name);
        sparse(&path, 2 * GIB);
        let e = Table::read(&path, &TableOptions::default()).unwrap_err();
        assert!(
            matches!(&e, TableError::TooLarge { size, limit, .. }
                if *size == 2 * GIB && *limit == MAX_TABLE_BYTES),
            "{name}: {e}"
        );
        assert!(
            e.to_string()
                .ends_with("the table is 2 GiB, more than the 256 MiB allowed for a table: if the file is genuine, split it or raise the limit"),
            "{e}"
        );
    }
}

#[test]
fn callers_can_lower_or_raise_the_caps() {
    // nc.shp is 46,196 bytes: refused under a 40 KiB cap, read under the default.
    let small = Limits {
        geometry_bytes: 40 * 1024,
        ..Limits::default()
    };
    let shp = fixture("nc_sids/nc.shp");
    let e = read_layer_with_limits(&shp, &ImportOptions::default(), &small).unwrap_err();
    assert!(
        matches!(
            &e,
            ImportError::TooLarge {
                size: 46196,
                limit: 40960,
                ..
            }
        ),
        "{e}"
    );
    let nc = read_layer_with_limits(&shp, &ImportOptions::default(), &Limits::default()).unwrap();
    assert_eq!(nc.layer.districts.len(), 100);
    let csv = fixture("montreal_districts/election.csv");
    let tiny = Limits {
        table_bytes: 100,
        ..Limits::default()
    };
    let e = Table::read_with_limits(&csv, &TableOptions::default(), &tiny).unwrap_err();
    assert!(matches!(&e, TableError::TooLarge { limit: 100, .. }), "{e}");
}

#[test]
fn broken_headers_are_refused_before_the_rest_is_read() {
    // 100 MiB of zeros, under the cap: the 100-byte .shp header (file code 0) and the 32-byte
    // .dbf header (header length 0) are refused as soon as they are read.
    let dir = temp_dir("header-shp");
    let shp = copy_nc(&dir, &["shp"]);
    sparse(&shp, 100 * MIB);
    let e = import_error(&shp);
    assert!(matches!(&e, ImportError::Shp { feature: None, .. }), "{e}");
    assert!(
        e.to_string()
            .ends_with("nc.shp: not a shapefile: the header starts with the file code 0, not 9994"),
        "{e}"
    );
    let dir = temp_dir("header-dbf");
    let shp = copy_nc(&dir, &["dbf"]);
    sparse(&dir.join("nc.dbf"), 100 * MIB);
    let e = import_error(&shp).to_string();
    assert!(
        e.ends_with("nc.dbf: the header says it is 0 bytes long, but the file has 104857600 bytes"),
        "{e}"
    );
    // A .shp shorter than its header.
    let dir = temp_dir("header-short");
    let shp = copy_nc(&dir, &["shp"]);
    std::fs::write(&shp, [0u8; 40]).unwrap();
    let e = import_error(&shp).to_string();
    assert!(
        e.ends_with("too short for a shapefile header (100 bytes)"),
        "{e}"
    );
}

// ---- zip archives ----

/// A zip of the nc shapefile parts plus `extra` members (name, bytes), deflated.
fn nc_zip(extra: &[(&str, &[u8])], skip: &[&str]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut out);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(9));
        for ext in ["shp", "shx", "dbf", "prj"] {
            if skip.contains(&ext) {
                continue;
            }
            z.start_file(format!("nc.{ext}"), opts).unwrap();
            z.write_all(&std::fs::read(fixture(&format!("nc_sids/nc.{ext}"))).unwrap())
                .unwrap();
        }
        for (name, bytes) in extra {
            z.start_file(*name, opts).unwrap();
            z.write_all(bytes).unwrap();
        }
        z.finish().unwrap();
    }
    out.into_inner()
}

/// Make the zip say that member `name` inflates to `size` bytes (in its local header and its
/// central directory entry), as a zip bomb does.
fn lie_about_size(zip: &mut [u8], name: &str, size: u32) {
    let mut patched = 0;
    let mut i = 0;
    while i + 46 <= zip.len() {
        let sig = &zip[i..i + 4];
        let (size_at, name_len_at, name_at) = match sig {
            b"PK\x03\x04" => (22, 26, 30),
            b"PK\x01\x02" => (24, 28, 46),
            _ => {
                i += 1;
                continue;
            }
        };
        let n = u16::from_le_bytes([zip[i + name_len_at], zip[i + name_len_at + 1]]) as usize;
        if zip.get(i + name_at..i + name_at + n) == Some(name.as_bytes()) {
            zip[i + size_at..i + size_at + 4].copy_from_slice(&size.to_le_bytes());
            patched += 1;
        }
        i += 4;
    }
    assert_eq!(
        patched, 2,
        "local header and central directory entry of {name}"
    );
}

#[test]
fn zip_member_with_an_honest_huge_size_is_refused_before_inflating() {
    // A .prj of 256 MiB of zeros deflates to about 250 KiB; the archive says how large it is,
    // so it is refused from that number without inflating a byte.
    let prj = vec![0u8; 256 * MIB as usize];
    let bytes = nc_zip(&[("nc.prj", &prj)], &["prj"]);
    assert!(bytes.len() < 2 * MIB as usize, "{} bytes", bytes.len());
    let dir = temp_dir("zip-honest");
    let path = dir.join("bomb.zip");
    std::fs::write(&path, &bytes).unwrap();
    let e = import_error(&path);
    assert!(matches!(&e, ImportError::Zip { .. }), "{e}");
    assert!(
        e.to_string()
            .ends_with("bomb.zip: nc.prj would inflate to 256 MiB, more than the 64 KiB allowed for a .prj file"),
        "{e}"
    );
}

#[test]
fn zip_member_that_lies_about_its_size_is_refused_at_its_cap() {
    // The same bomb, but the archive claims 100 bytes: inflating stops one byte past the
    // 64 KiB cap, however far the member would go.
    let prj = vec![b' '; 256 * MIB as usize];
    let mut bytes = nc_zip(&[("nc.prj", &prj)], &["prj"]);
    lie_about_size(&mut bytes, "nc.prj", 100);
    let dir = temp_dir("zip-liar");
    let path = dir.join("bomb.zip");
    std::fs::write(&path, &bytes).unwrap();
    let e = import_error(&path).to_string();
    assert!(
        e.ends_with(
            "bomb.zip: nc.prj inflates to more than the 64 KiB allowed for a .prj file although the \
             archive says 100 bytes: the archive is damaged or a zip bomb"
        ),
        "{e}"
    );
}

#[test]
fn zip_member_with_a_bomb_ratio_is_refused() {
    // 32 MiB of zeros as the .dbf: under the 512 MiB cap, but about 1000:1.
    let dbf = vec![0u8; 32 * MIB as usize];
    let bytes = nc_zip(&[("nc.dbf", &dbf)], &["dbf"]);
    let dir = temp_dir("zip-ratio");
    let path = dir.join("ratio.zip");
    std::fs::write(&path, &bytes).unwrap();
    let e = import_error(&path).to_string();
    assert!(
        e.contains("ratio.zip: nc.dbf would inflate from ")
            && e.contains("to 32 MiB (more than 250:1): the archive looks like a zip bomb"),
        "{e}"
    );
}

#[test]
fn zip_with_too_many_entries_is_refused() {
    // The bundled nc_sids.zip has 5 entries (4 parts and a README).
    let few = Limits {
        zip_entries: 4,
        ..Limits::default()
    };
    let zip = fixture("zip/nc_sids.zip");
    let e = read_layer_with_limits(&zip, &ImportOptions::default(), &few).unwrap_err();
    assert!(
        e.to_string()
            .ends_with("nc_sids.zip: the archive has 5 entries, more than the 4 allowed: a shapefile needs fewer than ten"),
        "{e}"
    );
    let ok = read_layer_with_limits(&zip, &ImportOptions::default(), &Limits::default()).unwrap();
    assert_eq!(ok.layer.districts.len(), 100);
}

// ---- non-regular files (finding 5) ----

#[test]
fn a_directory_is_not_a_file() {
    let dir = temp_dir("dir-shp");
    let x = dir.join("x.shp");
    std::fs::create_dir(&x).unwrap();
    let e = import_error(&x);
    assert!(
        matches!(
            &e,
            ImportError::NotAFile {
                kind: "a directory",
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(
        e.to_string(),
        format!(
            "{} is a directory, not a file: give the path of a regular file",
            x.display()
        )
    );
    // A directory nc.dbf beside nc.shp is an error, not a shapefile without attributes.
    let dir = temp_dir("dir-dbf");
    let shp = copy_nc(&dir, &["dbf"]);
    std::fs::create_dir(dir.join("nc.dbf")).unwrap();
    let e = import_error(&shp);
    assert!(
        matches!(&e, ImportError::NotAFile { path, .. } if path.ends_with("nc.dbf")),
        "{e}"
    );
    let e = Table::read(&dir, &TableOptions::default()).unwrap_err();
    assert!(
        matches!(
            e,
            TableError::NotAFile {
                kind: "a directory",
                ..
            }
        ),
        "{e}"
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_without_blocking() {
    let dir = temp_dir("fifo");
    let mkfifo = |name: &str| {
        let p = dir.join(name);
        let ok = std::process::Command::new("mkfifo")
            .arg(&p)
            .status()
            .unwrap()
            .success();
        assert!(ok, "mkfifo {}", p.display());
        p
    };
    let fifo = mkfifo("x.geojson");
    let e = within_seconds(move || read_layer(&fifo, &ImportOptions::default()).unwrap_err());
    assert!(
        e.to_string().ends_with(
            "x.geojson is a FIFO (named pipe), not a file: give the path of a regular file"
        ),
        "{e}"
    );
    // A FIFO as a shapefile's .prj and as a table.
    let shp = copy_nc(&dir, &["prj"]);
    mkfifo("nc.prj");
    let e = within_seconds(move || read_layer(&shp, &ImportOptions::default()).unwrap_err());
    assert!(
        matches!(&e, ImportError::NotAFile { kind: "a FIFO (named pipe)", path } if path.ends_with("nc.prj")),
        "{e}"
    );
    let table = mkfifo("t.csv");
    let e = within_seconds(move || Table::read(&table, &TableOptions::default()).unwrap_err());
    assert!(
        matches!(
            e,
            TableError::NotAFile {
                kind: "a FIFO (named pipe)",
                ..
            }
        ),
        "{e}"
    );
}

// ---- a cut-off last line (finding 2) ----

#[test]
fn a_csv_cut_off_mid_line_is_an_error_naming_the_line() {
    // `head -c -100 election.csv`: the last line is "93-Robert-Bour", one of eight fields.
    let full = std::fs::read(fixture("montreal_districts/election.csv")).unwrap();
    let cut = &full[..full.len() - 100];
    let line = cut.iter().filter(|&&b| b == b'\n').count() + 1;
    let e = Table::from_bytes("election.csv", cut, &TableOptions::default()).unwrap_err();
    assert!(
        matches!(e, TableError::Truncated { found: 1, expected: 8, line: l, .. } if l == line),
        "{e}"
    );
    assert!(
        e.to_string().starts_with(&format!(
            "election.csv: line {line} has 1 of the header's 8 fields and the file ends without a line break"
        )),
        "{e}"
    );
    // Every cut inside the last 3 lines is an error, or leaves whole rows: a cut right after a
    // line break (no reader can tell that from a shorter file) or inside the last field (every
    // field is there; documented as undetectable).
    let whole = Table::from_bytes("e.csv", &full, &TableOptions::default()).unwrap();
    let mut refused = 0;
    for n in 1..150 {
        let cut = &full[..full.len() - n];
        match Table::from_bytes("e.csv", cut, &TableOptions::default()) {
            Err(TableError::Truncated { .. }) => refused += 1,
            Ok(t) => {
                let (last, before) = t.rows.split_last().unwrap();
                assert_eq!(before, &whole.rows[..before.len()], "cut {n}");
                assert_eq!(last.cells.len(), 8, "cut {n}");
            }
            Err(e) => panic!("cut {n}: {e}"),
        }
    }
    // Of 149 cuts, those inside the first seven fields of the last three lines are refused.
    assert!(refused > 100, "{refused}");
}

#[test]
fn real_footnotes_still_end_the_data() {
    let opts = TableOptions::default();
    // With and without a final line break, after a blank line.
    for text in [
        "AGS;Name;Wert\n05358;Düren;1\n05334;Aachen;2\n\nQuelle: IT.NRW\n",
        "AGS;Name;Wert\n05358;Düren;1\n05334;Aachen;2\n\nQuelle: IT.NRW",
        "AGS;Name;Wert\n05358;Düren;1\n05334;Aachen;2\n__________\nStand: 2021",
        "AGS;Name;Wert\n05358;Düren;1\n05334;Aachen;2\nQuelle: IT.NRW;;",
    ] {
        let t = Table::from_bytes("t.csv", text.as_bytes(), &opts).unwrap();
        assert_eq!(t.rows.len(), 2, "{text:?}");
        assert!(!t.skipped.is_empty(), "{text:?}");
    }
    // A footnote glued to the data with no final line break reads like a cut row: refused,
    // and the message says how to mark it as a footnote.
    let glued = "AGS;Name;Wert\n05358;Düren;1\nQuelle: IT.NRW";
    let e = Table::from_bytes("t.csv", glued.as_bytes(), &opts).unwrap_err();
    assert!(
        e.to_string()
            .contains("line 3 has 1 of the header's 3 fields")
            && e.to_string().contains("end the file with a line break"),
        "{e}"
    );
    // A cut after the delimiter leaves two fields, one of them empty.
    let e = Table::from_bytes(
        "t.csv",
        b"AGS;Name;Wert\n05358;D\xc3\xbcren;1\n05334;",
        &opts,
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            TableError::Truncated {
                line: 3,
                found: 2,
                ..
            }
        ),
        "{e}"
    );
}

// ---- pad width (finding 4) ----

#[test]
fn a_pad_width_out_of_range_is_an_error_not_a_panic() {
    let table = Table::from_bytes(
        "bka.csv",
        b"Schluessel;Faelle\n5358;15691\n",
        &TableOptions::default(),
    )
    .unwrap();
    for width in [MAX_PAD_WIDTH + 1, 65_535, 65_536, usize::MAX] {
        let opts = JoinOptions {
            pad_width: Some(width),
            ..JoinOptions::default()
        };
        let e = join(&["05358"], &table, "Schluessel", &opts).unwrap_err();
        assert!(matches!(e, JoinError::PadWidth { .. }), "{e}");
        assert_eq!(
            e.to_string(),
            format!("bka.csv: pad = {width} is out of range: the pad width must be 0 to 64 (5 for German AGS, for example)")
        );
        // The public key rule never panics either (it ignores the width join refuses).
        assert_eq!(normalize_key("5358", &opts), "5358");
    }
    let opts = JoinOptions {
        pad_width: Some(MAX_PAD_WIDTH),
        ..JoinOptions::default()
    };
    assert_eq!(normalize_key("5358", &opts).len(), 64);
    assert!(join(&["05358"], &table, "Schluessel", &opts).is_ok());
}

// ---- clear errors (finding 5) ----

#[test]
fn dbf_fields_of_width_zero_are_read_as_pyshp_reads_them() {
    let text = std::fs::read_to_string(fixture("reference/dbf_zero_width.json")).unwrap();
    let reference: Value = serde_json::from_str(&text).unwrap();
    // No .prj beside it (every .prj fixture must be in the CRS reference): nc is NAD27.
    let opts = ImportOptions {
        crs: Some("EPSG:4267".into()),
        ..ImportOptions::default()
    };
    let imported = read_layer(&fixture("bad/nc_zero_width.shp"), &opts).unwrap();
    let layer = &imported.layer;
    assert_eq!(
        layer.districts.len() as u64,
        reference["numRecords"].as_u64().unwrap()
    );
    let fields = reference["fields"].as_array().unwrap();
    let names: Vec<&str> = layer.attributes.iter().map(|a| a.name.as_str()).collect();
    let expected: Vec<&str> = fields.iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names, expected);
    let records = reference["records"].as_array().unwrap();
    for (k, attribute) in layer.attributes.iter().enumerate() {
        for (r, record) in records.iter().enumerate() {
            let theirs = &record[k];
            match &attribute.values {
                AttributeValues::Number(v) => match theirs.as_f64() {
                    Some(x) => assert_eq!(v[r], Some(x), "{} record {}", attribute.name, r + 1),
                    None => assert_eq!(v[r], None, "{} record {}", attribute.name, r + 1),
                },
                // pyshp reads an empty text field as "", Quartier as missing.
                AttributeValues::Text(v) => match theirs.as_str() {
                    Some("") | None => {
                        assert_eq!(v[r], None, "{} record {}", attribute.name, r + 1)
                    }
                    Some(s) => assert_eq!(
                        v[r].as_deref(),
                        Some(s),
                        "{} record {}",
                        attribute.name,
                        r + 1
                    ),
                },
            }
        }
    }
    // Ashe county keeps its values around the empty field.
    assert_eq!(layer.districts[0].name, "Ashe");
    let notes = imported.report.notes.join("\n");
    assert!(notes.contains("field EMPTY has width 0"), "{notes}");
    assert!(notes.contains("field NOVAL has width 0"), "{notes}");
}

#[test]
fn geojson_type_errors_name_the_feature_and_its_id() {
    let dir = temp_dir("geojson-type");
    let path = dir.join("bad.geojson");
    std::fs::write(
        &path,
        r#"{"type": "FeatureCollection", "features": [
  {"type": "Feature", "id": "a", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,0]]]}},
  {"type": "Feature", "id": "05334", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [[["x",0],[1,0],[1,1],["x",0]]]}}
]}"#,
    )
    .unwrap();
    let e = import_error(&path);
    assert!(
        matches!(&e, ImportError::Feature { feature: 2, id: Some(id), .. } if id == "05334"),
        "{e}"
    );
    assert!(
        e.to_string()
            .contains("bad.geojson, feature 2 (id \"05334\"): not a GeoJSON Feature:"),
        "{e}"
    );
    // TopoJSON: a feature whose arcs are not arc indices.
    let path = dir.join("bad.topojson");
    std::fs::write(
        &path,
        r#"{"type":"Topology","objects":{"d":{"type":"GeometryCollection","geometries":[
            {"type":"Polygon","id":"ok","arcs":[[0]]},
            {"type":"Polygon","id":"broken","arcs":[["zero"]]}]}},
            "arcs":[[[0,0],[1,0],[1,1],[0,0]]]}"#,
    )
    .unwrap();
    let e = import_error(&path);
    assert_eq!(
        e.to_string(),
        format!(
            "{}, feature 2 (id \"broken\"): arc index \"zero\" is not an integer",
            path.display()
        )
    );
}

#[test]
fn echoes_of_input_are_capped() {
    // A megabyte-long title line and a megabyte-long cell: reports and errors quote 200
    // characters and say how much was left out.
    let long = "x".repeat(MIB as usize);
    let csv = format!("{long}\nAGS;Wert\n05358;{long}\n05334;2\n");
    let t = Table::from_bytes("t.csv", csv.as_bytes(), &TableOptions::default()).unwrap();
    assert_eq!(
        t.skipped[0].text.chars().count(),
        200 + "… (1048376 more bytes)".chars().count()
    );
    let e = t.numeric("Wert").unwrap_err().to_string();
    assert!(
        e.len() < 600 && e.contains("… (1048376 more bytes)"),
        "{}",
        &e[..e.len().min(600)]
    );
    // A TopoJSON position that is a megabyte of text.
    let dir = temp_dir("echo");
    let path = dir.join("t.topojson");
    std::fs::write(
        &path,
        format!(r#"{{"type":"Topology","objects":{{"d":{{"type":"Polygon","arcs":[[0]]}}}},"arcs":[[["{long}",0]]]}}"#),
    )
    .unwrap();
    let e = import_error(&path).to_string();
    assert!(
        e.len() < 600 && e.contains("more bytes)"),
        "{}",
        &e[..e.len().min(600)]
    );
}

// ---- aggregation sources (points) ----

#[cfg(unix)]
#[test]
fn aggregation_sources_are_capped_and_fifos_refused() {
    use quartier_geo::aggregate::{read_source, SourceOptions};
    let dir = temp_dir("aggregate");
    // A 2 GiB sparse GeoJSON of points: refused by its length.
    let big = dir.join("points.geojson");
    sparse(&big, 2 * GIB);
    let e = read_source(&big, &SourceOptions::default(), &[]).unwrap_err();
    assert!(
        e.to_string()
            .ends_with("points.geojson: it is 2 GiB, more than the 512 MiB allowed: if the file is genuine, split it or raise the limit"),
        "{e}"
    );
    // A FIFO named like a point shapefile: refused without blocking on its header.
    let fifo = dir.join("points.shp");
    let ok = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let e = within_seconds(move || {
        read_source(&fifo, &SourceOptions::default(), &[])
            .unwrap_err()
            .to_string()
    });
    assert!(e.contains("it is a FIFO (named pipe), not a file"), "{e}");
}
