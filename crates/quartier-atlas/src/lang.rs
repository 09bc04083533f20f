//! The two languages of every user-facing text: German and English.

use crate::error::AtlasError;

/// The language of every text an answer carries: titles, units, legend labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// German.
    De,
    /// English (the default).
    #[default]
    En,
}

impl Lang {
    /// Parse `de` or `en`; none given is English.
    pub fn parse(value: Option<&str>) -> Result<Lang, AtlasError> {
        match value.map(str::trim) {
            None | Some("") => Ok(Lang::En),
            Some(v) if v.eq_ignore_ascii_case("de") => Ok(Lang::De),
            Some(v) if v.eq_ignore_ascii_case("en") => Ok(Lang::En),
            Some(v) => Err(AtlasError::bad_language(
                format!("lang={v:?} is not supported: use lang=de or lang=en"),
                format!("lang={v:?} wird nicht unterstützt: lang=de oder lang=en angeben"),
            )),
        }
    }

    /// `"de"` or `"en"`, as the manifest types expect.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::De => "de",
            Lang::En => "en",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages() {
        assert_eq!(Lang::parse(None).unwrap(), Lang::En);
        assert_eq!(Lang::parse(Some("de")).unwrap(), Lang::De);
        assert_eq!(Lang::parse(Some("EN")).unwrap(), Lang::En);
        assert!(Lang::parse(Some("fr"))
            .unwrap_err()
            .to_string()
            .contains("lang=de or lang=en"));
    }
}
