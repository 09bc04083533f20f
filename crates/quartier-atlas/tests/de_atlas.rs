//! The German demo atlas (`geodata/de/atlas.toml`): indicators over periods, change maps, scope of
//! the breaks and the status index, checked against the independent reference script
//! `tests/reference/de_atlas_reference.py` (pandas, numpy, mapclassify) and its fixtures
//! `tests/fixtures/reference/de_atlas_*.json`.
#![allow(clippy::unwrap_used)] // test helpers may panic: a failing fixture read is a failing test

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use quartier_atlas::layer::PreparedLayer;
use quartier_atlas::manifest::{AtlasReport, LoadedAtlas};
use quartier_atlas::periods::{IndexDetail, PeriodChoice};
use quartier_atlas::{Atlas, AtlasOptions, Lang, Style};
use serde_json::Value;

const DUREN: &str = "05358";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture(name: &str) -> Value {
    let path = root().join("tests/fixtures/reference").join(name);
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

/// The atlas, loaded once for every test of this file.
fn atlas() -> &'static (Atlas, AtlasReport) {
    static ATLAS: OnceLock<(Atlas, AtlasReport)> = OnceLock::new();
    ATLAS.get_or_init(|| {
        let (loaded, report) = LoadedAtlas::load(&root().join("geodata/de/atlas.toml")).unwrap();
        (Atlas::new(loaded, &AtlasOptions::default()), report)
    })
}

fn kreise() -> &'static PreparedLayer {
    atlas().0.layer("kreise").unwrap().1
}

fn style(pairs: &[(&str, &str)]) -> Style {
    Style::from_pairs(pairs.iter().copied())
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

fn assert_series_eq(what: &str, got: &[Option<f64>], want: &[Option<f64>]) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        match (g, w) {
            (Some(g), Some(w)) => assert!(close(*g, *w), "{what}[{i}]: {g} != {w}"),
            (None, None) => {}
            _ => panic!("{what}[{i}]: {g:?} != {w:?}"),
        }
    }
}

/// The fixture's values of `kreise` (an object by AGS) in layer order.
fn by_layer(values: &Value, key: impl Fn(&Value) -> Option<f64>) -> Vec<Option<f64>> {
    kreise()
        .atlas
        .layer
        .districts
        .iter()
        .map(|d| key(&values[&d.id]))
        .collect()
}

#[test]
fn every_table_joins_all_401_kreise() {
    let (atlas, report) = atlas();
    assert!(report.is_usable(), "{report}");
    let layer = atlas.layer("kreise").unwrap().1;
    assert_eq!(layer.atlas.layer.districts.len(), 401);
    let reference = fixture("de_atlas_join.json");
    let joins = &report.layers[0].joins;
    assert_eq!(joins.len(), 7, "one join report per table");
    for j in joins {
        let name = j
            .table
            .strip_prefix(root().join("geodata/de"))
            .unwrap_or(&j.table);
        let want = &reference["tables"][name.to_string_lossy().as_ref()];
        assert_eq!(j.matched, 401, "{name:?}: {j}");
        if let Some(m) = want["matched"].as_u64() {
            assert_eq!(j.matched as u64, m, "{name:?}");
        }
        assert!(j.districts_without_row.is_empty(), "{j}");
    }
    // The raw GENESIS export: a long table, all 401 Kreise matched in every year (Hamburg and
    // Berlin through key_map), and the report names the title and note rows it skipped.
    let genesis = &reference["tables"]["raw_latin1/12411-05-01-4.csv"];
    let tables = &report.layers[0].tables;
    let g = tables
        .iter()
        .find(|t| t.id == "genesis_population")
        .unwrap();
    assert_eq!(g.periods.len(), 25);
    assert!(g.periods.iter().all(|p| p.matched == 401), "{g}");
    assert_eq!(g.rows as u64, genesis["data_rows"].as_u64().unwrap());
    let titles: Vec<usize> = g
        .skipped
        .iter()
        .filter(|s| s.line < 7)
        .map(|s| s.line)
        .collect();
    assert_eq!(titles, vec![1, 2, 3, 4, 5, 6]);
    assert!(
        g.skipped.iter().any(|s| s.line == 13458),
        "the notes from line 13458 are named"
    );
    // 25 years × 2 rows (Hamburg and Berlin as Länder) recoded.
    assert_eq!(g.key_mapped, 50);
    // Germany and the Länder rows are rows without a district in every year.
    assert!(g.periods.iter().all(|p| p.rows_without_district >= 17));
    // The BKA export: filtered to one row per Kreis.
    let bka = &reference["tables"]["raw_latin1/KR-F-01-T01-Kreise-Faelle-HZ_csv.csv"];
    let p = tables.iter().find(|t| t.id == "pks").unwrap();
    assert_eq!(p.rows as u64, bka["data_rows"].as_u64().unwrap());
    assert_eq!(
        (p.rows - p.filtered_out) as u64,
        bka["rows_after_filter"].as_u64().unwrap()
    );
    assert!(report.to_string().contains("rows filtered out"));
    // The 72 rows of defunct Kreise are listed as rows without a district.
    let population = joins
        .iter()
        .find(|j| j.table.ends_with("lp_population.csv"))
        .unwrap();
    assert_eq!(population.rows_without_district.len(), 72);
}

#[test]
fn duren_values_equal_the_source_tables_in_every_period() {
    let reference = fixture("de_atlas_duren.json");
    let layer = kreise();
    let d = layer.district(DUREN).unwrap();
    let mut checked = 0;
    for (id, periods) in reference["indicators"].as_object().unwrap() {
        let (i, ind) = layer.indicator(id).unwrap();
        let want: Vec<i32> = periods
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.parse().unwrap())
            .collect();
        assert_eq!(ind.periods, want, "{id}: periods");
        for (p, v) in periods.as_object().unwrap() {
            let period: i32 = p.parse().unwrap();
            let k = ind.period_index(period).unwrap();
            let got = ind.series[k][d];
            assert_eq!(got.is_some(), !v.is_null(), "{id} {p}");
            if let (Some(g), Some(w)) = (got, v.as_f64()) {
                assert!(close(g, w), "{id} {p}: {g} != {w}");
            }
            // The same number through every answer: /at's values and the map's view.
            let answer = layer.district_values_with(d, &style(&[("period", p)]));
            assert_eq!(
                answer.values[id.as_str()],
                got,
                "{id} {p} via district_values_with"
            );
            assert_eq!(answer.series[id.as_str()][&period], got);
            let choice = PeriodChoice::resolve(ind, &style(&[("period", p)])).unwrap();
            assert_eq!(layer.view(i, &choice).values[d], got, "{id} {p} via view");
            checked += 1;
        }
        // The default period is the latest.
        assert_eq!(
            ind.values[d],
            *ind.series.last().unwrap().get(d).unwrap(),
            "{id}"
        );
    }
    assert!(checked > 90, "{checked} values checked");
    // The BKA export read directly: Düren's PKS frequency.
    let pks = layer.indicator("pks_frequency").unwrap().1;
    assert_eq!(pks.values[d], Some(5929.0));
    assert_eq!(pks.periods, vec![2020]);
}

#[test]
fn scope_all_breaks_are_the_same_in_every_period_and_equal_mapclassify() {
    let reference = fixture("de_atlas_breaks.json");
    let (atlas, _) = atlas();
    for id in [
        "population",
        "income",
        "abitur",
        "crime_rate",
        "population_genesis",
    ] {
        let r = &reference["indicators"][id];
        let want: Vec<f64> = r["all"]["quantile"]["bins"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let periods: Vec<String> = r["per_period"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        let mut first: Option<Vec<f64>> = None;
        for p in &periods {
            let q = style(&[("method", "quantile"), ("classes", "5"), ("period", p)]);
            let legend = atlas.legend("kreise", id, &q, Lang::De).unwrap();
            assert_eq!(
                legend.scope,
                Some("all"),
                "{id} {p}: scope=all is the default"
            );
            assert_eq!(legend.break_periods.len(), periods.len(), "{id} {p}");
            let got = &legend.breaks[1..];
            assert_eq!(got.len(), want.len(), "{id} {p}");
            for (g, w) in got.iter().zip(&want) {
                assert!(close(*g, *w), "{id} {p} scope=all: {got:?} != {want:?}");
            }
            match &first {
                None => first = Some(legend.breaks.clone()),
                Some(f) => assert_eq!(f, &legend.breaks, "{id} {p}: breaks differ between periods"),
            }
            // Counts are those of the period shown, not of the pool.
            let n = r["per_period"][p]["n"].as_u64().unwrap() as usize;
            assert_eq!(legend.counts.iter().sum::<usize>(), n, "{id} {p}");
            // scope=period: that period's own quantiles.
            let own = style(&[("method", "quantile"), ("period", p), ("scope", "period")]);
            let legend = atlas.legend("kreise", id, &own, Lang::De).unwrap();
            let want_p: Vec<f64> = r["per_period"][p]["quantile"]["bins"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            for (g, w) in legend.breaks[1..].iter().zip(&want_p) {
                assert!(
                    close(*g, *w),
                    "{id} {p} scope=period: {:?} != {want_p:?}",
                    legend.breaks
                );
            }
            assert_eq!(legend.break_periods, vec![p.parse::<i32>().unwrap()]);
        }
    }
}

#[test]
fn scope_and_period_are_part_of_the_canonical_style() {
    let (atlas, _) = atlas();
    let canonical = |pairs: &[(&str, &str)]| {
        atlas
            .classify("kreise", "income", &style(pairs))
            .unwrap()
            .canonical
            .clone()
    };
    let default = canonical(&[]);
    assert!(default.ends_with("&period=2018&scope=all"), "{default}");
    assert_eq!(default, canonical(&[("period", "2018"), ("scope", "all")]));
    assert_ne!(default, canonical(&[("period", "2017")]));
    assert_ne!(default, canonical(&[("scope", "period")]));
    let change = canonical(&[("compare", "2010"), ("change", "percent")]);
    assert!(
        change.contains("palette=RdBu") && change.contains("&centre=0"),
        "{change}"
    );
    assert!(
        change.ends_with("&period=2018&compare=2010&change=percent"),
        "{change}"
    );
    let t = quartier_render::TileCoord::new_checked(6, 33, 21).unwrap();
    let e1 = atlas
        .tile("kreise", "income", &style(&[("period", "2017")]), t, 1)
        .unwrap()
        .etag;
    let e2 = atlas
        .tile("kreise", "income", &style(&[("period", "2016")]), t, 1)
        .unwrap()
        .etag;
    assert_ne!(e1, e2, "tiles of two periods have different ETags");
    for bad in [
        ("period", "1990"),
        ("compare", "2018"),
        ("scope", "always"),
        ("change", "ratio"),
    ] {
        let err = atlas
            .legend("kreise", "income", &style(&[bad]), Lang::En)
            .unwrap_err();
        assert!(err.to_string().contains(bad.0), "{bad:?}: {err}");
    }
}

#[test]
fn change_maps_are_the_difference_of_two_periods() {
    let reference = fixture("de_atlas_change.json");
    let layer = kreise();
    for map in reference["maps"].as_array().unwrap() {
        let id = map["indicator"].as_str().unwrap();
        let (i, ind) = layer.indicator(id).unwrap();
        let params = style(&[
            ("period", &map["period"].to_string()),
            ("compare", &map["compare"].to_string()),
            ("change", map["change"].as_str().unwrap()),
        ]);
        let choice = PeriodChoice::resolve(ind, &params).unwrap();
        let got = layer.view(i, &choice).values;
        let want = by_layer(&map["values"], Value::as_f64);
        assert_series_eq(&format!("{id} {}", map["change"]), &got, &want);
        // The legend of a change map is centred on 0 in a diverging scheme.
        let legend = atlas().0.legend("kreise", id, &params, Lang::De).unwrap();
        assert_eq!(legend.centre, Some(0.0));
        assert_eq!(legend.compare, map["compare"].as_i64().map(|c| c as i32));
        assert_eq!(legend.counts.iter().sum::<usize>() + legend.missing, 401);
        assert_eq!(legend.missing, map["missing"].as_array().unwrap().len());
    }
}

/// Change maps split their classes at 0 (issue 14): the values below and above are classified
/// separately, and the breaks equal mapclassify on each side (`tests/reference/de_split_reference.py`).
#[test]
fn change_maps_classify_declines_and_rises_separately_as_the_reference() {
    let reference = fixture("de_atlas_split.json");
    let rdbu_6 = [
        "#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac",
    ];
    for map in reference["maps"].as_array().unwrap() {
        let id = map["indicator"].as_str().unwrap();
        let what = format!(
            "{id} {} {} {}",
            map["change"], map["method"], map["classes"]
        );
        let params = style(&[
            ("period", &map["period"].to_string()),
            ("compare", &map["compare"].to_string()),
            ("change", map["change"].as_str().unwrap()),
            ("method", map["method"].as_str().unwrap()),
            ("classes", &map["classes"].to_string()),
        ]);
        let legend = atlas().0.legend("kreise", id, &params, Lang::En).unwrap();
        let want: Vec<f64> = map["uppers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let got = &legend.breaks[1..];
        assert_eq!(got.len(), want.len(), "{what}: {got:?} vs {want:?}");
        for (g, w) in got.iter().zip(&want) {
            assert!(
                (g - w).abs() <= 1e-9 * w.abs().max(1.0),
                "{what}: {got:?} vs {want:?}"
            );
        }
        let (below, above) = (
            map["below"].as_u64().unwrap(),
            map["above"].as_u64().unwrap(),
        );
        let note = format!("{below} class");
        assert!(
            legend
                .notes
                .iter()
                .any(|n| n.starts_with("Separate classes below and above 0") && n.contains(&note)),
            "{what}: {:?}",
            legend.notes
        );
        // Every class below 0 is red, every class above blue: no decline shares a class or a
        // colour with a rise.
        let k = legend.colors.len();
        assert_eq!(k as u64, below + above, "{what}");
        if below + above == 5 && below == 2 {
            assert_eq!(legend.colors[..2], rdbu_6[1..3], "{what}");
        }
        for (i, c) in legend.colors.iter().enumerate() {
            let red = u8::from_str_radix(&c[1..3], 16).unwrap();
            let blue = u8::from_str_radix(&c[5..7], 16).unwrap();
            assert_eq!(
                (i as u64) < below,
                red > blue,
                "{what}: class {i} colour {c}"
            );
        }
    }
    // In German the legend says the same.
    let params = style(&[("period", "2019"), ("compare", "2008")]);
    let legend = atlas()
        .0
        .legend("kreise", "population", &params, Lang::De)
        .unwrap();
    assert!(
        legend
            .notes
            .iter()
            .any(|n| n == "Getrennte Klassen unter und über 0: 2 Klassen bis 0, 3 Klassen darüber"),
        "{:?}",
        legend.notes
    );
}

#[test]
fn status_and_dynamics_index_equal_the_reference() {
    let reference = fixture("de_atlas_index.json");
    let layer = kreise();
    let (i, ind) = layer.indicator("status").unwrap();
    assert_eq!(ind.periods, vec![2013, 2014, 2015, 2016, 2017, 2018]);
    assert_eq!(ind.components.len(), 4);
    let check = |what: &str, params: Style, entries: &Value| {
        let choice = PeriodChoice::resolve(ind, &params).unwrap();
        let view = layer.view(i, &choice);
        let want = by_layer(entries, |e| e["index"].as_f64());
        assert_series_eq(what, &view.values, &want);
        for (k, d) in layer.atlas.layer.districts.iter().enumerate() {
            let e = &entries[&d.id];
            let detail = IndexDetail::of(ind, &choice, &view, k);
            assert_eq!(detail.class, e["class"].as_str(), "{what} {}: class", d.id);
            let missing: Vec<&str> = e["missing"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m.as_str().unwrap())
                .collect();
            assert_eq!(
                detail.missing, missing,
                "{what} {}: missing components",
                d.id
            );
            if let (Some(s), Some(w)) = (detail.sd_units, e["index_sd_units"].as_f64()) {
                assert!(close(s, w), "{what} {}: s = {s} != {w}", d.id);
            }
        }
    };
    for (period, entry) in reference["status"].as_object().unwrap() {
        check(
            &format!("status {period}"),
            style(&[("period", period)]),
            &entry["kreise"],
        );
    }
    let dy = &reference["dynamics"];
    let params = style(&[
        ("period", &dy["period"].to_string()),
        ("compare", &dy["compare"].to_string()),
    ]);
    check("dynamics", params, &dy["kreise"]);
    // Göttingen has no crime figure in 2015, so no index, and says which component is missing.
    let g = layer.district("03159").unwrap();
    let answer = layer.district_values_with(g, &style(&[("period", "2015")]));
    assert_eq!(answer.values["status"], None);
    assert_eq!(
        answer.indices["status"].missing,
        vec!["crime_rate".to_string()]
    );
    // Düren's contributions (weight · direction · z) are the reference's.
    let duren = fixture("de_atlas_duren.json");
    let d = layer.district(DUREN).unwrap();
    let answer = layer.district_values_with(d, &style(&[("period", "2018")]));
    for (c, v) in duren["index"]["status"]["2018"]["contributions"]
        .as_object()
        .unwrap()
    {
        let got = answer.indices["status"].contributions[c].unwrap();
        assert!(close(got, v.as_f64().unwrap()), "{c}: {got} != {v}");
    }
}

/// Düren's printed profile in 2015 (issue 15): every number against the reference fixture — the
/// value of 2015, the change since each indicator's first period, the chart over every period,
/// and the status index's z-scores.
#[test]
fn duren_profile_page_shows_the_period_its_change_chart_and_index() {
    use quartier_atlas::print::ProfileRequest;
    use quartier_render::print::PageSpec;
    let atlas = &atlas().0;
    let geometry = atlas.print_geometry("kreise").unwrap();
    let duren = fixture("de_atlas_duren.json");
    let style = style(&[("period", "2015")]);
    let page = atlas
        .profile_page(
            &geometry,
            &ProfileRequest {
                layer: "kreise",
                district: DUREN,
                style: &style,
                page: PageSpec::default(),
                lang: Lang::De,
            },
        )
        .unwrap();
    assert_eq!(page.title, "Düren");
    assert!(page.subtitle.as_deref().unwrap().contains("2015"));
    let layer = kreise();
    for id in ["income", "abitur", "no_hauptschule", "crime_rate"] {
        let (_, ind) = layer.indicator(id).unwrap();
        let row = page
            .rows
            .iter()
            .find(|r| r.title == ind.title.get("de"))
            .unwrap_or_else(|| panic!("no row for {id}"));
        let want = &duren["indicators"][id];
        let year = |p: &str| want[p].as_f64();
        assert!(close(row.value.unwrap(), year("2015").unwrap()), "{id}");
        let first = ind.periods[0].to_string();
        let change = year("2015").unwrap() - year(&first).unwrap();
        assert!(
            close(row.change.unwrap(), change),
            "{id}: change since {first}"
        );
        let series = row.series.as_ref().unwrap();
        let periods: Vec<String> = ind.periods.iter().map(i32::to_string).collect();
        assert_eq!(series.periods, periods, "{id}");
        let expected: Vec<Option<f64>> = periods.iter().map(|p| year(p)).collect();
        assert_series_eq(id, &series.values, &expected);
        assert_eq!(series.reference.len(), periods.len());
    }
    let (title, components) = page.index.as_ref().unwrap();
    assert!(!title.is_empty());
    let z = &duren["index"]["status"]["2015"]["z"];
    assert_eq!(components.len(), 4);
    for (c, id) in components
        .iter()
        .zip(["income", "abitur", "no_hauptschule", "crime_rate"])
    {
        assert!(close(c.z.unwrap(), z[id].as_f64().unwrap()), "{id}");
    }
    assert_eq!(
        components[2].direction, -1.0,
        "no_hauptschule lowers the index"
    );
}

/// The reference of a ratio is the ratio of the totals (issue 14): crimes per 1,000 inhabitants
/// of all Kreise together in every period, against `tests/reference/de_totals_reference.py`
/// (pandas, Σ crimes / Σ population × 1,000), in the layer statistics, the legend and a profile.
#[test]
fn ratio_references_are_the_ratio_of_the_totals() {
    let totals = fixture("de_atlas_totals.json");
    let layer = kreise();
    // Fields weighted by their denominator (`weight`): the density by area (Germany's about 233
    // per km², where the mean of the Kreise says 537) and the income per head by population.
    for id in ["density", "income"] {
        let (k, ind) = layer.indicator(id).unwrap();
        let periods = totals["indicators"][id].as_object().unwrap();
        assert_eq!(periods.len(), ind.periods.len(), "{id}");
        for (period, want) in periods {
            let p: i32 = period.parse().unwrap();
            let got = ind.reference_for(Some(p)).unwrap();
            let want_total = want["ratio_of_totals"].as_f64().unwrap();
            assert!(
                close(got.value, want_total),
                "{id} {p}: {} != {want_total}",
                got.value
            );
            assert_eq!(got.kind, "ratio_of_totals");
        }
        let latest = periods.values().next_back().unwrap();
        assert!(close(
            layer.stats[k].reference.unwrap(),
            latest["ratio_of_totals"].as_f64().unwrap()
        ));
        assert!(close(
            layer.stats[k].mean.unwrap(),
            latest["mean_of_districts"].as_f64().unwrap()
        ));
    }
    let (k, ind) = layer.indicator("crime_rate").unwrap();
    let periods = totals["indicators"]["crime_rate"].as_object().unwrap();
    assert_eq!(periods.len(), ind.periods.len());
    for (period, want) in periods {
        let p: i32 = period.parse().unwrap();
        let total = ind.total_ratio(Some(p)).unwrap();
        let want_total = want["ratio_of_totals"].as_f64().unwrap();
        assert!(close(total, want_total), "{p}: {total} != {want_total}");
        // Not the mean of the Kreise, which is ~10 lower.
        assert!((total - want["mean_of_districts"].as_f64().unwrap()).abs() > 5.0);
        let legend = atlas()
            .0
            .legend(
                "kreise",
                "crime_rate",
                &style(&[("period", period)]),
                Lang::De,
            )
            .unwrap();
        assert!(close(legend.reference.unwrap(), want_total), "legend {p}");
        assert_eq!(legend.reference_kind, "ratio_of_totals");
        // `centre=mean` splits the classes at that reference, not at the mean of the Kreise.
        let centred = atlas()
            .0
            .legend(
                "kreise",
                "crime_rate",
                &style(&[("period", period), ("centre", "mean"), ("palette", "RdBu")]),
                Lang::De,
            )
            .unwrap();
        assert!(close(centred.centre.unwrap(), want_total), "centre {p}");
        assert!(centred.breaks.iter().any(|b| close(*b, want_total)), "{p}");
    }
    let latest = periods.values().next_back().unwrap()["ratio_of_totals"]
        .as_f64()
        .unwrap();
    assert!(close(layer.stats[k].reference.unwrap(), latest));
    assert_eq!(layer.stats[k].reference_kind, "ratio_of_totals");
    // Indicators read from a field keep the mean of the districts.
    let (a, _) = layer.indicator("abitur").unwrap();
    assert_eq!(layer.stats[a].reference_kind, "mean");
    assert_eq!(layer.stats[a].reference, layer.stats[a].mean);
}

/// The share of women is compared with Germany, the GENESIS table's own row "DG" (issue 14: an
/// external reference from a table row), in every year, equal to pandas
/// (`tests/reference/de_external_reference.py`).
#[test]
fn an_external_reference_row_is_what_districts_are_compared_with() {
    let reference = fixture("de_atlas_external.json");
    let years = reference["women_share"].as_object().unwrap();
    let layer = kreise();
    let (k, ind) = layer.indicator("women_share").unwrap();
    assert_eq!(ind.periods.len(), years.len());
    let d = layer
        .atlas
        .layer
        .districts
        .iter()
        .position(|d| d.id == DUREN)
        .unwrap();
    for (year, want) in years {
        let p: i32 = year.parse().unwrap();
        let germany = want["germany_DG"].as_f64().unwrap();
        let r = ind.reference_for(Some(p)).unwrap();
        assert!(close(r.value, germany), "{p}: {} != {germany}", r.value);
        assert_eq!(r.kind, "external");
        // Düren's own value, from the Kreis row of the same table.
        let series = &ind.series[ind.period_index(p).unwrap()];
        match (series[d], want["duren_05358"].as_f64()) {
            (Some(g), Some(w)) => assert!(close(g, w), "Düren {p}: {g} != {w}"),
            (g, w) => assert_eq!(g, w, "Düren {p}"),
        }
        for (lang, title) in [(Lang::De, "Deutschland"), (Lang::En, "Germany")] {
            let legend = atlas()
                .0
                .legend("kreise", "women_share", &style(&[("period", year)]), lang)
                .unwrap();
            assert!(close(legend.reference.unwrap(), germany), "legend {p}");
            assert_eq!(legend.reference_kind, "external");
            assert_eq!(legend.reference_title, Some(title));
        }
    }
    // The layer statistics (the profile's default year) and the print profile use it too.
    let latest = years.values().next_back().unwrap()["germany_DG"]
        .as_f64()
        .unwrap();
    assert!(close(layer.stats[k].reference.unwrap(), latest));
    assert_eq!(layer.stats[k].reference_kind, "external");
    // Not the mean of the Kreise, which the reference would otherwise be for a ratio's
    // neighbour, nor anything invented for an indicator without a reference row.
    assert_ne!(layer.stats[k].reference, layer.stats[k].mean);
    let (a, _) = layer.indicator("abitur").unwrap();
    assert_eq!(layer.stats[a].reference_title, None);
}

/// The German manifest with `from` replaced by `to`, loaded from a scratch copy: its error.
fn load_error_with(name: &str, from: &str, to: &str) -> String {
    let dir = root().join("target").join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let data = root().join("geodata/de").canonicalize().unwrap();
    let text = std::fs::read_to_string(data.join("atlas.toml")).unwrap();
    assert!(text.contains(from), "{from}");
    let text = text
        .replace(from, to)
        .replace("path = \"", &format!("path = \"{}/", data.display()))
        .replace(
            "source = \"kreise.topojson\"",
            &format!("source = \"{}/kreise.topojson\"", data.display()),
        );
    let manifest = dir.join("atlas.toml");
    std::fs::write(&manifest, text).unwrap();
    LoadedAtlas::load(&manifest).unwrap_err().to_string()
}

/// A reference key that no row has, or a weight on a ratio, is an error that says what to do.
#[test]
fn bad_references_and_weights_are_errors_that_say_what_to_do() {
    let err = load_error_with("de_reference_key", "key = \"DG\"", "key = \"Deutschland\"");
    assert!(err.contains("indicator \"women_share\""), "{err}");
    assert!(
        err.contains("reference = { key = \"Deutschland\" }"),
        "{err}"
    );
    assert!(err.contains("\"DG\""), "{err}");
    let err = load_error_with(
        "de_weight_on_ratio",
        "factor = 100\n",
        "factor = 100\nweight = \"genesis_population.Insgesamt\"\n",
    );
    assert!(err.contains("indicator \"women_share\""), "{err}");
    assert!(err.contains("weight goes with field"), "{err}");
}

/// The status × dynamics typology 2013 → 2018 (issue 10): every Kreis's type equals the reference
/// script's (`de_atlas_index.json`, numpy/pandas), and the legend names the twelve types with
/// their counts.
#[test]
fn the_typology_map_has_every_kreis_type_of_the_reference() {
    let reference = fixture("de_atlas_index.json");
    let typology = &reference["typology"];
    assert_eq!(typology["period"], 2018);
    assert_eq!(typology["compare"], 2013);
    let layer = kreise();
    let (i, ind) = layer.indicator("typology").unwrap();
    assert_eq!(ind.categories.len(), 12);
    for (k, d) in layer.atlas.layer.districts.iter().enumerate() {
        let want = typology["kreise"][&d.id].as_str();
        let got = ind.values[k].map(|code| {
            ind.categories
                .iter()
                .find(|c| f64::from(c.code) == code)
                .unwrap()
                .key
                .as_str()
        });
        // The reference writes "very_low/negative"; the category keys are the same.
        assert_eq!(got, want, "{} ({})", d.id, d.name);
    }
    let legend = atlas()
        .0
        .legend("kreise", "typology", &style(&[]), Lang::De)
        .unwrap();
    assert_eq!(legend.labels[0], "hoch / positiv");
    assert_eq!(legend.labels[11], "sehr niedrig / negativ");
    for (k, c) in ind.categories.iter().enumerate() {
        let n = typology["counts"][&c.key].as_u64().unwrap_or(0) as usize;
        assert_eq!(legend.counts[k], n, "{}", c.key);
        assert_eq!(legend.colors[k], c.color);
    }
    // No average or rank of the types' codes, on the page or in print: Düren's printed profile
    // names its type under the title and leaves value, reference and rank empty.
    assert_eq!(layer.stats[i].reference, None);
    assert!(layer.stats[i].ranks.iter().all(Option::is_none));
    use quartier_atlas::print::ProfileRequest;
    use quartier_render::print::PageSpec;
    let geometry = atlas().0.print_geometry("kreise").unwrap();
    let page = atlas()
        .0
        .profile_page(
            &geometry,
            &ProfileRequest {
                layer: "kreise",
                district: DUREN,
                style: &style(&[]),
                page: PageSpec::default(),
                lang: Lang::De,
            },
        )
        .unwrap();
    let row = page
        .rows
        .iter()
        .find(|r| r.title == "Status-Dynamik-Typ 2013–2018")
        .unwrap();
    assert_eq!(row.unit, "mittel / negativ");
    assert_eq!((row.value, row.reference, row.rank), (None, None, None));
}
