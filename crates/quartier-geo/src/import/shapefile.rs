//! ESRI shapefiles: the `.shp` through the `shapefile` crate, the `.dbf` through our own reader,
//! `.prj` and `.cpg` as text.

use std::path::{Path, PathBuf};

use ::shapefile::record::traits::HasXY;
use ::shapefile::{PolygonRing, Shape};
use geo::{Coord, LineString, MultiPolygon, Polygon};

use super::codepage::Codepage;
use super::dbf::{self, Dbf};
use super::files::sibling;
use super::shp_records;
use super::{
    crs_override, encoding_override, failure, read_file, Column, ImportError, ImportOptions, Parsed,
};
use crate::crs::Crs;
use crate::limits::{self, Limits};
use crate::validate::signed_area2;

/// The files of one shapefile, read into memory (from a folder or from a `.zip`).
#[derive(Debug, Default)]
pub(crate) struct ShapefileParts {
    /// The `.shp` path, for messages (inside a zip: `archive.zip/inner.shp`).
    pub shp_path: PathBuf,
    pub shp: Vec<u8>,
    pub shx: Option<Vec<u8>>,
    pub dbf: Option<(PathBuf, Vec<u8>)>,
    pub prj: Option<(PathBuf, Vec<u8>)>,
    pub cpg: Option<(PathBuf, Vec<u8>)>,
}

/// The cap and the name in messages for a shapefile part, by extension.
pub(crate) fn part_limit(ext: &str, limits: &Limits) -> (u64, &'static str) {
    match ext {
        "shp" => (limits.geometry_bytes, "a .shp file"),
        "shx" => (limits.geometry_bytes, "a .shx file"),
        "dbf" => (limits.geometry_bytes, "a .dbf file"),
        "prj" => (limits.sidecar_bytes, "a .prj file"),
        _ => (limits.sidecar_bytes, "a .cpg file"),
    }
}

/// Why the first bytes of a `.shp` (`head`, up to 100) cannot start a shapefile of `len` bytes.
pub(crate) fn shp_header_problem(head: &[u8], len: u64) -> Option<String> {
    if head.len() < 100 {
        return Some(format!(
            "not a readable shapefile: the file is {len} bytes, too short for a shapefile header (100 bytes)"
        ));
    }
    let code = i32::from_be_bytes([head[0], head[1], head[2], head[3]]);
    (code != 9994)
        .then(|| format!("not a shapefile: the header starts with the file code {code}, not 9994"))
}

/// Read one part of a shapefile: the `.shp` and `.dbf` have their headers checked before the
/// rest is read, so that a large broken file costs no more than its header.
fn read_part(path: &Path, ext: &str, limits: &Limits) -> Result<Vec<u8>, ImportError> {
    let (cap, what) = part_limit(ext, limits);
    let checked = match ext {
        "shp" => limits::read_checked(path, cap, 100, |head, len| {
            shp_header_problem(head, len).map_or(Ok(()), |reason| {
                Err(ImportError::Shp {
                    path: path.to_path_buf(),
                    feature: None,
                    reason,
                })
            })
        }),
        "dbf" => limits::read_checked(path, cap, 32, |head, len| {
            dbf::header_problem(head, len).map_or(Ok(()), |reason| {
                Err(ImportError::Dbf {
                    path: path.to_path_buf(),
                    record: None,
                    reason,
                })
            })
        }),
        _ => return read_file(path, cap, what),
    };
    checked.map_err(|f| failure(path, cap, what, f))?
}

/// The shapefile parts next to `shp_path` (`.shx`, `.dbf`, `.prj`, `.cpg`) that exist, read.
fn read_sidecar(
    shp_path: &Path,
    ext: &str,
    limits: &Limits,
) -> Result<Option<(PathBuf, Vec<u8>)>, ImportError> {
    match sibling(shp_path, ext) {
        Some(p) => Ok(Some((p.clone(), read_part(&p, ext, limits)?))),
        None => Ok(None),
    }
}

/// Read the parts of the shapefile `path` (which may name the `.shp`, `.dbf` or `.shx`).
pub(crate) fn parts_from_dir(path: &Path, limits: &Limits) -> Result<ShapefileParts, ImportError> {
    let shp_path = sibling(path, "shp").ok_or_else(|| ImportError::NotFound {
        path: path.with_extension("shp"),
    })?;
    let read = |ext: &str| read_sidecar(&shp_path, ext, limits);
    Ok(ShapefileParts {
        shp: read_part(&shp_path, "shp", limits)?,
        shx: read("shx")?.map(|(_, b)| b),
        dbf: read("dbf")?,
        prj: read("prj")?,
        cpg: read("cpg")?,
        shp_path,
    })
}

/// The shapefile header's file length in bytes (big-endian 16-bit words at byte 24).
fn declared_length(shp: &[u8]) -> Option<usize> {
    let words = i32::from_be_bytes(shp.get(24..28)?.try_into().ok()?);
    usize::try_from(words).ok().map(|w| w * 2)
}

/// Read a shapefile from its parts.
pub(crate) fn parse(parts: ShapefileParts, opts: &ImportOptions) -> Result<Parsed, ImportError> {
    let shp_path = parts.shp_path.clone();
    let mut notes = Vec::new();

    let (geometries, repaired) =
        read_shapes(&shp_path, &parts.shp, parts.shx.as_deref(), &mut notes)?;

    // Attributes.
    let (columns, encoding, encoding_source) = match &parts.dbf {
        None => {
            notes.push(
                "no .dbf file: the layer has no attributes and ids are feature numbers".into(),
            );
            (Vec::new(), None, None)
        }
        Some(dbf) => {
            let (columns, codepage, source) = decode_dbf(
                &shp_path,
                dbf,
                parts.cpg.as_ref(),
                geometries.len(),
                opts,
                &mut notes,
            )?;
            (columns, Some(codepage.name().to_string()), Some(source))
        }
    };

    // CRS (after the structure, whose errors are more basic): override, else .prj, else an error
    // that says what to do.
    let (crs, crs_source) = match (crs_override(&shp_path, opts)?, &parts.prj) {
        (Some(crs), prj) => {
            if prj.is_some() {
                notes.push("the CRS given with --crs overrides the .prj file".into());
            }
            (crs, "--crs".to_string())
        }
        (None, Some((prj_path, bytes))) => {
            let wkt = String::from_utf8_lossy(bytes);
            let crs = Crs::from_wkt(wkt.trim()).map_err(|source| ImportError::Crs {
                path: prj_path.clone(),
                origin: ".prj".into(),
                source: Box::new(source),
            })?;
            (crs, ".prj".to_string())
        }
        (None, None) => return Err(ImportError::NoCrs { path: shp_path }),
    };

    Ok(Parsed {
        format: "ESRI Shapefile",
        geometries,
        columns,
        feature_ids: None,
        crs,
        crs_source,
        encoding,
        encoding_source,
        repaired,
        notes,
    })
}

/// Decode a `.dbf` whose records must match `shapes` shapes: the columns, the codepage used and
/// where the codepage came from.
fn decode_dbf(
    shp_path: &Path,
    (dbf_path, bytes): &(PathBuf, Vec<u8>),
    cpg: Option<&(PathBuf, Vec<u8>)>,
    shapes: usize,
    opts: &ImportOptions,
    notes: &mut Vec<String>,
) -> Result<(Vec<Column>, Codepage, String), ImportError> {
    let dbf = Dbf::parse(bytes, dbf_path)?;
    if dbf.len() != shapes {
        return Err(ImportError::RecordCount {
            shp: shp_path.to_path_buf(),
            dbf: dbf_path.clone(),
            shapes,
            records: dbf.len(),
        });
    }
    let (codepage, source) = choose_codepage(shp_path, &dbf, cpg, opts, notes)?;
    Ok((dbf.columns(codepage, notes), codepage, source))
}

/// The attribute columns of the shapefile `shp_path` (any shape type, e.g. points), decoded by the
/// same codepage rules as a boundary import; `shapes` is the number of shapes the `.dbf` must match.
/// A shapefile without a `.dbf` has no columns.
pub(crate) fn read_attributes(
    shp_path: &Path,
    encoding: Option<&str>,
    shapes: usize,
) -> Result<Vec<Column>, ImportError> {
    let limits = Limits::default();
    let read = |ext: &str| read_sidecar(shp_path, ext, &limits);
    let Some(dbf) = read("dbf")? else {
        return Ok(Vec::new());
    };
    let opts = ImportOptions {
        encoding: encoding.map(str::to_string),
        ..ImportOptions::default()
    };
    let cpg = read("cpg")?;
    let (columns, _, _) = decode_dbf(shp_path, &dbf, cpg.as_ref(), shapes, &opts, &mut Vec::new())?;
    Ok(columns)
}

/// The DBF codepage by the rules in [`super::codepage`], and where it came from.
fn choose_codepage(
    shp_path: &Path,
    dbf: &Dbf<'_>,
    cpg: Option<&(PathBuf, Vec<u8>)>,
    opts: &ImportOptions,
    notes: &mut Vec<String>,
) -> Result<(Codepage, String), ImportError> {
    if let Some(cp) = encoding_override(shp_path, opts)? {
        if cp == Codepage::UTF8 && !dbf.all_text_is_utf8() {
            notes.push("the .dbf text is not valid UTF-8 although UTF-8 was asked for; bad bytes became U+FFFD".into());
        }
        return Ok((cp, "override".into()));
    }
    if let Some((cpg_path, bytes)) = cpg {
        let label = String::from_utf8_lossy(bytes).trim().to_string();
        return match Codepage::from_label(&label) {
            Some(cp) => Ok((cp, format!(".cpg ({label})"))),
            None => Err(ImportError::UnknownEncoding {
                path: cpg_path.clone(),
                label,
                origin: ".cpg".into(),
            }),
        };
    }
    match Codepage::from_ldid(dbf.ldid) {
        Ok(Some(cp)) => return Ok((cp, format!("DBF language driver 0x{:02X}", dbf.ldid))),
        Ok(None) => {}
        Err(number) => notes.push(format!(
            "the DBF language driver 0x{:02X} means codepage {number}, which Quartier cannot decode; \
             the encoding was detected instead (pass --encoding to override)",
            dbf.ldid
        )),
    }
    if !dbf.has_non_ascii() {
        return Ok((Codepage::UTF8, "detected (all text is ASCII)".into()));
    }
    if dbf.all_text_is_utf8() {
        Ok((Codepage::UTF8, "detected (all text is valid UTF-8)".into()))
    } else {
        Ok((
            Codepage::CP1252,
            "detected (text is not UTF-8; assumed windows-1252)".into(),
        ))
    }
}

/// The geometry type of a shape, for messages.
fn shape_kind(shape: &Shape) -> &'static str {
    match shape {
        Shape::NullShape => "null shape",
        Shape::Point(_) | Shape::PointM(_) | Shape::PointZ(_) => "Point",
        Shape::Polyline(_) | Shape::PolylineM(_) | Shape::PolylineZ(_) => "Polyline",
        Shape::Polygon(_) | Shape::PolygonM(_) | Shape::PolygonZ(_) => "Polygon",
        Shape::Multipoint(_) | Shape::MultipointM(_) | Shape::MultipointZ(_) => "MultiPoint",
        Shape::Multipatch(_) => "MultiPatch",
    }
}

/// Geometry per record plus repairs made while assembling rings.
type Shapes = (Vec<Option<MultiPolygon<f64>>>, Vec<(usize, String)>);

/// Read all records of a `.shp`; with no usable `.shx` the records are read in sequence.
fn read_shapes(
    path: &Path,
    shp: &[u8],
    shx: Option<&[u8]>,
    notes: &mut Vec<String>,
) -> Result<Shapes, ImportError> {
    let shp_err = |feature: Option<usize>, reason: String| ImportError::Shp {
        path: path.to_path_buf(),
        feature,
        reason,
    };
    let declared = declared_length(shp);
    let truncated = declared.is_some_and(|d| d > shp.len());
    let describe = |e: String| {
        let mut reason = e;
        if let (true, Some(d)) = (truncated, declared) {
            reason = format!(
                "{reason}; the file is {} bytes but its header says {d} bytes, so it is truncated",
                shp.len()
            );
        }
        reason
    };
    // The index, if usable; the crate's own reader is not used (see `shp_records`).
    let offsets = match shx {
        Some(shx) => match shp_records::shx_offsets(shx) {
            Ok(offsets) => Some(offsets),
            Err(e) => {
                notes.push(format!(
                    "the .shx index is unreadable ({e}); records were read in sequence instead"
                ));
                None
            }
        },
        None => {
            notes.push(
                "no .shx file: the record index was rebuilt by reading the .shp in sequence".into(),
            );
            None
        }
    };
    let records = shp_records::Records::new(shp, offsets.as_deref())
        .map_err(|e| shp_err(None, format!("not a readable shapefile: {}", describe(e))))?;
    let mut geometries = Vec::new();
    let mut repaired = Vec::new();
    for (i, shape) in records.enumerate() {
        let feature = i + 1;
        let shape = shape.map_err(|e| shp_err(Some(feature), describe(e)))?;
        let rings: Vec<Vec<Coord<f64>>> = match &shape {
            Shape::NullShape => {
                geometries.push(None);
                continue;
            }
            Shape::Polygon(p) => ring_coords(p.rings()),
            Shape::PolygonM(p) => ring_coords(p.rings()),
            Shape::PolygonZ(p) => ring_coords(p.rings()),
            other => {
                return Err(ImportError::NotPolygon {
                    path: path.to_path_buf(),
                    feature,
                    id: None,
                    kind: shape_kind(other).to_string(),
                })
            }
        };
        let (mp, problems) = assemble_rings(rings);
        repaired.extend(problems.into_iter().map(|p| (feature, p)));
        geometries.push(if mp.0.is_empty() { None } else { Some(mp) });
    }
    if truncated && shx.is_some() {
        // The index may list fewer records than the header length promises; say so clearly.
        return Err(shp_err(
            None,
            format!(
                "the file is {} bytes but its header says {} bytes, so it is truncated",
                shp.len(),
                declared.unwrap_or_default()
            ),
        ));
    }
    Ok((geometries, repaired))
}

/// The x/y coordinates of a shapefile polygon's rings (Z and M are dropped).
fn ring_coords<P: HasXY>(rings: &[PolygonRing<P>]) -> Vec<Vec<Coord<f64>>> {
    rings
        .iter()
        .map(|r| {
            r.points()
                .iter()
                .map(|q| Coord { x: q.x(), y: q.y() })
                .collect()
        })
        .collect()
}

/// A ring with its bounding box and area, during assembly.
struct Ring {
    coords: Vec<Coord<f64>>,
    min: Coord<f64>,
    max: Coord<f64>,
    area: f64,
}

impl Ring {
    fn new(coords: Vec<Coord<f64>>) -> Ring {
        let mut min = Coord {
            x: f64::INFINITY,
            y: f64::INFINITY,
        };
        let mut max = Coord {
            x: f64::NEG_INFINITY,
            y: f64::NEG_INFINITY,
        };
        for c in &coords {
            min.x = min.x.min(c.x);
            min.y = min.y.min(c.y);
            max.x = max.x.max(c.x);
            max.y = max.y.max(c.y);
        }
        let area = signed_area2(&coords);
        Ring {
            coords,
            min,
            max,
            area,
        }
    }

    fn bbox_contains(&self, other: &Ring) -> bool {
        self.min.x <= other.min.x
            && self.min.y <= other.min.y
            && self.max.x >= other.max.x
            && self.max.y >= other.max.y
    }

    /// Point in ring by the crossing-number rule.
    fn contains_point(&self, p: Coord<f64>) -> bool {
        let mut inside = false;
        for w in self.coords.windows(2) {
            let (a, b) = (w[0], w[1]);
            if (a.y > p.y) != (b.y > p.y) {
                let x = a.x + (p.y - a.y) / (b.y - a.y) * (b.x - a.x);
                if p.x < x {
                    inside = !inside;
                }
            }
        }
        inside
    }

    /// Whether most of `other`'s first few vertices lie inside (robust to a shared vertex or two).
    fn contains_ring(&self, other: &Ring) -> bool {
        if !self.bbox_contains(other) {
            return false;
        }
        let sample: Vec<Coord<f64>> = other.coords.iter().take(5).copied().collect();
        let inside = sample.iter().filter(|c| self.contains_point(**c)).count();
        inside * 2 > sample.len()
    }
}

/// Turn shapefile rings into polygons: clockwise rings are exteriors, counter-clockwise ones holes
/// of the smallest exterior containing them. Output follows the layer's winding (exteriors
/// counter-clockwise). Returns the repairs made (closing rings, orphan holes).
pub(crate) fn assemble_rings(rings: Vec<Vec<Coord<f64>>>) -> (MultiPolygon<f64>, Vec<String>) {
    let mut problems = Vec::new();
    let mut unclosed = 0;
    let mut outers: Vec<Ring> = Vec::new();
    let mut holes: Vec<Ring> = Vec::new();
    for mut coords in rings {
        if coords.is_empty() {
            continue;
        }
        if coords.first() != coords.last() {
            if let Some(&first) = coords.first() {
                coords.push(first);
            }
            unclosed += 1;
        }
        let ring = Ring::new(coords);
        // Shapefile exteriors are clockwise, so a negative signed area (clockwise) is an exterior;
        // zero-area rings are kept as exteriors for validation to drop.
        if ring.area > 0.0 {
            holes.push(ring);
        } else {
            outers.push(ring);
        }
    }
    if unclosed > 0 {
        problems.push(format!("closed {unclosed} unclosed rings"));
    }
    let mut assigned: Vec<Vec<Ring>> = outers.iter().map(|_| Vec::new()).collect();
    let mut orphans = 0;
    for hole in holes {
        let best = outers
            .iter()
            .enumerate()
            .filter(|(_, o)| o.contains_ring(&hole))
            .min_by(|(_, a), (_, b)| a.area.abs().total_cmp(&b.area.abs()))
            .map(|(k, _)| k);
        match best {
            Some(k) => assigned[k].push(hole),
            None => {
                orphans += 1;
                let mut ring = hole;
                ring.coords.reverse();
                ring.area = -ring.area;
                outers.push(ring);
                assigned.push(Vec::new());
            }
        }
    }
    if orphans > 0 {
        problems.push(format!(
            "{orphans} rings wound like holes (counter-clockwise) lie in no outer ring; used them as outer rings"
        ));
    }
    let polygons = outers
        .into_iter()
        .zip(assigned)
        .map(|(outer, inner)| {
            let mut exterior = outer.coords;
            exterior.reverse();
            let interiors = inner
                .into_iter()
                .map(|h| {
                    let mut c = h.coords;
                    c.reverse();
                    LineString(c)
                })
                .collect();
            Polygon::new(LineString(exterior), interiors)
        })
        .collect();
    (MultiPolygon(polygons), problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(pts: &[(f64, f64)]) -> Vec<Coord<f64>> {
        pts.iter().map(|&(x, y)| Coord { x, y }).collect()
    }

    #[test]
    fn holes_go_to_the_smallest_containing_outer_ring() {
        // Big clockwise square, a counter-clockwise hole in it, a clockwise island in the hole
        // and a counter-clockwise hole in the island (shapefile winding).
        let big = ring(&[(0., 0.), (0., 10.), (10., 10.), (10., 0.), (0., 0.)]);
        let hole = ring(&[(2., 2.), (8., 2.), (8., 8.), (2., 8.), (2., 2.)]);
        let island = ring(&[(3., 3.), (3., 7.), (7., 7.), (7., 3.), (3., 3.)]);
        let pond = ring(&[(4., 4.), (6., 4.), (6., 6.), (4., 6.), (4., 4.)]);
        let (mp, problems) = assemble_rings(vec![big, island, hole, pond]);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(mp.0.len(), 2);
        assert_eq!(mp.0[0].interiors().len(), 1);
        assert_eq!(mp.0[0].interiors()[0].0[0], Coord { x: 2., y: 2. });
        assert_eq!(mp.0[1].interiors().len(), 1);
        assert_eq!(mp.0[1].interiors()[0].0[0], Coord { x: 4., y: 4. });
        // Exteriors counter-clockwise, holes clockwise.
        for p in &mp.0 {
            assert!(signed_area2(&p.exterior().0) > 0.0);
            assert!(signed_area2(&p.interiors()[0].0) < 0.0);
        }
    }

    #[test]
    fn every_truncation_of_a_real_shp_is_an_error_never_a_panic() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/nc_sids");
        let shp = std::fs::read(dir.join("nc.shp")).unwrap();
        let shx = std::fs::read(dir.join("nc.shx")).unwrap();
        let path = Path::new("nc.shp");
        let mut notes = Vec::new();
        let (all, _) = read_shapes(path, &shp, Some(&shx), &mut notes).unwrap();
        assert_eq!(all.len(), 100);
        for len in (0..shp.len()).step_by(37) {
            for index in [Some(&shx[..]), None] {
                let result = read_shapes(path, &shp[..len], index, &mut notes);
                let e = result.err().map(|e| e.to_string()).unwrap_or_default();
                assert!(e.starts_with("nc.shp"), "length {len}: {e:?}");
            }
        }
        // A truncated index with a whole .shp still reads (the .shx is only an index).
        let (again, _) = read_shapes(path, &shp, Some(&shx[..50]), &mut notes).unwrap();
        assert_eq!(again.len(), 100);
    }

    #[test]
    fn corrupted_bytes_never_panic() {
        // Overwrite 4 bytes at many places (header, record headers, part counts, coordinates)
        // with values that make counts negative or huge, and read with and without the index.
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/nc_sids");
        let shp = std::fs::read(dir.join("nc.shp")).unwrap();
        let shx = std::fs::read(dir.join("nc.shx")).unwrap();
        let mut notes = Vec::new();
        for pos in (0..shp.len() - 4).step_by(149).chain((0..112).step_by(4)) {
            for junk in [[0xFF; 4], [0x7F, 0xFF, 0xFF, 0xFF], [0x80, 0, 0, 0]] {
                let mut bad = shp.clone();
                bad[pos..pos + 4].copy_from_slice(&junk);
                let _ = read_shapes(Path::new("nc.shp"), &bad, Some(&shx), &mut notes);
                let _ = read_shapes(Path::new("nc.shp"), &bad, None, &mut notes);
                let mut bad_index = shx.clone();
                let at = pos % (shx.len() - 4);
                bad_index[at..at + 4].copy_from_slice(&junk);
                let _ = read_shapes(Path::new("nc.shp"), &shp, Some(&bad_index), &mut notes);
            }
        }
    }

    #[test]
    fn orphan_holes_and_unclosed_rings_are_repaired() {
        let ccw_alone = ring(&[(0., 0.), (1., 0.), (1., 1.), (0., 1.)]);
        let (mp, problems) = assemble_rings(vec![ccw_alone]);
        assert_eq!(mp.0.len(), 1);
        assert_eq!(mp.0[0].exterior().0.len(), 5);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("closed 1 unclosed rings"));
        assert!(problems[1].contains("used them as outer rings"));
    }
}
