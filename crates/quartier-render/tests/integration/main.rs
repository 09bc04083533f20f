//! Integration tests of the tile renderer on real district layers.
//!
//! Every check decodes the PNG the renderer produced. Expected colours come from geometry
//! computed independently of the renderer (geo's interior points, point-in-polygon and
//! distances on the full-detail polygons), never from the renderer itself.

// Test helpers outside `#[test]` functions panic on purpose when a fixture is broken.
#![allow(clippy::unwrap_used)]

mod errors;
mod fixtures;
mod interior;
mod print;
mod references;
mod restyle;
mod seams;
