//! [`DistrictRaster`]: a tile's pixels drawn once, without colours, so that restyling it
//! (another indicator, period, palette or classification) needs no drawing.
//!
//! A tile's pixels depend only on the geometry, the tile, the scale and the border width; the
//! style only says which colour each district gets. The raster keeps, per pixel, an *entry*:
//! the districts covering the pixel (a *stack*, in paint order, usually one district or none)
//! and the border coverage level there. Entries are numbered in the order they first occur, and
//! the image of entry numbers is kept compressed, as the `IDAT` chunk of an indexed PNG.
//!
//! A style then only gives each entry a colour:
//! - [`DistrictRaster::apply_spliced`] writes the entries' colours as `PLTE`/`tRNS` in front of
//!   the kept `IDAT`: a few microseconds, pixel for pixel the image [`crate::render_tile`]
//!   draws, but not its bytes (its palette has an entry per district and border shade, where
//!   `render_tile` merges equal colours and may pick a smaller bit depth).
//! - [`DistrictRaster::apply`] gives exactly `render_tile`'s bytes: it builds `render_tile`'s
//!   palette from the entries in the same order, splices when that palette numbers the pixels as
//!   the entries do, and otherwise unpacks the kept image, renumbers it and compresses it again
//!   (still no drawing).
//!
//! A busy tile has more than 256 entries (a city at zoom 12 with borders: hundreds of
//! districts times border shades), which no palette holds: its entry image is kept at 16 bits
//! (a zlib stream of the same encoder), and both `apply` and `apply_spliced` renumber it to
//! `render_tile`'s palette. Only past 65,535 entries, or when `render_tile` itself would write
//! RGBA (more than 256 colours), does a style get [`Restyled::Fallback`]: the caller draws with
//! `render_tile` (and can count how often).

use crate::encode::{
    append_indexed_image, bit_depth, encode_indexed, indexed_png_with_tail, solid_tile_png,
    zlib_compress,
};
use crate::error::RenderError;
use crate::inflate::inflate_fixed;
use crate::layer::TileLayer;
use crate::raster::{FillScratch, Grid};
use crate::render::{
    drawn_border_width, level_coverage, BlendTable, FillSlots, Setup, TileJob, BLEND_LEVELS,
};
use crate::style::{blend_over, TileStyle, MAX_BORDER_WIDTH};
use crate::tile::{TileCoord, TILE_SIZE};
use crate::topology::FastMap;

/// Most entries an indexed PNG holds.
const MAX_ENTRIES: usize = 256;

/// Most entries of a raster (16-bit entry numbers, one value kept as "not met").
const MAX_WIDE_ENTRIES: usize = u16::MAX as usize;

/// One tile of one layer at one scale and border width, drawn once for every style.
///
/// Build it with [`DistrictRaster::new`] and keep it (its [`DistrictRaster::byte_size`] is what
/// a cache budget counts); [`DistrictRaster::apply`] and [`DistrictRaster::apply_spliced`] then
/// give the tile's PNG in any style whose [`drawn_border_width`] equals the raster's width.
#[derive(Debug, Clone)]
pub struct DistrictRaster {
    tile: TileCoord,
    scale: u8,
    border_width: f32,
    districts: usize,
    /// The districts whose box meets the tile (with the border's reach), in paint order.
    candidates: Vec<u32>,
    body: Body,
}

#[derive(Debug, Clone)]
enum Body {
    /// No district comes near: the transparent tile.
    Empty,
    /// No edge or border reaches the tile; the positions in `candidates` of the districts
    /// covering it, in paint order.
    OneColour(Vec<u32>),
    Indexed(Indexed),
    /// More than `MAX_WIDE_ENTRIES` entries.
    TooManyEntries,
}

#[derive(Debug, Clone)]
struct Indexed {
    /// Stack `s` is stack `stacks[s].0` with candidate position `stacks[s].1` painted on top;
    /// stack 0 is no district.
    stacks: Vec<(u16, u32)>,
    /// `(stack, border coverage level)` of each entry, in order of first occurrence.
    entries: Vec<(u16, u8)>,
    /// Whether any pixel has border coverage (else `render_tile` skips blending).
    coverage: bool,
    /// Whether there are more entries than a palette holds: then `tail` is a zlib stream of
    /// the entry image at 16 bits (big-endian, a zero byte before each row), which can only be
    /// renumbered, never spliced.
    wide: bool,
    /// The `IDAT` and `IEND` chunks of the entry image at 8 bits (whatever the number of
    /// entries: so that renumbering can happen while decoding).
    tail: Vec<u8>,
}

/// A tile from a [`DistrictRaster`] in one style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Restyled {
    /// The PNG, and how it was made.
    Png {
        /// The PNG bytes.
        png: Vec<u8>,
        /// How much work it took.
        path: RestylePath,
    },
    /// The raster cannot give this tile in this style; draw it with [`crate::render_tile`].
    Fallback(FallbackReason),
}

/// How a [`Restyled::Png`] was made, for a server's counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RestylePath {
    /// The transparent tile or a one-colour tile: two checksums.
    OneColour,
    /// A new palette in front of the kept image data.
    Spliced,
    /// The kept image renumbered and compressed again (no drawing), because `render_tile`'s
    /// palette merges colours the entries keep apart.
    Reencoded,
}

/// Why a [`DistrictRaster`] cannot give a tile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FallbackReason {
    /// The tile has more than 65,535 entries (districts × border shades), so the raster keeps
    /// no image.
    TooManyEntries,
    /// In this style `render_tile` needs more than 256 colours and writes an RGBA tile.
    TooManyColours,
    /// The kept image could not be decoded (a bug, never seen): draw instead of failing.
    Undecodable,
}

impl DistrictRaster {
    /// Draws `tile` of `layer` at `scale` with borders `border_width` CSS pixels wide (0: no
    /// border) once, without colours.
    ///
    /// The width must be the [`drawn_border_width`] of the styles to apply: a style with a
    /// transparent border draws none, so its raster is the one of width 0.
    ///
    /// # Errors
    /// [`RenderError::UnsupportedScale`], [`RenderError::InvalidTile`] and
    /// [`RenderError::InvalidBorderWidth`] as [`crate::render_tile`].
    pub fn new(
        layer: &TileLayer,
        tile: TileCoord,
        scale: u8,
        border_width: f32,
    ) -> Result<DistrictRaster, RenderError> {
        if !(0.0..=MAX_BORDER_WIDTH).contains(&border_width) {
            return Err(RenderError::InvalidBorderWidth {
                width: border_width,
                max: MAX_BORDER_WIDTH,
            });
        }
        let setup = Setup::with_width(layer, tile, scale, border_width)?;
        let body = if setup.candidates.is_empty() {
            Body::Empty
        } else {
            let job = setup.job(layer);
            if job.edge_near(setup.margin) {
                index_image(&job, Grid::new(setup.size as usize))
            } else {
                Body::OneColour(job.centre_stack())
            }
        };
        Ok(DistrictRaster {
            tile,
            scale,
            border_width,
            districts: layer.len(),
            candidates: setup.candidates,
            body,
        })
    }

    /// The tile this raster draws.
    #[must_use]
    pub fn tile(&self) -> TileCoord {
        self.tile
    }

    /// Heap and inline bytes held, for a cache's budget.
    #[must_use]
    pub fn byte_size(&self) -> usize {
        let body = match &self.body {
            Body::OneColour(stack) => stack.capacity() * 4,
            Body::Indexed(ix) => {
                ix.stacks.capacity() * 8 + ix.entries.capacity() * 4 + ix.tail.capacity()
            }
            Body::Empty | Body::TooManyEntries => 0,
        };
        std::mem::size_of::<Self>() + self.candidates.capacity() * 4 + body
    }

    /// Number of palette entries of the kept image (`None` when there is no image: an empty,
    /// one-colour or too busy tile).
    #[must_use]
    pub fn entries(&self) -> Option<usize> {
        match &self.body {
            Body::Indexed(ix) => Some(ix.entries.len()),
            _ => None,
        }
    }

    /// Whether every style falls back to drawing (more than 65,535 entries).
    #[must_use]
    pub fn is_too_busy(&self) -> bool {
        matches!(self.body, Body::TooManyEntries)
    }

    /// The tile in `style`, byte for byte what [`crate::render_tile`] returns.
    ///
    /// # Errors
    /// [`RenderError::FillCountMismatch`] and [`RenderError::InvalidBorderWidth`] as
    /// `render_tile`; [`RenderError::RasterWidthMismatch`] when the style's drawn border width
    /// is not the raster's.
    pub fn apply(&self, style: &TileStyle) -> Result<Restyled, RenderError> {
        self.check(style)?;
        let ix = match self.prepared(style) {
            Ok(done) => return Ok(done),
            Err(ix) => ix,
        };
        let slots = FillSlots::of(&self.candidates, style);
        if slots.colours.len() > MAX_ENTRIES {
            return Ok(Restyled::Fallback(FallbackReason::TooManyColours));
        }
        let stack_slot = ix.stack_values(|k| slots.of_candidate[k as usize] as u8, 0u8);
        let mut lut: Vec<u8> = ix
            .entries
            .iter()
            .map(|&(s, _)| stack_slot[usize::from(s)])
            .collect();
        let palette = if ix.coverage {
            let mut blends = BlendTable::new(&slots.colours, style.border);
            for (v, &(_, level)) in lut.iter_mut().zip(&ix.entries) {
                let slot = *v;
                if level == 0 {
                    continue;
                }
                let idx = blends.table[usize::from(slot) * BLEND_LEVELS + usize::from(level)];
                *v = if idx != u16::MAX {
                    idx as u8
                } else if let Some(idx) = blends.add(slot, level) {
                    idx
                } else {
                    return Ok(Restyled::Fallback(FallbackReason::TooManyColours));
                };
            }
            blends.palette
        } else {
            if lut.iter().all(|&v| v == lut[0]) {
                // One colour over the whole tile, as `render_tile` writes it.
                return Ok(self.one_colour(slots.colours[usize::from(lut[0])]));
            }
            slots.colours
        };
        let identity = !ix.wide
            && bit_depth(palette.len()) == 8
            && palette.len() == lut.len()
            && lut.iter().enumerate().all(|(i, &v)| usize::from(v) == i);
        if identity {
            return Ok(self.spliced(&palette, ix));
        }
        let grid = Grid::new(self.size());
        let Some(buf) = ix.renumbered(grid, &lut) else {
            return Ok(Restyled::Fallback(FallbackReason::Undecodable));
        };
        Ok(Restyled::Png {
            png: encode_indexed(&buf, grid, &palette),
            path: RestylePath::Reencoded,
        })
    }

    /// The tile in `style` as the kept image behind a new palette: pixel for pixel what
    /// [`crate::render_tile`] draws, in a few microseconds, but not its bytes (one palette
    /// entry per district and border shade, where `render_tile` merges equal colours).
    /// Empty and one-colour tiles are `render_tile`'s bytes, and so are busy tiles (more than
    /// 256 entries), which [`Self::apply`] renumbers.
    ///
    /// # Errors
    /// As [`Self::apply`].
    pub fn apply_spliced(&self, style: &TileStyle) -> Result<Restyled, RenderError> {
        self.check(style)?;
        let ix = match self.prepared(style) {
            Ok(done) => return Ok(done),
            Err(ix) => ix,
        };
        if ix.wide {
            // No palette holds the entries: renumber to `render_tile`'s colours instead.
            return self.apply(style);
        }
        let fills = &style.fills;
        let stack_colour =
            ix.stack_values(|k| fills[self.candidates[k as usize] as usize], [0u8; 4]);
        let palette: Vec<[u8; 4]> = ix
            .entries
            .iter()
            .map(|&(s, level)| {
                let c = stack_colour[usize::from(s)];
                if level == 0 {
                    c
                } else {
                    blend_over(c, style.border, level_coverage(level))
                }
            })
            .collect();
        Ok(self.spliced(&palette, ix))
    }

    fn check(&self, style: &TileStyle) -> Result<(), RenderError> {
        style.check(self.districts)?;
        let width = drawn_border_width(style);
        // Compared as numbers: -0 and 0 are the same width (NaN was refused above).
        if width != self.border_width {
            return Err(RenderError::RasterWidthMismatch {
                style: width,
                raster: self.border_width,
            });
        }
        Ok(())
    }

    /// The answer for tiles that need no palette work, or the kept image.
    fn prepared(&self, style: &TileStyle) -> Result<Restyled, &Indexed> {
        match &self.body {
            Body::Empty => Ok(self.one_colour([0, 0, 0, 0])),
            Body::OneColour(stack) => {
                let colour = stack
                    .iter()
                    .map(|&k| style.fills[self.candidates[k as usize] as usize])
                    .rev()
                    .find(|c| c[3] != 0)
                    .unwrap_or([0, 0, 0, 0]);
                Ok(self.one_colour(colour))
            }
            Body::TooManyEntries => Ok(Restyled::Fallback(FallbackReason::TooManyEntries)),
            Body::Indexed(ix) => Err(ix),
        }
    }

    fn one_colour(&self, colour: [u8; 4]) -> Restyled {
        Restyled::Png {
            png: solid_tile_png(colour, self.scale),
            path: RestylePath::OneColour,
        }
    }

    fn spliced(&self, palette: &[[u8; 4]], ix: &Indexed) -> Restyled {
        let png = indexed_png_with_tail(self.size() as u32, palette, 8, &ix.tail);
        Restyled::Png {
            png,
            path: RestylePath::Spliced,
        }
    }

    fn size(&self) -> usize {
        (TILE_SIZE * u32::from(self.scale)) as usize
    }
}

/// Transparent fills do not paint, so a stack shows its topmost candidate with a visible fill.
trait Visible: Copy {
    fn visible(&self) -> bool;
}

impl Visible for u8 {
    fn visible(&self) -> bool {
        *self != 0
    }
}

impl Visible for [u8; 4] {
    fn visible(&self) -> bool {
        self[3] != 0
    }
}

impl Indexed {
    /// The value of each stack: `value(k)` of its topmost candidate `k` whose value is
    /// visible, `none` when there is none.
    fn stack_values<T: Visible>(&self, value: impl Fn(u32) -> T, none: T) -> Vec<T> {
        let mut out: Vec<T> = Vec::with_capacity(self.stacks.len());
        for &(parent, k) in &self.stacks {
            let v = if out.is_empty() { none } else { value(k) };
            let below = out.get(usize::from(parent)).copied().unwrap_or(none);
            out.push(if v.visible() { v } else { below });
        }
        out
    }

    /// The pixels as `lut[entry]`, one byte each, laid out by `grid`.
    fn renumbered(&self, grid: Grid, lut: &[u8]) -> Option<Vec<u8>> {
        if self.wide {
            let stream = inflate_fixed(&self.tail, (2 * grid.size + 1) * grid.size, None)?;
            let mut buf = vec![0u8; grid.len()];
            for (j, line) in stream.chunks_exact(2 * grid.size + 1).enumerate() {
                for (px, e) in buf[grid.row(j)].iter_mut().zip(line[1..].chunks_exact(2)) {
                    *px = *lut.get(usize::from(u16::from_be_bytes([e[0], e[1]])))?;
                }
            }
            return Some(buf);
        }
        // Narrow images are kept at 8 bits, so the renumbering happens while decoding.
        let mut map = [0u8; 256];
        for (m, &v) in map.iter_mut().zip(lut) {
            *m = v;
        }
        let len = u32::from_be_bytes(self.tail.get(..4)?.try_into().ok()?) as usize;
        let mut buf = inflate_fixed(self.tail.get(8..8 + len)?, grid.len(), Some(&map))?;
        for j in 0..grid.size {
            buf[j * grid.stride] = 0;
        }
        Some(buf)
    }
}

/// The stack of every pixel.
pub(crate) struct StackImage {
    /// Stack number per pixel, laid out by the tile's grid.
    pub pixels: Vec<u16>,
    /// Stack `s` is stack `stacks[s].0` with candidate position `stacks[s].1` on top; stack 0
    /// is no district.
    pub stacks: Vec<(u16, u32)>,
}

/// Fills every candidate into a buffer of stack numbers laid out by `grid`; `None` when the
/// stacks do not fit 16 bits.
pub(crate) fn stack_image(job: &TileJob<'_>, grid: Grid) -> Option<StackImage> {
    let mut buf = vec![0u16; grid.len()];
    let mut stacks: Vec<(u16, u32)> = vec![(0, u32::MAX)];
    let mut pushed: FastMap<u64, u16> = FastMap::default();
    let mut scratch = FillScratch::new(grid.size);
    let w = grid.size as f64;
    let mut full = false;
    for (k, &d) in job.candidates.iter().enumerate() {
        let k = k as u32;
        scratch.begin();
        job.fill_edges(d, |a, b| scratch.add_edge(a, b, w));
        let mut alone = 0u16;
        let mut push = |below: u16| -> u16 {
            if stacks.len() > usize::from(u16::MAX) {
                full = true;
                return below;
            }
            *pushed
                .entry(u64::from(below) << 32 | u64::from(k))
                .or_insert_with(|| {
                    stacks.push((below, k));
                    (stacks.len() - 1) as u16
                })
        };
        scratch.spans(grid.size, |j, i0, i1| {
            let start = grid.index(0, j);
            let span = &mut buf[start + i0..start + i1];
            if span.iter().all(|&v| v == 0) {
                // Nothing painted here yet, the usual case.
                if alone == 0 {
                    alone = push(0);
                }
                span.fill(alone);
                return;
            }
            for v in span {
                if *v == 0 {
                    if alone == 0 {
                        alone = push(0);
                    }
                    *v = alone;
                } else {
                    *v = push(*v);
                }
            }
        });
    }
    (!full).then_some(StackImage {
        pixels: buf,
        stacks,
    })
}

/// The entry image of a tile that needs drawing, compressed.
fn index_image(job: &TileJob<'_>, grid: Grid) -> Body {
    let Some(StackImage {
        pixels: stack_buf,
        stacks,
    }) = stack_image(job, grid)
    else {
        return Body::TooManyEntries;
    };
    let cov = job.borders(grid);
    let mut entry_of = vec![u16::MAX; stacks.len() * BLEND_LEVELS];
    let mut entries: Vec<(u16, u8)> = Vec::new();
    let mut buf = vec![0u16; grid.len()];
    let no_cover = vec![0u8; grid.len()];
    let levels = cov.as_ref().map_or(&no_cover, |c| &c.cov);
    // Runs of one entry are the rule: the last one is remembered.
    let (mut last_key, mut last_entry) = (u32::MAX, 0u16);
    for j in 0..grid.size {
        for t in grid.row(j) {
            let (stack, level) = (stack_buf[t], levels[t]);
            let key = u32::from(stack) << 8 | u32::from(level);
            if key == last_key {
                buf[t] = last_entry;
                continue;
            }
            let slot = &mut entry_of[usize::from(stack) * BLEND_LEVELS + usize::from(level)];
            if *slot == u16::MAX {
                if entries.len() == MAX_WIDE_ENTRIES {
                    return Body::TooManyEntries;
                }
                *slot = entries.len() as u16;
                entries.push((stack, level));
            }
            (last_key, last_entry) = (key, *slot);
            buf[t] = last_entry;
        }
    }
    let wide = entries.len() > MAX_ENTRIES;
    let mut tail = Vec::new();
    if wide {
        let mut stream = Vec::with_capacity((2 * grid.size + 1) * grid.size);
        for j in 0..grid.size {
            stream.push(0);
            stream.extend(buf[grid.row(j)].iter().flat_map(|e| e.to_be_bytes()));
        }
        tail = zlib_compress(&stream, 2, 2 * grid.size + 1);
    } else {
        let narrow: Vec<u8> = buf.iter().map(|&e| e as u8).collect();
        append_indexed_image(&mut tail, &narrow, grid, 8);
    }
    tail.shrink_to_fit();
    entries.shrink_to_fit();
    Body::Indexed(Indexed {
        stacks,
        entries,
        coverage: cov.is_some(),
        wide,
        tail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::render_tile;
    use geo_types::{LineString, MultiPolygon, Polygon, Rect};

    fn square(x0: f64, y0: f64, side: f64) -> LineString<f64> {
        Rect::new((x0, y0), (x0 + side, y0 + side))
            .to_polygon()
            .exterior()
            .clone()
    }

    /// Overlapping districts (invalid input, painted in layer order): where the one on top is
    /// unfilled, the one below shows, so a pixel's entry must remember both.
    #[test]
    fn overlaps_show_the_district_below_an_unfilled_one() {
        let holed = MultiPolygon(vec![Polygon::new(
            square(0.0, 0.0, 20_000.0),
            vec![square(7_500.0, 7_500.0, 5_000.0)],
        )]);
        let east = MultiPolygon(vec![Polygon::new(square(10_000.0, 0.0, 10_000.0), vec![])]);
        let layer = TileLayer::new(vec![holed, east]);
        let (red, blue, clear) = ([255, 0, 0, 255], [0, 0, 255, 128], [0, 0, 0, 0]);
        let mut stacked = 0;
        // Zoom 11 (tile 20 km): the layer spans tiles 1024 and 1023 around the origin.
        for (z, xs, ys) in [(11u8, 1024..1026, 1022..1024), (12, 2048..2050, 2045..2048)] {
            for x in xs {
                for y in ys.clone() {
                    let tile = TileCoord::new_checked(z, x, y).unwrap();
                    for width in [0.0, 1.0] {
                        let raster = DistrictRaster::new(&layer, tile, 1, width).unwrap();
                        if let Body::Indexed(ix) = &raster.body {
                            stacked += ix.stacks.iter().filter(|&&(below, _)| below != 0).count();
                        }
                        for fills in [vec![red, blue], vec![red, clear], vec![clear, blue]] {
                            let style = TileStyle {
                                fills,
                                border: [0, 0, 0, 255],
                                border_width: width,
                            };
                            let want = render_tile(&layer, &style, tile, 1).unwrap();
                            let Ok(Restyled::Png { png, .. }) = raster.apply(&style) else {
                                panic!("{tile}: no PNG");
                            };
                            assert!(png == want, "{tile} width {width} {:?}", style.fills);
                        }
                    }
                }
            }
        }
        // Some pixels really lie under both districts.
        assert!(stacked > 0);
    }
}
