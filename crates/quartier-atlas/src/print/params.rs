//! The print parameters of the CLI and of HTTP (`size`, `landscape`, `dpi`, `bbox`,
//! `district`, `lang`, `title`), parsed in one place so both accept and refuse the same values.

use quartier_render::print::{
    Orientation, PageSize, PageSpec, DPI_RANGE, MAX_PRINT_PIXELS, MM_RANGE, PX_RANGE,
};
use serde::Deserialize;

use crate::lang::Lang;
use crate::print::PrintRequestError;

/// What part of a layer a map shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum PrintView {
    /// Every district.
    #[default]
    Layer,
    /// A box in WGS84 degrees, `[west, south, east, north]`.
    BBox([f64; 4]),
    /// One district (by id) in its class colour, its neighbours greyed around it.
    District(String),
}

/// The print parameters of a request, as sent (all text, so that a malformed value gets a
/// message naming it); deserialises from the same query string as the style parameters.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct PrintParams {
    /// `A4`, `A3`, `WxHmm` or `WxHpx`. _Default:_ A4.
    pub size: Option<String>,
    /// `true`/`1` for landscape.
    pub landscape: Option<String>,
    /// Dots per inch of the PNG. _Default:_ 300 (150 over HTTP, see the server).
    pub dpi: Option<String>,
    /// `W,S,E,N` in degrees.
    pub bbox: Option<String>,
    /// A district id: that district with its neighbours greyed.
    pub district: Option<String>,
    /// `de` or `en`.
    pub lang: Option<String>,
    /// Title instead of the indicator's.
    pub title: Option<String>,
}

fn bad(message: String) -> PrintRequestError {
    PrintRequestError::Params(message)
}

/// Parse `A4`, `A3`, `210x297mm` or `1200x800px` (case-insensitive, `x` or `×`).
pub fn parse_size(text: &str) -> Result<PageSize, PrintRequestError> {
    let t = text.trim().to_ascii_lowercase();
    let usage = || {
        bad(format!(
            "size {text:?} is not A4, A3, WxHmm (e.g. 210x297mm, sides {}..{} mm) or WxHpx \
             (e.g. 1600x1200px, sides {}..{} px)",
            MM_RANGE.0, MM_RANGE.1, PX_RANGE.0, PX_RANGE.1
        ))
    };
    match t.as_str() {
        "a4" => return Ok(PageSize::A4),
        "a3" => return Ok(PageSize::A3),
        _ => {}
    }
    let (dims, mm) = if let Some(d) = t.strip_suffix("mm") {
        (d, true)
    } else if let Some(d) = t.strip_suffix("px") {
        (d, false)
    } else {
        return Err(usage());
    };
    let (w, h) = dims
        .split_once('x')
        .or_else(|| dims.split_once('×'))
        .ok_or_else(usage)?;
    if mm {
        let side = |s: &str| {
            s.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| (MM_RANGE.0..=MM_RANGE.1).contains(v))
        };
        match (side(w), side(h)) {
            (Some(width), Some(height)) => Ok(PageSize::Mm { width, height }),
            _ => Err(usage()),
        }
    } else {
        let side = |s: &str| {
            s.trim()
                .parse::<u32>()
                .ok()
                .filter(|v| (PX_RANGE.0..=PX_RANGE.1).contains(v))
        };
        match (side(w), side(h)) {
            (Some(width), Some(height)) => Ok(PageSize::Px { width, height }),
            _ => Err(usage()),
        }
    }
}

/// Parse `W,S,E,N` in degrees (west < east, south < north, latitudes within ±85.05°).
pub fn parse_bbox(text: &str) -> Result<[f64; 4], PrintRequestError> {
    let usage = |why: &str| {
        bad(format!(
            "bbox {text:?} {why}: give west,south,east,north in degrees, e.g. \
             bbox=6.19,50.60,6.72,51.05"
        ))
    };
    let v: Vec<f64> = text
        .split(',')
        .map(|s| s.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| usage("is not four numbers"))?;
    let [w, s, e, n] = <[f64; 4]>::try_from(v).map_err(|_| usage("is not four numbers"))?;
    if ![w, s, e, n].iter().all(|x| x.is_finite())
        || !(-180.0..=180.0).contains(&w)
        || !(-180.0..=180.0).contains(&e)
        || !(-85.06..=85.06).contains(&s)
        || !(-85.06..=85.06).contains(&n)
    {
        return Err(usage("is outside -180..180 / -85.05..85.05"));
    }
    if w >= e || s >= n {
        return Err(usage(
            "is empty (west must be below east, south below north)",
        ));
    }
    Ok([w, s, e, n])
}

/// A parameter's text when it is given and not blank.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn parse_bool(name: &str, text: &str) -> Result<bool, PrintRequestError> {
    match text.trim().to_ascii_lowercase().as_str() {
        "" | "1" | "true" | "yes" => Ok(true),
        "0" | "false" | "no" => Ok(false),
        _ => Err(bad(format!("{name}={text:?} is not true or false"))),
    }
}

impl PrintParams {
    /// The view these parameters ask for (`bbox` and `district` exclude each other).
    pub fn view(&self) -> Result<PrintView, PrintRequestError> {
        match (given(&self.bbox), given(&self.district)) {
            (Some(_), Some(_)) => Err(bad(
                "bbox and district exclude each other: give one of them".to_string(),
            )),
            (Some(b), None) => Ok(PrintView::BBox(parse_bbox(b)?)),
            (None, Some(d)) => Ok(PrintView::District(d.to_string())),
            (None, None) => Ok(PrintView::Layer),
        }
    }

    /// The page these parameters ask for, `default_dpi` when none is given.
    pub fn page(&self, default_dpi: f64) -> Result<PageSpec, PrintRequestError> {
        let size = match self.size.as_deref().map(str::trim) {
            None | Some("") => PageSize::A4,
            Some(s) => parse_size(s)?,
        };
        let landscape = match self.landscape.as_deref() {
            None => false,
            Some(v) => parse_bool("landscape", v)?,
        };
        let dpi = match self.dpi.as_deref().map(str::trim) {
            None | Some("") => default_dpi,
            Some(d) => d
                .parse::<f64>()
                .ok()
                .filter(|v| (DPI_RANGE.0..=DPI_RANGE.1).contains(v))
                .ok_or_else(|| {
                    bad(format!(
                        "dpi {d:?} is not a number from {} to {}",
                        DPI_RANGE.0, DPI_RANGE.1
                    ))
                })?,
        };
        let spec = PageSpec {
            size,
            orientation: if landscape {
                Orientation::Landscape
            } else {
                Orientation::Portrait
            },
            dpi,
        };
        // Refuse pages whose PNG would be too large here, with the allowed range, before any
        // work is done.
        if let Err(quartier_render::print::PrintError::TooLarge { width, height, .. }) =
            spec.pixels()
        {
            return Err(bad(format!(
                "a {width} x {height} px page is more than the {MAX_PRINT_PIXELS} pixels allowed: \
                 lower the dpi or choose a smaller size"
            )));
        }
        Ok(spec)
    }

    /// The language (`de` or `en`; English when none is given).
    pub fn lang(&self) -> Result<Lang, PrintRequestError> {
        Ok(Lang::parse(self.lang.as_deref())?)
    }

    /// The title asked for, when it is not blank.
    pub fn title(&self) -> Option<String> {
        self.title
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("A4").ok(), Some(PageSize::A4));
        assert_eq!(parse_size("a3").ok(), Some(PageSize::A3));
        assert_eq!(
            parse_size("210x148mm").ok(),
            Some(PageSize::Mm {
                width: 210.0,
                height: 148.0
            })
        );
        assert_eq!(
            parse_size("1600X1200px").ok(),
            Some(PageSize::Px {
                width: 1600,
                height: 1200
            })
        );
        let e = parse_size("A5").unwrap_err().to_string();
        assert!(e.contains("A4, A3, WxHmm"), "{e}");
        assert!(parse_size("10x10mm").is_err());
        assert!(parse_size("99999x100px").is_err());
    }

    #[test]
    fn bboxes() {
        assert_eq!(
            parse_bbox("6.19, 50.60,6.72,51.05").ok(),
            Some([6.19, 50.6, 6.72, 51.05])
        );
        assert!(parse_bbox("6.72,50.60,6.19,51.05").is_err());
        assert!(parse_bbox("1,2,3").is_err());
        assert!(parse_bbox("0,-89,1,1").is_err());
        assert!(parse_bbox("a,b,c,d").is_err());
    }

    #[test]
    fn pages_and_limits() {
        let p = PrintParams {
            size: Some("A3".into()),
            landscape: Some("1".into()),
            dpi: Some("150".into()),
            ..PrintParams::default()
        };
        let spec = p.page(300.0).unwrap();
        assert_eq!(spec.size, PageSize::A3);
        assert_eq!(spec.orientation, Orientation::Landscape);
        assert_eq!(spec.dpi, 150.0);
        let too_fine = PrintParams {
            dpi: Some("5000".into()),
            ..PrintParams::default()
        };
        let e = too_fine.page(300.0).unwrap_err().to_string();
        assert!(e.contains("from 36 to 1200"), "{e}");
        let too_large = PrintParams {
            size: Some("A3".into()),
            dpi: Some("1200".into()),
            ..PrintParams::default()
        };
        let e = too_large.page(300.0).unwrap_err().to_string();
        assert!(e.contains("lower the dpi"), "{e}");
        let both = PrintParams {
            bbox: Some("1,2,3,4".into()),
            district: Some("05358".into()),
            ..PrintParams::default()
        };
        assert!(both.view().is_err());
        assert_eq!(PrintParams::default().view().unwrap(), PrintView::Layer);
    }
}
