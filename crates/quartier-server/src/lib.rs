//! The `quartier` server (in progress: the modules that need the atlas API are wired in once
//! `quartier_geo::atlas` lands).

pub mod cache;
pub mod error;
pub mod etag;
pub mod locate;
