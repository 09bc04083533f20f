//! Every way a request to the atlas can fail, as one typed error.
//!
//! The variants say what kind of failure it is (an unknown name, a bad parameter, a failed render),
//! so that each consumer maps them once: the server to HTTP statuses (404, 400, 500), a copy tool
//! to its exit code. The messages name what was asked and what exists, for people.

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
    BadStyle(String),
    /// A language other than `de` and `en`.
    #[error("{0}")]
    BadLanguage(String),
    /// Drawing a tile failed (a bug, not bad input).
    #[error("{0}")]
    Render(String),
}

impl AtlasError {
    pub(crate) fn bad_style(message: impl Into<String>) -> AtlasError {
        AtlasError::BadStyle(message.into())
    }

    pub(crate) fn bad_language(message: impl Into<String>) -> AtlasError {
        AtlasError::BadLanguage(message.into())
    }
}
