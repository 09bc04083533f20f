//! Coordinate reference systems: identify them and reproject into EPSG:4326 / EPSG:3857.
//!
//! SKELETON: the API below is the contract other modules use. The CRS owner replaces the
//! bodies with the full proj4rs-based implementation.

use geo::MultiPolygon;

/// Errors from CRS identification and reprojection.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CrsError {
    /// The text is neither an EPSG code, a `+proj` string nor WKT we can read.
    #[error("unknown CRS {input:?}: {reason}")]
    Unknown {
        /// What the user or the `.prj` said.
        input: String,
        /// Why it was not understood.
        reason: String,
    },
    /// A coordinate could not be transformed.
    #[error("cannot transform ({x}, {y}) from {from} to {to}: {reason}")]
    Transform {
        /// Source x.
        x: f64,
        /// Source y.
        y: f64,
        /// Source CRS name.
        from: String,
        /// Target CRS name.
        to: String,
        /// The underlying reason.
        reason: String,
    },
}

/// A coordinate reference system.
#[derive(Debug, Clone, PartialEq)]
pub struct Crs {
    epsg: Option<u32>,
    name: String,
}

impl Crs {
    /// WGS84 longitude/latitude.
    pub fn wgs84() -> Crs {
        Crs { epsg: Some(4326), name: "WGS 84".into() }
    }

    /// A CRS by EPSG code.
    pub fn from_epsg(code: u32) -> Result<Crs, CrsError> {
        match code {
            4326 => Ok(Crs::wgs84()),
            _ => Err(CrsError::Unknown { input: format!("EPSG:{code}"), reason: "not yet supported".into() }),
        }
    }

    /// Parse what a user may write: `EPSG:25832`, `25832`, `+proj=...`, or WKT.
    pub fn parse(text: &str) -> Result<Crs, CrsError> {
        let t = text.trim();
        let code = t.strip_prefix("EPSG:").or_else(|| t.strip_prefix("epsg:")).unwrap_or(t);
        match code.parse::<u32>() {
            Ok(c) => Crs::from_epsg(c),
            Err(_) => Crs::from_wkt(t),
        }
    }

    /// Identify the CRS of a `.prj` file's WKT (ESRI or OGC flavour).
    pub fn from_wkt(wkt: &str) -> Result<Crs, CrsError> {
        Err(CrsError::Unknown { input: wkt.chars().take(80).collect(), reason: "not yet supported".into() })
    }

    /// The EPSG code, when known.
    pub fn epsg(&self) -> Option<u32> {
        self.epsg
    }

    /// A human-readable name such as `ETRS89 / UTM zone 32N (EPSG:25832)`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether coordinates are already WGS84 longitude/latitude (no transform needed).
    pub fn is_wgs84(&self) -> bool {
        self.epsg == Some(4326)
    }
}

/// Transforms coordinates from one CRS into WGS84 longitude/latitude.
#[derive(Debug)]
pub struct ToWgs84 {
    from: Crs,
}

impl ToWgs84 {
    /// Prepare a transformation from `from` into EPSG:4326.
    pub fn new(from: &Crs) -> Result<ToWgs84, CrsError> {
        Ok(ToWgs84 { from: from.clone() })
    }

    /// Transform one point; the result is `(lon, lat)` in degrees.
    pub fn point(&self, x: f64, y: f64) -> Result<(f64, f64), CrsError> {
        if self.from.is_wgs84() {
            return Ok((x, y));
        }
        Err(CrsError::Transform {
            x,
            y,
            from: self.from.name.clone(),
            to: "WGS 84".into(),
            reason: "not yet supported".into(),
        })
    }

    /// Transform a whole geometry in place.
    pub fn multipolygon(&self, mp: &mut MultiPolygon<f64>) -> Result<(), CrsError> {
        if self.from.is_wgs84() {
            return Ok(());
        }
        use geo::MapCoordsInPlace;
        mp.try_map_coords_in_place(|c| {
            let (x, y) = self.point(c.x, c.y)?;
            Ok(geo::coord! { x: x, y: y })
        })
    }
}

/// Spherical Web Mercator (EPSG:3857) from WGS84 degrees; latitude is clamped to ±85.0511287798°.
pub fn lonlat_to_mercator(lon: f64, lat: f64) -> (f64, f64) {
    const R: f64 = 6_378_137.0;
    const MAX_LAT: f64 = 85.051_128_779_806_59;
    let lat = lat.clamp(-MAX_LAT, MAX_LAT);
    let x = R * lon.to_radians();
    let y = R * (std::f64::consts::FRAC_PI_4 + lat.to_radians() / 2.0).tan().ln();
    (x, y)
}

/// Web Mercator copy of a WGS84 geometry.
pub fn to_mercator(mp: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    use geo::MapCoords;
    mp.map_coords(|c| {
        let (x, y) = lonlat_to_mercator(c.x, c.y);
        geo::coord! { x: x, y: y }
    })
}
