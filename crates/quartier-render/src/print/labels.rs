//! District labels: names placed at the pole of inaccessibility of their district, largest
//! districts first, never overlapping, and left out when they do not fit inside.

use geo_types::{Coord, LineString, Polygon};

use crate::print::font::Metrics;
use crate::print::map::{MapContent, MapFrame};
use crate::print::svg::{Anchor, Svg, TextStyle};

/// Label size in points.
pub(crate) const LABEL_SIZE: f64 = 6.5;
/// Width of the white halo around label glyphs, points (half of it shows on each side).
pub(crate) const HALO: f64 = 1.6;
/// Label colour, and the colour of labels of context districts.
const LABEL_FILL: [u8; 4] = [0x22, 0x22, 0x22, 0xff];
const CONTEXT_LABEL_FILL: [u8; 4] = [0x88, 0x88, 0x88, 0xff];
/// Free space kept between two labels' halos, points.
const GAP: f64 = 1.0;

/// A label that was placed on the page.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedLabel {
    /// Index of the district in layer order.
    pub district: usize,
    /// The text.
    pub text: String,
    /// Anchor point (centre of the text box) on the page, points.
    pub centre: [f64; 2],
    /// Box of the glyphs and their halo on the page, `[min_x, min_y, max_x, max_y]` in points
    /// (y down). It lies inside the district and inside the map frame, and the boxes of two
    /// labels never overlap.
    pub bbox: [f64; 4],
}

/// Places the labels of `content` in `frame` and draws their halos into `halos` and their
/// glyphs into `texts` (two layers, so that the PDF keeps the halos as outlines under the
/// text, and every halo lies under every label).
pub(crate) fn place_and_draw(
    halos: &mut Svg,
    texts: &mut Svg,
    content: &MapContent,
    frame: &MapFrame,
    metrics: &Metrics,
) -> Vec<PlacedLabel> {
    let placed = place(content, frame, metrics);
    for label in &placed {
        let context = content
            .styles
            .get(label.district)
            .is_some_and(|s| s.context);
        let e = metrics.extent(&label.text, LABEL_SIZE, false);
        let baseline = label.centre[1] + (e.ascent + e.descent) / 2.0;
        let fill = if context {
            CONTEXT_LABEL_FILL
        } else {
            LABEL_FILL
        };
        let style = TextStyle::new(LABEL_SIZE, fill).anchor(Anchor::Middle);
        let halo = TextStyle {
            halo: Some(HALO),
            ..style
        };
        halos.text(label.centre[0], baseline, &label.text, halo);
        texts.text(label.centre[0], baseline, &label.text, style);
    }
    placed
}

/// Candidate district with its page geometry.
struct Candidate<'t> {
    district: usize,
    text: &'t str,
    area: f64,
    part: Polygon<f64>,
}

pub(crate) fn place(content: &MapContent, frame: &MapFrame, metrics: &Metrics) -> Vec<PlacedLabel> {
    let pad = HALO / 2.0;
    let mut candidates: Vec<Candidate> = Vec::new();
    for (i, label) in content.labels.iter().enumerate() {
        let Some(text) = label.as_deref().map(str::trim).filter(|t| !t.is_empty()) else {
            continue;
        };
        let Some(mp) = content.layer.polygons.get(i) else {
            continue;
        };
        let e = metrics.extent(text, LABEL_SIZE, false);
        let (need_w, need_h) = (e.width + 2.0 * pad, e.ascent - e.descent + 2.0 * pad);
        // The largest part on the page; parts too small for the text are skipped early.
        let mut best: Option<(f64, Polygon<f64>)> = None;
        let mut total = 0.0;
        for poly in &mp.0 {
            let Some(page) = project_polygon(poly, frame) else {
                continue;
            };
            let b = ring_bbox(page.exterior());
            let area = ring_area(page.exterior()).abs()
                - page
                    .interiors()
                    .iter()
                    .map(|r| ring_area(r).abs())
                    .sum::<f64>();
            total += area;
            if b[2] - b[0] < need_w || b[3] - b[1] < need_h {
                continue;
            }
            if best.as_ref().is_none_or(|(a, _)| area > *a) {
                best = Some((area, page));
            }
        }
        if let Some((_, part)) = best {
            candidates.push(Candidate {
                district: i,
                text,
                area: total,
                part,
            });
        }
    }
    candidates.sort_by(|a, b| b.area.total_cmp(&a.area).then(a.district.cmp(&b.district)));

    let mut placed: Vec<PlacedLabel> = Vec::new();
    for c in candidates {
        let e = metrics.extent(c.text, LABEL_SIZE, false);
        let Ok(pole) = polylabel::polylabel(&c.part, &0.5) else {
            continue;
        };
        let centre = [pole.x(), pole.y()];
        let (hw, hh) = (e.width / 2.0 + pad, (e.ascent - e.descent) / 2.0 + pad);
        let bbox = [
            centre[0] - hw,
            centre[1] - hh,
            centre[0] + hw,
            centre[1] + hh,
        ];
        let in_frame = bbox[0] >= frame.x
            && bbox[1] >= frame.y
            && bbox[2] <= frame.x + frame.width
            && bbox[3] <= frame.y + frame.height;
        if !in_frame || !rect_inside(&c.part, bbox) {
            continue;
        }
        let free = placed.iter().all(|p| {
            bbox[0] - GAP >= p.bbox[2]
                || bbox[2] + GAP <= p.bbox[0]
                || bbox[1] - GAP >= p.bbox[3]
                || bbox[3] + GAP <= p.bbox[1]
        });
        if free {
            placed.push(PlacedLabel {
                district: c.district,
                text: c.text.to_string(),
                centre,
                bbox,
            });
        }
    }
    placed
}

fn project_polygon(poly: &Polygon<f64>, frame: &MapFrame) -> Option<Polygon<f64>> {
    let ring = |r: &LineString<f64>| -> LineString<f64> {
        r.0.iter()
            .filter(|c| c.x.is_finite() && c.y.is_finite())
            .map(|c| {
                let q = frame.project([c.x, c.y]);
                Coord { x: q[0], y: q[1] }
            })
            .collect()
    };
    let ext = ring(poly.exterior());
    (ext.0.len() >= 3).then(|| Polygon::new(ext, poly.interiors().iter().map(ring).collect()))
}

fn ring_bbox(r: &LineString<f64>) -> [f64; 4] {
    r.0.iter().fold(
        [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ],
        |b, c| [b[0].min(c.x), b[1].min(c.y), b[2].max(c.x), b[3].max(c.y)],
    )
}

/// Signed shoelace area of a ring.
fn ring_area(r: &LineString<f64>) -> f64 {
    let pts = &r.0;
    if pts.len() < 3 {
        return 0.0;
    }
    let mut s = 0.0;
    for i in 0..pts.len() {
        let (a, b) = (pts[i], pts[(i + 1) % pts.len()]);
        s += a.x * b.y - b.x * a.y;
    }
    s / 2.0
}

/// Whether the rectangle `[min_x, min_y, max_x, max_y]` lies inside the polygon (holes
/// excluded): its corners are inside by the even-odd rule and no ring edge enters it.
pub(crate) fn rect_inside(poly: &Polygon<f64>, r: [f64; 4]) -> bool {
    let rings = || std::iter::once(poly.exterior()).chain(poly.interiors());
    let corners = [[r[0], r[1]], [r[2], r[1]], [r[2], r[3]], [r[0], r[3]]];
    let inside = |p: [f64; 2]| {
        let mut odd = false;
        for ring in rings() {
            let pts = &ring.0;
            for i in 0..pts.len() {
                let (a, b) = (pts[i], pts[(i + 1) % pts.len()]);
                if (a.y > p[1]) != (b.y > p[1]) {
                    let x = a.x + (p[1] - a.y) * (b.x - a.x) / (b.y - a.y);
                    if x > p[0] {
                        odd = !odd;
                    }
                }
            }
        }
        odd
    };
    if !corners.iter().all(|&c| inside(c)) {
        return false;
    }
    for ring in rings() {
        let pts = &ring.0;
        for i in 0..pts.len() {
            let (a, b) = (pts[i], pts[(i + 1) % pts.len()]);
            if segment_meets_rect([a.x, a.y], [b.x, b.y], r) {
                return false;
            }
        }
    }
    true
}

/// Whether the segment `a`-`b` has a point inside or on the rectangle (Liang-Barsky clipping).
fn segment_meets_rect(a: [f64; 2], b: [f64; 2], r: [f64; 4]) -> bool {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-dx, a[0] - r[0]),
        (dx, r[2] - a[0]),
        (-dy, a[1] - r[1]),
        (dy, r[3] - a[1]),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return false;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
            if t0 > t1 {
                return false;
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::polygon;

    #[test]
    fn rectangles_inside_and_across_a_polygon_with_a_hole() {
        let poly = Polygon::new(
            LineString::from(vec![(0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (0.0, 100.0)]),
            vec![LineString::from(vec![
                (40.0, 40.0),
                (60.0, 40.0),
                (60.0, 60.0),
                (40.0, 60.0),
            ])],
        );
        assert!(rect_inside(&poly, [5.0, 5.0, 30.0, 20.0]));
        assert!(
            !rect_inside(&poly, [90.0, 5.0, 110.0, 20.0]),
            "crosses the outline"
        );
        assert!(
            !rect_inside(&poly, [30.0, 30.0, 70.0, 70.0]),
            "covers the hole"
        );
        assert!(
            !rect_inside(&poly, [45.0, 45.0, 55.0, 55.0]),
            "inside the hole"
        );
        // A notch entering the rectangle from the side, all corners still inside.
        let notched = polygon![
            (x: 0.0, y: 0.0), (x: 100.0, y: 0.0), (x: 100.0, y: 45.0), (x: 50.0, y: 50.0),
            (x: 100.0, y: 55.0), (x: 100.0, y: 100.0), (x: 0.0, y: 100.0)
        ];
        assert!(!rect_inside(&notched, [40.0, 40.0, 95.0, 60.0]));
    }

    #[test]
    fn shoelace_area_of_a_square() {
        let r = LineString::from(vec![(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0)]);
        assert!((ring_area(&r).abs() - 4.0).abs() < 1e-12);
    }
}
