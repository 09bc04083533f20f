//! What a loaded atlas is made of: titles in two languages, themes, styles, indicators, layers.

use serde::{Deserialize, Serialize};

use quartier_geo::classify::Method;
use quartier_geo::layer::Layer;

/// A title or label in German and English.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Localized {
    /// The same text in every language.
    One(String),
    /// Separate texts; a missing language falls back to the other.
    Both {
        /// German text.
        #[serde(default)]
        de: Option<String>,
        /// English text.
        #[serde(default)]
        en: Option<String>,
    },
}

impl Localized {
    /// The text in `lang` (`"de"` or `"en"`), falling back to the other language.
    pub fn get(&self, lang: &str) -> &str {
        match self {
            Localized::One(s) => s,
            Localized::Both { de, en } => {
                let (first, second) = if lang == "de" { (de, en) } else { (en, de) };
                first.as_deref().or(second.as_deref()).unwrap_or("")
            }
        }
    }

    /// English first: the text used where only one language fits (logs, CLI).
    pub fn en(&self) -> &str {
        self.get("en")
    }
}

impl From<&str> for Localized {
    fn from(s: &str) -> Self {
        Localized::One(s.to_string())
    }
}

/// The six themes of a Sozialraumbericht, plus "other".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    /// Demography and integration (Demografie und Integration).
    Demography,
    /// Work and employment (Arbeit).
    Work,
    /// Income and transfer benefits (Einkommen).
    Income,
    /// Education and upbringing (Bildung und Erziehung).
    Education,
    /// Housing (Wohnen).
    Housing,
    /// Safety (Sicherheit).
    Safety,
    /// Anything else.
    #[default]
    Other,
}

impl Theme {
    /// All themes in report order.
    pub const ALL: [Theme; 7] = [
        Theme::Demography,
        Theme::Work,
        Theme::Income,
        Theme::Education,
        Theme::Housing,
        Theme::Safety,
        Theme::Other,
    ];

    /// The manifest and API name (`"demography"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Demography => "demography",
            Theme::Work => "work",
            Theme::Income => "income",
            Theme::Education => "education",
            Theme::Housing => "housing",
            Theme::Safety => "safety",
            Theme::Other => "other",
        }
    }

    /// The theme's title in `lang`.
    pub fn title(self, lang: &str) -> &'static str {
        let de = lang == "de";
        match self {
            Theme::Demography if de => "Demografie und Integration",
            Theme::Demography => "Demography and integration",
            Theme::Work if de => "Arbeit",
            Theme::Work => "Work",
            Theme::Income if de => "Einkommen",
            Theme::Income => "Income",
            Theme::Education if de => "Bildung und Erziehung",
            Theme::Education => "Education and upbringing",
            Theme::Housing if de => "Wohnen",
            Theme::Housing => "Housing",
            Theme::Safety if de => "Sicherheit",
            Theme::Safety => "Safety",
            Theme::Other if de => "Sonstiges",
            Theme::Other => "Other",
        }
    }
}

/// Default classification of an indicator (manifest `[style]`, a layer's or an indicator's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct StyleSpec {
    /// Classification method name (`quantile`, `equal`, `jenks`, `stddev`, `pretty`, `manual`).
    pub method: Option<String>,
    /// Number of classes, 2 to 9.
    pub classes: Option<usize>,
    /// Colour scheme name (`YlOrRd`, `viridis`, ...).
    pub palette: Option<String>,
    /// Breaks for `manual`.
    pub breaks: Option<Vec<f64>>,
    /// Centre of a diverging scheme: a number, or `"mean"` for the layer average.
    pub centre: Option<Centre>,
}

/// Where a diverging scheme is centred.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Centre {
    /// A fixed value.
    Value(f64),
    /// A named statistic: `"mean"` (the layer average).
    Named(String),
}

/// The resolved default style of an indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Style {
    /// Classification method.
    pub method: Method,
    /// Number of classes.
    pub classes: usize,
    /// Colour scheme name.
    pub palette: String,
    /// Breaks for the manual method.
    pub breaks: Option<Vec<f64>>,
    /// Centre value for a diverging scheme.
    pub centre: Option<f64>,
}

impl StyleSpec {
    /// `self` with unset fields taken from `fallback`.
    pub(super) fn or(&self, fallback: &StyleSpec) -> StyleSpec {
        StyleSpec {
            method: self.method.clone().or_else(|| fallback.method.clone()),
            classes: self.classes.or(fallback.classes),
            palette: self.palette.clone().or_else(|| fallback.palette.clone()),
            breaks: self.breaks.clone().or_else(|| fallback.breaks.clone()),
            centre: self.centre.clone().or_else(|| fallback.centre.clone()),
        }
    }
}

/// Basemap under the districts (optional: the page reads well without one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Basemap {
    /// XYZ URL template, e.g. `https://tile.openstreetmap.org/{z}/{x}/{y}.png`.
    pub url: String,
    /// Attribution text shown on the map.
    pub attribution: String,
}

/// Where the map page opens when its address names no view: a city's atlas opens on the city
/// (the German demo atlas on Kreis Düren in North Rhine-Westphalia), not on the whole layer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartView {
    /// The layer shown first (default: the first layer).
    pub layer: Option<String>,
    /// The indicator shown first (default: the layer's first).
    pub indicator: Option<String>,
    /// Centre longitude, WGS84 degrees.
    pub lon: f64,
    /// Centre latitude, WGS84 degrees.
    pub lat: f64,
    /// Zoom level, 0 to 19.
    pub zoom: u8,
}

/// One published indicator of a layer, with its values aligned to the layer's districts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicator {
    /// Id used in URLs (`/tiles/{layer}/{indicator}/...`).
    pub id: String,
    /// Title in German and English.
    pub title: Localized,
    /// Unit (`%`, `per 1,000 births`, `EUR`), possibly per language.
    pub unit: Localized,
    /// Theme of the report.
    pub theme: Theme,
    /// Source of the numbers.
    pub source: Option<String>,
    /// Reference year.
    pub year: Option<i32>,
    /// Longer explanation.
    pub description: Option<Localized>,
    /// Suggested decimals for display.
    pub decimals: Option<u8>,
    /// How the value is computed, for the profile and the docs (`CRIM`, `SID74 / BIR74 × 1000`).
    pub formula: String,
    /// Default classification.
    pub style: Style,
    /// Values per district (layer order); `None` is missing.
    #[serde(skip)]
    pub values: Vec<Option<f64>>,
    /// Per district: withheld by small-number suppression (its value is then `None` too, but it is
    /// to be shown as "suppressed", not as "no data").
    #[serde(skip)]
    pub suppressed: Vec<bool>,
    /// The layer's suppression threshold, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppress_below: Option<f64>,
    /// The periods (years) the indicator has values for, ascending; empty for an indicator
    /// without periods. `values` and `suppressed` are those of the last (the default period).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub periods: Vec<i32>,
    /// Values per period (aligned with `periods`), each per district in layer order.
    #[serde(skip)]
    pub series: Vec<Vec<Option<f64>>>,
    /// Withheld districts per period (aligned with `periods`).
    #[serde(skip)]
    pub series_suppressed: Vec<Vec<bool>>,
    /// For a composite index: its components; empty for any other indicator.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<Component>,
    /// For a ratio (numerator / denominator) or a density: the ratio of the totals per period
    /// (aligned with `periods`; one entry without periods), Σ numerator / Σ denominator × factor
    /// over the districts whose value is published. Empty for any other indicator, whose layer
    /// reference is the mean of the districts. See [`Indicator::total_ratio`].
    #[serde(skip)]
    pub totals: Vec<Option<f64>>,
    /// A row of the tables named as the reference (`reference = { key = "DG", ... }`), which
    /// then replaces the layer's own reference.
    pub external: Option<ExternalReference>,
    /// For a categorical indicator (a typology): its categories, whose codes 1, 2, … are the
    /// values; empty for every numeric indicator.
    pub categories: Vec<Category>,
}

/// One category of a categorical indicator: the value `code` stands for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Category {
    /// The value that stands for it (1, 2, …).
    pub code: u32,
    /// A stable key (`high/positive`).
    pub key: String,
    /// What it is, for the legend, the hover box and the table.
    pub title: Localized,
    /// Its colour on the map, `#rrggbb`.
    pub color: String,
}

/// An indicator's value for a row of its tables that is not a district (Germany, a Land): what
/// the profile and the legend compare districts with when the manifest names one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExternalReference {
    /// The row's key in the table (`DG`).
    pub key: String,
    /// What the row is (`Deutschland` / `Germany`).
    pub title: Localized,
    /// The indicator's value for that row per period (aligned with `periods`; one entry
    /// without periods), computed as for a district.
    pub values: Vec<Option<f64>>,
}

/// What a district is compared with in one period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reference<'a> {
    /// The value.
    pub value: f64,
    /// `external`, `ratio_of_totals` (or `mean`, which [`Indicator::reference_for`] never gives:
    /// the statistics compute it).
    pub kind: &'static str,
    /// The external row's title.
    pub title: Option<&'a Localized>,
}

/// A component of a composite index: an indicator of the same layer, its weight and direction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Component {
    /// The component indicator's id.
    pub indicator: String,
    /// Its weight (positive).
    pub weight: f64,
    /// `1`: a high value raises the index; `-1`: it lowers it.
    pub direction: i8,
}

impl Indicator {
    /// Position of `period` in `periods`.
    pub fn period_index(&self, period: i32) -> Option<usize> {
        self.periods.iter().position(|p| *p == period)
    }

    /// The layer's value of a ratio or density in `period` (the latest without one): the ratio
    /// of the totals, which is what "the city as a whole" means for a rate. The unweighted mean
    /// of the district rates is not: a small district counts as much as a large one (for the
    /// German Kreise, crimes per 1,000 inhabitants are 73.3 in total in 2013 but 64.1 as a
    /// mean of the Kreise). `None` for indicators that are not ratios.
    pub fn total_ratio(&self, period: Option<i32>) -> Option<f64> {
        self.in_period(&self.totals, period)
    }

    /// What a district is compared with in `period` (the latest without one), when it is not the
    /// mean of the districts: the external row the manifest names, else the ratio of the totals.
    pub fn reference_for(&self, period: Option<i32>) -> Option<Reference<'_>> {
        if let Some(e) = &self.external {
            return self
                .in_period(&e.values, period)
                .filter(|v| v.is_finite())
                .map(|value| Reference {
                    value,
                    kind: "external",
                    title: Some(&e.title),
                });
        }
        self.total_ratio(period).map(|value| Reference {
            value,
            kind: "ratio_of_totals",
            title: None,
        })
    }

    /// The entry of a per-period list for `period` (the last without one).
    fn in_period(&self, list: &[Option<f64>], period: Option<i32>) -> Option<f64> {
        match period.and_then(|p| self.period_index(p)) {
            Some(k) => list.get(k).copied().flatten(),
            None => list.last().copied().flatten(),
        }
    }

    /// Values and withheld flags of one period (`None`: the default values).
    pub fn period_values(&self, period: Option<i32>) -> (&[Option<f64>], &[bool]) {
        match period.and_then(|p| self.period_index(p)) {
            Some(k) => (&self.series[k], &self.series_suppressed[k]),
            None => (&self.values, &self.suppressed),
        }
    }
}

impl Indicator {
    /// An indicator that is just a numeric field: titled by its name, no unit, theme "other",
    /// nothing withheld. What a boundary file served without a manifest publishes.
    pub fn from_field(name: &str, values: Vec<Option<f64>>, style: Style) -> Indicator {
        Indicator {
            id: name.to_string(),
            title: name.into(),
            unit: "".into(),
            theme: Theme::Other,
            source: None,
            year: None,
            description: None,
            decimals: None,
            formula: name.to_string(),
            style,
            suppressed: vec![false; values.len()],
            values,
            suppress_below: None,
            periods: Vec::new(),
            series: Vec::new(),
            series_suppressed: Vec::new(),
            components: Vec::new(),
            totals: Vec::new(),
            external: None,
            categories: Vec::new(),
        }
    }
}

/// A layer of the atlas: imported districts plus their indicators.
#[derive(Debug, Clone)]
pub struct AtlasLayer {
    /// Layer id used in URLs.
    pub id: String,
    /// Title in German and English.
    pub title: Localized,
    /// Attribution for the boundaries.
    pub attribution: Option<String>,
    /// The districts.
    pub layer: Layer,
    /// Published indicators in manifest order (composite indices after the others).
    pub indicators: Vec<Indicator>,
    /// Where the page opens (manifest `view`).
    pub view: Option<super::spec::View>,
    /// The layer's data version: a fingerprint of its part of the manifest, the atlas-wide style
    /// defaults and every file it reads. Its tiles' ETags and `v=` follow it, so publishing one
    /// layer's table leaves the other layers' cached tiles valid.
    pub version: String,
}

impl AtlasLayer {
    /// The indicator with this id.
    pub fn indicator(&self, id: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.id == id)
    }
}

/// A loaded atlas: what the server publishes.
#[derive(Debug, Clone)]
pub struct LoadedAtlas {
    /// Atlas title.
    pub title: Localized,
    /// Longer description.
    pub description: Option<Localized>,
    /// Optional basemap.
    pub basemap: Option<Basemap>,
    /// Where the map page opens (`[start]` in the manifest).
    pub start: Option<StartView>,
    /// Layers in manifest order.
    pub layers: Vec<AtlasLayer>,
    /// A fingerprint of every input file's bytes: changes whenever the data changes (ETags).
    pub version: String,
}
