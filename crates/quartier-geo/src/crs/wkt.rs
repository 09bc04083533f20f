//! A small WKT reader: enough structure to identify a `.prj` file's CRS.
//!
//! `.prj` files come in two flavours.
//! GDAL/OGC writes `AUTHORITY["EPSG","25832"]`, which settles the question.
//! ESRI writes no authority and its own names (`ETRS_1989_UTM_Zone_32N`, `D_North_American_1927`),
//! and sometimes appends a vertical CRS after the horizontal one (`PROJCS[...],VERTCS[...]`).
//! This module only parses the bracket structure into [`Node`]s; [`super::Crs::from_wkt`] decides
//! what the names and numbers mean.
//! Both `[...]` and `(...)` brackets are accepted, as the WKT standards allow.

/// One WKT element: `KEYWORD[arg, arg, ...]`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node<'a> {
    /// The keyword, as written (`PROJCS`, `GEOGCRS`, `AUTHORITY`, ...).
    pub keyword: &'a str,
    /// The arguments in order.
    pub args: Vec<Arg<'a>>,
    /// The node's own text, from the keyword to its closing bracket (handed to `proj4wkt`).
    pub text: &'a str,
}

/// One argument of a WKT element.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Arg<'a> {
    /// A quoted string, without the quotes (WKT2's doubled `""` is left as written).
    Str(&'a str),
    /// A number or a bare word such as `EAST`, as written.
    Word(&'a str),
    /// A nested element.
    Node(Node<'a>),
}

/// Why a text is not WKT, with the byte offset where reading stopped.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WktSyntaxError {
    /// Byte offset into the text.
    pub offset: usize,
    /// What was expected there.
    pub expected: &'static str,
}

impl std::fmt::Display for WktSyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "not valid WKT: expected {} at byte {}",
            self.expected, self.offset
        )
    }
}

/// Nesting deeper than this is not a CRS (and would risk the stack on hostile input).
const MAX_DEPTH: usize = 64;

impl<'a> Node<'a> {
    /// The first string argument: the name of a CRS, datum, ellipsoid, parameter or unit.
    pub fn name(&self) -> Option<&'a str> {
        self.args.iter().find_map(|a| match a {
            Arg::Str(s) => Some(*s),
            _ => None,
        })
    }

    /// Direct child elements.
    pub fn children(&self) -> impl Iterator<Item = &Node<'a>> {
        self.args.iter().filter_map(|a| match a {
            Arg::Node(n) => Some(n),
            _ => None,
        })
    }

    /// The first direct child with one of these keywords (case-insensitive).
    pub fn child(&self, keywords: &[&str]) -> Option<&Node<'a>> {
        self.children()
            .find(|n| keywords.iter().any(|k| n.keyword.eq_ignore_ascii_case(k)))
    }

    /// The EPSG code of this element's own `AUTHORITY["EPSG","nnnn"]` (WKT1) or `ID["EPSG",nnnn]` (WKT2).
    ///
    /// Only direct children count: a datum's or ellipsoid's authority says nothing about the CRS.
    pub fn epsg_authority(&self) -> Option<u32> {
        self.children()
            .filter(|n| {
                n.keyword.eq_ignore_ascii_case("AUTHORITY") || n.keyword.eq_ignore_ascii_case("ID")
            })
            .find_map(|n| {
                let mut it = n.args.iter();
                let authority = match it.next()? {
                    Arg::Str(s) | Arg::Word(s) => *s,
                    Arg::Node(_) => return None,
                };
                if !authority.eq_ignore_ascii_case("EPSG") {
                    return None;
                }
                match it.next()? {
                    Arg::Str(s) | Arg::Word(s) => s.trim().parse().ok(),
                    Arg::Node(_) => None,
                }
            })
    }

    /// The horizontal CRS: this node, or the first horizontal component of a compound CRS.
    pub fn horizontal(&self) -> &Node<'a> {
        if is_keyword(self.keyword, COMPOUND) {
            if let Some(h) = self
                .children()
                .find(|n| is_keyword(n.keyword, PROJECTED) || is_keyword(n.keyword, GEOGRAPHIC))
            {
                return h;
            }
        }
        self
    }

    /// Whether this is a projected CRS (as opposed to geographic).
    pub fn is_projected(&self) -> bool {
        is_keyword(self.keyword, PROJECTED)
    }

    /// Whether this is a geographic CRS.
    pub fn is_geographic(&self) -> bool {
        is_keyword(self.keyword, GEOGRAPHIC)
    }

    /// The geographic CRS underneath: this node when geographic, the base CRS of a projected one.
    pub fn geographic(&self) -> Option<&Node<'a>> {
        if self.is_geographic() {
            Some(self)
        } else {
            self.children().find(|n| {
                is_keyword(n.keyword, GEOGRAPHIC) || is_keyword(n.keyword, BASE_GEOGRAPHIC)
            })
        }
    }

    /// The datum of a geographic CRS node.
    pub fn datum(&self) -> Option<&Node<'a>> {
        self.child(&["DATUM", "TRF", "GEODETICDATUM"])
    }
}

/// Keywords of projected CRSs, WKT1 and WKT2.
const PROJECTED: &[&str] = &["PROJCS", "PROJCRS", "PROJECTEDCRS"];
/// Keywords of geographic CRSs, WKT1 and WKT2.
const GEOGRAPHIC: &[&str] = &[
    "GEOGCS",
    "GEOGCRS",
    "GEOGRAPHICCRS",
    "GEODCRS",
    "GEODETICCRS",
];
/// Keywords of the base CRS inside a WKT2 projected CRS.
const BASE_GEOGRAPHIC: &[&str] = &["BASEGEOGCRS", "BASEGEODCRS"];
/// Keywords of compound CRSs, WKT1 and WKT2.
const COMPOUND: &[&str] = &["COMPD_CS", "COMPOUNDCRS"];

fn is_keyword(k: &str, set: &[&str]) -> bool {
    set.iter().any(|s| k.eq_ignore_ascii_case(s))
}

/// Whether `text` looks like WKT of a CRS (a CRS keyword followed by a bracket), so that it is worth
/// reporting WKT syntax errors rather than "unknown format".
pub(crate) fn looks_like_wkt(text: &str) -> bool {
    let t = text.trim_start();
    let end = t
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(t.len());
    let (kw, rest) = t.split_at(end);
    let crs_keyword = is_keyword(kw, PROJECTED)
        || is_keyword(kw, GEOGRAPHIC)
        || is_keyword(kw, COMPOUND)
        || is_keyword(
            kw,
            &[
                "GEOCCS", "VERTCS", "VERTCRS", "BOUNDCRS", "ENGCRS", "LOCAL_CS",
            ],
        );
    crs_keyword && rest.trim_start().starts_with(['[', '('])
}

/// Parse the first WKT element of `text`; whatever follows it (an ESRI `VERTCS[...]`) is ignored.
pub(crate) fn parse(text: &str) -> Result<Node<'_>, WktSyntaxError> {
    let mut p = Parser { s: text, pos: 0 };
    p.skip_ws();
    p.node(0)
}

struct Parser<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn err<T>(&self, expected: &'static str) -> Result<T, WktSyntaxError> {
        Err(WktSyntaxError {
            offset: self.pos,
            expected,
        })
    }

    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    fn word(&mut self) -> &'a str {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'+'))
        {
            self.pos += 1;
        }
        &self.s[start..self.pos]
    }

    fn node(&mut self, depth: usize) -> Result<Node<'a>, WktSyntaxError> {
        if depth > MAX_DEPTH {
            return self.err("at most 64 nested elements");
        }
        let start = self.pos;
        let keyword = self.word();
        if keyword.is_empty() || !keyword.as_bytes()[0].is_ascii_alphabetic() {
            return self.err("a keyword such as PROJCS or GEOGCS");
        }
        self.skip_ws();
        let close = match self.peek() {
            Some(b'[') => b']',
            Some(b'(') => b')',
            _ => return self.err("'[' after the keyword"),
        };
        self.pos += 1;
        let mut args = Vec::new();
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b) if b == close && args.is_empty() => {
                    self.pos += 1;
                    break;
                }
                Some(b'"') => args.push(Arg::Str(self.string()?)),
                Some(b) if b.is_ascii_alphabetic() => {
                    let save = self.pos;
                    let w = self.word();
                    self.skip_ws();
                    if matches!(self.peek(), Some(b'[' | b'(')) {
                        self.pos = save;
                        args.push(Arg::Node(self.node(depth + 1)?));
                    } else {
                        args.push(Arg::Word(w));
                    }
                }
                Some(b) if b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.') => {
                    args.push(Arg::Word(self.word()))
                }
                _ => return self.err("a string, number, word or element"),
            }
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b) if b == close => {
                    self.pos += 1;
                    break;
                }
                _ => return self.err("',' or a closing bracket"),
            }
        }
        Ok(Node {
            keyword,
            args,
            text: &self.s[start..self.pos],
        })
    }

    fn string(&mut self) -> Result<&'a str, WktSyntaxError> {
        // At the opening quote.
        self.pos += 1;
        let start = self.pos;
        loop {
            match self.peek() {
                None => return self.err("a closing '\"'"),
                Some(b'"') if self.s.as_bytes().get(self.pos + 1) == Some(&b'"') => self.pos += 2,
                Some(b'"') => break,
                Some(_) => self.pos += 1,
            }
        }
        let s = &self.s[start..self.pos];
        self.pos += 1;
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_esri_projcs_with_trailing_vertcs() {
        let text = r#"PROJCS["CH1903+_LV95",GEOGCS["GCS_CH1903+",DATUM["D_CH1903+",SPHEROID["Bessel_1841",6377397.155,299.1528128]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Hotine_Oblique_Mercator_Azimuth_Center"],UNIT["Meter",1.0]],VERTCS["LN_1902",VDATUM["Landesnivellement_1902"]]"#;
        let node = parse(text).unwrap();
        assert_eq!(node.keyword, "PROJCS");
        assert_eq!(node.name(), Some("CH1903+_LV95"));
        assert!(node.text.ends_with(r#"UNIT["Meter",1.0]]"#));
        let geog = node.geographic().unwrap();
        assert_eq!(geog.name(), Some("GCS_CH1903+"));
        assert_eq!(geog.datum().unwrap().name(), Some("D_CH1903+"));
        assert_eq!(node.epsg_authority(), None);
    }

    #[test]
    fn reads_only_the_crs_own_authority() {
        let text = r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]]"#;
        assert_eq!(parse(text).unwrap().epsg_authority(), Some(4326));
        let wkt2 = r#"PROJCRS["ETRS89 / UTM zone 32N",BASEGEOGCRS["ETRS89",ID["EPSG",4258]],CONVERSION["UTM zone 32N",ID["EPSG",16032]],ID["EPSG",25832]]"#;
        assert_eq!(parse(wkt2).unwrap().epsg_authority(), Some(25832));
    }

    #[test]
    fn compound_crs_yields_its_horizontal_part() {
        let text = r#"COMPD_CS["x",PROJCS["ETRS89 / UTM zone 32N",AUTHORITY["EPSG","25832"]],VERT_CS["DHHN92"]]"#;
        let node = parse(text).unwrap();
        assert_eq!(node.horizontal().epsg_authority(), Some(25832));
    }

    #[test]
    fn syntax_errors_say_where() {
        let e = parse(r#"GEOGCS["WGS 84",DATUM["#).unwrap_err();
        assert_eq!(e.offset, 22);
        assert!(parse(r#"GEOGCS["unterminated]"#).is_err());
        assert!(parse("hello world").is_err());
        let deep = "A[".repeat(100) + &"]".repeat(100);
        assert_eq!(
            parse(&deep).unwrap_err().expected,
            "at most 64 nested elements"
        );
        assert!(looks_like_wkt(" GEOGCS [\"x\"]"));
        assert!(!looks_like_wkt("EPSG:4326"));
    }
}
