//! [`PrintError`]: why a page could not be composed or encoded.

/// Why a print page was refused or could not be encoded.
///
/// Every variant names the offending value and, where it helps, what to do instead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PrintError {
    /// The page size, orientation or resolution is outside the supported range.
    #[error("unusable page: {0}")]
    Page(String),
    /// The per-district inputs do not match the layer.
    #[error("{what} has {got} entries but the layer has {expected} districts; give one entry per district, in layer order")]
    LengthMismatch {
        /// Which input is off.
        what: &'static str,
        /// Its length.
        got: usize,
        /// The number of districts of the layer.
        expected: usize,
    },
    /// The view cannot be shown: an empty layer, a bounding box that is not finite or empty, a
    /// district that does not exist or has no geometry.
    #[error("unusable map view: {0}")]
    View(String),
    /// The composed SVG could not be parsed back (a bug in the composer, never the input).
    #[error("composed SVG could not be parsed: {0}")]
    Svg(String),
    /// The PNG would have more pixels than [`crate::print::MAX_PRINT_PIXELS`].
    #[error("a {width} x {height} px image is larger than the {max} pixels allowed; choose a smaller page or a lower dpi")]
    TooLarge {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
        /// The allowed number of pixels.
        max: u64,
    },
    /// Encoding the PNG failed.
    #[error("PNG encoding failed: {0}")]
    Png(String),
    /// Writing the PDF failed.
    #[error("PDF encoding failed: {0}")]
    Pdf(String),
}
