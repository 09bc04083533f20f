//! Finer units into districts: by key (into given districts, or dissolved into new ones) and by
//! area (area-weighted apportionment through polygon intersection).

use std::collections::HashMap;

use geo::{Area, BooleanOps, BoundingRect, MultiPolygon, Orient};

use super::points::area_text;
use super::{
    conclude, derive, Accumulator, AggregateError, AggregateReport, AggregateSpec, Aggregated,
    AreaMode, Balance, DistrictIndex, Location, Method, Position, Problem, Units, Values,
    PROGRESS_STEP,
};
use crate::crs::{self, Crs, Transformer};
use crate::import::format_number;
use crate::layer::{AttributeValues, District, Layer};

/// A fraction of a unit this close to 1 counts as the whole unit (for the assigned/split counts
/// only; the values are apportioned with the fraction as computed).
const WHOLE: f64 = 1.0 - 1e-9;
/// Fractions below this are intersection noise along shared borders (for the counts only).
const NOISE: f64 = 1e-9;
/// A unit whose largest piece holds all but this fraction of its area, and whose other pieces are
/// each under this fraction of their own district's area, goes whole to that district: the other
/// pieces are slivers where two boundary files disagree by a few metres, not a real split (they
/// would make a count of 15 whole units 14.999999998710539). A small district that lies inside a
/// large unit is not a sliver of it (the piece is all of the district) and keeps its share.
pub const SLIVER: f64 = 1e-3;

/// Named numeric columns.
type Columns = Vec<(String, Vec<Option<f64>>)>;

/// The numeric unit columns an aggregation needs, owned (text columns of numbers are parsed).
fn unit_columns(units: &Units, spec: &AggregateSpec) -> Result<Columns, AggregateError> {
    let mut fields = spec.fields();
    if let Some(k) = &spec.key {
        fields.retain(|f| f != k);
    }
    fields
        .into_iter()
        .map(|name| {
            let attr = units
                .layer
                .attribute(&name)
                .ok_or_else(|| no_such_field(units, &name, "a value to sum or average"))?;
            let values = match &attr.values {
                AttributeValues::Number(v) => v.clone(),
                AttributeValues::Text(v) => v
                    .iter()
                    .enumerate()
                    .map(|(i, t)| match t {
                        None => Ok(None),
                        Some(s) => crate::table::parse_number(s, '.').map_err(|_| {
                            AggregateError::NotNumeric {
                                path: units.path.clone(),
                                at: format!("feature {}", i + 1),
                                field: name.clone(),
                                value: format!("{s:?}"),
                            }
                        }),
                    })
                    .collect::<Result<_, _>>()?,
            };
            Ok((name, values))
        })
        .collect()
}

fn no_such_field(units: &Units, name: &str, role: &'static str) -> AggregateError {
    AggregateError::NoSuchField {
        path: units.path.clone(),
        field: name.to_string(),
        role,
        available: units
            .layer
            .attributes
            .iter()
            .map(|a| a.name.clone())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// The unit columns as [`Values`].
fn values<'a>(
    units: &'a Units,
    spec: &'a AggregateSpec,
    columns: &'a [(String, Vec<Option<f64>>)],
) -> Result<Values<'a>, AggregateError> {
    Values::new(spec, |name, role| {
        columns
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
            .ok_or_else(|| no_such_field(units, name, role))
    })
}

/// Each unit's key as text (trimmed; numbers as the importer writes ids).
fn unit_keys(units: &Units, key: &str) -> Result<Vec<Option<String>>, AggregateError> {
    let attr = units
        .layer
        .attribute(key)
        .ok_or_else(|| no_such_field(units, key, "the key"))?;
    Ok(match &attr.values {
        AttributeValues::Text(v) => v
            .iter()
            .map(|k| {
                k.as_deref()
                    .map(str::trim)
                    .filter(|k| !k.is_empty())
                    .map(str::to_string)
            })
            .collect(),
        AttributeValues::Number(v) => v.iter().map(|x| x.map(format_number)).collect(),
    })
}

fn report(
    units: &Units,
    districts: Option<String>,
    method: Method,
    spec: &AggregateSpec,
) -> AggregateReport {
    AggregateReport {
        source: units.path.clone(),
        districts,
        method,
        source_crs: units.crs.clone(),
        areas: area_text(&spec.area),
        read: units.layer.districts.len(),
        skipped: 0,
        assigned: 0,
        on_border: 0,
        split: 0,
        slivers: 0,
        outside: 0,
        outside_items: Vec::new(),
        balance: Vec::new(),
        problems: Vec::new(),
    }
}

/// Units into given districts by a key field that holds the district id.
pub(super) fn by_key(
    units: &Units,
    districts: &Layer,
    key: &str,
    spec: &AggregateSpec,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Aggregated, AggregateError> {
    let columns = unit_columns(units, spec)?;
    let values = values(units, spec, &columns)?;
    let keys = unit_keys(units, key)?;
    let ids: HashMap<&str, usize> = districts
        .districts
        .iter()
        .enumerate()
        .rev() // the first district wins for duplicate ids
        .map(|(i, d)| (d.id.trim(), i))
        .collect();
    let n = districts.districts.len();
    let mut acc = Accumulator::new(n, spec);
    let mut balance = Balance::new(spec);
    let mut rep = report(units, Some(districts.id.clone()), Method::Key, spec);
    let total = keys.len();
    for (i, k) in keys.iter().enumerate() {
        if i % PROGRESS_STEP == 0 {
            progress(i, total);
        }
        let location = Location::Feature(i + 1);
        let Some(k) = k else {
            rep.skipped += 1;
            rep.problems.push(Problem {
                location,
                message: format!("the key {key} is missing; the unit was skipped"),
            });
            continue;
        };
        let item = values.item(i, &location, &mut rep.problems);
        match ids.get(k.as_str()) {
            Some(&d) => {
                rep.assigned += 1;
                acc.add(d, 1.0, 1.0, &item);
                balance.add(&item, 1.0);
            }
            None => {
                rep.outside += 1;
                rep.outside_items.push(location.clone());
                rep.problems.push(Problem {
                    location,
                    message: format!(
                        "the key {key} = {k:?} matches no district of {:?} (district ids look like {}); the unit went to no district",
                        districts.id,
                        sample_ids(districts)
                    ),
                });
                balance.add(&item, 0.0);
            }
        }
    }
    progress(total, total);
    let unreached = format!("no unit has this key in {key}; its sums and means are missing");
    conclude(
        districts.clone(),
        acc,
        balance,
        rep,
        spec,
        false,
        Some(&unreached),
    )
}

/// A few district ids, quoted, for messages.
fn sample_ids(layer: &Layer) -> String {
    let mut s: Vec<String> = layer
        .districts
        .iter()
        .take(3)
        .map(|d| format!("{:?}", d.id))
        .collect();
    if layer.districts.len() > 3 {
        s.push("...".into());
    }
    s.join(", ")
}

/// Units dissolved by key: one new district per key, in order of first appearance, whose
/// geometry is the union of its units' polygons.
pub(super) fn dissolve(
    units: &Units,
    key: &str,
    spec: &AggregateSpec,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Aggregated, AggregateError> {
    let columns = unit_columns(units, spec)?;
    let values = values(units, spec, &columns)?;
    let keys = unit_keys(units, key)?;
    let mut order: Vec<String> = Vec::new();
    let mut group_of: HashMap<String, usize> = HashMap::new();
    let mut members: Vec<Vec<usize>> = Vec::new();
    let mut rep = report(units, None, Method::Dissolve, spec);
    for (i, k) in keys.iter().enumerate() {
        match k {
            Some(k) => {
                let g = *group_of.entry(k.clone()).or_insert_with(|| {
                    order.push(k.clone());
                    members.push(Vec::new());
                    order.len() - 1
                });
                members[g].push(i);
            }
            None => {
                rep.skipped += 1;
                rep.problems.push(Problem {
                    location: Location::Feature(i + 1),
                    message: format!("the key {key} is missing; the unit was skipped"),
                });
            }
        }
    }
    let total = keys.len();
    let mut done = 0;
    let mut districts = Vec::with_capacity(order.len());
    for (g, k) in order.iter().enumerate() {
        let polygons = members[g]
            .iter()
            .flat_map(|&i| units.layer.districts[i].geometry.0.iter());
        let geometry = geo::unary_union(polygons).orient(geo::orient::Direction::Default);
        let mercator = crs::to_mercator(&geometry);
        districts.push(District {
            id: k.clone(),
            name: k.clone(),
            geometry,
            mercator,
        });
        done += members[g].len();
        progress(done, total);
    }
    let layer = Layer {
        id: format!("{}_by_{key}", units.layer.id),
        districts,
        attributes: Vec::new(),
    };
    let mut acc = Accumulator::new(order.len(), spec);
    let mut balance = Balance::new(spec);
    for (g, m) in members.iter().enumerate() {
        for &i in m {
            let item = values.item(i, &Location::Feature(i + 1), &mut rep.problems);
            acc.add(g, 1.0, 1.0, &item);
            balance.add(&item, 1.0);
            rep.assigned += 1;
        }
    }
    rep.problems.sort_by_key(|p| match p.location {
        Location::Feature(n) | Location::Line(n) => n,
        Location::District(_) => usize::MAX,
    });
    // Every dissolved district has units, so none is unreached.
    conclude(layer, acc, balance, rep, spec, false, None)
}

/// How [`Apportioner`] measures areas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Plane areas in the coordinates' units (square metres for a projected CRS).
    Planar,
    /// Geodesic areas in square metres on the WGS84 ellipsoid, of longitude/latitude coordinates.
    Geodesic,
}

impl Measure {
    /// The area of `mp` in this sense.
    pub fn area(self, mp: &MultiPolygon<f64>) -> f64 {
        match self {
            Measure::Geodesic => derive::geodesic_area_km2(mp) * 1e6,
            Measure::Planar => mp.unsigned_area(),
        }
    }
}

/// The geometric core of aggregation by area: how much of a unit lies in each district, for
/// geometry already in one plane (longitude/latitude for [`Measure::Geodesic`]).
///
/// Each district part whose envelope meets the unit's is tested: when the part's boundary does
/// not touch the unit's bounding box (an exact test), the unit lies wholly inside or outside it
/// and one vertex tells which; otherwise the intersection is computed with geo's
/// [`BooleanOps`] (i_overlay) and measured.
///
/// ```
/// use geo::wkt;
/// use quartier_geo::aggregate::{Apportioner, Measure};
///
/// let west = wkt!(MULTIPOLYGON(((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.))));
/// let east = wkt!(MULTIPOLYGON(((10. 0.,20. 0.,20. 10.,10. 10.,10. 0.))));
/// let a = Apportioner::new(vec![west, east], Measure::Planar);
/// let cell = wkt!(MULTIPOLYGON(((8. 2.,12. 2.,12. 4.,8. 4.,8. 2.))));
/// let (area, shares) = a.shares(&cell);
/// assert_eq!(area, 8.0);
/// assert_eq!(shares, vec![(0, 4.0), (1, 4.0)]);
/// ```
#[derive(Debug, Clone)]
pub struct Apportioner {
    districts: Vec<MultiPolygon<f64>>,
    index: DistrictIndex,
    measure: Measure,
}

impl Apportioner {
    /// Index the districts.
    pub fn new(districts: Vec<MultiPolygon<f64>>, measure: Measure) -> Apportioner {
        let index = DistrictIndex::new(&districts);
        Apportioner {
            districts,
            index,
            measure,
        }
    }

    /// The unit's area and, per district it overlaps (in order of the parts met), the area of the
    /// overlap; zero-area touches are left out.
    pub fn shares(&self, unit: &MultiPolygon<f64>) -> (f64, Vec<(usize, f64)>) {
        let unit_area = self.measure.area(unit);
        let mut shares: Vec<(usize, f64)> = Vec::new();
        let Some(bbox) = unit.bounding_rect().filter(|_| unit_area > 0.0) else {
            return (unit_area, shares);
        };
        for part_index in self.index.parts_meeting(&bbox) {
            let part = &self.index.parts[part_index];
            let d = part.district as usize;
            let area = if part.prepared.boundary_meets(&bbox) {
                let polygon = &self.districts[d].0[part.polygon as usize];
                self.measure.area(&unit.intersection(polygon))
            } else {
                // The part's boundary does not reach the unit's box: the unit is wholly inside
                // the part or wholly outside it, and any of its vertices tells which.
                let probe = unit.0.first().and_then(|p| p.exterior().0.first()).copied();
                match probe.map(|c| part.prepared.position(c)) {
                    Some(Position::Inside) => unit_area,
                    _ => 0.0,
                }
            };
            if area > 0.0 {
                match shares.iter_mut().find(|(sd, _)| *sd == d) {
                    Some((_, a)) => *a += area,
                    None => shares.push((d, area)),
                }
            }
        }
        (unit_area, shares)
    }
}

/// Geometry in the plane where intersections and areas are computed.
fn in_area_plane(
    mode: &AreaMode,
    geometries: impl Iterator<Item = (String, MultiPolygon<f64>)>,
) -> Result<Vec<MultiPolygon<f64>>, AggregateError> {
    match mode {
        AreaMode::Geodesic => Ok(geometries.map(|(_, g)| g).collect()),
        AreaMode::Planar(crs) => {
            let t = Transformer::new(&Crs::wgs84(), crs).map_err(|source| {
                AggregateError::AreaProjection {
                    what: "any geometry".into(),
                    source: Box::new(source),
                }
            })?;
            geometries
                .map(|(what, mut g)| {
                    t.multipolygon(&mut g)
                        .map_err(|source| AggregateError::AreaProjection {
                            what,
                            source: Box::new(source),
                        })?;
                    Ok(g)
                })
                .collect()
        }
    }
}

/// Units apportioned into districts by the share of their area in each.
pub(super) fn by_area(
    units: &Units,
    districts: &Layer,
    spec: &AggregateSpec,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Aggregated, AggregateError> {
    let columns = unit_columns(units, spec)?;
    let values = values(units, spec, &columns)?;
    let mode = &spec.area;
    let district_geoms = in_area_plane(
        mode,
        districts
            .districts
            .iter()
            .map(|d| (format!("district {:?}", d.id), d.geometry.clone())),
    )?;
    let unit_geoms = in_area_plane(
        mode,
        units
            .layer
            .districts
            .iter()
            .enumerate()
            .map(|(i, u)| (format!("unit {}", i + 1), u.geometry.clone())),
    )?;
    check_overlap(units, districts)?;
    let measure = match mode {
        AreaMode::Geodesic => Measure::Geodesic,
        AreaMode::Planar(_) => Measure::Planar,
    };
    let district_areas: Vec<f64> = district_geoms.iter().map(|g| measure.area(g)).collect();
    let apportioner = Apportioner::new(district_geoms, measure);
    let n = districts.districts.len();
    let mut acc = Accumulator::new(n, spec);
    let mut balance = Balance::new(spec);
    let mut rep = report(units, Some(districts.id.clone()), Method::Area, spec);
    let total = unit_geoms.len();
    for (i, unit) in unit_geoms.iter().enumerate() {
        if i % PROGRESS_STEP == 0 {
            progress(i, total);
        }
        let location = Location::Feature(i + 1);
        let (unit_area, shares) = apportioner.shares(unit);
        if unit_area <= 0.0 {
            rep.skipped += 1;
            rep.problems.push(Problem {
                location,
                message: "the unit has no area (empty or degenerate geometry), so it cannot be apportioned by area; it was skipped".into(),
            });
            continue;
        }
        let item = values.item(i, &location, &mut rep.problems);
        if let Some(d) = whole_despite_slivers(unit_area, &shares, &district_areas) {
            acc.add(d, 1.0, unit_area, &item);
            balance.add(&item, 1.0);
            rep.assigned += 1;
            if shares.len() > 1 || shares.first().is_some_and(|&(_, a)| a / unit_area < WHOLE) {
                rep.slivers += 1;
            }
            continue;
        }
        let mut placed = 0.0;
        let mut largest: f64 = 0.0;
        let mut districts_touched = 0;
        for &(d, area) in &shares {
            let fraction = area / unit_area;
            placed += fraction;
            largest = largest.max(fraction);
            if fraction > NOISE {
                districts_touched += 1;
            }
            acc.add(d, fraction, area, &item);
        }
        balance.add(&item, placed);
        if largest >= WHOLE {
            rep.assigned += 1;
        } else if districts_touched > 0 {
            rep.split += 1;
        } else {
            rep.outside += 1;
            rep.outside_items.push(location);
        }
    }
    progress(total, total);
    let unreached = "no unit overlaps this district; its sums and means are missing";
    conclude(
        districts.clone(),
        acc,
        balance,
        rep,
        spec,
        false,
        Some(unreached),
    )
}

/// The district that gets a unit whole because everything else of it is slivers (see
/// [`SLIVER`]), or `None` for a real split.
fn whole_despite_slivers(
    unit_area: f64,
    shares: &[(usize, f64)],
    district_areas: &[f64],
) -> Option<usize> {
    let &(d, largest) = shares.iter().max_by(|a, b| a.1.total_cmp(&b.1))?;
    let slivers_only = shares
        .iter()
        .filter(|&&(o, _)| o != d)
        .all(|&(o, a)| a < SLIVER * district_areas.get(o).copied().unwrap_or(0.0));
    (largest >= (1.0 - SLIVER) * unit_area && slivers_only).then_some(d)
}

/// Fail when the units' bounds do not meet the districts' at all: one of the CRSs is wrong.
fn check_overlap(units: &Units, districts: &Layer) -> Result<(), AggregateError> {
    let (Some(u), Some(d)) = (units.layer.bounds_wgs84(), districts.bounds_wgs84()) else {
        return Ok(());
    };
    let meet = u[0] <= d[2] && u[2] >= d[0] && u[1] <= d[3] && u[3] >= d[1];
    if meet {
        return Ok(());
    }
    Err(AggregateError::CrsMismatch {
        path: units.path.clone(),
        at: format!("all {} units", units.layer.districts.len()),
        reason: format!(
            "read as {}, the units (bounds {:.5}, {:.5}, {:.5}, {:.5} in WGS84) do not overlap the districts (bounds {:.5}, {:.5}, {:.5}, {:.5})",
            units.crs, u[0], u[1], u[2], u[3], d[0], d[1], d[2], d[3]
        ),
    })
}
