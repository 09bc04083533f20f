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

    /// How many districts each kind of repair touched, most first: a file whose rings all run
    /// the other way gets one line ("402 districts: rings with the wrong winding reversed")
    /// instead of 402. A district with several repairs counts under each.
    pub fn repairs_by_kind(&self) -> Vec<(&'static str, usize)> {
        let mut counts: Vec<(&'static str, usize)> = Vec::new();
        for finding in &self.repaired {
            let mut kinds: Vec<&'static str> =
                finding.problem.split("; ").map(repair_kind).collect();
            kinds.dedup();
            for kind in kinds {
                match counts.iter_mut().find(|(k, _)| *k == kind) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((kind, 1)),
                }
            }
        }
        counts.sort_by_key(|c| std::cmp::Reverse(c.1));
        counts
    }

    /// Sort every list by feature number, so findings read in source order.
    pub fn sort(&mut self) {
        for list in [&mut self.repaired, &mut self.warnings, &mut self.errors] {
            list.sort_by_key(|f| f.feature);
        }
    }
}

/// The kind of one repair, from the wording the importers and [`validate_and_repair`] give it.
fn repair_kind(repair: &str) -> &'static str {
    if repair.contains("wrong winding") {
        "rings with the wrong winding reversed"
    } else if repair.contains("duplicate consecutive points") {
        "duplicate consecutive points dropped"
    } else if repair.contains("unclosed rings") {
        "unclosed rings closed"
    } else if repair.contains("polygon overlay") {
        "self-intersecting polygons rebuilt by polygon overlay"
    } else if repair.contains("holes with fewer than 3") {
        "holes without area dropped"
    } else if repair.contains("fewer than 3 distinct points") {
        "polygons without area dropped"
    } else if repair.contains("lie in no outer ring") {
        "rings wound like holes outside every exterior used as exteriors"
    } else {
        "other repairs"
    }
}

/// How many findings of each kind [`ValidationReport`]'s `Display` lists before "... and N more".
const SHOWN: usize = 10;
/// How many repaired districts it lists as examples after the summary by kind.
const SHOWN_REPAIRED: usize = 3;

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
        let kinds: Vec<String> = self
            .repairs_by_kind()
            .iter()
            .map(|(kind, n)| {
                let districts = if *n == 1 { "district" } else { "districts" };
                format!("{n} {districts}: {kind}")
            })
            .collect();
        if !kinds.is_empty() {
            write!(f, "\n  repaired by kind: {}", kinds.join("; "))?;
        }
        // Repairs are summarised by kind above: a few examples are enough.
        for (label, list, shown) in [
            ("error", &self.errors, SHOWN),
            ("warning", &self.warnings, SHOWN),
            ("repaired", &self.repaired, SHOWN_REPAIRED),
        ] {
            for finding in list.iter().take(shown) {
                write!(f, "\n  {label}: {finding}")?;
            }
            if list.len() > shown {
                write!(f, "\n  {label}: ... and {} more", list.len() - shown)?;
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
mod tests;
