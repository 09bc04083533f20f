//! Tile coordinates in the XYZ scheme of Web Mercator (EPSG:3857), and the mapping from
//! mercator metres to the pixels of one tile.
//!
//! Every tile of a zoom level cuts its pixels out of one global pixel grid, so pixel `(i, j)`
//! of tile `(z, x, y)` is global pixel `(x * size + i, y * size + j)` and samples the same
//! mercator point whichever tile draws it: that is what keeps tile edges free of seams.

use std::fmt;

/// Half the side of the Web Mercator square in metres (`π × 6 378 137`).
///
/// The world spans `-MERCATOR_HALF_EXTENT..MERCATOR_HALF_EXTENT` on both axes.
pub const MERCATOR_HALF_EXTENT: f64 = std::f64::consts::PI * 6_378_137.0;

/// Side of a tile in pixels at scale 1.
pub const TILE_SIZE: u32 = 256;

/// One tile of the XYZ scheme: zoom `z`, column `x` from the west, row `y` from the north.
///
/// Build it with [`TileCoord::new_checked`], which refuses tiles that do not exist at the zoom.
/// The fields are public so that a router can match on them; [`crate::render_tile`] checks a
/// tile built by hand again and answers with an error, never a panic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileCoord {
    /// Zoom level, `0..=TileCoord::MAX_ZOOM`.
    pub z: u8,
    /// Column, `0..2^z`, counted from the antimeridian eastwards.
    pub x: u32,
    /// Row, `0..2^z`, counted from the north (y = 0 at the top, as in XYZ, not TMS).
    pub y: u32,
}

impl TileCoord {
    /// The deepest zoom served.
    ///
    /// At zoom 22 a 256 px tile is about 10 m wide and a pixel under 4 cm, well past any
    /// district boundary's precision, and `x * 512` still fits comfortably in `u32`.
    pub const MAX_ZOOM: u8 = 22;

    /// The tile at `z/x/y`, or `None` when the zoom is above [`Self::MAX_ZOOM`] or `x` or `y`
    /// is not below `2^z`.
    #[must_use]
    pub fn new_checked(z: u8, x: u32, y: u32) -> Option<TileCoord> {
        let tile = TileCoord { z, x, y };
        tile.is_valid().then_some(tile)
    }

    /// The tile at `z/x/y` without checks; [`crate::render_tile`] still refuses it when it
    /// does not exist.
    #[must_use]
    pub const fn new_unchecked(z: u8, x: u32, y: u32) -> TileCoord {
        TileCoord { z, x, y }
    }

    /// Whether the tile exists: zoom at most [`Self::MAX_ZOOM`], `x` and `y` below `2^z`.
    #[must_use]
    pub fn is_valid(&self) -> bool {
        self.z <= Self::MAX_ZOOM
            && self.x < Self::tiles_per_side(self.z)
            && self.y < Self::tiles_per_side(self.z)
    }

    /// Number of tiles along one side of the world at zoom `z` (`2^z`), saturating above zoom 31.
    #[must_use]
    pub fn tiles_per_side(z: u8) -> u32 {
        1u32.checked_shl(u32::from(z)).unwrap_or(u32::MAX)
    }

    /// The tile's extent in Web Mercator metres as `[min_x, min_y, max_x, max_y]`
    /// (west, south, east, north).
    #[must_use]
    pub fn bounds_mercator(&self) -> [f64; 4] {
        let side = 2.0 * MERCATOR_HALF_EXTENT / f64::from(Self::tiles_per_side(self.z));
        let west = -MERCATOR_HALF_EXTENT + f64::from(self.x) * side;
        let north = MERCATOR_HALF_EXTENT - f64::from(self.y) * side;
        [west, north - side, west + side, north]
    }

    /// The tile one zoom level up that contains this one, or `None` at zoom 0.
    #[must_use]
    pub fn parent(&self) -> Option<TileCoord> {
        let z = self.z.checked_sub(1)?;
        Some(TileCoord {
            z,
            x: self.x / 2,
            y: self.y / 2,
        })
    }

    /// The four tiles one zoom level down, in the order north-west, north-east, south-west,
    /// south-east; `None` at [`Self::MAX_ZOOM`].
    #[must_use]
    pub fn children(&self) -> Option<[TileCoord; 4]> {
        if self.z >= Self::MAX_ZOOM {
            return None;
        }
        let (z, x, y) = (self.z + 1, self.x * 2, self.y * 2);
        Some([
            TileCoord { z, x, y },
            TileCoord { z, x: x + 1, y },
            TileCoord { z, x, y: y + 1 },
            TileCoord {
                z,
                x: x + 1,
                y: y + 1,
            },
        ])
    }
}

impl fmt::Display for TileCoord {
    /// Prints `z/x/y`, the form used in tile URLs and error messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.z, self.x, self.y)
    }
}

/// The affine map from mercator metres to the pixels of one tile at one size.
///
/// The scale factor depends only on the size of the whole world in pixels, so tile `z@2x` and
/// the four tiles `z+1` below it share one global pixel grid exactly.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PixelFrame {
    /// Pixels per mercator metre.
    pub k: f64,
    /// Global pixel column of the tile's left edge.
    pub ox: f64,
    /// Global pixel row of the tile's top edge.
    pub oy: f64,
    /// Tile side in pixels.
    pub size: usize,
}

impl PixelFrame {
    pub fn new(tile: TileCoord, size: u32) -> PixelFrame {
        let world_px = f64::from(size) * f64::from(TileCoord::tiles_per_side(tile.z));
        PixelFrame {
            k: world_px / (2.0 * MERCATOR_HALF_EXTENT),
            ox: f64::from(tile.x) * f64::from(size),
            oy: f64::from(tile.y) * f64::from(size),
            size: size as usize,
        }
    }

    /// Global pixel coordinates first, then the tile's offset subtracted: the offset is an
    /// integer well inside f64's exact range, so the same point lands on the same global spot
    /// in every tile.
    #[inline]
    pub fn pixel(&self, p: [f64; 2]) -> [f64; 2] {
        [
            (p[0] + MERCATOR_HALF_EXTENT) * self.k - self.ox,
            (MERCATOR_HALF_EXTENT - p[1]) * self.k - self.oy,
        ]
    }

    /// Mercator box of the tile grown by `margin_px` pixels on every side, `[min_x, min_y, max_x, max_y]`.
    pub fn mercator_box(&self, margin_px: f64) -> [f64; 4] {
        let min_x = (self.ox - margin_px) / self.k - MERCATOR_HALF_EXTENT;
        let max_x = (self.ox + self.size as f64 + margin_px) / self.k - MERCATOR_HALF_EXTENT;
        let max_y = MERCATOR_HALF_EXTENT - (self.oy - margin_px) / self.k;
        let min_y = MERCATOR_HALF_EXTENT - (self.oy + self.size as f64 + margin_px) / self.k;
        [min_x, min_y, max_x, max_y]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_tiles() {
        assert!(TileCoord::new_checked(0, 0, 0).is_some());
        assert!(TileCoord::new_checked(0, 1, 0).is_none());
        assert!(TileCoord::new_checked(3, 7, 7).is_some());
        assert!(TileCoord::new_checked(3, 8, 0).is_none());
        assert!(TileCoord::new_checked(22, (1 << 22) - 1, 0).is_some());
        assert!(TileCoord::new_checked(23, 0, 0).is_none());
        assert!(TileCoord::new_checked(255, 0, 0).is_none());
        assert_eq!(
            TileCoord::new_unchecked(12, 1234, 1521).to_string(),
            "12/1234/1521"
        );
    }

    #[test]
    fn bounds_of_world_and_quadrants() {
        let e = MERCATOR_HALF_EXTENT;
        assert_eq!(
            TileCoord::new_unchecked(0, 0, 0).bounds_mercator(),
            [-e, -e, e, e]
        );
        // y = 0 is the northern row.
        assert_eq!(
            TileCoord::new_unchecked(1, 0, 0).bounds_mercator(),
            [-e, 0.0, 0.0, e]
        );
        assert_eq!(
            TileCoord::new_unchecked(1, 1, 1).bounds_mercator(),
            [0.0, -e, e, 0.0]
        );
    }

    #[test]
    fn parent_and_children() {
        let t = TileCoord::new_unchecked(5, 9, 12);
        let kids = t.children().unwrap();
        assert!(kids.iter().all(|k| k.parent() == Some(t)));
        assert_eq!(kids[3], TileCoord::new_unchecked(6, 19, 25));
        assert!(TileCoord::new_unchecked(0, 0, 0).parent().is_none());
        assert!(TileCoord::new_unchecked(22, 0, 0).children().is_none());
    }

    #[test]
    fn frame_maps_tile_corners_to_pixel_corners() {
        let t = TileCoord::new_unchecked(7, 35, 50);
        let b = t.bounds_mercator();
        for size in [256, 512] {
            let f = PixelFrame::new(t, size);
            let nw = f.pixel([b[0], b[3]]);
            let se = f.pixel([b[2], b[1]]);
            assert!(nw[0].abs() < 1e-6 && nw[1].abs() < 1e-6, "{nw:?}");
            assert!(
                (se[0] - f64::from(size)).abs() < 1e-6 && (se[1] - f64::from(size)).abs() < 1e-6
            );
            let mb = f.mercator_box(0.0);
            for (a, b) in mb.iter().zip(b) {
                assert!((a - b).abs() < 1e-6);
            }
        }
    }

    #[test]
    fn parent_at_2x_shares_the_children_grid() {
        let parent = TileCoord::new_unchecked(9, 140, 200);
        let fp = PixelFrame::new(parent, 512);
        let p = [-8_800_000.123, 4_300_000.456];
        let gp = fp.pixel(p);
        for kid in parent.children().unwrap() {
            let fk = PixelFrame::new(kid, 256);
            let gk = fk.pixel(p);
            let dx = f64::from(kid.x - parent.x * 2) * 256.0;
            let dy = f64::from(kid.y - parent.y * 2) * 256.0;
            assert_eq!(gk[0] + dx, gp[0]);
            assert_eq!(gk[1] + dy, gp[1]);
        }
    }
}
