#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]

mod district_raster;
mod encode;
mod error;
mod hover;
mod inflate;
mod layer;
pub mod print;
mod raster;
mod render;
mod simplify;
mod style;
mod tile;
mod topology;
mod vector_tile;

pub use district_raster::{DistrictRaster, FallbackReason, RestylePath, Restyled};
pub use encode::empty_tile_png;
pub use error::RenderError;
pub use hover::{hover_id_png, hover_utfgrid};
pub use layer::TileLayer;
pub use render::{drawn_border_width, render_one_colour_tile, render_tile};
pub use simplify::SIMPLIFY_TOLERANCE_PX;
pub use style::{TileStyle, MAX_BORDER_WIDTH};
pub use tile::{TileCoord, MERCATOR_HALF_EXTENT, TILE_SIZE};
pub use vector_tile::{render_mvt, MvtAttributes, MvtError, MvtValue, MVT_BUFFER, MVT_EXTENT};
