//! [`TileStyle`]: the colours of one choropleth, one per district.

use crate::error::RenderError;

/// Widest border drawn, in CSS pixels at scale 1.
pub const MAX_BORDER_WIDTH: f32 = 16.0;

/// How to colour a [`crate::TileLayer`]: a fill per district and one border for all.
///
/// Colours are straight (not premultiplied) RGBA in sRGB; alpha 255 is opaque, alpha 0 leaves
/// the district unfilled. Classification (which class a district falls into, which colour a
/// class gets) happens before: the renderer only paints the colours it is given.
#[derive(Debug, Clone, PartialEq)]
pub struct TileStyle {
    /// Fill colour of each district, in the layer's order (`fills[i]` paints district `i`).
    pub fills: Vec<[u8; 4]>,
    /// Colour of the district borders, drawn over the fills.
    pub border: [u8; 4],
    /// Border width in CSS pixels at scale 1 (doubled on @2x tiles); 0 draws no border.
    /// Widths under one pixel are drawn one pixel wide and proportionally fainter.
    pub border_width: f32,
}

impl TileStyle {
    /// A style with the given fills and the default border: 0.5 px of 60 % grey
    /// (`#999999`), thin enough not to hide small districts at low zoom.
    #[must_use]
    pub fn new(fills: Vec<[u8; 4]>) -> TileStyle {
        TileStyle {
            fills,
            border: [0x99, 0x99, 0x99, 0xff],
            border_width: 0.5,
        }
    }

    /// Checks the style against a layer of `districts` districts.
    ///
    /// # Errors
    /// [`RenderError::FillCountMismatch`] when there is not one fill per district,
    /// [`RenderError::InvalidBorderWidth`] when the width is not in `0..=MAX_BORDER_WIDTH`.
    pub fn check(&self, districts: usize) -> Result<(), RenderError> {
        if self.fills.len() != districts {
            return Err(RenderError::FillCountMismatch {
                fills: self.fills.len(),
                districts,
            });
        }
        if !(0.0..=MAX_BORDER_WIDTH).contains(&self.border_width) {
            return Err(RenderError::InvalidBorderWidth {
                width: self.border_width,
                max: MAX_BORDER_WIDTH,
            });
        }
        Ok(())
    }
}

/// Blends `border` at `coverage` (0–255) over `fill`, both straight-alpha RGBA: the colour a
/// pixel under an anti-aliased border edge gets.
pub(crate) fn blend_over(fill: [u8; 4], border: [u8; 4], coverage: u8) -> [u8; 4] {
    let a = f32::from(border[3]) / 255.0 * f32::from(coverage) / 255.0;
    let fa = f32::from(fill[3]) / 255.0;
    let out_a = a + fa * (1.0 - a);
    if out_a <= 0.0 {
        return [0, 0, 0, 0];
    }
    let mut out = [0u8; 4];
    for c in 0..3 {
        let v = (f32::from(border[c]) * a + f32::from(fill[c]) * fa * (1.0 - a)) / out_a;
        out[c] = (v + 0.5).clamp(0.0, 255.0) as u8;
    }
    out[3] = (out_a * 255.0 + 0.5).clamp(0.0, 255.0) as u8;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_reports_the_numbers() {
        let style = TileStyle::new(vec![[1, 2, 3, 255]; 3]);
        let err = style.check(4).unwrap_err();
        assert_eq!(
            err.to_string(),
            "style has 3 fill colours but the layer has 4 districts; give one colour per district, in layer order"
        );
        assert!(style.check(3).is_ok());
        for width in [f32::NAN, -1.0, 17.0, f32::INFINITY] {
            let s = TileStyle {
                border_width: width,
                ..style.clone()
            };
            assert!(
                matches!(s.check(3), Err(RenderError::InvalidBorderWidth { .. })),
                "{width}"
            );
        }
    }

    #[test]
    fn blending_follows_porter_duff_over() {
        let red = [255, 0, 0, 255];
        let black = [0, 0, 0, 255];
        assert_eq!(blend_over(red, black, 0), red);
        assert_eq!(blend_over(red, black, 255), black);
        assert_eq!(blend_over(red, black, 51), [204, 0, 0, 255]);
        // Over transparency the colour stays and only alpha grows.
        assert_eq!(
            blend_over([0, 0, 0, 0], [10, 20, 30, 255], 51),
            [10, 20, 30, 51]
        );
        assert_eq!(blend_over([0, 0, 0, 0], [10, 20, 30, 0], 255), [0, 0, 0, 0]);
        // Half-transparent border over half-transparent fill.
        assert_eq!(
            blend_over([0, 0, 255, 128], [255, 0, 0, 128], 255),
            [170, 0, 85, 192]
        );
    }
}
