//! The encoders of a composed page: PNG (usvg + resvg, at the page's dpi) and PDF (krilla with
//! krilla-svg: vector paths, text as real text with the bundled font embedded and subset).

use std::sync::Arc;

use krilla::geom::Size;
use krilla::page::PageSettings;
use krilla::Document;
use krilla_svg::{SurfaceExt, SvgSettings};

use crate::print::font::{self, FONT_FAMILY};
use crate::print::{Composition, PrintError};

/// Parses a composed page back into a usvg tree, with only the bundled fonts available.
pub(crate) fn tree(
    svg: &str,
    fontdb: &Arc<usvg::fontdb::Database>,
) -> Result<usvg::Tree, PrintError> {
    let options = usvg::Options {
        font_family: FONT_FAMILY.to_string(),
        fontdb: Arc::clone(fontdb),
        ..usvg::Options::default()
    };
    usvg::Tree::from_str(svg, &options).map_err(|e| PrintError::Svg(e.to_string()))
}

/// Rasterises a page at its dpi and encodes it as an RGBA PNG carrying the resolution (`pHYs`).
pub(crate) fn png(page: &Composition) -> Result<Vec<u8>, PrintError> {
    let (w, h) = page.pixel_size;
    let tree = tree(&page.svg, &font::database())?;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w, h).ok_or(PrintError::TooLarge {
        width: w,
        height: h,
        max: crate::print::MAX_PRINT_PIXELS,
    })?;
    let sx = w as f32 / tree.size().width();
    let sy = h as f32 / tree.size().height();
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(sx, sy),
        &mut pixmap.as_mut(),
    );
    // The page has an opaque white background, but demultiply anyway so that translucent
    // pixels (if a caller's colours make any) are stored as PNG expects.
    let mut rgba = Vec::with_capacity(pixmap.data().len());
    for p in pixmap.pixels() {
        let c = p.demultiply();
        rgba.extend_from_slice(&[c.red(), c.green(), c.blue(), c.alpha()]);
    }
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Fast);
    let ppm = (page.dpi / 0.0254).round() as u32;
    enc.set_pixel_dims(Some(png::PixelDimensions {
        xppu: ppm,
        yppu: ppm,
        unit: png::Unit::Meter,
    }));
    let mut writer = enc
        .write_header()
        .map_err(|e| PrintError::Png(e.to_string()))?;
    writer
        .write_image_data(&rgba)
        .map_err(|e| PrintError::Png(e.to_string()))?;
    writer
        .finish()
        .map_err(|e| PrintError::Png(e.to_string()))?;
    Ok(out)
}

/// One PDF with `pages` in order; the font is embedded once, subset to the glyphs used.
pub(crate) fn pdf(pages: &[&Composition], title: &str) -> Result<Vec<u8>, PrintError> {
    if pages.is_empty() {
        return Err(PrintError::Pdf("a PDF needs at least one page".to_string()));
    }
    let fontdb = font::database();
    let mut document = Document::new();
    document.set_metadata(
        krilla::metadata::Metadata::new()
            .title(title.to_string())
            .creator("Quartier".to_string()),
    );
    for page in pages {
        let layers: Vec<(&str, bool)> = if page.pdf_layers.is_empty() {
            vec![(page.svg.as_str(), true)]
        } else {
            page.pdf_layers
                .iter()
                .map(|l| (l.svg.as_str(), l.text))
                .collect()
        };
        let (w, h) = (page.width_pt as f32, page.height_pt as f32);
        let settings = PageSettings::from_wh(w, h)
            .ok_or_else(|| PrintError::Pdf(format!("page size {w} x {h} pt")))?;
        let size = Size::from_wh(w, h)
            .ok_or_else(|| PrintError::Pdf(format!("page size {w} x {h} pt")))?;
        let mut p = document.start_page_with(settings);
        let mut surface = p.surface();
        for (svg, text) in layers {
            let tree = tree(svg, &fontdb)?;
            let settings = SvgSettings {
                embed_text: text,
                ..SvgSettings::default()
            };
            surface
                .draw_svg(&tree, size, settings)
                .ok_or_else(|| PrintError::Pdf("the page could not be drawn".to_string()))?;
        }
        surface.finish();
        p.finish();
    }
    document
        .finish()
        .map_err(|e| PrintError::Pdf(format!("{e:?}")))
}
