//! The printed legend: the live legend's rows, one for one.

use quartier_render::print::{Legend as PrintLegend, LegendKind, LegendRow};

use crate::legend::Legend;

/// `#rrggbb` as an opaque RGBA colour; `None` for anything else.
pub(crate) fn parse_hex(hex: &str) -> Option<[u8; 4]> {
    let h = hex.strip_prefix('#')?;
    if h.len() != 6 || !h.is_ascii() {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?, 0xff])
}

/// The print legend of a live legend ([`crate::Atlas::legend`]): one row per class with its
/// colour, label and count, then the no-data row (always, as the map page shows it) and the
/// suppressed row where the layer withholds small numbers; the unit is the heading.
///
/// Built from the very `Legend` the map page receives as `legend.json`, so that the printed
/// rows cannot differ from the page's.
pub fn print_legend(legend: &Legend) -> PrintLegend {
    let colour = |hex: &str| parse_hex(hex).unwrap_or([0xcc, 0xcc, 0xcc, 0xff]);
    let mut rows: Vec<LegendRow> = legend
        .colors
        .iter()
        .enumerate()
        .map(|(k, c)| LegendRow {
            kind: LegendKind::Class,
            colour: colour(c),
            label: legend.labels.get(k).cloned().unwrap_or_default(),
            count: legend.counts.get(k).copied(),
        })
        .collect();
    rows.push(LegendRow {
        kind: LegendKind::NoData,
        colour: colour(&legend.no_data_color),
        label: legend.no_data_label.to_string(),
        count: Some(legend.missing),
    });
    if let Some(label) = &legend.suppressed_label {
        rows.push(LegendRow {
            kind: LegendKind::Suppressed,
            colour: colour(&legend.suppressed_color),
            label: label.clone(),
            count: Some(legend.suppressed),
        });
    }
    PrintLegend {
        title: (!legend.unit.trim().is_empty()).then(|| legend.unit.to_string()),
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_colours() {
        assert_eq!(parse_hex("#ffffb2"), Some([0xff, 0xff, 0xb2, 0xff]));
        assert_eq!(parse_hex("#A6A6A6"), Some([0xa6, 0xa6, 0xa6, 0xff]));
        assert_eq!(parse_hex("ffffb2"), None);
        assert_eq!(parse_hex("#fff"), None);
        assert_eq!(parse_hex("#ääää"), None);
    }
}
