//! One district's profile page: [`Atlas::profile_page`].

use quartier_render::print::{MapContent, PageSpec, ProfilePage, ProfileRow};

use crate::atlas::Atlas;
use crate::labels;
use crate::lang::Lang;
use crate::manifest::Theme;
use crate::print::{pick, render_lang, PrintGeometry, PrintRequestError};
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
    /// The style; of it only the period matters to a profile (once the atlas has periods).
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
    /// Every indicator has one period today, so the change column and the charts are empty; a
    /// period chosen in `style` will select the values once the atlas has periods.
    pub fn profile_page<'a>(
        &'a self,
        geometry: &'a PrintGeometry,
        request: &ProfileRequest<'_>,
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
        let rows = report_order(&layer.atlas.indicators)
            .into_iter()
            .map(|k| {
                let ind = &layer.atlas.indicators[k];
                let stats = &layer.stats[k];
                let value = ind.values.get(i).copied().flatten();
                let decimals = ind.decimals.unwrap_or_else(|| {
                    labels::auto_decimals(stats.mean.or(value).unwrap_or(0.0)).min(6) as u8
                });
                let mut unit = ind.unit.get(l).to_string();
                if crate::suppression::is_suppressed(ind, i) {
                    let withheld = pick(lang, "Wert gesperrt", "value withheld");
                    unit = if unit.is_empty() {
                        withheld.to_string()
                    } else {
                        format!("{unit} · {withheld}")
                    };
                }
                ProfileRow {
                    title: ind.title.get(l).to_string(),
                    unit,
                    value,
                    reference: stats.mean,
                    rank: stats
                        .ranks
                        .get(i)
                        .copied()
                        .flatten()
                        .map(|r| (r, stats.count as u32)),
                    change: None,
                    decimals,
                    series: None,
                }
            })
            .collect();
        let subtitle = format!(
            "{} · {} {} · {}",
            layer.atlas.title.get(l),
            pick(lang, "Kennziffer", "Id"),
            district.id,
            self.title.get(l)
        );
        let average = pick(
            lang,
            "Durchschnitt: ungewichtetes Mittel der Gebiete mit Wert; Rang 1 = höchster Wert",
            "Average: unweighted mean of the districts with a value; rank 1 = highest value",
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
            index: None,
            source: Some(source),
            lang: render_lang(lang),
        })
    }
}
