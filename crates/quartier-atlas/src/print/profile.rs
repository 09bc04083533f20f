//! One district's profile page: [`Atlas::profile_page`].

use quartier_render::print::{
    IndexComponent, MapContent, PageSpec, ProfilePage, ProfileRow, Series,
};

use crate::atlas::Atlas;
use crate::labels;
use crate::lang::Lang;
use crate::layer::PreparedLayer;
use crate::manifest::{Indicator, Theme};
use crate::periods::{PeriodChoice, View};
use crate::print::{pick, render_lang, PrintGeometry, PrintRequestError};
use crate::stats::IndicatorStats;
use crate::style::Style;

/// Fill of the district on its profile's locator map.
pub(crate) const LOCATOR_FILL: [u8; 4] = [0x1f, 0x4e, 0x79, 0xff];

/// What profile to print.
#[derive(Debug, Clone, Copy)]
pub struct ProfileRequest<'r> {
    /// Layer id.
    pub layer: &'r str,
    /// District id.
    pub district: &'r str,
    /// The style; of it only the period (and a change map's `compare`) matters to a profile.
    pub style: &'r Style,
    /// Size, orientation, dpi.
    pub page: PageSpec,
    /// Language of every text.
    pub lang: Lang,
}

/// Indicator positions of a layer in report order: by theme (as [`Theme::ALL`]), then as the
/// manifest lists them.
pub(crate) fn report_order(indicators: &[crate::manifest::Indicator]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..indicators.len()).collect();
    order.sort_by_key(|&i| {
        (
            Theme::ALL
                .iter()
                .position(|t| *t == indicators[i].theme)
                .unwrap_or(Theme::ALL.len()),
            i,
        )
    });
    order
}

impl Atlas {
    /// A district's profile page: a locator map with the district highlighted, then one row per
    /// indicator (in report order) with the district's value, the layer average, its rank among
    /// the districts with a value, as `/api/layers/{layer}/districts/{id}` gives them.
    ///
    /// The values are those of the period (or change) `style` asks for, each indicator's latest
    /// by default. An indicator with several periods also gets its change since the first
    /// period and a chart of the district against the layer average over every period; the
    /// first composite index of the layer shows its components' weighted z-scores.
    pub fn profile_page<'a>(
        &'a self,
        geometry: &'a PrintGeometry,
        request: &ProfileRequest<'_>,
    ) -> Result<ProfilePage<'a>, PrintRequestError> {
        let (_, layer) = self.layer(request.layer)?;
        let data = ProfileData::new(layer, request.style);
        self.profile_page_with(geometry, request, &data)
    }

    /// [`Atlas::profile_page`] with the layer's shared numbers computed already (a report
    /// computes them once for all its profiles); `data` must be of `request`'s layer and style.
    pub(crate) fn profile_page_with<'a>(
        &'a self,
        geometry: &'a PrintGeometry,
        request: &ProfileRequest<'_>,
        data: &ProfileData,
    ) -> Result<ProfilePage<'a>, PrintRequestError> {
        let (li, layer) = self.layer(request.layer)?;
        if li != geometry.layer {
            return Err(PrintRequestError::Params(format!(
                "the print geometry is not that of layer {:?}",
                request.layer
            )));
        }
        let i = layer.district(request.district)?;
        let lang = request.lang;
        let l = lang.as_str();
        let district = &layer.atlas.layer.districts[i];
        let inds = &layer.atlas.indicators;
        let views = &data.views;
        let order = report_order(inds);
        let rows = order
            .iter()
            .map(|&k| {
                let ind = &inds[k];
                let view = views[k].as_ref();
                let values: &[Option<f64>] = view.map_or(&[], |(_, v)| v.values.as_slice());
                let stats = &data.stats[k];
                let value = values.get(i).copied().flatten();
                let decimals = ind.decimals.unwrap_or_else(|| {
                    labels::auto_decimals(stats.mean.or(value).unwrap_or(0.0)).min(6) as u8
                });
                let mut unit = ind.unit.get(l).to_string();
                if view.is_some_and(|(_, v)| v.suppressed.get(i) == Some(&true)) {
                    let withheld = pick(lang, "Wert gesperrt", "value withheld");
                    unit = if unit.is_empty() {
                        withheld.to_string()
                    } else {
                        format!("{unit} · {withheld}")
                    };
                }
                // A typology: its type's name where a number would be, no rank or reference.
                let typed =
                    value.and_then(|v| ind.categories.iter().find(|k| f64::from(k.code) == v));
                if let Some(k) = typed {
                    unit = k.title.get(l).to_string();
                }
                let value = value.filter(|_| ind.categories.is_empty());
                // An indicator compared with a row of its table (Germany, the Land) says so
                // under its title, where the reader looks.
                if let Some(e) = ind
                    .external
                    .as_ref()
                    .filter(|_| stats.reference_kind == "external")
                {
                    let compared = format!(
                        "{} {}",
                        pick(lang, "Vergleich:", "Reference:"),
                        e.title.get(l)
                    );
                    unit = if unit.is_empty() {
                        compared
                    } else {
                        format!("{unit} · {compared}")
                    };
                }
                // A change map already shows changes: no second change, no chart of levels.
                let levels = view.is_some_and(|(c, _)| !c.is_change()) && ind.periods.len() > 1;
                let change = if levels {
                    value
                        .zip(published(ind, 0, i))
                        .map(|(now, first)| now - first)
                } else {
                    None
                };
                ProfileRow {
                    title: ind.title.get(l).to_string(),
                    unit,
                    value,
                    reference: stats.reference,
                    rank: stats
                        .ranks
                        .get(i)
                        .copied()
                        .flatten()
                        .map(|r| (r, stats.count as u32)),
                    change,
                    decimals,
                    series: levels.then(|| Series {
                        periods: ind.periods.iter().map(i32::to_string).collect(),
                        values: (0..ind.periods.len())
                            .map(|p| published(ind, p, i))
                            .collect(),
                        reference: data.references[k].clone(),
                    }),
                }
            })
            .collect();
        let index = order.iter().find_map(|&k| {
            let ind = &inds[k];
            let (_, view) = views[k].as_ref().filter(|_| !ind.components.is_empty())?;
            let components = ind
                .components
                .iter()
                .zip(&view.z)
                .map(|(c, z)| IndexComponent {
                    name: layer.indicator(&c.indicator).map_or_else(
                        |_| c.indicator.clone(),
                        |(_, ci)| ci.title.get(l).to_string(),
                    ),
                    weight: c.weight,
                    direction: f64::from(c.direction),
                    z: z.get(i).copied().flatten(),
                })
                .collect();
            Some((ind.title.get(l).to_string(), components))
        });
        // Each indicator shows its own latest period by default; a period in the subtitle only
        // when the style asks for one.
        let asked = request.style.period.is_some() || request.style.compare.is_some();
        let shown = views
            .iter()
            .flatten()
            .find_map(|(c, _)| c.period.zip(Some(c.compare)))
            .filter(|_| asked);
        let period = match shown {
            Some((p, Some(c))) => format!(" · {} {c}–{p}", pick(lang, "Veränderung", "Change")),
            Some((p, None)) => format!(" · {p}"),
            None => String::new(),
        };
        let subtitle = format!(
            "{} · {} {}{period} · {}",
            layer.atlas.title.get(l),
            pick(lang, "Kennziffer", "Id"),
            district.id,
            self.title.get(l)
        );
        let average = pick(
            lang,
            "Durchschnitt: bei Quoten und Dichten alle Gebiete zusammen (Summe durch Summe), \
             sonst das ungewichtete Mittel der Gebiete mit Wert; Rang 1 = höchster Wert",
            "Average: for rates and densities all districts together (total over total), \
             else the unweighted mean of the districts with a value; rank 1 = highest value",
        );
        let source = match &layer.atlas.attribution {
            Some(a) => format!("{average}. {a}"),
            None => format!("{average}."),
        };
        Ok(ProfilePage {
            page: request.page,
            title: district.name.clone(),
            subtitle: Some(subtitle),
            locator: Some(MapContent::locator(
                self.print_layer(geometry)?,
                i,
                LOCATOR_FILL,
            )),
            rows,
            index,
            source: Some(source),
            lang: render_lang(lang),
        })
    }
}

/// The published value of indicator `ind` in its period number `k` for district `i` (`None`
/// where missing or withheld).
fn published(ind: &Indicator, k: usize, i: usize) -> Option<f64> {
    let withheld = ind
        .series_suppressed
        .get(k)
        .and_then(|s| s.get(i))
        .copied()
        .unwrap_or(false);
    if withheld {
        return None;
    }
    ind.series.get(k)?.get(i).copied().flatten()
}

/// What the profile pages of one layer in one style share: the values of the period (or change)
/// shown, as `/districts/{id}` with the same parameters gives them, their statistics (ranks,
/// reference), and each indicator's reference over its periods for the charts. The same for
/// every district, so a report of 401 profiles computes it once.
pub(crate) struct ProfileData {
    views: Vec<Option<(PeriodChoice, View)>>,
    stats: Vec<IndicatorStats>,
    references: Vec<Vec<Option<f64>>>,
}

impl ProfileData {
    pub(crate) fn new(layer: &PreparedLayer, style: &Style) -> ProfileData {
        let views = layer.views(style);
        let inds = &layer.atlas.indicators;
        let stats = views
            .iter()
            .zip(inds)
            .map(|(view, ind)| {
                view.as_ref().map_or_else(
                    || IndicatorStats::new(&[], 0),
                    |(c, v)| IndicatorStats::of(ind, &v.values, 0, Some(c)),
                )
            })
            .collect();
        // Per period: the external row or the ratio of the totals, else the mean of the
        // published values.
        let references = inds
            .iter()
            .map(|ind| {
                (0..ind.periods.len())
                    .map(|k| {
                        if let Some(r) = ind.reference_for(ind.periods.get(k).copied()) {
                            return Some(r.value);
                        }
                        let (sum, n) = (0..ind.values.len())
                            .filter_map(|d| published(ind, k, d).filter(|v| v.is_finite()))
                            .fold((0.0, 0u32), |(s, n), v| (s + v, n + 1));
                        (n > 0).then(|| sum / f64::from(n))
                    })
                    .collect()
            })
            .collect();
        ProfileData {
            views,
            stats,
            references,
        }
    }
}
