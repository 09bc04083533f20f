//! The map frame of a page: which districts, how they are coloured, which part of the layer is
//! shown, and drawing them (fills, hatches, borders) into the page's SVG.

use std::collections::HashMap;
use std::fmt::Write as _;

use geo_types::MultiPolygon;

use crate::layer::TileLayer;
use crate::print::svg::{paint, push_num, Svg, HATCH_ID};
use crate::print::PrintError;
use crate::tile::MERCATOR_HALF_EXTENT;

/// Fill of districts shown as context (greyed neighbours).
pub const CONTEXT_FILL: [u8; 4] = [0xe4, 0xe4, 0xe4, 0xff];
/// Border of districts shown as context.
pub const CONTEXT_BORDER: [u8; 4] = [0xc4, 0xc4, 0xc4, 0xff];

/// Simplification tolerance on paper, in points (0.07 pt = 0.025 mm, a third of a pixel at
/// 300 dpi): boundaries are simplified once per layer and level, shared arcs move together, so
/// neighbours never gap.
const TOLERANCE_PT: f64 = 0.07;

/// A district layer ready for print: the polygons (Web Mercator metres, layer order) for labels
/// and views, and the same polygons prepared as a [`TileLayer`] for drawing (shared boundaries,
/// simplification levels, spatial index).
#[derive(Debug, Clone, Copy)]
pub struct PrintLayer<'a> {
    pub(crate) polygons: &'a [MultiPolygon<f64>],
    pub(crate) tiles: &'a TileLayer,
}

impl<'a> PrintLayer<'a> {
    /// Pairs the polygons with the tile layer prepared from them (`TileLayer::new(polygons)`);
    /// a server keeps both anyway.
    ///
    /// # Errors
    /// [`PrintError::LengthMismatch`] when they have different numbers of districts.
    pub fn new(
        polygons: &'a [MultiPolygon<f64>],
        tiles: &'a TileLayer,
    ) -> Result<PrintLayer<'a>, PrintError> {
        if polygons.len() != tiles.len() {
            return Err(PrintError::LengthMismatch {
                what: "the polygon list",
                got: polygons.len(),
                expected: tiles.len(),
            });
        }
        Ok(PrintLayer { polygons, tiles })
    }

    /// Number of districts.
    #[must_use]
    pub fn len(&self) -> usize {
        self.polygons.len()
    }

    /// Whether the layer has no districts.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.polygons.is_empty()
    }
}

/// How one district is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DistrictStyle {
    /// Fill colour (RGBA; alpha 0 leaves the district unfilled).
    pub fill: [u8; 4],
    /// Border colour.
    pub border: [u8; 4],
    /// Border width in points (0 draws none). _Default:_ 0.25.
    pub border_width: f64,
    /// Draw the district as context: greyed ([`CONTEXT_FILL`], [`CONTEXT_BORDER`]) whatever its
    /// fill, and its label grey; for the neighbours around a district in focus.
    pub context: bool,
    /// Cover the fill with the hatch used for suppressed values.
    pub hatch: bool,
}

impl DistrictStyle {
    /// A district filled with `fill`, with thin grey borders.
    #[must_use]
    pub fn filled(fill: [u8; 4]) -> DistrictStyle {
        DistrictStyle {
            fill,
            border: [0x80, 0x80, 0x80, 0xff],
            border_width: 0.25,
            context: false,
            hatch: false,
        }
    }
}

/// The part of the layer a map shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum View {
    /// All districts.
    Layer,
    /// A box in Web Mercator metres, `[min_x, min_y, max_x, max_y]`.
    BBox([f64; 4]),
    /// One district, with `margin` times its size added on every side (0.25 shows a ring of
    /// neighbours).
    District {
        /// Index of the district in layer order.
        index: usize,
        /// Margin as a share of the district's width and height.
        margin: f64,
    },
}

/// The content of a map frame.
#[derive(Debug, Clone)]
pub struct MapContent<'a> {
    /// The districts.
    pub layer: PrintLayer<'a>,
    /// One style per district, in layer order.
    pub styles: Vec<DistrictStyle>,
    /// One label per district (`None` for no label), or empty for no labels at all.
    pub labels: Vec<Option<String>>,
    /// What part of the layer is shown.
    pub view: View,
}

/// Where the map sits on the page and how mercator metres map to page points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MapFrame {
    /// Left edge on the page, points.
    pub x: f64,
    /// Top edge on the page, points.
    pub y: f64,
    /// Width, points.
    pub width: f64,
    /// Height, points.
    pub height: f64,
    /// Mercator point at the frame's centre.
    pub centre: [f64; 2],
    /// Page points per mercator metre.
    pub scale: f64,
}

impl MapFrame {
    /// Page position (points, y down) of a mercator point.
    #[inline]
    #[must_use]
    pub fn project(&self, p: [f64; 2]) -> [f64; 2] {
        [
            self.x + self.width / 2.0 + (p[0] - self.centre[0]) * self.scale,
            self.y + self.height / 2.0 - (p[1] - self.centre[1]) * self.scale,
        ]
    }

    /// Mercator point under a page position.
    #[must_use]
    pub fn unproject(&self, q: [f64; 2]) -> [f64; 2] {
        [
            self.centre[0] + (q[0] - self.x - self.width / 2.0) / self.scale,
            self.centre[1] - (q[1] - self.y - self.height / 2.0) / self.scale,
        ]
    }

    /// Whether a page position is inside the frame.
    #[must_use]
    pub fn contains(&self, q: [f64; 2]) -> bool {
        q[0] >= self.x
            && q[0] <= self.x + self.width
            && q[1] >= self.y
            && q[1] <= self.y + self.height
    }

    /// The frame's extent in mercator metres, `[min_x, min_y, max_x, max_y]`.
    #[must_use]
    pub fn bbox(&self) -> [f64; 4] {
        let a = self.unproject([self.x, self.y + self.height]);
        let b = self.unproject([self.x + self.width, self.y]);
        [a[0], a[1], b[0], b[1]]
    }

    /// Latitude in degrees at the frame's centre (spherical Web Mercator).
    #[must_use]
    pub fn centre_latitude(&self) -> f64 {
        (self.centre[1] / EARTH_RADIUS).sinh().atan().to_degrees()
    }
}

/// Radius of the sphere of Web Mercator.
pub(crate) const EARTH_RADIUS: f64 = 6_378_137.0;

impl<'a> MapContent<'a> {
    /// Checks the per-district inputs against the layer.
    pub(crate) fn validate(&self) -> Result<(), PrintError> {
        let n = self.layer.len();
        if self.styles.len() != n {
            return Err(PrintError::LengthMismatch {
                what: "the style list",
                got: self.styles.len(),
                expected: n,
            });
        }
        if !self.labels.is_empty() && self.labels.len() != n {
            return Err(PrintError::LengthMismatch {
                what: "the label list",
                got: self.labels.len(),
                expected: n,
            });
        }
        Ok(())
    }

    /// The mercator box to show.
    pub(crate) fn view_bbox(&self) -> Result<[f64; 4], PrintError> {
        let b = match self.view {
            View::Layer => self.layer.tiles.bounds().ok_or_else(|| {
                PrintError::View("the layer has no drawable district".to_string())
            })?,
            View::BBox(b) => {
                let m = MERCATOR_HALF_EXTENT;
                let ok = b.iter().all(|v| v.is_finite() && v.abs() <= m * 1.01)
                    && b[0] < b[2]
                    && b[1] < b[3];
                if !ok {
                    return Err(PrintError::View(format!(
                        "bbox {b:?} must be finite Web Mercator metres with min < max"
                    )));
                }
                b
            }
            View::District { index, margin } => {
                let poly = self.layer.polygons.get(index).ok_or_else(|| {
                    PrintError::View(format!(
                        "district {index} does not exist (the layer has {})",
                        self.layer.len()
                    ))
                })?;
                if !(margin.is_finite() && (0.0..=10.0).contains(&margin)) {
                    return Err(PrintError::View(format!(
                        "margin {margin} must be between 0 and 10"
                    )));
                }
                let b = polygon_bbox(poly)
                    .ok_or_else(|| PrintError::View(format!("district {index} has no geometry")))?;
                let (w, h) = ((b[2] - b[0]).max(1.0), (b[3] - b[1]).max(1.0));
                [
                    b[0] - margin * w,
                    b[1] - margin * h,
                    b[2] + margin * w,
                    b[3] + margin * h,
                ]
            }
        };
        // A degenerate box (one point) still gets a kilometre around it.
        let (cx, cy) = ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
        let (hw, hh) = (
            ((b[2] - b[0]) / 2.0).max(500.0),
            ((b[3] - b[1]) / 2.0).max(500.0),
        );
        Ok([cx - hw, cy - hh, cx + hw, cy + hh])
    }
}

/// Fits `bbox` into the area `[x, y, w, h]` (points), top-left aligned, keeping the aspect ratio; the
/// frame shrinks to the map so that the page can put the legend right below or beside it.
pub(crate) fn fit(bbox: [f64; 4], area: [f64; 4]) -> MapFrame {
    let (bw, bh) = (bbox[2] - bbox[0], bbox[3] - bbox[1]);
    // A page too small for its legend still gets a (tiny) map rather than a mirrored one.
    let (aw, ah) = (area[2].max(10.0), area[3].max(10.0));
    let scale = (aw / bw).min(ah / bh);
    let (width, height) = (bw * scale, bh * scale);
    MapFrame {
        x: area[0],
        y: area[1],
        width,
        height,
        centre: [(bbox[0] + bbox[2]) / 2.0, (bbox[1] + bbox[3]) / 2.0],
        scale,
    }
}

/// Bounding box of a multipolygon's finite coordinates.
pub(crate) fn polygon_bbox(mp: &MultiPolygon<f64>) -> Option<[f64; 4]> {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for p in &mp.0 {
        for c in &p.exterior().0 {
            if c.x.is_finite() && c.y.is_finite() {
                b = [b[0].min(c.x), b[1].min(c.y), b[2].max(c.x), b[3].max(c.y)];
            }
        }
    }
    (b[0] <= b[2] && b[1] <= b[3]).then_some(b)
}

/// Draws the districts of `content` inside `frame`: fills (context first), hatches, then
/// borders grouped by style, all clipped to the frame.
pub(crate) fn draw(svg: &mut Svg, content: &MapContent, frame: &MapFrame, clip_id: &str) {
    draw_with_tolerance(svg, content, frame, clip_id, TOLERANCE_PT);
}

/// [`draw`] with boundaries simplified to `tolerance_pt` on paper: a locator map the size of
/// a stamp needs far fewer vertices than a map page (and a report has one per district).
pub(crate) fn draw_with_tolerance(
    svg: &mut Svg,
    content: &MapContent,
    frame: &MapFrame,
    clip_id: &str,
    tolerance_pt: f64,
) {
    let tiles = content.layer.tiles;
    let Some(level) = tiles.level_for_tolerance(tolerance_pt / frame.scale) else {
        return;
    };
    let mut visible = Vec::new();
    tiles.districts_in(frame.bbox(), &mut visible);

    svg.raw(&format!(
        r#"<clipPath id="{clip_id}"><rect x="{}" y="{}" width="{}" height="{}"/></clipPath>"#,
        crate::print::svg::num(frame.x),
        crate::print::svg::num(frame.y),
        crate::print::svg::num(frame.width),
        crate::print::svg::num(frame.height)
    ));
    svg.open(&format!(r#"clip-path="url(#{clip_id})""#));

    // Fills: exact (not anti-aliased) in the PNG, like the tiles, so that the colour of a
    // district is exactly its class colour and shared boundaries leave no seam; the borders
    // drawn on top are smooth.
    svg.open(r#"shape-rendering="crispEdges" fill-rule="evenodd""#);
    let mut d = String::new();
    for pass_context in [true, false] {
        for &di in &visible {
            let i = di as usize;
            let Some(style) = content.styles.get(i) else {
                continue;
            };
            if style.context != pass_context {
                continue;
            }
            let fill = if style.context {
                CONTEXT_FILL
            } else {
                style.fill
            };
            d.clear();
            district_path(tiles, level, i, frame, &mut d);
            if d.is_empty() {
                continue;
            }
            let mut attrs = format!(r#"id="d{i}""#);
            paint(&mut attrs, "fill", Some(fill));
            svg.path(&d, &attrs);
            if style.hatch {
                svg.path(&d, &format!(r#"fill="url(#{HATCH_ID})""#));
            }
        }
    }
    svg.close();

    draw_borders(svg, content, level, &visible, frame);
    svg.close();
}

/// Border style key: colour and width in hundredths of a point, and whether it is context.
type BorderKey = (bool, u64, [u8; 4]);

fn draw_borders(
    svg: &mut Svg,
    content: &MapContent,
    level: &crate::simplify::Level,
    visible: &[u32],
    frame: &MapFrame,
) {
    let tiles = content.layer.tiles;
    // The style of each arc: the one of the district that "wins" it (in focus over context,
    // then the wider border, then the lower index), so a highlighted district keeps its whole
    // outline and every arc is drawn once.
    let mut arc_style: HashMap<u32, (usize, DistrictStyle)> = HashMap::new();
    for &di in visible {
        let i = di as usize;
        let Some(&style) = content.styles.get(i) else {
            continue;
        };
        for &a in tiles.arcs_of(i) {
            if !tiles.arc_border[a as usize] {
                continue;
            }
            let rank = |s: &DistrictStyle| (!s.context, (s.border_width * 100.0).round() as i64);
            arc_style
                .entry(a)
                .and_modify(|cur| {
                    if rank(&style) > rank(&cur.1) {
                        *cur = (i, style);
                    }
                })
                .or_insert((i, style));
        }
    }
    let mut groups: HashMap<BorderKey, Vec<u32>> = HashMap::new();
    for (a, (_, s)) in arc_style {
        if !(s.border_width.is_finite() && s.border_width > 0.0) || s.border[3] == 0 {
            continue;
        }
        let colour = if s.context { CONTEXT_BORDER } else { s.border };
        let w = (s.border_width.min(20.0) * 100.0).round() as u64;
        groups.entry((!s.context, w, colour)).or_default().push(a);
    }
    let mut keys: Vec<BorderKey> = groups.keys().copied().collect();
    keys.sort_unstable();
    let mut d = String::new();
    for key in keys {
        let Some(arcs) = groups.get_mut(&key) else {
            continue;
        };
        arcs.sort_unstable();
        d.clear();
        for &a in arcs.iter() {
            subpath(level.arc(a as usize), frame, false, &mut d);
        }
        if d.is_empty() {
            continue;
        }
        let mut attrs =
            String::from(r#"fill="none" stroke-linejoin="round" stroke-linecap="round""#);
        paint(&mut attrs, "stroke", Some(key.2));
        let _ = write!(attrs, r#" stroke-width="{}""#, key.1 as f64 / 100.0);
        svg.path(&d, &attrs);
    }
}

/// Path data of district `i`: its arcs chained into closed rings (any decomposition into closed
/// walks fills the same area under the even-odd rule).
fn district_path(
    tiles: &TileLayer,
    level: &crate::simplify::Level,
    i: usize,
    frame: &MapFrame,
    d: &mut String,
) {
    let arcs = tiles.arcs_of(i);
    let mut open: Vec<(&[[f64; 2]], bool)> = Vec::new();
    for &a in arcs {
        let pts = level.arc(a as usize);
        if pts.len() < 2 {
            continue;
        }
        if pts.first() == pts.last() {
            subpath(pts, frame, true, d);
        } else {
            open.push((pts, false));
        }
    }
    // Chain the open arcs: each ring is a cycle of arcs meeting end to start (either way round).
    let mut chain: Vec<[f64; 2]> = Vec::new();
    for start in 0..open.len() {
        if open[start].1 {
            continue;
        }
        open[start].1 = true;
        chain.clear();
        chain.extend_from_slice(open[start].0);
        let first = chain[0];
        while let Some(&end) = chain.last() {
            if end == first && chain.len() > 2 {
                break;
            }
            let next = open.iter().position(|(pts, used)| {
                !used && (pts.first() == Some(&end) || pts.last() == Some(&end))
            });
            let Some(n) = next else { break };
            open[n].1 = true;
            let pts = open[n].0;
            if pts.first() == Some(&end) {
                chain.extend_from_slice(&pts[1..]);
            } else {
                chain.extend(pts.iter().rev().skip(1));
            }
        }
        subpath(&chain, frame, true, d);
    }
}

/// Appends `M x y L ...` of `pts` projected into the frame (`Z` when `close`), dropping points
/// that round to the previous one.
fn subpath(pts: &[[f64; 2]], frame: &MapFrame, close: bool, d: &mut String) {
    let mut last: Option<(i64, i64)> = None;
    let mut n = 0;
    let start = d.len();
    for &p in pts {
        let q = frame.project(p);
        if !(q[0].is_finite() && q[1].is_finite()) {
            continue;
        }
        let key = ((q[0] * 100.0).round() as i64, (q[1] * 100.0).round() as i64);
        if last == Some(key) {
            continue;
        }
        last = Some(key);
        d.push(if n == 0 { 'M' } else { 'L' });
        push_num(d, q[0]);
        d.push(' ');
        push_num(d, q[1]);
        n += 1;
    }
    if n < 2 {
        d.truncate(start);
    } else if close {
        d.push('Z');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::polygon;

    fn square(x: f64, y: f64, s: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![
            (x: x, y: y), (x: x + s, y: y), (x: x + s, y: y + s), (x: x, y: y + s)
        ]])
    }

    #[test]
    fn frame_projection_round_trips_and_keeps_aspect() {
        let f = fit([0.0, 0.0, 2000.0, 1000.0], [10.0, 20.0, 400.0, 400.0]);
        assert!((f.width - 400.0).abs() < 1e-9 && (f.height - 200.0).abs() < 1e-9);
        let q = f.project([2000.0, 1000.0]);
        assert!((q[0] - 410.0).abs() < 1e-9 && (q[1] - 20.0).abs() < 1e-9);
        let p = f.unproject(q);
        assert!((p[0] - 2000.0).abs() < 1e-6 && (p[1] - 1000.0).abs() < 1e-6);
    }

    #[test]
    fn neighbours_chain_into_closed_rings_on_shared_arcs() {
        let polys = vec![square(0.0, 0.0, 1000.0), square(1000.0, 0.0, 1000.0)];
        let tiles = TileLayer::new(polys.clone());
        let level = tiles.level_for_tolerance(0.01).expect("a level");
        let f = fit([0.0, 0.0, 2000.0, 1000.0], [0.0, 0.0, 200.0, 100.0]);
        let mut d = String::new();
        district_path(&tiles, level, 1, &f, &mut d);
        // One closed ring through the four corners of the east square.
        assert_eq!(d.matches('M').count(), 1, "{d}");
        assert!(d.ends_with('Z'));
        for corner in ["100 0", "200 0", "200 100", "100 100"] {
            assert!(d.contains(corner), "{corner} missing in {d}");
        }
    }

    #[test]
    fn bad_views_are_refused() {
        let polys = vec![square(0.0, 0.0, 1000.0)];
        let tiles = TileLayer::new(polys.clone());
        let layer = PrintLayer::new(&polys, &tiles).expect("same length");
        let content = |view| MapContent {
            layer,
            styles: vec![DistrictStyle::filled([1, 2, 3, 255])],
            labels: vec![],
            view,
        };
        assert!(content(View::BBox([1.0, 0.0, 0.0, 1.0]))
            .view_bbox()
            .is_err());
        assert!(content(View::BBox([f64::NAN, 0.0, 1.0, 1.0]))
            .view_bbox()
            .is_err());
        let missing = View::District {
            index: 3,
            margin: 0.1,
        };
        assert!(content(missing).view_bbox().is_err());
        assert!(content(View::Layer).view_bbox().is_ok());
        let short = MapContent {
            styles: vec![],
            ..content(View::Layer)
        };
        assert!(matches!(
            short.validate(),
            Err(PrintError::LengthMismatch { .. })
        ));
        let empty: Vec<MultiPolygon<f64>> = vec![];
        assert!(PrintLayer::new(&empty, &tiles).is_err());
    }
}
