//! Colours against the ColorBrewer and matplotlib fixtures written by
//! `tests/reference/classify_reference.py`.

use std::path::PathBuf;

use serde_json::Value;

use super::*;

fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/reference")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn hexes(colors: &[Rgb]) -> Vec<String> {
    colors.iter().copied().map(hex).collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn every_colorbrewer_entry_matches_the_published_table() {
    let reference = fixture("classify_colorbrewer.json");
    let expected = reference["schemes"].as_array().unwrap();
    assert_eq!(expected.len(), 35);
    let mut entries = 0;
    for e in expected {
        let name = e["name"].as_str().unwrap();
        let s = scheme(name).unwrap();
        assert_eq!(s.name, name);
        let kind = match e["kind"].as_str().unwrap() {
            "Sequential" => SchemeKind::Sequential,
            "Diverging" => SchemeKind::Diverging,
            _ => SchemeKind::Qualitative,
        };
        assert_eq!(s.kind, kind, "{name}");
        assert_eq!(
            s.colorblind_safe,
            e["colorblind_safe"].as_bool().unwrap(),
            "{name}"
        );
        let max = e["max"].as_u64().unwrap() as usize;
        assert_eq!(s.classes_range(), (1, max), "{name}");
        let lists = e["colors"].as_object().unwrap();
        assert_eq!(lists.len(), max - 2, "{name}");
        for (k, colors) in lists {
            let k: usize = k.parse().unwrap();
            assert_eq!(hexes(&s.colors(k).unwrap()), strings(colors), "{name} {k}");
            entries += k;
        }
        assert!(s.colors(max + 1).is_err());
    }
    // Every colour of every list (counted from the fixture by the reference script's JSON).
    assert_eq!(entries, 1689);
}

#[test]
fn ylorrd_5_is_the_published_list() {
    let s = scheme("YlOrRd").unwrap();
    assert_eq!(
        hexes(&s.colors(5).unwrap()),
        ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"]
    );
}

#[test]
fn viridis_and_cividis_are_sampled_like_matplotlib() {
    let reference = fixture("classify_matplotlib.json");
    for m in reference["maps"].as_array().unwrap() {
        let name = m["name"].as_str().unwrap();
        let s = scheme(name).unwrap();
        assert_eq!(s.kind, SchemeKind::Sequential);
        assert!(s.colorblind_safe);
        for (k, colors) in m["colors"].as_object().unwrap() {
            let k: usize = k.parse().unwrap();
            assert_eq!(hexes(&s.colors(k).unwrap()), strings(colors), "{name} {k}");
        }
    }
}

#[test]
fn one_and_two_classes_follow_the_documented_rule() {
    let ylorrd = scheme("YlOrRd").unwrap();
    let three = ylorrd.colors(3).unwrap();
    assert_eq!(ylorrd.colors(2).unwrap(), [three[0], three[2]]);
    assert_eq!(ylorrd.colors(1).unwrap(), [three[1]]);
    let set1 = scheme("Set1").unwrap();
    let three = set1.colors(3).unwrap();
    assert_eq!(set1.colors(2).unwrap(), [three[0], three[1]]);
    assert_eq!(set1.colors(1).unwrap(), [three[0]]);
    let err = ylorrd.colors(0).unwrap_err();
    assert_eq!(
        err.to_string(),
        "colour scheme YlOrRd has colours for 1 to 9 classes, not 0"
    );
}

#[test]
fn names_are_case_insensitive_and_errors_list_them() {
    assert_eq!(scheme("ylorrd").unwrap().name, "YlOrRd");
    assert_eq!(scheme(" VIRIDIS ").unwrap().name, "viridis");
    let msg = scheme("rainbow").unwrap_err().to_string();
    assert!(
        msg.starts_with("unknown colour scheme \"rainbow\": expected one of Blues, BuGn,"),
        "{msg}"
    );
    assert!(msg.ends_with("Set3, viridis, cividis"), "{msg}");
    assert_eq!(schemes().len(), 37);
}

#[test]
fn default_scheme_is_sequential_and_colorblind_safe() {
    let s = scheme(DEFAULT_SCHEME).unwrap();
    assert_eq!(s.kind, SchemeKind::Sequential);
    assert!(s.colorblind_safe);
    for k in 2..=crate::classify::MAX_CLASSES {
        assert_eq!(s.colors(k).unwrap().len(), k);
    }
}

#[test]
fn no_data_is_far_from_every_class_colour() {
    let mut nearest = f64::INFINITY;
    for s in schemes() {
        let (_, max) = s.classes_range();
        for k in 1..=max.min(12) {
            for c in s.colors(k).unwrap() {
                assert_ne!(c, NO_DATA, "{} {k}", s.name);
                let d: f64 = (0..3)
                    .map(|i| (f64::from(c[i]) - f64::from(NO_DATA[i])).powi(2))
                    .sum::<f64>()
                    .sqrt();
                nearest = nearest.min(d);
            }
        }
    }
    assert!(nearest > 22.0, "{nearest}");
}

#[test]
fn centred_on_the_middle_class_gives_the_symmetric_list() {
    let rdbu = scheme("RdBu").unwrap();
    let breaks = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
    // 2.5 lies in the third of five classes: exactly the published 5-class list.
    assert_eq!(
        centred_colors(rdbu, &breaks, 2.5).unwrap(),
        rdbu.colors(5).unwrap()
    );
}

#[test]
fn centred_off_middle_uses_a_wider_list_cut_at_its_neutral_middle() {
    let rdbu = scheme("RdBu").unwrap();
    let breaks = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
    // 1.0 lies in the first class (upper bounds are inclusive): 0 below, 4 above.
    let colors = centred_colors(rdbu, &breaks, 1.0).unwrap();
    let nine = rdbu.colors(9).unwrap();
    assert_eq!(colors, nine[4..9]);
    assert_eq!(hex(colors[0]), "#f7f7f7"); // RdBu's neutral middle
                                           // 4.5 lies in the last class: 4 below, 0 above.
    assert_eq!(centred_colors(rdbu, &breaks, 4.5).unwrap(), nine[0..5]);
    // 1.5 lies in the second class: 1 below, 3 above, from the 7-class list.
    let seven = rdbu.colors(7).unwrap();
    assert_eq!(centred_colors(rdbu, &breaks, 1.5).unwrap(), seven[2..7]);
}

#[test]
fn centring_errors_say_what_is_wrong() {
    let rdbu = scheme("RdBu").unwrap();
    let nine = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0];
    assert_eq!(
        centred_colors(rdbu, &nine, 0.5).unwrap_err().to_string(),
        "centre 0.5 lies in class 1 of 9, leaving 8 classes on one side, but colour scheme RdBu has at most 5 colours \
         on each side of its neutral middle"
    );
    assert_eq!(
        centred_colors(scheme("Blues").unwrap(), &nine, 4.5).unwrap_err().to_string(),
        "colour scheme Blues is sequential: centring on a value needs a diverging scheme such as RdBu or BrBG"
    );
    assert_eq!(
        centred_colors(scheme("viridis").unwrap(), &nine, 4.5).unwrap_err(),
        PaletteError::NotDiverging {
            scheme: "viridis",
            kind: SchemeKind::Sequential
        }
    );
    assert_eq!(
        centred_colors(rdbu, &nine, 12.0).unwrap_err().to_string(),
        "centre 12 lies outside the classes, which run from 0 to 9"
    );
    assert!(matches!(
        centred_colors(rdbu, &nine, f64::NAN),
        Err(PaletteError::CentreNotFinite { .. })
    ));
    assert!(matches!(
        centred_colors(rdbu, &[1.0], 1.0),
        Err(PaletteError::InvalidBreaks { .. })
    ));
    assert!(matches!(
        centred_colors(rdbu, &[1.0, 0.0], 0.5),
        Err(PaletteError::InvalidBreaks { .. })
    ));
}

#[test]
fn centring_a_single_class_gives_the_neutral_colour() {
    let brbg = scheme("BrBG").unwrap();
    let colors = centred_colors(brbg, &[3.5, 3.5], 3.5).unwrap();
    assert_eq!(hexes(&colors), ["#f5f5f5"]);
}

#[test]
fn hex_is_lowercase_css() {
    assert_eq!(hex([255, 255, 178]), "#ffffb2");
    assert_eq!(hex([0, 10, 171]), "#000aab");
}

#[test]
fn split_colors_take_each_arm_of_an_even_list() {
    let rdbu = scheme("RdBu").unwrap();
    let hexes = |v: Vec<Rgb>| v.into_iter().map(hex).collect::<Vec<_>>();
    // RdBu 6 is #b2182b #ef8a62 #fddbc7 | #d1e5f0 #67a9cf #2166ac.
    assert_eq!(
        hexes(split_colors(rdbu, 2, 3).unwrap()),
        ["#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac"]
    );
    assert_eq!(
        hexes(split_colors(rdbu, 1, 1).unwrap()),
        ["#ef8a62", "#67a9cf"]
    );
    assert_eq!(
        split_colors(rdbu, 0, 5).unwrap(),
        rdbu.colors(10).unwrap()[5..]
    );
    assert_eq!(max_side(rdbu), 5);
    assert_eq!(max_side(scheme("Blues").unwrap()), 0);
    assert_eq!(
        split_colors(rdbu, 6, 1).unwrap_err().to_string(),
        "6 classes on one side of the centre, but colour scheme RdBu has at most 5 colours on each side: ask for fewer classes"
    );
    assert!(split_colors(scheme("viridis").unwrap(), 2, 2).is_err());
}
