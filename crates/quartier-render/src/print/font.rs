//! The bundled font (Noto Sans Regular and Bold, SIL OFL 1.1, see `fonts/SOURCES.md`) and text
//! measurement from its real metrics.
//!
//! The font is compiled in so that every machine lays out the same text: the SVG is parsed with
//! a font database holding only the bundled faces, never the system's fonts. Noto Sans has no
//! minus sign (U+2212), which the legend labels use as the page does, nor ≈ ≤ ≥: those four come
//! from a subset of Noto Sans Math (`NotoSansMath-Signs.ttf`, made by
//! `scripts/derive-math-font.sh`), which the renderer falls back to and measures with.

use std::sync::Arc;

use usvg::fontdb;

use crate::print::PrintError;

static REGULAR: &[u8] = include_bytes!("../../fonts/NotoSans-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../../fonts/NotoSans-Bold.ttf");
static SIGNS: &[u8] = include_bytes!("../../fonts/NotoSansMath-Signs.ttf");

/// Family name of the bundled font, as written in the SVG's `font-family`.
pub const FONT_FAMILY: &str = "Noto Sans";

/// The `font-family` attribute: the bundled font first, then fallbacks for SVG viewers that do
/// not have it (the PNG and PDF always use the bundled font).
pub(crate) const FONT_FAMILY_ATTR: &str = "'Noto Sans', 'Helvetica Neue', Arial, sans-serif";

/// A font database holding only the bundled faces.
pub(crate) fn database() -> Arc<fontdb::Database> {
    let mut db = fontdb::Database::new();
    for face in [REGULAR, BOLD, SIGNS] {
        db.load_font_source(fontdb::Source::Binary(Arc::new(face)));
    }
    db.set_sans_serif_family(FONT_FAMILY);
    Arc::new(db)
}

/// Ink extent of a text: advance width and the glyphs' vertical extent, in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TextExtent {
    /// Sum of the advances.
    pub width: f64,
    /// Highest ink above the baseline (positive up).
    pub ascent: f64,
    /// Lowest ink below the baseline (negative down).
    pub descent: f64,
}

/// Measures text with the bundled faces' advance widths and glyph boxes.
///
/// Kerning is not applied, so a measured width is at most a little wider than the shaped text
/// (Noto's kerning only ever narrows Latin text): boxes built from it are safe for overlap
/// checks.
pub(crate) struct Metrics {
    regular: ttf_parser::Face<'static>,
    bold: ttf_parser::Face<'static>,
    signs: ttf_parser::Face<'static>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics(Noto Sans)")
    }
}

impl Metrics {
    pub(crate) fn new() -> Result<Metrics, PrintError> {
        let parse = |data: &'static [u8]| {
            ttf_parser::Face::parse(data, 0)
                .map_err(|e| PrintError::Svg(format!("bundled font unreadable: {e}")))
        };
        Ok(Metrics {
            regular: parse(REGULAR)?,
            bold: parse(BOLD)?,
            signs: parse(SIGNS)?,
        })
    }

    fn face(&self, bold: bool) -> &ttf_parser::Face<'static> {
        if bold {
            &self.bold
        } else {
            &self.regular
        }
    }

    /// Advance width of `text` at `size` points.
    pub(crate) fn width(&self, text: &str, size: f64, bold: bool) -> f64 {
        self.extent(text, size, bold).width
    }

    /// Width and ink extent of `text` at `size` points.
    pub(crate) fn extent(&self, text: &str, size: f64, bold: bool) -> TextExtent {
        let face = self.face(bold);
        let k = size / f64::from(face.units_per_em().max(1));
        let (mut width, mut top, mut bottom) = (0.0, 0i32, 0i32);
        for c in text.chars() {
            // As the renderer does: a character the face lacks comes from the signs subset
            // (same 1000 units per em).
            let (face, gid) = match face.glyph_index(c) {
                Some(gid) => (face, gid),
                None => match self.signs.glyph_index(c) {
                    Some(gid) => (&self.signs, gid),
                    None => (face, ttf_parser::GlyphId(0)),
                },
            };
            width += f64::from(face.glyph_hor_advance(gid).unwrap_or(0));
            if let Some(b) = face.glyph_bounding_box(gid) {
                top = top.max(i32::from(b.y_max));
                bottom = bottom.min(i32::from(b.y_min));
            }
        }
        TextExtent {
            width: width * k,
            ascent: f64::from(top) * k,
            descent: f64::from(bottom) * k,
        }
    }

    /// `text`, shortened with an ellipsis so that it is at most `max` points wide.
    pub(crate) fn fit(&self, text: &str, size: f64, bold: bool, max: f64) -> String {
        if self.width(text, size, bold) <= max {
            return text.to_string();
        }
        // No line on a page holds more than a few hundred characters: cut before measuring.
        let mut chars: Vec<char> = text.chars().take(400).collect();
        while !chars.is_empty() {
            chars.pop();
            let candidate: String = chars.iter().collect::<String>().trim_end().to_string() + "…";
            if self.width(&candidate, size, bold) <= max {
                return candidate;
            }
        }
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn umlauts_and_sharp_s_have_glyphs_in_both_faces() {
        let m = Metrics::new().expect("bundled font parses");
        for face in [&m.regular, &m.bold] {
            for c in "ÄÖÜäöüßéèç".chars() {
                assert!(face.glyph_index(c).is_some(), "no glyph for {c}");
            }
        }
    }

    #[test]
    fn the_minus_sign_has_a_glyph_as_wide_as_plus() {
        let m = Metrics::new().expect("bundled font parses");
        assert!(
            m.regular.glyph_index('\u{2212}').is_none(),
            "Noto Sans lacks it"
        );
        assert!(m.signs.glyph_index('\u{2212}').is_some());
        assert_eq!(m.signs.units_per_em(), m.regular.units_per_em());
        let minus = m.width("\u{2212}", 10.0, false);
        assert!((minus - m.width("+", 10.0, false)).abs() < 1e-9, "{minus}");
    }

    #[test]
    fn widths_scale_with_size_and_bold_is_wider() {
        let m = Metrics::new().expect("bundled font parses");
        let w10 = m.width("Mönchengladbach", 10.0, false);
        let w20 = m.width("Mönchengladbach", 20.0, false);
        assert!((w20 - 2.0 * w10).abs() < 1e-9);
        assert!(m.width("Mönchengladbach", 10.0, true) > w10);
        // Umlauts reach above the cap height, descenders below the baseline.
        let e = m.extent("Düren", 10.0, false);
        assert!(e.ascent > 7.0 && e.ascent < 10.0, "{e:?}");
        assert!(m.extent("gy", 10.0, false).descent < -1.5);
        let fitted = m.fit("Mönchengladbach", 10.0, false, 40.0);
        assert!(fitted.ends_with('…') && m.width(&fitted, 10.0, false) <= 40.0);
    }
}
