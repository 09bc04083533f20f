//! Unit tests on small inline geometries.
#![allow(clippy::unwrap_used)]

use geo::wkt;

use super::*;

#[test]
fn a_point_on_a_shared_edge_goes_to_the_first_district() {
    let west = wkt!(MULTIPOLYGON(((0. 0.,1. 0.,1. 1.,0. 1.,0. 0.))));
    let east = wkt!(MULTIPOLYGON(((1. 0.,2. 0.,2. 1.,1. 1.,1. 0.))));
    let index = DistrictIndex::new(&[west, east]);
    assert_eq!(index.locate(geo::coord! { x: 1.0, y: 0.5 }), Some(0));
}
