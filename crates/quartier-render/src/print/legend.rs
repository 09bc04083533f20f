//! The legend: one row per class (swatch, label, count), plus no-data and suppressed rows.

use crate::print::font::Metrics;
use crate::print::svg::{Anchor, Svg, TextStyle};

/// What a legend row stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegendKind {
    /// A class of values.
    Class,
    /// Districts without a value.
    NoData,
    /// Districts whose value is withheld (small numbers); the swatch is hatched, as on the map.
    Suppressed,
}

/// One legend row.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendRow {
    /// What the row stands for.
    pub kind: LegendKind,
    /// Swatch colour (the class colour of the live map).
    pub colour: [u8; 4],
    /// Label, as the live legend writes it (for example "12,5 – 17,0 %").
    pub label: String,
    /// Number of districts in the row, shown right of the label.
    pub count: Option<usize>,
}

/// The legend of a map page.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Legend {
    /// Heading above the rows (for example the unit), optional.
    pub title: Option<String>,
    /// The rows, top to bottom.
    pub rows: Vec<LegendRow>,
}

pub(crate) const TEXT_SIZE: f64 = 8.0;
const TITLE_SIZE: f64 = 8.5;
const ROW_H: f64 = 13.0;
const SWATCH_W: f64 = 16.0;
const SWATCH_H: f64 = 9.5;
const GAP: f64 = 6.0;
const TEXT: [u8; 4] = [0x22, 0x22, 0x22, 0xff];
const MUTED: [u8; 4] = [0x6b, 0x6b, 0x6b, 0xff];
const SWATCH_OUTLINE: [u8; 4] = [0x80, 0x80, 0x80, 0xff];

/// Size of the drawn legend, `(width, height)` in points, when its labels are cut to
/// `max_width`.
pub(crate) fn measure(legend: &Legend, metrics: &Metrics, max_width: f64) -> (f64, f64) {
    if legend.rows.is_empty() && legend.title.is_none() {
        return (0.0, 0.0);
    }
    let (label_w, count_w) = columns(legend, metrics, max_width);
    let mut w = SWATCH_W
        + GAP
        + label_w
        + if count_w > 0.0 {
            GAP * 2.0 + count_w
        } else {
            0.0
        };
    let mut h = legend.rows.len() as f64 * ROW_H;
    if let Some(t) = &legend.title {
        w = w.max(metrics.width(t, TITLE_SIZE, true).min(max_width));
        h += ROW_H + 2.0;
    }
    (w.min(max_width), h)
}

fn columns(legend: &Legend, metrics: &Metrics, max_width: f64) -> (f64, f64) {
    let count_w = legend
        .rows
        .iter()
        .filter_map(|r| r.count)
        .map(|c| metrics.width(&c.to_string(), TEXT_SIZE, false))
        .fold(0.0, f64::max);
    let room = (max_width
        - SWATCH_W
        - GAP
        - if count_w > 0.0 {
            GAP * 2.0 + count_w
        } else {
            0.0
        })
    .max(20.0);
    let label_w = legend
        .rows
        .iter()
        .map(|r| metrics.width(&r.label, TEXT_SIZE, false))
        .fold(0.0, f64::max)
        .min(room);
    (label_w, count_w)
}

/// Draws the legend with its top-left corner at `(x, y)`.
pub(crate) fn draw(
    svg: &mut Svg,
    legend: &Legend,
    metrics: &Metrics,
    x: f64,
    y: f64,
    max_width: f64,
) {
    let (label_w, count_w) = columns(legend, metrics, max_width);
    let mut top = y;
    if let Some(t) = &legend.title {
        let t = metrics.fit(t, TITLE_SIZE, true, max_width);
        svg.text(
            x,
            top + TITLE_SIZE,
            &t,
            TextStyle::new(TITLE_SIZE, TEXT).bold(),
        );
        top += ROW_H + 2.0;
    }
    for row in &legend.rows {
        let sy = top + (ROW_H - SWATCH_H) / 2.0 - 1.0;
        svg.rect(
            x,
            sy,
            SWATCH_W,
            SWATCH_H,
            Some(row.colour),
            Some((SWATCH_OUTLINE, 0.4)),
        );
        if row.kind == LegendKind::Suppressed {
            svg.hatch_rect(x, sy, SWATCH_W, SWATCH_H);
        }
        let baseline = sy + SWATCH_H - 1.5;
        let label = metrics.fit(&row.label, TEXT_SIZE, false, label_w + 0.01);
        let colour = if row.kind == LegendKind::Class {
            TEXT
        } else {
            MUTED
        };
        svg.text(
            x + SWATCH_W + GAP,
            baseline,
            &label,
            TextStyle::new(TEXT_SIZE, colour),
        );
        if let Some(c) = row.count {
            let right = x + SWATCH_W + GAP + label_w + GAP * 2.0 + count_w;
            svg.text(
                right,
                baseline,
                &c.to_string(),
                TextStyle::new(TEXT_SIZE, MUTED).anchor(Anchor::End),
            );
        }
        top += ROW_H;
    }
}
