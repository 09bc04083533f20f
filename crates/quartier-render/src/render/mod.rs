//! [`render_tile`]: one choropleth tile as PNG bytes.
//!
//! The steps, all in one thread and without I/O:
//! 1. find the districts whose bounding box meets the tile (R-tree), pick the geometry
//!    simplified for the zoom;
//! 2. give each distinct fill colour a palette slot and scan-convert every district into a
//!    one-byte-per-pixel slot buffer (exact colours, no anti-aliasing);
//! 3. draw the borders once each (every shared arc by its lower-numbered district) into an
//!    anti-aliased coverage mask;
//! 4. turn the pixels under the border into extra palette entries (fill colour × 16 levels of
//!    border coverage) and encode an indexed PNG, or RGBA (with the same 16 levels) when more
//!    than 256 colours are needed.

use crate::encode::{empty_tile_png, encode_indexed, encode_rgba, solid_tile_png};
use crate::error::RenderError;
use crate::layer::TileLayer;
use crate::raster::{Coverage, FillScratch, Grid, Pen, COVERAGE_MAX};
use crate::simplify::Level;
use crate::style::{blend_over, TileStyle};
use crate::tile::{PixelFrame, TileCoord, MERCATOR_HALF_EXTENT, TILE_SIZE};
use crate::topology::FastMap;

/// Renders `tile` of `layer` in `style` as a PNG, 256 px square at `scale` 1 or 512 px at 2.
///
/// District interiors carry exactly their fill colour, borders are anti-aliased lines
/// `style.border_width × scale` pixels wide drawn on top, and pixels outside every district
/// are fully transparent. The pixel grid is the global one of the zoom level, so neighbouring
/// tiles join without seams, and tile `z@2x` equals the four tiles `z+1` below it put
/// together (up to the border width, which is in CSS pixels). A tile that no district touches
/// is [`empty_tile_png`].
///
/// # Errors
/// [`RenderError::UnsupportedScale`] for a scale other than 1 or 2,
/// [`RenderError::InvalidTile`] for a tile that does not exist at its zoom,
/// [`RenderError::FillCountMismatch`] and [`RenderError::InvalidBorderWidth`] for a style that
/// does not fit the layer.
pub fn render_tile(
    layer: &TileLayer,
    style: &TileStyle,
    tile: TileCoord,
    scale: u8,
) -> Result<Vec<u8>, RenderError> {
    let setup = Setup::new(layer, style, tile, scale)?;
    match setup.one_colour(layer, style) {
        Some(png) => Ok(png),
        None => Ok(draw(setup, layer, style)),
    }
}

/// Draws a tile pixel by pixel: fills, borders, palette, encoding.
fn draw(setup: Setup, layer: &TileLayer, style: &TileStyle) -> Vec<u8> {
    let Setup {
        frame,
        pen,
        candidates,
        size,
        tile,
        scale,
        ..
    } = setup;

    let FillSlots {
        colours: slots,
        of_candidate: district_slot,
    } = FillSlots::of(&candidates, style);

    let tile_job = TileJob {
        layer,
        level: layer.level(tile.z, scale),
        frame,
        candidates: &candidates,
        pen,
    };
    let grid = Grid::new(frame.size);
    if slots.len() <= 256 {
        let mut buf = vec![0u8; grid.len()];
        tile_job.fill(&mut buf, grid, &district_slot);
        let cov = tile_job.borders(grid);
        finish_indexed(buf, grid, &slots, cov.as_ref(), style.border, scale)
    } else {
        // More than 256 colours (a colour per district, say): a slot per pixel in 32 bits, as
        // a tile may show more districts than 16 bits count.
        let mut buf = vec![0u32; grid.len()];
        tile_job.fill(&mut buf, grid, &district_slot);
        let cov = tile_job.borders(grid);
        let palette = Palette {
            colours: &slots,
            border: style.border,
        };
        encode_rgba(&palette.to_rgba(&buf, grid, cov.as_ref(), 0), size)
    }
}

/// The tile as one PNG when it is a single colour, without drawing it: when no district
/// edge crosses it and no border comes within reach, every pixel lies inside the same districts,
/// and the tile is that colour (transparent outside them all).
///
/// `Ok(None)` means the tile has to be drawn with [`render_tile`]. The test costs an R-tree
/// lookup and a bounding-box check per candidate arc, plus a point-in-polygon test at the tile's
/// centre against the few candidates when none is near, so a server can run it on its async
/// threads and send only the tiles that need drawing to a thread pool. Most tiles of a city
/// zoomed in, or of a large district, are one colour. The bytes are those [`render_tile`] gives.
///
/// # Errors
/// As [`render_tile`].
pub fn render_one_colour_tile(
    layer: &TileLayer,
    style: &TileStyle,
    tile: TileCoord,
    scale: u8,
) -> Result<Option<Vec<u8>>, RenderError> {
    Ok(Setup::new(layer, style, tile, scale)?.one_colour(layer, style))
}

/// What every tile needs before drawing: checked inputs, the pixel frame, the pen and the
/// districts whose box comes within the pen's reach.
pub(crate) struct Setup {
    frame: PixelFrame,
    pen: Option<Pen>,
    pub(crate) margin: f64,
    pub(crate) candidates: Vec<u32>,
    pub(crate) size: u32,
    tile: TileCoord,
    pub(crate) scale: u8,
}

/// The tile's side in pixels, or why the scale or the tile is refused.
fn check_scale_and_tile(tile: TileCoord, scale: u8) -> Result<u32, RenderError> {
    let size = match scale {
        1 | 2 => TILE_SIZE * u32::from(scale),
        _ => return Err(RenderError::UnsupportedScale { scale }),
    };
    if !tile.is_valid() {
        return Err(RenderError::InvalidTile {
            z: tile.z,
            x: tile.x,
            y: tile.y,
            max_zoom: TileCoord::MAX_ZOOM,
        });
    }
    Ok(size)
}

/// The border width `style` draws with: its width, or 0 when the border colour is transparent
/// (then no border is drawn and tiles are set up as without one).
#[must_use]
pub fn drawn_border_width(style: &TileStyle) -> f32 {
    if style.border[3] > 0 {
        style.border_width
    } else {
        0.0
    }
}

impl Setup {
    fn new(
        layer: &TileLayer,
        style: &TileStyle,
        tile: TileCoord,
        scale: u8,
    ) -> Result<Setup, RenderError> {
        check_scale_and_tile(tile, scale)?;
        style.check(layer.len())?;
        Setup::with_width(layer, tile, scale, drawn_border_width(style))
    }

    /// The setup for borders `border_width` CSS pixels wide (0: none), without a style: what
    /// [`crate::DistrictRaster`] shares with every style whose [`drawn_border_width`] it is.
    pub(crate) fn with_width(
        layer: &TileLayer,
        tile: TileCoord,
        scale: u8,
        border_width: f32,
    ) -> Result<Setup, RenderError> {
        let size = check_scale_and_tile(tile, scale)?;
        let frame = PixelFrame::new(tile, size);
        let pen = Pen::new(f64::from(border_width) * f64::from(scale));
        let margin = pen.map_or(1.0, |p| p.margin());
        let mut candidates = Vec::new();
        layer.districts_in(frame.mercator_box(margin), &mut candidates);
        Ok(Setup {
            frame,
            pen,
            margin,
            candidates,
            size,
            tile,
            scale,
        })
    }

    pub(crate) fn job<'a>(&'a self, layer: &'a TileLayer) -> TileJob<'a> {
        TileJob {
            layer,
            level: layer.level(self.tile.z, self.scale),
            frame: self.frame,
            candidates: &self.candidates,
            pen: self.pen,
        }
    }

    /// The PNG of a one-colour tile (see [`render_one_colour_tile`]), `None` when it needs
    /// drawing.
    fn one_colour(&self, layer: &TileLayer, style: &TileStyle) -> Option<Vec<u8>> {
        if self.candidates.is_empty() {
            return Some(empty_tile_png(self.scale).to_vec());
        }
        let fill = self.job(layer).one_colour(style, self.margin)?;
        Some(solid_tile_png(fill, self.scale))
    }
}

/// Whether the segment `a`–`b` touches the square `[lo, hi]²` (Liang–Barsky clipping; touching
/// the boundary counts).
fn segment_meets_square(a: [f64; 2], b: [f64; 2], lo: f64, hi: f64) -> bool {
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for axis in 0..2 {
        let d = b[axis] - a[axis];
        for (p, q) in [(-d, a[axis] - lo), (d, hi - a[axis])] {
            if p == 0.0 {
                if q < 0.0 {
                    return false;
                }
            } else {
                let r = q / p;
                if p < 0.0 {
                    t0 = t0.max(r);
                } else {
                    t1 = t1.min(r);
                }
            }
        }
    }
    t0 <= t1
}

/// A pixel buffer element that holds a palette slot.
trait Slot: Copy {
    fn from_slot(slot: u32) -> Self;
    fn slot(self) -> usize;
}

impl Slot for u8 {
    #[inline]
    fn from_slot(slot: u32) -> u8 {
        // Only used when there are at most 256 slots.
        slot as u8
    }
    #[inline]
    fn slot(self) -> usize {
        usize::from(self)
    }
}

impl Slot for u32 {
    #[inline]
    fn from_slot(slot: u32) -> u32 {
        slot
    }
    #[inline]
    fn slot(self) -> usize {
        self as usize
    }
}

/// What one tile draws.
pub(crate) struct TileJob<'a> {
    layer: &'a TileLayer,
    level: &'a Level,
    frame: PixelFrame,
    pub(crate) candidates: &'a [u32],
    pen: Option<Pen>,
}

impl TileJob<'_> {
    /// Whether arc `a`'s box comes within `margin` pixels of the tile (left of the tile counts:
    /// for the fill, edges there still decide which side of them is inside).
    #[inline]
    fn arc_near(&self, a: usize, margin: f64, include_left: bool) -> bool {
        let b = self.layer.arc_bbox[a];
        let f = &self.frame;
        let w = f.size as f64;
        let left = (b[0] + MERCATOR_HALF_EXTENT) * f.k - f.ox;
        let right = (b[2] + MERCATOR_HALF_EXTENT) * f.k - f.ox;
        let top = (MERCATOR_HALF_EXTENT - b[3]) * f.k - f.oy;
        let bottom = (MERCATOR_HALF_EXTENT - b[1]) * f.k - f.oy;
        bottom > -margin
            && top < w + margin
            && left < w + margin
            && (include_left || right > -margin)
    }

    /// The colour of every pixel when no edge of a candidate comes within `margin` pixels of
    /// the tile: then no edge crosses the tile and no border reaches it, so each district covers
    /// all of it or none of it. Painted as `fill` paints: in layer order, the last district that
    /// covers the tile and is not transparent wins; transparent outside them all.
    fn one_colour(&self, style: &TileStyle, margin: f64) -> Option<[u8; 4]> {
        if self.edge_near(margin) {
            return None;
        }
        let centre = [self.frame.size as f64 / 2.0; 2];
        let mut colour = [0, 0, 0, 0];
        for &d in self.candidates {
            let fill = style.fills[d as usize];
            if fill[3] != 0 && self.covers(d, centre) {
                colour = fill;
            }
        }
        Some(colour)
    }

    /// Whether an edge of a candidate comes within `margin` pixels of the tile (else the tile
    /// is one colour, see [`Self::one_colour`]).
    pub(crate) fn edge_near(&self, margin: f64) -> bool {
        let (lo, hi) = (-margin, self.frame.size as f64 + margin);
        self.candidates.iter().any(|&d| {
            self.layer.arcs_of(d as usize).iter().any(|&a| {
                let a = a as usize;
                // The box first (cheap), then the edges: a ring's box holds its whole inside.
                self.arc_near(a, margin, false)
                    && self.level.arc(a).windows(2).any(|e| {
                        segment_meets_square(self.frame.pixel(e[0]), self.frame.pixel(e[1]), lo, hi)
                    })
            })
        })
    }

    /// The positions in the candidate list of the districts covering the tile's centre, in
    /// order: of a one-colour tile, whose colour is the last of them with a visible fill.
    pub(crate) fn centre_stack(&self) -> Vec<u32> {
        let centre = [self.frame.size as f64 / 2.0; 2];
        (0..self.candidates.len() as u32)
            .filter(|&k| self.covers(self.candidates[k as usize], centre))
            .collect()
    }

    /// Even-odd test of the tile pixel position `p` against district `d` (this zoom's
    /// geometry), counting the edges a ray from `p` to the left crosses. Only arcs `fill`
    /// would use can cross that ray.
    fn covers(&self, d: u32, p: [f64; 2]) -> bool {
        let mut inside = false;
        self.fill_edges(d, |prev, cur| {
            if (prev[1] > p[1]) != (cur[1] > p[1]) {
                let x = prev[0] + (p[1] - prev[1]) * (cur[0] - prev[0]) / (cur[1] - prev[1]);
                if x < p[0] {
                    inside = !inside;
                }
            }
        });
        inside
    }

    /// Calls `edge` with each edge (in tile pixels) of district `d` that the fill uses: those of
    /// its arcs that reach the tile's rows, left of the tile included.
    #[inline]
    pub(crate) fn fill_edges(&self, d: u32, mut edge: impl FnMut([f64; 2], [f64; 2])) {
        for &a in self.layer.arcs_of(d as usize) {
            let a = a as usize;
            if !self.arc_near(a, 0.0, true) {
                continue;
            }
            let pts = self.level.arc(a);
            let Some(&first) = pts.first() else { continue };
            let mut prev = self.frame.pixel(first);
            for &p in &pts[1..] {
                let cur = self.frame.pixel(p);
                edge(prev, cur);
                prev = cur;
            }
        }
    }

    fn fill<T: Slot>(&self, buf: &mut [T], grid: Grid, district_slot: &[u32]) {
        let w = grid.size as f64;
        let mut scratch = FillScratch::new(grid.size);
        for (&d, &slot) in self.candidates.iter().zip(district_slot) {
            if slot == 0 {
                continue;
            }
            scratch.begin();
            self.fill_edges(d, |prev, cur| scratch.add_edge(prev, cur, w));
            scratch.fill(buf, grid, T::from_slot(slot));
        }
    }

    pub(crate) fn borders(&self, grid: Grid) -> Option<Coverage> {
        let pen = self.pen?;
        let mut cov = Coverage::new(grid);
        let margin = pen.margin();
        for &d in self.candidates {
            for &a in self.layer.arcs_of(d as usize) {
                let a = a as usize;
                if self.layer.arc_owner[a] != d
                    || !self.layer.arc_border[a]
                    || !self.arc_near(a, margin, false)
                {
                    continue;
                }
                cov.polyline(self.level.arc(a), &self.frame, pen);
            }
        }
        (!cov.is_empty()).then_some(cov)
    }
}

/// The palette slots of a tile's fills: slot 0 is "no district" (transparent), then each
/// distinct visible fill colour of the candidates, in their order.
pub(crate) struct FillSlots {
    pub(crate) colours: Vec<[u8; 4]>,
    /// Slot of each candidate (0 for a transparent fill).
    pub(crate) of_candidate: Vec<u32>,
}

impl FillSlots {
    pub(crate) fn of(candidates: &[u32], style: &TileStyle) -> FillSlots {
        let mut colours: Vec<[u8; 4]> = vec![[0, 0, 0, 0]];
        let mut slot_of: FastMap<u32, u32> = FastMap::default();
        let of_candidate = candidates
            .iter()
            .map(|&d| {
                let c = style.fills[d as usize];
                if c[3] == 0 {
                    return 0;
                }
                *slot_of.entry(u32::from_le_bytes(c)).or_insert_with(|| {
                    colours.push(c);
                    (colours.len() - 1) as u32
                })
            })
            .collect();
        FillSlots {
            colours,
            of_candidate,
        }
    }
}

/// Palette image from a slot buffer and the border mask, falling back to RGBA when the blends
/// need more than 256 palette entries.
fn finish_indexed(
    mut buf: Vec<u8>,
    grid: Grid,
    slots: &[[u8; 4]],
    cov: Option<&Coverage>,
    border: [u8; 4],
    scale: u8,
) -> Vec<u8> {
    let Some(cov) = cov else {
        if let Some(v) = uniform(&buf, grid) {
            let colour = slots[usize::from(v)];
            if colour[3] == 0 {
                return empty_tile_png(scale).to_vec();
            }
            buf.fill(0);
            return encode_indexed(&buf, grid, &[colour]);
        }
        return encode_indexed(&buf, grid, slots);
    };
    compose(buf, grid, slots, cov, border, cov.visited * 8 > grid.len())
}

/// Blends the border into the slot buffer through a growing palette and encodes the tile,
/// visiting every byte when `dense`, else only the covered ones (the same result either way).
fn compose(
    mut buf: Vec<u8>,
    grid: Grid,
    slots: &[[u8; 4]],
    cov: &Coverage,
    border: [u8; 4],
    dense: bool,
) -> Vec<u8> {
    let mut blends = BlendTable::new(slots, border);
    let mut overflow_at = None;
    if dense {
        // Borders over more than an eighth of the tile: one pass over every byte, branch-free
        // but for the rare new colour. Where covered pixels are this dense, a table lookup
        // costs less than skipping uncovered pixels, whose pattern no branch predictor follows.
        // Level 0 maps a slot to itself, and the spare bytes (slot 0, level 0) stay 0.
        for (t, (b, &level)) in buf.iter_mut().zip(&cov.cov).enumerate() {
            let idx = blends.table[usize::from(*b) * BLEND_LEVELS + usize::from(level)];
            if idx != u16::MAX {
                *b = idx as u8;
            } else if let Some(idx) = blends.add(*b, level) {
                *b = idx;
            } else {
                overflow_at = Some(t);
                break;
            }
        }
    } else {
        // Sparse borders: visit only the covered bytes.
        cov.for_each_covered(|t, level| {
            if overflow_at.is_some() {
                return;
            }
            let slot = buf[t];
            let idx = blends.table[usize::from(slot) * BLEND_LEVELS + usize::from(level)];
            if idx != u16::MAX {
                buf[t] = idx as u8;
            } else if let Some(idx) = blends.add(slot, level) {
                buf[t] = idx;
            } else {
                overflow_at = Some(t);
            }
        });
    }
    if let Some(t) = overflow_at {
        // Too many colours: the pixels before `t` already hold final palette indices, the
        // others still their slots.
        let p = Palette {
            colours: &blends.palette,
            border,
        };
        return encode_rgba(&p.to_rgba(&buf, grid, Some(cov), t), grid.size as u32);
    }
    encode_indexed(&buf, grid, &blends.palette)
}

/// Coverage levels per slot in the blend table.
pub(crate) const BLEND_LEVELS: usize = COVERAGE_MAX as usize + 1;

/// The palette of an indexed tile as it grows: the fill slots, then each (fill, border
/// coverage) blend met, deduplicated by colour.
pub(crate) struct BlendTable<'a> {
    slots: &'a [[u8; 4]],
    border: [u8; 4],
    pub(crate) palette: Vec<[u8; 4]>,
    /// Palette index of each (slot, level), `u16::MAX` until met.
    pub(crate) table: Vec<u16>,
    index_of: FastMap<u32, u16>,
}

impl<'a> BlendTable<'a> {
    pub(crate) fn new(slots: &'a [[u8; 4]], border: [u8; 4]) -> Self {
        let mut table = vec![u16::MAX; slots.len() * BLEND_LEVELS];
        for s in 0..slots.len() {
            table[s * BLEND_LEVELS] = s as u16;
        }
        let index_of = slots
            .iter()
            .enumerate()
            .map(|(i, c)| (u32::from_le_bytes(*c), i as u16))
            .collect();
        BlendTable {
            slots,
            border,
            palette: slots.to_vec(),
            table,
            index_of,
        }
    }

    /// Palette index of `slot` under border coverage `level`, adding the colour when new;
    /// `None` when the palette is full.
    #[cold]
    #[inline(never)]
    pub(crate) fn add(&mut self, slot: u8, level: u8) -> Option<u8> {
        let colour = blend_over(
            self.slots[usize::from(slot)],
            self.border,
            level_coverage(level),
        );
        let next = self.palette.len() as u16;
        let idx = *self
            .index_of
            .entry(u32::from_le_bytes(colour))
            .or_insert(next);
        if idx == next {
            if self.palette.len() == 256 {
                self.index_of.remove(&u32::from_le_bytes(colour));
                return None;
            }
            self.palette.push(colour);
        }
        self.table[usize::from(slot) * BLEND_LEVELS + usize::from(level)] = idx;
        Some(idx as u8)
    }
}

/// Coverage level `0..=COVERAGE_MAX` as 0–255.
#[inline]
pub(crate) fn level_coverage(q: u8) -> u8 {
    (u32::from(q) * 255 / u32::from(COVERAGE_MAX)) as u8
}

/// Colours by index, and the border blended over them.
struct Palette<'a> {
    colours: &'a [[u8; 4]],
    border: [u8; 4],
}

impl Palette<'_> {
    /// The RGBA PNG stream (a zero filter byte before each row) of a buffer of palette
    /// indices, blending the border over the covered pixels from buffer index
    /// `first_unblended` on (those before already hold their blended colour's index).
    ///
    /// Coverage is quantised exactly as for indexed tiles, so a border pixel has the same
    /// colour whichever encoding its tile ends up with (a neighbouring tile with fewer colours
    /// may be indexed): no visible seam between an RGBA tile and an indexed one.
    fn to_rgba<T: Slot>(
        &self,
        buf: &[T],
        grid: Grid,
        cov: Option<&Coverage>,
        first_unblended: usize,
    ) -> Vec<u8> {
        let row_bytes = grid.size * 4 + 1;
        let mut out = vec![0u8; row_bytes * grid.size];
        for j in 0..grid.size {
            let row = &buf[grid.row(j)];
            let dst = &mut out[j * row_bytes + 1..(j + 1) * row_bytes];
            for (px, &s) in dst.chunks_exact_mut(4).zip(row) {
                px.copy_from_slice(&self.colours[s.slot()]);
            }
        }
        if let Some(cov) = cov {
            cov.for_each_covered(|t, level| {
                if t < first_unblended {
                    return;
                }
                let c = blend_over(
                    self.colours[buf[t].slot()],
                    self.border,
                    level_coverage(level),
                );
                // Buffer index j * (size + 1) + 1 + i is byte 1 + 4 i of output row j.
                let (j, i) = (t / grid.stride, t % grid.stride - 1);
                let at = j * row_bytes + 1 + 4 * i;
                out[at..at + 4].copy_from_slice(&c);
            });
        }
        out
    }
}

/// The single value of a slot buffer whose pixels are all equal.
fn uniform(buf: &[u8], grid: Grid) -> Option<u8> {
    let v = buf[grid.row(0)].first().copied()?;
    (0..grid.size)
        .all(|j| buf[grid.row(j)].iter().all(|&b| b == v))
        .then_some(v)
}

#[cfg(test)]
mod tests;
