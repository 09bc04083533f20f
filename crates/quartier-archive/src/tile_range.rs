//! [`TileRange`]: the tiles of one zoom that cover an extent, which is what a seeder walks
//! (`quartier seed --bbox W,S,E,N --zoom 0-12`).

use quartier_render::{TileCoord, MERCATOR_HALF_EXTENT};

/// Latitude limit of Web Mercator tiles in degrees.
const MAX_LAT: f64 = 85.051_128_779_806_59;

/// The rectangle of tiles of zoom `z` from column `x0` to `x1` and row `y0` to `y1` (inclusive,
/// rows from the north); iterate it for the tiles, column after column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TileRange {
    /// Zoom level.
    pub z: u8,
    /// Westernmost column.
    pub x0: u32,
    /// Easternmost column.
    pub x1: u32,
    /// Northernmost row.
    pub y0: u32,
    /// Southernmost row.
    pub y1: u32,
}

impl TileRange {
    /// The tiles of zoom `z` meeting `bounds` in Web Mercator metres (`[min_x, min_y, max_x,
    /// max_y]`); `None` when the zoom is above [`TileCoord::MAX_ZOOM`] or a bound is not finite.
    #[must_use]
    pub fn covering_mercator(bounds: [f64; 4], z: u8) -> Option<TileRange> {
        if z > TileCoord::MAX_ZOOM || bounds.iter().any(|b| !b.is_finite()) {
            return None;
        }
        let n = TileCoord::tiles_per_side(z);
        let side = 2.0 * MERCATOR_HALF_EXTENT / f64::from(n);
        let last = f64::from(n - 1);
        // Clamped to the world first, so every value fits the tile grid.
        let col = |x: f64| ((x + MERCATOR_HALF_EXTENT) / side).floor().clamp(0.0, last) as u32;
        let row = |y: f64| ((MERCATOR_HALF_EXTENT - y) / side).floor().clamp(0.0, last) as u32;
        Some(TileRange {
            z,
            x0: col(bounds[0].min(bounds[2])),
            x1: col(bounds[0].max(bounds[2])),
            y0: row(bounds[1].max(bounds[3])),
            y1: row(bounds[1].min(bounds[3])),
        })
    }

    /// The tiles of zoom `z` meeting `bounds` in degrees (`[west, south, east, north]`),
    /// latitudes clamped to Web Mercator's ±85.0511°.
    #[must_use]
    pub fn covering_lonlat(bounds: [f64; 4], z: u8) -> Option<TileRange> {
        let merc = |lon: f64, lat: f64| {
            let lat = lat.clamp(-MAX_LAT, MAX_LAT).to_radians();
            let r = MERCATOR_HALF_EXTENT / std::f64::consts::PI;
            [
                r * lon.to_radians(),
                r * (std::f64::consts::FRAC_PI_4 + lat / 2.0).tan().ln(),
            ]
        };
        let [w, s] = merc(bounds[0], bounds[1]);
        let [e, n] = merc(bounds[2], bounds[3]);
        TileRange::covering_mercator([w, s, e, n], z)
    }

    /// The range grown by `tiles` on every side, within the world.
    #[must_use]
    pub fn grow(self, tiles: u32) -> TileRange {
        let last = TileCoord::tiles_per_side(self.z) - 1;
        TileRange {
            x0: self.x0.saturating_sub(tiles),
            x1: self.x1.saturating_add(tiles).min(last),
            y0: self.y0.saturating_sub(tiles),
            y1: self.y1.saturating_add(tiles).min(last),
            ..self
        }
    }

    /// Number of tiles in the range.
    #[must_use]
    pub fn len(&self) -> u64 {
        u64::from(self.x1 - self.x0 + 1) * u64::from(self.y1 - self.y0 + 1)
    }

    /// Always false: a range holds at least one tile.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        false
    }
}

impl IntoIterator for TileRange {
    type Item = TileCoord;
    type IntoIter = Box<dyn Iterator<Item = TileCoord> + Send>;

    fn into_iter(self) -> Self::IntoIter {
        let TileRange { z, x0, x1, y0, y1 } = self;
        Box::new(
            (x0..=x1).flat_map(move |x| (y0..=y1).map(move |y| TileCoord::new_unchecked(z, x, y))),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nc_at_zoom_7_and_the_world() {
        // North Carolina (-84.32, 33.88, -75.46, 36.59): columns 34-37, rows 50-51 at zoom 7.
        let r = TileRange::covering_lonlat([-84.3239, 33.882, -75.457, 36.5896], 7).unwrap();
        assert_eq!((r.x0, r.x1, r.y0, r.y1), (34, 37, 50, 51));
        assert_eq!(r.len(), 8);
        assert_eq!(r.into_iter().count(), 8);
        let grown = r.grow(1);
        assert_eq!((grown.x0, grown.x1, grown.y0, grown.y1), (33, 38, 49, 52));
        let world = TileRange::covering_lonlat([-180.0, -90.0, 180.0, 90.0], 2).unwrap();
        assert_eq!(
            (world.x0, world.x1, world.y0, world.y1, world.len()),
            (0, 3, 0, 3, 16)
        );
        assert_eq!(world.grow(5), world);
        assert!(TileRange::covering_lonlat([0.0, 0.0, 1.0, f64::NAN], 3).is_none());
        assert!(TileRange::covering_mercator([0.0; 4], 23).is_none());
    }
}
