//! Unit tests on small inline geometries; the real-data tests against shapely are in
//! `crates/quartier-geo/tests/aggregate.rs`.
#![allow(clippy::unwrap_used)]

use approx::assert_relative_eq;
use geo::{coord, wkt, Coord, CoordinatePosition, MultiPolygon, Polygon, Translate};

use super::derive::{self, Change};
use super::*;
use crate::layer::{Attribute, AttributeValues, District};
use crate::locate::Prepared;

/// A deterministic stream of numbers in [0, 1) (a 64-bit LCG), for generated test points.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn squares() -> Vec<MultiPolygon<f64>> {
    // Four unit squares meeting at (1, 1): south-west, south-east, north-east, north-west.
    vec![
        wkt!(MULTIPOLYGON(((0. 0.,1. 0.,1. 1.,0. 1.,0. 0.)))),
        wkt!(MULTIPOLYGON(((1. 0.,2. 0.,2. 1.,1. 1.,1. 0.)))),
        wkt!(MULTIPOLYGON(((1. 1.,2. 1.,2. 2.,1. 2.,1. 1.)))),
        wkt!(MULTIPOLYGON(((0. 1.,1. 1.,1. 2.,0. 2.,0. 1.)))),
    ]
}

#[test]
fn points_on_shared_edges_and_vertices_go_to_the_first_district() {
    let index = DistrictIndex::new(&squares());
    // The vertex all four share, and the edges between pairs.
    assert_eq!(
        index.locate_with_position(coord! { x: 1.0, y: 1.0 }),
        Some((0, Position::Boundary))
    );
    assert_eq!(index.locate(coord! { x: 1.0, y: 0.5 }), Some(0));
    assert_eq!(index.locate(coord! { x: 1.5, y: 1.0 }), Some(1));
    assert_eq!(index.locate(coord! { x: 1.0, y: 1.5 }), Some(2));
    assert_eq!(index.locate(coord! { x: 0.5, y: 1.0 }), Some(0));
    // Interiors, and the outer boundary, which belongs to its only district.
    assert_eq!(
        index.locate_with_position(coord! { x: 1.5, y: 1.5 }),
        Some((2, Position::Inside))
    );
    assert_eq!(index.locate(coord! { x: 2.0, y: 2.0 }), Some(2));
    assert_eq!(index.locate(coord! { x: 0.0, y: 1.5 }), Some(3));
    assert_eq!(index.locate(coord! { x: 2.0 + 1e-15, y: 1.5 }), None);
    assert_eq!(index.locate(coord! { x: -1.0, y: -1.0 }), None);
    assert_eq!(index.len(), 4);
}

#[test]
fn holes_belong_to_the_island_inside_them_and_their_rim_to_both() {
    let ring =
        wkt!(MULTIPOLYGON(((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.),(3. 3.,3. 7.,7. 7.,7. 3.,3. 3.))));
    let island = wkt!(MULTIPOLYGON(((3. 3.,7. 3.,7. 7.,3. 7.,3. 3.))));
    let index = DistrictIndex::new(&[ring, island]);
    assert_eq!(index.locate(coord! { x: 5.0, y: 5.0 }), Some(1));
    assert_eq!(index.locate(coord! { x: 1.0, y: 5.0 }), Some(0));
    // On the hole's rim: both contain it, the ring comes first.
    assert_eq!(
        index.locate_with_position(coord! { x: 3.0, y: 5.0 }),
        Some((0, Position::Boundary))
    );
    assert_eq!(index.locate(coord! { x: 7.0, y: 7.0 }), Some(0));
}

/// A star with `n` spikes and a square hole: many edges per band, every slope.
fn star(n: usize) -> Polygon<f64> {
    let exterior: Vec<Coord<f64>> = (0..2 * n)
        .map(|k| {
            let a = std::f64::consts::PI * k as f64 / n as f64;
            let r = if k % 2 == 0 { 10.0 } else { 4.0 };
            coord! { x: r * a.cos(), y: r * a.sin() }
        })
        .collect();
    let hole = vec![
        coord! { x: -1.0, y: -1.0 },
        coord! { x: -1.0, y: 1.0 },
        coord! { x: 1.0, y: 1.0 },
        coord! { x: 1.0, y: -1.0 },
    ];
    Polygon::new(exterior.into(), vec![hole.into()])
}

#[test]
fn banded_point_in_polygon_agrees_with_geo_everywhere() {
    let polygon = star(300);
    let prepared = Prepared::new(&polygon);
    let mut rng = Lcg(7);
    let mut points: Vec<Coord<f64>> = (0..20_000)
        .map(|_| coord! { x: rng.next() * 24.0 - 12.0, y: rng.next() * 24.0 - 12.0 })
        .collect();
    // Every vertex, and points on the hole's horizontal and vertical edges.
    points.extend(polygon.exterior().0.iter().copied());
    points.extend([
        coord! { x: 0.0, y: 1.0 },
        coord! { x: -1.0, y: 0.25 },
        coord! { x: 0.5, y: -1.0 },
    ]);
    let mut seen = [0usize; 3];
    for p in points {
        let expected = match polygon.coordinate_position(&p) {
            geo::coordinate_position::CoordPos::Inside => Position::Inside,
            geo::coordinate_position::CoordPos::OnBoundary => Position::Boundary,
            geo::coordinate_position::CoordPos::Outside => Position::Outside,
        };
        let got = prepared.position(p);
        assert_eq!(got, expected, "{p:?}");
        seen[got as usize] += 1;
    }
    assert!(seen.iter().all(|&n| n > 100), "{seen:?}");
}

#[test]
fn the_point_grid_and_the_r_tree_agree() {
    let mut districts = squares();
    districts.push(MultiPolygon(vec![star(40)]));
    districts.push(
        wkt!(MULTIPOLYGON(((-3. -3.,0. -3.,0. 0.,-3. 0.,-3. -3.)),((5. 5.,6. 5.,6. 6.,5. 5.)))),
    );
    let index = DistrictIndex::new(&districts);
    let mut rng = Lcg(11);
    let mut points: Vec<Coord<f64>> = (0..20_000)
        .map(|_| coord! { x: rng.next() * 26.0 - 13.0, y: rng.next() * 26.0 - 13.0 })
        .collect();
    points.extend(
        districts
            .iter()
            .flat_map(|d| d.0.iter().flat_map(|p| p.exterior().0.clone())),
    );
    let mut hits = 0;
    for p in points {
        let by_grid = index.locate_with_position(p);
        assert_eq!(by_grid, index.locate_by_tree(p), "{p:?}");
        hits += usize::from(by_grid.is_some());
    }
    assert!(hits > 3_000, "{hits}");
}

#[test]
fn boundary_meets_tells_boxes_inside_outside_and_crossing() {
    let polygon = wkt!(POLYGON((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.)));
    let prepared = Prepared::new(&polygon);
    let rect = |x0: f64, y0: f64, x1: f64, y1: f64| geo::Rect::new((x0, y0), (x1, y1));
    assert!(!prepared.boundary_meets(&rect(2., 2., 3., 3.)));
    assert!(prepared.boundary_meets(&rect(9., 2., 11., 3.)));
    // Touching the boundary from outside counts as meeting it (then the overlay decides).
    assert!(prepared.boundary_meets(&rect(10., 2., 11., 3.)));
    assert!(!prepared.boundary_meets(&rect(11., 2., 12., 3.)));
    // A diagonal edge passing a box's corner at a distance.
    let triangle = wkt!(POLYGON((0. 0.,10. 0.,0. 10.,0. 0.)));
    let prepared = Prepared::new(&triangle);
    assert!(!prepared.boundary_meets(&rect(6., 6., 7., 7.)));
    assert!(prepared.boundary_meets(&rect(4.5, 4.5, 7., 7.)));
}

/// Two districts split at x = 1,500 m, and a 3 × 3 grid of 1 km cells from (0, 0) whose middle
/// column straddles the split; everything shifted by `offset` metres.
fn split_case(offset: f64) -> (Vec<MultiPolygon<f64>>, Vec<MultiPolygon<f64>>) {
    let west = wkt!(MULTIPOLYGON(((0. 0.,1500. 0.,1500. 3000.,0. 3000.,0. 0.))));
    let east = wkt!(MULTIPOLYGON(((1500. 0.,2500. 0.,2500. 3000.,1500. 3000.,1500. 0.))));
    let districts = vec![
        west.translate(offset, offset),
        east.translate(offset, offset),
    ];
    let mut cells = Vec::new();
    for j in 0..3 {
        for i in 0..3 {
            let (x, y) = (i as f64 * 1000.0, j as f64 * 1000.0);
            let cell = MultiPolygon(vec![
                geo::Rect::new((x, y), (x + 1000.0, y + 1000.0)).to_polygon()
            ]);
            cells.push(cell.translate(offset, offset));
        }
    }
    (districts, cells)
}

#[test]
fn area_weighting_is_exact_and_stable_far_from_the_origin() {
    // West gets the first column and half the middle one, east the other half and half the last
    // (the last column is half outside both): per row 1.5 cells west and 1 cell east.
    for offset in [0.0, 1.5e8] {
        let (districts, cells) = split_case(offset);
        let a = Apportioner::new(districts, Measure::Planar);
        let mut totals = [0.0; 2];
        let mut outside = 0.0;
        for cell in &cells {
            let (area, shares) = a.shares(cell);
            assert_relative_eq!(area, 1.0e6, max_relative = 1e-12);
            let placed: f64 = shares.iter().map(|(_, s)| s / area).sum();
            outside += 1.0 - placed;
            for (d, s) in shares {
                totals[d] += s / area;
            }
        }
        assert_relative_eq!(totals[0], 4.5, max_relative = 1e-9);
        assert_relative_eq!(totals[1], 3.0, max_relative = 1e-9);
        assert_relative_eq!(outside, 1.5, max_relative = 1e-9);
    }
}

#[test]
fn area_weighting_shifted_by_1_5e8_matches_the_unshifted_result() {
    // Irregular polygons (not aligned with the cells), the same configuration at two places.
    let district = wkt!(MULTIPOLYGON(((130. 70.,2710. 410.,2290. 2870.,910. 2630.,130. 70.),(900. 900.,1400. 1700.,1700. 1000.,900. 900.))));
    let (_, cells) = split_case(0.0);
    let near = Apportioner::new(vec![district.clone()], Measure::Planar);
    let far = Apportioner::new(vec![district.translate(1.5e8, 1.5e8)], Measure::Planar);
    let mut sum_near = 0.0;
    for cell in &cells {
        let (a0, s0) = near.shares(cell);
        let (a1, s1) = far.shares(&cell.translate(1.5e8, 1.5e8));
        assert_relative_eq!(a0, a1, max_relative = 1e-12);
        assert_eq!(s0.len(), s1.len());
        for ((d0, x0), (d1, x1)) in s0.iter().zip(&s1) {
            assert_eq!(d0, d1);
            assert_relative_eq!(x0, x1, max_relative = 1e-9, epsilon = 1e-3);
        }
        sum_near += s0.iter().map(|(_, s)| s).sum::<f64>();
    }
    // The cells cover the district whole: their shares add up to its area.
    assert_relative_eq!(
        sum_near,
        geo::Area::unsigned_area(&district),
        max_relative = 1e-9
    );
}

fn layer(id: &str, polygons: Vec<(&str, MultiPolygon<f64>)>) -> Layer {
    Layer {
        id: id.into(),
        districts: polygons
            .into_iter()
            .map(|(id, g)| District {
                id: id.into(),
                name: id.into(),
                mercator: crate::crs::to_mercator(&g),
                geometry: g,
            })
            .collect(),
        attributes: Vec::new(),
    }
}

#[test]
fn dissolving_two_adjacent_tracts_leaves_one_polygon() {
    let tracts = layer(
        "tracts",
        vec![
            (
                "1",
                wkt!(MULTIPOLYGON(((0. 0.,0.01 0.,0.01 0.01,0. 0.01,0. 0.)))),
            ),
            (
                "2",
                wkt!(MULTIPOLYGON(((0.01 0.,0.02 0.,0.02 0.01,0.01 0.01,0.01 0.)))),
            ),
            (
                "3",
                wkt!(MULTIPOLYGON(((1. 1.,1.01 1.,1.01 1.01,1. 1.01,1. 1.)))),
            ),
        ],
    );
    let mut tracts = tracts;
    tracts.attributes.push(Attribute {
        name: "TOWN".into(),
        values: AttributeValues::Text(vec![Some("A".into()), Some(" A ".into()), None]),
    });
    tracts.attributes.push(Attribute {
        name: "POP".into(),
        values: AttributeValues::Number(vec![Some(10.0), Some(30.0), Some(5.0)]),
    });
    let units = Source::Units(Units {
        path: "tracts.shp".into(),
        crs: "WGS 84 (EPSG:4326)".into(),
        layer: tracts,
    });
    let spec = AggregateSpec {
        sum: vec!["POP".into()],
        key: Some("TOWN".into()),
        ..Default::default()
    };
    let out = aggregate(&units, None, &spec, None).unwrap();
    assert_eq!(out.layer.districts.len(), 1);
    assert_eq!(out.layer.districts[0].id, "A");
    assert_eq!(out.layer.districts[0].geometry.0.len(), 1);
    assert_eq!(out.layer.numeric("POP_sum").unwrap(), [Some(40.0)]);
    assert_eq!(out.report.skipped, 1);
    assert_eq!(
        out.report.problems[0].to_string(),
        "feature 3: the key TOWN is missing; the unit was skipped"
    );
    // Geodesic area of 0.02° × 0.01° at the equator: 2,226.4 m × 1,105.7 m (WGS84 ellipsoid).
    let area = out.layer.numeric(AREA_KM2).unwrap()[0].unwrap();
    assert_relative_eq!(area, 2.4619, max_relative = 1e-3);
}

#[test]
fn points_without_values_leave_sums_missing_and_empty_districts_at_zero() {
    let districts = layer(
        "d",
        squares().into_iter().take(2).map(|g| ("x", g)).collect(),
    );
    let mut districts = districts;
    districts.districts[1].id = "y".into();
    let points = Points {
        path: "p.csv".into(),
        format: "CSV",
        crs: "WGS 84 (EPSG:4326)".into(),
        coords: vec![coord! { x: 0.5, y: 0.5 }, coord! { x: 0.25, y: 0.5 }],
        origins: vec![Location::Line(2), Location::Line(3)],
        fields: vec![("n".into(), vec![None, None])],
        read: 2,
        problems: Vec::new(),
    };
    let spec = AggregateSpec {
        sum: vec!["n".into()],
        mean: vec![Mean {
            field: "n".into(),
            weight: None,
        }],
        ..Default::default()
    };
    let out = aggregate(&Source::Points(points), Some(&districts), &spec, None).unwrap();
    assert_eq!(out.layer.numeric("count").unwrap(), [Some(2.0), Some(0.0)]);
    // Two points but no value: missing, not zero. No point at all: zero bikes, no mean.
    assert_eq!(out.layer.numeric("n_sum").unwrap(), [None, Some(0.0)]);
    assert_eq!(out.layer.numeric("n_mean").unwrap(), [None, None]);
    // An output column that the districts already have is an error, not an overwrite.
    let mut clash = districts.clone();
    clash.attributes.push(Attribute {
        name: "count".into(),
        values: AttributeValues::Number(vec![None, None]),
    });
    let e = aggregate(&Source::Points(points_again()), Some(&clash), &spec, None).unwrap_err();
    assert!(matches!(e, AggregateError::ColumnClash { .. }), "{e}");
}

fn points_again() -> Points {
    Points {
        path: "p.csv".into(),
        format: "CSV",
        crs: "WGS 84 (EPSG:4326)".into(),
        coords: vec![coord! { x: 0.5, y: 0.5 }],
        origins: vec![Location::Line(2)],
        fields: vec![("n".into(), vec![Some(1.0)])],
        read: 1,
        problems: Vec::new(),
    }
}

#[test]
fn derived_rates_densities_and_changes() {
    let n = [Some(15.0), Some(3.0), None, Some(1.0)];
    let d = [Some(1570.0), Some(0.0), Some(5.0), None];
    assert_eq!(
        derive::rate(&n, &d, 1000.0),
        vec![Some(15.0 / 1570.0 * 1000.0), None, None, None]
    );
    assert_eq!(
        derive::density_per_km2(&[Some(100.0), Some(1.0), None], &[2.5, 0.0, 1.0]),
        vec![Some(40.0), None, None]
    );
    let from = [Some(200.0), Some(0.0), None];
    let to = [Some(150.0), Some(10.0), Some(1.0)];
    assert_eq!(
        derive::change(&from, &to, Change::Absolute),
        vec![Some(-50.0), Some(10.0), None]
    );
    assert_eq!(
        derive::change(&from, &to, Change::Percent),
        vec![Some(-25.0), None, None]
    );
}

#[test]
fn small_counts_are_suppressed_but_zero_and_the_threshold_are_not() {
    let counts = [
        Some(0.0),
        Some(1.0),
        Some(2.9),
        Some(3.0),
        None,
        Some(250.0),
    ];
    assert_eq!(
        derive::suppress_counts(&counts, 3.0),
        vec![false, true, true, false, false, false]
    );
    assert!(derive::suppressed_output(
        "count",
        Some(2.0),
        Some(2.0),
        3.0
    ));
    assert!(derive::suppressed_output(
        "POP_sum",
        Some(2.0),
        Some(9.0),
        3.0
    ));
    // A mean over fewer than the threshold's points gives them away; an area never does.
    assert!(derive::suppressed_output(
        "LSTAT_mean",
        Some(12.5),
        Some(2.0),
        3.0
    ));
    assert!(!derive::suppressed_output(
        "LSTAT_mean",
        Some(12.5),
        Some(3.0),
        3.0
    ));
    assert!(!derive::suppressed_output(
        "area_km2",
        Some(0.5),
        Some(1.0),
        3.0
    ));

    let mut l = layer(
        "d",
        squares().into_iter().take(3).map(|g| ("x", g)).collect(),
    );
    for (name, v) in [
        ("count", [Some(1.0), Some(5.0), Some(0.0)]),
        ("POP_sum", [Some(2.0), Some(500.0), Some(0.0)]),
        ("LSTAT_mean", [Some(10.0), Some(12.0), None]),
        ("CRIM", [Some(1.0), Some(2.0), Some(0.5)]),
    ] {
        l.attributes.push(Attribute {
            name: name.into(),
            values: AttributeValues::Number(v.to_vec()),
        });
    }
    assert_eq!(
        derive::suppressed_field(&l, "POP_sum", None, 3.0),
        [true, false, false]
    );
    assert_eq!(
        derive::suppressed_field(&l, "LSTAT_mean", None, 3.0),
        [true, false, false]
    );
    assert_eq!(
        derive::suppressed_field(&l, "CRIM", None, 3.0),
        [false, false, false]
    );
    // A field declared a count is judged by its own values.
    assert_eq!(
        derive::suppressed_field(&l, "CRIM", Some(true), 3.0),
        [true, true, true]
    );
    assert_eq!(
        derive::suppressed_field(&l, "POP_sum", Some(false), 3.0),
        [false, false, false]
    );
}

#[test]
fn report_text_lists_what_went_where() {
    let report = AggregateReport {
        source: "stations.csv".into(),
        districts: Some("wards.shp".into()),
        method: Method::Points,
        source_crs: "ETRS89 / UTM zone 32N (EPSG:25832)".into(),
        areas: "geodesic (WGS84 ellipsoid)".into(),
        read: 10,
        skipped: 1,
        assigned: 7,
        on_border: 1,
        split: 0,
        slivers: 0,
        outside: 2,
        outside_items: vec![Location::Line(4), Location::Line(9)],
        balance: vec![FieldBalance {
            field: "places".into(),
            total: 200.0,
            outside: 50.0,
        }],
        problems: vec![Problem {
            location: Location::Line(3),
            message: "column \"x\" is empty, so the point has no coordinates; it was skipped"
                .into(),
        }],
    };
    let text = report.to_string();
    assert!(text.contains("10 points read: 7 assigned, 0 split, 2 outside, 1 skipped (1 on a border, given to the first district containing them)"), "{text}");
    assert!(text.contains("in no district: line 4, line 9"), "{text}");
    assert!(
        text.contains("places: 50 of 200 (25.000 %) went to no district"),
        "{text}"
    );
    assert!(text.contains("  line 3: column \"x\" is empty"), "{text}");
}
