//! The district profile page: a locator map, one table row per indicator (value, reference,
//! rank, change, a small chart over the periods) and the components of an index.

use crate::print::font::Metrics;
use crate::print::map::{self, DistrictStyle, MapContent, PrintLayer, View};
use crate::print::map_page::{footer, header, INK, MARGIN, MUTED};
use crate::print::page::{Lang, PageSpec};
use crate::print::svg::{num, Anchor, Svg, TextStyle};
use crate::print::{Composition, PrintError};

/// Values of one indicator over the periods, for the row's chart.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Series {
    /// Period names, oldest first ("2015", "2016", ...).
    pub periods: Vec<String>,
    /// The district's value per period (`None` where missing).
    pub values: Vec<Option<f64>>,
    /// The reference (layer average) per period, drawn as a second, grey line; may be empty.
    pub reference: Vec<Option<f64>>,
}

/// One indicator row of a profile.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProfileRow {
    /// Indicator name.
    pub title: String,
    /// Unit, written after the numbers ("%", "€ je Einw."), may be empty.
    pub unit: String,
    /// The district's value.
    pub value: Option<f64>,
    /// The reference value (layer average).
    pub reference: Option<f64>,
    /// Rank among the districts and their number, `(rank, of)`, 1 = highest value.
    pub rank: Option<(u32, u32)>,
    /// Change since the first period, in the indicator's unit.
    pub change: Option<f64>,
    /// Decimals shown.
    pub decimals: u8,
    /// Values over the periods for a small chart, optional.
    pub series: Option<Series>,
}

/// One component of a composite index: drawn as a bar of `weight · direction · z`.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexComponent {
    /// Indicator name.
    pub name: String,
    /// Weight in the index.
    pub weight: f64,
    /// +1 when a high value raises the index, -1 when it lowers it.
    pub direction: f64,
    /// The district's z-score on the indicator (`None` without a value).
    pub z: Option<f64>,
}

/// A district profile page (A4 portrait by default).
#[derive(Debug, Clone)]
pub struct ProfilePage<'a> {
    /// Size, orientation and dpi.
    pub page: PageSpec,
    /// District name.
    pub title: String,
    /// Line under the name (layer, atlas, period), optional.
    pub subtitle: Option<String>,
    /// The locator map (see [`MapContent::locator`]), optional.
    pub locator: Option<MapContent<'a>>,
    /// Indicator rows, in order.
    pub rows: Vec<ProfileRow>,
    /// Heading and components of the index, optional.
    pub index: Option<(String, Vec<IndexComponent>)>,
    /// Source line at the bottom, optional.
    pub source: Option<String>,
    /// Language of headings and number format.
    pub lang: Lang,
}

impl<'a> MapContent<'a> {
    /// A locator map: the whole layer in grey with district `district` filled with `fill` and
    /// outlined.
    #[must_use]
    pub fn locator(layer: PrintLayer<'a>, district: usize, fill: [u8; 4]) -> MapContent<'a> {
        let styles = (0..layer.len())
            .map(|i| {
                if i == district {
                    DistrictStyle {
                        fill,
                        border: [0x1a, 0x1a, 0x1a, 0xff],
                        border_width: 0.8,
                        context: false,
                        hatch: false,
                    }
                } else {
                    DistrictStyle {
                        border_width: 0.2,
                        context: true,
                        ..DistrictStyle::filled(map::CONTEXT_FILL)
                    }
                }
            })
            .collect();
        MapContent {
            layer,
            styles,
            labels: Vec::new(),
            view: View::Layer,
        }
    }
}

/// Boundary simplification of the locator map on paper, in points (0.25 pt, about 0.09 mm):
/// the locator only shows where a district lies, and at the map pages' 0.07 pt every profile
/// page of the 401 German Kreise carried 290 kB of outlines.
const LOCATOR_TOLERANCE_PT: f64 = 0.25;

/// A number in the language's format: German "1.234,5", English "1,234.5"; negatives with the
/// minus sign U+2212, as the legend labels.
pub(crate) fn format_number(v: f64, decimals: u8, lang: Lang) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    let s = format!("{:.*}", usize::from(decimals.min(6)), v.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let (thousands, point) = match lang {
        Lang::De => ('.', ','),
        Lang::En => (',', '.'),
    };
    let mut out = String::new();
    if v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.push('\u{2212}');
    }
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(thousands);
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push(point);
        out.push_str(frac);
    }
    out
}

const HEAD_SIZE: f64 = 7.0;
const CELL_SIZE: f64 = 8.5;
const LOCATOR: (f64, f64) = (150.0, 130.0);
const RULE: [u8; 4] = [0xd0, 0xd0, 0xd0, 0xff];
const LINE: [u8; 4] = [0x1f, 0x4e, 0x79, 0xff];
const REF_LINE: [u8; 4] = [0x9a, 0x9a, 0x9a, 0xff];
const POSITIVE: [u8; 4] = [0xb2, 0x18, 0x2b, 0xff];
const NEGATIVE: [u8; 4] = [0x21, 0x66, 0xac, 0xff];

/// Lays out and draws a profile page.
///
/// Rows that do not fit on the page are left out and said so in a line under the table (and in
/// [`Composition::notes`]).
///
/// # Errors
/// [`PrintError`] for a page size or dpi out of range, or a locator map whose inputs do not
/// match its layer.
pub fn compose_profile(page: &ProfilePage) -> Result<Composition, PrintError> {
    let (w, h) = page.page.size_pt()?;
    page.page.pixels()?;
    let metrics = Metrics::new()?;
    let lang = page.lang;
    let mut svg = Svg::new(w, h, &page.title);
    let content_w = w - 2.0 * MARGIN;
    let mut notes = Vec::new();

    let mut frame = None;
    let mut header_w = content_w;
    let mut top = MARGIN;
    if let Some(loc) = &page.locator {
        loc.validate()?;
        let bbox = loc.view_bbox()?;
        let area = [w - MARGIN - LOCATOR.0, MARGIN, LOCATOR.0, LOCATOR.1];
        let mut f = map::fit(bbox, area);
        f.x = area[0] + (area[2] - f.width); // right-aligned
        map::draw_with_tolerance(&mut svg, loc, &f, "locator", LOCATOR_TOLERANCE_PT);
        header_w = content_w - LOCATOR.0 - 16.0;
        top = top.max(f.y + f.height);
        frame = Some(f);
    }
    let below_header = header(
        &mut svg,
        &metrics,
        &page.title,
        page.subtitle.as_deref(),
        header_w,
    );
    let mut y = below_header.max(top + 14.0);
    let footer_h = footer(&mut svg, &metrics, &[page.source.as_deref()], w, h);
    let bottom = h - MARGIN - footer_h - 10.0;

    // Index block height, reserved below the table.
    let index_h = page
        .index
        .as_ref()
        .map_or(0.0, |(_, c)| 40.0 + c.len() as f64 * 13.0);

    // Columns: indicator | value | reference | rank | change | chart.
    let any_chart = page
        .rows
        .iter()
        .any(|r| r.series.as_ref().is_some_and(|s| s.periods.len() > 1));
    let chart_w = if any_chart { 105.0 } else { 0.0 };
    let num_w = 58.0;
    let rank_w = 44.0;
    let title_w = content_w - chart_w - 3.0 * num_w - rank_w - 8.0;
    let x_value = MARGIN + title_w + num_w;
    let x_ref = x_value + num_w;
    let x_rank = x_ref + rank_w;
    let x_change = x_rank + num_w;
    let x_chart = x_change + 12.0;

    let head = TextStyle::new(HEAD_SIZE, MUTED);
    svg.text(MARGIN, y, lang.pick("Indikator", "Indicator"), head);
    let right = head.anchor(Anchor::End);
    svg.text(x_value, y, lang.pick("Wert", "Value"), right);
    svg.text(x_ref, y, lang.pick("Durchschnitt", "Average"), right);
    svg.text(x_rank, y, lang.pick("Rang", "Rank"), right);
    svg.text(x_change, y, lang.pick("Veränderung", "Change"), right);
    if any_chart {
        svg.text(x_chart, y, lang.pick("Verlauf", "Trend"), head);
    }
    y += 4.0;
    svg.line([MARGIN, y], [MARGIN + content_w, y], INK, 0.6);

    // A row holds the title, and the unit under it when there is one.
    let any_unit = page.rows.iter().any(|r| !r.unit.is_empty());
    let row_h = if any_chart {
        30.0
    } else if any_unit {
        24.0
    } else {
        17.0
    };
    let room = (bottom - index_h - y - 12.0).max(0.0);
    let fit_rows = ((room / row_h).floor() as usize).min(page.rows.len());
    let cell = TextStyle::new(CELL_SIZE, INK);
    for row in &page.rows[..fit_rows] {
        let baseline = y + row_h / 2.0 + 3.0 - if any_chart || any_unit { 3.0 } else { 0.0 };
        let t = metrics.fit(&row.title, CELL_SIZE, true, title_w - 6.0);
        svg.text(MARGIN, baseline, &t, cell.bold());
        if !row.unit.is_empty() {
            let u = metrics.fit(&row.unit, HEAD_SIZE, false, title_w - 6.0);
            svg.text(MARGIN, baseline + 9.0, &u, TextStyle::new(HEAD_SIZE, MUTED));
        }
        let fmt =
            |v: Option<f64>| v.map_or("–".to_string(), |v| format_number(v, row.decimals, lang));
        svg.text(
            x_value,
            baseline,
            &fmt(row.value),
            cell.bold().anchor(Anchor::End),
        );
        svg.text(
            x_ref,
            baseline,
            &fmt(row.reference),
            cell.anchor(Anchor::End),
        );
        let rank = row
            .rank
            .map_or("–".to_string(), |(r, n)| format!("{r} / {n}"));
        svg.text(x_rank, baseline, &rank, cell.anchor(Anchor::End));
        let change = row.change.map_or("–".to_string(), |c| {
            let s = format_number(c, row.decimals, lang);
            if c > 0.0 && s.chars().any(|ch| ch.is_ascii_digit() && ch != '0') {
                format!("+{s}")
            } else {
                s
            }
        });
        svg.text(x_change, baseline, &change, cell.anchor(Anchor::End));
        if let Some(series) = row.series.as_ref().filter(|s| s.periods.len() > 1) {
            chart(
                &mut svg,
                series,
                [x_chart, y + 4.0, chart_w - 12.0, row_h - 13.0],
            );
        }
        y += row_h;
        svg.line([MARGIN, y], [MARGIN + content_w, y], RULE, 0.4);
    }
    if fit_rows < page.rows.len() {
        let left = page.rows.len() - fit_rows;
        let note = match lang {
            Lang::De => format!("{left} weitere Indikatoren passen nicht auf die Seite"),
            Lang::En => format!("{left} more indicators do not fit on the page"),
        };
        y += 10.0;
        svg.text(MARGIN, y, &note, TextStyle::new(HEAD_SIZE, MUTED));
        notes.push(note);
    }

    if let Some((title, components)) = &page.index {
        y += 22.0;
        svg.text(
            MARGIN,
            y,
            &metrics.fit(title, 10.0, true, content_w),
            TextStyle::new(10.0, INK).bold(),
        );
        y += 6.0;
        index_bars(&mut svg, &metrics, components, [MARGIN, y, content_w], lang);
    }

    Ok(Composition {
        frame,
        notes,
        ..Composition::new(svg, &page.page, &page.title)?
    })
}

/// A small line chart of a series in `[x, y, w, h]`: the district's values dark, the reference
/// grey, the first and last period written under it.
fn chart(svg: &mut Svg, s: &Series, r: [f64; 4]) {
    let vals = s
        .values
        .iter()
        .chain(&s.reference)
        .flatten()
        .copied()
        .filter(|v| v.is_finite());
    let (lo, hi) = vals.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    if lo > hi {
        return;
    }
    let span = if hi > lo { hi - lo } else { 1.0 };
    let n = s.periods.len();
    let px = |i: usize| r[0] + r[2] * i as f64 / (n - 1) as f64;
    let py = |v: f64| r[1] + r[3] - (v - lo) / span * r[3];
    let mut polyline = |values: &[Option<f64>], colour: [u8; 4], width: f64, dash: bool| {
        let mut d = String::new();
        let mut pen = false;
        for (i, v) in values.iter().take(n).enumerate() {
            match v.filter(|v| v.is_finite()) {
                Some(v) => {
                    d.push(if pen { 'L' } else { 'M' });
                    d.push_str(&format!("{} {}", num(px(i)), num(py(v))));
                    pen = true;
                }
                None => pen = false,
            }
        }
        if !d.is_empty() {
            let mut attrs = String::from(r#"fill="none" stroke-linejoin="round""#);
            crate::print::svg::paint(&mut attrs, "stroke", Some(colour));
            attrs.push_str(&format!(r#" stroke-width="{}""#, num(width)));
            if dash {
                attrs.push_str(r#" stroke-dasharray="2 1.5""#);
            }
            svg.path(&d, &attrs);
        }
    };
    polyline(&s.reference, REF_LINE, 0.7, true);
    polyline(&s.values, LINE, 1.1, false);
    if let Some((i, v)) = s
        .values
        .iter()
        .take(n)
        .enumerate()
        .rev()
        .find_map(|(i, v)| v.map(|v| (i, v)))
    {
        if v.is_finite() {
            svg.raw(&format!(
                r#"<circle cx="{}" cy="{}" r="1.4" fill="{}"/>"#,
                num(px(i)),
                num(py(v)),
                crate::print::svg::hex(LINE)
            ));
        }
    }
    let small = TextStyle::new(5.5, MUTED);
    if let (Some(first), Some(last)) = (s.periods.first(), s.periods.last()) {
        svg.text(r[0], r[1] + r[3] + 6.5, first, small);
        svg.text(
            r[0] + r[2],
            r[1] + r[3] + 6.5,
            last,
            small.anchor(Anchor::End),
        );
    }
}

/// The index components as horizontal bars of `weight · direction · z` around a zero line.
fn index_bars(svg: &mut Svg, metrics: &Metrics, comps: &[IndexComponent], r: [f64; 3], lang: Lang) {
    let name_w = r[2] * 0.34;
    let info_w = r[2] * 0.24;
    let bar_x = r[0] + name_w + info_w;
    let bar_w = r[2] - name_w - info_w;
    let contrib = |c: &IndexComponent| {
        c.z.map(|z| c.weight * c.direction.signum() * z)
            .filter(|v| v.is_finite())
    };
    let max = comps
        .iter()
        .filter_map(contrib)
        .map(f64::abs)
        .fold(0.0, f64::max)
        .max(1e-9);
    let zero = bar_x + bar_w / 2.0;
    let mut y = r[1];
    let head = TextStyle::new(HEAD_SIZE, MUTED);
    svg.text(r[0], y + 8.0, lang.pick("Komponente", "Component"), head);
    let info_head = lang.pick(
        "Gewicht · Richtung · z-Wert",
        "Weight · direction · z-score",
    );
    svg.text(r[0] + name_w, y + 8.0, info_head, head);
    let bar_head = lang.pick("Beitrag zum Index", "Contribution to the index");
    svg.text(zero, y + 8.0, bar_head, head.anchor(Anchor::Middle));
    y += 8.0;
    let cell = TextStyle::new(CELL_SIZE - 0.5, INK);
    for c in comps {
        y += 13.0;
        svg.text(
            r[0],
            y,
            &metrics.fit(&c.name, CELL_SIZE - 0.5, false, name_w - 6.0),
            cell,
        );
        let sign = if c.direction < 0.0 { "\u{2212}" } else { "+" };
        let z = c.z.map_or("–".to_string(), |z| format_number(z, 2, lang));
        let info = format!("{} · {sign} · z {z}", format_number(c.weight, 2, lang));
        svg.text(r[0] + name_w, y, &info, TextStyle::new(HEAD_SIZE, MUTED));
        if let Some(v) = contrib(c) {
            let len = v.abs() / max * (bar_w / 2.0 - 4.0);
            let x = if v < 0.0 { zero - len } else { zero };
            svg.rect(
                x,
                y - 7.0,
                len,
                8.0,
                Some(if v < 0.0 { NEGATIVE } else { POSITIVE }),
                None,
            );
        }
    }
    svg.line([zero, r[1] + 12.0], [zero, y + 3.0], INK, 0.5);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_german_and_english() {
        assert_eq!(format_number(1234.5, 1, Lang::De), "1.234,5");
        assert_eq!(format_number(1234.5, 1, Lang::En), "1,234.5");
        assert_eq!(format_number(-0.04, 1, Lang::De), "0,0");
        assert_eq!(format_number(-12.0, 0, Lang::En), "\u{2212}12");
        assert_eq!(format_number(1_000_000.0, 0, Lang::De), "1.000.000");
        assert_eq!(format_number(f64::NAN, 1, Lang::De), "–");
    }
}
