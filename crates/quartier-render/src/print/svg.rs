//! The SVG writer: every page is composed as one SVG document (real `<text>` elements, one
//! `<path>` per district), which is the SVG output as it is and the input of the PNG and PDF
//! encoders.

use std::fmt::Write as _;

use crate::print::font::FONT_FAMILY_ATTR;

/// Id of the hatch pattern defined in every page (suppressed values).
pub(crate) const HATCH_ID: &str = "hatch";

/// How a text is drawn.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TextStyle {
    pub size: f64,
    pub bold: bool,
    pub fill: [u8; 4],
    pub anchor: Anchor,
    /// Draw only a white halo of this width around the glyphs (no fill): label halos are a
    /// layer of their own under the labels, so that no glyph's halo covers its neighbour.
    pub halo: Option<f64>,
}

impl TextStyle {
    pub(crate) fn new(size: f64, fill: [u8; 4]) -> TextStyle {
        TextStyle {
            size,
            bold: false,
            fill,
            anchor: Anchor::Start,
            halo: None,
        }
    }

    pub(crate) fn bold(self) -> TextStyle {
        TextStyle { bold: true, ..self }
    }

    pub(crate) fn anchor(self, anchor: Anchor) -> TextStyle {
        TextStyle { anchor, ..self }
    }
}

/// Horizontal alignment of a text at its x coordinate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    Start,
    Middle,
    End,
}

/// An SVG document in points, written element by element: `head` is the opening tag, title
/// and definitions, `out` the drawing.
#[derive(Debug)]
pub(crate) struct Svg {
    head: String,
    out: String,
    groups: usize,
}

impl Svg {
    /// A page of `w` x `h` points with a white background and the shared definitions.
    pub(crate) fn new(w: f64, h: f64, title: &str) -> Svg {
        let mut head = String::with_capacity(1024);
        let _ = write!(
            head,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}pt" height="{h}pt" viewBox="0 0 {w} {h}" font-family="{FONT_FAMILY_ATTR}">"#,
            w = num(w),
            h = num(h),
        );
        let _ = write!(head, "<title>{}</title>", escape(title));
        let _ = write!(
            head,
            r##"<defs><pattern id="{HATCH_ID}" patternUnits="userSpaceOnUse" width="3" height="3" patternTransform="rotate(45)"><rect width="3" height="3" fill="none"/><line x1="0" y1="0" x2="0" y2="3" stroke="#555555" stroke-width="0.7"/></pattern></defs>"##
        );
        let mut out = String::with_capacity(64 * 1024);
        let _ = write!(
            out,
            r##"<rect width="{}" height="{}" fill="#ffffff"/>"##,
            num(w),
            num(h)
        );
        Svg {
            head,
            out,
            groups: 0,
        }
    }

    /// An empty, transparent layer of the same page, to be drawn over this one.
    pub(crate) fn layer(&self) -> Svg {
        Svg {
            head: self.head.clone(),
            out: String::new(),
            groups: 0,
        }
    }

    /// Whether nothing was drawn.
    pub(crate) fn is_empty(&self) -> bool {
        self.out.is_empty()
    }

    fn close_all(&mut self) {
        while self.groups > 0 {
            self.close();
        }
    }

    /// Raw markup (attributes already escaped by the caller).
    pub(crate) fn raw(&mut self, s: &str) {
        self.out.push_str(s);
    }

    /// Opens `<g ...>` with the given raw attributes.
    pub(crate) fn open(&mut self, attrs: &str) {
        let _ = write!(self.out, "<g {attrs}>");
        self.groups += 1;
    }

    pub(crate) fn close(&mut self) {
        if self.groups > 0 {
            self.out.push_str("</g>");
            self.groups -= 1;
        }
    }

    /// A rectangle; `fill` `None` draws none, `stroke` is colour and width.
    pub(crate) fn rect(
        &mut self,
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        fill: Option<[u8; 4]>,
        stroke: Option<([u8; 4], f64)>,
    ) {
        let _ = write!(
            self.out,
            r#"<rect x="{}" y="{}" width="{}" height="{}" "#,
            num(x),
            num(y),
            num(w.max(0.0)),
            num(h.max(0.0))
        );
        paint(&mut self.out, "fill", fill);
        if let Some((c, sw)) = stroke {
            paint(&mut self.out, "stroke", Some(c));
            let _ = write!(self.out, r#" stroke-width="{}""#, num(sw));
        }
        self.out.push_str("/>");
    }

    /// A rectangle filled with the hatch pattern.
    pub(crate) fn hatch_rect(&mut self, x: f64, y: f64, w: f64, h: f64) {
        let _ = write!(
            self.out,
            r#"<rect x="{}" y="{}" width="{}" height="{}" fill="url(#{HATCH_ID})"/>"#,
            num(x),
            num(y),
            num(w.max(0.0)),
            num(h.max(0.0))
        );
    }

    pub(crate) fn line(&mut self, a: [f64; 2], b: [f64; 2], colour: [u8; 4], width: f64) {
        let _ = write!(
            self.out,
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}" "#,
            num(a[0]),
            num(a[1]),
            num(b[0]),
            num(b[1])
        );
        paint(&mut self.out, "stroke", Some(colour));
        let _ = write!(self.out, r#" stroke-width="{}"/>"#, num(width));
    }

    /// A path with raw data `d` and raw extra attributes.
    pub(crate) fn path(&mut self, d: &str, attrs: &str) {
        let _ = write!(self.out, r#"<path d="{d}" {attrs}/>"#);
    }

    /// One line of text with its baseline at `y`.
    pub(crate) fn text(&mut self, x: f64, y: f64, text: &str, style: TextStyle) {
        let _ = write!(
            self.out,
            r#"<text x="{}" y="{}" font-size="{}""#,
            num(x),
            num(y),
            num(style.size)
        );
        if style.bold {
            self.out.push_str(r#" font-weight="bold""#);
        }
        match style.anchor {
            Anchor::Start => {}
            Anchor::Middle => self.out.push_str(r#" text-anchor="middle""#),
            Anchor::End => self.out.push_str(r#" text-anchor="end""#),
        }
        if let Some(h) = style.halo {
            let _ = write!(
                self.out,
                r##" fill="none" stroke="#ffffff" stroke-width="{}" stroke-linejoin="round""##,
                num(h)
            );
        } else {
            paint(&mut self.out, "fill", Some(style.fill));
        }
        let _ = write!(self.out, ">{}</text>", escape(text));
    }

    /// The document so far, as a complete SVG (open groups closed).
    pub(crate) fn document(&self) -> String {
        let mut doc = self.head.clone();
        doc.push_str(&self.out);
        for _ in 0..self.groups {
            doc.push_str("</g>");
        }
        doc.push_str("</svg>\n");
        doc
    }

    /// The document alone.
    pub(crate) fn finish(mut self) -> String {
        self.close_all();
        let mut doc = self.head;
        doc.push_str(&self.out);
        doc.push_str("</svg>\n");
        doc
    }

    /// The document with `layers` drawn over it, in order.
    pub(crate) fn finish_with(mut self, layers: Vec<Svg>) -> String {
        self.close_all();
        let mut doc = self.head;
        doc.push_str(&self.out);
        for mut layer in layers {
            layer.close_all();
            doc.push_str(&layer.out);
        }
        doc.push_str("</svg>\n");
        doc
    }
}

/// ` name="#rrggbb"` (plus `name-opacity` when translucent), or `name="none"`.
pub(crate) fn paint(out: &mut String, name: &str, colour: Option<[u8; 4]>) {
    match colour {
        Some(c) if c[3] > 0 => {
            let _ = write!(out, r##" {name}="#{:02x}{:02x}{:02x}""##, c[0], c[1], c[2]);
            if c[3] < 255 {
                let _ = write!(out, r#" {name}-opacity="{}""#, num(f64::from(c[3]) / 255.0));
            }
        }
        _ => {
            let _ = write!(out, r#" {name}="none""#);
        }
    }
}

/// `#rrggbb` of a colour (alpha ignored).
pub(crate) fn hex(c: [u8; 4]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

/// A number with at most two decimals and no trailing zeros (0.01 pt is 3.5 µm on paper).
pub(crate) fn num(v: f64) -> String {
    let mut s = String::new();
    push_num(&mut s, v);
    s
}

/// Appends `v` rounded to two decimals; non-finite values are written as 0 (callers drop
/// non-finite coordinates before, this only keeps the document valid).
pub(crate) fn push_num(out: &mut String, v: f64) {
    let v = if v.is_finite() { v } else { 0.0 };
    let hundredths = (v * 100.0).round() as i64;
    if hundredths < 0 {
        out.push('-');
    }
    let a = hundredths.unsigned_abs();
    let _ = write!(out, "{}", a / 100);
    let frac = a % 100;
    if frac != 0 {
        if frac.is_multiple_of(10) {
            let _ = write!(out, ".{}", frac / 10);
        } else {
            let _ = write!(out, ".{frac:02}");
        }
    }
}

/// Escapes text for XML content and attribute values, dropping characters XML 1.0 forbids.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short_and_exact_to_a_hundredth() {
        assert_eq!(num(0.0), "0");
        assert_eq!(num(12.5), "12.5");
        assert_eq!(num(-0.004), "0");
        assert_eq!(num(-1.23456), "-1.23");
        assert_eq!(num(595.2755), "595.28");
        assert_eq!(num(f64::NAN), "0");
        assert_eq!(num(7.05), "7.05");
    }

    #[test]
    fn text_is_escaped_and_control_characters_dropped() {
        assert_eq!(
            escape("A&B <c> \"d\" 'e'\u{1}"),
            "A&amp;B &lt;c&gt; &quot;d&quot; &apos;e&apos;"
        );
        assert_eq!(escape("Düren\tMönchengladbach"), "Düren Mönchengladbach");
    }
}
