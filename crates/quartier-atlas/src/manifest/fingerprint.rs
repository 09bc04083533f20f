//! The data version of an atlas: one hash over the manifest and every file it reads, with the
//! workspace's one FNV-1a ([`crate::hash::Fnv`]) and the one answer to "which files make up a
//! boundary source" ([`quartier_geo::import::files::source_files`], any case of extension).

use std::path::Path;

use crate::hash::Fnv;

/// The running fingerprint of an atlas's inputs.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fingerprint(Fnv);

impl Fingerprint {
    pub(super) fn new() -> Self {
        Fingerprint(Fnv::new())
    }

    pub(super) fn add(&mut self, bytes: &[u8]) {
        self.0 = self.0.bytes(bytes);
    }

    pub(super) fn add_file(&mut self, path: &Path) {
        // A file that cannot be read fails the import itself with a clear error; here it only
        // changes the fingerprint. Only regular files within the largest cap are read: a FIFO
        // would block, a directory fails, and a huge file is refused by its importer anyway.
        let cap = quartier_geo::limits::MAX_GEOMETRY_BYTES;
        match quartier_geo::limits::is_readable_file(path, cap).then(|| std::fs::read(path)) {
            Some(Ok(bytes)) => self.add(&bytes),
            _ => self.add(path.to_string_lossy().as_bytes()),
        }
    }

    /// Every file of a boundary source.
    pub(super) fn add_source(&mut self, path: &Path) {
        for f in quartier_geo::import::files::source_files(path) {
            self.add_file(&f);
        }
    }

    pub(super) fn hex(&self) -> String {
        format!("{:016x}", self.0.finish())
    }
}
