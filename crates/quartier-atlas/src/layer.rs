//! One layer of the atlas, prepared for requests: render geometry, point index, statistics and
//! lookup tables from ids to positions, all computed once when the atlas is prepared.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use crate::manifest::{AtlasLayer, Indicator};
use bytes::Bytes;
use quartier_geo::classify::SortedValues;
use quartier_geo::locate::DistrictIndex;
use quartier_render::{TileCoord, TileLayer};
use serde::Serialize;

use crate::error::AtlasError;
use crate::periods::IndexDetail;
use crate::stats::IndicatorStats;
use crate::style::Style;
use crate::suppression;

/// One layer, ready to answer requests.
pub struct PreparedLayer {
    /// The layer as loaded: districts and indicators.
    /// `District::mercator` is empty here: that geometry lives in `render`.
    pub atlas: AtlasLayer,
    /// Render-ready geometry (Web Mercator, with its own R-tree).
    pub render: TileLayer,
    /// Point lookup (WGS84), built on the first lookup: its prepared edges take as much memory
    /// as the geometry itself (80 MB for the 3,233 US counties), and only `/at` needs it.
    locator: OnceLock<DistrictIndex>,
    /// Statistics per indicator, aligned with `atlas.indicators`.
    pub stats: Vec<IndicatorStats>,
    /// Bounds in WGS84 `[w, s, e, n]`.
    pub bounds: Option<[f64; 4]>,
    /// The layer's data version (`atlas.version`) as a number, for its tiles' ETags.
    pub version_hash: u64,
    /// Bounds in Web Mercator metres `[w, s, e, n]`, to answer tiles outside without rendering.
    pub mercator_bounds: Option<[f64; 4]>,
    indicator_index: HashMap<String, usize>,
    district_index: HashMap<String, usize>,
    /// `features.geojson`, serialised on first request.
    features: OnceLock<Bytes>,
    /// Per indicator, the sorted values its classes are computed from when they do not depend
    /// on the period (see `PreparedLayer::kept_sorted_values`), made on the first style.
    pub(crate) sorted_values: Vec<OnceLock<SortedValues>>,
}

impl std::fmt::Debug for PreparedLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedLayer")
            .field("id", &self.atlas.id)
            .field("districts", &self.atlas.layer.districts.len())
            .field("indicators", &self.atlas.indicators.len())
            .finish_non_exhaustive()
    }
}

fn mercator_bounds(layer: &AtlasLayer) -> Option<[f64; 4]> {
    use geo::BoundingRect;
    layer
        .layer
        .districts
        .iter()
        .filter_map(|d| d.mercator.bounding_rect())
        .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
        .reduce(|a, b| {
            [
                a[0].min(b[0]),
                a[1].min(b[1]),
                a[2].max(b[2]),
                a[3].max(b[3]),
            ]
        })
}

/// One district's values as `/at` and `/districts/{id}` answer them.
#[derive(Debug, Serialize)]
pub struct DistrictValues<'a> {
    /// District id.
    pub id: &'a str,
    /// District name.
    pub name: &'a str,
    /// Layer id.
    pub layer: &'a str,
    /// Every indicator's value (`None`: no data or withheld).
    pub values: BTreeMap<&'a str, Option<f64>>,
    /// Every indicator's rank among the districts (1 = highest).
    pub ranks: BTreeMap<&'a str, Option<u32>>,
    /// Indicators whose value is withheld by small-number suppression (their value is `null`).
    pub suppressed: Vec<&'a str>,
    /// The period asked for (`null`: each indicator's latest).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<i32>,
    /// The period compared with: `values` are then changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compare: Option<i32>,
    /// Every period's value of every indicator with periods, for the profile's charts.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub series: BTreeMap<&'a str, BTreeMap<i32, Option<f64>>>,
    /// Per composite index: missing components, contributions and class.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub indices: BTreeMap<&'a str, IndexDetail>,
}

impl PreparedLayer {
    /// Prepare a layer: render geometry (moved out of the districts), statistics; the point
    /// index waits for its first lookup.
    pub fn new(mut atlas: AtlasLayer) -> Self {
        let mercator_bounds = mercator_bounds(&atlas);
        // The Web Mercator copy is only drawn: move it into the renderer rather than keep it
        // twice (for 3,000 US counties that is a million vertices).
        let mercator = atlas
            .layer
            .districts
            .iter_mut()
            .map(|d| std::mem::replace(&mut d.mercator, geo::MultiPolygon(Vec::new())))
            .collect();
        let render = TileLayer::new(mercator);
        let stats = atlas
            .indicators
            .iter_mut()
            .map(|i| {
                let suppressed = suppression::withhold(i);
                IndicatorStats::of(i, &i.values, suppressed, None)
            })
            .collect();
        let indicator_index = atlas
            .indicators
            .iter()
            .enumerate()
            .map(|(i, ind)| (ind.id.clone(), i))
            .collect();
        // The first district of an id wins, as the point lookup prefers the first in layer order.
        let mut district_index = HashMap::new();
        for (i, d) in atlas.layer.districts.iter().enumerate() {
            district_index.entry(d.id.clone()).or_insert(i);
        }
        PreparedLayer {
            bounds: atlas.layer.bounds_wgs84(),
            version_hash: crate::hash::version_number(&atlas.version),
            mercator_bounds,
            render,
            locator: OnceLock::new(),
            stats,
            indicator_index,
            district_index,
            features: OnceLock::new(),
            sorted_values: atlas.indicators.iter().map(|_| OnceLock::new()).collect(),
            atlas,
        }
    }

    /// The layer id.
    pub fn id(&self) -> &str {
        &self.atlas.id
    }

    /// Position and definition of an indicator, or an error listing the layer's indicators.
    pub fn indicator(&self, id: &str) -> Result<(usize, &Indicator), AtlasError> {
        match self.indicator_index.get(id) {
            Some(&i) => Ok((i, &self.atlas.indicators[i])),
            None => Err(AtlasError::UnknownIndicator {
                layer: self.atlas.id.clone(),
                id: id.to_string(),
                known: self
                    .atlas
                    .indicators
                    .iter()
                    .map(|i| i.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }

    /// Position of a district by its id.
    pub fn district(&self, id: &str) -> Result<usize, AtlasError> {
        self.district_index
            .get(id)
            .copied()
            .ok_or_else(|| AtlasError::UnknownDistrict {
                layer: self.atlas.id.clone(),
                id: id.to_string(),
                example: self
                    .atlas
                    .layer
                    .districts
                    .first()
                    .map_or_else(String::new, |d| d.id.clone()),
            })
    }

    /// The point index of the districts (WGS84), built on first use.
    pub fn locator(&self) -> &DistrictIndex {
        self.locator.get_or_init(|| {
            let geometry: Vec<geo::MultiPolygon<f64>> = self
                .atlas
                .layer
                .districts
                .iter()
                .map(|d| d.geometry.clone())
                .collect();
            DistrictIndex::new(&geometry)
        })
    }

    /// The district containing a point (WGS84 degrees); on a shared border the first in layer order.
    pub fn locate(&self, lon: f64, lat: f64) -> Option<usize> {
        self.locator().locate(geo::coord! { x: lon, y: lat })
    }

    /// Values, ranks and withheld indicators of district `i`, in the period (or change) that
    /// `params` asks for; every indicator's series over its periods; index details.
    pub fn district_values_with(&self, i: usize, params: &Style) -> DistrictValues<'_> {
        let mut out = self.district_values(i);
        let inds = &self.atlas.indicators;
        let asked = params.period.is_some() || params.compare.is_some();
        let views = self.views(params);
        for (ind, view) in inds.iter().zip(&views) {
            let id = ind.id.as_str();
            if asked {
                let v = view
                    .as_ref()
                    .and_then(|(_, v)| v.values.get(i).copied().flatten());
                out.values.insert(id, v);
                let rank = view.as_ref().and_then(|(_, v)| {
                    IndicatorStats::new(&v.values, 0)
                        .ranks
                        .get(i)
                        .copied()
                        .flatten()
                });
                out.ranks.insert(id, rank);
            }
            if let Some((choice, view)) = view {
                if !ind.components.is_empty() {
                    out.indices
                        .insert(id, IndexDetail::of(ind, choice, view, i));
                }
            }
            if !ind.periods.is_empty() {
                let series = ind
                    .periods
                    .iter()
                    .zip(&ind.series)
                    .map(|(p, v)| (*p, v.get(i).copied().flatten()))
                    .collect();
                out.series.insert(id, series);
            }
        }
        if asked {
            out.period = views.iter().flatten().find_map(|(c, _)| c.period);
            out.compare = views.iter().flatten().find_map(|(c, _)| c.compare);
            out.suppressed = crate::periods::withheld_in(inds, &views, i);
        }
        out
    }

    /// Values, ranks and withheld indicators of district `i` (each indicator's default period).
    pub fn district_values(&self, i: usize) -> DistrictValues<'_> {
        let d = &self.atlas.layer.districts[i];
        let inds = &self.atlas.indicators;
        DistrictValues {
            id: &d.id,
            name: &d.name,
            layer: self.id(),
            values: inds
                .iter()
                .map(|ind| (ind.id.as_str(), ind.values.get(i).copied().flatten()))
                .collect(),
            ranks: inds
                .iter()
                .zip(&self.stats)
                .map(|(ind, s)| (ind.id.as_str(), s.ranks.get(i).copied().flatten()))
                .collect(),
            suppressed: suppression::withheld_at(inds, i),
            period: None,
            compare: None,
            series: BTreeMap::new(),
            indices: BTreeMap::new(),
        }
    }

    /// `features.geojson`, written with `write` on first use and kept (the writer is
    /// `geojson::features`, which calls this).
    pub(crate) fn features_geojson(&self, write: impl FnOnce(&PreparedLayer) -> Bytes) -> Bytes {
        self.features.get_or_init(|| write(self)).clone()
    }

    /// True when a tile cannot touch any district (including its border line), so it is empty.
    pub fn tile_is_empty(&self, tile: TileCoord) -> bool {
        let Some([w, s, e, n]) = self.mercator_bounds else {
            return true;
        };
        let [tw, ts, te, tn] = tile.bounds_mercator();
        // A border line reaches up to its width beyond the polygon: keep a margin of 2 pixels.
        let margin = 2.0 * (te - tw) / f64::from(quartier_render::TILE_SIZE);
        tw > e + margin || te < w - margin || ts > n + margin || tn < s - margin
    }
}
