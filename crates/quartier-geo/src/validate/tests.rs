use super::*;
use crate::layer::District;
use geo::{polygon, wkt, Validation};

fn layer_of(geoms: Vec<MultiPolygon<f64>>) -> Layer {
    Layer {
        id: "t".into(),
        districts: geoms
            .into_iter()
            .enumerate()
            .map(|(i, g)| District {
                id: format!("{:02}", i + 1),
                name: format!("d{i}"),
                mercator: crs::to_mercator(&g),
                geometry: g,
            })
            .collect(),
        attributes: Vec::new(),
    }
}

#[test]
fn valid_square_with_hole_is_untouched() {
    let g: MultiPolygon<f64> =
        wkt!(MULTIPOLYGON(((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.),(2. 2.,2. 8.,8. 8.,8. 2.,2. 2.))));
    let mut layer = layer_of(vec![g.clone()]);
    let report = validate_and_repair(&mut layer);
    assert_eq!(report, ValidationReport::default());
    assert!(report.is_usable());
    assert_eq!(layer.districts[0].geometry, g);
    assert!(g.is_valid());
}

#[test]
fn wrong_winding_and_duplicate_points_are_repaired() {
    // Clockwise exterior with a repeated vertex, counter-clockwise hole.
    let g: MultiPolygon<f64> = wkt!(MULTIPOLYGON(((0. 0.,0. 10.,0. 10.,10. 10.,10. 0.,0. 0.),(2. 2.,8. 2.,8. 8.,2. 8.,2. 2.))));
    let mut layer = layer_of(vec![g]);
    let report = validate_and_repair(&mut layer);
    assert!(report.is_usable());
    assert_eq!(report.repaired.len(), 1);
    let problem = &report.repaired[0].problem;
    assert!(
        problem.contains("dropped 1 duplicate consecutive points"),
        "{problem}"
    );
    assert!(problem.contains("reversed 2 rings"), "{problem}");
    let p = &layer.districts[0].geometry.0[0];
    assert!(signed_area2(&p.exterior().0) > 0.0);
    assert!(signed_area2(&p.interiors()[0].0) < 0.0);
    assert_eq!(p.exterior().0.len(), 5);
    assert_eq!(
        layer.districts[0].mercator,
        crs::to_mercator(&layer.districts[0].geometry)
    );
}

#[test]
fn unclosed_ring_is_closed() {
    // `Polygon::new` closes rings itself, so test the ring cleaner directly.
    let open = LineString::from(vec![(0., 0.), (1., 0.), (1., 1.)]);
    let (mut duplicates, mut unclosed, mut rewound) = (0, 0, 0);
    let closed = clean_ring(open, true, &mut duplicates, &mut unclosed, &mut rewound).unwrap();
    assert_eq!((duplicates, unclosed, rewound), (0, 1, 0));
    assert_eq!(
        closed.0,
        vec![
            (0., 0.).into(),
            (1., 0.).into(),
            (1., 1.).into(),
            (0., 0.).into()
        ]
    );
}

#[test]
fn nan_out_of_range_and_degenerate_geometry_are_errors() {
    let nan = MultiPolygon(vec![
        polygon![(x: 0., y: 0.), (x: f64::NAN, y: 0.), (x: 1., y: 1.)],
    ]);
    let utm = MultiPolygon(vec![
        polygon![(x: 500000., y: 5600000.), (x: 500100., y: 5600000.), (x: 500100., y: 5600100.)],
    ]);
    let line = MultiPolygon(vec![
        polygon![(x: 0., y: 0.), (x: 1., y: 1.), (x: 0., y: 0.)],
    ]);
    let good = MultiPolygon(vec![
        polygon![(x: 6., y: 50.), (x: 7., y: 50.), (x: 7., y: 51.)],
    ]);
    let mut layer = layer_of(vec![nan, utm, line, good, MultiPolygon(Vec::new())]);
    let report = validate_and_repair(&mut layer);
    assert!(!report.is_usable());
    let errors: Vec<(usize, &str)> = report
        .errors
        .iter()
        .map(|f| (f.feature, f.id.as_str()))
        .collect();
    assert_eq!(errors, vec![(1, "01"), (2, "02"), (3, "03")]);
    assert!(report.errors[0].problem.contains("not a number"));
    assert!(report.errors[1].problem.contains("outside longitude"));
    assert!(report.errors[2].problem.contains("3 distinct points"));
    assert_eq!(report.empty, vec!["05".to_string()]);
    assert!(layer.districts[0].geometry.0.is_empty());
    assert!(layer.districts[0].mercator.0.is_empty());
    assert_eq!(layer.districts[3].geometry.0.len(), 1);
}

#[test]
fn degenerate_part_is_dropped_when_another_part_is_usable() {
    let g = MultiPolygon(vec![
        polygon![(x: 0., y: 0.), (x: 1., y: 0.), (x: 1., y: 1.)],
        polygon![(x: 5., y: 5.), (x: 5., y: 5.), (x: 5., y: 5.)],
    ]);
    let mut layer = layer_of(vec![g]);
    let report = validate_and_repair(&mut layer);
    assert!(report.is_usable());
    assert!(
        report.repaired[0].problem.contains("dropped polygon(s) 2"),
        "{:?}",
        report.repaired
    );
    assert_eq!(layer.districts[0].geometry.0.len(), 1);
}

#[test]
fn duplicate_ids_are_listed_once() {
    let sq = MultiPolygon(vec![
        polygon![(x: 0., y: 0.), (x: 1., y: 0.), (x: 1., y: 1.)],
    ]);
    let mut layer = layer_of(vec![sq.clone(), sq.clone(), sq]);
    layer.districts[1].id = "01".into();
    layer.districts[2].id = "01".into();
    let report = validate_and_repair(&mut layer);
    assert_eq!(report.duplicate_ids, vec!["01".to_string()]);
    assert!(!report.is_usable());
}

#[test]
fn bowtie_crossing_is_found_where_geo_finds_it() {
    let bowtie: Polygon<f64> = wkt!(POLYGON((0. 0.,2. 2.,2. 0.,0. 2.,0. 0.)));
    assert!(!bowtie.is_valid());
    let problem = self_intersection(&bowtie).unwrap();
    assert!(
        problem.contains("crossing at (1.0000000, 1.0000000)"),
        "{problem}"
    );
}

#[test]
fn tall_polygons_are_swept_along_y() {
    let tall: Polygon<f64> = wkt!(POLYGON((0. 0.,1. 10.,1. 0.,0. 10.,0. 0.)));
    assert!(!tall.is_valid());
    let problem = self_intersection(&tall).unwrap();
    assert!(
        problem.contains("crossing at (0.5000000, 5.0000000)"),
        "{problem}"
    );
    // A valid narrow zig-zag strip, 2,000 vertices high.
    let left = (0..1000).map(|i| (0.01 * f64::from(i % 2), f64::from(i)));
    let right = (0..1000)
        .rev()
        .map(|i| (1.0 + 0.01 * f64::from(i % 2), f64::from(i)));
    let strip = Polygon::new(
        LineString::from(right.chain(left).collect::<Vec<_>>()),
        vec![],
    );
    assert!(strip.is_valid());
    assert_eq!(self_intersection(&strip), None);
}

#[test]
fn hole_crossing_the_exterior_and_overlapping_edges_are_found() {
    let hole_out: Polygon<f64> =
        wkt!(POLYGON((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.),(5. 5.,15. 5.,15. 6.,5. 6.,5. 5.)));
    assert!(!hole_out.is_valid());
    let problem = self_intersection(&hole_out).unwrap();
    assert!(problem.contains("exterior and hole 1"), "{problem}");
    let spike: Polygon<f64> = wkt!(POLYGON((0. 0.,4. 0.,4. 4.,6. 4.,4. 4.,0. 4.,0. 0.)));
    assert!(!spike.is_valid());
    assert!(self_intersection(&spike).unwrap().contains("spike"));
    // Touching at a single point is not reported (documented limitation).
    let touch: Polygon<f64> =
        wkt!(POLYGON((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.),(0. 0.,5. 2.,2. 5.,0. 0.)));
    assert_eq!(self_intersection(&touch), None);
}

#[test]
fn no_false_alarm_on_large_projected_coordinates() {
    // A Düren-sized square in EPSG:25832 metres, shifted far from the origin.
    let p: Polygon<f64> = polygon![
        (x: 318_000.0, y: 5_630_000.0), (x: 330_000.0, y: 5_630_000.0),
        (x: 330_000.0, y: 5_642_000.0), (x: 324_000.0, y: 5_642_000.0), (x: 318_000.0, y: 5_642_000.0)
    ];
    assert_eq!(self_intersection(&p), None);
    assert!(p.is_valid());
}

#[test]
fn display_truncates_long_lists() {
    let mut report = ValidationReport::default();
    for i in 0..12 {
        report.warnings.push(Finding {
            id: format!("{i}"),
            feature: i + 1,
            problem: "x".into(),
        });
    }
    let text = report.to_string();
    assert!(
        text.starts_with("usable (0 errors, 0 duplicate ids, 0 repaired, 12 warnings, 0 empty)")
    );
    assert!(text.contains("warning: ... and 2 more"));
}

mod overlay_repair_tests {
    use super::*;
    use crate::layer::{District, Layer};
    use geo::{polygon, Area};

    fn layer_of(p: Polygon<f64>) -> Layer {
        let mp = MultiPolygon(vec![p]);
        Layer {
            id: "t".into(),
            districts: vec![District {
                id: "bow".into(),
                name: "bow".into(),
                mercator: crate::crs::to_mercator(&mp),
                geometry: mp,
            }],
            attributes: Vec::new(),
        }
    }

    #[test]
    fn bow_tie_is_split_into_its_two_lobes() {
        // Edges (0,0)-(2,2) and (2,0)-(0,2) cross at (1,1): two triangles of area 1 each.
        let bow = polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 2.0), (x: 2.0, y: 0.0), (x: 0.0, y: 2.0), (x: 0.0, y: 0.0)];
        let mut layer = layer_of(bow);
        let report = validate_and_repair(&mut layer);
        assert!(report.warnings.is_empty(), "{report}");
        assert_eq!(report.repaired.len(), 1, "{report}");
        let problem = &report.repaired[0].problem;
        assert!(
            problem.contains("crossing at (1.0000000, 1.0000000)"),
            "{problem}"
        );
        assert!(problem.contains("into 2 valid polygon(s)"), "{problem}");
        let g = &layer.districts[0].geometry;
        assert_eq!(g.0.len(), 2);
        approx::assert_relative_eq!(g.signed_area(), 2.0, epsilon = 1e-12);
        assert!(g.0.iter().all(|p| self_intersection(p).is_none()));
        assert!(report.is_usable());
    }

    #[test]
    fn holes_survive_the_rebuild() {
        // A bow-tie whose left lobe (triangle (0,0) (0,4) (2,2), area 4) has a 0.5 x 0.4 hole;
        // the right lobe has area 4 too.
        let p = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 4.0, y: 4.0), (x: 4.0, y: 0.0), (x: 0.0, y: 4.0), (x: 0.0, y: 0.0)],
            interiors: [[(x: 0.5, y: 1.8), (x: 1.0, y: 1.8), (x: 1.0, y: 2.2), (x: 0.5, y: 2.2), (x: 0.5, y: 1.8)]],
        );
        let mut layer = layer_of(p);
        let report = validate_and_repair(&mut layer);
        assert!(report.warnings.is_empty(), "{report}");
        let g = &layer.districts[0].geometry;
        assert_eq!(g.0.len(), 2, "{g:?}");
        assert!(g.0.iter().any(|p| p.interiors().len() == 1), "{g:?}");
        // The overlay snaps to an integer grid: areas agree to about 1e-7 relative.
        approx::assert_relative_eq!(g.signed_area(), 8.0 - 0.2, max_relative = 1e-6);
        assert!(g.0.iter().all(|p| self_intersection(p).is_none()));
    }
}
