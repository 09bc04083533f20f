//! Print output: static map pages and district profile pages, composed once as an SVG document
//! and encoded as SVG, PNG or PDF.
//!
//! A page is plain data ([`MapPage`], [`ProfilePage`]): districts as Web Mercator polygons with
//! their colours, texts, legend rows, numbers. [`compose_map`] and [`compose_profile`] lay it out
//! and return a [`Composition`], whose SVG has real `<text>`; [`Composition::to_png`] rasterises
//! it at the page's dpi with resvg, [`Composition::to_pdf`] and [`pdf_document`] write vector PDF
//! with the bundled font (Noto Sans, SIL OFL) embedded and subset. [`compose_text_page`] gives
//! a report's title and sources pages. All three come from the same
//! SVG, so they agree.

mod encode;
mod error;
mod font;
mod labels;
mod legend;
mod map;
mod map_page;
mod page;
mod profile;
mod scalebar;
mod svg;
mod text_page;

pub use error::PrintError;
pub use font::FONT_FAMILY;
pub use labels::PlacedLabel;
pub use legend::{Legend, LegendKind, LegendRow};
pub use map::{
    DistrictStyle, MapContent, MapFrame, PrintLayer, View, CONTEXT_BORDER, CONTEXT_FILL,
};
pub use map_page::{compose_map, MapPage};
pub use page::{
    Lang, Orientation, PageSize, PageSpec, DPI_RANGE, MAX_PRINT_PIXELS, MM_RANGE, PX_RANGE,
};
pub use profile::{compose_profile, IndexComponent, ProfilePage, ProfileRow, Series};
pub use text_page::{compose_text_page, TextPage, TextSection};

/// One SVG document of a PDF page, and whether its text is embedded as text (else as
/// outlines).
#[derive(Debug, Clone)]
pub(crate) struct PdfLayer {
    pub(crate) svg: String,
    pub(crate) text: bool,
}

/// A composed page: its SVG document and what the encoders and callers need to know about it.
#[derive(Debug, Clone)]
pub struct Composition {
    pub(crate) svg: String,
    /// Documents the PDF draws one over the other instead of `svg` (empty: `svg` alone).
    pub(crate) pdf_layers: Vec<PdfLayer>,
    pub(crate) width_pt: f64,
    pub(crate) height_pt: f64,
    pub(crate) dpi: f64,
    pub(crate) pixel_size: (u32, u32),
    pub(crate) title: String,
    pub(crate) frame: Option<MapFrame>,
    pub(crate) labels: Vec<PlacedLabel>,
    pub(crate) notes: Vec<String>,
}

impl Composition {
    /// A finished page without map frame, labels or notes.
    fn new(svg: svg::Svg, page: &PageSpec, title: &str) -> Result<Composition, PrintError> {
        Composition::assemble(svg.finish(), Vec::new(), page, title)
    }

    /// A finished page with label halos and label texts drawn over `base`.
    fn with_labels(
        base: svg::Svg,
        halos: svg::Svg,
        texts: svg::Svg,
        page: &PageSpec,
        title: &str,
    ) -> Result<Composition, PrintError> {
        if halos.is_empty() {
            return Composition::new(base, page, title);
        }
        // The PDF draws three documents on one page: the base, the halos as outlines (so their
        // text is not extracted twice), the labels as real text.
        let pdf_layers = vec![
            PdfLayer {
                svg: base.document(),
                text: true,
            },
            PdfLayer {
                svg: halos.document(),
                text: false,
            },
            PdfLayer {
                svg: texts.document(),
                text: true,
            },
        ];
        Composition::assemble(
            base.finish_with(vec![halos, texts]),
            pdf_layers,
            page,
            title,
        )
    }

    fn assemble(
        svg: String,
        pdf_layers: Vec<PdfLayer>,
        page: &PageSpec,
        title: &str,
    ) -> Result<Composition, PrintError> {
        let (width_pt, height_pt) = page.size_pt()?;
        Ok(Composition {
            svg,
            pdf_layers,
            width_pt,
            height_pt,
            dpi: page.dpi,
            pixel_size: page.pixels()?,
            title: title.to_string(),
            frame: None,
            labels: Vec::new(),
            notes: Vec::new(),
        })
    }

    /// The page as an SVG document (sizes in points, text as `<text>` in the bundled font's
    /// family with generic fallbacks).
    #[must_use]
    pub fn svg(&self) -> &str {
        &self.svg
    }

    /// Page size in points (1/72 inch), `(width, height)`.
    #[must_use]
    pub fn size_pt(&self) -> (f64, f64) {
        (self.width_pt, self.height_pt)
    }

    /// Size of the PNG in pixels, `(width, height)`.
    #[must_use]
    pub fn pixel_size(&self) -> (u32, u32) {
        self.pixel_size
    }

    /// The map frame (the locator map on a profile page): where it is on the page and its
    /// projection, so a caller can find where a district lies on the page.
    #[must_use]
    pub fn map_frame(&self) -> Option<&MapFrame> {
        self.frame.as_ref()
    }

    /// The district labels that were placed (labels that did not fit are not in the list).
    #[must_use]
    pub fn labels(&self) -> &[PlacedLabel] {
        &self.labels
    }

    /// What the composer had to leave out or shorten (rows that did not fit, for example), in
    /// the page's language, for a caller to log.
    #[must_use]
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// The page as PNG at its dpi (RGBA, resolution stored in `pHYs`).
    ///
    /// # Errors
    /// [`PrintError::TooLarge`] when the image would exceed [`MAX_PRINT_PIXELS`], or an
    /// encoding error.
    pub fn to_png(&self) -> Result<Vec<u8>, PrintError> {
        encode::png(self)
    }

    /// The page as a one-page PDF.
    ///
    /// # Errors
    /// [`PrintError::Pdf`] when the PDF cannot be written.
    pub fn to_pdf(&self) -> Result<Vec<u8>, PrintError> {
        encode::pdf(&[self], &self.title)
    }
}

/// Several pages (a report) as one PDF titled `title`; the font is embedded once.
///
/// # Errors
/// [`PrintError::Pdf`] when `pages` is empty or the PDF cannot be written.
pub fn pdf_document(pages: &[Composition], title: &str) -> Result<Vec<u8>, PrintError> {
    let refs: Vec<&Composition> = pages.iter().collect();
    encode::pdf(&refs, title)
}
