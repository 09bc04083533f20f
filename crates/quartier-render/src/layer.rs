//! [`TileLayer`]: a district layer prepared once for drawing many tiles.

use geo_types::MultiPolygon;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

use crate::simplify::{build_levels, Level, LEVELS};
use crate::topology::Topology;

type Entry = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// District polygons in Web Mercator metres (EPSG:3857), prepared for drawing tiles.
///
/// Preparing does the work that does not depend on the tile: it cuts the rings into shared
/// arcs (so a boundary between two districts is simplified and drawn once), simplifies the
/// arcs for every zoom level, and puts the districts' bounding boxes into an R-tree.
/// Build it once when a layer is loaded and share it (it is `Send + Sync`) between requests.
///
/// Districts keep their position: district `i` is drawn with `TileStyle::fills[i]`.
/// Fills use the even-odd rule per district, so holes need no particular ring orientation.
#[derive(Clone)]
pub struct TileLayer {
    pub(crate) districts: usize,
    pub(crate) district_arcs: Vec<u32>,
    pub(crate) district_offsets: Vec<u32>,
    /// Bounding box of each arc at full detail (simplified arcs stay inside it).
    pub(crate) arc_bbox: Vec<[f64; 4]>,
    pub(crate) arc_owner: Vec<u32>,
    pub(crate) arc_border: Vec<bool>,
    pub(crate) levels: Vec<Level>,
    pub(crate) zoom_level: [u8; LEVELS],
    tree: RTree<Entry>,
    bounds: Option<[f64; 4]>,
    vertices: usize,
    skipped_vertices: usize,
    skipped_rings: usize,
}

impl TileLayer {
    /// Prepares `districts`, given in Web Mercator metres (EPSG:3857), in layer order.
    ///
    /// Never fails: vertices with a NaN or infinite coordinate are left out, as are rings left
    /// with fewer than three distinct vertices; [`Self::skipped_vertices`] and
    /// [`Self::skipped_rings`] count them so that a caller can warn. A district that ends up
    /// empty keeps its place and is simply never drawn.
    #[must_use]
    pub fn new(districts: Vec<MultiPolygon<f64>>) -> TileLayer {
        let topo = Topology::build(&districts);
        let (levels, zoom_level) = build_levels(&topo);
        let arc_bbox: Vec<[f64; 4]> = (0..topo.arc_count()).map(|a| bbox(topo.arc(a))).collect();
        let entries: Vec<Entry> = (0..districts.len())
            .filter_map(|d| {
                let arcs = &topo.district_arcs
                    [topo.district_offsets[d] as usize..topo.district_offsets[d + 1] as usize];
                let b = arcs.iter().map(|&a| arc_bbox[a as usize]).reduce(union)?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([b[0], b[1]], [b[2], b[3]]),
                    d as u32,
                ))
            })
            .collect();
        let bounds = arc_bbox.iter().copied().reduce(union);
        TileLayer {
            districts: districts.len(),
            vertices: topo.points.len(),
            skipped_vertices: topo.skipped_vertices,
            skipped_rings: topo.skipped_rings,
            district_arcs: topo.district_arcs,
            district_offsets: topo.district_offsets,
            arc_bbox,
            arc_owner: topo.owner,
            arc_border: topo.border,
            levels,
            zoom_level,
            tree: RTree::bulk_load(entries),
            bounds,
        }
    }

    /// Number of districts, drawable or not (the length `TileStyle::fills` must have).
    #[must_use]
    pub fn len(&self) -> usize {
        self.districts
    }

    /// Whether the layer has no districts at all.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.districts == 0
    }

    /// Extent of all drawable geometry in mercator metres as `[min_x, min_y, max_x, max_y]`,
    /// `None` when nothing is drawable.
    #[must_use]
    pub fn bounds(&self) -> Option<[f64; 4]> {
        self.bounds
    }

    /// Number of shared-boundary arcs the rings were cut into (each stored and drawn once).
    #[must_use]
    pub fn arc_count(&self) -> usize {
        self.arc_owner.len()
    }

    /// Number of vertices kept at full detail (shared boundaries counted once).
    #[must_use]
    pub fn vertex_count(&self) -> usize {
        self.vertices
    }

    /// Number of vertices drawn at `zoom` for tiles of `scale` 1 or 2 (after simplification).
    #[must_use]
    pub fn vertex_count_at(&self, zoom: u8, scale: u8) -> usize {
        self.level(zoom, scale).points.len()
    }

    /// Vertices left out because a coordinate was NaN or infinite.
    #[must_use]
    pub fn skipped_vertices(&self) -> usize {
        self.skipped_vertices
    }

    /// Rings left out because fewer than three distinct vertices remained.
    #[must_use]
    pub fn skipped_rings(&self) -> usize {
        self.skipped_rings
    }

    /// Geometry for tiles at `zoom`, `scale` (an @2x tile has the pixels of the zoom below).
    pub(crate) fn level(&self, zoom: u8, scale: u8) -> &Level {
        let l = (usize::from(zoom) + usize::from(scale.max(1)).ilog2() as usize).min(LEVELS - 1);
        &self.levels[usize::from(self.zoom_level[l])]
    }

    /// The coarsest geometry whose simplification tolerance is at most `tol_m` metres (the full
    /// detail when no level is that fine); used by print pages, whose scale is not a zoom.
    pub(crate) fn level_for_tolerance(&self, tol_m: f64) -> Option<&Level> {
        match (0..LEVELS).find(|&l| crate::simplify::tolerance_m(l) <= tol_m) {
            Some(l) => self.levels.get(usize::from(self.zoom_level[l])),
            // Finer than every level: the last entry is the unsimplified geometry.
            None => self.levels.last(),
        }
    }

    /// District `d`'s arcs.
    #[inline]
    pub(crate) fn arcs_of(&self, d: usize) -> &[u32] {
        &self.district_arcs
            [self.district_offsets[d] as usize..self.district_offsets[d + 1] as usize]
    }

    /// Districts whose bounding box meets `b` (`[min_x, min_y, max_x, max_y]`), in layer order.
    pub(crate) fn districts_in(&self, b: [f64; 4], out: &mut Vec<u32>) {
        out.clear();
        let envelope = AABB::from_corners([b[0], b[1]], [b[2], b[3]]);
        out.extend(
            self.tree
                .locate_in_envelope_intersecting(&envelope)
                .map(|e| e.data),
        );
        out.sort_unstable();
    }
}

impl std::fmt::Debug for TileLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TileLayer")
            .field("districts", &self.districts)
            .field("arcs", &self.arc_count())
            .field("vertices", &self.vertices)
            .field("levels", &self.levels.len())
            .field("bounds", &self.bounds)
            .field("skipped_vertices", &self.skipped_vertices)
            .field("skipped_rings", &self.skipped_rings)
            .finish_non_exhaustive()
    }
}

fn bbox(pts: &[[f64; 2]]) -> [f64; 4] {
    pts.iter().fold(
        [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ],
        |b, p| {
            [
                b[0].min(p[0]),
                b[1].min(p[1]),
                b[2].max(p[0]),
                b[3].max(p[1]),
            ]
        },
    )
}

fn union(a: [f64; 4], b: [f64; 4]) -> [f64; 4] {
    [
        a[0].min(b[0]),
        a[1].min(b[1]),
        a[2].max(b[2]),
        a[3].max(b[3]),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::polygon;

    #[test]
    fn bounds_len_and_empty_districts() {
        let a = MultiPolygon(vec![
            polygon![(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 5.0)],
        ]);
        let empty = MultiPolygon(vec![]);
        let layer = TileLayer::new(vec![a, empty]);
        assert_eq!(layer.len(), 2);
        assert_eq!(layer.bounds(), Some([0.0, 0.0, 10.0, 5.0]));
        let mut hits = Vec::new();
        layer.districts_in([-1.0, -1.0, 1.0, 1.0], &mut hits);
        assert_eq!(hits, vec![0]);
        layer.districts_in([20.0, 20.0, 30.0, 30.0], &mut hits);
        assert!(hits.is_empty());
        assert_eq!(TileLayer::new(vec![]).bounds(), None);
    }

    #[test]
    fn layer_is_shareable_between_threads() {
        fn check<T: Send + Sync>() {}
        check::<TileLayer>();
    }
}
