//! The two rasterisers: an exact scanline fill of palette slots and an anti-aliased coverage
//! mask for borders.
//!
//! **Fill rule.** Pixel `(i, j)` belongs to a district when its centre `(i + 0.5, j + 0.5)` is
//! inside by the even-odd rule, with a crossing counted on the half-open interval
//! `[top, bottom)` of each edge and a span covering centres in `[x_left, x_right)`.
//! Both districts of a shared edge compute its crossings from the same two end points in the
//! same order (top end first), so each pixel centre goes to exactly one of them: no gaps, no
//! overlaps, no blended seams. Fills are not anti-aliased, so every filled pixel carries exactly
//! its district's colour.
//!
//! **Borders** are drawn as a coverage mask: the coverage of a pixel is
//! `clamp(width / 2 + 0.5 - d, 0, 1)`, `d` being the distance from its centre to the nearest
//! border segment (a box-filtered line with round caps and joins). Taking the maximum over
//! segments draws every pixel once, so joints and shared arcs do not darken.

use crate::tile::PixelFrame;

/// One edge clipped to the tile's rows.
#[derive(Debug, Clone, Copy)]
struct Edge {
    j0: u32,
    j1: u32,
    x0: f64,
    y0: f64,
    dxdy: f64,
}

/// Buffers reused between the districts of one tile.
#[derive(Debug, Default)]
pub(crate) struct FillScratch {
    edges: Vec<Edge>,
    /// Active edge count change per row, then row start offsets into `xs`.
    delta: Vec<i32>,
    start: Vec<u32>,
    xs: Vec<f64>,
}

impl FillScratch {
    pub fn new(size: usize) -> FillScratch {
        FillScratch {
            edges: Vec::new(),
            delta: vec![0; size + 1],
            start: vec![0; size + 1],
            xs: Vec::new(),
        }
    }

    pub fn begin(&mut self) {
        self.edges.clear();
    }

    /// Adds the polyline `pts` (already in tile pixels) to the district being filled.
    #[inline]
    pub fn add_edge(&mut self, a: [f64; 2], b: [f64; 2], size: f64) {
        if a[1] == b[1] {
            return;
        }
        // The top end first, whatever direction the ring runs: both neighbours see the same edge.
        let (t, u) = if a[1] < b[1] { (a, b) } else { (b, a) };
        let j0 = (t[1] - 0.5).ceil().max(0.0);
        let j1 = (u[1] - 0.5).ceil().min(size);
        if j0 >= j1 || t[0].min(u[0]) >= size {
            // No row centre in range, or wholly right of the tile: crossings there change the
            // parity only to the right of every pixel.
            return;
        }
        let edge = if t[0].max(u[0]) < 0.0 {
            // Wholly left of the tile: only the parity matters.
            Edge {
                j0: j0 as u32,
                j1: j1 as u32,
                x0: -1.0,
                y0: 0.0,
                dxdy: 0.0,
            }
        } else {
            Edge {
                j0: j0 as u32,
                j1: j1 as u32,
                x0: t[0],
                y0: t[1],
                dxdy: (u[0] - t[0]) / (u[1] - t[1]),
            }
        };
        self.edges.push(edge);
    }

    /// Fills the district's spans into `buf` (row-major, `size` × `size`) with `value`;
    /// returns whether any pixel was written.
    pub fn fill<T: Copy>(&mut self, buf: &mut [T], size: usize, value: T) -> bool {
        if self.edges.is_empty() {
            return false;
        }
        let (mut jmin, mut jmax) = (u32::MAX, 0u32);
        for e in &self.edges {
            jmin = jmin.min(e.j0);
            jmax = jmax.max(e.j1);
        }
        let (jmin, jmax) = (jmin as usize, jmax as usize);
        self.delta[jmin..=jmax].fill(0);
        for e in &self.edges {
            self.delta[e.j0 as usize] += 1;
            self.delta[e.j1 as usize] -= 1;
        }
        // start[j] = first slot of row j in xs; start[jmax] = total.
        let mut active = 0i32;
        let mut total = 0u32;
        for j in jmin..=jmax {
            self.start[j] = total;
            active += self.delta[j];
            total += active.max(0) as u32;
        }
        self.xs.clear();
        self.xs.resize(total as usize, 0.0);
        // delta is reused as the write cursor per row.
        for j in jmin..jmax {
            self.delta[j] = self.start[j] as i32;
        }
        for e in &self.edges {
            for j in e.j0..e.j1 {
                let slot = &mut self.delta[j as usize];
                self.xs[*slot as usize] = e.x0 + (f64::from(j) + 0.5 - e.y0) * e.dxdy;
                *slot += 1;
            }
        }
        let w = size as f64;
        let mut wrote = false;
        for j in jmin..jmax {
            let row_xs = &mut self.xs[self.start[j] as usize..self.start[j + 1] as usize];
            if row_xs.is_empty() {
                continue;
            }
            row_xs.sort_unstable_by(f64::total_cmp);
            let row = &mut buf[j * size..(j + 1) * size];
            let mut pairs = row_xs.chunks(2);
            for pair in &mut pairs {
                let a = pair[0];
                // An unpaired last crossing: the rest lies beyond the right edge.
                let b = pair.get(1).copied().unwrap_or(w);
                let i0 = (a - 0.5).ceil().clamp(0.0, w) as usize;
                let i1 = (b - 0.5).ceil().clamp(0.0, w) as usize;
                if i0 < i1 {
                    row[i0..i1].fill(value);
                    wrote = true;
                }
            }
        }
        wrote
    }
}

/// Border geometry for one tile: line radius and opacity in pixels.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pen {
    /// Distance from the line's centre at which coverage reaches zero (`width / 2 + 0.5`).
    reach: f64,
    /// Coverage multiplier: lines thinner than a pixel are drawn 1 px wide and fainter.
    alpha: f64,
}

impl Pen {
    /// A pen `width` pixels wide (already multiplied by the tile scale), or `None` for width 0.
    pub fn new(width: f64) -> Option<Pen> {
        (width > 0.0).then(|| Pen {
            reach: width.max(1.0) / 2.0 + 0.5,
            alpha: width.min(1.0),
        })
    }

    /// How far outside the tile a segment can still colour a pixel of it.
    pub fn margin(&self) -> f64 {
        self.reach + 1.0
    }
}

/// Coverage mask of the borders of one tile, with the list of pixels it touched.
#[derive(Debug)]
pub(crate) struct Coverage {
    pub cov: Vec<u8>,
    pub touched: Vec<u32>,
    size: usize,
}

impl Coverage {
    pub fn new(size: usize) -> Coverage {
        Coverage {
            cov: vec![0; size * size],
            touched: Vec::new(),
            size,
        }
    }

    /// Draws the polyline `pts` (mercator) through `frame`.
    pub fn polyline(&mut self, pts: &[[f64; 2]], frame: &PixelFrame, pen: Pen) {
        let Some(&first) = pts.first() else { return };
        let mut prev = frame.to_px(first);
        for &p in &pts[1..] {
            let cur = frame.to_px(p);
            self.segment(prev, cur, pen);
            prev = cur;
        }
    }

    /// Draws one segment, in tile pixels.
    pub fn segment(&mut self, p: [f64; 2], q: [f64; 2], pen: Pen) {
        let size = self.size as f64;
        let r = pen.reach;
        let (minx, maxx) = (p[0].min(q[0]) - r, p[0].max(q[0]) + r);
        let (miny, maxy) = (p[1].min(q[1]) - r, p[1].max(q[1]) + r);
        if maxx <= 0.0 || maxy <= 0.0 || minx >= size || miny >= size {
            return;
        }
        let (dx, dy) = (q[0] - p[0], q[1] - p[1]);
        let len2 = dx * dx + dy * dy;
        if len2 == 0.0 {
            return;
        }
        let inv_len2 = 1.0 / len2;
        let x_major = dx.abs() >= dy.abs();
        // Walk the major axis; along the minor one the band is `reach / cos` wide.
        let (a0, a1, da, db, pa, pb) = if x_major {
            (minx, maxx, dx, dy, p[0], p[1])
        } else {
            (miny, maxy, dy, dx, p[1], p[0])
        };
        let half = r * len2.sqrt() / da.abs();
        let slope = db / da;
        let (lo_a, hi_a) = (pa.min(pa + da), pa.max(pa + da));
        let i_start = (a0 - 0.5).ceil().max(0.0) as usize;
        let i_end = ((a1 - 0.5).floor() + 1.0).clamp(0.0, size) as usize;
        for i in i_start..i_end {
            let ca = i as f64 + 0.5;
            let line_b = pb + (ca.clamp(lo_a, hi_a) - pa) * slope;
            let j_start = (line_b - half - 0.5).ceil().max(0.0) as usize;
            let j_end = ((line_b + half - 0.5).floor() + 1.0).clamp(0.0, size) as usize;
            for j in j_start..j_end {
                let cb = j as f64 + 0.5;
                let (cx, cy) = if x_major { (ca, cb) } else { (cb, ca) };
                let t = (((cx - p[0]) * dx + (cy - p[1]) * dy) * inv_len2).clamp(0.0, 1.0);
                let (ex, ey) = (p[0] + t * dx - cx, p[1] + t * dy - cy);
                let d = (ex * ex + ey * ey).sqrt();
                let c = ((r - d).min(1.0) * pen.alpha * 255.0 + 0.5) as i32;
                if c <= 0 {
                    continue;
                }
                let idx = if x_major {
                    j * self.size + i
                } else {
                    i * self.size + j
                };
                let old = self.cov[idx];
                if c as u8 > old {
                    if old == 0 {
                        self.touched.push(idx as u32);
                    }
                    self.cov[idx] = c.min(255) as u8;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill_poly(buf: &mut [u8], size: usize, rings: &[&[[f64; 2]]], value: u8) {
        let mut s = FillScratch::new(size);
        s.begin();
        for ring in rings {
            for k in 0..ring.len() {
                s.add_edge(ring[k], ring[(k + 1) % ring.len()], size as f64);
            }
        }
        s.fill(buf, size, value);
    }

    #[test]
    fn square_covers_the_pixel_centres_inside() {
        let mut buf = vec![0u8; 16 * 16];
        // Centres 2.5..=5.5 lie in [2.2, 6.1): columns 2..=5; rows likewise 3..=7 for [3.0, 8.0).
        fill_poly(
            &mut buf,
            16,
            &[&[[2.2, 3.0], [6.1, 3.0], [6.1, 8.0], [2.2, 8.0]]],
            7,
        );
        for j in 0..16 {
            for i in 0..16 {
                let inside = (2..=5).contains(&i) && (3..=7).contains(&j);
                assert_eq!(buf[j * 16 + i] == 7, inside, "pixel {i},{j}");
            }
        }
    }

    #[test]
    fn shared_diagonal_splits_pixels_exactly_once() {
        // A square cut along an irrational-ish diagonal into two triangles, wound oppositely.
        let size = 64;
        let (a, b, c, d) = ([3.3, 2.7], [60.1, 5.9], [58.6, 61.2], [1.9, 57.4]);
        let mut one = vec![0u8; size * size];
        let mut two = vec![0u8; size * size];
        let mut whole = vec![0u8; size * size];
        fill_poly(&mut one, size, &[&[a, b, c]], 1);
        fill_poly(&mut two, size, &[&[a, d, c]], 1);
        fill_poly(&mut whole, size, &[&[a, b, c, d]], 1);
        for k in 0..size * size {
            assert!(one[k] + two[k] <= 1, "overlap at {k}");
            assert_eq!(one[k] + two[k], whole[k], "gap or extra pixel at {k}");
        }
        assert!(one.iter().filter(|&&v| v == 1).count() > 1000);
    }

    #[test]
    fn hole_is_left_open_whatever_its_orientation() {
        let size = 32;
        let outer = [[1.0, 1.0], [31.0, 1.0], [31.0, 31.0], [1.0, 31.0]];
        for hole in [
            [[10.0, 10.0], [20.0, 10.0], [20.0, 20.0], [10.0, 20.0]],
            [[10.0, 10.0], [10.0, 20.0], [20.0, 20.0], [20.0, 10.0]],
        ] {
            let mut buf = vec![0u8; size * size];
            fill_poly(&mut buf, size, &[&outer, &hole], 3);
            assert_eq!(buf[15 * size + 15], 0);
            assert_eq!(buf[5 * size + 5], 3);
            assert_eq!(buf.iter().filter(|&&v| v == 3).count(), 30 * 30 - 10 * 10);
        }
    }

    #[test]
    fn polygon_reaching_beyond_every_side_fills_the_tile() {
        let size = 8;
        let mut buf = vec![0u8; size * size];
        fill_poly(
            &mut buf,
            size,
            &[&[
                [-100.0, -50.0],
                [300.0, -40.0],
                [250.0, 200.0],
                [-80.0, 190.0],
            ]],
            9,
        );
        assert!(buf.iter().all(|&v| v == 9));
        // Cut by the right edge only: the unpaired crossing runs to the edge.
        let mut buf = vec![0u8; size * size];
        fill_poly(
            &mut buf,
            size,
            &[&[[4.0, -1.0], [50.0, -1.0], [50.0, 9.0], [4.0, 9.0]]],
            9,
        );
        for j in 0..size {
            assert_eq!(&buf[j * size..j * size + 4], &[0, 0, 0, 0]);
            assert_eq!(&buf[j * size + 4..(j + 1) * size], &[9, 9, 9, 9]);
        }
    }

    #[test]
    fn border_coverage_of_a_horizontal_line() {
        let mut cov = Coverage::new(8);
        let pen = Pen::new(1.0).unwrap();
        // On the centre line of row 3: full there, nothing on rows 2 and 4.
        cov.segment([-5.0, 3.5], [20.0, 3.5], pen);
        for i in 0..8 {
            assert_eq!(cov.cov[3 * 8 + i], 255);
            assert_eq!(cov.cov[2 * 8 + i], 0);
            assert_eq!(cov.cov[4 * 8 + i], 0);
        }
        // On the boundary between rows 5 and 6: half each.
        let mut cov = Coverage::new(8);
        cov.segment([-5.0, 6.0], [20.0, 6.0], pen);
        assert_eq!(cov.cov[5 * 8 + 2], 128);
        assert_eq!(cov.cov[6 * 8 + 2], 128);
        assert_eq!(cov.touched.len(), 16);
        // Drawing the same line again touches nothing new.
        cov.segment([20.0, 6.0], [-5.0, 6.0], pen);
        assert_eq!(cov.touched.len(), 16);
    }

    #[test]
    fn steep_and_diagonal_lines_cover_a_band_one_pixel_wide() {
        let size = 64;
        let pen = Pen::new(1.0).unwrap();
        for (p, q) in [
            ([10.0, -3.0], [14.0, 70.0]),
            ([-3.0, -1.0], [70.0, 66.0]),
            ([60.0, 2.0], [3.0, 61.0]),
        ] {
            let mut cov = Coverage::new(size);
            cov.segment(p, q, pen);
            // Sum of coverage per unit of length stays close to the width (1 px).
            let sum: f64 = cov.cov.iter().map(|&c| f64::from(c) / 255.0).sum();
            let inside_len = {
                let (dx, dy) = (q[0] - p[0], q[1] - p[1]);
                let len = (dx * dx + dy * dy).sqrt();
                let steps = 10_000;
                (0..steps)
                    .filter(|&s| {
                        let t = (s as f64 + 0.5) / steps as f64;
                        let (x, y) = (p[0] + t * dx, p[1] + t * dy);
                        (0.0..size as f64).contains(&x) && (0.0..size as f64).contains(&y)
                    })
                    .count() as f64
                    / steps as f64
                    * len
            };
            assert!(
                (sum / inside_len - 1.0).abs() < 0.08,
                "{p:?}-{q:?}: {sum} over {inside_len}"
            );
        }
    }
}
