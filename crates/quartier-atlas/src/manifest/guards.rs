//! Checks of a layer's settings that must fail before anything is imported: ids that cannot be
//! part of a URL, suppression thresholds that are no threshold, and a `crs`/`encoding` the
//! importer would refuse (checked here, so that the error names the manifest, not `--crs`).

use quartier_geo::crs::{Crs, ToWgs84};
use quartier_geo::import::codepage::Codepage;

use super::spec::LayerSpec;

/// The longest layer id: ids are path segments of every tile URL.
pub const MAX_LAYER_ID_LEN: usize = 64;

/// Why a layer id cannot be used, or `None` when it is fine: 1 to 64 ASCII letters, digits,
/// `_`, `-` and `.`, not starting with a dot or a hyphen (ids are URL path segments).
pub fn layer_id_problem(id: &str) -> Option<String> {
    let allowed = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.');
    if id.is_empty() {
        Some("the id is empty: give the layer an id such as \"districts\"".into())
    } else if id.len() > MAX_LAYER_ID_LEN {
        Some(format!(
            "the id is {} characters long: use at most {MAX_LAYER_ID_LEN}",
            id.len()
        ))
    } else if !id.bytes().all(allowed) || id.starts_with(['.', '-']) {
        Some(
            "the id is part of every tile URL: use letters, digits, _ and - only \
             (e.g. \"districts_2024\"), no /, spaces or a leading dot"
                .into(),
        )
    } else {
        None
    }
}

/// Check a layer's settings; the error is the message for `ManifestError::Invalid`.
pub(super) fn check_layer_spec(spec: &LayerSpec) -> Result<(), String> {
    if let Some(problem) = layer_id_problem(&spec.id) {
        return Err(problem);
    }
    if let Some(t) = spec.suppress_below {
        if !t.is_finite() || t <= 0.0 {
            return Err(format!(
                "suppress_below = {t}: give the smallest count that may be published, a number \
                 above 0 (e.g. suppress_below = 5), or leave it out"
            ));
        }
    }
    if let Some(text) = &spec.crs {
        let crs = Crs::parse(text).map_err(|e| {
            format!(
                "crs = {text:?} is not a CRS this server knows: {}; use e.g. crs = \"EPSG:25832\"",
                without_flag_hint(&e.to_string())
            )
        })?;
        ToWgs84::new(&crs).map_err(|e| {
            format!(
                "crs = {text:?} cannot be converted to longitude/latitude: {}",
                without_flag_hint(&e.to_string())
            )
        })?;
    }
    if let Some(label) = &spec.encoding {
        if Codepage::from_label(label).is_none() {
            return Err(format!(
                "encoding = {label:?} is not a known text encoding: use e.g. \"UTF-8\", \
                 \"cp1252\", \"ISO-8859-1\" or \"850\""
            ));
        }
    }
    Ok(())
}

/// A CRS error without its advice to pass `--crs`: here the manifest set the CRS.
fn without_flag_hint(message: &str) -> &str {
    match message.find("pass --crs") {
        Some(i) => message[..i].trim_end_matches([' ', ';', ',', ':', '(']),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_ids() {
        for good in ["nc", "boston_towns", "bezirke-2024", "a.b"] {
            assert_eq!(layer_id_problem(good), None, "{good}");
        }
        for bad in [
            "",
            "a/../b",
            "..",
            ".env",
            "-x",
            "a b",
            "ä",
            &"x".repeat(65),
        ] {
            assert!(layer_id_problem(bad).is_some(), "{bad:?}");
        }
    }
}
