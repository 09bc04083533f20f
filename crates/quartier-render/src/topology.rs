//! Shared-edge topology: the district rings cut into arcs at the points where neighbours meet,
//! each arc stored once.
//!
//! Two districts that share a boundary in the input (the same vertices, as census and cadastre
//! data have) end up referring to the same arc, so simplifying the arc once moves the boundary
//! of both districts the same way (no slivers, no gaps) and the border is drawn once.
//! This is the arc extraction of TopoJSON: a vertex is a junction when it is reached with
//! different neighbours from different rings (or twice from one ring).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use geo_types::MultiPolygon;

/// A fast, non-cryptographic hasher for coordinate bit patterns (the input is not adversarial:
/// it is the layer loaded at start), with a final mix so that integer-valued coordinates,
/// whose low mantissa bits are all zero, still spread over the table.
#[derive(Default, Clone, Copy)]
pub(crate) struct CoordHasher(u64);

impl Hasher for CoordHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    #[inline]
    fn finish(&self) -> u64 {
        // The murmur3 finaliser.
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<CoordHasher>>;

type Key = (u64, u64);

/// Bit pattern of a point, with -0.0 folded into 0.0 so that both spellings are one vertex.
#[inline]
fn key(p: [f64; 2]) -> Key {
    ((p[0] + 0.0).to_bits(), (p[1] + 0.0).to_bits())
}

/// Total order on points (x, then y), used to pick canonical arc directions.
#[inline]
fn less(a: [f64; 2], b: [f64; 2]) -> bool {
    a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])).is_lt()
}

/// The layer cut into arcs.
#[derive(Debug, Clone, Default)]
pub(crate) struct Topology {
    /// All arc vertices, arc after arc; a closed arc repeats its first point at the end.
    pub points: Vec<[f64; 2]>,
    /// `points[offsets[a]..offsets[a + 1]]` is arc `a`.
    pub offsets: Vec<u32>,
    /// The lowest-numbered district using each arc: it draws the arc's border.
    pub owner: Vec<u32>,
    /// Whether the arc separates different districts or a district from the outside;
    /// false for an arc a district uses on both sides (a seam inside one district).
    pub border: Vec<bool>,
    /// `district_arcs[district_offsets[d]..district_offsets[d + 1]]` are district `d`'s arcs.
    pub district_arcs: Vec<u32>,
    /// See `district_arcs`; length is districts + 1.
    pub district_offsets: Vec<u32>,
    /// Vertices with a NaN or infinite coordinate, left out.
    pub skipped_vertices: usize,
    /// Rings with fewer than three distinct vertices after cleaning, left out.
    pub skipped_rings: usize,
}

impl Topology {
    pub fn arc_count(&self) -> usize {
        self.owner.len()
    }

    pub fn arc(&self, a: usize) -> &[[f64; 2]] {
        &self.points[self.offsets[a] as usize..self.offsets[a + 1] as usize]
    }

    pub fn build(districts: &[MultiPolygon<f64>]) -> Topology {
        let mut topo = Topology {
            offsets: vec![0],
            district_offsets: vec![0],
            ..Topology::default()
        };
        let rings = Rings::clean(districts, &mut topo);
        let junctions = rings.junctions();

        let mut registry = ArcRegistry::default();
        let mut seq: Vec<[f64; 2]> = Vec::new();
        let mut marks: Vec<usize> = Vec::new();
        let mut ring = 0;
        for d in 0..districts.len() {
            let district = d as u32;
            while ring < rings.district.len() && rings.district[ring] == district {
                let pts = rings.ring(ring);
                marks.clear();
                marks.extend((0..pts.len()).filter(|&i| junctions.contains(&key(pts[i]))));
                if marks.is_empty() {
                    closed_ring_arc(pts, &mut seq);
                    let a = registry.register(&seq, district, &mut topo);
                    topo.district_arcs.push(a);
                } else {
                    for (m, &start) in marks.iter().enumerate() {
                        let end = marks[(m + 1) % marks.len()];
                        seq.clear();
                        if end > start {
                            seq.extend_from_slice(&pts[start..=end]);
                        } else {
                            // Wraps around the ring's start (also the single-junction case).
                            seq.extend_from_slice(&pts[start..]);
                            seq.extend_from_slice(&pts[..=end]);
                        }
                        canonical_open(&mut seq);
                        let a = registry.register(&seq, district, &mut topo);
                        topo.district_arcs.push(a);
                    }
                }
                ring += 1;
            }
            topo.district_offsets.push(topo.district_arcs.len() as u32);
        }
        topo
    }
}

/// Rings after cleaning, flat.
struct Rings {
    points: Vec<[f64; 2]>,
    offsets: Vec<usize>,
    district: Vec<u32>,
}

impl Rings {
    /// Drops non-finite vertices, repeated consecutive vertices and the closing vertex, then
    /// rings left with fewer than three vertices (they enclose no pixel centre).
    fn clean(districts: &[MultiPolygon<f64>], topo: &mut Topology) -> Rings {
        let mut rings = Rings {
            points: Vec::new(),
            offsets: vec![0],
            district: Vec::new(),
        };
        for (d, multi) in districts.iter().enumerate() {
            for polygon in multi {
                for line in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                    let start = rings.points.len();
                    for c in line.coords() {
                        if !(c.x.is_finite() && c.y.is_finite()) {
                            topo.skipped_vertices += 1;
                            continue;
                        }
                        let p = [c.x + 0.0, c.y + 0.0];
                        if rings.points.len() > start && rings.points.last() == Some(&p) {
                            continue;
                        }
                        rings.points.push(p);
                    }
                    while rings.points.len() > start + 1
                        && rings.points.last() == Some(&rings.points[start])
                    {
                        rings.points.pop();
                    }
                    if rings.points.len() - start < 3 {
                        rings.points.truncate(start);
                        if !line.0.is_empty() {
                            topo.skipped_rings += 1;
                        }
                        continue;
                    }
                    rings.offsets.push(rings.points.len());
                    rings.district.push(d as u32);
                }
            }
        }
        rings
    }

    fn ring(&self, r: usize) -> &[[f64; 2]] {
        &self.points[self.offsets[r]..self.offsets[r + 1]]
    }

    /// Vertices reached with different neighbour pairs.
    ///
    /// Every vertex occurrence is listed with its two neighbours and the list sorted by vertex,
    /// so the occurrences of one vertex sit together and are compared with the first of them.
    /// A map from vertex to its first neighbour pair found the same set but, at 48 bytes an
    /// entry in a table sized for every vertex, took 103 MB for the US counties (a million
    /// vertices) and set the server's peak memory; the list takes 24 bytes a vertex.
    fn junctions(&self) -> std::collections::HashSet<Key, BuildHasherDefault<CoordHasher>> {
        // (vertex, previous vertex's index, next vertex's index) for every occurrence.
        let mut at: Vec<(Key, u32, u32)> = Vec::with_capacity(self.points.len());
        for r in 0..self.district.len() {
            let (start, end) = (self.offsets[r], self.offsets[r + 1]);
            let n = end - start;
            for i in 0..n {
                let prev = start + (i + n - 1) % n;
                let next = start + (i + 1) % n;
                at.push((key(self.points[start + i]), prev as u32, next as u32));
            }
        }
        at.sort_unstable_by_key(|&(k, _, _)| k);
        let pair = |prev: u32, next: u32| {
            let (a, b) = (
                key(self.points[prev as usize]),
                key(self.points[next as usize]),
            );
            if a <= b {
                (a, b)
            } else {
                (b, a)
            }
        };
        let mut junctions = std::collections::HashSet::default();
        for group in at.chunk_by(|a, b| a.0 == b.0) {
            let first = pair(group[0].1, group[0].2);
            if group[1..].iter().any(|&(_, p, n)| pair(p, n) != first) {
                junctions.insert(group[0].0);
            }
        }
        junctions
    }
}

/// A ring without junctions as one closed arc, started at its smallest vertex and turned the
/// way that makes its second vertex the smaller neighbour, so that the same ring met from the
/// other side (an island district and the hole around it) gives the same sequence.
fn closed_ring_arc(pts: &[[f64; 2]], seq: &mut Vec<[f64; 2]>) {
    let n = pts.len();
    let m = (1..n).fold(0, |m, i| if less(pts[i], pts[m]) { i } else { m });
    seq.clear();
    seq.extend_from_slice(&pts[m..]);
    seq.extend_from_slice(&pts[..m]);
    if less(seq[n - 1], seq[1]) {
        seq[1..].reverse();
    }
    seq.push(seq[0]);
}

/// An arc between junctions in its canonical direction: from the smaller end, or for a loop
/// through one junction, towards the smaller second vertex.
fn canonical_open(seq: &mut [[f64; 2]]) {
    let n = seq.len();
    let (first, last) = (seq[0], seq[n - 1]);
    let flip = if first == last {
        n > 2 && less(seq[n - 2], seq[1])
    } else {
        less(last, first)
    };
    if flip {
        seq.reverse();
    }
}

/// Finds an arc already stored with the same vertex sequence.
#[derive(Default)]
struct ArcRegistry {
    by_hash: FastMap<u64, u32>,
    /// Next arc with the same hash, `u32::MAX` at the end of the chain.
    chain: Vec<u32>,
}

impl ArcRegistry {
    fn register(&mut self, seq: &[[f64; 2]], district: u32, topo: &mut Topology) -> u32 {
        let mut h = CoordHasher::default();
        for &p in seq {
            let (x, y) = key(p);
            h.write_u64(x);
            h.write_u64(y);
        }
        let hash = h.finish();
        let head = self.by_hash.get(&hash).copied();
        let mut cursor = head.unwrap_or(u32::MAX);
        while cursor != u32::MAX {
            let a = cursor as usize;
            if topo.arc(a) == seq {
                if topo.owner[a] == district {
                    // The district uses the arc on both sides: a seam inside it, no border.
                    topo.border[a] = false;
                } else {
                    topo.border[a] = true;
                }
                return cursor;
            }
            cursor = self.chain[a];
        }
        let id = topo.owner.len() as u32;
        topo.points.extend_from_slice(seq);
        topo.offsets.push(topo.points.len() as u32);
        topo.owner.push(district);
        topo.border.push(true);
        self.chain.push(head.unwrap_or(u32::MAX));
        self.by_hash.insert(hash, id);
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{polygon, MultiPolygon};

    fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![
            polygon![(x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1), (x: x0, y: y0)],
        ])
    }

    #[test]
    fn two_neighbours_share_one_arc() {
        // Two unit squares side by side share the edge x = 1.
        let topo = Topology::build(&[square(0.0, 0.0, 1.0, 1.0), square(1.0, 0.0, 2.0, 1.0)]);
        // Junctions are (1,0) and (1,1): each square is cut into its outer part and the shared edge.
        assert_eq!(topo.arc_count(), 3);
        let a: Vec<_> = topo.district_arcs[..2].to_vec();
        let b: Vec<_> = topo.district_arcs[2..].to_vec();
        let shared: Vec<_> = a.iter().filter(|x| b.contains(x)).collect();
        assert_eq!(shared.len(), 1);
        let s = *shared[0] as usize;
        assert_eq!(topo.arc(s), &[[1.0, 0.0], [1.0, 1.0]]);
        assert_eq!(topo.owner[s], 0);
        assert!(topo.border.iter().all(|&b| b));
    }

    #[test]
    fn island_and_hole_share_one_closed_arc() {
        let outer = polygon![
            exterior: [(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0)],
            interiors: [[(x: 4.0, y: 4.0), (x: 4.0, y: 6.0), (x: 6.0, y: 6.0), (x: 6.0, y: 4.0)]],
        ];
        // The island is listed from another vertex and the other way round.
        let island =
            polygon![(x: 6.0, y: 6.0), (x: 4.0, y: 6.0), (x: 4.0, y: 4.0), (x: 6.0, y: 4.0)];
        let topo = Topology::build(&[MultiPolygon(vec![outer]), MultiPolygon(vec![island])]);
        assert_eq!(topo.arc_count(), 2);
        assert_eq!(topo.district_arcs, vec![0, 1, 1]);
        assert_eq!(topo.arc(1).first(), topo.arc(1).last());
        assert_eq!(topo.arc(1).len(), 5);
    }

    #[test]
    fn three_districts_meeting_at_a_point() {
        // Two squares below a rectangle whose bottom edge has the vertex (1, 1) where all three meet.
        let top = MultiPolygon(vec![
            polygon![(x: 0.0, y: 1.0), (x: 1.0, y: 1.0), (x: 2.0, y: 1.0), (x: 2.0, y: 2.0), (x: 0.0, y: 2.0)],
        ]);
        let topo = Topology::build(&[square(0.0, 0.0, 1.0, 1.0), square(1.0, 0.0, 2.0, 1.0), top]);
        // Shared arcs: x = 1 between 0 and 1; y = 1 for x in 0..1 (0 and 2) and 1..2 (1 and 2).
        let uses = topo.district_arcs.len();
        assert_eq!(uses - topo.arc_count(), 3);
        let shared_with_top: Vec<&[[f64; 2]]> = topo.district_arcs
            [topo.district_offsets[2] as usize..]
            .iter()
            .map(|&a| topo.arc(a as usize))
            .collect();
        assert!(shared_with_top.contains(&&[[0.0, 1.0], [1.0, 1.0]][..]));
        assert!(shared_with_top.contains(&&[[1.0, 1.0], [2.0, 1.0]][..]));
    }

    #[test]
    fn vertices_not_shared_give_separate_arcs() {
        // The rectangle's bottom edge lacks the vertex (1, 1): nothing to share there.
        let top = square(0.0, 1.0, 2.0, 2.0);
        let topo = Topology::build(&[square(0.0, 0.0, 1.0, 1.0), square(1.0, 0.0, 2.0, 1.0), top]);
        assert_eq!(topo.district_arcs.len() - topo.arc_count(), 1);
    }

    #[test]
    fn cleaning_skips_bad_vertices_and_degenerate_rings() {
        let bad = polygon![(x: 0.0, y: 0.0), (x: f64::NAN, y: 1.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 1.0, y: 1.0)];
        let line = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 0.0)];
        let topo = Topology::build(&[MultiPolygon(vec![bad]), MultiPolygon(vec![line])]);
        assert_eq!(topo.skipped_vertices, 1);
        assert_eq!(topo.skipped_rings, 1);
        assert_eq!(topo.arc_count(), 1);
        assert_eq!(topo.arc(0).len(), 4);
        assert_eq!(topo.district_offsets, vec![0, 1, 1]);
    }
}
