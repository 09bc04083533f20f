//! Versions of the atlas on disk, under `--data-dir`: each a complete copy of the manifest's
//! folder with one file replaced, written so that a crash at any moment leaves either the whole
//! version or none of it, and a `live` pointer naming the published one.
//!
//! ```text
//! DATA_DIR/versions/<id>/atlas.toml, …files…, version.json   one version, never changed again
//! DATA_DIR/versions/.staging-<id>/                          being written (removed at start)
//! DATA_DIR/live                                             the published id (tmp, fsync, rename)
//! ```

use std::fs::{self, File};
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// The most files a manifest folder may hold to be copied into a version.
const MAX_FILES: usize = 1000;
/// The most bytes a manifest folder may hold to be copied into a version.
const MAX_FOLDER_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// What is known about one version.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VersionInfo {
    /// Its id: seconds since 1970 and a counter, in hex, sortable by time.
    pub id: String,
    /// When it was staged, seconds since 1970 (UTC).
    pub created: u64,
    /// What changed against the version it was made from.
    pub change: String,
    /// The version it was made from (`None`: the sources `quartier serve` started with).
    pub parent: Option<String>,
    /// The manifest's file name inside the version folder.
    pub manifest: String,
}

/// The versions under one data directory.
#[derive(Debug, Clone)]
pub struct VersionStore {
    root: PathBuf,
}

impl VersionStore {
    /// Open (and create) the store; half-written versions of an earlier crash are removed.
    pub fn open(root: &Path) -> std::io::Result<VersionStore> {
        fs::create_dir_all(root.join("versions"))?;
        for entry in fs::read_dir(root.join("versions"))? {
            let entry = entry?;
            if entry.file_name().to_string_lossy().starts_with(".staging-") {
                fs::remove_dir_all(entry.path())?;
            }
        }
        Ok(VersionStore {
            root: root.to_path_buf(),
        })
    }

    /// The folder of version `id`, when `id` is a well-formed id.
    fn dir(&self, id: &str) -> Option<PathBuf> {
        let ok = !id.is_empty() && id.len() <= 40 && id.bytes().all(|b| b.is_ascii_hexdigit());
        ok.then(|| self.root.join("versions").join(id))
    }

    /// The manifest of version `id`, if it exists.
    pub fn manifest(&self, id: &str) -> Option<PathBuf> {
        let info = self.info(id)?;
        Some(self.dir(id)?.join(info.manifest))
    }

    /// What is known about version `id`, if it exists.
    pub fn info(&self, id: &str) -> Option<VersionInfo> {
        let text = fs::read_to_string(self.dir(id)?.join("version.json")).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Every version, oldest first.
    pub fn list(&self) -> std::io::Result<Vec<VersionInfo>> {
        let mut out = Vec::new();
        for entry in fs::read_dir(self.root.join("versions"))? {
            let name = entry?.file_name().to_string_lossy().into_owned();
            if let Some(info) = self.info(&name) {
                out.push(info);
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// The published version, if one was published.
    pub fn live(&self) -> Option<String> {
        let id = fs::read_to_string(self.root.join("live")).ok()?;
        let id = id.trim();
        self.info(id).map(|_| id.to_string())
    }

    /// Make `id` the published version (atomically: a crash leaves the old or the new pointer).
    pub fn set_live(&self, id: &str) -> std::io::Result<()> {
        write_atomically(&self.root.join("live"), id.as_bytes())
    }

    /// Stage a new version: a copy of `manifest`'s folder with `file` (relative to it) holding
    /// `bytes`, and the manifest text replaced by `manifest_text` when given.
    pub fn stage(
        &self,
        manifest: &Path,
        file: &Path,
        bytes: &[u8],
        manifest_text: Option<&str>,
        change: String,
        parent: Option<String>,
    ) -> std::io::Result<VersionInfo> {
        let source = manifest.parent().unwrap_or(Path::new("."));
        let manifest_name = manifest
            .file_name()
            .ok_or_else(|| invalid("the manifest has no file name"))?
            .to_string_lossy()
            .into_owned();
        let created = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let id = self.new_id(created);
        let staging = self.root.join("versions").join(format!(".staging-{id}"));
        fs::create_dir_all(&staging)?;
        let mut budget = (MAX_FILES, MAX_FOLDER_BYTES);
        copy_tree(source, &staging, &mut budget)?;
        write_synced(&staging.join(file), bytes)?;
        if let Some(text) = manifest_text {
            write_synced(&staging.join(&manifest_name), text.as_bytes())?;
        }
        let info = VersionInfo {
            id: id.clone(),
            created,
            change,
            parent,
            manifest: manifest_name,
        };
        let json = serde_json::to_vec_pretty(&info).map_err(std::io::Error::other)?;
        write_synced(&staging.join("version.json"), &json)?;
        let dir = self.root.join("versions").join(&id);
        fs::rename(&staging, &dir)?;
        sync_dir(&self.root.join("versions"))?;
        Ok(info)
    }

    /// A fresh id: the time in seconds, then a counter for several in one second.
    fn new_id(&self, created: u64) -> String {
        (0u32..)
            .map(|n| format!("{created:010x}{n:04x}"))
            .find(|id| {
                let taken = self.root.join("versions").join(id).exists()
                    || self
                        .root
                        .join("versions")
                        .join(format!(".staging-{id}"))
                        .exists();
                !taken
            })
            .unwrap_or_default()
    }
}

/// A path inside a version folder: relative, no `..`, no root.
pub fn safe_relative(path: &str) -> Option<PathBuf> {
    let p = Path::new(path);
    let ok = !path.is_empty() && p.components().all(|c| matches!(c, Component::Normal(_)));
    ok.then(|| p.to_path_buf())
}

fn invalid(message: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, message.to_string())
}

/// Copy the regular files and folders of `from` into `to` (no links, no dotfiles).
fn copy_tree(from: &Path, to: &Path, budget: &mut (usize, u64)) -> std::io::Result<()> {
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let kind = entry.file_type()?;
        let target = to.join(&name);
        if kind.is_dir() {
            fs::create_dir_all(&target)?;
            copy_tree(&entry.path(), &target, budget)?;
        } else if kind.is_file() {
            let len = entry.metadata()?.len();
            if budget.0 == 0 || len > budget.1 {
                return Err(invalid(
                    "the manifest's folder holds more than 1,000 files or 2 GB: keep only the \
                     atlas's files next to its manifest",
                ));
            }
            *budget = (budget.0 - 1, budget.1 - len);
            fs::copy(entry.path(), &target)?;
            File::open(&target)?.sync_all()?;
        }
    }
    sync_dir(to)
}

/// Write `bytes` to `path` and flush them to disk.
fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    let mut f = File::create(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Replace `path` atomically: a temporary file, fsync, rename, fsync of the folder.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.tmp",
        path.file_name()
            .map_or("file".into(), |n| n.to_string_lossy())
    ));
    write_synced(&tmp, bytes)?;
    fs::rename(&tmp, path)?;
    sync_dir(dir)
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_stay_inside() {
        assert!(safe_relative("montreal/election.csv").is_some());
        assert!(safe_relative("../etc/passwd").is_none());
        assert!(safe_relative("/etc/passwd").is_none());
        assert!(safe_relative("a/../../b").is_none());
        assert!(safe_relative("").is_none());
    }
}
