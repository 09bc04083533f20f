//! A check of every `.shp` record header before the `shapefile` crate reads the record.
//!
//! The crate reserves memory for a record's parts and points as soon as it has read their counts,
//! before reading them: a record of a few bytes that claims a billion points asked for 5 GB
//! (found by fuzzing, `fuzz/` target `shapefile`). So each record's counts are checked against the
//! record's own bytes first, and the crate reads each record from those bytes only; a record whose
//! counts cannot fit is an error naming it, and what the crate may reserve stays below the
//! record's size. (A second run found a record the crate read at another place than its offset:
//! its reader continues where the previous shape ended, so a wrong record length moved it.)

use std::io::Cursor;

use ::shapefile::header::Header;
use ::shapefile::{ReadableShape, Shape};

/// Shape types whose content starts with a bounding box, a part count and a point count:
/// Polyline, Polygon, their Z and M forms, and MultiPatch.
const WITH_PARTS: [i32; 7] = [3, 5, 13, 15, 23, 25, 31];

/// Shape types whose content starts with a bounding box and a point count: the MultiPoints.
const WITH_POINTS: [i32; 3] = [8, 18, 28];

/// Why a record's content (its bytes after the 8-byte record header, cut at the record's end)
/// cannot hold the counts it claims, if it cannot.
fn counts_problem(content: &[u8]) -> Option<String> {
    let int = |at: usize| -> Option<i64> {
        let b = content.get(at..at + 4)?;
        Some(i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])))
    };
    let shape_type = i32::try_from(int(0)?).ok()?;
    let (parts, points) = if WITH_PARTS.contains(&shape_type) {
        (int(36)?, int(40)?)
    } else if WITH_POINTS.contains(&shape_type) {
        (0, int(36)?)
    } else {
        return None;
    };
    if parts < 0 || points < 0 {
        return Some(format!(
            "the record header claims {parts} parts and {points} points; counts cannot be negative"
        ));
    }
    // The least a record with these counts takes: header fields, part starts, x/y per point.
    let need = 44 + 4 * parts + 16 * points;
    let left = content.len() as i64;
    if need > left {
        return Some(format!(
            "the record header claims {parts} parts and {points} points, which take at least {need} \
             bytes, but the record has {left} bytes"
        ));
    }
    // The crate sizes each part by the difference of its start and the next one's: starts must
    // ascend within the points (a third fuzz run found a part of 926 million points this way).
    let mut previous = 0;
    for k in 0..parts as usize {
        let start = int(44 + 4 * k)?;
        if start < previous || start > points {
            return Some(format!(
                "part {} starts at point {start}, but part starts must ascend from 0 to the {points} points",
                k + 1
            ));
        }
        previous = start;
    }
    None
}

/// The byte offsets of the records listed in a `.shx`, or why the index cannot be used.
pub(crate) fn shx_offsets(shx: &[u8]) -> Result<Vec<i64>, String> {
    let header = Header::read_from(&mut Cursor::new(shx)).map_err(|e| e.to_string())?;
    let content = i64::from(header.file_length) * 2 - 100;
    let entries = usize::try_from(content / 8)
        .ok()
        .and_then(|n| shx.get(100..100 + n.checked_mul(8)?))
        .ok_or_else(|| {
            format!(
                "the index is {} bytes but its header says {} bytes",
                shx.len(),
                i64::from(header.file_length) * 2
            )
        })?;
    Ok(entries
        .chunks_exact(8)
        .map(|e| i64::from(i32::from_be_bytes([e[0], e[1], e[2], e[3]])) * 2)
        .collect())
}

/// Where the next record is.
enum Next<'a> {
    /// In sequence: the byte offset of the next record.
    Sequential(usize),
    /// From the `.shx`: the offsets still to read.
    Indexed(std::slice::Iter<'a, i64>),
}

/// The records of a `.shp`, each handed to the `shapefile` crate as its own bytes only (the crate's
/// own reader keeps reading where the previous shape ended, which a broken record length moves),
/// after checking that the record can hold its counts.
pub(crate) struct Records<'a> {
    shp: &'a [u8],
    /// The file length the header declares; records are read in sequence up to it.
    declared: usize,
    next: Next<'a>,
    done: bool,
}

impl<'a> Records<'a> {
    /// The records of `shp` in sequence, or at the `.shx` offsets when given. Fails when the
    /// 100-byte file header is not a shapefile header.
    pub(crate) fn new(shp: &'a [u8], offsets: Option<&'a [i64]>) -> Result<Records<'a>, String> {
        let header = Header::read_from(&mut Cursor::new(shp)).map_err(|e| e.to_string())?;
        Ok(Records {
            shp,
            declared: usize::try_from(header.file_length).unwrap_or(0) * 2,
            next: match offsets {
                Some(o) => Next::Indexed(o.iter()),
                None => Next::Sequential(100),
            },
            done: false,
        })
    }

    /// The record at byte `offset` and the offset after it.
    fn read_at(&self, offset: usize) -> Result<(Shape, usize), String> {
        let header = offset
            .checked_add(8)
            .and_then(|end| self.shp.get(offset..end))
            .ok_or("the record header is cut off by the end of the file")?;
        let words = i32::from_be_bytes([header[4], header[5], header[6], header[7]]);
        let size = words.checked_mul(2).filter(|s| *s >= 4).ok_or_else(|| {
            format!("the record header gives the impossible length of {words} words")
        })?;
        let start = offset + 8;
        let end = start.saturating_add(size as usize);
        let content = &self.shp[start..end.min(self.shp.len())];
        if let Some(reason) = counts_problem(content) {
            return Err(reason);
        }
        let shape = Shape::read_from(&mut Cursor::new(content), size).map_err(|e| e.to_string())?;
        Ok((shape, end))
    }
}

impl Iterator for Records<'_> {
    type Item = Result<Shape, String>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let offset = match &mut self.next {
            Next::Sequential(at) if *at >= self.declared => return None,
            Next::Sequential(at) => *at,
            Next::Indexed(it) => match usize::try_from(*it.next()?) {
                Ok(at) => at,
                Err(_) => {
                    self.done = true;
                    return Some(Err("the .shx gives a negative record offset".into()));
                }
            },
        };
        match self.read_at(offset) {
            Ok((shape, end)) => {
                if let Next::Sequential(at) = &mut self.next {
                    *at = end;
                }
                Some(Ok(shape))
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A .shp header and one Polygon record claiming `parts` and `points`, with no coordinates.
    fn claiming(parts: i32, points: i32) -> Vec<u8> {
        let mut shp = vec![0u8; 100];
        shp[..4].copy_from_slice(&9994i32.to_be_bytes());
        shp[28..32].copy_from_slice(&1000i32.to_le_bytes());
        shp[32..36].copy_from_slice(&5i32.to_le_bytes());
        shp.extend_from_slice(&1i32.to_be_bytes());
        shp.extend_from_slice(&22i32.to_be_bytes()); // 44 bytes of content
        shp.extend_from_slice(&5i32.to_le_bytes());
        shp.extend_from_slice(&[0u8; 32]);
        shp.extend_from_slice(&parts.to_le_bytes());
        shp.extend_from_slice(&points.to_le_bytes());
        let len = i32::try_from(shp.len() / 2).unwrap();
        shp[24..28].copy_from_slice(&len.to_be_bytes());
        shp
    }

    /// The first record's error, or `"ok"`.
    fn first(shp: &[u8], offsets: Option<&[i64]>) -> String {
        match Records::new(shp, offsets).unwrap().next().unwrap() {
            Ok(_) => "ok".into(),
            Err(e) => e,
        }
    }

    #[test]
    fn counts_that_cannot_fit_are_found_before_reading() {
        // The fuzz finding: 1.25 billion parts in a 52-byte record (the crate asked for 5 GB).
        let reason = first(&claiming(1_250_754_561, 0), None);
        assert!(reason.contains("claims 1250754561 parts and 0 points, which take at least 5003018288 bytes, but the record has 44 bytes"), "{reason}");
        let reason = first(&claiming(1, -3), None);
        assert!(reason.contains("cannot be negative"), "{reason}");
        assert_eq!(first(&claiming(0, 0), None), "ok");
        // Through the index: the offset of the same record.
        let reason = first(&claiming(7, 7), Some(&[100]));
        assert!(reason.contains("claims 7 parts and 7 points"), "{reason}");
        // Part starts that do not ascend within the points (the crate sized a part by them).
        let mut shp = claiming(2, 1);
        shp.truncate(shp.len() - 8);
        shp.extend_from_slice(&2i32.to_le_bytes());
        shp.extend_from_slice(&1i32.to_le_bytes());
        for v in [0i32, -1_000_000_000, 0, 0, 0, 0] {
            shp.extend_from_slice(&v.to_le_bytes());
        }
        let words = i32::try_from((shp.len() - 108) / 2).unwrap();
        shp[104..108].copy_from_slice(&words.to_be_bytes());
        let reason = first(&shp, None);
        assert!(
            reason.contains("part 2 starts at point -1000000000"),
            "{reason}"
        );
        let reason = first(&claiming(0, 0), Some(&[-2]));
        assert!(reason.contains("negative record offset"), "{reason}");
    }

    #[test]
    fn real_files_read_with_and_without_their_index() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
        for (rel, n) in [
            ("nc_sids/nc", 100),
            ("swiss_2024/districts", 143),
            ("codepages/naturalearth_lowres", 177),
        ] {
            let shp = std::fs::read(dir.join(format!("{rel}.shp"))).unwrap();
            let shx = std::fs::read(dir.join(format!("{rel}.shx"))).unwrap();
            let offsets = shx_offsets(&shx).unwrap();
            assert_eq!(offsets.len(), n, "{rel}");
            for index in [None, Some(&offsets[..])] {
                let shapes: Result<Vec<Shape>, String> =
                    Records::new(&shp, index).unwrap().collect();
                assert_eq!(shapes.unwrap().len(), n, "{rel}");
            }
        }
        assert!(shx_offsets(&[0u8; 50]).is_err());
    }
}
