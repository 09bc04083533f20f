//! What `quartier serve` publishes: atlas manifests and boundary files, merged into one atlas.
//!
//! A SOURCE ending in `.toml` is an atlas manifest ([`Atlas::load`]); anything else is a boundary
//! file served as one layer ([`Atlas::from_boundary_file`]: the file stem is the layer id, every
//! numeric attribute an indicator).
//! Several sources merge their layers in order; a layer id used twice is an error.
//! With no SOURCE the bundled demo atlases are served (the German one first), found by [`default_atlases`].

use std::path::{Path, PathBuf};

use quartier_atlas::manifest::{AtlasReport, LoadedAtlas as Atlas, ManifestError as AtlasError};
use quartier_geo::import::ImportOptions;

use quartier_atlas::hash::Fnv;

/// Why the sources could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// A manifest or boundary file failed to load; the inner error names file, line or feature.
    #[error("cannot load {path}")]
    Load {
        /// The source as given.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: Box<AtlasError>,
    },
    /// Two sources define a layer with the same id.
    #[error(
        "layer id {id:?} is defined by both {first} and {second}: layer ids must be unique \
         (rename one in its manifest, or serve the files separately)"
    )]
    DuplicateLayer {
        /// The layer id.
        id: String,
        /// The first source defining it.
        first: PathBuf,
        /// The second.
        second: PathBuf,
    },
    /// No SOURCE was given and the bundled atlas is nowhere to be found.
    #[error(
        "no SOURCE given and no bundled atlas found (looked for {}): \
         pass an atlas manifest or a boundary file, e.g. `quartier serve geodata/atlas.toml`",
        .looked.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(" and ")
    )]
    NoDefault {
        /// The places looked at.
        looked: Vec<PathBuf>,
    },
}

/// The relative path of the bundled atlas in a checkout.
pub const BUNDLED_ATLAS: &str = "geodata/atlas.toml";

/// Look for `relative` in the current directory, then next to this crate's sources (a checkout).
/// Returns the path found, or every place looked at.
pub fn find_in_checkout(relative: &str) -> Result<PathBuf, Vec<PathBuf>> {
    let candidates = [
        PathBuf::from(relative),
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(relative),
    ];
    match candidates.iter().find(|p| p.exists()) {
        Some(p) => Ok(p.clone()),
        None => Err(candidates.to_vec()),
    }
}

/// The relative path of the bundled German demo atlas (401 Kreise over the years), served first.
pub const GERMAN_ATLAS: &str = "geodata/de/atlas.toml";

/// The bundled atlas: `geodata/atlas.toml` in the current directory, else in this checkout.
pub fn default_atlas() -> Result<PathBuf, SourceError> {
    find_in_checkout(BUNDLED_ATLAS).map_err(|looked| SourceError::NoDefault { looked })
}

/// What `quartier serve` without a SOURCE publishes: the German demo atlas first (its title is the
/// page's), then the bundled atlas (Boston, North Carolina, Montréal, London); whichever of the
/// two is found, and an error only when neither is.
pub fn default_atlases() -> Result<Vec<PathBuf>, SourceError> {
    let german = find_in_checkout(GERMAN_ATLAS);
    let bundled = find_in_checkout(BUNDLED_ATLAS);
    match (german, bundled) {
        (Err(mut a), Err(b)) => {
            a.extend(b);
            Err(SourceError::NoDefault { looked: a })
        }
        (g, b) => Ok(g.into_iter().chain(b).collect()),
    }
}

/// The map page: `web/` in the current directory, else in this checkout; `None` if neither exists.
pub fn default_web_dir() -> Option<PathBuf> {
    find_in_checkout("web")
        .ok()
        .filter(|p| p.join("index.html").is_file())
}

/// True when `path` names an atlas manifest rather than a boundary file.
pub fn is_manifest(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
}

/// Load one source: a manifest, or a boundary file with `options`.
pub fn load_one(path: &Path, options: &ImportOptions) -> Result<(Atlas, AtlasReport), SourceError> {
    let loaded = if is_manifest(path) {
        Atlas::load(path)
    } else {
        Atlas::from_boundary_file(path, options)
    };
    loaded.map_err(|source| SourceError::Load {
        path: path.to_path_buf(),
        source: Box::new(source),
    })
}

/// Load every source and merge them into one atlas, in order.
///
/// The title, description, basemap and start view come from the first source that has them; the version
/// combines every source's version, so any changed file changes every ETag.
pub fn load_all(
    paths: &[PathBuf],
    options: &ImportOptions,
) -> Result<(Atlas, Vec<AtlasReport>), SourceError> {
    let mut merged: Option<Atlas> = None;
    let mut origin: Vec<(String, PathBuf)> = Vec::new();
    let mut reports = Vec::new();
    let mut version = Fnv::new();
    for path in paths {
        let (atlas, report) = load_one(path, options)?;
        reports.push(report);
        version = version.field(&atlas.version);
        for layer in &atlas.layers {
            if let Some((_, first)) = origin.iter().find(|(id, _)| *id == layer.id) {
                return Err(SourceError::DuplicateLayer {
                    id: layer.id.clone(),
                    first: first.clone(),
                    second: path.clone(),
                });
            }
            origin.push((layer.id.clone(), path.clone()));
        }
        merged = Some(match merged {
            None => atlas,
            Some(mut m) => {
                if m.basemap.is_none() {
                    m.basemap = atlas.basemap;
                }
                if m.start.is_none() {
                    m.start = atlas.start;
                }
                if m.description.is_none() {
                    m.description = atlas.description;
                }
                m.layers.extend(atlas.layers);
                m
            }
        });
    }
    let mut atlas = match merged {
        Some(a) => a,
        None => return load_all(&default_atlases()?, options),
    };
    if paths.len() > 1 {
        atlas.version = format!("{:016x}", version.finish());
    }
    Ok((atlas, reports))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_are_told_apart_from_boundary_files() {
        assert!(is_manifest(Path::new("geodata/atlas.toml")));
        assert!(is_manifest(Path::new("A.TOML")));
        assert!(!is_manifest(Path::new("nc.shp")));
        assert!(!is_manifest(Path::new("districts.geojson")));
    }

    #[test]
    fn bundled_atlas_is_found_from_anywhere() {
        // Tests run in the crate directory, where `geodata/` does not exist: the checkout
        // fallback must find it.
        let p = default_atlas().unwrap();
        assert!(p.ends_with("geodata/atlas.toml"), "{}", p.display());
        assert!(p.is_file());
    }

    #[test]
    fn missing_default_names_the_places_looked_at() {
        let err = SourceError::NoDefault {
            looked: vec![PathBuf::from("a/atlas.toml"), PathBuf::from("b/atlas.toml")],
        };
        let msg = err.to_string();
        assert!(msg.contains("a/atlas.toml and b/atlas.toml"), "{msg}");
        assert!(msg.contains("quartier serve geodata/atlas.toml"), "{msg}");
    }
}
