//! Page geometry: paper sizes, orientation, resolution, and the language of built-in texts.

use crate::print::PrintError;

/// Points (1/72 inch) per millimetre: the unit of every page coordinate.
pub(crate) const PT_PER_MM: f64 = 72.0 / 25.4;

/// Smallest and largest dpi accepted ([`PageSpec::dpi`]).
pub const DPI_RANGE: (f64, f64) = (36.0, 1200.0);
/// Smallest and largest side, in millimetres, of a page given in millimetres.
pub const MM_RANGE: (f64, f64) = (50.0, 2000.0);
/// Smallest and largest side, in pixels, of a page given in pixels.
pub const PX_RANGE: (u32, u32) = (100, 20_000);
/// Most pixels a PNG may have (about A2 at 300 dpi, or A3 at 600 dpi); larger pages are refused
/// instead of allocating gigabytes.
pub const MAX_PRINT_PIXELS: u64 = 80_000_000;

/// Paper size of a page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PageSize {
    /// ISO A4, 210 x 297 mm.
    A4,
    /// ISO A3, 297 x 420 mm.
    A3,
    /// Any size in millimetres (width, height as given in portrait).
    Mm {
        /// Width in millimetres.
        width: f64,
        /// Height in millimetres.
        height: f64,
    },
    /// A size in pixels: the PNG has exactly this size, and the physical size follows from
    /// the dpi (a 1200 px wide page at 150 dpi is 8 inches wide).
    Px {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
}

/// Orientation of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Orientation {
    /// The size as given (A4 and A3: taller than wide).
    #[default]
    Portrait,
    /// Wider than tall: the two sides are swapped when the width is the smaller one.
    Landscape,
}

/// Language of the texts the composer writes itself (scale note, table headings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// German.
    #[default]
    De,
    /// English.
    En,
}

impl Lang {
    pub(crate) fn pick<'s>(self, de: &'s str, en: &'s str) -> &'s str {
        match self {
            Lang::De => de,
            Lang::En => en,
        }
    }
}

/// Size, orientation and resolution of a page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageSpec {
    /// Paper size. _Default:_ A4.
    pub size: PageSize,
    /// Orientation. _Default:_ portrait.
    pub orientation: Orientation,
    /// Resolution of the PNG in dots per inch (the SVG and PDF are vector and only carry the
    /// physical size). _Default:_ 300.
    pub dpi: f64,
}

impl Default for PageSpec {
    fn default() -> Self {
        PageSpec {
            size: PageSize::A4,
            orientation: Orientation::Portrait,
            dpi: 300.0,
        }
    }
}

impl PageSpec {
    /// Width and height in points, after checking every number.
    ///
    /// # Errors
    /// [`PrintError::Page`] for a dpi or side out of range.
    pub fn size_pt(&self) -> Result<(f64, f64), PrintError> {
        let dpi = self.dpi;
        if !(DPI_RANGE.0..=DPI_RANGE.1).contains(&dpi) {
            return Err(PrintError::Page(format!(
                "dpi {dpi} is outside {}..={}",
                DPI_RANGE.0, DPI_RANGE.1
            )));
        }
        let (w, h) = match self.size {
            PageSize::A4 => (210.0 * PT_PER_MM, 297.0 * PT_PER_MM),
            PageSize::A3 => (297.0 * PT_PER_MM, 420.0 * PT_PER_MM),
            PageSize::Mm { width, height } => {
                for v in [width, height] {
                    if !(MM_RANGE.0..=MM_RANGE.1).contains(&v) {
                        return Err(PrintError::Page(format!(
                            "side of {v} mm is outside {}..={} mm",
                            MM_RANGE.0, MM_RANGE.1
                        )));
                    }
                }
                (width * PT_PER_MM, height * PT_PER_MM)
            }
            PageSize::Px { width, height } => {
                for v in [width, height] {
                    if !(PX_RANGE.0..=PX_RANGE.1).contains(&v) {
                        return Err(PrintError::Page(format!(
                            "side of {v} px is outside {}..={} px",
                            PX_RANGE.0, PX_RANGE.1
                        )));
                    }
                }
                (
                    f64::from(width) * 72.0 / dpi,
                    f64::from(height) * 72.0 / dpi,
                )
            }
        };
        Ok(match self.orientation {
            Orientation::Landscape if w < h => (h, w),
            _ => (w, h),
        })
    }

    /// Size of the PNG in pixels: callers check a page with it before composing anything.
    ///
    /// # Errors
    /// [`PrintError::Page`] for a dpi or side out of range, [`PrintError::TooLarge`] past
    /// [`MAX_PRINT_PIXELS`].
    pub fn pixels(&self) -> Result<(u32, u32), PrintError> {
        let (w, h) = self.size_pt()?;
        let px = |pt: f64| (pt / 72.0 * self.dpi).round().max(1.0) as u32;
        let (pw, ph) = (px(w), px(h));
        if u64::from(pw) * u64::from(ph) > MAX_PRINT_PIXELS {
            return Err(PrintError::TooLarge {
                width: pw,
                height: ph,
                max: MAX_PRINT_PIXELS,
            });
        }
        Ok((pw, ph))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a4_at_300_dpi_is_2480_by_3508() {
        let spec = PageSpec::default();
        assert_eq!(spec.pixels().ok(), Some((2480, 3508)));
        let land = PageSpec {
            orientation: Orientation::Landscape,
            ..spec
        };
        assert_eq!(land.pixels().ok(), Some((3508, 2480)));
    }

    #[test]
    fn pixel_pages_keep_their_size() {
        let spec = PageSpec {
            size: PageSize::Px {
                width: 1200,
                height: 800,
            },
            dpi: 150.0,
            ..PageSpec::default()
        };
        assert_eq!(spec.pixels().ok(), Some((1200, 800)));
        let (w, _) = spec.size_pt().ok().unwrap_or_default();
        assert!((w - 576.0).abs() < 1e-9, "8 inches are 576 pt, got {w}");
    }

    #[test]
    fn out_of_range_values_are_refused() {
        let bad_dpi = PageSpec {
            dpi: 5000.0,
            ..PageSpec::default()
        };
        assert!(matches!(bad_dpi.size_pt(), Err(PrintError::Page(_))));
        let nan = PageSpec {
            size: PageSize::Mm {
                width: f64::NAN,
                height: 100.0,
            },
            ..PageSpec::default()
        };
        assert!(nan.size_pt().is_err());
        let huge = PageSpec {
            size: PageSize::A3,
            dpi: 1200.0,
            ..PageSpec::default()
        };
        assert!(matches!(huge.pixels(), Err(PrintError::TooLarge { .. })));
    }
}
