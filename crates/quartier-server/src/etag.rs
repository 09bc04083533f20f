//! Strong ETags and conditional requests (`If-None-Match` -> 304).
//!
//! A tile's ETag is derived from what determines its bytes: the atlas version (a fingerprint of
//! every input file), the layer, the indicator, the canonical style, the tile and the scale.
//! So a client revalidating a tile gets its 304 without the tile being rendered or even looked up.
//! JSON responses are small and cheap: their ETag is a hash of the body itself.
//!
//! The hash is FNV-1a (64 bit): stable across runs, platforms and Rust versions, so ETags survive a
//! restart of the server as long as the data is unchanged.

use axum::http::{HeaderMap, HeaderValue};

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

/// A strong ETag `"<prefix>-<hash>"` as a header value; both parts as 16 hex digits.
pub fn etag(prefix: u64, hash: u64) -> HeaderValue {
    let mut buf = [0u8; 35];
    buf[0] = b'"';
    hex16(prefix, &mut buf[1..17]);
    buf[17] = b'-';
    hex16(hash, &mut buf[18..34]);
    buf[34] = b'"';
    // Only quotes, hex digits and a dash: always a valid header value.
    HeaderValue::from_bytes(&buf).unwrap_or_else(|_| HeaderValue::from_static("\"0\""))
}

/// The ETag of a response body: the atlas version plus a hash of the bytes.
pub fn etag_for_body(version: u64, body: &[u8]) -> HeaderValue {
    etag(version, Fnv::new().bytes(body).finish())
}

/// A version string (the atlas fingerprint, any text) folded to a number for [`etag`].
pub fn version_number(version: &str) -> u64 {
    u64::from_str_radix(version, 16)
        .ok()
        .filter(|_| version.len() <= 16)
        .unwrap_or_else(|| Fnv::new().bytes(version.as_bytes()).finish())
}

/// True when the request's `If-None-Match` matches `etag`, i.e. the client's copy is current and
/// the answer is 304.
///
/// RFC 9110 §13.1.2: a list of entity tags or `*`, compared weakly (a `W/` prefix is ignored).
pub fn if_none_match(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let ours = etag.as_bytes();
    let ours = ours.strip_prefix(b"W/").unwrap_or(ours);
    headers
        .get_all(axum::http::header::IF_NONE_MATCH)
        .iter()
        .any(|value| {
            value.as_bytes().split(|b| *b == b',').any(|tag| {
                let tag = tag.trim_ascii();
                let tag = tag.strip_prefix(b"W/").unwrap_or(tag);
                tag == b"*" || tag == ours
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header::IF_NONE_MATCH;

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
        let e = etag(0x0123_4567_89ab_cdef, 0xff);
        assert_eq!(e, "\"0123456789abcdef-00000000000000ff\"");
    }

    #[test]
    fn version_numbers() {
        assert_eq!(version_number("00000000000000ff"), 0xff);
        // Not hex: hashed, but stable.
        assert_eq!(version_number("v1"), version_number("v1"));
        assert_ne!(version_number("v1"), version_number("v2"));
    }

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(IF_NONE_MATCH, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn if_none_match_lists_wildcards_and_weak_tags() {
        let e = etag(1, 2);
        let tag = e.to_str().unwrap().to_string();
        assert!(if_none_match(&headers(&[&tag]), &e));
        assert!(if_none_match(&headers(&[&format!("\"x\", {tag}")]), &e));
        assert!(if_none_match(&headers(&[&format!("W/{tag}")]), &e));
        assert!(if_none_match(&headers(&["\"x\"", &tag]), &e));
        assert!(if_none_match(&headers(&["*"]), &e));
        assert!(!if_none_match(&headers(&["\"x\""]), &e));
        assert!(!if_none_match(&HeaderMap::new(), &e));
    }
}
