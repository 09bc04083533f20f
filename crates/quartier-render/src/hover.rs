//! Hover without geometry: which district lies under each pixel of a tile, from the same
//! stack raster as [`crate::DistrictRaster`] (drawn without borders: a border pixel belongs to
//! the district it lies in).
//!
//! Two encodings, both pure functions of the layer and the tile:
//! - [`hover_utfgrid`]: UTFGrid 1.2 JSON, one character per 4 × 4 pixel cell (64 × 64 per
//!   tile), keys are layer indices;
//! - [`hover_id_png`]: a 256 px PNG whose pixel colour is the layer index plus one.
//!
//! Sizes on the US counties (zooms 4 to 8) are measured by the `restyle` bench; see the crate
//! README for which one to serve.

use crate::district_raster::{stack_image, StackImage};
use crate::encode::{encode_indexed, encode_rgba};
use crate::error::RenderError;
use crate::layer::TileLayer;
use crate::raster::Grid;
use crate::render::Setup;
use crate::tile::{TileCoord, TILE_SIZE};

/// UTFGrid cell side in pixels of a 256 px tile.
const CELL: usize = 4;

/// The topmost district (layer index) under every pixel of the 256 px tile, `u32::MAX` where
/// there is none, laid out by `grid`.
fn district_image(layer: &TileLayer, tile: TileCoord) -> Result<(Vec<u32>, Grid), RenderError> {
    let setup = Setup::with_width(layer, tile, 1, 0.0)?;
    let grid = Grid::new(TILE_SIZE as usize);
    let job = setup.job(layer);
    let top = |k: u32| setup.candidates[k as usize];
    if setup.candidates.is_empty() || !job.edge_near(setup.margin) {
        let d = job.centre_stack().last().map_or(u32::MAX, |&k| top(k));
        return Ok((vec![d; grid.len()], grid));
    }
    let Some(StackImage {
        pixels: stacks_buf,
        stacks,
    }) = stack_image(&job, grid)
    else {
        // 65,536 distinct overlaps in one tile: nothing sensible to hover.
        return Ok((vec![u32::MAX; grid.len()], grid));
    };
    let district_of: Vec<u32> = stacks
        .iter()
        .enumerate()
        .map(|(s, &(_, k))| if s == 0 { u32::MAX } else { top(k) })
        .collect();
    Ok((
        stacks_buf
            .iter()
            .map(|&s| district_of[usize::from(s)])
            .collect(),
        grid,
    ))
}

/// Numbers values in order of first appearance; `u32::MAX` (no district) is always key 0.
struct Keys {
    ids: Vec<u32>,
    at: crate::topology::FastMap<u32, u32>,
}

impl Keys {
    fn new() -> Keys {
        let mut at = crate::topology::FastMap::default();
        at.insert(u32::MAX, 0);
        Keys {
            ids: vec![u32::MAX],
            at,
        }
    }

    fn key(&mut self, d: u32) -> u32 {
        let next = self.ids.len() as u32;
        let k = *self.at.entry(d).or_insert(next);
        if k == next {
            self.ids.push(d);
        }
        k
    }
}

/// The districts under `tile` as UTFGrid 1.2 JSON: `grid` holds 64 rows of 64 characters,
/// one per 4 × 4 pixel cell (the district at the cell's pixel `(2, 2)`), and `keys[n]` is the
/// layer index (as a decimal string) of the district character `n` stands for; key 0 (`""`)
/// is no district. The page maps layer indices to its districts through the values endpoint.
///
/// # Errors
/// [`RenderError::InvalidTile`] for a tile that does not exist.
pub fn hover_utfgrid(layer: &TileLayer, tile: TileCoord) -> Result<String, RenderError> {
    let (image, grid) = district_image(layer, tile)?;
    let mut keys = Keys::new();
    let cells = grid.size / CELL;
    let mut json = String::with_capacity(cells * (cells + 3) + 64);
    json.push_str("{\"grid\":[");
    for r in 0..cells {
        if r > 0 {
            json.push(',');
        }
        json.push('"');
        for c in 0..cells {
            let k = keys.key(image[grid.index(c * CELL + CELL / 2, r * CELL + CELL / 2)]);
            json.push(utfgrid_char(k));
        }
        json.push('"');
    }
    json.push_str("],\"keys\":[\"\"");
    for &d in &keys.ids[1..] {
        json.push_str(&format!(",\"{d}\""));
    }
    json.push_str("]}");
    Ok(json)
}

/// UTFGrid's character for key `k`: `k + 32`, skipping `"` and `\`.
fn utfgrid_char(k: u32) -> char {
    let mut code = k + 32;
    if code >= 34 {
        code += 1;
    }
    if code >= 92 {
        code += 1;
    }
    // Past the surrogates a key would need more than 55,000 districts in one tile.
    char::from_u32(code).unwrap_or('\u{fffd}')
}

/// The districts under every pixel of the 256 px `tile` as a PNG: the colour of a pixel, read
/// as a 24-bit number `r·65536 + g·256 + b`, is the district's layer index plus one, and
/// pixels outside every district are transparent. Indexed (up to 255 districts in the tile),
/// else RGBA. A page reads it from a canvas (`getImageData`), which keeps these exact values.
///
/// # Errors
/// [`RenderError::InvalidTile`] for a tile that does not exist.
pub fn hover_id_png(layer: &TileLayer, tile: TileCoord) -> Result<Vec<u8>, RenderError> {
    let (image, grid) = district_image(layer, tile)?;
    let colour = |d: u32| -> [u8; 4] {
        if d == u32::MAX {
            return [0, 0, 0, 0];
        }
        let [_, r, g, b] = (d + 1).to_be_bytes();
        [r, g, b, 255]
    };
    let mut keys = Keys::new();
    let mut buf = vec![0u8; grid.len()];
    let mut indexed = true;
    for j in 0..grid.size {
        for t in grid.row(j) {
            let k = keys.key(image[t]);
            indexed &= k < 256;
            buf[t] = k as u8;
        }
    }
    if indexed {
        let palette: Vec<[u8; 4]> = keys.ids.iter().map(|&d| colour(d)).collect();
        return Ok(encode_indexed(&buf, grid, &palette));
    }
    let mut stream = Vec::with_capacity(grid.size * (4 * grid.size + 1));
    for j in 0..grid.size {
        stream.push(0);
        for t in grid.row(j) {
            stream.extend_from_slice(&colour(image[t]));
        }
    }
    Ok(encode_rgba(&stream, grid.size as u32))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{polygon, MultiPolygon};

    #[test]
    fn utfgrid_characters_skip_quote_and_backslash() {
        assert_eq!(utfgrid_char(0), ' ');
        assert_eq!(utfgrid_char(1), '!');
        assert_eq!(utfgrid_char(2), '#');
        assert_eq!(utfgrid_char(58), '[');
        assert_eq!(utfgrid_char(59), ']');
    }

    /// Two districts side by side: west (index 0) and east (index 1) of x = 0.
    #[test]
    fn both_encodings_name_the_district_under_the_pointer() {
        let west = polygon![(x: -50_000.0, y: -50_000.0), (x: 0.0, y: -50_000.0), (x: 0.0, y: 50_000.0), (x: -50_000.0, y: 50_000.0)];
        let east = polygon![(x: 0.0, y: -50_000.0), (x: 50_000.0, y: -50_000.0), (x: 50_000.0, y: 50_000.0), (x: 0.0, y: 50_000.0)];
        let layer = TileLayer::new(vec![MultiPolygon(vec![west]), MultiPolygon(vec![east])]);
        // Zoom 8, tile 128/127 has its south-west corner at the origin: the east square
        // covers its lower left, 100 km = 164 px wide.
        let tile = TileCoord::new_checked(8, 128, 127).unwrap();
        let json = hover_utfgrid(&layer, tile).unwrap();
        assert!(json.ends_with("\"keys\":[\"\",\"1\"]}"), "{json}");
        let v: Vec<&str> = json.split('"').collect();
        // The first row lies north of the squares; the last row's first cell is in the east
        // square (key 1, '!'), its last cell east of it.
        assert_eq!(v[3], " ".repeat(64));
        assert!(
            v[129].starts_with('!') && v[129].ends_with(' '),
            "{}",
            v[129]
        );
        let png = hover_id_png(&layer, tile).unwrap();
        let img = image::load_from_memory(&png).unwrap().to_rgba8();
        assert_eq!(img.get_pixel(10, 250).0, [0, 0, 2, 255]);
        assert_eq!(img.get_pixel(10, 10).0, [0, 0, 0, 0]);
        assert_eq!(img.get_pixel(250, 250).0, [0, 0, 0, 0]);
    }
}
