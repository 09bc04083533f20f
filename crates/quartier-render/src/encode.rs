//! PNG encoding specialised for flat-coloured map tiles.
//!
//! A choropleth tile is long runs of one colour, and most rows repeat the row above. General
//! deflate encoders search hash chains for matches anywhere in a 32 KiB window; here only two
//! match distances are worth trying: one pixel back (a run) and one row back (the row above).
//! The encoder is greedy LZ77 over those two distances, comparing eight bytes at a time, with
//! deflate's fixed Huffman codes: an order of magnitude faster than the `png` crate's fastest
//! mode on these images, and smaller, since that mode only finds runs of zeros.
//!
//! Output: indexed PNG (1, 2, 4 or 8 bits, `PLTE` plus `tRNS` when a colour is not opaque), or
//! 8-bit RGBA; no row filters (filter type 0 on every row), one `IDAT` chunk.

use std::sync::OnceLock;

use crate::raster::Grid;

/// Encodes a palette image from a buffer of one-byte indices laid out by `grid` (each row
/// preceded by a zero byte), choosing the smallest bit depth the palette allows (1, 2, 4 or 8
/// bits). `palette` has at most 256 entries.
pub(crate) fn encode_indexed(buf: &[u8], grid: Grid, palette: &[[u8; 4]]) -> Vec<u8> {
    let bits = bit_depth(palette.len());
    let mut png = indexed_head(grid.size as u32, palette, bits);
    append_indexed_image(&mut png, buf, grid, bits);
    png
}

/// Appends the `IDAT` and `IEND` chunks of the indices in `buf` (laid out by `grid`, all below
/// `2^bits`) at `bits` bits per pixel: what [`encode_indexed`] writes after [`indexed_head`].
pub(crate) fn append_indexed_image(png: &mut Vec<u8>, buf: &[u8], grid: Grid, bits: u8) {
    if bits == 8 {
        // The buffer already is the PNG stream: rows of indices after a zero filter byte.
        finish_png(png, buf, 1, grid.stride);
    } else {
        let row_bytes = (grid.size * usize::from(bits)).div_ceil(8);
        let mut stream = vec![0u8; (row_bytes + 1) * grid.size];
        for (j, line) in stream.chunks_exact_mut(row_bytes + 1).enumerate() {
            pack_row(&buf[grid.row(j)], bits, &mut line[1..]);
        }
        finish_png(png, &stream, 1, row_bytes + 1);
    }
}

/// The bit depth [`encode_indexed`] writes a palette of `colours` entries with.
pub(crate) fn bit_depth(colours: usize) -> u8 {
    match colours {
        0..=2 => 1,
        3..=4 => 2,
        5..=16 => 4,
        _ => 8,
    }
}

/// Everything [`encode_indexed`] writes before the `IDAT` chunk of a `bits`-bit image:
/// signature, `IHDR`, `PLTE` and, when a colour is not opaque, `tRNS` (up to the last such
/// colour).
pub(crate) fn indexed_head(size: u32, palette: &[[u8; 4]], bits: u8) -> Vec<u8> {
    let mut png = Vec::with_capacity(4096);
    write_indexed_head(&mut png, size, palette, bits);
    png
}

/// A whole indexed PNG from its palette and the `IDAT` and `IEND` chunks of an image encoded
/// before (a tile restyled from its kept raster), in one allocation of exactly its size: no
/// copy while it grows, and a tile kept in the cache holds no spare capacity that the cache's
/// byte count would not see.
pub(crate) fn indexed_png_with_tail(
    size: u32,
    palette: &[[u8; 4]],
    bits: u8,
    tail: &[u8],
) -> Vec<u8> {
    let trns = trns_len(palette);
    let head = SIGNATURE.len()
        + (12 + 13)
        + (12 + 3 * palette.len())
        + if trns > 0 { 12 + trns } else { 0 };
    let mut png = Vec::with_capacity(head + tail.len());
    write_indexed_head(&mut png, size, palette, bits);
    debug_assert_eq!(png.len(), head);
    png.extend_from_slice(tail);
    png
}

/// Entries of the `tRNS` chunk: up to the last colour that is not opaque (0: no chunk).
fn trns_len(palette: &[[u8; 4]]) -> usize {
    palette
        .iter()
        .rposition(|c| c[3] != 255)
        .map_or(0, |i| i + 1)
}

fn write_indexed_head(png: &mut Vec<u8>, size: u32, palette: &[[u8; 4]], bits: u8) {
    write_start(png, size, bits, 3);
    chunk_with(png, b"PLTE", |png| {
        for c in palette {
            png.extend_from_slice(&c[..3]);
        }
    });
    let trns = trns_len(palette);
    if trns > 0 {
        chunk_with(png, b"tRNS", |png| {
            png.extend(palette[..trns].iter().map(|c| c[3]));
        });
    }
}

/// Encodes an RGBA PNG stream: `size` rows of a zero filter byte and `4 × size` bytes of
/// straight-alpha RGBA.
pub(crate) fn encode_rgba(stream: &[u8], size: u32) -> Vec<u8> {
    let mut png = start_png(size, 8, 6);
    finish_png(&mut png, stream, 4, size as usize * 4 + 1);
    png
}

/// Packs one-byte indices into `bits`-bit samples, most significant first.
pub(crate) fn pack_row(src: &[u8], bits: u8, out: &mut [u8]) {
    // One loop per depth with a fixed chunk size, which the compiler unrolls and vectorises
    // (tile rows are a multiple of 8 pixels, so there is no remainder).
    match bits {
        4 => {
            for (c, byte) in src.chunks_exact(2).zip(out.iter_mut()) {
                *byte = (c[0] << 4) | (c[1] & 0x0f);
            }
        }
        2 => {
            for (c, byte) in src.chunks_exact(4).zip(out.iter_mut()) {
                *byte = (c[0] << 6) | ((c[1] & 3) << 4) | ((c[2] & 3) << 2) | (c[3] & 3);
            }
        }
        _ => {
            for (c, byte) in src.chunks_exact(8).zip(out.iter_mut()) {
                *byte = c.iter().fold(0u8, |b, &v| (b << 1) | (v & 1));
            }
        }
    }
}

const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];

pub(crate) fn start_png(size: u32, bit_depth: u8, colour_type: u8) -> Vec<u8> {
    let mut png = Vec::with_capacity(4096);
    write_start(&mut png, size, bit_depth, colour_type);
    png
}

/// Signature and `IHDR`.
fn write_start(png: &mut Vec<u8>, size: u32, bit_depth: u8, colour_type: u8) {
    png.extend_from_slice(&SIGNATURE);
    let mut ihdr = [0u8; 13];
    ihdr[..4].copy_from_slice(&size.to_be_bytes());
    ihdr[4..8].copy_from_slice(&size.to_be_bytes());
    ihdr[8] = bit_depth;
    ihdr[9] = colour_type;
    // Compression 0, filter method 0, no interlace.
    chunk(png, b"IHDR", &ihdr);
}

fn finish_png(png: &mut Vec<u8>, stream: &[u8], pixel_bytes: usize, stride: usize) {
    let zlib = zlib_compress(stream, pixel_bytes, stride);
    chunk(png, b"IDAT", &zlib);
    chunk(png, b"IEND", &[]);
}

pub(crate) fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    chunk_with(png, kind, |png| png.extend_from_slice(data));
}

/// A chunk whose data `write` appends to `png` (no buffer of its own); length and CRC around it.
fn chunk_with(png: &mut Vec<u8>, kind: &[u8; 4], write: impl FnOnce(&mut Vec<u8>)) {
    let at = png.len();
    png.extend_from_slice(&[0; 4]);
    let start = png.len();
    png.extend_from_slice(kind);
    write(png);
    let len = png.len() - start - 4;
    // Chunks here are far below 2^31 bytes (a 512 px tile's image is under 300 kB).
    png[at..start].copy_from_slice(&(len as u32).to_be_bytes());
    let crc = crc32fast::hash(&png[start..]);
    png.extend_from_slice(&crc.to_be_bytes());
}

/// A zlib stream of one fixed-Huffman deflate block, matching only at distances `near` (one
/// pixel back) and `far` (one row back).
///
/// Greedy: at each position take the longer of the two matches when one reaches three bytes,
/// else a literal. Positions are tested eight bytes at a time: the bytes equal to the byte `d`
/// back are the zero bytes of `word(k) ^ word(k - d)`, and a match starts where three follow
/// each other, so a stretch of literals costs one test per six bytes.
pub(crate) fn zlib_compress(data: &[u8], near: usize, far: usize) -> Vec<u8> {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    // High bit of each byte set where the byte is zero (exact, no carries between bytes).
    let zero_bytes = |x: u64| !(((x & LOW7) + LOW7) | x | LOW7);
    // Starts of three zero bytes in a row (only bytes 0..=5 can qualify).
    let starts = |z: u64| z & (z >> 8) & (z >> 16);
    let load = |at: usize| load(data, at);

    let codes = FixedCodes::get();
    let mut w = BitWriter::with_capacity(data.len() / 8 + 64);
    // zlib header: deflate, 32 KiB window, no dictionary, check bits.
    w.out.extend_from_slice(&[0x78, 0x01]);
    // BFINAL = 1, BTYPE = 01 (fixed Huffman).
    w.put(0b011, 3);
    let near_code = distance_code(near);
    let far_code = distance_code(far);
    let n = data.len();
    // Literals not yet written start at `pending`.
    let mut pending = 0;
    let mut k = near.min(n);
    while k + 8 <= n {
        let here = load(k);
        let sn = starts(zero_bytes(here ^ load(k - near)));
        let sf = if k >= far {
            starts(zero_bytes(here ^ load(k - far)))
        } else {
            0
        };
        let s = sn | sf;
        if s == 0 {
            k += 6;
            continue;
        }
        let shift = s.trailing_zeros();
        k += (shift / 8) as usize;
        codes.literals(&mut w, &data[pending..k]);
        let max = (n - k).min(MAX_MATCH);
        let mut len = 0;
        let mut dist = near_code;
        if (sn >> shift) & 1 != 0 {
            len = match_len(data, k, k - near, max);
        }
        // The far match can only be longer if it also holds at the near match's end.
        if (sf >> shift) & 1 != 0 && len < max && (len == 0 || data[k + len] == data[k + len - far])
        {
            let far_len = match_len(data, k, k - far, max);
            if far_len > len {
                len = far_len;
                dist = far_code;
            }
        }
        codes.matched(&mut w, len, dist);
        k += len;
        pending = k;
    }
    // The last few bytes, one at a time.
    k = k.max(pending);
    while k < n {
        let max = (n - k).min(MAX_MATCH);
        let mut len = 0;
        let mut dist = near_code;
        if max >= MIN_MATCH {
            if k >= near {
                len = match_len(data, k, k - near, max);
            }
            if k >= far {
                let far_len = match_len(data, k, k - far, max);
                if far_len > len {
                    len = far_len;
                    dist = far_code;
                }
            }
        }
        if len >= MIN_MATCH {
            codes.literals(&mut w, &data[pending..k]);
            codes.matched(&mut w, len, dist);
            k += len;
            pending = k;
        } else {
            k += 1;
        }
    }
    codes.literals(&mut w, &data[pending..n]);
    // End of block: symbol 256, seven zero bits.
    w.put(0, 7);
    let mut out = w.finish();
    out.extend_from_slice(&simd_adler32::adler32(&data).to_be_bytes());
    out
}

const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = 258;

/// Length of the common prefix of `data[a..]` and `data[b..]`, at most `max`.
#[inline(always)]
fn match_len(data: &[u8], a: usize, b: usize, max: usize) -> usize {
    let mut l = 0;
    while l + 8 <= max {
        let diff = load(data, a + l) ^ load(data, b + l);
        if diff != 0 {
            return l + (diff.trailing_zeros() / 8) as usize;
        }
        l += 8;
    }
    while l < max && data[a + l] == data[b + l] {
        l += 1;
    }
    l
}

/// The eight bytes of `data` at `at`, little-endian (one unaligned load).
#[inline(always)]
fn load(data: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(data[at..at + 8].try_into().unwrap_or_default())
}

/// Deflate's fixed Huffman codes, bit-reversed for the LSB-first bit stream, with the extra
/// bits of each match length already appended.
struct FixedCodes {
    literal: [(u64, u32); 256],
    /// Indexed by match length 0..=258 (entries below 3 unused).
    length: [(u64, u32); MAX_MATCH + 1],
}

pub(crate) const LENGTH_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
pub(crate) const LENGTH_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
pub(crate) const DISTANCE_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
pub(crate) const DISTANCE_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];

/// The fixed Huffman code of literal/length symbol `s`, bit-reversed, and its length.
pub(crate) fn fixed_symbol(s: u32) -> (u64, u32) {
    let (code, bits) = match s {
        0..=143 => (0x30 + s, 8),
        144..=255 => (0x190 + s - 144, 9),
        256..=279 => (s - 256, 7),
        _ => (0xc0 + s - 280, 8),
    };
    (u64::from(reverse(code, bits)), bits)
}

fn reverse(code: u32, bits: u32) -> u32 {
    code.reverse_bits() >> (32 - bits)
}

impl FixedCodes {
    /// Writes `bytes` as literals, three codes (at most 27 bits) per write.
    #[inline]
    fn literals(&self, w: &mut BitWriter, bytes: &[u8]) {
        for chunk in bytes.chunks(3) {
            let (mut value, mut bits) = (0u64, 0u32);
            for &b in chunk {
                let (code, n) = self.literal[usize::from(b)];
                value |= code << bits;
                bits += n;
            }
            w.put(value, bits);
        }
    }

    /// Writes a match of `len` bytes (3 to 258) at the distance whose code is `dist`.
    #[inline]
    fn matched(&self, w: &mut BitWriter, len: usize, dist: (u64, u32)) {
        let (code, bits) = self.length[len];
        w.put(code, bits);
        w.put(dist.0, dist.1);
    }

    fn get() -> &'static FixedCodes {
        static CODES: OnceLock<FixedCodes> = OnceLock::new();
        CODES.get_or_init(|| {
            let mut codes = FixedCodes {
                literal: [(0, 0); 256],
                length: [(0, 0); MAX_MATCH + 1],
            };
            for (s, entry) in codes.literal.iter_mut().enumerate() {
                *entry = fixed_symbol(s as u32);
            }
            for len in MIN_MATCH..=MAX_MATCH {
                let i = LENGTH_BASE
                    .iter()
                    .rposition(|&b| usize::from(b) <= len)
                    .unwrap_or(0);
                let (code, bits) = fixed_symbol(257 + i as u32);
                let extra = (len - usize::from(LENGTH_BASE[i])) as u64;
                codes.length[len] = (code | extra << bits, bits + u32::from(LENGTH_EXTRA[i]));
            }
            codes
        })
    }
}

/// The fixed distance code (five bits, reversed) with its extra bits, for `d` in 1..=32768.
fn distance_code(d: usize) -> (u64, u32) {
    let i = DISTANCE_BASE
        .iter()
        .rposition(|&b| usize::from(b) <= d)
        .unwrap_or(0);
    let extra = (d - usize::from(DISTANCE_BASE[i])) as u64;
    (
        u64::from(reverse(i as u32, 5)) | extra << 5,
        5 + u32::from(DISTANCE_EXTRA[i]),
    )
}

/// Writes bits least significant first, as deflate wants.
struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl BitWriter {
    fn with_capacity(cap: usize) -> BitWriter {
        BitWriter {
            out: Vec::with_capacity(cap),
            acc: 0,
            n: 0,
        }
    }

    /// Appends the low `bits` bits of `value` (at most 32 bits).
    #[inline]
    fn put(&mut self, value: u64, bits: u32) {
        self.acc |= value << self.n;
        self.n += bits;
        if self.n >= 32 {
            self.out.extend_from_slice(&(self.acc as u32).to_le_bytes());
            self.acc >>= 32;
            self.n -= 32;
        }
    }

    fn finish(mut self) -> Vec<u8> {
        while self.n > 0 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n = self.n.saturating_sub(8);
        }
        self.out
    }
}

/// The fully transparent tile: a 1-bit PNG whose one palette entry is transparent, encoded
/// once per size. `scale` 2 gives the 512 px tile, every other value the 256 px tile
/// ([`crate::render_tile`] is where a bad scale is refused).
#[must_use]
pub fn empty_tile_png(scale: u8) -> &'static [u8] {
    static CELLS: [OnceLock<Vec<u8>>; 2] = [OnceLock::new(), OnceLock::new()];
    once_per_scale(&CELLS, scale, |grid| {
        encode_indexed(&vec![0u8; grid.len()], grid, &[[0, 0, 0, 0]])
    })
}

/// Bytes made once per tile size (`scale` 2: 512 px, else 256 px) and kept in `cells`.
fn once_per_scale(
    cells: &'static [OnceLock<Vec<u8>>; 2],
    scale: u8,
    make: impl FnOnce(Grid) -> Vec<u8>,
) -> &'static [u8] {
    let (cell, size) = if scale == 2 {
        (&cells[1], 512)
    } else {
        (&cells[0], 256)
    };
    cell.get_or_init(|| make(Grid::new(size)))
}

/// A tile of one colour: the PNG [`encode_indexed`] gives for a buffer of zeros and the palette
/// `[colour]` (1-bit indices), the transparent [`empty_tile_png`] when `colour` is transparent.
///
/// Only the palette differs between colours, so the image stream is encoded once per scale and
/// kept: a one-colour tile costs two chunk checksums, not an encoding.
pub(crate) fn solid_tile_png(colour: [u8; 4], scale: u8) -> Vec<u8> {
    if colour[3] == 0 {
        return empty_tile_png(scale).to_vec();
    }
    static TAILS: [OnceLock<Vec<u8>>; 2] = [OnceLock::new(), OnceLock::new()];
    let tail = once_per_scale(&TAILS, scale, |grid| {
        let png = encode_indexed(&vec![0u8; grid.len()], grid, &[[0, 0, 0, 255]]);
        png[idat_offset(&png)..].to_vec()
    });
    let size = if scale == 2 { 512 } else { 256 };
    let mut png = start_png(size, 1, 3);
    chunk(&mut png, b"PLTE", &colour[..3]);
    if colour[3] != 255 {
        chunk(&mut png, b"tRNS", &colour[3..]);
    }
    png.extend_from_slice(tail);
    png.shrink_to_fit();
    png
}

/// Where the `IDAT` chunk starts in a PNG written by this module (after the signature,
/// `IHDR`, `PLTE` and an optional `tRNS`).
pub(crate) fn idat_offset(png: &[u8]) -> usize {
    let mut at = SIGNATURE.len();
    while at + 8 <= png.len() && &png[at + 4..at + 8] != b"IDAT" {
        let len = u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]) as usize;
        at += 12 + len;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> image::RgbaImage {
        image::load_from_memory_with_format(bytes, image::ImageFormat::Png)
            .unwrap()
            .to_rgba8()
    }

    #[test]
    fn empty_tiles_are_transparent_and_small() {
        for (scale, size) in [(1, 256), (2, 512)] {
            let png = empty_tile_png(scale);
            assert!(png.len() < 400, "{} bytes", png.len());
            let img = decode(png);
            assert_eq!(img.dimensions(), (size, size));
            assert!(img.pixels().all(|p| p.0 == [0, 0, 0, 0]));
        }
        assert!(std::ptr::eq(empty_tile_png(1), empty_tile_png(1)));
    }

    #[test]
    fn indexed_round_trip_at_every_depth() {
        for size in [256u32, 512] {
            for colours in [1usize, 2, 3, 4, 16, 200, 256] {
                let palette: Vec<[u8; 4]> = (0..colours)
                    .map(|i| [i as u8, 255 - i as u8, 7, if i == 1 { 100 } else { 255 }])
                    .collect();
                // Runs, rows repeating the one above, and noise.
                let indices: Vec<u8> = (0..size * size)
                    .map(|k| {
                        let (i, j) = (k % size, k / size);
                        let v = if j % 7 == 0 {
                            k.wrapping_mul(2_654_435_761) >> 13
                        } else {
                            i / 9 + j / 50
                        };
                        (v % colours as u32) as u8
                    })
                    .collect();
                let grid = Grid::new(size as usize);
                let mut buf = vec![0u8; grid.len()];
                for j in 0..grid.size {
                    buf[grid.row(j)].copy_from_slice(&indices[j * grid.size..(j + 1) * grid.size]);
                }
                let png = encode_indexed(&buf, grid, &palette);
                let img = decode(&png);
                for (k, p) in img.pixels().enumerate() {
                    assert_eq!(
                        p.0, palette[indices[k] as usize],
                        "pixel {k} with {colours} colours at {size} px"
                    );
                }
            }
        }
    }

    #[test]
    fn rgba_round_trip() {
        let rgba: Vec<u8> = (0..256 * 256 * 4)
            .map(|k: u32| if k % 1000 < 500 { (k % 251) as u8 } else { 9 })
            .collect();
        let mut stream = Vec::new();
        for row in rgba.chunks_exact(256 * 4) {
            stream.push(0);
            stream.extend_from_slice(row);
        }
        let img = decode(&encode_rgba(&stream, 256));
        assert_eq!(img.as_raw(), &rgba);
    }

    #[test]
    fn flat_tiles_compress_to_little() {
        // Four vertical stripes: every row after the first is one match with the row above.
        let grid = Grid::new(256);
        let mut buf = vec![0u8; grid.len()];
        for j in 0..256 {
            for i in 0..256 {
                buf[grid.index(i, j)] = (i / 64) as u8;
            }
        }
        let png = encode_indexed(
            &buf,
            grid,
            &[[1, 2, 3, 255], [4, 5, 6, 255], [7, 8, 9, 255], [0, 0, 0, 0]],
        );
        assert!(png.len() < 1200, "{} bytes", png.len());
    }

    #[test]
    fn distance_and_length_codes() {
        // Distance 1 is code 0 without extra bits; 257 is code 16 with 7 extra bits (value 0).
        assert_eq!(distance_code(1), (0, 5));
        assert_eq!(distance_code(257), (u64::from(reverse(16, 5)), 12));
        assert_eq!(
            distance_code(513 + 5),
            (u64::from(reverse(18, 5)) | 5 << 5, 13)
        );
        // Length 258 is symbol 285: 8-bit code 0xc5, no extra bits.
        let codes = FixedCodes::get();
        assert_eq!(codes.length[258], (u64::from(reverse(0xc5, 8)), 8));
        // Length 3 is symbol 257: 7-bit code 1.
        assert_eq!(codes.length[3], (u64::from(reverse(1, 7)), 7));
    }

    #[test]
    fn solid_tiles_are_what_encoding_one_colour_gives() {
        for (scale, size) in [(1u8, 256usize), (2, 512)] {
            let grid = Grid::new(size);
            let zeros = vec![0u8; grid.len()];
            for colour in [[255, 255, 178, 255], [189, 0, 38, 128], [1, 2, 3, 1]] {
                let png = solid_tile_png(colour, scale);
                assert_eq!(png, encode_indexed(&zeros, grid, &[colour]), "{colour:?}");
                assert!(decode(&png).pixels().all(|p| p.0 == colour));
            }
            assert_eq!(solid_tile_png([9, 9, 9, 0], scale), empty_tile_png(scale));
        }
    }
}
