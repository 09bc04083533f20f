//! Size caps on every file Quartier reads, in one place.
//!
//! A boundary file or a table comes from outside: a city's download, an upload, a file someone
//! copied half-way. Reading a whole file before looking at it lets one bad file take gigabytes of
//! memory (a sparse 2 GB `.shp`, a 3 MB zip whose `.prj` inflates to 3 GiB). So every reader asks
//! `open_regular` or `read_capped` first: those check the file type and the length from the
//! file's metadata *before* opening or reading, and stop reading at the cap even when the file
//! grows or a zip member lies about its size.
//!
//! The defaults are the constants below; a caller that knows better (an admin who publishes a
//! 1 GB national layer) passes its own [`Limits`] to
//! [`read_layer_with_limits`](crate::import::read_layer_with_limits) or
//! [`Table::read_with_limits`](crate::table::Table::read_with_limits).

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// One mebibyte, for the constants below.
const MIB: u64 = 1024 * 1024;

/// Default cap for geometry files: `.shp`, `.shx`, `.dbf`, GeoJSON, TopoJSON and `.zip` archives
/// (and each such member inside a zip). 512 MiB holds every US county at full resolution ten
/// times over; a JSON file this size already takes a few GB once parsed.
pub const MAX_GEOMETRY_BYTES: u64 = 512 * MIB;

/// Default cap for the small text files beside a shapefile: `.prj` (WKT) and `.cpg` (an encoding
/// name). Real ones are under 2 KiB.
pub const MAX_SIDECAR_BYTES: u64 = 64 * 1024;

/// Default cap for indicator tables (CSV, TSV, JSON tables). The largest GENESIS export of all
/// German municipalities is under 50 MiB.
pub const MAX_TABLE_BYTES: u64 = 256 * MIB;

/// Default cap on the number of entries in a zip archive. A shapefile has at most eight parts;
/// archives with a few readme files or folders are common, ten thousand entries are not.
pub const MAX_ZIP_ENTRIES: usize = 10_000;

/// Default cap on a zip member's compression ratio (uncompressed / compressed), checked for
/// members over [`ZIP_RATIO_MIN_BYTES`]. Deflate reaches about 1,000:1 on constant bytes; real
/// `.dbf` files with wide blank fields reach 50:1 to 100:1.
pub const MAX_ZIP_RATIO: u64 = 250;

/// Members smaller than this are not held to [`MAX_ZIP_RATIO`] (a tiny `.cpg` may compress oddly,
/// and a small member cannot hurt).
pub const ZIP_RATIO_MIN_BYTES: u64 = MIB;

/// How many characters of input an error message quotes before it cuts with `…`.
pub const MAX_ECHO_CHARS: usize = 200;

/// The caps a reader applies; [`Limits::default`] gives the documented constants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of a geometry file or geometry member of a zip. _Default:_ [`MAX_GEOMETRY_BYTES`].
    pub geometry_bytes: u64,
    /// Bytes of a `.prj` or `.cpg`. _Default:_ [`MAX_SIDECAR_BYTES`].
    pub sidecar_bytes: u64,
    /// Bytes of a table file. _Default:_ [`MAX_TABLE_BYTES`].
    pub table_bytes: u64,
    /// Entries in a zip archive. _Default:_ [`MAX_ZIP_ENTRIES`].
    pub zip_entries: usize,
    /// Compression ratio of a zip member over [`ZIP_RATIO_MIN_BYTES`]. _Default:_ [`MAX_ZIP_RATIO`].
    pub zip_ratio: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            geometry_bytes: MAX_GEOMETRY_BYTES,
            sidecar_bytes: MAX_SIDECAR_BYTES,
            table_bytes: MAX_TABLE_BYTES,
            zip_entries: MAX_ZIP_ENTRIES,
            zip_ratio: MAX_ZIP_RATIO,
        }
    }
}

/// Why a capped read failed; each reader maps this to its own error with the path.
#[derive(Debug)]
pub(crate) enum ReadFailure {
    /// Nothing at the path (the operating system's error, for its words).
    NotFound(std::io::Error),
    /// Something that is not a regular file: `"a directory"`, `"a FIFO (named pipe)"`, ...
    NotAFile(&'static str),
    /// The file (or what was read of it) is larger than the cap.
    TooLarge {
        /// Bytes: the file's length, or for a stream the cap plus one (reading stopped there).
        size: u64,
    },
    /// Any other IO error.
    Io(std::io::Error),
}

impl From<std::io::Error> for ReadFailure {
    fn from(e: std::io::Error) -> Self {
        match e.kind() {
            std::io::ErrorKind::NotFound => ReadFailure::NotFound(e),
            _ => ReadFailure::Io(e),
        }
    }
}

/// What a file type is called in messages, or `None` for a regular file.
pub(crate) fn not_a_file(kind: std::fs::FileType) -> Option<&'static str> {
    if kind.is_file() {
        return None;
    }
    if kind.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Some("a FIFO (named pipe)");
        }
        if kind.is_socket() {
            return Some("a socket");
        }
        if kind.is_block_device() || kind.is_char_device() {
            return Some("a device");
        }
    }
    Some("not a regular file")
}

/// Open a regular file after checking, from its metadata and before opening, that it is one and
/// that it is at most `cap` bytes long. Returns the file and its length.
///
/// Checking before opening matters: opening a FIFO for reading blocks until a writer comes.
pub(crate) fn open_regular(path: &Path, cap: u64) -> Result<(File, u64), ReadFailure> {
    let meta = std::fs::metadata(path)?;
    if let Some(kind) = not_a_file(meta.file_type()) {
        return Err(ReadFailure::NotAFile(kind));
    }
    if meta.len() > cap {
        return Err(ReadFailure::TooLarge { size: meta.len() });
    }
    let file = File::open(path)?;
    // The path may have been swapped between the two calls; the open file is what counts.
    let meta = file.metadata()?;
    if let Some(kind) = not_a_file(meta.file_type()) {
        return Err(ReadFailure::NotAFile(kind));
    }
    if meta.len() > cap {
        return Err(ReadFailure::TooLarge { size: meta.len() });
    }
    Ok((file, meta.len()))
}

/// Read at most `cap` bytes from `reader`; more is [`ReadFailure::TooLarge`], found after reading
/// `cap + 1` bytes and no more. `hint` sizes the buffer (it is clamped to the cap, since a zip
/// member's declared size may lie).
pub(crate) fn read_stream(reader: impl Read, cap: u64, hint: u64) -> Result<Vec<u8>, ReadFailure> {
    let capacity = usize::try_from(hint.min(cap)).unwrap_or(0);
    let mut buf = Vec::with_capacity(capacity);
    reader.take(cap.saturating_add(1)).read_to_end(&mut buf)?;
    if buf.len() as u64 > cap {
        return Err(ReadFailure::TooLarge {
            size: buf.len() as u64,
        });
    }
    Ok(buf)
}

/// Read a whole regular file of at most `cap` bytes (see [`open_regular`]).
pub(crate) fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, ReadFailure> {
    let (file, len) = open_regular(path, cap)?;
    read_stream(file, cap, len)
}

/// Read a regular file of at most `cap` bytes, but first its first `head` bytes, which `check`
/// sees together with the file's length: a broken header is refused before the rest is read.
pub(crate) fn read_checked<E>(
    path: &Path,
    cap: u64,
    head: usize,
    check: impl FnOnce(&[u8], u64) -> Result<(), E>,
) -> Result<Result<Vec<u8>, E>, ReadFailure> {
    let (file, len) = open_regular(path, cap)?;
    let mut reader = std::io::BufReader::new(file);
    let mut first = Vec::with_capacity(head);
    (&mut reader).take(head as u64).read_to_end(&mut first)?;
    if let Err(e) = check(&first, len) {
        return Ok(Err(e));
    }
    let rest = read_stream(reader, cap - first.len() as u64, len)?;
    first.extend_from_slice(&rest);
    Ok(Ok(first))
}

/// Read a whole regular file of at most `cap` bytes for a caller outside this crate (the atlas
/// manifest, the data-version fingerprint). `what` names the file in the message ("an atlas
/// manifest"). A directory, FIFO or device is refused before it is opened (opening a FIFO would
/// block), and a file over the cap before it is read; both come back as an `io::Error` whose
/// message says what the path is and what to do.
pub fn read_file(path: &Path, cap: u64, what: &str) -> std::io::Result<Vec<u8>> {
    use std::io::{Error, ErrorKind};
    read_capped(path, cap).map_err(|f| match f {
        ReadFailure::NotFound(e) | ReadFailure::Io(e) => e,
        ReadFailure::NotAFile(kind) => Error::new(
            ErrorKind::InvalidInput,
            format!("{kind}, not a regular file: give the path of {what}"),
        ),
        ReadFailure::TooLarge { size } => Error::new(
            ErrorKind::InvalidData,
            format!(
                "{} is too large for {what} (the cap is {}): check that this is the right file",
                human_bytes(size),
                human_bytes(cap)
            ),
        ),
    })
}

/// Whether `path` is a regular file of at most `cap` bytes, judged from its metadata only
/// (nothing is opened). Used where a file is read only if a later import will accept it.
pub fn is_readable_file(path: &Path, cap: u64) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() <= cap)
}

/// A byte count for people: `3.0 GiB`, `512 MiB`, `64 KiB`, `812 bytes`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (size, unit) in UNITS {
        if n >= size {
            let x = n as f64 / size as f64;
            return if n.is_multiple_of(size) {
                format!("{} {unit}", n / size)
            } else {
                format!("{x:.1} {unit}")
            };
        }
    }
    format!("{n} bytes")
}

/// Input quoted in an error message, cut after [`MAX_ECHO_CHARS`] characters with `…` and the
/// full length, so that a 2 GB line is not echoed back.
pub fn echo(text: &str) -> String {
    match text.char_indices().nth(MAX_ECHO_CHARS) {
        None => text.to_string(),
        Some((at, _)) => format!("{}… ({} more bytes)", &text[..at], text.len() - at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echo_cuts_long_input_on_a_char_boundary() {
        assert_eq!(echo("short"), "short");
        let long = "ä".repeat(300);
        let cut = echo(&long);
        assert!(cut.starts_with(&"ä".repeat(200)), "{cut}");
        assert!(cut.ends_with("… (200 more bytes)"), "{cut}");
        assert_eq!(cut.chars().filter(|&c| c == 'ä').count(), 200);
    }

    #[test]
    fn read_file_refuses_directories_and_oversized_files_with_a_message() {
        let dir = std::env::temp_dir().join(format!("quartier-limits-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let e = read_file(&dir, 1024, "an atlas manifest").unwrap_err();
        assert_eq!(
            e.to_string(),
            "a directory, not a regular file: give the path of an atlas manifest"
        );
        let file = dir.join("big.toml");
        std::fs::write(&file, vec![b'#'; 2048]).unwrap();
        let e = read_file(&file, 1024, "an atlas manifest").unwrap_err();
        assert_eq!(
            e.to_string(),
            "2 KiB is too large for an atlas manifest (the cap is 1 KiB): check that this is the right file"
        );
        assert_eq!(read_file(&file, 4096, "x").unwrap().len(), 2048);
        assert!(is_readable_file(&file, 4096) && !is_readable_file(&dir, 4096));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn human_bytes_units() {
        assert_eq!(human_bytes(812), "812 bytes");
        assert_eq!(human_bytes(64 * 1024), "64 KiB");
        assert_eq!(human_bytes(MAX_GEOMETRY_BYTES), "512 MiB");
        assert_eq!(human_bytes(3 << 30), "3 GiB");
        assert_eq!(human_bytes(1536 * 1024), "1.5 MiB");
    }

    #[test]
    fn read_stream_stops_one_byte_past_the_cap() {
        // An endless reader: the cap is what ends the read.
        let endless = std::io::repeat(b'x');
        match read_stream(endless, 1000, u64::MAX) {
            Err(ReadFailure::TooLarge { size }) => assert_eq!(size, 1001),
            other => panic!("{other:?}"),
        }
        let ok = read_stream(&b"abc"[..], 3, 3).unwrap();
        assert_eq!(ok, b"abc");
    }
}
