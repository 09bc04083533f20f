//! Text encodings of DBF files: where the codepage comes from and how bytes become text.
//!
//! The rules, in order (the first that applies wins):
//! 1. an explicit override (`--encoding`, `encoding =` in the manifest);
//! 2. the `.cpg` file next to the `.dbf` (`UTF-8`, `1252`, `ANSI 1252`, `ISO-8859-1`, `88591`, ...);
//! 3. the DBF language-driver byte (header byte 29), mapped with the ESRI/dBase LDID table below;
//! 4. detection: if every text field of every record is valid UTF-8 the file is UTF-8, else CP1252.
//!
//! Why not trust the LDID byte blindly: `0x00` means "not set" and many writers (GDAL, pyshp,
//! QGIS) leave it so even for UTF-8 text, so detection is what makes "Bezirk Bülach" come out
//! right in files without a `.cpg`.
//!
//! Decoding uses `encoding_rs` for the Windows, ISO and East-Asian codepages and small built-in
//! tables for the DOS codepages 437, 850 and 852, which `encoding_rs` (a WHATWG implementation)
//! does not have.
//! Note that `encoding_rs` decodes the label `ISO-8859-1` as windows-1252, as browsers do; the two
//! differ only in 0x80–0x9F, where ISO-8859-1 has control characters that never occur in real text.

use std::borrow::Cow;

/// A text encoding we can decode DBF bytes with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codepage {
    /// An encoding known to `encoding_rs` (UTF-8, windows-125x, ISO-8859-x, IBM866, Shift_JIS, ...).
    Whatwg(&'static encoding_rs::Encoding),
    /// A DOS codepage decoded with a built-in table.
    Dos(DosCodepage),
}

/// DOS codepages that `encoding_rs` does not provide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DosCodepage {
    /// IBM PC US (CP437).
    Cp437,
    /// DOS Latin-1 (CP850).
    Cp850,
    /// DOS Latin-2 (CP852).
    Cp852,
}

impl Codepage {
    /// UTF-8.
    pub const UTF8: Codepage = Codepage::Whatwg(encoding_rs::UTF_8);
    /// Windows-1252 (Western European ANSI), the fallback when text is not UTF-8.
    pub const CP1252: Codepage = Codepage::Whatwg(encoding_rs::WINDOWS_1252);

    /// The name shown in reports, such as `UTF-8`, `windows-1252` or `CP850`.
    pub fn name(&self) -> &'static str {
        match self {
            Codepage::Whatwg(e) => e.name(),
            Codepage::Dos(DosCodepage::Cp437) => "CP437",
            Codepage::Dos(DosCodepage::Cp850) => "CP850",
            Codepage::Dos(DosCodepage::Cp852) => "CP852",
        }
    }

    /// Decode bytes; invalid sequences become U+FFFD (which cannot happen for single-byte tables).
    pub fn decode<'a>(&self, bytes: &'a [u8]) -> Cow<'a, str> {
        match self {
            Codepage::Whatwg(e) => e.decode_without_bom_handling(bytes).0,
            Codepage::Dos(dos) => {
                if bytes.is_ascii() {
                    // ASCII bytes are valid UTF-8 and mean the same in every DOS codepage.
                    return Cow::Borrowed(std::str::from_utf8(bytes).unwrap_or_default());
                }
                let table = match dos {
                    DosCodepage::Cp437 => &CP437_HIGH,
                    DosCodepage::Cp850 => &CP850_HIGH,
                    DosCodepage::Cp852 => &CP852_HIGH,
                };
                Cow::Owned(
                    bytes
                        .iter()
                        .map(|&b| {
                            if b < 0x80 {
                                b as char
                            } else {
                                table[(b - 0x80) as usize]
                            }
                        })
                        .collect(),
                )
            }
        }
    }

    /// Parse an encoding name as users and `.cpg` files write it.
    ///
    /// Accepts WHATWG labels (`utf-8`, `latin1`, `windows-1250`, `cp1252`, `koi8-r`, ...), bare
    /// Windows/DOS codepage numbers (`1252`, `850`, `65001`), the ESRI forms `ANSI 1252` and
    /// `OEM 850`, and ISO shorthands such as `88591` or `8859_15`.
    /// Returns `None` for a name we do not know.
    pub fn from_label(label: &str) -> Option<Codepage> {
        let t = label.trim().trim_start_matches('\u{feff}').trim();
        if t.is_empty() {
            return None;
        }
        let upper = t.to_ascii_uppercase();
        let bare = upper
            .strip_prefix("ANSI")
            .or_else(|| upper.strip_prefix("OEM"))
            .or_else(|| upper.strip_prefix("CP"))
            .or_else(|| upper.strip_prefix("IBM"))
            .map(|s| s.trim_start_matches([' ', '-', '_']))
            .unwrap_or(&upper);
        if let Ok(n) = bare.parse::<u32>() {
            if let Some(cp) = from_number(n) {
                return Some(cp);
            }
        }
        // ISO shorthands: 88591, 8859_1, 8859-15, ISO8859_2.
        let iso = upper
            .trim_start_matches("ISO")
            .trim_start_matches(['-', '_', ' ']);
        if let Some(part) = iso.strip_prefix("8859") {
            let part = part.trim_start_matches(['-', '_', ' ']);
            if let Ok(n) = part.parse::<u32>() {
                return encoding_rs::Encoding::for_label(format!("iso-8859-{n}").as_bytes())
                    .map(Codepage::Whatwg);
            }
        }
        match upper.as_str() {
            "UTF8" | "UTF-8" | "UTF_8" => return Some(Codepage::UTF8),
            "ANSI" => return Some(Codepage::CP1252),
            _ => {}
        }
        encoding_rs::Encoding::for_label(t.as_bytes()).map(Codepage::Whatwg)
    }

    /// The codepage a DBF language-driver id (LDID, header byte 29) stands for.
    ///
    /// Returns `Ok(None)` for `0x00` (not set), `Err(codepage number)` for an LDID we know but
    /// cannot decode (such as CP865), and `Ok(None)` for an unknown LDID.
    /// The table follows ESRI's list of language drivers; `0x57` ("ANSI", the writer's current
    /// ANSI codepage) is taken as windows-1252, the ANSI codepage of Western Europe and the Americas.
    pub fn from_ldid(ldid: u8) -> Result<Option<Codepage>, u32> {
        let number = match ldid {
            0x00 => return Ok(None),
            0x01 | 0x09 | 0x0B | 0x0D | 0x0F | 0x11 | 0x15 | 0x18 | 0x19 | 0x1B => 437,
            0x02 | 0x0A | 0x0E | 0x10 | 0x12 | 0x14 | 0x16 | 0x1A | 0x1D | 0x25 | 0x37 => 850,
            0x03 | 0x57 | 0x58 | 0x59 => 1252,
            0x04 => 10000,
            0x08 | 0x17 | 0x66 => 865,
            0x13 | 0x7B => 932,
            0x1C | 0x6C => 863,
            0x1F | 0x22 | 0x23 | 0x40 | 0x64 | 0x87 => 852,
            0x24 => 860,
            0x26 | 0x65 => 866,
            0x4D | 0x7A => 936,
            0x4E | 0x79 => 949,
            0x4F | 0x78 => 950,
            0x50 | 0x7C => 874,
            0x67 => 861,
            0x6A | 0x86 => 737,
            0x6B | 0x88 => 857,
            0xC8 => 1250,
            0xC9 => 1251,
            0xCA => 1254,
            0xCB => 1253,
            0xCC => 1257,
            _ => return Ok(None),
        };
        from_number(number).map(Some).ok_or(number)
    }
}

/// A Windows/DOS codepage number as a [`Codepage`], for the numbers we can decode.
fn from_number(n: u32) -> Option<Codepage> {
    let label = match n {
        437 => return Some(Codepage::Dos(DosCodepage::Cp437)),
        850 => return Some(Codepage::Dos(DosCodepage::Cp850)),
        852 => return Some(Codepage::Dos(DosCodepage::Cp852)),
        65001 => return Some(Codepage::UTF8),
        866 => "ibm866",
        874 => "windows-874",
        932 => "shift_jis",
        936 => "gbk",
        949 => "euc-kr",
        950 => "big5",
        1250..=1258 => {
            return encoding_rs::Encoding::for_label(format!("windows-{n}").as_bytes())
                .map(Codepage::Whatwg)
        }
        10000 => "macintosh",
        20866 => "koi8-r",
        21866 => "koi8-u",
        28591..=28606 => {
            return encoding_rs::Encoding::for_label(format!("iso-8859-{}", n - 28590).as_bytes())
                .map(Codepage::Whatwg)
        }
        _ => return None,
    };
    encoding_rs::Encoding::for_label(label.as_bytes()).map(Codepage::Whatwg)
}

/// Bytes 0x80..=0xFF of CP437 (generated with Python 3.11 `bytes(range(128, 256)).decode("cp437")`).
const CP437_HIGH: [char; 128] = [
    '\u{00C7}', '\u{00FC}', '\u{00E9}', '\u{00E2}', '\u{00E4}', '\u{00E0}', '\u{00E5}', '\u{00E7}',
    '\u{00EA}', '\u{00EB}', '\u{00E8}', '\u{00EF}', '\u{00EE}', '\u{00EC}', '\u{00C4}', '\u{00C5}',
    '\u{00C9}', '\u{00E6}', '\u{00C6}', '\u{00F4}', '\u{00F6}', '\u{00F2}', '\u{00FB}', '\u{00F9}',
    '\u{00FF}', '\u{00D6}', '\u{00DC}', '\u{00A2}', '\u{00A3}', '\u{00A5}', '\u{20A7}', '\u{0192}',
    '\u{00E1}', '\u{00ED}', '\u{00F3}', '\u{00FA}', '\u{00F1}', '\u{00D1}', '\u{00AA}', '\u{00BA}',
    '\u{00BF}', '\u{2310}', '\u{00AC}', '\u{00BD}', '\u{00BC}', '\u{00A1}', '\u{00AB}', '\u{00BB}',
    '\u{2591}', '\u{2592}', '\u{2593}', '\u{2502}', '\u{2524}', '\u{2561}', '\u{2562}', '\u{2556}',
    '\u{2555}', '\u{2563}', '\u{2551}', '\u{2557}', '\u{255D}', '\u{255C}', '\u{255B}', '\u{2510}',
    '\u{2514}', '\u{2534}', '\u{252C}', '\u{251C}', '\u{2500}', '\u{253C}', '\u{255E}', '\u{255F}',
    '\u{255A}', '\u{2554}', '\u{2569}', '\u{2566}', '\u{2560}', '\u{2550}', '\u{256C}', '\u{2567}',
    '\u{2568}', '\u{2564}', '\u{2565}', '\u{2559}', '\u{2558}', '\u{2552}', '\u{2553}', '\u{256B}',
    '\u{256A}', '\u{2518}', '\u{250C}', '\u{2588}', '\u{2584}', '\u{258C}', '\u{2590}', '\u{2580}',
    '\u{03B1}', '\u{00DF}', '\u{0393}', '\u{03C0}', '\u{03A3}', '\u{03C3}', '\u{00B5}', '\u{03C4}',
    '\u{03A6}', '\u{0398}', '\u{03A9}', '\u{03B4}', '\u{221E}', '\u{03C6}', '\u{03B5}', '\u{2229}',
    '\u{2261}', '\u{00B1}', '\u{2265}', '\u{2264}', '\u{2320}', '\u{2321}', '\u{00F7}', '\u{2248}',
    '\u{00B0}', '\u{2219}', '\u{00B7}', '\u{221A}', '\u{207F}', '\u{00B2}', '\u{25A0}', '\u{00A0}',
];

/// Bytes 0x80..=0xFF of CP850 (generated with Python 3.11 `bytes(range(128, 256)).decode("cp850")`).
const CP850_HIGH: [char; 128] = [
    '\u{00C7}', '\u{00FC}', '\u{00E9}', '\u{00E2}', '\u{00E4}', '\u{00E0}', '\u{00E5}', '\u{00E7}',
    '\u{00EA}', '\u{00EB}', '\u{00E8}', '\u{00EF}', '\u{00EE}', '\u{00EC}', '\u{00C4}', '\u{00C5}',
    '\u{00C9}', '\u{00E6}', '\u{00C6}', '\u{00F4}', '\u{00F6}', '\u{00F2}', '\u{00FB}', '\u{00F9}',
    '\u{00FF}', '\u{00D6}', '\u{00DC}', '\u{00F8}', '\u{00A3}', '\u{00D8}', '\u{00D7}', '\u{0192}',
    '\u{00E1}', '\u{00ED}', '\u{00F3}', '\u{00FA}', '\u{00F1}', '\u{00D1}', '\u{00AA}', '\u{00BA}',
    '\u{00BF}', '\u{00AE}', '\u{00AC}', '\u{00BD}', '\u{00BC}', '\u{00A1}', '\u{00AB}', '\u{00BB}',
    '\u{2591}', '\u{2592}', '\u{2593}', '\u{2502}', '\u{2524}', '\u{00C1}', '\u{00C2}', '\u{00C0}',
    '\u{00A9}', '\u{2563}', '\u{2551}', '\u{2557}', '\u{255D}', '\u{00A2}', '\u{00A5}', '\u{2510}',
    '\u{2514}', '\u{2534}', '\u{252C}', '\u{251C}', '\u{2500}', '\u{253C}', '\u{00E3}', '\u{00C3}',
    '\u{255A}', '\u{2554}', '\u{2569}', '\u{2566}', '\u{2560}', '\u{2550}', '\u{256C}', '\u{00A4}',
    '\u{00F0}', '\u{00D0}', '\u{00CA}', '\u{00CB}', '\u{00C8}', '\u{0131}', '\u{00CD}', '\u{00CE}',
    '\u{00CF}', '\u{2518}', '\u{250C}', '\u{2588}', '\u{2584}', '\u{00A6}', '\u{00CC}', '\u{2580}',
    '\u{00D3}', '\u{00DF}', '\u{00D4}', '\u{00D2}', '\u{00F5}', '\u{00D5}', '\u{00B5}', '\u{00FE}',
    '\u{00DE}', '\u{00DA}', '\u{00DB}', '\u{00D9}', '\u{00FD}', '\u{00DD}', '\u{00AF}', '\u{00B4}',
    '\u{00AD}', '\u{00B1}', '\u{2017}', '\u{00BE}', '\u{00B6}', '\u{00A7}', '\u{00F7}', '\u{00B8}',
    '\u{00B0}', '\u{00A8}', '\u{00B7}', '\u{00B9}', '\u{00B3}', '\u{00B2}', '\u{25A0}', '\u{00A0}',
];

/// Bytes 0x80..=0xFF of CP852 (generated with Python 3.11 `bytes(range(128, 256)).decode("cp852")`).
const CP852_HIGH: [char; 128] = [
    '\u{00C7}', '\u{00FC}', '\u{00E9}', '\u{00E2}', '\u{00E4}', '\u{016F}', '\u{0107}', '\u{00E7}',
    '\u{0142}', '\u{00EB}', '\u{0150}', '\u{0151}', '\u{00EE}', '\u{0179}', '\u{00C4}', '\u{0106}',
    '\u{00C9}', '\u{0139}', '\u{013A}', '\u{00F4}', '\u{00F6}', '\u{013D}', '\u{013E}', '\u{015A}',
    '\u{015B}', '\u{00D6}', '\u{00DC}', '\u{0164}', '\u{0165}', '\u{0141}', '\u{00D7}', '\u{010D}',
    '\u{00E1}', '\u{00ED}', '\u{00F3}', '\u{00FA}', '\u{0104}', '\u{0105}', '\u{017D}', '\u{017E}',
    '\u{0118}', '\u{0119}', '\u{00AC}', '\u{017A}', '\u{010C}', '\u{015F}', '\u{00AB}', '\u{00BB}',
    '\u{2591}', '\u{2592}', '\u{2593}', '\u{2502}', '\u{2524}', '\u{00C1}', '\u{00C2}', '\u{011A}',
    '\u{015E}', '\u{2563}', '\u{2551}', '\u{2557}', '\u{255D}', '\u{017B}', '\u{017C}', '\u{2510}',
    '\u{2514}', '\u{2534}', '\u{252C}', '\u{251C}', '\u{2500}', '\u{253C}', '\u{0102}', '\u{0103}',
    '\u{255A}', '\u{2554}', '\u{2569}', '\u{2566}', '\u{2560}', '\u{2550}', '\u{256C}', '\u{00A4}',
    '\u{0111}', '\u{0110}', '\u{010E}', '\u{00CB}', '\u{010F}', '\u{0147}', '\u{00CD}', '\u{00CE}',
    '\u{011B}', '\u{2518}', '\u{250C}', '\u{2588}', '\u{2584}', '\u{0162}', '\u{016E}', '\u{2580}',
    '\u{00D3}', '\u{00DF}', '\u{00D4}', '\u{0143}', '\u{0144}', '\u{0148}', '\u{0160}', '\u{0161}',
    '\u{0154}', '\u{00DA}', '\u{0155}', '\u{0170}', '\u{00FD}', '\u{00DD}', '\u{0163}', '\u{00B4}',
    '\u{00AD}', '\u{02DD}', '\u{02DB}', '\u{02C7}', '\u{02D8}', '\u{00A7}', '\u{00F7}', '\u{00B8}',
    '\u{00B0}', '\u{00A8}', '\u{02D9}', '\u{0171}', '\u{0158}', '\u{0159}', '\u{25A0}', '\u{00A0}',
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_as_found_in_cpg_files() {
        assert_eq!(Codepage::from_label("UTF-8"), Some(Codepage::UTF8));
        assert_eq!(Codepage::from_label("utf8\n"), Some(Codepage::UTF8));
        assert_eq!(Codepage::from_label("65001"), Some(Codepage::UTF8));
        assert_eq!(Codepage::from_label("1252"), Some(Codepage::CP1252));
        assert_eq!(Codepage::from_label("ANSI 1252"), Some(Codepage::CP1252));
        assert_eq!(Codepage::from_label("CP1252"), Some(Codepage::CP1252));
        assert_eq!(
            Codepage::from_label("OEM 850"),
            Some(Codepage::Dos(DosCodepage::Cp850))
        );
        assert_eq!(
            Codepage::from_label("1250").map(|c| c.name()),
            Some("windows-1250")
        );
        assert_eq!(
            Codepage::from_label("88591").map(|c| c.name()),
            Some("windows-1252")
        );
        assert_eq!(
            Codepage::from_label("8859_15").map(|c| c.name()),
            Some("ISO-8859-15")
        );
        assert_eq!(
            Codepage::from_label("ISO-8859-2").map(|c| c.name()),
            Some("ISO-8859-2")
        );
        assert_eq!(
            Codepage::from_label("latin1").map(|c| c.name()),
            Some("windows-1252")
        );
        assert_eq!(Codepage::from_label("no-such-codepage"), None);
        assert_eq!(Codepage::from_label(""), None);
    }

    #[test]
    fn language_driver_ids() {
        assert_eq!(Codepage::from_ldid(0x57), Ok(Some(Codepage::CP1252)));
        assert_eq!(Codepage::from_ldid(0x03), Ok(Some(Codepage::CP1252)));
        assert_eq!(
            Codepage::from_ldid(0x01),
            Ok(Some(Codepage::Dos(DosCodepage::Cp437)))
        );
        assert_eq!(
            Codepage::from_ldid(0x02),
            Ok(Some(Codepage::Dos(DosCodepage::Cp850)))
        );
        assert_eq!(
            Codepage::from_ldid(0x64),
            Ok(Some(Codepage::Dos(DosCodepage::Cp852)))
        );
        assert_eq!(
            Codepage::from_ldid(0x26).map(|c| c.map(|c| c.name())),
            Ok(Some("IBM866"))
        );
        assert_eq!(
            Codepage::from_ldid(0xC8).map(|c| c.map(|c| c.name())),
            Ok(Some("windows-1250"))
        );
        assert_eq!(Codepage::from_ldid(0x00), Ok(None));
        assert_eq!(Codepage::from_ldid(0x08), Err(865));
    }

    #[test]
    fn dos_tables_decode_umlauts() {
        // "Düren" and "Köln" as written by a DOS program: ü = 0x81, ö = 0x94 in CP437 and CP850.
        let cp850 = Codepage::Dos(DosCodepage::Cp850);
        assert_eq!(cp850.decode(b"D\x81ren"), "Düren");
        assert_eq!(Codepage::Dos(DosCodepage::Cp437).decode(b"K\x94ln"), "Köln");
        // CP852: ł = 0x88, ą = 0xA5 ("Białystok", "Wąchock").
        let cp852 = Codepage::Dos(DosCodepage::Cp852);
        assert_eq!(cp852.decode(b"Bia\x88ystok"), "Białystok");
        assert_eq!(cp852.decode(b"W\xa5chock"), "Wąchock");
        assert_eq!(cp850.decode(b"plain"), "plain");
    }
}
