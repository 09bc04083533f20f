//! The one stable hash of the workspace (FNV-1a) and the strong entity tags made from it.
//!
//! A tile's ETag is derived from what determines its bytes: the atlas version (a fingerprint of
//! every input file), the layer, the indicator, the canonical style, the tile and the scale.
//! So a client revalidating a tile gets its 304 without the tile being rendered or even looked up.
//! JSON responses are small and cheap: their ETag is a hash of the body itself.
//!
//! The hash is FNV-1a (64 bit): stable across runs, platforms and Rust versions, so ETags survive a
//! restart of the server as long as the data is unchanged.

/// A running FNV-1a hash; [`Clone`] it to extend a shared prefix (e.g. one style) per tile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv::new()
    }
}

impl Fnv {
    /// The FNV-1a offset basis.
    pub const fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    /// Mix in bytes.
    pub fn bytes(mut self, bytes: &[u8]) -> Self {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
        self
    }

    /// Mix in a string followed by a separator, so that `("ab", "c")` and `("a", "bc")` differ.
    pub fn field(self, s: &str) -> Self {
        self.bytes(s.as_bytes()).bytes(&[0xff])
    }

    /// Mix in a number.
    pub fn u64(self, n: u64) -> Self {
        self.bytes(&n.to_le_bytes())
    }

    /// The hash value.
    pub fn finish(self) -> u64 {
        self.0
    }
}

/// Write `n` as 16 lowercase hex digits.
fn hex16(n: u64, out: &mut [u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for (i, slot) in out.iter_mut().take(16).enumerate() {
        *slot = DIGITS[((n >> (60 - 4 * i)) & 0xf) as usize];
    }
}

/// An entity tag `"<version>-<hash>"`, both parts as 16 hex digits (35 ASCII bytes), strong or
/// weak (`W/` in front), formatted without allocating (the fast lane builds one per cached tile).
///
/// A weak tag (RFC 9110 §8.8.1) promises the same content, not the same bytes: raster tiles are
/// weak while tiles may be restyled from kept district rasters, whose PNGs carry the same pixels
/// as a fresh draw behind another palette order ([`crate::Restyle::Spliced`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Etag {
    /// `W/"<version>-<hash>"`; a strong tag is all but the first two bytes.
    buf: [u8; 37],
    weak: bool,
}

impl Etag {
    /// The strong tag of `hash` under a data `version`.
    pub fn new(version: u64, hash: u64) -> Etag {
        let mut buf = [0u8; 37];
        buf[0] = b'W';
        buf[1] = b'/';
        buf[2] = b'"';
        hex16(version, &mut buf[3..19]);
        buf[19] = b'-';
        hex16(hash, &mut buf[20..36]);
        buf[36] = b'"';
        Etag { buf, weak: false }
    }

    /// The tag of a body: the data version plus a hash of the bytes.
    pub fn of_body(version: u64, body: &[u8]) -> Etag {
        Etag::new(version, Fnv::new().bytes(body).finish())
    }

    /// The same tag, weak: equal content, maybe other bytes.
    pub fn weak(self) -> Etag {
        Etag { weak: true, ..self }
    }

    /// Whether the tag is weak.
    pub fn is_weak(&self) -> bool {
        self.weak
    }

    /// The tag as bytes (`W/`, quotes, hex digits and a dash: always a valid header value).
    pub fn as_bytes(&self) -> &[u8] {
        if self.weak {
            &self.buf
        } else {
            &self.buf[2..]
        }
    }

    /// The tag as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(self.as_bytes()).unwrap_or("\"0\"")
    }
}

impl std::fmt::Display for Etag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A version string (the atlas fingerprint, any text) folded to a number for [`Etag`].
pub fn version_number(version: &str) -> u64 {
    u64::from_str_radix(version, 16)
        .ok()
        .filter(|_| version.len() <= 16)
        .unwrap_or_else(|| Fnv::new().bytes(version.as_bytes()).finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_matches_published_test_vectors() {
        // FNV-1a 64 test vectors from the reference implementation (isthe.com/chongo/tech/comp/fnv).
        assert_eq!(Fnv::new().finish(), 0xcbf29ce484222325);
        assert_eq!(Fnv::new().bytes(b"a").finish(), 0xaf63dc4c8601ec8c);
        assert_eq!(Fnv::new().bytes(b"foobar").finish(), 0x85944171f73967e8);
    }

    #[test]
    fn fields_are_separated() {
        let a = Fnv::new().field("ab").field("c").finish();
        let b = Fnv::new().field("a").field("bc").finish();
        assert_ne!(a, b);
    }

    #[test]
    fn etag_is_quoted_hex() {
        let e = Etag::new(0x0123_4567_89ab_cdef, 0xff);
        assert_eq!(e.as_str(), "\"0123456789abcdef-00000000000000ff\"");
        assert!(!e.is_weak());
        assert_eq!(e.weak().as_str(), "W/\"0123456789abcdef-00000000000000ff\"");
        assert_ne!(e, e.weak());
    }

    #[test]
    fn version_numbers() {
        assert_eq!(version_number("00000000000000ff"), 0xff);
        // Not hex: hashed, but stable.
        assert_eq!(version_number("v1"), version_number("v1"));
        assert_ne!(version_number("v1"), version_number("v2"));
    }
}
