//! Every way a request to the atlas can fail, as one typed error.
//!
//! The variants say what kind of failure it is (an unknown name, a bad parameter, a failed render),
//! so that each consumer maps them once: the server to HTTP statuses (404, 400, 500), a copy tool
//! to its exit code. The messages name what was asked and what exists, for people, in English
//! (`Display`) and German ([`AtlasError::message`]): the API answers with both and the page shows
//! its reader's.

use std::fmt;

use crate::lang::Lang;

/// A message for people in English and German.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// English.
    pub en: String,
    /// German.
    pub de: String,
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

/// A failed request to the [`Atlas`](crate::Atlas).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AtlasError {
    /// No layer has this id.
    #[error("no layer {id:?}; layers are: {known}")]
    UnknownLayer {
        /// The id asked for.
        id: String,
        /// The layer ids, comma-separated.
        known: String,
    },
    /// The layer has no indicator of this id.
    #[error("layer {layer:?} has no indicator {id:?}; its indicators are: {known}")]
    UnknownIndicator {
        /// The layer.
        layer: String,
        /// The indicator id asked for.
        id: String,
        /// The layer's indicator ids, comma-separated.
        known: String,
    },
    /// The layer has no district of this id.
    #[error(
        "layer {layer:?} has no district {id:?}: district ids are those of features.geojson \
         (e.g. {example:?})"
    )]
    UnknownDistrict {
        /// The layer.
        layer: String,
        /// The district id asked for.
        id: String,
        /// One district id of the layer, to show the form.
        example: String,
    },
    /// A style parameter is malformed or out of range, or the indicator cannot be classified so.
    #[error("{0}")]
    BadStyle(Message),
    /// A language other than `de` and `en`.
    #[error("{0}")]
    BadLanguage(Message),
    /// Drawing a tile failed (a bug, not bad input).
    #[error("{0}")]
    Render(String),
}

impl AtlasError {
    pub(crate) fn bad_style(en: impl Into<String>, de: impl Into<String>) -> AtlasError {
        AtlasError::BadStyle(Message {
            en: en.into(),
            de: de.into(),
        })
    }

    pub(crate) fn bad_language(en: impl Into<String>, de: impl Into<String>) -> AtlasError {
        AtlasError::BadLanguage(Message {
            en: en.into(),
            de: de.into(),
        })
    }

    /// The message in `lang` (`to_string()` is the English one).
    pub fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            AtlasError::UnknownLayer { id, known } => {
                format!("Keine Ebene {id:?}; vorhandene Ebenen: {known}")
            }
            AtlasError::UnknownIndicator { layer, id, known } => {
                format!("Ebene {layer:?} hat keinen Indikator {id:?}; ihre Indikatoren: {known}")
            }
            AtlasError::UnknownDistrict { layer, id, example } => format!(
                "Ebene {layer:?} hat kein Gebiet {id:?}: Gebietskennungen sind die von \
                 features.geojson (z. B. {example:?})"
            ),
            AtlasError::BadStyle(m) | AtlasError::BadLanguage(m) => m.de.clone(),
            AtlasError::Render(_) => {
                "Interner Fehler: die Karte konnte nicht gezeichnet werden; das Server-Protokoll nennt die Einzelheiten".into()
            }
        }
    }
}
