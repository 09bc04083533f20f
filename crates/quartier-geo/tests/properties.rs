//! Properties that hold for every input, checked with proptest on generated data (issue 11):
//! classification (breaks ascend and are finite, each value lies in exactly one class, the counts
//! add up, never more classes than allowed) and the join's key rules (padding, case, duplicate
//! keys are errors, every district gets the row with its key).
//!
//! The reference-value tests (mapclassify, R, pandas) are in `src/classify/tests.rs` and
//! `src/join/tests.rs`; these tests cover the inputs no reference file holds: ties, gaps, NaN,
//! a single value, huge and tiny magnitudes.

// A failed unwrap is a failed property here.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use quartier_geo::classify::{classify, Classification, Method, MAX_CLASSES, MIN_CLASSES};
use quartier_geo::join::{join, normalize_key, JoinError, JoinOptions, MAX_PAD_WIDTH};
use quartier_geo::table::{Table, TableOptions};

// ---- classification ----

/// One value: often a small integer (ties), sometimes any magnitude, sometimes missing.
fn value() -> impl Strategy<Value = Option<f64>> {
    prop_oneof![
        4 => (-20i32..20).prop_map(|i| Some(f64::from(i))),
        4 => (-1e6f64..1e6).prop_map(Some),
        1 => prop::num::f64::NORMAL.prop_map(|x| Some(x / 1e10)),
        1 => Just(None),
        1 => Just(Some(f64::NAN)),
        1 => Just(Some(f64::INFINITY)),
    ]
}

fn method() -> impl Strategy<Value = Method> {
    prop_oneof![
        Just(Method::Quantile),
        Just(Method::EqualInterval),
        Just(Method::Jenks),
        Just(Method::StdDev),
        Just(Method::Pretty),
    ]
}

/// The class a value belongs to by the interval rule of the module docs:
/// class `i` holds `b(i-1) < v <= b_i`, the first class everything up to `b1`.
fn classes_holding(c: &Classification, v: f64) -> Vec<usize> {
    (0..c.classes())
        .filter(|&i| v <= c.breaks[i + 1] && (i == 0 || v > c.breaks[i]))
        .collect()
}

/// The properties every classification has, whatever the method.
fn check_classification(values: &[Option<f64>], c: &Classification, max_classes: usize) {
    let valid: Vec<f64> = values
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    assert!(c.classes() >= 1 && c.classes() <= max_classes, "{c:?}");
    assert_eq!(c.breaks.len(), c.classes() + 1);
    assert!(c.breaks.iter().all(|b| b.is_finite()), "{:?}", c.breaks);
    assert!(c.breaks[0] <= c.breaks[1], "{:?}", c.breaks);
    assert!(
        c.breaks[1..].windows(2).all(|w| w[0] < w[1]),
        "{:?}",
        c.breaks
    );
    assert_eq!(c.missing, values.len() - valid.len());
    assert_eq!(c.counts.iter().sum::<usize>(), valid.len());
    let mut counted = vec![0usize; c.classes()];
    for &v in &valid {
        let holding = classes_holding(c, v);
        assert_eq!(
            holding.len(),
            1,
            "{v} is in classes {holding:?} of {:?}",
            c.breaks
        );
        assert_eq!(c.class_of(v), Some(holding[0]), "{v} in {:?}", c.breaks);
        counted[holding[0]] += 1;
    }
    assert_eq!(counted, c.counts);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn every_method_classifies_every_value_once(
        values in prop::collection::vec(value(), 1..120),
        method in method(),
        k in MIN_CLASSES..=MAX_CLASSES,
    ) {
        let has_value = values.iter().flatten().any(|v| v.is_finite());
        match classify(&values, method, k, None) {
            Ok(c) => {
                // Pretty may give a class or two more than asked, never more than the maximum.
                let max = if method == Method::Pretty { MAX_CLASSES } else { k };
                check_classification(&values, &c, max);
                prop_assert_eq!(c.requested, k);
            }
            Err(e) => prop_assert!(!has_value, "{e}"),
        }
    }

    #[test]
    fn manual_breaks_classify_every_value_once(
        values in prop::collection::vec(value(), 1..120),
        mut breaks in prop::collection::vec(-30.0f64..30.0, 1..MAX_CLASSES),
    ) {
        breaks.sort_by(f64::total_cmp);
        breaks.dedup();
        let has_value = values.iter().flatten().any(|v| v.is_finite());
        match classify(&values, Method::Manual, 5, Some(&breaks)) {
            Ok(c) => {
                // One class per break, plus one up to the maximum when values lie above.
                check_classification(&values, &c, (breaks.len() + 1).min(MAX_CLASSES));
                prop_assert_eq!(&c.breaks[1..=breaks.len()], &breaks[..]);
            }
            Err(e) => prop_assert!(
                !has_value || breaks.len() == MAX_CLASSES,
                "{e}"
            ),
        }
    }

    #[test]
    fn class_counts_are_out_of_range_errors(k in prop_oneof![0usize..MIN_CLASSES, MAX_CLASSES + 1..1000]) {
        let values = [Some(1.0), Some(2.0), Some(3.0)];
        prop_assert!(classify(&values, Method::Quantile, k, None).is_err());
    }
}

// ---- join rules ----

/// A table `key;value` from (key, value) pairs; line `i + 2` holds pair `i`.
fn table(pairs: &[(String, u32)]) -> Table {
    let mut csv = String::from("key;value\n");
    for (k, v) in pairs {
        csv.push_str(&format!("{k};{v}\n"));
    }
    Table::from_bytes("t.csv", csv.as_bytes(), &TableOptions::default()).unwrap()
}

fn opts(pad_width: Option<usize>, case_sensitive: bool) -> JoinOptions {
    JoinOptions {
        pad_width,
        case_sensitive,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn padding_fills_digit_keys_to_the_width_and_leaves_others(
        key in "[0-9]{1,20}|[A-Za-z0-9.]{1,12}",
        width in 0usize..=MAX_PAD_WIDTH,
        space in "[ \t]{0,2}",
    ) {
        let padded = normalize_key(&format!("{space}{key}{space}"), &opts(Some(width), true));
        let digits = key.bytes().all(|b| b.is_ascii_digit());
        if digits && key.len() < width {
            prop_assert_eq!(padded.len(), width);
            prop_assert!(padded.ends_with(&key));
            prop_assert!(padded[..width - key.len()].bytes().all(|b| b == b'0'));
        } else {
            prop_assert_eq!(&padded, &key);
        }
        // The rule is idempotent: a normalized key normalizes to itself.
        prop_assert_eq!(normalize_key(&padded, &opts(Some(width), true)), padded);
    }

    #[test]
    fn case_folding_matches_ascii_case_variants_only_when_asked(key in "[A-Za-z][A-Za-z0-9]{0,10}") {
        let (upper, lower) = (key.to_ascii_uppercase(), key.to_ascii_lowercase());
        prop_assert_eq!(
            normalize_key(&upper, &opts(None, false)),
            normalize_key(&lower, &opts(None, false))
        );
        if upper != lower {
            prop_assert_ne!(
                normalize_key(&upper, &opts(None, true)),
                normalize_key(&lower, &opts(None, true))
            );
        }
    }

    #[test]
    fn each_district_gets_the_row_with_its_key(
        keys in prop::collection::btree_set("[0-9]{1,5}", 1..40),
        extra in prop::collection::vec("[0-9]{6}", 0..5),
    ) {
        // Table keys are distinct codes of 1 to 5 digits, compared as text (no padding).
        let keys: Vec<String> = keys.into_iter().collect();
        let pairs: Vec<(String, u32)> = keys.iter().enumerate().map(|(i, k)| (k.clone(), i as u32)).collect();
        let t = table(&pairs);
        // Districts: every other table key, plus ids the table does not have.
        let ids: Vec<&str> = keys.iter().step_by(2).map(String::as_str).chain(extra.iter().map(String::as_str)).collect();
        let j = join(&ids, &t, "key", &JoinOptions::default()).unwrap();
        let values = j.numeric(&t, "value").unwrap();
        for (d, id) in ids.iter().enumerate() {
            match keys.iter().position(|k| k == id) {
                Some(i) => prop_assert_eq!(values[d], Some(i as f64)),
                None => prop_assert_eq!(values[d], None),
            }
        }
        let matched = ids.iter().filter(|id| keys.iter().any(|k| k == *id)).count();
        prop_assert_eq!(j.report.matched, matched);
        prop_assert_eq!(j.report.districts_without_row.len(), ids.len() - matched);
        prop_assert_eq!(j.report.rows_without_district.len(), keys.len() - matched);
    }

    #[test]
    fn keys_equal_after_the_rules_are_duplicate_errors(
        keys in prop::collection::btree_set("[1-9][0-9]{0,3}", 1..30),
        pick in any::<prop::sample::Index>(),
        variant in 0usize..3,
    ) {
        // One key appears twice, spelled differently but equal after trimming, case folding
        // ("a42" and "A42") or padding (pad 5: "42" and "00042").
        let keys: Vec<String> = keys
            .into_iter()
            .map(|k| if variant == 2 { k } else { format!("a{k}") })
            .collect();
        let i = pick.index(keys.len());
        let (second, o) = match variant {
            0 => (format!(" {} ", keys[i]), opts(None, true)),
            1 => (keys[i].to_ascii_uppercase(), opts(None, false)),
            _ => (format!("{:0>5}", keys[i]), opts(Some(5), true)),
        };
        let mut pairs: Vec<(String, u32)> = keys.iter().map(|k| (k.clone(), 1)).collect();
        pairs.push((second, 2));
        let t = table(&pairs);
        match join(&["x"], &t, "key", &o) {
            Err(JoinError::DuplicateKey(d)) => {
                prop_assert_eq!(d.first_line, i + 2);
                prop_assert_eq!(d.second_line, keys.len() + 2);
            }
            other => prop_assert!(false, "{other:?}"),
        }
        // Padded digit keys: "42" and "00042" are one key with pad 5, two without.
        let digits: Vec<(String, u32)> = vec![("42".into(), 1), ("00042".into(), 2)];
        let t = table(&digits);
        prop_assert!(join(&["x"], &t, "key", &opts(None, true)).is_ok());
        prop_assert!(matches!(join(&["x"], &t, "key", &opts(Some(5), true)), Err(JoinError::DuplicateKey(_))));
    }
}
