//! Points into districts: each point to the first district whose closed polygon contains it.

use geo::Coord;

use super::{
    conclude, Accumulator, AggregateError, AggregateReport, AggregateSpec, Aggregated, AreaMode,
    Balance, DistrictIndex, ItemValues, Method, Points, Position, Values, PROGRESS_STEP,
};
use crate::layer::Layer;

/// Margin around the districts' bounds within which a point counts as "near" for the CRS check,
/// as a share of the bounds' larger side.
const NEAR_MARGIN: f64 = 0.5;

pub(super) fn aggregate(
    points: &Points,
    districts: &Layer,
    spec: &AggregateSpec,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Aggregated, AggregateError> {
    if let Some(key) = &spec.key {
        return Err(no_such_field(
            points,
            key,
            "the key (keys are for units; points are assigned by location)",
        ));
    }
    check_near(points, districts)?;
    let mut problems = points.problems.clone();
    let values = Values::new(spec, |name, role| {
        points
            .field(name)
            .ok_or_else(|| no_such_field(points, name, role))
    })?;
    let geometries: Vec<_> = districts
        .districts
        .iter()
        .map(|d| d.geometry.clone())
        .collect();
    let index = DistrictIndex::new(&geometries);
    let n = districts.districts.len();
    let mut acc = Accumulator::new(n, spec);
    let mut balance = Balance::new(spec);
    let (mut assigned, mut on_border) = (0, 0);
    let mut outside_items = Vec::new();
    let total = points.coords.len();
    let mut item = ItemValues::default();
    for (i, p) in points.coords.iter().enumerate() {
        if i % PROGRESS_STEP == 0 {
            progress(i, total);
        }
        values.item_into(i, &points.origins[i], &mut problems, &mut item);
        match index.locate_with_position(*p) {
            Some((d, pos)) => {
                assigned += 1;
                if pos == Position::Boundary {
                    on_border += 1;
                }
                acc.add(d, 1.0, 1.0, &item);
                balance.add(&item, 1.0);
            }
            None => {
                outside_items.push(points.origins[i].clone());
                balance.add(&item, 0.0);
            }
        }
    }
    progress(total, total);
    let report = AggregateReport {
        source: points.path.clone(),
        districts: Some(districts.id.clone()),
        method: Method::Points,
        source_crs: points.crs.clone(),
        areas: area_text(&spec.area),
        read: points.read,
        skipped: points.read - points.coords.len(),
        assigned,
        on_border,
        split: 0,
        slivers: 0,
        outside: outside_items.len(),
        outside_items,
        balance: Vec::new(),
        problems,
    };
    // A district without points has a count of 0 and sums of 0: no station, no bikes.
    conclude(districts.clone(), acc, balance, report, spec, true, None)
}

/// The error for a field the points do not carry.
fn no_such_field(points: &Points, name: &str, role: &'static str) -> AggregateError {
    AggregateError::NoSuchField {
        path: points.path.clone(),
        field: name.to_string(),
        role,
        available: points
            .fields
            .iter()
            .map(|(n, _)| n.clone())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// How areas are measured, for the report.
pub(super) fn area_text(mode: &AreaMode) -> String {
    match mode {
        AreaMode::Geodesic => "geodesic (WGS84 ellipsoid)".into(),
        AreaMode::Planar(crs) => format!("planar in {}", crs.name()),
    }
}

/// Fail when no point lies anywhere near the districts: the points' CRS is wrong.
fn check_near(points: &Points, districts: &Layer) -> Result<(), AggregateError> {
    let Some([w, s, e, n]) = districts.bounds_wgs84() else {
        return Ok(());
    };
    let margin = (e - w).max(n - s) * NEAR_MARGIN;
    let near = |c: &Coord<f64>| {
        c.x >= w - margin && c.x <= e + margin && c.y >= s - margin && c.y <= n + margin
    };
    if points.coords.is_empty() || points.coords.iter().any(near) {
        return Ok(());
    }
    let first = points.coords[0];
    Err(AggregateError::CrsMismatch {
        path: points.path.clone(),
        at: format!("all {} points", points.coords.len()),
        reason: format!(
            "read as {}, not one point lies near the districts (bounds {w:.5}, {s:.5}, {e:.5}, {n:.5} in WGS84); the first is at longitude {:.5}, latitude {:.5}",
            points.crs, first.x, first.y
        ),
    })
}
