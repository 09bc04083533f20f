//! Which district contains a point: the `/at?lon=&lat=` lookup.
//!
//! An R-tree of district envelopes (WGS84), bulk-loaded once when the atlas is loaded, narrows a
//! point down to the few districts whose bounding box holds it; an exact point-in-polygon test
//! (geo's `Intersects`, so a point on a border counts) decides among them.
//! The tree ties each envelope to the district's position with rstar's `GeomWithData`, as in
//! `rstar/src/primitives/geom_with_data.rs`.

use geo::{BoundingRect, Intersects, Point};
use quartier_geo::layer::District;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

type Envelope = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// A point locator over one layer's districts.
#[derive(Debug, Clone)]
pub struct Locator {
    tree: RTree<Envelope>,
}

impl Locator {
    /// Index these districts (WGS84 geometry). Districts without geometry are left out.
    pub fn new(districts: &[District]) -> Self {
        let envelopes = districts
            .iter()
            .enumerate()
            .filter_map(|(i, d)| {
                let r = d.geometry.bounding_rect()?;
                let rect = Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
                Some(GeomWithData::new(rect, i))
            })
            .collect();
        Locator {
            tree: RTree::bulk_load(envelopes),
        }
    }

    /// Position (in `districts`) of the district containing `(lon, lat)`.
    ///
    /// Where districts overlap or a point lies on a shared border, the first in layer order wins,
    /// so the answer does not depend on the tree's layout.
    pub fn locate(&self, districts: &[District], lon: f64, lat: f64) -> Option<usize> {
        let point = Point::new(lon, lat);
        let probe = AABB::from_point([lon, lat]);
        self.tree
            .locate_in_envelope_intersecting(&probe)
            .map(|e| e.data)
            .filter(|&i| {
                districts
                    .get(i)
                    .is_some_and(|d| d.geometry.intersects(&point))
            })
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, MultiPolygon};

    fn district(id: &str, poly: geo::Polygon<f64>) -> District {
        let geometry = MultiPolygon(vec![poly]);
        District {
            id: id.into(),
            name: id.into(),
            mercator: geometry.clone(),
            geometry,
        }
    }

    /// Two squares side by side, the second with a hole; a triangle whose envelope overlaps both.
    fn districts() -> Vec<District> {
        vec![
            district(
                "a",
                polygon![(x: 0., y: 0.), (x: 1., y: 0.), (x: 1., y: 1.), (x: 0., y: 1.)],
            ),
            district(
                "b",
                polygon!(
                    exterior: [(x: 1., y: 0.), (x: 2., y: 0.), (x: 2., y: 1.), (x: 1., y: 1.)],
                    interiors: [[(x: 1.4, y: 0.4), (x: 1.6, y: 0.4), (x: 1.6, y: 0.6), (x: 1.4, y: 0.6)]],
                ),
            ),
            district(
                "c",
                polygon![(x: 0., y: 1.), (x: 2., y: 1.), (x: 2., y: 3.)],
            ),
        ]
    }

    #[test]
    fn finds_the_containing_district() {
        let d = districts();
        let loc = Locator::new(&d);
        assert_eq!(loc.locate(&d, 0.5, 0.5), Some(0));
        assert_eq!(loc.locate(&d, 1.2, 0.2), Some(1));
        // Inside c's envelope but outside the triangle: nothing.
        assert_eq!(loc.locate(&d, 0.2, 2.5), None);
        assert_eq!(loc.locate(&d, 1.8, 2.0), Some(2));
    }

    #[test]
    fn holes_and_outside_are_not_inside() {
        let d = districts();
        let loc = Locator::new(&d);
        assert_eq!(loc.locate(&d, 1.5, 0.5), None);
        assert_eq!(loc.locate(&d, 5.0, 5.0), None);
    }

    #[test]
    fn shared_border_goes_to_the_first_district() {
        let d = districts();
        let loc = Locator::new(&d);
        assert_eq!(loc.locate(&d, 1.0, 0.5), Some(0));
    }
}
