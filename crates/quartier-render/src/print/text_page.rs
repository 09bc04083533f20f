//! A page of text: the title page and the sources page of a report (headings, wrapped
//! paragraphs, a footer), in the same fonts and margins as the map and profile pages.

use crate::print::font::Metrics;
use crate::print::map_page::{footer, header, INK, MARGIN, MUTED};
use crate::print::page::PageSpec;
use crate::print::svg::{Svg, TextStyle};
use crate::print::{Composition, PrintError};

/// One section of a text page: a heading and its paragraphs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TextSection {
    /// Heading in bold, optional.
    pub heading: Option<String>,
    /// Paragraphs, each wrapped to the page width.
    pub paragraphs: Vec<String>,
}

/// A page of text (a report's title page or sources page).
#[derive(Debug, Clone, PartialEq)]
pub struct TextPage {
    /// Size, orientation and dpi.
    pub page: PageSpec,
    /// Title, top left.
    pub title: String,
    /// Line under the title, optional.
    pub subtitle: Option<String>,
    /// The sections, top to bottom.
    pub sections: Vec<TextSection>,
    /// Footer line, optional.
    pub footer: Option<String>,
}

const HEADING_SIZE: f64 = 10.5;
const TEXT_SIZE: f64 = 8.5;
const LINE_H: f64 = 12.0;

/// `text` broken into lines of at most `max` points at spaces (a word longer than a line is
/// shortened with an ellipsis).
fn wrap(metrics: &Metrics, text: &str, size: f64, max: f64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if metrics.width(&candidate, size, false) <= max || line.is_empty() {
            line = candidate;
        } else {
            lines.push(std::mem::take(&mut line));
            line = word.to_string();
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
        .into_iter()
        .map(|l| metrics.fit(&l, size, false, max))
        .collect()
}

/// Lays out and draws a text page. What does not fit above the footer is left out and said so
/// in [`Composition::notes`].
///
/// # Errors
/// [`PrintError::Page`] for a page size or dpi out of range.
pub fn compose_text_page(page: &TextPage) -> Result<Composition, PrintError> {
    let (w, h) = page.page.size_pt()?;
    page.page.pixels()?;
    let metrics = Metrics::new()?;
    let mut svg = Svg::new(w, h, &page.title);
    let content_w = w - 2.0 * MARGIN;
    let mut y = header(
        &mut svg,
        &metrics,
        &page.title,
        page.subtitle.as_deref(),
        content_w,
    ) + 6.0;
    let footer_h = footer(&mut svg, &metrics, &[page.footer.as_deref()], w, h);
    let bottom = h - MARGIN - footer_h - LINE_H;
    let mut left_out = 0usize;
    for section in &page.sections {
        if let Some(heading) = &section.heading {
            if y + 2.0 * LINE_H > bottom {
                left_out += 1;
                continue;
            }
            y += LINE_H;
            let t = metrics.fit(heading, HEADING_SIZE, true, content_w);
            svg.text(MARGIN, y, &t, TextStyle::new(HEADING_SIZE, INK).bold());
            y += 4.0;
        }
        for paragraph in &section.paragraphs {
            for line in wrap(&metrics, paragraph, TEXT_SIZE, content_w) {
                if y + LINE_H > bottom {
                    left_out += 1;
                    continue;
                }
                y += LINE_H;
                svg.text(MARGIN, y, &line, TextStyle::new(TEXT_SIZE, INK));
            }
            y += 3.0;
        }
    }
    let mut notes = Vec::new();
    if left_out > 0 {
        let note = format!("{left_out} lines do not fit on the page");
        svg.text(
            MARGIN,
            bottom + LINE_H / 2.0,
            "…",
            TextStyle::new(TEXT_SIZE, MUTED),
        );
        notes.push(note);
    }
    Ok(Composition {
        notes,
        ..Composition::new(svg, &page.page, &page.title)?
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_wrap_inside_the_width() {
        let m = Metrics::new().expect("bundled font parses");
        let text = "Bevölkerung, Einkommen, Schulabschlüsse und Straftaten der 401 Kreise über \
                    die Jahre, mit einem Statusindex.";
        let lines = wrap(&m, text, 8.5, 120.0);
        assert!(lines.len() > 2, "{lines:?}");
        assert!(lines.iter().all(|l| m.width(l, 8.5, false) <= 120.0));
        assert_eq!(lines.join(" "), text);
    }

    #[test]
    fn a_long_page_is_cut_with_a_note() {
        let page = TextPage {
            page: PageSpec {
                dpi: 72.0,
                ..PageSpec::default()
            },
            title: "Quellen".to_string(),
            subtitle: None,
            sections: vec![TextSection {
                heading: Some("Düren".to_string()),
                paragraphs: vec!["Zeile".to_string(); 200],
            }],
            footer: Some("Stand 2026".to_string()),
        };
        let c = compose_text_page(&page).expect("composes");
        assert!(c.svg().contains(">Düren</text>"));
        assert!(c.svg().contains(">Stand 2026</text>"));
        assert_eq!(c.notes().len(), 1, "{:?}", c.notes());
    }
}
