//! Quartier's pixels: choropleth tiles and static maps (in progress).
#![forbid(unsafe_code)]
