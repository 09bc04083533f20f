//! The style query parameters shared by tiles, legend and TileJSON, checked and made canonical.
//!
//! `method`, `classes`, `palette`, `breaks` (comma-separated, for `manual`) and `centre` (a number
//! or `mean`, for diverging schemes) override the indicator's defaults from the manifest.
//! A style that resolves to the same classification always gets the same canonical query string
//! ([`ResolvedStyle::canonical`]), whatever order or spelling the request used: it keys the
//! classification cache, the tile cache and the ETags, and it is the query of the TileJSON `tiles` URL.

use std::fmt::Write as _;

use crate::manifest::Style as ManifestStyle;
use quartier_geo::classify::{Method, MAX_CLASSES, MIN_CLASSES};
use quartier_geo::palette;
use serde::Deserialize;

use crate::error::AtlasError;
use crate::manifest::Indicator;
use crate::messages::palette_de;
use crate::periods::PeriodChoice;

/// The classification methods a request may name, for error messages.
pub const METHODS: &str = "quantile, equal, jenks, stddev, pretty or manual";

/// A requested style: the style parameters of a request as sent (all optional, all text, so that a
/// malformed value gets a message naming it rather than a generic deserialisation error).
///
/// It deserialises from a query map (`?method=jenks&classes=4`; other keys are ignored), so every
/// consumer (tiles, legend, TileJSON, later seeding and reports) reads the same parameters, and a
/// new one (a `period`, a `compare`, a `scope`) is added here once. What is not given comes from
/// the indicator's manifest style when the style is resolved ([`ResolvedStyle::resolve`]).
///
/// ```
/// use quartier_atlas::Style;
///
/// let style = Style::from_pairs([("method", "jenks"), ("classes", "4"), ("lang", "de")]);
/// assert_eq!(style.method.as_deref(), Some("jenks"));
/// assert_eq!(style.palette, None);
/// ```
#[derive(Debug, Default, Clone, PartialEq, Eq, Hash, Deserialize)]
pub struct Style {
    /// Classification method.
    pub method: Option<String>,
    /// Number of classes, 2 to 9.
    pub classes: Option<String>,
    /// Colour scheme name.
    pub palette: Option<String>,
    /// Class breaks for `manual`, comma-separated.
    pub breaks: Option<String>,
    /// Centre of a diverging scheme: a number or `mean`.
    #[serde(alias = "center")]
    pub centre: Option<String>,
    /// Border width in CSS pixels at scale 1 (doubled at `@2x`): 0 (no borders) to [`MAX_BORDER`].
    pub border: Option<String>,
    /// The period shown (a year of the indicator's periods); default: the latest.
    pub period: Option<String>,
    /// A change map: the period to compare `period` with.
    pub compare: Option<String>,
    /// `absolute` (default) or `percent`, for change maps.
    pub change: Option<String>,
    /// `all` (breaks over every period, the default) or `period`.
    pub scope: Option<String>,
}

impl Style {
    /// A style from query pairs (later pairs win; unknown keys are ignored).
    pub fn from_pairs<K: AsRef<str>, V: AsRef<str>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Style {
        let mut style = Style::default();
        for (k, v) in pairs {
            let v = Some(v.as_ref().to_string());
            match k.as_ref() {
                "method" => style.method = v,
                "classes" => style.classes = v,
                "palette" => style.palette = v,
                "breaks" => style.breaks = v,
                "centre" | "center" => style.centre = v,
                "border" => style.border = v,
                "period" => style.period = v,
                "compare" => style.compare = v,
                "change" => style.change = v,
                "scope" => style.scope = v,
                _ => {}
            }
        }
        style
    }
}

/// The border width when none is asked for: a thin line, light enough for 3,000 counties at zoom 4.
pub const DEFAULT_BORDER: f32 = 0.5;

/// The widest border a request may ask for, in CSS pixels. Half of it is how far a border reaches
/// beyond its polygon, which the empty-tile test allows for (two pixels).
pub const MAX_BORDER: f32 = 4.0;

/// A style checked against an indicator's defaults: everything a classification depends on.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedStyle {
    /// Classification method.
    pub method: Method,
    /// Number of classes asked for (the classification may produce fewer, and says why).
    pub classes: usize,
    /// Colour scheme name, as the palette module spells it.
    pub palette: String,
    /// Breaks for `manual`.
    pub breaks: Option<Vec<f64>>,
    /// Centre of a diverging scheme.
    pub centre: Option<f64>,
    /// Border width in CSS pixels at scale 1.
    pub border: f32,
    /// Period, change map and scope ([`PeriodChoice::resolve`]); empty for indicators without periods.
    pub periods: PeriodChoice,
}

/// A number as the German messages write it (decimal comma, real minus sign).
fn de_num(v: f64) -> String {
    crate::labels::format_number(v, None, crate::Lang::De)
}

fn parse_number(name: &str, text: &str) -> Result<f64, AtlasError> {
    let text = text.trim();
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(AtlasError::bad_style(
            format!(
                "{name}: {text:?} is not a finite number (use a dot as decimal separator, e.g. 2.5)"
            ),
            format!(
                "{name}: {text:?} ist keine endliche Zahl (mit Punkt als Dezimaltrennzeichen, z. B. 2.5)"
            ),
        )),
    }
}

/// Parse `breaks=1,2.5,4`: finite numbers in strictly increasing order.
pub fn parse_breaks(text: &str) -> Result<Vec<f64>, AtlasError> {
    let breaks = text
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| parse_number("breaks", s))
        .collect::<Result<Vec<f64>, _>>()?;
    if breaks.is_empty() {
        return Err(AtlasError::bad_style(
            "breaks is empty: give class breaks separated by commas, e.g. breaks=1,2.5,4",
            "Keine Grenzen angegeben: Klassengrenzen durch Kommas getrennt, z. B. breaks=1,2.5,4",
        ));
    }
    if let Some(w) = breaks.windows(2).find(|w| w[0] >= w[1]) {
        return Err(AtlasError::bad_style(
            format!("breaks must increase: {} is followed by {}", w[0], w[1]),
            format!(
                "Die Grenzen müssen aufsteigen: auf {} folgt {}",
                de_num(w[0]),
                de_num(w[1])
            ),
        ));
    }
    Ok(breaks)
}

/// A parameter's text when it is given and not blank.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl ResolvedStyle {
    /// Apply the request's parameters to the indicator's default style.
    ///
    /// `mean` is the layer's reference value of the indicator, for `centre=mean`.
    pub fn resolve(
        default: &ManifestStyle,
        params: &Style,
        mean: Option<f64>,
    ) -> Result<ResolvedStyle, AtlasError> {
        let breaks = given(&params.breaks).map(parse_breaks).transpose()?;
        let method = match given(&params.method) {
            Some(m) => m.parse::<Method>().map_err(|_| {
                AtlasError::bad_style(
                    format!("unknown method {m:?}: use {METHODS}"),
                    format!(
                        "Unbekanntes Einteilungsverfahren {m:?}: {}",
                        METHODS.replace(" or ", " oder ")
                    ),
                )
            })?,
            // Breaks alone mean "these breaks".
            None if breaks.is_some() => Method::Manual,
            None => default.method,
        };
        if breaks.is_some() && method != Method::Manual {
            return Err(AtlasError::bad_style(
                format!(
                    "breaks are only used with method=manual, not method={method}: \
                     drop breaks or add method=manual"
                ),
                format!(
                    "Grenzen gelten nur mit method=manual, nicht mit method={method}: \
                     breaks weglassen oder method=manual angeben"
                ),
            ));
        }
        let breaks = match method {
            Method::Manual => Some(breaks.or_else(|| default.breaks.clone()).ok_or_else(|| {
                AtlasError::bad_style(
                    "method=manual needs breaks: give them separated by commas, e.g. breaks=1,2.5,4",
                    "method=manual braucht Grenzen, durch Kommas getrennt, z. B. breaks=1,2.5,4",
                )
            })?),
            _ => None,
        };
        let classes = match given(&params.classes) {
            Some(c) => {
                let n = c.parse::<usize>().map_err(|_| {
                    AtlasError::bad_style(
                        format!(
                            "classes={c:?} is not a whole number: use {MIN_CLASSES} to {MAX_CLASSES}"
                        ),
                        format!(
                            "classes={c:?} ist keine ganze Zahl: {MIN_CLASSES} bis {MAX_CLASSES} angeben"
                        ),
                    )
                })?;
                if !(MIN_CLASSES..=MAX_CLASSES).contains(&n) {
                    return Err(AtlasError::bad_style(
                        format!(
                            "classes={n} is out of range: use {MIN_CLASSES} to {MAX_CLASSES} classes"
                        ),
                        format!(
                            "classes={n} ist außerhalb des Bereichs: {MIN_CLASSES} bis {MAX_CLASSES} Klassen"
                        ),
                    ));
                }
                n
            }
            None => default.classes,
        };
        // Manual breaks make their own classes (one per upper bound, plus one up to the maximum
        // when values lie above the last): `classes` does not apply.
        let classes = breaks.as_ref().map_or(classes, Vec::len);
        if classes > MAX_CLASSES {
            return Err(AtlasError::bad_style(
                format!(
                    "{classes} breaks make at least {classes} classes: at most {MAX_CLASSES} are allowed"
                ),
                format!(
                    "{classes} Grenzen ergeben mindestens {classes} Klassen: höchstens {MAX_CLASSES} sind möglich"
                ),
            ));
        }
        let palette_name = given(&params.palette).unwrap_or(&default.palette);
        let scheme = palette::scheme(palette_name).map_err(|e| {
            AtlasError::bad_style(
                format!("palette={palette_name:?}: {e}"),
                format!("palette={palette_name:?}: {}", palette_de(&e)),
            )
        })?;
        // Check that the scheme has this many classes now, so the error names the parameter.
        scheme.colors(classes).map_err(|e| {
            AtlasError::bad_style(
                format!("palette={palette_name:?} with classes={classes}: {e}"),
                format!(
                    "palette={palette_name:?} mit classes={classes}: {}",
                    palette_de(&e)
                ),
            )
        })?;
        let centre = match given(&params.centre) {
            None => default.centre,
            Some(c) if c.eq_ignore_ascii_case("mean") => mean,
            Some(c) => Some(parse_number("centre", c)?),
        };
        let border = match given(&params.border) {
            None => DEFAULT_BORDER,
            Some(b) => {
                let w = parse_number("border", b)?;
                if !(0.0..=f64::from(MAX_BORDER)).contains(&w) {
                    return Err(AtlasError::bad_style(
                        format!(
                            "border={w} is out of range: use a width from 0 (no borders) to {MAX_BORDER} pixels"
                        ),
                        format!(
                            "border={} ist außerhalb des Bereichs: eine Breite von 0 (keine Grenzlinien) bis {MAX_BORDER} Pixel",
                            de_num(w)
                        ),
                    ));
                }
                w as f32
            }
        };
        Ok(ResolvedStyle {
            periods: PeriodChoice::default(),
            border,
            method,
            classes,
            // The scheme's own spelling, so `ylorrd` and `YlOrRd` are one style.
            palette: scheme.name.to_string(),
            breaks,
            centre,
        })
    }

    /// The canonical query string of this style (`method=quantile&classes=5&palette=YlOrRd`).
    pub fn canonical(&self) -> String {
        let mut s = String::with_capacity(128);
        let _ = write!(
            s,
            "method={}&classes={}&palette=",
            self.method, self.classes
        );
        write_url_escaped(&mut s, &self.palette);
        if let Some(breaks) = &self.breaks {
            // `classes` is implied by the breaks; it stays in the string only for readability.
            s.push_str("&breaks=");
            for (i, b) in breaks.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                let _ = write!(s, "{b}");
            }
        }
        if let Some(c) = self.centre {
            let _ = write!(s, "&centre={c}");
        }
        // Only a non-default border is spelled out, so default URLs stay as short as before.
        if self.border != DEFAULT_BORDER {
            let _ = write!(s, "&border={}", self.border);
        }
        self.periods.write_canonical(&mut s);
        s
    }

    /// Resolve a request against an indicator: its periods first (`period`, `compare`, `change`,
    /// `scope`), then the style. A change map without a palette in the request is drawn in a
    /// diverging scheme (`RdBu`, or the indicator's own when that is diverging) centred on 0.
    /// `mean_of` gives the layer's reference for the values shown (the ratio of the totals or
    /// the mean of the districts), for `centre=mean`.
    pub fn for_indicator(
        ind: &Indicator,
        params: &Style,
        mean_of: impl FnOnce(&PeriodChoice) -> Option<f64>,
    ) -> Result<ResolvedStyle, AtlasError> {
        let periods = PeriodChoice::resolve(ind, params)?;
        // The indicator's own style, copied only where a change map alters it.
        let mut default = std::borrow::Cow::Borrowed(&ind.style);
        if periods.is_change() {
            let change = default.to_mut();
            let diverging = palette::scheme(&change.palette)
                .is_ok_and(|s| s.kind == palette::SchemeKind::Diverging);
            if !diverging {
                change.palette = CHANGE_PALETTE.into();
            }
            change.centre = Some(0.0);
            if change.method == Method::Manual {
                change.method = Method::Quantile;
            }
        }
        let wants_mean = given(&params.centre).is_some_and(|c| c.eq_ignore_ascii_case("mean"));
        let mean = if wants_mean { mean_of(&periods) } else { None };
        let mut resolved = ResolvedStyle::resolve(&default, params, mean)?;
        resolved.periods = periods;
        Ok(resolved)
    }
}

/// The diverging scheme of change maps when neither the request nor the indicator names one.
pub const CHANGE_PALETTE: &str = "RdBu";

/// Percent-encode everything but unreserved characters (RFC 3986), for ids and names in URLs.
pub fn url_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    write_url_escaped(&mut out, s);
    out
}

/// [`url_escape`] appended to `out`.
fn write_url_escaped(out: &mut String, s: &str) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_style() -> ManifestStyle {
        ManifestStyle {
            method: Method::Quantile,
            classes: 5,
            palette: "YlOrRd".into(),
            breaks: None,
            centre: None,
        }
    }

    fn params(pairs: &[(&str, &str)]) -> Style {
        Style::from_pairs(pairs.iter().copied())
    }

    fn resolve(pairs: &[(&str, &str)]) -> Result<ResolvedStyle, AtlasError> {
        ResolvedStyle::resolve(&default_style(), &params(pairs), Some(2.0))
    }

    fn message(pairs: &[(&str, &str)]) -> String {
        resolve(pairs).unwrap_err().to_string()
    }

    #[test]
    fn defaults_come_from_the_manifest() {
        let s = resolve(&[]).unwrap();
        assert_eq!(s.canonical(), "method=quantile&classes=5&palette=YlOrRd");
    }

    #[test]
    fn overrides_and_canonical_form() {
        let s = resolve(&[("method", "jenks"), ("classes", "7"), ("palette", "blues")]).unwrap();
        assert_eq!(s.method, Method::Jenks);
        assert_eq!(s.canonical(), "method=jenks&classes=7&palette=Blues");
        let m = resolve(&[("breaks", "1, 2.5,4")]).unwrap();
        assert_eq!(m.method, Method::Manual);
        assert_eq!(m.breaks.as_deref(), Some(&[1.0, 2.5, 4.0][..]));
        assert!(m.canonical().ends_with("&breaks=1,2.5,4"));
        let c = resolve(&[("palette", "RdBu"), ("centre", "mean")]).unwrap();
        assert_eq!(c.centre, Some(2.0));
        assert!(c.canonical().ends_with("&centre=2"));
    }

    #[test]
    fn bad_parameters_say_what_is_allowed() {
        assert!(message(&[("method", "kmeans")]).contains("quantile, equal, jenks"));
        assert!(message(&[("classes", "12")]).contains("use 2 to 9"));
        assert!(message(&[("classes", "1")]).contains("use 2 to 9"));
        assert!(message(&[("classes", "five")]).contains("not a whole number"));
        assert!(message(&[("method", "manual")]).contains("needs breaks"));
        assert!(message(&[("breaks", "3,2")]).contains("must increase"));
        assert!(message(&[("breaks", "1,x")]).contains("not a finite number"));
        assert!(message(&[("breaks", "1,NaN")]).contains("not a finite number"));
        assert!(message(&[("method", "jenks"), ("breaks", "1,2")]).contains("method=manual"));
        assert!(message(&[("palette", "Rainbow")]).contains("palette=\"Rainbow\""));
        assert!(message(&[("centre", "middle")]).contains("centre"));
    }

    #[test]
    fn border_width_is_checked_and_canonical() {
        assert_eq!(resolve(&[]).unwrap().border, DEFAULT_BORDER);
        assert_eq!(
            resolve(&[("border", "0.5")]).unwrap().canonical(),
            "method=quantile&classes=5&palette=YlOrRd"
        );
        let one = resolve(&[("border", "1")]).unwrap();
        assert_eq!(one.border, 1.0);
        assert_eq!(
            one.canonical(),
            "method=quantile&classes=5&palette=YlOrRd&border=1"
        );
        assert_eq!(resolve(&[("border", "0")]).unwrap().border, 0.0);
        assert!(message(&[("border", "5")]).contains("0 (no borders) to 4 pixels"));
        assert!(message(&[("border", "-1")]).contains("out of range"));
        assert!(message(&[("border", "thick")]).contains("not a finite number"));
    }

    #[test]
    fn url_escaping() {
        assert_eq!(url_escape("YlOrRd"), "YlOrRd");
        assert_eq!(url_escape("a b&c"), "a%20b%26c");
        assert_eq!(url_escape("Côte"), "C%C3%B4te");
    }
}
