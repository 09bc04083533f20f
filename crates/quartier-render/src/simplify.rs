//! Per-zoom simplification of the arcs, computed once when a layer is prepared.
//!
//! One Douglas-Peucker pass over each arc gives every vertex a *significance*: the largest
//! tolerance at which Douglas-Peucker still keeps it (capped by its parent's, so the levels
//! nest). A zoom level then keeps the vertices whose significance exceeds half a pixel of that
//! zoom, which is a plain filter, not a new simplification per level.
//! Arcs keep their end points (the junctions), so neighbouring districts stay joined.

use crate::tile::{MERCATOR_HALF_EXTENT, TILE_SIZE};
use crate::topology::Topology;

/// Largest distance, in pixels of the zoom drawn, by which a simplified boundary may stray from
/// the original. Half a pixel cannot move a pixel centre from one side of a boundary to the
/// other by more than one pixel, and the 1 px anti-aliased border hides it.
pub const SIMPLIFY_TOLERANCE_PX: f64 = 0.5;

/// Number of zoom levels with their own geometry: 0 to 22 at scale 1, plus one for zoom 22 @2x.
pub(crate) const LEVELS: usize = 24;

/// Once a level keeps this share of all vertices, it and all deeper levels use the original
/// geometry instead (a copy would save little drawing time and cost memory).
const FULL_DETAIL_SHARE: f64 = 0.85;

/// Distance from `p` to the segment `a`-`b`.
#[inline]
pub(crate) fn segment_distance(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (ex, ey) = (a[0] + t * dx - p[0], a[1] + t * dy - p[1]);
    (ex * ex + ey * ey).sqrt()
}

/// Douglas-Peucker significance of every vertex of one arc, written into `sig`.
///
/// End points get infinity. A closed arc (first point equals last) is first split at the vertex
/// farthest from its start, whose significance is that distance: below it the ring collapses.
pub(crate) fn significance(
    pts: &[[f64; 2]],
    sig: &mut [f64],
    stack: &mut Vec<(usize, usize, f64)>,
) {
    let n = pts.len();
    if n == 0 {
        return;
    }
    sig[0] = f64::INFINITY;
    sig[n - 1] = f64::INFINITY;
    if n <= 2 {
        return;
    }
    stack.clear();
    if pts[0] == pts[n - 1] {
        let mut far = 1;
        let mut far_d = -1.0;
        for (i, &p) in pts.iter().enumerate().take(n - 1).skip(1) {
            let d = segment_distance(p, pts[0], pts[0]);
            if d > far_d {
                far = i;
                far_d = d;
            }
        }
        sig[far] = far_d;
        stack.push((0, far, far_d));
        stack.push((far, n - 1, far_d));
    } else {
        stack.push((0, n - 1, f64::INFINITY));
    }
    while let Some((lo, hi, parent)) = stack.pop() {
        if hi <= lo + 1 {
            continue;
        }
        let (a, b) = (pts[lo], pts[hi]);
        let mut best = lo + 1;
        let mut best_d = -1.0;
        for (i, &p) in pts.iter().enumerate().take(hi).skip(lo + 1) {
            let d = segment_distance(p, a, b);
            if d > best_d {
                best = i;
                best_d = d;
            }
        }
        let t = best_d.min(parent);
        sig[best] = t;
        stack.push((lo, best, t));
        stack.push((best, hi, t));
    }
}

/// The arcs at one level of detail.
#[derive(Debug, Clone, Default)]
pub(crate) struct Level {
    /// Kept vertices, arc after arc.
    pub points: Vec<[f64; 2]>,
    /// `points[offsets[a]..offsets[a + 1]]` is arc `a`; empty when the arc vanished at this level.
    pub offsets: Vec<u32>,
}

impl Level {
    #[inline]
    pub fn arc(&self, a: usize) -> &[[f64; 2]] {
        &self.points[self.offsets[a] as usize..self.offsets[a + 1] as usize]
    }
}

/// Tolerance in metres for zoom level `l` (at 256 px tiles; `z@2x` uses level `z + 1`).
pub(crate) fn tolerance_m(l: usize) -> f64 {
    SIMPLIFY_TOLERANCE_PX * 2.0 * MERCATOR_HALF_EXTENT / (f64::from(TILE_SIZE) * (1u64 << l) as f64)
}

/// The levels of detail of a topology: `levels.last()` is the original geometry and
/// `zoom_level[l]` says which entry of `levels` serves zoom level `l`.
pub(crate) fn build_levels(topo: &Topology) -> (Vec<Level>, [u8; LEVELS]) {
    let arcs = topo.arc_count();
    let mut sig = vec![0.0; topo.points.len()];
    let mut stack = Vec::new();
    for a in 0..arcs {
        let (s, e) = (topo.offsets[a] as usize, topo.offsets[a + 1] as usize);
        significance(&topo.points[s..e], &mut sig[s..e], &mut stack);
    }

    let total = topo.points.len();
    let mut levels: Vec<Level> = Vec::new();
    let mut zoom_level = [0u8; LEVELS];
    let mut full_from = LEVELS;
    for (l, slot) in zoom_level.iter_mut().enumerate() {
        let tol = tolerance_m(l);
        let kept = sig.iter().filter(|&&s| s > tol).count();
        if kept as f64 >= FULL_DETAIL_SHARE * total as f64 {
            full_from = l;
            break;
        }
        if levels.last().is_some_and(|last| last.points.len() == kept) {
            *slot = (levels.len() - 1) as u8;
            continue;
        }
        let mut level = Level {
            points: Vec::with_capacity(kept),
            offsets: Vec::with_capacity(arcs + 1),
        };
        level.offsets.push(0);
        for a in 0..arcs {
            let (s, e) = (topo.offsets[a] as usize, topo.offsets[a + 1] as usize);
            let start = level.points.len();
            level
                .points
                .extend((s..e).filter(|&i| sig[i] > tol).map(|i| topo.points[i]));
            let closed = topo.points[s] == topo.points[e - 1];
            // A closed arc needs three distinct vertices to enclose anything.
            if closed && level.points.len() - start < 4 {
                level.points.truncate(start);
            }
            level.offsets.push(level.points.len() as u32);
        }
        *slot = levels.len() as u8;
        levels.push(level);
    }
    let full = levels.len() as u8;
    levels.push(Level {
        points: topo.points.clone(),
        offsets: topo.offsets.clone(),
    });
    for slot in zoom_level.iter_mut().skip(full_from) {
        *slot = full;
    }
    (levels, zoom_level)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_to_segment_clamps_to_ends() {
        assert_eq!(segment_distance([0.0, 1.0], [-1.0, 0.0], [1.0, 0.0]), 1.0);
        assert_eq!(segment_distance([4.0, 4.0], [0.0, 0.0], [1.0, 0.0]), 5.0);
        assert_eq!(segment_distance([3.0, 4.0], [0.0, 0.0], [0.0, 0.0]), 5.0);
    }

    #[test]
    fn significance_nests_like_douglas_peucker() {
        // A zig-zag: the middle peak is the most significant, its children are capped by it.
        let pts = [
            [0.0, 0.0],
            [1.0, 0.3],
            [2.0, 0.0],
            [3.0, 2.0],
            [4.0, 0.0],
            [5.0, 0.1],
            [6.0, 0.0],
        ];
        let mut sig = [0.0; 7];
        significance(&pts, &mut sig, &mut Vec::new());
        assert_eq!(sig[0], f64::INFINITY);
        assert_eq!(sig[6], f64::INFINITY);
        assert_eq!(sig[3], 2.0);
        assert!(sig[1] <= sig[3] && sig[5] <= sig[3]);
        // At tolerance 0.2 plain Douglas-Peucker keeps 0, 1, 3, 6 or so: check the filter
        // against a direct recursive implementation.
        for tol in [0.05, 0.2, 0.5, 1.0, 1.9, 2.1] {
            let kept: Vec<usize> = (0..7).filter(|&i| sig[i] > tol).collect();
            assert_eq!(kept, dp_reference(&pts, tol), "tolerance {tol}");
        }
    }

    fn dp_reference(pts: &[[f64; 2]], tol: f64) -> Vec<usize> {
        fn rec(pts: &[[f64; 2]], lo: usize, hi: usize, tol: f64, out: &mut Vec<usize>) {
            let mut best = lo;
            let mut best_d = -1.0;
            for i in lo + 1..hi {
                let d = segment_distance(pts[i], pts[lo], pts[hi]);
                if d > best_d {
                    best = i;
                    best_d = d;
                }
            }
            if best_d > tol {
                rec(pts, lo, best, tol, out);
                out.push(best);
                rec(pts, best, hi, tol, out);
            }
        }
        let mut out = vec![0];
        rec(pts, 0, pts.len() - 1, tol, &mut out);
        out.push(pts.len() - 1);
        out
    }

    #[test]
    fn closed_ring_collapses_below_its_size() {
        let ring = [
            [0.0, 0.0],
            [10.0, 0.0],
            [10.0, 10.0],
            [0.0, 10.0],
            [0.0, 0.0],
        ];
        let mut sig = [0.0; 5];
        significance(&ring, &mut sig, &mut Vec::new());
        assert!((sig[2] - 200f64.sqrt()).abs() < 1e-12);
        assert!(sig[1] > 0.0 && sig[3] > 0.0);
        assert!(sig[1] <= sig[2]);
    }

    #[test]
    fn tolerance_halves_per_zoom() {
        // Zoom 0: the world (40 075 km) over 256 px, half a pixel is about 78 km.
        assert!((tolerance_m(0) - 78_271.517).abs() < 0.01);
        assert!((tolerance_m(1) * 2.0 - tolerance_m(0)).abs() < 1e-9);
    }
}
