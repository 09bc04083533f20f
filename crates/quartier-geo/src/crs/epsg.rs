//! EPSG definitions: the `crs-definitions` table, made complete for proj4rs, and the names ESRI uses.
//!
//! `crs-definitions` carries the proj4 string and WKT of about 6,000 EPSG codes.
//! Three of its datums do not work as written in proj4rs or hide their shift inside proj4rs:
//! `+datum=NAD27` asks for NADCON grid files that Quartier does not ship (proj4rs then refuses it),
//! and `+datum=potsdam` / `+datum=OSGB36` carry built-in Helmert parameters.
//! [`patch_proj4`] replaces all three by the explicit EPSG-published Helmert `+towgs84`, so that the
//! string [`super::Crs::proj4`] shows is the whole truth about the datum shift.
//! The accuracy of each shift is measured against PROJ in `docs/crs-accuracy.md`.

use std::collections::HashMap;
use std::sync::OnceLock;

/// NAD27 to WGS 84 (4), EPSG:1173, for the contiguous United States (accuracy 10 m).
///
/// PROJ's best NAD27 operations need NADCON grids; without them PROJ also falls back to this one.
pub(crate) const NAD27_TOWGS84: &str = "-8,160,176";
/// DHDN to WGS 84 (2), EPSG:1777, position-vector 7-parameter (West Germany, accuracy 3 m).
pub(crate) const DHDN_TOWGS84: &str = "598.1,73.7,418.2,0.202,0.045,-2.455,6.7";
/// CH1903+ to WGS 84 (1), EPSG:1676, and CH1903 to WGS 84 (2), EPSG:1766 (accuracy 1–1.5 m).
pub(crate) const CH1903_TOWGS84: &str = "674.374,15.056,405.346";
/// OSGB36 to WGS 84 (6), EPSG:1314, position-vector 7-parameter (accuracy 2 m).
pub(crate) const OSGB36_TOWGS84: &str = "446.448,-125.157,542.06,0.15,0.247,0.842,-20.489";
/// Amersfoort to WGS 84 (3), EPSG:15934, as in the EPSG:28992 definition (accuracy 1 m).
pub(crate) const AMERSFOORT_TOWGS84: &str =
    "565.2369,50.0087,465.658,-0.406857,0.350733,-1.87035,4.0812";

/// Web Mercator's EPSG code and the retired codes that mean the same CRS.
pub(crate) const WEB_MERCATOR: u32 = 3857;
const WEB_MERCATOR_ALIASES: &[u32] = &[900_913, 3785, 3587, 102_100, 102_113];

/// Codes that win when several EPSG codes share a name or a proj4 string
/// (EPSG:3044 ETRS89 / ETRS-TM32 has the same parameters as EPSG:25832, which is what people mean).
fn preferred_codes() -> impl Iterator<Item = u32> {
    [
        4326, 4258, 4267, 4269, 3857, 25832, 25833, 31466, 31467, 31468, 31469, 2056, 21781, 27700,
        2154, 3035, 28992,
    ]
    .into_iter()
    .chain(32601..=32660)
    .chain(32701..=32760)
    .chain(25828..=25838)
}

/// One EPSG definition, ready for proj4rs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Definition {
    /// The EPSG code (aliases of Web Mercator resolve to 3857).
    pub code: u32,
    /// The EPSG name, e.g. `ETRS89 / UTM zone 32N`.
    pub name: &'static str,
    /// The proj4 string after [`patch_proj4`].
    pub proj4: String,
}

/// The definition of an EPSG code, or `None` when `crs-definitions` does not know it.
pub(crate) fn lookup(code: u32) -> Option<Definition> {
    let code = if WEB_MERCATOR_ALIASES.contains(&code) {
        WEB_MERCATOR
    } else {
        code
    };
    let def = crs_definitions::from_code(u16::try_from(code).ok()?)?;
    Some(Definition {
        code,
        name: wkt_name(def.wkt),
        proj4: patch_proj4(def.proj4),
    })
}

/// The name in the first quotes of a WKT string.
fn wkt_name(wkt: &'static str) -> &'static str {
    wkt.split('"').nth(1).unwrap_or("unnamed")
}

/// Make a proj4 string's datum explicit and usable without grid files (see the module docs).
///
/// A string that already has `+towgs84` or `+nadgrids` is left alone: the user said what they meant.
pub(crate) fn patch_proj4(proj4: &str) -> String {
    let tokens: Vec<&str> = proj4.split_whitespace().collect();
    if tokens
        .iter()
        .any(|t| t.starts_with("+towgs84=") || t.starts_with("+nadgrids="))
    {
        return tokens.join(" ");
    }
    let mut out: Vec<String> = Vec::with_capacity(tokens.len() + 1);
    for t in tokens {
        let replacement = match t.to_ascii_lowercase().as_str() {
            "+datum=nad27" => Some(("clrk66", NAD27_TOWGS84)),
            "+datum=potsdam" => Some(("bessel", DHDN_TOWGS84)),
            "+datum=osgb36" => Some(("airy", OSGB36_TOWGS84)),
            _ => None,
        };
        match replacement {
            Some((ellps, towgs84)) => {
                out.push(format!("+ellps={ellps}"));
                out.push(format!("+towgs84={towgs84}"));
            }
            None => out.push(t.to_string()),
        }
    }
    out.join(" ")
}

/// A name reduced to what survives the ways people spell it: ASCII letters and digits, lowercase,
/// and `+` (which tells CH1903+ from CH1903).
pub(crate) fn normalize_name(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            'ä' | 'Ä' => 'a',
            'ö' | 'Ö' => 'o',
            'ü' | 'Ü' => 'u',
            'é' | 'è' | 'É' => 'e',
            c => c,
        })
        .filter(|c| c.is_ascii_alphanumeric() || *c == '+')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A proj4 string reduced to a comparable key: sorted parameters without the no-op flags.
pub(crate) fn normalize_proj4(proj4: &str) -> String {
    let mut tokens: Vec<String> = proj4
        .split_whitespace()
        .filter(|t| !matches!(*t, "+no_defs" | "+type=crs" | "+wktext"))
        .map(|t| {
            // `+k=1.0` and `+k=1` are the same parameter.
            match t.split_once('=') {
                Some((k, v)) => match v.parse::<f64>() {
                    Ok(n) => format!("{}={}", k.to_ascii_lowercase(), n),
                    Err(_) => format!("{}={}", k.to_ascii_lowercase(), v.to_ascii_lowercase()),
                },
                None => t.to_ascii_lowercase(),
            }
        })
        .collect();
    tokens.sort_unstable();
    tokens.join(" ")
}

/// EPSG codes by normalized name and by normalized proj4 string.
struct Index {
    by_name: HashMap<String, u32>,
    by_proj4: HashMap<String, u32>,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut by_name = HashMap::new();
        let mut by_proj4 = HashMap::new();
        for code in preferred_codes().chain(0..=u32::from(u16::MAX)) {
            if let Some(def) = lookup(code) {
                by_name.entry(normalize_name(def.name)).or_insert(def.code);
                by_proj4
                    .entry(normalize_proj4(&def.proj4))
                    .or_insert(def.code);
            }
        }
        Index { by_name, by_proj4 }
    })
}

/// The EPSG code whose (patched) proj4 string has exactly these parameters.
pub(crate) fn code_for_proj4(proj4: &str) -> Option<u32> {
    index().by_proj4.get(&normalize_proj4(proj4)).copied()
}

/// The EPSG code of a CRS name, EPSG spelling (`ETRS89 / UTM zone 32N`) or ESRI spelling
/// (`ETRS_1989_UTM_Zone_32N`, `GCS_North_American_1927`).
pub(crate) fn code_for_name(name: &str) -> Option<u32> {
    let norm = normalize_name(name);
    if norm.is_empty() {
        return None;
    }
    let by_name = |n: &str| index().by_name.get(n).copied();
    esri_alias(&norm)
        .or_else(|| esri_utm(&norm))
        .or_else(|| by_name(&norm))
        // ESRI's geographic CRSs are EPSG's names with `GCS_` in front (`GCS_Pulkovo_1942`).
        .or_else(|| norm.strip_prefix("gcs").and_then(by_name))
}

/// ESRI names of the CRSs Quartier names in its documentation, and their geographic bases.
const ESRI_ALIASES: &[(&str, u32)] = &[
    ("GCS_WGS_1984", 4326),
    ("WGS_1984", 4326),
    ("GCS_ETRS_1989", 4258),
    ("ETRS_1989", 4258),
    ("GCS_North_American_1927", 4267),
    ("GCS_NAD_1927", 4267),
    ("NAD_1927", 4267),
    ("GCS_North_American_1983", 4269),
    ("GCS_NAD_1983", 4269),
    ("NAD_1983", 4269),
    ("GCS_Deutsches_Hauptdreiecksnetz", 4314),
    ("GCS_DHDN", 4314),
    ("GCS_CH1903+", 4150),
    ("GCS_CH1903", 4149),
    ("GCS_OSGB_1936", 4277),
    ("GCS_RGF_1993", 4171),
    ("GCS_Amersfoort", 4289),
    ("WGS_1984_Web_Mercator_Auxiliary_Sphere", 3857),
    ("WGS_1984_Web_Mercator", 3857),
    ("Web_Mercator", 3857),
    ("Popular Visualisation CRS / Mercator", 3857),
    ("Google Maps Global Mercator", 3857),
    ("DHDN_3_Degree_Gauss_Zone_2", 31466),
    ("DHDN_3_Degree_Gauss_Zone_3", 31467),
    ("DHDN_3_Degree_Gauss_Zone_4", 31468),
    ("DHDN_3_Degree_Gauss_Zone_5", 31469),
    ("CH1903+_LV95", 2056),
    ("CH1903_LV03", 21781),
    ("British_National_Grid", 27700),
    ("OSGB_1936_British_National_Grid", 27700),
    ("RGF_1993_Lambert_93", 2154),
    ("RGF93_Lambert_93", 2154),
    ("ETRS_1989_LAEA", 3035),
    ("ETRS_1989_LAEA_Europe", 3035),
    ("ETRS_1989_ETRS-LAEA", 3035),
    ("RD_New", 28992),
    ("Amersfoort_RD_New", 28992),
];

fn esri_alias(norm: &str) -> Option<u32> {
    ESRI_ALIASES
        .iter()
        .find(|(name, _)| normalize_name(name) == norm)
        .map(|(_, code)| *code)
}

/// ESRI's UTM names: `WGS_1984_UTM_Zone_32N`, `ETRS_1989_UTM_Zone_32N`, `NAD_1983_UTM_Zone_17N`,
/// `NAD_1927_UTM_Zone_17N` (normalized).
///
/// `ETRS_1989_UTM_Zone_N32` (zone number in front of the easting, EPSG:4647) deliberately does not match.
fn esri_utm(norm: &str) -> Option<u32> {
    let (prefix, rest) = norm.split_once("utmzone")?;
    let hemisphere = rest.chars().last()?;
    let zone: u32 = rest[..rest.len() - 1].parse().ok()?;
    if !(1..=60).contains(&zone) {
        return None;
    }
    let code = match (prefix, hemisphere) {
        ("wgs1984", 'n') => 32600 + zone,
        ("wgs1984", 's') => 32700 + zone,
        ("etrs1989", 'n') if (28..=38).contains(&zone) => 25800 + zone,
        ("nad1983", 'n') if (1..=23).contains(&zone) => 26900 + zone,
        ("nad1927", 'n') if (1..=22).contains(&zone) => 26700 + zone,
        _ => return None,
    };
    Some(code)
}

/// Datums by their normalized WKT names (ESRI's `D_` prefix removed): the Helmert shift to WGS 84
/// that Quartier uses for them, and the EPSG code of the geographic CRS on that datum.
const DATUMS: &[(&[&str], &str, u32)] = &[
    (
        &[
            "northamerican1927",
            "northamericandatum1927",
            "nad27",
            "nad1927",
        ],
        NAD27_TOWGS84,
        4267,
    ),
    (
        &[
            "deutscheshauptdreiecksnetz",
            "dhdn",
            "potsdam",
            "potsdamrauenberg1950dhdn",
        ],
        DHDN_TOWGS84,
        4314,
    ),
    (&["ch1903+"], CH1903_TOWGS84, 4150),
    (&["ch1903"], CH1903_TOWGS84, 4149),
    (&["osgb1936", "osgb36"], OSGB36_TOWGS84, 4277),
    (&["amersfoort"], AMERSFOORT_TOWGS84, 4289),
    (
        &["wgs1984", "wgs84", "worldgeodeticsystem1984"],
        "0,0,0",
        4326,
    ),
    (
        &[
            "etrs1989",
            "etrs89",
            "europeanterrestrialreferencesystem1989",
            "europeanterrestrialreferenceframe1989",
        ],
        "0,0,0",
        4258,
    ),
    (
        &[
            "northamerican1983",
            "northamericandatum1983",
            "nad83",
            "nad1983",
        ],
        "0,0,0",
        4269,
    ),
    (&["rgf1993", "reseaugeodesiquefrancais1993"], "0,0,0", 4171),
    (
        &[
            "sirgas2000",
            "sistemadereferenciageocentricoparalasamericas2000",
        ],
        "0,0,0",
        4674,
    ),
    (
        &["gda1994", "geocentricdatumofaustralia1994"],
        "0,0,0",
        4283,
    ),
];

fn datum(datum_name: &str) -> Option<&'static (&'static [&'static str], &'static str, u32)> {
    let name = datum_name.strip_prefix("D_").unwrap_or(datum_name);
    let norm = normalize_name(name);
    DATUMS
        .iter()
        .find(|(names, _, _)| names.contains(&norm.as_str()))
}

/// The Helmert shift to WGS 84 for a datum named in WKT without a `TOWGS84` node (as ESRI writes it).
///
/// The datums Quartier documents come from the table above (WGS 84-compatible ones get the null shift);
/// any other comes from the EPSG geographic CRS named like the datum, when it has a `+towgs84`.
pub(crate) fn towgs84_for_datum(datum_name: &str) -> Option<String> {
    if let Some(d) = datum(datum_name) {
        return Some(d.1.to_string());
    }
    // Any other datum that EPSG names like a geographic CRS: that CRS's published shift.
    let def = lookup(geographic_code_for_datum(datum_name)?)?;
    if !def.proj4.split_whitespace().any(|t| t == "+proj=longlat") {
        return None;
    }
    def.proj4
        .split_whitespace()
        .find_map(|t| t.strip_prefix("+towgs84="))
        .map(str::to_string)
}

/// The EPSG code of the geographic CRS on a datum named in WKT (`D_North_American_1927` -> 4267).
///
/// Beyond the datums above, EPSG names most geographic CRSs like their datum (`D_Pulkovo_1942` ->
/// `Pulkovo 1942`, EPSG:4284); the caller checks that the code found is geographic on the same ellipsoid.
pub(crate) fn geographic_code_for_datum(datum_name: &str) -> Option<u32> {
    datum(datum_name)
        .map(|d| d.2)
        .or_else(|| code_for_name(datum_name.strip_prefix("D_").unwrap_or(datum_name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nad27_gets_the_conus_helmert_instead_of_missing_grids() {
        let def = lookup(4267).unwrap();
        assert_eq!(def.name, "NAD27");
        assert_eq!(
            def.proj4,
            "+proj=longlat +ellps=clrk66 +towgs84=-8,160,176 +no_defs"
        );
        assert!(proj4rs::Proj::from_proj_string(&def.proj4).is_ok());
        // As published, proj4rs refuses it: this is why the patch exists.
        assert!(proj4rs::Proj::from_proj_string(crs_definitions::EPSG_4267.proj4).is_err());
    }

    #[test]
    fn dhdn_and_osgb36_shifts_are_explicit() {
        let amersfoort = format!("+towgs84={AMERSFOORT_TOWGS84}");
        for (code, expected) in [
            (
                31467,
                "+ellps=bessel +towgs84=598.1,73.7,418.2,0.202,0.045,-2.455,6.7",
            ),
            (
                27700,
                "+towgs84=446.448,-125.157,542.06,0.15,0.247,0.842,-20.489",
            ),
            // Swiss and Dutch definitions already carry theirs.
            (2056, "+towgs84=674.374,15.056,405.346,0,0,0,0"),
            (28992, amersfoort.as_str()),
        ] {
            let proj4 = lookup(code).unwrap().proj4;
            assert!(proj4.contains(expected), "EPSG:{code}: {proj4}");
        }
    }

    #[test]
    fn explicit_towgs84_is_kept() {
        let s = "+proj=longlat +datum=NAD27 +towgs84=-10,158,187";
        assert_eq!(patch_proj4(s), s);
    }

    #[test]
    fn names_in_both_spellings() {
        assert_eq!(code_for_name("ETRS89 / UTM zone 32N"), Some(25832));
        assert_eq!(code_for_name("ETRS_1989_UTM_Zone_32N"), Some(25832));
        assert_eq!(code_for_name("ETRS_1989_UTM_Zone_N32"), None);
        assert_eq!(code_for_name("WGS_1984_UTM_Zone_33S"), Some(32733));
        assert_eq!(code_for_name("CH1903+_LV95"), Some(2056));
        assert_eq!(code_for_name("CH1903_LV03"), Some(21781));
        assert_eq!(code_for_name("GCS_North_American_1927"), Some(4267));
        assert_eq!(code_for_name("NAD_1983"), Some(4269));
        assert_eq!(code_for_name("DHDN_3_Degree_Gauss_Zone_2"), Some(31466));
        assert_eq!(
            code_for_name("DHDN / 3-degree Gauss-Krüger zone 3"),
            Some(31467)
        );
        assert_eq!(code_for_name("Amersfoort / RD New"), Some(28992));
        assert_eq!(code_for_name("GRS 1980(IUGG, 1980)"), None);
        assert_eq!(code_for_name(""), None);
    }

    #[test]
    fn proj4_strings_find_their_code() {
        assert_eq!(
            code_for_proj4("+proj=longlat +datum=WGS84 +no_defs"),
            Some(4326)
        );
        assert_eq!(
            code_for_proj4(
                "+proj=utm +zone=32 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs"
            ),
            Some(25832)
        );
        assert_eq!(
            code_for_proj4("+proj=utm +zone=32 +datum=WGS84 +units=m"),
            Some(32632)
        );
        assert_eq!(
            code_for_proj4("+proj=utm +zone=32 +ellps=intl +units=m"),
            None
        );
    }

    #[test]
    fn datums_by_name() {
        assert_eq!(
            towgs84_for_datum("D_North_American_1927").as_deref(),
            Some(NAD27_TOWGS84)
        );
        assert_eq!(
            geographic_code_for_datum("D_North_American_1927"),
            Some(4267)
        );
        assert_eq!(
            towgs84_for_datum("D_Deutsches_Hauptdreiecksnetz").as_deref(),
            Some(DHDN_TOWGS84)
        );
        assert_eq!(
            towgs84_for_datum("D_Pulkovo_1942").as_deref(),
            Some("23.92,-141.27,-80.9,0,0.35,0.82,-0.12")
        );
        assert_eq!(geographic_code_for_datum("D_CH1903+"), Some(4150));
        assert_eq!(geographic_code_for_datum("D_CH1903"), Some(4149));
        assert_eq!(towgs84_for_datum("D_unknown"), None);
        assert_eq!(geographic_code_for_datum("D_Pulkovo_1942"), Some(4284));
        assert_eq!(code_for_name("GCS_Pulkovo_1942"), Some(4284));
    }

    #[test]
    fn web_mercator_aliases() {
        assert_eq!(lookup(900_913).unwrap().code, 3857);
        assert_eq!(lookup(102_100).unwrap().name, "WGS 84 / Pseudo-Mercator");
    }
}
