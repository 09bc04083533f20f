//! Geometry checks and repairs for a district layer, collected into a [`ValidationReport`].
//!
//! [`validate_and_repair`] walks every district once and sorts what it finds into four groups:
//!
//! - **repaired** (a warning; the layer was changed): duplicate consecutive points dropped,
//!   unclosed rings closed, rings with the wrong winding reversed (exteriors become
//!   counter-clockwise, holes clockwise), degenerate holes or parts dropped while the district
//!   keeps at least one usable polygon.
//!   Self-intersections (two edges of one polygon that cross or overlap along a stretch) are
//!   repaired too: the polygon is rebuilt by `geo`'s polygon overlay (i_overlay) under the
//!   even-odd rule, which splits a bow-tie into its two lobes and keeps holes as holes, the way
//!   GEOS' `MakeValid` does for such rings. The finding names the crossing point.
//! - **warnings** (usable as is, not repaired): a self-intersection the overlay could not
//!   resolve (its result still self-intersects or lost the polygon); reported and left alone.
//! - **errors** (the district cannot be used; its geometry is cleared): non-finite coordinates,
//!   coordinates outside longitude ±180° / latitude ±90° (usually a wrong CRS), or no polygon with
//!   at least 3 distinct points.
//! - **empty** geometries and **duplicate ids**.
//!
//! A layer is usable ([`ValidationReport::is_usable`]) when there are no errors and no duplicate ids.
//!
//! # Self-intersection check
//!
//! `geo`'s `Validation` compares every edge of a ring with every other edge (quadratic) and relates
//! every pair of parts of a multipolygon; on `us_counties` (about 1 M vertices) that takes minutes.
//! We run a sort-and-sweep over the edges of each polygon instead (sorted along the longer side
//! of the polygon's bounding box; only edges whose x- and y-ranges overlap are tested, with
//! `geo`'s robust orientation predicate), which is close to `n log n` for boundary data.
//! Checked: proper crossings and collinear overlaps between any two edges of one polygon's rings
//! (exterior and holes), and spikes (an edge folding back over its neighbour).
//! Not checked, and documented as such: rings touching themselves or each other at a single point
//! (including a crossing exactly at a vertex shared by both edges), overlaps between different
//! parts of a multipolygon, and holes lying outside their exterior (the importers assign holes to
//! the exterior that contains them, so the last cannot come from a shapefile).

use std::collections::HashMap;
use std::fmt;

use geo::kernels::{Kernel, Orientation, RobustKernel};
use geo::{Coord, LineString, MultiPolygon, Polygon};
use serde::Serialize;

use crate::crs;
use crate::layer::Layer;

/// One thing found about one district.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The district id (or, for problems found before ids were assigned, the feature number).
    pub id: String,
    /// 1-based feature number in source order (shapefile record number, GeoJSON feature position + 1).
    pub feature: usize,
    /// What is wrong and, for repairs, what was done, e.g. `ring 1 of polygon 2 was not closed; closed it`.
    pub problem: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "feature {} (id {:?}): {}",
            self.feature, self.id, self.problem
        )
    }
}

/// Everything [`validate_and_repair`] (and the importers) found, grouped by consequence.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ValidationReport {
    /// Problems that were repaired in place (the layer changed); warnings.
    pub repaired: Vec<Finding>,
    /// Problems that leave the district usable as it is (self-intersections); warnings.
    pub warnings: Vec<Finding>,
    /// Districts that cannot be used; their geometry was cleared.
    pub errors: Vec<Finding>,
    /// Ids of districts without geometry.
    pub empty: Vec<String>,
    /// Ids that occur more than once (each listed once).
    pub duplicate_ids: Vec<String>,
}

impl ValidationReport {
    /// Whether the layer can be served: no unusable geometry and no duplicate ids
    /// (a duplicate id would make every join by key ambiguous).
    pub fn is_usable(&self) -> bool {
        self.errors.is_empty() && self.duplicate_ids.is_empty()
    }

    /// Append another report's findings (used to merge what the importer found while reading).
    pub fn extend(&mut self, other: ValidationReport) {
        self.repaired.extend(other.repaired);
        self.warnings.extend(other.warnings);
        self.errors.extend(other.errors);
        self.empty.extend(other.empty);
        self.duplicate_ids.extend(other.duplicate_ids);
    }

    /// Sort every list by feature number, so findings read in source order.
    pub fn sort(&mut self) {
        for list in [&mut self.repaired, &mut self.warnings, &mut self.errors] {
            list.sort_by_key(|f| f.feature);
        }
    }
}

/// How many findings of each kind [`ValidationReport`]'s `Display` lists before "... and N more".
const SHOWN: usize = 10;

impl fmt::Display for ValidationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_usable() {
            write!(f, "usable")?;
        } else {
            write!(f, "NOT usable")?;
        }
        write!(
            f,
            " ({} errors, {} duplicate ids, {} repaired, {} warnings, {} empty)",
            self.errors.len(),
            self.duplicate_ids.len(),
            self.repaired.len(),
            self.warnings.len(),
            self.empty.len()
        )?;
        for (label, list) in [
            ("error", &self.errors),
            ("warning", &self.warnings),
            ("repaired", &self.repaired),
        ] {
            for finding in list.iter().take(SHOWN) {
                write!(f, "\n  {label}: {finding}")?;
            }
            if list.len() > SHOWN {
                write!(f, "\n  {label}: ... and {} more", list.len() - SHOWN)?;
            }
        }
        for (label, list) in [
            ("empty geometry", &self.empty),
            ("duplicate id", &self.duplicate_ids),
        ] {
            if !list.is_empty() {
                let shown: Vec<String> =
                    list.iter().take(SHOWN).map(|s| format!("{s:?}")).collect();
                let more = if list.len() > SHOWN {
                    format!(" and {} more", list.len() - SHOWN)
                } else {
                    String::new()
                };
                write!(f, "\n  {label}: {}{more}", shown.join(", "))?;
            }
        }
        Ok(())
    }
}

/// Tolerance for longitude/latitude range checks, in degrees: data cut at ±180° often has
/// rounding noise in the last digits.
const RANGE_EPS: f64 = 1e-7;

/// Check every district, repair what can be repaired, clear what cannot be used, and report.
///
/// Geometry is expected in EPSG:4326 (the [`Layer`] contract); districts whose geometry changed get
/// a fresh Mercator copy.
/// Findings carry the district's position in the layer plus one as their feature number.
pub fn validate_and_repair(layer: &mut Layer) -> ValidationReport {
    let mut report = ValidationReport::default();
    for (index, district) in layer.districts.iter_mut().enumerate() {
        let finding = |problem: String| Finding {
            id: district.id.clone(),
            feature: index + 1,
            problem,
        };
        if district.geometry.0.is_empty() {
            report.empty.push(district.id.clone());
            continue;
        }
        if let Some(problem) = unusable_coordinate(&district.geometry) {
            report.errors.push(finding(problem));
            district.geometry = MultiPolygon(Vec::new());
            district.mercator = MultiPolygon(Vec::new());
            continue;
        }
        let outcome = repair_multipolygon(&mut district.geometry);
        let usable = !district.geometry.0.is_empty();
        if !outcome.repairs.is_empty() && usable {
            report.repaired.push(finding(outcome.repairs.join("; ")));
        }
        if !usable {
            report.errors.push(finding(
                "no polygon has at least 3 distinct points, so the district has no area"
                    .to_string(),
            ));
            district.mercator = MultiPolygon(Vec::new());
            continue;
        }
        let mut changed = outcome.changed;
        let mut rebuilt = Vec::with_capacity(district.geometry.0.len());
        for (k, polygon) in district.geometry.0.drain(..).enumerate() {
            let Some(problem) = self_intersection(&polygon) else {
                rebuilt.push(polygon);
                continue;
            };
            let problem = format!("polygon {}: {problem}", k + 1);
            match rebuild_by_overlay(&polygon) {
                Some(parts) => {
                    report.repaired.push(finding(format!(
                        "{problem}; rebuilt by polygon overlay into {} valid polygon(s)",
                        parts.len()
                    )));
                    rebuilt.extend(parts);
                    changed = true;
                }
                None => {
                    report.warnings.push(finding(problem));
                    rebuilt.push(polygon);
                }
            }
        }
        district.geometry.0 = rebuilt;
        if changed {
            district.mercator = crs::to_mercator(&district.geometry);
        }
    }
    report.duplicate_ids = duplicate_ids(layer);
    report
}

/// A self-intersecting polygon rebuilt as valid polygons by an even-odd overlay with nothing, or
/// `None` when the overlay gives no area or its result still self-intersects.
fn rebuild_by_overlay(polygon: &Polygon<f64>) -> Option<Vec<Polygon<f64>>> {
    use geo::algorithm::bool_ops::{BooleanOps, FillRule, OpType};
    let empty: MultiPolygon<f64> = MultiPolygon(Vec::new());
    let result = polygon.boolean_op_with_fill_rule(&empty, OpType::Union, FillRule::EvenOdd);
    let parts: Vec<Polygon<f64>> = result
        .0
        .into_iter()
        .map(|mut p| {
            // The overlay's winding may differ from the Layer contract (exterior CCW, holes CW).
            repair_polygon_winding(&mut p);
            p
        })
        .collect();
    (!parts.is_empty() && parts.iter().all(|p| self_intersection(p).is_none())).then_some(parts)
}

/// Exterior counter-clockwise, holes clockwise.
fn repair_polygon_winding(polygon: &mut Polygon<f64>) {
    use geo::orient::{Direction, Orient};
    *polygon = polygon.orient(Direction::Default);
}

/// Ids used by more than one district, each once, in order of first occurrence.
pub fn duplicate_ids(layer: &Layer) -> Vec<String> {
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(layer.districts.len());
    let mut duplicates = Vec::new();
    for d in &layer.districts {
        let count = seen.entry(d.id.as_str()).or_insert(0);
        *count += 1;
        if *count == 2 {
            duplicates.push(d.id.clone());
        }
    }
    duplicates
}

/// The first non-finite or out-of-range coordinate, described, if any.
fn unusable_coordinate(mp: &MultiPolygon<f64>) -> Option<String> {
    for (k, polygon) in mp.0.iter().enumerate() {
        for (r, ring) in rings(polygon).enumerate() {
            for (v, c) in ring.0.iter().enumerate() {
                let place = || format!("polygon {}, ring {}, vertex {}", k + 1, r + 1, v + 1);
                if !c.x.is_finite() || !c.y.is_finite() {
                    return Some(format!(
                        "coordinate ({}, {}) at {} is not a number",
                        c.x,
                        c.y,
                        place()
                    ));
                }
                if c.x.abs() > 180.0 + RANGE_EPS || c.y.abs() > 90.0 + RANGE_EPS {
                    return Some(format!(
                        "coordinate ({}, {}) at {} is outside longitude -180..180 / latitude -90..90; \
                         check the CRS (--crs)",
                        c.x,
                        c.y,
                        place()
                    ));
                }
            }
        }
    }
    None
}

/// The rings of a polygon, exterior first.
fn rings(polygon: &Polygon<f64>) -> impl Iterator<Item = &LineString<f64>> {
    std::iter::once(polygon.exterior()).chain(polygon.interiors())
}

/// What [`repair_multipolygon`] did.
#[derive(Debug, Default)]
struct RepairOutcome {
    /// Human-readable repairs, one per kind.
    repairs: Vec<String>,
    /// Whether any coordinate changed.
    changed: bool,
}

/// Drop duplicate consecutive points, close rings, fix winding, drop degenerate rings and parts.
fn repair_multipolygon(mp: &mut MultiPolygon<f64>) -> RepairOutcome {
    let mut out = RepairOutcome::default();
    let (mut duplicates, mut unclosed, mut rewound, mut dropped_holes) =
        (0usize, 0usize, 0usize, 0usize);
    let mut dropped_parts = Vec::new();
    let mut kept = Vec::with_capacity(mp.0.len());
    for (k, polygon) in std::mem::take(&mut mp.0).into_iter().enumerate() {
        let (exterior, interiors) = polygon.into_inner();
        let Some(exterior) =
            clean_ring(exterior, true, &mut duplicates, &mut unclosed, &mut rewound)
        else {
            dropped_parts.push(k + 1);
            continue;
        };
        let mut holes = Vec::with_capacity(interiors.len());
        for ring in interiors {
            match clean_ring(ring, false, &mut duplicates, &mut unclosed, &mut rewound) {
                Some(r) => holes.push(r),
                None => dropped_holes += 1,
            }
        }
        kept.push(Polygon::new(exterior, holes));
    }
    mp.0 = kept;
    if duplicates > 0 {
        out.repairs
            .push(format!("dropped {duplicates} duplicate consecutive points"));
    }
    if unclosed > 0 {
        out.repairs
            .push(format!("closed {unclosed} unclosed rings"));
    }
    if rewound > 0 {
        out.repairs.push(format!(
            "reversed {rewound} rings with the wrong winding (exteriors must be counter-clockwise, holes clockwise)"
        ));
    }
    if dropped_holes > 0 {
        out.repairs.push(format!(
            "dropped {dropped_holes} holes with fewer than 3 distinct points"
        ));
    }
    if !dropped_parts.is_empty() && !mp.0.is_empty() {
        let parts: Vec<String> = dropped_parts.iter().map(usize::to_string).collect();
        out.repairs.push(format!(
            "dropped polygon(s) {} with fewer than 3 distinct points",
            parts.join(", ")
        ));
    }
    out.changed = duplicates + unclosed + rewound + dropped_holes + dropped_parts.len() > 0;
    out
}

/// Clean one ring; `None` when fewer than 3 distinct points remain.
fn clean_ring(
    ring: LineString<f64>,
    exterior: bool,
    duplicates: &mut usize,
    unclosed: &mut usize,
    rewound: &mut usize,
) -> Option<LineString<f64>> {
    let mut coords = ring.0;
    // `Polygon::new` closes rings, so a ring reaching us unclosed was built by hand; close it.
    if let (Some(first), Some(last)) = (coords.first().copied(), coords.last().copied()) {
        if first != last {
            coords.push(first);
            *unclosed += 1;
        }
    }
    let before = coords.len();
    coords.dedup();
    *duplicates += before - coords.len();
    // A closed ring needs 4 positions (3 distinct points plus the closing one).
    if coords.len() < 4 || !has_three_distinct(&coords) {
        return None;
    }
    // A zero area is left alone: a symmetric bow-tie has one, and the crossing check reports it.
    let area = signed_area2(&coords);
    if (exterior && area < 0.0) || (!exterior && area > 0.0) {
        coords.reverse();
        *rewound += 1;
    }
    Some(LineString(coords))
}

/// Whether a ring has at least 3 distinct points (early exit, linear).
fn has_three_distinct(coords: &[Coord<f64>]) -> bool {
    let Some(&a) = coords.first() else {
        return false;
    };
    let Some(&b) = coords.iter().find(|&&c| c != a) else {
        return false;
    };
    coords.iter().any(|&c| c != a && c != b)
}

/// Twice the signed area of a closed ring (shoelace); positive when counter-clockwise.
pub(crate) fn signed_area2(coords: &[Coord<f64>]) -> f64 {
    let Some(first) = coords.first() else {
        return 0.0;
    };
    // Shift to the first vertex so that large projected coordinates do not lose precision.
    let mut sum = 0.0;
    for w in coords.windows(2) {
        let (a, b) = (w[0] - *first, w[1] - *first);
        sum += a.x * b.y - b.x * a.y;
    }
    sum
}

/// One edge of a polygon for the sweep.
#[derive(Debug, Clone, Copy)]
struct Edge {
    a: Coord<f64>,
    b: Coord<f64>,
    /// Range along the sweep axis.
    lo: f64,
    hi: f64,
    /// Range along the other axis.
    cross_lo: f64,
    cross_hi: f64,
    ring: usize,
    index: usize,
}

/// Describe the first self-intersection of a polygon (crossing or overlapping edges, spikes), if any.
///
/// See the module docs for what is and is not checked.
pub fn self_intersection(polygon: &Polygon<f64>) -> Option<String> {
    // Sweep along the longer side of the exterior's bounding box: a long, narrow district (a
    // valley, a river bank) swept across its narrow side would keep nearly every edge active.
    let (mut min, mut max) = (
        Coord {
            x: f64::INFINITY,
            y: f64::INFINITY,
        },
        Coord {
            x: f64::NEG_INFINITY,
            y: f64::NEG_INFINITY,
        },
    );
    for c in &polygon.exterior().0 {
        min = Coord {
            x: min.x.min(c.x),
            y: min.y.min(c.y),
        };
        max = Coord {
            x: max.x.max(c.x),
            y: max.y.max(c.y),
        };
    }
    let along_y = max.y - min.y > max.x - min.x;
    let mut edges = Vec::new();
    let mut ring_edges = Vec::new();
    for (r, ring) in rings(polygon).enumerate() {
        let n = ring.0.len().saturating_sub(1);
        ring_edges.push(n);
        for (i, w) in ring.0.windows(2).enumerate() {
            let (a, b) = (w[0], w[1]);
            if a == b {
                continue;
            }
            let (x, y) = ((a.x.min(b.x), a.x.max(b.x)), (a.y.min(b.y), a.y.max(b.y)));
            let ((lo, hi), (cross_lo, cross_hi)) = if along_y { (y, x) } else { (x, y) };
            edges.push(Edge {
                a,
                b,
                lo,
                hi,
                cross_lo,
                cross_hi,
                ring: r,
                index: i,
            });
        }
    }
    edges.sort_by(|p, q| p.lo.total_cmp(&q.lo));
    let mut active: Vec<Edge> = Vec::new();
    for e in &edges {
        active.retain(|t| t.hi >= e.lo);
        for t in &active {
            if t.cross_hi < e.cross_lo || t.cross_lo > e.cross_hi {
                continue;
            }
            let n = ring_edges[e.ring];
            let adjacent = e.ring == t.ring
                && (e.index.abs_diff(t.index) == 1
                    || (n > 1 && e.index.abs_diff(t.index) == n - 1));
            if let Some(problem) = edge_conflict(e, t, adjacent) {
                let ring = |r: usize| {
                    if r == 0 {
                        "exterior".to_string()
                    } else {
                        format!("hole {r}")
                    }
                };
                let which = if e.ring == t.ring {
                    format!("{} ring", ring(e.ring))
                } else {
                    format!(
                        "{} and {}",
                        ring(t.ring.min(e.ring)),
                        ring(t.ring.max(e.ring))
                    )
                };
                return Some(format!("self-intersection: {which} {problem}"));
            }
        }
        active.push(*e);
    }
    None
}

/// How two edges conflict, if they do: a proper crossing, a collinear overlap, or (for adjacent
/// edges) a spike.
fn edge_conflict(e: &Edge, t: &Edge, adjacent: bool) -> Option<String> {
    let o1 = RobustKernel::orient2d(e.a, e.b, t.a);
    let o2 = RobustKernel::orient2d(e.a, e.b, t.b);
    let collinear = o1 == Orientation::Collinear && o2 == Orientation::Collinear;
    if collinear {
        // Overlap of positive length along the common line.
        let d = e.b - e.a;
        let proj = |c: Coord<f64>| (c - e.a).x * d.x + (c - e.a).y * d.y;
        let len2 = d.x * d.x + d.y * d.y;
        let (s0, s1) = (proj(t.a), proj(t.b));
        let (lo, hi) = (s0.min(s1), s0.max(s1));
        if hi.min(len2) - lo.max(0.0) > 0.0 {
            let what = if adjacent {
                "folds back on itself (a spike)"
            } else {
                "has overlapping edges"
            };
            return Some(format!("{what} near ({}, {})", t.a.x, t.a.y));
        }
        return None;
    }
    if adjacent {
        return None;
    }
    let o3 = RobustKernel::orient2d(t.a, t.b, e.a);
    let o4 = RobustKernel::orient2d(t.a, t.b, e.b);
    let opposite = |p: Orientation, q: Orientation| {
        matches!(
            (p, q),
            (Orientation::Clockwise, Orientation::CounterClockwise)
                | (Orientation::CounterClockwise, Orientation::Clockwise)
        )
    };
    if opposite(o1, o2) && opposite(o3, o4) {
        let r = e.b - e.a;
        let s = t.b - t.a;
        let denom = r.x * s.y - r.y * s.x;
        let q = t.a - e.a;
        let u = (q.x * s.y - q.y * s.x) / denom;
        let p = e.a + r * u;
        return Some(format!("has edges crossing at ({:.7}, {:.7})", p.x, p.y));
    }
    None
}

#[cfg(test)]
mod tests {
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
        let g: MultiPolygon<f64> = wkt!(MULTIPOLYGON(((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.),(2. 2.,2. 8.,8. 8.,8. 2.,2. 2.))));
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
        assert!(text
            .starts_with("usable (0 errors, 0 duplicate ids, 0 repaired, 12 warnings, 0 empty)"));
        assert!(text.contains("warning: ... and 2 more"));
    }
}

#[cfg(test)]
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
