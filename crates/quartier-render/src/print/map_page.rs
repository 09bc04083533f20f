//! The static map page: title and subtitle top left, the map, the legend with swatches and
//! counts, a scale bar, and the source line at the bottom.

use crate::print::font::Metrics;
use crate::print::map::{self, MapContent};
use crate::print::page::{Lang, PageSpec};
use crate::print::svg::{Svg, TextStyle};
use crate::print::{labels, legend, scalebar, Composition, Legend, PrintError};

/// A static map page.
#[derive(Debug, Clone)]
pub struct MapPage<'a> {
    /// Size, orientation and dpi.
    pub page: PageSpec,
    /// The districts, their styles and labels, and the view.
    pub map: MapContent<'a>,
    /// Title, top left (indicator name).
    pub title: String,
    /// Line under the title (unit, period, area), optional.
    pub subtitle: Option<String>,
    /// Legend rows.
    pub legend: Legend,
    /// Data source line at the bottom ("Quelle: ..."), optional.
    pub source: Option<String>,
    /// Attribution of the boundaries ("© GeoBasis-DE / BKG 2016"), optional.
    pub attribution: Option<String>,
    /// Draw a scale bar. _Default:_ yes.
    pub scale_bar: bool,
    /// Language of the texts the composer writes itself (the scale note).
    pub lang: Lang,
}

pub(crate) const MARGIN: f64 = 36.0;
pub(crate) const TITLE_SIZE: f64 = 16.0;
pub(crate) const SUBTITLE_SIZE: f64 = 9.5;
pub(crate) const FOOTER_SIZE: f64 = 6.5;
pub(crate) const INK: [u8; 4] = [0x1a, 0x1a, 0x1a, 0xff];
pub(crate) const MUTED: [u8; 4] = [0x6b, 0x6b, 0x6b, 0xff];
const GAP: f64 = 12.0;

/// Draws title and subtitle from the top margin; returns the y below them.
pub(crate) fn header(
    svg: &mut Svg,
    metrics: &Metrics,
    title: &str,
    subtitle: Option<&str>,
    width: f64,
) -> f64 {
    let mut y = MARGIN + TITLE_SIZE;
    let t = metrics.fit(title, TITLE_SIZE, true, width);
    svg.text(MARGIN, y, &t, TextStyle::new(TITLE_SIZE, INK).bold());
    if let Some(s) = subtitle.filter(|s| !s.trim().is_empty()) {
        y += SUBTITLE_SIZE + 5.0;
        let s = metrics.fit(s, SUBTITLE_SIZE, false, width);
        svg.text(MARGIN, y, &s, TextStyle::new(SUBTITLE_SIZE, MUTED));
    }
    y + GAP
}

/// Draws the source and attribution lines above the bottom margin; returns their height.
pub(crate) fn footer(
    svg: &mut Svg,
    metrics: &Metrics,
    lines: &[Option<&str>],
    page_w: f64,
    page_h: f64,
) -> f64 {
    let lines: Vec<&str> = lines
        .iter()
        .flatten()
        .copied()
        .filter(|l| !l.trim().is_empty())
        .collect();
    let line_h = FOOTER_SIZE + 3.0;
    let mut y = page_h - MARGIN - (lines.len().max(1) as f64 - 1.0) * line_h;
    for l in &lines {
        let l = metrics.fit(l, FOOTER_SIZE, false, page_w - 2.0 * MARGIN);
        svg.text(MARGIN, y, &l, TextStyle::new(FOOTER_SIZE, MUTED));
        y += line_h;
    }
    lines.len() as f64 * line_h
}

/// Lays out and draws a map page.
///
/// # Errors
/// [`PrintError`] for a page size or dpi out of range, per-district lists of the wrong length,
/// or a view that cannot be shown.
pub fn compose_map(page: &MapPage) -> Result<Composition, PrintError> {
    let (w, h) = page.page.size_pt()?;
    page.page.pixels()?;
    page.map.validate()?;
    let bbox = page.map.view_bbox()?;
    let metrics = Metrics::new()?;
    let mut svg = Svg::new(w, h, &page.title);
    let content_w = w - 2.0 * MARGIN;

    let top = header(
        &mut svg,
        &metrics,
        &page.title,
        page.subtitle.as_deref(),
        content_w,
    );
    let footer_h = footer(
        &mut svg,
        &metrics,
        &[page.source.as_deref(), page.attribution.as_deref()],
        w,
        h,
    );
    let bottom = h - MARGIN - footer_h - GAP;
    let scale_h = if page.scale_bar {
        scalebar::HEIGHT
    } else {
        0.0
    };

    // Two layouts: legend in a column right of the map, or in a band below it. The one that
    // gives the larger map wins (a wide area on a portrait page takes the band, a tall one on a
    // landscape page the column).
    let col_w = (content_w * 0.26).min(200.0);
    let (lw, _) = legend::measure(&page.legend, &metrics, col_w);
    let col_w = lw.max(if page.scale_bar { 110.0 } else { 0.0 });
    let side = map::fit(
        bbox,
        [MARGIN, top, content_w - col_w - GAP * 1.5, bottom - top],
    );
    let band_w = content_w * 0.65;
    let (_, lh) = legend::measure(&page.legend, &metrics, band_w);
    let band = lh.max(scale_h);
    let below = map::fit(bbox, [MARGIN, top, content_w, bottom - top - band - GAP]);

    let frame;
    if side.scale >= below.scale {
        frame = side;
        let x = frame.x + frame.width + GAP * 1.5;
        legend::draw(&mut svg, &page.legend, &metrics, x, top, col_w);
        map::draw(&mut svg, &page.map, &frame, "map");
        if page.scale_bar {
            let y = frame.y + frame.height - scale_h;
            scalebar::draw(&mut svg, &frame, x, y, col_w.min(120.0), page.lang);
        }
    } else {
        frame = below;
        map::draw(&mut svg, &page.map, &frame, "map");
        let y = frame.y + frame.height + GAP;
        legend::draw(&mut svg, &page.legend, &metrics, MARGIN, y, band_w);
        if page.scale_bar {
            let max = (content_w * 0.3).min(frame.width * 0.3).max(40.0);
            let x = (MARGIN + frame.width - max)
                .max(MARGIN + band_w.min(lw) + GAP * 2.0)
                .min(MARGIN + content_w - max);
            scalebar::draw(&mut svg, &frame, x, y, max, page.lang);
        }
    }
    let (mut halos, mut texts) = (svg.layer(), svg.layer());
    let placed = if page.map.labels.is_empty() {
        Vec::new()
    } else {
        labels::place_and_draw(&mut halos, &mut texts, &page.map, &frame, &metrics)
    };
    Ok(Composition {
        frame: Some(frame),
        labels: placed,
        ..Composition::with_labels(svg, halos, texts, &page.page, &page.title)?
    })
}
