//! Reprojection with proj4rs, prepared once per CRS pair.
//!
//! proj4rs takes and returns geographic coordinates in radians, projected ones in the CRS's units,
//! and runs `inverse projection -> datum shift (via WGS 84 geocentric) -> forward projection`.
//! [`Transformer`] wraps that with what an importer needs: degrees in and out, Web Mercator by the
//! same closed formulas as [`lonlat_to_mercator`] (so EPSG:3857 data round-trips), identity
//! shortcuts, and an error instead of a NaN or a panic for a coordinate that cannot be transformed.

use geo::{Coord, MapCoordsInPlace, MultiPolygon};
use proj4rs::Proj;

use super::{Crs, CrsError};

/// Earth radius of spherical Web Mercator (EPSG:3857), metres.
const MERCATOR_RADIUS: f64 = 6_378_137.0;
/// Latitude where Web Mercator's square world ends, degrees.
const MERCATOR_MAX_LAT: f64 = 85.051_128_779_806_59;
/// Largest longitude magnitude accepted in a geographic CRS (data crossing the antimeridian may use 0..360).
const MAX_ABS_LON: f64 = 360.0;
/// Slack for latitudes a hair beyond ±90° from rounding in the source file.
const LAT_SLACK: f64 = 1e-9;

/// The proj4rs part of a transformation.
#[derive(Debug, Clone)]
enum Core {
    /// Source and target (after the Web Mercator steps) are the same CRS, or geographic CRSs
    /// between which proj4rs would not move a point.
    Identity,
    /// A proj4rs transformation between two prepared projections.
    Proj { src: Box<Proj>, dst: Box<Proj> },
}

/// Reprojects coordinates from one CRS into another.
///
/// Built once per layer (the proj4rs objects are prepared here), then used for every vertex without
/// allocating. Web Mercator on either side is handled with the closed spherical formulas.
#[derive(Debug, Clone)]
pub struct Transformer {
    from: Crs,
    to: Crs,
    /// The source is EPSG:3857: undo Mercator first, then continue from WGS 84 degrees.
    from_mercator: bool,
    /// The target is EPSG:3857: go to WGS 84 degrees, then apply Mercator.
    to_mercator: bool,
    /// The (effective) source is longitude/latitude in degrees.
    src_geographic: bool,
    /// The (effective) target is longitude/latitude in degrees.
    dst_geographic: bool,
    core: Core,
}

impl Transformer {
    /// Prepare a transformation from `from` into `to`.
    pub fn new(from: &Crs, to: &Crs) -> Result<Transformer, CrsError> {
        let wgs84 = Crs::wgs84();
        let from_mercator = from.is_web_mercator();
        let to_mercator = to.is_web_mercator();
        let src = if from_mercator { &wgs84 } else { from };
        let dst = if to_mercator { &wgs84 } else { to };
        let src_geographic = src.is_geographic();
        let dst_geographic = dst.is_geographic();
        let core = if src.proj4() == dst.proj4() {
            Core::Identity
        } else {
            let build = |crs: &Crs| {
                Proj::from_proj_string(crs.proj4())
                    .map(Box::new)
                    .map_err(|e| CrsError::Unsupported {
                        name: crs.name().to_string(),
                        proj4: crs.proj4().to_string(),
                        reason: e.to_string().to_lowercase(),
                    })
            };
            let (s, d) = (build(src)?, build(dst)?);
            if src_geographic && dst_geographic && moves_nothing(&s, &d) {
                Core::Identity
            } else {
                Core::Proj { src: s, dst: d }
            }
        };
        Ok(Transformer {
            from: from.clone(),
            to: to.clone(),
            from_mercator,
            to_mercator,
            src_geographic,
            dst_geographic,
            core,
        })
    }

    /// The source CRS.
    pub fn from_crs(&self) -> &Crs {
        &self.from
    }

    /// The target CRS.
    pub fn to_crs(&self) -> &Crs {
        &self.to
    }

    /// Whether points come out exactly as they go in (after validation).
    pub fn is_identity(&self) -> bool {
        matches!(self.core, Core::Identity) && self.from_mercator == self.to_mercator
    }

    fn error(&self, x: f64, y: f64, reason: impl Into<String>) -> CrsError {
        CrsError::Transform {
            x,
            y,
            from: self.from.name().to_string(),
            to: self.to.name().to_string(),
            reason: reason.into(),
        }
    }

    /// Transform one point. Geographic coordinates are `(lon, lat)` in degrees, projected ones `(x, y)`.
    ///
    /// A coordinate that is not finite, a latitude beyond ±90° or a longitude beyond ±360° in a
    /// geographic source, and a point outside the projection's domain are errors.
    pub fn point(&self, x: f64, y: f64) -> Result<(f64, f64), CrsError> {
        if !x.is_finite() || !y.is_finite() {
            return Err(self.error(x, y, "the coordinate is not a finite number"));
        }
        let (mut a, mut b) = if self.from_mercator {
            mercator_to_lonlat(x, y)
        } else {
            (x, y)
        };
        if self.src_geographic {
            if b.abs() > 90.0 + LAT_SLACK {
                return Err(self.error(x, y, format!("latitude {b} is outside -90..90")));
            }
            if a.abs() > MAX_ABS_LON {
                return Err(self.error(x, y, format!("longitude {a} is outside -360..360")));
            }
            b = b.clamp(-90.0, 90.0);
        }
        if let Core::Proj { src, dst } = &self.core {
            let mut p = if self.src_geographic {
                (a.to_radians(), b.to_radians(), 0.0)
            } else {
                (a, b, 0.0)
            };
            proj4rs::transform::transform(src, dst, &mut p).map_err(|e| {
                self.error(
                    x,
                    y,
                    format!(
                        "outside the projection's domain ({})",
                        e.to_string().to_lowercase()
                    ),
                )
            })?;
            (a, b) = if self.dst_geographic {
                (p.0.to_degrees(), p.1.to_degrees())
            } else {
                (p.0, p.1)
            };
        }
        if !a.is_finite() || !b.is_finite() || (self.dst_geographic && b.abs() > 90.0 + LAT_SLACK) {
            return Err(self.error(
                x,
                y,
                "outside the projection's domain (the result is not a valid coordinate)",
            ));
        }
        if self.to_mercator {
            (a, b) = lonlat_to_mercator(a, b);
        }
        Ok((a, b))
    }

    /// Transform coordinates in place.
    ///
    /// On error the coordinates before the failing one are already transformed: discard them.
    pub fn coords(&self, coords: &mut [Coord<f64>]) -> Result<(), CrsError> {
        for c in coords {
            (c.x, c.y) = self.point(c.x, c.y)?;
        }
        Ok(())
    }

    /// Transform a whole geometry in place, without allocating.
    ///
    /// On error the geometry is partly transformed: discard it (the error names the failing point).
    pub fn multipolygon(&self, mp: &mut MultiPolygon<f64>) -> Result<(), CrsError> {
        mp.try_map_coords_in_place(|c| {
            let (x, y) = self.point(c.x, c.y)?;
            Ok(Coord { x, y })
        })
    }
}

/// Whether a proj4rs transformation between two geographic CRSs leaves points where they are
/// (WGS 84, ETRS89 and NAD83 are all the null shift in proj4rs), measured on probe points.
fn moves_nothing(src: &Proj, dst: &Proj) -> bool {
    const PROBES: [(f64, f64); 4] = [(0.0, 0.0), (6.48, 50.8), (-78.6, 35.8), (151.2, -33.9)];
    PROBES.iter().all(|&(lon, lat)| {
        let mut p = (f64::to_radians(lon), f64::to_radians(lat), 0.0);
        proj4rs::transform::transform(src, dst, &mut p).is_ok()
            && (p.0 - lon.to_radians()).abs() < 1e-12
            && (p.1 - lat.to_radians()).abs() < 1e-12
    })
}

/// Whether two CRSs project the same (datum shifts left out), within a metre: used to check that a
/// WKT's name and its parameters describe the same CRS.
pub(crate) fn same_projection(a: &Crs, b: &Crs) -> bool {
    if a.is_geographic() || b.is_geographic() {
        return a.is_geographic() && b.is_geographic() && same_ellipsoid(a, b);
    }
    let (Ok(pa), Ok(pb)) = (
        Proj::from_proj_string(a.proj4()),
        Proj::from_proj_string(b.proj4()),
    ) else {
        return false;
    };
    // A geographic source without a datum makes proj4rs skip the datum step: projection only.
    let Ok(geo) = Proj::from_proj_string("+proj=longlat +ellps=WGS84") else {
        return false;
    };
    let (lon0, lat0) = natural_origin(a.proj4());
    [(0.5, 0.5), (-0.5, -0.3), (1.0, 0.2)]
        .iter()
        .all(|(dlon, dlat)| {
            let lonlat = (
                (lon0 + dlon).to_radians(),
                (lat0 + dlat).clamp(-89.0, 89.0).to_radians(),
                0.0,
            );
            let (mut p, mut q) = (lonlat, lonlat);
            proj4rs::transform::transform(&geo, &pa, &mut p).is_ok()
                && proj4rs::transform::transform(&geo, &pb, &mut q).is_ok()
                && (p.0 - q.0).hypot(p.1 - q.1) < 1.0
        })
}

fn same_ellipsoid(a: &Crs, b: &Crs) -> bool {
    match (
        Proj::from_proj_string(a.proj4()),
        Proj::from_proj_string(b.proj4()),
    ) {
        (Ok(pa), Ok(pb)) => {
            let ((a1, e1), (a2, e2)) = (pa.ellipse_parameters(), pb.ellipse_parameters());
            (a1 - a2).abs() < 1e-3 && (e1 - e2).abs() < 1e-3
        }
        _ => false,
    }
}

/// Longitude and latitude of a projection's origin, from its proj4 parameters (degrees).
fn natural_origin(proj4: &str) -> (f64, f64) {
    let param = |key: &str| {
        proj4.split_whitespace().find_map(|t| {
            t.strip_prefix(key)
                .and_then(|v| v.strip_prefix('='))?
                .parse::<f64>()
                .ok()
        })
    };
    let lon = param("+lon_0")
        .or_else(|| param("+lonc"))
        .or_else(|| param("+zone").map(|z| -183.0 + 6.0 * z))
        .unwrap_or(0.0);
    let lat = param("+lat_0").unwrap_or(0.0);
    (lon, lat)
}

/// Transforms coordinates from one CRS into WGS84 longitude/latitude (EPSG:4326), as every importer needs.
#[derive(Debug, Clone)]
pub struct ToWgs84 {
    inner: Transformer,
}

impl ToWgs84 {
    /// Prepare a transformation from `from` into EPSG:4326.
    pub fn new(from: &Crs) -> Result<ToWgs84, CrsError> {
        Ok(ToWgs84 {
            inner: Transformer::new(from, &Crs::wgs84())?,
        })
    }

    /// Transform one point; the result is `(lon, lat)` in degrees.
    pub fn point(&self, x: f64, y: f64) -> Result<(f64, f64), CrsError> {
        self.inner.point(x, y)
    }

    /// Transform a whole geometry in place (validated even when the source is already WGS 84).
    ///
    /// On error the geometry is partly transformed: discard it (the error names the failing point).
    pub fn multipolygon(&self, mp: &mut MultiPolygon<f64>) -> Result<(), CrsError> {
        self.inner.multipolygon(mp)
    }

    /// The underlying general transformer.
    pub fn transformer(&self) -> &Transformer {
        &self.inner
    }
}

/// Spherical Web Mercator (EPSG:3857) from WGS84 degrees; latitude is clamped to ±85.0511287798°.
pub fn lonlat_to_mercator(lon: f64, lat: f64) -> (f64, f64) {
    let lat = lat.clamp(-MERCATOR_MAX_LAT, MERCATOR_MAX_LAT);
    let x = MERCATOR_RADIUS * lon.to_radians();
    let y = MERCATOR_RADIUS
        * (std::f64::consts::FRAC_PI_4 + lat.to_radians() / 2.0)
            .tan()
            .ln();
    (x, y)
}

/// WGS84 degrees from spherical Web Mercator metres: the exact inverse of [`lonlat_to_mercator`].
pub fn mercator_to_lonlat(x: f64, y: f64) -> (f64, f64) {
    let lon = (x / MERCATOR_RADIUS).to_degrees();
    let lat = (2.0 * (y / MERCATOR_RADIUS).exp().atan() - std::f64::consts::FRAC_PI_2).to_degrees();
    (lon, lat)
}

/// Web Mercator copy of a WGS84 geometry.
pub fn to_mercator(mp: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    use geo::MapCoords;
    mp.map_coords(|c| {
        let (x, y) = lonlat_to_mercator(c.x, c.y);
        Coord { x, y }
    })
}
