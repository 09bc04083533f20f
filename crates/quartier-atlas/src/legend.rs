//! The one legend entry point: classes, breaks, colours, counts and their texts in German and
//! English, for the HTTP legend, TileJSON, and later reports and static maps.

use crate::manifest::Localized;
use quartier_geo::palette::{self, NO_DATA};
use serde::Serialize;

use crate::atlas::Atlas;
use crate::error::AtlasError;
use crate::labels;
use crate::lang::Lang;
use crate::periods::Scope;
use crate::stats::IndicatorStats;
use crate::style::{url_escape, Style};
use crate::suppression::SUPPRESSED;

/// A text in both languages, for pages that switch language without asking again.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Titles<'a> {
    /// German.
    pub de: &'a str,
    /// English.
    pub en: &'a str,
}

impl<'a> From<&'a Localized> for Titles<'a> {
    fn from(l: &'a Localized) -> Self {
        Titles {
            de: l.get("de"),
            en: l.get("en"),
        }
    }
}

/// The legend of an indicator under one style (`legend.json`; `docs/api.md` says what each
/// field means).
#[derive(Debug, Serialize)]
pub struct Legend<'a> {
    /// Layer id.
    pub layer: &'a str,
    /// Indicator id.
    pub indicator: &'a str,
    /// Title in the requested language.
    pub title: &'a str,
    /// Title in both languages.
    pub titles: Titles<'a>,
    /// Unit in the requested language.
    pub unit: &'a str,
    /// Unit in both languages.
    pub units: Titles<'a>,
    /// The manifest's decimals.
    pub decimals: Option<u8>,
    /// Classification method.
    pub method: String,
    /// Number of classes drawn (may be fewer than asked for; `notes` says why).
    pub classes: usize,
    /// Number of classes asked for.
    pub requested_classes: usize,
    /// Colour scheme.
    pub palette: String,
    /// `[min, b1, …, bk]`.
    pub breaks: Vec<f64>,
    /// One `#rrggbb` per class.
    pub colors: Vec<String>,
    /// Districts per class.
    pub counts: Vec<usize>,
    /// Districts without a value, drawn in `no_data_color` (withheld ones are not counted here).
    pub missing: usize,
    /// Fill of districts without a value.
    pub no_data_color: String,
    /// Districts whose value is withheld by small-number suppression, drawn in `suppressed_color`.
    pub suppressed: usize,
    /// Fill of withheld districts.
    pub suppressed_color: String,
    /// The layer's suppression threshold (`null`: no suppression).
    pub suppress_below: Option<f64>,
    /// Every adjustment of the classification, in plain words.
    pub notes: Vec<String>,
    /// One text per class, "lower – upper" with the legend's decimals, in the requested language.
    pub labels: Vec<String>,
    /// The text of the no-data row.
    pub no_data_label: &'static str,
    /// The text of the suppressed row; `None` when the legend has none (no suppression).
    pub suppressed_label: Option<String>,
    /// Centre of a diverging scheme.
    pub centre: Option<f64>,
    /// Mean of the district values.
    pub mean: Option<f64>,
    /// The layer's reference value: a table row the manifest names, the ratio of the totals for
    /// ratios and densities, else the mean
    /// (see [`IndicatorStats::reference`](crate::stats::IndicatorStats::reference)).
    pub reference: Option<f64>,
    /// `external`, `ratio_of_totals` or `mean`.
    pub reference_kind: &'static str,
    /// For an `external` reference, what it is in the reader's language ("Deutschland").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_title: Option<&'a str>,
    /// Smallest value.
    pub min: Option<f64>,
    /// Largest value.
    pub max: Option<f64>,
    /// The canonical style query, to put on tile URLs.
    pub style: String,
    /// Tile URL template (relative) drawing exactly this legend.
    pub tiles: String,
    /// The period shown (`null`: the indicator has no periods).
    pub period: Option<i32>,
    /// For a change map: the period compared with.
    pub compare: Option<i32>,
    /// For a change map: `absolute` or `percent`.
    pub change: Option<&'static str>,
    /// `all` or `period` (`null` without periods or for a change map).
    pub scope: Option<&'static str>,
    /// Every period of the indicator.
    pub periods: &'a [i32],
    /// The periods whose values the breaks cover.
    pub break_periods: Vec<i32>,
    /// For a composite index: its components with weights and directions.
    pub components: &'a [crate::manifest::Component],
}

/// `{base}/tiles/{layer}/{indicator}/{z}/{x}/{y}.png?{style}`.
pub fn tile_template(base: &str, layer: &str, indicator: &str, style: &str) -> String {
    format!(
        "{base}/tiles/{}/{}/{{z}}/{{x}}/{{y}}.png?{style}",
        url_escape(layer),
        url_escape(indicator)
    )
}

impl Atlas {
    /// The legend of an indicator drawn in `style`, with its texts in `lang`.
    ///
    /// ```no_run
    /// # fn example(atlas: &quartier_atlas::Atlas) -> Result<(), quartier_atlas::AtlasError> {
    /// use quartier_atlas::{Lang, Style};
    ///
    /// let legend = atlas.legend("nc", "sids_rate74", &Style::default(), Lang::De)?;
    /// for (label, colour) in legend.labels.iter().zip(&legend.colors) {
    ///     println!("{colour} {label}"); // "#ffffb2 0,00 – 0,86", …
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn legend(
        &self,
        layer: &str,
        indicator: &str,
        style: &Style,
        lang: Lang,
    ) -> Result<Legend<'_>, AtlasError> {
        let c = self.classify(layer, indicator, style)?;
        let layer = &self.layers[c.layer];
        let ind = &layer.atlas.indicators[c.indicator];
        let choice = &c.style.periods;
        let view = layer.view(c.indicator, choice);
        let default_view = choice.compare.is_none() && choice.period == ind.periods.last().copied();
        let view_stats;
        let stats = if default_view {
            &layer.stats[c.indicator]
        } else {
            let withheld = view.suppressed.iter().filter(|s| **s).count();
            view_stats = IndicatorStats::of(ind, &view.values, withheld, Some(choice));
            &view_stats
        };
        let l = lang.as_str();
        Ok(Legend {
            layer: layer.id(),
            indicator: &ind.id,
            title: ind.title.get(l),
            titles: (&ind.title).into(),
            unit: ind.unit.get(l),
            units: (&ind.unit).into(),
            decimals: ind.decimals,
            // A typology is no classification of numbers: its classes are its categories.
            method: if ind.categories.is_empty() {
                c.classification.method.to_string()
            } else {
                "categories".to_string()
            },
            classes: c.colors.len(),
            requested_classes: c.style.classes,
            palette: if ind.categories.is_empty() {
                c.style.palette.clone()
            } else {
                String::new()
            },
            breaks: c.classification.breaks.clone(),
            colors: c.colors.iter().map(|rgb| palette::hex(*rgb)).collect(),
            counts: c.classification.counts.clone(),
            // Withheld districts are not given to the classifier: `missing` is real no-data only.
            missing: c.classification.missing,
            no_data_color: palette::hex(NO_DATA),
            suppressed: stats.suppressed,
            suppressed_color: palette::hex(SUPPRESSED),
            suppress_below: ind.suppress_below,
            notes: c
                .classification
                .notes
                .iter()
                .map(|n| labels::note_text(n, ind.decimals, lang))
                .collect(),
            labels: if ind.categories.is_empty() {
                labels::class_labels(&c.classification.breaks, ind.decimals, lang)
            } else {
                ind.categories
                    .iter()
                    .map(|k| k.title.get(l).to_string())
                    .collect()
            },
            no_data_label: labels::no_data_label(lang),
            suppressed_label: (ind.suppress_below.is_some() || stats.suppressed > 0)
                .then(|| labels::suppressed_label(ind.suppress_below, lang)),
            centre: c.style.centre,
            mean: stats.mean,
            reference: stats.reference,
            reference_kind: stats.reference_kind,
            reference_title: ind
                .external
                .as_ref()
                .filter(|_| stats.reference_kind == "external")
                .map(|e| e.title.get(l)),
            min: stats.min,
            max: stats.max,
            tiles: tile_template("", layer.id(), &ind.id, &c.canonical),
            style: c.canonical.clone(),
            period: choice.period,
            compare: choice.compare,
            change: choice.compare.map(|_| {
                if choice.percent {
                    "percent"
                } else {
                    "absolute"
                }
            }),
            scope: (choice.period.is_some() && choice.compare.is_none()).then_some(
                match choice.scope {
                    Scope::All => "all",
                    Scope::Period => "period",
                },
            ),
            periods: &ind.periods,
            break_periods: view.break_periods,
            components: &ind.components,
        })
    }
}
