//! A check of every `.shp` record header before the `shapefile` crate reads the record.
//!
//! The crate reserves memory for a record's parts and points as soon as it has read their counts,
//! before reading them: a record of a few bytes that claims a billion points asked for 5 GB
//! (found by fuzzing, `fuzz/` target `shapefile`). So each record's counts are checked against the
//! bytes left in the file first; a record whose counts cannot fit is an error naming it, and what
//! the crate may reserve stays below the file's size.

/// Shape types whose content starts with a bounding box, a part count and a point count:
/// Polyline, Polygon, their Z and M forms, and MultiPatch.
const WITH_PARTS: [i32; 7] = [3, 5, 13, 15, 23, 25, 31];

/// Shape types whose content starts with a bounding box and a point count: the MultiPoints.
const WITH_POINTS: [i32; 3] = [8, 18, 28];

/// Why the record at byte `offset` of `shp` cannot hold what its header claims, if it cannot.
/// Records that are too short to say are left to the crate, whose errors cover them.
fn record_problem(shp: &[u8], offset: usize) -> Option<String> {
    let content = shp.get(offset.checked_add(8)?..)?;
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
    (need > left).then(|| {
        format!(
            "the record header claims {parts} parts and {points} points, which take at least {need} \
             bytes, but only {left} bytes are left in the file"
        )
    })
}

/// The first record (1-based number, reason) whose counts cannot fit: every record in sequence
/// from byte 100, and every record the `.shx` index points at.
pub(crate) fn first_bad_record(shp: &[u8], shx: Option<&[u8]>) -> Option<(usize, String)> {
    let mut offset = 100usize;
    let mut number = 1;
    while offset + 8 <= shp.len() {
        if let Some(reason) = record_problem(shp, offset) {
            return Some((number, reason));
        }
        let words = i32::from_be_bytes([
            shp[offset + 4],
            shp[offset + 5],
            shp[offset + 6],
            shp[offset + 7],
        ]);
        let Ok(words) = usize::try_from(words) else {
            break;
        };
        offset = offset
            .saturating_add(8)
            .saturating_add(words.saturating_mul(2));
        number += 1;
    }
    let index = shx?.get(100..)?;
    index.chunks_exact(8).enumerate().find_map(|(i, entry)| {
        let words = i32::from_be_bytes([entry[0], entry[1], entry[2], entry[3]]);
        let offset = usize::try_from(words).ok()?.checked_mul(2)?;
        record_problem(shp, offset).map(|reason| (i + 1, reason))
    })
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

    #[test]
    fn counts_that_cannot_fit_are_found_before_reading() {
        // The fuzz finding: 1.25 billion parts in a 52-byte record (the crate asked for 5 GB).
        let (n, reason) = first_bad_record(&claiming(1_250_754_561, 0), None).unwrap();
        assert_eq!(n, 1);
        assert!(reason.contains("claims 1250754561 parts and 0 points, which take at least 5003018288 bytes, but only 44 bytes"), "{reason}");
        let (_, reason) = first_bad_record(&claiming(1, -3), None).unwrap();
        assert!(reason.contains("cannot be negative"), "{reason}");
        assert_eq!(first_bad_record(&claiming(0, 0), None), None);
        // Through the index: an entry pointing at the same record.
        let mut shx = vec![0u8; 100];
        shx.extend_from_slice(&50i32.to_be_bytes());
        shx.extend_from_slice(&22i32.to_be_bytes());
        let shp = claiming(7, 7);
        assert_eq!(first_bad_record(&shp, Some(&shx)).map(|(n, _)| n), Some(1));
    }

    #[test]
    fn real_files_pass() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
        for rel in [
            "nc_sids/nc",
            "swiss_2024/districts",
            "codepages/olinda1",
            "codepages/naturalearth_lowres",
        ] {
            let shp = std::fs::read(dir.join(format!("{rel}.shp"))).unwrap();
            let shx = std::fs::read(dir.join(format!("{rel}.shx"))).ok();
            assert_eq!(first_bad_record(&shp, shx.as_deref()), None, "{rel}");
        }
    }
}
