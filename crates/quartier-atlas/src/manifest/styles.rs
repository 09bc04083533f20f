//! Style defaults and the manifest's style check: a style the classifier or the palette would
//! refuse is an error when the atlas loads, not at its first tile.

use quartier_geo::classify::{Method, MAX_CLASSES, MIN_CLASSES};
use quartier_geo::palette;

use super::types::{Centre, Style, StyleSpec};
use crate::style::{ResolvedStyle, Style as RequestStyle};

/// The built-in style defaults when the manifest says nothing.
pub(super) fn builtin_style() -> StyleSpec {
    StyleSpec {
        method: Some("quantile".into()),
        classes: Some(5),
        palette: Some(palette::DEFAULT_SCHEME.into()),
        breaks: None,
        centre: None,
    }
}

/// Check a style for the things the classifier and palette will refuse, so a manifest error
/// shows at load time, not at the first tile.
pub(super) fn resolve_style(spec: &StyleSpec, values: &[Option<f64>]) -> Result<Style, String> {
    let method: Method = spec
        .method
        .as_deref()
        .unwrap_or("quantile")
        .parse()
        .map_err(|e| format!("{e}"))?;
    let classes = spec.classes.unwrap_or(5);
    if !(MIN_CLASSES..=MAX_CLASSES).contains(&classes) {
        return Err(format!(
            "classes = {classes}: use {MIN_CLASSES} to {MAX_CLASSES} classes"
        ));
    }
    let palette = spec
        .palette
        .clone()
        .unwrap_or_else(|| palette::DEFAULT_SCHEME.into());
    let scheme = palette::scheme(&palette).map_err(|e| format!("{e}"))?;
    scheme.colors(classes).map_err(|e| format!("{e}"))?;
    if method == Method::Manual && spec.breaks.is_none() {
        return Err("method = \"manual\" needs breaks = [...]".into());
    }
    let centre = match &spec.centre {
        None => None,
        Some(Centre::Value(v)) => Some(*v),
        Some(Centre::Named(n)) if n == "mean" => {
            let vals: Vec<f64> = values.iter().flatten().copied().collect();
            (!vals.is_empty()).then(|| vals.iter().sum::<f64>() / vals.len() as f64)
        }
        Some(Centre::Named(n)) => {
            return Err(format!(
                "centre = {n:?}: use a number or \"mean\" (the layer average)"
            ))
        }
    };
    let style = Style {
        method,
        classes,
        palette,
        breaks: spec.breaks.clone(),
        centre,
    };
    check_as_tiles_use(&style)?;
    Ok(style)
}

/// Refuse a style that every tile and legend would refuse: breaks that are not finite or do
/// not increase, a centre that is not a finite number, too many breaks. The style goes through
/// the same resolver as a tile request without parameters ([`ResolvedStyle::resolve`]), so the
/// manifest cannot publish a default that answers 400.
fn check_as_tiles_use(style: &Style) -> Result<(), String> {
    if let Some(breaks) = &style.breaks {
        if let Some(b) = breaks.iter().find(|b| !b.is_finite()) {
            return Err(format!("breaks: {b} is not a finite number"));
        }
        if let Some(w) = breaks.windows(2).find(|w| w[0] >= w[1]) {
            return Err(format!(
                "breaks = {breaks:?} must increase: {} is followed by {}",
                w[0], w[1]
            ));
        }
    }
    if let Some(c) = style.centre.filter(|c| !c.is_finite()) {
        return Err(format!("centre = {c}: use a finite number or \"mean\""));
    }
    ResolvedStyle::resolve(style, &RequestStyle::default(), style.centre)
        .map(|_| ())
        .map_err(|e| e.to_string())
}
