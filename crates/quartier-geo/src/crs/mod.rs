//! Coordinate reference systems: identify them and reproject, in pure Rust.
//!
//! # Brief overview
//!
//! - [`Crs`]: a CRS identified from an EPSG code, a `+proj` string, a name or a `.prj` file's WKT,
//!   carried as a proj4 definition that proj4rs can execute.
//! - [`Transformer`]: reprojects points and geometries from one CRS into another, prepared once
//!   (proj4rs objects built in [`Transformer::new`], nothing allocated per point).
//! - [`ToWgs84`]: the transformer into EPSG:4326 that every importer uses.
//! - [`lonlat_to_mercator`], [`mercator_to_lonlat`], [`to_mercator`]: closed-form spherical Web Mercator,
//!   the same formulas in both directions so that EPSG:3857 data round-trips.
//!
//! # How a `.prj` is identified
//!
//! GIS software writes `.prj` files in two flavours, and [`Crs::from_wkt`] reads both:
//!
//! 1. An `AUTHORITY["EPSG","nnnn"]` (OGC/GDAL flavour, or `ID[...]` in WKT2) on the CRS itself wins.
//! 2. Otherwise the CRS name is looked up among ESRI names (`ETRS_1989_UTM_Zone_32N`, `CH1903+_LV95`,
//!    `GCS_North_American_1927`) and EPSG names (`ETRS89 / UTM zone 32N`).
//!    A name match is only trusted when the WKT's own projection parameters agree with it.
//! 3. Otherwise the WKT's parameters are converted to proj4 with `proj4wkt`.
//!    ESRI WKT carries no datum shift, so the datum's name brings one (the datums named in
//!    `docs/crs-accuracy.md`, or the EPSG geographic CRS named like the datum);
//!    for a datum nobody knows [`Crs::warning`] says that it is taken as WGS 84.
//!
//! Anything else is a [`CrsError::Unknown`] that tells the user to pass `--crs EPSG:xxxx`.
//!
//! # Datum shifts
//!
//! proj4rs applies 3- or 7-parameter Helmert shifts (`+towgs84`) and no grid files.
//! NAD27, DHDN, CH1903/CH1903+, OSGB36 and Amersfoort use the EPSG-published Helmert parameters;
//! `docs/crs-accuracy.md` lists the distance to PROJ measured for every supported CRS.
//!
//! # Example
//!
//! ```
//! use quartier_geo::crs::{Crs, ToWgs84};
//!
//! let crs = Crs::parse("EPSG:25832")?;
//! assert_eq!(crs.name(), "ETRS89 / UTM zone 32N (EPSG:25832)");
//! // Düren, in UTM zone 32N metres, to WGS84 degrees.
//! let (lon, lat) = ToWgs84::new(&crs)?.point(322_657.5, 5_630_603.7)?;
//! assert!((lon - 6.4833).abs() < 1e-5 && (lat - 50.8).abs() < 1e-5);
//! # Ok::<(), quartier_geo::crs::CrsError>(())
//! ```

mod epsg;
mod transform;
mod wkt;

#[cfg(test)]
mod tests;

pub use transform::{lonlat_to_mercator, mercator_to_lonlat, to_mercator, ToWgs84, Transformer};

/// What to tell a user whose CRS could not be identified.
const CRS_HINT: &str = "pass --crs EPSG:xxxx (or crs = \"EPSG:xxxx\" in the atlas manifest) to say which CRS the data is in";

/// Errors from CRS identification and reprojection.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CrsError {
    /// The text is neither an EPSG code, a `+proj` string, a known CRS name nor WKT we can read.
    ///
    /// Consider: the EPSG code of the data, from the data's documentation or the GIS it came from.
    #[error("unknown CRS {input:?}: {reason}; {CRS_HINT}")]
    Unknown {
        /// What the user or the `.prj` said (long WKT shortened).
        input: String,
        /// Why it was not understood.
        reason: String,
    },
    /// The CRS was identified but proj4rs cannot execute its definition
    /// (a projection it does not implement, or a datum shift that needs grid files).
    #[error("CRS {name} cannot be used: {reason} (definition {proj4:?}); {CRS_HINT}, or give a +proj string with +towgs84")]
    Unsupported {
        /// The CRS name.
        name: String,
        /// The proj4 definition that failed.
        proj4: String,
        /// What proj4rs said.
        reason: String,
    },
    /// A coordinate could not be transformed (not a number, out of range, outside the projection's domain).
    #[error("cannot transform ({x}, {y}) from {from} to {to}: {reason}")]
    Transform {
        /// Source x (longitude for a geographic CRS).
        x: f64,
        /// Source y (latitude for a geographic CRS).
        y: f64,
        /// Source CRS name.
        from: String,
        /// Target CRS name.
        to: String,
        /// The underlying reason.
        reason: String,
    },
}

/// How a [`Crs`] was identified; shown to users so that they can check a guess.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Identification {
    /// Given as an EPSG code (`EPSG:25832`, `25832`, an OGC URN or URL).
    EpsgCode,
    /// Read from the WKT's `AUTHORITY["EPSG",...]` or `ID["EPSG",...]`.
    WktAuthority,
    /// The CRS name (in WKT or given alone) is an EPSG or ESRI name.
    Name,
    /// Converted from the WKT's own parameters (no EPSG code recognised).
    WktParameters,
    /// Given as a `+proj` string.
    Proj4,
}

impl std::fmt::Display for Identification {
    /// A short phrase for reports, e.g. `identified by: WKT authority`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Identification::EpsgCode => "EPSG code",
            Identification::WktAuthority => "WKT authority",
            Identification::Name => "CRS name",
            Identification::WktParameters => "WKT parameters",
            Identification::Proj4 => "proj4 string",
        })
    }
}

/// A coordinate reference system: a name, maybe an EPSG code, and a proj4 definition.
///
/// Two `Crs` are equal when their EPSG codes and proj4 definitions are, however they were identified.
#[derive(Debug, Clone)]
pub struct Crs {
    epsg: Option<u32>,
    name: String,
    proj4: String,
    identification: Identification,
    warning: Option<String>,
}

impl PartialEq for Crs {
    fn eq(&self, other: &Self) -> bool {
        self.epsg == other.epsg && self.proj4 == other.proj4
    }
}

impl std::fmt::Display for Crs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

/// Longest input quoted back in an error message.
const EXCERPT_CHARS: usize = 100;

fn excerpt(text: &str) -> String {
    let mut out: String = text.chars().take(EXCERPT_CHARS).collect();
    if text.chars().nth(EXCERPT_CHARS).is_some() {
        out.push('…');
    }
    out
}

impl Crs {
    /// WGS84 longitude/latitude (EPSG:4326), the CRS every layer is stored in.
    pub fn wgs84() -> Crs {
        Crs {
            epsg: Some(4326),
            name: "WGS 84 (EPSG:4326)".into(),
            proj4: "+proj=longlat +datum=WGS84 +no_defs".into(),
            identification: Identification::EpsgCode,
            warning: None,
        }
    }

    /// A CRS by EPSG code: any of the about 6,000 codes of `crs-definitions` that proj4rs can execute,
    /// and the retired Web Mercator codes 900913, 3785 and 102100.
    pub fn from_epsg(code: u32) -> Result<Crs, CrsError> {
        if code == 4326 {
            return Ok(Crs::wgs84());
        }
        let def = epsg::lookup(code).ok_or_else(|| CrsError::Unknown {
            input: format!("EPSG:{code}"),
            reason: "this EPSG code is not in the built-in table (crs-definitions); give its +proj string instead".into(),
        })?;
        Crs::build(
            Some(def.code),
            format!("{} (EPSG:{})", def.name, def.code),
            def.proj4,
            Identification::EpsgCode,
            None,
        )
    }

    /// Parse what a user may write: `EPSG:25832`, `epsg:25832`, `25832`, an OGC URN
    /// (`urn:ogc:def:crs:EPSG::25832`, `urn:ogc:def:crs:OGC:1.3:CRS84`), a `+proj=...` string,
    /// WKT, or a CRS name (`ETRS89 / UTM zone 32N`, `ETRS_1989_UTM_Zone_32N`).
    pub fn parse(text: &str) -> Result<Crs, CrsError> {
        let t = text.trim().trim_start_matches('\u{feff}').trim();
        if t.is_empty() {
            return Err(CrsError::Unknown {
                input: String::new(),
                reason: "the CRS text is empty".into(),
            });
        }
        if t.starts_with('+') {
            return Crs::from_proj4(t);
        }
        if wkt::looks_like_wkt(t) {
            return Crs::from_wkt(t);
        }
        let lower = t.to_ascii_lowercase();
        if lower.ends_with("crs84") || lower == "wgs84" || lower == "wgs 84" {
            return Ok(Crs::wgs84());
        }
        if let Some(code) = code_in_reference(&lower) {
            let code: u32 = code.parse().map_err(|_| CrsError::Unknown {
                input: t.to_string(),
                reason: format!("{code:?} is not an EPSG code (a whole number such as 25832)"),
            })?;
            return Crs::from_epsg(code);
        }
        if let Some(code) = epsg::code_for_name(t) {
            return Ok(Crs::from_epsg(code)?.identified_by(Identification::Name));
        }
        Err(CrsError::Unknown {
            input: excerpt(t),
            reason: "not an EPSG code (EPSG:25832), a +proj string, WKT or a known CRS name".into(),
        })
    }

    /// A CRS from a proj4 string such as `+proj=utm +zone=32 +ellps=GRS80 +units=m`.
    ///
    /// When the string has exactly the parameters of an EPSG definition, the CRS gets that code.
    pub fn from_proj4(proj4: &str) -> Result<Crs, CrsError> {
        let proj4 = epsg::patch_proj4(proj4.trim());
        if !proj4.starts_with('+') {
            return Err(CrsError::Unknown {
                input: excerpt(&proj4),
                reason: "a proj4 string starts with +proj=".into(),
            });
        }
        if let Some(code) = epsg::code_for_proj4(&proj4) {
            if let Ok(crs) = Crs::from_epsg(code) {
                return Ok(crs.identified_by(Identification::Proj4));
            }
        }
        Crs::build(
            None,
            format!("custom ({proj4})"),
            proj4,
            Identification::Proj4,
            None,
        )
    }

    /// Identify the CRS of a `.prj` file's WKT (ESRI or OGC flavour, WKT1 or WKT2).
    ///
    /// See the [module documentation](self) for the order of the attempts.
    pub fn from_wkt(wkt: &str) -> Result<Crs, CrsError> {
        let text = wkt.trim().trim_start_matches('\u{feff}');
        let unknown = |reason: String| CrsError::Unknown {
            input: excerpt(text),
            reason,
        };
        let root = wkt::parse(text).map_err(|e| unknown(e.to_string()))?;
        let h = root.horizontal();
        if !(h.is_projected() || h.is_geographic()) {
            return Err(unknown(format!(
                "the WKT describes a {} CRS, not a projected or geographic one",
                h.keyword
            )));
        }
        if let Some(code) = h.epsg_authority() {
            if let Ok(crs) = Crs::from_epsg(code) {
                return Ok(crs.identified_by(Identification::WktAuthority));
            }
        }
        let name = h.name().unwrap_or_default();
        let from_parameters = Crs::from_wkt_parameters(h);
        if let Some(code) = epsg::code_for_name(name) {
            if let Ok(by_name) = Crs::from_epsg(code) {
                match &from_parameters {
                    Ok(p) if !transform::same_projection(&by_name, p) => {
                        let mut p = p.clone();
                        p.warning = Some(format!(
                            "the WKT is named {name:?} like {} but its parameters differ; its parameters are used",
                            by_name.name
                        ));
                        return Ok(p);
                    }
                    _ => return Ok(by_name.identified_by(Identification::Name)),
                }
            }
        }
        // A geographic CRS without a known name is still known by its datum (on the same ellipsoid).
        if h.is_geographic() {
            let datum = h.datum().and_then(|d| d.name()).unwrap_or_default();
            if let Some(by_datum) =
                epsg::geographic_code_for_datum(datum).and_then(|c| Crs::from_epsg(c).ok())
            {
                if from_parameters
                    .as_ref()
                    .is_ok_and(|p| transform::same_projection(&by_datum, p))
                {
                    return Ok(by_datum.identified_by(Identification::Name));
                }
            }
        }
        from_parameters.map_err(|reason| {
            unknown(format!(
                "{name:?} has no EPSG authority, is no known EPSG or ESRI name, and {reason}"
            ))
        })
    }

    /// A CRS built from the WKT's own parameters by `proj4wkt`, with a datum shift added for the
    /// datums we know when the WKT has none (ESRI never writes `TOWGS84`).
    fn from_wkt_parameters(h: &wkt::Node<'_>) -> Result<Crs, String> {
        // GDAL's WKT1 keeps what WKT1 cannot say (Web Mercator's sphere) in EXTENSION["PROJ4", "..."]:
        // when present it is the definition.
        let extension = h
            .children()
            .filter(|n| {
                n.keyword.eq_ignore_ascii_case("EXTENSION")
                    && n.name().is_some_and(|s| s.eq_ignore_ascii_case("PROJ4"))
            })
            .find_map(|n| match n.args.get(1) {
                Some(wkt::Arg::Str(s)) => Some(epsg::patch_proj4(s)),
                _ => None,
            });
        let converted = match extension {
            Some(proj4) => proj4,
            None => proj4wkt::wkt_to_projstring(h.text).map_err(|e| {
                format!("its parameters could not be converted to a proj4 definition ({e})")
            })?,
        };
        let has_datum = converted.split_whitespace().any(|t| {
            t.starts_with("+towgs84=") || t.starts_with("+datum=") || t.starts_with("+nadgrids=")
        });
        let datum = h
            .geographic()
            .and_then(|g| g.datum())
            .and_then(|d| d.name())
            .unwrap_or("unnamed");
        let (proj4, warning) = match (has_datum, epsg::towgs84_for_datum(datum)) {
            (true, _) => (converted, None),
            (false, Some(shift)) => (format!("{converted} +towgs84={shift}"), None),
            (false, None) => (
                converted,
                Some(format!(
                    "datum {datum:?} has no known shift to WGS 84, so its coordinates are used as WGS 84 \
                     coordinates (off by up to a few hundred metres if the datum differs); \
                     pass --crs EPSG:xxxx if you know the CRS"
                )),
            ),
        };
        let name = h.name().unwrap_or("unnamed CRS");
        let epsg = epsg::code_for_proj4(&proj4);
        let label = match epsg {
            Some(code) => format!("{name} (EPSG:{code})"),
            None => format!("{name} (custom, from WKT)"),
        };
        Crs::build(epsg, label, proj4, Identification::WktParameters, warning)
            .map_err(|e| e.to_string())
    }

    /// Check that proj4rs can execute `proj4`, then assemble the CRS.
    fn build(
        epsg: Option<u32>,
        name: String,
        proj4: String,
        identification: Identification,
        warning: Option<String>,
    ) -> Result<Crs, CrsError> {
        if let Err(e) = proj4rs::Proj::from_proj_string(&proj4) {
            let reason = match e {
                proj4rs::errors::Error::NadGridNotAvailable => {
                    "it needs datum grid files, which Quartier does not ship".into()
                }
                e => e.to_string().to_lowercase(),
            };
            return Err(CrsError::Unsupported {
                name,
                proj4,
                reason,
            });
        }
        Ok(Crs {
            epsg,
            name,
            proj4,
            identification,
            warning,
        })
    }

    fn identified_by(mut self, how: Identification) -> Crs {
        self.identification = how;
        self
    }

    /// The EPSG code, when known.
    pub fn epsg(&self) -> Option<u32> {
        self.epsg
    }

    /// A human-readable name such as `ETRS89 / UTM zone 32N (EPSG:25832)`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The proj4 definition proj4rs executes, datum shift included (e.g. `+towgs84=-8,160,176` for NAD27).
    pub fn proj4(&self) -> &str {
        &self.proj4
    }

    /// How this CRS was identified (EPSG code, WKT authority, name, WKT parameters, proj4 string).
    pub fn identification(&self) -> Identification {
        self.identification
    }

    /// A caveat the user should see, e.g. that a WKT's datum has no known shift to WGS 84.
    pub fn warning(&self) -> Option<&str> {
        self.warning.as_deref()
    }

    /// Whether coordinates are already WGS84 longitude/latitude (no transform needed).
    pub fn is_wgs84(&self) -> bool {
        self.epsg == Some(4326)
    }

    /// Whether this is Web Mercator (EPSG:3857), which is reprojected with closed formulas.
    pub fn is_web_mercator(&self) -> bool {
        self.epsg == Some(epsg::WEB_MERCATOR)
    }

    /// Whether coordinates are longitude/latitude in degrees (rather than projected metres or feet).
    pub fn is_geographic(&self) -> bool {
        self.proj4.split_whitespace().any(|t| {
            matches!(
                t,
                "+proj=longlat" | "+proj=latlong" | "+proj=lonlat" | "+proj=latlon"
            )
        })
    }
}

/// The code in an EPSG reference written in lowercase: `epsg:25832`, `epsg::25832`,
/// `urn:ogc:def:crs:epsg::25832`, `urn:ogc:def:crs:epsg:9.9:25832`,
/// `http://www.opengis.net/def/crs/epsg/0/25832`, `esri:102100`, or bare digits.
fn code_in_reference(lower: &str) -> Option<&str> {
    if lower.bytes().all(|b| b.is_ascii_digit()) {
        return Some(lower);
    }
    if lower.starts_with("urn:ogc:def:crs:epsg:") {
        return lower.rsplit(':').next();
    }
    for prefix in [
        "http://www.opengis.net/def/crs/epsg/",
        "https://www.opengis.net/def/crs/epsg/",
    ] {
        if lower.starts_with(prefix) {
            return lower.rsplit('/').next();
        }
    }
    for prefix in ["epsg:", "esri:"] {
        if let Some(rest) = lower.strip_prefix(prefix) {
            return Some(rest.trim_start_matches(':').trim());
        }
    }
    None
}
