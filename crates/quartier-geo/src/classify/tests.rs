//! Breaks against PySAL mapclassify and R (fixtures written by
//! `tests/reference/classify_reference.py`), plus the awkward inputs.

use std::path::PathBuf;

use serde_json::Value;

use super::*;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

fn fixture(name: &str) -> Value {
    let path = fixtures().join("reference").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// One numeric DBF column, read with the `dbase` crate directly.
fn dbf_column(file: &str, field: &str) -> Vec<f64> {
    let mut reader = dbase::Reader::from_path(fixtures().join(file)).unwrap();
    reader
        .read()
        .unwrap()
        .iter()
        .map(|r| match r.get(field) {
            Some(dbase::FieldValue::Numeric(Some(v))) => *v,
            other => panic!("{file} {field}: {other:?}"),
        })
        .collect()
}

/// The reference datasets, computed the same way as in the Python script.
fn dataset(name: &str) -> Vec<f64> {
    match name {
        "nc_sid74" => dbf_column("nc_sids/nc.dbf", "SID74"),
        "nc_sids_rate" => {
            let sid = dbf_column("nc_sids/nc.dbf", "SID74");
            let births = dbf_column("nc_sids/nc.dbf", "BIR74");
            sid.iter()
                .zip(&births)
                .map(|(s, b)| s / b * 1000.0)
                .collect()
        }
        "boston_cmedv" => dbf_column("boston_tracts/boston_tracts.dbf", "CMEDV"),
        "boston_crim" => dbf_column("boston_tracts/boston_tracts.dbf", "CRIM"),
        other => panic!("unknown dataset {other}"),
    }
}

fn some(values: &[f64]) -> Vec<Option<f64>> {
    values.iter().copied().map(Some).collect()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn usizes(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

fn assert_close(actual: &[f64], expected: &[f64], rel: f64, what: &str) {
    assert_eq!(
        actual.len(),
        expected.len(),
        "{what}: {actual:?} vs {expected:?}"
    );
    for (a, e) in actual.iter().zip(expected) {
        let tol = rel * e.abs().max(1e-300);
        assert!((a - e).abs() <= tol, "{what}: {actual:?} vs {expected:?}");
    }
}

/// The within-class sum of squares of a classification, for comparing Jenks optima.
fn sse(values: &[f64], c: &Classification) -> f64 {
    let mut classes = vec![Vec::new(); c.classes()];
    for &v in values {
        classes[c.class_of(v).unwrap()].push(v);
    }
    classes
        .iter()
        .filter(|c| !c.is_empty())
        .map(|c| {
            let m = c.iter().sum::<f64>() / c.len() as f64;
            c.iter().map(|v| (v - m) * (v - m)).sum::<f64>()
        })
        .sum()
}

fn method_of(case: &Value) -> Method {
    case["method"].as_str().unwrap().parse().unwrap()
}

/// Checks one mapclassify case (quantile, equal, stddev, manual or jenks) against `classify`.
fn check_case(values: &[f64], case: &Value) {
    let method = method_of(case);
    let k = case["k"].as_u64().unwrap() as usize;
    let what = format!("{} {method} k={k} {}", case["dataset"], case["variant"]);
    let manual = case.get("manual_breaks").map(floats);
    let c = classify(&some(values), method, k, manual.as_deref()).unwrap();
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    assert_eq!(c.breaks.len(), c.counts.len() + 1, "{what}");
    assert!(c.breaks.iter().all(|b| b.is_finite()), "{what}");
    assert_eq!(c.counts.iter().sum::<usize>(), values.len(), "{what}");
    assert_eq!(c.missing, 0);
    if method == Method::Jenks {
        if let Some(err) = case.get("mapclassify_error") {
            // mapclassify refuses; Quartier gives one class per distinct value.
            let mut distinct = values.to_vec();
            distinct.sort_by(f64::total_cmp);
            distinct.dedup();
            assert!(
                err.as_str().unwrap().contains("Fewer unique values"),
                "{what}"
            );
            assert_eq!(c.breaks[1..], distinct[..], "{what}");
            assert_eq!(
                &c.notes.last().unwrap().to_string(),
                &format!(
                    "only {} distinct values: {} classes instead of {k}",
                    distinct.len(),
                    distinct.len()
                )
            );
            return;
        }
        let optimum_sse = case["optimum_sse"].as_f64().unwrap();
        if case["optimum_unique"].as_bool().unwrap() {
            assert_close(&c.breaks[1..], &floats(&case["optimum_bins"]), 1e-9, &what);
            assert_eq!(c.counts, usizes(&case["optimum_counts"]), "{what}");
        }
        let ours = sse(values, &c);
        assert!(
            (ours - optimum_sse).abs() <= 1e-9 * optimum_sse.max(1.0),
            "{what}: {ours} vs {optimum_sse}"
        );
        if case["mapclassify_is_optimum"].as_bool().unwrap() {
            assert_close(&c.breaks[1..], &floats(&case["bins"]), 1e-9, &what);
            assert_eq!(c.counts, usizes(&case["counts"]), "{what}");
        } else {
            // mapclassify's float32 sums missed the optimum: ours is strictly better.
            assert!(ours < case["sse"].as_f64().unwrap(), "{what}");
        }
    } else {
        let bins = floats(&case["bins"]);
        assert_close(&c.breaks[1..], &bins, 1e-9, &what);
        assert_eq!(c.counts, usizes(&case["counts"]), "{what}");
        assert_eq!(c.breaks[0], min.min(c.breaks[1]), "{what}");
    }
}

#[test]
fn reads_the_reference_columns_like_the_reference_script() {
    let reference = fixture("classify_mapclassify.json");
    for (name, summary) in reference["datasets"].as_object().unwrap() {
        let values = dataset(name);
        assert_eq!(
            values.len() as u64,
            summary["n"].as_u64().unwrap(),
            "{name}"
        );
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        assert_eq!(min, summary["min"].as_f64().unwrap(), "{name}");
        assert_eq!(max, summary["max"].as_f64().unwrap(), "{name}");
        let sum: f64 = values.iter().sum();
        assert!(
            (sum - summary["sum"].as_f64().unwrap()).abs() < 1e-9,
            "{name}"
        );
    }
}

#[test]
fn matches_mapclassify_on_nc_and_boston() {
    let reference = fixture("classify_mapclassify.json");
    let cases = reference["cases"].as_array().unwrap();
    // 4 columns x 8 class counts x (quantile, equal, stddev, jenks, 2 manual)
    assert_eq!(cases.len(), 4 * 8 * 6);
    for case in cases {
        check_case(&dataset(case["dataset"].as_str().unwrap()), case);
    }
}

#[test]
fn matches_mapclassify_on_awkward_columns() {
    let reference = fixture("classify_mapclassify.json");
    let synthetic = reference["synthetic"].as_object().unwrap();
    let cases = reference["synthetic_cases"].as_array().unwrap();
    assert_eq!(cases.len(), synthetic.len() * 8 * 4);
    for case in cases {
        check_case(&floats(&synthetic[case["dataset"].as_str().unwrap()]), case);
    }
}

#[test]
fn jenks_beats_mapclassify_float32_on_boston_cmedv_6() {
    let c = classify(&some(&dataset("boston_cmedv")), Method::Jenks, 6, None).unwrap();
    // mapclassify's float32 accumulation ends the third class at 21.8; the exact optimum
    // (verified in rational arithmetic by the reference script) ends it at 21.7.
    assert_eq!(c.breaks, [5.0, 11.5, 16.8, 21.7, 28.2, 39.8, 50.0]);
}

#[test]
fn sids_rate_jenks_5_and_quantile_5() {
    // The classic choropleth: the fixture's numbers, spelled out for the reader.
    let reference = fixture("classify_mapclassify.json");
    let find = |m: &str| {
        reference["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["dataset"] == "nc_sids_rate" && c["method"] == m && c["k"] == 5)
            .unwrap()
            .clone()
    };
    let values = some(&dataset("nc_sids_rate"));
    for (method, name) in [(Method::Jenks, "jenks"), (Method::Quantile, "quantile")] {
        let c = classify(&values, method, 5, None).unwrap();
        assert_close(&c.breaks[1..], &floats(&find(name)["bins"]), 1e-9, name);
        assert_eq!(c.breaks[0], 0.0);
        assert_eq!(c.classes(), 5);
        assert!(c.notes.is_empty(), "{:?}", c.notes);
    }
}

#[test]
fn pretty_matches_r_on_the_columns() {
    let reference = fixture("classify_r_pretty.json");
    for case in reference["columns"].as_array().unwrap() {
        let name = case["dataset"].as_str().unwrap();
        let k = case["k"].as_u64().unwrap() as usize;
        let values = dataset(name);
        let seq = floats(&case["sequence"]);
        let c = classify(&some(&values), Method::Pretty, k, None).unwrap();
        let what = format!("{name} pretty k={k}");
        assert_close(&c.breaks[1..], &seq[1..], 1e-9, &what);
        assert_eq!(c.counts, usizes(&case["counts"]), "{what}");
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        assert_eq!(c.breaks[0], min, "{what}");
        assert_eq!(
            c.notes.is_empty(),
            c.classes() == k,
            "{what}: {:?}",
            c.notes
        );
    }
}

#[test]
fn pretty_matches_r_on_plain_ranges() {
    let reference = fixture("classify_r_pretty.json");
    for case in reference["ranges"].as_array().unwrap() {
        let (lo, hi) = (case["lo"].as_f64().unwrap(), case["hi"].as_f64().unwrap());
        let n = case["n"].as_u64().unwrap() as usize;
        let expected = floats(&case["sequence"]);
        let actual = pretty(lo, hi, n);
        let span = expected[expected.len() - 1] - expected[0];
        assert_eq!(
            actual.len(),
            expected.len(),
            "pretty({lo}, {hi}, {n}): {actual:?} vs {expected:?}"
        );
        for (a, e) in actual.iter().zip(&expected) {
            assert!(
                (a - e).abs() <= 1e-12 * span,
                "pretty({lo}, {hi}, {n}): {actual:?} vs {expected:?}"
            );
        }
    }
}

#[test]
fn pretty_gives_nearest_decimals() {
    assert_eq!(pretty(0.0, 1.0, 9)[3], 0.3);
    assert_eq!(pretty(0.1, 0.3, 9)[5], 0.2);
}

#[test]
fn all_missing_is_an_error_with_the_count() {
    let values = [
        None,
        Some(f64::NAN),
        Some(f64::INFINITY),
        Some(f64::NEG_INFINITY),
    ];
    for method in Method::ALL {
        let breaks = (method == Method::Manual).then_some(&[1.0][..]);
        let err = classify(&values, method, 5, breaks).unwrap_err();
        assert_eq!(err, ClassifyError::NoValues { total: 4 });
        assert_eq!(
            err.to_string(),
            "all 4 values are missing (empty, NaN or infinite): there is nothing to classify"
        );
    }
    assert_eq!(
        classify(&[], Method::Jenks, 5, None).unwrap_err(),
        ClassifyError::NoValues { total: 0 }
    );
}

#[test]
fn all_equal_gives_one_class_and_says_so() {
    let values = [Some(3.5), None, Some(3.5), Some(3.5)];
    for method in Method::ALL.into_iter().filter(|&m| m != Method::Manual) {
        let c = classify(&values, method, 5, None).unwrap();
        assert_eq!(c.breaks, [3.5, 3.5], "{method}");
        assert_eq!(c.counts, [3], "{method}");
        assert_eq!(c.missing, 1);
        assert_eq!(
            texts(&c.notes),
            [
                "1 of 4 values are missing (empty, NaN or infinite) and shown as no data",
                "all 3 values equal 3.5: one class instead of 5"
            ],
            "{method}"
        );
        assert_eq!(c.class_of(3.5), Some(0));
    }
}

#[test]
fn fewer_distinct_values_than_classes() {
    let values = some(&[1.0, 1.0, 2.0, 2.0, 3.0]);
    let c = classify(&values, Method::Jenks, 5, None).unwrap();
    assert_eq!(c.breaks, [1.0, 1.0, 2.0, 3.0]);
    assert_eq!(c.counts, [2, 2, 1]);
    assert_eq!(
        texts(&c.notes),
        ["only 3 distinct values: 3 classes instead of 5"]
    );
    // Equal intervals keep their widths and report the empty classes.
    let c = classify(&values, Method::EqualInterval, 4, None).unwrap();
    assert_eq!(c.counts, [2, 2, 0, 1]);
    assert_eq!(texts(&c.notes), ["1 of 4 classes are empty"]);
}

#[test]
fn nan_and_infinite_values_count_as_missing() {
    let values = [
        Some(1.0),
        Some(f64::NAN),
        Some(2.0),
        None,
        Some(f64::INFINITY),
        Some(10.0),
        Some(11.0),
    ];
    let c = classify(&values, Method::Jenks, 2, None).unwrap();
    assert_eq!(c.breaks, [1.0, 2.0, 11.0]);
    assert_eq!(c.counts, [2, 2]);
    assert_eq!(c.missing, 3);
    assert_eq!(c.class_of(f64::NAN), None);
    assert_eq!(c.class_of(f64::INFINITY), None);
    assert_eq!(c.class_of(f64::NEG_INFINITY), None);
}

#[test]
fn class_of_uses_inclusive_upper_bounds() {
    let c = classify(
        &some(&[0.0, 5.0, 10.0, 20.0]),
        Method::Manual,
        0,
        Some(&[5.0, 10.0, 20.0]),
    )
    .unwrap();
    assert_eq!(c.breaks, [0.0, 5.0, 10.0, 20.0]);
    assert_eq!(c.counts, [2, 1, 1]);
    assert_eq!(c.class_of(5.0), Some(0));
    assert_eq!(c.class_of(5.000001), Some(1));
    assert_eq!(c.class_of(-100.0), Some(0));
    assert_eq!(c.class_of(1e9), Some(2));
    assert!(c.notes.is_empty());
}

#[test]
fn class_of_without_classes_is_none() {
    let empty = Classification {
        method: Method::Jenks,
        requested: 5,
        breaks: Vec::new(),
        counts: Vec::new(),
        missing: 3,
        notes: Vec::new(),
    };
    assert_eq!(empty.classes(), 0);
    assert_eq!(empty.class_of(1.0), None);
}

#[test]
fn manual_breaks_above_the_data_and_below_it() {
    // Values above the last break: an extra class up to the maximum (mapclassify UserDefined).
    let c = classify(
        &some(&[1.0, 2.0, 7.0]),
        Method::Manual,
        0,
        Some(&[2.0, 5.0]),
    )
    .unwrap();
    assert_eq!(c.breaks, [1.0, 2.0, 5.0, 7.0]);
    assert_eq!(c.counts, [2, 0, 1]);
    assert_eq!(c.requested, 2);
    assert_eq!(
        texts(&c.notes),
        [
            "values above the last break 5 (up to 7) form an extra class",
            "1 of 3 classes are empty"
        ]
    );
    // A first break below every value: breaks[0] is that break, the first class is empty.
    let c = classify(&some(&[3.0, 4.0]), Method::Manual, 0, Some(&[1.0, 5.0])).unwrap();
    assert_eq!(c.breaks, [1.0, 1.0, 5.0]);
    assert_eq!(c.counts, [0, 2]);
}

#[test]
fn manual_breaks_are_validated() {
    let v = some(&[1.0, 2.0, 3.0]);
    let manual = |b: &[f64]| classify(&v, Method::Manual, 5, Some(b)).unwrap_err();
    assert_eq!(manual(&[]), ClassifyError::ManualBreaksEmpty);
    assert_eq!(
        manual(&[1.0, f64::NAN]).to_string(),
        "manual break 2 is NaN: breaks must be finite numbers"
    );
    assert_eq!(
        manual(&[1.0, 3.0, 2.0]).to_string(),
        "manual breaks must ascend, but break 3 (2) is not greater than break 2 (3)"
    );
    assert_eq!(
        manual(&[1.0, 1.0]),
        ClassifyError::ManualBreaksNotAscending {
            position: 2,
            previous: 1.0,
            value: 1.0
        }
    );
    let nine_low: Vec<f64> = (0..9).map(|i| i as f64 / 10.0).collect();
    assert_eq!(
        manual(&nine_low).to_string(),
        "9 manual breaks make 10 classes (with the extra class for values up to the maximum 3): at most 9 are allowed"
    );
    let ten: Vec<f64> = (0..10).map(f64::from).collect();
    assert_eq!(
        manual(&ten).to_string(),
        "10 manual breaks make 10 classes: at most 9 are allowed"
    );
    assert_eq!(
        classify(&v, Method::Manual, 5, None).unwrap_err(),
        ClassifyError::ManualBreaksMissing
    );
    assert_eq!(
        classify(&v, Method::Jenks, 3, Some(&[1.0]))
            .unwrap_err()
            .to_string(),
        "breaks are only used with method manual, not with jenks: drop the breaks or choose manual"
    );
}

#[test]
fn class_count_is_validated() {
    let v = some(&[1.0, 2.0, 3.0]);
    for classes in [0, 1, 10, 100] {
        let err = classify(&v, Method::Quantile, classes, None).unwrap_err();
        assert_eq!(err, ClassifyError::ClassesOutOfRange { classes });
        assert_eq!(
            err.to_string(),
            format!("{classes} classes requested: choose between 2 and 9")
        );
    }
    // Manual breaks bring their own class count.
    assert!(classify(&v, Method::Manual, 0, Some(&[2.0])).is_ok());
}

#[test]
fn method_names_parse_display_and_serialize() {
    for m in Method::ALL {
        assert_eq!(m.to_string().parse::<Method>().unwrap(), m);
        assert_eq!(serde_json::to_string(&m).unwrap(), format!("\"{m}\""));
        assert_eq!(
            serde_json::from_str::<Method>(&format!("\"{m}\"")).unwrap(),
            m
        );
    }
    assert_eq!(" Jenks ".parse::<Method>().unwrap(), Method::Jenks);
    assert_eq!("EQUAL".parse::<Method>().unwrap(), Method::EqualInterval);
    assert_eq!(
        "natural".parse::<Method>().unwrap_err().to_string(),
        "unknown classification method \"natural\": expected one of quantile, equal, jenks, stddev, pretty, manual"
    );
}

#[test]
fn stddev_multiples_per_class_count() {
    assert_eq!(std_multiples(2), [0]);
    assert_eq!(std_multiples(3), [-1, 1]);
    assert_eq!(std_multiples(4), [-1, 0, 1]);
    assert_eq!(std_multiples(5), [-2, -1, 1, 2]);
    assert_eq!(std_multiples(9), [-4, -3, -2, -1, 1, 2, 3, 4]);
    for k in MIN_CLASSES..=MAX_CLASSES {
        assert_eq!(std_multiples(k).len(), k - 1);
    }
}

#[test]
fn stddev_reports_a_top_band_beyond_the_maximum() {
    let c = classify(&some(&[1.0, 1.0, 2.0, 2.0, 3.0]), Method::StdDev, 5, None).unwrap();
    assert_eq!(c.classes(), 4);
    assert_eq!(c.notes[0].to_string(), "the band up to mean + 2 standard deviations (3.473320053068151) already holds the maximum 3: 4 classes instead of 5");
}

#[test]
fn serializes_without_nan() {
    let c = classify(&[Some(1.0), None, Some(2.0)], Method::Quantile, 2, None).unwrap();
    let json = serde_json::to_value(&c).unwrap();
    assert_eq!(json["method"], "quantile");
    assert_eq!(json["breaks"], serde_json::json!([1.0, 1.5, 2.0]));
    assert_eq!(json["counts"], serde_json::json!([1, 1]));
    assert_eq!(json["missing"], 1);
}

/// A small deterministic generator (no `rand` dependency).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The textbook O(k n^2) dynamic programme over all (not only distinct) sorted values, in the
/// order of mapclassify's loops, but in f64: the fast solver must find the same optimum.
fn brute_force_sse(sorted: &[f64], k: usize) -> f64 {
    let n = sorted.len();
    let mut d = vec![vec![f64::INFINITY; n + 1]; k + 1];
    d[0][0] = 0.0;
    for q in 1..=k {
        for j in 1..=n {
            let (mut s1, mut s2) = (0.0, 0.0);
            for i in (0..j).rev() {
                let x = sorted[i];
                s1 += x;
                s2 += x * x;
                let w = (j - i) as f64;
                let v = d[q - 1][i] + (s2 - s1 * s1 / w).max(0.0);
                if v < d[q][j] {
                    d[q][j] = v;
                }
            }
        }
    }
    d[k][n]
}

#[test]
fn fast_jenks_equals_the_textbook_programme() {
    let mut rng = Lcg(42);
    for trial in 0..60 {
        let n = 20 + trial * 3;
        let values: Vec<f64> = (0..n)
            .map(|_| {
                let x = rng.next();
                match trial % 3 {
                    0 => (x * 20.0).floor(),    // many ties
                    1 => x * x * x * 1000.0,    // skewed
                    _ => (x - 0.5) * 1e6 + 3e7, // offset far from zero
                }
            })
            .collect();
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        for k in 2..=9 {
            let c = classify(&some(&values), Method::Jenks, k, None).unwrap();
            if c.classes() < k {
                continue;
            }
            let expected = brute_force_sse(&sorted, k);
            let ours = sse(&values, &c);
            let scale = brute_force_sse(&sorted, 1).max(1.0);
            assert!(
                (ours - expected).abs() <= 1e-9 * scale,
                "trial {trial} k={k}: {ours} vs {expected}"
            );
        }
    }
}

#[test]
fn jenks_on_many_values_keeps_its_invariants() {
    let mut rng = Lcg(7);
    let values: Vec<Option<f64>> = (0..20_000)
        .map(|_| Some((rng.next() * 1e4).round() / 10.0))
        .collect();
    let c = classify(&values, Method::Jenks, 7, None).unwrap();
    assert_eq!(c.classes(), 7);
    assert_eq!(c.counts.iter().sum::<usize>(), 20_000);
    assert!(
        c.breaks.windows(2).skip(1).all(|w| w[0] < w[1]),
        "{:?}",
        c.breaks
    );
}

#[test]
fn std_mean_on_huge_values_has_finite_breaks() {
    // Found by tests/properties.rs: squares of 1.17e287 overflowed, the deviation became
    // infinite and the mean break (0 deviations, 2 classes) NaN.
    let values = [Some(1.1672313586996707e287), Some(0.0)];
    for k in 2..=9 {
        let c = classify(&values, Method::StdDev, k, None).unwrap();
        assert!(
            c.breaks.iter().all(|b| b.is_finite()),
            "k={k}: {:?}",
            c.breaks
        );
        assert_eq!(c.counts.iter().sum::<usize>(), 2, "k={k}");
    }
    // Two classes split at the mean, as for ordinary numbers.
    let c = classify(&values, Method::StdDev, 2, None).unwrap();
    assert_eq!(
        c.breaks,
        [0.0, 1.1672313586996707e287 / 2.0, 1.1672313586996707e287]
    );
    // Values near the top of f64 keep finite breaks too.
    let c = classify(
        &[Some(f64::MAX), Some(-f64::MAX), Some(0.0)],
        Method::StdDev,
        5,
        None,
    )
    .unwrap();
    assert!(c.breaks.iter().all(|b| b.is_finite()), "{:?}", c.breaks);
}

/// The English sentences of a classification's notes.
fn texts(notes: &[Note]) -> Vec<String> {
    notes.iter().map(ToString::to_string).collect()
}
