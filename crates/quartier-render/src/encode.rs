//! PNG encoding: indexed 8-bit (or fewer bits) with a tRNS chunk when the colours fit in a
//! palette, RGBA otherwise; always with the `png` crate's fast (fdeflate) compression and no
//! row filter, which for flat choropleth colours is both the fastest and about the smallest.

use std::sync::OnceLock;

use png::{AdaptiveFilterType, BitDepth, ColorType, Compression, Encoder, FilterType};

use crate::error::RenderError;

/// Encodes a palette image, `indices` row-major one byte per pixel, choosing the smallest bit
/// depth the palette allows (1, 2, 4 or 8 bits).
pub(crate) fn encode_indexed(
    indices: &[u8],
    size: u32,
    palette: &[[u8; 4]],
    effort: Effort,
) -> Result<Vec<u8>, RenderError> {
    let bits: u8 = match palette.len() {
        0..=2 => 1,
        3..=4 => 2,
        5..=16 => 4,
        _ => 8,
    };
    let rgb: Vec<u8> = palette.iter().flat_map(|c| [c[0], c[1], c[2]]).collect();
    let trns_len = palette
        .iter()
        .rposition(|c| c[3] != 255)
        .map_or(0, |i| i + 1);
    let trns: Vec<u8> = palette[..trns_len].iter().map(|c| c[3]).collect();
    let depth = match bits {
        1 => BitDepth::One,
        2 => BitDepth::Two,
        4 => BitDepth::Four,
        _ => BitDepth::Eight,
    };
    if bits == 8 {
        write_png(
            size,
            ColorType::Indexed,
            depth,
            Some((&rgb, &trns)),
            indices,
            effort,
        )
    } else {
        let packed = pack(indices, size as usize, bits);
        write_png(
            size,
            ColorType::Indexed,
            depth,
            Some((&rgb, &trns)),
            &packed,
            effort,
        )
    }
}

/// Encodes straight-alpha RGBA pixels.
pub(crate) fn encode_rgba(rgba: &[u8], size: u32) -> Result<Vec<u8>, RenderError> {
    write_png(
        size,
        ColorType::Rgba,
        BitDepth::Eight,
        None,
        rgba,
        Effort::Fast,
    )
}

/// How hard the compressor works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Effort {
    /// fdeflate: fastest, the choice for everything rendered per request.
    Fast,
    /// zlib's best level: for images encoded once (the empty tile), or so regular that the
    /// slower compressor costs little and shrinks them by an order of magnitude.
    Small,
}

/// Packs one-byte indices into rows of `bits`-bit samples, most significant first.
fn pack(indices: &[u8], size: usize, bits: u8) -> Vec<u8> {
    let per_byte = 8 / usize::from(bits);
    let row_bytes = size.div_ceil(per_byte);
    let mut out = vec![0u8; row_bytes * size];
    for (row_in, row_out) in indices
        .chunks_exact(size)
        .zip(out.chunks_exact_mut(row_bytes))
    {
        for (chunk, byte) in row_in.chunks(per_byte).zip(row_out.iter_mut()) {
            let mut b = 0u8;
            for (k, &v) in chunk.iter().enumerate() {
                b |= v << (8 - usize::from(bits) * (k + 1));
            }
            *byte = b;
        }
    }
    out
}

fn write_png(
    size: u32,
    color: ColorType,
    depth: BitDepth,
    palette: Option<(&[u8], &[u8])>,
    data: &[u8],
    effort: Effort,
) -> Result<Vec<u8>, RenderError> {
    let err = |source| RenderError::Encode { size, source };
    let mut out = Vec::with_capacity(1024 + data.len() / 8);
    let mut encoder = Encoder::new(&mut out, size, size);
    encoder.set_color(color);
    encoder.set_depth(depth);
    encoder.set_compression(match effort {
        Effort::Fast => Compression::Fast,
        Effort::Small => Compression::Best,
    });
    encoder.set_filter(FilterType::NoFilter);
    encoder.set_adaptive_filter(AdaptiveFilterType::NonAdaptive);
    if let Some((rgb, trns)) = palette {
        encoder.set_palette(rgb);
        if !trns.is_empty() {
            encoder.set_trns(trns);
        }
    }
    let mut writer = encoder.write_header().map_err(err)?;
    writer.write_image_data(data).map_err(err)?;
    writer.finish().map_err(err)?;
    Ok(out)
}

/// The fully transparent tile: a 1-bit PNG whose one palette entry is transparent, encoded
/// once per size. `scale` 2 gives the 512 px tile, every other value the 256 px tile
/// ([`crate::render_tile`] is where a bad scale is refused).
#[must_use]
pub fn empty_tile_png(scale: u8) -> &'static [u8] {
    static SMALL: OnceLock<Vec<u8>> = OnceLock::new();
    static LARGE: OnceLock<Vec<u8>> = OnceLock::new();
    let (cell, size) = if scale == 2 {
        (&LARGE, 512u32)
    } else {
        (&SMALL, 256u32)
    };
    cell.get_or_init(|| {
        let indices = vec![0u8; (size * size) as usize];
        // Encoding a constant image into memory cannot fail; should it ever, an empty body
        // is better than a panic in a server, and the unit test below would catch it.
        encode_indexed(&indices, size, &[[0, 0, 0, 0]], Effort::Small).unwrap_or_default()
    })
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
            assert!(png.len() < 200, "{} bytes", png.len());
            let img = decode(png);
            assert_eq!(img.dimensions(), (size, size));
            assert!(img.pixels().all(|p| p.0 == [0, 0, 0, 0]));
        }
        assert!(std::ptr::eq(empty_tile_png(1), empty_tile_png(1)));
    }

    #[test]
    fn indexed_round_trip_at_every_depth() {
        let size = 256u32;
        for colours in [2usize, 4, 16, 200] {
            let palette: Vec<[u8; 4]> = (0..colours)
                .map(|i| [i as u8, 255 - i as u8, 7, if i == 1 { 100 } else { 255 }])
                .collect();
            let indices: Vec<u8> = (0..size * size)
                .map(|k| ((k * 7 + k / 256) % colours as u32) as u8)
                .collect();
            let png = encode_indexed(&indices, size, &palette, Effort::Fast).unwrap();
            let img = decode(&png);
            for (k, p) in img.pixels().enumerate() {
                assert_eq!(
                    p.0, palette[indices[k] as usize],
                    "pixel {k} with {colours} colours"
                );
            }
        }
    }

    #[test]
    fn rgba_round_trip() {
        let rgba: Vec<u8> = (0..256 * 256 * 4).map(|k| (k % 251) as u8).collect();
        let img = decode(&encode_rgba(&rgba, 256).unwrap());
        assert_eq!(img.as_raw(), &rgba);
    }
}
