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
//! **Borders** are drawn as a coverage mask: stepping along the major axis of each segment,
//! a pixel's coverage is the overlap of its extent across the line with the line's
//! cross-section (a box filter across the line, as in Wu's anti-aliased lines, for any width),
//! quantised to [`COVERAGE_MAX`]` + 1` levels. Taking the maximum over segments draws every
//! pixel once, so joints and shared arcs do not darken.

use crate::tile::PixelFrame;

/// Full border coverage; coverage is stored in levels `0..=COVERAGE_MAX` (16 steps of
/// anti-aliasing, which keeps the palette of an indexed tile small).
pub(crate) const COVERAGE_MAX: u8 = 15;

/// Layout of a tile buffer: `size` rows of `size` pixels, each row preceded by one spare byte.
///
/// The spare byte is the PNG filter-type byte (0, no filter), so an 8-bit slot buffer is the
/// uncompressed PNG stream as it stands and the encoder needs no copy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Grid {
    pub size: usize,
    pub stride: usize,
}

impl Grid {
    pub fn new(size: usize) -> Grid {
        Grid {
            size,
            stride: size + 1,
        }
    }

    /// Buffer length.
    pub fn len(&self) -> usize {
        self.stride * self.size
    }

    /// Index of pixel `(i, j)`.
    #[inline(always)]
    pub fn index(&self, i: usize, j: usize) -> usize {
        j * self.stride + 1 + i
    }

    /// The pixels of row `j`.
    #[inline(always)]
    pub fn row(&self, j: usize) -> std::ops::Range<usize> {
        let start = j * self.stride + 1;
        start..start + self.size
    }
}

/// 1.5 · 2^52: adding it to a float in `(-2^51, 2^51)` gives a sum in `[2^52, 2^53)`, whose
/// mantissa holds the value rounded to an integer (offset by the constant's own bits).
const MAGIC: f64 = 6_755_399_441_055_744.0;

/// `x` rounded to the nearest integer (ties to even), for `|x| < 2^51`, without the checks of a
/// saturating `as` conversion.
#[inline(always)]
pub(crate) fn round_small(x: f64) -> i64 {
    ((x + MAGIC).to_bits() as i64).wrapping_sub(MAGIC.to_bits() as i64)
}

/// `a.min(b)` as one instruction (no NaN special case: `b` wins when either is NaN).
#[inline(always)]
pub(crate) fn fmin(a: f64, b: f64) -> f64 {
    if a < b {
        a
    } else {
        b
    }
}

/// `a.max(b)` as one instruction (no NaN special case: `b` wins when either is NaN).
#[inline(always)]
pub(crate) fn fmax(a: f64, b: f64) -> f64 {
    if a > b {
        a
    } else {
        b
    }
}

/// `ceil(x)` clamped to `0..=hi` (`hi` a whole number below 2^51), NaN giving 0.
///
/// Written out because `f64::ceil` is a libm call on x86-64 without SSE 4.1, and it sits in
/// the innermost loops.
#[inline(always)]
pub(crate) fn ceil_in(x: f64, hi: f64) -> usize {
    let x = fmin(fmax(x, 0.0), hi);
    let n = round_small(x);
    (n + i64::from((n as f64) < x)) as usize
}

/// `floor(x) + 1` clamped to `0..=hi`: the end of the index range whose centres `k` satisfy
/// `k <= x`.
#[inline(always)]
pub(crate) fn floor_after(x: f64, hi: f64) -> usize {
    // Below 0 (and NaN) the range ends at 0: floor(-1) + 1.
    let x = fmin(fmax(x, -1.0), hi - 1.0);
    let n = round_small(x);
    (n - i64::from((n as f64) > x) + 1) as usize
}

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
    /// Active edge count change per row, then the write cursor per row.
    delta: Vec<i32>,
    /// Row start offsets into `xs`.
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

    /// Adds the edge `a`-`b` (in tile pixels) to the district being filled.
    #[inline]
    pub fn add_edge(&mut self, a: [f64; 2], b: [f64; 2], size: f64) {
        if a[1] == b[1] {
            return;
        }
        // The top end first, whatever direction the ring runs: both neighbours see the same edge.
        let (t, u) = if a[1] < b[1] { (a, b) } else { (b, a) };
        let j0 = ceil_in(t[1] - 0.5, size);
        let j1 = ceil_in(u[1] - 0.5, size);
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

    /// Fills the district's spans into `buf` (laid out by `grid`) with `value`.
    #[inline]
    pub fn fill<T: Copy>(&mut self, buf: &mut [T], grid: Grid, value: T) {
        self.spans(grid.size, |j, i0, i1| {
            let start = grid.index(0, j);
            buf[start + i0..start + i1].fill(value);
        });
    }

    /// Calls `span(j, i0, i1)` for each run `i0..i1` (non-empty) of row `j` the district covers.
    pub fn spans(&mut self, size: usize, mut span: impl FnMut(usize, usize, usize)) {
        if self.edges.is_empty() {
            return;
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
        for j in jmin..jmax {
            self.delta[j] = self.start[j] as i32;
        }
        for e in &self.edges {
            for j in e.j0..e.j1 {
                let slot = &mut self.delta[j as usize];
                // Computed afresh per row (not accumulated), so the crossing depends only on the
                // edge and the global row, whichever tile asks.
                self.xs[*slot as usize] = e.x0 + (f64::from(j) + 0.5 - e.y0) * e.dxdy;
                *slot += 1;
            }
        }
        let w = size as f64;
        for j in jmin..jmax {
            let row_xs = &mut self.xs[self.start[j] as usize..self.start[j + 1] as usize];
            if row_xs.is_empty() {
                continue;
            }
            if row_xs.len() == 2 {
                if row_xs[1] < row_xs[0] {
                    row_xs.swap(0, 1);
                }
            } else {
                row_xs.sort_unstable_by(f64::total_cmp);
            }
            for pair in row_xs.chunks(2) {
                // An unpaired last crossing: the rest lies beyond the right edge.
                let b = pair.get(1).copied().unwrap_or(w);
                let i0 = ceil_in(pair[0] - 0.5, w);
                let i1 = ceil_in(b - 0.5, w);
                if i0 < i1 {
                    span(j, i0, i1);
                }
            }
        }
    }
}

/// Border geometry for one tile, in pixels.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pen {
    /// Line width, at least one pixel.
    width: f64,
    /// Coverage multiplier: lines thinner than a pixel are drawn 1 px wide and fainter.
    alpha: f64,
}

impl Pen {
    /// A pen `width` pixels wide (already multiplied by the tile scale), or `None` for width 0.
    pub fn new(width: f64) -> Option<Pen> {
        (width > 0.0).then(|| Pen {
            width: width.max(1.0),
            alpha: width.min(1.0),
        })
    }

    /// How far from a segment a pixel centre can still be coloured: the half width across a
    /// steep diagonal (`√2 · width / 2`), half a pixel, and the half-width run past the ends.
    pub fn margin(&self) -> f64 {
        self.width + 1.0
    }
}

/// Coverage mask of the borders of one tile: levels `0..=COVERAGE_MAX`, laid out like the
/// slot buffer (the spare bytes stay 0).
#[derive(Debug)]
pub(crate) struct Coverage {
    pub cov: Vec<u8>,
    grid: Grid,
    drawn: bool,
    /// Pixels visited while drawing (an upper bound of those covered), to choose how to
    /// compose them.
    pub visited: usize,
}

impl Coverage {
    pub fn new(grid: Grid) -> Coverage {
        Coverage {
            cov: vec![0; grid.len()],
            grid,
            drawn: false,
            visited: 0,
        }
    }

    /// Draws the polyline `pts` (mercator) through `frame`.
    pub fn polyline(&mut self, pts: &[[f64; 2]], frame: &PixelFrame, pen: Pen) {
        let Some(&first) = pts.first() else { return };
        let mut prev = frame.pixel(first);
        for &p in &pts[1..] {
            let cur = frame.pixel(p);
            self.segment(prev, cur, pen);
            prev = cur;
        }
    }

    /// Draws one segment, in tile pixels.
    pub fn segment(&mut self, p: [f64; 2], q: [f64; 2], pen: Pen) {
        let size = self.grid.size as f64;
        let r = pen.margin();
        if p[0].max(q[0]) + r <= 0.0
            || p[1].max(q[1]) + r <= 0.0
            || p[0].min(q[0]) - r >= size
            || p[1].min(q[1]) - r >= size
        {
            return;
        }
        let (dx, dy) = (q[0] - p[0], q[1] - p[1]);
        if dx == 0.0 && dy == 0.0 {
            return;
        }
        // Walk the major axis and cover the minor one.
        if dx.abs() >= dy.abs() {
            self.band::<true>([p[0], p[1]], [dx, dy], pen);
        } else {
            self.band::<false>([p[1], p[0]], [dy, dx], pen);
        }
    }

    /// [`Self::segment`] in axis-swapped coordinates: `p` and `d` are given as (major, minor);
    /// `X_MAJOR` says whether the major axis is x.
    ///
    /// Each pixel along the major axis is covered by the overlap of its extent on the minor
    /// axis with the line's cross-section there (`width / cos θ`): a box filter across the
    /// line, two or three pixels per step, no square roots. The line runs half its width past
    /// each end (at the end's height), which closes the joints of a polyline.
    #[inline(always)]
    fn band<const X_MAJOR: bool>(&mut self, p: [f64; 2], d: [f64; 2], pen: Pen) {
        let grid = self.grid;
        let size = grid.size as f64;
        let len = (d[0] * d[0] + d[1] * d[1]).sqrt();
        let half = pen.width * len / d[0].abs() / 2.0;
        let slope = d[1] / d[0];
        let (lo_a, hi_a) = (fmin(p[0], p[0] + d[0]), fmax(p[0], p[0] + d[0]));
        let levels = pen.alpha * f64::from(COVERAGE_MAX);
        let ext = pen.width / 2.0;
        let i_start = ceil_in(lo_a - ext - 0.5, size);
        let i_end = floor_after(hi_a + ext - 0.5, size);
        if i_start >= i_end {
            return;
        }
        self.drawn = true;
        let max = f64::from(COVERAGE_MAX);
        // Every step covers the same number of pixels (those the cross-section can meet), so
        // the inner loop has a fixed trip count and its branches are predictable; pixels it
        // does not meet get coverage 0, which leaves them unchanged.
        let span = ceil_in(2.0 * half, size) + 1;
        let rows = grid.size;
        self.visited += (i_end - i_start) * span;
        let mut ca = i_start as f64 + 0.5;
        for i in i_start..i_end {
            let centre = p[1] + (fmin(fmax(ca, lo_a), hi_a) - p[0]) * slope;
            ca += 1.0;
            let (top, bottom) = (centre - half, centre + half);
            // The first pixel [j, j + 1] meeting (top, bottom), possibly above the tile.
            let first = round_small(top);
            let first = first - i64::from((first as f64) > top);
            let mut jf = first as f64;
            for j in first..first + span as i64 {
                let overlap = fmin(bottom, jf + 1.0) - fmax(top, jf);
                jf += 1.0;
                if j < 0 || j >= rows as i64 {
                    continue;
                }
                let j = j as usize;
                // Clamped as floats (minsd/maxsd): integer clamps here compiled to branches
                // that mispredicted on every other pixel.
                let c = round_small(fmin(fmax(overlap * levels, 0.0), max)) as u8;
                let idx = if X_MAJOR {
                    grid.index(i, j)
                } else {
                    grid.index(j, i)
                };
                let old = self.cov[idx];
                self.cov[idx] = if c > old { c } else { old };
            }
        }
    }

    /// Whether any pixel got some coverage.
    pub fn is_empty(&self) -> bool {
        !self.drawn || self.cov.iter().all(|&c| c == 0)
    }

    /// Calls `f(index, level)` for every pixel with coverage, in buffer order, reading eight
    /// bytes at a time (most of a tile has none) and visiting only the covered bytes.
    #[inline]
    pub fn for_each_covered(&self, mut f: impl FnMut(usize, u8)) {
        const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
        let mut words = self.cov.chunks_exact(8);
        let mut base = 0;
        for w in &mut words {
            let x = u64::from_le_bytes(w.try_into().unwrap_or_default());
            if x != 0 {
                // High bit of each non-zero byte.
                let mut nonzero = (((x & LOW7) + LOW7) | x) & !LOW7;
                while nonzero != 0 {
                    let k = (nonzero.trailing_zeros() / 8) as usize;
                    f(base + k, w[k]);
                    nonzero &= nonzero - 1;
                }
            }
            base += 8;
        }
        for (k, &c) in words.remainder().iter().enumerate() {
            if c != 0 {
                f(base + k, c);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill_poly(buf: &mut [u8], grid: Grid, rings: &[&[[f64; 2]]], value: u8) {
        let mut s = FillScratch::new(grid.size);
        s.begin();
        for ring in rings {
            for k in 0..ring.len() {
                s.add_edge(ring[k], ring[(k + 1) % ring.len()], grid.size as f64);
            }
        }
        s.fill(buf, grid, value);
    }

    /// Pixel values row by row, without the spare bytes.
    fn pixels(buf: &[u8], grid: Grid) -> Vec<u8> {
        (0..grid.size)
            .flat_map(|j| buf[grid.row(j)].to_vec())
            .collect()
    }

    #[test]
    fn rounding_helpers_match_ceil_and_floor() {
        for x in [
            -3.5,
            -1.0,
            -0.2,
            -0.0,
            0.0,
            0.3,
            1.0,
            1.5,
            2.0,
            7.99,
            8.0,
            8.2,
            1e300,
            f64::NAN,
        ] {
            let want_ceil = if x.is_nan() {
                0.0
            } else {
                x.ceil().clamp(0.0, 8.0)
            };
            assert_eq!(ceil_in(x, 8.0) as f64, want_ceil, "ceil {x}");
            let want_floor = if x.is_nan() {
                0.0
            } else {
                (x.floor() + 1.0).clamp(0.0, 8.0)
            };
            assert_eq!(floor_after(x, 8.0) as f64, want_floor, "floor {x}");
        }
    }

    #[test]
    fn square_covers_the_pixel_centres_inside() {
        let grid = Grid::new(16);
        let mut buf = vec![0u8; grid.len()];
        // Centres 2.5..=5.5 lie in [2.2, 6.1): columns 2..=5; rows likewise 3..=7 for [3.0, 8.0).
        fill_poly(
            &mut buf,
            grid,
            &[&[[2.2, 3.0], [6.1, 3.0], [6.1, 8.0], [2.2, 8.0]]],
            7,
        );
        for j in 0..16 {
            // The spare byte stays 0.
            assert_eq!(buf[j * grid.stride], 0);
            for i in 0..16 {
                let inside = (2..=5).contains(&i) && (3..=7).contains(&j);
                assert_eq!(buf[grid.index(i, j)] == 7, inside, "pixel {i},{j}");
            }
        }
    }

    #[test]
    fn shared_diagonal_splits_pixels_exactly_once() {
        // A square cut along an irrational-ish diagonal into two triangles, wound oppositely.
        let grid = Grid::new(64);
        let (a, b, c, d) = ([3.3, 2.7], [60.1, 5.9], [58.6, 61.2], [1.9, 57.4]);
        let mut one = vec![0u8; grid.len()];
        let mut two = vec![0u8; grid.len()];
        let mut whole = vec![0u8; grid.len()];
        fill_poly(&mut one, grid, &[&[a, b, c]], 1);
        fill_poly(&mut two, grid, &[&[a, d, c]], 1);
        fill_poly(&mut whole, grid, &[&[a, b, c, d]], 1);
        for k in 0..grid.len() {
            assert!(one[k] + two[k] <= 1, "overlap at {k}");
            assert_eq!(one[k] + two[k], whole[k], "gap or extra pixel at {k}");
        }
        assert!(one.iter().filter(|&&v| v == 1).count() > 1000);
    }

    #[test]
    fn hole_is_left_open_whatever_its_orientation() {
        let grid = Grid::new(32);
        let outer = [[1.0, 1.0], [31.0, 1.0], [31.0, 31.0], [1.0, 31.0]];
        for hole in [
            [[10.0, 10.0], [20.0, 10.0], [20.0, 20.0], [10.0, 20.0]],
            [[10.0, 10.0], [10.0, 20.0], [20.0, 20.0], [20.0, 10.0]],
        ] {
            let mut buf = vec![0u8; grid.len()];
            fill_poly(&mut buf, grid, &[&outer, &hole], 3);
            assert_eq!(buf[grid.index(15, 15)], 0);
            assert_eq!(buf[grid.index(5, 5)], 3);
            assert_eq!(buf.iter().filter(|&&v| v == 3).count(), 30 * 30 - 10 * 10);
        }
    }

    #[test]
    fn polygon_reaching_beyond_every_side_fills_the_tile() {
        let grid = Grid::new(8);
        let mut buf = vec![0u8; grid.len()];
        fill_poly(
            &mut buf,
            grid,
            &[&[
                [-100.0, -50.0],
                [300.0, -40.0],
                [250.0, 200.0],
                [-80.0, 190.0],
            ]],
            9,
        );
        assert!(pixels(&buf, grid).iter().all(|&v| v == 9));
        // Cut by the right edge only: the unpaired crossing runs to the edge.
        let mut buf = vec![0u8; grid.len()];
        fill_poly(
            &mut buf,
            grid,
            &[&[[4.0, -1.0], [50.0, -1.0], [50.0, 9.0], [4.0, 9.0]]],
            9,
        );
        for j in 0..8 {
            assert_eq!(&buf[grid.row(j)], &[0, 0, 0, 0, 9, 9, 9, 9]);
        }
    }

    #[test]
    fn border_coverage_of_a_horizontal_line() {
        let grid = Grid::new(8);
        let mut cov = Coverage::new(grid);
        let pen = Pen::new(1.0).unwrap();
        let full = COVERAGE_MAX;
        // On the centre line of row 3: full there, nothing on rows 2 and 4.
        cov.segment([-5.0, 3.5], [20.0, 3.5], pen);
        for i in 0..8 {
            assert_eq!(cov.cov[grid.index(i, 3)], full);
            assert_eq!(cov.cov[grid.index(i, 2)], 0);
            assert_eq!(cov.cov[grid.index(i, 4)], 0);
        }
        // On the boundary between rows 5 and 6: half each (7.5 levels round to 8).
        let mut cov = Coverage::new(grid);
        cov.segment([-5.0, 6.0], [20.0, 6.0], pen);
        assert_eq!(cov.cov[grid.index(2, 5)], 8);
        assert_eq!(cov.cov[grid.index(2, 6)], 8);
        let count = |cov: &Coverage| {
            let mut n = 0;
            cov.for_each_covered(|_, _| n += 1);
            n
        };
        assert_eq!(count(&cov), 16);
        // Drawing the same line again changes nothing.
        let before = cov.cov.clone();
        cov.segment([20.0, 6.0], [-5.0, 6.0], pen);
        assert_eq!(cov.cov, before);
        assert!(!cov.is_empty() && Coverage::new(grid).is_empty());
        // A half-pixel line is one pixel wide at half strength.
        let mut cov = Coverage::new(grid);
        cov.segment([-5.0, 3.5], [20.0, 3.5], Pen::new(0.5).unwrap());
        assert_eq!(cov.cov[grid.index(4, 3)], 8);
    }

    #[test]
    fn steep_and_diagonal_lines_cover_a_band_one_pixel_wide() {
        let grid = Grid::new(64);
        let size = 64.0;
        let pen = Pen::new(1.0).unwrap();
        for (p, q) in [
            ([10.0, -3.0], [14.0, 70.0]),
            ([-3.0, -1.0], [70.0, 66.0]),
            ([60.0, 2.0], [3.0, 61.0]),
        ] {
            let mut cov = Coverage::new(grid);
            cov.segment(p, q, pen);
            // Sum of coverage per unit of length stays close to the width (1 px).
            let sum: f64 = cov
                .cov
                .iter()
                .map(|&c| f64::from(c) / f64::from(COVERAGE_MAX))
                .sum();
            let inside_len = {
                let (dx, dy) = (q[0] - p[0], q[1] - p[1]);
                let len = (dx * dx + dy * dy).sqrt();
                let steps = 10_000;
                (0..steps)
                    .filter(|&s| {
                        let t = (s as f64 + 0.5) / steps as f64;
                        let (x, y) = (p[0] + t * dx, p[1] + t * dy);
                        (0.0..size).contains(&x) && (0.0..size).contains(&y)
                    })
                    .count() as f64
                    / steps as f64
                    * len
            };
            assert!(
                (sum / inside_len - 1.0).abs() < 0.08,
                "{p:?}-{q:?}: {sum} over {inside_len}"
            );
            // The spare bytes are never written.
            assert!((0..64).all(|j| cov.cov[j * grid.stride] == 0));
        }
    }
}
