//! The scale bar: a metric length with a round value, true at the map's centre latitude.

use crate::print::map::MapFrame;
use crate::print::svg::{Anchor, Svg, TextStyle};
use crate::print::Lang;

const BLACK: [u8; 4] = [0x33, 0x33, 0x33, 0xff];
const WHITE: [u8; 4] = [0xff, 0xff, 0xff, 0xff];
const MUTED: [u8; 4] = [0x6b, 0x6b, 0x6b, 0xff];
const SIZE: f64 = 7.0;
const BAR_H: f64 = 3.5;

/// The largest length of the form 1, 2 or 5 times a power of ten metres not above `max_m`.
pub(crate) fn nice_length(max_m: f64) -> Option<f64> {
    if !(max_m.is_finite() && max_m >= 1.0) {
        return None;
    }
    let p = 10f64.powf(max_m.log10().floor());
    [5.0, 2.0, 1.0]
        .into_iter()
        .map(|f| f * p)
        .find(|&l| l <= max_m * (1.0 + 1e-12))
}

/// Page points per ground metre at the frame's centre: Web Mercator stretches the ground by
/// 1 / cos(latitude).
pub(crate) fn pt_per_ground_metre(frame: &MapFrame) -> f64 {
    frame.scale / frame.centre_latitude().to_radians().cos()
}

/// Length in metres and on the page of the bar that fits `max_pt`.
pub(crate) fn bar(frame: &MapFrame, max_pt: f64) -> Option<(f64, f64)> {
    let k = pt_per_ground_metre(frame);
    let metres = nice_length(max_pt / k)?;
    Some((metres, metres * k))
}

fn format_length(m: f64) -> String {
    if m >= 1000.0 {
        format!("{} km", m / 1000.0)
    } else {
        format!("{m} m")
    }
}

/// Height of the drawn scale bar, points.
pub(crate) const HEIGHT: f64 = 24.0;

/// Draws the bar with its top-left corner at `(x, y)`, at most `max_pt` long.
pub(crate) fn draw(svg: &mut Svg, frame: &MapFrame, x: f64, y: f64, max_pt: f64, lang: Lang) {
    let Some((metres, len)) = bar(frame, max_pt) else {
        return;
    };
    let top = y + SIZE + 2.0;
    let half = len / 2.0;
    svg.rect(x, top, half, BAR_H, Some(BLACK), Some((BLACK, 0.5)));
    svg.rect(x + half, top, half, BAR_H, Some(WHITE), Some((BLACK, 0.5)));
    let label = TextStyle::new(SIZE, BLACK).anchor(Anchor::Middle);
    svg.text(x, y + SIZE, "0", label);
    svg.text(x + len, y + SIZE, &format_length(metres), label);
    let lat = frame.centre_latitude();
    let hemi = if lat >= 0.0 { "N" } else { "S" };
    let note = match lang {
        Lang::De => format!("Maßstab gilt bei {:.0}° {hemi}", lat.abs()),
        Lang::En => format!("Scale true at {:.0}° {hemi}", lat.abs()),
    };
    svg.text(
        x,
        top + BAR_H + SIZE + 1.5,
        &note,
        TextStyle::new(SIZE - 1.0, MUTED),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::print::map::EARTH_RADIUS;

    #[test]
    fn nice_lengths_are_1_2_5_times_powers_of_ten() {
        assert_eq!(nice_length(7300.0), Some(5000.0));
        assert_eq!(nice_length(1999.0), Some(1000.0));
        assert_eq!(nice_length(2000.0), Some(2000.0));
        assert_eq!(nice_length(99.0), Some(50.0));
        assert_eq!(nice_length(0.5), None);
        assert_eq!(nice_length(f64::NAN), None);
    }

    #[test]
    fn mercator_scale_shrinks_ground_with_cos_latitude() {
        // Centre at 60° N: one mercator metre is half a ground metre.
        let lat = 60f64.to_radians();
        let y = EARTH_RADIUS * (std::f64::consts::FRAC_PI_4 + lat / 2.0).tan().ln();
        let frame = MapFrame {
            x: 0.0,
            y: 0.0,
            width: 100.0,
            height: 100.0,
            centre: [0.0, y],
            scale: 0.001,
        };
        assert!((frame.centre_latitude() - 60.0).abs() < 1e-9);
        // 0.001 pt per mercator metre is 0.002 pt per ground metre: 100 pt are 50 km.
        let (m, pt) = bar(&frame, 100.0).expect("a bar");
        assert_eq!(m, 50_000.0);
        assert!((pt - 100.0).abs() < 1e-9);
    }
}
