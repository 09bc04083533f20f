//! Vector tiles: the districts meeting one tile as a Mapbox Vector Tile 2.1.
//!
//! The geometry is the renderer's own: the shared arcs of [`TileLayer`] at the level of detail
//! the raster tiles use (the `@2x` level, since map clients draw a vector tile 512 px wide), so
//! a vector tile and a PNG tile of the same zoom show the same boundaries, and neighbours
//! still share them vertex for vertex.
//!
//! Per district, the arcs are chained back into rings; a ring inside an odd number of the
//! district's other rings is a hole. Each ring is clipped to the tile plus [`MVT_BUFFER`]
//! (Sutherland-Hodgman against the rectangle, as geojson-vt does: a concave ring may get
//! zero-width spurs along the buffer edge, outside the visible tile, which fill nothing), put
//! on the integer grid of [`MVT_EXTENT`], and oriented as the specification wants (exterior
//! rings clockwise on screen, positive area in tile coordinates; holes the other way), each
//! exterior followed by its holes. The protobuf is written by the `mvt` crate.

use mvt::{GeomEncoder, GeomType, Tile};

use crate::layer::TileLayer;
use crate::simplify::Level;
use crate::tile::{PixelFrame, TileCoord};

/// Size of the tile's integer grid (the MVT default).
pub const MVT_EXTENT: u32 = 4096;

/// Grid units kept beyond each tile edge, so that clients draw fills and outlines across tile
/// edges without seams (64 of 4096, 4 px of a 256 px tile, geojson-vt's default).
pub const MVT_BUFFER: u32 = 64;

/// A property value of one feature.
#[derive(Debug, Clone, PartialEq)]
pub enum MvtValue {
    /// Text: ids (keeping leading zeros), names, colours such as `#bd0026`.
    Text(String),
    /// A number (stored as a double).
    Number(f64),
    /// A whole number, such as a class index (stored as a signed integer).
    Integer(i64),
}

/// The properties of every district: one row per district in layer order, one value per key;
/// `None` leaves that key out of the district's feature (a missing value).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MvtAttributes {
    /// Property names, the same for every feature.
    pub keys: Vec<String>,
    /// `rows[d][k]` is district `d`'s value of `keys[k]`.
    pub rows: Vec<Vec<Option<MvtValue>>>,
}

/// Why [`render_mvt`] refused a request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MvtError {
    /// The attributes do not give one row per district.
    #[error("attributes have {rows} rows but the layer has {districts} districts; give one row per district, in layer order")]
    RowCountMismatch {
        /// Rows given.
        rows: usize,
        /// Districts in the layer.
        districts: usize,
    },
    /// A row does not give one value (or `None`) per key.
    #[error("attribute row of district {district} has {values} values for {keys} keys; give one value or None per key")]
    RowWidthMismatch {
        /// Position of the district in the layer.
        district: usize,
        /// Values in its row.
        values: usize,
        /// Keys given.
        keys: usize,
    },
    /// The tile does not exist at its zoom.
    #[error(
        "tile {tile} does not exist; zoom goes from 0 to {}, and x and y from 0 to 2^zoom - 1",
        TileCoord::MAX_ZOOM
    )]
    InvalidTile {
        /// The tile asked for.
        tile: TileCoord,
    },
    /// The `mvt` crate refused to encode (an empty layer name, for example).
    #[error("cannot encode vector tile {tile}: {source}")]
    Encode {
        /// The tile asked for.
        tile: TileCoord,
        /// What the encoder said.
        #[source]
        source: mvt::Error,
    },
}

/// The districts meeting `tile` as one MVT layer called `layer_name`, with the properties of
/// `attributes`; the feature id is the district's position in the layer.
///
/// Returns the protobuf bytes, uncompressed; a tile no district reaches has no layer at all
/// (zero bytes, a valid empty tile). Pure and panic-free like [`crate::render_tile`].
///
/// # Errors
///
/// Attributes that do not match the layer, a tile that does not exist, or an encoder failure.
pub fn render_mvt(
    layer: &TileLayer,
    attributes: &MvtAttributes,
    layer_name: &str,
    tile: TileCoord,
) -> Result<Vec<u8>, MvtError> {
    if attributes.rows.len() != layer.len() {
        return Err(MvtError::RowCountMismatch {
            rows: attributes.rows.len(),
            districts: layer.len(),
        });
    }
    if let Some((district, row)) = attributes
        .rows
        .iter()
        .enumerate()
        .find(|(_, r)| r.len() != attributes.keys.len())
    {
        return Err(MvtError::RowWidthMismatch {
            district,
            values: row.len(),
            keys: attributes.keys.len(),
        });
    }
    if !tile.is_valid() {
        return Err(MvtError::InvalidTile { tile });
    }
    let encode = |source| MvtError::Encode { tile, source };
    let frame = PixelFrame::new(tile, MVT_EXTENT);
    let query = frame.mercator_box(f64::from(MVT_BUFFER));
    let level = layer.level(tile.z, 2);
    let mut districts = Vec::new();
    layer.districts_in(query, &mut districts);

    let mut out = Tile::new(MVT_EXTENT);
    let mut mvt_layer = out.create_layer(layer_name);
    let mut any = false;
    let mut rings = Vec::new();
    for &d in &districts {
        let d = d as usize;
        district_rings(layer, level, d, &mut rings);
        rings.retain(|r| overlaps(ring_bbox(r), query));
        let polygons = tile_polygons(&rings, &frame);
        if polygons.is_empty() {
            continue;
        }
        let mut geom = GeomEncoder::<i32>::new(GeomType::Polygon);
        let mut last: Option<[i32; 2]> = None;
        for ring in polygons.iter().flatten() {
            // The encoder drops the MoveTo of a ring that starts where the previous one ended;
            // start one vertex later then (a ring has no two equal consecutive vertices).
            let start = usize::from(last == ring.first().copied());
            for k in 0..ring.len() {
                let p = ring[(start + k) % ring.len()];
                geom.add_point(p[0], p[1]).map_err(encode)?;
            }
            geom.complete_geom().map_err(encode)?;
            last = Some(ring[(start + ring.len() - 1) % ring.len()]);
        }
        let mut feature = mvt_layer.into_feature(geom.encode().map_err(encode)?);
        feature.set_id(d as u64);
        for (key, value) in attributes.keys.iter().zip(&attributes.rows[d]) {
            match value {
                Some(MvtValue::Text(s)) => feature.add_tag_string(key, s),
                Some(MvtValue::Number(v)) => feature.add_tag_double(key, *v),
                Some(MvtValue::Integer(v)) => feature.add_tag_sint(key, *v),
                None => {}
            }
        }
        mvt_layer = feature.into_layer();
        any = true;
    }
    if !any {
        return Ok(Vec::new());
    }
    out.add_layer(mvt_layer).map_err(encode)?;
    out.to_bytes().map_err(encode)
}

/// District `d`'s rings at `level`, in mercator metres, without the closing vertex.
///
/// A district's arcs are stored ring after ring, each arc in a canonical direction shared with
/// the neighbour; consecutive arcs of one ring meet at a junction, so chaining them end to
/// start (reversing an arc or the first one where needed) rebuilds the rings. An arc that
/// vanished at this level (a small closed ring) leaves nothing.
fn district_rings(layer: &TileLayer, level: &Level, d: usize, rings: &mut Vec<Vec<[f64; 2]>>) {
    rings.clear();
    let mut ring: Vec<[f64; 2]> = Vec::new();
    let mut ring_arcs = 0;
    for &a in layer.arcs_of(d) {
        let pts = level.arc(a as usize);
        let (Some(&first), Some(&last)) = (pts.first(), pts.last()) else {
            continue;
        };
        if let Some(&end) = ring.last() {
            let start = ring[0];
            if ring_arcs == 1 && end != first && end != last && (start == first || start == last) {
                ring.reverse();
            }
            let end = ring.last().copied().unwrap_or(end);
            if end == first {
                ring.extend_from_slice(&pts[1..]);
            } else if end == last {
                ring.extend(pts.iter().rev().skip(1));
            } else {
                // Not a continuation (input the topology could not chain): keep what we have.
                finish_ring(&mut ring, rings);
                ring.extend_from_slice(pts);
                ring_arcs = 0;
            }
        } else {
            ring.extend_from_slice(pts);
        }
        ring_arcs += 1;
        if ring.len() > 1 && ring.first() == ring.last() {
            finish_ring(&mut ring, rings);
            ring_arcs = 0;
        }
    }
    finish_ring(&mut ring, rings);
}

fn finish_ring(ring: &mut Vec<[f64; 2]>, rings: &mut Vec<Vec<[f64; 2]>>) {
    if ring.len() > 1 && ring.first() == ring.last() {
        ring.pop();
    }
    if ring.len() >= 3 {
        rings.push(std::mem::take(ring));
    }
    ring.clear();
}

/// The district's rings as MVT polygons: each exterior ring (positive area in tile
/// coordinates, y down) followed by its holes (negative area), clipped and on the grid.
fn tile_polygons(rings: &[Vec<[f64; 2]>], frame: &PixelFrame) -> Vec<Vec<Vec<[i32; 2]>>> {
    let boxes: Vec<[f64; 4]> = rings.iter().map(|r| ring_bbox(r)).collect();
    let areas: Vec<f64> = rings.iter().map(|r| signed_area(r).abs()).collect();
    // Parent: the smallest ring containing this one; depth: how many rings contain it.
    let mut parent = vec![None; rings.len()];
    let mut depth = vec![0usize; rings.len()];
    for i in 0..rings.len() {
        for j in 0..rings.len() {
            if i == j || areas[j] <= areas[i] || !inside_box(boxes[i], boxes[j]) {
                continue;
            }
            if ring_inside(&rings[i], &rings[j]) {
                depth[i] += 1;
                if parent[i].is_none_or(|p: usize| areas[j] < areas[p]) {
                    parent[i] = Some(j);
                }
            }
        }
    }
    let lo = -f64::from(MVT_BUFFER);
    let hi = f64::from(MVT_EXTENT + MVT_BUFFER);
    let clipped: Vec<Option<Vec<[i32; 2]>>> = rings
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let px: Vec<[f64; 2]> = r.iter().map(|&p| frame.pixel(p)).collect();
            let mut grid = on_grid(&clip_to_box(&px, lo, hi));
            let area = grid_area(&grid);
            if area == 0 {
                return None;
            }
            // Exterior: positive area in tile coordinates (clockwise on screen).
            if depth[i].is_multiple_of(2) != (area > 0) {
                grid.reverse();
            }
            Some(grid)
        })
        .collect();
    let mut polygons = Vec::new();
    for (i, ext) in clipped.iter().enumerate() {
        let Some(ext) = ext.as_ref().filter(|_| depth[i].is_multiple_of(2)) else {
            continue;
        };
        let mut polygon = vec![ext.clone()];
        polygon.extend(
            (0..rings.len())
                .filter(|&h| depth[h] % 2 == 1 && parent[h] == Some(i))
                .filter_map(|h| clipped[h].clone()),
        );
        polygons.push(polygon);
    }
    polygons
}

/// `[min_x, min_y, max_x, max_y]` of a ring.
fn ring_bbox(r: &[[f64; 2]]) -> [f64; 4] {
    r.iter()
        .fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |b, p| {
            [
                b[0].min(p[0]),
                b[1].min(p[1]),
                b[2].max(p[0]),
                b[3].max(p[1]),
            ]
        })
}

fn overlaps(a: [f64; 4], b: [f64; 4]) -> bool {
    a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]
}

fn inside_box(inner: [f64; 4], outer: [f64; 4]) -> bool {
    inner[0] >= outer[0] && inner[1] >= outer[1] && inner[2] <= outer[2] && inner[3] <= outer[3]
}

/// Shoelace area (positive for counter-clockwise with y up).
fn signed_area(r: &[[f64; 2]]) -> f64 {
    let n = r.len();
    (0..n)
        .map(|i| {
            let (p, q) = (r[i], r[(i + 1) % n]);
            p[0] * q[1] - q[0] * p[1]
        })
        .sum::<f64>()
        / 2.0
}

/// Whether ring `a` lies inside ring `b`, judged by the first vertex of `a` that is not a
/// vertex of `b` (rings of one district may touch at junctions, never cross).
fn ring_inside(a: &[[f64; 2]], b: &[[f64; 2]]) -> bool {
    a.iter().find_map(|&p| point_in_ring(p, b)).unwrap_or(false)
}

/// Even-odd point in ring; `None` when `p` is a vertex of the ring.
fn point_in_ring(p: [f64; 2], ring: &[[f64; 2]]) -> Option<bool> {
    let mut inside = false;
    let n = ring.len();
    for i in 0..n {
        let (a, b) = (ring[i], ring[(i + 1) % n]);
        if a == p {
            return None;
        }
        if (a[1] > p[1]) != (b[1] > p[1]) {
            let x = a[0] + (p[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0]);
            if p[0] < x {
                inside = !inside;
            }
        }
    }
    Some(inside)
}

/// Sutherland-Hodgman clip of a closed ring (no repeated closing vertex) to the square
/// `[lo, hi]²`.
fn clip_to_box(ring: &[[f64; 2]], lo: f64, hi: f64) -> Vec<[f64; 2]> {
    let mut pts = ring.to_vec();
    for (axis, bound, keep_below) in [(0, lo, false), (0, hi, true), (1, lo, false), (1, hi, true)]
    {
        let inside = |p: [f64; 2]| {
            if keep_below {
                p[axis] <= bound
            } else {
                p[axis] >= bound
            }
        };
        let mut next = Vec::with_capacity(pts.len() + 4);
        for i in 0..pts.len() {
            let (cur, prev) = (pts[i], pts[(i + pts.len() - 1) % pts.len()]);
            if inside(cur) != inside(prev) {
                let t = (bound - prev[axis]) / (cur[axis] - prev[axis]);
                let mut q = [
                    prev[0] + t * (cur[0] - prev[0]),
                    prev[1] + t * (cur[1] - prev[1]),
                ];
                q[axis] = bound;
                next.push(q);
            }
            if inside(cur) {
                next.push(cur);
            }
        }
        pts = next;
        if pts.is_empty() {
            break;
        }
    }
    pts
}

/// Rounds to the grid and drops consecutive repeats (also the last against the first).
fn on_grid(ring: &[[f64; 2]]) -> Vec<[i32; 2]> {
    let mut out: Vec<[i32; 2]> = Vec::with_capacity(ring.len());
    for p in ring {
        // Clipped to the buffered tile, so every coordinate fits in i32.
        let q = [p[0].round() as i32, p[1].round() as i32];
        if out.last() != Some(&q) {
            out.push(q);
        }
    }
    while out.len() > 1 && out.first() == out.last() {
        out.pop();
    }
    out
}

/// Twice the shoelace area on the grid (positive: clockwise on screen, y down); 0 for fewer
/// than three vertices.
fn grid_area(ring: &[[i32; 2]]) -> i64 {
    if ring.len() < 3 {
        return 0;
    }
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (p, q) = (ring[i], ring[(i + 1) % n]);
            i64::from(p[0]) * i64::from(q[1]) - i64::from(q[0]) * i64::from(p[1])
        })
        .sum()
}

#[cfg(test)]
#[path = "vector_tile_tests.rs"]
mod tests;
