//! The bundled atlas manifest loads exactly as the server will load it, with the right values.
#![allow(clippy::unwrap_used)] // test helpers may panic: a failing fixture read is a failing test
//!
//! Expected numbers were read from the DBF files with an independent reader (a few lines of
//! Python `struct` over `geodata/*/*.dbf`), not with Quartier's importer.

use std::path::{Path, PathBuf};

use quartier_atlas::manifest::{LoadedAtlas as Atlas, ManifestError as AtlasError, Theme};

fn geodata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../geodata")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("quartier-atlas-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn bundled_atlas_loads_with_all_layers_and_indicators() {
    let (atlas, report) = Atlas::load(&geodata().join("atlas.toml")).unwrap();
    assert!(report.is_usable(), "{report}");
    let ids: Vec<&str> = atlas.layers.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids, ["boston", "montreal", "nc", "boston_towns", "london"]);

    let boston = atlas.layer("boston").unwrap();
    assert_eq!(boston.layer.districts.len(), 506);
    assert!(boston.indicators.len() >= 8);
    // Every theme of a Sozialraumbericht (all but "other") has at least one indicator.
    for theme in Theme::ALL.into_iter().filter(|t| *t != Theme::Other) {
        assert!(
            boston.indicators.iter().any(|i| i.theme == theme),
            "boston has no indicator of theme {theme:?}"
        );
    }
    // First tract: poltract "0001" (leading zeros kept), Boston Allston-Brighton, CRIM 8.98296.
    let first = &boston.layer.districts[0];
    assert_eq!(first.id, "0001");
    assert_eq!(first.name, "Boston Allston-Brighton");
    assert_eq!(boston.indicator("crime").unwrap().values[0], Some(8.98296));
    assert_eq!(
        boston.indicator("home_value").unwrap().values[0],
        Some(17.8)
    );
    assert_eq!(
        boston
            .indicator("home_value")
            .unwrap()
            .style
            .method
            .to_string(),
        "jenks"
    );
}

#[test]
fn ratio_indicators_are_computed_per_district() {
    let (atlas, _) = Atlas::load(&geodata().join("atlas.toml")).unwrap();
    let nc = atlas.layer("nc").unwrap();
    let rate = nc.indicator("sids_rate74").unwrap();
    assert_eq!(rate.formula, "SID74 / BIR74 × 1000");
    assert_eq!(rate.title.get("de"), "Plötzlicher Kindstod 1974–78");
    assert_eq!(rate.unit.get("en"), "per 1,000 births");
    // Anson (37007): SID74 15, BIR74 1570; Robeson (37155): 31 / 7889.
    let anson = nc.layer.index_of("37007").unwrap();
    assert_eq!(nc.layer.districts[anson].name, "Anson");
    approx::assert_relative_eq!(rate.values[anson].unwrap(), 15.0 / 1570.0 * 1000.0);
    let robeson = nc.layer.index_of("37155").unwrap();
    approx::assert_relative_eq!(rate.values[robeson].unwrap(), 31.0 / 7889.0 * 1000.0);
    let nw = nc.indicator("nonwhite_births74").unwrap();
    approx::assert_relative_eq!(nw.values[anson].unwrap(), 952.0 / 1570.0 * 100.0);
}

#[test]
fn montreal_table_is_joined_by_key() {
    let (atlas, report) = Atlas::load(&geodata().join("atlas.toml")).unwrap();
    let mtl = atlas.layer("montreal").unwrap();
    assert_eq!(mtl.layer.districts.len(), 58);
    // election.csv: 101-Bois-de-Liesse, Coderre 2481, total 7334.
    let i = mtl.layer.index_of("101").unwrap();
    assert_eq!(mtl.layer.districts[i].name, "101-Bois-de-Liesse");
    let share = mtl.indicator("coderre_share").unwrap();
    approx::assert_relative_eq!(share.values[i].unwrap(), 2481.0 / 7334.0 * 100.0);
    let join = &report.layers[1].joins[0];
    assert_eq!(join.matched, 58);
    assert!(join.districts_without_row.is_empty());
}

#[test]
fn boundary_file_becomes_a_one_layer_atlas() {
    let path = geodata().join("nc/nc.shp");
    let (atlas, _) = Atlas::from_boundary_file(&path, &Default::default()).unwrap();
    assert_eq!(atlas.layers.len(), 1);
    let nc = &atlas.layers[0];
    assert_eq!(nc.id, "nc");
    let sid = nc.indicator("SID74").unwrap();
    let ashe = nc
        .layer
        .districts
        .iter()
        .position(|d| d.name == "Ashe")
        .unwrap();
    assert_eq!(sid.values[ashe], Some(1.0));
    assert!(
        nc.indicator("NAME").is_none(),
        "text fields are not indicators"
    );
}

#[test]
fn version_changes_with_the_data() {
    let (a, _) = Atlas::load(&geodata().join("atlas.toml")).unwrap();
    let (b, _) = Atlas::load(&geodata().join("atlas.toml")).unwrap();
    assert_eq!(a.version, b.version);
    let dir = temp_dir("version");
    let m = std::fs::read_to_string(geodata().join("atlas.toml"))
        .unwrap()
        .replace("\"boston/", &format!("\"{}/boston/", geodata().display()))
        .replace(
            "\"montreal/",
            &format!("\"{}/montreal/", geodata().display()),
        )
        .replace("\"nc/", &format!("\"{}/nc/", geodata().display()))
        .replace("\"london/", &format!("\"{}/london/", geodata().display()));
    let changed = write(&dir, "atlas.toml", &m.replace("classes = 5", "classes = 6"));
    let (c, _) = Atlas::load(&changed).unwrap();
    assert_ne!(a.version, c.version);
}

fn load_err(manifest: &str) -> String {
    let dir = temp_dir(&format!("err{}", manifest.len()));
    let nc = geodata().join("nc/nc.shp");
    let text = manifest.replace("NC_SHP", &nc.display().to_string());
    let p = write(&dir, "atlas.toml", &text);
    match Atlas::load(&p) {
        Ok(_) => panic!("manifest should fail:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn manifest_errors_say_where_and_what_to_do() {
    let e = load_err("[[layer]]\nid = \"nc\"\nsource = \"NC_SHP\"\nid_feld = \"FIPS\"\n");
    assert!(e.contains("id_feld") && e.contains("line 4"), "{e}");

    let e = load_err("title = \"x\"\n");
    assert!(e.contains("no layers"), "{e}");

    let e = load_err(
        "[[layer]]\nid = \"nc\"\nsource = \"NC_SHP\"\n[[layer.indicator]]\nid = \"x\"\nfield = \"NOPE\"\n",
    );
    assert!(e.contains("NOPE") && e.contains("SID74"), "{e}");

    let e = load_err(
        "[[layer]]\nid = \"nc\"\nsource = \"NC_SHP\"\n[[layer.indicator]]\nid = \"x\"\nfield = \"SID74\"\nstyle = { classes = 12 }\n",
    );
    assert!(e.contains("classes = 12") && e.contains("2 to 9"), "{e}");

    let e = load_err(
        "[[layer]]\nid = \"nc\"\nsource = \"NC_SHP\"\n[[layer.indicator]]\nid = \"x\"\nnumerator = \"SID74\"\n",
    );
    assert!(e.contains("denominator"), "{e}");

    let e = load_err("[[layer]]\nid = \"nc\"\nsource = \"missing.shp\"\n");
    assert!(e.contains("missing.shp"), "{e}");
    assert!(matches!(
        Atlas::load(Path::new("/nonexistent/atlas.toml")),
        Err(AtlasError::Io { .. })
    ));
}

/// Overwrite field `name` of the first record of a `.dbf` with `value` (right-aligned, as dBASE
/// writes numbers), reading the field layout from the header as the dBASE III format defines it.
fn set_first_value(dbf: &Path, name: &str, value: &str) {
    let mut bytes = std::fs::read(dbf).unwrap();
    let header_len = usize::from(u16::from_le_bytes([bytes[8], bytes[9]]));
    let mut offset = 1; // the deletion flag
    let mut at = 32;
    while bytes[at] != 0x0d {
        let field = &bytes[at..at + 32];
        let field_name = String::from_utf8_lossy(&field[..11])
            .trim_end_matches('\0')
            .to_string();
        let len = usize::from(field[16]);
        if field_name == name {
            let text = format!("{value:>len$}");
            bytes[header_len + offset..header_len + offset + len].copy_from_slice(text.as_bytes());
            std::fs::write(dbf, bytes).unwrap();
            return;
        }
        offset += len;
        at += 32;
    }
    panic!("{} has no field {name}", dbf.display());
}

#[test]
fn upper_case_shapefile_changes_its_version_with_its_dbf() {
    // A shapefile as older Windows tools write it: NC.SHP, NC.SHX, NC.DBF, NC.PRJ.
    let dir = temp_dir("upper");
    for ext in ["shp", "shx", "dbf", "prj"] {
        std::fs::copy(
            geodata().join(format!("nc/nc.{ext}")),
            dir.join(format!("NC.{}", ext.to_uppercase())),
        )
        .unwrap();
    }
    let manifest = write(
        &dir,
        "atlas.toml",
        "[[layer]]\nid = \"nc\"\nsource = \"NC.SHP\"\n\
         [[layer.indicator]]\nid = \"sid\"\nfield = \"SID74\"\n",
    );
    let load = || Atlas::load(&manifest).unwrap().0;
    let boundary = || {
        Atlas::from_boundary_file(&dir.join("NC.SHP"), &Default::default())
            .unwrap()
            .0
    };
    let before = load();
    let file_before = boundary();
    // Ashe county, the first record, has SID74 = 1 (geodata/nc/nc.dbf).
    assert_eq!(
        before.layer("nc").unwrap().indicators[0].values[0],
        Some(1.0)
    );
    assert_eq!(
        load().version,
        before.version,
        "unchanged files, same version"
    );

    set_first_value(&dir.join("NC.DBF"), "SID74", "7");
    let after = load();
    assert_eq!(
        after.layer("nc").unwrap().indicators[0].values[0],
        Some(7.0)
    );
    assert_ne!(
        after.version, before.version,
        "NC.DBF changed: a new version"
    );
    assert_ne!(boundary().version, file_before.version);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_manifest_with_pad_65536_fails_to_load_with_the_range() {
    let dir = temp_dir("pad-manifest");
    let manifest = dir.join("atlas.toml");
    std::fs::write(
        &manifest,
        format!(
            "[[layer]]\nid = \"montreal\"\nsource = {:?}\nname_field = \"district\"\n\n\
             [[layer.table]]\nid = \"election\"\npath = {:?}\nkey = \"district_id\"\npad = 65536\n",
            geodata()
                .join("montreal/election.geojson")
                .display()
                .to_string(),
            geodata()
                .join("montreal/election.csv")
                .display()
                .to_string(),
        ),
    )
    .unwrap();
    let e = Atlas::load(&manifest).unwrap_err();
    assert!(matches!(e, AtlasError::Join { .. }), "{e}");
    assert!(
        e.to_string().starts_with("layer \"montreal\": ")
            && e.to_string().contains(
                "election.csv: pad = 65536 is out of range: the pad width must be 0 to 64"
            ),
        "{e}"
    );
}

#[test]
fn a_manifest_that_is_a_directory_or_a_fifo_is_refused_without_blocking() {
    let dir = temp_dir("manifest-not-a-file");
    let as_dir = dir.join("atlas.toml");
    std::fs::create_dir_all(&as_dir).unwrap();
    let e = Atlas::load(&as_dir).unwrap_err().to_string();
    assert!(
        e.contains("a directory, not a regular file: give the path of an atlas manifest"),
        "{e}"
    );
    #[cfg(unix)]
    {
        let fifo = dir.join("fifo.toml");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        // Opening a FIFO for reading would block until a writer comes: it must be refused first.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || tx.send(Atlas::load(&fifo).unwrap_err().to_string()));
        let e = rx
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("loading a FIFO manifest blocked");
        assert!(e.contains("a FIFO (named pipe), not a regular file"), "{e}");
    }
}

/// `name = "{GEN} ({BEZ})"` names the German Kreise apart (issue 14): the two München and
/// Düren as the topojson's GEN and BEZ say (read with Python's json module: GEN "München", BEZ
/// "Kreisfreie Stadt" / "Landkreis"; GEN "Düren", BEZ "Kreis"). A field the file lacks, or a
/// template next to name_field, is an error that says what to write.
#[test]
fn name_templates_tell_twin_names_apart() {
    let dir = temp_dir("names");
    let kreise = geodata().join("de/kreise.topojson");
    let manifest = |extra: &str| {
        format!(
            "title = \"t\"\n[[layer]]\nid = \"kreise\"\nsource = {:?}\nid_field = \"AGS\"\n{extra}\n",
            kreise.display().to_string()
        )
    };
    let p = write(&dir, "names.toml", &manifest("name = \"{GEN} ({BEZ})\""));
    let (atlas, _) = Atlas::load(&p).unwrap();
    let layer = &atlas.layers[0].layer;
    let name = |id: &str| {
        layer
            .districts
            .iter()
            .find(|d| d.id == id)
            .unwrap()
            .name
            .clone()
    };
    assert_eq!(name("09162"), "München (Kreisfreie Stadt)");
    assert_eq!(name("09184"), "München (Landkreis)");
    assert_eq!(name("05358"), "Düren (Kreis)");
    let names: std::collections::HashSet<&str> =
        layer.districts.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names.len(), layer.districts.len(), "every name is unique");

    let p = write(&dir, "bad.toml", &manifest("name = \"{GEN} ({KREISTYP})\""));
    let err = Atlas::load(&p).unwrap_err().to_string();
    assert!(
        err.contains("KREISTYP") && err.contains("GEN, BEZ"),
        "{err}"
    );
    let p = write(
        &dir,
        "both.toml",
        &manifest("name = \"{GEN}\"\nname_field = \"NAME\""),
    );
    let err = Atlas::load(&p).unwrap_err().to_string();
    assert!(err.contains("not both"), "{err}");
}

/// A start view outside the map or naming a missing layer is an error that says what to write.
#[test]
fn start_views_are_checked() {
    let err = load_err(
        "title = \"t\"\nstart = { layer = \"xx\", lon = 6.5, lat = 50.8, zoom = 8 }\n[[layer]]\nid = \"nc\"\nsource = \"NC_SHP\"\nid_field = \"FIPS\"\n",
    );
    assert!(
        err.contains("[start]") && err.contains("\"xx\"") && err.contains("nc"),
        "{err}"
    );
    let err = load_err(
        "title = \"t\"\nstart = { lon = 600, lat = 50.8, zoom = 8 }\n[[layer]]\nid = \"nc\"\nsource = \"NC_SHP\"\nid_field = \"FIPS\"\n",
    );
    assert!(err.contains("lon -180 to 180"), "{err}");
}

/// `check` names the districts without a value, per indicator (issue 10): the 17 Boston tracts
/// whose DBF `median` is `*********` (read with Python `struct`, not Quartier's importer).
#[test]
fn the_report_names_the_districts_without_a_value() {
    let (_, report) = Atlas::load(&geodata().join("atlas.toml")).unwrap();
    let boston = report.layers.iter().find(|l| l.id == "boston").unwrap();
    let median = boston
        .indicators
        .iter()
        .find(|i| i.id == "median_income")
        .unwrap();
    let want = [
        ("0107", "Boston Back Bay"),
        ("0108", "Boston Back Bay"),
        ("0201", "Boston Beacon Hill"),
        ("0203", "Boston Beacon Hill"),
        ("0606", "Boston South Boston"),
        ("0614", "Boston South Boston"),
        ("3540", "Cambridge"),
        ("3541", "Cambridge"),
        ("3542", "Cambridge"),
        ("3545", "Cambridge"),
        ("3578", "Belmont"),
        ("3602", "Lincoln"),
        ("3672", "Weston"),
        ("3736", "Newton"),
        ("4001", "Brookline"),
        ("4011", "Brookline"),
        ("4051", "Dover"),
    ];
    let want: Vec<String> = want.iter().map(|(id, n)| format!("{id} ({n})")).collect();
    assert_eq!(median.missing, 17);
    assert_eq!(median.missing_districts, want);
    let text = report.to_string();
    assert!(
        text.contains(
            "median_income            489 values, 17 missing: 0107 (Boston Back Bay), 0108 (Boston Back Bay), \
             0201 (Boston Beacon Hill), 0203 (Boston Beacon Hill), 0606 (Boston South Boston), \
             0614 (Boston South Boston), 3540 (Cambridge), 3541 (Cambridge) and 9 more"
        ),
        "{text}"
    );
    // Indicators without gaps list nothing.
    let population = boston
        .indicators
        .iter()
        .find(|i| i.id == "population")
        .unwrap();
    assert!(population.missing_districts.is_empty());
}
