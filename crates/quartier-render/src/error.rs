//! The one error type of the crate: why a tile could not be drawn.

/// Why [`crate::render_tile`] refused to draw a tile.
///
/// Every variant is a problem with the request (style, tile, scale), not with the layer:
/// a layer that was built is always drawable.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// The style does not give exactly one fill colour per district.
    ///
    /// Consider: build `TileStyle::fills` from the layer's districts in layer order.
    #[error("style has {fills} fill colours but the layer has {districts} districts; give one colour per district, in layer order")]
    FillCountMismatch {
        /// Number of colours in the style.
        fills: usize,
        /// Number of districts in the layer.
        districts: usize,
    },
    /// The scale is neither 1 (256 px tiles) nor 2 (512 px `@2x` tiles).
    #[error("unsupported tile scale {scale}; use 1 for 256 px tiles or 2 for 512 px @2x tiles")]
    UnsupportedScale {
        /// The scale asked for.
        scale: u8,
    },
    /// The tile does not exist at its zoom.
    #[error("tile {z}/{x}/{y} does not exist; zoom goes from 0 to {max_zoom}, and x and y from 0 to 2^zoom - 1")]
    InvalidTile {
        /// Zoom asked for.
        z: u8,
        /// Column asked for.
        x: u32,
        /// Row asked for.
        y: u32,
        /// The deepest zoom, [`crate::TileCoord::MAX_ZOOM`].
        max_zoom: u8,
    },
    /// The border width is negative, not a number, or wider than the renderer draws.
    #[error("border width {width} px is not usable; give a finite width from 0 to {max} px (0 draws no border)")]
    InvalidBorderWidth {
        /// The width asked for, in CSS pixels at scale 1.
        width: f32,
        /// The widest border drawn, [`crate::MAX_BORDER_WIDTH`].
        max: f32,
    },
    /// A [`crate::DistrictRaster`] was asked for a style whose drawn border width is not the
    /// one it was drawn with.
    ///
    /// Consider: key rasters by [`crate::drawn_border_width`] of the style.
    #[error("the district raster was drawn with {raster} px borders but the style draws {style} px; use the raster of the style's border width (0 when its border is transparent)")]
    RasterWidthMismatch {
        /// The style's drawn border width.
        style: f32,
        /// The raster's border width.
        raster: f32,
    },
}
